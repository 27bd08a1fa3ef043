//! Running the real binary as an operator does: readiness, graceful shutdown on SIGTERM.

mod common;

use std::time::{Duration, Instant};

use common::binary::{start_server_with, BINARY};
use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Child;

/// `tally-server shop create` on `database_url`: the shop's id and secret key.
async fn shop_create(database_url: &str) -> (String, String) {
    let output = tokio::process::Command::new(BINARY)
        .args([
            "shop",
            "create",
            "--name",
            "Ops Coffee",
            "--database-url",
            database_url,
        ])
        .env("TALLY_LOG", "warn")
        .output()
        .await
        .expect("run shop create");
    assert!(output.status.success(), "shop create: {output:?}");
    let shop: Value = serde_json::from_slice(&output.stdout).expect("the shop's JSON");
    (
        shop["id"].as_str().expect("id").to_owned(),
        shop["secret_key"].as_str().expect("secret_key").to_owned(),
    )
}

fn sigterm(child: &Child) {
    let pid = child.id().expect("a running server");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill -TERM");
    assert!(status.success());
}

/// An order whose body is sent in two halves: the request is in flight between them.
struct SlowOrder {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl SlowOrder {
    async fn start(base: &str, shop: &str, key: &str, order_id: &str) -> SlowOrder {
        let addr = base.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let body = format!(
            r#"{{"order_id":"{order_id}","customer_id":"slow-shopper","total_minor":1000,"currency":"USD"}}"#
        );
        let head = format!(
            "POST /v1/shops/{shop}/orders HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let (first, rest) = body.as_bytes().split_at(body.len() / 2);
        stream.write_all(head.as_bytes()).await.expect("write head");
        stream.write_all(first).await.expect("write half the body");
        stream.flush().await.expect("flush");
        SlowOrder {
            stream,
            rest: rest.to_vec(),
        }
    }

    /// Sends the rest and reads the status line.
    async fn finish(mut self) -> String {
        self.stream
            .write_all(&self.rest)
            .await
            .expect("write the rest");
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), self.stream.read(&mut buf)).await {
                Ok(Ok(0)) | Err(_) => break,
                Ok(Ok(n)) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                Ok(Err(_)) => break,
            }
        }
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    }
}

async fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut text).await;
    }
    text
}

#[tokio::test]
async fn readyz_says_ready_and_names_migrations_that_are_not_this_binarys() {
    for backend in backends() {
        let scratch = ScratchDatabase::new(backend).await;
        let (mut server, base) = start_server_with(&scratch.url, &[], &[])
            .await
            .expect("the server starts");
        let http = reqwest::Client::new();
        let ready = http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .expect("readyz");
        assert_eq!(ready.status(), StatusCode::OK);
        let body: Value = ready.json().await.expect("json");
        assert_eq!(body["status"], "ready", "{body}");
        assert!(
            body["migrations"].as_i64().is_some_and(|v| v >= 2),
            "{body}"
        );

        // A newer binary migrated the database past this one.
        let db = tally_server::Db::connect(&scratch.url)
            .await
            .expect("connect");
        sqlx::query("INSERT INTO tally_migrations (version, description, applied_at) VALUES (999, 'from the future', 0)")
            .execute(&db.pool)
            .await
            .expect("a newer migration");
        db.pool.close().await;
        let (status, body) = send(http.get(format!("{base}/readyz"))).await;
        let message = assert_error(
            status,
            &body,
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
        );
        assert!(message.contains("999"), "{message}");
        let (status, body) = send(http.get(format!("{base}/healthz"))).await;
        assert_eq!(status, StatusCode::OK, "still alive: {body}");
        let _ = server.kill().await;
        scratch.remove().await;
    }
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_and_exits_0() {
    for backend in backends() {
        let scratch = ScratchDatabase::new(backend).await;
        let (shop, key) = shop_create(&scratch.url).await;
        let (mut server, base) = start_server_with(&scratch.url, &[], &[])
            .await
            .expect("the server starts");
        let order = SlowOrder::start(&base, &shop, &key, "slow-1").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        sigterm(&server);
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            TcpStream::connect(base.trim_start_matches("http://"))
                .await
                .is_err(),
            "no new connection is accepted after SIGTERM"
        );
        let status_line = order.finish().await;
        assert!(
            status_line.contains(" 201 "),
            "the order in flight was answered: {status_line:?}"
        );
        let exit = tokio::time::timeout(Duration::from_secs(10), server.wait())
            .await
            .expect("exits soon after")
            .expect("wait");
        assert_eq!(exit.code(), Some(0), "{}", stderr_of(&mut server).await);
        scratch.remove().await;
    }
}

#[tokio::test]
async fn a_request_still_running_at_the_end_of_the_grace_period_is_cut_off_and_logged() {
    let scratch = ScratchDatabase::new(Backend::Sqlite).await;
    let (shop, key) = shop_create(&scratch.url).await;
    let (mut server, base) = start_server_with(&scratch.url, &["--shutdown-grace-secs", "1"], &[])
        .await
        .expect("the server starts");
    let _never_finished = SlowOrder::start(&base, &shop, &key, "stuck-1").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let signalled = Instant::now();
    sigterm(&server);
    let exit = tokio::time::timeout(Duration::from_secs(10), server.wait())
        .await
        .expect("exits within the grace period and a little")
        .expect("wait");
    let took = signalled.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "{took:?}"
    );
    assert_eq!(exit.code(), Some(0));
    let log = stderr_of(&mut server).await;
    assert!(
        log.contains("cut off") && log.contains("cut_off=1"),
        "{log}"
    );
    scratch.remove().await;
}

#[tokio::test]
async fn two_servers_started_at_once_on_an_empty_postgresql_both_come_up_and_migrate_once() {
    if postgres_admin_url().is_none() {
        eprintln!("PostgreSQL SKIPPED (TALLY_TEST_DATABASE_URL not set)");
        return;
    }
    // A few rounds: the race without the lock does not lose every time.
    for _ in 0..3 {
        let scratch = ScratchDatabase::new(Backend::Postgres).await;
        let (first, second) = tokio::join!(
            start_server_with(&scratch.url, &[], &[]),
            start_server_with(&scratch.url, &[], &[])
        );
        let (mut first, first_base) = first.expect("the first server comes up");
        let (mut second, second_base) = second.expect("the second server comes up");
        for base in [&first_base, &second_base] {
            let (status, body) = send(reqwest::Client::new().get(format!("{base}/readyz"))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let db = tally_server::Db::connect(&scratch.url)
            .await
            .expect("connect");
        let versions: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT version, COUNT(*) FROM tally_migrations GROUP BY version ORDER BY version",
        )
        .fetch_all(&db.pool)
        .await
        .expect("the migrations table");
        db.pool.close().await;
        let latest = tally_server::db::health::latest_version(tally_server::db::Backend::Postgres);
        assert_eq!(
            versions,
            (1..=latest).map(|v| (v, 1)).collect::<Vec<_>>(),
            "each version applied once"
        );
        let _ = first.kill().await;
        let _ = second.kill().await;
        scratch.remove().await;
    }
}
