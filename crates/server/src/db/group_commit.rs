//! Group commit on SQLite: one writer task runs the grouped writes ([`Db::grouped_write`]) in batches,
//! each batch one transaction and so one fsync, and answers a write only once its batch has committed.
//!
//! Why: with `synchronous = FULL` every COMMIT waits for an fsync, and SQLite has one writer at a time,
//! so a transaction per write caps writes at one fsync each, one after the other. Here a batch is
//! whatever queued while the previous one ran and committed (at most [`MAX_BATCH`]); nothing waits for
//! company, so a lone write goes straight through. The durability promise is unchanged: no write is
//! acknowledged before the fsync that makes it survive a power loss.
//!
//! Each write runs inside a SAVEPOINT of the batch's transaction: released when the write committed,
//! rolled back when it did not (a business error, a replayed key, a panic), so only that write is
//! undone. A later write of the batch sees the earlier ones, so a key used twice in one batch replays.
//! If the batch itself fails (its BEGIN, a savepoint, its COMMIT), nothing of it is kept and every write
//! of it answers 503 `unavailable`: nothing of theirs changed, and a retry is safe.
//!
//! The writer takes its turn at the database's write gate like any other SQLite writer, for the whole
//! batch.
//!
//! [`Db::grouped_write`]: super::Db::grouped_write

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot, Mutex};

use super::{Backend, Tx, TxConn, WriteTx};
use crate::error::{AppError, AppResult, InternalCause};

/// The most writes in one batch: enough to share an fsync widely, few enough that a batch's answers
/// are not held back long behind its last write.
pub const MAX_BATCH: usize = 64;

/// Each write's savepoint (one at a time), and its two ends.
const SAVEPOINT: &str = "SAVEPOINT grouped_write";
const RELEASE: &str = "RELEASE grouped_write";
const ROLLBACK_TO: &str = "ROLLBACK TO grouped_write";

/// A batch's transaction, lent to one write at a time.
pub struct Batch {
    tx: Transaction<'static, Any>,
    /// Whether the write now running committed (its savepoint is to be kept).
    kept: bool,
}

impl Batch {
    pub(super) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// The write committed: the writer keeps its savepoint.
    pub(super) fn keep(&mut self) {
        self.kept = true;
    }
}

/// A queued write. Given its savepoint (or why there is none), it runs and gives back its answer, to
/// be sent once the batch has ended; or `None` if its request has gone, and then nothing of it is kept.
type Job = Box<dyn FnOnce(AppResult<WriteTx>) -> BoxFuture<'static, Option<Answer>> + Send>;

/// Sends a write's result to its request, or the batch's failure.
type Answer = Box<dyn FnOnce(Result<(), BatchFailed>) + Send>;

/// Why a batch kept nothing, for each of its writes.
#[derive(Clone)]
struct BatchFailed(Arc<str>);

impl From<BatchFailed> for AppError {
    fn from(failed: BatchFailed) -> AppError {
        AppError::Unavailable(InternalCause(failed.0.to_string().into()))
    }
}

/// The writer's queue; the writer stops when the last `Db` holding it is dropped.
#[derive(Clone)]
pub struct GroupCommit {
    // Unbounded: each request queues one write and waits for it, so the requests bound the queue.
    jobs: mpsc::UnboundedSender<Job>,
    /// Writes queued and not yet begun.
    waiting: Arc<AtomicUsize>,
}

impl GroupCommit {
    /// Starts the writer on `pool`, taking its turns at `gate`.
    pub fn start(pool: AnyPool, gate: Arc<Mutex<()>>) -> GroupCommit {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(write_batches(pool, gate, queue));
        GroupCommit {
            jobs,
            waiting: Arc::default(),
        }
    }

    /// How many writes are queued and not yet begun.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Queues `write` for the next batch and waits for its answer (after the batch's COMMIT).
    pub async fn run<T, F, Fut>(&self, write: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(WriteTx) -> Fut + Send + 'static,
        Fut: Future<Output = AppResult<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<AppResult<T>>();
        let waiting = self.waiting.clone();
        let job: Job = Box::new(move |tx| {
            waiting.fetch_sub(1, Ordering::Relaxed);
            Box::pin(async move {
                // A request that has gone (past its time limit, or disconnected) was answered that
                // nothing changed: so nothing of it is kept, whether it went before its write or during.
                if reply.is_closed() {
                    return None;
                }
                let result = match tx {
                    Ok(tx) => write(tx).await,
                    Err(e) => Err(e),
                };
                if reply.is_closed() {
                    return None;
                }
                Some(Box::new(move |batch: Result<(), BatchFailed>| {
                    // Gone since: the write is kept, as one whose answer was lost on the way.
                    let _ = reply.send(batch.map_err(AppError::from).and(result));
                }) as Answer)
            })
        });
        self.waiting.fetch_add(1, Ordering::Relaxed);
        if self.jobs.send(job).is_err() {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            return Err(AppError::internal("the group-commit writer has stopped"));
        }
        answer
            .await
            .map_err(|_| AppError::internal("a grouped write stopped before answering (a panic)"))?
    }
}

