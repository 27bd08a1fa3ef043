//! Customers as they stand: brought up to date (enrolment, lazy expiry) before they are read, their
//! `/me` view, their profile and their history.

use tally_core::rules::{self, DAY_MS};
use tally_core::{
    Activity, ActivityNote, ActivityPage, CustomerId, CustomerListItem, CustomerPage,
    CustomerUpdate, ExpiringPoints, Me, MembershipRef, NextTier, ReferralStatus, TierMetric,
    TierRef,
};

use super::limits::Limited;
use super::{customer_write, held_tier, Whom, EXPIRING_WINDOW_MS, SPEND_WINDOW_MS};
use crate::clock::rfc3339;
use crate::db::customers::{CustomerStanding, Profile, Search, StandingOf, StandingWindow};
use crate::db::{self, is_unique_violation, Db};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// Brings a customer up to date (enrolment if `enrol`, lazy expiry) and returns their row key;
/// `None` when not enrolled and `enrol` is false. Takes a write transaction only when something changes.
pub async fn settle_customer(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    enrol: bool,
    now: i64,
) -> AppResult<Option<i64>> {
    match db::customers::find_with_due_lots(db, &shop.shop.id, customer_id, now).await? {
        Some((pk, 0)) => return Ok(Some(pk)),
        Some(_) => {}
        None if !enrol => return Ok(None),
        None => {}
    }
    Ok(Some(settle(db, shop, customer_id, now).await?))
}

/// Enrols the customer if new and expires their due lots: the write before a settled read.
async fn settle(db: &Db, shop: &ShopRecord, customer_id: &CustomerId, now: i64) -> AppResult<i64> {
    customer_write(db, shop, Whom::Id(customer_id), now, |ctx| {
        Box::pin(async move { Ok(ctx.customer.pk) })
    })
    .await
}

/// Turns the customer's lots due at `now` into `expire` entries (the points-expiry job's step, and the
/// report's before it sums), without anyone reading the customer.
pub async fn expire_points(db: &Db, shop: &ShopRecord, pk: i64, now: i64) -> AppResult<()> {
    customer_write(db, shop, Whom::Pk(pk), now, |_| Box::pin(async { Ok(()) })).await
}

/// `/me` and `GET …/customers/{id}`: the customer as they stand at `now`, settled first (enrolment if
/// `enrol`, lazy expiry); `None` when not enrolled and `enrol` is false. One round trip when there is
/// nothing to settle (the usual case); otherwise the write, then the read.
pub async fn settled_view(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    enrol: bool,
    now: i64,
) -> AppResult<Option<Me>> {
    let limited = super::limits::limited(shop, now);
    let usage: Vec<_> = limited.iter().map(|l| l.usage).collect();
    let of = StandingOf::Id {
        shop_id: &shop.shop.id,
        customer_id,
    };
    match db::customers::standing(db, of, window(now), &usage).await? {
        Some(standing) if standing.due_lots == 0 => {
            return Ok(Some(view(shop, standing, &limited, now)))
        }
        Some(_) => {}
        None if !enrol => return Ok(None),
        None => {}
    }
    let pk = settle(db, shop, customer_id, now).await?;
    let standing = db::customers::standing(db, StandingOf::Pk(pk), window(now), &usage)
        .await?
        .ok_or_else(|| AppError::internal("an enrolled customer vanished"))?;
    Ok(Some(view(shop, standing, &limited, now)))
}

/// The shape of `/me` for a settled customer, by row key.
pub async fn customer_view(db: &Db, shop: &ShopRecord, pk: i64, now: i64) -> AppResult<Me> {
    let limited = super::limits::limited(shop, now);
    let usage: Vec<_> = limited.iter().map(|l| l.usage).collect();
    let standing = db::customers::standing(db, StandingOf::Pk(pk), window(now), &usage)
        .await?
        .ok_or_else(|| AppError::internal("an enrolled customer vanished"))?;
    Ok(view(shop, standing, &limited, now))
}

/// What `/me` counts over at `now`: spend over the tier window, lots expiring within 30 days.
fn window(now: i64) -> StandingWindow {
    StandingWindow {
        spend_since: now - SPEND_WINDOW_MS,
        now,
        expiring_until: now + EXPIRING_WINDOW_MS,
    }
}

