//! Faults under the real binary or the real router: kill -9 mid-stream (SQLite and PostgreSQL), a
//! PostgreSQL restart under load, a read-only SQLite database and a full disk. Each ends the same way:
//! the fault removed, every acknowledged write is there, the database is sound and the ledger's
//! invariants hold (`common::ledger_check`).
//!
//! - The PostgreSQL restart disturbs the shared server: it runs only with `TALLY_TEST_PG_RESTART=1` (and
//!   `TALLY_TEST_DATABASE_URL`) and when `pg_ctlcluster --skip-systemctl-redirect 15 main` works.
//! - The read-only and full-disk tests mount a tmpfs (or a read-only bind mount): they need root and say
//!   when they are skipped.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::binary::{start_server, BINARY};
use common::ledger_check::{assert_ledger_invariants, LedgerFigures};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tally_server::shops::ShopCache;
use tally_server::{ledger, Db};
use tokio::process::{Child, Command};

/// The PostgreSQL restart must not run beside the other PostgreSQL tests of this binary.
static POSTGRES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "faults: {line}");
}

fn now_ms() -> i64 {
    chrono_free_now() * 1000
}

async fn kill(mut child: Child) {
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("reaped");
}

async fn shop_create(database_url: &str) -> (String, String) {
    let output = Command::new(BINARY)
        .args([
            "shop",
            "create",
            "--name",
            "Fault Coffee",
            "--currency",
            "USD",
        ])
        .args([
            "--origin",
            "https://shop.example",
            "--database-url",
            database_url,
        ])
        .env("TALLY_LOG", "warn")
        .output()
        .await
        .expect("run shop create");
    assert!(
        output.status.success(),
        "shop create: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shop: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    (
        shop["id"].as_str().expect("id").to_owned(),
        shop["secret_key"].as_str().expect("key").to_owned(),
    )
}

/// A client of the binary: merchant and shopper calls, each answer's status and body.
#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    base: String,
    shop_id: String,
    key: String,
}

/// One answer: `None` when the connection failed (the server is gone or not up).
type Answer = Option<(StatusCode, Option<String>, Value)>;

impl Client {
    fn new(base: &str, shop_id: &str, key: &str) -> Client {
        Client {
            // Longer than the server's 15 s request limit: a timeout here is a hang.
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(25))
                .build()
                .expect("client"),
            base: base.to_owned(),
            shop_id: shop_id.to_owned(),
            key: key.to_owned(),
        }
    }

    async fn answer(request: reqwest::RequestBuilder) -> Answer {
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) if e.is_timeout() => panic!("a request hung past 25 s: {e}"),
            Err(_) => return None,
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.ok()?;
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{status} with a body that is not JSON: {text:?}"));
        Some((status, retry_after, body))
    }

    async fn merchant_post(&self, rest: &str, body: &Value) -> Answer {
        let url = format!("{}/v1/shops/{}{rest}", self.base, self.shop_id);
        Self::answer(self.http.post(url).bearer_auth(&self.key).json(body)).await
    }

    /// Puts the coffee program (with rewards; `shop create` starts without any) in place.
    async fn use_coffee_program(&self) {
        let mut program = serde_json::to_value(new_test_program()).expect("program json");
        program["allowed_origins"] = json!(["https://shop.example"]);
        let url = format!("{}/v1/shops/{}/program", self.base, self.shop_id);
        let answer = Self::answer(self.http.put(url).bearer_auth(&self.key).json(&program)).await;
        let (status, _, body) = answer.expect("the server answers");
        assert_eq!(status, StatusCode::OK, "PUT program: {body}");
    }

    async fn order(&self, order_id: &str, customer: &str, total: i64) -> Answer {
        let body = json!({"order_id": order_id, "customer_id": customer, "total_minor": total,
                          "currency": "USD"});
        self.merchant_post("/orders", &body).await
    }

    async fn redeem(&self, customer: &str, key: &str) -> Answer {
        let timestamp = chrono_free_now();
        let url = format!("{}/v1/shops/{}/me/redemptions", self.base, self.shop_id);
        Self::answer(
            self.http
                .post(url)
                .header("X-Tally-Customer", customer)
                .header("X-Tally-Timestamp", timestamp.to_string())
                .header(
                    "X-Tally-Signature",
                    sign(&self.key, &self.shop_id, customer, timestamp),
                )
                .header("Idempotency-Key", key)
                .json(&json!({"reward_id": "5off"})),
        )
        .await
    }
}

/// A fault may refuse a write only as the contract's 503 `unavailable` with `Retry-After`.
fn assert_refused_as_unavailable(
    what: &str,
    status: StatusCode,
    retry: &Option<String>,
    body: &Value,
) {
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {status} {body}"
    );
    assert_eq!(body["error"]["code"], "unavailable", "{what}: {body}");
    assert!(retry.is_some(), "{what}: 503 without Retry-After");
}

