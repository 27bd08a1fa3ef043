//! The scheduler: work that must happen on time even when nobody calls, run inside the server every
//! `--jobs-interval-secs` (default 60).
//!
//! - `points_expiry`: every lot past its date, of every shop, becomes its `expire` entry on the day.
//! - `code_expiry`: every issued code past its date becomes `expired` (points back if the program says).
//! - `points_expiring`: every lot expiring within seven days is noticed once (`ledger::notices`).
//! - `membership_end`: every membership whose end has passed is recorded ended (`membership.ended`, once).
//!
//! **Several servers, one database.** Each job has a row in `jobs` with a lease. Before running a job a
//! server claims it with one conditional UPDATE (`… WHERE name = $1 AND (lease_until IS NULL OR
//! lease_until <= $now)`); only the server that sees one row affected runs it. The lease is held for
//! [`LEASE_MS`] while it runs, so a server that dies mid-job only delays the job until the lease lapses;
//! a finished run keeps the others off for half an interval, so the cluster runs each job about once per
//! interval, not once per server. The lease saves work; correctness does not rest on it: each step
//! (one customer, one code) runs under its customer's lock in the ledger and re-reads what it changes,
//! so two runs that overlap anyway (a run longer than its lease) write each entry once.
//!
//! **Time.** [`run_once`] takes `now` (Unix ms): tests drive the jobs through the library at any time
//! they like; the scheduler passes the clock.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::now_ms;
use crate::db::{self, Db};
use crate::error::AppResult;
use crate::ledger;
use crate::shops::{random_string, ShopRecord};
use crate::AppState;

/// How long a claimed job is its server's before another may take it over.
pub const LEASE_MS: i64 = 5 * 60 * 1000;
/// The default interval between runs.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// Work items (customers, codes) read per query.
const BATCH: i64 = 500;

/// A periodic job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    PointsExpiry,
    CodeExpiry,
    PointsExpiring,
    MembershipEnd,
}

impl Job {
    /// Every job, in the order a tick runs them: points expire before the next week's are noticed.
    pub const ALL: [Job; 4] = [
        Job::PointsExpiry,
        Job::CodeExpiry,
        Job::PointsExpiring,
        Job::MembershipEnd,
    ];

    /// Its name in `jobs` and in `GET /healthz`.
    pub const fn name(self) -> &'static str {
        match self {
            Job::PointsExpiry => "points_expiry",
            Job::CodeExpiry => "code_expiry",
            Job::PointsExpiring => "points_expiring",
            Job::MembershipEnd => "membership_end",
        }
    }
}

/// What one job did in one tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub job: Job,
    /// False when another server (or another runner here) held the lease.
    pub ran: bool,
    /// Steps that changed something: customers whose lots expired, codes expired, lots noticed.
    pub done: usize,
    /// The failure of this run, as `GET /healthz` shows it.
    pub error: Option<String>,
}

/// This process's name in `jobs.lease_owner`.
fn owner() -> &'static str {
    static OWNER: OnceLock<String> = OnceLock::new();
    OWNER.get_or_init(|| {
        format!(
            "{}-{}",
            std::process::id(),
            random_string(tally_core::ids::ID_ALPHABET, 8)
        )
    })
}

/// One tick: each job that no one else holds runs once at `now`.
pub async fn run_once(state: &AppState, now: i64) -> AppResult<Vec<JobRun>> {
    let mut runs = Vec::with_capacity(Job::ALL.len());
    for job in Job::ALL {
        runs.push(run_job(state, job, now).await?);
    }
    Ok(runs)
}

/// Claims `job` and runs it at `now`; an error of the job itself is recorded, not returned.
pub async fn run_job(state: &AppState, job: Job, now: i64) -> AppResult<JobRun> {
    let db = &state.db;
    db::jobs::ensure(db, job.name()).await?;
    if !db::jobs::claim(db, job.name(), owner(), now, now.saturating_add(LEASE_MS)).await? {
        return Ok(JobRun {
            job,
            ran: false,
            done: 0,
            error: None,
        });
    }
    let (done, error) = match run_steps(state, job, now).await {
        Ok(outcome) => outcome,
        Err(e) => (0, Some(e.to_string())),
    };
    if let Some(error) = &error {
        tracing::warn!(job = job.name(), error, "job failed");
    } else if done > 0 {
        tracing::info!(job = job.name(), done, "job ran");
    }
    let half_interval = i64::try_from(state.jobs_interval().as_millis() / 2).unwrap_or(i64::MAX);
    let next_at = now.saturating_add(half_interval);
    db::jobs::finish(db, job.name(), owner(), now, next_at, error.as_deref()).await?;
    Ok(JobRun {
        job,
        ran: true,
        done,
        error,
    })
}

