//! Reports over time and the CSV exports through the real API, on SQLite and PostgreSQL: every period
//! present, week boundaries, empty ranges, ranges refused; exports that match the API, with formula
//! cells guarded; a million ledger entries exported by the real binary in constant memory.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tally_core::timeseries::parse_date;

const DAY_MS: i64 = 86_400_000;

/// Unix ms of `YYYY-MM-DD` at 00:00 UTC plus `offset_ms`.
fn at(date: &str, offset_ms: i64) -> i64 {
    parse_date(date).expect("a date") * DAY_MS + offset_ms
}

/// Moves an order, its customer's enrolment and every ledger entry of that customer to `when` — the
/// past, as the ledger stores it (the API only ever writes "now") — and the daily totals with them.
async fn backdate(s: &TestServer, order_id: &str, customer: &str, when: i64) {
    let pool = &s.db.pool;
    sqlx::query("UPDATE orders SET created_at = $1 WHERE shop_id = $2 AND order_id = $3")
        .bind(when)
        .bind(&s.shop.id)
        .bind(order_id)
        .execute(pool)
        .await
        .expect("backdate the order");
    sqlx::query("UPDATE customers SET created_at = $1 WHERE shop_id = $2 AND customer_id = $3")
        .bind(when)
        .bind(&s.shop.id)
        .bind(customer)
        .execute(pool)
        .await
        .expect("backdate the enrolment");
    sqlx::query(
        "UPDATE ledger_entries SET created_at = $1
         WHERE customer_pk = (SELECT id FROM customers WHERE shop_id = $2 AND customer_id = $3)",
    )
    .bind(when)
    .bind(&s.shop.id)
    .bind(customer)
    .execute(pool)
    .await
    .expect("backdate the entries");
    rebuild_daily_totals(s).await;
}

/// History rewritten in SQL bypasses the writes that keep the daily totals: count them again.
async fn rebuild_daily_totals(s: &TestServer) {
    tally_server::db::daily_totals::rebuild(&s.db, &s.shop.id)
        .await
        .expect("rebuild the daily totals");
}

async fn series(s: &TestServer, query: &str) -> (StatusCode, Value) {
    s.merchant(Method::GET, &format!("/reports/timeseries?{query}"), None)
        .await
}

fn values(body: &Value) -> Vec<(String, i64)> {
    body["points"]
        .as_array()
        .unwrap_or_else(|| panic!("points in {body}"))
        .iter()
        .map(|p| {
            (
                p["start"].as_str().expect("start").to_owned(),
                p["value"].as_i64().expect("value"),
            )
        })
        .collect()
}

#[tokio::test]
async fn orders_fall_in_their_week_and_day_across_a_monday_midnight() {
    on_every_backend(|s| async move {
        // Sunday 29 November 2026 at 23:59:59.999, Monday 30 November at 00:00, Monday 7 December.
        for (order, customer, total, when) in [
            ("o-sun", "c-sun", 1_250, at("2026-11-29", DAY_MS - 1)),
            ("o-mon", "c-mon", 4_000, at("2026-11-30", 0)),
            ("o-next", "c-next", 700, at("2026-12-07", 12 * 3_600_000)),
        ] {
            let (status, body) = s.order(order, customer, total).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            backdate(&s, order, customer, when).await;
        }

        let (status, body) = series(
            &s,
            "metric=orders&interval=week&from=2026-11-23&to=2026-12-13",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["metric"], "orders");
        assert_eq!(body["interval"], "week");
        assert_eq!(
            values(&body),
            [
                ("2026-11-23".to_owned(), 1),
                ("2026-11-30".to_owned(), 1),
                ("2026-12-07".to_owned(), 1)
            ]
        );

        let (_, body) = series(
            &s,
            "metric=revenue_minor&interval=day&from=2026-11-28&to=2026-11-30",
        )
        .await;
        assert_eq!(
            values(&body),
            [
                ("2026-11-28".to_owned(), 0),
                ("2026-11-29".to_owned(), 1_250),
                ("2026-11-30".to_owned(), 4_000)
            ]
        );

        let (_, body) = series(
            &s,
            "metric=members_new&interval=month&from=2026-11-15&to=2026-12-31",
        )
        .await;
        assert_eq!(
            values(&body),
            [("2026-11-01".to_owned(), 2), ("2026-12-01".to_owned(), 1)]
        );

        // The points issued over all time agree with the summary's (a different query of the ledger).
        let (_, summary) = s.merchant(Method::GET, "/reports/summary", None).await;
        let (_, body) = series(
            &s,
            "metric=points_issued&interval=month&from=2026-01-01&to=2026-12-31",
        )
        .await;
        let issued: i64 = values(&body).iter().map(|(_, v)| v).sum();
        assert!(issued > 0);
        assert_eq!(Some(issued), summary["points_issued"].as_i64(), "{summary}");
        s
    })
    .await;
}

