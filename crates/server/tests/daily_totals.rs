//! The daily totals that reports over time read (migration 9), through the real API on SQLite and
//! PostgreSQL: each metric's timeseries is what the exported ledger, the exported customers and the
//! orders sent add up to, whichever write made them (orders of both channels, refunds, redemptions,
//! adjustments, activities, referrals, expiry, concurrent orders); a shop from before the migration reads
//! the same once migrated. (Every scenario of every test file also recounts the totals at its end:
//! `TestServer::finish`.)

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tally_core::api::{OrderChannel, OrderRequest, RedemptionRequest, RefundRequest};
use tally_core::timeseries::{format_date, parse_date, period_start, Interval};
use tally_core::{CustomerId, IdempotencyKey};
use tally_server::shops::ShopRecord;
use tally_server::{ledger, Db};

const METRICS: [&str; 7] = [
    "members_new",
    "points_issued",
    "points_redeemed",
    "points_expired",
    "redemptions",
    "orders",
    "revenue_minor",
];

fn now_ms() -> i64 {
    chrono_free_now() * 1000
}

/// Value per day (days since 1970-01-01), by metric (and `orders:pos`, `revenue_minor:online`, …).
type Expected = BTreeMap<String, BTreeMap<i64, i64>>;

fn add(expected: &mut Expected, metric: &str, day: i64, value: i64) {
    *expected
        .entry(metric.to_owned())
        .or_default()
        .entry(day)
        .or_default() += value;
}

/// The cells of a CSV text, row by row (quoted cells and doubled quotes as RFC 4180 has them).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

/// An export's rows as maps from its header's names.
async fn export(s: &TestServer, name: &str) -> Vec<BTreeMap<String, String>> {
    let response = s
        .http
        .get(s.shop_url(&format!("/exports/{name}")))
        .bearer_auth(&s.shop.secret_key)
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("an export body");
    let mut rows = parse_csv(&text).into_iter();
    let header = rows.next().expect("a header row");
    rows.map(|row| header.iter().cloned().zip(row).collect())
        .collect()
}

/// The day of an RFC 3339 time in UTC (`2026-12-02T07:50:00Z`).
fn day_of(rfc3339: &str) -> i64 {
    parse_date(&rfc3339[..10]).unwrap_or_else(|| panic!("a date in {rfc3339:?}"))
}