/// `/me` from what [`db::customers::standing`] read.
fn view(shop: &ShopRecord, standing: CustomerStanding, limited: &[Limited<'_>], now: i64) -> Me {
    let customer = standing.customer;
    let metric = match shop.rules.tier_metric {
        TierMetric::Spend => standing.spend,
        TierMetric::Points => customer.lifetime_points,
    };
    let tiers = rules::tier_standing(&shop.rules.tiers, metric);
    let held = held_tier(shop, &customer, metric, now);
    let membership = match super::membership_of(&customer) {
        Some(m) if rules::membership_active(m.expires_at, now) => Some(MembershipRef {
            tier_id: m.tier_id.to_owned(),
            expires_at: rfc3339(m.expires_at),
        }),
        _ => None,
    };
    let next_feedback_at = match (&shop.rules.feedback, standing.last_feedback_at) {
        (Some(feedback), Some(last)) => {
            let next = last.saturating_add(i64::from(feedback.cooldown_days) * DAY_MS);
            (next > now).then(|| rfc3339(next))
        }
        _ => None,
    };
    let limits = super::limits::usage(limited, &standing.used, now);
    let landing = &shop.rules.referral.landing_url;
    let separator = if landing.contains('?') { '&' } else { '?' };
    Me {
        customer_id: customer.customer_id,
        first_name: customer.first_name,
        balance: customer.balance,
        lifetime_points: customer.lifetime_points,
        tier: held.map(|t| TierRef {
            id: t.id.clone(),
            name: t.name.clone(),
        }),
        next_tier: tiers.next.map(|t| NextTier {
            id: t.id.clone(),
            name: t.name.clone(),
            threshold: t.threshold.unwrap_or(0),
            remaining: tiers.remaining,
        }),
        tier_progress: tiers.progress,
        tier_metric_value: metric,
        referral: ReferralStatus {
            url: format!("{landing}{separator}ref={}", customer.referral_code),
            code: customer.referral_code,
            friends_referred: standing.friends_referred,
            points_earned: standing.referral_points,
        },
        expiring: standing
            .expiring
            .into_iter()
            .map(|(points, expires_at)| ExpiringPoints {
                points,
                expires_at: rfc3339(expires_at),
            })
            .collect(),
        membership,
        limits,
        next_feedback_at,
    }
}

/// `PATCH …/customers/{id}`: sets the given profile fields, enrolling the customer if new. `phone` is
/// already in E.164; another customer of the shop with it is 409 `phone_taken`.
pub async fn update_customer(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    update: &CustomerUpdate,
    now: i64,
) -> AppResult<i64> {
    let taken = || {
        AppError::PhoneTaken(format!(
            "phone: another customer of this shop has {:?}",
            update.phone.as_deref().unwrap_or_default()
        ))
    };
    let result = customer_write(db, shop, Whom::Id(customer_id), now, |ctx| {
        Box::pin(async move {
            let pk = ctx.customer.pk;
            if let Some(phone) = update.phone.as_deref() {
                let owner = db::customers::pk_by_phone(ctx.tx(), &shop.shop.id, phone).await?;
                if owner.is_some_and(|owner| owner != pk) {
                    return Err(taken());
                }
            }
            let profile = Profile {
                first_name: update.first_name.as_deref(),
                email: update.email.as_deref(),
                birthday: update.birthday.as_deref(),
                phone: update.phone.as_deref(),
            };
            db::customers::set_profile(ctx.tx(), pk, &profile).await?;
            Ok(pk)
        })
    })
    .await;
    match result {
        // Two customers given one phone at once: their locks do not exclude each other, the index does.
        Err(e) if update.phone.is_some() && is_unique_violation(&e) => Err(taken()),
        other => other,
    }
}

/// `GET …/customers`: a page of the shop's customers, newest enrolled first, matching `search`. The
/// cursor is the row key of the last customer shown.
pub async fn customer_page(
    db: &Db,
    shop: &ShopRecord,
    search: Option<&Search<'_>>,
    limit: i64,
    before: Option<i64>,
    now: i64,
) -> AppResult<CustomerPage> {
    let rows = db::customers::page(
        db,
        &shop.shop.id,
        search,
        before.unwrap_or(i64::MAX),
        limit + 1,
        now - SPEND_WINDOW_MS,
        now,
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let shown: Vec<_> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let next = if more {
        shown.last().map(|r| r.customer.pk.to_string())
    } else {
        None
    };
    let items = shown
        .into_iter()
        .map(|row| {
            let metric = match shop.rules.tier_metric {
                TierMetric::Spend => row.spend,
                TierMetric::Points => row.customer.lifetime_points,
            };
            let tier = held_tier(shop, &row.customer, metric, now).map(|t| TierRef {
                id: t.id.clone(),
                name: t.name.clone(),
            });
            let c = row.customer;
            CustomerListItem {
                customer_id: c.customer_id,
                first_name: c.first_name,
                email: c.email,
                phone: c.phone,
                balance: c.balance,
                tier,
                enrolled_at: rfc3339(row.enrolled_at),
                last_activity_at: rfc3339(row.last_activity_at),
            }
        })
        .collect();
    Ok(CustomerPage { items, next })
}

/// `GET …/customers/{id}/activity`: the shopper's activity page, and on the first page the referrals
/// refused that concern the customer, with why.
pub async fn merchant_activity_page(
    db: &Db,
    pk: i64,
    limit: i64,
    before: Option<i64>,
) -> AppResult<ActivityPage> {
    let mut page = activity_page(db, pk, limit, before).await?;
    if before.is_none() {
        page.notes = db::referrals::refusals_of(db, pk)
            .await?
            .into_iter()
            .map(|r| ActivityNote {
                kind: "referral_refused".into(),
                message: super::orders::refusal_text(&r.reason),
                reason: r.reason,
                order_id: r.order_id,
                friend_id: r.friend_id,
                advocate_id: r.advocate_id,
                created_at: rfc3339(r.created_at),
            })
            .collect();
    }
    Ok(page)
}

/// `GET …/me/activity`: a page of ledger entries, newest first. The cursor is the id of the last entry
/// shown; the next page holds the entries older than it.
pub async fn activity_page(
    db: &Db,
    pk: i64,
    limit: i64,
    before: Option<i64>,
) -> AppResult<ActivityPage> {
    let rows = db::entries::page(db, pk, before.unwrap_or(i64::MAX), limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<Activity> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|row| {
            Ok(Activity {
                id: row.id.to_string(),
                kind: row.kind.parse().map_err(|e| {
                    AppError::internal(format!("ledger entry {}: {:?}: {e}", row.id, row.kind))
                })?,
                points: row.points,
                balance_after: row.balance_after,
                description: row.description,
                created_at: rfc3339(row.created_at),
            })
        })
        .collect::<AppResult<_>>()?;
    let next = if more {
        items.last().map(|a| a.id.clone())
    } else {
        None
    };
    Ok(ActivityPage {
        items,
        next,
        notes: Vec::new(),
    })
}
