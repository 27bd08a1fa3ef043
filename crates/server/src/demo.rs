//! `tally-server demo`: the Tally Coffee Roasters shop with a shopper who has a history, a storefront
//! page embedding the widget with one script tag, and the built widget under `/widget/`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tally_core::api::*;
use tower::Layer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::clock::{now_ms, now_secs, DAY_MS};
use crate::error::{AppError, AppResult};
use crate::{ledger, shops, AppState, Db, Limits};

pub const SHOP_ID: &str = "demo-coffee";
pub const SHOP_NAME: &str = "Tally Coffee Roasters";
/// Public on purpose: it is a demo.
pub const SECRET_KEY: &str = "sk_demo_tally_coffee_not_secret";
pub const SHOPPER: &str = "demo-shopper";
const FRIEND: &str = "demo-friend";

pub async fn run(
    addr: SocketAddr,
    database_url: &str,
    widget_dir: PathBuf,
    limits: Limits,
    webhooks: crate::webhooks::WebhookConfig,
) -> AppResult<()> {
    let db = Db::connect(database_url).await?;
    let listener = crate::cli::bind(addr).await?;
    let port = listener
        .local_addr()
        .map_err(|e| AppError::internal(format!("local address: {e}")))?
        .port();
    seed(&db, port).await?;
    let bound = crate::cli::announce(&listener)?;
    if !widget_dir.join("tally.js").exists() {
        tracing::warn!(dir = %widget_dir.display(), "no tally.js in the widget directory; build the widget first");
    }
    println!("Demo storefront: http://{bound}/  (rewards page: http://{bound}/rewards)");
    println!("Demo shop id: {SHOP_ID}   secret key: {SECRET_KEY}");
    let state = AppState::new(db, limits).with_webhooks(webhooks);
    let worker = crate::webhooks::worker::spawn(state.db.clone(), state.webhooks.clone());
    let router = router(state, widget_dir, bound);
    let served = crate::serve(listener, router, crate::cli::shutdown_signal()).await;
    worker.stop().await;
    served.map_err(|e| AppError::internal(format!("server: {e}")))
}

/// The demo shop's program, with this port in its origins and landing URL.
fn demo_program(port: u16) -> (ProgramRules, Vec<String>) {
    let mut rules = tally_core::demo::coffee_program();
    rules.referral.landing_url = format!("http://127.0.0.1:{port}/");
    let origins = vec![
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ];
    (rules, origins)
}

/// Seeds the shop, its program and the demo shopper's history. Safe on every start: every write
/// carries a fixed idempotency key, so a second start changes nothing but the origins.
pub async fn seed(db: &Db, port: u16) -> AppResult<()> {
    let (rules, origins) = demo_program(port);
    shops::upsert_shop(
        db,
        &shops::NewShop {
            id: SHOP_ID,
            name: SHOP_NAME,
            currency: "USD",
            locale: "en",
            secret_key: SECRET_KEY,
            rules: &rules,
            allowed_origins: &origins,
        },
    )
    .await?;
    let shop = shops::ShopCache::default().require(db, SHOP_ID).await?;
    let now = now_ms();
    let ago = |days: i64| now - days * DAY_MS;
    let order =
        |id: &str, customer: &str, total_minor: i64, referral_code: Option<String>| OrderRequest {
            order_id: id.into(),
            customer_id: customer.into(),
            total_minor,
            currency: "USD".into(),
            referral_code,
        };
    let shopper_orders = [
        (345, "demo-order-1001", 12_000),
        (300, "demo-order-1002", 6_500),
        (200, "demo-order-1003", 5_850),
        (120, "demo-order-1004", 7_200),
        (60, "demo-order-1005", 4_500),
        (14, "demo-order-1006", 3_800),
        (5, "demo-order-1007", 5_200),
        (2, "demo-order-1008", 1_850),
    ];
    for (days, id, total) in &shopper_orders[..2] {
        ledger::record_order(db, &shop, &order(id, SHOPPER, *total, None), ago(*days)).await?;
    }
    // Spends the signup lot and part of the first order's, which then expires within 30 days.
    let redemption = RedemptionRequest {
        reward_id: "5off".into(),
    };
    ledger::redeem(
        db,
        &shop,
        SHOPPER,
        "demo-redemption-1",
        &redemption,
        ago(240),
    )
    .await?;
    let (days, id, total) = shopper_orders[2];
    ledger::record_order(db, &shop, &order(id, SHOPPER, total, None), ago(days)).await?;
    let refund = RefundRequest {
        refund_id: "demo-refund-1".into(),
        amount_minor: 2_000,
    };
    ledger::record_refund(db, &shop, id, &refund, ago(180)).await?;
    let birthday = ActivityRequest {
        rule_id: "birthday".into(),
        idempotency_key: "demo-birthday-1".into(),
    };
    ledger::award_activity(db, &shop, SHOPPER, &birthday, ago(150)).await?;
    let (days, id, total) = shopper_orders[3];
    ledger::record_order(db, &shop, &order(id, SHOPPER, total, None), ago(days)).await?;
    let adjustment = AdjustmentRequest {
        points: 25,
        reason: "Sorry your beans arrived late".into(),
        idempotency_key: "demo-adjustment-1".into(),
    };
    ledger::adjust(db, &shop, SHOPPER, &adjustment, ago(90)).await?;
    let (days, id, total) = shopper_orders[4];
    ledger::record_order(db, &shop, &order(id, SHOPPER, total, None), ago(days)).await?;

    // A friend joins through Ada's link.
    let code: String = sqlx::query_scalar(
        "SELECT referral_code FROM customers WHERE shop_id = $1 AND customer_id = $2",
    )
    .bind(SHOP_ID)
    .bind(SHOPPER)
    .fetch_one(&db.pool)
    .await?;
    let friend_order = order("demo-order-2001", FRIEND, 3_000, Some(code));
    ledger::record_order(db, &shop, &friend_order, ago(30)).await?;

    for (days, id, total) in &shopper_orders[5..] {
        ledger::record_order(db, &shop, &order(id, SHOPPER, *total, None), ago(*days)).await?;
    }
    let profile = CustomerUpdate {
        first_name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        birthday: Some("12-10".into()),
    };
    ledger::update_customer(db, &shop, SHOPPER, &profile, now).await?;
    Ok(())
}

