//! `audit_log`: who changed what in a shop, written in the transaction of the change where it has one.

use super::{Db, LockedTx, ShopTx};
use crate::error::AppResult;

/// One entry to write.
pub struct NewAudit<'a> {
    pub shop_id: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub now: i64,
}

pub struct AuditRow {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub created_at: i64,
}

const INSERT: &str =
    "INSERT INTO audit_log (shop_id, actor, action, target, created_at) VALUES ($1, $2, $3, $4, $5)";

/// In a customer's locked write (adjustments, codes, memberships).
pub async fn record_locked(tx: &mut LockedTx, entry: &NewAudit<'_>) -> AppResult<()> {
    bind(entry).execute(tx.conn()).await?;
    Ok(())
}

/// In a shop's write (program, staff, keys).
pub async fn record_in(tx: &mut ShopTx, entry: &NewAudit<'_>) -> AppResult<()> {
    bind(entry).execute(tx.conn()).await?;
    Ok(())
}

/// On its own, after a change that has no transaction of ours (webhooks).
pub async fn record(db: &Db, entry: &NewAudit<'_>) -> AppResult<()> {
    bind(entry).execute(&db.pool).await?;
    Ok(())
}

fn bind<'q>(
    entry: &'q NewAudit<'q>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(INSERT)
        .bind(entry.shop_id)
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.target)
        .bind(entry.now)
}

/// A shop's entries, newest first, older than `before` (an id) when given.
pub async fn page(
    db: &Db,
    shop_id: &str,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<AuditRow>> {
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, actor, action, target, created_at FROM audit_log
         WHERE shop_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(shop_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, actor, action, target, created_at)| AuditRow {
            id,
            actor,
            action,
            target,
            created_at,
        })
        .collect())
}
