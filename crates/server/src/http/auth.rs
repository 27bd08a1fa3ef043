//! Who is calling: a shopper with a token the shop signed, or the shop's own back end with its secret key.
//! Both are extractors; a handler that takes one cannot run for anyone else.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use tally_core::api::header;
use tally_core::token::TokenError;
use tally_core::CustomerId;

use crate::error::AppError;
use crate::shops::ShopRecord;
use crate::AppState;

/// How far a shopper token's timestamp may be from now, either way.
pub const TOKEN_WINDOW_SECS: i64 = tally_core::token::WINDOW_SECS;

/// A shopper, proven by `X-Tally-Customer`, `X-Tally-Timestamp` and `X-Tally-Signature`.
pub struct ShopperToken {
    pub shop: Arc<ShopRecord>,
    pub customer_id: CustomerId,
}

/// The shop's own back end, proven by `Authorization: Bearer {secret_key}`.
pub struct Merchant {
    pub shop: Arc<ShopRecord>,
}

/// Checks a shopper token against the shop's signing key (see `tally_core::token::verify`).
pub fn verify_shopper_token(
    shop: &ShopRecord,
    customer_id: &str,
    timestamp: &str,
    signature: &str,
    now_secs: i64,
) -> Result<(), &'static str> {
    tally_core::token::verify(
        shop.signing_key(),
        &shop.shop.id,
        customer_id,
        timestamp,
        signature,
        now_secs,
    )
    .map_err(|e| e.message())
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
        verify_shopper_token(
            &shop,
            customer,
            timestamp,
            signature,
            crate::clock::now_secs(),
        )
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
        let key = header_text(parts, "authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AppError::Unauthorized(
                "Authorization: expected `Bearer {secret_key}`",
            ))?;
        if !shop.is_secret_key(key.trim()) {
            return Err(AppError::Unauthorized(
                "Authorization: not this shop's secret key",
            ));
        }
        Ok(Merchant { shop })
    }
}
