//! `customers`: one row per shop and customer id, holding the balance, the points debt and the lifetime
//! points that the ledger moves together with each entry.

use sqlx::AnyConnection;
use tally_core::CustomerId;

use super::{Db, LockedTx, WriteTx};
use crate::error::AppResult;

/// A customer row.
#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub pk: i64,
    pub customer_id: String,
    pub first_name: Option<String>,
    pub balance: i64,
    pub debt: i64,
    pub lifetime_points: i64,
    pub referral_code: String,
    /// Whether the signup award was given (once per customer).
    pub signup_awarded: bool,
}

type CustomerTuple = (i64, String, Option<String>, i64, i64, i64, String, i64);
const CUSTOMER_COLUMNS: &str =
    "id, customer_id, first_name, balance, debt, lifetime_points, referral_code, signup_awarded";

impl From<CustomerTuple> for CustomerRow {
    fn from(t: CustomerTuple) -> Self {
        CustomerRow {
            pk: t.0,
            customer_id: t.1,
            first_name: t.2,
            balance: t.3,
            debt: t.4,
            lifetime_points: t.5,
            referral_code: t.6,
            signup_awarded: t.7 != 0,
        }
    }
}

/// Writes (and so locks) the customer row, inserting it with `referral_code` if new. The first statement
/// of every write transaction.
pub async fn lock(
    tx: WriteTx,
    shop_id: &str,
    customer_id: &CustomerId,
    referral_code: &str,
    now: i64,
) -> AppResult<(LockedTx, CustomerRow)> {
    let mut tx = LockedTx { inner: tx.inner };
    let sql = format!(
        "INSERT INTO customers (shop_id, customer_id, referral_code, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (shop_id, customer_id) DO UPDATE SET updated_at = excluded.updated_at
         RETURNING {CUSTOMER_COLUMNS}"
    );
    let row: CustomerTuple = sqlx::query_as(&sql)
        .bind(shop_id)
        .bind(customer_id.as_str())
        .bind(referral_code)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
    Ok((tx, row.into()))
}

/// Writes (and so locks) an existing customer row by its key, as the first statement.
pub async fn lock_pk(tx: WriteTx, pk: i64, now: i64) -> AppResult<(LockedTx, CustomerRow)> {
    let mut tx = LockedTx { inner: tx.inner };
    let row = lock_another(&mut tx, pk, now).await?;
    Ok((tx, row))
}

/// Locks a second customer in a transaction that already holds one (a referral's advocate).
pub async fn lock_another(tx: &mut LockedTx, pk: i64, now: i64) -> AppResult<CustomerRow> {
    let sql =
        format!("UPDATE customers SET updated_at = $2 WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}");
    let row: CustomerTuple = sqlx::query_as(&sql)
        .bind(pk)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
    Ok(row.into())
}

/// The shop's id of a customer locked in this transaction (a referral's advocate, for its event).
pub async fn customer_id_of(tx: &mut LockedTx, pk: i64) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT customer_id FROM customers WHERE id = $1")
            .bind(pk)
            .fetch_one(tx.conn())
            .await?,
    )
}

pub async fn mark_signup_awarded(tx: &mut LockedTx, pk: i64) -> AppResult<()> {
    sqlx::query("UPDATE customers SET signup_awarded = 1 WHERE id = $1")
        .bind(pk)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Stores the balance, debt and lifetime points that moved with an entry.
pub async fn save_points(tx: &mut LockedTx, customer: &CustomerRow) -> AppResult<()> {
    sqlx::query("UPDATE customers SET balance = $1, debt = $2, lifetime_points = $3 WHERE id = $4")
        .bind(customer.balance)
        .bind(customer.debt)
        .bind(customer.lifetime_points)
        .bind(customer.pk)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Sets the given profile fields; `None` leaves a field as it is.
pub async fn set_profile(
    tx: &mut LockedTx,
    pk: i64,
    first_name: Option<&str>,
    email: Option<&str>,
    birthday: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE customers SET first_name = COALESCE($1, first_name), email = COALESCE($2, email),
                              birthday = COALESCE($3, birthday)
         WHERE id = $4",
    )
    .bind(first_name)
    .bind(email)
    .bind(birthday)
    .bind(pk)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// The customer with this referral code, if any.
pub async fn pk_by_referral_code(
    tx: &mut LockedTx,
    shop_id: &str,
    code: &str,
) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 AND referral_code = $2")
            .bind(shop_id)
            .bind(code)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// A customer's referral code, if they are enrolled.
pub async fn referral_code(
    db: &Db,
    shop_id: &str,
    customer_id: &CustomerId,
) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT referral_code FROM customers WHERE shop_id = $1 AND customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id.as_str())
    .fetch_optional(&db.pool)
    .await?)
}

/// One round trip on the hot path of every `/me`: the customer's key and how many of their lots are due
/// to expire at `now`; `None` when not enrolled.
pub async fn find_with_due_lots(
    db: &Db,
    shop_id: &str,
    customer_id: &CustomerId,
    now: i64,
) -> AppResult<Option<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, (SELECT COUNT(*) FROM point_lots
                       WHERE customer_pk = c.id AND remaining > 0 AND expires_at IS NOT NULL
                         AND expires_at <= $3)
         FROM customers c WHERE c.shop_id = $1 AND c.customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id.as_str())
    .bind(now)
    .fetch_optional(&db.pool)
    .await?)
}

/// What `/me` shows of a customer beside their row.
pub struct CustomerStanding {
    pub customer: CustomerRow,
    /// Order totals less refunds in `(since, until]`, in minor units.
    pub spend: i64,
    pub friends_referred: i64,
    pub referral_points: i64,
}

/// The customer, their spend over the tier window and their referrals in one round trip.
pub async fn standing(
    conn: &mut AnyConnection,
    pk: i64,
    since: i64,
    until: i64,
) -> AppResult<CustomerStanding> {
    type Row = (
        i64,
        String,
        Option<String>,
        i64,
        i64,
        i64,
        String,
        i64,
        i64,
        i64,
        i64,
    );
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS},
            CAST((SELECT COALESCE(SUM(total_minor - refunded_minor), 0) FROM orders
                  WHERE customer_pk = c.id AND created_at > $2 AND created_at <= $3) AS BIGINT),
            (SELECT COUNT(*) FROM referrals WHERE advocate_pk = c.id),
            CAST((SELECT COALESCE(SUM(advocate_points), 0) FROM referrals WHERE advocate_pk = c.id)
                 AS BIGINT)
         FROM customers c WHERE c.id = $1"
    );
    let row: Row = sqlx::query_as(&sql)
        .bind(pk)
        .bind(since)
        .bind(until)
        .fetch_one(&mut *conn)
        .await?;
    Ok(CustomerStanding {
        customer: (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7).into(),
        spend: row.8,
        friends_referred: row.9,
        referral_points: row.10,
    })
}
