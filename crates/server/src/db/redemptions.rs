//! `redemptions`: rewards redeemed, with their discount codes and where each code stands.

use sqlx::AnyConnection;

use super::{Db, LockedTx};
use crate::error::AppResult;

/// A redemption as stored; `status` is a `CodeStatus`'s word as stored (an `issued` code past
/// `expires_at` is expired all the same: the ledger decides).
pub struct RedemptionRow {
    pub id: String,
    pub reward_id: String,
    pub code: String,
    pub points_spent: i64,
    pub balance: i64,
    pub created_at: i64,
    pub status: String,
    pub expires_at: Option<i64>,
}

/// A redemption to insert: its code starts `issued`.
pub struct NewRedemption<'a> {
    pub id: &'a str,
    pub reward_id: &'a str,
    pub code: &'a str,
    pub points_spent: i64,
    pub balance: i64,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    /// The reward as the program showed it, as JSON.
    pub reward_json: &'a str,
}

/// A code as the shop's checkout sees it: its redemption, its customer, and how it was used.
pub struct CodeRow {
    pub redemption: RedemptionRow,
    pub customer_pk: i64,
    pub customer_id: String,
    pub reward_json: Option<String>,
    pub used_at: Option<i64>,
    pub order_id: Option<String>,
}

const REDEMPTION_COLUMNS: &str =
    "r.id, r.reward_id, r.code, r.points_spent, r.balance, r.created_at, r.status, r.expires_at";
type RedemptionTuple = (String, String, String, i64, i64, i64, String, Option<i64>);

impl From<RedemptionTuple> for RedemptionRow {
    fn from(t: RedemptionTuple) -> Self {
        RedemptionRow {
            id: t.0,
            reward_id: t.1,
            code: t.2,
            points_spent: t.3,
            balance: t.4,
            created_at: t.5,
            status: t.6,
            expires_at: t.7,
        }
    }
}

/// Records a redemption (counted in the day's redemptions).
pub async fn insert(
    tx: &mut LockedTx,
    shop_id: &str,
    customer_pk: i64,
    row: &NewRedemption<'_>,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO redemptions (id, shop_id, customer_pk, reward_id, code, points_spent, balance,
                                  created_at, expires_at, reward_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(row.id)
    .bind(shop_id)
    .bind(customer_pk)
    .bind(row.reward_id)
    .bind(row.code)
    .bind(row.points_spent)
    .bind(row.balance)
    .bind(row.created_at)
    .bind(row.expires_at)
    .bind(row.reward_json)
    .execute(tx.conn())
    .await?;
    tx.daily.redemption(shop_id, row.created_at);
    Ok(())
}

/// Whether the shop already has this code (a new code is drawn again; the unique index backs this up).
pub async fn code_taken(tx: &mut LockedTx, shop_id: &str, code: &str) -> AppResult<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM redemptions WHERE shop_id = $1 AND code = $2")
            .bind(shop_id)
            .bind(code)
            .fetch_optional(tx.conn())
            .await?;
    Ok(found.is_some())
}

/// A customer's redemptions, newest first.
pub async fn of_customer(db: &Db, customer_pk: i64) -> AppResult<Vec<RedemptionRow>> {
    let sql = format!(
        "SELECT {REDEMPTION_COLUMNS} FROM redemptions r
         WHERE r.customer_pk = $1 ORDER BY r.created_at DESC, r.id DESC"
    );
    let rows: Vec<RedemptionTuple> = sqlx::query_as(&sql)
        .bind(customer_pk)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

async fn find_code(
    conn: &mut AnyConnection,
    shop_id: &str,
    code: &str,
) -> AppResult<Option<CodeRow>> {
    type Row = (
        String,
        String,
        String,
        i64,
        i64,
        i64,
        String,
        Option<i64>,
        i64,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let sql = format!(
        "SELECT {REDEMPTION_COLUMNS}, r.customer_pk, c.customer_id, r.reward_json, r.used_at, r.order_id
         FROM redemptions r JOIN customers c ON c.id = r.customer_pk
         WHERE r.shop_id = $1 AND r.code = $2"
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(shop_id)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|t| CodeRow {
        redemption: (t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7).into(),
        customer_pk: t.8,
        customer_id: t.9,
        reward_json: t.10,
        used_at: t.11,
        order_id: t.12,
    }))
}

/// The shop's code, if it has it (codes are stored upper-case).
pub async fn by_code(db: &Db, shop_id: &str, code: &str) -> AppResult<Option<CodeRow>> {
    let mut conn = db.pool.acquire().await?;
    find_code(&mut conn, shop_id, code).await
}

/// [`by_code`] under its customer's lock: what a use or a cancel decides on.
pub async fn by_code_locked(
    tx: &mut LockedTx,
    shop_id: &str,
    code: &str,
) -> AppResult<Option<CodeRow>> {
    find_code(tx.conn(), shop_id, code).await
}

/// Marks an issued, unexpired code used with `order_id`; false if it was not (the caller holds the
/// customer's lock, so this only guards the rule once more).
pub async fn mark_used(tx: &mut LockedTx, id: &str, order_id: &str, now: i64) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE redemptions SET status = 'used', used_at = $3, order_id = $2
         WHERE id = $1 AND status = 'issued' AND (expires_at IS NULL OR expires_at > $3)",
    )
    .bind(id)
    .bind(order_id)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes an issued code as `cancelled` or `expired` (a `CodeStatus` word); false if it was not issued.
pub async fn close(tx: &mut LockedTx, id: &str, status: &str, now: i64) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE redemptions SET status = $2, closed_at = $3 WHERE id = $1 AND status = 'issued'",
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A code still `issued` whose date has passed.
pub struct DueCode {
    pub id: String,
    pub shop_id: String,
    pub code: String,
    pub customer_pk: i64,
}

/// Up to `limit` issued codes of any shop past their date at `now`, by id after `after`.
pub async fn due(db: &Db, now: i64, after: &str, limit: i64) -> AppResult<Vec<DueCode>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT id, shop_id, code, customer_pk FROM redemptions
         WHERE status = 'issued' AND expires_at IS NOT NULL AND expires_at <= $1 AND id > $2
         ORDER BY id LIMIT $3",
    )
    .bind(now)
    .bind(after)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, shop_id, code, customer_pk)| DueCode {
            id,
            shop_id,
            code,
            customer_pk,
        })
        .collect())
}

/// The locked customer's redemptions of a reward since `since` (inclusive), cancelled codes aside (their
/// points went back): read under the customer's lock, so it counts every redemption committed before
/// this transaction took it.
pub async fn count_since(
    tx: &mut LockedTx,
    customer_pk: i64,
    reward_id: &str,
    since: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM redemptions
         WHERE customer_pk = $1 AND reward_id = $2 AND created_at >= $3 AND status <> 'cancelled'",
    )
    .bind(customer_pk)
    .bind(reward_id)
    .bind(since)
    .fetch_one(tx.conn())
    .await?)
}
