//! `referrals`: one row per referred friend, naming the advocate and what each was awarded.

use super::{Db, LockedTx};
use crate::error::AppResult;

/// A referral to record.
pub struct NewReferral<'a> {
    pub friend_pk: i64,
    pub shop_id: &'a str,
    pub advocate_pk: i64,
    pub advocate_points: i64,
    pub friend_points: i64,
    pub created_at: i64,
    /// The friend's email and phone now, kept with the referral.
    pub friend_email: Option<&'a str>,
    pub friend_phone: Option<&'a str>,
}

/// Records a referral; `false` when the friend was already referred.
pub async fn insert(tx: &mut LockedTx, referral: &NewReferral<'_>) -> AppResult<bool> {
    let recorded = sqlx::query(
        "INSERT INTO referrals (friend_pk, shop_id, advocate_pk, advocate_points, friend_points, created_at,
                                friend_email, friend_phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (friend_pk) DO NOTHING",
    )
    .bind(referral.friend_pk)
    .bind(referral.shop_id)
    .bind(referral.advocate_pk)
    .bind(referral.advocate_points)
    .bind(referral.friend_points)
    .bind(referral.created_at)
    .bind(referral.friend_email)
    .bind(referral.friend_phone)
    .execute(tx.conn())
    .await?;
    Ok(recorded.rows_affected() > 0)
}

/// Whether a friend of the shop was already given a friend reward with this email (any case) or phone,
/// as they were when rewarded: `(by email, by phone)`.
pub async fn friend_rewarded_with(
    tx: &mut LockedTx,
    shop_id: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> AppResult<(bool, bool)> {
    let (by_email, by_phone): (i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM referrals
             WHERE shop_id = $1 AND friend_points > 0 AND lower(friend_email) = lower($2)),
            (SELECT COUNT(*) FROM referrals
             WHERE shop_id = $1 AND friend_points > 0 AND friend_phone = $3)",
    )
    .bind(shop_id)
    .bind(email.unwrap_or(""))
    .bind(phone.unwrap_or(""))
    .fetch_one(tx.conn())
    .await?;
    Ok((
        email.is_some() && by_email > 0,
        phone.is_some() && by_phone > 0,
    ))
}

/// The advocate's rewarded referrals since `since` (exclusive), counted under the advocate's lock.
pub async fn advocate_rewards_since(
    tx: &mut LockedTx,
    advocate_pk: i64,
    since: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM referrals WHERE advocate_pk = $1 AND created_at > $2 AND advocate_points > 0",
    )
    .bind(advocate_pk)
    .bind(since)
    .fetch_one(tx.conn())
    .await?)
}

/// A referral (or its advocate's award) refused, and why.
pub struct NewRefusal<'a> {
    pub shop_id: &'a str,
    pub friend_pk: i64,
    pub advocate_pk: Option<i64>,
    pub order_id: &'a str,
    /// A `tally_core` referral refusal word.
    pub reason: &'a str,
    pub created_at: i64,
}

pub async fn insert_refusal(tx: &mut LockedTx, refusal: &NewRefusal<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO referral_refusals (shop_id, friend_pk, advocate_pk, order_id, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(refusal.shop_id)
    .bind(refusal.friend_pk)
    .bind(refusal.advocate_pk)
    .bind(refusal.order_id)
    .bind(refusal.reason)
    .bind(refusal.created_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A refusal as the merchant's view of a customer shows it.
pub struct RefusalRow {
    pub reason: String,
    pub order_id: String,
    pub friend_id: String,
    pub advocate_id: Option<String>,
    pub created_at: i64,
}

/// The refusals that concern a customer, as the friend or as the advocate, newest first.
pub async fn refusals_of(db: &Db, customer_pk: i64) -> AppResult<Vec<RefusalRow>> {
    let rows: Vec<(String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT r.reason, r.order_id, f.customer_id, a.customer_id, r.created_at
         FROM referral_refusals r JOIN customers f ON f.id = r.friend_pk
         LEFT JOIN customers a ON a.id = r.advocate_pk
         WHERE r.friend_pk = $1 OR r.advocate_pk = $1 ORDER BY r.id DESC LIMIT 100",
    )
    .bind(customer_pk)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(reason, order_id, friend_id, advocate_id, created_at)| RefusalRow {
                reason,
                order_id,
                friend_id,
                advocate_id,
                created_at,
            },
        )
        .collect())
}
