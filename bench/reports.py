"""Drives bench/reports: seeds a large shop once per database, then times the merchant's read paths."""

import argparse, hashlib, json, os, pathlib, random, shutil, statistics, subprocess, sys, tempfile, time, urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from api import OUT, SERVER, request, start  # noqa: E402

def timed(url, key):
    t0 = time.perf_counter()
    request("GET", url, key)
    return (time.perf_counter() - t0) * 1000


def percentiles(samples):
    s = sorted(samples)
    return {"n": len(s), "p50_ms": round(statistics.median(s), 2),
            "p95_ms": round(s[min(len(s) - 1, int(len(s) * 0.95))], 2), "max_ms": round(s[-1], 2)}


# First names for --names, some sharing pieces ("Ada", "Adam", "Adaeze"), some beyond ASCII.
NAMES = ["Ada", "Adam", "Adaeze", "Adele", "Aiko", "Alejandro", "Amara", "Ana", "Anna", "Annika", "Arjun", "Ava",
         "Beatriz", "Ben", "Björn", "Camille", "Carlos", "Chen", "Chloé", "Dmitri", "Elif", "Elena", "Émile",
         "Emma", "Fatima", "Felix", "Grace", "Hana", "Hugo", "Ingrid", "Isabela", "Ivan", "Jamal", "João", "Julia",
         "Kenji", "Kofi", "Lars", "Leila", "Liam", "Lucía", "Łukasz", "Maya", "Mei", "Mateo", "Nadia", "Noah",
         "Olga", "Omar", "Priya", "Rafael", "Ravi", "Rosa", "Sakura", "Sofia", "Søren", "Tariq", "Theo", "Uma",
         "Wei", "Yara", "Yusuf", "Zoë", "Zeynep"]


