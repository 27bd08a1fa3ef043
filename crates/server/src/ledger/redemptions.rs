//! Redemptions: a reward's cost spent for a discount code, if the customer holds its tier and has the
//! points.

use tally_core::ids::{CODE_ALPHABET, ID_ALPHABET};
use tally_core::rules::{self, Eligibility};
use tally_core::{
    ActivityKind, CustomerId, IdempotencyKey, Redemption, RedemptionList, RedemptionRequest, Reward,
};

use super::posting::points_text;
use super::{keyed_write, tier_metric, CustomerTx, Outcome, Posting, Step, Whom, WriteKey};
use crate::clock::rfc3339;
use crate::db::redemptions::RedemptionRow;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::shops::{random_string, ShopRecord};

/// `POST …/me/redemptions`: spends a reward's cost if the customer holds its tier and has the points.
pub async fn redeem(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &CustomerId,
    key: &IdempotencyKey,
    request: &RedemptionRequest,
    now: i64,
) -> AppResult<Outcome<Redemption>> {
    let key = WriteKey::new(
        "Idempotency-Key",
        format!("redemption:{customer_id}"),
        key,
        request,
    )?;
    let reward = shop
        .rules
        .rewards
        .iter()
        .find(|r| r.id == request.reward_id)
        .ok_or_else(|| {
            AppError::NotFound(format!("reward_id: no reward {:?}", request.reward_id))
        })?;
    keyed_write(db, shop, Whom::Id(customer_id), &key, now, |ctx| {
        Box::pin(redeem_step(ctx, reward))
    })
    .await
}

async fn redeem_step(ctx: &mut CustomerTx<'_>, reward: &Reward) -> AppResult<Step<Redemption>> {
    let (shop, now) = (ctx.shop, ctx.now);
    let metric = tier_metric(ctx).await?;
    let tier = rules::tier_standing(&shop.rules.tiers, metric)
        .current
        .map(|t| t.id.as_str());
    match rules::reward_eligibility(reward, ctx.customer.balance, tier, &shop.rules.tiers) {
        Eligibility::Redeemable => {}
        Eligibility::NeedsTier(tier) => {
            return Err(AppError::RewardUnavailable(format!(
                "reward_id: {:?} needs the tier {tier:?}",
                reward.id
            )))
        }
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
    let code = format!(
        "TALLY-{}-{}",
        random_string(CODE_ALPHABET, 4),
        random_string(CODE_ALPHABET, 4)
    );
    ctx.post(Posting {
        kind: ActivityKind::Redeem,
        points: -reward.points_cost,
        description: format!("Redeemed: {}", reward.name),
        reference: format!("redemption:{redemption_id}"),
    })
    .await?;
    let row = RedemptionRow {
        id: redemption_id,
        reward_id: reward.id.clone(),
        code,
        points_spent: reward.points_cost,
        balance: ctx.customer.balance,
        created_at: now,
    };
    let pk = ctx.customer.pk;
    db::redemptions::insert(ctx.tx(), &shop.shop.id, pk, &row).await?;
    let redemption = to_redemption(row);
    super::events::reward_redeemed(ctx, &redemption).await?;
    Ok(Step::Wrote(redemption))
}

fn to_redemption(row: RedemptionRow) -> Redemption {
    Redemption {
        id: row.id,
        reward_id: row.reward_id,
        code: row.code,
        points_spent: row.points_spent,
        balance: row.balance,
        created_at: rfc3339(row.created_at),
    }
}

/// `GET …/me/redemptions`, newest first.
pub async fn redemptions(db: &Db, pk: i64) -> AppResult<RedemptionList> {
    let rows = db::redemptions::of_customer(db, pk).await?;
    Ok(RedemptionList {
        items: rows.into_iter().map(to_redemption).collect(),
    })
}
