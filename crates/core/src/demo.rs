//! The demo coffee shop's program: seeded by `tally-server demo` and used as a fixture by the widget's tests.

use crate::api::*;

/// The program of "Tally Coffee Roasters": three tiers by spend, five rewards, birthday and referral rules.
pub fn coffee_program() -> ProgramRules {
    let earn = |id: &str, kind, title: &str, points_per_unit, points| EarnRule {
        id: id.into(),
        kind,
        title: title.into(),
        points_per_unit,
        points,
        limit: None,
    };
    let tier = |id: &str, name: &str, threshold, earn_multiplier, benefits: &[&str]| Tier {
        id: id.into(),
        name: name.into(),
        threshold: Some(threshold),
        earn_multiplier,
        benefits: benefits.iter().map(|b| b.to_string()).collect(),
        paid: None,
    };
    let reward = |id: &str,
                  name: &str,
                  description: &str,
                  kind,
                  value,
                  points_cost,
                  min_tier: Option<&str>| Reward {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        kind,
        value,
        points_cost,
        min_tier: min_tier.map(Into::into),
        product_id: (kind == RewardKind::FreeProduct).then(|| "bag-house-blend-250g".into()),
        code_valid_days: None,
        limit: None,
    };
    ProgramRules {
        points: PointsName {
            singular: "star".into(),
            plural: "stars".into(),
        },
        earn_rules: vec![
            earn(
                "purchase",
                EarnRuleKind::Purchase,
                "Earn 1 star per $1 spent",
                Some(1),
                None,
            ),
            earn(
                "signup",
                EarnRuleKind::Signup,
                "Join the program",
                None,
                Some(50),
            ),
            earn(
                "birthday",
                EarnRuleKind::Birthday,
                "Birthday treat",
                None,
                Some(100),
            ),
            earn(
                "referral",
                EarnRuleKind::Referral,
                "Refer a friend",
                None,
                Some(200),
            ),
            earn(
                "review",
                EarnRuleKind::Custom,
                "Review a coffee you tried",
                None,
                Some(25),
            ),
        ],
        tiers: vec![
            tier("bronze", "Bronze", 0, 1.0, &["1 star per $1"]),
            tier(
                "silver",
                "Silver",
                20_000,
                1.25,
                &["1.25 stars per $1", "Free shipping on every order"],
            ),
            tier(
                "gold",
                "Gold",
                50_000,
                1.5,
                &[
                    "1.5 stars per $1",
                    "Early access to new roasts",
                    "Free shipping on every order",
                ],
            ),
        ],
        tier_metric: TierMetric::Spend,
        rewards: vec![
            reward(
                "5off",
                "$5 off",
                "$5 off your next order",
                RewardKind::FixedDiscount,
                Some(500),
                100,
                None,
            ),
            reward(
                "shipping",
                "Free shipping",
                "Free shipping on one order",
                RewardKind::FreeShipping,
                None,
                150,
                None,
            ),
            reward(
                "10pct",
                "10% off",
                "10% off one order",
                RewardKind::PercentDiscount,
                Some(10),
                250,
                None,
            ),
            reward(
                "beans",
                "Free bag of beans",
                "A 250 g bag of our house blend",
                RewardKind::FreeProduct,
                None,
                400,
                None,
            ),
            reward(
                "20off",
                "$20 off",
                "$20 off an order, for Gold members",
                RewardKind::FixedDiscount,
                Some(2000),
                350,
                Some("gold"),
            ),
        ],
        referral: ReferralProgram {
            advocate_points: 200,
            friend_points: 100,
            landing_url: "http://127.0.0.1:8080/".into(),
            max_per_week: None,
        },
        points_expiry_days: Some(365),
        refund_expired_codes: false,
        theme: serde_json::json!({}),
        feedback: None,
    }
}

/// The demo shop's whole program: [`coffee_program`] plus what a newcomer should see of every feature
/// in `scripts/demo`: the paid "Gold Club" ($49 a year), its monthly free sample (once a month, no
/// stars), a custom action limited to once a month, and the feedback question.
pub fn coffee_club_program() -> ProgramRules {
    let mut rules = coffee_program();
    rules.tiers.push(Tier {
        id: "club".into(),
        name: "Gold Club".into(),
        threshold: None,
        earn_multiplier: 2.0,
        benefits: vec![
            "2 stars per $1".into(),
            "A free sample of the month's roast, every month".into(),
            "Free shipping on every order".into(),
        ],
        paid: Some(PaidTier {
            price_minor: 4_900,
            period_days: 365,
            purchase_url: "http://127.0.0.1:8080/#gold-club".into(),
        }),
    });
    rules.rewards.push(Reward {
        id: "sample".into(),
        name: "Sample of the month".into(),
        description: "A 50 g bag of this month's roast, for Gold Club members".into(),
        kind: RewardKind::FreeProduct,
        value: None,
        points_cost: 0,
        min_tier: Some("club".into()),
        product_id: Some("sample-of-the-month-50g".into()),
        code_valid_days: Some(30),
        limit: Some(Limit {
            count: 1,
            per: LimitPeriod::Month,
        }),
    });
    rules.earn_rules.push(EarnRule {
        id: "recycle".into(),
        kind: EarnRuleKind::Custom,
        title: "Recycle a bag at the counter".into(),
        points_per_unit: None,
        points: Some(20),
        limit: Some(Limit {
            count: 1,
            per: LimitPeriod::Month,
        }),
    });
    rules.feedback = Some(FeedbackProgram {
        points: 25,
        cooldown_days: 90,
        question: Some("How likely are you to recommend Tally Coffee to a friend?".into()),
    });
    rules
}
