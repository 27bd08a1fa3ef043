//! `point_lots`: what each credit left to spend and when it expires; spending draws on them.

use super::{Db, LockedTx};
use crate::error::AppResult;

/// Opens a lot of `points` for a credit entry.
pub async fn insert(
    tx: &mut LockedTx,
    customer_pk: i64,
    entry_id: i64,
    points: i64,
    expires_at: Option<i64>,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO point_lots (customer_pk, entry_id, points, remaining, expires_at)
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(customer_pk)
    .bind(entry_id)
    .bind(points)
    .bind(expires_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// `(id, remaining)` of the lots still open at `now`, soonest expiry first (never-expiring last).
pub async fn open(tx: &mut LockedTx, customer_pk: i64, now: i64) -> AppResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, remaining FROM point_lots
         WHERE customer_pk = $1 AND remaining > 0 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, id",
    )
    .bind(customer_pk)
    .bind(now)
    .fetch_all(tx.conn())
    .await?)
}

pub async fn take(tx: &mut LockedTx, lot_id: i64, points: i64) -> AppResult<()> {
    sqlx::query("UPDATE point_lots SET remaining = remaining - $1 WHERE id = $2")
        .bind(points)
        .bind(lot_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A lot whose date has passed with points left.
pub struct DueLot {
    pub id: i64,
    pub remaining: i64,
    pub expires_at: i64,
}

/// The customer's lots due to expire at `now`, oldest date first.
pub async fn due(tx: &mut LockedTx, customer_pk: i64, now: i64) -> AppResult<Vec<DueLot>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, remaining, expires_at FROM point_lots
         WHERE customer_pk = $1 AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= $2
         ORDER BY expires_at, id",
    )
    .bind(customer_pk)
    .bind(now)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, remaining, expires_at)| DueLot {
            id,
            remaining,
            expires_at,
        })
        .collect())
}

/// Empties a lot (its remainder expired).
pub async fn close(tx: &mut LockedTx, lot_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE point_lots SET remaining = 0 WHERE id = $1")
        .bind(lot_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// `(customer key, shop id)` of up to `limit` customers of any shop after `after` with lots due to
/// expire at `now`, by key: the points-expiry job's worklist.
pub async fn customers_with_due_lots(
    db: &Db,
    now: i64,
    after: i64,
    limit: i64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT l.customer_pk, c.shop_id FROM point_lots l JOIN customers c ON c.id = l.customer_pk
         WHERE l.remaining > 0 AND l.expires_at IS NOT NULL AND l.expires_at <= $1 AND l.customer_pk > $2
         ORDER BY l.customer_pk LIMIT $3",
    )
    .bind(now)
    .bind(after)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?)
}

/// `(customer key, shop id)` of up to `limit` customers of any shop after `after` with lots expiring in
/// `(now, until]` that were not noticed yet, by key.
pub async fn customers_with_lots_to_notice(
    db: &Db,
    now: i64,
    until: i64,
    after: i64,
    limit: i64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT l.customer_pk, c.shop_id FROM point_lots l JOIN customers c ON c.id = l.customer_pk
         WHERE l.remaining > 0 AND l.expires_at > $1 AND l.expires_at <= $2
           AND l.expiring_notified_at IS NULL AND l.customer_pk > $3
         ORDER BY l.customer_pk LIMIT $4",
    )
    .bind(now)
    .bind(until)
    .bind(after)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?)
}

/// A lot about to expire, claimed for its notice.
pub struct ExpiringLot {
    pub id: i64,
    pub remaining: i64,
    pub expires_at: i64,
}

/// Marks the customer's lots expiring in `(now, until]` and not yet noticed as noticed at `now`, and
/// returns them: each lot is claimed once, whoever else looks.
pub async fn claim_expiring(
    tx: &mut LockedTx,
    customer_pk: i64,
    now: i64,
    until: i64,
) -> AppResult<Vec<ExpiringLot>> {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "UPDATE point_lots SET expiring_notified_at = $2
         WHERE customer_pk = $1 AND remaining > 0 AND expires_at > $2 AND expires_at <= $3
           AND expiring_notified_at IS NULL
         RETURNING id, remaining, expires_at",
    )
    .bind(customer_pk)
    .bind(now)
    .bind(until)
    .fetch_all(tx.conn())
    .await?;
    let mut lots: Vec<ExpiringLot> = rows
        .into_iter()
        .map(|(id, remaining, expires_at)| ExpiringLot {
            id,
            remaining,
            expires_at,
        })
        .collect();
    lots.sort_by_key(|l| (l.expires_at, l.id));
    Ok(lots)
}
