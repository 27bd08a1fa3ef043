//! The rows behind the CSV exports, as streams: a shop of a million entries is read one row at a time.

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use sqlx::AnyPool;

/// One ledger entry as `ledger.csv` shows it.
pub struct LedgerRow {
    pub id: i64,
    pub customer_id: String,
    pub kind: String,
    pub points: i64,
    pub balance_after: i64,
    pub description: String,
    pub reference: String,
    pub created_at: i64,
}

/// The shop's ledger entries created in `[from, until)` (ms), oldest first.
pub fn ledger<'a>(
    pool: &'a AnyPool,
    shop_id: &'a str,
    from: i64,
    until: i64,
) -> BoxStream<'a, Result<LedgerRow, sqlx::Error>> {
    sqlx::query_as(
        "SELECT e.id, c.customer_id, e.kind, e.points, e.balance_after, e.description, e.reference,
                e.created_at
         FROM ledger_entries e JOIN customers c ON c.id = e.customer_pk
         WHERE e.shop_id = $1 AND e.created_at >= $2 AND e.created_at < $3
         ORDER BY e.created_at, e.id",
    )
    .bind(shop_id)
    .bind(from)
    .bind(until)
    .fetch(pool)
    .map_ok(
        |(id, customer_id, kind, points, balance_after, description, reference, created_at)| {
            LedgerRow {
                id,
                customer_id,
                kind,
                points,
                balance_after,
                description,
                reference,
                created_at,
            }
        },
    )
    .boxed()
}

/// One customer as `customers.csv` shows it; `spend` is their spend since the tier window began.
pub struct CustomerRow {
    pub customer_id: String,
    pub first_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birthday: Option<String>,
    pub balance: i64,
    pub lifetime_points: i64,
    pub spend: i64,
    pub membership_tier: Option<String>,
    pub membership_expires_at: Option<i64>,
    pub referral_code: String,
    pub created_at: i64,
}

/// The shop's customers in the order they enrolled, with their spend in orders after `spend_since` (ms).
pub fn customers<'a>(
    pool: &'a AnyPool,
    shop_id: &'a str,
    spend_since: i64,
) -> BoxStream<'a, Result<CustomerRow, sqlx::Error>> {
    sqlx::query_as(
        "SELECT c.customer_id, c.first_name, c.email, c.phone, c.birthday, c.balance, c.lifetime_points,
                CAST(COALESCE(s.spend, 0) AS BIGINT) AS spend, c.membership_tier,
                c.membership_expires_at, c.referral_code, c.created_at
         FROM customers c
         LEFT JOIN (SELECT customer_pk, SUM(total_minor - refunded_minor) AS spend FROM orders
                    WHERE shop_id = $1 AND created_at > $2 GROUP BY customer_pk) s
           ON s.customer_pk = c.id
         WHERE c.shop_id = $1
         ORDER BY c.id",
    )
    .bind(shop_id)
    .bind(spend_since)
    .fetch(pool)
    .map_ok(|row: CustomerTuple| {
        let (customer_id, first_name, email, phone, birthday, balance, lifetime_points) =
            (row.0, row.1, row.2, row.3, row.4, row.5, row.6);
        CustomerRow {
            customer_id,
            first_name,
            email,
            phone,
            birthday,
            balance,
            lifetime_points,
            spend: row.7,
            membership_tier: row.8,
            membership_expires_at: row.9,
            referral_code: row.10,
            created_at: row.11,
        }
    })
    .boxed()
}

type CustomerTuple = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    String,
    i64,
);
