//! Orders recorded concurrently, through the real API: on SQLite they meet in the group-commit writer's
//! batches (one transaction, a savepoint per order, one COMMIT); on PostgreSQL each is a transaction of
//! its own. Either way every acknowledged order is recorded once, a failing order undoes only itself, and
//! an order id sent many times at once is recorded once.
//!
//! On SQLite the requests are made to meet: another writer holds the database's write gate until all of
//! them wait for their batch (`Db::grouped_writes_waiting`), so the batches are full, not left to timing.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use common::ledger_check::assert_ledger_invariants;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tally_core::CustomerId;
use tally_server::ledger::{self, Whom};

fn now_ms() -> i64 {
    chrono_free_now() * 1000
}

/// Sends every request at once and returns their answers in order. On SQLite the requests first all
/// queue behind a writer holding the write gate, then go through in batches (of at most 64).
async fn all_at_once<Fut>(s: &Arc<TestServer>, requests: Vec<Fut>) -> Vec<(StatusCode, Value)>
where
    Fut: Future<Output = (StatusCode, Value)> + Send + 'static,
{
    let count = requests.len();
    let shop = s.shop_record().await;
    let gatekeeper = CustomerId::parse("gatekeeper").expect("an id");
    let holder = match s.db.grouped_writes_waiting() {
        Some(_) => Some(
            ledger::lock_customer(&s.db, &shop, Whom::Id(&gatekeeper), now_ms())
                .await
                .expect("hold the write gate"),
        ),
        None => None,
    };
    let tasks: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    if holder.is_some() {
        // No deadline here: if the requests never queue, the test hangs rather than passes.
        while s.db.grouped_writes_waiting() != Some(count) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    drop(holder);
    let mut answers = Vec::with_capacity(count);
    for task in tasks {
        answers.push(task.await.expect("request task"));
    }
    answers
}

fn order(
    s: &Arc<TestServer>,
    order_id: String,
    customer: String,
    total: i64,
) -> impl Future<Output = (StatusCode, Value)> + Send + 'static {
    let s = s.clone();
    async move { s.order(&order_id, &customer, total).await }
}

async fn count(s: &TestServer, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(&s.shop.id)
        .bind(bind)
        .fetch_one(&s.db.pool)
        .await
        .expect("count")
}

async fn assert_invariants(s: &TestServer) {
    let now = now_ms();
    let shop = s.shop_record().await;
    let summary = ledger::summary(&s.db, &shop, now).await.expect("summary");
    assert_ledger_invariants(&s.db, &s.shop.id, now, &summary).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_orders_are_all_acknowledged_and_each_recorded_once() {
    on_every_backend(|s| async move {
        let s = Arc::new(s);
        // 150 orders of 10 customers: on SQLite batches of 64, 64 and 22.
        let sent: Vec<(String, String, i64)> = (0..150)
            .map(|i| (format!("o-{i}"), format!("c{}", i % 10), 1_000 + 100 * i))
            .collect();
        let requests = sent
            .iter()
            .map(|(id, customer, total)| order(&s, id.clone(), customer.clone(), *total))
            .collect();
        let answers = all_at_once(&s, requests).await;

        let mut awarded: HashMap<&str, i64> = HashMap::new();
        for ((id, customer, _), (status, body)) in sent.iter().zip(&answers) {
            assert_eq!(*status, StatusCode::CREATED, "{id}: {body}");
            assert_eq!(body["order_id"], id.as_str());
            *awarded.entry(customer).or_default() +=
                body["points_awarded"].as_i64().expect("points");
        }
        for (id, _, _) in &sent {
            let entries = count(
                &s,
                "SELECT COUNT(*) FROM ledger_entries WHERE shop_id = $1 AND reference = $2",
                &format!("order:{id}"),
            )
            .await;
            assert_eq!(entries, 1, "{id}: one earn entry");
            let orders = count(
                &s,
                "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND order_id = $2",
                id,
            )
            .await;
            assert_eq!(orders, 1, "{id}: one order row");
        }
        for (customer, points) in &awarded {
            let me = s.me(customer).await;
            assert_eq!(
                me["balance"],
                50 + points,
                "{customer}: signup + every order's points"
            );
        }
        assert_invariants(&s).await;
        Arc::into_inner(s).expect("sole owner")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_order_in_a_busy_batch_fails_alone_and_keeps_nothing_of_itself() {
    on_every_backend(|s| async move {
        let (status, body) = s.order("taken", "alice", 5_000).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let s = Arc::new(s);
        // In the middle of 40 good orders, the id "taken" again with another body, for a customer never
        // seen: their enrolment, signup points and event are written, then the order is refused.
        let mut requests: Vec<_> = (0..40)
            .map(|i| order(&s, format!("good-{i}"), format!("c{}", i % 8), 2_000))
            .collect();
        requests.insert(20, order(&s, "taken".into(), "ghost".into(), 9_000));
        let answers = all_at_once(&s, requests).await;

        for (i, (status, body)) in answers.iter().enumerate() {
            if i == 20 {
                assert_error(*status, body, StatusCode::CONFLICT, "idempotency_conflict");
            } else {
                assert_eq!(*status, StatusCode::CREATED, "order {i}: {body}");
            }
        }
        let ghost = count(
            &s,
            "SELECT COUNT(*) FROM customers WHERE shop_id = $1 AND customer_id = $2",
            "ghost",
        )
        .await;
        assert_eq!(ghost, 0, "the refused order's enrolment was undone");
        let good = count(
            &s,
            "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND order_id LIKE $2",
            "good-%",
        )
        .await;
        assert_eq!(good, 40, "every other order of the batch landed");
        let (status, body) = s.order("taken", "alice", 5_000).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the first order is untouched: {body}"
        );
        assert_eq!(s.me("alice").await["balance"], 50 + 50);
        assert_invariants(&s).await;
        Arc::into_inner(s).expect("sole owner")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_order_id_sent_many_times_at_once_is_recorded_once_and_replayed_to_the_rest() {
    on_every_backend(|s| async move {
        let s = Arc::new(s);
        // On SQLite all 20 in one batch: the first records it, the others see it there and replay it.
        let requests = (0..20)
            .map(|_| order(&s, "same".into(), "dora".into(), 12_000))
            .collect();
        let answers = all_at_once(&s, requests).await;

        let created = answers
            .iter()
            .filter(|(status, _)| *status == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "exactly one records the order: {answers:?}");
        for (status, body) in &answers {
            assert!(
                *status == StatusCode::CREATED || *status == StatusCode::OK,
                "{status}: {body}"
            );
            assert_eq!(body, &answers[0].1, "every answer is the first result");
        }
        assert_eq!(
            answers[0].1,
            json!({"order_id": "same", "points_awarded": 120, "balance": 170})
        );
        let entries = count(
            &s,
            "SELECT COUNT(*) FROM ledger_entries WHERE shop_id = $1 AND reference = $2",
            "order:same",
        )
        .await;
        assert_eq!(entries, 1, "one earn entry");
        assert_eq!(s.me("dora").await["balance"], 170);
        assert_invariants(&s).await;
        Arc::into_inner(s).expect("sole owner")
    })
    .await;
}
