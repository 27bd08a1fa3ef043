//! The shop's customer search (`GET …/customers?q=`) over real HTTP on every backend, as the contract
//! has it: an exact customer id, an email in any case, a phone in any usual spelling, or any part of a
//! first name in any case; newest enrolled first, a page at a time. The name part is answered from an
//! index of name pieces the server keeps (migration 0008), so these tests also hold it to every way a
//! name is written: PATCH, a rename, an import, and names stored before the index existed.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn patch(s: &TestServer, customer: &str, body: Value) {
    let (status, body) = s
        .merchant(Method::PATCH, &format!("/customers/{customer}"), Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// One page of the search: its customer ids, and its `next` cursor.
async fn search(s: &TestServer, query: &str) -> (Vec<String>, Option<String>) {
    let (status, page) = s
        .merchant(Method::GET, &format!("/customers?{query}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let ids = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["customer_id"].as_str().expect("customer_id").to_owned())
        .collect();
    (ids, page["next"].as_str().map(str::to_owned))
}

/// The ids that `q` finds (first page), `q` percent-encoded here.
async fn found(s: &TestServer, q: &str) -> Vec<String> {
    let q: String = url_encode(q);
    search(s, &format!("q={q}")).await.0
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Enrols `(customer id, first name)` in order, so the last one is the newest.
async fn enrol(s: &TestServer, people: &[(&str, &str)]) {
    for (id, name) in people {
        patch(s, id, json!({ "first_name": name })).await;
    }
}

#[tokio::test]
async fn any_part_of_a_first_name_finds_it_in_any_case_whatever_its_length() {
    on_every_backend(|s| async move {
        enrol(
            &s,
            &[
                ("c-ada", "Ada"),
                ("c-emile", "Émile"),
                ("c-zoe", "Zoë"),
                ("c-annabel", "Annabel"),
                ("c-adam", "Adam"),
                ("c-tara", "Tara Ras"),
            ],
        )
        .await;
        assert_eq!(found(&s, "ADA").await, ["c-adam", "c-ada"], "newest first");
        assert_eq!(found(&s, "b").await, ["c-annabel"], "one character");
        assert_eq!(found(&s, "Oë").await, ["c-zoe"], "two characters");
        assert_eq!(found(&s, "ÉMI").await, ["c-emile"], "folded beyond ASCII");
        assert_eq!(found(&s, "émile").await, ["c-emile"]);
        assert_eq!(found(&s, "NNABE").await, ["c-annabel"], "inside, long");
        assert_eq!(found(&s, "a r").await, ["c-tara"], "spaces are characters");
        // "Tara Ras" has every trigram of "aras" ("ara", "ras") but not "aras" itself.
        assert_eq!(found(&s, "aras").await, Vec::<String>::new());
        assert_eq!(found(&s, "adax").await, Vec::<String>::new());
        assert_eq!(found(&s, "%").await, Vec::<String>::new(), "no wildcard");
        assert_eq!(found(&s, "a_a").await, Vec::<String>::new(), "no wildcard");
        s
    })
    .await;
}

#[tokio::test]
async fn ids_are_exact_emails_any_case_and_phones_any_spelling() {
    on_every_backend(|s| async move {
        patch(
            &s,
            "c-grace",
            json!({"first_name": "Grace", "email": "Grace.Hopper@Example.com", "phone": "+1 (201) 555-0142"}),
        )
        .await;
        patch(&s, "c-grace-2", json!({"first_name": "Ida"})).await;
        assert_eq!(found(&s, "c-grace").await, ["c-grace"], "an id is exact");
        assert_eq!(found(&s, "c-grac").await, Vec::<String>::new());
        assert_eq!(
            found(&s, "GRACE.HOPPER@example.COM").await,
            ["c-grace"],
            "an email in any case"
        );
        assert_eq!(found(&s, "hopper@example.com").await, Vec::<String>::new());
        assert_eq!(found(&s, "201.555.0142").await, ["c-grace"]);
        assert_eq!(found(&s, "(201) 555-0142").await, ["c-grace"]);
        s
    })
    .await;
}

#[tokio::test]
async fn a_search_pages_newest_first_through_name_and_id_matches_alike() {
    on_every_backend(|s| async move {
        enrol(
            &s,
            &[
                ("c1", "Anna"),
                ("c2", "Bob"),
                ("c3", "Joanna"),
                // Found by its id, not its name.
                ("anna", "Zed"),
                ("c5", "Hannah"),
                ("c6", "Anneliese"),
                ("c7", "Sue"),
                ("c8", "Susanna"),
                ("c9", "Annalisa"),
            ],
        )
        .await;
        let mut pages = Vec::new();
        let mut query = "q=anna&limit=2".to_owned();
        loop {
            let (ids, next) = search(&s, &query).await;
            pages.push(ids);
            match next {
                Some(cursor) => query = format!("q=anna&limit=2&before={cursor}"),
                None => break,
            }
        }
        assert_eq!(
            pages,
            [vec!["c9", "c8"], vec!["c5", "anna"], vec!["c3", "c1"]]
        );
        s
    })
    .await;
}

#[tokio::test]
async fn a_renamed_customer_is_found_by_the_new_name_only() {
    on_every_backend(|s| async move {
        enrol(&s, &[("c1", "Grace")]).await;
        patch(&s, "c1", json!({"first_name": "Gwendolyn"})).await;
        assert_eq!(found(&s, "race").await, Vec::<String>::new());
        assert_eq!(found(&s, "g").await, ["c1"]);
        assert_eq!(found(&s, "wendo").await, ["c1"]);
        // The old name's pieces are gone, not merely filtered out: "gwendolyn" has 8 distinct letters,
        // 8 pairs and 7 trigrams.
        let pieces: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer_name_grams")
            .fetch_one(&s.db.pool)
            .await
            .expect("count the pieces");
        assert_eq!(pieces, 23);
        patch(&s, "c1", json!({"email": "g@example.com"})).await;
        assert_eq!(found(&s, "wendo").await, ["c1"], "the name stays indexed");
        s
    })
    .await;
}

#[tokio::test]
async fn an_imported_first_name_is_found() {
    on_every_backend(|s| async move {
        let url = s.shop_url("/imports/customers?format=tally");
        let (status, body) = send(
            s.http
                .post(url)
                .bearer_auth(&s.shop.secret_key)
                .header("content-type", "text/csv")
                .body("customer_id,first_name,balance\nc1,Marguerite,0\nc2,Margo,0\n"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(found(&s, "MARG").await, ["c2", "c1"]);
        assert_eq!(found(&s, "guerite").await, ["c1"]);
        s
    })
    .await;
}

#[tokio::test]
async fn names_stored_before_the_index_existed_are_indexed_at_start() {
    on_every_backend(|s| async move {
        enrol(&s, &[("c1", "Ada"), ("c2", "Émile")]).await;
        // As a database migrated to 0008 holds them: names, no folded names, no pieces.
        sqlx::raw_sql(
            "UPDATE customers SET first_name_folded = NULL; DELETE FROM customer_name_grams;",
        )
        .execute(&s.db.pool)
        .await
        .expect("forget the index");
        assert_eq!(found(&s, "émi").await, Vec::<String>::new());
        tally_server::db::customers::index_names(&s.db)
            .await
            .expect("index at start");
        assert_eq!(found(&s, "ÉMI").await, ["c2"]);
        assert_eq!(found(&s, "d").await, ["c1"]);
        s
    })
    .await;
}
