//! What every server test shares: a real server on a real database over real HTTP, once per backend.
//!
//! SQLite always runs (a fresh temp file per test). PostgreSQL runs too when `TALLY_TEST_DATABASE_URL`
//! is set (a fresh database per test, dropped afterwards); otherwise the skip is printed.

#![allow(dead_code)]

pub mod binary;
pub mod ledger_check;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::Connection;
use tally_core::api::ProgramRules;
use tally_server::shops::{self, ShopCache, ShopRecord};
use tally_server::{AppState, Db, Limits};
use tokio::sync::oneshot;

pub const ORIGIN: &str = "https://coffee.example";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A shop in a test server: its id and its (raw) secret key.
#[derive(Clone)]
pub struct TestShop {
    pub id: String,
    pub secret_key: String,
}

pub struct TestServer {
    pub backend: Backend,
    pub base: String,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub db: Db,
    pub shop: TestShop,
    /// The server's clock for sessions, lockouts and key rotation (`start` only); tests move it forward.
    pub clock: tally_server::clock::Clock,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    /// The webhook worker, when the test started one (`start_with_webhooks`).
    worker: Option<tally_server::webhooks::worker::WorkerHandle>,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::SqliteFile(path) = self {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

/// Limits high enough that no test but the rate-limit one ever meets them.
pub fn generous_limits() -> Limits {
    Limits {
        rate_burst: 1_000_000.0,
        rate_per_second: 1_000_000.0,
        ..Limits::default()
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    format!(
        "tally_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        tally_server::shops::random_string(b"abcdefghijklmnopqrstuvwxyz", 6)
    )
}

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TALLY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// The backends this run covers; says so when PostgreSQL is skipped.
pub fn backends() -> Vec<Backend> {
    if postgres_admin_url().is_some() {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "tally-server tests: every scenario runs on SQLite and on PostgreSQL"
            );
        });
        vec![Backend::Sqlite, Backend::Postgres]
    } else {
        // Straight to the process's stderr (libtest captures eprintln!), once per test binary.
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "tally-server tests: PostgreSQL SKIPPED (TALLY_TEST_DATABASE_URL not set); SQLite only"
            );
        });
        vec![Backend::Sqlite]
    }
}

/// Runs `scenario` once per backend, each on a fresh database and server.
pub async fn on_every_backend<F, Fut>(scenario: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: Future<Output = TestServer>,
{
    on_every_backend_with(generous_limits(), scenario).await
}

pub async fn on_every_backend_with<F, Fut>(limits: Limits, scenario: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: Future<Output = TestServer>,
{
    for backend in backends() {
        eprintln!("running on {backend:?}");
        let server = TestServer::start(backend, limits.clone()).await;
        let server = scenario(server).await;
        server.finish().await;
    }
}

/// A fresh, migrated database of `backend`, and how to remove it.
async fn fresh_database(backend: Backend) -> (String, Cleanup) {
    let name = unique_name();
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            (
                format!("sqlite://{}", path.display()),
                Cleanup::SqliteFile(path),
            )
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url().expect("TALLY_TEST_DATABASE_URL");
            sqlx::any::install_default_drivers();
            let mut admin = sqlx::AnyConnection::connect(&admin_url)
                .await
                .expect("connect to TALLY_TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create a test database");
            let _ = admin.close().await;
            let (base, _) = admin_url
                .split('?')
                .next()
                .unwrap_or(&admin_url)
                .rsplit_once('/')
                .expect("a database URL with a path");
            (
                format!("{base}/{name}"),
                Cleanup::PostgresDatabase { admin_url, name },
            )
        }
    }
}

pub fn new_test_program() -> ProgramRules {
    let mut rules = tally_core::demo::coffee_program();
    rules.referral.landing_url = "https://coffee.example/".into();
    rules
}

impl TestServer {
    pub async fn start(backend: Backend, limits: Limits) -> TestServer {
        let (url, cleanup) = fresh_database(backend).await;
        let db = Db::connect(&url).await.expect("connect and migrate");
        // On loopback, as the tests are: session cookies without `Secure`.
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let state = AppState::new(db.clone(), limits).listening_on(loopback);
        let clock = state.clock.clone();
        let mut server = Self::start_router(backend, db, cleanup, tally_server::app(state)).await;
        server.clock = clock;
        server
    }

