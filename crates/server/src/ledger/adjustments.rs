//! A merchant's hand on the ledger: adjustments (corrections with a reason) and activities (awards of
//! `custom` and `birthday` earn rules), each once per idempotency key.

use tally_core::{
    ActivityKind, ActivityRequest, ActivityResult, AdjustmentRequest, BalanceResult, CustomerId,
    EarnRuleKind, IdempotencyKey,
};

use super::{keyed_write, Outcome, Posting, Step, Whom, WriteKey};
use crate::db::activities::NewActivity;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// [`adjust_as`] without an audit entry (the demo's history, tests).
pub async fn adjust(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    request: &AdjustmentRequest,
    now: i64,
) -> AppResult<Outcome<BalanceResult>> {
    adjust_as(db, shop, None, customer_id, request, now).await
}

/// `POST …/customers/{id}/adjustments`: a merchant's correction. It may not take the balance below zero
/// (only refunds may, by the contract).
pub async fn adjust_as(
    db: &Db,
    shop: &ShopRecord,
    actor: Option<&str>,
    customer_id: &CustomerId,
    request: &AdjustmentRequest,
    now: i64,
) -> AppResult<Outcome<BalanceResult>> {
    let idempotency_key = IdempotencyKey::parse(request.idempotency_key.as_str())
        .map_err(|e| AppError::Invalid(format!("idempotency_key: {e}")))?;
    let key = WriteKey::new(
        "idempotency_key",
        format!("adjustment:{customer_id}"),
        &idempotency_key,
        request,
    )?;
    keyed_write(db, shop, Whom::Id(customer_id), &key, now, |ctx| {
        Box::pin(async move {
            let balance = ctx.customer.balance;
            if request.points < 0 && balance + request.points < 0 {
                return Err(AppError::InsufficientPoints(format!(
                    "points: {} would take the balance of {balance} below zero",
                    request.points
                )));
            }
            ctx.post(Posting {
                kind: ActivityKind::Adjust,
                points: request.points,
                description: request.reason.trim().to_owned(),
                reference: format!("adjustment:{}", request.idempotency_key),
            })
            .await?;
            let target = format!(
                "{customer_id}: {:+} ({})",
                request.points,
                request.reason.trim()
            );
            super::audit(ctx, actor, "points.adjusted", &target).await?;
            Ok(Step::Wrote(BalanceResult {
                balance: ctx.customer.balance,
            }))
        })
    })
    .await
}

/// `POST …/customers/{id}/activities`: awards a `custom` or `birthday` earn rule, once per key and
/// within the rule's limit (422 `limit_reached` past it, nothing awarded).
pub async fn award_activity(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    request: &ActivityRequest,
    now: i64,
) -> AppResult<Outcome<ActivityResult>> {
    let rule = shop
        .rules
        .earn_rules
        .iter()
        .find(|r| r.id == request.rule_id)
        .ok_or_else(|| AppError::Invalid(format!("rule_id: no earn rule {:?}", request.rule_id)))?;
    if !matches!(rule.kind, EarnRuleKind::Custom | EarnRuleKind::Birthday) {
        return Err(AppError::Invalid(format!(
            "rule_id: {:?} is not a custom or birthday rule; it is awarded by the server itself",
            rule.id
        )));
    }
    let idempotency_key = IdempotencyKey::parse(request.idempotency_key.as_str())
        .map_err(|e| AppError::Invalid(format!("idempotency_key: {e}")))?;
    let key = WriteKey::new(
        "idempotency_key",
        format!("activity:{customer_id}"),
        &idempotency_key,
        request,
    )?;
    let points = rule.points.unwrap_or(0).max(0);
    keyed_write(db, shop, Whom::Id(customer_id), &key, now, |ctx| {
        Box::pin(async move {
            super::limits::check_rule(ctx, rule).await?;
            let (shop, pk, now) = (ctx.shop, ctx.customer.pk, ctx.now);
            let activity = NewActivity {
                shop_id: &shop.shop.id,
                customer_pk: pk,
                rule_id: &rule.id,
                idem_key: &request.idempotency_key,
                points,
                created_at: now,
            };
            db::activities::insert(ctx.tx(), &activity).await?;
            if points > 0 {
                ctx.post(Posting {
                    kind: ActivityKind::Earn,
                    points,
                    description: rule.title.clone(),
                    reference: format!("activity:{}", request.idempotency_key),
                })
                .await?;
            }
            Ok(Step::Wrote(ActivityResult {
                points_awarded: points,
                balance: ctx.customer.balance,
            }))
        })
    })
    .await
}
