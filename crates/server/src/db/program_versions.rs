//! `program_versions`: every saved program of a shop, whole, numbered 1, 2, 3, …

use super::{Db, ShopTx};
use crate::error::AppResult;

pub struct VersionRow {
    pub version: i64,
    pub saved_by: String,
    pub saved_at: i64,
    pub program_json: String,
}

/// The highest version number of a shop (0 when none was saved).
pub async fn latest(tx: &mut ShopTx, shop_id: &str) -> AppResult<i64> {
    let latest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM program_versions WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_one(tx.conn())
            .await?;
    Ok(latest.unwrap_or(0))
}

pub async fn insert(
    tx: &mut ShopTx,
    shop_id: &str,
    version: i64,
    saved_by: &str,
    saved_at: i64,
    program_json: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO program_versions (shop_id, version, saved_by, saved_at, program_json)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(shop_id)
    .bind(version)
    .bind(saved_by)
    .bind(saved_at)
    .bind(program_json)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The program and origins a shop has now, and when it was created (the seed of version 1).
pub async fn current(tx: &mut ShopTx, shop_id: &str) -> AppResult<Option<(String, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT program_json, allowed_origins_json, created_at FROM shops WHERE id = $1",
    )
    .bind(shop_id)
    .fetch_optional(tx.conn())
    .await?)
}

pub async fn set_program(
    tx: &mut ShopTx,
    shop_id: &str,
    program_json: &str,
    allowed_origins_json: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE shops SET program_json = $1, allowed_origins_json = $2 WHERE id = $3")
        .bind(program_json)
        .bind(allowed_origins_json)
        .bind(shop_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn find(db: &Db, shop_id: &str, version: i64) -> AppResult<Option<VersionRow>> {
    let row: Option<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT version, saved_by, saved_at, program_json FROM program_versions
         WHERE shop_id = $1 AND version = $2",
    )
    .bind(shop_id)
    .bind(version)
    .fetch_optional(&db.pool)
    .await?;
    Ok(
        row.map(|(version, saved_by, saved_at, program_json)| VersionRow {
            version,
            saved_by,
            saved_at,
            program_json,
        }),
    )
}

/// Newest first, below `before` when given.
pub async fn page(
    db: &Db,
    shop_id: &str,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<VersionRow>> {
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT version, saved_by, saved_at, program_json FROM program_versions
         WHERE shop_id = $1 AND version < $2 ORDER BY version DESC LIMIT $3",
    )
    .bind(shop_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(version, saved_by, saved_at, program_json)| VersionRow {
            version,
            saved_by,
            saved_at,
            program_json,
        })
        .collect())
}