    /// A server with this webhook configuration and its delivery worker running, as `serve` has.
    pub async fn start_with_webhooks(
        backend: Backend,
        config: tally_server::webhooks::WebhookConfig,
    ) -> TestServer {
        let (url, cleanup) = fresh_database(backend).await;
        let db = Db::connect(&url).await.expect("connect and migrate");
        let state = AppState::new(db.clone(), generous_limits()).with_webhooks(config);
        let worker =
            tally_server::webhooks::worker::spawn(state.db.clone(), state.webhooks.clone());
        let mut server = Self::start_router(backend, db, cleanup, tally_server::app(state)).await;
        server.worker = Some(worker);
        server
    }

    pub async fn start_demo(backend: Backend) -> TestServer {
        let (url, cleanup) = fresh_database(backend).await;
        let db = Db::connect(&url).await.expect("connect and migrate");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        tally_server::demo::seed(&db, addr.port())
            .await
            .expect("seed the demo");
        let state = AppState::new(db.clone(), generous_limits());
        let router = tally_server::demo::router(state, std::env::temp_dir(), addr);
        let mut server = Self::serve(backend, db, cleanup, listener, router).await;
        server.shop = TestShop {
            id: tally_server::demo::SHOP_ID.into(),
            secret_key: tally_server::demo::SECRET_KEY.into(),
        };
        server
    }

    async fn start_router(
        backend: Backend,
        db: Db,
        cleanup: Cleanup,
        router: axum::Router,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let mut server = Self::serve(backend, db, cleanup, listener, router).await;
        server.shop = server.create_shop("Test Coffee", &[ORIGIN]).await;
        server
    }

    async fn serve(
        backend: Backend,
        db: Db,
        cleanup: Cleanup,
        listener: tokio::net::TcpListener,
        router: axum::Router,
    ) -> TestServer {
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            tally_server::serve(listener, router, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        TestServer {
            backend,
            base: format!("http://{addr}"),
            addr,
            http: reqwest::Client::new(),
            db,
            shop: TestShop {
                id: String::new(),
                secret_key: String::new(),
            },
            clock: tally_server::clock::Clock::default(),
            stop: Some(stop),
            server: Some(server),
            worker: None,
            cleanup,
        }
    }

    /// Another shop in the same server, with a generated (long) secret key.
    pub async fn create_shop(&self, name: &str, origins: &[&str]) -> TestShop {
        let id = shops::new_shop_id();
        let secret_key = shops::new_secret_key();
        let origins: Vec<String> = origins.iter().map(|o| o.to_string()).collect();
        shops::upsert_shop(
            &self.db,
            &shops::NewShop {
                id: &id,
                name,
                currency: "USD",
                locale: "en",
                secret_key: &secret_key,
                rules: &new_test_program(),
                allowed_origins: &origins,
            },
        )
        .await
        .expect("create a shop");
        TestShop { id, secret_key }
    }

    /// The shop as the ledger functions take it (for setting up history in the past).
    pub async fn shop_record(&self) -> Arc<ShopRecord> {
        ShopCache::default()
            .require(&self.db, &self.shop.id)
            .await
            .expect("the test shop")
    }

    pub async fn finish(mut self) {
        if let Some(worker) = self.worker.take() {
            worker.stop().await;
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        let disagreements = self.daily_totals_disagreements().await;
        self.db.pool.close().await;
        match &self.cleanup {
            Cleanup::SqliteFile(_) => {} // removed on drop, even when a test fails
            Cleanup::PostgresDatabase { admin_url, name } => {
                if let Ok(mut admin) = sqlx::AnyConnection::connect(admin_url).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await;
                }
            }
        }
        assert!(
            disagreements.is_empty(),
            "the daily totals that reports over time read disagree with the rows:\n{}",
            disagreements.join("\n")
        );
    }

    /// Every shop's daily totals against a recount of its customers, entries, redemptions and orders:
    /// whatever a scenario wrote through the API must have kept them (a scenario that rewrites history
    /// in SQL rebuilds them, `tally_server::db::daily_totals::rebuild`).
    async fn daily_totals_disagreements(&self) -> Vec<String> {
        let pool = &self.db.pool;
        let shops = tally_server::db::check::shop_ids(pool)
            .await
            .expect("the shops");
        let mut found = Vec::new();
        for shop_id in shops {
            let problems = tally_server::ledger::check::check_daily_totals(pool, &shop_id)
                .await
                .expect("recount the daily totals");
            found.extend(problems.iter().map(ToString::to_string));
        }
        found
    }

    /// The database's URL, to connect to it beside the server.
    pub fn database_url(&self) -> String {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => format!("sqlite://{}", path.display()),
            Cleanup::PostgresDatabase { admin_url, name } => {
                let without_query = admin_url.split('?').next().unwrap_or(admin_url);
                let (base, _) = without_query
                    .rsplit_once('/')
                    .expect("a database URL with a path");
                format!("{base}/{name}")
            }
        }
    }