def run_backend(name, database_url, args, results, state=None):
    """Creates and seeds the shop, or with --reuse takes the one in `state` (a JSON file) from an earlier run."""
    print(f"\n== {name}: {database_url}", flush=True)
    if state and state.exists():
        shop_id, key, seeded, named = (json.loads(state.read_text()) + [None])[:4]
        print(f"reusing shop {shop_id} (seeded in {seeded} s, named in {named} s)", flush=True)
    else:
        shop = json.loads(subprocess.run(
            [SERVER, "shop", "create", "--name", "Bench Coffee", "--currency", "USD", "--origin", "http://127.0.0.1",
             "--database-url", database_url], capture_output=True, text=True, check=True).stdout)
        shop_id, key = shop["id"], shop["secret_key"]
        t0 = time.time()
        subprocess.run([SERVER, "seed", "--database-url", database_url, "--shop", shop_id, "--customers",
                        str(args.customers), "--max-orders", str(args.max_orders)], check=True,
                       env={**os.environ, "RUST_LOG": "warn"})
        seeded, named = round(time.time() - t0, 1), None
        if args.names:
            t0 = time.time()
            server, base = start([SERVER, "serve", "--addr", "127.0.0.1:0", "--database-url", database_url])
            try:
                # Through the API, so the server writes whatever it keeps beside a name.
                def name(i):
                    request("PATCH", f"{base}/v1/shops/{shop_id}/customers/c{i}", key,
                            {"first_name": NAMES[i * 7 % len(NAMES)], "email": f"c{i}@nowhere.test"})
                with ThreadPoolExecutor(4) as pool:
                    list(pool.map(name, range(args.customers)))
            finally:
                server.terminate()
                server.wait()
            named = round(time.time() - t0, 1)
        if state:
            state.write_text(json.dumps([shop_id, key, seeded, named]))
    server, base = start([SERVER, "serve", "--addr", "127.0.0.1:0", "--database-url", database_url])
    shop_url = f"{base}/v1/shops/{shop_id}"
    try:
        summary, _ = request("GET", f"{shop_url}/reports/summary", key)
        rng = random.Random(7)
        today = time.strftime("%Y-%m-%d", time.gmtime())
        start_day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 89 * 86400))
        searches = []
        for i in range(args.rounds * 10):
            q = [f"c{rng.randrange(args.customers)}", "Ada", f"c{rng.randrange(args.customers)}@nowhere.test",
                 "+15550100000"][i % 4]
            searches.append(timed(f"{shop_url}/customers?q={urllib.request.quote(q)}&limit=50", key))
        searches.append(timed(f"{shop_url}/customers?limit=50", key))
        series = []
        for _ in range(args.rounds):
            for metric in ["members_new", "points_issued", "points_redeemed", "points_expired", "redemptions",
                           "orders", "revenue_minor"]:
                series.append(timed(f"{shop_url}/reports/timeseries?metric={metric}&interval=day"
                                    f"&from={start_day}&to={today}", key))
        summaries = [timed(f"{shop_url}/reports/summary", key) for _ in range(max(3, args.rounds // 4))]
        insights = [timed(f"{shop_url}/reports/insights", key) for _ in range(max(3, args.rounds // 4))]
    finally:
        server.terminate()
        server.wait()
    results[name] = {"seed_seconds": seeded, "names_seconds": named, "members": summary["members"],
                     "points_issued": summary["points_issued"], "search": percentiles(searches),
                     "timeseries_90_days": percentiles(series), "summary": percentiles(summaries),
                     "insights": percentiles(insights)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--max-orders", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--names", action="store_true",
                        help="give every seeded customer a first name and an email (through the API)")
    parser.add_argument("--reuse", metavar="DIR", type=pathlib.Path,
                        help="keep the seeded databases (SQLite in DIR, a PostgreSQL database named after DIR) and "
                             "reuse them when run again with the same DIR")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], action="append",
                        help="measure only this database (repeatable; default: both)")
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgres"]
    results = {"customers": args.customers, "max_orders": args.max_orders, "names": args.names}
    if args.reuse:
        work = args.reuse.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = pathlib.Path(tempfile.mkdtemp(prefix="tally-bench-reports-"))
    state = (lambda backend: work / f"{backend}.json") if args.reuse else (lambda backend: None)
    if "sqlite" in backends:
        run_backend("sqlite", f"sqlite://{work / 'tally.db'}", args, results, state("sqlite"))
        db = work / "tally.db"
        results["sqlite"]["ledger_entries"] = int(subprocess.run(
            ["python3", "-c", f"import sqlite3;print(sqlite3.connect('{db}').execute('select count(*) from ledger_entries').fetchone()[0])"],
            capture_output=True, text=True, check=True).stdout)
    pg = os.environ.get("TALLY_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    if "postgres" in backends and subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
        # One kept database per --reuse directory.
        kept = hashlib.sha256(str(work).encode()).hexdigest()[:8]
        name = f"tally_bench_reports_{kept}" if args.reuse else f"tally_bench_reports_{os.getpid()}"
        if not (args.reuse and state("postgres").exists()):
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {name}"],
                           check=True)
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
                           check=True)
        try:
            run_backend("postgres", pg.rsplit("/", 1)[0] + f"/{name}", args, results, state("postgres"))
        finally:
            if not args.reuse:
                subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE {name}"])
    print(f"\n{'':12} {'what':22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    for backend in ("sqlite", "postgres"):
        if backend not in results:
            continue
        r = results[backend]
        for what, key, target in [("customer search", "search", "p95 ≤ 20 ms"),
                                  ("timeseries 90 days", "timeseries_90_days", "p95 ≤ 100 ms"),
                                  ("summary", "summary", ""), ("insights", "insights", "")]:
            f = r[key]
            print(f"{backend:12} {what:22} {f['p50_ms']:8} {f['p95_ms']:8} {f['max_ms']:8}  {target}")
        print(f"{backend:12} seeded {r['members']} members in {r['seed_seconds']} s"
              + (f", named them in {r['names_seconds']} s" if r["names_seconds"] else ""))
    if "ledger_entries" in results.get("sqlite", {}):
        print(f"ledger entries (SQLite): {results['sqlite']['ledger_entries']}")
    OUT.mkdir(exist_ok=True)
    (OUT / "reports.json").write_text(json.dumps(results, indent=2))
    if not args.reuse:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
