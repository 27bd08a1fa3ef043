//! `jobs`: one row per periodic job, with the lease that makes one server of many run it. These writes
//! lock no customer: each is one statement, queued with the other writers on SQLite.

use super::Db;
use crate::error::AppResult;

/// Adds the job's row if this database has never run it.
pub async fn ensure(db: &Db, name: &str) -> AppResult<()> {
    let _queued = db.queue_writer().await;
    sqlx::query("INSERT INTO jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Takes the job's lease until `lease_until` if nobody holds it at `now`; true if this caller got it.
///
/// One conditional UPDATE decides: on PostgreSQL a concurrent claimer waits for the row lock, then
/// re-checks the WHERE clause against the row as the winner left it and updates nothing; on SQLite
/// writes are serialized anyway. Either way exactly one claimer sees one row affected.
pub async fn claim(
    db: &Db,
    name: &str,
    owner: &str,
    now: i64,
    lease_until: i64,
) -> AppResult<bool> {
    let _queued = db.queue_writer().await;
    let done = sqlx::query(
        "UPDATE jobs SET lease_owner = $2, lease_until = $4
         WHERE name = $1 AND (lease_until IS NULL OR lease_until <= $3)",
    )
    .bind(name)
    .bind(owner)
    .bind(now)
    .bind(lease_until)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the end of a run by the lease's holder, and keeps others off until `next_at`.
pub async fn finish(
    db: &Db,
    name: &str,
    owner: &str,
    now: i64,
    next_at: i64,
    error: Option<&str>,
) -> AppResult<()> {
    let _queued = db.queue_writer().await;
    sqlx::query(
        "UPDATE jobs SET lease_owner = NULL, lease_until = $4, last_run_at = $3, last_error = $5
         WHERE name = $1 AND lease_owner = $2",
    )
    .bind(name)
    .bind(owner)
    .bind(now)
    .bind(next_at)
    .bind(error)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// `(name, last_run_at, last_error)` of every job this database knows.
pub async fn statuses(db: &Db) -> AppResult<Vec<(String, Option<i64>, Option<String>)>> {
    Ok(
        sqlx::query_as("SELECT name, last_run_at, last_error FROM jobs ORDER BY name")
            .fetch_all(&db.pool)
            .await?,
    )
}