struct Storefront {
    bound: SocketAddr,
}

/// The API plus the storefront pages and the widget files.
pub fn router(state: AppState, widget_dir: PathBuf, bound: SocketAddr) -> Router {
    let site = Arc::new(Storefront { bound });
    let pages = Router::new()
        .route("/", get(storefront_page))
        .route("/rewards", get(rewards_page))
        .route("/account/login", get(login_page))
        .route("/account/register", get(register_page))
        .with_state(site);
    let routes = Router::new()
        .merge(crate::http::program::router())
        .merge(crate::http::me::router())
        .merge(crate::http::orders::router())
        .merge(crate::http::customers::router())
        .merge(crate::http::reports::router())
        .merge(crate::http::webhooks::router())
        .merge(crate::http::ops::router())
        // The theme playground: on the API's own origin, so it may call the merchant endpoints.
        .route_service(
            "/playground",
            ServeFile::new(widget_dir.join("playground.html")),
        )
        // Compressed as a CDN would serve it, so the demo (and bench/page) send what shoppers really get:
        // the release build's `.br`/`.gz` files when present, else compressed on the fly.
        .nest_service(
            "/widget",
            // Public files: a page on any origin may load them (the wasm and catalogs are fetched).
            SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            )
            .layer(
                CompressionLayer::new().layer(
                    ServeDir::new(widget_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
            ),
        )
        .merge(pages);
    crate::http::with_layers(routes, state)
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
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET_KEY.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(format!("{SHOP_ID}:{customer_id}:{timestamp}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
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
        if !tally_core::rules::is_valid_customer_id(customer) {
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

const STYLE: &str = r#"<style>
  :root { --ink: #2b1d14; --cream: #fbf6ef; --accent: #a0522d; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: Georgia, "Times New Roman", serif; color: var(--ink); background: var(--cream); }
  header { display: flex; justify-content: space-between; align-items: center; padding: 18px 32px; border-bottom: 1px solid #e6dccf; }
  header a { color: var(--ink); margin-left: 18px; text-decoration: none; font-family: system-ui, sans-serif; font-size: 15px; }
  .brand { font-size: 22px; font-weight: bold; letter-spacing: .5px; }
  .hero { padding: 56px 32px 24px; max-width: 960px; margin: 0 auto; }
  .hero h1 { font-size: 40px; margin: 0 0 12px; }
  .hero p { font-size: 18px; max-width: 560px; line-height: 1.5; }
  .products { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 24px; max-width: 960px; margin: 0 auto; padding: 24px 32px 56px; }
  .product { background: #fff; border: 1px solid #e6dccf; border-radius: 12px; padding: 20px; font-family: system-ui, sans-serif; }
  .swatch { height: 120px; border-radius: 8px; margin-bottom: 14px; }
  .product h3 { font-family: Georgia, serif; margin: 0 0 6px; }
  .price { color: var(--accent); font-weight: 600; }
  button { background: var(--ink); color: var(--cream); border: 0; border-radius: 999px; padding: 8px 16px; cursor: pointer; }
  main.page { max-width: 720px; margin: 0 auto; padding: 40px 32px; }
  footer { border-top: 1px solid #e6dccf; padding: 24px 32px; font-family: system-ui, sans-serif; font-size: 14px; color: #6b5a4c; text-align: center; }
</style>"#;

fn page(title: &str, body: &str, tag: &str) -> Html<String> {
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {SHOP_NAME}</title>
<link rel="icon" href="data:,">
{STYLE}
</head>
<body>
<header>
  <span class="brand">☕ {SHOP_NAME}</span>
  <nav><a href="/">Shop</a><a href="/rewards">Rewards</a><a href="/account/login">Sign in</a></nav>
</header>
{body}
<footer>© Tally Coffee Roasters · Small-batch coffee, roasted every Tuesday · This is a demo shop: nothing is for sale.</footer>
{tag}
</body>
</html>
"#,
        title = escape_html(title),
    ))
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
