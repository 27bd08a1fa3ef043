//! Codes at checkout through the real API: look-up, use (one winner among concurrent uses), cancel
//! (points back once), expiry (with and without `refund_expired_codes`), on SQLite and PostgreSQL.

mod common;

use std::sync::Arc;

use common::ledger_check::assert_ledger_invariants;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tally_core::api::{ProgramRules, ProgramUpdate, RedemptionRequest};
use tally_core::{CustomerId, IdempotencyKey};
use tally_server::{jobs, ledger, AppState};

fn now_ms() -> i64 {
    chrono_free_now() * 1000
}

/// A customer with 300 + 50 signup stars, and one `5off` code (100 stars) redeemed through the widget.
async fn customer_with_code(s: &TestServer, customer: &str) -> Value {
    let (status, _) = s.order(&format!("o-{customer}"), customer, 30_000).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, redemption) = s.redeem(customer, "k-1", "5off").await;
    assert_eq!(status, StatusCode::CREATED, "{redemption}");
    redemption
}

async fn store_program(s: &TestServer, change: impl FnOnce(&mut ProgramRules)) {
    let mut rules = new_test_program();
    change(&mut rules);
    let update = ProgramUpdate {
        rules,
        allowed_origins: vec![ORIGIN.into()],
    };
    let body = serde_json::to_value(&update).expect("json");
    let (status, stored) = s.merchant(Method::PUT, "/program", Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{stored}");
}

async fn use_code(s: &TestServer, code: &str, order_id: &str) -> (StatusCode, Value) {
    s.merchant(
        Method::POST,
        &format!("/codes/{code}/use"),
        Some(json!({ "order_id": order_id })),
    )
    .await
}

async fn cancel_code(s: &TestServer, code: &str) -> (StatusCode, Value) {
    s.merchant(Method::POST, &format!("/codes/{code}/cancel"), None)
        .await
}

/// The `adjust` entries of a customer, newest first.
async fn adjustments(s: &TestServer, customer: &str) -> Vec<Value> {
    s.all_activity(customer)
        .await
        .into_iter()
        .filter(|a| a["kind"] == "adjust")
        .collect()
}

async fn assert_invariants(s: &TestServer, now: i64) {
    let shop = s.shop_record().await;
    let summary = ledger::summary(&s.db, &shop, now).await.expect("summary");
    assert_ledger_invariants(&s.db, &s.shop.id, now, &summary).await;
}

#[tokio::test]
async fn a_code_is_found_by_its_shop_whatever_the_case_and_spaces_around_it() {
    on_every_backend(|s| async move {
        let redemption = customer_with_code(&s, "ana").await;
        assert_eq!(redemption["status"], "issued");
        assert_eq!(redemption["expires_at"], Value::Null);
        let code = redemption["code"].as_str().expect("code").to_owned();

        let (status, found) = s
            .merchant(Method::GET, &format!("/codes/{code}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{found}");
        let reward = &new_test_program().rewards[0];
        assert_eq!(
            found,
            json!({"code": code, "status": "issued", "customer_id": "ana",
                   "redemption_id": redemption["id"],
                   "reward": serde_json::to_value(reward).expect("reward"),
                   "points_spent": 100, "created_at": redemption["created_at"],
                   "expires_at": null, "used_at": null, "order_id": null})
        );

        let typed = format!("%20%20{}%20", code.to_lowercase());
        let (status, again) = s
            .merchant(Method::GET, &format!("/codes/{typed}"), None)
            .await;
        assert_eq!((status, &again), (StatusCode::OK, &found));

        // The reward as it was when redeemed, whatever the program says now.
        store_program(&s, |rules| rules.rewards[0].name = "$5 off, renamed".into()).await;
        let (_, later) = s
            .merchant(Method::GET, &format!("/codes/{code}"), None)
            .await;
        assert_eq!(later["reward"]["name"], reward.name);

        let (status, body) = s
            .merchant(Method::GET, "/codes/TALLY-NONE-SUCH", None)
            .await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let long = "X".repeat(65);
        let (status, body) = s
            .merchant(Method::GET, &format!("/codes/{long}"), None)
            .await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.starts_with("code:"), "{message}");

        let (_, list) = send(s.shopper(Method::GET, "/me/redemptions", "ana")).await;
        assert_eq!(list["items"][0]["status"], "issued");
        assert_eq!(list["items"][0]["expires_at"], Value::Null);
        s
    })
    .await;
}

#[tokio::test]
async fn another_shops_code_is_not_found() {
    on_every_backend(|s| async move {
        let code = customer_with_code(&s, "ben").await["code"]
            .as_str()
            .expect("code")
            .to_owned();
        let other = s.create_shop("Other Shop", &[]).await;
        for (method, rest, body) in [
            (Method::GET, format!("/codes/{code}"), None),
            (
                Method::POST,
                format!("/codes/{code}/use"),
                Some(json!({"order_id": "x-1"})),
            ),
            (Method::POST, format!("/codes/{code}/cancel"), None),
        ] {
            let mut request = s
                .http
                .request(method, format!("{}/v1/shops/{}{rest}", s.base, other.id))
                .bearer_auth(&other.secret_key);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let (status, body) = send(request).await;
            assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        }
        let (_, found) = s
            .merchant(Method::GET, &format!("/codes/{code}"), None)
            .await;
        assert_eq!(found["status"], "issued", "untouched by the other shop");
        s
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_20_concurrent_uses_with_different_orders_exactly_one_wins() {
    on_every_backend(|s| async move {
        let code = customer_with_code(&s, "cleo").await["code"]
            .as_str()
            .expect("code")
            .to_owned();
        let s = Arc::new(s);
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..20 {
            let (s, code) = (s.clone(), code.clone());
            let order = format!("order-{i}");
            tasks.spawn(async move { (order.clone(), use_code(&s, &code, &order).await) });
        }
        let mut winners = Vec::new();
        let mut refused = 0;
        while let Some(result) = tasks.join_next().await {
            let (order, (status, body)) = result.expect("task");
            match status {
                StatusCode::OK => winners.push((order, body)),
                _ => {
                    assert_error(status, &body, StatusCode::CONFLICT, "code_already_used");
                    refused += 1;
                }
            }
        }
        assert_eq!((winners.len(), refused), (1, 19));
        let s = Arc::into_inner(s).expect("sole owner");
        let (order, used) = winners.remove(0);
        assert_eq!(used["status"], "used");
        assert_eq!(used["order_id"], order.as_str());
        assert!(used["used_at"].is_string());

        let (status, again) = use_code(&s, &code, &order).await;
        assert_eq!(
            (status, &again),
            (StatusCode::OK, &used),
            "the same order again"
        );
        let (_, found) = s
            .merchant(Method::GET, &format!("/codes/{code}"), None)
            .await;
        assert_eq!(found, used);
        let (status, body) = cancel_code(&s, &code).await;
        assert_error(status, &body, StatusCode::CONFLICT, "code_already_used");
        assert_eq!(
            s.me("cleo").await["balance"],
            250,
            "a used code keeps its points spent"
        );
        assert_invariants(&s, now_ms()).await;
        s
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_code_gives_its_points_back_once_however_often_it_is_cancelled() {
    on_every_backend(|s| async move {
        let code = customer_with_code(&s, "dora").await["code"]
            .as_str()
            .expect("code")
            .to_owned();
        assert_eq!(s.me("dora").await["balance"], 250);
        for _ in 0..2 {
            let (status, cancelled) = cancel_code(&s, &code).await;
            assert_eq!(status, StatusCode::OK, "{cancelled}");
            assert_eq!(cancelled["status"], "cancelled");
        }
        assert_eq!(s.me("dora").await["balance"], 350);
        let back = adjustments(&s, "dora").await;
        assert_eq!(back.len(), 1, "{back:#?}");
        assert_eq!(back[0]["points"], 100);
        assert_eq!(
            back[0]["description"],
            format!("Code {code} cancelled: 100 stars back")
        );
        let (status, body) = use_code(&s, &code, "order-1").await;
        assert_error(status, &body, StatusCode::CONFLICT, "code_not_usable");

        // Ten cancels at once of another code: one gives the points back.
        let (status, second) = s.redeem("dora", "k-2", "5off").await;
        assert_eq!(status, StatusCode::CREATED);
        let second = second["code"].as_str().expect("code").to_owned();
        let s = Arc::new(s);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let (s, code) = (s.clone(), second.clone());
            tasks.spawn(async move { cancel_code(&s, &code).await });
        }
        while let Some(result) = tasks.join_next().await {
            let (status, body) = result.expect("task");
            assert_eq!(
                (status, &body["status"]),
                (StatusCode::OK, &json!("cancelled"))
            );
        }
        let s = Arc::into_inner(s).expect("sole owner");
        assert_eq!(s.me("dora").await["balance"], 350);
        assert_eq!(adjustments(&s, "dora").await.len(), 2);
        assert_invariants(&s, now_ms()).await;
        s
    })
    .await;
}

#[tokio::test]
async fn an_expired_code_is_not_usable_and_keeps_its_points_unless_the_program_refunds_them() {
    on_every_backend(|s| async move {
        store_program(&s, |rules| rules.rewards[0].code_valid_days = Some(1)).await;
        let shop = s.shop_record().await;
        let now = now_ms();
        let (status, _) = s.order("o-eve", "eve", 30_000).await;
        assert_eq!(status, StatusCode::CREATED);
        let eve = CustomerId::parse("eve").expect("id");
        let redeem = |key: &'static str, at: i64| {
            let (db, shop, eve) = (s.db.clone(), shop.clone(), eve.clone());
            async move {
                let key = IdempotencyKey::parse(key).expect("key");
                let request = RedemptionRequest {
                    reward_id: "5off".into(),
                };
                ledger::redeem(&db, &shop, &eve, &key, &request, at)
                    .await
                    .expect("redeem")
                    .into_answer()
            }
        };

        // Redeemed two days ago, valid for one: expired before anything recorded it.
        let stale = redeem("k-stale", now - 2 * DAY_MS).await;
        assert!(stale.expires_at.is_some());
        let (_, found) = s
            .merchant(Method::GET, &format!("/codes/{}", stale.code), None)
            .await;
        assert_eq!(found["status"], "expired");
        assert_eq!(found["expires_at"], json!(stale.expires_at));
        let (status, body) = use_code(&s, &stale.code, "order-1").await;
        assert_error(status, &body, StatusCode::CONFLICT, "code_not_usable");
        let (status, body) = cancel_code(&s, &stale.code).await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("expired"))
        );
        assert!(
            adjustments(&s, "eve").await.is_empty(),
            "no refund by default"
        );
        assert_eq!(s.me("eve").await["balance"], 250);

        // With refund_expired_codes, a code that expires gives its points back once, by the job.
        store_program(&s, |rules| {
            rules.rewards[0].code_valid_days = Some(1);
            rules.refund_expired_codes = true;
        })
        .await;
        let fresh = s.redeem("eve", "k-fresh", "5off").await.1;
        assert_eq!(fresh["status"], "issued");
        assert!(fresh["expires_at"].is_string());
        let code = fresh["code"].as_str().expect("code").to_owned();
        assert_eq!(s.me("eve").await["balance"], 150);
        let state = AppState::new(s.db.clone(), generous_limits());
        let later = now + 2 * DAY_MS;
        let runs = jobs::run_once(&state, later).await.expect("jobs");
        let codes = runs
            .iter()
            .find(|r| r.job == jobs::Job::CodeExpiry)
            .expect("run");
        assert_eq!((codes.ran, codes.done, &codes.error), (true, 1, &None));
        jobs::run_steps(&state, jobs::Job::CodeExpiry, later + 1000)
            .await
            .expect("again");
        let (status, body) = cancel_code(&s, &code).await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("expired"))
        );
        let back = adjustments(&s, "eve").await;
        assert_eq!(back.len(), 1, "{back:#?}");
        assert_eq!(
            back[0]["description"],
            format!("Code {code} expired: 100 stars back")
        );
        assert_eq!(s.me("eve").await["balance"], 250);
        let (_, list) = send(s.shopper(Method::GET, "/me/redemptions", "eve")).await;
        let statuses: Vec<&Value> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| &r["status"])
            .collect();
        assert_eq!(statuses, [&json!("expired"), &json!("expired")]);
        assert_invariants(&s, later + 1000).await;
        s
    })
    .await;
}

