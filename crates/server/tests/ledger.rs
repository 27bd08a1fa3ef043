//! The ledger's rules through the real API: orders, refunds, redemptions, idempotency, expiry lots,
//! tiers, referrals and reports, on SQLite and (when configured) PostgreSQL.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tally_core::api::{OrderRequest, RedemptionRequest};
use tally_core::{CustomerId, IdempotencyKey};
use tally_server::ledger;

fn now_ms() -> i64 {
    chrono_free_now() * 1000
}

#[tokio::test]
async fn an_order_awards_points_per_whole_unit_and_enrols_with_the_signup_bonus() {
    on_every_backend(|s| async move {
        let (status, body) = s.order("o-1", "alice", 12_999).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(
            body["points_awarded"], 129,
            "1 star per whole dollar, floored"
        );
        assert_eq!(body["balance"], 129 + 50, "signup bonus on enrolment");
        let me = s.me("alice").await;
        assert_eq!(me["balance"], 179);
        assert_eq!(me["lifetime_points"], 179);
        assert_eq!(me["tier"]["id"], "bronze");
        assert_eq!(me["tier_metric_value"], 12_999);
        s
    })
    .await;
}

#[tokio::test]
async fn a_repeated_order_answers_200_with_the_first_result_and_awards_nothing() {
    on_every_backend(|s| async move {
        let (first_status, first) = s.order("o-1", "alice", 5_000).await;
        assert_eq!(first_status, StatusCode::CREATED);
        let (status, again) = s.order("o-1", "alice", 5_000).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again, first);
        assert_eq!(s.me("alice").await["balance"], 100);
        let (status, body) = s.order("o-1", "alice", 9_999).await;
        assert_error(status, &body, StatusCode::CONFLICT, "idempotency_conflict");
        s
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_racing_itself_is_recorded_exactly_once() {
    on_every_backend(|s| async move {
        let s = std::sync::Arc::new(s);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..12 {
            let s = s.clone();
            tasks.spawn(async move { s.order("race-1", "bob", 10_000).await });
        }
        let mut created = 0;
        let mut bodies = Vec::new();
        while let Some(result) = tasks.join_next().await {
            let (status, body) = result.expect("task");
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::OK => {}
                other => panic!("unexpected {other}: {body}"),
            }
            bodies.push(body);
        }
        assert_eq!(created, 1, "exactly one request records the order");
        assert!(
            bodies.iter().all(|b| b == &bodies[0]),
            "every answer is the first result"
        );
        let s = std::sync::Arc::into_inner(s).expect("sole owner");
        assert_eq!(s.me("bob").await["balance"], 100 + 50);
        s
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_redemptions_never_overspend_the_balance() {
    on_every_backend(|s| async move {
        // 280 + 50 signup = 330 stars: three $5-off rewards (100 each) and no more.
        let (status, _) = s.order("o-1", "carol", 28_000).await;
        assert_eq!(status, StatusCode::CREATED);
        let s = std::sync::Arc::new(s);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let s = s.clone();
            tasks.spawn(async move { s.redeem("carol", &format!("key-{i}"), "5off").await });
        }
        let (mut created, mut refused) = (0, 0);
        while let Some(result) = tasks.join_next().await {
            let (status, body) = result.expect("task");
            match status {
                StatusCode::CREATED => created += 1,
                StatusCode::UNPROCESSABLE_ENTITY => {
                    assert_eq!(body["error"]["code"], "insufficient_points");
                    refused += 1;
                }
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!((created, refused), (3, 17));
        let s = std::sync::Arc::into_inner(s).expect("sole owner");
        let me = s.me("carol").await;
        assert_eq!(me["balance"], 30);
        let (_, list) = send(s.shopper(Method::GET, "/me/redemptions", "carol")).await;
        assert_eq!(list["items"].as_array().expect("items").len(), 3);
        s
    })
    .await;
}

#[tokio::test]
async fn a_redemption_replayed_with_its_key_returns_the_same_redemption_and_spends_once() {
    on_every_backend(|s| async move {
        s.order("o-1", "dan", 30_000).await;
        let (status, first) = s.redeem("dan", "k-1", "5off").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["points_spent"], 100);
        assert_eq!(first["balance"], 250);
        assert!(first["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("TALLY-")));
        let (status, again) = s.redeem("dan", "k-1", "5off").await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(again, first);
        assert_eq!(s.me("dan").await["balance"], 250);
        let (status, body) = s.redeem("dan", "k-1", "shipping").await;
        assert_error(status, &body, StatusCode::CONFLICT, "idempotency_conflict");
        s
    })
    .await;
}

#[tokio::test]
async fn redemptions_refuse_missing_points_a_locked_tier_and_unknown_rewards() {
    on_every_backend(|s| async move {
        s.order("o-1", "erin", 1_000).await; // 10 + 50 = 60 stars, Bronze
        let (status, body) = s.redeem("erin", "k-1", "5off").await;
        let message = assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_points",
        );
        assert!(message.contains("40"), "names the shortfall: {message}");
        s.merchant(
            Method::POST,
            "/customers/erin/adjustments",
            Some(json!({"points": 1000, "reason": "test", "idempotency_key": "a1"})),
        )
        .await;
        let (status, body) = s.redeem("erin", "k-2", "20off").await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reward_unavailable",
        );
        let (status, body) = s.redeem("erin", "k-3", "no-such-reward").await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = send(
            s.shopper(Method::POST, "/me/redemptions", "erin")
                .json(&json!({"reward_id": "5off"})),
        )
        .await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.contains("Idempotency-Key"), "{message}");
        assert_eq!(s.me("erin").await["balance"], 1060, "nothing was spent");
        s
    })
    .await;
}

#[tokio::test]
async fn refunds_reverse_what_the_order_awarded_and_never_more_than_its_total() {
    on_every_backend(|s| async move {
        // $200 at Bronze (200), then $100 at Silver ×1.25 (125).
        s.order("o-1", "fay", 20_000).await;
        let (_, second) = s.order("o-2", "fay", 10_000).await;
        assert_eq!(second["points_awarded"], 125, "Silver's multiplier");
        // Half of o-2 reverses half of what o-2 awarded (62), not half of $100 at today's rate.
        let (status, body) = s.refund("o-2", "r-1", 5_000).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["points_reversed"], 62);
        assert_eq!(body["balance"], 50 + 200 + 125 - 62);
        let (status, again) = s.refund("o-2", "r-1", 5_000).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            again, body,
            "a replayed refund answers the same and reverses nothing more"
        );
        let (status, body) = s.refund("o-2", "r-2", 5_001).await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "refund_exceeds_order",
        );
        let (status, body) = s.refund("o-2", "r-1", 4_000).await;
        assert_error(status, &body, StatusCode::CONFLICT, "idempotency_conflict");
        let (status, body) = s.refund("no-such-order", "r-3", 100).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = s.refund("o-2", "r-4", 0).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(s.me("fay").await["balance"], 313);
        s
    })
    .await;
}

