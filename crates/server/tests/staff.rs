//! Staff and the console (contract Part 2): sign-in, the session cookie and its CSRF token, the lockout,
//! the role table on every merchant endpoint, key rotation's grace, the audit log, program versions,
//! the shop's profile, the install check, `staff add` and serving the console. Real HTTP throughout.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tally_core::staff::{Permission, Role};
use tally_server::http::roles;

const HOUR_MS: i64 = 60 * 60 * 1000;
const MINUTE_MS: i64 = 60 * 1000;
const PASSWORD: &str = "correct horse battery";

/// Like `send`, but an empty body (a 204) is `null` and a body that is not JSON (a CSV export) is
/// its text.
async fn send_lenient(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.expect("send");
    let status = response.status();
    let json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else if !json {
        Value::String(text)
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON for {status}: {text:?}"))
    };
    (status, body)
}

/// A call with the shop's key that may answer 204.
async fn key_call(s: &TestServer, method: Method, rest: &str) -> (StatusCode, Value) {
    send_lenient(
        s.http
            .request(method, s.shop_url(rest))
            .bearer_auth(&s.shop.secret_key),
    )
    .await
}

/// A signed-in staff member: the cookie to send back and the session's CSRF token.
#[derive(Clone)]
struct Staff {
    cookie: String,
    csrf: String,
}

