//! The layers every request passes: request id, tracing, CORS, JSON errors, header limit, panics
//! caught, rate limit, time limit, body limit; and the fallbacks for unknown routes and methods.

mod client_ip;
mod cors;
mod rate_limit;

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tally_core::api::ErrorCode;
use tally_core::ids::ID_ALPHABET;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use client_ip::{client_ip, parse_trusted_proxies};
pub use rate_limit::RateLimiter;

use crate::error::{error_response, AppError};
use crate::AppState;

/// Adds the fallbacks and the layers to any set of routes (the demo adds its pages first).
pub fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    let body_limit = state.limits.body_bytes;
    routes
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(state.clone(), time_limit))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(header_limit))
        .layer(middleware::from_fn_with_state(state.clone(), cors::cors))
        .layer(middleware::from_fn(crate::telemetry::track_requests))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            // The path only: query strings and headers may carry customer ids or signatures.
            tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO)))
        .layer(SetRequestIdLayer::x_request_id(RequestIds::default()))
        .with_state(state)
}

async fn route_not_found() -> AppError {
    AppError::NotFound("no such resource".into())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed("method: not allowed on this resource".into())
}

fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    AppError::internal("panic").into_response()
}

async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = if super::imports::is_import(request.uri().path()) {
        state
            .limits
            .request_timeout
            .max(super::imports::IMPORT_TIME_LIMIT)
    } else {
        state.limits.request_timeout
    };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout.into_response(),
    }
}

/// Request headers above this (names and values together) are refused with 431.
pub const HEADER_LIMIT_BYTES: usize = 16 * 1024;

/// hyper accepts header blocks of hundreds of kilobytes; no honest caller of this API sends more than a
/// few hundred bytes, so anything past the limit is refused before authentication, parsing or logging.
async fn header_limit(request: Request, next: Next) -> Response {
    let size: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if size > HEADER_LIMIT_BYTES {
        return error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::InvalidRequest,
            format!("headers: larger than the limit of {HEADER_LIMIT_BYTES} bytes"),
        );
    }
    next.run(request).await
}

/// The safety net: any error that is not already the contract's JSON (a rejection from a layer, a
/// static file's 404) is rewritten into it.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such resource"),
        StatusCode::UNAUTHORIZED => (ErrorCode::Unauthorized, "credentials missing or wrong"),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::InvalidRequest, "body: too large"),
        StatusCode::TOO_MANY_REQUESTS => (ErrorCode::RateLimited, "too many requests"),
        s if s.is_server_error() => (
            ErrorCode::Internal,
            "something went wrong on our side; please retry",
        ),
        _ => (ErrorCode::InvalidRequest, "the request is not valid here"),
    };
    let (parts, _) = response.into_parts();
    let mut rewritten = error_response(status, code, message.to_owned());
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(value) = parts.headers.get(&name) {
            rewritten.headers_mut().insert(name, value.clone());
        }
    }
    rewritten
}

/// Request ids: a per-process random prefix and a counter, e.g. `k3f9q2-000042`.
#[derive(Clone)]
struct RequestIds {
    prefix: String,
    counter: std::sync::Arc<AtomicU64>,
}

impl Default for RequestIds {
    fn default() -> Self {
        RequestIds {
            prefix: crate::shops::random_string(ID_ALPHABET, 6),
            counter: Default::default(),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n:06}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}
