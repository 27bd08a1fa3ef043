//! Limits on rewards and custom earn rules: at most `count` per calendar period (UTC) or lifetime, per
//! customer.
//!
//! **Race-free.** A limit is checked inside the write transaction, after the customer's row is locked
//! (the transaction's first statement): the count of this customer's redemptions of the reward (or
//! awards of the rule) since the period's start is read under that lock, and the new redemption is
//! written before the lock is released at commit. On PostgreSQL the row lock queues every other write
//! of the customer, and each statement of a READ COMMITTED transaction sees what committed before it
//! began, so the next writer's count includes this one's row; on SQLite writers are one at a time. Of N
//! parallel redemptions of a once-a-month reward, exactly one is written.

use tally_core::rules::{self, limit_text};
use tally_core::{EarnRule, EarnRuleKind, Limit, LimitKind, LimitUsage, Reward};

use super::CustomerTx;
use crate::clock::rfc3339;
use crate::db::customers::Usage;
use crate::db::{self};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// The start of `limit`'s period holding `now` (the beginning of time for `lifetime`).
fn since(limit: &Limit, now: i64) -> i64 {
    rules::period_start(limit.per, now).unwrap_or(i64::MIN)
}

/// 422 `limit_reached` naming the field, the limit and when it opens again.
fn reached(field: &str, id: &str, limit: &Limit, used: i64, now: i64) -> AppError {
    let again = match rules::period_end(limit.per, now) {
        Some(end) => format!("; again from {}", rfc3339(end)),
        None => String::new(),
    };
    AppError::LimitReached(format!(
        "{field}: {id:?} may be used {}; used {used} time(s) in this period{again}",
        limit_text(limit)
    ))
}

/// Refuses a redemption of `reward` past its limit (counted under the customer's lock).
pub async fn check_reward(ctx: &mut CustomerTx<'_>, reward: &Reward) -> AppResult<()> {
    let Some(limit) = reward.limit else {
        return Ok(());
    };
    let (pk, now) = (ctx.customer.pk, ctx.now);
    let used = db::redemptions::count_since(ctx.tx(), pk, &reward.id, since(&limit, now)).await?;
    if rules::within_limit(&limit, used) {
        Ok(())
    } else {
        Err(reached("reward_id", &reward.id, &limit, used, now))
    }
}

/// Refuses an award of `rule` past its limit (counted under the customer's lock).
pub async fn check_rule(ctx: &mut CustomerTx<'_>, rule: &EarnRule) -> AppResult<()> {
    let Some(limit) = rule.limit else {
        return Ok(());
    };
    let (pk, now) = (ctx.customer.pk, ctx.now);
    let used = db::activities::count_since(ctx.tx(), pk, &rule.id, since(&limit, now)).await?;
    if rules::within_limit(&limit, used) {
        Ok(())
    } else {
        Err(reached("rule_id", &rule.id, &limit, used, now))
    }
}

/// A limited reward or custom rule of the program, and what `/me` counts for it.
pub struct Limited<'s> {
    pub kind: LimitKind,
    pub id: &'s str,
    pub limit: Limit,
    pub usage: Usage<'s>,
}

/// Every limited reward and custom earn rule of the program, with the count `/me` needs at `now`.
pub fn limited(shop: &ShopRecord, now: i64) -> Vec<Limited<'_>> {
    let rewards = shop.rules.rewards.iter().filter_map(|r| {
        r.limit.map(|limit| Limited {
            kind: LimitKind::Reward,
            id: &r.id,
            limit,
            usage: Usage::Redemptions {
                reward_id: &r.id,
                since: since(&limit, now),
            },
        })
    });
    let earn_rules = shop
        .rules
        .earn_rules
        .iter()
        .filter(|r| r.kind == EarnRuleKind::Custom)
        .filter_map(|r| {
            r.limit.map(|limit| Limited {
                kind: LimitKind::EarnRule,
                id: &r.id,
                limit,
                usage: Usage::Activities {
                    rule_id: &r.id,
                    since: since(&limit, now),
                },
            })
        });
    rewards.chain(earn_rules).collect()
}

/// `/me`'s `limits`, from the counts of [`limited`]'s usages.
pub fn usage(limited: &[Limited<'_>], used: &[i64], now: i64) -> Vec<LimitUsage> {
    limited
        .iter()
        .zip(used)
        .map(|(l, used)| LimitUsage {
            kind: l.kind,
            id: l.id.to_owned(),
            used: *used,
            count: l.limit.count,
            per: l.limit.per,
            resets_at: rules::period_end(l.limit.per, now).map(rfc3339),
        })
        .collect()
}
