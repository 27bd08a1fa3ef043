//! `shops`: each shop's name, currency, key material, program and allowed origins.

use super::{Db, ShopTx};
use crate::error::AppResult;

/// A shop row as stored; the program and origins are JSON text.
pub struct ShopRow {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub locale: String,
    pub secret_key_sha256: String,
    pub signing_key: String,
    pub program_json: String,
    pub allowed_origins_json: String,
}

/// The key before the last rotation and when it stops working.
pub struct PreviousKey {
    pub secret_key_sha256: String,
    pub signing_key: String,
    pub expires_at: i64,
}

pub async fn find(db: &Db, shop_id: &str) -> AppResult<Option<(ShopRow, Option<PreviousKey>)>> {
    #[allow(clippy::type_complexity)]
    let row: Option<(
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<i64>,
    )> = sqlx::query_as(
        "SELECT id, name, currency, locale, secret_key_sha256, signing_key, program_json,
                allowed_origins_json, previous_secret_key_sha256, previous_signing_key,
                previous_key_expires_at FROM shops WHERE id = $1",
    )
    .bind(shop_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(
        |(
            id,
            name,
            currency,
            locale,
            secret_key_sha256,
            signing_key,
            program,
            origins,
            h,
            s,
            e,
        )| {
            let previous = match (h, s, e) {
                (Some(secret_key_sha256), Some(signing_key), Some(expires_at)) => {
                    Some(PreviousKey {
                        secret_key_sha256,
                        signing_key,
                        expires_at,
                    })
                }
                _ => None,
            };
            (
                ShopRow {
                    id,
                    name,
                    currency,
                    locale,
                    secret_key_sha256,
                    signing_key,
                    program_json: program,
                    allowed_origins_json: origins,
                },
                previous,
            )
        },
    ))
}

/// Replaces the key; the one it replaces keeps working until `previous_expires_at`.
pub async fn rotate_key(
    tx: &mut ShopTx,
    shop_id: &str,
    secret_key_sha256: &str,
    signing_key: &str,
    previous_expires_at: i64,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE shops SET previous_secret_key_sha256 = secret_key_sha256,
             previous_signing_key = signing_key, previous_key_expires_at = $1,
             secret_key_sha256 = $2, signing_key = $3 WHERE id = $4",
    )
    .bind(previous_expires_at)
    .bind(secret_key_sha256)
    .bind(signing_key)
    .bind(shop_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Sets the shop's name, currency and locale.
pub async fn set_profile(
    tx: &mut ShopTx,
    shop_id: &str,
    name: &str,
    currency: &str,
    locale: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE shops SET name = $1, currency = $2, locale = $3 WHERE id = $4")
        .bind(name)
        .bind(currency)
        .bind(locale)
        .bind(shop_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Whether the shop has recorded any order or ledger entry (its currency is then fixed).
pub async fn has_money_history(tx: &mut ShopTx, shop_id: &str) -> AppResult<bool> {
    let any: Option<i64> = sqlx::query_scalar(
        "SELECT 1 WHERE EXISTS (SELECT 1 FROM orders WHERE shop_id = $1)
            OR EXISTS (SELECT 1 FROM ledger_entries WHERE shop_id = $1)",
    )
    .bind(shop_id)
    .fetch_optional(tx.conn())
    .await?;
    Ok(any.is_some())
}

/// Inserts a shop, or (for the demo's fixed id) replaces its name, key and program.
pub async fn upsert(db: &Db, row: &ShopRow, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO shops (id, name, currency, locale, secret_key_sha256, signing_key, program_json,
                            allowed_origins_json, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency,
             locale = excluded.locale, secret_key_sha256 = excluded.secret_key_sha256,
             signing_key = excluded.signing_key, program_json = excluded.program_json,
             allowed_origins_json = excluded.allowed_origins_json",
    )
    .bind(&row.id)
    .bind(&row.name)
    .bind(&row.currency)
    .bind(&row.locale)
    .bind(&row.secret_key_sha256)
    .bind(&row.signing_key)
    .bind(&row.program_json)
    .bind(&row.allowed_origins_json)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}
