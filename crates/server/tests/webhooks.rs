//! Webhooks end to end: a real server (in process, or the real binary), a real HTTP receiver on loopback,
//! every delivery verified with a Standard Webhooks check written here from the spec; SQLite always,
//! PostgreSQL too when `TALLY_TEST_DATABASE_URL` is set.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode as AxumStatus, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::binary::start_server_with;
use common::*;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use tally_server::webhooks::WebhookConfig;

// ---------------------------------------------------------------------------------------------------
// A receiver: records every request, answers as told.

#[derive(Debug, Clone)]
struct Received {
    path: String,
    id: String,
    timestamp: String,
    signature: String,
    content_type: String,
    user_agent: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }
}

#[derive(Debug, Clone)]
enum Answer {
    Status(u16),
    RedirectTo(String),
}

#[derive(Clone)]
struct ReceiverState {
    log: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<Answer>>,
}

struct Receiver {
    addr: SocketAddr,
    state: ReceiverState,
}

async fn receive(
    State(state): State<ReceiverState>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    state.log.lock().expect("log").push(Received {
        path: uri.path().to_owned(),
        id: text("webhook-id"),
        timestamp: text("webhook-timestamp"),
        signature: text("webhook-signature"),
        content_type: text("content-type"),
        user_agent: text("user-agent"),
        body,
    });
    let answer = state.answer.lock().expect("answer").clone();
    match answer {
        Answer::Status(code) => (
            AxumStatus::from_u16(code).unwrap_or(AxumStatus::OK),
            "thanks",
        )
            .into_response(),
        Answer::RedirectTo(url) => (AxumStatus::FOUND, [(header::LOCATION, url)]).into_response(),
    }
}

impl Receiver {
    async fn start() -> Receiver {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// On a given address (a receiver "coming back" on the port it was down on).
    async fn start_on(addr: SocketAddr) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("bind the receiver");
        let addr = listener.local_addr().expect("receiver address");
        let state = ReceiverState {
            log: Arc::default(),
            answer: Arc::new(Mutex::new(Answer::Status(200))),
        };
        let router = axum::Router::new()
            .fallback(receive)
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Receiver { addr, state }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn answer(&self, answer: Answer) {
        *self.state.answer.lock().expect("answer") = answer;
    }

    fn received(&self) -> Vec<Received> {
        self.state.log.lock().expect("log").clone()
    }
}

/// A loopback port with nothing listening on it (a receiver that is down).
async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("address")
}

