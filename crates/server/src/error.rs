//! One error type for the whole API: every failure becomes the contract's JSON body
//! `{"error": {"code", "message"}}`. 5xx causes are logged, never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tally_core::api::{error_code, ErrorBody, ErrorDetail};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400 `invalid_request`; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// 401 `unauthorized`.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 404 `not_found`.
    #[error("{0}")]
    NotFound(String),
    /// 409 `idempotency_conflict`.
    #[error("{0}")]
    IdempotencyConflict(String),
    /// 413, body too large (code `invalid_request`).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 405 (code `invalid_request`).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 422 `insufficient_points`.
    #[error("{0}")]
    InsufficientPoints(String),
    /// 422 `reward_unavailable`.
    #[error("{0}")]
    RewardUnavailable(String),
    /// 422 `refund_exceeds_order`.
    #[error("{0}")]
    RefundExceedsOrder(String),
    /// 429 `rate_limited`, with the seconds for `Retry-After`.
    #[error("too many requests; retry in {0} s")]
    RateLimited(u64),
    /// 503 `unavailable`: the request ran past the server's time limit.
    #[error("the request took too long")]
    Timeout,
    /// 500 `internal`: the cause is logged, the client sees a generic sentence.
    #[error(transparent)]
    Internal(#[from] InternalCause),
}

/// The cause of a 500, kept for the log: any error (sqlx, serde, io) or a sentence.
#[derive(Debug)]
pub struct InternalCause(pub Box<dyn std::error::Error + Send + Sync>);

impl std::fmt::Display for InternalCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for InternalCause {}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(InternalCause(Box::new(e)))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Internal(InternalCause(Box::new(e)))
    }
}

impl AppError {
    pub fn internal(message: impl Into<String>) -> Self {
        let message: String = message.into();
        AppError::Internal(InternalCause(message.into()))
    }

    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::IdempotencyConflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::InsufficientPoints(_)
            | AppError::RewardUnavailable(_)
            | AppError::RefundExceedsOrder(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) | AppError::PayloadTooLarge(_) | AppError::MethodNotAllowed(_) => {
                error_code::INVALID_REQUEST
            }
            AppError::Unauthorized(_) => error_code::UNAUTHORIZED,
            AppError::NotFound(_) => error_code::NOT_FOUND,
            AppError::IdempotencyConflict(_) => error_code::IDEMPOTENCY_CONFLICT,
            AppError::InsufficientPoints(_) => error_code::INSUFFICIENT_POINTS,
            AppError::RewardUnavailable(_) => error_code::REWARD_UNAVAILABLE,
            AppError::RefundExceedsOrder(_) => error_code::REFUND_EXCEEDS_ORDER,
            AppError::RateLimited(_) => error_code::RATE_LIMITED,
            AppError::Timeout => "unavailable",
            AppError::Internal(_) => error_code::INTERNAL,
        }
    }
}

/// The contract's error body for a status and message.
pub fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message,
        },
    };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let message = match &self {
            AppError::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                "something went wrong on our side; please retry".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = error_response(status, self.code(), message);
        if let AppError::RateLimited(seconds) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
