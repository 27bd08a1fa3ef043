//! The loyalty rules as a specification.

use tally_core::demo::coffee_program;
use tally_core::rules::*;
use tally_core::{ProgramRules, ProgramUpdate, Reward, RewardKind};

#[test]
fn purchase_points_floor_whole_units_then_the_multiplier() {
    // $129.99 at 1 point per $1 is 129 points; at Gold's 1.5× it is floor(193.5) = 193.
    assert_eq!(purchase_points(12_999, "USD", 1, 1.0), 129);
    assert_eq!(purchase_points(12_999, "USD", 1, 1.5), 193);
    assert_eq!(purchase_points(99, "USD", 10, 1.0), 0);
    assert_eq!(purchase_points(1_500, "JPY", 1, 1.0), 1_500);
    assert_eq!(purchase_points(1_500, "KWD", 2, 1.0), 2);
}

#[test]
fn purchase_points_never_overflow_or_go_negative() {
    assert_eq!(purchase_points(i64::MAX, "JPY", i64::MAX, 100.0), i64::MAX);
    assert_eq!(purchase_points(-500, "USD", 1, 1.0), 0);
    assert_eq!(purchase_points(500, "USD", 1, f64::NAN), 0);
}

#[test]
fn multipliers_are_applied_in_thousandths_without_float_drift() {
    // 0.1 + 0.2 style drift must not cost a shopper a point: 1.1 × 10 is 11, not 10.999….
    assert_eq!(purchase_points(1_000, "USD", 1, 1.1), 11);
    assert_eq!(multiplier_thousandths(1.25), 1_250);
}

#[test]
fn refunds_reverse_a_floored_share_of_what_the_order_awarded() {
    assert_eq!(refund_points(193, 6_500, 12_999), 96);
    assert_eq!(refund_points(193, 12_999, 12_999), 193);
    assert_eq!(refund_points(0, 100, 0), 0);
}

#[test]
fn tier_standing_tracks_the_highest_threshold_reached() {
    let tiers = coffee_program().tiers;
    let s = tier_standing(&tiers, 10_000);
    assert_eq!(s.current.map(|t| t.id.as_str()), Some("bronze"));
    assert_eq!(s.next.map(|t| t.id.as_str()), Some("silver"));
    assert_eq!(s.remaining, 10_000);
    assert!((s.progress - 0.5).abs() < 1e-9);

    let s = tier_standing(&tiers, 20_000);
    assert_eq!(s.current.map(|t| t.id.as_str()), Some("silver"));
    assert_eq!(s.remaining, 30_000);
    assert_eq!(s.progress, 0.0);

    let top = tier_standing(&tiers, 90_000);
    assert_eq!(top.current.map(|t| t.id.as_str()), Some("gold"));
    assert!(top.next.is_none());
    assert_eq!((top.remaining, top.progress), (0, 1.0));
}

#[test]
fn negative_spend_after_refunds_still_holds_no_tier_above_the_first() {
    let tiers = coffee_program().tiers;
    let s = tier_standing(&tiers, -500);
    assert!(s.current.is_none());
    assert_eq!(s.next.map(|t| t.id.as_str()), Some("bronze"));
    assert_eq!(s.remaining, 500);
}

#[test]
fn tier_standing_saturates_at_the_extremes_of_the_metric() {
    // Found by fuzzing: a debt of i64::MIN used to overflow the remaining amount.
    let tiers = coffee_program().tiers;
    assert_eq!(tier_standing(&tiers, i64::MIN).remaining, i64::MAX);
    assert_eq!(tier_standing(&tiers, i64::MAX).progress, 1.0);
}

