//! The shop's back end reports orders and refunds: `POST …/orders`, `POST …/orders/{order_id}/refunds`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use tally_core::api::{ErrorBody, OrderRequest, OrderResult, RefundRequest, RefundResult};
use tally_core::rules::{is_valid_customer_id, is_valid_idempotency_key};

use super::extract::{Json, Path};
use crate::auth::Merchant;
use crate::clock::now_ms;
use crate::error::{AppError, AppResult};
use crate::{ledger, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shops/{shop_id}/orders", post(order_create))
        .route(
            "/v1/shops/{shop_id}/orders/{order_id}/refunds",
            post(refund_create),
        )
}

/// Records an order and awards its points; a repeated `order_id` answers 200 with the first result.
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
    if !is_valid_idempotency_key(&order.order_id) {
        return Err(AppError::Invalid(
            "order_id: must be 1 to 255 characters".into(),
        ));
    }
    if !is_valid_customer_id(&order.customer_id) {
        return Err(AppError::Invalid(
            "customer_id: must be 1 to 128 printable ASCII characters".into(),
        ));
    }
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
    let (status, result) = ledger::record_order(&state.db, shop, &order, now_ms()).await?;
    Ok((status, Json(result)))
}

/// Reverses the points of (part of) an order, in proportion to what it really awarded.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/orders/{order_id}/refunds", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("order_id" = String, Path, description = "The order being refunded")),
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
    if !is_valid_idempotency_key(&refund.refund_id) {
        return Err(AppError::Invalid(
            "refund_id: must be 1 to 255 characters".into(),
        ));
    }
    if refund.amount_minor <= 0 {
        return Err(AppError::Invalid(format!(
            "amount_minor: must be > 0, not {}",
            refund.amount_minor
        )));
    }
    let (status, result) =
        ledger::record_refund(&state.db, &merchant.shop, &order_id, &refund, now_ms()).await?;
    Ok((status, Json(result)))
}
