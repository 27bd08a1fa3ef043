//! `tally-server`: the Tally loyalty API (contract: shared/contract/loyalty-api-v1.md) on SQLite or
//! PostgreSQL. `main.rs` only parses the command line; everything else lives here.
//!
//! The layers, each calling only the ones below it:
//! `cli` → `server`, `demo`, `synthetic` → `http` (extractors, auth and the role table, layers, one
//! module per resource; maps outcomes to status codes) and `console` (its static files) → `jobs` (the
//! scheduler of periodic ledger work, and its state for `/healthz`) → `ledger` (the loyalty rules, one
//! module per kind of write) → `shops` (shop records, keys, program versions and their cache) and
//! `staff` (passwords, sessions, lockout, memberships) → `db` (every SQL string and row type) →
//! `error`, `clock`,
//! `phone` (E.164 normalisation),
//! and `tally_core` for the contract's words and the pure rules.

pub mod cli;
pub mod clock;
pub mod console;
pub mod db;
pub mod demo;
pub mod error;
pub mod http;
pub mod jobs;
pub mod ledger;
pub mod maintenance;
pub mod ops;
pub mod phone;
pub mod server;
pub mod shops;
pub mod staff;
pub mod synthetic;
pub mod telemetry;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use db::Db;
pub use server::serve;

/// Request bodies above this are refused with 413.
pub const DEFAULT_BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The server's protective limits; tests and benchmarks raise them.
#[derive(Debug, Clone)]
pub struct Limits {
    pub body_bytes: usize,
    pub request_timeout: Duration,
    /// Requests a client (shop and IP) may send at once…
    pub rate_burst: f64,
    /// …and per second after that.
    pub rate_per_second: f64,
    /// `--trusted-proxies`: peers whose `Forwarded` / `X-Forwarded-For` name the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: DEFAULT_BODY_LIMIT_BYTES,
            request_timeout: Duration::from_secs(15),
            rate_burst: 120.0,
            rate_per_second: 20.0,
            trusted_proxies: Vec::new(),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub shops: shops::ShopCache,
    pub limits: Arc<Limits>,
    pub rate: http::RateLimiter,
    pub webhooks: webhooks::Webhooks,
    /// The interval of this server's scheduler (`jobs::start`), when it runs one: `GET /healthz` then
    /// shows the jobs.
    pub jobs: Option<Duration>,
    /// Time for sessions, lockouts and key rotation (tests move it forward).
    pub clock: clock::Clock,
    /// Whether the session cookie is `Secure`: true unless the server listens on loopback.
    pub secure_cookies: bool,
    /// When each (shop, origin) last had its widget sighting written, to write at most once a minute.
    pub sightings: http::install::Sightings,
}

impl AppState {
    pub fn new(db: Db, limits: Limits) -> AppState {
        AppState {
            db,
            shops: shops::ShopCache::default(),
            rate: http::RateLimiter::new(&limits),
            limits: Arc::new(limits),
            webhooks: webhooks::Webhooks::default(),
            jobs: None,
            clock: clock::Clock::default(),
            secure_cookies: true,
            sightings: http::install::Sightings::default(),
        }
    }

    /// The state of a server listening on `addr`: session cookies are `Secure` unless it is loopback.
    pub fn listening_on(self, addr: std::net::SocketAddr) -> AppState {
        AppState {
            secure_cookies: !addr.ip().is_loopback(),
            ..self
        }
    }

    /// The state with this webhook configuration (`--allow-private-webhooks`, the retry schedule).
    pub fn with_webhooks(mut self, config: webhooks::WebhookConfig) -> AppState {
        self.webhooks = webhooks::Webhooks::new(config);
        self
    }

    /// The state of a server that runs the scheduler every `interval`.
    pub fn with_jobs(self, interval: Duration) -> AppState {
        AppState {
            jobs: Some(interval),
            ..self
        }
    }

    /// How often the jobs run (the default when this server runs no scheduler).
    pub fn jobs_interval(&self) -> Duration {
        self.jobs.unwrap_or(jobs::DEFAULT_INTERVAL)
    }
}

/// The API router with all its layers.
pub fn app(state: AppState) -> Router {
    http::api_router(state)
}