#[tokio::test]
async fn channels_split_orders_and_revenue() {
    on_every_backend(|s| async move {
        let today = chrono_free_now() * 1000 / DAY_MS;
        let date = tally_core::timeseries::format_date(today);
        for (order, channel, total) in [
            ("o1", "online", 1_000),
            ("o2", "pos", 2_500),
            ("o3", "pos", 500),
        ] {
            let (status, body) = s
                .merchant(
                    Method::POST,
                    "/orders",
                    Some(
                        json!({"order_id": order, "customer_id": "c1", "total_minor": total,
                                "currency": "USD", "channel": channel}),
                    ),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        for (channel, orders, revenue) in [("", 3, 4_000), ("online", 1, 1_000), ("pos", 2, 3_000)]
        {
            let q = format!("interval=day&from={date}&to={date}&channel={channel}");
            let (_, body) = series(&s, &format!("metric=orders&{q}")).await;
            assert_eq!(
                values(&body),
                [(date.clone(), orders)],
                "channel {channel:?}"
            );
            let (_, body) = series(&s, &format!("metric=revenue_minor&{q}")).await;
            assert_eq!(
                values(&body),
                [(date.clone(), revenue)],
                "channel {channel:?}"
            );
        }
        s
    })
    .await;
}

#[tokio::test]
async fn an_empty_range_has_every_period_at_zero() {
    on_every_backend(|s| async move {
        // 1 January to 31 March 2025: 31 + 28 + 31 days; the weeks from Monday 30 December 2024.
        let (status, body) = series(
            &s,
            "metric=redemptions&interval=day&from=2025-01-01&to=2025-03-31",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let days = values(&body);
        assert_eq!(days.len(), 90);
        assert_eq!(days.first().map(|d| d.0.as_str()), Some("2025-01-01"));
        assert_eq!(days.last().map(|d| d.0.as_str()), Some("2025-03-31"));
        assert!(days.iter().all(|(_, v)| *v == 0));
        assert!(days.contains(&("2025-02-28".to_owned(), 0)));
        assert!(!days.iter().any(|(d, _)| d == "2025-02-29"));

        let (_, body) = series(
            &s,
            "metric=points_expired&interval=week&from=2025-01-01&to=2025-01-12",
        )
        .await;
        assert_eq!(
            values(&body),
            [("2024-12-30".to_owned(), 0), ("2025-01-06".to_owned(), 0)]
        );
        s
    })
    .await;
}

#[tokio::test]
async fn bad_queries_are_refused_with_the_field_named() {
    on_every_backend(|s| async move {
        for (query, field) in [
            (
                "interval=day&from=2024-01-01&to=2026-01-31&metric=orders",
                "more than 750 days",
            ),
            (
                "metric=sales&interval=day&from=2026-01-01&to=2026-01-02",
                "metric:",
            ),
            (
                "interval=day&from=2026-01-01&to=2026-01-02",
                "metric: required",
            ),
            (
                "metric=orders&interval=hour&from=2026-01-01&to=2026-01-02",
                "interval:",
            ),
            (
                "metric=orders&interval=day&from=2026-02-30&to=2026-03-02",
                "from:",
            ),
            ("metric=orders&interval=day&from=2026-01-01", "to: required"),
            (
                "metric=orders&interval=day&from=2026-01-05&to=2026-01-01",
                "after to",
            ),
            (
                "metric=points_issued&interval=day&from=2026-01-01&to=2026-01-02&channel=pos",
                "channel:",
            ),
            (
                "metric=orders&interval=day&from=2026-01-01&to=2026-01-02&channel=phone",
                "channel:",
            ),
        ] {
            let (status, body) = series(&s, query).await;
            let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
            assert!(message.contains(field), "{query}: {message}");
        }
        let (status, _) = send(s.http.get(s.shop_url(
            "/reports/timeseries?metric=orders&interval=day&from=2026-01-01&to=2026-01-02",
        )))
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        s
    })
    .await;
}

async fn csv(s: &TestServer, rest: &str) -> (StatusCode, String, String) {
    let response = s
        .http
        .get(s.shop_url(rest))
        .bearer_auth(&s.shop.secret_key)
        .send()
        .await
        .expect("send");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, content_type, response.text().await.expect("body"))
}

#[tokio::test]
async fn exports_match_the_api_and_never_hand_a_spreadsheet_a_formula() {
    on_every_backend(|s| async move {
        let (status, body) = s.order("o-1", "=cmd|' /C calc'!A0", 12_000).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = s.order("o-2", "c2", 5_000).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, body) = s
            .merchant(
                Method::POST,
                "/customers/c2/adjustments",
                Some(
                    json!({"points": -20, "reason": "@SUM(A1:A9), said \"sorry\"",
                            "idempotency_key": "adj-1"}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let c2 = s.merchant(Method::GET, "/customers/c2", None).await.1;

        let (status, content_type, text) = csv(&s, "/exports/customers.csv").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, "text/csv; charset=utf-8");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("customer_id,first_name,email,phone,birthday,balance,"));
        assert_eq!(
            lines.len(),
            4,
            "header, two customers, and the final line end: {text}"
        );
        assert!(
            lines[1].starts_with("'=cmd|' /C calc'!A0,"),
            "a formula id is guarded: {}",
            lines[1]
        );
        let balance = c2["balance"].as_i64().expect("balance");
        assert!(
            lines[2].starts_with(&format!("c2,,,,,{balance},")),
            "{}",
            lines[2]
        );

        let (status, _, text) = csv(&s, "/exports/ledger.csv").await;
        assert_eq!(status, StatusCode::OK);
        let adjustment = text
            .split("\r\n")
            .find(|l| l.contains("adjust"))
            .unwrap_or_else(|| panic!("an adjust entry in {text}"));
        assert!(
            adjustment.contains(",c2,adjust,-20,"),
            "points stay a plain (negative) number: {adjustment}"
        );
        assert!(
            adjustment.contains(",\"'@SUM(A1:A9), said \"\"sorry\"\"\","),
            "the reason is guarded and quoted: {adjustment}"
        );
        let entries =
            s.all_activity("c2").await.len() + s.all_activity("=cmd|' /C calc'!A0").await.len();
        assert_eq!(
            text.split("\r\n").filter(|l| !l.is_empty()).count(),
            entries + 1
        );

        // A range of days before any entry exports the header alone; a reversed one is refused.
        let (status, _, text) = csv(&s, "/exports/ledger.csv?from=2020-01-01&to=2020-12-31").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(text.lines().count(), 1, "{text}");
        let (status, _, text) = csv(&s, "/exports/ledger.csv?from=2026-02-01&to=2026-01-01").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        for bad in ["to=", "from=2026-1-1", "from=%202026-01-01"] {
            let (status, _, text) = csv(&s, &format!("/exports/ledger.csv?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {text}");
        }
        s
    })
    .await;
}

/// Peak resident memory of a process so far (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test]
async fn a_million_ledger_entries_export_in_constant_memory() {
    use futures_util::StreamExt;
    const ENTRIES: i64 = 1_000_000;

    let dir = std::env::temp_dir().join(format!("tally-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("big.db").display());
    let db = tally_server::db::Db::connect(&url).await.expect("migrate");
    let shop = tally_server::shops::new_shop_id();
    let key = tally_server::shops::new_secret_key();
    tally_server::shops::upsert_shop(
        &db,
        &tally_server::shops::NewShop {
            id: &shop,
            name: "Big",
            currency: "USD",
            locale: "en",
            secret_key: &key,
            rules: &new_test_program(),
            allowed_origins: &[],
        },
    )
    .await
    .expect("shop");
    sqlx::query(
        "INSERT INTO customers (shop_id, customer_id, referral_code, created_at, updated_at)
         VALUES ($1, 'big', 'BIGREF', 0, 0)",
    )
    .bind(&shop)
    .execute(&db.pool)
    .await
    .expect("customer");
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ENTRIES})
         INSERT INTO ledger_entries
           (shop_id, customer_pk, kind, points, balance_after, description, reference, created_at)
         SELECT $1, (SELECT id FROM customers WHERE customer_id = 'big'), 'earn', 10, i * 10,
                'Order #' || i, 'order:' || i, 1764547200000 + i * 1000 FROM n"
    ))
    .bind(&shop)
    .execute(&db.pool)
    .await
    .expect("a million entries");
    db.pool.close().await;

    let (child, base) = common::binary::start_server(&url).await.expect("server");
    let pid = child.id().expect("pid");
    let http = reqwest::Client::new();
    let get = |path: String| {
        http.get(format!("{base}/v1/shops/{shop}{path}"))
            .bearer_auth(&key)
    };
    let (status, _) = send(get("/reports/summary".into())).await;
    assert_eq!(status, StatusCode::OK);
    let before = peak_rss_kib(pid);

    let response = get("/exports/ledger.csv".into())
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.bytes_stream();
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("a whole body");
        bytes += chunk.len();
        lines += chunk.iter().filter(|&&b| b == b'\n').count();
    }
    let after = peak_rss_kib(pid);
    println!(
        "exported {ENTRIES} ledger entries: {bytes} bytes; server peak RSS {before} KiB before, \
         {after} KiB after (+{} KiB)",
        after.saturating_sub(before)
    );
    assert_eq!(lines as i64, ENTRIES + 1, "the header and every entry");
    // The file is ~80 MB; a server that held it (or its rows) would grow by at least that much.
    assert!(
        after.saturating_sub(before) < 40 * 1024,
        "the export grew the server's peak memory by {} KiB",
        after - before
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Moves a customer's ledger entries of one kind to `when`, and the daily totals with them.
async fn backdate_kind(s: &TestServer, customer: &str, kind: &str, when: i64) {
    sqlx::query(
        "UPDATE ledger_entries SET created_at = $1 WHERE kind = $2
         AND customer_pk = (SELECT id FROM customers WHERE shop_id = $3 AND customer_id = $4)",
    )
    .bind(when)
    .bind(kind)
    .bind(&s.shop.id)
    .bind(customer)
    .execute(&s.db.pool)
    .await
    .expect("backdate the entries");
    rebuild_daily_totals(s).await;
}

#[tokio::test]
async fn insights_count_points_spent_within_90_days_referrals_and_the_nps_by_month() {
    on_every_backend(|s| async move {
        let now = chrono_free_now() * 1000;
        // Two members earn 350 stars (300 for the order, 50 for joining) 200 days ago; one spends 100 of
        // them 50 days later (soon), the other today (too late). A third earns today, after the cohort.
        for (customer, spent_at) in [("soon", now - 150 * DAY_MS), ("late", now)] {
            let order = format!("o-{customer}");
            assert_eq!(
                s.order(&order, customer, 30_000).await.0,
                StatusCode::CREATED
            );
            backdate(&s, &order, customer, now - 200 * DAY_MS).await;
            let (status, body) = s.redeem(customer, &format!("r-{customer}"), "5off").await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            backdate_kind(&s, customer, "redeem", spent_at).await;
        }
        assert_eq!(s.order("o-new", "new", 9_000).await.0, StatusCode::CREATED);

        // A friend's first order with the "soon" member's code.
        let code = s.me("soon").await["referral"]["code"].clone();
        let (status, body) = s
            .merchant(
                Method::POST,
                "/orders",
                Some(
                    json!({"order_id": "o-friend", "customer_id": "friend", "total_minor": 4_200,
                            "currency": "USD", "referral_code": code}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let (status, body) = s.merchant(Method::GET, "/reports/insights", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let soon = &body["redeemed_within_90_days"];
        assert_eq!(
            (soon["earned"].as_i64(), soon["redeemed"].as_i64()),
            (Some(700), Some(100)),
            "{body}"
        );
        let referrals = &body["referrals"];
        assert_eq!(referrals["completed"], 1, "{body}");
        assert_eq!(referrals["advocates"], 1);
        assert_eq!(referrals["friends_revenue_minor"], 4_200);
        let me = s.me("soon").await;
        assert_eq!(
            referrals["advocate_points"], me["referral"]["points_earned"],
            "{me}"
        );

        // Twelve months, oldest first, this month last; no answers yet.
        let months = body["nps_by_month"].as_array().expect("months");
        assert_eq!(months.len(), 12);
        let this_month = tally_core::timeseries::format_date(tally_core::timeseries::period_start(
            tally_core::timeseries::Interval::Month,
            now / DAY_MS,
        ));
        assert_eq!(months[11]["start"], this_month.as_str());
        assert!(months.iter().all(|m| m["responses"] == 0));
        assert_eq!(body["latest_comments"], json!([]));

        // With the feedback question on: a promoter this month, a detractor moved to last month.
        let mut rules = tally_core::demo::coffee_club_program();
        rules.referral.landing_url = "https://coffee.example/".into();
        let update = serde_json::to_value(tally_core::ProgramUpdate {
            rules,
            allowed_origins: vec![ORIGIN.into()],
        })
        .expect("json");
        assert_eq!(
            s.merchant(Method::PUT, "/program", Some(update)).await.0,
            StatusCode::OK
        );
        for (customer, score, comment) in [("soon", 10, "Lovely beans"), ("late", 3, "Too slow")] {
            let (status, body) = send(
                s.shopper(Method::POST, "/me/feedback", customer)
                    .header("Idempotency-Key", format!("f-{customer}"))
                    .json(&json!({"score": score, "comment": comment})),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let last_month_day = tally_core::timeseries::period_start(
            tally_core::timeseries::Interval::Month,
            now / DAY_MS,
        ) - 1;
        sqlx::query(
            "UPDATE feedback SET created_at = $1 WHERE customer_pk =
             (SELECT id FROM customers WHERE shop_id = $2 AND customer_id = 'late')",
        )
        .bind(last_month_day * DAY_MS + 3_600_000)
        .bind(&s.shop.id)
        .execute(&s.db.pool)
        .await
        .expect("backdate the answer");
        let (_, body) = s.merchant(Method::GET, "/reports/insights", None).await;
        let months = body["nps_by_month"].as_array().expect("months");
        assert_eq!(
            (&months[11]["score"], &months[11]["responses"]),
            (&json!(100), &json!(1)),
            "{body}"
        );
        assert_eq!(
            (&months[10]["score"], &months[10]["responses"]),
            (&json!(-100), &json!(1)),
            "{body}"
        );
        let comments: Vec<_> = body["latest_comments"]
            .as_array()
            .expect("comments")
            .iter()
            .map(|c| {
                (
                    c["customer_id"].clone(),
                    c["score"].clone(),
                    c["comment"].clone(),
                )
            })
            .collect();
        assert_eq!(
            comments,
            vec![
                (json!("soon"), json!(10), json!("Lovely beans")),
                (json!("late"), json!(3), json!("Too slow")),
            ]
        );
        s
    })
    .await;
}