/// Runs a job's steps without its lease (the lease is [`run_job`]'s): `(steps that changed something,
/// what failed)`. A step that fails is counted and skipped; the next tick tries it again.
pub async fn run_steps(state: &AppState, job: Job, now: i64) -> AppResult<(usize, Option<String>)> {
    let mut steps = Steps::default();
    match job {
        Job::PointsExpiry => {
            let mut after = 0;
            loop {
                let batch = db::lots::customers_with_due_lots(&state.db, now, after, BATCH).await?;
                for (pk, shop_id) in &batch {
                    let result = match shop(state, shop_id).await {
                        Ok(shop) => ledger::expire_points(&state.db, &shop, *pk, now)
                            .await
                            .map(|()| true),
                        Err(e) => Err(e),
                    };
                    steps.record(result);
                }
                match batch.last() {
                    Some((pk, _)) if batch.len() as i64 == BATCH => after = *pk,
                    _ => break,
                }
            }
        }
        Job::CodeExpiry => {
            let mut after = String::new();
            loop {
                let batch = db::redemptions::due(&state.db, now, &after, BATCH).await?;
                for code in &batch {
                    let result = match shop(state, &code.shop_id).await {
                        Ok(shop) => {
                            ledger::expire_code(&state.db, &shop, code.customer_pk, &code.code, now)
                                .await
                        }
                        Err(e) => Err(e),
                    };
                    steps.record(result);
                }
                match batch.last() {
                    Some(code) if batch.len() as i64 == BATCH => after = code.id.clone(),
                    _ => break,
                }
            }
        }
        Job::PointsExpiring => {
            let until = now.saturating_add(ledger::notices::POINTS_EXPIRING_NOTICE_MS);
            let mut after = 0;
            loop {
                let batch =
                    db::lots::customers_with_lots_to_notice(&state.db, now, until, after, BATCH)
                        .await?;
                for (pk, shop_id) in &batch {
                    let result = match shop(state, shop_id).await {
                        Ok(shop) => {
                            ledger::notices::notice_expiring_points(&state.db, &shop, *pk, now)
                                .await
                                .map(|lots| lots > 0)
                        }
                        Err(e) => Err(e),
                    };
                    steps.record(result);
                }
                match batch.last() {
                    Some((pk, _)) if batch.len() as i64 == BATCH => after = *pk,
                    _ => break,
                }
            }
        }
        Job::MembershipEnd => {
            let mut after = 0;
            loop {
                let batch =
                    db::customers::with_membership_ended(&state.db, now, after, BATCH).await?;
                for (pk, shop_id) in &batch {
                    let result = match shop(state, shop_id).await {
                        Ok(shop) => ledger::end_membership(&state.db, &shop, *pk, now).await,
                        Err(e) => Err(e),
                    };
                    steps.record(result);
                }
                match batch.last() {
                    Some((pk, _)) if batch.len() as i64 == BATCH => after = *pk,
                    _ => break,
                }
            }
        }
    }
    Ok((steps.done, steps.error()))
}

async fn shop(state: &AppState, shop_id: &str) -> AppResult<std::sync::Arc<ShopRecord>> {
    state.shops.require(&state.db, shop_id).await
}

/// The tally of a run's steps.
#[derive(Default)]
struct Steps {
    done: usize,
    failed: usize,
    first_error: Option<String>,
}

impl Steps {
    fn record(&mut self, result: AppResult<bool>) {
        match result {
            Ok(changed) => self.done += usize::from(changed),
            Err(e) => {
                self.failed += 1;
                self.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }

    fn error(&self) -> Option<String> {
        self.first_error
            .as_ref()
            .map(|first| format!("{} step(s) failed; the first: {first}", self.failed))
    }
}

/// A job as `GET /healthz` shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// When its last run ended (by any server on this database); `null` if it never ran.
    pub last_run_at: Option<String>,
    /// What failed in its last run; `null` when it went through.
    pub last_error: Option<String>,
}

/// Every job's last run, by name.
pub async fn statuses(db: &Db) -> AppResult<std::collections::BTreeMap<String, JobStatus>> {
    let mut known: std::collections::BTreeMap<String, JobStatus> = Job::ALL
        .iter()
        .map(|job| {
            let never = JobStatus {
                last_run_at: None,
                last_error: None,
            };
            (job.name().to_owned(), never)
        })
        .collect();
    for (name, last_run_at, last_error) in db::jobs::statuses(db).await? {
        known.insert(
            name,
            JobStatus {
                last_run_at: last_run_at.map(crate::clock::rfc3339),
                last_error,
            },
        );
    }
    Ok(known)
}

/// The scheduler task of a serving process.
pub struct Scheduler {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Starts the scheduler: a tick now, then one every `state.jobs_interval()`.
pub fn start(state: AppState) -> Scheduler {
    let (stop, mut stopped) = watch::channel(false);
    let interval = state.jobs_interval();
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stopped.changed() => break,
            }
            if let Err(e) = run_once(&state, now_ms()).await {
                tracing::warn!(error = %e, "jobs: a tick failed");
            }
        }
    });
    Scheduler { stop, task }
}

impl Scheduler {
    /// Stops after the tick in progress, if any; a tick still running after a few seconds is dropped
    /// (its open transaction rolls back, its lease lapses).
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}
