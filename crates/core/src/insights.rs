//! `GET …/reports/insights` (our extension): what the summary cannot say in one number — how soon earned
//! points are spent, what referrals brought, how the NPS moves and what members wrote — and the liability
//! of outstanding points in money. The rules here are pure; the server feeds them from the ledger.

use serde::{Deserialize, Serialize};

use crate::api::{Reward, RewardKind};

/// The window in which spending a lot counts as "redeemed soon".
pub const SOON_DAYS: i64 = 90;
/// How far back the cohort of lots for [`RedeemedSoon`] reaches: a year of lots that have all had their
/// full 90 days.
pub const COHORT_DAYS: i64 = 365;
/// Months of NPS trend.
pub const NPS_MONTHS: usize = 12;
/// Latest comments shown.
pub const LATEST_COMMENTS: usize = 10;

const DAY_MS: i64 = 86_400_000;

/// `GET …/reports/insights`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Insights {
    pub redeemed_within_90_days: RedeemedSoon,
    pub referrals: ReferralResults,
    /// The last 12 calendar months (UTC), oldest first, each with its NPS; months without answers have
    /// `responses` 0 and `score` 0.
    pub nps_by_month: Vec<NpsMonth>,
    /// The 10 latest answers that carry a comment, newest first.
    pub latest_comments: Vec<FeedbackComment>,
}

/// Of the points earned in `[cohort_from, cohort_to]` (UTC days, the year ending 90 days ago), how many
/// were spent on rewards within 90 days of being earned. Points are spent oldest first, as the ledger
/// spends its lots; points that expired, were refunded or adjusted away count as not redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedeemedSoon {
    pub cohort_from: String,
    pub cohort_to: String,
    pub earned: i64,
    pub redeemed: i64,
}

/// Referrals completed (a friend's first order with an advocate's code) and what they gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralResults {
    pub completed: i64,
    /// Distinct customers whose code brought a friend.
    pub advocates: i64,
    pub advocate_points: i64,
    pub friend_points: i64,
    /// Referred friends' orders, all of them, in minor units of the shop's currency.
    pub friends_revenue_minor: i64,
    /// Referrals refused (own code, a code of no one, not a first order…).
    pub refused: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NpsMonth {
    /// The month's first day, `YYYY-MM-DD`.
    pub start: String,
    pub score: i64,
    pub responses: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackComment {
    pub customer_id: String,
    pub score: i64,
    pub comment: String,
    /// RFC 3339.
    pub created_at: String,
}

/// One ledger entry as the cohort count reads it: is it a reward's redemption, its signed points, and
/// when (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub redeem: bool,
    pub points: i64,
    pub at: i64,
}

/// Follows one customer's entries in order: credits become lots, debits spend the oldest lots first.
/// Adds to `earned` the points of lots earned in `[from, until)` (ms), and to `redeemed` those of them that
/// a redemption spent within [`SOON_DAYS`] of the lot.
pub fn redeemed_soon(
    entries: impl IntoIterator<Item = Entry>,
    from: i64,
    until: i64,
    earned: &mut i64,
    redeemed: &mut i64,
) {
    // (earned at, points left): lots with points left, oldest first.
    let mut lots: std::collections::VecDeque<(i64, i64)> = Default::default();
    for entry in entries {
        if entry.points > 0 {
            if (from..until).contains(&entry.at) {
                *earned = earned.saturating_add(entry.points);
            }
            lots.push_back((entry.at, entry.points));
            continue;
        }
        let mut debit = entry.points.saturating_neg();
        while debit > 0 {
            let Some(lot) = lots.front_mut() else { break };
            let spent = debit.min(lot.1);
            let (lot_at, _) = *lot;
            if entry.redeem
                && (from..until).contains(&lot_at)
                && entry.at - lot_at <= SOON_DAYS * DAY_MS
            {
                *redeemed = redeemed.saturating_add(spent);
            }
            lot.1 -= spent;
            debit -= spent;
            if lot.1 == 0 {
                lots.pop_front();
            }
        }
    }
}

/// The cohort of [`RedeemedSoon`] at `now` (ms), as `[from, until)` in ms: the 365 whole UTC days that end
/// 90 days before today.
pub fn cohort(now: i64) -> (i64, i64) {
    let today = now.div_euclid(DAY_MS);
    let until = (today - SOON_DAYS) * DAY_MS;
    (until - COHORT_DAYS * DAY_MS, until)
}

