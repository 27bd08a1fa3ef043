//! Feedback: the program's NPS question answered by the shopper, stored with its comment, its points
//! once per cooldown.

use tally_core::rules::DAY_MS;
use tally_core::{
    ActivityKind, CustomerId, FeedbackAnswer, FeedbackList, FeedbackRequest, FeedbackResult,
    IdempotencyKey,
};

use super::{keyed_write, Outcome, Posting, Step, Whom, WriteKey};
use crate::clock::rfc3339;
use crate::db::feedback::NewFeedback;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// `POST …/me/feedback`: stores the answer and awards the program's points, once per
/// `Idempotency-Key`; within the cooldown of the last answer it is 422 `feedback_too_soon`; a program
/// without `feedback` is 404.
pub async fn give_feedback(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    key: &IdempotencyKey,
    request: &FeedbackRequest,
    now: i64,
) -> AppResult<Outcome<FeedbackResult>> {
    let program = shop.rules.feedback.as_ref().ok_or_else(|| {
        AppError::NotFound("feedback: this shop's program asks for no feedback".into())
    })?;
    let key = WriteKey::new(
        "Idempotency-Key",
        format!("feedback:{customer_id}"),
        key,
        request,
    )?;
    let cooldown = i64::from(program.cooldown_days).saturating_mul(DAY_MS);
    keyed_write(db, shop, Whom::Id(customer_id), &key, now, |ctx| {
        Box::pin(async move {
            let pk = ctx.customer.pk;
            if let Some(last) = db::feedback::last_at(ctx.tx(), pk).await? {
                let next = last.saturating_add(cooldown);
                if now < next {
                    return Err(AppError::FeedbackTooSoon(format!(
                        "feedback: answered on {}; again from {}",
                        rfc3339(last),
                        rfc3339(next)
                    )));
                }
            }
            let points = program.points.max(0);
            let answer = NewFeedback {
                shop_id: &shop.shop.id,
                customer_pk: pk,
                score: request.score,
                comment: request.comment.as_deref(),
                points_awarded: points,
                created_at: now,
            };
            db::feedback::insert(ctx.tx(), &answer).await?;
            if points > 0 {
                ctx.post(Posting {
                    kind: ActivityKind::Earn,
                    points,
                    description: "Thank you for your feedback".into(),
                    reference: format!("feedback:{}", key.key.as_str()),
                })
                .await?;
            }
            super::events::feedback_received(ctx, request.score).await?;
            Ok(Step::Wrote(FeedbackResult {
                points_awarded: points,
                balance: ctx.customer.balance,
                next_allowed_at: rfc3339(now.saturating_add(cooldown)),
            }))
        })
    })
    .await
}

/// `GET …/customers/{customer_id}/feedback`: the customer's answers, newest first.
pub async fn feedback_answers(db: &Db, pk: i64) -> AppResult<FeedbackList> {
    let rows = db::feedback::of_customer(db, pk).await?;
    Ok(FeedbackList {
        items: rows
            .into_iter()
            .map(
                |(score, comment, points_awarded, created_at)| FeedbackAnswer {
                    score,
                    comment,
                    points_awarded,
                    created_at: rfc3339(created_at),
                },
            )
            .collect(),
    })
}
