//! Reads and writes of customer imports: what a customer looks like before a row is applied, the points
//! earlier imports posted (entries whose reference begins `import:`), and a referral code set by a file.

use sqlx::Row;
use tally_core::CustomerId;

use super::{Db, LockedTx};
use crate::error::AppResult;

/// What a row of an import compares with.
#[derive(Debug, Clone)]
pub struct Standing {
    pub pk: i64,
    pub balance: i64,
    pub lifetime_points: i64,
    pub first_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birthday: Option<String>,
    pub referral_code: String,
    /// The sum of the points earlier imports posted.
    pub imported: i64,
}

const STANDING: &str =
    "SELECT c.id, c.balance, c.lifetime_points, c.first_name, c.email, c.phone, c.birthday,
        c.referral_code,
        CAST((SELECT COALESCE(SUM(e.points), 0) FROM ledger_entries e
              WHERE e.customer_pk = c.id AND e.reference LIKE 'import:%') AS BIGINT)
     FROM customers c WHERE c.shop_id = $1 AND c.customer_id = $2";

fn standing_from(row: &sqlx::any::AnyRow) -> AppResult<Standing> {
    Ok(Standing {
        pk: row.try_get(0)?,
        balance: row.try_get(1)?,
        lifetime_points: row.try_get(2)?,
        first_name: row.try_get(3)?,
        email: row.try_get(4)?,
        phone: row.try_get(5)?,
        birthday: row.try_get(6)?,
        referral_code: row.try_get(7)?,
        imported: row.try_get(8)?,
    })
}

/// The customer as they are now (a dry run's view), if enrolled.
pub async fn standing(
    db: &Db,
    shop_id: &str,
    customer_id: &CustomerId,
) -> AppResult<Option<Standing>> {
    let row = sqlx::query(STANDING)
        .bind(shop_id)
        .bind(customer_id.as_str())
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(standing_from).transpose()
}

/// The locked customer as they are now.
pub async fn standing_locked(
    tx: &mut LockedTx,
    shop_id: &str,
    customer_id: &CustomerId,
) -> AppResult<Option<Standing>> {
    let row = sqlx::query(STANDING)
        .bind(shop_id)
        .bind(customer_id.as_str())
        .fetch_optional(tx.conn())
        .await?;
    row.as_ref().map(standing_from).transpose()
}

/// The customer of the shop with this phone (E.164) or, with `referral`, this referral code.
pub async fn owner(
    db: &Db,
    shop_id: &str,
    phone: Option<&str>,
    referral: Option<&str>,
) -> AppResult<(Option<String>, Option<String>)> {
    let by_phone = match phone {
        Some(phone) => {
            sqlx::query_scalar(
                "SELECT customer_id FROM customers WHERE shop_id = $1 AND phone = $2",
            )
            .bind(shop_id)
            .bind(phone)
            .fetch_optional(&db.pool)
            .await?
        }
        None => None,
    };
    let by_code = match referral {
        Some(code) => {
            sqlx::query_scalar(
                "SELECT customer_id FROM customers WHERE shop_id = $1 AND referral_code = $2",
            )
            .bind(shop_id)
            .bind(code)
            .fetch_optional(&db.pool)
            .await?
        }
        None => None,
    };
    Ok((by_phone, by_code))
}

/// Sets the locked customer's referral code (the shop's codes are unique: a taken one is a unique
/// violation).
pub async fn set_referral_code(tx: &mut LockedTx, pk: i64, code: &str) -> AppResult<()> {
    sqlx::query("UPDATE customers SET referral_code = $1 WHERE id = $2")
        .bind(code)
        .bind(pk)
        .execute(tx.conn())
        .await?;
    Ok(())
}
