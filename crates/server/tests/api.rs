//! The API's edges: authentication, every error as the contract's JSON, CORS, the rate limit, the
//! operations endpoints and the demo storefront.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{header, Method, StatusCode};
use serde_json::json;
use tally_server::Limits;

fn token_headers(
    request: reqwest::RequestBuilder,
    customer: &str,
    timestamp: impl ToString,
    signature: &str,
) -> reqwest::RequestBuilder {
    request
        .header("X-Tally-Customer", customer)
        .header("X-Tally-Timestamp", timestamp.to_string())
        .header("X-Tally-Signature", signature)
}

#[tokio::test]
async fn the_program_is_public_and_unknown_shops_are_404_everywhere() {
    on_every_backend(|s| async move {
        let (status, program) = send(s.http.get(s.shop_url("/program"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(program["shop"]["id"], s.shop.id.as_str());
        assert_eq!(program["points"]["plural"], "stars");
        assert!(
            program.get("allowed_origins").is_none(),
            "origins are not public"
        );
        let ghost = format!("{}/v1/shops/no-such-shop", s.base);
        for request in [
            s.http.get(format!("{ghost}/program")),
            token_headers(
                s.http.get(format!("{ghost}/me")),
                "a",
                chrono_free_now(),
                &"0".repeat(64),
            ),
            s.http
                .post(format!("{ghost}/orders"))
                .bearer_auth("sk")
                .json(&json!({})),
            s.http
                .get(format!("{ghost}/reports/summary"))
                .bearer_auth("sk"),
        ] {
            let (status, body) = send(request).await;
            assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        }
        s
    })
    .await;
}

#[tokio::test]
async fn shopper_tokens_must_be_present_fresh_genuine_and_for_this_shop() {
    on_every_backend(|s| async move {
        let now = chrono_free_now();
        let me = s.shop_url("/me");
        let good = sign(&s.shop.secret_key, &s.shop.id, "amy", now);
        let (status, _) = send(token_headers(s.http.get(&me), "amy", now, &good)).await;
        assert_eq!(status, StatusCode::OK, "a fresh, genuine token");

        let other = s.create_shop("Other Shop", &[ORIGIN]).await;
        let stale = now - 86_401;
        // A minute past the window: the server reads its clock a moment after `now`, and a token one
        // second past the window would be inside it again by then.
        let future = now + 86_460;
        let cases = [
            ("missing", s.http.get(&me)),
            (
                "stale",
                token_headers(
                    s.http.get(&me),
                    "amy",
                    stale,
                    &sign(&s.shop.secret_key, &s.shop.id, "amy", stale),
                ),
            ),
            (
                "from the future",
                token_headers(
                    s.http.get(&me),
                    "amy",
                    future,
                    &sign(&s.shop.secret_key, &s.shop.id, "amy", future),
                ),
            ),
            (
                "forged",
                token_headers(
                    s.http.get(&me),
                    "amy",
                    now,
                    &sign("sk_live_guess", &s.shop.id, "amy", now),
                ),
            ),
            (
                "for another customer",
                token_headers(s.http.get(&me), "eve", now, &good),
            ),
            (
                "for another timestamp",
                token_headers(s.http.get(&me), "amy", now - 1, &good),
            ),
            (
                "upper-case hex",
                token_headers(s.http.get(&me), "amy", now, &good.to_uppercase()),
            ),
            (
                "truncated",
                token_headers(s.http.get(&me), "amy", now, &good[..63]),
            ),
            (
                "not a number",
                token_headers(s.http.get(&me), "amy", "soon", &good),
            ),
            (
                "signed by another shop for its own id",
                token_headers(
                    s.http.get(&me),
                    "amy",
                    now,
                    &sign(&other.secret_key, &other.id, "amy", now),
                ),
            ),
            (
                "another shop's key over this shop's id",
                token_headers(
                    s.http.get(&me),
                    "amy",
                    now,
                    &sign(&other.secret_key, &s.shop.id, "amy", now),
                ),
            ),
        ];
        for (case, request) in cases {
            let (status, body) = send(request).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
            assert_eq!(body["error"]["code"], "unauthorized", "{case}");
        }
        let signed_edge = now - 86_000;
        let (status, _) = send(token_headers(
            s.http.get(&me),
            "amy",
            signed_edge,
            &sign(&s.shop.secret_key, &s.shop.id, "amy", signed_edge),
        ))
        .await;
        assert_eq!(status, StatusCode::OK, "still valid within a day");
        s
    })
    .await;
}

#[tokio::test]
async fn merchant_calls_need_this_shops_secret_key() {
    on_every_backend(|s| async move {
        let other = s.create_shop("Other Shop", &[]).await;
        let summary = s.shop_url("/reports/summary");
        for (case, request) in [
            ("none", s.http.get(&summary)),
            ("wrong", s.http.get(&summary).bearer_auth("sk_live_wrong")),
            (
                "another shop's",
                s.http.get(&summary).bearer_auth(&other.secret_key),
            ),
            (
                "not bearer",
                s.http
                    .get(&summary)
                    .basic_auth("x", Some(&s.shop.secret_key)),
            ),
        ] {
            let (status, body) = send(request).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{case}: {body}");
            assert_eq!(body["error"]["code"], "unauthorized");
        }
        let (status, _) = send(s.http.get(&summary).bearer_auth(&s.shop.secret_key)).await;
        assert_eq!(status, StatusCode::OK);
        s
    })
    .await;
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_field_and_huge_ones_413() {
    on_every_backend(|s| async move {
        let orders = s.shop_url("/orders");
        let post = |body: String| {
            s.http
                .post(&orders)
                .bearer_auth(&s.shop.secret_key)
                .header(header::CONTENT_TYPE, "application/json")
                .body(body)
        };
        let cases = [
            ("malformed", post("{\"order_id\": ".into()), "body"),
            (
                "wrong type",
                post(
                    r#"{"order_id":"o","customer_id":"c","total_minor":"12","currency":"USD"}"#
                        .into(),
                ),
                "total_minor",
            ),
            (
                "missing field",
                post(r#"{"order_id":"o","total_minor":1,"currency":"USD"}"#.into()),
                "customer_id",
            ),
            (
                "negative total",
                post(
                    r#"{"order_id":"o","customer_id":"c","total_minor":-1,"currency":"USD"}"#
                        .into(),
                ),
                "total_minor",
            ),
            (
                "other currency",
                post(
                    r#"{"order_id":"o","customer_id":"c","total_minor":1,"currency":"EUR"}"#.into(),
                ),
                "currency",
            ),
            (
                "bad customer id",
                post(format!(
                    r#"{{"order_id":"o","customer_id":"{}","total_minor":1,"currency":"USD"}}"#,
                    "x".repeat(129)
                )),
                "customer_id",
            ),
            (
                "no content type",
                s.http
                    .post(&orders)
                    .bearer_auth(&s.shop.secret_key)
                    .body("{}"),
                "body",
            ),
        ];
        for (case, request, field) in cases {
            let (status, body) = send(request).await;
            let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(message.contains(field), "{case}: {message}");
        }
        let huge = format!(
            r#"{{"order_id":"o","customer_id":"c","total_minor":1,"currency":"USD","pad":"{}"}}"#,
            "x".repeat(100 * 1024)
        );
        let (status, body) = send(post(huge)).await;
        assert_error(
            status,
            &body,
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
        );
        s
    })
    .await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_too() {
    on_every_backend(|s| async move {
        let (status, body) = send(s.http.get(s.url("/nope"))).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        let (status, body) = send(s.http.delete(s.shop_url("/program"))).await;
        assert_error(
            status,
            &body,
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
        );
        let (status, body) = send(s.http.get(s.shop_url("/orders"))).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
        s
    })
    .await;
}

#[tokio::test]
async fn an_invalid_program_is_refused_naming_each_problem_and_a_valid_one_is_served_at_once() {
    on_every_backend(|s| async move {
        let mut program = serde_json::to_value(new_test_program()).expect("program");
        program["allowed_origins"] = json!([ORIGIN]);
        let mut bad = program.clone();
        bad["tiers"][1]["threshold"] = json!(0);
        bad["rewards"][0]["points_cost"] = json!(-5);
        bad["rewards"][1]["id"] = bad["rewards"][0]["id"].clone();
        let (status, body) = s.merchant(Method::PUT, "/program", Some(bad)).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        for field in ["tiers[1]", "points_cost", "appears more than once"] {
            assert!(message.contains(field), "{field}: {message}");
        }
        let mut unknown_kind = program.clone();
        unknown_kind["earn_rules"][0]["kind"] = json!("lottery");
        let (status, body) = s
            .merchant(Method::PUT, "/program", Some(unknown_kind))
            .await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.contains("lottery"), "{message}");

        program["points"] = json!({"singular": "bean", "plural": "beans"});
        let (status, stored) = s.merchant(Method::PUT, "/program", Some(program)).await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        assert_eq!(stored["allowed_origins"], json!([ORIGIN]));
        let (_, public) = send(s.http.get(s.shop_url("/program"))).await;
        assert_eq!(
            public["points"]["plural"], "beans",
            "served from the next request"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn cors_answers_only_the_shops_origins_and_never_on_merchant_endpoints() {
    on_every_backend(|s| async move {
        let acao = |r: &reqwest::Response| {
            r.headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|v| v.to_str().unwrap_or_default().to_owned())
        };
        let program = s.shop_url("/program");
        let allowed = s
            .http
            .get(&program)
            .header(header::ORIGIN, ORIGIN)
            .send()
            .await
            .expect("send");
        assert_eq!(acao(&allowed).as_deref(), Some(ORIGIN));
        for stranger in [
            "https://evil.example",
            "https://coffee.example:8443",
            "http://coffee.example",
        ] {
            let denied = s
                .http
                .get(&program)
                .header(header::ORIGIN, stranger)
                .send()
                .await
                .expect("send");
            assert_eq!(denied.status(), StatusCode::OK);
            assert_eq!(acao(&denied), None, "{stranger}");
        }

        let preflight = |origin: &str, path: &str, method: &str| {
            s.http
                .request(Method::OPTIONS, s.shop_url(path))
                .header(header::ORIGIN, origin)
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
                .header(
                    header::ACCESS_CONTROL_REQUEST_HEADERS,
                    "x-tally-signature, idempotency-key, content-type",
                )
                .send()
        };
        let ok = preflight(ORIGIN, "/me/redemptions", "POST")
            .await
            .expect("send");
        assert!(ok.status().is_success());
        assert_eq!(acao(&ok).as_deref(), Some(ORIGIN));
        let allow_headers = ok
            .headers()
            .get(header::ACCESS_CONTROL_ALLOW_HEADERS)
            .expect("allow-headers");
        let allow_headers = allow_headers.to_str().expect("text");
        for needed in ["x-tally-signature", "idempotency-key", "content-type"] {
            assert!(allow_headers.contains(needed), "{allow_headers}");
        }
        let denied = preflight("https://evil.example", "/me/redemptions", "POST")
            .await
            .expect("send");
        assert_eq!(acao(&denied), None);
        let merchant_preflight = preflight(ORIGIN, "/program", "PUT").await.expect("send");
        assert_eq!(
            acao(&merchant_preflight),
            None,
            "PUT /program is a merchant call"
        );

        // A shopper call from an allowed origin carries the header even when it fails (401).
        let unauthorized = s
            .http
            .get(s.shop_url("/me"))
            .header(header::ORIGIN, ORIGIN)
            .send()
            .await
            .expect("send");
        assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(acao(&unauthorized).as_deref(), Some(ORIGIN));

        let merchant = s
            .http
            .get(s.shop_url("/reports/summary"))
            .bearer_auth(&s.shop.secret_key)
            .header(header::ORIGIN, ORIGIN)
            .send()
            .await
            .expect("send");
        assert_eq!(merchant.status(), StatusCode::OK);
        assert!(
            merchant
                .headers()
                .keys()
                .all(|k| !k.as_str().starts_with("access-control-")),
            "no CORS headers on merchant endpoints"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after_per_shop() {
    let limits = Limits {
        rate_burst: 3.0,
        rate_per_second: 0.2,
        ..Limits::default()
    };
    on_every_backend_with(limits, |s| async move {
        for _ in 0..3 {
            let (status, _) = send(s.http.get(s.shop_url("/program"))).await;
            assert_eq!(status, StatusCode::OK);
        }
        let limited = s
            .http
            .get(s.shop_url("/program"))
            .send()
            .await
            .expect("send");
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry_after: u64 = limited
            .headers()
            .get(header::RETRY_AFTER)
            .expect("Retry-After")
            .to_str()
            .expect("text")
            .parse()
            .expect("seconds");
        assert!((1..=5).contains(&retry_after), "{retry_after}");
        let body: serde_json::Value = limited.json().await.expect("json");
        assert_eq!(body["error"]["code"], "rate_limited");

        let other = s.create_shop("Other Shop", &[]).await;
        let (status, _) = send(
            s.http
                .get(format!("{}/v1/shops/{}/program", s.base, other.id)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "another shop has its own bucket");
        let (status, _) = send(s.http.get(s.url("/healthz"))).await;
        assert_eq!(status, StatusCode::OK, "operations are not shop-limited");
        s
    })
    .await;
}

#[tokio::test]
async fn health_and_openapi_describe_the_server() {
    on_every_backend(|s| async move {
        let (status, health) = send(s.http.get(s.url("/healthz"))).await;
        assert_eq!((status, health), (StatusCode::OK, json!({"status": "ok"})));
        let (status, doc) = send(s.http.get(s.url("/openapi.json"))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
        for path in [
            "/v1/shops/{shop_id}/program",
            "/v1/shops/{shop_id}/me",
            "/v1/shops/{shop_id}/me/activity",
            "/v1/shops/{shop_id}/me/redemptions",
            "/v1/shops/{shop_id}/orders",
            "/v1/shops/{shop_id}/orders/{order_id}/refunds",
            "/v1/shops/{shop_id}/customers/{customer_id}",
            "/v1/shops/{shop_id}/customers/{customer_id}/adjustments",
            "/v1/shops/{shop_id}/customers/{customer_id}/activities",
            "/v1/shops/{shop_id}/reports/summary",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} documented");
        }
        let order_created = &doc["paths"]["/v1/shops/{shop_id}/orders"]["post"]["responses"]["201"];
        assert_eq!(
            order_created["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/OrderResult",
            "wire types come from tally-core"
        );
        for schema in [
            "Me",
            "Program",
            "OrderRequest",
            "Redemption",
            "Summary",
            "ErrorBody",
        ] {
            assert!(
                doc["components"]["schemas"].get(schema).is_some(),
                "{schema}"
            );
        }
        s
    })
    .await;
}

#[tokio::test]
async fn the_demo_shopper_has_a_history_and_the_storefront_signs_a_working_tag() {
    for backend in backends() {
        let s = TestServer::start_demo(backend).await;
        let me = s.me(tally_server::demo::SHOPPER).await;
        assert_eq!(me["first_name"], "Ada");
        assert_eq!(me["tier"]["id"], "silver");
        assert!(
            me["expiring"].as_array().is_some_and(|e| !e.is_empty()),
            "{me}"
        );
        assert_eq!(me["referral"]["friends_referred"], 1);
        let balance = me["balance"].as_i64().expect("balance");
        assert!((200..1000).contains(&balance), "{balance}");
        let kinds: std::collections::BTreeSet<String> = s
            .all_activity(tally_server::demo::SHOPPER)
            .await
            .iter()
            .map(|a| a["kind"].as_str().expect("kind").to_owned())
            .collect();
        for kind in ["signup", "earn", "refund", "redeem", "adjust", "referral"] {
            assert!(kinds.contains(kind), "{kind} in {kinds:?}");
        }
        tally_server::demo::seed(&s.db, s.addr.port())
            .await
            .expect("seed again");
        assert_eq!(
            s.me(tally_server::demo::SHOPPER).await["balance"],
            balance,
            "seeding is idempotent"
        );

        let page = s.http.get(s.url("/")).send().await.expect("send");
        assert!(page.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/html"));
        let page = page.text().await.expect("html");
        let attr = |name: &str| {
            let start = page.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
            page[start..start + page[start..].find('"').expect("quote")].to_owned()
        };
        assert_eq!(page.matches("<script").count(), 1, "one script tag");
        assert_eq!(attr("data-api"), s.base);
        assert_eq!(attr("data-mode"), "launcher");
        let (status, _) = send(token_headers(
            s.http.get(s.shop_url("/me")),
            &attr("data-customer"),
            attr("data-timestamp"),
            &attr("data-signature"),
        ))
        .await;
        assert_eq!(status, StatusCode::OK, "the page's token works");

        let guest = s
            .http
            .get(s.url("/?guest=1"))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("html");
        assert!(!guest.contains("data-customer") && !guest.contains("data-signature"));
        let hostile = s
            .http
            .get(s.url("/?customer=%3Cimg%20src%3Dx%3E%22"))
            .send()
            .await
            .expect("send");
        let hostile = hostile.text().await.expect("html");
        assert!(!hostile.contains("<img src=x>"), "user input is escaped");
        assert!(hostile.contains("&lt;img src=x&gt;&quot;"));
        let rewards = s
            .http
            .get(s.url("/rewards"))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("html");
        assert!(rewards.contains(r#"<div id="rewards"></div>"#));
        assert!(rewards.contains(r##"data-mode="inline" data-target="#rewards""##));
        for placeholder in ["/account/login", "/account/register"] {
            let response = s.http.get(s.url(placeholder)).send().await.expect("send");
            assert_eq!(response.status(), StatusCode::OK);
        }
        let (status, body) = send(s.http.get(s.url("/widget/missing.js"))).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
        s.finish().await;
    }
}

#[tokio::test]
async fn the_demo_serves_wasm_with_its_mime_type() {
    let dir = std::env::temp_dir().join(format!("tally-widget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("tally_bg.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    std::fs::write(dir.join("tally.js"), b"console.log('tally')").expect("js");
    let db_path = std::env::temp_dir().join(format!("tally-wasm-{}.db", std::process::id()));
    let db = tally_server::Db::connect(&format!("sqlite://{}", db_path.display()))
        .await
        .expect("db");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = tally_server::demo::router(
        tally_server::AppState::new(db, generous_limits()),
        dir.clone(),
        addr,
    );
    let server = tokio::spawn(tally_server::serve(listener, router, async {
        tokio::time::sleep(Duration::from_secs(30)).await
    }));
    let http = reqwest::Client::new();
    for (file, mime) in [
        ("tally_bg.wasm", "application/wasm"),
        ("tally.js", "javascript"),
    ] {
        let response = http
            .get(format!("http://{addr}/widget/{file}"))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .to_owned();
        assert!(content_type.contains(mime), "{file}: {content_type}");
    }
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db_path.display()));
    }
}

#[tokio::test]
async fn a_request_stuck_past_the_time_limit_is_answered_503_and_keeps_nothing() {
    let limits = Limits {
        request_timeout: Duration::from_millis(300),
        ..generous_limits()
    };
    on_every_backend_with(limits, |s| async move {
        s.me("stuck").await;
        // Another writer holds the customer (the SQLite write lock, or the PostgreSQL row lock).
        let shop = s.shop_record().await;
        let stuck = tally_core::CustomerId::parse("stuck").expect("an id");
        let blocker = tally_server::ledger::lock_customer(
            &s.db,
            &shop,
            tally_server::ledger::Whom::Id(&stuck),
            0,
        )
        .await
        .expect("lock the customer");
        let (status, body) = s.order("o-1", "stuck", 1_000).await;
        assert_error(
            status,
            &body,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        );
        drop(blocker);
        let (status, body) = s.order("o-1", "stuck", 1_000).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "the timed-out attempt kept nothing: {body}"
        );
        s
    })
    .await;
}
