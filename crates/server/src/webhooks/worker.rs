//! The delivery worker, one per server process (`serve` and `demo` spawn it):
//!
//! 1. Fan-out: claims undispatched events and, in one transaction, queues one delivery per enabled
//!    endpoint of the shop subscribed to the type (or `*`), marking the event dispatched.
//! 2. Claims: due deliveries get a lease (`claimed_until`) in one short statement; on PostgreSQL the
//!    candidates are picked `FOR UPDATE SKIP LOCKED`, so N servers on one database never claim the same
//!    attempt. SQLite has one server (and its writers are queued by `Db::begin_write`).
//! 3. Sending: outside any transaction and without a database connection, at most `concurrency` at once,
//!    each bounded by the timeout and a 64 KB read of the answer.
//! 4. Outcome: attempts + 1, the log row, then `succeeded`, `pending` with the next delay of the
//!    schedule (with a little jitter), or `failed` after the last.
//!
//! A server killed mid-attempt leaves a lease that expires; the attempt is then made again (at least once:
//! receivers dedupe by `webhook-id`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use serde_json::Value;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinHandle, JoinSet};

use super::ssrf::{check_url_form, CheckedResolver};
use super::{sign, WebhookConfig, Webhooks};
use crate::clock::{now_ms, now_secs, rfc3339};
use crate::db::{self, webhooks::Outgoing, Db};
use crate::error::AppResult;

/// At most this much of a receiver's answer is read (and then dropped).
pub const RESPONSE_BODY_LIMIT: usize = 64 * 1024;
/// A claim outlives the longest attempt (the timeout) by this much before another worker may take it.
const LEASE_MARGIN: Duration = Duration::from_secs(20);
/// Events fanned out per transaction.
const FAN_OUT_BATCH: i64 = 200;
const USER_AGENT_VALUE: &str = concat!(
    "Tally-Webhooks/",
    env!("CARGO_PKG_VERSION"),
    " (+https://www.standardwebhooks.com/)"
);

/// The running worker; `stop` ends it (attempts in flight are abandoned; their leases expire), and
/// `stop_within` first lets the attempts in flight finish for up to a grace period.
pub struct WorkerHandle {
    /// Some(grace) once asked to stop.
    stop: watch::Sender<Option<Duration>>,
    task: JoinHandle<()>,
}

impl WorkerHandle {
    pub async fn stop(self) {
        self.stop_within(Duration::ZERO).await;
    }

    /// Starts no new attempt, waits up to `grace` for those in flight, then abandons the rest (logged).
    pub async fn stop_within(self, grace: Duration) {
        let _ = self.stop.send(Some(grace));
        let abort = self.task.abort_handle();
        if tokio::time::timeout(grace + Duration::from_secs(5), self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}

/// Starts the worker of this process.
pub fn spawn(db: Db, hooks: Webhooks) -> WorkerHandle {
    let (stop, stopped) = watch::channel(None);
    let task = tokio::spawn(run(db, hooks, stopped));
    WorkerHandle { stop, task }
}

/// The HTTP client of deliveries: no redirects, no proxies (a proxy would resolve names itself), our
/// resolver, the timeout, https only unless private webhooks are allowed.
pub fn client(config: &WebhookConfig) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(CheckedResolver {
            allow_private: config.allow_private,
        }))
        .https_only(!config.allow_private)
        .timeout(config.timeout)
        .build()
}

async fn run(db: Db, hooks: Webhooks, mut stopped: watch::Receiver<Option<Duration>>) {
    let client = match client(&hooks.config) {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhooks: cannot build the HTTP client; no deliveries");
            return;
        }
    };
    let permits = Arc::new(Semaphore::new(hooks.config.concurrency.max(1)));
    let mut sending = JoinSet::new();
    loop {
        if let Err(e) = round(&db, &hooks, &client, &permits, &mut sending).await {
            tracing::warn!(error = %e, "webhooks: a round of the worker failed; retrying");
        }
        while sending.try_join_next().is_some() {}
        tokio::select! {
            _ = tokio::time::sleep(hooks.config.poll_interval) => {}
            _ = hooks.wake.notified() => {}
            _ = stopped.changed() => break,
        }
    }
    let grace = stopped.borrow().unwrap_or_default();
    finish_in_flight(sending, grace).await;
}

