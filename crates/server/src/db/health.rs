//! What `/readyz` asks the database: does it answer, and which migrations has it applied.

use super::{Backend, Db, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
use crate::error::AppResult;

/// The newest migration this binary carries.
pub fn latest_version(backend: Backend) -> i64 {
    let migrations = match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS,
        Backend::Postgres => POSTGRES_MIGRATIONS,
    };
    migrations.last().map_or(0, |(version, _, _)| *version)
}

/// The newest migration applied to the database (0 when none), which also proves it answers.
pub async fn applied_version(db: &Db) -> AppResult<i64> {
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM tally_migrations")
        .fetch_one(&db.pool)
        .await?;
    Ok(version.unwrap_or(0))
}
