//! The program of issue 12 through the real API, on SQLite and PostgreSQL: paid tiers (bought,
//! repeated, extended, cancelled, ending on time), limits (one winner among concurrent redemptions,
//! calendar boundaries), the shop's customers (search, paging, phones), orders by channel, feedback
//! and its NPS, and fair referrals (every guard).

mod common;

use std::sync::Arc;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tally_core::api::{ActivityRequest, MembershipRequest, ProgramRules, ProgramUpdate};
use tally_core::rules::{days_from_civil, DAY_MS};
use tally_core::CustomerId;
use tally_server::{jobs, ledger, AppState};

fn now_ms() -> i64 {
    chrono_free_now() * 1000
}

/// The demo shop's whole program (paid "club" tier, monthly "sample", monthly "recycle", feedback).
fn club_program() -> ProgramRules {
    let mut rules = tally_core::demo::coffee_club_program();
    rules.referral.landing_url = "https://coffee.example/".into();
    rules
}

async fn store_program(s: &TestServer, rules: ProgramRules) {
    let update = ProgramUpdate {
        rules,
        allowed_origins: vec![ORIGIN.into()],
    };
    let body = serde_json::to_value(&update).expect("json");
    let (status, stored) = s.merchant(Method::PUT, "/program", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
}

async fn buy(s: &TestServer, customer: &str, tier: &str, order: &str) -> (StatusCode, Value) {
    s.merchant(
        Method::POST,
        &format!("/customers/{customer}/memberships"),
        Some(json!({"tier_id": tier, "order_id": order})),
    )
    .await
}

async fn events_of(s: &TestServer, event: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE shop_id = $1 AND type = $2")
        .bind(&s.shop.id)
        .bind(event)
        .fetch_one(&s.db.pool)
        .await
        .expect("events")
}

async fn patch(s: &TestServer, customer: &str, body: Value) -> (StatusCode, Value) {
    s.merchant(Method::PATCH, &format!("/customers/{customer}"), Some(body))
        .await
}

async fn order_with(s: &TestServer, body: Value) -> (StatusCode, Value) {
    s.merchant(Method::POST, "/orders", Some(body)).await
}

/// Unix ms of a UTC date and time.
fn at(year: i64, month: u32, day: u32, h: i64, m: i64, sec: i64) -> i64 {
    days_from_civil(year, month, day) * DAY_MS + ((h * 60 + m) * 60 + sec) * 1000
}

#[tokio::test]
async fn a_membership_is_bought_once_per_order_extended_by_a_renewal_and_cancelled() {
    on_every_backend(|s| async move {
        store_program(&s, club_program()).await;
        let (status, first) = buy(&s, "ana", "club", "club-1").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["tier_id"], "club");
        let (status, again) = buy(&s, "ana", "club", "club-1").await;
        assert_eq!(
            (status, &again),
            (StatusCode::OK, &first),
            "a repeat answers the same"
        );

        let me = s.me("ana").await;
        assert_eq!(me["tier"]["id"], "club");
        assert_eq!(me["membership"]["tier_id"], "club");
        assert_eq!(me["membership"]["expires_at"], first["expires_at"]);
        assert_eq!(
            me["next_tier"]["id"], "silver",
            "progress follows thresholds"
        );

        let (status, renewal) = buy(&s, "ana", "club", "club-2").await;
        assert_eq!(status, StatusCode::CREATED, "{renewal}");
        assert_eq!(
            renewal["starts_at"], first["expires_at"],
            "extends from the end"
        );
        assert_eq!(
            s.me("ana").await["membership"]["expires_at"],
            renewal["expires_at"]
        );
        assert_eq!(events_of(&s, "membership.started").await, 2);

        let (status, cancelled) = s
            .merchant(Method::POST, "/memberships/club-1/cancel", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        let me = s.me("ana").await;
        assert_eq!(me["membership"], Value::Null);
        assert_eq!(me["tier"]["id"], "bronze");
        assert_eq!(events_of(&s, "membership.ended").await, 1);
        let (status, twice) = s
            .merchant(Method::POST, "/memberships/club-1/cancel", None)
            .await;
        assert_eq!((status, &twice), (StatusCode::OK, &cancelled));
        assert_eq!(events_of(&s, "membership.ended").await, 1, "ended once");

        let (status, body) = s
            .merchant(Method::POST, "/memberships/never-seen/cancel", None)
            .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = buy(&s, "ana", "gold", "club-3").await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.starts_with("tier_id:"), "{message}");
        s
    })
    .await;
}

