//! Codes at checkout: the shop's back end looks a redemption's code up, uses it with an order, or
//! cancels it (its points go back); a code past its date expires (its points go back only if the program
//! says `refund_expired_codes`).
//!
//! Every change to a code runs under its customer's lock, like every other ledger write
//! ([`customer_write`]): a use, a cancel and an expiry of one code therefore never interleave, on
//! PostgreSQL (the customer row lock, taken first, queues them) as on SQLite (one writer). Each reads the
//! code again after taking the lock, so the second of two concurrent uses sees the first one's `used`,
//! and a cancel posts its points back only when it is the one that moved the code from `issued`.

use tally_core::{ActivityKind, CodeStatus, DiscountCode, IdempotencyKey, Reward};

use super::posting::points_text;
use super::redemptions::code_status;
use tally_core::webhooks::EventType;

use super::{customer_write, CustomerTx, Outcome, Posting, Whom};
use crate::clock::rfc3339;
use crate::db::redemptions::CodeRow;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// `GET …/codes/{code}`: the code as it stands at `now`; 404 if the shop has no such code.
pub async fn code(db: &Db, shop: &ShopRecord, code: &str, now: i64) -> AppResult<DiscountCode> {
    let row = find(db, shop, code).await?;
    let status = code_status(&row.redemption, now)?;
    Ok(code_view(shop, row, status))
}

/// `POST …/codes/{code}/use`: marks an issued code used with `order_id`. The same order again answers
/// as the first time ([`Outcome::Replayed`]); another order is `code_already_used`; a cancelled or
/// expired code is `code_not_usable`.
pub async fn use_code(
    db: &Db,
    shop: &ShopRecord,
    code: &str,
    order_id: &IdempotencyKey,
    now: i64,
) -> AppResult<Outcome<DiscountCode>> {
    let found = find(db, shop, code).await?;
    // Refusals are answered after the commit: an expiry recorded on the way is kept.
    customer_write(db, shop, Whom::Pk(found.customer_pk), now, |ctx| {
        Box::pin(async move {
            let mut row = find_locked(ctx, code).await?;
            let answer = match settle(ctx, &mut row).await? {
                CodeStatus::Issued => {
                    let (id, now) = (&row.redemption.id, ctx.now);
                    if !db::redemptions::mark_used(ctx.tx(), id, order_id, now).await? {
                        return Err(AppError::internal(format!(
                            "code of {id} changed under its customer's lock"
                        )));
                    }
                    row.redemption.status = CodeStatus::Used.as_str().to_owned();
                    row.used_at = Some(now);
                    row.order_id = Some(order_id.to_string());
                    let code = code_view(ctx.shop, row, CodeStatus::Used);
                    super::events::code_closed(ctx, EventType::CodeUsed, &code).await?;
                    Ok(Outcome::Created(code))
                }
                CodeStatus::Used if row.order_id.as_deref() == Some(order_id.as_str()) => Ok(
                    Outcome::Replayed(code_view(ctx.shop, row, CodeStatus::Used)),
                ),
                CodeStatus::Used => Err(AppError::CodeAlreadyUsed(format!(
                    "code: {} was already used with another order",
                    row.redemption.code
                ))),
                status @ (CodeStatus::Cancelled | CodeStatus::Expired) => {
                    Err(AppError::CodeNotUsable(format!(
                        "code: {} is {status} and can no longer be used",
                        row.redemption.code
                    )))
                }
            };
            Ok(answer)
        })
    })
    .await?
}

/// [`cancel_code_as`] without an audit entry (the demo's history, tests).
pub async fn cancel_code(
    db: &Db,
    shop: &ShopRecord,
    code: &str,
    now: i64,
) -> AppResult<Outcome<DiscountCode>> {
    cancel_code_as(db, shop, None, code, now).await
}

/// `POST …/codes/{code}/cancel`: cancels an issued code and gives its points back as an `adjust`
/// entry, once however often it is called. A cancelled or expired code answers as it stands
/// ([`Outcome::Replayed`], nothing posted); a used one is `code_already_used`.
pub async fn cancel_code_as(
    db: &Db,
    shop: &ShopRecord,
    actor: Option<&str>,
    code: &str,
    now: i64,
) -> AppResult<Outcome<DiscountCode>> {
    let found = find(db, shop, code).await?;
    customer_write(db, shop, Whom::Pk(found.customer_pk), now, |ctx| {
        Box::pin(async move {
            let mut row = find_locked(ctx, code).await?;
            let answer = match settle(ctx, &mut row).await? {
                CodeStatus::Issued => {
                    let cancelled = CodeStatus::Cancelled;
                    let (id, now) = (&row.redemption.id, ctx.now);
                    if !db::redemptions::close(ctx.tx(), id, cancelled.as_str(), now).await? {
                        return Err(AppError::internal(format!(
                            "code of {id} changed under its customer's lock"
                        )));
                    }
                    give_points_back(ctx, &row, "cancelled", "cancel").await?;
                    row.redemption.status = cancelled.as_str().to_owned();
                    let code = code_view(ctx.shop, row, cancelled);
                    super::events::code_closed(ctx, EventType::CodeCancelled, &code).await?;
                    super::audit(ctx, actor, "code.cancelled", &code.code).await?;
                    Ok(Outcome::Created(code))
                }
                CodeStatus::Used => Err(AppError::CodeAlreadyUsed(format!(
                    "code: {} was used with an order and cannot be cancelled",
                    row.redemption.code
                ))),
                status @ (CodeStatus::Cancelled | CodeStatus::Expired) => {
                    Ok(Outcome::Replayed(code_view(ctx.shop, row, status)))
                }
            };
            Ok(answer)
        })
    })
    .await?
}

