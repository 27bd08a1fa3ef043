//! `tally-server demo`: the Tally Coffee Roasters shop with a shopper who has a history ([`seed`]), a
//! storefront page embedding the widget with one script tag ([`storefront`]), and the built widget under
//! `/widget/`, all beside the API on one origin.

pub mod seed;
pub mod storefront;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower::Layer;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub use seed::seed;
pub use storefront::{escape_html, sign};

use crate::error::{AppError, AppResult};
use crate::{http, jobs, server, AppState, Db, Limits};

pub const SHOP_ID: &str = "demo-coffee";
pub const SHOP_NAME: &str = "Tally Coffee Roasters";
/// Public on purpose: it is a demo.
pub const SECRET_KEY: &str = "sk_demo_tally_coffee_not_secret";
/// The demo's console sign-in, an owner of the demo shop; public on purpose too.
pub const OWNER_EMAIL: &str = "owner@demo-coffee.test";
pub const OWNER_PASSWORD: &str = "demo-owner-not-secret";
pub const SHOPPER: &str = "demo-shopper";
const FRIEND: &str = "demo-friend";

pub async fn run(
    addr: SocketAddr,
    database_url: &str,
    widget_dir: PathBuf,
    console_dir: PathBuf,
    limits: Limits,
    webhooks: crate::webhooks::WebhookConfig,
    jobs_interval: std::time::Duration,
) -> AppResult<()> {
    let db = Db::connect(database_url).await?;
    let listener = server::bind(addr).await?;
    let port = listener
        .local_addr()
        .map_err(|e| AppError::internal(format!("local address: {e}")))?
        .port();
    seed(&db, port).await?;
    let bound = server::announce(&listener)?;
    if !widget_dir.join("tally.js").exists() {
        tracing::warn!(dir = %widget_dir.display(), "no tally.js in the widget directory; build the widget first");
    }
    println!("Demo storefront: http://{bound}/  (rewards page: http://{bound}/rewards)");
    println!("console: http://{bound}/console/ (sign in as {OWNER_EMAIL} / {OWNER_PASSWORD})");
    println!("Demo shop id: {SHOP_ID}   secret key: {SECRET_KEY}");
    let state = AppState::new(db, limits)
        .listening_on(bound)
        .with_webhooks(webhooks)
        .with_jobs(jobs_interval);
    let worker = crate::webhooks::worker::spawn(state.db.clone(), state.webhooks.clone());
    let scheduler = jobs::start(state.clone());
    let router = router_with_console(state, widget_dir, console_dir, bound);
    let served = server::serve(listener, router, server::shutdown_signal()).await;
    scheduler.stop().await;
    worker.stop().await;
    served.map_err(|e| AppError::internal(format!("server: {e}")))
}

/// The API plus the storefront pages and the widget files (and the console from its default place).
pub fn router(state: AppState, widget_dir: PathBuf, bound: SocketAddr) -> Router {
    router_with_console(
        state,
        widget_dir,
        PathBuf::from(crate::console::DEFAULT_DIR),
        bound,
    )
}

/// The API plus the storefront pages, the widget files and the console.
pub fn router_with_console(
    state: AppState,
    widget_dir: PathBuf,
    console_dir: PathBuf,
    bound: SocketAddr,
) -> Router {
    let routes = http::routes()
        .merge(crate::console::routes(console_dir))
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
        .merge(storefront::pages(bound));
    http::with_layers(routes, state)
}
