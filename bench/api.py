"""Drives bench/api: starts servers, seeds customers, runs wrk, prints and saves the figures."""

import argparse, hashlib, hmac, json, os, pathlib, re, shutil, subprocess, tempfile, time, urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVER = ROOT / "target/release/tally-server"
FLOOR = ROOT / "target/release/examples/bare_axum"
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
    server, base = start([SERVER, "serve", "--addr", "127.0.0.1:0", "--database-url", database_url])
    try:
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
        tokens.unlink()
    finally:
        server.terminate()
        server.wait()
    results[name] = {"program": program, "program_cache_headers": cache, "me": me, "orders": orders}
    if scaling:
        results[name]["two_servers"] = scaling


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--scale", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure two servers on one PostgreSQL")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    results = {"machine": {"cores": os.cpu_count(), "uname": " ".join(os.uname())},
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
    (OUT / "api.json").write_text(json.dumps(results, indent=2))
    print("wrote bench/out/api.json")


if __name__ == "__main__":
    main()
