//! What `tally-server check` (and every ledger test) reads: one shop's customers, entries and lots, in
//! the order the rules in `ledger::check` walk them. A database to check is opened without migrating it.

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

use crate::error::{AppError, AppResult};

/// A customer's stored totals.
#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub id: i64,
    pub customer_id: String,
    pub balance: i64,
    pub debt: i64,
}

/// One ledger entry.
#[derive(Debug, Clone)]
pub struct EntryRow {
    pub id: i64,
    pub customer_pk: i64,
    pub kind: String,
    pub points: i64,
    pub balance_after: i64,
}

/// One lot of earned points.
#[derive(Debug, Clone)]
pub struct LotRow {
    pub id: i64,
    pub customer_pk: i64,
    pub points: i64,
    pub remaining: i64,
    pub expires_at: Option<i64>,
}

/// An existing database, as it is: a SQLite file is not created and no migration runs.
pub async fn open(database_url: &str) -> AppResult<AnyPool> {
    sqlx::any::install_default_drivers();
    let url = if database_url.starts_with("sqlite:") && !database_url.contains("mode=") {
        let joiner = if database_url.contains('?') { '&' } else { '?' };
        format!("{database_url}{joiner}mode=rw")
    } else {
        database_url.to_owned()
    };
    let pool = AnyPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .map_err(|e| AppError::Invalid(format!("database-url: cannot open {database_url}: {e}")))?;
    let migrated: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT MAX(version) FROM tally_migrations")
            .fetch_one(&pool)
            .await;
    match migrated {
        Ok(Some(_)) => Ok(pool),
        _ => Err(AppError::Invalid(format!(
            "database-url: {database_url} is not a Tally database (no migrations applied)"
        ))),
    }
}

pub async fn shop_ids(pool: &AnyPool) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar("SELECT id FROM shops ORDER BY id")
        .fetch_all(pool)
        .await?)
}

pub async fn customers(pool: &AnyPool, shop_id: &str) -> AppResult<Vec<CustomerRow>> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, customer_id, balance, debt FROM customers WHERE shop_id = $1 ORDER BY id",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, customer_id, balance, debt)| CustomerRow {
            id,
            customer_id,
            balance,
            debt,
        })
        .collect())
}

/// Per customer, oldest first.
pub async fn entries(pool: &AnyPool, shop_id: &str) -> AppResult<Vec<EntryRow>> {
    let rows: Vec<(i64, i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, customer_pk, kind, points, balance_after FROM ledger_entries
         WHERE shop_id = $1 ORDER BY customer_pk, id",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, customer_pk, kind, points, balance_after)| EntryRow {
            id,
            customer_pk,
            kind,
            points,
            balance_after,
        })
        .collect())
}

pub async fn lots(pool: &AnyPool, shop_id: &str) -> AppResult<Vec<LotRow>> {
    let rows: Vec<(i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT l.id, l.customer_pk, l.points, l.remaining, l.expires_at FROM point_lots l
         JOIN customers c ON c.id = l.customer_pk WHERE c.shop_id = $1 ORDER BY l.customer_pk, l.id",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, customer_pk, points, remaining, expires_at)| LotRow {
            id,
            customer_pk,
            points,
            remaining,
            expires_at,
        })
        .collect())
}

/// Whether the database has the daily totals (migration 9) that reports over time read.
pub async fn has_daily_totals(pool: &AnyPool) -> AppResult<bool> {
    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tally_migrations WHERE version = 9")
        .fetch_one(pool)
        .await?;
    Ok(found > 0)
}
