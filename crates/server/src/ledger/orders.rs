//! Orders and refunds: purchase points at the tier held when the order arrives, referral awards on a
//! customer's first order, and refunds that reverse what the order really awarded.

use std::sync::Arc;

use tally_core::rules;
use tally_core::{
    ActivityKind, CustomerId, EarnRuleKind, IdempotencyKey, OrderRequest, OrderResult,
    RefundRequest, RefundResult,
};

use super::{keyed_write_in, tier_held, CustomerTx, Outcome, Posting, Step, Whom, WriteKey};
use crate::db::orders::{NewOrder, NewRefund};
use crate::db::referrals::NewReferral;
use crate::db::{self, is_deadlock, Db};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// `POST …/orders`: awards purchase points at the tier held when the order arrives, and the referral
/// awards on a customer's first order. A repeat of the order id is [`Outcome::Replayed`].
///
/// A grouped write ([`Db::grouped_write`]): on SQLite, concurrent orders share a commit and its fsync,
/// which is what takes SQLite's one writer past one order per fsync.
pub async fn record_order(
    db: &Db,
    shop: &Arc<ShopRecord>,
    order: &OrderRequest,
    now: i64,
) -> AppResult<Outcome<OrderResult>> {
    let order_id = IdempotencyKey::parse(order.order_id.as_str())
        .map_err(|e| AppError::Invalid(format!("order_id: {e}")))?;
    let customer_id = CustomerId::parse(order.customer_id.as_str())
        .map_err(|e| AppError::Invalid(format!("customer_id: {e}")))?;
    let write = {
        let (db, shop, order) = (db.clone(), shop.clone(), order.clone());
        move |tx| async move {
            let key = WriteKey::new("order_id", "order", &order_id, &order)?;
            keyed_write_in(tx, &db, &shop, Whom::Id(&customer_id), &key, now, |ctx| {
                Box::pin(order_step(ctx, &order))
            })
            .await
        }
    };
    // A referral locks two customers; two friends' first orders naming each other's codes at the same
    // moment can deadlock on PostgreSQL, which aborts one of them. Retrying it is safe: nothing was kept.
    let mut attempt = 1;
    loop {
        match db.grouped_write(write.clone()).await {
            Err(e) if attempt < 3 && is_deadlock(&e) => attempt += 1,
            other => return other,
        }
    }
}

async fn order_step(
    ctx: &mut CustomerTx<'_>,
    order: &OrderRequest,
) -> AppResult<Step<OrderResult>> {
    let shop = ctx.shop;
    let (metric, held) = tier_held(ctx).await?;
    let multiplier = held.map_or(1.0, |t| t.earn_multiplier);
    let points_per_unit = shop
        .rules
        .earn_rules
        .iter()
        .find(|r| r.kind == EarnRuleKind::Purchase)
        .and_then(|r| r.points_per_unit)
        .unwrap_or(0);
    let points = rules::purchase_points(
        order.total_minor,
        &shop.shop.currency,
        points_per_unit,
        multiplier,
    );

    let pk = ctx.customer.pk;
    let earlier_orders = db::orders::count_of_customer(ctx.tx(), pk).await?;
    let new_order = NewOrder {
        shop_id: &shop.shop.id,
        order_id: &order.order_id,
        customer_pk: pk,
        total_minor: order.total_minor,
        points_awarded: points,
        created_at: ctx.now,
        channel: order.channel.as_str(),
    };
    if !db::orders::insert(ctx.tx(), &new_order).await? {
        // Another customer's transaction recorded this order id first.
        return Ok(Step::LostRace);
    }
    if points > 0 {
        ctx.post(Posting {
            kind: ActivityKind::Earn,
            points,
            description: format!(
                "Order {} ({} {})",
                order.order_id,
                rules::format_minor(order.total_minor, &shop.shop.currency),
                shop.shop.currency
            ),
            reference: format!("order:{}", order.order_id),
        })
        .await?;
    }
    if earlier_orders == 0 {
        if let Some(code) = order.referral_code.as_deref() {
            award_referral(ctx, code, &order.order_id).await?;
        }
    }
    super::events::spend_moved(ctx, metric, metric.saturating_add(order.total_minor)).await?;
    Ok(Step::Wrote(OrderResult {
        order_id: order.order_id.clone(),
        points_awarded: points,
        balance: ctx.customer.balance,
    }))
}

