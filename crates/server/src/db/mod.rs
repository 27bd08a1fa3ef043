//! The database: one `sqlx::AnyPool` on SQLite (the default) or PostgreSQL, numbered migrations run at
//! start, and write transactions that serialize per customer. Every SQL string of the server and every
//! row type lives under this module, one file per table; the ledger above it holds the rules.
//!
//! The lock discipline is in the types: a [`WriteTx`] can do nothing but lock a customer row
//! ([`customers::lock`]), which turns it into a [`LockedTx`], the only handle the writing functions of
//! this module accept. So no write runs before the customer's row is locked, and balance checks and the
//! writes that depend on them never interleave.
//!
//! On a SQLite file, the ledger's busiest writes (orders, refunds, redemptions) are grouped
//! ([`Db::grouped_write`], [`group_commit`]): one transaction, and so one fsync, for whatever queued
//! while the previous batch committed, each write in a savepoint of its own.

pub mod activities;
pub mod audit;
pub mod backup;
pub mod check;
pub mod customers;
pub mod daily_totals;
pub mod entries;
pub mod events;
pub mod exports;
pub mod feedback;
mod group_commit;
pub mod health;
pub mod idempotency;
pub mod imports;
pub mod jobs;
pub mod lots;
pub mod memberships;
pub mod orders;
pub mod program_versions;
pub mod redemptions;
pub mod referrals;
pub mod reports;
pub mod shops;
pub mod sightings;
pub mod staff;
pub mod webhooks;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{Any, AnyPool, Connection, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How long a pooled connection may sit idle and still be handed out without a ping (see `connect`).
const IDLE_UNTESTED: Duration = Duration::from_secs(1);

/// Every SQLite connection's settings: WAL lets readers run beside the writer; synchronous=FULL fsyncs
/// every commit, so an acknowledged write survives kill -9 and power loss.
pub(crate) const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA foreign_keys = ON",
];

/// The key of the PostgreSQL advisory lock held while migrating ("tallymig" in ASCII).
const MIGRATION_LOCK: i64 = 0x7461_6c6c_796d_6967;

/// The numbered migrations of each dialect, embedded in the binary, applied in order once each (each
/// version is looked up on its own).
const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "loyalty ledger",
        include_str!("../../migrations/sqlite/0001_loyalty_ledger.sql"),
    ),
    (
        2,
        "webhooks",
        include_str!("../../migrations/sqlite/0002_webhooks.sql"),
    ),
    (
        3,
        "codes and jobs",
        include_str!("../../migrations/sqlite/0003_codes_and_jobs.sql"),
    ),
    (
        4,
        "paid tiers, limits, the counter, feedback, fair referrals",
        include_str!("../../migrations/sqlite/0004_club_counter_feedback.sql"),
    ),
    (
        5,
        "staff, sessions, key rotation, audit log, program versions, widget sightings",
        include_str!("../../migrations/sqlite/0005_staff.sql"),
    ),
    (
        6,
        "reports over time and exports",
        include_str!("../../migrations/sqlite/0006_reports_over_time.sql"),
    ),
    (
        7,
        "ledger entries by shop, kind and time",
        include_str!("../../migrations/sqlite/0007_ledger_by_kind_and_time.sql"),
    ),
    (
        8,
        "customer search by index",
        include_str!("../../migrations/sqlite/0008_customer_search_by_index.sql"),
    ),
    (
        9,
        "daily totals",
        include_str!("../../migrations/sqlite/0009_daily_totals.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "loyalty ledger",
        include_str!("../../migrations/postgres/0001_loyalty_ledger.sql"),
    ),
    (
        2,
        "webhooks",
        include_str!("../../migrations/postgres/0002_webhooks.sql"),
    ),
    (
        3,
        "codes and jobs",
        include_str!("../../migrations/postgres/0003_codes_and_jobs.sql"),
    ),
    (
        4,
        "paid tiers, limits, the counter, feedback, fair referrals",
        include_str!("../../migrations/postgres/0004_club_counter_feedback.sql"),
    ),
    (
        5,
        "staff, sessions, key rotation, audit log, program versions, widget sightings",
        include_str!("../../migrations/postgres/0005_staff.sql"),
    ),
    (
        6,
        "reports over time and exports",
        include_str!("../../migrations/postgres/0006_reports_over_time.sql"),
    ),
    (
        7,
        "ledger entries by shop, kind and time",
        include_str!("../../migrations/postgres/0007_ledger_by_kind_and_time.sql"),
    ),
    (
        8,
        "customer search by index",
        include_str!("../../migrations/postgres/0008_customer_search_by_index.sql"),
    ),
    (
        9,
        "daily totals",
        include_str!("../../migrations/postgres/0009_daily_totals.sql"),
    ),
];

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite has one writer at a time anyway; queuing writers here instead of in SQLite's busy loop
    /// keeps latency fair and never surfaces `SQLITE_BUSY`. PostgreSQL relies on the customer row lock.
    write_gate: Option<Arc<Mutex<()>>>,
    /// On a SQLite file, the one task that runs grouped writes ([`Db::grouped_write`]) in batches.
    group_commit: Option<group_commit::GroupCommit>,
}

