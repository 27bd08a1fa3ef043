//! `idempotency_keys`: the first answer of every keyed write, replayed to its retries.

use sqlx::AnyConnection;

use super::{Db, LockedTx};
use crate::error::AppResult;

/// The column predates the ledger's outcomes: every stored answer is the answer of a creation, and
/// rows keep saying so (HTTP's 201) for any reader of older databases.
const STORED_STATUS: i64 = 201;

/// Where a key is unique: the shop, a scope (`order`, `redemption:{customer}`, …) and the key.
pub struct KeyRef<'a> {
    pub shop_id: &'a str,
    pub scope: &'a str,
    pub key: &'a str,
}

/// The request hash and the answer stored under a key, if any.
async fn find(conn: &mut AnyConnection, key: &KeyRef<'_>) -> AppResult<Option<(String, String)>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT request_sha256, response_json FROM idempotency_keys
         WHERE shop_id = $1 AND scope = $2 AND idem_key = $3",
    )
    .bind(key.shop_id)
    .bind(key.scope)
    .bind(key.key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row)
}

/// [`find`] inside a locked write transaction.
pub async fn find_locked(
    tx: &mut LockedTx,
    key: &KeyRef<'_>,
) -> AppResult<Option<(String, String)>> {
    find(tx.conn(), key).await
}

/// [`find`] outside any transaction, after losing a race to a concurrent write of the same key.
pub async fn find_committed(db: &Db, key: &KeyRef<'_>) -> AppResult<Option<(String, String)>> {
    let mut conn = db.pool.acquire().await?;
    find(&mut conn, key).await
}

/// Stores the first answer under a key; a unique violation means a concurrent write of the key won.
pub async fn store(
    tx: &mut LockedTx,
    key: &KeyRef<'_>,
    request_sha256: &str,
    response_json: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (shop_id, scope, idem_key, request_sha256, status, response_json,
                                       created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(key.shop_id)
    .bind(key.scope)
    .bind(key.key)
    .bind(request_sha256)
    .bind(STORED_STATUS)
    .bind(response_json)
    .bind(now)
    .execute(tx.conn())
    .await?;
    Ok(())
}
