//! `tally-server backup` on SQLite: `VACUUM INTO` writes a consistent copy from one read transaction,
//! while servers keep writing (WAL lets the reader and the writer run side by side).

use std::path::Path;

use sqlx::{AnyConnection, Connection};

use crate::error::{AppError, AppResult};

/// Copies the live SQLite database at `database_url` into the new file `out`, then checks the copy.
pub async fn sqlite_vacuum_into(database_url: &str, out: &Path) -> AppResult<()> {
    sqlx::any::install_default_drivers();
    let url = if database_url.contains("mode=") {
        database_url.to_owned()
    } else {
        let joiner = if database_url.contains('?') { '&' } else { '?' };
        format!("{database_url}{joiner}mode=rw")
    };
    let mut conn = AnyConnection::connect(&url)
        .await
        .map_err(|e| AppError::Invalid(format!("database-url: cannot open {database_url}: {e}")))?;
    sqlx::query("PRAGMA busy_timeout = 10000")
        .execute(&mut conn)
        .await?;
    let target = out
        .to_str()
        .ok_or_else(|| AppError::Invalid(format!("--out: {} is not UTF-8", out.display())))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await?;
    conn.close().await?;

    let mut copy = AnyConnection::connect(&format!("sqlite://{target}?mode=ro")).await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut copy)
        .await?;
    copy.close().await?;
    if verdict != "ok" {
        return Err(AppError::internal(format!(
            "the copy failed SQLite's integrity check: {verdict}"
        )));
    }
    Ok(())
}
