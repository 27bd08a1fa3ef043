//! `GET /metrics` on `--metrics-addr` only, from the real binary: the counters move with the traffic.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::binary::BINARY;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// `serve` with metrics on a free port: the API's base URL and the metrics URL, from its first two lines.
async fn start_with_metrics(database_url: &str) -> (Child, String, String) {
    let mut child = Command::new(BINARY)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--metrics-addr",
            "127.0.0.1:0",
        ])
        .args(["--database-url", database_url, "--allow-private-webhooks"])
        .args(["--webhook-retry-schedule", "1h"])
        .env("TALLY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start tally-server serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut read = Vec::new();
    for _ in 0..2 {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("a line within 30 s")
            .expect("read stdout")
            .expect("a line");
        read.push(line);
    }
    let base = read[0]
        .strip_prefix("listening on ")
        .expect("the listening line comes first")
        .to_owned();
    let metrics = read[1]
        .strip_prefix("metrics on ")
        .expect("then the metrics line")
        .to_owned();
    (child, base, metrics)
}

/// The value of the one sample whose line starts with `name{` and has every label in `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| line.starts_with(&format!("{name}{{")))
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_ledger_writes_and_webhook_outcomes_on_their_own_port() {
    for backend in backends() {
        let scratch = ScratchDatabase::new(backend).await;
        let shop = {
            let output = Command::new(BINARY)
                .args([
                    "shop",
                    "create",
                    "--name",
                    "Metrics Coffee",
                    "--database-url",
                    &scratch.url,
                ])
                .env("TALLY_LOG", "warn")
                .output()
                .await
                .expect("shop create");
            serde_json::from_slice::<Value>(&output.stdout).expect("the shop's JSON")
        };
        let (id, key) = (
            shop["id"].as_str().expect("id"),
            shop["secret_key"].as_str().expect("key"),
        );
        let (mut server, base, metrics_url) = start_with_metrics(&scratch.url).await;
        let http = reqwest::Client::new();
        let api = |rest: &str| format!("{base}/v1/shops/{id}{rest}");

        // A receiver that is not there: every attempt fails and is scheduled again.
        let (status, body) = send(
            http.post(api("/webhooks"))
                .bearer_auth(key)
                .json(&json!({"url": "http://127.0.0.1:9/hooks", "events": ["*"]})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        for n in 0..2 {
            let (status, body) = send(http.post(api("/orders")).bearer_auth(key).json(
                &json!({"order_id": format!("m-{n}"), "customer_id": "metered", "total_minor": 2_500, "currency": "USD"}),
            ))
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (status, _) = send(http.get(api("/customers/metered")).bearer_auth(key)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = send(http.get(api("/customers/nobody-at-all")).bearer_auth(key)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let mut text = String::new();
        for _ in 0..100 {
            text = http
                .get(&metrics_url)
                .send()
                .await
                .expect("scrape")
                .text()
                .await
                .expect("text");
            if sample(
                &text,
                "tally_webhook_attempts_total",
                &[r#"outcome="retrying""#],
            )
            .is_some()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let orders = [r#"route="/v1/shops/{shop_id}/orders""#, r#"method="POST""#];
        assert_eq!(
            sample(
                &text,
                "tally_http_requests_total",
                &[orders[0], orders[1], r#"status="201""#]
            ),
            Some(2.0),
            "{text}"
        );
        let customer = r#"route="/v1/shops/{shop_id}/customers/{customer_id}""#;
        assert_eq!(
            sample(
                &text,
                "tally_http_requests_total",
                &[customer, r#"status="200""#]
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                "tally_http_requests_total",
                &[customer, r#"status="404""#]
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(&text, "tally_http_request_duration_seconds_count", &orders),
            Some(2.0),
            "a latency histogram per route: {text}"
        );
        assert!(
            text.contains("tally_http_request_duration_seconds_bucket{"),
            "{text}"
        );
        assert_eq!(
            sample(&text, "tally_ledger_entries_total", &[r#"kind="earn""#]),
            Some(2.0),
            "{text}"
        );
        assert!(
            sample(
                &text,
                "tally_webhook_attempts_total",
                &[r#"outcome="retrying""#]
            )
            .is_some_and(|n| n >= 1.0),
            "{text}"
        );
        assert!(text.contains("tally_webhook_queue_depth "), "{text}");
        assert!(
            sample(&text, "tally_db_pool_connections", &[r#"state="open""#])
                .is_some_and(|n| n >= 1.0),
            "{text}"
        );
        assert!(text.contains("tally_db_pool_max_connections "), "{text}");
        assert!(
            !text.contains(id) && !text.contains("metered"),
            "no shop or customer id in a label: {text}"
        );

        let public = http
            .get(format!("{base}/metrics"))
            .send()
            .await
            .expect("public /metrics");
        assert_eq!(
            public.status(),
            StatusCode::NOT_FOUND,
            "the API's port serves no metrics"
        );
        let _ = server.kill().await;
        scratch.remove().await;
    }
}