#[tokio::test]
async fn a_refund_after_spending_leaves_a_debt_that_blocks_redemptions_until_earned_back() {
    on_every_backend(|s| async move {
        s.order("o-1", "gus", 10_000).await; // 150
        let (status, _) = s.redeem("gus", "k-1", "shipping").await; // -150
        assert_eq!(status, StatusCode::CREATED);
        let (_, body) = s.refund("o-1", "r-1", 10_000).await;
        assert_eq!(body["points_reversed"], 100);
        assert_eq!(body["balance"], -100);
        let (status, body) = s.redeem("gus", "k-2", "5off").await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_points",
        );
        let (_, body) = s.order("o-2", "gus", 15_000).await;
        assert_eq!(body["balance"], 50, "new points pay the debt first");
        assert_eq!(s.me("gus").await["balance"], 50);
        s
    })
    .await;
}

#[tokio::test]
async fn the_earn_multiplier_is_that_of_the_tier_held_when_the_order_arrives() {
    on_every_backend(|s| async move {
        let (_, a) = s.order("o-1", "hal", 20_000).await;
        assert_eq!(a["points_awarded"], 200, "Bronze when it arrives");
        let (_, b) = s.order("o-2", "hal", 10_000).await;
        assert_eq!(b["points_awarded"], 125, "Silver from 20,000 spend: ×1.25");
        let (_, c) = s.order("o-3", "hal", 30_000).await;
        assert_eq!(c["points_awarded"], 375, "still Silver when it arrives");
        let (_, d) = s.order("o-4", "hal", 10_000).await;
        assert_eq!(d["points_awarded"], 150, "Gold from 50,000: ×1.5");
        s.refund("o-3", "r-1", 30_000).await; // spend back to 40,000: Silver
        let me = s.me("hal").await;
        assert_eq!(me["tier"]["id"], "silver", "spend less refunds");
        assert_eq!(me["tier_metric_value"], 40_000);
        assert_eq!(me["next_tier"]["id"], "gold");
        assert_eq!(me["next_tier"]["remaining"], 10_000);
        let (_, e) = s.order("o-5", "hal", 10_000).await;
        assert_eq!(e["points_awarded"], 125);
        s
    })
    .await;
}

