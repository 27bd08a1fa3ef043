//! The sample shopper the live preview shows: a `/me` answer built from the unsaved program with
//! tally-core's own tier rules, so the preview places them in the tier the server would.

use tally_core::api::{Me, NextTier, ProgramRules, ReferralStatus, TierMetric, TierRef};
use tally_core::rules::tier_standing;

/// A member with `balance` points who earned `lifetime` points and spent `spend_minor` in the last year.
pub fn sample_member(rules: &ProgramRules, balance: i64, lifetime: i64, spend_minor: i64) -> Me {
    let metric = match rules.tier_metric {
        TierMetric::Spend => spend_minor,
        _ => lifetime,
    };
    let standing = tier_standing(&rules.tiers, metric);
    Me {
        customer_id: "sample-member".to_owned(),
        first_name: Some("Sam".to_owned()),
        balance,
        lifetime_points: lifetime,
        tier: standing.current.map(|t| TierRef {
            id: t.id.clone(),
            name: t.name.clone(),
        }),
        next_tier: standing.next.and_then(|t| {
            Some(NextTier {
                id: t.id.clone(),
                name: t.name.clone(),
                threshold: t.threshold?,
                remaining: standing.remaining,
            })
        }),
        tier_progress: standing.progress,
        tier_metric_value: metric,
        referral: ReferralStatus {
            code: "SAM-PREVIEW".to_owned(),
            url: format!("{}?ref=SAM-PREVIEW", rules.referral.landing_url),
            friends_referred: 1,
            points_earned: rules.referral.advocate_points,
        },
        expiring: Vec::new(),
        membership: None,
        limits: Vec::new(),
        next_feedback_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_member_sits_in_the_tier_their_metric_reaches() {
        let rules = tally_core::demo::coffee_program();
        let second = rules.tiers[1].threshold.unwrap_or(0);
        let me = sample_member(&rules, 120, second, second);
        assert_eq!(me.tier.map(|t| t.id), Some(rules.tiers[1].id.clone()));
        assert_eq!(me.balance, 120);
    }

    #[test]
    fn below_the_second_threshold_the_next_tier_says_what_is_left() {
        let rules = tally_core::demo::coffee_program();
        let second = rules.tiers[1].threshold.unwrap_or(0);
        let me = sample_member(&rules, 0, second - 10, second - 10);
        assert_eq!(me.next_tier.map(|n| n.remaining), Some(10));
    }
}
