//! `ledger_entries`: the append-only ledger, one row per movement of points.

use tally_core::ActivityKind;

use super::{Db, LockedTx};
use crate::error::AppResult;

/// An entry to append.
pub struct NewEntry<'a> {
    pub shop_id: &'a str,
    pub customer_pk: i64,
    pub kind: ActivityKind,
    pub points: i64,
    pub balance_after: i64,
    pub description: &'a str,
    pub reference: &'a str,
    pub created_at: i64,
}

/// Appends an entry (counted in the day's points issued, redeemed or expired); returns its id.
pub async fn insert(tx: &mut LockedTx, entry: &NewEntry<'_>) -> AppResult<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO ledger_entries (shop_id, customer_pk, kind, points, balance_after, description,
                                     reference, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(entry.shop_id)
    .bind(entry.customer_pk)
    .bind(entry.kind.as_str())
    .bind(entry.points)
    .bind(entry.balance_after)
    .bind(entry.description)
    .bind(entry.reference)
    .bind(entry.created_at)
    .fetch_one(tx.conn())
    .await?;
    tx.daily
        .entry(entry.shop_id, entry.kind, entry.points, entry.created_at);
    Ok(id)
}

/// An entry as stored; `kind` is an [`ActivityKind`]'s word.
pub struct EntryRow {
    pub id: i64,
    pub kind: String,
    pub points: i64,
    pub balance_after: i64,
    pub description: String,
    pub created_at: i64,
}

/// Up to `limit` entries of a customer older than entry `before`, newest first.
pub async fn page(db: &Db, customer_pk: i64, before: i64, limit: i64) -> AppResult<Vec<EntryRow>> {
    let rows: Vec<(i64, String, i64, i64, String, i64)> = sqlx::query_as(
        "SELECT id, kind, points, balance_after, description, created_at FROM ledger_entries
         WHERE customer_pk = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(customer_pk)
    .bind(before)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, points, balance_after, description, created_at)| EntryRow {
                id,
                kind,
                points,
                balance_after,
                description,
                created_at,
            },
        )
        .collect())
}