#[tokio::test]
async fn spend_older_than_365_days_no_longer_counts_toward_the_tier() {
    on_every_backend(|s| async move {
        let shop = s.shop_record().await;
        let old = OrderRequest {
            order_id: "old".into(),
            customer_id: "ivy".into(),
            total_minor: 60_000,
            currency: "USD".into(),
            referral_code: None,
            channel: Default::default(),
        };
        ledger::record_order(&s.db, &shop, &old, now_ms() - 366 * DAY_MS)
            .await
            .expect("an old order");
        let me = s.me("ivy").await;
        assert_eq!(me["tier"]["id"], "bronze");
        assert_eq!(me["tier_metric_value"], 0);
        s
    })
    .await;
}

#[tokio::test]
async fn a_points_metric_program_ranks_customers_by_lifetime_points() {
    on_every_backend(|s| async move {
        let mut program = serde_json::to_value(new_test_program()).expect("program");
        program["tier_metric"] = json!("points");
        program["tiers"][1]["threshold"] = json!(300);
        program["tiers"][2]["threshold"] = json!(1000);
        program["allowed_origins"] = json!([ORIGIN]);
        let (status, body) = s.merchant(Method::PUT, "/program", Some(program)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        s.order("o-1", "jo", 25_000).await; // 250 + 50
        let me = s.me("jo").await;
        assert_eq!(me["tier"]["id"], "silver");
        assert_eq!(me["tier_metric_value"], 300);
        s
    })
    .await;
}

#[tokio::test]
async fn spending_draws_the_oldest_lot_first_and_expired_remainders_become_expire_entries() {
    on_every_backend(|s| async move {
        let shop = s.shop_record().await;
        let now = now_ms();
        let order = |id: &str, total: i64| OrderRequest {
            order_id: id.into(),
            customer_id: "kim".into(),
            total_minor: total,
            currency: "USD".into(),
            referral_code: None,
            channel: Default::default(),
        };
        // 400 days ago: signup 50 + 100 (expired 35 days ago); 350 days ago: 120 (expires in 15 days).
        ledger::record_order(&s.db, &shop, &order("o-1", 10_000), now - 400 * DAY_MS)
            .await
            .expect("o-1");
        ledger::record_order(&s.db, &shop, &order("o-2", 12_000), now - 350 * DAY_MS)
            .await
            .expect("o-2");
        // 380 days ago a $5 reward spent the oldest lot: the 50 signup stars and 50 of o-1's 100.
        let redemption = RedemptionRequest {
            reward_id: "5off".into(),
        };
        let (kim, key) = (
            CustomerId::parse("kim").expect("an id"),
            IdempotencyKey::parse("k-1").expect("a key"),
        );
        ledger::redeem(&s.db, &shop, &kim, &key, &redemption, now - 380 * DAY_MS)
            .await
            .expect("redeem");

        let me = s.me("kim").await;
        assert_eq!(
            me["balance"], 120,
            "o-1's last 50 expired; o-2's 120 remain"
        );
        assert_eq!(
            me["expiring"],
            json!([{"points": 120, "expires_at": me["expiring"][0]["expires_at"]}])
        );
        assert_eq!(me["expiring"].as_array().map(Vec::len), Some(1));

        let activity = s.all_activity("kim").await;
        let expired: Vec<&Value> = activity.iter().filter(|a| a["kind"] == "expire").collect();
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0]["points"], -50);
        assert_eq!(
            activity[0]["balance_after"], me["balance"],
            "newest entry carries the balance"
        );
        let sum: i64 = activity
            .iter()
            .map(|a| a["points"].as_i64().expect("points"))
            .sum();
        assert_eq!(sum, 120, "the entries add up to the balance");

        let (_, summary) = s.merchant(Method::GET, "/reports/summary", None).await;
        assert_eq!(summary["points_expired"], 50);
        assert_eq!(summary["points_outstanding"], 120);
        s
    })
    .await;
}

