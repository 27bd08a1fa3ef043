//! Abuse the API's edges in ways tests/api.rs does not: a token replayed after it expired, one shopper
//! reaching for another's data through paths, queries, headers and bodies, shops' books kept apart, huge
//! headers, CORS lookalike origins, and the secret key neither stored nor logged.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

#[tokio::test]
async fn a_token_replayed_after_it_expired_is_refused() {
    on_every_backend(|s| async move {
        // Signed so that it has a second of life left.
        let signed_at = chrono_free_now() - 86_399;
        let signature = sign(&s.shop.secret_key, &s.shop.id, "amy", signed_at);
        let request = || {
            s.http
                .get(s.shop_url("/me"))
                .header("X-Tally-Customer", "amy")
                .header("X-Tally-Timestamp", signed_at.to_string())
                .header("X-Tally-Signature", &signature)
        };
        let (status, body) = send(request()).await;
        assert_eq!(status, StatusCode::OK, "valid while fresh: {body}");
        tokio::time::sleep(Duration::from_millis(2_100)).await;
        let (status, body) = send(request()).await;
        let message = assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        assert!(message.contains("expired"), "{message}");
        s
    })
    .await;
}

#[tokio::test]
async fn a_shopper_never_reaches_another_shoppers_data() {
    on_every_backend(|s| async move {
        // Bob has history and a redemption; Eve holds a genuine token for herself only.
        let (status, _) = s.order("bob-1", "bob", 30_000).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, bobs_redemption) = s.redeem("bob", "bob-key", "5off").await;
        assert_eq!(status, StatusCode::CREATED, "{bobs_redemption}");
        let bob_before = s.me("bob").await;
        let bobs_activity = s.all_activity("bob").await;
        let bobs_oldest = bobs_activity.last().expect("bob's entries")["id"]
            .as_str()
            .expect("id")
            .to_owned();

        let eve = |method: Method, rest: &str| s.shopper(method, rest, "eve");
        for (case, request) in [
            (
                "a customer_id query",
                eve(Method::GET, "/me?customer_id=bob"),
            ),
            ("a customer query", eve(Method::GET, "/me?customer=bob")),
            (
                "an activity cursor past bob's entries",
                eve(
                    Method::GET,
                    &format!("/me/activity?before={}&limit=100", i64::MAX),
                ),
            ),
            (
                "a redemption list query",
                eve(Method::GET, "/me/redemptions?customer_id=bob"),
            ),
        ] {
            let (status, body) = send(request).await;
            assert_eq!(status, StatusCode::OK, "{case}: {body}");
            let text = body.to_string();
            assert!(!text.contains("bob"), "{case} shows bob: {text}");
            assert!(
                !text.contains(bobs_redemption["code"].as_str().expect("code")),
                "{case} shows bob's code"
            );
            if let Some(items) = body["items"].as_array() {
                for item in items {
                    assert!(
                        !bobs_activity.iter().any(|b| b["id"] == item["id"]),
                        "{case}: bob's entry {item}"
                    );
                }
            }
        }
        let (_, eves_me) = send(eve(Method::GET, "/me?customer_id=bob")).await;
        assert_eq!(eves_me["customer_id"], "eve");
        let (_, page) = send(eve(
            Method::GET,
            &format!("/me/activity?before={bobs_oldest}"),
        ))
        .await;
        assert_eq!(
            page["items"],
            json!([]),
            "a cursor is no key to bob's ledger"
        );

        // Merchant-only paths with a shopper's token, and path tricks towards them.
        for (case, request) in [
            ("bob's customer view", eve(Method::GET, "/customers/bob")),
            ("dot segments", eve(Method::GET, "/me/%2e%2e/customers/bob")),
            (
                "an encoded slash",
                eve(Method::GET, "/me%2f..%2fcustomers%2fbob"),
            ),
            (
                "an adjustment for bob",
                eve(Method::POST, "/customers/bob/adjustments")
                    .json(&json!({"points": -100, "reason": "x", "idempotency_key": "k"})),
            ),
        ] {
            let (status, body) = send(request).await;
            assert!(
                matches!(status, StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND),
                "{case}: {status} {body}"
            );
            assert!(body["error"]["code"].is_string(), "{case}: {body}");
        }

        // A redemption whose body or extra headers name bob still spends only the signer's points.
        let (status, body) = send(
            eve(Method::POST, "/me/redemptions")
                .header("Idempotency-Key", "eve-1")
                .json(&json!({"reward_id": "5off", "customer_id": "bob"})),
        )
        .await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "eve has 50 points and cannot afford 100: {status} {body}"
        );
        let (status, _) = send(
            eve(Method::POST, "/me/redemptions")
                .header("Idempotency-Key", "bob-key")
                .json(&json!({"reward_id": "5off"})),
        )
        .await;
        assert_ne!(
            status,
            StatusCode::CREATED,
            "bob's idempotency key replays nothing of bob's for eve"
        );
        let (status, body) =
            send(eve(Method::GET, "/me/redemptions").header("X-Tally-Customer", "bob")).await;
        // A second customer header is either refused or ignored; never bob's list.
        assert!(!body.to_string().contains("bob"), "{status}: {body}");
        assert_eq!(s.me("bob").await, bob_before, "bob's standing is untouched");
        s
    })
    .await;
}

