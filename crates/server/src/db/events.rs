//! `events`: the webhook outbox. An event is written inside the transaction of the change it reports,
//! so the change and its event commit or roll back together; `webhooks::worker` delivers them.

use serde_json::Value;
use sqlx::AnyConnection;
use tally_core::ids::ID_ALPHABET;
use tally_core::webhooks::EventType;

use super::LockedTx;
use crate::error::AppResult;
use crate::shops::random_string;

/// A new event id, `evt_` and 24 random letters and digits (~124 bits).
pub fn new_event_id() -> String {
    format!("evt_{}", random_string(ID_ALPHABET, 24))
}

/// Records an event in a customer's write transaction; returns its id (the deliveries' `webhook-id`).
pub async fn record(
    tx: &mut LockedTx,
    shop_id: &str,
    event: EventType,
    data: &Value,
    now: i64,
) -> AppResult<String> {
    let id = new_event_id();
    insert(tx.conn(), &id, shop_id, event, data, now, false).await?;
    Ok(id)
}

/// Inserts an event row; `dispatched` when the caller creates its deliveries itself (the test event).
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    shop_id: &str,
    event: EventType,
    data: &Value,
    now: i64,
    dispatched: bool,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO events (id, shop_id, type, data, created_at, dispatched)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(shop_id)
    .bind(event.as_str())
    .bind(serde_json::to_string(data)?)
    .bind(now)
    .bind(i64::from(dispatched))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