#[tokio::test]
async fn me_lists_every_lot_expiring_within_30_days_soonest_first_after_settling_the_due_ones() {
    on_every_backend(|s| async move {
        let shop = s.shop_record().await;
        let now = now_ms();
        let order = |id: &str, total: i64| OrderRequest {
            order_id: id.into(),
            customer_id: "lea".into(),
            total_minor: total,
            currency: "USD".into(),
            referral_code: None,
            channel: Default::default(),
        };
        // Points live 365 days. 400 days ago: signup 50 + 10, due 35 days ago. Recorded out of date order
        // so that the lots' keys disagree with their dates: 340 days ago 30 (expires in 25 days), 350 days
        // ago 20 (in 15 days); 200 days ago 40 (in 165 days: past the window).
        for (id, total, days_ago) in [
            ("o-old", 1_000, 400),
            ("o-25", 3_000, 340),
            ("o-15", 2_000, 350),
            ("o-165", 4_000, 200),
        ] {
            ledger::record_order(&s.db, &shop, &order(id, total), now - days_ago * DAY_MS)
                .await
                .expect(id);
        }

        let me = s.me("lea").await;
        assert_eq!(
            me["balance"],
            20 + 30 + 40,
            "the due 60 expired before the answer"
        );
        let points: Vec<&Value> = me["expiring"]
            .as_array()
            .expect("expiring")
            .iter()
            .map(|lot| &lot["points"])
            .collect();
        assert_eq!(
            points,
            [&json!(20), &json!(30)],
            "soonest first, none past 30 days"
        );
        let dates: Vec<&str> = me["expiring"]
            .as_array()
            .expect("expiring")
            .iter()
            .map(|lot| lot["expires_at"].as_str().expect("a date"))
            .collect();
        let expected: Vec<String> = [350, 340]
            .iter()
            .map(|days_ago| tally_server::clock::rfc3339(now - days_ago * DAY_MS + 365 * DAY_MS))
            .collect();
        assert_eq!(dates, expected);

        let again = s.me("lea").await;
        assert_eq!(again, me, "nothing left to settle: the same answer");
        let (_, shown) = s.merchant(Method::GET, "/customers/lea", None).await;
        assert_eq!(shown, me, "the merchant sees what the shopper sees");
        s
    })
    .await;
}

