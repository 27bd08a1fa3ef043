//! Memberships: a paid tier bought with an order, renewed (each purchase extends the running membership
//! from its end), cancelled (the whole membership ends now), and ending on time (the `membership_end`
//! job records it). The running membership lives on the customer row; each purchase has its row.

use tally_core::rules;
use tally_core::webhooks::EventType;
use tally_core::{CustomerId, IdempotencyKey, Membership, MembershipRequest};

use super::{customer_write, keyed_write, CustomerTx, Outcome, Step, Whom, WriteKey};
use crate::clock::rfc3339;
use crate::db::memberships::MembershipRow;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// [`buy_membership_as`] without an audit entry (the demo's history, tests).
pub async fn buy_membership(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    request: &MembershipRequest,
    now: i64,
) -> AppResult<Outcome<Membership>> {
    buy_membership_as(db, shop, None, customer_id, request, now).await
}

/// `POST …/customers/{id}/memberships`: buys the paid tier `tier_id` with `order_id` (once per order
/// id: a repeat is [`Outcome::Replayed`]). A tier without `paid` is 400.
pub async fn buy_membership_as(
    db: &Db,
    shop: &ShopRecord,
    actor: Option<&str>,
    customer_id: &CustomerId,
    request: &MembershipRequest,
    now: i64,
) -> AppResult<Outcome<Membership>> {
    let order_id = IdempotencyKey::parse(request.order_id.as_str())
        .map_err(|e| AppError::Invalid(format!("order_id: {e}")))?;
    let tier = shop
        .rules
        .tiers
        .iter()
        .find(|t| t.id == request.tier_id)
        .ok_or_else(|| AppError::Invalid(format!("tier_id: no tier {:?}", request.tier_id)))?;
    let paid = tier.paid.as_ref().ok_or_else(|| {
        AppError::Invalid(format!(
            "tier_id: {:?} is not a paid tier (it has no `paid`)",
            tier.id
        ))
    })?;
    let key = WriteKey::new(
        "order_id",
        "membership",
        &order_id,
        &(customer_id.as_str(), request),
    )?;
    keyed_write(db, shop, Whom::Id(customer_id), &key, now, |ctx| {
        Box::pin(async move {
            record_end_if_due(ctx).await?;
            let (starts_at, expires_at) =
                rules::membership_period(ctx.customer.membership_expires_at, now, paid.period_days);
            let purchase = MembershipRow {
                order_id: request.order_id.clone(),
                customer_pk: ctx.customer.pk,
                tier_id: tier.id.clone(),
                starts_at,
                expires_at,
                cancelled_at: None,
            };
            if !db::memberships::insert(ctx.tx(), &shop.shop.id, &purchase, now).await? {
                return Ok(Step::LostRace);
            }
            let customer = &mut ctx.customer;
            if customer.membership_tier.is_none() {
                customer.membership_started_at = Some(starts_at);
            }
            customer.membership_tier = Some(tier.id.clone());
            customer.membership_expires_at = Some(expires_at);
            let row = ctx.customer.clone();
            db::customers::set_membership(ctx.tx(), &row).await?;
            super::events::membership(ctx, EventType::MembershipStarted, &tier.id, expires_at)
                .await?;
            let target = format!("{customer_id}: {} (order {})", tier.id, request.order_id);
            super::audit(ctx, actor, "membership.created", &target).await?;
            Ok(Step::Wrote(Membership {
                tier_id: tier.id.clone(),
                order_id: request.order_id.clone(),
                starts_at: rfc3339(starts_at),
                expires_at: rfc3339(expires_at),
            }))
        })
    })
    .await
}

/// [`cancel_membership_as`] without an audit entry (the demo's history, tests).
pub async fn cancel_membership(
    db: &Db,
    shop: &ShopRecord,
    order_id: &str,
    now: i64,
) -> AppResult<Membership> {
    cancel_membership_as(db, shop, None, order_id, now).await
}

/// `POST …/memberships/{order_id}/cancel`: ends the whole running membership that this purchase belongs
/// to now (`membership.ended`). A purchase of a membership that already ended answers as it stands;
/// an order id never seen is 404.
pub async fn cancel_membership_as(
    db: &Db,
    shop: &ShopRecord,
    actor: Option<&str>,
    order_id: &str,
    now: i64,
) -> AppResult<Membership> {
    let found = db::memberships::find(db, &shop.shop.id, order_id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!("order_id: no membership bought with {order_id:?}"))
        })?;
    customer_write(db, shop, Whom::Pk(found.customer_pk), now, |ctx| {
        Box::pin(async move {
            record_end_if_due(ctx).await?;
            let mut row = db::memberships::find_locked(ctx.tx(), &shop.shop.id, order_id)
                .await?
                .ok_or_else(|| AppError::internal("a membership purchase vanished"))?;
            let customer = ctx.customer.clone();
            let running = customer
                .membership_tier
                .as_deref()
                .zip(customer.membership_started_at);
            if let Some((tier_id, chain_start)) = running {
                if row.starts_at >= chain_start && row.cancelled_at.is_none() {
                    let pk = customer.pk;
                    db::memberships::cancel_chain(ctx.tx(), pk, chain_start, now).await?;
                    clear(ctx).await?;
                    super::events::membership(ctx, EventType::MembershipEnded, tier_id, now)
                        .await?;
                    let target = format!("order {order_id}");
                    super::audit(ctx, actor, "membership.cancelled", &target).await?;
                    row.cancelled_at = Some(now);
                }
            }
            Ok(view(&row))
        })
    })
    .await
}

/// The `membership_end` job's step: records the end of the customer's membership if it has passed
/// (`membership.ended`, once); true if this call did.
pub async fn end_membership(db: &Db, shop: &ShopRecord, pk: i64, now: i64) -> AppResult<bool> {
    customer_write(db, shop, Whom::Pk(pk), now, |ctx| {
        Box::pin(record_end_if_due(ctx))
    })
    .await
}

/// Under the customer's lock: a membership whose end has passed is recorded ended (its event carries
/// the end as it was) and cleared from the row; true if one was.
async fn record_end_if_due(ctx: &mut CustomerTx<'_>) -> AppResult<bool> {
    let customer = ctx.customer.clone();
    let Some(held) = super::membership_of(&customer) else {
        return Ok(false);
    };
    if rules::membership_active(held.expires_at, ctx.now) {
        return Ok(false);
    }
    clear(ctx).await?;
    super::events::membership(
        ctx,
        EventType::MembershipEnded,
        held.tier_id,
        held.expires_at,
    )
    .await?;
    Ok(true)
}

async fn clear(ctx: &mut CustomerTx<'_>) -> AppResult<()> {
    ctx.customer.membership_tier = None;
    ctx.customer.membership_started_at = None;
    ctx.customer.membership_expires_at = None;
    let row = ctx.customer.clone();
    db::customers::set_membership(ctx.tx(), &row).await
}

/// A purchase as the API shows it: its period, ended early when its membership was cancelled.
fn view(row: &MembershipRow) -> Membership {
    let ends = row
        .cancelled_at
        .map_or(row.expires_at, |at| at.min(row.expires_at));
    Membership {
        tier_id: row.tier_id.clone(),
        order_id: row.order_id.clone(),
        starts_at: rfc3339(row.starts_at),
        expires_at: rfc3339(ends.max(row.starts_at)),
    }
}