/// Adds a staff member with the shop's key.
async fn add_staff(s: &TestServer, email: &str, role: &str) -> Value {
    let (status, added) = s
        .merchant(
            Method::POST,
            "/staff",
            Some(json!({"email": email, "role": role, "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    added
}

/// `POST /v1/staff/session`: the status, the body and the `Set-Cookie` header.
async fn sign_in_raw(s: &TestServer, email: &str, password: &str) -> (StatusCode, Value, String) {
    let response = s
        .http
        .post(s.url("/v1/staff/session"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sign in");
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body, cookie)
}

async fn sign_in(s: &TestServer, email: &str) -> Staff {
    let (status, body, set_cookie) = sign_in_raw(s, email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("a cookie pair")
        .to_owned();
    assert!(cookie.starts_with("tally_session="), "{set_cookie}");
    Staff {
        cookie,
        csrf: body["csrf_token"].as_str().expect("csrf_token").to_owned(),
    }
}

/// A call with the session cookie (and its CSRF token when `csrf`).
async fn as_staff(
    s: &TestServer,
    staff: &Staff,
    method: Method,
    url: &str,
    body: Option<Value>,
    csrf: bool,
) -> (StatusCode, Value) {
    let mut request = s.http.request(method, url).header("cookie", &staff.cookie);
    if csrf {
        request = request.header("x-tally-csrf", &staff.csrf);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    send_lenient(request).await
}

async fn session_of(s: &TestServer, staff: &Staff) -> StatusCode {
    as_staff(
        s,
        staff,
        Method::GET,
        &s.url("/v1/staff/session"),
        None,
        false,
    )
    .await
    .0
}

#[tokio::test]
async fn every_merchant_operation_of_the_openapi_document_is_in_the_role_table() {
    let s = TestServer::start(Backend::Sqlite, generous_limits()).await;
    let (status, doc) = send(s.http.get(s.url("/openapi.json"))).await;
    assert_eq!(status, StatusCode::OK);
    let mut merchant_operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let security = operation["security"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if security.iter().any(|r| r.get("secret_key").is_some()) {
                assert!(
                    security.iter().any(|r| r.get("staff_session").is_some()),
                    "{method} {path}: the staff session is not among its security schemes"
                );
                merchant_operations.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(merchant_operations.len() >= 30, "{merchant_operations:?}");
    for (method, path) in &merchant_operations {
        assert!(
            roles::permission(method, path).is_some(),
            "{method} {path} is a merchant operation missing from http/roles.rs"
        );
    }
    // And the table names no route the API does not have.
    for (method, route, _) in roles::ROUTES {
        assert!(
            merchant_operations
                .iter()
                .any(|(m, p)| m == method && p == route),
            "{method} {route} is in the role table but not a merchant operation"
        );
    }
    s.finish().await;
}

/// A route of the table with its parameters filled in, and a body for writes.
fn fill(route: &str, shop_id: &str) -> String {
    route
        .replace("{shop_id}", shop_id)
        .replace("{customer_id}", "alice")
        .replace("{code}", "NO-SUCH-CODE")
        .replace("{order_id}", "o-none")
        .replace("{webhook_id}", "wh_none")
        .replace("{delivery_id}", "dl_none")
        .replace("{version}", "1")
        .replace("{staff_id}", "stf_none")
}

#[tokio::test]
async fn each_role_reaches_exactly_the_merchant_endpoints_the_role_table_gives_it() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        add_staff(&s, "manager@shop.test", "manager").await;
        add_staff(&s, "clerk@shop.test", "clerk").await;
        let staff = [
            (Role::Owner, sign_in(&s, "owner@shop.test").await),
            (Role::Manager, sign_in(&s, "manager@shop.test").await),
            (Role::Clerk, sign_in(&s, "clerk@shop.test").await),
        ];
        let mut key = s.shop.secret_key.clone();
        for (method, route, permission) in roles::ROUTES {
            let url = s.url(&fill(route, &s.shop.id));
            let method = Method::from_bytes(method.as_bytes()).expect("method");
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            for (role, member) in &staff {
                let (status, answer) =
                    as_staff(&s, member, method.clone(), &url, body.clone(), true).await;
                if role.may(*permission) {
                    assert!(
                        status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                        "{role} {method} {route}: {status} {answer}"
                    );
                } else {
                    assert_eq!(
                        (status, answer["error"]["code"].as_str()),
                        (StatusCode::FORBIDDEN, Some("forbidden")),
                        "{role} {method} {route}: {answer}"
                    );
                }
                if let Some(new_key) = answer["secret_key"].as_str() {
                    key = new_key.to_owned();
                }
            }
            let mut request = s.http.request(method.clone(), &url).bearer_auth(&key);
            if let Some(body) = &body {
                request = request.json(body);
            }
            let (status, answer) = send_lenient(request).await;
            assert!(
                status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                "key {method} {route}: {status} {answer}"
            );
            if let Some(new_key) = answer["secret_key"].as_str() {
                key = new_key.to_owned();
            }
            let mut request = s.http.request(method.clone(), &url);
            if let Some(body) = &body {
                request = request.json(body);
            }
            let (status, answer) = send(request).await;
            assert_eq!(
                (status, answer["error"]["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("unauthorized")),
                "nobody {method} {route}: {answer}"
            );
        }
        // The table itself, as the contract words it.
        assert!(Role::Clerk.may(Permission::Counter) && !Role::Clerk.may(Permission::Manage));
        assert!(!Role::Manager.may(Permission::Administer));
        s
    })
    .await;
}

#[tokio::test]
async fn a_staff_member_of_another_shop_is_forbidden_here() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        let other = s.create_shop("Other Coffee", &[ORIGIN]).await;
        let stranger = s
            .http
            .post(format!("{}/v1/shops/{}/staff", s.base, other.id));
        let (status, body) = send(
            stranger
                .bearer_auth(&other.secret_key)
                .json(&json!({"email": "else@shop.test", "role": "owner", "password": PASSWORD})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let owner = sign_in(&s, "owner@shop.test").await;
        let url = format!("{}/v1/shops/{}/customers", s.base, other.id);
        let (status, body) = as_staff(&s, &owner, Method::GET, &url, None, true).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        s
    })
    .await;
}

#[tokio::test]
async fn a_signed_in_change_without_the_csrf_token_is_forbidden() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        let owner = sign_in(&s, "owner@shop.test").await;
        let url = s.shop_url("/customers/alice/adjustments");
        let body = json!({"points": 10, "reason": "goodwill", "idempotency_key": "adj-1"});
        let (status, answer) =
            as_staff(&s, &owner, Method::POST, &url, Some(body.clone()), false).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
        assert_eq!(answer["error"]["code"], "forbidden");
        let forged = Staff {
            csrf: "0".repeat(64),
            ..owner.clone()
        };
        let (status, _) = as_staff(&s, &forged, Method::POST, &url, Some(body.clone()), true).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a wrong token");
        // Reads need no token; the write with it goes through.
        let (status, _) = as_staff(
            &s,
            &owner,
            Method::GET,
            &s.shop_url("/customers"),
            None,
            false,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, answer) = as_staff(&s, &owner, Method::POST, &url, Some(body), true).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        s
    })
    .await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_secure_off_loopback() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        let (status, body, cookie) = sign_in_raw(&s, "owner@shop.test", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(cookie.starts_with("tally_session="), "{cookie}");
        let token = cookie["tally_session=".len()..]
            .split(';')
            .next()
            .unwrap_or("");
        assert_eq!(token.len(), 64, "256 random bits, hex: {cookie}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute}: {cookie}");
        }
        assert!(!cookie.contains("Secure"), "loopback: no Secure: {cookie}");
        assert_eq!(body["staff"]["email"], "owner@shop.test");
        assert_eq!(
            body["shops"],
            json!([{"id": s.shop.id, "name": "Test Coffee", "role": "owner"}])
        );
        s
    })
    .await;
    // Off loopback the cookie is Secure.
    let public: std::net::SocketAddr = "203.0.113.7:443".parse().expect("addr");
    let loopback: std::net::SocketAddr = "[::1]:8080".parse().expect("addr");
    let state = |addr| {
        let limits = generous_limits();
        async move {
            let db = tally_server::Db::connect("sqlite::memory:")
                .await
                .expect("db");
            tally_server::AppState::new(db, limits).listening_on(addr)
        }
    };
    assert!(state(public).await.secure_cookies);
    assert!(!state(loopback).await.secure_cookies);
    let cookie = tally_server::staff::session_cookie("abc", true);
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    assert!(!tally_server::staff::session_cookie("abc", false).contains("Secure"));
}

#[tokio::test]
async fn a_wrong_email_and_a_wrong_password_answer_alike() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        let (status, wrong_password, _) =
            sign_in_raw(&s, "owner@shop.test", "not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, wrong_email, cookie) = sign_in_raw(&s, "nobody@shop.test", PASSWORD).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong_password, wrong_email);
        assert!(cookie.is_empty(), "no cookie for a failure: {cookie}");
        // The email is matched trimmed and case-blind.
        let (status, _, _) = sign_in_raw(&s, "  Owner@Shop.TEST ", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        s
    })
    .await;
}

#[tokio::test]
async fn five_failures_lock_the_email_for_fifteen_minutes() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        add_staff(&s, "clerk@shop.test", "clerk").await;
        for attempt in 1..=5 {
            let (status, _, _) = sign_in_raw(&s, "owner@shop.test", "wrong password").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        }
        // Locked, even with the right password; another email is not.
        let (status, body, cookie) = sign_in_raw(&s, "owner@shop.test", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(body["error"]["code"], "rate_limited");
        assert!(cookie.is_empty());
        let (status, _, _) = sign_in_raw(&s, "clerk@shop.test", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        s.clock.advance(14 * MINUTE_MS);
        let (status, _, _) = sign_in_raw(&s, "owner@shop.test", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "at 14 minutes");
        s.clock.advance(MINUTE_MS + 1000);
        let (status, body, _) = sign_in_raw(&s, "owner@shop.test", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "after 15 minutes: {body}");
        s
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_after_twelve_idle_hours() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        let owner = sign_in(&s, "owner@shop.test").await;
        s.clock.advance(11 * HOUR_MS);
        assert_eq!(session_of(&s, &owner).await, StatusCode::OK, "11 h idle");
        s.clock.advance(11 * HOUR_MS);
        assert_eq!(
            session_of(&s, &owner).await,
            StatusCode::OK,
            "11 h since the last request"
        );
        s.clock.advance(12 * HOUR_MS + MINUTE_MS);
        assert_eq!(
            session_of(&s, &owner).await,
            StatusCode::UNAUTHORIZED,
            "12 h idle"
        );
        let (status, _) = as_staff(
            &s,
            &owner,
            Method::GET,
            &s.shop_url("/customers"),
            None,
            true,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        s
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_seven_days_after_sign_in_however_busy() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        let owner = sign_in(&s, "owner@shop.test").await;
        // A request every 11 hours: 15 of them reach 165 hours, the 16th is past 168.
        for step in 1..=15 {
            s.clock.advance(11 * HOUR_MS);
            assert_eq!(session_of(&s, &owner).await, StatusCode::OK, "step {step}");
        }
        s.clock.advance(11 * HOUR_MS);
        assert_eq!(session_of(&s, &owner).await, StatusCode::UNAUTHORIZED);
        s
    })
    .await;
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        let owner = sign_in(&s, "owner@shop.test").await;
        let url = s.url("/v1/staff/session");
        let (status, _) = as_staff(&s, &owner, Method::DELETE, &url, None, false).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "sign-out needs the CSRF token too"
        );
        let response = s
            .http
            .delete(&url)
            .header("cookie", &owner.cookie)
            .header("x-tally-csrf", &owner.csrf)
            .send()
            .await
            .expect("sign out");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let cleared = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        // The old cookie, replayed, opens nothing.
        assert_eq!(session_of(&s, &owner).await, StatusCode::UNAUTHORIZED);
        let (status, _) = as_staff(
            &s,
            &owner,
            Method::GET,
            &s.shop_url("/customers"),
            None,
            true,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        s
    })
    .await;
}

