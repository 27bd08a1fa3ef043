//! The shop-wide sums behind `GET …/reports/summary`.

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::Db;
use crate::error::AppResult;

/// The shop's customers with lots due to expire at `now`.
pub async fn customers_with_due_lots(db: &Db, shop_id: &str, now: i64) -> AppResult<Vec<i64>> {
    // From the due lots (the partial index by expiry) to their customers: CROSS JOIN keeps SQLite in
    // that order, which otherwise probed the lots of each of the shop's customers (2 s for 100,000 of
    // them, on every points_expired timeseries); PostgreSQL plans it as any join.
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT l.customer_pk FROM point_lots l CROSS JOIN customers c
         WHERE c.id = l.customer_pk AND c.shop_id = $1 AND l.remaining > 0
           AND l.expires_at IS NOT NULL AND l.expires_at <= $2",
    )
    .bind(shop_id)
    .bind(now)
    .fetch_all(&db.pool)
    .await?)
}

/// `(members, Σ balances)`.
pub async fn members(conn: &mut AnyConnection, shop_id: &str) -> AppResult<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM customers WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// `(kind, Σ credits, Σ debits)` of the shop's ledger entries by kind; `kind` is an `ActivityKind` word.
pub async fn points_by_kind(
    conn: &mut AnyConnection,
    shop_id: &str,
) -> AppResult<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT kind, CAST(COALESCE(SUM(CASE WHEN points > 0 THEN points ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN points < 0 THEN points ELSE 0 END), 0) AS BIGINT)
         FROM ledger_entries WHERE shop_id = $1 GROUP BY kind",
    )
    .bind(shop_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// `(redemptions, customers who redeemed)`.
pub async fn redemptions(conn: &mut AnyConnection, shop_id: &str) -> AppResult<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT customer_pk) FROM redemptions WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// `(customer key, lifetime points, membership tier, membership end)` of every customer of the shop.
pub async fn lifetime_points(
    conn: &mut AnyConnection,
    shop_id: &str,
) -> AppResult<Vec<(i64, i64, Option<String>, Option<i64>)>> {
    Ok(sqlx::query_as(
        "SELECT id, lifetime_points, membership_tier, membership_expires_at FROM customers
         WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// `(channel, orders)` of the shop; `channel` is an `OrderChannel` word.
pub async fn orders_by_channel(
    conn: &mut AnyConnection,
    shop_id: &str,
) -> AppResult<Vec<(String, i64)>> {
    Ok(
        sqlx::query_as("SELECT channel, COUNT(*) FROM orders WHERE shop_id = $1 GROUP BY channel")
            .bind(shop_id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Each customer's spend in `(since, until]`, by customer key (customers without orders are absent).
pub async fn spend_by_customer(
    conn: &mut AnyConnection,
    shop_id: &str,
    since: i64,
    until: i64,
) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT customer_pk, CAST(SUM(total_minor - refunded_minor) AS BIGINT) FROM orders
         WHERE shop_id = $1 AND created_at > $2 AND created_at <= $3 GROUP BY customer_pk",
    )
    .bind(shop_id)
    .bind(since)
    .bind(until)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Σ points credited to the shop's customers in `[from, until)` (ms).
pub async fn credited(
    conn: &mut AnyConnection,
    shop_id: &str,
    from: i64,
    until: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM ledger_entries
         WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3 AND points > 0",
    )
    .bind(shop_id)
    .bind(from)
    .bind(until)
    .fetch_one(&mut *conn)
    .await?)
}

/// `(customer key, 1 for a redemption else 0, points, created_at)` of the entries before `until` (ms) of
/// the shop's customers who redeemed in `[from, until)`, by customer then in order: the entries behind
/// the "redeemed within 90 days" share, streamed. Customers who never redeemed then add nothing to it.
/// Read by customer (a customer's entries are the shop's), in the order of the customer index.
pub fn redeemers_entries<'c>(
    conn: &'c mut AnyConnection,
    shop_id: &'c str,
    from: i64,
    until: i64,
) -> futures_util::stream::BoxStream<'c, Result<(i64, i64, i64, i64), sqlx::Error>> {
    sqlx::query_as(
        "SELECT e.customer_pk, CAST(CASE WHEN e.kind = 'redeem' THEN 1 ELSE 0 END AS BIGINT), e.points,
                e.created_at
         FROM ledger_entries e
         WHERE e.customer_pk IN (
             SELECT DISTINCT r.customer_pk FROM ledger_entries r
             WHERE r.shop_id = $1 AND r.kind = 'redeem' AND r.created_at >= $2 AND r.created_at < $3)
           AND e.created_at < $3
         ORDER BY e.customer_pk, e.id",
    )
    .bind(shop_id)
    .bind(from)
    .bind(until)
    .fetch(conn)
}

/// `(completed, advocates, Σ advocate points, Σ friend points, Σ the friends' order totals, refused)`.
pub async fn referral_results(
    conn: &mut AnyConnection,
    shop_id: &str,
) -> AppResult<(i64, i64, i64, i64, i64, i64)> {
    let (completed, advocates, advocate_points, friend_points): (i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT COUNT(*), COUNT(DISTINCT advocate_pk),
                    CAST(COALESCE(SUM(advocate_points), 0) AS BIGINT),
                    CAST(COALESCE(SUM(friend_points), 0) AS BIGINT)
             FROM referrals WHERE shop_id = $1",
        )
        .bind(shop_id)
        .fetch_one(&mut *conn)
        .await?;
    let revenue: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(o.total_minor), 0) AS BIGINT) FROM orders o
         JOIN referrals r ON r.friend_pk = o.customer_pk WHERE r.shop_id = $1 AND o.shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(&mut *conn)
    .await?;
    let refused: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM referral_refusals WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok((
        completed,
        advocates,
        advocate_points,
        friend_points,
        revenue,
        refused,
    ))
}

/// `(day, score, answers)` of the shop's feedback since `from` (ms); `day` counts from 1970-01-01 (UTC).
pub async fn feedback_by_day(
    conn: &mut AnyConnection,
    shop_id: &str,
    from: i64,
) -> AppResult<Vec<(i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT created_at / 86400000 AS day, score, COUNT(*) FROM feedback
         WHERE shop_id = $1 AND created_at >= $2 GROUP BY day, score",
    )
    .bind(shop_id)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?)
}

/// `(customer id, score, comment, created_at)` of the `limit` newest answers with a comment.
pub async fn latest_comments(
    conn: &mut AnyConnection,
    shop_id: &str,
    limit: i64,
) -> AppResult<Vec<(String, i64, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.customer_id, f.score, f.comment, f.created_at FROM feedback f
         JOIN customers c ON c.id = f.customer_pk
         WHERE f.shop_id = $1 AND f.comment IS NOT NULL AND f.comment <> ''
         ORDER BY f.created_at DESC, f.id DESC LIMIT $2",
    )
    .bind(shop_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}
