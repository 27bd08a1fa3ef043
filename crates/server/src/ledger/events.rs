//! The ledger's webhook events, each recorded in the write transaction of the change it reports
//! (`db::events`): a change and its event commit or roll back together.

use serde_json::json;
use tally_core::rules;
use tally_core::webhooks::EventType;
use tally_core::{DiscountCode, Redemption, TierMetric};

use super::{CustomerTx, Posting};
use crate::db::{self, customers::CustomerRow, LockedTx};
use crate::error::AppResult;
use crate::shops::ShopRecord;

/// `customer.enrolled`, when the customer row is created.
pub async fn customer_enrolled(ctx: &mut CustomerTx<'_>) -> AppResult<()> {
    let data = json!({"customer_id": ctx.customer.customer_id});
    let (shop_id, now) = (&ctx.shop.shop.id, ctx.now);
    db::events::record(ctx.tx(), shop_id, EventType::CustomerEnrolled, &data, now).await?;
    Ok(())
}

/// A ledger entry was appended: `points.changed`, and `tier.changed` when the program ranks by
/// lifetime points and this entry moved the customer across a threshold (no query needed).
pub async fn entry_posted(
    tx: &mut LockedTx,
    shop: &ShopRecord,
    customer: &CustomerRow,
    entry_id: i64,
    posting: &Posting,
    lifetime_before: i64,
    now: i64,
) -> AppResult<()> {
    let data = json!({"customer_id": customer.customer_id, "entry_id": entry_id.to_string(),
                      "kind": posting.kind.as_str(), "points": posting.points, "balance": customer.balance});
    db::events::record(tx, &shop.shop.id, EventType::PointsChanged, &data, now).await?;
    if shop.rules.tier_metric == TierMetric::Points {
        let after = customer.lifetime_points;
        tier_moved(tx, shop, &customer.customer_id, lifetime_before, after, now).await?;
    }
    Ok(())
}

/// The customer's spend moved (an order or a refund): `tier.changed` if the program ranks by spend and
/// the tier is not the same at `before` and `after`.
pub async fn spend_moved(ctx: &mut CustomerTx<'_>, before: i64, after: i64) -> AppResult<()> {
    if ctx.shop.rules.tier_metric == TierMetric::Spend {
        let (shop, now) = (ctx.shop, ctx.now);
        let customer_id = ctx.customer.customer_id.clone();
        tier_moved(ctx.tx(), shop, &customer_id, before, after, now).await?;
    }
    Ok(())
}

async fn tier_moved(
    tx: &mut LockedTx,
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
        db::events::record(tx, &shop.shop.id, EventType::TierChanged, &data, now).await?;
    }
    Ok(())
}

/// `reward.redeemed` with the redemption as the shopper sees it.
pub async fn reward_redeemed(ctx: &mut CustomerTx<'_>, redemption: &Redemption) -> AppResult<()> {
    let data = json!({"customer_id": ctx.customer.customer_id, "redemption": redemption});
    let (shop_id, now) = (&ctx.shop.shop.id, ctx.now);
    db::events::record(ctx.tx(), shop_id, EventType::RewardRedeemed, &data, now).await?;
    Ok(())
}

/// `referral.completed`, when a friend's first order awards the referral (once per friend).
pub async fn referral_completed(
    ctx: &mut CustomerTx<'_>,
    advocate_id: &str,
    order_id: &str,
) -> AppResult<()> {
    let data = json!({"advocate_id": advocate_id, "friend_id": ctx.customer.customer_id,
                      "order_id": order_id});
    let (shop_id, now) = (&ctx.shop.shop.id, ctx.now);
    db::events::record(ctx.tx(), shop_id, EventType::ReferralCompleted, &data, now).await?;
    Ok(())
}

/// `code.used` or `code.cancelled`, with the code as the checkout sees it.
pub async fn code_closed(
    ctx: &mut CustomerTx<'_>,
    event: EventType,
    code: &DiscountCode,
) -> AppResult<()> {
    let data = json!({ "code": code });
    let (shop_id, now) = (&ctx.shop.shop.id, ctx.now);
    db::events::record(ctx.tx(), shop_id, event, &data, now).await?;
    Ok(())
}

/// `points.expiring`, once per lot, seven days before it expires.
pub async fn points_expiring(
    ctx: &mut CustomerTx<'_>,
    points: i64,
    expires_at: &str,
) -> AppResult<()> {
    let data = json!({"customer_id": ctx.customer.customer_id, "points": points,
                      "expires_at": expires_at});
    let (shop_id, now) = (&ctx.shop.shop.id, ctx.now);
    db::events::record(ctx.tx(), shop_id, EventType::PointsExpiring, &data, now).await?;
    Ok(())
}

/// `membership.started` (a purchase, also one that extends a running membership) or
/// `membership.ended` (on time, or cancelled), with the membership's end.
pub async fn membership(
    ctx: &mut CustomerTx<'_>,
    event: EventType,
    tier_id: &str,
    expires_at: i64,
) -> AppResult<()> {
    let data = json!({"customer_id": ctx.customer.customer_id, "tier_id": tier_id,
                      "expires_at": crate::clock::rfc3339(expires_at)});
    let (shop_id, now) = (&ctx.shop.shop.id, ctx.now);
    db::events::record(ctx.tx(), shop_id, event, &data, now).await?;
    Ok(())
}

/// `feedback.received`.
pub async fn feedback_received(ctx: &mut CustomerTx<'_>, score: i64) -> AppResult<()> {
    let data = json!({"customer_id": ctx.customer.customer_id, "score": score});
    let (shop_id, now) = (&ctx.shop.shop.id, ctx.now);
    db::events::record(ctx.tx(), shop_id, EventType::FeedbackReceived, &data, now).await?;
    Ok(())
}