#[tokio::test]
async fn a_membership_ends_on_time_and_the_job_records_its_end_once() {
    on_every_backend(|s| async move {
        store_program(&s, club_program()).await;
        let shop = s.shop_record().await;
        let now = now_ms();
        let ana = CustomerId::parse("ana").expect("id");
        let request = MembershipRequest {
            tier_id: "club".into(),
            order_id: "club-1".into(),
        };
        ledger::buy_membership(&s.db, &shop, &ana, &request, now)
            .await
            .expect("bought");
        let pk = ledger::settle_customer(&s.db, &shop, &ana, false, now)
            .await
            .expect("settled")
            .expect("enrolled");
        let end = now + 365 * DAY_MS;
        let view = ledger::customer_view(&s.db, &shop, pk, end - 1)
            .await
            .expect("view");
        assert_eq!(view.tier.map(|t| t.id).as_deref(), Some("club"));
        let view = ledger::customer_view(&s.db, &shop, pk, end)
            .await
            .expect("view");
        assert_eq!(
            view.tier.map(|t| t.id).as_deref(),
            Some("bronze"),
            "ends on time"
        );
        assert_eq!(view.membership, None);

        let state = AppState::new(s.db.clone(), generous_limits());
        let early = jobs::run_steps(&state, jobs::Job::MembershipEnd, end - 1)
            .await
            .expect("job");
        assert_eq!(early, (0, None));
        let runs = jobs::run_once(&state, end).await.expect("tick");
        let ended = runs
            .iter()
            .find(|r| r.job == jobs::Job::MembershipEnd)
            .expect("membership_end ran");
        assert_eq!((ended.done, ended.error.as_deref()), (1, None));
        let again = jobs::run_steps(&state, jobs::Job::MembershipEnd, end + DAY_MS)
            .await
            .expect("job");
        assert_eq!(again, (0, None));
        assert_eq!(events_of(&s, "membership.ended").await, 1);
        s
    })
    .await;
}

#[tokio::test]
async fn the_paid_tier_sets_the_multiplier_unlocks_its_rewards_and_counts_in_the_report() {
    on_every_backend(|s| async move {
        store_program(&s, club_program()).await;
        let (status, body) = s.redeem("bob", "k-1", "sample").await;
        assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "reward_unavailable",
        );
        let (status, _) = buy(&s, "ana", "club", "club-1").await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, member) = s.order("o-1", "ana", 10_000).await;
        let (_, other) = s.order("o-2", "bob", 10_000).await;
        assert_eq!(member["points_awarded"], 200, "the club's 2× on $100");
        assert_eq!(other["points_awarded"], 100);
        let (status, sample) = s.redeem("ana", "k-1", "sample").await;
        assert_eq!(status, StatusCode::CREATED, "{sample}");
        assert_eq!(sample["points_spent"], 0);
        let (_, summary) = s.merchant(Method::GET, "/reports/summary", None).await;
        assert_eq!(summary["members_by_tier"]["club"], 1, "{summary}");
        assert_eq!(summary["members_by_tier"]["bronze"], 1, "{summary}");
        s
    })
    .await;
}

