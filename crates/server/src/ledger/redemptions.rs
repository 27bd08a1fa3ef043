//! Redemptions: a reward's cost spent for a discount code, if the customer holds its tier and has the
//! points.

use std::sync::Arc;

use tally_core::ids::{CODE_ALPHABET, ID_ALPHABET};
use tally_core::rules::{self, Eligibility, DAY_MS};
use tally_core::{
    ActivityKind, CodeStatus, CustomerId, IdempotencyKey, Redemption, RedemptionList,
    RedemptionRequest, Reward,
};

use super::posting::points_text;
use super::{keyed_write_in, tier_held, CustomerTx, Outcome, Posting, Step, Whom, WriteKey};
use crate::clock::rfc3339;
use crate::db::redemptions::{NewRedemption, RedemptionRow};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::shops::{random_string, ShopRecord};

/// `POST …/me/redemptions`: spends a reward's cost if the customer holds its tier and has the points.
/// A grouped write ([`Db::grouped_write`]), as orders are: on SQLite concurrent redemptions share a
/// commit.
pub async fn redeem(
    db: &Db,
    shop: &Arc<ShopRecord>,
    customer_id: &CustomerId,
    key: &IdempotencyKey,
    request: &RedemptionRequest,
    now: i64,
) -> AppResult<Outcome<Redemption>> {
    reward(shop, &request.reward_id)?;
    let (db, shop, customer_id, key, request) = (
        db.clone(),
        shop.clone(),
        customer_id.clone(),
        key.clone(),
        request.clone(),
    );
    db.clone()
        .grouped_write(move |tx| async move {
            let key = WriteKey::new(
                "Idempotency-Key",
                format!("redemption:{customer_id}"),
                &key,
                &request,
            )?;
            let reward = reward(&shop, &request.reward_id)?;
            keyed_write_in(tx, &db, &shop, Whom::Id(&customer_id), &key, now, |ctx| {
                Box::pin(redeem_step(ctx, reward))
            })
            .await
        })
        .await
}

/// The program's reward of this id.
fn reward<'s>(shop: &'s ShopRecord, reward_id: &str) -> AppResult<&'s Reward> {
    shop.rules
        .rewards
        .iter()
        .find(|r| r.id == reward_id)
        .ok_or_else(|| AppError::NotFound(format!("reward_id: no reward {reward_id:?}")))
}

async fn redeem_step(ctx: &mut CustomerTx<'_>, reward: &Reward) -> AppResult<Step<Redemption>> {
    let (shop, now) = (ctx.shop, ctx.now);
    let (_, held) = tier_held(ctx).await?;
    let tier = held.map(|t| t.id.as_str());
    let eligibility =
        rules::reward_eligibility(reward, ctx.customer.balance, tier, &shop.rules.tiers);
    if let Eligibility::NeedsTier(tier) = eligibility {
        return Err(AppError::RewardUnavailable(format!(
            "reward_id: {:?} needs the tier {tier:?}",
            reward.id
        )));
    }
    super::limits::check_reward(ctx, reward).await?;
    match eligibility {
        Eligibility::Redeemable | Eligibility::NeedsTier(_) => {}
        Eligibility::NeedsPoints(missing) => {
            return Err(AppError::InsufficientPoints(format!(
                "reward_id: {:?} costs {}; {} more needed",
                reward.id,
                points_text(shop, reward.points_cost),
                points_text(shop, missing)
            )))
        }
    }
    let redemption_id = format!("rdm_{}", random_string(ID_ALPHABET, 16));
    let code = new_code(ctx).await?;
    ctx.post(Posting {
        kind: ActivityKind::Redeem,
        points: -reward.points_cost,
        description: format!("Redeemed: {}", reward.name),
        reference: format!("redemption:{redemption_id}"),
    })
    .await?;
    let expires_at = reward
        .code_valid_days
        .map(|days| now.saturating_add(i64::from(days) * DAY_MS));
    let row = NewRedemption {
        id: &redemption_id,
        reward_id: &reward.id,
        code: &code,
        points_spent: reward.points_cost,
        balance: ctx.customer.balance,
        created_at: now,
        expires_at,
        // The checkout is shown the reward as it was when redeemed, whatever the program says later.
        reward_json: &serde_json::to_string(reward)?,
    };
    let pk = ctx.customer.pk;
    db::redemptions::insert(ctx.tx(), &shop.shop.id, pk, &row).await?;
    let redemption = Redemption {
        id: redemption_id,
        reward_id: reward.id.clone(),
        code,
        points_spent: reward.points_cost,
        balance: ctx.customer.balance,
        created_at: rfc3339(now),
        status: CodeStatus::Issued,
        expires_at: expires_at.map(rfc3339),
    };
    super::events::reward_redeemed(ctx, &redemption).await?;
    Ok(Step::Wrote(redemption))
}

/// A code the shop does not have yet, like `TALLY-7KQ2-MX9P` (32⁸ of them: a shop with a million codes
/// draws a taken one about once in a million redemptions, and simply draws again).
async fn new_code(ctx: &mut CustomerTx<'_>) -> AppResult<String> {
    let shop = ctx.shop;
    for _ in 0..8 {
        let code = format!(
            "TALLY-{}-{}",
            random_string(CODE_ALPHABET, 4),
            random_string(CODE_ALPHABET, 4)
        );
        if !db::redemptions::code_taken(ctx.tx(), &shop.shop.id, &code).await? {
            return Ok(code);
        }
    }
    Err(AppError::internal("no free discount code after 8 draws"))
}

/// Where a code stands at `now`: as stored, except that an issued code past its date is expired even
/// before anything recorded it.
pub fn code_status(row: &RedemptionRow, now: i64) -> AppResult<CodeStatus> {
    let stored: CodeStatus = row
        .status
        .parse()
        .map_err(|e| AppError::internal(format!("redemption {}: {:?}: {e}", row.id, row.status)))?;
    let past_date = row.expires_at.is_some_and(|at| at <= now);
    Ok(if stored == CodeStatus::Issued && past_date {
        CodeStatus::Expired
    } else {
        stored
    })
}

fn to_redemption(row: RedemptionRow, now: i64) -> AppResult<Redemption> {
    let status = code_status(&row, now)?;
    Ok(Redemption {
        id: row.id,
        reward_id: row.reward_id,
        code: row.code,
        points_spent: row.points_spent,
        balance: row.balance,
        created_at: rfc3339(row.created_at),
        status,
        expires_at: row.expires_at.map(rfc3339),
    })
}

/// `GET …/me/redemptions` (and the merchant's view of them), newest first, each code as it stands at `now`.
pub async fn redemptions(db: &Db, pk: i64, now: i64) -> AppResult<RedemptionList> {
    let rows = db::redemptions::of_customer(db, pk).await?;
    Ok(RedemptionList {
        items: rows
            .into_iter()
            .map(|row| to_redemption(row, now))
            .collect::<AppResult<_>>()?,
    })
}