/// Verifies a delivery as the Standard Webhooks spec says, independently of the server's code:
/// HMAC-SHA256 keyed by the base64-decoded secret after `whsec_`, over `{id}.{timestamp}.{body}`,
/// base64, among the space-separated `v1,` signatures; the timestamp within 5 minutes of now.
fn verify(secret: &str, delivery: &Received) -> Result<(), String> {
    let key = STANDARD
        .decode(
            secret
                .strip_prefix("whsec_")
                .ok_or("secret without whsec_")?,
        )
        .map_err(|e| e.to_string())?;
    let timestamp: i64 = delivery
        .timestamp
        .parse()
        .map_err(|_| "webhook-timestamp is not a number")?;
    if (chrono_free_now() - timestamp).abs() > 300 {
        return Err(format!("webhook-timestamp {timestamp} is not now"));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(format!("{}.{}.{}", delivery.id, delivery.timestamp, delivery.body).as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    let matches = delivery
        .signature
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected);
    matches
        .then_some(())
        .ok_or_else(|| format!("signature {:?} does not verify", delivery.signature))
}

/// Polls `check` until it returns Some, or fails the test after `limit`.
async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Private addresses allowed (the receiver is on loopback), a quick poll and a short schedule.
fn test_config(schedule_ms: &[u64]) -> WebhookConfig {
    WebhookConfig {
        allow_private: true,
        retry_schedule: schedule_ms
            .iter()
            .map(|ms| Duration::from_millis(*ms))
            .collect(),
        poll_interval: Duration::from_millis(100),
        ..WebhookConfig::default()
    }
}

/// Runs `scenario` on every backend with a server whose worker uses `config`.
async fn on_every_backend_with_webhooks<F, Fut>(config: WebhookConfig, scenario: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: Future<Output = TestServer>,
{
    for backend in backends() {
        eprintln!("running on {backend:?}");
        let server = TestServer::start_with_webhooks(backend, config.clone()).await;
        let server = scenario(server).await;
        server.finish().await;
    }
}

async fn create_endpoint(s: &TestServer, url: &str, events: Value) -> Value {
    let (status, body) = s
        .merchant(
            Method::POST,
            "/webhooks",
            Some(json!({"url": url, "events": events})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "create: {body}");
    body
}

async fn deliveries(s: &TestServer, endpoint_id: &str) -> Vec<Value> {
    let (status, page) = s
        .merchant(
            Method::GET,
            &format!("/webhooks/{endpoint_id}/deliveries?limit=100"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "deliveries: {page}");
    page["items"].as_array().expect("items").clone()
}

// ---------------------------------------------------------------------------------------------------
// Endpoints

#[tokio::test]
async fn endpoints_are_created_listed_updated_and_deleted_and_the_secret_is_shown_once() {
    on_every_backend_with_webhooks(test_config(&[1000]), |s| async move {
        let created = create_endpoint(&s, "https://hooks.example.test/tally", json!(["*"])).await;
        let id = created["id"].as_str().expect("id").to_owned();
        let secret = created["secret"].as_str().expect("a secret at creation");
        assert!(secret.starts_with("whsec_"), "{secret}");
        let key = STANDARD.decode(&secret[6..]).expect("base64 after whsec_");
        assert!((24..=64).contains(&key.len()), "{} bytes", key.len());
        assert_eq!(created["enabled"], true);
        assert_eq!(created["events"], json!(["*"]));

        let (status, listed) = s.merchant(Method::GET, "/webhooks", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
        assert!(listed["items"][0].get("secret").is_none(), "{listed}");
        let (status, shown) = s.merchant(Method::GET, &format!("/webhooks/{id}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(shown.get("secret").is_none(), "{shown}");
        assert!(!shown.to_string().contains(secret));

        let (status, updated) = s
            .merchant(
                Method::PATCH,
                &format!("/webhooks/{id}"),
                Some(json!({"events": ["points.changed", "reward.redeemed", "points.changed"],
                            "enabled": false})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["events"], json!(["points.changed", "reward.redeemed"]));
        assert_eq!(updated["enabled"], false);
        assert_eq!(updated["url"], "https://hooks.example.test/tally");
        assert!(updated.get("secret").is_none());

        // Refusals name the field.
        for (body, field) in [
            (json!({"url": "https://hooks.example.test/", "events": []}), "events"),
            (json!({"url": "https://hooks.example.test/", "events": ["points.spent"]}), "events"),
            (json!({"url": "https://hooks.example.test/", "events": ["*", "points.changed"]}), "events"),
            (json!({"url": format!("https://hooks.example.test/{}", "a".repeat(2048)), "events": ["*"]}), "url"),
            (json!({"url": "ftp://hooks.example.test/", "events": ["*"]}), "url"),
            (json!({"events": ["*"]}), "url"),
        ] {
            let (status, error) = s.merchant(Method::POST, "/webhooks", Some(body.clone())).await;
            let message = assert_error(status, &error, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(message.contains(field), "{body} → {message}");
        }

        // Another shop sees none of it.
        let other = s.create_shop("Other Coffee", &[ORIGIN]).await;
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            let mut request = s
                .http
                .request(method.clone(), s.url(&format!("/v1/shops/{}/webhooks/{id}", other.id)))
                .bearer_auth(&other.secret_key);
            if method == Method::PATCH {
                request = request.json(&json!({"enabled": true}));
            }
            let (status, error) = send(request).await;
            assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");
        }
        let (status, error) = send(
            s.http
                .get(s.url(&format!("/v1/shops/{}/webhooks/{id}/deliveries", other.id)))
                .bearer_auth(&other.secret_key),
        )
        .await;
        assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");
        let (status, error) = send(
            s.http
                .get(s.url(&format!("/v1/shops/{}/webhooks", s.shop.id)))
                .bearer_auth(&other.secret_key),
        )
        .await;
        assert_error(status, &error, StatusCode::UNAUTHORIZED, "unauthorized");

        let response = s
            .http
            .delete(s.shop_url(&format!("/webhooks/{id}")))
            .bearer_auth(&s.shop.secret_key)
            .send()
            .await
            .expect("delete");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let (status, error) = s.merchant(Method::GET, &format!("/webhooks/{id}"), None).await;
        assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");
        s
    })
    .await;
}

// ---------------------------------------------------------------------------------------------------
// Deliveries

#[tokio::test]
async fn deliveries_are_signed_and_report_orders_refunds_redemptions_referrals_and_tiers() {
    on_every_backend_with_webhooks(test_config(&[1000]), |s| async move {
        let receiver = Receiver::start().await;
        let all = create_endpoint(&s, &receiver.url("/all"), json!(["*"])).await;
        let rewards_only =
            create_endpoint(&s, &receiver.url("/rewards"), json!(["reward.redeemed"])).await;

        // Ada's first order enrols her, awards signup and purchase points and lifts her to Silver.
        let (status, order) = s.order("o-ada-1", "ada", 25_000).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let (status, ada) = s.merchant(Method::GET, "/customers/ada", None).await;
        assert_eq!(status, StatusCode::OK);
        let code = ada["referral"]["code"]
            .as_str()
            .expect("a referral code")
            .to_owned();
        let (status, redemption) = s.redeem("ada", "r-1", "5off").await;
        assert_eq!(status, StatusCode::CREATED, "{redemption}");
        // Bob comes through Ada's referral.
        let (status, body) = s
            .merchant(
                Method::POST,
                "/orders",
                Some(
                    json!({"order_id": "o-bob-1", "customer_id": "bob", "total_minor": 1_000,
                            "currency": "USD", "referral_code": code}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        // A refund takes Ada back below Silver.
        let (status, body) = s.refund("o-ada-1", "rf-1", 10_000).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, test) = s
            .merchant(
                Method::POST,
                &format!("/webhooks/{}/test", all["id"].as_str().expect("id")),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{test}");

        // Ada: enrolled, signup, earn, tier, redeem, reward, referral bonus, refund, tier; Bob:
        // enrolled, signup, earn, referral gift; the referral; the test: 15 to /all, 1 to /rewards.
        let received = eventually("16 deliveries", Duration::from_secs(20), || {
            let received = receiver.received();
            async move { (received.len() >= 16).then_some(received) }
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 16, "no more than expected");

        let secret_all = all["secret"].as_str().expect("secret");
        let secret_rewards = rewards_only["secret"].as_str().expect("secret");
        for delivery in &received {
            let secret = if delivery.path == "/rewards" {
                secret_rewards
            } else {
                secret_all
            };
            verify(secret, delivery).unwrap_or_else(|e| panic!("{e}: {delivery:?}"));
            assert_eq!(delivery.content_type, "application/json");
            assert!(
                delivery.user_agent.contains("Tally"),
                "{}",
                delivery.user_agent
            );
            assert!(delivery.id.starts_with("evt_"), "{}", delivery.id);
            let body = delivery.json();
            let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
            assert_eq!(keys.len(), 3, "type, timestamp, data: {body}");
            assert!(
                body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{body}"
            );
            assert!(body["data"].is_object(), "{body}");
        }
        let (to_all, to_rewards): (Vec<&Received>, Vec<&Received>) =
            received.iter().partition(|d| d.path == "/all");
        assert_eq!(to_rewards.len(), 1);
        assert_eq!(to_rewards[0].event_type(), "reward.redeemed");
        let ids: std::collections::HashSet<&str> = to_all.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), to_all.len(), "one webhook-id per event");
        // The same event has the same id at both endpoints.
        assert!(to_all.iter().any(|d| d.id == to_rewards[0].id));

        let data_of = |event: &str| -> Vec<Value> {
            to_all
                .iter()
                .filter(|d| d.event_type() == event)
                .map(|d| d.json()["data"].clone())
                .collect()
        };
        let mut enrolled: Vec<Value> = data_of("customer.enrolled");
        enrolled.sort_by_key(|d| d.to_string());
        assert_eq!(
            enrolled,
            [json!({"customer_id": "ada"}), json!({"customer_id": "bob"})]
        );
        let points = data_of("points.changed");
        assert_eq!(points.len(), 8, "{points:?}");
        let ada_earn = points
            .iter()
            .find(|p| p["customer_id"] == "ada" && p["kind"] == "earn")
            .expect("Ada's purchase points");
        assert_eq!(ada_earn["points"], 250);
        assert_eq!(ada_earn["balance"], 300);
        assert!(ada_earn["entry_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()));
        for (customer, kind, points_) in [
            ("ada", "signup", 50),
            ("ada", "redeem", -100),
            ("ada", "referral", 200),
            ("ada", "refund", -100),
            ("bob", "signup", 50),
            ("bob", "earn", 10),
            ("bob", "referral", 100),
        ] {
            assert!(
                points.iter().any(|p| p["customer_id"] == customer
                    && p["kind"] == kind
                    && p["points"] == points_),
                "{customer} {kind} {points_} in {points:?}"
            );
        }
        let mut tiers = data_of("tier.changed");
        tiers.sort_by_key(|d| d["to"].to_string());
        assert_eq!(
            tiers,
            [
                json!({"customer_id": "ada", "from": "silver", "to": "bronze"}),
                json!({"customer_id": "ada", "from": "bronze", "to": "silver"}),
            ]
        );
        let redeemed = data_of("reward.redeemed");
        assert_eq!(redeemed.len(), 1);
        assert_eq!(redeemed[0]["customer_id"], "ada");
        assert_eq!(redeemed[0]["redemption"], redemption);
        assert_eq!(
            data_of("referral.completed"),
            [json!({"advocate_id": "ada", "friend_id": "bob", "order_id": "o-bob-1"})]
        );
        let tests = data_of("webhook.test");
        assert_eq!(tests.len(), 1);
        assert_eq!(tests[0]["webhook_id"], all["id"]);

        // The log agrees: every delivery succeeded at its first attempt, with the receiver's 200. The
        // outcome is recorded after the receiver has answered, so it may land a moment after the event.
        let endpoint_id = all["id"].as_str().expect("id");
        let items = eventually("every outcome recorded", Duration::from_secs(20), || {
            let s = &s;
            async move {
                let items = deliveries(s, endpoint_id).await;
                items
                    .iter()
                    .all(|d| d["status"] != "pending")
                    .then_some(items)
            }
        })
        .await;
        assert_eq!(items.len(), 15);
        for item in &items {
            assert_eq!(item["status"], "succeeded", "{item}");
            assert_eq!(item["attempts"], 1);
            assert_eq!(item["response_status"], 200);
            assert_eq!(item["next_attempt_at"], Value::Null);
        }
        s
    })
    .await;
}

#[tokio::test]
async fn a_write_that_rolls_back_produces_no_event() {
    on_every_backend_with_webhooks(test_config(&[1000]), |s| async move {
        let receiver = Receiver::start().await;
        create_endpoint(&s, &receiver.url("/"), json!(["*"])).await;
        // A shopper never seen asks for more than their signup points: the enrolment, the signup points
        // and the redemption all roll back together.
        let (status, error) = s.redeem("dan", "r-dan", "5off").await;
        assert_error(
            status,
            &error,
            StatusCode::UNPROCESSABLE_ENTITY,
            "insufficient_points",
        );
        // A marker after it: once its events are in, anything of the refused write would be too.
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/marker/adjustments",
                Some(json!({"points": 5, "reason": "marker", "idempotency_key": "m-1"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        eventually("the marker's adjustment", Duration::from_secs(20), || {
            let done = receiver.received().iter().any(|d| {
                d.event_type() == "points.changed" && d.json()["data"]["kind"] == "adjust"
            });
            async move { done.then_some(()) }
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let received = receiver.received();
        assert!(
            received.iter().all(|d| !d.body.contains("\"dan\"")),
            "nothing about the refused write: {received:?}"
        );
        let events: Vec<String> = received.iter().map(Received::event_type).collect();
        assert_eq!(
            events.iter().filter(|e| *e == "customer.enrolled").count(),
            1,
            "{events:?}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_the_event_after_retries_once_it_is_back() {
    on_every_backend_with_webhooks(
        test_config(&[300, 300, 300, 300, 300, 300, 300, 300]),
        |s| async move {
            let addr = closed_port().await;
            let endpoint =
                create_endpoint(&s, &format!("http://{addr}/"), json!(["customer.enrolled"])).await;
            let id = endpoint["id"].as_str().expect("id").to_owned();
            let (status, _) = s.order("o-1", "eve", 1_000).await;
            assert_eq!(status, StatusCode::CREATED);

            // Two attempts refused: still pending, the error logged, no status.
            let delivery = eventually("two failed attempts", Duration::from_secs(20), || {
                let (s, id) = (&s, &id);
                async move {
                    let items = deliveries(s, id).await;
                    items
                        .first()
                        .filter(|d| d["attempts"].as_i64() >= Some(2))
                        .cloned()
                }
            })
            .await;
            assert_eq!(delivery["status"], "pending", "{delivery}");
            assert_eq!(delivery["response_status"], Value::Null);
            assert!(delivery["next_attempt_at"].is_string(), "{delivery}");
            assert!(
                delivery["last_error"]
                    .as_str()
                    .is_some_and(|e| !e.is_empty()),
                "{delivery}"
            );

            let receiver = Receiver::start_on(addr).await;
            let delivery = eventually(
                "the delivery once the receiver is back",
                Duration::from_secs(20),
                || {
                    let (s, id) = (&s, &id);
                    async move {
                        let items = deliveries(s, id).await;
                        items
                            .first()
                            .filter(|d| d["status"] == "succeeded")
                            .cloned()
                    }
                },
            )
            .await;
            assert_eq!(delivery["response_status"], 200);
            let received = receiver.received();
            assert_eq!(received.len(), 1, "{received:?}");
            assert_eq!(
                received[0].id,
                delivery["event_id"].as_str().expect("event id")
            );
            verify(endpoint["secret"].as_str().expect("secret"), &received[0]).expect("verifies");

            // The log shows every attempt.
            let (status, shown) = s
                .merchant(
                    Method::GET,
                    &format!(
                        "/webhooks/{id}/deliveries/{}",
                        delivery["id"].as_str().expect("id")
                    ),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{shown}");
            let log = shown["log"].as_array().expect("a log");
            assert_eq!(
                log.len() as i64,
                shown["attempts"].as_i64().expect("attempts")
            );
            assert!(log[..log.len() - 1]
                .iter()
                .all(|a| a["response_status"].is_null() && a["error"].is_string()));
            assert_eq!(log[log.len() - 1]["response_status"], 200);
            s
        },
    )
    .await;
}

#[tokio::test]
async fn a_receiver_answering_500_forever_fails_the_delivery_and_a_manual_retry_delivers_it() {
    on_every_backend_with_webhooks(test_config(&[200, 200]), |s| async move {
        let receiver = Receiver::start().await;
        receiver.answer(Answer::Status(500));
        let endpoint = create_endpoint(&s, &receiver.url("/"), json!(["customer.enrolled"])).await;
        let id = endpoint["id"].as_str().expect("id").to_owned();
        let (status, _) = s.order("o-1", "fay", 1_000).await;
        assert_eq!(status, StatusCode::CREATED);

        let failed = eventually("a failed delivery", Duration::from_secs(20), || {
            let (s, id) = (&s, &id);
            async move {
                let items = deliveries(s, id).await;
                items.first().filter(|d| d["status"] == "failed").cloned()
            }
        })
        .await;
        assert_eq!(
            failed["attempts"], 3,
            "the first attempt and two retries: {failed}"
        );
        assert_eq!(failed["response_status"], 500);
        assert_eq!(failed["next_attempt_at"], Value::Null);
        assert_eq!(receiver.received().len(), 3);
        // Nothing more happens on its own.
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(receiver.received().len(), 3);

        receiver.answer(Answer::Status(204));
        let delivery_id = failed["id"].as_str().expect("id");
        let (status, retried) = s
            .merchant(
                Method::POST,
                &format!("/webhooks/{id}/deliveries/{delivery_id}/retry"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{retried}");
        assert_eq!(retried["status"], "pending");
        let delivered = eventually("the retried delivery", Duration::from_secs(20), || {
            let (s, id) = (&s, &id);
            async move {
                let items = deliveries(s, id).await;
                items
                    .first()
                    .filter(|d| d["status"] == "succeeded")
                    .cloned()
            }
        })
        .await;
        assert_eq!(delivered["attempts"], 4);
        assert_eq!(delivered["response_status"], 204);
        let received = receiver.received();
        assert_eq!(received.len(), 4);
        assert!(
            received.iter().all(|d| d.id == received[0].id),
            "the same webhook-id on every attempt"
        );
        assert!(
            received.iter().all(|d| d.body == received[0].body),
            "the same body on every attempt"
        );

        // Another shop cannot retry it.
        let other = s.create_shop("Other Coffee", &[ORIGIN]).await;
        let (status, error) = send(
            s.http
                .post(s.url(&format!(
                    "/v1/shops/{}/webhooks/{id}/deliveries/{delivery_id}/retry",
                    other.id
                )))
                .bearer_auth(&other.secret_key),
        )
        .await;
        assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");
        s
    })
    .await;
}

// ---------------------------------------------------------------------------------------------------
// Where a webhook may go

#[tokio::test]
async fn private_loopback_metadata_and_plain_http_urls_are_refused_without_the_flag() {
    // The default configuration: https only, public addresses only. Every URL here is refused before
    // any connection is made: the names are literal private addresses or `localhost`.
    on_every_backend_with_webhooks(WebhookConfig::default(), |s| async move {
        for (url, why) in [
            ("http://hooks.example.test/", "https://"),
            ("https://127.0.0.1/", "127.0.0.1 is a loopback address"),
            ("https://127.0.0.1:8443/hook", "loopback"),
            ("https://10.0.0.1/", "10.0.0.1 is a private address"),
            ("https://192.168.1.20/", "private"),
            ("https://169.254.169.254/latest/meta-data/", "link-local"),
            ("https://100.64.0.1/", "carrier-grade NAT"),
            ("https://[::1]/", "loopback"),
            ("https://[::ffff:127.0.0.1]/", "loopback"),
            ("https://[fd00::1]/", "unique local"),
            ("https://localhost/", "resolves to"),
            ("https://0.0.0.0/", "unspecified"),
        ] {
            let (status, error) = s
                .merchant(Method::POST, "/webhooks", Some(json!({"url": url, "events": ["*"]})))
                .await;
            let message = assert_error(status, &error, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(message.starts_with("url: "), "{url}: {message}");
            assert!(message.contains(why), "{url}: {message}");
            if url.contains("localhost") {
                assert!(message.contains("loopback"), "{message}");
            }
        }
        let (status, listed) = s.merchant(Method::GET, "/webhooks", None).await;
        assert_eq!((status, listed), (StatusCode::OK, json!({"items": []})));

        // A URL that passed once (saved under the flag, or a name that has since moved to a private
        // address) is checked again at delivery: refused by the resolver, no connection made.
        let connections = Arc::new(AtomicUsize::new(0));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let counter = connections.clone();
        tokio::spawn(async move {
            while listener.accept().await.is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        let now = tally_server::clock::now_ms();
        for (id, url) in [
            ("wh_saved_by_name", format!("https://localhost:{port}/")),
            ("wh_saved_by_address", format!("https://127.0.0.1:{port}/")),
        ] {
            sqlx::query(
                "INSERT INTO webhook_endpoints (id, shop_id, url, events_json, secret, enabled,
                                                created_at, updated_at)
                 VALUES ($1, $2, $3, '[\"*\"]', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 1, $4, $4)",
            )
            .bind(id)
            .bind(&s.shop.id)
            .bind(&url)
            .bind(now - 1000)
            .execute(&s.db.pool)
            .await
            .expect("insert an endpoint as if saved earlier");
        }
        let (status, _) = s.order("o-1", "gus", 1_000).await;
        assert_eq!(status, StatusCode::CREATED);
        for id in ["wh_saved_by_name", "wh_saved_by_address"] {
            let delivery = eventually("a refused attempt", Duration::from_secs(20), || {
                let s = &s;
                async move {
                    let items = deliveries(s, id).await;
                    items.into_iter().find(|d| d["attempts"].as_i64() >= Some(1))
                }
            })
            .await;
            let error = delivery["last_error"].as_str().unwrap_or_default().to_owned();
            assert!(error.contains("loopback"), "{id}: {delivery}");
            assert_eq!(delivery["response_status"], Value::Null);
        }
        assert_eq!(connections.load(Ordering::SeqCst), 0, "no connection was made");
        s
    })
    .await;
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    on_every_backend_with_webhooks(test_config(&[60_000]), |s| async move {
        let elsewhere = Receiver::start().await;
        let receiver = Receiver::start().await;
        receiver.answer(Answer::RedirectTo(elsewhere.url("/stolen")));
        let endpoint = create_endpoint(&s, &receiver.url("/"), json!(["customer.enrolled"])).await;
        let id = endpoint["id"].as_str().expect("id").to_owned();
        let (status, _) = s.order("o-1", "hal", 1_000).await;
        assert_eq!(status, StatusCode::CREATED);
        let delivery = eventually("the attempt", Duration::from_secs(20), || {
            let (s, id) = (&s, &id);
            async move {
                let items = deliveries(s, id).await;
                items.first().filter(|d| d["attempts"] == 1).cloned()
            }
        })
        .await;
        assert_eq!(
            delivery["status"], "pending",
            "a 3xx is a failed attempt: {delivery}"
        );
        assert_eq!(delivery["response_status"], 302);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 1);
        assert!(elsewhere.received().is_empty(), "the redirect was followed");
        s
    })
    .await;
}

// ---------------------------------------------------------------------------------------------------
// The real binary: kill -9, and two servers on one PostgreSQL

async fn shop_create(database_url: &str) -> (String, String) {
    let output = tokio::process::Command::new(common::binary::BINARY)
        .args([
            "shop",
            "create",
            "--name",
            "Hook Coffee",
            "--currency",
            "USD",
        ])
        .args(["--database-url", database_url])
        .env("TALLY_LOG", "warn")
        .output()
        .await
        .expect("run shop create");
    assert!(
        output.status.success(),
        "shop create: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shop: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    (
        shop["id"].as_str().expect("id").to_owned(),
        shop["secret_key"].as_str().expect("key").to_owned(),
    )
}

const WEBHOOK_FLAGS: &[&str] = &["--allow-private-webhooks"];

async fn merchant_call(
    http: &reqwest::Client,
    base: &str,
    shop: &(String, String),
    method: Method,
    rest: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = http
        .request(method, format!("{base}/v1/shops/{}{rest}", shop.0))
        .bearer_auth(&shop.1);
    if let Some(body) = body {
        request = request.json(&body);
    }
    send(request).await
}

#[tokio::test]
async fn an_event_written_before_a_kill_9_is_delivered_after_the_restart() {
    for backend in backends() {
        eprintln!("running on {backend:?}");
        let database = ScratchDatabase::new(backend).await;
        let shop = shop_create(&database.url).await;
        let envs = [(
            "TALLY_WEBHOOK_RETRY_SCHEDULE",
            "2s,2s,2s,2s,2s,2s,2s,2s,2s,2s",
        )];
        let (mut child, base) = start_server_with(&database.url, WEBHOOK_FLAGS, &envs)
            .await
            .expect("the server starts");
        let http = reqwest::Client::new();
        let addr = closed_port().await; // the receiver is down at first
        let (status, endpoint) = merchant_call(
            &http,
            &base,
            &shop,
            Method::POST,
            "/webhooks",
            Some(json!({"url": format!("http://{addr}/"), "events": ["*"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{endpoint}");
        let (status, order) = merchant_call(
            &http,
            &base,
            &shop,
            Method::POST,
            "/orders",
            Some(
                json!({"order_id": "o-kill", "customer_id": "ivy", "total_minor": 2_500,
                        "currency": "USD"}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        child.kill().await.expect("SIGKILL"); // tokio's kill is SIGKILL on Unix

        let (mut child, base) = start_server_with(&database.url, WEBHOOK_FLAGS, &envs)
            .await
            .expect("the server restarts");
        let receiver = Receiver::start_on(addr).await;
        // enrolled, signup points, purchase points: each once (a lease held at the kill may make an
        // attempt twice; the receiver would dedupe by webhook-id, so count distinct ids).
        let received = eventually(
            "three events after the restart",
            Duration::from_secs(60),
            || {
                let received = receiver.received();
                async move {
                    let ids: std::collections::HashSet<String> =
                        received.iter().map(|d| d.id.clone()).collect();
                    (ids.len() >= 3).then_some(received)
                }
            },
        )
        .await;
        let secret = endpoint["secret"].as_str().expect("secret");
        let mut types: Vec<String> = received
            .iter()
            .map(|d| {
                verify(secret, d).expect("verifies");
                d.event_type()
            })
            .collect();
        types.sort();
        types.dedup();
        assert_eq!(types, ["customer.enrolled", "points.changed"]);
        assert!(received
            .iter()
            .any(|d| d.body.contains("o-kill") || d.json()["data"]["points"] == 25));
        let (status, health) = send(http.get(format!("{base}/healthz"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(health["status"], "ok");
        assert!(health["webhooks"]["pending"].is_i64(), "{health}");
        child.kill().await.expect("kill");
        database.remove().await;
    }
}

#[tokio::test]
async fn two_servers_on_one_postgres_deliver_each_event_once() {
    if postgres_admin_url().is_none() {
        eprintln!("SKIPPED: two servers need PostgreSQL (set TALLY_TEST_DATABASE_URL)");
        return;
    }
    let database = ScratchDatabase::new(Backend::Postgres).await;
    let shop = shop_create(&database.url).await;
    let envs = [("TALLY_WEBHOOK_RETRY_SCHEDULE", "1s,1s,1s")];
    let (mut first, base_a) = start_server_with(&database.url, WEBHOOK_FLAGS, &envs)
        .await
        .expect("the first server starts");
    let (mut second, base_b) = start_server_with(&database.url, WEBHOOK_FLAGS, &envs)
        .await
        .expect("the second server starts");
    let http = reqwest::Client::new();
    let receiver = Receiver::start().await;
    let (status, endpoint) = merchant_call(
        &http,
        &base_a,
        &shop,
        Method::POST,
        "/webhooks",
        Some(json!({"url": receiver.url("/"), "events": ["customer.enrolled"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    let mut orders = Vec::new();
    for n in 0..50 {
        let base = if n % 2 == 0 { &base_a } else { &base_b };
        let (http, shop) = (http.clone(), shop.clone());
        let base = base.clone();
        orders.push(tokio::spawn(async move {
            merchant_call(
                &http,
                &base,
                &shop,
                Method::POST,
                "/orders",
                Some(
                    json!({"order_id": format!("o-{n}"), "customer_id": format!("c-{n}"),
                            "total_minor": 1_000, "currency": "USD"}),
                ),
            )
            .await
        }));
    }
    for order in orders {
        let (status, body) = order.await.expect("an order");
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    eventually("50 deliveries", Duration::from_secs(60), || {
        let count = receiver.received().len();
        async move { (count >= 50).then_some(()) }
    })
    .await;
    // Both workers keep polling for a while: nothing may arrive twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = receiver.received();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for delivery in &received {
        *per_id.entry(delivery.id.clone()).or_default() += 1;
    }
    let twice: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(per_id.len(), 50);
    let secret = endpoint["secret"].as_str().expect("secret");
    for delivery in &received {
        verify(secret, delivery).expect("verifies");
    }
    first.kill().await.expect("kill");
    second.kill().await.expect("kill");
    database.remove().await;
}

/// The claim itself, under contention: eight workers (each its own pool) claim 300 due deliveries at
/// once on one PostgreSQL; every delivery is claimed by exactly one of them.
#[tokio::test]
async fn concurrent_claims_on_postgres_never_lease_a_delivery_twice() {
    if postgres_admin_url().is_none() {
        eprintln!("SKIPPED: concurrent claims need PostgreSQL (set TALLY_TEST_DATABASE_URL)");
        return;
    }
    use tally_server::webhooks::store;
    let database = ScratchDatabase::new(Backend::Postgres).await;
    let db = tally_server::Db::connect(&database.url)
        .await
        .expect("connect");
    let shop_id = tally_server::shops::new_shop_id();
    tally_server::shops::upsert_shop(
        &db,
        &tally_server::shops::NewShop {
            id: &shop_id,
            name: "Claim Coffee",
            currency: "USD",
            locale: "en",
            secret_key: &tally_server::shops::new_secret_key(),
            rules: &new_test_program(),
            allowed_origins: &[],
        },
    )
    .await
    .expect("a shop");
    let now = tally_server::clock::now_ms();
    store::create_endpoint(
        &db,
        &shop_id,
        "https://hooks.example.test/",
        &["*".into()],
        now - 10,
    )
    .await
    .expect("an endpoint");
    let shop = tally_server::shops::ShopCache::default()
        .require(&db, &shop_id)
        .await
        .expect("the shop's record");
    let customer = tally_core::CustomerId::parse("claims").expect("an id");
    let whom = tally_server::ledger::Whom::Id(&customer);
    // Enrolled first and left undispatched no more: its own events go out before the ones counted here.
    tally_server::ledger::lock_customer(&db, &shop, whom, now)
        .await
        .expect("enrol")
        .commit()
        .await
        .expect("commit the enrolment");
    while store::fan_out(&db, now, 200).await.expect("fan out") > 0 {}
    let nothing_in_flight = HashMap::new();
    let limits = |total| store::ClaimLimits {
        total,
        per_endpoint: 1000,
        in_flight: &nothing_in_flight,
    };
    store::claim(&db, &limits(1000), now + 1, Duration::from_secs(60))
        .await
        .expect("claim the enrolment's deliveries");
    let mut ctx = tally_server::ledger::lock_customer(
        &db,
        &shop,
        tally_server::ledger::Whom::Id(&customer),
        now,
    )
    .await
    .expect("lock a customer");
    for n in 0..300 {
        tally_server::db::events::record(
            ctx.tx(),
            &shop_id,
            tally_core::webhooks::EventType::PointsChanged,
            &json!({"n": n}),
            now,
        )
        .await
        .expect("an event");
    }
    ctx.commit().await.expect("commit");
    while store::fan_out(&db, now, 200).await.expect("fan out") > 0 {}

    let mut workers = Vec::new();
    for _ in 0..8 {
        let db = tally_server::Db::connect(&database.url)
            .await
            .expect("connect");
        workers.push(tokio::spawn(async move {
            let nothing_in_flight = HashMap::new();
            let limits = store::ClaimLimits {
                total: 7,
                per_endpoint: 1000,
                in_flight: &nothing_in_flight,
            };
            let mut mine = Vec::new();
            loop {
                let claimed = store::claim(&db, &limits, now + 1, Duration::from_secs(60))
                    .await
                    .expect("claim");
                if claimed.is_empty() {
                    db.pool.close().await;
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|d| d.delivery_id));
            }
        }));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for handle in workers {
        for id in handle.await.expect("a worker") {
            *seen.entry(id).or_default() += 1;
        }
    }
    assert_eq!(seen.len(), 300, "every delivery claimed");
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "claimed twice: {twice:?}");
    db.pool.close().await;
    database.remove().await;
}

#[tokio::test]
async fn codes_used_and_cancelled_and_points_about_to_expire_are_reported() {
    on_every_backend_with_webhooks(test_config(&[1000]), |s| async move {
        let receiver = Receiver::start().await;
        let hook = create_endpoint(
            &s,
            &receiver.url("/codes"),
            json!(["code.used", "code.cancelled", "points.expiring"]),
        )
        .await;
        let secret = hook["secret"].as_str().expect("secret").to_owned();
        let (status, body) = s.order("o-cy-1", "cy", 30_000).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (_, first) = s.redeem("cy", "r-1", "5off").await;
        let (_, second) = s.redeem("cy", "r-2", "5off").await;
        let code_of = |r: &Value| r["code"].as_str().expect("a code").to_owned();
        let (status, used) = s
            .merchant(
                Method::POST,
                &format!("/codes/{}/use", code_of(&first)),
                Some(json!({"order_id": "o-cy-2"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{used}");
        let (status, cancelled) = s
            .merchant(
                Method::POST,
                &format!("/codes/{}/cancel", code_of(&second)),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");

        // Points earned 360 days ago expire in five days: the job notices them once.
        let shop = s.shop_record().await;
        // In milliseconds: an endpoint hears of events from its own creation on.
        let now = tally_server::clock::now_ms();
        let order = tally_core::api::OrderRequest {
            order_id: "o-old".into(),
            customer_id: "dee".into(),
            total_minor: 10_000,
            currency: "USD".into(),
            referral_code: None,
            channel: Default::default(),
        };
        tally_server::ledger::record_order(&s.db, &shop, &order, now - 360 * 86_400_000)
            .await
            .expect("an old order");
        let state = tally_server::AppState::new(s.db.clone(), generous_limits());
        tally_server::jobs::run_once(&state, now)
            .await
            .expect("jobs");

        // Dee's signup lot and her order's lot were earned together: one notice each.
        let received = eventually("4 deliveries", Duration::from_secs(20), || {
            let received = receiver.received();
            async move { (received.len() >= 4).then_some(received) }
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), 4, "no more than expected");
        let mut expiring = Vec::new();
        let mut codes = HashMap::new();
        for delivery in &received {
            verify(&secret, delivery).unwrap_or_else(|e| panic!("{e}: {delivery:?}"));
            let data = delivery.json()["data"].clone();
            match delivery.event_type().as_str() {
                "points.expiring" => {
                    assert_eq!(data["customer_id"], "dee", "{data}");
                    assert!(data["expires_at"].as_str().is_some(), "{data}");
                    expiring.push(data["points"].as_i64().expect("points"));
                }
                other => {
                    codes.insert(other.to_owned(), data["code"].clone());
                }
            }
        }
        expiring.sort_unstable();
        assert_eq!(expiring, [50, 100], "once per lot");
        assert_eq!(codes["code.used"], used, "the code as the checkout sees it");
        assert_eq!(codes["code.cancelled"], cancelled);
        s
    })
    .await;
}

// ---------------------------------------------------------------------------------------------------
// Throughput: bursts, batches, per-endpoint limits

/// Every delivery of an endpoint, all pages of `GET …/deliveries`.
async fn all_deliveries(s: &TestServer, endpoint_id: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut before = String::new();
    loop {
        let (status, page) = s
            .merchant(
                Method::GET,
                &format!("/webhooks/{endpoint_id}/deliveries?limit=100{before}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "deliveries: {page}");
        all.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next"].as_str() {
            Some(next) => before = format!("&before={next}"),
            None => return all,
        }
    }
}

#[tokio::test]
async fn a_burst_of_orders_is_delivered_once_per_event_signed_and_recorded_in_batches() {
    use futures_util::StreamExt;
    on_every_backend_with_webhooks(test_config(&[1000]), |s| async move {
        let receiver = Receiver::start().await;
        let endpoint = create_endpoint(&s, &receiver.url("/burst"), json!(["*"])).await;
        let endpoint_id = endpoint["id"].as_str().expect("id").to_owned();
        let secret = endpoint["secret"].as_str().expect("secret").to_owned();

        // One new customer's order first: how many events an order of a new customer makes here.
        let (status, body) = s.order("o-burst-first", "burst-first", 1_000).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let per_order = eventually(
            "the first order's deliveries",
            Duration::from_secs(30),
            || {
                let s = &s;
                let endpoint_id = &endpoint_id;
                async move {
                    let all = all_deliveries(s, endpoint_id).await;
                    (!all.is_empty() && all.iter().all(|d| d["status"] == "succeeded"))
                        .then_some(all.len())
                }
            },
        )
        .await;

        // Then 120 more at once, 16 in flight: several claims' and several batches' worth for one endpoint.
        let orders = 120;
        futures_util::stream::iter(0..orders)
            .for_each_concurrent(16, |n| {
                let s = &s;
                async move {
                    let (status, body) = s
                        .order(&format!("o-burst-{n}"), &format!("burst-{n}"), 1_000)
                        .await;
                    assert_eq!(status, StatusCode::CREATED, "{body}");
                }
            })
            .await;
        let expected = per_order * (orders + 1);
        let received = eventually("every event of the burst", Duration::from_secs(60), || {
            let received = receiver.received();
            async move { (received.len() >= expected).then_some(received) }
        })
        .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.received().len(), expected, "no event twice");

        let deliveries = eventually("every outcome recorded", Duration::from_secs(30), || {
            let s = &s;
            let endpoint_id = &endpoint_id;
            async move {
                let all = all_deliveries(s, endpoint_id).await;
                all.iter()
                    .all(|d| d["status"] == "succeeded")
                    .then_some(all)
            }
        })
        .await;
        let mut sent: Vec<&str> = received.iter().map(|d| d.id.as_str()).collect();
        let mut queued: Vec<&str> = deliveries
            .iter()
            .map(|d| d["event_id"].as_str().expect("event_id"))
            .collect();
        sent.sort_unstable();
        queued.sort_unstable();
        assert_eq!(
            sent, queued,
            "each event of the shop delivered exactly once"
        );
        for delivery in &received {
            verify(&secret, delivery).unwrap_or_else(|e| panic!("{e}: {delivery:?}"));
        }
        for delivery in &deliveries {
            assert_eq!(delivery["attempts"], 1, "{delivery}");
            assert_eq!(delivery["response_status"], 200, "{delivery}");
        }
        // Each recorded attempt is in the delivery's log, once.
        let one = deliveries[deliveries.len() / 2]["id"].as_str().expect("id");
        let (status, shown) = s
            .merchant(
                Method::GET,
                &format!("/webhooks/{endpoint_id}/deliveries/{one}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert_eq!(shown["log"].as_array().map(Vec::len), Some(1), "{shown}");
        s
    })
    .await;
}

#[tokio::test]
async fn a_claim_leases_no_more_for_an_endpoint_than_its_free_slots() {
    use tally_server::webhooks::store;
    for backend in backends() {
        let database = ScratchDatabase::new(backend).await;
        let db = tally_server::Db::connect(&database.url)
            .await
            .expect("connect");
        let shop_id = tally_server::shops::new_shop_id();
        tally_server::shops::upsert_shop(
            &db,
            &tally_server::shops::NewShop {
                id: &shop_id,
                name: "Lane Coffee",
                currency: "USD",
                locale: "en",
                secret_key: &tally_server::shops::new_secret_key(),
                rules: &new_test_program(),
                allowed_origins: &[],
            },
        )
        .await
        .expect("a shop");
        let now = tally_server::clock::now_ms();
        let mut endpoints = Vec::new();
        for host in ["a", "b"] {
            let created = store::create_endpoint(
                &db,
                &shop_id,
                &format!("https://{host}.example.test/"),
                &["*".into()],
                now - 10,
            )
            .await
            .expect("an endpoint");
            endpoints.push(created.id);
        }
        let (a, b) = (endpoints[0].clone(), endpoints[1].clone());
        let shop = tally_server::shops::ShopCache::default()
            .require(&db, &shop_id)
            .await
            .expect("the shop's record");
        let customer = tally_core::CustomerId::parse("lanes").expect("an id");
        let mut ctx = tally_server::ledger::lock_customer(
            &db,
            &shop,
            tally_server::ledger::Whom::Id(&customer),
            now,
        )
        .await
        .expect("lock a customer");
        // With the enrolment's: over 30 events, so over 30 deliveries for each endpoint.
        for n in 0..30 {
            tally_server::db::events::record(
                ctx.tx(),
                &shop_id,
                tally_core::webhooks::EventType::PointsChanged,
                &json!({"n": n}),
                now,
            )
            .await
            .expect("an event");
        }
        ctx.commit().await.expect("commit");
        while store::fan_out(&db, now, 7).await.expect("fan out") > 0 {}

        let claim = |in_flight: HashMap<String, usize>, total: usize| {
            let db = &db;
            async move {
                let limits = store::ClaimLimits {
                    total,
                    per_endpoint: 10,
                    in_flight: &in_flight,
                };
                let claimed = store::claim(db, &limits, now + 1, Duration::from_secs(60))
                    .await
                    .expect("claim");
                let mut by_endpoint: HashMap<String, usize> = HashMap::new();
                for delivery in &claimed {
                    assert!(delivery.url.ends_with(".example.test/"), "{delivery:?}");
                    assert!(delivery.event_id.starts_with("evt_"), "{delivery:?}");
                    *by_endpoint.entry(delivery.endpoint_id.clone()).or_default() += 1;
                }
                by_endpoint
            }
        };
        // a has 8 of its 10 in flight: 2 more; b none: 10.
        let first = claim(HashMap::from([(a.clone(), 8)]), 100).await;
        assert_eq!(first.get(&a), Some(&2), "{backend:?}: {first:?}");
        assert_eq!(first.get(&b), Some(&10), "{backend:?}: {first:?}");
        // Both full: nothing, though 40 are due.
        let full = claim(HashMap::from([(a.clone(), 10), (b.clone(), 10)]), 100).await;
        assert!(full.is_empty(), "{backend:?}: {full:?}");
        // The total bounds the claim too.
        let bounded = claim(HashMap::new(), 5).await;
        assert_eq!(
            bounded.values().sum::<usize>(),
            5,
            "{backend:?}: {bounded:?}"
        );
        // However many are due, no endpoint gets more than its slots.
        let rest = claim(HashMap::new(), 1000).await;
        assert_eq!(rest.get(&a), Some(&10), "{backend:?}: {rest:?}");
        assert_eq!(rest.get(&b), Some(&10), "{backend:?}: {rest:?}");
        db.pool.close().await;
        database.remove().await;
    }
}

#[tokio::test]
async fn outcomes_recorded_in_one_batch_keep_each_deliverys_status_and_log() {
    use tally_server::webhooks::store;
    for backend in backends() {
        let database = ScratchDatabase::new(backend).await;
        let db = tally_server::Db::connect(&database.url)
            .await
            .expect("connect");
        let shop_id = tally_server::shops::new_shop_id();
        tally_server::shops::upsert_shop(
            &db,
            &tally_server::shops::NewShop {
                id: &shop_id,
                name: "Batch Coffee",
                currency: "USD",
                locale: "en",
                secret_key: &tally_server::shops::new_secret_key(),
                rules: &new_test_program(),
                allowed_origins: &[],
            },
        )
        .await
        .expect("a shop");
        let now = tally_server::clock::now_ms();
        let endpoint = store::create_endpoint(
            &db,
            &shop_id,
            "https://batch.example.test/",
            &["*".into()],
            now - 10,
        )
        .await
        .expect("an endpoint");
        let shop = tally_server::shops::ShopCache::default()
            .require(&db, &shop_id)
            .await
            .expect("the shop's record");
        let customer = tally_core::CustomerId::parse("batch").expect("an id");
        let mut ctx = tally_server::ledger::lock_customer(
            &db,
            &shop,
            tally_server::ledger::Whom::Id(&customer),
            now,
        )
        .await
        .expect("lock a customer");
        for n in 0..3 {
            tally_server::db::events::record(
                ctx.tx(),
                &shop_id,
                tally_core::webhooks::EventType::PointsChanged,
                &json!({"n": n}),
                now,
            )
            .await
            .expect("an event");
        }
        ctx.commit().await.expect("commit");
        while store::fan_out(&db, now, 200).await.expect("fan out") > 0 {}
        let nothing_in_flight = HashMap::new();
        let limits = store::ClaimLimits {
            total: 100,
            per_endpoint: 100,
            in_flight: &nothing_in_flight,
        };
        let claimed = store::claim(&db, &limits, now + 1, Duration::from_secs(60))
            .await
            .expect("claim");
        assert!(claimed.len() >= 4, "the enrolment's and three entries'");
        // Two succeed (200 and 204), one is retried, one fails for good.
        let outcome = |i: usize, status: &'static str, code: Option<i64>, error: Option<&str>| {
            store::Attempt {
                delivery_id: claimed[i].delivery_id.clone(),
                status,
                attempts: 1,
                next_attempt_at: (status == "pending").then_some(now + 5_000),
                response_status: code,
                error: error.map(str::to_owned),
                attempted_at: now + 2,
                duration_ms: 3,
            }
        };
        let outcomes = [
            outcome(0, "succeeded", Some(200), None),
            outcome(1, "succeeded", Some(204), None),
            outcome(2, "pending", Some(500), Some("HTTP 500")),
            outcome(3, "failed", None, Some("connection refused")),
        ];
        store::record_attempts(&db, &outcomes, now + 3)
            .await
            .expect("record");
        for (i, want) in ["succeeded", "succeeded", "pending", "failed"]
            .iter()
            .enumerate()
        {
            let shown = store::delivery_show(&db, &shop_id, &endpoint.id, &claimed[i].delivery_id)
                .await
                .expect("the delivery");
            assert_eq!(shown.status.as_str(), *want, "{backend:?} #{i}: {shown:?}");
            assert_eq!(shown.attempts, 1, "{backend:?} #{i}");
            assert_eq!(
                shown.response_status, outcomes[i].response_status,
                "{backend:?} #{i}"
            );
            assert_eq!(shown.last_error, outcomes[i].error, "{backend:?} #{i}");
            let log = shown.log.expect("a log");
            assert_eq!(log.len(), 1, "{backend:?} #{i}: one attempt logged");
            assert_eq!(log[0].duration_ms, 3, "{backend:?} #{i}");
        }
        // The retried one is due again after its delay, with its lease released.
        let later = store::claim(&db, &limits, now + 6_000, Duration::from_secs(60))
            .await
            .expect("claim again");
        let ids: Vec<&str> = later.iter().map(|d| d.delivery_id.as_str()).collect();
        assert_eq!(ids, [claimed[2].delivery_id.as_str()], "{backend:?}");
        db.pool.close().await;
        database.remove().await;
    }
}
