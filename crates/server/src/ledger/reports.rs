//! `GET …/reports/summary`: the program at a glance, straight from the ledger.

use std::collections::BTreeMap;

use tally_core::rules::{self, Held};
use tally_core::{ActivityKind, OrderChannel, OrdersByChannel, Summary, TierMetric};

// The NPS looks back as far as the spend metric: 365 days.
use super::{expire_points, SPEND_WINDOW_MS};
use crate::db::{self, Db};
use crate::error::AppResult;
use crate::shops::ShopRecord;

/// The summary, after expiring every due lot of the shop so it agrees with `/me`.
pub async fn summary(db: &Db, shop: &ShopRecord, now: i64) -> AppResult<Summary> {
    let shop_id = &shop.shop.id;
    for pk in db::reports::customers_with_due_lots(db, shop_id, now).await? {
        expire_points(db, shop, pk, now).await?;
    }

    let mut conn = db.pool.acquire().await?;
    let (members, outstanding) = db::reports::members(&mut conn, shop_id).await?;
    let mut issued: i64 = 0;
    let mut redeemed: i64 = 0;
    let mut expired: i64 = 0;
    for (kind, credits, debits) in db::reports::points_by_kind(&mut conn, shop_id).await? {
        issued = issued.saturating_add(credits);
        match kind.parse() {
            Ok(ActivityKind::Redeem) => redeemed = redeemed.saturating_sub(debits),
            Ok(ActivityKind::Expire) => expired = expired.saturating_sub(debits),
            _ => {}
        }
    }
    let (redemption_count, redeemers) = db::reports::redemptions(&mut conn, shop_id).await?;

    let mut members_by_tier: BTreeMap<String, i64> =
        shop.rules.tiers.iter().map(|t| (t.id.clone(), 0)).collect();
    let customers = db::reports::lifetime_points(&mut conn, shop_id).await?;
    let spend = match shop.rules.tier_metric {
        TierMetric::Points => Default::default(),
        TierMetric::Spend => {
            db::reports::spend_by_customer(&mut conn, shop_id, now - SPEND_WINDOW_MS, now).await?
        }
    };
    for (pk, lifetime, membership_tier, membership_expires_at) in customers {
        let metric = match shop.rules.tier_metric {
            TierMetric::Points => lifetime,
            TierMetric::Spend => spend.get(&pk).copied().unwrap_or(0),
        };
        let earned = rules::tier_standing(&shop.rules.tiers, metric).current;
        let membership = match (&membership_tier, membership_expires_at) {
            (Some(tier_id), Some(expires_at)) => Some(Held {
                tier_id,
                expires_at,
            }),
            _ => None,
        };
        if let Some(tier) = rules::effective_tier(&shop.rules.tiers, earned, membership, now) {
            *members_by_tier.entry(tier.id.clone()).or_insert(0) += 1;
        }
    }
    let mut orders_by_channel = OrdersByChannel::default();
    for (channel, orders) in db::reports::orders_by_channel(&mut conn, shop_id).await? {
        match channel.parse() {
            Ok(OrderChannel::Pos) => orders_by_channel.pos += orders,
            _ => orders_by_channel.online += orders,
        }
    }
    let answers = db::feedback::scores_since(&mut conn, shop_id, now - SPEND_WINDOW_MS).await?;
    let nps = rules::nps(answers);
    Ok(Summary {
        members,
        points_issued: issued,
        points_redeemed: redeemed,
        points_expired: expired,
        points_outstanding: outstanding,
        redemptions: redemption_count,
        redemption_rate: if members > 0 {
            redeemers as f64 / members as f64
        } else {
            0.0
        },
        members_by_tier,
        orders_by_channel,
        nps,
    })
}