#[tokio::test]
async fn shops_keep_separate_books_and_keys() {
    on_every_backend(|s| async move {
        let other = s.create_shop("Other Shop", &[ORIGIN]).await;
        let (status, _) = s.order("same-id", "alice", 10_000).await;
        assert_eq!(status, StatusCode::CREATED);
        // The other shop's key on this shop's order: refused, and nothing recorded.
        let (status, body) = send(
            s.http
                .post(s.shop_url("/orders/same-id/refunds"))
                .bearer_auth(&other.secret_key)
                .json(&json!({"refund_id": "r", "amount_minor": 10_000})),
        )
        .await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
        // The same order id and customer id in the other shop are another order and another customer.
        let (status, body) = send(
            s.http
                .post(format!("{}/v1/shops/{}/orders", s.base, other.id))
                .bearer_auth(&other.secret_key)
                .json(&json!({"order_id": "same-id", "customer_id": "alice",
                              "total_minor": 2_000, "currency": "USD"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["points_awarded"], 20);
        assert_eq!(
            s.me("alice").await["balance"],
            100 + 50,
            "this shop's alice is unchanged"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_100_kb_header_is_refused_as_json_and_the_server_carries_on() {
    on_every_backend(|s| async move {
        let huge = "x".repeat(100 * 1024);
        let response = s
            .http
            .get(s.shop_url("/program"))
            .header("X-Padding", &huge)
            .send()
            .await
            .expect("an answer, not a dropped connection");
        let status = response.status();
        assert!(
            status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
                || status == StatusCode::BAD_REQUEST,
            "{status}"
        );
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(body["error"]["code"], "invalid_request", "{body}");
        let (status, _) = send(s.http.get(s.shop_url("/program"))).await;
        assert_eq!(status, StatusCode::OK, "still serving");
        s
    })
    .await;
}

#[tokio::test]
async fn cors_ignores_lookalike_origins() {
    on_every_backend(|s| async move {
        for stranger in [
            "null",
            "https://coffee.example.evil.example",
            "https://evil.example/https://coffee.example",
            "https://COFFEE.example",
            "https://coffee.example/",
            "https://coffee.example, https://evil.example",
        ] {
            let response = s
                .http
                .request(Method::OPTIONS, s.shop_url("/me"))
                .header(header::ORIGIN, stranger)
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
                .send()
                .await
                .expect("send");
            assert_eq!(
                response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN),
                None,
                "{stranger}"
            );
        }
        s
    })
    .await;
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_400() {
    on_every_backend(|s| async move {
        for body in ["[null, null]", "null", "42", "\"x\""] {
            let (status, answer) = send(
                s.http
                    .patch(s.shop_url("/customers/alice"))
                    .bearer_auth(&s.shop.secret_key)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body),
            )
            .await;
            assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_request");
        }
        s
    })
    .await;
}

#[tokio::test]
async fn the_secret_key_is_not_stored_anywhere_in_the_database() {
    on_every_backend(|s| async move {
        // Some traffic first, so SQLite's write-ahead log holds pages too.
        let (status, _) = s.order("o-1", "alice", 1_000).await;
        assert_eq!(status, StatusCode::CREATED);
        let stored: Vec<(String, String)> =
            sqlx::query_as("SELECT secret_key_sha256, signing_key FROM shops WHERE id = $1")
                .bind(&s.shop.id)
                .fetch_all(&s.db.pool)
                .await
                .expect("shops");
        let key = &s.shop.secret_key;
        let key_hex = hex::encode(key.as_bytes());
        for (hash, signing) in &stored {
            for column in [hash, signing] {
                assert!(
                    !column.contains(key.as_str()) && !column.contains(&key_hex),
                    "{column}"
                );
            }
        }
        if s.backend == Backend::Sqlite {
            let path = s.db_path().expect("a SQLite file");
            for suffix in ["", "-wal"] {
                let bytes =
                    std::fs::read(format!("{}{suffix}", path.display())).unwrap_or_default();
                assert!(
                    !bytes.windows(key.len()).any(|w| w == key.as_bytes()),
                    "the raw key is in {}{suffix}",
                    path.display()
                );
            }
        }
        s
    })
    .await;
}

#[tokio::test]
async fn neither_the_secret_key_nor_a_signature_appears_in_debug_logs() {
    let database = ScratchDatabase::new(Backend::Sqlite).await;
    let binary = env!("CARGO_BIN_EXE_tally-server");
    let created = tokio::process::Command::new(binary)
        .args([
            "shop",
            "create",
            "--name",
            "Log Coffee",
            "--currency",
            "USD",
        ])
        .args([
            "--origin",
            "https://shop.example",
            "--database-url",
            &database.url,
        ])
        .env("TALLY_LOG", "debug")
        .env("RUST_LOG", "debug")
        .output()
        .await
        .expect("shop create");
    assert!(created.status.success());
    let shop: Value = serde_json::from_slice(&created.stdout).expect("json");
    let (shop_id, key) = (
        shop["id"].as_str().expect("id").to_owned(),
        shop["secret_key"].as_str().expect("key").to_owned(),
    );
    let mut server = tokio::process::Command::new(binary)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database-url",
            &database.url,
        ])
        .env("TALLY_LOG", "debug")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("serve");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("announced")
        .expect("read")
        .expect("a line");
    let base = line
        .strip_prefix("listening on ")
        .expect("address")
        .to_owned();
    let http = reqwest::Client::new();
    let shop_url = format!("{base}/v1/shops/{shop_id}");
    let now = chrono_free_now();
    let signature = sign(&key, &shop_id, "amy", now);
    let shopper = |request: reqwest::RequestBuilder| {
        request
            .header("X-Tally-Customer", "amy")
            .header("X-Tally-Timestamp", now.to_string())
            .header("X-Tally-Signature", &signature)
    };
    let calls = [
        http.post(format!("{shop_url}/orders")).bearer_auth(&key).json(
            &json!({"order_id": "o1", "customer_id": "amy", "total_minor": 50_000, "currency": "USD"}),
        ),
        http.get(format!("{shop_url}/reports/summary")).bearer_auth(&key),
        // A near-miss key: what a failed attempt logs must not hold the real one either.
        http.get(format!("{shop_url}/reports/summary")).bearer_auth(format!("{key}x")),
        shopper(http.get(format!("{shop_url}/me"))),
        shopper(http.get(format!("{shop_url}/me/activity?limit=5"))),
        shopper(http.post(format!("{shop_url}/me/redemptions")))
            .header("Idempotency-Key", "k1")
            .json(&json!({"reward_id": "none"})),
        shopper(http.get(format!("{shop_url}/me?signature={signature}"))),
    ];
    let mut statuses = Vec::new();
    for call in calls {
        statuses.push(call.send().await.expect("send").status().as_u16());
    }
    assert!(
        statuses.contains(&200) && statuses.contains(&401),
        "{statuses:?}"
    );
    server.start_kill().expect("kill");
    let _ = server.wait().await;
    let mut log = String::new();
    server
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .await
        .expect("read the log");
    assert!(log.contains("DEBUG"), "the log really was at debug level");
    assert!(!log.contains(&key), "the secret key is in the log");
    assert!(
        !log.contains(&signature),
        "a shopper signature is in the log"
    );
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "abuse: {} log lines at debug, no key, no signature\n",
            log.lines().count()
        )
        .as_bytes(),
    );
    database.remove().await;
}

#[tokio::test]
async fn points_past_the_ledgers_limit_are_400_and_the_books_still_add_up() {
    on_every_backend(|s| async move {
        let (status, _) = s.order("o-1", "alice", 10_000).await;
        assert_eq!(status, StatusCode::CREATED);
        let before = s.me("alice").await;
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/alice/adjustments",
                Some(json!({"points": i64::MAX, "reason": "x", "idempotency_key": "huge"})),
            )
            .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        let (status, body) = s.order("o-huge", "alice", i64::MAX).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(s.me("alice").await, before, "nothing was posted");
        let (status, summary) = s.merchant(Method::GET, "/reports/summary", None).await;
        assert_eq!(status, StatusCode::OK, "{summary}");
        assert_eq!(summary["points_outstanding"], before["balance"]);
        s
    })
    .await;
}