/// A write transaction that has not locked anything yet: all it can do is lock a customer row
/// ([`customers::lock`], [`customers::lock_pk`]), which gives a [`LockedTx`].
pub struct WriteTx {
    inner: Tx,
}

impl WriteTx {
    /// The connection, for this module's queries that lock no customer (the webhook outbox's worker).
    fn conn(&mut self) -> &mut AnyConnection {
        self.inner.conn()
    }

    async fn commit(self) -> AppResult<()> {
        self.inner.commit().await
    }
}

/// A write transaction that holds a customer row's lock (on PostgreSQL the row lock, on SQLite the
/// database's write lock). Dropped without [`LockedTx::commit`], it rolls back.
pub struct LockedTx {
    inner: Tx,
    /// What the transaction's inserts add to the shop's daily totals, written at commit.
    daily: daily_totals::Pending,
}

struct Tx {
    // Field order matters: the transaction ends (rolls back if not committed) before the gate opens.
    conn: TxConn,
    _gate: Option<OwnedMutexGuard<()>>,
    backend: Backend,
}

/// Where a write transaction's statements go.
enum TxConn {
    /// A transaction of its own: committed by `commit`, rolled back when dropped.
    Own(Transaction<'static, Any>),
    /// A savepoint in the group-commit writer's batch (SQLite, [`group_commit`]): `commit` marks it kept,
    /// and the writer releases it (or rolls it back if not kept) and commits the batch.
    Batched(OwnedMutexGuard<group_commit::Batch>),
}

impl Tx {
    fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            TxConn::Own(tx) => tx,
            TxConn::Batched(batch) => batch.conn(),
        }
    }

    async fn commit(self) -> AppResult<()> {
        let Tx { conn, _gate, .. } = self;
        match conn {
            TxConn::Own(tx) => tx.commit().await?,
            TxConn::Batched(mut batch) => batch.keep(),
        }
        drop(_gate);
        Ok(())
    }
}

impl LockedTx {
    fn new(inner: Tx) -> LockedTx {
        LockedTx {
            inner,
            daily: daily_totals::Pending::default(),
        }
    }

    /// The connection, for this module's queries only.
    fn conn(&mut self) -> &mut AnyConnection {
        self.inner.conn()
    }

    /// Adds the daily totals of what the transaction wrote, last (their rows' locks are held for the
    /// commit only), then commits.
    pub async fn commit(mut self) -> AppResult<()> {
        let (backend, daily) = (self.inner.backend, std::mem::take(&mut self.daily));
        daily_totals::add(self.inner.conn(), backend, daily).await?;
        self.inner.commit().await
    }
}

/// A write transaction on a shop's own rows (its program and versions, keys, staff, the audit log),
/// never on a customer's: those go through [`WriteTx`] and the customer's lock. Dropped without
/// [`ShopTx::commit`], it rolls back.
pub struct ShopTx {
    inner: Tx,
}