    /// The SQLite file of this server (None on PostgreSQL).
    pub fn db_path(&self) -> Option<PathBuf> {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => Some(path.clone()),
            Cleanup::PostgresDatabase { .. } => None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn shop_url(&self, rest: &str) -> String {
        format!("{}/v1/shops/{}{rest}", self.base, self.shop.id)
    }

    /// A merchant call with the shop's secret key.
    pub async fn merchant(
        &self,
        method: Method,
        rest: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, self.shop_url(rest))
            .bearer_auth(&self.shop.secret_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    pub async fn order(
        &self,
        order_id: &str,
        customer: &str,
        total_minor: i64,
    ) -> (StatusCode, Value) {
        self.merchant(
            Method::POST,
            "/orders",
            Some(json!({"order_id": order_id, "customer_id": customer,
                        "total_minor": total_minor, "currency": "USD"})),
        )
        .await
    }

    pub async fn refund(
        &self,
        order_id: &str,
        refund_id: &str,
        amount_minor: i64,
    ) -> (StatusCode, Value) {
        self.merchant(
            Method::POST,
            &format!("/orders/{order_id}/refunds"),
            Some(json!({"refund_id": refund_id, "amount_minor": amount_minor})),
        )
        .await
    }

    /// A shopper call with a token signed now for `customer`.
    pub fn shopper(&self, method: Method, rest: &str, customer: &str) -> reqwest::RequestBuilder {
        let timestamp = chrono_free_now();
        let signature = sign(&self.shop.secret_key, &self.shop.id, customer, timestamp);
        self.http
            .request(method, self.shop_url(rest))
            .header("X-Tally-Customer", customer)
            .header("X-Tally-Timestamp", timestamp.to_string())
            .header("X-Tally-Signature", signature)
    }

    pub async fn me(&self, customer: &str) -> Value {
        let (status, body) = send(self.shopper(Method::GET, "/me", customer)).await;
        assert_eq!(status, StatusCode::OK, "GET /me: {body}");
        body
    }

    pub async fn redeem(&self, customer: &str, key: &str, reward_id: &str) -> (StatusCode, Value) {
        send(
            self.shopper(Method::POST, "/me/redemptions", customer)
                .header("Idempotency-Key", key)
                .json(&json!({"reward_id": reward_id})),
        )
        .await
    }

    /// Every activity entry of a customer, newest first, following the cursor.
    pub async fn all_activity(&self, customer: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let rest = match &before {
                Some(cursor) => format!("/me/activity?limit=100&before={cursor}"),
                None => "/me/activity?limit=100".to_owned(),
            };
            let (status, page) = send(self.shopper(Method::GET, &rest, customer)).await;
            assert_eq!(status, StatusCode::OK, "activity: {page}");
            items.extend(page["items"].as_array().expect("items").iter().cloned());
            match page["next"].as_str() {
                Some(next) => before = Some(next.to_owned()),
                None => return items,
            }
        }
    }
}

pub fn chrono_free_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// A shopper token as a shop's back end signs it: hex HMAC-SHA256 keyed by the raw secret key.
pub fn sign(secret_key: &str, shop_id: &str, customer: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("hmac key");
    mac.update(format!("{shop_id}:{customer}:{timestamp}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("send");
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("a JSON body for {status}, got {text:?}"));
    (status, body)
}

/// Asserts the contract's error body with `code`, and returns its message.
pub fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) -> String {
    assert_eq!(status, expected, "status of {body}");
    assert_eq!(body["error"]["code"], code, "code of {body}");
    let message = body["error"]["message"]
        .as_str()
        .expect("a message")
        .to_owned();
    assert!(!message.is_empty());
    message
}

pub const DAY_MS: i64 = tally_core::rules::DAY_MS;

/// An empty database for a test that runs the real binary against it; SQLite files go on drop,
/// a PostgreSQL database with `remove`.
pub struct ScratchDatabase {
    pub url: String,
    cleanup: Cleanup,
}

impl ScratchDatabase {
    pub async fn new(backend: Backend) -> ScratchDatabase {
        let (url, cleanup) = fresh_database(backend).await;
        ScratchDatabase { url, cleanup }
    }

    pub async fn remove(self) {
        if let Cleanup::PostgresDatabase { admin_url, name } = &self.cleanup {
            if let Ok(mut admin) = sqlx::AnyConnection::connect(admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
        }
    }
}
