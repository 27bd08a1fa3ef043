"""Drives bench/api: starts servers, seeds customers, runs wrk, prints and saves the figures."""

import argparse, hashlib, hmac, http.client, json, os, pathlib, re, shutil, sqlite3, statistics, subprocess
import tempfile, threading, time, urllib.parse, urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Where cargo put the release build: CARGO_TARGET_DIR when set (relative to the repository, as cargo reads it).
TARGET = ROOT / os.environ.get("CARGO_TARGET_DIR", "target")
SERVER = TARGET / "release/tally-server"
FLOOR = TARGET / "release/examples/bare_axum"
RECEIVER = TARGET / "release/examples/webhook_receiver"
WRK = ROOT / "bench/wrk"
OUT = ROOT / "bench/out"
# The benchmark is one client IP hammering one shop: the per-IP rate limit must not be what we measure.
UNLIMITED = {"TALLY_RATE_LIMIT_BURST": "1e12", "TALLY_RATE_LIMIT_PER_SECOND": "1e12", "RUST_LOG": "warn"}


def start(cmd, env=None):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, **UNLIMITED, **(env or {})})
    line = proc.stdout.readline().strip()
    m = re.match(r"listening on (http://\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"{cmd[0]} did not start: {line!r}")
    return proc, m.group(1)


def request(method, url, key=None, body=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read() or b"null"), dict(resp.headers)


def wrk(url, script, seconds, connections, env=None):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(WRK / script), url],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, check=True).stdout
    return wrk_figures(out)


def wrk_start(url, script, seconds, connections, env, threads):
    """A wrk running beside others (the mixed workload); its figures come from `wrk_figures`."""
    return subprocess.Popen(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(WRK / script), url],
        stdout=subprocess.PIPE, text=True, env={**os.environ, **env})


def wrk_figures(out):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    errors = re.search(r"Socket errors: (.*)", out)

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", out)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    return {"rps": rps, "requests": total, "non_2xx": bad, "socket_errors": errors.group(1) if errors else None,
            "p50_ms": ms("50"), "p99_ms": ms("99")}


def sign(key, shop, customer, ts):
    return hmac.new(key.encode(), f"{shop}:{customer}:{ts}".encode(), hashlib.sha256).hexdigest()


def run_backend(name, database_url, args, results):
    print(f"\n== {name}: {database_url}")
    shop = json.loads(subprocess.run(
        [SERVER, "shop", "create", "--name", "Bench Coffee", "--currency", "USD", "--origin", "http://127.0.0.1",
         "--database-url", database_url], capture_output=True, text=True, check=True).stdout)
    shop_id, key = shop["id"], shop["secret_key"]
    t0 = time.time()
    subprocess.run([SERVER, "seed", "--database-url", database_url, "--shop", shop_id,
                    "--customers", str(args.customers)], check=True, env={**os.environ, "RUST_LOG": "warn"})
    results.setdefault("seed_seconds", {})[name] = round(time.time() - t0, 1)
    # The bench's receiver is on loopback: the server's development setting allows it (the default refuses).
    server, base = start([SERVER, "serve", "--addr", "127.0.0.1:0", "--database-url", database_url],
                         {"TALLY_ALLOW_PRIVATE_WEBHOOKS": "1"})
    try:
        # The seed wrote its events to the outbox; with no endpoint the worker drops them. Let it finish
        # first, or the first workloads share the cores with it.
        results.setdefault("seed_outbox_drain_seconds", {})[name] = round(wait_quiet(database_url), 1)
        _, headers = request("GET", f"{base}/v1/shops/{shop_id}/program")
        cache = {k.lower(): v for k, v in headers.items() if k.lower() in ("etag", "cache-control")}
        program = wrk(f"{base}/v1/shops/{shop_id}/program", "program.lua", args.seconds, args.connections,
                      {"TALLY_PATH": f"/v1/shops/{shop_id}/program"})
        tokens = tokens_path(key, shop_id, args)
        me = wrk(base, "me.lua", args.seconds, args.connections, {"TALLY_TOKENS": str(tokens)})
        orders = wrk(base, "orders.lua", args.seconds, args.connections, {
            "TALLY_ORDERS_PATH": f"/v1/shops/{shop_id}/orders", "TALLY_SECRET_KEY": key,
            "TALLY_CUSTOMERS": str(args.customers), "TALLY_RUN": f"{name}{int(time.time())}"})
        orders["acknowledged_per_s"] = (orders["requests"] - orders["non_2xx"]) / args.seconds
        scaling = None
        if name == "postgres" and args.scale:
            scaling = two_servers(database_url, shop_id, key, tokens, args, name)
        hooks = webhook_workload(name, base, database_url, shop_id, key, tokens, args) if args.webhooks else None
        tokens.unlink()
    finally:
        server.terminate()
        server.wait()
    results[name] = {"program": program, "program_cache_headers": cache, "me": me, "orders": orders}
    if scaling:
        results[name]["two_servers"] = scaling
    if hooks:
        results[name]["webhooks"] = hooks