/// A metric's timeseries by day from `from` through `to`, as `(day, value)`.
async fn daily_series(s: &TestServer, metric: &str, from: i64, to: i64) -> Vec<(i64, i64)> {
    let (status, body) = s
        .merchant(
            Method::GET,
            &format!(
                "/reports/timeseries?{metric}&interval=day&from={}&to={}",
                format_date(from),
                format_date(to)
            ),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{metric}: {body}");
    points(&body)
}

fn points(body: &Value) -> Vec<(i64, i64)> {
    body["points"]
        .as_array()
        .unwrap_or_else(|| panic!("points in {body}"))
        .iter()
        .map(|p| {
            let start = p["start"].as_str().expect("start");
            (
                parse_date(start).expect("a date"),
                p["value"].as_i64().expect("value"),
            )
        })
        .collect()
}

/// An order at `at`, through the ledger function the API calls (the API only ever writes "now").
async fn order_at(
    db: &Db,
    shop: &Arc<ShopRecord>,
    order_id: &str,
    customer: &str,
    total: i64,
    channel: OrderChannel,
    at: i64,
) {
    let order = OrderRequest {
        order_id: order_id.into(),
        customer_id: customer.into(),
        total_minor: total,
        currency: "USD".into(),
        referral_code: None,
        channel,
    };
    ledger::record_order(db, shop, &order, at)
        .await
        .expect("order");
}

/// Orders, refunds and a redemption spread over the past 400 days, then through the API today: orders of
/// both channels, a referral, a refund, adjustments both ways, an activity, a redemption and a burst of
/// concurrent orders; returns the orders sent as `(order id, channel, total)`.
async fn history(s: &TestServer) -> Vec<(String, OrderChannel, i64)> {
    let shop = s.shop_record().await;
    let now = now_ms();
    let mut orders = Vec::new();
    let mut sent = |id: &str, channel, total| orders.push((id.to_owned(), channel, total));
    // ann's first 150 points (signup and order) expire 365 days on, 35 days ago: nobody has read her since.
    order_at(
        &s.db,
        &shop,
        "a-1",
        "ann",
        10_000,
        OrderChannel::Online,
        now - 400 * DAY_MS,
    )
    .await;
    sent("a-1", OrderChannel::Online, 10_000);
    order_at(
        &s.db,
        &shop,
        "a-2",
        "ann",
        5_000,
        OrderChannel::Pos,
        now - 100 * DAY_MS,
    )
    .await;
    sent("a-2", OrderChannel::Pos, 5_000);
    order_at(
        &s.db,
        &shop,
        "b-1",
        "bob",
        20_000,
        OrderChannel::Online,
        now - 30 * DAY_MS,
    )
    .await;
    sent("b-1", OrderChannel::Online, 20_000);
    let refund = RefundRequest {
        refund_id: "b-1-r".into(),
        amount_minor: 10_000,
    };
    ledger::record_refund(&s.db, &shop, "b-1", &refund, now - 29 * DAY_MS)
        .await
        .expect("refund");
    let bob = CustomerId::parse("bob").expect("an id");
    let key = IdempotencyKey::parse("bob-5off").expect("a key");
    let request = RedemptionRequest {
        reward_id: "5off".into(),
    };
    ledger::redeem(&s.db, &shop, &bob, &key, &request, now - 20 * DAY_MS)
        .await
        .expect("bob redeems");

    // Today, through the API.
    let (status, body) = s
        .merchant(
            Method::POST,
            "/orders",
            Some(
                json!({"order_id": "c-1", "customer_id": "cat", "total_minor": 30_000,
                        "currency": "USD", "channel": "pos"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    sent("c-1", OrderChannel::Pos, 30_000);
    let cat_code: String =
        sqlx::query_scalar("SELECT referral_code FROM customers WHERE customer_id = 'cat'")
            .fetch_one(&s.db.pool)
            .await
            .expect("cat's referral code");
    let (status, body) = s
        .merchant(
            Method::POST,
            "/orders",
            Some(
                json!({"order_id": "d-1", "customer_id": "dan", "total_minor": 4_500,
                        "currency": "USD", "referral_code": cat_code}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    sent("d-1", OrderChannel::Online, 4_500);
    let (status, body) = s.refund("c-1", "c-1-r", 7_000).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for (key, points) in [("adj-up", 40), ("adj-down", -15)] {
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/cat/adjustments",
                Some(json!({"points": points, "reason": "Goodwill", "idempotency_key": key})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = s
        .merchant(
            Method::POST,
            "/customers/dan/activities",
            Some(json!({"rule_id": "review", "idempotency_key": "review-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s.redeem("cat", "cat-5off", "5off").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Concurrent orders of one shop (on PostgreSQL, concurrent transactions adding to the day's totals).
    let burst = (0..24).map(|i| {
        let (id, customer) = (format!("burst-{i}"), format!("burst-{}", i % 12));
        async move { (s.order(&id, &customer, 1_000 + i).await, id, 1_000 + i) }
    });
    for ((status, body), id, total) in futures_util::future::join_all(burst).await {
        assert_eq!(status, StatusCode::CREATED, "{body}");
        sent(&id, OrderChannel::Online, total);
    }
    orders
}

/// What each metric must read, by day, from the exports and the orders sent; the first day of all.
async fn expected_from_exports(
    s: &TestServer,
    orders: &[(String, OrderChannel, i64)],
) -> (Expected, i64) {
    let mut expected = Expected::new();
    let customers = export(s, "customers.csv").await;
    for customer in &customers {
        add(
            &mut expected,
            "members_new",
            day_of(&customer["created_at"]),
            1,
        );
    }
    let entries = export(s, "ledger.csv").await;
    let mut order_days = BTreeMap::new();
    for entry in &entries {
        let day = day_of(&entry["created_at"]);
        let points: i64 = entry["points"].parse().expect("points");
        let kind = entry["kind"].as_str();
        if points > 0 {
            add(&mut expected, "points_issued", day, points);
        }
        if kind == "redeem" && points < 0 {
            add(&mut expected, "points_redeemed", day, -points);
            add(&mut expected, "redemptions", day, 1);
        }
        if kind == "expire" && points < 0 {
            add(&mut expected, "points_expired", day, -points);
        }
        if let Some(order_id) = entry["reference"].strip_prefix("order:") {
            if kind == "earn" {
                order_days.insert(order_id.to_owned(), day);
            }
        }
    }
    for (order_id, channel, total) in orders {
        let day = *order_days
            .get(order_id)
            .unwrap_or_else(|| panic!("order {order_id} has its earn entry in the export"));
        for metric in ["orders".to_owned(), format!("orders:{channel}")] {
            add(&mut expected, &metric, day, 1);
        }
        for metric in [
            "revenue_minor".to_owned(),
            format!("revenue_minor:{channel}"),
        ] {
            add(&mut expected, &metric, day, *total);
        }
    }
    let first = expected
        .values()
        .filter_map(|days| days.keys().next().copied())
        .min()
        .expect("some history");
    (expected, first)
}

#[tokio::test]
async fn every_metric_over_time_is_what_the_exported_ledger_and_the_orders_sent_add_up_to() {
    on_every_backend(|s| async move {
        let orders = history(&s).await;
        let today = now_ms() / DAY_MS;
        // Reading points_expired settles ann's due lot first, as the summary does: an `expire` entry today.
        let expired = daily_series(&s, "metric=points_expired", today - 1, today).await;
        assert_eq!(expired, [(today - 1, 0), (today, 150)]);

        let (expected, first) = expected_from_exports(&s, &orders).await;
        let queries: Vec<(String, String)> = METRICS
            .iter()
            .map(|m| (m.to_string(), format!("metric={m}")))
            .chain(["orders", "revenue_minor"].iter().flat_map(|m| {
                ["online", "pos"].map(|c| (format!("{m}:{c}"), format!("metric={m}&channel={c}")))
            }))
            .collect();
        for (name, query) in &queries {
            let want = expected.get(name).cloned().unwrap_or_default();
            assert!(
                want.values().any(|&v| v > 0),
                "{name}: the scenario makes some"
            );
            let got = daily_series(&s, query, first, today).await;
            assert_eq!(got.len() as i64, today - first + 1, "{name}: every day");
            for (day, value) in got {
                assert_eq!(
                    value,
                    want.get(&day).copied().unwrap_or(0),
                    "{name} on {}",
                    format_date(day)
                );
            }
            // Months are the days summed (the first month counts from `first` only).
            let (status, body) = s
                .merchant(
                    Method::GET,
                    &format!(
                        "/reports/timeseries?{query}&interval=month&from={}&to={}",
                        format_date(first),
                        format_date(today)
                    ),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let mut by_month: BTreeMap<i64, i64> = BTreeMap::new();
            for (&day, &value) in &want {
                *by_month
                    .entry(period_start(Interval::Month, day))
                    .or_default() += value;
            }
            for (month, value) in points(&body) {
                assert_eq!(
                    value,
                    by_month.get(&month).copied().unwrap_or(0),
                    "{name} in the month of {}",
                    format_date(month)
                );
            }
        }
        // The scenario's own figures, so the exports above are not the only witness.
        let total = |name: &str| -> i64 { expected.get(name).map_or(0, |d| d.values().sum()) };
        assert_eq!(total("orders"), orders.len() as i64);
        assert_eq!(total("redemptions"), 2);
        assert_eq!(total("members_new"), 4 + 12);
        assert_eq!(
            total("revenue_minor"),
            orders.iter().map(|(_, _, t)| t).sum::<i64>()
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_shop_from_before_the_daily_totals_reads_the_same_once_migrated() {
    on_every_backend(|s| async move {
        let orders = history(&s).await;
        let today = now_ms() / DAY_MS;
        let (_, first) = expected_from_exports(&s, &orders).await;
        let mut before = Vec::new();
        for metric in METRICS {
            before.push(daily_series(&s, &format!("metric={metric}"), first, today).await);
        }
        assert!(before.iter().flatten().any(|&(_, v)| v > 0));

        // The database as a server before migration 9 left it: no daily totals.
        sqlx::raw_sql("DROP TABLE daily_totals; DELETE FROM tally_migrations WHERE version = 9")
            .execute(&s.db.pool)
            .await
            .expect("undo migration 9");
        let migrated = Db::connect(&s.database_url()).await.expect("migrate again");
        migrated.pool.close().await;
        let shards: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT shard FROM daily_totals")
            .fetch_all(&s.db.pool)
            .await
            .expect("shards");
        assert_eq!(shards, [0], "the backfill writes shard 0");

        for (metric, want) in METRICS.iter().zip(&before) {
            let got = daily_series(&s, &format!("metric={metric}"), first, today).await;
            assert_eq!(&got, want, "{metric} after the backfill");
        }
        // And the writes keep adding to the backfilled days.
        let (status, body) = s.order("after-1", "ann", 2_500).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let got = daily_series(&s, "metric=revenue_minor", today, today).await;
        let want = before[6].last().map_or(0, |&(_, v)| v) + 2_500;
        assert_eq!(got, [(today, want)]);
        s
    })
    .await;
}
