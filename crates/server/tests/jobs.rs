//! The scheduler's jobs, driven through the library at chosen times and once by the clock: points
//! expire on the day without anyone reading the customer, each lot once however many runners, the
//! lease lets one server in and lapses after a crash, and `/healthz` says when each job last ran.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::ledger_check::assert_ledger_invariants;
use common::*;
use reqwest::StatusCode;
use tally_core::api::OrderRequest;
use tally_server::jobs::{self, Job};
use tally_server::shops::ShopRecord;
use tally_server::{ledger, AppState, Db};

fn now_ms() -> i64 {
    chrono_free_now() * 1000
}

/// An order of `customer` at `at` (its points expire 365 days later).
async fn order_at(
    db: &Db,
    shop: &Arc<ShopRecord>,
    order_id: &str,
    customer: &str,
    total: i64,
    at: i64,
) {
    let order = OrderRequest {
        order_id: order_id.into(),
        customer_id: customer.into(),
        total_minor: total,
        currency: "USD".into(),
        referral_code: None,
        channel: Default::default(),
    };
    ledger::record_order(db, shop, &order, at)
        .await
        .expect("order");
}

/// `(expire entries, Σ their points)` of the shop, straight from the database.
async fn expire_entries(s: &TestServer) -> (i64, i64) {
    sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM ledger_entries
         WHERE shop_id = $1 AND kind = 'expire'",
    )
    .bind(&s.shop.id)
    .fetch_one(&s.db.pool)
    .await
    .expect("expire entries")
}

async fn balance_in_db(s: &TestServer, customer: &str) -> i64 {
    sqlx::query_scalar("SELECT balance FROM customers WHERE shop_id = $1 AND customer_id = $2")
        .bind(&s.shop.id)
        .bind(customer)
        .fetch_one(&s.db.pool)
        .await
        .expect("balance")
}

fn run_of(runs: &[jobs::JobRun], job: Job) -> &jobs::JobRun {
    runs.iter().find(|r| r.job == job).expect("the job's run")
}

async fn assert_invariants(s: &TestServer, now: i64) {
    let shop = s.shop_record().await;
    let summary = ledger::summary(&s.db, &shop, now).await.expect("summary");
    assert_ledger_invariants(&s.db, &s.shop.id, now, &summary).await;
}

