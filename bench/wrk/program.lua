-- GET a fixed path (the public program, or the bare-axum floor), revalidating nothing: a cold cache.
wrk.method = "GET"
wrk.path = os.getenv("TALLY_PATH")
