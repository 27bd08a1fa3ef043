//! `GET …/reports/summary`: the program at a glance, straight from the ledger; `GET …/reports/insights`.

use std::collections::BTreeMap;

use tally_core::insights::{
    self, FeedbackComment, Insights, NpsMonth, RedeemedSoon, ReferralResults,
};
use tally_core::rules::{self, Held};
use tally_core::timeseries::{format_date, period_start, Interval};
use tally_core::{ActivityKind, OrderChannel, OrdersByChannel, Summary, TierMetric};

// The NPS looks back as far as the spend metric: 365 days.
use super::{expire_points, SPEND_WINDOW_MS};
use crate::clock::{rfc3339, DAY_MS};
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

/// `GET …/reports/insights`: how soon points are spent, referral results, the NPS month by month and the
/// latest comments. Expired points are settled first, as the summary does.
pub async fn insights(db: &Db, shop: &ShopRecord, now: i64) -> AppResult<Insights> {
    use futures_util::TryStreamExt;

    let shop_id = &shop.shop.id;
    for pk in db::reports::customers_with_due_lots(db, shop_id, now).await? {
        expire_points(db, shop, pk, now).await?;
    }
    let mut conn = db.pool.acquire().await?;

    // Points earned in the cohort, in SQL; then only customers who redeemed while a cohort lot could
    // still count, one customer's entries at a time: memory stays that of the largest customer.
    let (from, until) = insights::cohort(now);
    let earned = db::reports::credited(&mut conn, shop_id, from, until).await?;
    let mut redeemed = 0_i64;
    {
        let soon_until = until + insights::SOON_DAYS * DAY_MS;
        let mut rows = db::reports::redeemers_entries(&mut conn, shop_id, from, soon_until);
        let mut current: Option<i64> = None;
        let mut entries = Vec::new();
        let mut ignored = 0_i64;
        while let Some((pk, redeem, points, at)) = rows.try_next().await? {
            if current != Some(pk) {
                insights::redeemed_soon(
                    entries.drain(..),
                    from,
                    until,
                    &mut ignored,
                    &mut redeemed,
                );
                current = Some(pk);
            }
            entries.push(insights::Entry {
                redeem: redeem == 1,
                points,
                at,
            });
        }
        insights::redeemed_soon(entries, from, until, &mut ignored, &mut redeemed);
    }

    let (completed, advocates, advocate_points, friend_points, friends_revenue_minor, refused) =
        db::reports::referral_results(&mut conn, shop_id).await?;

    // The last 12 calendar months, this one included.
    let today = now.div_euclid(DAY_MS);
    let mut month = period_start(Interval::Month, today);
    let mut months = vec![month];
    while months.len() < insights::NPS_MONTHS {
        month = period_start(Interval::Month, month - 1);
        months.push(month);
    }
    months.reverse();
    let answers = db::reports::feedback_by_day(&mut conn, shop_id, months[0] * DAY_MS).await?;
    let nps_by_month = months
        .iter()
        .map(|&start| {
            let counts = answers
                .iter()
                .filter(|(day, _, _)| period_start(Interval::Month, *day) == start)
                .map(|&(_, score, n)| (score, n));
            let nps = rules::nps(counts);
            NpsMonth {
                start: format_date(start),
                score: nps.score,
                responses: nps.responses,
            }
        })
        .collect();
    let latest_comments =
        db::reports::latest_comments(&mut conn, shop_id, insights::LATEST_COMMENTS as i64)
            .await?
            .into_iter()
            .map(|(customer_id, score, comment, at)| FeedbackComment {
                customer_id,
                score,
                comment,
                created_at: rfc3339(at),
            })
            .collect();
    Ok(Insights {
        redeemed_within_90_days: RedeemedSoon {
            cohort_from: format_date(from / DAY_MS),
            cohort_to: format_date(until / DAY_MS - 1),
            earned,
            redeemed,
        },
        referrals: ReferralResults {
            completed,
            advocates,
            advocate_points,
            friend_points,
            friends_revenue_minor,
            refused,
        },
        nps_by_month,
        latest_comments,
    })
}
