//! The outbox: an event is a row written inside the transaction of the change it reports, so a change
//! and its event commit or roll back together, across kill -9 and restarts. The worker delivers them.

use serde_json::{json, Value};
use sqlx::AnyConnection;
use tally_core::api::{ActivityKind, Redemption, TierMetric};
use tally_core::rules;
use tally_core::webhooks::EventType;

use crate::error::AppResult;
use crate::shops::{random_string, ShopRecord};

const ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A new event id, `evt_` and 24 random letters and digits (~124 bits).
pub fn new_event_id() -> String {
    format!("evt_{}", random_string(ID_ALPHABET, 24))
}

/// Records an event in the caller's transaction; returns its id (the deliveries' `webhook-id`).
pub async fn record(
    conn: &mut AnyConnection,
    shop_id: &str,
    event: EventType,
    data: Value,
    now_ms: i64,
) -> AppResult<String> {
    insert(conn, &new_event_id(), shop_id, event, &data, now_ms, false).await
}

/// Inserts an event row; `dispatched` when the caller creates its deliveries itself (the test event).
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    shop_id: &str,
    event: EventType,
    data: &Value,
    now_ms: i64,
    dispatched: bool,
) -> AppResult<String> {
    sqlx::query(
        "INSERT INTO events (id, shop_id, type, data, created_at, dispatched)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(shop_id)
    .bind(event.as_str())
    .bind(serde_json::to_string(data)?)
    .bind(now_ms)
    .bind(i64::from(dispatched))
    .execute(&mut *conn)
    .await?;
    Ok(id.to_owned())
}

// ---------------------------------------------------------------------------------------------------
// The ledger's events: one call each from crate::ledger, inside its write transaction.

/// `customer.enrolled`, when the customer row is created.
pub async fn customer_enrolled(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer_id: &str,
    now: i64,
) -> AppResult<()> {
    let data = json!({"customer_id": customer_id});
    record(conn, &shop.shop.id, EventType::CustomerEnrolled, data, now).await?;
    Ok(())
}

/// A ledger entry was appended: `points.changed`, and `tier.changed` when the program ranks by
/// lifetime points and this entry moved the customer across a threshold (no query needed).
#[allow(clippy::too_many_arguments)]
pub async fn entry_posted(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer_id: &str,
    entry_id: i64,
    kind: ActivityKind,
    points: i64,
    balance: i64,
    lifetime_before: i64,
    lifetime_after: i64,
    now: i64,
) -> AppResult<()> {
    let data = json!({"customer_id": customer_id, "entry_id": entry_id.to_string(),
                      "kind": kind.as_str(), "points": points, "balance": balance});
    record(conn, &shop.shop.id, EventType::PointsChanged, data, now).await?;
    if shop.rules.tier_metric == TierMetric::Points {
        tier_moved(
            conn,
            shop,
            customer_id,
            lifetime_before,
            lifetime_after,
            now,
        )
        .await?;
    }
    Ok(())
}

/// The customer's spend moved (an order or a refund): `tier.changed` if the program ranks by spend and
/// the tier is not the same at `before` and `after`.
pub async fn spend_moved(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer_id: &str,
    before: i64,
    after: i64,
    now: i64,
) -> AppResult<()> {
    if shop.rules.tier_metric == TierMetric::Spend {
        tier_moved(conn, shop, customer_id, before, after, now).await?;
    }
    Ok(())
}

async fn tier_moved(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer_id: &str,
    before: i64,
    after: i64,
    now: i64,
) -> AppResult<()> {
    let tier_at = |metric| {
        rules::tier_standing(&shop.rules.tiers, metric)
            .current
            .map(|t| t.id.clone())
    };
    let (from, to) = (tier_at(before), tier_at(after));
    if from != to {
        let data = json!({"customer_id": customer_id, "from": from, "to": to});
        record(conn, &shop.shop.id, EventType::TierChanged, data, now).await?;
    }
    Ok(())
}

/// `reward.redeemed` with the redemption as the shopper sees it.
pub async fn reward_redeemed(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer_id: &str,
    redemption: &Redemption,
    now: i64,
) -> AppResult<()> {
    let data = json!({"customer_id": customer_id, "redemption": redemption});
    record(conn, &shop.shop.id, EventType::RewardRedeemed, data, now).await?;
    Ok(())
}

/// `referral.completed`, when a friend's first order awards the referral (once per friend).
pub async fn referral_completed(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    advocate_pk: i64,
    friend_id: &str,
    order_id: &str,
    now: i64,
) -> AppResult<()> {
    // One extra read, only on the rare first order that completes a referral.
    let advocate_id: String = sqlx::query_scalar("SELECT customer_id FROM customers WHERE id = $1")
        .bind(advocate_pk)
        .fetch_one(&mut *conn)
        .await?;
    let data = json!({"advocate_id": advocate_id, "friend_id": friend_id, "order_id": order_id});
    record(conn, &shop.shop.id, EventType::ReferralCompleted, data, now).await?;
    Ok(())
}