#[tokio::test]
async fn referral_awards_go_to_both_once_on_the_friends_first_order_and_never_to_oneself() {
    on_every_backend(|s| async move {
        let advocate = s.me("ann").await;
        let code = advocate["referral"]["code"]
            .as_str()
            .expect("code")
            .to_owned();
        assert_eq!(
            advocate["referral"]["url"],
            format!("https://coffee.example/?ref={code}")
        );
        let with_code = |id: &str, customer: &str, code: &str| {
            json!({"order_id": id, "customer_id": customer, "total_minor": 1000,
                   "currency": "USD", "referral_code": code})
        };
        let (_, first) = s
            .merchant(
                Method::POST,
                "/orders",
                Some(with_code("b-1", "ben", &code)),
            )
            .await;
        assert_eq!(
            first["balance"],
            50 + 10 + 100,
            "the friend's signup, order and welcome points"
        );
        let (_, second) = s
            .merchant(
                Method::POST,
                "/orders",
                Some(with_code("b-2", "ben", &code)),
            )
            .await;
        assert_eq!(second["balance"], 170, "only the first order counts");
        s.order("c-0", "cat", 1_000).await;
        s.merchant(
            Method::POST,
            "/orders",
            Some(with_code("c-1", "cat", &code)),
        )
        .await;
        assert_eq!(
            s.me("cat").await["balance"],
            70,
            "not a first order: no award"
        );
        let own = s.me("dot").await["referral"]["code"]
            .as_str()
            .expect("code")
            .to_owned();
        s.merchant(Method::POST, "/orders", Some(with_code("d-1", "dot", &own)))
            .await;
        assert_eq!(s.me("dot").await["balance"], 60, "no self-referral");

        let advocate = s.me("ann").await;
        assert_eq!(advocate["balance"], 50 + 200);
        assert_eq!(advocate["referral"]["friends_referred"], 1);
        assert_eq!(advocate["referral"]["points_earned"], 200);
        s
    })
    .await;
}

#[tokio::test]
async fn adjustments_and_activities_are_awarded_once_per_key() {
    on_every_backend(|s| async move {
        let adjust = json!({"points": 40, "reason": "Goodwill", "idempotency_key": "adj-1"});
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/eve/adjustments",
                Some(adjust.clone()),
            )
            .await;
        assert_eq!(
            (status, body["balance"].as_i64()),
            (StatusCode::CREATED, Some(90))
        );
        let (_, again) = s
            .merchant(Method::POST, "/customers/eve/adjustments", Some(adjust))
            .await;
        assert_eq!(again["balance"], 90);
        let too_much = json!({"points": -91, "reason": "Oops", "idempotency_key": "adj-2"});
        let (status, body) = s
            .merchant(Method::POST, "/customers/eve/adjustments", Some(too_much))
            .await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_points",
        );
        let zero = json!({"points": 0, "reason": "x", "idempotency_key": "adj-3"});
        let (status, body) = s
            .merchant(Method::POST, "/customers/eve/adjustments", Some(zero))
            .await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.contains("points"));

        let review = json!({"rule_id": "review", "idempotency_key": "review-42"});
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/eve/activities",
                Some(review.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(body, json!({"points_awarded": 25, "balance": 115}));
        let (_, again) = s
            .merchant(Method::POST, "/customers/eve/activities", Some(review))
            .await;
        assert_eq!(again["balance"], 115);
        let birthday = json!({"rule_id": "birthday", "idempotency_key": "bd-2026"});
        let (_, body) = s
            .merchant(Method::POST, "/customers/eve/activities", Some(birthday))
            .await;
        assert_eq!(body["points_awarded"], 100);
        let purchase = json!({"rule_id": "purchase", "idempotency_key": "p-1"});
        let (status, body) = s
            .merchant(Method::POST, "/customers/eve/activities", Some(purchase))
            .await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.contains("rule_id"));
        s
    })
    .await;
}

