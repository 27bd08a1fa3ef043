//! The demo storefront: a coffee shop's pages embedding the widget with one script tag, signed for the
//! shopper the query names (`?customer=…`, `?guest=1`), as a shop's back end would sign it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tally_core::CustomerId;

use super::{SECRET_KEY, SHOPPER, SHOP_ID, SHOP_NAME};
use crate::clock::now_secs;

struct Storefront {
    bound: SocketAddr,
}

/// The storefront's pages, for the server bound at `bound`.
pub fn pages<S: Clone + Send + Sync + 'static>(bound: SocketAddr) -> Router<S> {
    Router::new()
        .route("/", get(storefront_page))
        .route("/rewards", get(rewards_page))
        .route("/account/login", get(login_page))
        .route("/account/register", get(register_page))
        .with_state(Arc::new(Storefront { bound }))
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Signs a shopper token for the demo shop, as a shop's back end would.
pub fn sign(customer_id: &str, timestamp: i64) -> String {
    tally_core::token::sign(SECRET_KEY.as_bytes(), SHOP_ID, customer_id, timestamp)
}

/// The one script tag, signed now for the shopper the query names (or the demo shopper, or none).
fn script_tag(
    site: &Storefront,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    mode: &str,
) -> Result<String, &'static str> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| site.bound.to_string(), str::to_owned);
    let mut attrs = format!(
        r#"data-shop="{}" data-api="http://{}""#,
        escape_html(SHOP_ID),
        escape_html(&host)
    );
    let guest = query.get("guest").is_some_and(|v| v != "0");
    if !guest {
        let customer = query.get("customer").map_or(SHOPPER, String::as_str);
        if CustomerId::parse(customer).is_err() {
            return Err("customer: 1 to 128 printable ASCII characters");
        }
        let timestamp = now_secs();
        attrs.push_str(&format!(
            r#" data-customer="{}" data-timestamp="{timestamp}" data-signature="{}""#,
            escape_html(customer),
            sign(customer, timestamp)
        ));
    }
    attrs.push_str(r#" data-locale="en""#);
    match mode {
        "inline" => attrs.push_str(r##" data-mode="inline" data-target="#rewards""##),
        _ => attrs.push_str(r#" data-mode="launcher""#),
    }
    attrs.push_str(r#" data-login-url="/account/login" data-signup-url="/account/register""#);
    Ok(format!(
        r#"<script src="/widget/tally.js" defer {attrs}></script>"#
    ))
}

/// The storefront's page: a template with `{{title}}`, `{{shop_name}}`, `{{body}}` and `{{script_tag}}`.
const PAGE: &str = include_str!("storefront.html");

fn page(title: &str, body: &str, tag: &str) -> Html<String> {
    Html(
        PAGE.replace("{{title}}", &escape_html(title))
            .replace("{{shop_name}}", &escape_html(SHOP_NAME))
            .replace("{{body}}", body)
            .replace("{{script_tag}}", tag),
    )
}

const PRODUCTS: &[(&str, &str, &str, &str)] = &[
    (
        "House Blend",
        "Chocolate, hazelnut, a soft finish. 250 g.",
        "$14.00",
        "#7b4a2a",
    ),
    (
        "Ethiopia Yirgacheffe",
        "Jasmine, bergamot and lemon. 250 g.",
        "$18.50",
        "#c08a3e",
    ),
    (
        "Colombia Huila",
        "Red apple, caramel, round body. 250 g.",
        "$16.00",
        "#99552f",
    ),
    (
        "Decaf Swiss Water",
        "Cocoa and dried fruit, no caffeine. 250 g.",
        "$15.00",
        "#5c3b28",
    ),
];

async fn storefront_page(
    State(site): State<Arc<Storefront>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let tag = match script_tag(&site, &headers, &query, "launcher") {
        Ok(tag) => tag,
        Err(problem) => {
            return (StatusCode::BAD_REQUEST, Html(escape_html(problem))).into_response()
        }
    };
    let products: String = PRODUCTS
        .iter()
        .map(|(name, notes, price, color)| {
            format!(
                r#"<div class="product"><div class="swatch" style="background:{color}"></div><h3>{}</h3><p>{}</p><p class="price">{}</p><button type="button">Add to cart</button></div>"#,
                escape_html(name),
                escape_html(notes),
                escape_html(price)
            )
        })
        .collect();
    let body = format!(
        r#"<section class="hero"><h1>Fresh roasted, sent the same week.</h1>
<p>Earn a star for every dollar, climb to Silver and Gold, and trade your stars for free coffee.</p></section>
<section class="products">{products}</section>"#
    );
    page("Shop", &body, &tag).into_response()
}

async fn rewards_page(
    State(site): State<Arc<Storefront>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let tag = match script_tag(&site, &headers, &query, "inline") {
        Ok(tag) => tag,
        Err(problem) => {
            return (StatusCode::BAD_REQUEST, Html(escape_html(problem))).into_response()
        }
    };
    let body = r#"<main class="page"><h1>Tally Coffee Rewards</h1>
<p>Your stars, your tier and the rewards you can have today.</p>
<div id="rewards"></div></main>"#;
    page("Rewards", body, &tag).into_response()
}

async fn login_page() -> Html<String> {
    page(
        "Sign in",
        r#"<main class="page"><h1>Sign in</h1><p>This is a placeholder: the demo shop has no accounts.</p><p><a href="/">Back to the shop</a></p></main>"#,
        "",
    )
}

async fn register_page() -> Html<String> {
    page(
        "Create an account",
        r#"<main class="page"><h1>Create an account</h1><p>This is a placeholder: the demo shop has no accounts.</p><p><a href="/">Back to the shop</a></p></main>"#,
        "",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_tokens_match_the_test_vector_of_the_signing_guide() {
        // docs/signing-shopper-tokens.md, "Check your implementation".
        assert_eq!(
            sign("demo-shopper", 1_795_430_852),
            "3c6c1279f22b77e2d1e3f5dca1b1255826d5a56c5e2bed57a194ce2ba69fb806"
        );
    }

    #[test]
    fn html_escaping_covers_tags_quotes_and_ampersands() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }
}
