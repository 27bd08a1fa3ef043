//! Serving the console (a Leptos app built by Trunk, `crates/console`) at `/console/`: its files from
//! `--console-dir`, the `.br`/`.gz` twins when present, `index.html` for every path without a file
//! extension (the app routes them), never cached stale (`no-cache`), and a strict Content-Security-Policy.
//! Without a build, `/console/` says how to make one.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::AppState;

/// Where `serve` and `demo` look for the built console unless told (`--console-dir`, `TALLY_CONSOLE_DIR`).
pub const DEFAULT_DIR: &str = "crates/console/dist";

/// The console's own scripts and wasm, its API on this origin, the widget preview in a same-origin
/// frame, inline styles (Leptos sets `style` attributes); nothing else.
pub const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     connect-src 'self'; frame-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

/// What `/console/` answers when the directory has no `index.html`.
const NOT_BUILT: &str = "The Tally console is not built yet.\n\n\
     Build it with `bash scripts/build-console` (its files go to crates/console/dist), or point \
     --console-dir (TALLY_CONSOLE_DIR) at a built copy, then reload this page.\n";

/// `/console` (redirected to `/console/`) and everything under `/console/`.
pub fn routes(dir: PathBuf) -> Router<AppState> {
    let dir = Arc::new(dir);
    let serve = move |request: Request| {
        let dir = dir.clone();
        async move { console_response(&dir, request).await }
    };
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(serve.clone()))
        .route("/console/{*path}", get(serve))
}

async fn console_response(dir: &std::path::Path, mut request: Request) -> Response {
    let csp = HeaderValue::from_static(CONSOLE_CSP);
    if !dir.join("index.html").is_file() {
        let mut response = (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            NOT_BUILT,
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
        return response;
    }
    let path = request
        .uri()
        .path()
        .strip_prefix("/console")
        .unwrap_or("/")
        .to_owned();
    let last = path.rsplit('/').next().unwrap_or("");
    let is_index = !last.contains('.') || last == "index.html";
    let target = if is_index { "/index.html" } else { &path };
    let Ok(uri) = target.parse::<Uri>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    *request.uri_mut() = uri;
    let served = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .oneshot(request)
        .await;
    let mut response = match served {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    if is_index {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}
