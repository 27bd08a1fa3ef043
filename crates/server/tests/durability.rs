//! The real binary: `shop create` prints the new shop once, and every order acknowledged with 201 by
//! `serve` on SQLite survives a SIGKILL in the middle of a stream of concurrent orders.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::binary::{start_server, BINARY};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::process::Command;

fn database_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn temp_db(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("tally-{name}-{}.db", std::process::id()))
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn shop_create(db: &Path) -> Value {
    let output = Command::new(BINARY)
        .args([
            "shop",
            "create",
            "--name",
            "Kill Test Coffee",
            "--currency",
            "USD",
        ])
        .args([
            "--origin",
            "https://shop.example",
            "--origin",
            "https://www.shop.example",
        ])
        .args(["--database-url", &database_url(db)])
        .env("TALLY_LOG", "warn")
        .output()
        .await
        .expect("run shop create");
    assert!(
        output.status.success(),
        "shop create: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(stdout.lines().count(), 1, "one line: {stdout:?}");
    serde_json::from_str(&stdout).expect("one JSON object")
}

#[tokio::test]
async fn shop_create_prints_the_new_shop_and_its_key_once() {
    let db = temp_db("create");
    let shop = shop_create(&db).await;
    let keys: Vec<&String> = shop.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["id", "name", "secret_key"]);
    assert_eq!(shop["name"], "Kill Test Coffee");
    let key = shop["secret_key"].as_str().expect("key");
    assert!(key.starts_with("sk_live_") && key.len() > 64);
    let stored = std::fs::read(&db).expect("the database file");
    assert!(
        !stored.windows(key.len()).any(|w| w == key.as_bytes()),
        "the secret key itself is not stored"
    );
    remove_db(&db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_order_survives_a_kill_9() {
    let db = temp_db("kill9");
    let shop = shop_create(&db).await;
    let shop_id = shop["id"].as_str().expect("id").to_owned();
    let key = shop["secret_key"].as_str().expect("key").to_owned();
    let (mut server, base) = start_server(&database_url(&db)).await.expect("serve");

    let acknowledged: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let mut writers = tokio::task::JoinSet::new();
    for writer in 0..8 {
        let (http, base, shop_id, key, acknowledged) = (
            http.clone(),
            base.clone(),
            shop_id.clone(),
            key.clone(),
            acknowledged.clone(),
        );
        writers.spawn(async move {
            for n in 0.. {
                let order_id = format!("w{writer}-{n}");
                let body = json!({"order_id": order_id, "customer_id": format!("c{}", n % 5),
                                  "total_minor": 1_000 + n, "currency": "USD"});
                let Ok(response) = http
                    .post(format!("{base}/v1/shops/{shop_id}/orders"))
                    .bearer_auth(&key)
                    .json(&body)
                    .send()
                    .await
                else {
                    return; // the server is gone
                };
                if response.status() == StatusCode::CREATED {
                    if let Ok(answer) = response.json::<Value>().await {
                        acknowledged.lock().expect("lock").push((order_id, answer));
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.start_kill().expect("SIGKILL");
    server.wait().await.expect("reaped");
    while writers.join_next().await.is_some() {}

    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(
        acknowledged.len() >= 10,
        "the stream got going: {}",
        acknowledged.len()
    );
    eprintln!(
        "{} orders acknowledged before the SIGKILL",
        acknowledged.len()
    );

    let (mut restarted, base) = start_server(&database_url(&db)).await.expect("serve");
    for (order_id, answer) in &acknowledged {
        let customer = format!(
            "c{}",
            order_id
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<i64>().ok())
                .expect("n")
                % 5
        );
        let total = 1_000
            + order_id
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<i64>().ok())
                .expect("n");
        let response = http
            .post(format!("{base}/v1/shops/{shop_id}/orders"))
            .bearer_auth(&key)
            .json(&json!({"order_id": order_id, "customer_id": customer,
                          "total_minor": total, "currency": "USD"}))
            .send()
            .await
            .expect("replay");
        assert_eq!(response.status(), StatusCode::OK, "{order_id} was kept");
        assert_eq!(&response.json::<Value>().await.expect("json"), answer);
    }
    restarted.start_kill().expect("stop");
    restarted.wait().await.expect("reaped");
    remove_db(&db);
}