#[tokio::test]
async fn removing_a_staff_member_ends_their_sessions_and_the_last_owner_stays() {
    on_every_backend(|s| async move {
        let owner = add_staff(&s, "owner@shop.test", "owner").await;
        let manager = add_staff(&s, "manager@shop.test", "manager").await;
        let session = sign_in(&s, "manager@shop.test").await;
        let (status, list) = s.merchant(Method::GET, "/staff", None).await;
        assert_eq!(status, StatusCode::OK);
        let emails: Vec<&str> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["email"].as_str())
            .collect();
        assert_eq!(emails, ["owner@shop.test", "manager@shop.test"]);
        let (status, _) = key_call(
            &s,
            Method::DELETE,
            &format!("/staff/{}", manager["id"].as_str().unwrap_or("")),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(session_of(&s, &session).await, StatusCode::UNAUTHORIZED);
        let (status, body) = key_call(
            &s,
            Method::DELETE,
            &format!("/staff/{}", owner["id"].as_str().unwrap_or("")),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("last owner")),
            "{body}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn adding_staff_without_a_password_generates_one_shown_once() {
    on_every_backend(|s| async move {
        let (status, added) = s
            .merchant(
                Method::POST,
                "/staff",
                Some(json!({"email": " New@Shop.test", "role": "clerk"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["email"], "new@shop.test");
        assert_eq!(added["role"], "clerk");
        let password = added["password"].as_str().expect("a generated password");
        assert!(password.len() >= 20);
        let (status, _, _) = sign_in_raw(&s, "new@shop.test", password).await;
        assert_eq!(status, StatusCode::OK);
        for (body, field) in [
            (json!({"email": "not-an-email", "role": "clerk"}), "email"),
            (
                json!({"email": "a@shop.test", "role": "clerk", "password": "short"}),
                "password",
            ),
            (json!({"email": "new@shop.test", "role": "owner"}), "email"),
        ] {
            let (status, answer) = s.merchant(Method::POST, "/staff", Some(body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with(field)),
                "{answer}"
            );
        }
        s
    })
    .await;
}

/// A shopper token signed with `key` at the server clock's now.
fn shopper_me(s: &TestServer, key: &str, customer: &str) -> reqwest::RequestBuilder {
    let timestamp = chrono_free_now() + (s.clock.now_ms() / 1000 - chrono_free_now());
    let signature = sign(key, &s.shop.id, customer, timestamp);
    s.http
        .get(s.shop_url("/me"))
        .header("X-Tally-Customer", customer)
        .header("X-Tally-Timestamp", timestamp.to_string())
        .header("X-Tally-Signature", signature)
}

#[tokio::test]
async fn a_rotated_key_keeps_working_for_24_hours_then_never() {
    on_every_backend(|s| async move {
        s.order("o-1", "alice", 1000).await;
        let old = s.shop.secret_key.clone();
        let (status, rotated) = s.merchant(Method::POST, "/keys/rotate", None).await;
        assert_eq!(status, StatusCode::OK, "{rotated}");
        let new = rotated["secret_key"]
            .as_str()
            .expect("secret_key")
            .to_owned();
        assert_ne!(new, old);
        let customers = |key: String| {
            let request = s.http.get(s.shop_url("/customers")).bearer_auth(key);
            async move { send(request).await.0 }
        };
        let me = |key: &str| send(shopper_me(&s, key, "alice"));
        assert_eq!(customers(new.clone()).await, StatusCode::OK);
        assert_eq!(me(&new).await.0, StatusCode::OK);
        // The old key may not rotate again.
        let (status, _) = send(s.http.post(s.shop_url("/keys/rotate")).bearer_auth(&old)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        s.clock.advance(24 * HOUR_MS - MINUTE_MS);
        assert_eq!(
            customers(old.clone()).await,
            StatusCode::OK,
            "at 23 h 59 min"
        );
        assert_eq!(
            me(&old).await.0,
            StatusCode::OK,
            "a shopper signature at 23 h 59 min"
        );

        s.clock.advance(2 * MINUTE_MS);
        assert_eq!(
            customers(old.clone()).await,
            StatusCode::UNAUTHORIZED,
            "at 24 h 1 min"
        );
        assert_eq!(
            me(&old).await.0,
            StatusCode::UNAUTHORIZED,
            "a shopper signature at 24 h 1 min"
        );
        assert_eq!(customers(new.clone()).await, StatusCode::OK);
        assert_eq!(me(&new).await.0, StatusCode::OK);
        s
    })
    .await;
}

async fn audit_actions(s: &TestServer) -> Vec<(String, String, String)> {
    let (status, page) = s.merchant(Method::GET, "/audit?limit=100", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap_or("").to_owned(),
                e["action"].as_str().unwrap_or("").to_owned(),
                e["target"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn every_audited_action_leaves_an_entry_naming_who() {
    let config = tally_server::webhooks::WebhookConfig {
        allow_private: true,
        ..tally_server::webhooks::WebhookConfig::default()
    };
    for backend in backends() {
        let s = TestServer::start_with_webhooks(backend, config.clone()).await;
        let owner_id = add_staff(&s, "owner@shop.test", "owner").await;
        let owner = sign_in(&s, "owner@shop.test").await;
        let staff_call = |method: Method, rest: &str, body: Option<Value>| {
            let url = s.shop_url(rest);
            let owner = owner.clone();
            let s = &s;
            async move { as_staff(s, &owner, method, &url, body, true).await }
        };
        // Program and theme, by the owner.
        let mut rules = new_test_program();
        rules.theme = json!({"colors": {"primary": "#6b3e26"}});
        let program = json!(tally_core::api::ProgramUpdate {
            rules: rules.clone(),
            allowed_origins: vec![ORIGIN.into()],
        });
        let (status, body) = staff_call(Method::PUT, "/program", Some(program)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // An adjustment, a code cancelled, a membership bought and cancelled, by the key.
        s.order("o-1", "alice", 30_000).await;
        let (status, _) = s
            .merchant(
                Method::POST,
                "/customers/alice/adjustments",
                Some(json!({"points": 5, "reason": "goodwill", "idempotency_key": "adj-1"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, redemption) = s.redeem("alice", "k-1", "5off").await;
        assert_eq!(status, StatusCode::CREATED, "{redemption}");
        let code = redemption["code"].as_str().expect("code");
        let (status, _) = s
            .merchant(Method::POST, &format!("/codes/{code}/cancel"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut club = tally_core::demo::coffee_club_program();
        club.referral.landing_url = "https://coffee.example/".into();
        let program = json!(tally_core::api::ProgramUpdate {
            rules: club,
            allowed_origins: vec![ORIGIN.into()],
        });
        let (status, body) = s.merchant(Method::PUT, "/program", Some(program)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/alice/memberships",
                Some(json!({"tier_id": "club", "order_id": "club-1"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, _) = s
            .merchant(Method::POST, "/memberships/club-1/cancel", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        // Webhooks, by the owner.
        let (status, hook) = staff_call(
            Method::POST,
            "/webhooks",
            Some(json!({"url": "https://127.0.0.1:9/tally", "events": ["*"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{hook}");
        let hook_id = hook["id"].as_str().expect("id").to_owned();
        let (status, _) = staff_call(
            Method::PATCH,
            &format!("/webhooks/{hook_id}"),
            Some(json!({"enabled": true})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, sent) =
            staff_call(Method::POST, &format!("/webhooks/{hook_id}/test"), None).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{sent}");
        let delivery = sent["delivery_id"].as_str().expect("delivery_id");
        let (status, body) = staff_call(
            Method::POST,
            &format!("/webhooks/{hook_id}/deliveries/{delivery}/retry"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let (status, _) = staff_call(Method::DELETE, &format!("/webhooks/{hook_id}"), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // Staff, the shop and the key.
        let clerk = add_staff(&s, "clerk@shop.test", "clerk").await;
        let (status, _) = staff_call(
            Method::DELETE,
            &format!("/staff/{}", clerk["id"].as_str().unwrap_or("")),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) =
            staff_call(Method::PATCH, "", Some(json!({"name": "Test Roasters"}))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = staff_call(Method::POST, "/keys/rotate", None).await;
        assert_eq!(status, StatusCode::OK);

        let entries = audit_actions(&s).await;
        let expected = [
            ("owner@shop.test", "program.updated"),
            ("owner@shop.test", "theme.updated"),
            ("key", "points.adjusted"),
            ("key", "code.cancelled"),
            ("key", "membership.created"),
            ("key", "membership.cancelled"),
            ("owner@shop.test", "webhook.created"),
            ("owner@shop.test", "webhook.updated"),
            ("owner@shop.test", "webhook.tested"),
            ("owner@shop.test", "webhook.retried"),
            ("owner@shop.test", "webhook.deleted"),
            ("key", "staff.added"),
            ("owner@shop.test", "staff.removed"),
            ("owner@shop.test", "shop.updated"),
            ("owner@shop.test", "key.rotated"),
        ];
        for (actor, action) in expected {
            assert!(
                entries.iter().any(|(a, x, _)| a == actor && x == action),
                "{backend:?}: no {action} by {actor} in {entries:?}"
            );
        }
        assert!(entries
            .iter()
            .any(|(_, action, target)| action == "code.cancelled" && target == code));
        assert_eq!(entries[0].1, "key.rotated", "newest first: {entries:?}");
        let _ = owner_id;
        // Paged: two at a time, with `next`.
        let (status, page) = s.merchant(Method::GET, "/audit?limit=2", None).await;
        assert_eq!(status, StatusCode::OK);
        let shown: Vec<&str> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(shown, [entries[0].1.as_str(), entries[1].1.as_str()]);
        let next = page["next"].as_str().expect("next").to_owned();
        let (_, page) = s
            .merchant(Method::GET, &format!("/audit?limit=2&before={next}"), None)
            .await;
        assert_eq!(
            page["items"][0]["action"].as_str(),
            Some(entries[2].1.as_str())
        );
        s.finish().await;
    }
}

#[tokio::test]
async fn every_saved_program_is_a_version_that_can_be_restored() {
    on_every_backend(|s| async move {
        add_staff(&s, "manager@shop.test", "manager").await;
        let manager = sign_in(&s, "manager@shop.test").await;
        let original = new_test_program();
        let mut renamed = original.clone();
        renamed.points.plural = "beans".into();
        renamed.points.singular = "bean".into();
        let body = json!(tally_core::api::ProgramUpdate {
            rules: renamed.clone(),
            allowed_origins: vec![ORIGIN.into(), "https://shop.example".into()],
        });
        let url = s.shop_url("/program");
        let (status, answer) = as_staff(&s, &manager, Method::PUT, &url, Some(body), true).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (status, versions) = s.merchant(Method::GET, "/program/versions", None).await;
        assert_eq!(status, StatusCode::OK, "{versions}");
        let items = versions["items"].as_array().expect("items");
        assert_eq!(
            items.len(),
            2,
            "the program before, and the saved one: {versions}"
        );
        assert_eq!(items[0]["version"], 2);
        assert_eq!(items[0]["saved_by"], "manager@shop.test");
        assert_eq!(items[0]["program"]["points"]["plural"], "beans");
        assert_eq!(
            items[0]["program"]["allowed_origins"],
            json!([ORIGIN, "https://shop.example"])
        );
        assert_eq!(items[1]["version"], 1);
        assert_eq!(items[1]["program"]["points"], json!(original.points));

        let restore = s.shop_url("/program/versions/1/restore");
        let (status, restored) = as_staff(&s, &manager, Method::POST, &restore, None, true).await;
        assert_eq!(status, StatusCode::OK, "{restored}");
        assert_eq!(restored["allowed_origins"], json!([ORIGIN]));
        let (_, program) = send(s.http.get(s.shop_url("/program"))).await;
        assert_eq!(program["points"], json!(original.points));
        let (_, versions) = s
            .merchant(Method::GET, "/program/versions?limit=1", None)
            .await;
        assert_eq!(versions["items"][0]["version"], 3);
        assert_eq!(versions["next"], 3);
        let (status, _) = s
            .merchant(Method::POST, "/program/versions/9/restore", None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        s
    })
    .await;
}

#[tokio::test]
async fn the_currency_changes_only_before_any_order_or_points() {
    on_every_backend(|s| async move {
        let (status, shop) = s
            .merchant(
                Method::PATCH,
                "",
                Some(json!({"name": "  Test Roasters ", "currency": "EUR", "locale": "de"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{shop}");
        assert_eq!(
            shop,
            json!({"id": s.shop.id, "name": "Test Roasters", "currency": "EUR", "locale": "de"})
        );
        let (_, program) = send(s.http.get(s.shop_url("/program"))).await;
        assert_eq!(
            program["shop"]["currency"], "EUR",
            "the shop cache was forgotten"
        );
        let (status, body) = s
            .merchant(Method::PATCH, "", Some(json!({"currency": "eur"})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, _) = s
            .merchant(
                Method::POST,
                "/orders",
                Some(
                    json!({"order_id": "o-1", "customer_id": "alice", "total_minor": 100,
                            "currency": "EUR"}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, body) = s
            .merchant(Method::PATCH, "", Some(json!({"currency": "USD"})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("stays EUR")),
            "{body}"
        );
        let (status, _) = s
            .merchant(Method::PATCH, "", Some(json!({"name": "Renamed"})))
            .await;
        assert_eq!(status, StatusCode::OK, "the name may still change");
        s
    })
    .await;
}

#[tokio::test]
async fn the_install_check_lists_the_allowed_origins_a_widget_loaded_from() {
    on_every_backend(|s| async move {
        let (status, install) = s.merchant(Method::GET, "/install", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(install, json!({"origins": []}));
        send(
            s.http
                .get(s.shop_url("/program"))
                .header("origin", "https://elsewhere.example"),
        )
        .await;
        send(s.http.get(s.shop_url("/program")).header("origin", ORIGIN)).await;
        let mut seen = Value::Null;
        for _ in 0..50 {
            let (_, install) = s.merchant(Method::GET, "/install", None).await;
            seen = install["origins"].clone();
            if seen.as_array().is_some_and(|o| !o.is_empty()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let origins = seen.as_array().expect("origins");
        assert_eq!(origins.len(), 1, "only the allowed origin: {seen}");
        assert_eq!(origins[0]["origin"], ORIGIN);
        assert!(origins[0]["last_seen_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
        s
    })
    .await;
}

#[tokio::test]
async fn staff_add_on_the_command_line_prints_the_member_and_a_generated_password() {
    let s = TestServer::start(Backend::Sqlite, generous_limits()).await;
    let path = s.db_path().expect("sqlite");
    let url = format!("sqlite://{}", path.display());
    let run = |args: Vec<String>, stdin: Option<&'static str>| {
        let url = url.clone();
        async move {
            use tokio::io::AsyncWriteExt;
            let mut child = tokio::process::Command::new(binary::BINARY)
                .args(["staff", "add", "--database-url", &url])
                .args(args)
                .env("TALLY_LOG", "warn")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run tally-server staff add");
            let mut input = child.stdin.take().expect("stdin");
            if let Some(text) = stdin {
                input.write_all(text.as_bytes()).await.expect("write stdin");
            }
            drop(input);
            child.wait_with_output().await.expect("output")
        }
    };
    let args = |email: &str, role: &str| {
        vec![
            "--shop".to_owned(),
            s.shop.id.clone(),
            "--email".to_owned(),
            email.to_owned(),
            "--role".to_owned(),
            role.to_owned(),
        ]
    };
    let out = run(args("Owner@Shop.test", "owner"), None).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(printed["email"], "owner@shop.test");
    assert_eq!(printed["role"], "owner");
    assert!(printed["id"]
        .as_str()
        .is_some_and(|id| id.starts_with("stf_")));
    let password = printed["password"].as_str().expect("password").to_owned();
    let (status, _, _) = sign_in_raw(&s, "owner@shop.test", &password).await;
    assert_eq!(status, StatusCode::OK);

    let mut with_stdin = args("clerk@shop.test", "clerk");
    with_stdin.push("--password-stdin".to_owned());
    let out = run(with_stdin, Some("a clerk's own password\n")).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert!(printed.get("password").is_none(), "{printed}");
    let (status, _, _) = sign_in_raw(&s, "clerk@shop.test", "a clerk's own password").await;
    assert_eq!(status, StatusCode::OK);

    let out = run(args("x@shop.test", "admin"), None).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--role"));
    s.finish().await;
}

#[tokio::test]
async fn the_console_is_served_with_spa_fallback_no_cache_and_a_strict_csp() {
    let dir = std::env::temp_dir().join(format!("tally-console-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = tally_server::Db::connect("sqlite::memory:")
        .await
        .expect("db");
    let state = tally_server::AppState::new(db, generous_limits());
    let routes = tally_server::http::routes().merge(tally_server::console::routes(dir.clone()));
    let router = tally_server::http::with_layers(routes, state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(tally_server::serve(
        listener,
        router,
        std::future::pending(),
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let get = |path: &str| http.get(format!("{base}{path}")).send();

    // Not built: a page saying how.
    let response = get("/console/").await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .text()
        .await
        .unwrap_or_default()
        .contains("bash scripts/build-console"));

    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>Console</title>",
    )
    .expect("index");
    std::fs::write(dir.join("console.js"), "console.log(1)").expect("js");
    let response = get("/console").await.expect("get");
    assert!(response.status().is_redirection());
    assert_eq!(response.headers()["location"], "/console/");
    for path in [
        "/console/",
        "/console/shops/x/program",
        "/console/index.html",
    ] {
        let response = get(path).await.expect("get");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap_or("")
            .to_owned();
        for directive in [
            "script-src 'self' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "frame-ancestors 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(response
            .text()
            .await
            .unwrap_or_default()
            .contains("<title>Console</title>"));
    }
    let response = get("/console/console.js").await.expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    assert_ne!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-cache")
    );
    assert_eq!(
        get("/console/missing.js").await.expect("get").status(),
        StatusCode::NOT_FOUND
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_demo_prints_its_console_sign_in_and_it_works() {
    let path = std::env::temp_dir().join(format!("tally-demo-staff-{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let mut child = tokio::process::Command::new(binary::BINARY)
        .args(["demo", "--addr", "127.0.0.1:0", "--database-url", &url])
        .env("TALLY_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the demo");
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut read = Vec::new();
    for _ in 0..3 {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("the demo speaks within 60 s")
            .expect("stdout")
            .unwrap_or_default();
        read.push(line);
    }
    let base = read[0]
        .strip_prefix("listening on ")
        .expect("the first line")
        .to_owned();
    assert_eq!(
        read[2],
        format!(
            "console: {base}/console/ (sign in as owner@demo-coffee.test / demo-owner-not-secret)"
        ),
        "{read:?}"
    );
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/staff/session"))
        .json(&json!({"email": "owner@demo-coffee.test", "password": "demo-owner-not-secret"}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["shops"][0]["id"], "demo-coffee");
    assert_eq!(body["shops"][0]["role"], "owner");
    let _ = child.kill().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn a_sign_in_clears_away_sessions_that_ended() {
    on_every_backend(|s| async move {
        add_staff(&s, "owner@shop.test", "owner").await;
        sign_in(&s, "owner@shop.test").await;
        s.clock.advance(13 * HOUR_MS);
        let fresh = sign_in(&s, "owner@shop.test").await;
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_sessions")
            .fetch_one(&s.db.pool)
            .await
            .expect("count");
        assert_eq!(kept, 1, "only the running session is kept");
        assert_eq!(session_of(&s, &fresh).await, StatusCode::OK);
        s
    })
    .await;
}
