//! `feedback`: NPS answers with their comments.

use sqlx::AnyConnection;

use super::{Db, LockedTx};
use crate::error::AppResult;

/// An answer to record.
pub struct NewFeedback<'a> {
    pub shop_id: &'a str,
    pub customer_pk: i64,
    pub score: i64,
    pub comment: Option<&'a str>,
    pub points_awarded: i64,
    pub created_at: i64,
}

pub async fn insert(tx: &mut LockedTx, answer: &NewFeedback<'_>) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO feedback (shop_id, customer_pk, score, comment, points_awarded, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(answer.shop_id)
    .bind(answer.customer_pk)
    .bind(answer.score)
    .bind(answer.comment)
    .bind(answer.points_awarded)
    .bind(answer.created_at)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// When the locked customer last answered.
pub async fn last_at(tx: &mut LockedTx, customer_pk: i64) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT MAX(created_at) FROM feedback WHERE customer_pk = $1")
            .bind(customer_pk)
            .fetch_one(tx.conn())
            .await?,
    )
}

/// `(score, answers)` of the shop's answers after `since`.
pub async fn scores_since(
    conn: &mut AnyConnection,
    shop_id: &str,
    since: i64,
) -> AppResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT score, COUNT(*) FROM feedback WHERE shop_id = $1 AND created_at > $2 GROUP BY score",
    )
    .bind(shop_id)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?)
}

/// A customer's answers, newest first: `(score, comment, points_awarded, created_at)`.
pub async fn of_customer(
    db: &Db,
    customer_pk: i64,
) -> AppResult<Vec<(i64, Option<String>, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT score, comment, points_awarded, created_at FROM feedback
         WHERE customer_pk = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(customer_pk)
    .fetch_all(&db.pool)
    .await?)
}
