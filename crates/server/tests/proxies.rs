//! The rate limit behind a reverse proxy: whose bucket a request takes, over real HTTP. The test client
//! connects from 127.0.0.1, which each test trusts or not.

mod common;

use common::*;
use reqwest::StatusCode;
use tally_server::http::layers::parse_trusted_proxies;
use tally_server::Limits;

/// Two requests per client, then 429 for a long while.
fn limits(trusted: &str) -> Limits {
    Limits {
        rate_burst: 2.0,
        rate_per_second: 0.01,
        trusted_proxies: parse_trusted_proxies(trusted).expect("valid CIDRs"),
        ..Limits::default()
    }
}

async fn program_with(s: &TestServer, header: &str, value: &str) -> StatusCode {
    s.http
        .get(s.shop_url("/program"))
        .header(header, value)
        .send()
        .await
        .expect("send")
        .status()
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_does_not_change_the_bucket() {
    on_every_backend_with(limits("10.0.0.0/8"), |s| async move {
        assert_eq!(
            program_with(&s, "X-Forwarded-For", "198.51.100.1").await,
            StatusCode::OK
        );
        assert_eq!(
            program_with(&s, "X-Forwarded-For", "198.51.100.2").await,
            StatusCode::OK
        );
        assert_eq!(
            program_with(&s, "X-Forwarded-For", "198.51.100.3").await,
            StatusCode::TOO_MANY_REQUESTS,
            "127.0.0.1 is not a trusted proxy: its headers are ignored and its bucket is empty"
        );
        assert_eq!(
            program_with(&s, "Forwarded", "for=198.51.100.4").await,
            StatusCode::TOO_MANY_REQUESTS,
            "nor does Forwarded help"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_two_clients_get_separate_buckets() {
    on_every_backend_with(limits("127.0.0.1/32"), |s| async move {
        for _ in 0..2 {
            assert_eq!(
                program_with(&s, "X-Forwarded-For", "198.51.100.1").await,
                StatusCode::OK
            );
        }
        assert_eq!(
            program_with(&s, "X-Forwarded-For", "198.51.100.1").await,
            StatusCode::TOO_MANY_REQUESTS,
            "the first client has used its burst"
        );
        assert_eq!(
            program_with(&s, "X-Forwarded-For", "198.51.100.2").await,
            StatusCode::OK,
            "the second client has its own bucket"
        );
        assert_eq!(
            program_with(&s, "Forwarded", "for=\"[2001:db8::7]:4711\"").await,
            StatusCode::OK,
            "a third one, named by Forwarded"
        );
        s
    })
    .await;
}

#[tokio::test]
async fn the_client_is_the_rightmost_hop_that_is_not_a_trusted_proxy() {
    on_every_backend_with(limits("127.0.0.1/32, 10.0.0.0/8"), |s| async move {
        // What the shopper writes (leftmost) changes nothing; the inner proxy (10.x) is skipped.
        let chains = [
            "6.6.6.6, 198.51.100.1, 10.0.0.5",
            "7.7.7.7, 198.51.100.1, 10.0.0.6",
        ];
        assert_eq!(
            program_with(&s, "X-Forwarded-For", chains[0]).await,
            StatusCode::OK
        );
        assert_eq!(
            program_with(&s, "X-Forwarded-For", chains[1]).await,
            StatusCode::OK
        );
        assert_eq!(
            program_with(&s, "X-Forwarded-For", "198.51.100.1").await,
            StatusCode::TOO_MANY_REQUESTS,
            "all three are 198.51.100.1"
        );
        assert_eq!(
            program_with(
                &s,
                "X-Forwarded-For",
                "198.51.100.1, 198.51.100.9, 10.0.0.5"
            )
            .await,
            StatusCode::OK,
            "198.51.100.9 is the hop our proxies saw"
        );
        s
    })
    .await;
}