#[tokio::test]
async fn of_twenty_concurrent_redemptions_of_a_once_a_month_reward_exactly_one_wins() {
    on_every_backend(|s| async move {
        store_program(&s, club_program()).await;
        let (status, _) = buy(&s, "ana", "club", "club-1").await;
        assert_eq!(status, StatusCode::CREATED);
        let s = Arc::new(s);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let s = s.clone();
            tasks.spawn(async move { s.redeem("ana", &format!("k-{i}"), "sample").await });
        }
        let (mut won, mut refused) = (0, 0);
        while let Some(result) = tasks.join_next().await {
            let (status, body) = result.expect("task");
            match status {
                StatusCode::CREATED => won += 1,
                _ => {
                    assert_error(
                        status,
                        &body,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "limit_reached",
                    );
                    refused += 1;
                }
            }
        }
        assert_eq!((won, refused), (1, 19));
        let me = s.me("ana").await;
        let sample = me["limits"]
            .as_array()
            .expect("limits")
            .iter()
            .find(|l| l["id"] == "sample")
            .cloned()
            .expect("the sample's usage");
        assert_eq!(sample["kind"], "reward");
        assert_eq!(
            (sample["used"].as_i64(), sample["count"].as_i64()),
            (Some(1), Some(1))
        );
        assert_eq!(sample["per"], "month");
        assert!(sample["resets_at"]
            .as_str()
            .expect("resets_at")
            .ends_with("-01T00:00:00Z"));
        Arc::try_unwrap(s).ok().expect("sole owner")
    })
    .await;
}

