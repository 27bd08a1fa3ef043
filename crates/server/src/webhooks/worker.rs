//! The delivery worker, one per server process (`serve` and `demo` spawn it):
//!
//! 1. Fan-out: claims undispatched events and queues one delivery per enabled endpoint of the shop
//!    subscribed to the type (or `*`), marking the event dispatched.
//! 2. Claims: due deliveries get a lease (`claimed_until`), and what they need to be sent is read, in the
//!    same transaction as the fan-out (one commit for both); on PostgreSQL the candidates are picked `FOR UPDATE SKIP LOCKED`, so N
//!    servers on one database never claim the same attempt. SQLite has one server (and its writers are
//!    queued by `Db::begin_write`). A claim runs ahead of the sending (`CLAIM_AHEAD` times `concurrency`
//!    in all and `per_endpoint` per endpoint, counting what this worker already holds): the rest wait
//!    their turn, and one that waited too long to end within its lease is not started.
//! 3. Sending: outside any transaction and without a database connection, over the client's kept-alive
//!    connections, each attempt bounded by the timeout and a 64 KB read of the answer.
//! 4. Outcome: attempts + 1, the log row, then `succeeded`, `pending` with the next delay of the
//!    schedule (with a little jitter), or `failed` after the last. Outcomes are queued to one recorder
//!    that writes whatever has arrived in one transaction, so a busy worker commits (and, on SQLite,
//!    waits in the writers' queue and fsyncs) once per batch, not once per delivery.
//!
//! A server killed mid-attempt, or before its outcome is written, leaves a lease that expires; the
//! attempt is then made again (at least once: receivers dedupe by `webhook-id`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{CONTENT_TYPE, USER_AGENT};
use serde_json::Value;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::{self, JoinError, JoinHandle, JoinSet};

use super::ssrf::{check_url_form, CheckedResolver};
use super::{sign, WebhookConfig, Webhooks};
use crate::clock::{now_ms, now_secs, rfc3339};
use crate::db::webhooks::{Attempt, ClaimLimits, Outgoing};
use crate::db::{self, Db};
use crate::error::AppResult;

/// At most this much of a receiver's answer is read (and then dropped).
pub const RESPONSE_BODY_LIMIT: usize = 64 * 1024;
/// A claim outlives the longest attempt (the timeout) by this much before another worker may take it.
const LEASE_MARGIN: Duration = Duration::from_secs(20);
/// Events fanned out per transaction.
const FAN_OUT_BATCH: i64 = 500;
/// While deliveries keep the worker busy, it fans out at most this often (and on every poll or wake), so
/// that events are turned into deliveries in batches rather than a few per transaction.
const FAN_OUT_EVERY: Duration = Duration::from_millis(100);
/// Outcomes waiting to be written, at most; when recording lags, a full queue holds the senders and
/// so the next claims back.
const OUTCOME_QUEUE: usize = 1024;
/// Outcomes written in one transaction, at most.
const OUTCOME_BATCH: usize = 256;
/// Tries at writing one batch of outcomes before leaving them to their leases.
const RECORD_TRIES: u32 = 3;
/// A claim runs ahead of the sending by this factor: up to `per_endpoint × CLAIM_AHEAD` deliveries of one
/// endpoint (`concurrency × CLAIM_AHEAD` in all) are leased at once, `per_endpoint` of them being sent,
/// the rest waiting their turn. One claim (a transaction that may queue behind the API's writers) then
/// feeds several rounds of sending.
const CLAIM_AHEAD: usize = 8;
/// An attempt starts only if it can end (the timeout) this long before its lease does, leaving time to
/// record it; one that waited longer for its turn is left to its lease, and claimed again when that ends.
const START_MARGIN: Duration = Duration::from_secs(10);
/// `/healthz`'s count of pending deliveries is refreshed at most this often.
const COUNT_EVERY: Duration = Duration::from_secs(1);
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
        // Connections are kept alive between attempts (no handshake per event), as many per receiver as
        // attempts may run at once to it.
        .pool_max_idle_per_host(config.per_endpoint.max(1))
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
    let db = match db::webhooks::worker_db(&db).await {
        Ok(own) => own,
        Err(e) => {
            tracing::warn!(error = %e, "webhooks: no pool of the worker's own; sharing the server's");
            db
        }
    };
    let (outcomes, queue) = mpsc::channel(OUTCOME_QUEUE);
    let recorder = tokio::spawn(record_outcomes(db.clone(), queue));
    let slots = Arc::new(Semaphore::new(hooks.config.concurrency.max(1)));
    let mut worker = Dispatcher {
        db,
        hooks,
        client,
        outcomes,
        sending: JoinSet::new(),
        endpoint_of: HashMap::new(),
        held: HashMap::new(),
        lanes: HashMap::new(),
        slots,
        stopping: Arc::default(),
        last_fan_out: None,
        last_count: None,
    };
    let mut woken = true;
    loop {
        if let Err(e) = worker.round(woken).await {
            tracing::warn!(error = %e, "webhooks: a round of the worker failed; retrying");
        }
        let poll = worker.hooks.config.poll_interval;
        let wake = worker.hooks.wake.clone();
        let event = tokio::select! {
            _ = tokio::time::sleep(poll) => Wake::Look,
            _ = wake.notified() => Wake::Look,
            Some(done) = worker.sending.join_next_with_id(), if !worker.sending.is_empty() =>
                Wake::Sent(done),
            _ = stopped.changed() => break,
        };
        woken = match event {
            Wake::Look => true,
            Wake::Sent(done) => {
                worker.finished(done);
                while let Some(done) = worker.sending.try_join_next_with_id() {
                    worker.finished(done);
                }
                false
            }
        };
    }
    let grace = stopped.borrow().unwrap_or_default();
    // Claimed deliveries still waiting for their turn are not started now; they are left to their leases.
    worker.stopping.store(true, Ordering::Relaxed);
    let Dispatcher {
        sending, outcomes, ..
    } = worker;
    finish_in_flight(sending, grace).await;
    // The outcomes already queued are written before the worker ends (`WorkerHandle` bounds the wait).
    drop(outcomes);
    if let Err(e) = recorder.await {
        tracing::warn!(error = %e, "webhooks: the recorder of outcomes ended abnormally");
    }
}