#[test]
fn eligibility_reports_points_short_and_tier_locks() {
    let program = coffee_program();
    let reward = |id: &str| {
        program
            .rewards
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(
        reward_eligibility(&reward("5off"), 100, Some("bronze"), &program.tiers),
        Eligibility::Redeemable
    );
    assert_eq!(
        reward_eligibility(&reward("10pct"), 179, Some("bronze"), &program.tiers),
        Eligibility::NeedsPoints(71)
    );
    assert_eq!(
        reward_eligibility(&reward("20off"), 1_000, Some("silver"), &program.tiers),
        Eligibility::NeedsTier("gold".into())
    );
    assert_eq!(
        reward_eligibility(&reward("20off"), 1_000, Some("gold"), &program.tiers),
        Eligibility::Redeemable
    );
    assert_eq!(
        reward_eligibility(&reward("5off"), -20, None, &program.tiers),
        Eligibility::NeedsPoints(100)
    );
}

#[test]
fn money_is_formatted_from_minor_units_exactly() {
    assert_eq!(format_minor(40_000, "EUR"), "400.00");
    assert_eq!(format_minor(-5, "USD"), "-0.05");
    assert_eq!(format_minor(1_500, "JPY"), "1500");
    assert_eq!(format_minor(1_234, "KWD"), "1.234");
}

#[test]
fn the_demo_program_is_valid() {
    let update = ProgramUpdate {
        rules: coffee_program(),
        allowed_origins: vec!["http://127.0.0.1:8080".into()],
    };
    assert_eq!(program_problems(&update), Vec::<String>::new());
}

#[test]
fn program_validation_names_each_problem() {
    let mut rules = coffee_program();
    rules.tiers[0].threshold = Some(10);
    rules.tiers[2].threshold = rules.tiers[1].threshold;
    rules.rewards.push(Reward {
        id: "5off".into(),
        name: "again".into(),
        description: String::new(),
        kind: RewardKind::PercentDiscount,
        value: Some(150),
        points_cost: -1,
        min_tier: Some("platinum".into()),
        product_id: None,
        code_valid_days: None,
        limit: None,
    });
    let problems = program_problems(&ProgramUpdate {
        rules,
        allowed_origins: vec!["https://shop.example/".into()],
    });
    let expect = [
        "tiers[0] (bronze).threshold: the first tier must start at 0",
        "tiers[2] (gold).threshold: must be greater than the previous tier's 20000",
        "rewards: the id \"5off\" appears more than once",
        "rewards[5] (5off).points_cost",
        "rewards[5] (5off).value",
        "rewards[5] (5off).min_tier",
        "allowed_origins[0]",
    ];
    for e in expect {
        assert!(
            problems.iter().any(|p| p.starts_with(e)),
            "no problem starting {e:?} in {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expect.len(), "{problems:#?}");
}

#[test]
fn a_reward_code_is_valid_for_1_to_3650_days_or_for_ever() {
    let problems_with = |days: Option<u32>| {
        let mut rules = coffee_program();
        rules.rewards[2].code_valid_days = days;
        program_problems(&ProgramUpdate {
            rules,
            allowed_origins: vec![],
        })
    };
    assert_eq!(problems_with(None), Vec::<String>::new());
    assert_eq!(problems_with(Some(1)), Vec::<String>::new());
    assert_eq!(problems_with(Some(3650)), Vec::<String>::new());
    let id = coffee_program().rewards[2].id.clone();
    assert_eq!(
        problems_with(Some(0)),
        [format!(
            "rewards[2] ({id}).code_valid_days: must be 1–3650, not 0"
        )]
    );
    assert_eq!(problems_with(Some(3651)).len(), 1);
}

#[test]
fn programs_stored_before_codes_expired_load_with_refunds_of_expired_codes_off() {
    let mut json = serde_json::to_value(coffee_program()).unwrap_or_default();
    json.as_object_mut()
        .map(|o| o.remove("refund_expired_codes"));
    let rules: ProgramRules = serde_json::from_value(json).expect("an old program loads");
    assert!(!rules.refund_expired_codes);
    assert!(rules.rewards.iter().all(|r| r.code_valid_days.is_none()));
}

#[test]
fn ids_and_keys_are_bounded() {
    assert!(is_valid_customer_id("cust-42"));
    assert!(!is_valid_customer_id(""));
    assert!(!is_valid_customer_id(&"x".repeat(129)));
    assert!(!is_valid_customer_id("tab\there"));
    assert!(!is_valid_customer_id("émile"));
    assert!(is_valid_idempotency_key(&"k".repeat(255)));
    assert!(!is_valid_idempotency_key(&"k".repeat(256)));
    assert!(is_valid_origin("https://shop.example"));
    assert!(is_valid_origin("http://127.0.0.1:8080"));
    assert!(!is_valid_origin("https://shop.example/path"));
    assert!(!is_valid_origin("*"));
}

#[test]
fn program_json_round_trips_with_the_contract_field_names() {
    let json = serde_json::to_value(coffee_program()).unwrap_or_default();
    assert_eq!(json["tiers"][2]["earn_multiplier"], 1.5);
    assert_eq!(json["rewards"][4]["min_tier"], "gold");
    assert_eq!(json["earn_rules"][0]["points_per_unit"], 1);
    assert!(json["earn_rules"][1].get("points_per_unit").is_none());
    assert_eq!(json["tier_metric"], "spend");
}
