//! `activities`: every award of a custom or birthday earn rule, which limits on earn rules count.

use super::LockedTx;
use crate::error::AppResult;

/// An award to record.
pub struct NewActivity<'a> {
    pub shop_id: &'a str,
    pub customer_pk: i64,
    pub rule_id: &'a str,
    pub idem_key: &'a str,
    pub points: i64,
    pub created_at: i64,
}

pub async fn insert(tx: &mut LockedTx, activity: &NewActivity<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO activities (shop_id, customer_pk, rule_id, idem_key, points, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(activity.shop_id)
    .bind(activity.customer_pk)
    .bind(activity.rule_id)
    .bind(activity.idem_key)
    .bind(activity.points)
    .bind(activity.created_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The locked customer's awards of a rule since `since` (inclusive): read under the customer's lock,
/// so it counts every award committed before this transaction took it.
pub async fn count_since(
    tx: &mut LockedTx,
    customer_pk: i64,
    rule_id: &str,
    since: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM activities WHERE customer_pk = $1 AND rule_id = $2 AND created_at >= $3",
    )
    .bind(customer_pk)
    .bind(rule_id)
    .bind(since)
    .fetch_one(tx.conn())
    .await?)
}
