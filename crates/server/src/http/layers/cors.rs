//! CORS per shop: the public and shopper endpoints answer a browser only from the shop's
//! `allowed_origins` (exact match), preflight included. Merchant endpoints send no CORS headers at all.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

const ALLOWED_HEADERS: &str =
    "content-type, x-tally-customer, x-tally-timestamp, x-tally-signature, idempotency-key";
const EXPOSED_HEADERS: &str = "retry-after, x-request-id";

/// `(shop_id, rest)` of `/v1/shops/{shop_id}/{rest}`.
fn shop_path(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/v1/shops/")?;
    let (shop_id, rest) = rest.split_once('/')?;
    Some((shop_id, rest))
}

/// Whether a browser may call `method` on this shop-relative path at all.
fn is_browser_endpoint(rest: &str, method: &Method) -> bool {
    match rest {
        "program" => method == Method::GET || method == Method::HEAD,
        "me" | "me/activity" => method == Method::GET,
        "me/redemptions" => method == Method::GET || method == Method::POST,
        _ => false,
    }
}

pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(header::ORIGIN).cloned() else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    let Some((shop_id, rest)) = shop_path(&path) else {
        return next.run(request).await;
    };
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let method = if preflight {
        request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|v| v.to_str().ok())
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            .unwrap_or(Method::OPTIONS)
    } else {
        request.method().clone()
    };
    if !preflight && !is_browser_endpoint(rest, &method) {
        // Merchant endpoints (and anything else): no CORS headers.
        return next.run(request).await;
    }
    let allowed = is_browser_endpoint(rest, &method) && {
        let origin = origin.to_str().unwrap_or_default();
        match state.shops.get(&state.db, shop_id).await {
            Ok(Some(shop)) => shop.allowed_origins.iter().any(|o| o == origin),
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "CORS: shop lookup failed");
                false
            }
        }
    };
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOWED_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        } else {
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSED_HEADERS),
            );
        }
    }
    response
}
