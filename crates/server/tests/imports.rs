//! Customer imports over real HTTP on every backend: the competitors' files, the dry run, idempotency
//! (the same file twice posts once), refused rows named by their physical line, and our own export
//! brought into another shop.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tally_core::imports::read_csv;

/// Posts a CSV file to the import endpoint of `shop` with its key.
async fn import_as(s: &TestServer, shop: &TestShop, query: &str, csv: &str) -> (StatusCode, Value) {
    let url = format!("{}/v1/shops/{}/imports/customers?{query}", s.base, shop.id);
    send(
        s.http
            .post(url)
            .bearer_auth(&shop.secret_key)
            .header("content-type", "text/csv")
            .body(csv.to_owned()),
    )
    .await
}

async fn import(s: &TestServer, query: &str, csv: &str) -> (StatusCode, Value) {
    import_as(s, &s.shop, query, csv).await
}

/// A customer's balance, or None when they are not enrolled.
async fn balance(s: &TestServer, customer: &str) -> Option<i64> {
    let (status, body) = s
        .merchant(Method::GET, &format!("/customers/{customer}"), None)
        .await;
    match status {
        StatusCode::OK => body["balance"].as_i64(),
        StatusCode::NOT_FOUND => None,
        other => panic!("GET customer: {other} {body}"),
    }
}