/// Why a referral, or its advocate's award, was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// The code was the friend's own.
    SameCustomer,
    /// The friend and the advocate share an email.
    SameEmail,
    /// The friend and the advocate share a phone (phones are unique per shop, so only a row written
    /// around the API could; checked all the same).
    SamePhone,
    /// Another friend with this email was already rewarded.
    EmailAlreadyReferred,
    /// Another friend with this phone was already rewarded.
    PhoneAlreadyReferred,
    /// The advocate had `max_per_week` rewards in the last 7 days: the friend is rewarded, not them.
    WeeklyLimit,
}

impl Refusal {
    fn as_str(self) -> &'static str {
        match self {
            Refusal::SameCustomer => "same_customer",
            Refusal::SameEmail => "same_email",
            Refusal::SamePhone => "same_phone",
            Refusal::EmailAlreadyReferred => "email_already_referred",
            Refusal::PhoneAlreadyReferred => "phone_already_referred",
            Refusal::WeeklyLimit => "weekly_limit",
        }
    }
}

/// A refusal's word for a person.
pub fn refusal_text(reason: &str) -> String {
    match reason {
        "same_customer" => "Referral refused: the code was the customer's own",
        "same_email" => "Referral refused: the friend has the advocate's email",
        "same_phone" => "Referral refused: the friend has the advocate's phone",
        "email_already_referred" => {
            "Referral refused: a friend with this email was already rewarded"
        }
        "phone_already_referred" => {
            "Referral refused: a friend with this phone was already rewarded"
        }
        "weekly_limit" => {
            "Advocate not rewarded: they reached the program's referral rewards for this week"
        }
        _ => "Referral refused",
    }
    .to_owned()
}

/// Days in the rolling window of `referral.max_per_week`.
const REFERRAL_WEEK_MS: i64 = 7 * tally_core::rules::DAY_MS;