/// The writer: a batch per turn, until every `Db` is gone.
async fn write_batches(
    pool: AnyPool,
    gate: Arc<Mutex<()>>,
    mut queue: mpsc::UnboundedReceiver<Job>,
) {
    while let Some(first) = queue.recv().await {
        let turn = gate.clone().lock_owned().await;
        let answers = match pool.begin_with("BEGIN IMMEDIATE").await {
            Ok(tx) => write_batch(tx, first, &mut queue).await,
            Err(e) => first(Err(e.into()))
                .await
                .map(|a| (a, Ok(())))
                .into_iter()
                .collect(),
        };
        drop(turn);
        for (answer, batch) in answers {
            answer(batch);
        }
    }
}

/// Runs `first` and whatever else is queued (up to [`MAX_BATCH`]) in `tx`, each in its savepoint, then
/// commits; returns each write's answer with how the batch ended.
async fn write_batch(
    tx: Transaction<'static, Any>,
    first: Job,
    queue: &mut mpsc::UnboundedReceiver<Job>,
) -> Vec<(Answer, Result<(), BatchFailed>)> {
    let batch = Arc::new(Mutex::new(Batch { tx, kept: false }));
    let mut answers = Vec::new();
    let mut failed = None;
    let (mut next, mut taken) = (Some(first), 1);
    while let Some(job) = next {
        match run_in_savepoint(batch.clone(), job).await {
            (answer, Ok(())) => answers.extend(answer),
            (answer, Err(e)) => {
                answers.extend(answer);
                failed = Some(e);
                break;
            }
        }
        next = if taken < MAX_BATCH {
            queue.try_recv().ok()
        } else {
            None
        };
        taken += 1;
    }
    let ended = match failed {
        None => commit(batch).await,
        // Dropped, the transaction rolls back (sqlx queues the ROLLBACK; the pool flushes it).
        Some(e) => Err(e),
    };
    let ended = ended.map_err(|e| {
        tracing::error!(error = %e, writes = answers.len(), "a batch of grouped writes kept nothing");
        BatchFailed(format!("the batch of writes this one was part of failed: {e}").into())
    });
    answers.into_iter().map(|a| (a, ended.clone())).collect()
}

/// Runs one write in its own savepoint and ends the savepoint: released if the write committed, rolled
/// back otherwise. An error here breaks the batch (the transaction may be gone).
async fn run_in_savepoint(batch: Arc<Mutex<Batch>>, job: Job) -> (Option<Answer>, AppResult<()>) {
    let mut held = batch.clone().lock_owned().await;
    held.kept = false;
    if let Err(e) = execute(&mut held.tx, &[SAVEPOINT]).await {
        let why = AppError::internal(e.to_string());
        // The batch's failure is what the write will answer; it never ran.
        return (job(Err(e)).await, Err(why));
    }
    let tx = WriteTx {
        inner: Tx {
            conn: TxConn::Batched(held),
            _gate: None,
            backend: Backend::Sqlite,
        },
    };
    // A task of its own, so that a panic in a write loses that write (and its savepoint), not the writer.
    let answer = tokio::spawn(job(Ok(tx))).await.ok().flatten();
    let mut held = batch.lock_owned().await;
    let end: &[&str] = if held.kept && answer.is_some() {
        &[RELEASE]
    } else {
        &[ROLLBACK_TO, RELEASE]
    };
    let ended = execute(&mut held.tx, end).await;
    (answer, ended)
}

/// Runs statements without arguments on the batch's transaction.
async fn execute(tx: &mut Transaction<'static, Any>, statements: &[&str]) -> AppResult<()> {
    for statement in statements {
        sqlx::query(statement).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Commits the batch: its one fsync.
async fn commit(batch: Arc<Mutex<Batch>>) -> AppResult<()> {
    // Every write has ended, and with it its hold on the batch.
    let batch = Arc::try_unwrap(batch)
        .map_err(|_| AppError::internal("a grouped write kept its transaction after it ended"))?;
    batch.into_inner().tx.commit().await?;
    Ok(())
}