/// Why the worker loop woke: time to look for work, or attempts finished (their slots are free).
enum Wake {
    Look,
    Sent(Result<(task::Id, ()), JoinError>),
}

/// The worker's state between rounds: what it holds leases on, for which endpoints.
struct Dispatcher {
    db: Db,
    hooks: Webhooks,
    client: reqwest::Client,
    outcomes: mpsc::Sender<Attempt>,
    /// One task per leased delivery: waits for its endpoint's lane and a slot, sends, queues the outcome.
    sending: JoinSet<()>,
    /// The endpoint each task is for, to count it off when the task ends, however it ends.
    endpoint_of: HashMap<task::Id, String>,
    /// Leased deliveries not yet finished, by endpoint id.
    held: HashMap<String, usize>,
    /// Per endpoint: `per_endpoint` attempts at once.
    lanes: HashMap<String, Arc<Semaphore>>,
    /// All endpoints: `concurrency` attempts at once.
    slots: Arc<Semaphore>,
    /// Set when the worker stops: no attempt starts after it.
    stopping: Arc<AtomicBool>,
    last_fan_out: Option<Instant>,
    last_count: Option<Instant>,
}

impl Dispatcher {
    /// Fans out (on a poll or wake, else at most every `FAN_OUT_EVERY`) and claims what the limits
    /// allow, in one transaction, and starts a task for each claimed delivery.
    async fn round(&mut self, woken: bool) -> AppResult<()> {
        let (db, config) = (&self.db, &self.hooks.config);
        let fan_out = woken
            || self
                .last_fan_out
                .is_none_or(|t| t.elapsed() >= FAN_OUT_EVERY);
        if fan_out {
            self.last_fan_out = Some(Instant::now());
        }
        let per_endpoint = config.per_endpoint.max(1);
        let limits = ClaimLimits {
            total: (config.concurrency.max(1) * CLAIM_AHEAD).saturating_sub(self.sending.len()),
            per_endpoint: per_endpoint * CLAIM_AHEAD,
            in_flight: &self.held,
        };
        let lease = config.timeout + LEASE_MARGIN;
        // Taken before the claim, so never later than the lease's real end.
        let start_by = Instant::now() + lease - config.timeout - START_MARGIN.min(LEASE_MARGIN);
        let batch = if fan_out { FAN_OUT_BATCH } else { 0 };
        let (handled, claimed) =
            db::webhooks::fan_out_and_claim(db, batch, &limits, now_ms(), lease).await?;
        if handled == FAN_OUT_BATCH as usize {
            // A flood of events: more now, but bounded, so it cannot starve the deliveries already due.
            for _ in 0..9 {
                if db::webhooks::fan_out(db, now_ms(), FAN_OUT_BATCH).await?
                    < FAN_OUT_BATCH as usize
                {
                    break;
                }
            }
        }
        for outgoing in claimed {
            let endpoint_id = outgoing.endpoint_id.clone();
            *self.held.entry(endpoint_id.clone()).or_default() += 1;
            let lane = self
                .lanes
                .entry(endpoint_id.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(per_endpoint)))
                .clone();
            let (client, config, outcomes, slots, stopping) = (
                self.client.clone(),
                self.hooks.config.clone(),
                self.outcomes.clone(),
                self.slots.clone(),
                self.stopping.clone(),
            );
            let handle = self.sending.spawn(async move {
                let (Ok(_lane), Ok(_slot)) =
                    (lane.acquire_owned().await, slots.acquire_owned().await)
                else {
                    return;
                };
                if stopping.load(Ordering::Relaxed) {
                    return;
                }
                if Instant::now() > start_by {
                    tracing::debug!(delivery = %outgoing.delivery_id,
                                    "webhooks: waited too long for its turn; left to its lease");
                    return;
                }
                let attempt = attempt(&client, &config, outgoing).await;
                drop((_lane, _slot));
                // Bounded: when recording lags, this waits, and the endpoint's share of claims with it.
                let _ = outcomes.send(attempt).await;
            });
            self.endpoint_of.insert(handle.id(), endpoint_id);
        }
        if self.last_count.is_none_or(|t| t.elapsed() >= COUNT_EVERY) {
            self.last_count = Some(Instant::now());
            let pending = db::webhooks::pending_count(&self.db).await?;
            self.hooks.health.record(now_ms(), pending);
            crate::telemetry::webhook_queue_depth(pending);
        } else {
            self.hooks.health.touch(now_ms());
        }
        Ok(())
    }

    /// A delivery's task ended (or panicked, or was aborted): it no longer counts against its endpoint.
    fn finished(&mut self, done: Result<(task::Id, ()), JoinError>) {
        let id = match &done {
            Ok((id, ())) => *id,
            Err(e) => e.id(),
        };
        if let Some(endpoint_id) = self.endpoint_of.remove(&id) {
            if let Some(n) = self.held.get_mut(&endpoint_id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.held.remove(&endpoint_id);
                    self.lanes.remove(&endpoint_id);
                }
            }
        }
    }
}

