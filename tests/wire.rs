//! The widget's JSON readers agree with serde on every wire type it reads.
#![cfg(target_arch = "wasm32")]

use tally_core::demo::{coffee_club_program, coffee_program};
use tally_core::*;
use tally_widget::wire;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

#[wasm_bindgen_test]
fn the_demo_program_reads_as_serde_wrote_it() {
    let program = Program {
        shop: Shop {
            id: "demo-coffee".into(),
            name: "Tally Coffee Roasters".into(),
            currency: "USD".into(),
            locale: "en".into(),
        },
        rules: coffee_program(),
    };
    assert_eq!(wire::program(&json(&program)), Ok(program.clone()));
    // The whole demo program: a paid tier without a threshold, limits, feedback, a weekly referral cap.
    let mut club = program;
    club.rules = coffee_club_program();
    club.rules.referral.max_per_week = Some(3);
    assert_eq!(wire::program(&json(&club)), Ok(club));
}

#[wasm_bindgen_test]
fn a_shopper_with_and_without_optional_parts_reads_back() {
    let mut me = Me {
        customer_id: "c-1".into(),
        first_name: Some("Ada".into()),
        balance: -20,
        lifetime_points: 300,
        tier: Some(TierRef {
            id: "silver".into(),
            name: "Silver".into(),
        }),
        next_tier: Some(NextTier {
            id: "gold".into(),
            name: "Gold".into(),
            threshold: 50_000,
            remaining: 1,
        }),
        tier_progress: 0.5,
        tier_metric_value: 49_999,
        referral: ReferralStatus {
            code: "A".into(),
            url: "https://x/?ref=A".into(),
            friends_referred: 2,
            points_earned: 400,
        },
        expiring: vec![ExpiringPoints {
            points: 5,
            expires_at: "2026-12-01T00:00:00Z".into(),
        }],
        membership: Some(MembershipRef {
            tier_id: "club".into(),
            expires_at: "2027-11-23T10:00:00Z".into(),
        }),
        limits: vec![
            LimitUsage {
                kind: LimitKind::Reward,
                id: "sample".into(),
                used: 1,
                count: 1,
                per: LimitPeriod::Month,
                resets_at: Some("2026-12-01T00:00:00Z".into()),
            },
            LimitUsage {
                kind: LimitKind::EarnRule,
                id: "recycle".into(),
                used: 0,
                count: 2,
                per: LimitPeriod::Lifetime,
                resets_at: None,
            },
        ],
        next_feedback_at: Some("2027-02-21T10:00:00Z".into()),
    };
    assert_eq!(wire::me(&json(&me)), Ok(me.clone()));
    me.first_name = None;
    me.tier = None;
    me.next_tier = None;
    me.expiring.clear();
    me.membership = None;
    me.limits.clear();
    me.next_feedback_at = None;
    assert_eq!(wire::me(&json(&me)), Ok(me));
}

#[wasm_bindgen_test]
fn a_shopper_from_a_server_before_paid_tiers_reads_with_none_of_them() {
    let old = r#"{"customer_id":"c","first_name":null,"balance":1,"lifetime_points":1,"tier":null,
        "next_tier":null,"tier_progress":0,"tier_metric_value":0,
        "referral":{"code":"A","url":"u","friends_referred":0,"points_earned":0},"expiring":[]}"#;
    let me = wire::me(old).expect("an old /me reads");
    assert_eq!(
        (me.membership, me.limits.len(), me.next_feedback_at),
        (None, 0, None)
    );
}

#[wasm_bindgen_test]
fn a_feedback_answer_reads_back() {
    let result = FeedbackResult {
        points_awarded: 25,
        balance: 75,
        next_allowed_at: "2027-02-21T10:00:00Z".into(),
    };
    assert_eq!(wire::feedback_result(&json(&result)), Ok(result));
}

#[wasm_bindgen_test]
fn activity_redemptions_and_errors_read_back() {
    let page = ActivityPage {
        items: vec![Activity {
            id: "1".into(),
            kind: ActivityKind::Redeem,
            points: -100,
            balance_after: 79,
            description: "$5 off".into(),
            created_at: "2026-11-23T10:00:00Z".into(),
        }],
        next: Some("cursor".into()),
        notes: vec![],
    };
    assert_eq!(wire::activity_page(&json(&page)), Ok(page));
    let redemption = Redemption {
        id: "r".into(),
        reward_id: "5off".into(),
        code: "TALLY-1".into(),
        points_spent: 100,
        balance: 79,
        created_at: "2026-11-23T10:00:00Z".into(),
        status: CodeStatus::Used,
        expires_at: Some("2026-12-23T10:00:00Z".into()),
    };
    assert_eq!(wire::redemption(&json(&redemption)), Ok(redemption.clone()));
    let list = RedemptionList {
        items: vec![redemption.clone(), redemption],
    };
    assert_eq!(wire::redemptions(&json(&list)), Ok(list.items));
    assert_eq!(
        wire::error_code(r#"{"error":{"code":"insufficient_points","message":"x"}}"#).as_deref(),
        Some("insufficient_points")
    );
}

#[wasm_bindgen_test]
fn every_activity_kind_reads_back_and_an_unknown_one_is_refused() {
    let page = ActivityPage {
        items: ActivityKind::ALL
            .iter()
            .map(|kind| Activity {
                id: kind.as_str().into(),
                kind: *kind,
                points: 1,
                balance_after: 1,
                description: String::new(),
                created_at: "2026-11-23T10:00:00Z".into(),
            })
            .collect(),
        next: None,
        notes: vec![],
    };
    assert_eq!(wire::activity_page(&json(&page)), Ok(page));
    assert!(wire::activity_page(r#"{"items":[{"id":"1","kind":"gift","points":1,"balance_after":1,"description":"","created_at":"t"}],"next":null}"#).is_err());
}

#[wasm_bindgen_test]
fn malformed_answers_are_refused_not_trusted() {
    assert!(wire::me("<html>").is_err());
    assert!(wire::me(r#"{"customer_id": 5}"#).is_err());
    assert!(wire::redemption(
        r#"{"id":"r","reward_id":"x","code":"c","points_spent":1.5,"balance":1,"created_at":"t"}"#
    )
    .is_err());
    assert_eq!(wire::error_code("not json"), None);
}
