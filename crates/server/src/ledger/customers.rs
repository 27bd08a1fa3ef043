//! Customers as they stand: brought up to date (enrolment, lazy expiry) before they are read, their
//! `/me` view, their profile and their history.

use tally_core::rules;
use tally_core::{
    Activity, ActivityPage, CustomerId, CustomerUpdate, ExpiringPoints, Me, NextTier,
    ReferralStatus, TierMetric, TierRef,
};

use super::{customer_write, Whom, EXPIRING_WINDOW_MS, SPEND_WINDOW_MS};
use crate::clock::rfc3339;
use crate::db::{self, Db};
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
    let pk = customer_write(db, shop, Whom::Id(customer_id), now, |ctx| {
        Box::pin(async move { Ok(ctx.customer.pk) })
    })
    .await?;
    Ok(Some(pk))
}

/// Turns the customer's lots due at `now` into `expire` entries (the points-expiry job's step, and the
/// report's before it sums), without anyone reading the customer.
pub async fn expire_points(db: &Db, shop: &ShopRecord, pk: i64, now: i64) -> AppResult<()> {
    customer_write(db, shop, Whom::Pk(pk), now, |_| Box::pin(async { Ok(()) })).await
}

/// The shape of `/me` and `GET …/customers/{id}` for a settled customer.
pub async fn customer_view(db: &Db, shop: &ShopRecord, pk: i64, now: i64) -> AppResult<Me> {
    let mut conn = db.pool.acquire().await?;
    let standing = db::customers::standing(&mut conn, pk, now - SPEND_WINDOW_MS, now).await?;
    let customer = standing.customer;
    let metric = match shop.rules.tier_metric {
        TierMetric::Spend => standing.spend,
        TierMetric::Points => customer.lifetime_points,
    };
    let tiers = rules::tier_standing(&shop.rules.tiers, metric);
    let expiring = db::lots::expiring(&mut conn, pk, now, now + EXPIRING_WINDOW_MS).await?;
    let landing = &shop.rules.referral.landing_url;
    let separator = if landing.contains('?') { '&' } else { '?' };
    Ok(Me {
        customer_id: customer.customer_id,
        first_name: customer.first_name,
        balance: customer.balance,
        lifetime_points: customer.lifetime_points,
        tier: tiers.current.map(|t| TierRef {
            id: t.id.clone(),
            name: t.name.clone(),
        }),
        next_tier: tiers.next.map(|t| NextTier {
            id: t.id.clone(),
            name: t.name.clone(),
            threshold: t.threshold,
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
        expiring: expiring
            .into_iter()
            .map(|(points, expires_at)| ExpiringPoints {
                points,
                expires_at: rfc3339(expires_at),
            })
            .collect(),
    })
}

/// `PATCH …/customers/{id}`: sets the given profile fields, enrolling the customer if new.
pub async fn update_customer(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    update: &CustomerUpdate,
    now: i64,
) -> AppResult<i64> {
    customer_write(db, shop, Whom::Id(customer_id), now, |ctx| {
        Box::pin(async move {
            let pk = ctx.customer.pk;
            db::customers::set_profile(
                ctx.tx(),
                pk,
                update.first_name.as_deref(),
                update.email.as_deref(),
                update.birthday.as_deref(),
            )
            .await?;
            Ok(pk)
        })
    })
    .await
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
    Ok(ActivityPage { items, next })
}