#[tokio::test]
async fn activity_pages_newest_first_with_a_cursor() {
    on_every_backend(|s| async move {
        for i in 0..5 {
            s.order(&format!("o-{i}"), "pat", 1_000 * (i + 1)).await;
        }
        let (status, page) = send(s.shopper(Method::GET, "/me/activity?limit=4", "pat")).await;
        assert_eq!(status, StatusCode::OK);
        let items = page["items"].as_array().expect("items");
        assert_eq!(items.len(), 4);
        assert_eq!(items[0]["points"], 50, "the newest order first");
        assert_eq!(items[0]["kind"], "earn");
        let next = page["next"].as_str().expect("a next page");
        let (_, rest) = send(s.shopper(
            Method::GET,
            &format!("/me/activity?limit=4&before={next}"),
            "pat",
        ))
        .await;
        let rest = rest["items"].as_array().expect("items").clone();
        assert_eq!(rest.len(), 2);
        assert_eq!(rest[1]["kind"], "signup");
        assert!(page["next"].is_string());
        for bad in ["limit=0", "limit=101", "limit=ten", "before=abc"] {
            let (status, body) =
                send(s.shopper(Method::GET, &format!("/me/activity?{bad}"), "pat")).await;
            let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(
                message.contains(bad.split('=').next().unwrap_or_default()),
                "{message}"
            );
        }
        s
    })
    .await;
}

#[tokio::test]
async fn the_summary_agrees_with_the_ledger_and_every_customer() {
    on_every_backend(|s| async move {
        s.order("o-1", "a", 30_000).await;
        s.order("o-2", "b", 60_000).await;
        s.order("o-3", "c", 1_000).await;
        s.refund("o-2", "r-1", 10_000).await;
        s.redeem("a", "k-1", "10pct").await;
        s.redeem("b", "k-1", "20off").await;
        s.merchant(
            Method::POST,
            "/customers/c/adjustments",
            Some(json!({"points": -20, "reason": "correction", "idempotency_key": "x"})),
        )
        .await;
        let (status, summary) = s.merchant(Method::GET, "/reports/summary", None).await;
        assert_eq!(status, StatusCode::OK, "{summary}");

        let mut balances = 0;
        let mut by_tier = std::collections::BTreeMap::<String, i64>::new();
        let mut debits_other_than_redeem_and_expire = 0;
        for customer in ["a", "b", "c"] {
            let (_, me) = s
                .merchant(Method::GET, &format!("/customers/{customer}"), None)
                .await;
            balances += me["balance"].as_i64().expect("balance");
            *by_tier
                .entry(me["tier"]["id"].as_str().expect("tier").to_owned())
                .or_default() += 1;
            for entry in s.all_activity(customer).await {
                let points = entry["points"].as_i64().expect("points");
                if points < 0 && entry["kind"] != "redeem" && entry["kind"] != "expire" {
                    debits_other_than_redeem_and_expire -= points;
                }
            }
        }
        assert_eq!(summary["members"], 3);
        assert_eq!(summary["points_outstanding"], balances);
        let issued = summary["points_issued"].as_i64().expect("issued");
        let redeemed = summary["points_redeemed"].as_i64().expect("redeemed");
        let expired = summary["points_expired"].as_i64().expect("expired");
        assert_eq!(
            issued - redeemed - expired - debits_other_than_redeem_and_expire,
            balances
        );
        assert_eq!(redeemed, 250 + 350);
        assert_eq!(summary["redemptions"], 2);
        assert!((summary["redemption_rate"].as_f64().expect("rate") - 2.0 / 3.0).abs() < 1e-9);
        for (tier, count) in by_tier {
            assert_eq!(summary["members_by_tier"][&tier], count, "{tier}");
        }
        s
    })
    .await;
}

#[tokio::test]
async fn a_customer_is_patched_shown_to_the_merchant_and_unknown_ones_are_404() {
    on_every_backend(|s| async move {
        let (status, body) = s.merchant(Method::GET, "/customers/nobody", None).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, me) = s
            .merchant(
                Method::PATCH,
                "/customers/zoe",
                Some(json!({"first_name": "Zoe", "birthday": "02-29", "email": "zoe@example.com"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["first_name"], "Zoe");
        assert_eq!(me["balance"], 50, "enrolled by the update");
        let (_, shown) = s.merchant(Method::GET, "/customers/zoe", None).await;
        assert_eq!(shown, s.me("zoe").await);
        let (status, body) = s
            .merchant(
                Method::PATCH,
                "/customers/zoe",
                Some(json!({"birthday": "1990-02-29"})),
            )
            .await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.contains("birthday"));
        s
    })
    .await;
}
