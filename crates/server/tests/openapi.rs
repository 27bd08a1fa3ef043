//! The OpenAPI document carries the constraints the server enforces, so a generated client refuses
//! what the server refuses; each one asserted here is checked against the server's answer too.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Printable ASCII, 1 to 128: `tally_core::CustomerId`'s rule.
const CUSTOMER_ID_PATTERN: &str = r"^[\x20-\x7E]{1,128}$";

fn parameter<'a>(doc: &'a Value, path: &str, method: &str, name: &str) -> &'a Value {
    doc["paths"][path][method]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("{method} {path}: no parameter {name}"))
}

#[tokio::test]
async fn the_schemas_carry_the_constraints_the_server_enforces() {
    let s = TestServer::start(Backend::Sqlite, generous_limits()).await;
    let (status, doc) = send(s.http.get(s.url("/openapi.json"))).await;
    assert_eq!(status, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    let field = |schema: &str, name: &str| schemas[schema]["properties"][name].clone();

    // Orders: a total below 0, an id of no characters, a customer id that is not printable ASCII.
    let order = |name: &str| field("OrderRequest", name);
    assert_eq!(
        order("total_minor")["minimum"],
        0,
        "{}",
        order("total_minor")
    );
    assert_eq!(order("order_id")["minLength"], 1);
    assert_eq!(order("order_id")["maxLength"], 255);
    assert_eq!(order("customer_id")["pattern"], CUSTOMER_ID_PATTERN);
    assert_eq!(order("currency")["pattern"], "^[A-Z]{3}$");
    assert_eq!(field("RefundRequest", "amount_minor")["minimum"], 1);
    let (status, _) = s.order("o-negative", "alice", -1).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "total_minor -1");
    let (status, _) = s.order("o-tab", "tab\there", 100).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "customer_id with a tab");
    let (status, _) = s.order(&"o".repeat(256), "alice", 100).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "order_id of 256 characters"
    );

    // The customer id in a path has the same rule as in a body.
    let customer_path = "/v1/shops/{shop_id}/customers/{customer_id}";
    for method in ["get", "patch"] {
        let id = &parameter(&doc, customer_path, method, "customer_id")["schema"];
        assert_eq!(id["pattern"], CUSTOMER_ID_PATTERN, "{method}: {id}");
        assert_eq!(id["maxLength"], 128, "{method}: {id}");
    }
    let long = "x".repeat(129);
    let (status, _) = s
        .merchant(
            Method::PATCH,
            &format!("/customers/{long}"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "customer id of 129");

    // Birthdays are MM-DD of a real day; a sign is no digit (the server once read `+3-14` as March).
    let birthday = &field("CustomerUpdate", "birthday")["pattern"];
    assert!(
        birthday.as_str().is_some_and(|p| p.contains("-31")),
        "{birthday}"
    );
    for bad in ["+3-14", "02-30", "3-14"] {
        let (status, body) = s
            .merchant(
                Method::PATCH,
                "/customers/alice",
                Some(json!({"birthday": bad})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }

    // Feedback: a score of 0 to 10, a comment of at most 2,000 characters.
    let score = field("FeedbackRequest", "score");
    assert_eq!(
        (&score["minimum"], &score["maximum"]),
        (&json!(0), &json!(10))
    );
    assert_eq!(field("FeedbackRequest", "comment")["maxLength"], 2000);

    // Paged lists: `limit` is 1 to 100.
    let limit = &parameter(&doc, "/v1/shops/{shop_id}/customers", "get", "limit")["schema"];
    assert_eq!(
        (&limit["minimum"], &limit["maximum"]),
        (&json!(1), &json!(100))
    );
    let (status, _) = s.merchant(Method::GET, "/customers?limit=101", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "limit 101");

    // The program: ids, days and percentages as `PUT …/program` checks them.
    assert_eq!(field("Reward", "id")["pattern"], "^[A-Za-z0-9._-]{1,64}$");
    let days = field("Reward", "code_valid_days");
    assert_eq!(
        (&days["minimum"], &days["maximum"]),
        (&json!(1), &json!(3650))
    );
    let period = field("PaidTier", "period_days");
    assert_eq!(
        (&period["minimum"], &period["maximum"]),
        (&json!(1), &json!(3660))
    );
    assert_eq!(field("Limit", "count")["minimum"], 1);

    // Webhooks: the event types by name, 1 to 50 of them.
    let events = field("WebhookEndpointCreate", "events");
    assert_eq!(
        (&events["minItems"], &events["maxItems"]),
        (&json!(1), &json!(50))
    );
    let words = events["items"]["enum"].as_array().expect("event names");
    assert!(words.contains(&json!("points.changed")) && words.contains(&json!("*")));
}
