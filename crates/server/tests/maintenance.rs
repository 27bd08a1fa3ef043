//! `tally-server backup` and `tally-server check`, run as an operator runs them, beside a live server.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::binary::{start_server_with, BINARY};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn run(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(BINARY)
        .args(args)
        .env("TALLY_LOG", "warn")
        .output()
        .await
        .expect("run tally-server")
}

async fn shop_create(database_url: &str) -> (String, String) {
    let output = run(&[
        "shop",
        "create",
        "--name",
        "Backup Coffee",
        "--database-url",
        database_url,
    ])
    .await;
    assert!(output.status.success(), "shop create: {output:?}");
    let shop: Value = serde_json::from_slice(&output.stdout).expect("the shop's JSON");
    (
        shop["id"].as_str().expect("id").to_owned(),
        shop["secret_key"].as_str().expect("secret_key").to_owned(),
    )
}

async fn order(http: &reqwest::Client, base: &str, shop: &str, key: &str, n: usize) -> StatusCode {
    http.post(format!("{base}/v1/shops/{shop}/orders"))
        .bearer_auth(key)
        .json(
            &json!({"order_id": format!("o-{n}"), "customer_id": format!("c{}", n % 10),
                      "total_minor": 1_000 + n as i64, "currency": "USD"}),
        )
        .send()
        .await
        .expect("send")
        .status()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_and_passes_check() {
    let scratch = ScratchDatabase::new(Backend::Sqlite).await;
    let (shop, key) = shop_create(&scratch.url).await;
    let (mut server, base) = start_server_with(&scratch.url, &[], &[])
        .await
        .expect("serve");

    // Orders in a loop while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let load = tokio::spawn({
        let (stop, written, base, shop, key) = (
            stop.clone(),
            written.clone(),
            base.clone(),
            shop.clone(),
            key.clone(),
        );
        async move {
            let http = reqwest::Client::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                assert_eq!(
                    order(&http, &base, &shop, &key, n).await,
                    StatusCode::CREATED
                );
                written.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = std::env::temp_dir().join(format!("tally-backup-{}-{}.db", std::process::id(), shop));
    let before = written.load(Ordering::Relaxed);
    let started = Instant::now();
    let backup = run(&[
        "backup",
        "--database-url",
        &scratch.url,
        "--out",
        &out.display().to_string(),
    ])
    .await;
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    load.await.expect("the load ran without an error");
    let after = written.load(Ordering::Relaxed);
    assert!(
        backup.status.success(),
        "backup: {}{}",
        text(&backup.stdout),
        text(&backup.stderr)
    );
    assert!(
        text(&backup.stdout).contains("integrity ok"),
        "{}",
        text(&backup.stdout)
    );
    assert!(
        before > 0 && after > before,
        "writes ran before ({before}) and during/after ({after})"
    );
    eprintln!(
        "backup under load: {before} orders before, {after} in all, the backup took {took:?}"
    );
    let _ = server.kill().await;

    let backup_url = format!("sqlite://{}", out.display());
    let check = run(&["check", "--database-url", &backup_url]).await;
    let report = text(&check.stdout);
    assert!(
        check.status.success(),
        "check: {report}{}",
        text(&check.stderr)
    );
    assert!(report.starts_with("ok: 10 customers, "), "{report}");

    // Restored: served as it is, it answers with the customers it holds.
    let (mut restored, base) = start_server_with(&backup_url, &[], &[])
        .await
        .expect("serve the backup");
    let (status, body) = send(
        reqwest::Client::new()
            .get(format!("{base}/v1/shops/{shop}/customers/c0"))
            .bearer_auth(&key),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["balance"].as_i64().is_some_and(|b| b > 0), "{body}");
    let _ = restored.kill().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", out.display()));
    }
}

#[tokio::test]
async fn check_names_the_customer_whose_balance_was_tampered_with() {
    for backend in backends() {
        let scratch = ScratchDatabase::new(backend).await;
        let (shop, key) = shop_create(&scratch.url).await;
        let (mut server, base) = start_server_with(&scratch.url, &[], &[])
            .await
            .expect("serve");
        let http = reqwest::Client::new();
        for n in 0..20 {
            assert_eq!(
                order(&http, &base, &shop, &key, n).await,
                StatusCode::CREATED
            );
        }
        let _ = server.kill().await;
        let clean = run(&["check", "--database-url", &scratch.url]).await;
        assert!(clean.status.success(), "{}", text(&clean.stdout));
        assert!(
            text(&clean.stdout).starts_with("ok: 10 customers, 30 entries checked"),
            "{}",
            text(&clean.stdout)
        );

        let db = tally_server::Db::connect(&scratch.url)
            .await
            .expect("connect");
        let balance: i64 =
            sqlx::query_scalar("SELECT balance FROM customers WHERE customer_id = 'c7'")
                .fetch_one(&db.pool)
                .await
                .expect("c7's balance");
        sqlx::query("UPDATE customers SET balance = balance + 7 WHERE customer_id = 'c7'")
            .execute(&db.pool)
            .await
            .expect("tamper");
        db.pool.close().await;

        let tampered = run(&["check", "--database-url", &scratch.url]).await;
        let report = text(&tampered.stdout);
        assert_eq!(tampered.status.code(), Some(1), "{report}");
        assert!(
            report.contains(&format!(
                "customer c7: balance is not the sum of the entries: expected {balance}, found {}",
                balance + 7
            )),
            "{report}"
        );
        assert!(
            !report.contains("customer c6"),
            "only c7 is named: {report}"
        );
        assert!(
            text(&tampered.stderr).contains("problems"),
            "{}",
            text(&tampered.stderr)
        );
        scratch.remove().await;
    }
}

#[tokio::test]
async fn a_postgresql_backup_points_to_pg_dump_and_fails() {
    let Some(admin) = postgres_admin_url() else {
        eprintln!("PostgreSQL SKIPPED (TALLY_TEST_DATABASE_URL not set)");
        return;
    };
    let output = run(&[
        "backup",
        "--database-url",
        &admin,
        "--out",
        "/tmp/tally.dump",
    ])
    .await;
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(
        message.contains(&format!(
            "pg_dump --format=custom --file='/tmp/tally.dump' '{admin}'"
        )),
        "{message}"
    );
    assert!(!std::path::Path::new("/tmp/tally.dump").exists());
}

#[tokio::test]
async fn check_refuses_a_file_that_is_not_a_tally_database() {
    let missing = std::env::temp_dir().join(format!("tally-missing-{}.db", std::process::id()));
    let output = run(&[
        "check",
        "--database-url",
        &format!("sqlite://{}", missing.display()),
    ])
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(!missing.exists(), "check created no file");
}