/// What one point is worth in minor units at the program's rates, as a fraction `(value, points)`: the
/// fixed discount that gives the most money per point, since a member may choose it. `None` when no
/// fixed discount exists (percent discounts and free items have no price of their own).
pub fn point_value(rewards: &[Reward]) -> Option<(i64, i64)> {
    rewards
        .iter()
        .filter(|r| r.kind == RewardKind::FixedDiscount && r.points_cost > 0)
        .filter_map(|r| Some((r.value?, r.points_cost)))
        .max_by(|a, b| {
            (i128::from(a.0) * i128::from(b.1)).cmp(&(i128::from(b.0) * i128::from(a.1)))
        })
}

/// Outstanding points as money (minor units, rounded down) at `point_value`.
pub fn liability_minor(outstanding: i64, (value, points): (i64, i64)) -> i64 {
    if points <= 0 || outstanding <= 0 {
        return 0;
    }
    let minor = i128::from(outstanding) * i128::from(value) / i128::from(points);
    i64::try_from(minor).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn earn(points: i64, day: i64) -> Entry {
        Entry {
            redeem: false,
            points,
            at: day * DAY_MS,
        }
    }
    fn redeem(points: i64, day: i64) -> Entry {
        Entry {
            redeem: true,
            points: -points,
            at: day * DAY_MS,
        }
    }

    fn count(entries: Vec<Entry>, from_day: i64, until_day: i64) -> (i64, i64) {
        let (mut earned, mut redeemed) = (0, 0);
        redeemed_soon(
            entries,
            from_day * DAY_MS,
            until_day * DAY_MS,
            &mut earned,
            &mut redeemed,
        );
        (earned, redeemed)
    }

    #[test]
    fn a_redemption_spends_the_oldest_points_first_and_counts_only_within_90_days() {
        // 100 on day 0, 50 on day 10, then 120 redeemed on day 95: 100 of day 0's lot (95 days: late)
        // and 20 of day 10's (85 days: soon).
        let entries = vec![earn(100, 0), earn(50, 10), redeem(120, 95)];
        assert_eq!(count(entries, 0, 365), (150, 20));
    }

    #[test]
    fn exactly_90_days_is_soon_and_expired_points_are_not_redeemed() {
        let expire = Entry {
            redeem: false,
            points: -30,
            at: 50 * DAY_MS,
        };
        let entries = vec![earn(40, 0), expire, earn(10, 60), redeem(20, 90)];
        // The expiry takes 30 of day 0's lot; the redemption the 10 left there (day 90: soon) and 10 of
        // day 60's.
        assert_eq!(count(entries, 0, 365), (50, 20));
    }

    #[test]
    fn lots_outside_the_cohort_are_spent_but_not_counted() {
        // Day -5's lot is before the cohort: the redemption spends it first and counts only the rest.
        let entries = vec![earn(30, -5), earn(30, 1), redeem(45, 20)];
        assert_eq!(count(entries, 0, 365), (30, 15));
        // A debt (refund) with no lots spends nothing.
        assert_eq!(count(vec![redeem(10, 3)], 0, 365), (0, 0));
    }

    #[test]
    fn the_cohort_is_the_year_ending_90_days_ago() {
        let now = 1000 * DAY_MS + 5_000;
        assert_eq!(cohort(now), (545 * DAY_MS, 910 * DAY_MS));
    }

    fn reward(kind: RewardKind, value: Option<i64>, cost: i64) -> Reward {
        Reward {
            id: "r".into(),
            name: "r".into(),
            description: String::new(),
            kind,
            value,
            points_cost: cost,
            min_tier: None,
            product_id: None,
            code_valid_days: None,
            limit: None,
        }
    }

    #[test]
    fn a_point_is_worth_the_best_fixed_discount_and_the_liability_rounds_down() {
        let rewards = vec![
            reward(RewardKind::FixedDiscount, Some(500), 100),
            reward(RewardKind::FixedDiscount, Some(1200), 200),
            reward(RewardKind::PercentDiscount, Some(10), 50),
        ];
        assert_eq!(point_value(&rewards), Some((1200, 200)));
        assert_eq!(liability_minor(1001, (1200, 200)), 6006);
        assert_eq!(liability_minor(1, (5, 3)), 1);
        assert_eq!(point_value(&rewards[2..]), None);
        assert_eq!(liability_minor(-50, (1200, 200)), 0);
    }
}
