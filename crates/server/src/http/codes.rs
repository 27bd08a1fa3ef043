//! Codes at checkout, for the shop's back end: `GET …/codes/{code}`, `POST …/codes/{code}/use` and
//! `POST …/codes/{code}/cancel`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use tally_core::api::{CodeUseRequest, DiscountCode, ErrorBody};

use super::auth::Merchant;
use super::extract::{discount_code, idempotency_key, Json, Path};
use crate::clock::now_ms;
use crate::error::AppResult;
use crate::{ledger, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shops/{shop_id}/codes/{code}", get(code_show))
        .route("/v1/shops/{shop_id}/codes/{code}/use", post(code_use))
        .route("/v1/shops/{shop_id}/codes/{code}/cancel", post(code_cancel))
}

/// A discount code as it stands: whether it is good, whose it is, what it gives and how it was used.
/// Matched after trimming spaces and upper-casing.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/codes/{code}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("code" = String, Path, description = "The code as the shopper typed it: matched with white space around it trimmed and upper-cased, then 1 to 64 characters", pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]")),
    responses((status = 200, description = "The code; an issued code past `expires_at` is `expired`", body = DiscountCode),
              (status = 400, description = "`invalid_request`: an empty or overlong code", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: the shop has no such code", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn code_show(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, code)): Path<(String, String)>,
) -> AppResult<Json<DiscountCode>> {
    let code = discount_code(&code)?;
    Ok(Json(
        ledger::code(&state.db, &merchant.shop, &code, now_ms()).await?,
    ))
}

/// Uses an issued code with an order. The same order again answers the same; of concurrent uses with
/// different orders exactly one wins.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/codes/{code}/use", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("code" = String, Path, description = "The code as the shopper typed it: matched with white space around it trimmed and upper-cased, then 1 to 64 characters", pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]")),
    request_body(content = CodeUseRequest),
    responses((status = 200, description = "The code, now `used` (also for a repeat with the same `order_id`)", body = DiscountCode),
              (status = 400, description = "`invalid_request`: a bad code or `order_id`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: the shop has no such code", body = ErrorBody),
              (status = 409, description = "`code_already_used`: used with another order; `code_not_usable`: cancelled or expired", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn code_use(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, code)): Path<(String, String)>,
    Json(request): Json<CodeUseRequest>,
) -> AppResult<Json<DiscountCode>> {
    let code = discount_code(&code)?;
    let order_id = idempotency_key("order_id", &request.order_id)?;
    let outcome = ledger::use_code(&state.db, &merchant.shop, &code, &order_id, now_ms()).await?;
    // A repeat with the same order answers as the first use did: 200 with the code.
    Ok(Json(outcome.into_answer()))
}

/// Cancels an issued code: its points go back to the customer once, however often it is called. An
/// expired code is not refunded here: the answer says `expired`.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/codes/{code}/cancel", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("code" = String, Path, description = "The code as the shopper typed it: matched with white space around it trimmed and upper-cased, then 1 to 64 characters", pattern = r"[^\x09-\x0D\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]")),
    responses((status = 200, description = "The code, now `cancelled` (or `expired`, unrefunded)", body = DiscountCode),
              (status = 400, description = "`invalid_request`: an empty or overlong code", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: the shop has no such code", body = ErrorBody),
              (status = 409, description = "`code_already_used`: a used code cannot be cancelled", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn code_cancel(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, code)): Path<(String, String)>,
) -> AppResult<Json<DiscountCode>> {
    let code = discount_code(&code)?;
    let actor = Some(merchant.actor.name());
    let outcome = ledger::cancel_code_as(&state.db, &merchant.shop, actor, &code, now_ms()).await?;
    Ok(Json(outcome.into_answer()))
}
