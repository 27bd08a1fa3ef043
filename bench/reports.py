"""Drives bench/reports: seeds a large shop once per database, then times the merchant's read paths."""

import argparse, json, os, pathlib, random, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

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


def run_backend(name, database_url, args, results):
    print(f"\n== {name}: {database_url}", flush=True)
    shop = json.loads(subprocess.run(
        [SERVER, "shop", "create", "--name", "Bench Coffee", "--currency", "USD", "--origin", "http://127.0.0.1",
         "--database-url", database_url], capture_output=True, text=True, check=True).stdout)
    shop_id, key = shop["id"], shop["secret_key"]
    t0 = time.time()
    subprocess.run([SERVER, "seed", "--database-url", database_url, "--shop", shop_id, "--customers",
                    str(args.customers), "--max-orders", str(args.max_orders)], check=True,
                   env={**os.environ, "RUST_LOG": "warn"})
    seeded = round(time.time() - t0, 1)
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
    results[name] = {"seed_seconds": seeded, "members": summary["members"],
                     "points_issued": summary["points_issued"], "search": percentiles(searches),
                     "timeseries_90_days": percentiles(series), "summary": percentiles(summaries),
                     "insights": percentiles(insights)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--max-orders", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    results = {"customers": args.customers, "max_orders": args.max_orders}
    work = pathlib.Path(tempfile.mkdtemp(prefix="tally-bench-reports-"))
    run_backend("sqlite", f"sqlite://{work / 'tally.db'}", args, results)
    db = work / "tally.db"
    results["sqlite"]["ledger_entries"] = int(subprocess.run(
        ["python3", "-c", f"import sqlite3;print(sqlite3.connect('{db}').execute('select count(*) from ledger_entries').fetchone()[0])"],
        capture_output=True, text=True, check=True).stdout)
    pg = os.environ.get("TALLY_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
        name = f"tally_bench_reports_{os.getpid()}"
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"], check=True)
        try:
            run_backend("postgres", pg.rsplit("/", 1)[0] + f"/{name}", args, results)
        finally:
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
        print(f"{backend:12} seeded {r['members']} members in {r['seed_seconds']} s")
    if "ledger_entries" in results.get("sqlite", {}):
        print(f"ledger entries (SQLite): {results['sqlite']['ledger_entries']}")
    OUT.mkdir(exist_ok=True)
    (OUT / "reports.json").write_text(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
