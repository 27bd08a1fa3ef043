//! Axum's extractors with the contract's JSON errors as their rejections, and the checks of ids that
//! enter through paths, headers and bodies: each becomes a `tally_core` newtype once, here.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use tally_core::api::header;
use tally_core::{CustomerId, IdempotencyKey};

use crate::error::AppError;

/// `axum::Json`, rejecting with 400 `invalid_request` naming the field (413 when too large). Every
/// body of the API is a JSON object: anything else is refused before serde sees it, since serde would
/// otherwise read a struct from an array (`[null, null]` as a PATCH body; found by schemathesis).
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let axum::Json(value) =
            axum::Json::<serde_json::Value>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(AppError::Invalid("body: expected a JSON object".into()));
        }
        serde_path_to_error::deserialize(value)
            .map(Json)
            .map_err(|e| AppError::Invalid(format!("body: {e}")))
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(format!(
                "body: larger than the limit of {} bytes",
                crate::DEFAULT_BODY_LIMIT_BYTES
            )),
            _ => AppError::Invalid(format!("body: {}", rejection.body_text())),
        }
    }
}

/// `axum::extract::Query` with a JSON rejection.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::Invalid(format!("query: {}", rejection.body_text()))
    }
}

/// `axum::extract::Path` with a JSON rejection.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::Invalid(format!("path: {}", rejection.body_text()))
    }
}

/// A customer id from a request, or 400 naming `field` with the contract's rule.
pub fn customer_id(field: &str, raw: &str) -> Result<CustomerId, AppError> {
    CustomerId::parse(raw).map_err(|e| AppError::Invalid(format!("{field}: {e}")))
}

/// An idempotency key (or an order or refund id) from a request, or 400 naming `field`.
pub fn idempotency_key(field: &str, raw: &str) -> Result<IdempotencyKey, AppError> {
    IdempotencyKey::parse(raw).map_err(|e| AppError::Invalid(format!("{field}: {e}")))
}

/// The `Idempotency-Key` header, required and checked.
pub fn idempotency_key_header(headers: &HeaderMap) -> Result<IdempotencyKey, AppError> {
    let raw = headers
        .get(header::IDEMPOTENCY_KEY)
        // A value that is not visible ASCII is no key (the check says so).
        .map(|v| v.to_str().unwrap_or_default())
        .ok_or_else(|| {
            AppError::Invalid(format!("{}: header required", header::IDEMPOTENCY_KEY))
        })?;
    idempotency_key(header::IDEMPOTENCY_KEY, raw)
}

/// The longest discount code looked up (ours are 15 characters: `TALLY-7KQ2-MX9P`).
pub const MAX_CODE_CHARS: usize = 64;

/// A discount code as typed at a checkout, matched as the contract says: spaces around it trimmed,
/// upper-cased. Empty or longer than [`MAX_CODE_CHARS`]: 400 naming `code`.
pub fn discount_code(raw: &str) -> Result<String, AppError> {
    let code = raw.trim().to_uppercase();
    if code.is_empty() || code.chars().count() > MAX_CODE_CHARS {
        return Err(AppError::Invalid(format!(
            "code: must be 1 to {MAX_CODE_CHARS} characters once spaces are trimmed"
        )));
    }
    Ok(code)
}