/// What a writer had acknowledged: orders with their answers, redemptions by key.
#[derive(Default, Clone)]
struct Acknowledged {
    orders: Vec<(String, String, i64, Value)>,
    redemptions: Vec<(String, String, Value)>,
}

/// Writes orders (and every fourth step a redemption) until stopped or the server is gone; refusals
/// are checked as they come; returns how many were refused as unavailable.
async fn write_stream(
    client: Client,
    writer: usize,
    acknowledged: Arc<Mutex<Acknowledged>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    gone_ends: bool,
) -> usize {
    let mut refused = 0;
    for n in 0.. {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        let customer = format!("c{}", n % 5);
        let order_id = format!("w{writer}-{n}");
        let total = 1_000 + n as i64;
        match client.order(&order_id, &customer, total).await {
            None if gone_ends => return refused,
            None => tokio::time::sleep(Duration::from_millis(50)).await,
            Some((StatusCode::CREATED, _, body)) => acknowledged
                .lock()
                .expect("lock")
                .orders
                .push((order_id, customer.clone(), total, body)),
            Some((status, retry, body)) => {
                assert_refused_as_unavailable(&order_id, status, &retry, &body);
                refused += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        if n % 4 == 3 {
            let key = format!("r{writer}-{n}");
            match client.redeem(&customer, &key).await {
                None if gone_ends => return refused,
                None => {}
                Some((StatusCode::CREATED, _, body)) => acknowledged
                    .lock()
                    .expect("lock")
                    .redemptions
                    .push((customer, key, body)),
                Some((StatusCode::UNPROCESSABLE_ENTITY, _, _)) => {} // not enough points yet
                Some((status, retry, body)) => {
                    assert_refused_as_unavailable(&key, status, &retry, &body);
                    refused += 1;
                }
            }
        }
    }
    refused
}

/// Every acknowledged write answers the same on a replay, and nothing was acted twice.
async fn assert_acknowledged_kept(client: &Client, acknowledged: &Acknowledged) {
    for (order_id, customer, total, answer) in &acknowledged.orders {
        let (status, _, body) = client
            .order(order_id, customer, *total)
            .await
            .expect("the server answers");
        assert_eq!(status, StatusCode::OK, "{order_id} was kept: {body}");
        assert_eq!(&body, answer, "{order_id} answers as first acknowledged");
    }
    for (customer, key, answer) in &acknowledged.redemptions {
        let (status, _, body) = client.redeem(customer, key).await.expect("answers");
        assert_eq!(status, StatusCode::CREATED, "redemption {key}: {body}");
        assert_eq!(&body, answer, "redemption {key} was kept once");
    }
}

/// The ledger invariants of the shop, at the real time, on the database the binary used.
async fn assert_invariants(database_url: &str, shop_id: &str) -> LedgerFigures {
    let db = Db::connect(database_url)
        .await
        .expect("connect after the fault");
    let shop = ShopCache::default()
        .require(&db, shop_id)
        .await
        .expect("the shop");
    let now = now_ms();
    let summary = ledger::summary(&db, &shop, now).await.expect("summary");
    let figures = assert_ledger_invariants(&db, shop_id, now, &summary).await;
    db.pool.close().await;
    figures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_write_survives_a_kill_9_and_the_ledger_stays_whole() {
    let _postgres = POSTGRES.lock().await;
    for backend in backends() {
        let database = ScratchDatabase::new(backend).await;
        let (shop_id, key) = shop_create(&database.url).await;
        let (server, base) = start_server(&database.url).await.expect("serve");
        let client = Client::new(&base, &shop_id, &key);
        client.use_coffee_program().await;
        let acknowledged: Arc<Mutex<Acknowledged>> = Arc::default();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = tokio::task::JoinSet::new();
        for writer in 0..8 {
            let task = write_stream(
                client.clone(),
                writer,
                acknowledged.clone(),
                stop.clone(),
                true,
            );
            writers.spawn(task);
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        kill(server).await;
        while let Some(joined) = writers.join_next().await {
            joined.expect("a writer saw only 201, 422 or 503 before the kill");
        }
        let acknowledged = acknowledged.lock().expect("lock").clone();
        assert!(acknowledged.orders.len() >= 10, "the stream got going");

        let (restarted, base) = start_server(&database.url).await.expect("restart");
        assert_acknowledged_kept(&Client::new(&base, &shop_id, &key), &acknowledged).await;
        kill(restarted).await;
        let figures = assert_invariants(&database.url, &shop_id).await;
        say(&format!(
            "kill -9 on {backend:?}: {} orders and {} redemptions acknowledged, all kept; \
             invariants held over {} entries",
            acknowledged.orders.len(),
            acknowledged.redemptions.len(),
            figures.entries
        ));
        database.remove().await;
    }
}

fn pg_ctl(action: &str) -> bool {
    std::process::Command::new("pg_ctlcluster")
        .args(["--skip-systemctl-redirect", "15", "main", action])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_restart_under_load_is_503_with_retry_after_then_recovers_by_itself() {
    if std::env::var("TALLY_TEST_PG_RESTART").as_deref() != Ok("1")
        || postgres_admin_url().is_none()
    {
        say("PostgreSQL restart SKIPPED (set TALLY_TEST_PG_RESTART=1 and TALLY_TEST_DATABASE_URL)");
        return;
    }
    let _postgres = POSTGRES.lock().await;
    let database = ScratchDatabase::new(Backend::Postgres).await;
    let (shop_id, key) = shop_create(&database.url).await;
    let (server, base) = start_server(&database.url).await.expect("serve");
    let client = Client::new(&base, &shop_id, &key);
    client.use_coffee_program().await;
    let acknowledged: Arc<Mutex<Acknowledged>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..6 {
        let task = write_stream(
            client.clone(),
            writer,
            acknowledged.clone(),
            stop.clone(),
            false,
        );
        writers.spawn(task);
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(pg_ctl("stop"), "pg_ctlcluster stop");
    tokio::time::sleep(Duration::from_secs(4)).await;
    let before_start = acknowledged.lock().expect("lock").orders.len();
    assert!(pg_ctl("start"), "pg_ctlcluster start");
    let started = Instant::now();
    // Recovered: new orders are acknowledged again, with no restart of the server.
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if acknowledged.lock().expect("lock").orders.len() > before_start + 10 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not recover within 30 s of PostgreSQL's return"
        );
    }
    let recovered_in = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut refused = 0;
    while let Some(joined) = writers.join_next().await {
        refused += joined.expect("writer");
    }
    assert!(
        refused > 0,
        "the outage was seen: some writes were refused with 503"
    );
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert_acknowledged_kept(&client, &acknowledged).await;
    kill(server).await;
    let figures = assert_invariants(&database.url, &shop_id).await;
    say(&format!(
        "PostgreSQL stopped 4 s under load: {refused} writes refused as 503, none 500 or hung; \
         recovered {recovered_in:?} after its start; {} orders acknowledged, all kept; invariants \
         held over {} entries",
        acknowledged.orders.len(),
        figures.entries
    ));
    database.remove().await;
}

/// A directory on its own small tmpfs (root only): the disk that fills up.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(name: &str, size: &str) -> Option<Tmpfs> {
        let dir = std::env::temp_dir().join(format!("tally-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            Some(Tmpfs(dir))
        } else {
            let _ = std::fs::remove_dir(&dir);
            None
        }
    }

    fn resize(&self, size: &str) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .expect("mount");
        assert!(status.success(), "resize the tmpfs");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn integrity_check(path: &Path) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&format!("{}?mode=ro", sqlite_url(path)))
        .await
        .expect("open for the check");
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .expect("integrity_check");
    let _ = conn.close().await;
    verdict
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_refuses_writes_as_503_loses_nothing_and_recovers_when_space_returns() {
    let Some(disk) = Tmpfs::mount("full", "1m") else {
        say("full disk SKIPPED (mounting a tmpfs needs root)");
        return;
    };
    let path = disk.0.join("tally.db");
    let url = sqlite_url(&path);
    let (shop_id, key) = shop_create(&url).await;
    let (server, base) = start_server(&url).await.expect("serve");
    let client = Client::new(&base, &shop_id, &key);
    client.use_coffee_program().await;
    let acknowledged: Arc<Mutex<Acknowledged>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..4 {
        let task = write_stream(
            client.clone(),
            writer,
            acknowledged.clone(),
            stop.clone(),
            true,
        );
        writers.spawn(task);
    }
    // Until the disk has been full for a while (each refusal was checked as a 503 when it came).
    let started = Instant::now();
    let mut full_since = None;
    for probe_number in 0.. {
        tokio::time::sleep(Duration::from_millis(200)).await;
        // One id per probe: five probes a second share a `now_ms()` (whole seconds), and a repeated id
        // is a replay (200), not a new write.
        let probe = client
            .order(&format!("probe-{}-{probe_number}", now_ms()), "probe", 100)
            .await;
        match probe {
            Some((StatusCode::CREATED, _, body)) => {
                let order_id = body["order_id"].as_str().expect("id").to_owned();
                acknowledged.lock().expect("lock").orders.push((
                    order_id,
                    "probe".into(),
                    100,
                    body,
                ));
            }
            Some((status, retry, body)) => {
                assert_refused_as_unavailable("probe", status, &retry, &body);
                full_since.get_or_insert_with(Instant::now);
            }
            None => panic!("the server died when the disk filled up"),
        }
        if full_since.is_some_and(|t| t.elapsed() > Duration::from_secs(2)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the 1 MB disk never filled"
        );
    }
    // The space comes back: the same server takes writes again, by itself.
    disk.resize("64m");
    let (status, _, body) = client
        .order("after-full", "c0", 2_500)
        .await
        .expect("answers");
    assert_eq!(status, StatusCode::CREATED, "writes resume: {body}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut refused = 0;
    while let Some(joined) = writers.join_next().await {
        refused += joined.expect("writer");
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert_acknowledged_kept(&client, &acknowledged).await;
    kill(server).await;
    assert_eq!(integrity_check(&path).await, "ok");
    let figures = assert_invariants(&url, &shop_id).await;
    say(&format!(
        "full disk (1 MB tmpfs): {refused} writes refused as 503 while full, none 500; {} orders \
         acknowledged, all kept; integrity_check ok; invariants held over {} entries",
        acknowledged.orders.len(),
        figures.entries
    ));
}

/// Makes `dir` read-only for everyone, root included (a read-only bind mount over itself).
struct ReadOnly(PathBuf);

impl ReadOnly {
    fn apply(dir: &Path) -> Option<ReadOnly> {
        let run = |args: &[&str]| {
            std::process::Command::new("mount")
                .args(args)
                .arg(dir)
                .arg(dir)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !run(&["--bind"]) {
            return None;
        }
        let guard = ReadOnly(dir.to_owned());
        let ro = std::process::Command::new("mount")
            .args(["-o", "remount,bind,ro"])
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ro.then_some(guard)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_read_only_database_fails_clearly_loses_nothing_and_works_again_when_writable() {
    let dir = std::env::temp_dir().join(format!("tally-readonly-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("tally.db");
    let url = sqlite_url(&path);
    let (shop_id, key) = shop_create(&url).await;
    let (server, base) = start_server(&url).await.expect("serve");
    let client = Client::new(&base, &shop_id, &key);
    client.use_coffee_program().await;
    let mut acknowledged = Acknowledged::default();
    for n in 0..20 {
        let order_id = format!("before-{n}");
        let (status, _, body) = client
            .order(&order_id, "c1", 1_000 + n)
            .await
            .expect("answers");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        acknowledged
            .orders
            .push((order_id, "c1".into(), 1_000 + n, body));
    }
    kill(server).await;

    let Some(read_only) = ReadOnly::apply(&dir) else {
        say("read-only database SKIPPED (a read-only bind mount needs root)");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    };
    let outcome = match start_server(&url).await {
        // Refusing to start is fine if it says why, without a panic.
        Err(why) => {
            assert!(!why.contains("panicked"), "a panic at start: {why}");
            assert!(
                why.to_lowercase().contains("read") || why.to_lowercase().contains("database"),
                "the reason names the database: {why}"
            );
            format!("refused to start: {}", why.trim())
        }
        // Starting is fine if reads work and every write is a 503.
        Ok((server, base)) => {
            let client = Client::new(&base, &shop_id, &key);
            let (status, retry, body) = client
                .order("while-read-only", "c1", 5_000)
                .await
                .expect("answers");
            assert_refused_as_unavailable(
                "an order on a read-only database",
                status,
                &retry,
                &body,
            );
            let (status, retry, body) = client.redeem("c1", "ro-1").await.expect("answers");
            assert_refused_as_unavailable("a redemption", status, &retry, &body);
            let program = reqwest::get(format!("{base}/v1/shops/{shop_id}/program"))
                .await
                .expect("program");
            assert_eq!(program.status(), StatusCode::OK, "reads still work");
            kill(server).await;
            "served reads, refused writes as 503".to_owned()
        }
    };
    drop(read_only);

    let (server, base) = start_server(&url).await.expect("serve once writable");
    let client = Client::new(&base, &shop_id, &key);
    assert_acknowledged_kept(&client, &acknowledged).await;
    let (status, _, body) = client
        .order("after-read-only", "c1", 700)
        .await
        .expect("answers");
    assert_eq!(status, StatusCode::CREATED, "writes work again: {body}");
    kill(server).await;
    assert_eq!(integrity_check(&path).await, "ok");
    let figures = assert_invariants(&url, &shop_id).await;
    say(&format!(
        "read-only database: {outcome}; all {} acknowledged orders kept; integrity_check ok; \
         invariants held over {} entries",
        acknowledged.orders.len(),
        figures.entries
    ));
    let _ = std::fs::remove_dir_all(&dir);
}