#[tokio::test]
async fn order_ids_codes_and_programs_are_checked() {
    on_every_backend(|s| async move {
        let code = customer_with_code(&s, "finn").await["code"]
            .as_str()
            .expect("code")
            .to_owned();
        for order_id in [String::new(), "x".repeat(256)] {
            let (status, body) = use_code(&s, &code, &order_id).await;
            let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(message.starts_with("order_id:"), "{message}");
        }
        let (status, body) = s
            .merchant(Method::POST, &format!("/codes/{code}/use"), Some(json!({})))
            .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");

        let mut update = serde_json::to_value(ProgramUpdate {
            rules: new_test_program(),
            allowed_origins: vec![],
        })
        .expect("json");
        update["rewards"][2]["code_valid_days"] = json!(0);
        let (status, body) = s.merchant(Method::PUT, "/program", Some(update)).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(
            message.contains(".code_valid_days: must be 1–3650, not 0"),
            "{message}"
        );

        let (_, program) = send(s.http.get(s.shop_url("/program"))).await;
        assert_eq!(program["refund_expired_codes"], false);
        s
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_codes_and_the_jobs_in_healthz() {
    on_every_backend(|s| async move {
        let (status, doc) = send(s.http.get(s.url("/openapi.json"))).await;
        assert_eq!(status, StatusCode::OK);
        for (path, method, statuses) in [
            (
                "/v1/shops/{shop_id}/codes/{code}",
                "get",
                &["200", "400", "401", "404"][..],
            ),
            (
                "/v1/shops/{shop_id}/codes/{code}/use",
                "post",
                &["200", "400", "401", "404", "409"][..],
            ),
            (
                "/v1/shops/{shop_id}/codes/{code}/cancel",
                "post",
                &["200", "400", "401", "404", "409"][..],
            ),
        ] {
            let responses = &doc["paths"][path][method]["responses"];
            for status in statuses {
                assert!(responses.get(status).is_some(), "{method} {path}: {status}");
            }
        }
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["DiscountCode"]["properties"]["status"].is_object());
        assert!(schemas["Redemption"]["properties"]["expires_at"].is_object());
        assert!(
            schemas["Health"]["properties"]["jobs"].is_object(),
            "{}",
            schemas["Health"]
        );
        assert!(schemas["JobStatus"]["properties"]["last_run_at"].is_object());
        s
    })
    .await;
}