/// The attempts in flight at shutdown: finished within `grace`, or cut off and said so (their leases
/// expire and another server, or this one restarted, makes them again).
async fn finish_in_flight(mut sending: JoinSet<()>, grace: Duration) {
    if sending.is_empty() {
        return;
    }
    let in_flight = sending.len();
    let drained = tokio::time::timeout(grace, async {
        while sending.join_next().await.is_some() {}
    })
    .await
    .is_ok();
    if drained {
        tracing::info!(
            attempts = in_flight,
            "webhooks: the attempts in flight finished before shutdown"
        );
    } else {
        tracing::warn!(
            cut_off = sending.len(),
            grace_secs = grace.as_secs_f64(),
            "webhooks: attempts still in flight at the end of the grace period were cut off; they are retried when their lease expires"
        );
        sending.abort_all();
    }
}

async fn round(
    db: &Db,
    hooks: &Webhooks,
    client: &reqwest::Client,
    permits: &Arc<Semaphore>,
    sending: &mut JoinSet<()>,
) -> AppResult<()> {
    // Bounded, so a flood of events cannot starve the deliveries already due.
    for _ in 0..10 {
        if db::webhooks::fan_out(db, now_ms(), FAN_OUT_BATCH).await? < FAN_OUT_BATCH as usize {
            break;
        }
    }
    let free = permits.available_permits();
    if free > 0 {
        let lease = hooks.config.timeout + LEASE_MARGIN;
        for delivery_id in db::webhooks::claim(db, free as i64, now_ms(), lease).await? {
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                break; // cannot happen: we claimed no more than the free permits
            };
            let (db, client, hooks) = (db.clone(), client.clone(), hooks.clone());
            sending.spawn(async move {
                if let Err(e) = deliver(&db, &client, &hooks.config, &delivery_id, permit).await {
                    tracing::warn!(delivery = %delivery_id, error = %e, "webhooks: recording an attempt failed");
                }
                hooks.wake.notify_one();
            });
        }
    }
    let pending = db::webhooks::pending_count(db).await?;
    hooks.health.record(now_ms(), pending);
    crate::telemetry::webhook_queue_depth(pending);
    Ok(())
}

/// The answer of one attempt: the receiver's status, or why there was none.
type AttemptResult = Result<u16, String>;

/// One attempt of a claimed delivery, and its outcome recorded.
async fn deliver(
    db: &Db,
    client: &reqwest::Client,
    config: &WebhookConfig,
    delivery_id: &str,
    _permit: OwnedSemaphorePermit,
) -> AppResult<()> {
    let Some(outgoing) = db::webhooks::outgoing(db, delivery_id).await? else {
        return Ok(()); // the endpoint was deleted meanwhile
    };
    let attempted_at = now_ms();
    let started = Instant::now();
    let result = send(client, config, &outgoing).await;
    let duration = started.elapsed();
    record_outcome(
        db,
        config,
        delivery_id,
        &outgoing,
        result,
        attempted_at,
        duration,
    )
    .await
}

/// The body of a delivery: `{"type", "timestamp", "data"}`, the same on every attempt.
pub fn payload(event_type: &str, created_at: i64, data: &str) -> AppResult<String> {
    let data: Value = serde_json::from_str(data)?;
    Ok(serde_json::to_string(&serde_json::json!({
        "type": event_type,
        "timestamp": rfc3339(created_at),
        "data": data,
    }))?)
}

