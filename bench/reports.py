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


def run_backend(name, database_url, args, results, kept=None):
    """`kept`: with --reuse, the state of the databases seeded by an earlier run (updated when seeding)."""
    print(f"\n== {name}: {database_url}", flush=True)
    if kept is not None and name in kept:
        shop_id, key, seeded = kept[name]["shop_id"], kept[name]["secret_key"], kept[name]["seed_seconds"]
        print(f"reusing the shop {shop_id} seeded earlier", flush=True)
    else:
        shop = json.loads(subprocess.run(
            [SERVER, "shop", "create", "--name", "Bench Coffee", "--currency", "USD", "--origin",
             "http://127.0.0.1", "--database-url", database_url], capture_output=True, text=True,
            check=True).stdout)
        shop_id, key = shop["id"], shop["secret_key"]
        t0 = time.time()
        subprocess.run([SERVER, "seed", "--database-url", database_url, "--shop", shop_id, "--customers",
                        str(args.customers), "--max-orders", str(args.max_orders)], check=True,
                       env={**os.environ, "RUST_LOG": "warn"})
        seeded = round(time.time() - t0, 1)
        if kept is not None:
            kept[name] = {"database_url": database_url, "shop_id": shop_id, "secret_key": key,
                          "seed_seconds": seeded}
            save_kept(args, kept)
    # A reused database seeded by another build is migrated here, by the server's start.
    t0 = time.time()
    server, base = start([SERVER, "serve", "--addr", "127.0.0.1:0", "--database-url", database_url])
    print(f"server up in {time.time() - t0:.1f} s", flush=True)
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


def load_kept(args):
    if not args.reuse:
        return None
    state = pathlib.Path(args.reuse) / "state.json"
    kept = json.loads(state.read_text()) if state.exists() else {}
    if kept and (kept.get("customers"), kept.get("max_orders")) != (args.customers, args.max_orders):
        raise SystemExit(f"{state} was seeded with other --customers/--max-orders; use another directory")
    kept.update(customers=args.customers, max_orders=args.max_orders)
    return kept


def save_kept(args, kept):
    (pathlib.Path(args.reuse) / "state.json").write_text(json.dumps(kept, indent=2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--max-orders", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--reuse", metavar="DIR",
                        help="keep the seeded databases (SQLite file and PostgreSQL database named in "
                             "DIR/state.json) and reuse them when run again with the same DIR")
    args = parser.parse_args()
    results = {"customers": args.customers, "max_orders": args.max_orders}
    kept = load_kept(args)
    if args.reuse:
        work = pathlib.Path(args.reuse)
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = pathlib.Path(tempfile.mkdtemp(prefix="tally-bench-reports-"))
    run_backend("sqlite", f"sqlite://{work / 'tally.db'}", args, results, kept)
    db = work / "tally.db"
    results["sqlite"]["ledger_entries"] = int(subprocess.run(
        ["python3", "-c", f"import sqlite3;print(sqlite3.connect('{db}').execute('select count(*) from ledger_entries').fetchone()[0])"],
        capture_output=True, text=True, check=True).stdout)
    pg = os.environ.get("TALLY_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
        if kept is not None and "postgres" in kept:
            url = kept["postgres"]["database_url"]
        else:
            name = f"tally_bench_reports_{os.getpid()}"
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {name}"],
                           check=True)
            url = pg.rsplit("/", 1)[0] + f"/{name}"
        try:
            run_backend("postgres", url, args, results, kept)
        finally:
            if kept is None:
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
    if not args.reuse:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