#[tokio::test]
async fn a_limited_action_opens_again_at_the_first_instant_of_the_next_period() {
    on_every_backend(|s| async move {
        store_program(&s, club_program()).await;
        let shop = s.shop_record().await;
        let ana = CustomerId::parse("ana").expect("id");
        let award = |key: &str, now: i64| {
            let (db, shop, ana) = (s.db.clone(), shop.clone(), ana.clone());
            let request = ActivityRequest {
                rule_id: "recycle".into(),
                idempotency_key: key.into(),
            };
            async move { ledger::award_activity(&db, &shop, &ana, &request, now).await }
        };
        let result = award("k-1", at(2031, 12, 1, 0, 0, 0)).await.expect("first");
        assert_eq!(result.answer().points_awarded, 20);
        let refused = award("k-2", at(2031, 12, 31, 23, 59, 59)).await;
        assert!(
            matches!(refused, Err(tally_server::error::AppError::LimitReached(_))),
            "{refused:?}"
        );
        award("k-3", at(2032, 1, 1, 0, 0, 0))
            .await
            .expect("a new month");

        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/bob/activities",
                Some(json!({"rule_id": "recycle", "idempotency_key": "b-1"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/bob/activities",
                Some(json!({"rule_id": "recycle", "idempotency_key": "b-2"})),
            )
            .await;
        let message = assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit_reached",
        );
        assert!(message.starts_with("rule_id:"), "{message}");
        assert_eq!(
            s.me("bob").await["balance"],
            50 + 20,
            "nothing awarded past it"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_free_reward_is_refused_without_a_limit() {
    on_every_backend(|s| async move {
        let mut rules = club_program();
        if let Some(sample) = rules.rewards.iter_mut().find(|r| r.id == "sample") {
            sample.limit = None;
        }
        let update = ProgramUpdate {
            rules,
            allowed_origins: vec![ORIGIN.into()],
        };
        let body = serde_json::to_value(&update).expect("json");
        let (status, body) = s.merchant(Method::PUT, "/program", Some(body)).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.contains("(sample).points_cost"), "{message}");
        s
    })
    .await;
}

#[tokio::test]
async fn customers_are_found_by_id_email_phone_or_name_and_listed_newest_first() {
    on_every_backend(|s| async move {
        let people = [
            ("c-ada", "Ada", "ada@example.com", "+1 (201) 555-0123"),
            ("c-grace", "Grace", "Grace@Example.com", "201.555.0199"),
            ("c-adam", "Adam", "adam@example.com", "001 201 555 0142"),
        ];
        for (id, name, email, phone) in people {
            let (status, body) = patch(
                &s,
                id,
                json!({"first_name": name, "email": email, "phone": phone}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let list = |q: &str| {
            let rest = format!("/customers?{q}");
            let s = &s;
            async move {
                let (status, page) = s.merchant(Method::GET, &rest, None).await;
                assert_eq!(status, StatusCode::OK, "{page}");
                page
            }
        };
        let ids = |page: &Value| -> Vec<String> {
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["customer_id"].as_str().expect("id").to_owned())
                .collect()
        };
        let all = list("").await;
        assert_eq!(ids(&all), ["c-adam", "c-grace", "c-ada"], "newest first");
        assert_eq!(all["items"][2]["phone"], "+12015550123");
        assert_eq!(all["items"][2]["tier"]["id"], "bronze");
        let first = list("limit=2").await;
        assert_eq!(ids(&first), ["c-adam", "c-grace"]);
        let cursor = first["next"].as_str().expect("a next page").to_owned();
        let second = list(&format!("limit=2&before={cursor}")).await;
        assert_eq!(
            (ids(&second), &second["next"]),
            (vec!["c-ada".to_owned()], &Value::Null)
        );

        assert_eq!(ids(&list("q=c-grace").await), ["c-grace"]);
        assert_eq!(ids(&list("q=GRACE%40example.COM").await), ["c-grace"]);
        assert_eq!(ids(&list("q=%28201%29%20555-0142").await), ["c-adam"]);
        assert_eq!(ids(&list("q=ad").await), ["c-adam", "c-ada"]);
        assert_eq!(ids(&list("q=nobody").await), Vec::<String>::new());

        let (status, body) = patch(&s, "c-eve", json!({"phone": "+1 201-555-0123"})).await;
        assert_error(status, &body, StatusCode::CONFLICT, "phone_taken");
        let (status, body) = patch(&s, "c-ada", json!({"phone": "(201) 555-0123"})).await;
        assert_eq!(status, StatusCode::OK, "their own phone again: {body}");
        let (status, body) = patch(&s, "c-eve", json!({"phone": "not a phone"})).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.starts_with("phone:"), "{message}");
        s
    })
    .await;
}

#[tokio::test]
async fn the_merchant_sees_a_customers_activity_and_redemptions_as_the_shopper_does() {
    on_every_backend(|s| async move {
        s.order("o-1", "ana", 30_000).await;
        let (status, _) = s.redeem("ana", "k-1", "5off").await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, merchant) = s
            .merchant(Method::GET, "/customers/ana/activity", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{merchant}");
        let (_, shopper) = send(s.shopper(Method::GET, "/me/activity", "ana")).await;
        assert_eq!(merchant, shopper);
        let (_, merchant) = s
            .merchant(Method::GET, "/customers/ana/redemptions", None)
            .await;
        let (_, shopper) = send(s.shopper(Method::GET, "/me/redemptions", "ana")).await;
        assert_eq!(merchant, shopper);
        for rest in [
            "/customers/nobody/activity",
            "/customers/nobody/redemptions",
        ] {
            let (status, body) = s.merchant(Method::GET, rest, None).await;
            assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        }
        s
    })
    .await;
}

#[tokio::test]
async fn orders_are_counted_by_channel_online_by_default() {
    on_every_backend(|s| async move {
        s.order("o-1", "ana", 1_000).await;
        let pos = json!({"order_id": "o-2", "customer_id": "ana", "total_minor": 500,
                         "currency": "USD", "channel": "pos"});
        let (status, body) = order_with(&s, pos.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, _) = order_with(&s, pos).await;
        assert_eq!(status, StatusCode::OK, "a repeat");
        let bad = json!({"order_id": "o-3", "customer_id": "ana", "total_minor": 500,
                         "currency": "USD", "channel": "phone"});
        let (status, body) = order_with(&s, bad).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        let (_, summary) = s.merchant(Method::GET, "/reports/summary", None).await;
        assert_eq!(summary["orders_by_channel"], json!({"online": 1, "pos": 1}));
        s
    })
    .await;
}

async fn feedback(s: &TestServer, customer: &str, key: &str, body: Value) -> (StatusCode, Value) {
    send(
        s.shopper(Method::POST, "/me/feedback", customer)
            .header("Idempotency-Key", key)
            .json(&body),
    )
    .await
}

#[tokio::test]
async fn the_merchant_reads_a_customers_own_feedback_answers() {
    on_every_backend(|s| async move {
        store_program(&s, club_program()).await;
        let (status, _) = feedback(
            &s,
            "ana",
            "f-1",
            json!({"score": 9, "comment": "Good crema"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = feedback(&s, "bob", "f-1", json!({"score": 4})).await;
        assert_eq!(status, StatusCode::CREATED);

        let (status, body) = s
            .merchant(Method::GET, "/customers/ana/feedback", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "only ana's answers: {body}");
        assert_eq!(
            (
                &items[0]["score"],
                &items[0]["comment"],
                &items[0]["points_awarded"]
            ),
            (&json!(9), &json!("Good crema"), &json!(25))
        );
        assert!(items[0]["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));

        s.order("o-1", "cy", 1_000).await;
        let (status, body) = s
            .merchant(Method::GET, "/customers/cy/feedback", None)
            .await;
        assert_eq!((status, body), (StatusCode::OK, json!({"items": []})));
        let (status, body) = s
            .merchant(Method::GET, "/customers/nobody/feedback", None)
            .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        s
    })
    .await;
}

#[tokio::test]
async fn feedback_earns_its_points_once_per_cooldown_and_makes_the_nps() {
    on_every_backend(|s| async move {
        let (status, body) = feedback(&s, "ana", "f-1", json!({"score": 9})).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        store_program(&s, club_program()).await;
        assert_eq!(s.me("ana").await["next_feedback_at"], Value::Null);

        let answer = json!({"score": 10, "comment": "Lovely beans"});
        let (status, first) = feedback(&s, "ana", "f-1", answer.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(
            (first["points_awarded"].as_i64(), first["balance"].as_i64()),
            (Some(25), Some(75))
        );
        let (status, replay) = feedback(&s, "ana", "f-1", answer).await;
        assert_eq!((status, &replay), (StatusCode::CREATED, &first));
        let (status, body) = feedback(&s, "ana", "f-2", json!({"score": 3})).await;
        let message = assert_error(
            status,
            &body,
            StatusCode::UNPROCESSABLE_ENTITY,
            "feedback_too_soon",
        );
        assert!(
            message.contains(first["next_allowed_at"].as_str().expect("next")),
            "{message}"
        );
        assert_eq!(
            s.me("ana").await["next_feedback_at"],
            first["next_allowed_at"]
        );
        assert_eq!(s.me("ana").await["balance"], 75);

        for (customer, score) in [("bob", 8), ("cy", 2)] {
            let (status, _) = feedback(&s, customer, "f-1", json!({"score": score})).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        for bad in [
            json!({"score": 11}),
            json!({"score": 5, "comment": "x".repeat(2001)}),
        ] {
            let (status, body) = feedback(&s, "dee", "f-1", bad).await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        }
        let comment: Option<String> =
            sqlx::query_scalar("SELECT comment FROM feedback WHERE score = 10")
                .fetch_one(&s.db.pool)
                .await
                .expect("stored");
        assert_eq!(comment.as_deref(), Some("Lovely beans"));
        let (_, summary) = s.merchant(Method::GET, "/reports/summary", None).await;
        assert_eq!(
            summary["nps"],
            json!({"score": 0, "responses": 3, "promoters": 1, "passives": 1, "detractors": 1})
        );
        assert_eq!(events_of(&s, "feedback.received").await, 3);
        s
    })
    .await;
}

/// The advocate's referral code.
async fn code_of(s: &TestServer, customer: &str) -> String {
    s.me(customer).await["referral"]["code"]
        .as_str()
        .expect("code")
        .to_owned()
}

async fn referred_order(s: &TestServer, order: &str, friend: &str, code: &str) -> Value {
    let (status, body) = order_with(
        s,
        json!({"order_id": order, "customer_id": friend, "total_minor": 1_000,
               "currency": "USD", "referral_code": code}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "never an error to the order: {body}"
    );
    body
}

/// The reasons of the refusals in the merchant's view of `customer`.
async fn refusals(s: &TestServer, customer: &str) -> Vec<String> {
    let (status, page) = s
        .merchant(
            Method::GET,
            &format!("/customers/{customer}/activity"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| n["reason"].as_str().expect("reason").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_referral_with_ones_own_code_is_refused_and_shown_why() {
    on_every_backend(|s| async move {
        let code = code_of(&s, "ana").await;
        let result = referred_order(&s, "o-1", "ana", &code).await;
        assert_eq!(result["points_awarded"], 10);
        assert_eq!(s.me("ana").await["balance"], 50 + 10);
        assert_eq!(refusals(&s, "ana").await, ["same_customer"]);
        s
    })
    .await;
}

#[tokio::test]
async fn a_friend_with_the_advocates_email_earns_neither_a_reward_and_cannot_take_their_phone() {
    on_every_backend(|s| async move {
        let code = code_of(&s, "ana").await;
        patch(
            &s,
            "ana",
            json!({"email": "ana@example.com", "phone": "+12015550123"}),
        )
        .await;
        let (status, body) = patch(&s, "ana2", json!({"phone": "001 201 555 0123"})).await;
        assert_error(status, &body, StatusCode::CONFLICT, "phone_taken");
        patch(&s, "ana2", json!({"email": "ANA@example.com"})).await;
        referred_order(&s, "o-1", "ana2", &code).await;
        assert_eq!(s.me("ana").await["balance"], 50, "no advocate reward");
        assert_eq!(s.me("ana2").await["balance"], 50 + 10, "no friend reward");
        assert_eq!(refusals(&s, "ana2").await, ["same_email"]);
        assert_eq!(refusals(&s, "ana").await, ["same_email"]);
        s
    })
    .await;
}

#[tokio::test]
async fn one_friend_reward_per_email() {
    on_every_backend(|s| async move {
        let code = code_of(&s, "ana").await;
        patch(&s, "bob", json!({"email": "bob@example.com"})).await;
        patch(&s, "bob-again", json!({"email": "Bob@Example.com"})).await;
        referred_order(&s, "o-1", "bob", &code).await;
        assert_eq!(s.me("bob").await["balance"], 50 + 10 + 100);
        referred_order(&s, "o-2", "bob-again", &code).await;
        assert_eq!(s.me("bob-again").await["balance"], 50 + 10);
        assert_eq!(refusals(&s, "bob-again").await, ["email_already_referred"]);
        assert_eq!(
            s.me("ana").await["balance"],
            50 + 200,
            "one advocate reward"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn one_friend_reward_per_phone_even_after_the_rewarded_friend_gives_it_up() {
    on_every_backend(|s| async move {
        let code = code_of(&s, "ana").await;
        patch(&s, "bob", json!({"phone": "+12015550177"})).await;
        referred_order(&s, "o-1", "bob", &code).await;
        // Bob moves to another number; a new account takes his old one.
        patch(&s, "bob", json!({"phone": "+12015550178"})).await;
        let (status, body) = patch(&s, "bob-2", json!({"phone": "(201) 555-0177"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        referred_order(&s, "o-2", "bob-2", &code).await;
        assert_eq!(s.me("bob-2").await["balance"], 50 + 10);
        assert_eq!(refusals(&s, "bob-2").await, ["phone_already_referred"]);
        s
    })
    .await;
}

#[tokio::test]
async fn an_advocate_is_rewarded_at_most_max_per_week_times_and_their_friends_still_are() {
    on_every_backend(|s| async move {
        let mut rules = new_test_program();
        rules.referral.max_per_week = Some(2);
        store_program(&s, rules).await;
        let code = code_of(&s, "ana").await;
        for i in 1..=3 {
            referred_order(&s, &format!("o-{i}"), &format!("friend-{i}"), &code).await;
        }
        assert_eq!(s.me("ana").await["balance"], 50 + 2 * 200);
        assert_eq!(
            s.me("friend-3").await["balance"],
            50 + 10 + 100,
            "the friend is rewarded"
        );
        assert_eq!(refusals(&s, "ana").await, ["weekly_limit"]);
        assert_eq!(refusals(&s, "friend-3").await, ["weekly_limit"]);
        assert_eq!(s.me("ana").await["referral"]["friends_referred"], 3);
        s
    })
    .await;
}