async fn send(
    client: &reqwest::Client,
    config: &WebhookConfig,
    outgoing: &Outgoing,
) -> AttemptResult {
    // The URL was checked when saved; checked again now (an IP literal never reaches the resolver).
    let url =
        check_url_form(&outgoing.url, config.allow_private).map_err(|e| format!("refused: {e}"))?;
    let body = payload(&outgoing.event_type, outgoing.created_at, &outgoing.data)
        .map_err(|e| format!("payload: {e}"))?;
    let timestamp = now_secs();
    let signature = sign::signature(&outgoing.secret, &outgoing.event_id, timestamp, &body)
        .map_err(|e| e.to_string())?;
    let mut response = client
        .post(url)
        .header("webhook-id", &outgoing.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .header(CONTENT_TYPE, "application/json")
        .header(USER_AGENT, USER_AGENT_VALUE)
        .body(body)
        .send()
        .await
        .map_err(|e| describe(&e, config.timeout))?;
    let status = response.status().as_u16();
    // Read a little of the answer (so a keep-alive connection can be reused), never more than 64 KB;
    // a status already came back, so a slow or broken body changes nothing.
    let mut read = 0usize;
    while let Ok(Some(chunk)) = response.chunk().await {
        read += chunk.len();
        if read >= RESPONSE_BODY_LIMIT {
            break;
        }
    }
    Ok(status)
}

/// A transport error as a person reads it: the chain of causes, e.g. `connection refused`.
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    let mut text = String::new();
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(error);
    while let Some(e) = cause {
        let part = e.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        cause = e.source();
    }
    if text.is_empty() {
        text = error.to_string();
    }
    text.chars().take(500).collect()
}

/// The delay before the next attempt after `failed_attempts` failures, ±10 %; None when none is left.
pub fn next_delay(schedule: &[Duration], failed_attempts: i64) -> Option<Duration> {
    let index = usize::try_from(failed_attempts.checked_sub(1)?).ok()?;
    let delay = *schedule.get(index)?;
    Some(delay.mul_f64(rand::thread_rng().gen_range(0.9..=1.1)))
}

async fn record_outcome(
    db: &Db,
    config: &WebhookConfig,
    delivery_id: &str,
    outgoing: &Outgoing,
    result: AttemptResult,
    attempted_at: i64,
    duration: Duration,
) -> AppResult<()> {
    let attempts = outgoing.attempts + 1;
    let now = now_ms();
    let (response_status, error) = match &result {
        Ok(status) if (200..300).contains(status) => (Some(i64::from(*status)), None),
        Ok(status) => (Some(i64::from(*status)), Some(format!("HTTP {status}"))),
        Err(e) => (None, Some(e.clone())),
    };
    let (status, next_attempt_at) = if error.is_none() {
        ("succeeded", None)
    } else {
        match next_delay(&config.retry_schedule, attempts) {
            Some(delay) => (
                "pending",
                Some(now.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2))),
            ),
            None => ("failed", None),
        }
    };
    crate::telemetry::webhook_attempt(match status {
        "pending" => "retrying",
        other => other,
    });
    if let Some(e) = &error {
        tracing::info!(delivery = %delivery_id, event = %outgoing.event_id, attempts, status, error = %e,
                       "webhooks: attempt failed");
    }
    let attempt = db::webhooks::Attempt {
        status,
        attempts,
        next_attempt_at,
        response_status,
        error: error.as_deref(),
        attempted_at,
        duration_ms: i64::try_from(duration.as_millis()).unwrap_or(i64::MAX),
    };
    db::webhooks::record_attempt(db, delivery_id, &attempt, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_runs_out_after_its_last_delay() {
        let schedule = [Duration::from_secs(5), Duration::from_secs(300)];
        let first = next_delay(&schedule, 1).expect("a retry after the first failure");
        assert!(first >= Duration::from_millis(4500) && first <= Duration::from_millis(5500));
        assert!(next_delay(&schedule, 2).is_some());
        assert_eq!(next_delay(&schedule, 3), None);
        assert_eq!(next_delay(&schedule, 0), None);
    }

    #[test]
    fn the_payload_is_type_timestamp_and_data() {
        let body = payload("points.changed", 1_700_000_000_000, r#"{"points":5}"#).expect("json");
        let value: Value = serde_json::from_str(&body).expect("parses");
        assert_eq!(
            value,
            serde_json::json!({"type": "points.changed", "timestamp": "2023-11-14T22:13:20Z",
                               "data": {"points": 5}})
        );
    }
}
