//! Webhooks (contract Part 2, "Webhooks (the Standard Webhooks format)"): endpoints per shop, an outbox
//! of events written with the changes they report, and a worker inside the server that delivers them,
//! signed, with retries, safe with several servers on one PostgreSQL.
//!
//! - `store`: endpoints and deliveries in the database (`db::webhooks`, what the HTTP handlers call).
//! - `worker`: fan-out, claims, sending, outcomes.
//! - `sign`, `ssrf`: the Standard Webhooks signature; where a webhook may go.

pub mod sign;
pub mod ssrf;
pub mod worker;

/// Endpoints and deliveries are plain records: their store is `db`'s.
pub use crate::db::webhooks as store;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::sync::Notify;

/// The contract's retry delays after each failed attempt: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
/// 10 h; a delivery whose eighth attempt fails is `failed`.
pub const RETRY_SCHEDULE_SECS: [u64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/// How the server delivers webhooks.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// `--allow-private-webhooks`: http:// and non-public addresses allowed.
    pub allow_private: bool,
    /// Delay after the 1st, 2nd, … failed attempt; past its end the delivery fails.
    pub retry_schedule: Vec<Duration>,
    /// Attempts in flight at once, per server, to all endpoints together.
    pub concurrency: usize,
    /// Attempts in flight at once, per server, to one endpoint (its connections, at most).
    pub per_endpoint: usize,
    /// How often the worker looks for work when nothing wakes it.
    pub poll_interval: Duration,
    /// One attempt's limit, connection to the last byte read.
    pub timeout: Duration,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private: false,
            retry_schedule: RETRY_SCHEDULE_SECS
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
            concurrency: 64,
            per_endpoint: 16,
            poll_interval: Duration::from_millis(500),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The command-line options of `serve` and `demo` for webhooks.
#[derive(Args, Debug, Clone, Default)]
pub struct WebhookArgs {
    /// Let webhook endpoints use http:// and loopback, private, link-local (cloud metadata) addresses.
    /// For development, tests and single-tenant installs only: on a shared server it lets any shop make
    /// this server send requests into the server's own network.
    #[arg(long, env = "TALLY_ALLOW_PRIVATE_WEBHOOKS", action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::FalseyValueParser::new())]
    pub allow_private_webhooks: bool,
    /// Delays between attempts, e.g. `1s,2s,500ms` (tests); default 5s,5m,30m,2h,5h,10h,10h.
    #[arg(long, env = "TALLY_WEBHOOK_RETRY_SCHEDULE", hide = true, value_parser = parse_schedule)]
    pub webhook_retry_schedule: Option<Schedule>,
}

/// A retry schedule as given on the command line.
#[derive(Debug, Clone)]
pub struct Schedule(pub Vec<Duration>);

impl WebhookArgs {
    pub fn config(&self) -> WebhookConfig {
        let mut config = WebhookConfig {
            allow_private: self.allow_private_webhooks,
            ..WebhookConfig::default()
        };
        if let Some(Schedule(delays)) = &self.webhook_retry_schedule {
            config.retry_schedule = delays.clone();
        }
        config
    }
}

/// `5s,5m,30m,2h` (units ms, s, m, h) into delays.
pub fn parse_schedule(text: &str) -> Result<Schedule, String> {
    let delays = text
        .split(',')
        .map(|part| {
            let part = part.trim();
            let split = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            let (number, unit) = part.split_at(split);
            let n: u64 = number
                .parse()
                .map_err(|_| format!("{part:?}: expected a number and a unit (ms, s, m, h)"))?;
            Ok(match unit {
                "ms" => Duration::from_millis(n),
                "s" | "" => Duration::from_secs(n),
                "m" => Duration::from_secs(n * 60),
                "h" => Duration::from_secs(n * 3600),
                other => return Err(format!("{part:?}: unknown unit {other:?}")),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Schedule(delays))
}

/// The webhook side of the server's state: its configuration, the worker's doorbell and its health.
#[derive(Clone, Default)]
pub struct Webhooks {
    pub config: Arc<WebhookConfig>,
    /// Rung on a manual retry, a test event or a new endpoint, so the worker need not wait for its poll.
    pub wake: Arc<Notify>,
    pub health: Arc<WorkerHealth>,
}

impl Webhooks {
    pub fn new(config: WebhookConfig) -> Webhooks {
        Webhooks {
            config: Arc::new(config),
            ..Webhooks::default()
        }
    }
}

/// What `/healthz` shows of the worker: when it last looked for work and how many deliveries wait.
#[derive(Debug, Default)]
pub struct WorkerHealth {
    /// Unix ms of the last completed round; 0 while no worker runs in this process.
    last_run_at: AtomicI64,
    pending: AtomicI64,
}

impl WorkerHealth {
    pub fn record(&self, now_ms: i64, pending: i64) {
        self.pending.store(pending, Ordering::Relaxed);
        self.last_run_at.store(now_ms, Ordering::Relaxed);
    }

    /// A round that did not count the pending deliveries again (it counts at most once a second).
    pub fn touch(&self, now_ms: i64) {
        self.last_run_at.store(now_ms, Ordering::Relaxed);
    }

    /// `{"pending", "last_run_at"}`, or None when no worker ran here.
    pub fn json(&self) -> Option<serde_json::Value> {
        let last = self.last_run_at.load(Ordering::Relaxed);
        (last > 0).then(|| {
            serde_json::json!({
                "pending": self.pending.load(Ordering::Relaxed),
                "last_run_at": crate::clock::rfc3339(last),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_reads_units_and_refuses_nonsense() {
        let Schedule(delays) = parse_schedule("1s,250ms,2m,1h").expect("valid");
        assert_eq!(
            delays,
            [
                Duration::from_secs(1),
                Duration::from_millis(250),
                Duration::from_secs(120),
                Duration::from_secs(3600)
            ]
        );
        assert!(parse_schedule("1x").is_err());
        assert!(parse_schedule("s").is_err());
    }
}
