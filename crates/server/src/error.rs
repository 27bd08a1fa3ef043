//! One error type for the whole API: every failure becomes the contract's JSON body
//! `{"error": {"code", "message"}}`. 5xx causes are logged, never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tally_core::api::{ErrorBody, ErrorCode, ErrorDetail};

/// `Retry-After` of a 503: long enough for a pool to reconnect, short enough for a shopper to wait.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400 `invalid_request`; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// 401 `unauthorized`.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403 `forbidden`: signed in, but the role may not do this (or a cookie write without its CSRF token).
    #[error("{0}")]
    Forbidden(String),
    /// 404 `not_found`.
    #[error("{0}")]
    NotFound(String),
    /// 409 `idempotency_conflict`.
    #[error("{0}")]
    IdempotencyConflict(String),
    /// 409 `code_already_used`: a discount code already used (with another order).
    #[error("{0}")]
    CodeAlreadyUsed(String),
    /// 409 `code_not_usable`: a discount code cancelled or expired.
    #[error("{0}")]
    CodeNotUsable(String),
    /// 409 `phone_taken`: another customer of the shop has this phone.
    #[error("{0}")]
    PhoneTaken(String),
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
    /// 422 `limit_reached`: a reward's or an earn rule's limit for this customer and period.
    #[error("{0}")]
    LimitReached(String),
    /// 422 `feedback_too_soon`: within the cooldown of the customer's last answer.
    #[error("{0}")]
    FeedbackTooSoon(String),
    /// 429 `rate_limited`, with the seconds for `Retry-After`.
    #[error("too many requests; retry in {0} s")]
    RateLimited(u64),
    /// 503 `unavailable`: the request ran past the server's time limit.
    #[error("the request took too long")]
    Timeout,
    /// 503 `unavailable`: the database cannot be reached or cannot take writes now (restarting, read-only,
    /// out of space). Nothing was changed; the client may retry after `Retry-After`. The cause is logged.
    #[error("the database is unavailable: {0}")]
    Unavailable(InternalCause),
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
        if is_unavailable(&e) {
            AppError::Unavailable(InternalCause(Box::new(e)))
        } else {
            AppError::Internal(InternalCause(Box::new(e)))
        }
    }
}

/// Whether a database error means "not now" rather than "wrong": the connection or the pool is gone or
/// exhausted, PostgreSQL is shutting down or starting, or the storage refuses writes. A transaction that
/// failed this way was rolled back (or never began), so answering 503 and letting the client retry is safe.
fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            match code.parse::<i32>() {
                // SQLite (primary code = extended code & 0xff): BUSY, LOCKED, READONLY, IOERR, FULL,
                // CANTOPEN.
                Ok(sqlite) => matches!(sqlite & 0xff, 5 | 6 | 8 | 10 | 13 | 14),
                // PostgreSQL SQLSTATE: 08 connection exception, 53 insufficient resources (disk full,
                // too many connections), 57P01-03 shutdown/crash/starting, 25006 read-only transaction.
                Err(_) => {
                    code.starts_with("08")
                        || code.starts_with("53")
                        || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "25006")
                }
            }
        }),
        _ => false,
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
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::IdempotencyConflict(_)
            | AppError::CodeAlreadyUsed(_)
            | AppError::CodeNotUsable(_)
            | AppError::PhoneTaken(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            AppError::InsufficientPoints(_)
            | AppError::RewardUnavailable(_)
            | AppError::RefundExceedsOrder(_)
            | AppError::LimitReached(_)
            | AppError::FeedbackTooSoon(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Timeout | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Invalid(_) | AppError::PayloadTooLarge(_) | AppError::MethodNotAllowed(_) => {
                ErrorCode::InvalidRequest
            }
            AppError::Unauthorized(_) => ErrorCode::Unauthorized,
            AppError::Forbidden(_) => ErrorCode::Forbidden,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::IdempotencyConflict(_) => ErrorCode::IdempotencyConflict,
            AppError::CodeAlreadyUsed(_) => ErrorCode::CodeAlreadyUsed,
            AppError::CodeNotUsable(_) => ErrorCode::CodeNotUsable,
            AppError::PhoneTaken(_) => ErrorCode::PhoneTaken,
            AppError::LimitReached(_) => ErrorCode::LimitReached,
            AppError::FeedbackTooSoon(_) => ErrorCode::FeedbackTooSoon,
            AppError::InsufficientPoints(_) => ErrorCode::InsufficientPoints,
            AppError::RewardUnavailable(_) => ErrorCode::RewardUnavailable,
            AppError::RefundExceedsOrder(_) => ErrorCode::RefundExceedsOrder,
            AppError::RateLimited(_) => ErrorCode::RateLimited,
            AppError::Timeout | AppError::Unavailable(_) => ErrorCode::Unavailable,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// The contract's error body for a status and message.
pub fn error_response(status: StatusCode, code: ErrorCode, message: String) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.as_str().to_owned(),
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
            AppError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                "the service is unavailable for a moment; please retry".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = error_response(status, self.code(), message);
        let retry_after = match self {
            AppError::RateLimited(seconds) => Some(seconds.max(1)),
            AppError::Timeout | AppError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