/// The code-expiry job's step for one code: records it expired if it is still issued and past its
/// date (giving its points back if the program says so); true if this call did.
pub async fn expire_code(
    db: &Db,
    shop: &ShopRecord,
    customer_pk: i64,
    code: &str,
    now: i64,
) -> AppResult<bool> {
    customer_write(db, shop, Whom::Pk(customer_pk), now, |ctx| {
        Box::pin(async move {
            let mut row = find_locked(ctx, code).await?;
            let was_issued = row.redemption.status == CodeStatus::Issued.as_str();
            let status = settle(ctx, &mut row).await?;
            Ok(was_issued && status == CodeStatus::Expired)
        })
    })
    .await
}

/// The shop's code, or 404 naming it.
async fn find(db: &Db, shop: &ShopRecord, code: &str) -> AppResult<CodeRow> {
    db::redemptions::by_code(db, &shop.shop.id, code)
        .await?
        .ok_or_else(|| not_found(code))
}

/// The code again, under its customer's lock.
async fn find_locked(ctx: &mut CustomerTx<'_>, code: &str) -> AppResult<CodeRow> {
    let shop = ctx.shop;
    db::redemptions::by_code_locked(ctx.tx(), &shop.shop.id, code)
        .await?
        .ok_or_else(|| not_found(code))
}

fn not_found(code: &str) -> AppError {
    AppError::NotFound(format!("code: this shop has no code {code:?}"))
}

/// Where the locked code stands now; an issued code past its date is recorded expired first, with its
/// points back if the program says `refund_expired_codes`.
async fn settle(ctx: &mut CustomerTx<'_>, row: &mut CodeRow) -> AppResult<CodeStatus> {
    let status = code_status(&row.redemption, ctx.now)?;
    if status == CodeStatus::Expired && row.redemption.status == CodeStatus::Issued.as_str() {
        let (expired, now) = (CodeStatus::Expired.as_str(), ctx.now);
        let closed_now = db::redemptions::close(ctx.tx(), &row.redemption.id, expired, now).await?;
        if closed_now && ctx.shop.rules.refund_expired_codes {
            give_points_back(ctx, row, "expired", "code-expired").await?;
        }
        row.redemption.status = expired.to_owned();
    }
    Ok(status)
}

/// The code's points back to its customer: an `adjust` entry naming the code, referenced
/// `{reference}:{redemption id}` (once per redemption and reason).
async fn give_points_back(
    ctx: &mut CustomerTx<'_>,
    row: &CodeRow,
    what_happened: &str,
    reference: &str,
) -> AppResult<()> {
    let points = row.redemption.points_spent;
    let description = format!(
        "Code {} {what_happened}: {} back",
        row.redemption.code,
        points_text(ctx.shop, points)
    );
    ctx.post(Posting {
        kind: ActivityKind::Adjust,
        points,
        description,
        reference: format!("{reference}:{}", row.redemption.id),
    })
    .await?;
    Ok(())
}

/// The code as the checkout sees it, with `status` as it stands.
fn code_view(shop: &ShopRecord, row: CodeRow, status: CodeStatus) -> DiscountCode {
    let redemption = row.redemption;
    let stored: Option<Reward> = row
        .reward_json
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok());
    // Codes redeemed before rewards were kept with them show the program's reward of that id, if any.
    let reward = stored.or_else(|| {
        shop.rules
            .rewards
            .iter()
            .find(|r| r.id == redemption.reward_id)
            .cloned()
    });
    DiscountCode {
        code: redemption.code,
        status,
        customer_id: row.customer_id,
        redemption_id: redemption.id,
        reward,
        points_spent: redemption.points_spent,
        created_at: rfc3339(redemption.created_at),
        expires_at: redemption.expires_at.map(rfc3339),
        used_at: row.used_at.map(rfc3339),
        order_id: row.order_id,
    }
}
