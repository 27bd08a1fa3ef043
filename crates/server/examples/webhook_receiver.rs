//! The receiver of bench/api's webhook workload: answers every `POST` with an empty 204 and counts it,
//! so that what is measured is Tally's worker, not the receiver. `webhook_receiver [ADDR]` prints
//! `listening on http://…` like the servers it sits beside.
//!
//! - `PUT /_secret` (body: the endpoint's `whsec_…` secret): from then on every delivery's Standard
//!   Webhooks signature is checked (HMAC-SHA256 over `{id}.{timestamp}.{body}`, written here from the
//!   spec, not with the server's code); a delivery that does not verify is counted and answered 400.
//! - `GET /_stats`: `{"received", "distinct", "bad_signatures", "first_ms", "last_ms", "probes"}`, where
//!   `probes` maps each `customer.enrolled` of a customer named `probe-…` to its arrival (Unix ms): the
//!   bench reports an order for such a customer and times its event end to end.
//!
//! One thread: a delivery is a few microseconds of work here, and the cores belong to what is measured.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, put};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

#[derive(Default)]
struct Tally {
    key: Option<Vec<u8>>,
    received: u64,
    ids: HashSet<String>,
    bad_signatures: u64,
    first_ms: Option<u64>,
    last_ms: Option<u64>,
    probes: HashMap<String, u64>,
}

type Shared = Arc<Mutex<Tally>>;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

fn verifies(key: &[u8], headers: &HeaderMap, body: &[u8]) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(id), Some(timestamp), Some(signatures)) = (
        text("webhook-id"),
        text("webhook-timestamp"),
        text("webhook-signature"),
    ) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return false;
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

/// The customer of a `customer.enrolled` event when it is one of the bench's probes.
fn probe_of(body: &[u8]) -> Option<String> {
    // Cheap test first: nearly every delivery is not a probe.
    if !body.windows(6).any(|w| w == b"probe-") {
        return None;
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    (value["type"] == "customer.enrolled")
        .then(|| value["data"]["customer_id"].as_str().map(str::to_owned))
        .flatten()
}

async fn delivery(State(tally): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let at = now_ms();
    let probe = probe_of(&body);
    let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(key) = &tally.key {
        if !verifies(key, &headers, &body) {
            tally.bad_signatures += 1;
            return StatusCode::BAD_REQUEST;
        }
    }
    tally.received += 1;
    if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
        if !tally.ids.contains(id) {
            tally.ids.insert(id.to_owned());
        }
    }
    tally.first_ms.get_or_insert(at);
    tally.last_ms = Some(at);
    if let Some(customer) = probe {
        tally.probes.entry(customer).or_insert(at);
    }
    StatusCode::NO_CONTENT
}

async fn set_secret(State(tally): State<Shared>, secret: String) -> StatusCode {
    let encoded = secret.trim().trim_start_matches("whsec_");
    match STANDARD.decode(encoded) {
        Ok(key) => {
            tally.lock().unwrap_or_else(|e| e.into_inner()).key = Some(key);
            StatusCode::NO_CONTENT
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

async fn stats(State(tally): State<Shared>) -> Json<Value> {
    let tally = tally.lock().unwrap_or_else(|e| e.into_inner());
    Json(json!({
        "received": tally.received,
        "distinct": tally.ids.len(),
        "bad_signatures": tally.bad_signatures,
        "first_ms": tally.first_ms,
        "last_ms": tally.last_ms,
        "probes": tally.probes,
    }))
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let tally = Shared::default();
            let app = Router::new()
                .route("/_secret", put(set_secret))
                .route("/_stats", get(stats))
                .fallback(delivery)
                .with_state(tally);
            let listener = tokio::net::TcpListener::bind(&addr).await?;
            println!("listening on http://{}", listener.local_addr()?);
            std::io::stdout().flush()?;
            axum::serve(listener, app).await
        })
}