def query(database_url, sql):
    """One row of numbers, read straight from the database (not through the API under test)."""
    if database_url.startswith("sqlite:"):
        path = database_url.split("://", 1)[1].split("?")[0]
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            return tuple(conn.execute(sql).fetchone())
        finally:
            conn.close()
    out = subprocess.run(["psql", database_url, "-tAc", sql], capture_output=True, text=True, check=True).stdout
    return tuple(int(x) for x in out.strip().split("|"))


OUTBOX = ("SELECT (SELECT COUNT(*) FROM events WHERE dispatched = 0), "
          "(SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending')")


def wait_quiet(database_url, limit=900):
    """Waits until the worker has nothing left: no event to fan out, no delivery pending. Returns seconds."""
    t0 = time.time()
    while sum(query(database_url, OUTBOX)) > 0:
        if time.time() - t0 > limit:
            raise SystemExit(f"the webhook outbox did not drain within {limit} s: {query(database_url, OUTBOX)}")
        time.sleep(0.2)
    return time.time() - t0


class Receiver:
    """crates/server/examples/webhook_receiver.rs: answers 204, checks signatures, counts."""

    def __init__(self):
        self.proc, self.base = start([RECEIVER, "127.0.0.1:0"])

    def secret(self, secret):
        req = urllib.request.Request(f"{self.base}/_secret", method="PUT", data=secret.encode())
        urllib.request.urlopen(req).read()

    def stats(self):
        with urllib.request.urlopen(f"{self.base}/_stats") as resp:
            return json.loads(resp.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Probes(threading.Thread):
    """An order for a new customer `probe-…` every quarter second; its `customer.enrolled` is timed from the
    order's acknowledgment to its arrival at the receiver (the delivery lag, queue included)."""

    def __init__(self, base, shop_id, key, tag, every=0.25):
        super().__init__(daemon=True)
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.path, self.key, self.tag, self.every = f"/v1/shops/{shop_id}/orders", key, tag, every
        self.acked, self.halt = {}, threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            customer = f"probe-{self.tag}-{i}"
            body = json.dumps({"order_id": customer, "customer_id": customer, "total_minor": 1000,
                               "currency": "USD"})
            self.conn.request("POST", self.path, body, {"Content-Type": "application/json",
                                                       "Authorization": f"Bearer {self.key}"})
            resp = self.conn.getresponse()
            resp.read()
            if resp.status < 300:
                self.acked[customer] = time.time() * 1000
            i += 1
            self.halt.wait(self.every)

    def stop(self):
        self.halt.set()
        self.join()
        self.conn.close()

    def lags(self, arrived):
        lags = sorted(arrived[c] - t for c, t in self.acked.items() if c in arrived)
        if not lags:
            return None
        nearest = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
        return {"n": len(lags), "of": len(self.acked), "p50_ms": round(nearest(0.5)),
                "p90_ms": round(nearest(0.9)), "max_ms": round(lags[-1])}


def webhook_phase(ctx, workload, with_endpoint):
    """One run of `orders` (orders.lua, as in the table above), `new` (orders.lua, each order for a new
    customer: three events or more per order, more than the worker is asked for by `orders`) or `mixed`
    (orders.lua and me.lua at once, half the connections each), with the endpoint enabled or not (disabled = no endpoint: the events are dropped at
    fan-out, as for a shop without webhooks). With it: deliveries/s at the receiver over the steady window
    (after a warm-up, until wrk stops), the backlog when wrk stops and how long it takes to drain."""
    args, base, shop_id, key = ctx["args"], ctx["base"], ctx["shop_id"], ctx["key"]
    request("PATCH", f"{base}/v1/shops/{shop_id}/webhooks/{ctx['endpoint']}", key, {"enabled": with_endpoint})
    settle = wait_quiet(ctx["database_url"])
    tag = f"{ctx['name']}{workload}{int(with_endpoint)}{int(time.time())}"
    orders_env = {"TALLY_ORDERS_PATH": f"/v1/shops/{shop_id}/orders", "TALLY_SECRET_KEY": key,
                  "TALLY_CUSTOMERS": str(args.customers), "TALLY_RUN": tag,
                  "TALLY_NEW_CUSTOMERS": "1" if workload == "new" else "0"}
    receiver = ctx["receiver"]
    before = receiver.stats()
    probes = Probes(base, shop_id, key, tag)
    probes.start()
    t0 = time.time()
    if workload in ("orders", "new"):
        procs = {"orders": wrk_start(base, "orders.lua", args.seconds, args.connections, orders_env, 2)}
    else:
        half = max(1, args.connections // 2)
        procs = {"orders": wrk_start(base, "orders.lua", args.seconds, half, orders_env, 1),
                 "me": wrk_start(base, "me.lua", args.seconds, half, {"TALLY_TOKENS": str(ctx["tokens"])}, 1)}
    warm = min(2.0, args.seconds / 5)
    time.sleep(warm)
    a, ta = receiver.stats(), time.time()
    time.sleep(max(0.0, t0 + args.seconds - 0.3 - time.time()))
    b, tb = receiver.stats(), time.time()
    figures = {w: wrk_figures(p.communicate()[0]) for w, p in procs.items()}
    stopped = time.time()
    backlog = sum(query(ctx["database_url"], OUTBOX))
    at_stop = receiver.stats()
    probes.stop()
    wait_quiet(ctx["database_url"])
    final = receiver.stats()
    out = {"settle_s": round(settle, 1), **figures}
    if with_endpoint:
        delivered = final["received"] - before["received"]
        after_stop = final["received"] - at_stop["received"]
        drain = max(0.0, final["last_ms"] / 1000 - stopped) if after_stop else 0.0
        out["webhooks"] = {
            "delivered": delivered,
            "events_per_s_generated": round(delivered / (stopped - t0)),
            "delivered_per_s_steady": round((b["received"] - a["received"]) / (tb - ta)),
            "steady_window_s": round(tb - ta, 1),
            "backlog_at_stop": backlog,
            "drain_s": round(drain, 2),
            "drain_per_s": round(after_stop / drain) if drain > 0 else None,
            "lag": probes.lags(final["probes"]),
        }
    return out


def webhook_workload(name, base, database_url, shop_id, key, tokens, args):
    """The webhook target of issue 16: delivery to a local receiver ≥ 500 events/s without moving the API's
    p99 by more than 10 %. One endpoint subscribed to every event (`*`), loopback allowed by the server's
    --allow-private-webhooks; each workload without, then with the endpoint."""
    receiver = Receiver()
    try:
        created, _ = request("POST", f"{base}/v1/shops/{shop_id}/webhooks", key,
                             {"url": f"{receiver.base}/hooks/tally", "events": ["*"]})
        receiver.secret(created["secret"])
        ctx = {"name": name, "base": base, "database_url": database_url, "shop_id": shop_id, "key": key,
               "tokens": tokens, "args": args, "endpoint": created["id"], "receiver": receiver}
        out = {}
        for workload in ("orders", "new", "mixed"):
            for with_endpoint in (False, True):
                label = f"{workload}_{'endpoint' if with_endpoint else 'none'}"
                print(f"   webhooks: {label}", flush=True)
                out[label] = webhook_phase(ctx, workload, with_endpoint)
        final = receiver.stats()
        succeeded = query(database_url, "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = "
                          f"'{created['id']}' AND status = 'succeeded'")[0]
        out["check"] = {"received": final["received"], "distinct_ids": final["distinct"],
                        "bad_signatures": final["bad_signatures"], "succeeded_in_database": succeeded}
        return out
    finally:
        receiver.stop()


def tokens_path(key, shop_id, args):
    tokens = pathlib.Path(tempfile.mkstemp(suffix=".tsv")[1])
    ts = int(time.time())
    step = max(1, args.customers // 20000)
    with tokens.open("w") as f:
        for i in range(0, args.customers, step):
            c = f"c{i}"
            f.write(f"/v1/shops/{shop_id}/me\t{c}\t{ts}\t{sign(key, shop_id, c, ts)}\n")
    return tokens


def two_servers(database_url, shop_id, key, tokens, args, name):
    """The scaling note's figure: two stateless servers on one PostgreSQL, each loaded by its own wrk."""
    servers = [start([SERVER, "serve", "--addr", "127.0.0.1:0", "--database-url", database_url]) for _ in range(2)]
    try:
        out = {}
        for workload, script, env in [
            ("me", "me.lua", {"TALLY_TOKENS": str(tokens)}),
            ("orders", "orders.lua", {"TALLY_ORDERS_PATH": f"/v1/shops/{shop_id}/orders", "TALLY_SECRET_KEY": key,
                                      "TALLY_CUSTOMERS": str(args.customers)}),
        ]:
            procs = []
            for i, (_, base) in enumerate(servers):
                e = {**os.environ, **env, "TALLY_RUN": f"{name}2x{i}{int(time.time())}"}
                procs.append(subprocess.Popen(
                    ["wrk", "-t1", f"-c{args.connections // 2}", f"-d{args.seconds}s", "--latency", "-s",
                     str(WRK / script), base], stdout=subprocess.PIPE, text=True, env=e))
            texts = [p.communicate()[0] for p in procs]
            rps = [float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)) for t in texts]
            out[workload] = {"rps_per_server": rps, "rps_total": sum(rps)}
        return out
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait()


def print_webhooks(backend, w):
    """The webhook rows: each workload without and with the endpoint, p99 moves, deliveries."""
    def move(a, b):
        return (b - a) / a * 100 if a and b else None

    verdicts = []
    for workload in ("orders", "new", "mixed"):
        none, hook = w[f"{workload}_none"], w[f"{workload}_endpoint"]
        for api in ("orders", "me"):
            if api not in none:
                continue
            m = move(none[api]["p99_ms"], hook[api]["p99_ms"])
            verdicts.append(m is not None and m <= 10)
            for label, r in (("no endpoint", none[api]), ("endpoint", hook[api])):
                extra = f"  p99 {m:+.0f}% (≤ +10%)" if label == "endpoint" and m is not None else ""
                print(f"{backend + ' ' + workload + ': ' + api + ', ' + label:34} {r['rps']:10.0f} "
                      f"{r['p50_ms'] or 0:8.2f} {r['p99_ms'] or 0:8.2f} {r['non_2xx']:8}{extra}")
        d = hook["webhooks"]
        # ≥ 500/s, or, when the workload makes fewer, keeping up: under a second's events left when wrk stops.
        verdicts.append(d["delivered_per_s_steady"] >= 500 or d["backlog_at_stop"] <= d["events_per_s_generated"])
        lag = d["lag"] or {}
        print(f"{'   deliveries':34} {d['delivered_per_s_steady']:10}/s steady over {d['steady_window_s']} s "
              f"(events made {d['events_per_s_generated']}/s); backlog at stop {d['backlog_at_stop']}, "
              f"drained in {d['drain_s']} s ({d['drain_per_s'] or '-'}/s); lag p50 {lag.get('p50_ms')} ms, "
              f"p90 {lag.get('p90_ms')} ms, max {lag.get('max_ms')} ms ({lag.get('n')}/{lag.get('of')} probes)")
    c = w["check"]
    exact = c["received"] == c["distinct_ids"] == c["succeeded_in_database"] and c["bad_signatures"] == 0
    print(f"{'   check':34} received {c['received']}, distinct ids {c['distinct_ids']}, succeeded in the "
          f"database {c['succeeded_in_database']}, bad signatures {c['bad_signatures']}: "
          + ("each once, all verified" if exact else "MISMATCH"))
    print(f"{'   webhook budget':34} ≥ 500 deliveries/s (or kept up) and p99 moved ≤ 10%: "
          + ("met" if all(verdicts) else "MISSED"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--scale", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure two servers on one PostgreSQL")
    ap.add_argument("--webhooks", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure webhook delivery to a local receiver under the orders workload")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    results = {"machine": {"cores": os.cpu_count(), "uname": " ".join(os.uname()),
                           "load_average_at_start": os.getloadavg()},
               "customers": args.customers, "seconds": args.seconds, "connections": args.connections}

    floor_proc, floor_base = start([FLOOR, "127.0.0.1:0"])
    try:
        results["bare_axum"] = wrk(f"{floor_base}/program", "program.lua", args.seconds, args.connections,
                                   {"TALLY_PATH": "/program"})
    finally:
        floor_proc.terminate()
        floor_proc.wait()

    work = pathlib.Path(tempfile.mkdtemp(prefix="tally-bench-"))
    run_backend("sqlite", f"sqlite://{work}/bench.db", args, results)
    pg = os.environ.get("TALLY_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    if shutil.which("psql") and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
        db = f"tally_bench_{int(time.time())}"
        subprocess.run(["psql", f"{pg}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
        try:
            run_backend("postgres", f"{pg}/{db}", args, results)
        finally:
            subprocess.run(["psql", f"{pg}/postgres", "-qc", f"DROP DATABASE {db} WITH (FORCE)"])
    else:
        print("\n== postgres: no server reachable, skipped")
    shutil.rmtree(work, ignore_errors=True)

    floor = results["bare_axum"]["rps"]
    print(f"\n{'workload':34} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}  budget")
    print(f"{'bare axum handler (floor)':34} {floor:10.0f} {results['bare_axum']['p50_ms']:8.2f} "
          f"{results['bare_axum']['p99_ms']:8.2f} {results['bare_axum']['non_2xx']:8}")
    for backend in ("sqlite", "postgres"):
        r = results.get(backend)
        if not r:
            continue
        rows = [
            ("GET program", r["program"], f"≥ {0.5 * floor:.0f} (0.5× floor): "
             + ("met" if r["program"]["rps"] >= 0.5 * floor else "MISSED")),
            ("GET me", r["me"], "≥ 10000, p99 ≤ 10 ms: " + (
                "met" if r["me"]["rps"] >= 10000 and (r["me"]["p99_ms"] or 1e9) <= 10 else "MISSED")),
            ("POST orders (durable)", r["orders"], "≥ 2000/s acknowledged: " + (
                "met" if r["orders"]["acknowledged_per_s"] >= 2000 else "MISSED")),
        ]
        for label, m, budget in rows:
            print(f"{backend + ' ' + label:34} {m['rps']:10.0f} {m['p50_ms'] or 0:8.2f} {m['p99_ms'] or 0:8.2f} "
                  f"{m['non_2xx']:8}  {budget}")
        print(f"{backend + ' program cache headers':34} {r['program_cache_headers'] or 'none'}")
        if "two_servers" in r:
            for w, m in r["two_servers"].items():
                per = " + ".join(f"{x:.0f}" for x in m["rps_per_server"])
                one = r[w]["rps"]
                print(f"{backend + ' 2 servers ' + w:34} {m['rps_total']:10.0f}  ({per}; one server: {one:.0f})")
        if "webhooks" in r:
            print_webhooks(backend, r["webhooks"])
    results["machine"]["load_average_at_end"] = os.getloadavg()
    print(f"load average: {results['machine']['load_average_at_start']} at the start, "
          f"{results['machine']['load_average_at_end']} at the end (2 cores: above 2, something else ran too)")
    (OUT / "api.json").write_text(json.dumps(results, indent=2))
    print("wrote bench/out/api.json")


if __name__ == "__main__":
    main()