#[tokio::test]
async fn points_past_their_date_expire_when_the_job_runs_without_anyone_reading_the_customer() {
    on_every_backend(|s| async move {
        let shop = s.shop_record().await;
        let now = now_ms();
        // 50 signup + 100 stars earned 400 days ago: due 35 days ago. 120 earned 100 days ago (before
        // then, so nothing expired on the way): not due.
        order_at(&s.db, &shop, "o-1", "gil", 10_000, now - 400 * DAY_MS).await;
        order_at(&s.db, &shop, "o-2", "gil", 12_000, now - 100 * DAY_MS).await;
        assert_eq!(balance_in_db(&s, "gil").await, 270);
        assert_eq!(expire_entries(&s).await, (0, 0));

        let state = AppState::new(s.db.clone(), generous_limits());
        let runs = jobs::run_once(&state, now).await.expect("jobs");
        let expiry = run_of(&runs, Job::PointsExpiry);
        assert_eq!((expiry.ran, expiry.done, &expiry.error), (true, 1, &None));
        assert_eq!(
            expire_entries(&s).await,
            (2, -150),
            "the signup lot and o-1's lot"
        );
        assert_eq!(balance_in_db(&s, "gil").await, 120);
        assert_invariants(&s, now).await;
        s
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_runners_at_once_write_one_expire_entry_per_lot() {
    on_every_backend(|s| async move {
        let shop = s.shop_record().await;
        let now = now_ms();
        for i in 0..12 {
            order_at(
                &s.db,
                &shop,
                &format!("o-{i}"),
                &format!("c{i}"),
                10_000,
                now - 400 * DAY_MS,
            )
            .await;
        }
        let s = Arc::new(s);
        // Two ticks at once (two servers): the lease lets one of them run each job.
        let (a, b) = {
            let state_a = AppState::new(s.db.clone(), generous_limits());
            let state_b = AppState::new(s.db.clone(), generous_limits());
            tokio::join!(jobs::run_once(&state_a, now), jobs::run_once(&state_b, now))
        };
        let (a, b) = (a.expect("runner a"), b.expect("runner b"));
        for job in Job::ALL {
            let ran = [run_of(&a, job).ran, run_of(&b, job).ran];
            assert_eq!(ran.iter().filter(|r| **r).count(), 1, "{job:?}: {ran:?}");
        }
        assert_eq!(expire_entries(&s).await, (24, -12 * 150));

        // Without the lease (a run that outlived it) each lot still expires once.
        for i in 0..12 {
            let at = now - 399 * DAY_MS;
            order_at(
                &s.db,
                &shop,
                &format!("p-{i}"),
                &format!("c{i}"),
                20_000,
                at,
            )
            .await;
        }
        let later = now + 1000;
        let mut runners = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let state = AppState::new(s.db.clone(), generous_limits());
            runners.spawn(async move { jobs::run_steps(&state, Job::PointsExpiry, later).await });
        }
        while let Some(result) = runners.join_next().await {
            let (_, error) = result.expect("task").expect("run");
            assert_eq!(error, None);
        }
        let s = Arc::into_inner(s).expect("sole owner");
        assert_eq!(expire_entries(&s).await, (36, -12 * 350));
        assert_invariants(&s, later).await;
        s
    })
    .await;
}

#[tokio::test]
async fn a_lease_lets_one_server_in_and_lapses_after_a_crash() {
    on_every_backend(|s| async move {
        let now = now_ms();
        let db = &s.db;
        tally_server::db::jobs::ensure(db, "points_expiry")
            .await
            .expect("row");
        // A server claimed the job and died.
        let until = now + jobs::LEASE_MS;
        let claimed = tally_server::db::jobs::claim(db, "points_expiry", "crashed", now, until)
            .await
            .expect("claim");
        assert!(claimed);
        let state = AppState::new(s.db.clone(), generous_limits());
        let runs = jobs::run_once(&state, now + 1000).await.expect("jobs");
        assert!(
            !run_of(&runs, Job::PointsExpiry).ran,
            "held by the dead server"
        );
        assert!(run_of(&runs, Job::CodeExpiry).ran);
        let runs = jobs::run_once(&state, until + 1).await.expect("jobs");
        assert!(run_of(&runs, Job::PointsExpiry).ran, "the lease lapsed");
        let runs = jobs::run_once(&state, until + 2).await.expect("jobs");
        assert!(
            !run_of(&runs, Job::PointsExpiry).ran,
            "a finished run keeps the others off for half an interval"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn points_expiring_within_seven_days_are_noticed_once_per_lot() {
    on_every_backend(|s| async move {
        let shop = s.shop_record().await;
        let now = now_ms();
        order_at(&s.db, &shop, "o-soon", "hal", 10_000, now - 360 * DAY_MS).await; // in 5 days
        order_at(&s.db, &shop, "o-later", "hal", 10_000, now - 340 * DAY_MS).await; // in 25 days
        let state = AppState::new(s.db.clone(), generous_limits());
        let runs = jobs::run_once(&state, now).await.expect("jobs");
        assert_eq!(
            run_of(&runs, Job::PointsExpiring).done,
            1,
            "one customer noticed"
        );
        let noticed: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT l.points, l.expiring_notified_at FROM point_lots l
             JOIN customers c ON c.id = l.customer_pk
             WHERE c.customer_id = 'hal' AND l.expiring_notified_at IS NOT NULL ORDER BY l.points",
        )
        .fetch_all(&s.db.pool)
        .await
        .expect("lots");
        // The signup lot (50) and o-soon's (100) were earned together, 360 days ago.
        assert_eq!(noticed, [(50, now), (100, now)]);
        let runs = jobs::run_once(&state, now + 60_000).await.expect("jobs");
        let expiring = run_of(&runs, Job::PointsExpiring);
        assert_eq!((expiring.ran, expiring.done), (true, 0), "once per lot");
        s
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_expires_points_on_time_and_healthz_says_when_each_job_ran() {
    on_every_backend(|s| async move {
        let shop = s.shop_record().await;
        // Earned 365 days ago less two seconds: the lot expires two seconds from now.
        let at = now_ms() - 365 * DAY_MS + 2000;
        order_at(&s.db, &shop, "o-1", "ivy", 10_000, at).await;

        let state =
            AppState::new(s.db.clone(), generous_limits()).with_jobs(Duration::from_secs(1));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let scheduler = jobs::start(state.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(tally_server::serve(
            listener,
            tally_server::app(state),
            async {
                let _ = stopped.await;
            },
        ));

        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while expire_entries(&s).await.0 < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "no expire entry in time"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(balance_in_db(&s, "ivy").await, 0, "expired without a visit");
        let (status, health) = send(s.http.get(format!("http://{addr}/healthz"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(health["status"], "ok");
        for job in Job::ALL {
            let status = &health["jobs"][job.name()];
            assert!(status["last_run_at"].is_string(), "{health}");
            assert_eq!(status["last_error"], serde_json::Value::Null, "{health}");
        }

        scheduler.stop().await;
        let _ = stop.send(());
        server.await.expect("server task").expect("serve");
        s
    })
    .await;
}
