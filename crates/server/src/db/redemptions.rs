//! `redemptions`: rewards redeemed, with their discount codes.

use super::{Db, LockedTx};
use crate::error::AppResult;

/// A redemption as stored.
pub struct RedemptionRow {
    pub id: String,
    pub reward_id: String,
    pub code: String,
    pub points_spent: i64,
    pub balance: i64,
    pub created_at: i64,
}

pub async fn insert(
    tx: &mut LockedTx,
    shop_id: &str,
    customer_pk: i64,
    row: &RedemptionRow,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO redemptions (id, shop_id, customer_pk, reward_id, code, points_spent, balance,
                                  created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.id)
    .bind(shop_id)
    .bind(customer_pk)
    .bind(&row.reward_id)
    .bind(&row.code)
    .bind(row.points_spent)
    .bind(row.balance)
    .bind(row.created_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A customer's redemptions, newest first.
pub async fn of_customer(db: &Db, customer_pk: i64) -> AppResult<Vec<RedemptionRow>> {
    let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, reward_id, code, points_spent, balance, created_at FROM redemptions
         WHERE customer_pk = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(customer_pk)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, reward_id, code, points_spent, balance, created_at)| RedemptionRow {
                id,
                reward_id,
                code,
                points_spent,
                balance,
                created_at,
            },
        )
        .collect())
}