/// The referral awards for a new customer's first order: once per friend, never for one's own code, a
/// shared email or phone, or a second friend with the same email or phone; the advocate at most
/// `max_per_week` times in any 7 days. An unknown code is ignored and a refused one recorded (the
/// merchant sees why in the customer's activity): the order itself is always recorded.
async fn award_referral(ctx: &mut CustomerTx<'_>, code: &str, order_id: &str) -> AppResult<()> {
    let (shop, now) = (ctx.shop, ctx.now);
    let code = code.trim().to_ascii_uppercase();
    let advocate_pk = db::customers::pk_by_referral_code(ctx.tx(), &shop.shop.id, &code).await?;
    let friend_pk = ctx.customer.pk;
    let Some(advocate_pk) = advocate_pk else {
        return Ok(());
    };
    if advocate_pk == friend_pk {
        return refuse(ctx, None, order_id, Refusal::SameCustomer).await;
    }
    // The advocate is locked before anything of theirs is counted: their weekly rewards are then
    // counted and written by one transaction at a time.
    let mut advocate = db::customers::lock_another(ctx.tx(), advocate_pk, now).await?;
    let friend = &ctx.customer;
    let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    let shared = if same(&friend.email, &advocate.email) {
        Some(Refusal::SameEmail)
    } else if same(&friend.phone, &advocate.phone) {
        Some(Refusal::SamePhone)
    } else {
        None
    };
    if let Some(refusal) = shared {
        return refuse(ctx, Some(advocate_pk), order_id, refusal).await;
    }
    let (email, phone) = (friend.email.clone(), friend.phone.clone());
    let (by_email, by_phone) = db::referrals::friend_rewarded_with(
        ctx.tx(),
        &shop.shop.id,
        email.as_deref(),
        phone.as_deref(),
    )
    .await?;
    if by_email || by_phone {
        let refusal = if by_email {
            Refusal::EmailAlreadyReferred
        } else {
            Refusal::PhoneAlreadyReferred
        };
        return refuse(ctx, Some(advocate_pk), order_id, refusal).await;
    }
    let program = &shop.rules.referral;
    let this_week =
        db::referrals::advocate_rewards_since(ctx.tx(), advocate_pk, now - REFERRAL_WEEK_MS)
            .await?;
    let mut advocate_points = program.advocate_points;
    if advocate_points > 0 && this_week >= i64::from(program.max_per_week()) {
        advocate_points = 0;
        refuse(ctx, Some(advocate_pk), order_id, Refusal::WeeklyLimit).await?;
    }
    let referral = NewReferral {
        friend_pk,
        shop_id: &shop.shop.id,
        advocate_pk,
        advocate_points,
        friend_points: program.friend_points,
        created_at: now,
        friend_email: email.as_deref(),
        friend_phone: phone.as_deref(),
    };
    if !db::referrals::insert(ctx.tx(), &referral).await? {
        return Ok(());
    }
    let advocate_id = advocate.customer_id.clone();
    super::events::referral_completed(ctx, &advocate_id, order_id).await?;
    let reference = format!("referral:{}", ctx.customer.customer_id);
    if program.friend_points > 0 {
        ctx.post(Posting {
            kind: ActivityKind::Referral,
            points: program.friend_points,
            description: "Welcome gift for joining through a friend".into(),
            reference: reference.clone(),
        })
        .await?;
    }
    if advocate_points > 0 {
        let tx = ctx.tx();
        super::posting::expire_due(tx, shop, &mut advocate, now).await?;
        super::posting::post(
            tx,
            shop,
            &mut advocate,
            Posting {
                kind: ActivityKind::Referral,
                points: advocate_points,
                description: "A friend you referred placed their first order".into(),
                reference,
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Records a refused referral (or advocate's award) for the merchant's view; never an error.
async fn refuse(
    ctx: &mut CustomerTx<'_>,
    advocate_pk: Option<i64>,
    order_id: &str,
    refusal: Refusal,
) -> AppResult<()> {
    let (shop, friend_pk, now) = (ctx.shop, ctx.customer.pk, ctx.now);
    let row = db::referrals::NewRefusal {
        shop_id: &shop.shop.id,
        friend_pk,
        advocate_pk,
        order_id,
        reason: refusal.as_str(),
        created_at: now,
    };
    db::referrals::insert_refusal(ctx.tx(), &row).await
}

/// `POST …/orders/{order_id}/refunds`: reverses floor(points_awarded × amount ÷ total) of what the order
/// really awarded. The balance may go negative (points debt). A grouped write, as orders are.
pub async fn record_refund(
    db: &Db,
    shop: &Arc<ShopRecord>,
    order_id: &str,
    refund: &RefundRequest,
    now: i64,
) -> AppResult<Outcome<RefundResult>> {
    let refund_id = IdempotencyKey::parse(refund.refund_id.as_str())
        .map_err(|e| AppError::Invalid(format!("refund_id: {e}")))?;
    let customer_pk = db::orders::customer_of(db, &shop.shop.id, order_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("order_id: no order {order_id:?}")))?;
    let (db, shop, order_id, refund) = (
        db.clone(),
        shop.clone(),
        order_id.to_owned(),
        refund.clone(),
    );
    db.clone()
        .grouped_write(move |tx| async move {
            let key = WriteKey::new("refund_id", "refund", &refund_id, &(&order_id, &refund))?;
            keyed_write_in(tx, &db, &shop, Whom::Pk(customer_pk), &key, now, |ctx| {
                Box::pin(refund_step(ctx, &order_id, &refund))
            })
            .await
        })
        .await
}

async fn refund_step(
    ctx: &mut CustomerTx<'_>,
    order_id: &str,
    refund: &RefundRequest,
) -> AppResult<Step<RefundResult>> {
    let (shop, now) = (ctx.shop, ctx.now);
    let order = db::orders::totals(ctx.tx(), &shop.shop.id, order_id).await?;
    if order.refunded_minor.saturating_add(refund.amount_minor) > order.total_minor {
        return Err(AppError::RefundExceedsOrder(format!(
            "amount_minor: {} would take the refunds of order {order_id:?} to more than its total {} \
             ({} already refunded)",
            refund.amount_minor, order.total_minor, order.refunded_minor
        )));
    }
    // For `tier.changed`: the metric is read only when the program ranks by spend.
    let metric_before = super::tier_metric(ctx).await?;
    let reversed =
        rules::refund_points(order.points_awarded, refund.amount_minor, order.total_minor);
    let new_refund = NewRefund {
        shop_id: &shop.shop.id,
        refund_id: &refund.refund_id,
        order_id,
        amount_minor: refund.amount_minor,
        points_reversed: reversed,
        created_at: now,
    };
    db::orders::insert_refund(ctx.tx(), &new_refund).await?;
    if reversed > 0 {
        ctx.post(Posting {
            kind: ActivityKind::Refund,
            points: -reversed,
            description: format!(
                "Refund on order {order_id} ({} {})",
                rules::format_minor(refund.amount_minor, &shop.shop.currency),
                shop.shop.currency
            ),
            reference: format!("refund:{}", refund.refund_id),
        })
        .await?;
    }
    let metric_after = super::tier_metric(ctx).await?;
    super::events::spend_moved(ctx, metric_before, metric_after).await?;
    Ok(Step::Wrote(RefundResult {
        refund_id: refund.refund_id.clone(),
        points_reversed: reversed,
        balance: ctx.customer.balance,
    }))
}
