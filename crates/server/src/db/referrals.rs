//! `referrals`: one row per referred friend, naming the advocate and what each was awarded.

use super::LockedTx;
use crate::error::AppResult;

/// A referral to record.
pub struct NewReferral<'a> {
    pub friend_pk: i64,
    pub shop_id: &'a str,
    pub advocate_pk: i64,
    pub advocate_points: i64,
    pub friend_points: i64,
    pub created_at: i64,
}

/// Records a referral; `false` when the friend was already referred.
pub async fn insert(tx: &mut LockedTx, referral: &NewReferral<'_>) -> AppResult<bool> {
    let recorded = sqlx::query(
        "INSERT INTO referrals (friend_pk, shop_id, advocate_pk, advocate_points, friend_points, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (friend_pk) DO NOTHING",
    )
    .bind(referral.friend_pk)
    .bind(referral.shop_id)
    .bind(referral.advocate_pk)
    .bind(referral.advocate_points)
    .bind(referral.friend_points)
    .bind(referral.created_at)
    .execute(tx.conn())
    .await?;
    Ok(recorded.rows_affected() > 0)
}
