//! `memberships`: one row per purchase of a paid tier (the shop's order id), each extending the
//! running membership; the running one itself is kept on the customer row (`customers::set_membership`).

use super::{Db, LockedTx};
use crate::error::AppResult;

/// A purchase as stored.
#[derive(Debug, Clone)]
pub struct MembershipRow {
    pub order_id: String,
    pub customer_pk: i64,
    pub tier_id: String,
    pub starts_at: i64,
    pub expires_at: i64,
    pub cancelled_at: Option<i64>,
}

type Tuple = (String, i64, String, i64, i64, Option<i64>);

fn row(
    (order_id, customer_pk, tier_id, starts_at, expires_at, cancelled_at): Tuple,
) -> MembershipRow {
    MembershipRow {
        order_id,
        customer_pk,
        tier_id,
        starts_at,
        expires_at,
        cancelled_at,
    }
}

const COLUMNS: &str = "order_id, customer_pk, tier_id, starts_at, expires_at, cancelled_at";

/// Records a purchase; `false` when the shop already has this order id (a concurrent request won).
pub async fn insert(
    tx: &mut LockedTx,
    shop_id: &str,
    purchase: &MembershipRow,
    now: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "INSERT INTO memberships (shop_id, order_id, customer_pk, tier_id, starts_at, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (shop_id, order_id) DO NOTHING",
    )
    .bind(shop_id)
    .bind(&purchase.order_id)
    .bind(purchase.customer_pk)
    .bind(&purchase.tier_id)
    .bind(purchase.starts_at)
    .bind(purchase.expires_at)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The shop's purchase with this order id, if any.
pub async fn find(db: &Db, shop_id: &str, order_id: &str) -> AppResult<Option<MembershipRow>> {
    let sql = format!("SELECT {COLUMNS} FROM memberships WHERE shop_id = $1 AND order_id = $2");
    let found: Option<Tuple> = sqlx::query_as(&sql)
        .bind(shop_id)
        .bind(order_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(found.map(row))
}

/// [`find`] under its customer's lock.
pub async fn find_locked(
    tx: &mut LockedTx,
    shop_id: &str,
    order_id: &str,
) -> AppResult<Option<MembershipRow>> {
    let sql = format!("SELECT {COLUMNS} FROM memberships WHERE shop_id = $1 AND order_id = $2");
    let found: Option<Tuple> = sqlx::query_as(&sql)
        .bind(shop_id)
        .bind(order_id)
        .fetch_optional(tx.conn())
        .await?;
    Ok(found.map(row))
}

/// Marks every purchase of the customer's running chain (starting at or after `chain_start`) cancelled.
pub async fn cancel_chain(
    tx: &mut LockedTx,
    customer_pk: i64,
    chain_start: i64,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE memberships SET cancelled_at = $3
         WHERE customer_pk = $1 AND starts_at >= $2 AND cancelled_at IS NULL",
    )
    .bind(customer_pk)
    .bind(chain_start)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}
