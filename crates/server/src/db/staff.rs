//! `staff`, `staff_shops`, `staff_sessions`, `sign_in_failures`: who may sign in to the console, where,
//! as what, and for how long.

use super::{Db, ShopTx};
use crate::error::AppResult;

/// A staff member as stored.
pub struct StaffRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
}

/// A shop membership: a shop a staff member works for, with its name and their role.
pub struct MembershipRow {
    pub shop_id: String,
    pub shop_name: String,
    pub role: String,
}

/// A member of one shop's staff.
pub struct MemberRow {
    pub id: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

/// A session as stored (found by the SHA-256 of its token).
pub struct SessionRow {
    pub staff_id: String,
    pub email: String,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn find_by_email(db: &Db, email: &str) -> AppResult<Option<StaffRow>> {
    let row: Option<(String, String, String)> =
        sqlx::query_as("SELECT id, email, password_hash FROM staff WHERE email = $1")
            .bind(email)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(id, email, password_hash)| StaffRow {
        id,
        email,
        password_hash,
    }))
}

pub async fn insert(
    tx: &mut ShopTx,
    id: &str,
    email: &str,
    password_hash: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("INSERT INTO staff (id, email, password_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(email)
        .bind(password_hash)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_password(tx: &mut ShopTx, staff_id: &str, password_hash: &str) -> AppResult<()> {
    sqlx::query("UPDATE staff SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(staff_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The role of a staff member in a shop, if they work there.
pub async fn role_in(db: &Db, staff_id: &str, shop_id: &str) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT role FROM staff_shops WHERE staff_id = $1 AND shop_id = $2")
            .bind(staff_id)
            .bind(shop_id)
            .fetch_optional(&db.pool)
            .await?,
    )
}

pub async fn role_in_tx(
    tx: &mut ShopTx,
    staff_id: &str,
    shop_id: &str,
) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT role FROM staff_shops WHERE staff_id = $1 AND shop_id = $2")
            .bind(staff_id)
            .bind(shop_id)
            .fetch_optional(tx.conn())
            .await?,
    )
}

pub async fn add_membership(
    tx: &mut ShopTx,
    staff_id: &str,
    shop_id: &str,
    role: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO staff_shops (staff_id, shop_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(staff_id)
    .bind(shop_id)
    .bind(role)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Removes a membership; true if there was one.
pub async fn remove_membership(tx: &mut ShopTx, staff_id: &str, shop_id: &str) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM staff_shops WHERE staff_id = $1 AND shop_id = $2")
        .bind(staff_id)
        .bind(shop_id)
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn count_role(tx: &mut ShopTx, shop_id: &str, role: &str) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM staff_shops WHERE shop_id = $1 AND role = $2")
            .bind(shop_id)
            .bind(role)
            .fetch_one(tx.conn())
            .await?,
    )
}

/// The shops a staff member works for, by name.
pub async fn memberships(db: &Db, staff_id: &str) -> AppResult<Vec<MembershipRow>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT m.shop_id, s.name, m.role FROM staff_shops m JOIN shops s ON s.id = m.shop_id
         WHERE m.staff_id = $1 ORDER BY s.name, m.shop_id",
    )
    .bind(staff_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(shop_id, shop_name, role)| MembershipRow {
            shop_id,
            shop_name,
            role,
        })
        .collect())
}

/// A shop's staff, oldest first.
pub async fn members(db: &Db, shop_id: &str) -> AppResult<Vec<MemberRow>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT s.id, s.email, m.role, m.created_at FROM staff_shops m JOIN staff s ON s.id = m.staff_id
         WHERE m.shop_id = $1 ORDER BY m.created_at, s.email",
    )
    .bind(shop_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, email, role, created_at)| MemberRow {
            id,
            email,
            role,
            created_at,
        })
        .collect())
}

pub async fn email_of(tx: &mut ShopTx, staff_id: &str) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar("SELECT email FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_optional(tx.conn())
        .await?)
}

pub async fn insert_session(
    db: &Db,
    token_sha256: &str,
    staff_id: &str,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO staff_sessions (token_sha256, staff_id, csrf_token, created_at, last_seen_at,
                                     expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(token_sha256)
    .bind(staff_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn find_session(db: &Db, token_sha256: &str) -> AppResult<Option<SessionRow>> {
    let row: Option<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT s.staff_id, t.email, s.csrf_token, s.last_seen_at, s.expires_at
         FROM staff_sessions s JOIN staff t ON t.id = s.staff_id WHERE s.token_sha256 = $1",
    )
    .bind(token_sha256)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(
        |(staff_id, email, csrf_token, last_seen_at, expires_at)| SessionRow {
            staff_id,
            email,
            csrf_token,
            last_seen_at,
            expires_at,
        },
    ))
}

pub async fn touch_session(db: &Db, token_sha256: &str, now: i64) -> AppResult<()> {
    sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE token_sha256 = $2")
        .bind(now)
        .bind(token_sha256)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, token_sha256: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM staff_sessions WHERE token_sha256 = $1")
        .bind(token_sha256)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Deletes every session that ended by `now` (absolute end, or idle since `idle_since`).
pub async fn delete_ended_sessions(db: &Db, now: i64, idle_since: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(idle_since)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends every session of a staff member (removed from a shop, or their password changed).
pub async fn delete_sessions_of(tx: &mut ShopTx, staff_id: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = $1")
        .bind(staff_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Failed sign-ins of an email since `since`, and the oldest of them.
pub async fn failures_since(db: &Db, email: &str, since: i64) -> AppResult<(i64, Option<i64>)> {
    let row: (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(failed_at) FROM sign_in_failures WHERE email = $1 AND failed_at > $2",
    )
    .bind(email)
    .bind(since)
    .fetch_one(&db.pool)
    .await?;
    Ok(row)
}

pub async fn record_failure(db: &Db, email: &str, now: i64) -> AppResult<()> {
    sqlx::query("INSERT INTO sign_in_failures (email, failed_at) VALUES ($1, $2)")
        .bind(email)
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets an email's failures (after a successful sign-in) and everyone's older than `before`.
pub async fn clear_failures(db: &Db, email: &str, before: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE email = $1 OR failed_at < $2")
        .bind(email)
        .bind(before)
        .execute(&db.pool)
        .await?;
    Ok(())
}
