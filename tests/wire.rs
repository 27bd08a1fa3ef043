//! The widget's JSON readers agree with serde on every wire type it reads.
#![cfg(target_arch = "wasm32")]

use tally_core::demo::coffee_program;
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
    assert_eq!(wire::program(&json(&program)), Ok(program));
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
    };
    assert_eq!(wire::me(&json(&me)), Ok(me.clone()));
    me.first_name = None;
    me.tier = None;
    me.next_tier = None;
    me.expiring.clear();
    assert_eq!(wire::me(&json(&me)), Ok(me));
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
    assert_eq!(wire::redemption(&json(&redemption)), Ok(redemption));
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
