//! `widget_sightings`: the origins a shop's widget loaded from, and when last.

use super::Db;
use crate::error::AppResult;

pub async fn record(db: &Db, shop_id: &str, origin: &str, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO widget_sightings (shop_id, origin, last_seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (shop_id, origin) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )
    .bind(shop_id)
    .bind(origin)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Every origin seen, most recent first.
pub async fn list(db: &Db, shop_id: &str) -> AppResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT origin, last_seen_at FROM widget_sightings WHERE shop_id = $1
         ORDER BY last_seen_at DESC, origin",
    )
    .bind(shop_id)
    .fetch_all(&db.pool)
    .await?)
}
