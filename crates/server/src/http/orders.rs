//! The shop's back end reports orders and refunds: `POST …/orders`, `POST …/orders/{order_id}/refunds`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use tally_core::api::{ErrorBody, OrderRequest, OrderResult, RefundRequest, RefundResult};

use super::auth::Merchant;
use super::extract::{customer_id, idempotency_key, Json, Path};
use crate::clock::now_ms;
use crate::error::{AppError, AppResult};
use crate::ledger::{self, Outcome};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shops/{shop_id}/orders", post(order_create))
        .route(
            "/v1/shops/{shop_id}/orders/{order_id}/refunds",
            post(refund_create),
        )
}

/// Records an order (online or at the counter: `channel`) and awards its points; a repeated
/// `order_id` answers 200 with the first result. A refused referral is recorded, never an error here.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/orders", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    request_body(content = OrderRequest),
    responses((status = 201, description = "Recorded", body = OrderResult),
              (status = 200, description = "A repeat: the first result, nothing awarded", body = OrderResult),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`: the order id with another body", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn order_create(
    State(state): State<AppState>,
    merchant: Merchant,
    Json(order): Json<OrderRequest>,
) -> AppResult<(StatusCode, Json<OrderResult>)> {
    let shop = &merchant.shop;
    idempotency_key("order_id", &order.order_id)?;
    customer_id("customer_id", &order.customer_id)?;
    if order.total_minor < 0 {
        return Err(AppError::Invalid(format!(
            "total_minor: must be ≥ 0, not {}",
            order.total_minor
        )));
    }
    if order.currency != shop.shop.currency {
        return Err(AppError::Invalid(format!(
            "currency: this shop sells in {}, not {:?}",
            shop.shop.currency, order.currency
        )));
    }
    if order.referral_code.as_deref().is_some_and(|c| c.len() > 64) {
        return Err(AppError::Invalid(
            "referral_code: at most 64 characters".into(),
        ));
    }
    let outcome = ledger::record_order(&state.db, shop, &order, now_ms()).await?;
    Ok((order_status(&outcome), Json(outcome.into_answer())))
}

/// 201 for an order recorded now, 200 for a repeat of its `order_id` (the contract's words).
pub fn order_status<T>(outcome: &Outcome<T>) -> StatusCode {
    match outcome {
        Outcome::Created(_) => StatusCode::CREATED,
        Outcome::Replayed(_) => StatusCode::OK,
    }
}

/// Reverses the points of (part of) an order, in proportion to what it really awarded.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/orders/{order_id}/refunds", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("order_id" = String, Path, description = "The order being refunded: an `order_id` of `POST …/orders` (1 to 255 characters; any other is no order: 404)", min_length = 1, max_length = 255)),
    request_body(content = RefundRequest),
    responses((status = 201, description = "Reversed", body = RefundResult),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no such order", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`", body = ErrorBody),
              (status = 422, description = "`refund_exceeds_order`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn refund_create(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, order_id)): Path<(String, String)>,
    Json(refund): Json<RefundRequest>,
) -> AppResult<(StatusCode, Json<RefundResult>)> {
    idempotency_key("refund_id", &refund.refund_id)?;
    if refund.amount_minor <= 0 {
        return Err(AppError::Invalid(format!(
            "amount_minor: must be > 0, not {}",
            refund.amount_minor
        )));
    }
    let outcome =
        ledger::record_refund(&state.db, &merchant.shop, &order_id, &refund, now_ms()).await?;
    // A replay answers as the first refund did: 201 with the same result.
    Ok((StatusCode::CREATED, Json(outcome.into_answer())))
}