impl ShopTx {
    fn conn(&mut self) -> &mut AnyConnection {
        self.inner.conn()
    }

    pub async fn commit(self) -> AppResult<()> {
        self.inner.commit().await
    }
}

/// SQLite's `synchronous` settings that `Db::set_sqlite_sync` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    Off,
    Full,
}

/// `sqlite://tally.db` gains `mode=rwc` so a missing file is created.
fn normalize_url(url: &str) -> (Backend, String) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return (Backend::Postgres, url.to_owned());
    }
    let mut url = url.to_owned();
    if !url.contains("mode=") && !url.contains(":memory:") {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("mode=rwc");
    }
    (Backend::Sqlite, url)
}

impl Db {
    /// Connects and runs the migrations.
    pub async fn connect(database_url: &str) -> AppResult<Db> {
        sqlx::any::install_default_drivers();
        let (backend, url) = normalize_url(database_url);
        if !url.starts_with("sqlite:") && backend == Backend::Sqlite {
            return Err(AppError::Invalid(format!(
                "database-url: expected sqlite://FILE or postgres://…, not {database_url:?}"
            )));
        }
        // Each connection to `sqlite::memory:` is a database of its own: one connection, or the migrated
        // tables would be missing on the next.
        let max_connections = match backend {
            Backend::Sqlite if url.contains(":memory:") => 1,
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let options = AnyPoolOptions::new()
            .max_connections(max_connections)
            // Under the 15 s request limit: with the database gone a request fails fast as 503 (error.rs),
            // and a connection idle for a while is pinged before use, so one that died with a restart is
            // dropped. One back from a request within IDLE_UNTESTED was pinged then (after_release): a
            // ping per acquisition would be a third of a one-statement read's round trips.
            .acquire_timeout(Duration::from_secs(5))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > IDLE_UNTESTED {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .after_release(|conn, _meta| {
                Box::pin(async move {
                    // A transaction dropped on an error is rolled back by a queued ROLLBACK; the ping
                    // flushes it. If the connection still counts a transaction, SQLite had already
                    // rolled it back itself (SQLITE_FULL, SQLITE_IOERR), sqlx's ROLLBACK failed and its
                    // depth is stale: reused, the connection would open SAVEPOINTs that a later
                    // ROLLBACK TO never closes, holding the write lock for good. Close it instead.
                    conn.ping().await?;
                    Ok(!conn.is_in_transaction())
                })
            });
        let options = if backend == Backend::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in SQLITE_PRAGMAS {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(&url).await?;
        let write_gate = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        // An in-memory database syncs nothing, so batching its commits would gain nothing; and its one
        // connection, held by a batch, would leave none for a write's reads of committed rows.
        let group_commit = match &write_gate {
            Some(gate) if !url.contains(":memory:") => {
                Some(group_commit::GroupCommit::start(pool.clone(), gate.clone()))
            }
            _ => None,
        };
        let db = Db {
            pool,
            backend,
            write_gate,
            group_commit,
        };
        db.migrate().await?;
        customers::index_names(&db).await?;
        Ok(db)
    }

    /// Several servers may start at once on one PostgreSQL: the first takes a session advisory lock and
    /// migrates, the others wait for it and then find every version applied. On SQLite the database's
    /// own write lock serializes the migration transactions (one file, normally one server).
    async fn migrate(&self) -> AppResult<()> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await?;
            let migrated = self.migrate_on(&mut conn).await;
            let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *conn)
                .await;
            if unlocked.is_err() {
                // A session lock lives as long as the connection: never give it back to the pool.
                let _ = conn.detach().close().await;
            }
            migrated?;
            return unlocked.map(|_| ()).map_err(Into::into);
        }
        self.migrate_on(&mut conn).await
    }

