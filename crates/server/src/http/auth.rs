//! Who is calling: a shopper with a token the shop signed, or the shop's own back end with its secret key,
//! or a staff member signed in to the console (the `tally_session` cookie). All are extractors; a
//! handler that takes one cannot run for anyone else, and a staff member's call passes the role table
//! (`roles.rs`) before any handler runs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use subtle::ConstantTimeEq;
use tally_core::api::header;
use tally_core::token::TokenError;
use tally_core::CustomerId;

use super::roles;
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;
use crate::staff::{self, Actor};
use crate::AppState;

/// How far a shopper token's timestamp may be from now, either way.
pub const TOKEN_WINDOW_SECS: i64 = tally_core::token::WINDOW_SECS;

/// A shopper, proven by `X-Tally-Customer`, `X-Tally-Timestamp` and `X-Tally-Signature`.
pub struct ShopperToken {
    pub shop: Arc<ShopRecord>,
    pub customer_id: CustomerId,
}

/// The header a cookie-authenticated write carries its session's CSRF token in.
pub const CSRF_HEADER: &str = "x-tally-csrf";

/// The shop's own back end, proven by `Authorization: Bearer {secret_key}`, or a signed-in staff member
/// whose role may call this route.
pub struct Merchant {
    pub shop: Arc<ShopRecord>,
    /// Who calls, as the audit log names them.
    pub actor: Actor,
    /// Whether the key presented is the one before the last rotation (still in its grace period).
    pub previous_key: bool,
}

/// Checks a shopper token against the shop's signing key, or the key before the last rotation while it
/// still works (see `tally_core::token::verify`).
pub fn verify_shopper_token(
    shop: &ShopRecord,
    customer_id: &str,
    timestamp: &str,
    signature: &str,
    now_ms: i64,
) -> Result<(), &'static str> {
    let now_secs = now_ms.div_euclid(1000);
    let verify = |key: &[u8]| {
        tally_core::token::verify(
            key,
            &shop.shop.id,
            customer_id,
            timestamp,
            signature,
            now_secs,
        )
    };
    match verify(shop.signing_key()) {
        Ok(()) => Ok(()),
        Err(e) => match shop.previous_signing_key(now_ms) {
            Some(previous) if verify(previous).is_ok() => Ok(()),
            _ => Err(e.message()),
        },
    }
}

async fn shop_of(parts: &mut Parts, state: &AppState) -> Result<Arc<ShopRecord>, AppError> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound("no such resource".into()))?;
    let shop_id = params
        .get("shop_id")
        .ok_or_else(|| AppError::internal("route without {shop_id}"))?;
    state.shops.require(&state.db, shop_id).await
}

fn header_text<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

impl FromRequestParts<AppState> for ShopperToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let shop = shop_of(parts, state).await?;
        let customer = header_text(parts, header::CUSTOMER)
            .ok_or(AppError::Unauthorized("X-Tally-Customer: header missing"))?;
        let timestamp = header_text(parts, header::TIMESTAMP)
            .ok_or(AppError::Unauthorized("X-Tally-Timestamp: header missing"))?;
        let signature = header_text(parts, header::SIGNATURE)
            .ok_or(AppError::Unauthorized("X-Tally-Signature: header missing"))?;
        verify_shopper_token(&shop, customer, timestamp, signature, state.clock.now_ms())
            .map_err(AppError::Unauthorized)?;
        let customer_id = CustomerId::parse(customer)
            .map_err(|_| AppError::Unauthorized(TokenError::Customer.message()))?;
        Ok(ShopperToken { customer_id, shop })
    }
}

impl FromRequestParts<AppState> for Merchant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let shop = shop_of(parts, state).await?;
        if let Some(authorization) = header_text(parts, "authorization") {
            let key = authorization
                .strip_prefix("Bearer ")
                .ok_or(AppError::Unauthorized(
                    "Authorization: expected `Bearer {secret_key}`",
                ))?;
            let key = key.trim();
            if !shop.accepts_key(key, state.clock.now_ms()) {
                return Err(AppError::Unauthorized(
                    "Authorization: not this shop's secret key (or one rotated out more than 24 hours ago)",
                ));
            }
            let previous_key = !shop.is_secret_key(key);
            return Ok(Merchant {
                shop,
                actor: Actor::Key,
                previous_key,
            });
        }
        let Some(session) = staff_session(&parts.headers, state).await? else {
            return Err(AppError::Unauthorized(
                "Authorization: expected `Bearer {secret_key}`, or sign in to the console",
            ));
        };
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let presented = header_text(parts, "x-tally-csrf").unwrap_or("");
            let matches: bool = presented
                .as_bytes()
                .ct_eq(session.csrf_token.as_bytes())
                .into();
            if !matches {
                return Err(AppError::Forbidden(
                    "X-Tally-Csrf: a signed-in change must carry the session's csrf_token".into(),
                ));
            }
        }
        let role = staff::role_in(&state.db, &session.staff.id, &shop.shop.id)
            .await?
            .ok_or_else(|| AppError::Forbidden("you are not on this shop's staff".into()))?;
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default();
        let permission = roles::permission(parts.method.as_str(), &route).ok_or_else(|| {
            tracing::error!(method = %parts.method, route, "merchant route missing from the role table");
            AppError::Forbidden("this call is not open to staff sign-in".into())
        })?;
        if !role.may(permission) {
            return Err(AppError::Forbidden(format!(
                "your role ({role}) may not do this; ask the shop's owner"
            )));
        }
        Ok(Merchant {
            shop,
            actor: Actor::Staff {
                id: session.staff.id,
                email: session.staff.email,
            },
            previous_key: false,
        })
    }
}

/// The running staff session of the request's `tally_session` cookie, if any.
pub async fn staff_session(
    headers: &HeaderMap,
    state: &AppState,
) -> AppResult<Option<staff::Session>> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    staff::session(&state.db, token, state.clock.now_ms()).await
}

/// The `tally_session` cookie's token.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(staff::token_in_cookies)
}
