//! `orders` and `refunds`: what each order awarded and how much of it was refunded.

use super::{Db, LockedTx};
use crate::error::AppResult;

/// A customer's spend (order totals less refunds) in `(since, until]`, in minor units.
pub async fn spend(tx: &mut LockedTx, customer_pk: i64, since: i64, until: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(total_minor - refunded_minor), 0) AS BIGINT) FROM orders
         WHERE customer_pk = $1 AND created_at > $2 AND created_at <= $3",
    )
    .bind(customer_pk)
    .bind(since)
    .bind(until)
    .fetch_one(tx.conn())
    .await?)
}

pub async fn count_of_customer(tx: &mut LockedTx, customer_pk: i64) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE customer_pk = $1")
            .bind(customer_pk)
            .fetch_one(tx.conn())
            .await?,
    )
}

/// An order to record.
pub struct NewOrder<'a> {
    pub shop_id: &'a str,
    pub order_id: &'a str,
    pub customer_pk: i64,
    pub total_minor: i64,
    pub points_awarded: i64,
    pub created_at: i64,
    /// An `OrderChannel` word.
    pub channel: &'a str,
}

/// Records an order (counted in the day's orders and revenue); `false` when the shop already has this
/// order id (a concurrent request won).
pub async fn insert(tx: &mut LockedTx, order: &NewOrder<'_>) -> AppResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO orders (shop_id, order_id, customer_pk, total_minor, points_awarded, created_at,
                             channel)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (shop_id, order_id) DO NOTHING",
    )
    .bind(order.shop_id)
    .bind(order.order_id)
    .bind(order.customer_pk)
    .bind(order.total_minor)
    .bind(order.points_awarded)
    .bind(order.created_at)
    .bind(order.channel)
    .execute(tx.conn())
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    tx.daily.order(
        order.shop_id,
        order.channel,
        order.total_minor,
        order.created_at,
    );
    Ok(true)
}

/// The customer who placed an order, if the shop has it.
pub async fn customer_of(db: &Db, shop_id: &str, order_id: &str) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT customer_pk FROM orders WHERE shop_id = $1 AND order_id = $2")
            .bind(shop_id)
            .bind(order_id)
            .fetch_optional(&db.pool)
            .await?,
    )
}

/// An order's figures as a refund needs them.
pub struct OrderTotals {
    pub total_minor: i64,
    pub refunded_minor: i64,
    pub points_awarded: i64,
}

pub async fn totals(tx: &mut LockedTx, shop_id: &str, order_id: &str) -> AppResult<OrderTotals> {
    let (total_minor, refunded_minor, points_awarded): (i64, i64, i64) = sqlx::query_as(
        "SELECT total_minor, refunded_minor, points_awarded FROM orders
         WHERE shop_id = $1 AND order_id = $2",
    )
    .bind(shop_id)
    .bind(order_id)
    .fetch_one(tx.conn())
    .await?;
    Ok(OrderTotals {
        total_minor,
        refunded_minor,
        points_awarded,
    })
}

/// A refund to record against an order.
pub struct NewRefund<'a> {
    pub shop_id: &'a str,
    pub refund_id: &'a str,
    pub order_id: &'a str,
    pub amount_minor: i64,
    pub points_reversed: i64,
    pub created_at: i64,
}

/// Records a refund and adds its amount to the order's refunded total.
pub async fn insert_refund(tx: &mut LockedTx, refund: &NewRefund<'_>) -> AppResult<()> {
    sqlx::query(
        "UPDATE orders SET refunded_minor = refunded_minor + $1 WHERE shop_id = $2 AND order_id = $3",
    )
    .bind(refund.amount_minor)
    .bind(refund.shop_id)
    .bind(refund.order_id)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO refunds (shop_id, refund_id, order_id, amount_minor, points_reversed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(refund.shop_id)
    .bind(refund.refund_id)
    .bind(refund.order_id)
    .bind(refund.amount_minor)
    .bind(refund.points_reversed)
    .bind(refund.created_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}