/// The customer's ledger entries, newest first, as (kind, points, description).
async fn entries(s: &TestServer, customer: &str) -> Vec<(String, i64, String)> {
    let (status, page) = s
        .merchant(
            Method::GET,
            &format!("/customers/{customer}/activity?limit=100"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_owned(),
                e["points"].as_i64().unwrap_or_default(),
                e["description"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The shop's customers.csv as records keyed by their header's names.
async fn exported(
    s: &TestServer,
    shop: &TestShop,
) -> Vec<std::collections::HashMap<String, String>> {
    let url = format!("{}/v1/shops/{}/exports/customers.csv", s.base, shop.id);
    let response = s
        .http
        .get(url)
        .bearer_auth(&shop.secret_key)
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("csv");
    let records = read_csv(&text).expect("our export is CSV");
    let header = records[0].fields.clone();
    records[1..]
        .iter()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.fields.iter().cloned())
                .collect()
        })
        .collect()
}

const SMILE: &str =
    "email,points\r\nAna@Example.com,120\r\nbob@example.com,0\r\ncarol@example.com,5000\r\n";

#[tokio::test]
async fn a_smile_file_imported_twice_sets_the_balances_once() {
    on_every_backend(|s| async move {
        let (status, first) = import(&s, "format=smile", SMILE).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["created"], 3, "{first}");
        assert_eq!(balance(&s, "ana@example.com").await, Some(120));
        assert_eq!(balance(&s, "bob@example.com").await, Some(0));
        assert_eq!(balance(&s, "carol@example.com").await, Some(5000));
        assert_eq!(
            entries(&s, "ana@example.com").await,
            vec![("adjust".to_owned(), 120, "Imported balance".to_owned())],
            "one entry, and no signup points for a member brought over"
        );

        // Points earned in Tally since are kept by a second run of the same file.
        let (status, order) = s.order("o-1", "ana@example.com", 1000).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let earned = balance(&s, "ana@example.com").await.expect("ana") - 120;
        assert!(earned > 0);
        let before = entries(&s, "ana@example.com").await.len();

        let (status, second) = import(&s, "format=smile", SMILE).await;
        assert_eq!(status, StatusCode::OK, "{second}");
        assert_eq!(
            (second["created"].as_i64(), second["updated"].as_i64()),
            (Some(0), Some(0))
        );
        assert_eq!(second["unchanged"], 3, "{second}");
        assert_eq!(balance(&s, "ana@example.com").await, Some(120 + earned));
        assert_eq!(entries(&s, "ana@example.com").await.len(), before);
        assert_eq!(entries(&s, "carol@example.com").await.len(), 1);

        let (status, audit) = s.merchant(Method::GET, "/audit?limit=100", None).await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let imported: Vec<&str> = audit["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|e| e["action"] == "customers.imported")
            .filter_map(|e| e["target"].as_str())
            .collect();
        assert!(
            imported.contains(&"smile file: 3 created, 0 updated, 0 unchanged"),
            "{imported:?}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_changed_balance_posts_only_the_difference() {
    on_every_backend(|s| async move {
        let (status, body) = import(&s, "format=smile", "email,points\na@x.co,300\n").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = import(&s, "format=smile", "email,points\na@x.co,250\n").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"][0]["action"], "update");
        assert_eq!(body["rows"][0]["changes"][0], "balance -50");
        assert_eq!(balance(&s, "a@x.co").await, Some(250));
        s
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_answers_row_by_row_and_changes_nothing() {
    on_every_backend(|s| async move {
        let (status, body) = import(&s, "format=smile&dry_run=true", SMILE).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["dry_run"], true);
        let rows = body["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["line"], 2);
        assert_eq!(rows[0]["customer_id"], "ana@example.com");
        assert_eq!(rows[0]["action"], "create");
        assert_eq!(rows[0]["balance_after"], 120);
        assert_eq!(rows[2]["balance_after"], 5000);
        assert_eq!(balance(&s, "ana@example.com").await, None);
        s
    })
    .await;
}

#[tokio::test]
async fn malformed_rows_are_refused_with_their_physical_lines_and_nothing_is_imported() {
    on_every_backend(|s| async move {
        // The quoted name spans lines 2 and 3, so the rows after it start on lines 4, 5, 6 and 7.
        let csv = "Email,First Name,Points Balance\n\
                   ok@example.com,\"Ann\nMarie\",10\n\
                   not-an-email,Bo,5\n\
                   c@example.com,Cy,\"1,200\"\n\
                   d@example.com,Di,-4\n\
                   e@example.com,Ed,7\n";
        let (status, body) = import(&s, "format=yotpo", csv).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        for expected in [
            "line 4: email",
            "line 5: points balance",
            "line 6: points balance",
        ] {
            assert!(message.contains(expected), "{expected} in {message}");
        }
        assert!(
            !message.contains("line 2") && !message.contains("line 7"),
            "{message}"
        );
        assert_eq!(
            balance(&s, "ok@example.com").await,
            None,
            "nothing half-imported"
        );
        assert_eq!(balance(&s, "e@example.com").await, None);

        let (status, dry) = import(&s, "format=yotpo&dry_run=true", csv).await;
        assert_eq!(status, StatusCode::OK, "{dry}");
        let actions: Vec<(i64, &str)> = dry["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| {
                (
                    r["line"].as_i64().unwrap_or(0),
                    r["action"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            actions,
            vec![
                (2, "create"),
                (4, "error"),
                (5, "error"),
                (6, "error"),
                (7, "create")
            ]
        );
        assert_eq!(dry["errors"], 3);
        s
    })
    .await;
}

#[tokio::test]
async fn an_unknown_format_or_a_missing_column_is_named() {
    on_every_backend(|s| async move {
        let (status, body) = import(&s, "format=stamped", SMILE).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.starts_with("format:"), "{message}");

        let (status, body) = import(&s, "format=smile", "email,balance\na@b.co,1\n").await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(
            message.contains("line 1") && message.contains("points"),
            "{message}"
        );
        assert!(
            message.contains("\"balance\""),
            "names the columns found: {message}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_yotpo_file_brings_names_and_birthdays_and_formula_looking_names_stay_text() {
    on_every_backend(|s| async move {
        let csv = "\u{feff}Email,First Name,Last Name,Points Balance,Points Spent,Birthday (MM/DD/YYYY)\r\n\
                   Zoe@Example.com,Zoe,Ng,40,10,07/04/1990\r\n\
                   q@example.com,\"=HYPERLINK(\"\"http://x\"\")\",Q,3,0,0\r\n";
        let (status, body) = import(&s, "format=yotpo", csv).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["created"], 2, "{body}");
        let rows = exported(&s, &s.shop).await;
        let zoe = rows
            .iter()
            .find(|r| r["customer_id"] == "zoe@example.com")
            .expect("zoe");
        assert_eq!(zoe["first_name"], "Zoe");
        assert_eq!(zoe["email"], "Zoe@Example.com");
        assert_eq!(zoe["birthday"], "07-04");
        assert_eq!(zoe["balance"], "40");
        let (status, q) = s.merchant(Method::GET, "/customers/q@example.com", None).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert_eq!(q["first_name"], "=HYPERLINK(\"http://x\")", "stored as text, as written");
        s
    })
    .await;
}

#[tokio::test]
async fn our_own_export_of_one_shop_imports_into_another() {
    on_every_backend(|s| async move {
        for (customer, order) in [("c-1", "o-1"), ("c-2", "o-2")] {
            let (status, body) = s.order(order, customer, 2500).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (status, body) = s
            .merchant(
                Method::PATCH,
                "/customers/c-1",
                Some(serde_json::json!({"first_name": "-Dash", "birthday": "12-31"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let source = exported(&s, &s.shop).await;
        let url = format!("{}/v1/shops/{}/exports/customers.csv", s.base, s.shop.id);
        let csv = s
            .http
            .get(url)
            .bearer_auth(&s.shop.secret_key)
            .send()
            .await
            .expect("export")
            .text()
            .await
            .expect("csv");

        let other = s.create_shop("Other", &[]).await;
        let (status, body) = import_as(&s, &other, "format=tally", &csv).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let copied = exported(&s, &other).await;
        for row in &source {
            let copy = copied
                .iter()
                .find(|c| c["customer_id"] == row["customer_id"])
                .expect("every customer copied");
            for column in ["first_name", "birthday", "balance", "referral_code"] {
                assert_eq!(
                    copy[column], row[column],
                    "{column} of {}",
                    row["customer_id"]
                );
            }
        }
        // The export guards "-Dash" as "'-Dash"; the import takes the guard off again.
        let url = format!("{}/v1/shops/{}/customers/c-1", s.base, other.id);
        let (status, c1) = send(s.http.get(url).bearer_auth(&other.secret_key)).await;
        assert_eq!(status, StatusCode::OK, "{c1}");
        assert_eq!(c1["first_name"], "-Dash");
        let (status, again) = import_as(&s, &other, "format=tally", &csv).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(
            again["unchanged"].as_i64(),
            Some(source.len() as i64),
            "{again}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn the_import_is_in_the_openapi_document_as_a_merchant_route() {
    on_every_backend(|s| async move {
        let (status, doc) = send(s.http.get(s.url("/openapi.json"))).await;
        assert_eq!(status, StatusCode::OK);
        let op = &doc["paths"]["/v1/shops/{shop_id}/imports/customers"]["post"];
        assert_eq!(op["tags"][0], "merchant", "{op}");
        assert!(op["requestBody"]["content"]["text/csv"].is_object(), "{op}");
        s
    })
    .await;
}

#[tokio::test]
async fn referral_codes_are_imported_in_capitals_and_a_taken_one_refuses_its_row() {
    on_every_backend(|s| async move {
        let csv = "email,points,referral_code\nann@example.com,10,ann-10\n";
        let (status, body) = import(&s, "format=loyaltylion", csv).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows = exported(&s, &s.shop).await;
        let ann = rows
            .iter()
            .find(|r| r["customer_id"] == "ann@example.com")
            .expect("ann");
        assert_eq!(ann["referral_code"], "ANN-10");

        // Another customer with Ann's code, and two rows sharing one new code.
        let csv = "email,points,referral_code\n\
                   bo@example.com,1,ANN-10\n\
                   cy@example.com,1,SHARED\n\
                   di@example.com,1,shared\n";
        let (status, dry) = import(&s, "format=loyaltylion&dry_run=true", csv).await;
        assert_eq!(status, StatusCode::OK, "{dry}");
        let actions: Vec<&str> = dry["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["action"].as_str().unwrap_or(""))
            .collect();
        assert_eq!(actions, vec!["error", "create", "error"], "{dry}");
        let (status, body) = import(&s, "format=loyaltylion", csv).await;
        let message = assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(message.contains("line 2: referral code"), "{message}");
        assert!(
            message.contains("line 4: referral code: line 3"),
            "{message}"
        );
        assert_eq!(
            balance(&s, "cy@example.com").await,
            None,
            "nothing imported"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn two_runs_of_one_file_at_once_post_each_balance_once() {
    on_every_backend(|s| async move {
        let (a, b) = tokio::join!(
            import(&s, "format=smile", SMILE),
            import(&s, "format=smile", SMILE)
        );
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
        assert_eq!(b.0, StatusCode::OK, "{}", b.1);
        assert_eq!(balance(&s, "carol@example.com").await, Some(5000));
        assert_eq!(entries(&s, "carol@example.com").await.len(), 1);
        s
    })
    .await;
}

#[tokio::test]
async fn a_tier_column_is_reported_and_never_turned_into_points() {
    on_every_backend(|s| async move {
        // The test program's tiers follow spend (bronze, silver, gold).
        let csv = "email,points,tier\nt@example.com,5,Gold\nu@example.com,5,platinum\n";
        let (status, dry) = import(&s, "format=loyaltylion&dry_run=true", csv).await;
        assert_eq!(status, StatusCode::OK, "{dry}");
        let note = dry["rows"][0]["note"].as_str().unwrap_or_default();
        assert!(note.starts_with("tier gold not imported"), "{dry}");
        assert_eq!(dry["rows"][0]["balance_after"], 5, "no points for the tier");
        assert_eq!(dry["rows"][1]["action"], "error");
        assert!(
            dry["rows"][1]["message"]
                .as_str()
                .unwrap_or_default()
                .starts_with("line 3: tier:"),
            "{dry}"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn an_import_may_run_past_the_servers_usual_time_limit() {
    let limits = tally_server::Limits {
        request_timeout: std::time::Duration::from_secs(1),
        ..generous_limits()
    };
    on_every_backend_with(limits, |s| async move {
        // One durable commit per row: 300 rows take longer than a second.
        let mut csv = String::from("email,points\n");
        for i in 0..300 {
            csv.push_str(&format!("c{i}@example.com,{i}\n"));
        }
        let (status, body) = import(&s, "format=smile", &csv).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["created"], 300);
        assert_eq!(balance(&s, "c299@example.com").await, Some(299));
        s
    })
    .await;
}