/// Writes outcomes as they come, as many per transaction as have arrived (up to `OUTCOME_BATCH`);
/// ends when the worker drops its sender and the queue is empty.
async fn record_outcomes(db: Db, mut queue: mpsc::Receiver<Attempt>) {
    let mut batch = Vec::with_capacity(OUTCOME_BATCH);
    while queue.recv_many(&mut batch, OUTCOME_BATCH).await > 0 {
        for tried in 1..=RECORD_TRIES {
            match db::webhooks::record_attempts(&db, &batch, now_ms()).await {
                Ok(()) => break,
                Err(e) if tried == RECORD_TRIES => {
                    tracing::warn!(attempts = batch.len(), error = %e,
                                   "webhooks: recording attempts failed; they are made again when their leases expire");
                }
                Err(e) => {
                    tracing::info!(attempts = batch.len(), error = %e, "webhooks: recording attempts failed; trying again");
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(tried))).await;
                }
            }
        }
        batch.clear();
    }
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

/// The answer of one attempt: the receiver's status, or why there was none.
type AttemptResult = Result<u16, String>;

/// One attempt of a claimed delivery, and its outcome (to be recorded).
async fn attempt(client: &reqwest::Client, config: &WebhookConfig, outgoing: Outgoing) -> Attempt {
    let attempted_at = now_ms();
    let started = Instant::now();
    let result = send(client, config, &outgoing).await;
    outcome(config, outgoing, result, attempted_at, started.elapsed())
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

/// What an attempt's answer means for its delivery: `succeeded`, or the next attempt of the schedule, or
/// `failed` after the last.
fn outcome(
    config: &WebhookConfig,
    outgoing: Outgoing,
    result: AttemptResult,
    attempted_at: i64,
    duration: Duration,
) -> Attempt {
    let attempts = outgoing.attempts + 1;
    let now = now_ms();
    let (response_status, error) = match result {
        Ok(status) if (200..300).contains(&status) => (Some(i64::from(status)), None),
        Ok(status) => (Some(i64::from(status)), Some(format!("HTTP {status}"))),
        Err(e) => (None, Some(e)),
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
        tracing::info!(delivery = %outgoing.delivery_id, event = %outgoing.event_id, attempts, status,
                       error = %e, "webhooks: attempt failed");
    }
    Attempt {
        delivery_id: outgoing.delivery_id,
        status,
        attempts,
        next_attempt_at,
        response_status,
        error,
        attempted_at,
        duration_ms: i64::try_from(duration.as_millis()).unwrap_or(i64::MAX),
    }
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
