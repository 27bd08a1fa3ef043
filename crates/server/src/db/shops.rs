//! `shops`: each shop's name, currency, key material, program and allowed origins.

use super::Db;
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

pub async fn find(db: &Db, shop_id: &str) -> AppResult<Option<ShopRow>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, name, currency, locale, secret_key_sha256, signing_key, program_json,
                allowed_origins_json FROM shops WHERE id = $1",
    )
    .bind(shop_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(
        |(id, name, currency, locale, secret_key_sha256, signing_key, program, origins)| ShopRow {
            id,
            name,
            currency,
            locale,
            secret_key_sha256,
            signing_key,
            program_json: program,
            allowed_origins_json: origins,
        },
    ))
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

pub async fn set_program(
    db: &Db,
    shop_id: &str,
    program_json: &str,
    allowed_origins_json: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE shops SET program_json = $1, allowed_origins_json = $2 WHERE id = $3")
        .bind(program_json)
        .bind(allowed_origins_json)
        .bind(shop_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