    async fn migrate_on(&self, conn: &mut AnyConnection) -> AppResult<()> {
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS tally_migrations (
                version BIGINT PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        for (version, description, sql) in migrations {
            let mut tx = conn.begin().await?;
            let applied: Option<i64> =
                sqlx::query_scalar("SELECT version FROM tally_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if applied.is_some() {
                continue;
            }
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO tally_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(version)
            .bind(*description)
            .bind(crate::clock::now_ms())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version, description, "applied migration");
        }
        Ok(())
    }

    pub async fn begin_write(&self) -> AppResult<WriteTx> {
        let gate = self.queue_writer().await;
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            inner: Tx {
                conn: TxConn::Own(tx),
                _gate: gate,
                backend: self.backend,
            },
        })
    }

    /// Runs `write` on a write transaction of its own and answers once what it committed is durable.
    ///
    /// On a SQLite file, the group-commit writer runs it inside a savepoint of its next batch, and its
    /// answer waits for that batch's COMMIT: the batch's writes share one fsync, which one writer at a
    /// time with an fsync per transaction could not do. Elsewhere (PostgreSQL, which already shares a WAL
    /// flush between concurrent commits; an in-memory SQLite) it is [`Db::begin_write`] and `write`.
    ///
    /// Either way `write` sees what it sees in a transaction of its own: committed, then dropped without
    /// commit rolls back only its own writes. Inside a batch it also sees the writes of earlier writes of
    /// the batch (kept, not yet durable), and any reads it makes through `Db`, on another connection, see
    /// only what was committed. It must not begin another write: the batch holds SQLite's write gate.
    pub async fn grouped_write<T, F, Fut>(&self, write: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(WriteTx) -> Fut + Send + 'static,
        Fut: Future<Output = AppResult<T>> + Send + 'static,
    {
        match &self.group_commit {
            Some(group) => group.run(write).await,
            None => write(self.begin_write().await?).await,
        }
    }

    /// How many grouped writes wait for their batch; `None` where writes are not grouped.
    pub fn grouped_writes_waiting(&self) -> Option<usize> {
        self.group_commit.as_ref().map(|group| group.waiting())
    }

    /// A transaction for a shop's own rows (see [`ShopTx`]).
    pub async fn begin_shop_write(&self) -> AppResult<ShopTx> {
        let gate = self.queue_writer().await;
        let tx = self.pool.begin().await?;
        Ok(ShopTx {
            inner: Tx {
                conn: TxConn::Own(tx),
                _gate: gate,
                backend: self.backend,
            },
        })
    }

    /// On SQLite, a place in the writers' queue (see `write_gate`); held until dropped.
    async fn queue_writer(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        }
    }

    /// SQLite's `synchronous` on every connection of the pool at once (holding them all): a bulk load
    /// (`tally-server seed`) need not sync every commit. Nothing on PostgreSQL.
    pub async fn set_sqlite_sync(&self, mode: SqliteSync) -> AppResult<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let pragma = match mode {
            SqliteSync::Off => "PRAGMA synchronous = OFF",
            SqliteSync::Full => "PRAGMA synchronous = FULL",
        };
        let mut held = Vec::new();
        for _ in 0..self.pool.options().get_max_connections() {
            let mut conn = self.pool.acquire().await?;
            sqlx::query(pragma).execute(&mut *conn).await?;
            held.push(conn);
        }
        Ok(())
    }

    /// Writes SQLite's WAL into the database file and syncs it. Nothing on PostgreSQL.
    pub async fn checkpoint(&self) -> AppResult<()> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(FULL)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

/// Whether an error is a unique-constraint violation (a concurrent insert of the same key).
pub fn is_unique_violation(e: &AppError) -> bool {
    match e {
        AppError::Internal(inner) => inner
            .0
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|d| d.is_unique_violation()),
        _ => false,
    }
}

/// Whether PostgreSQL aborted the transaction to break a deadlock (SQLSTATE 40P01).
pub fn is_deadlock(e: &AppError) -> bool {
    match e {
        AppError::Internal(inner) => inner
            .0
            .downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .and_then(|d| d.code())
            .is_some_and(|code| code == "40P01"),
        _ => false,
    }
}
