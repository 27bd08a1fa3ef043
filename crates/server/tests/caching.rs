//! The public program is cacheable: every page view of a shop asks for it, and it changes only when the
//! merchant saves a new one.

mod common;

use common::*;
use reqwest::{header, StatusCode};

#[tokio::test]
async fn the_program_carries_an_etag_that_revalidates_until_the_merchant_saves() {
    on_every_backend(|s| async move {
        let first = s
            .http
            .get(s.shop_url("/program"))
            .send()
            .await
            .expect("GET program");
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers().get(header::ETAG).expect("an ETag").clone();
        let cache_control = first
            .headers()
            .get(header::CACHE_CONTROL)
            .expect("Cache-Control")
            .clone();
        assert!(
            cache_control
                .to_str()
                .unwrap_or_default()
                .contains("max-age="),
            "{cache_control:?}"
        );

        let again = s
            .http
            .get(s.shop_url("/program"))
            .header(header::IF_NONE_MATCH, etag.clone())
            .send()
            .await
            .expect("revalidate");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert!(again.bytes().await.expect("body").is_empty());

        // The merchant renames the points: the old tag no longer matches.
        let (_, mut program) = send(s.http.get(s.shop_url("/program"))).await;
        let program = program.as_object_mut().expect("an object");
        program.remove("shop");
        program.insert(
            "points".into(),
            serde_json::json!({"singular": "bean", "plural": "beans"}),
        );
        program.insert("allowed_origins".into(), serde_json::json!([ORIGIN]));
        let (status, _) = send(
            s.http
                .put(s.shop_url("/program"))
                .bearer_auth(&s.shop.secret_key)
                .json(&program),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let changed = s
            .http
            .get(s.shop_url("/program"))
            .header(header::IF_NONE_MATCH, etag.clone())
            .send()
            .await
            .expect("revalidate after a change");
        assert_eq!(changed.status(), StatusCode::OK);
        assert_ne!(changed.headers().get(header::ETAG), Some(&etag));
        s
    })
    .await;
}
