//! The shopper's own endpoints under `/v1/shops/{shop_id}/me`, authenticated by a shopper token.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tally_core::api::{ActivityPage, ErrorBody, Me, Redemption, RedemptionList, RedemptionRequest};

use super::auth::ShopperToken;
use super::extract::{idempotency_key_header, Json, Query};
use crate::clock::now_ms;
use crate::error::{AppError, AppResult};
use crate::{ledger, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shops/{shop_id}/me", get(me_show))
        .route("/v1/shops/{shop_id}/me/activity", get(activity_list))
        .route(
            "/v1/shops/{shop_id}/me/redemptions",
            get(redemption_list).post(redemption_create),
        )
}

/// Settles (enrols, expires) the shopper and returns their row key.
async fn settled(state: &AppState, token: &ShopperToken) -> AppResult<i64> {
    ledger::settle_customer(&state.db, &token.shop, &token.customer_id, true, now_ms())
        .await?
        .ok_or_else(|| AppError::internal("an enrolled customer vanished"))
}

/// The shopper's balance, tier, referral code and expiring points; the first call enrols them.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/me", tag = "shopper",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "The customer as they stand", body = Me),
              (status = 401, description = "`unauthorized`: missing, stale or forged token", body = ErrorBody)),
    security(("shopper_token" = [])))]
pub async fn me_show(State(state): State<AppState>, token: ShopperToken) -> AppResult<Json<Me>> {
    let now = now_ms();
    let pk = settled(&state, &token).await?;
    Ok(Json(
        ledger::customer_view(&state.db, &token.shop, pk, now).await?,
    ))
}

#[derive(Deserialize)]
pub struct ActivityQuery {
    limit: Option<String>,
    before: Option<String>,
}

/// The shopper's ledger, newest first, a page at a time.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/me/activity", tag = "shopper",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20"),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page")),
    responses((status = 200, description = "A page of ledger entries", body = ActivityPage),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("shopper_token" = [])))]
pub async fn activity_list(
    State(state): State<AppState>,
    token: ShopperToken,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Json<ActivityPage>> {
    let limit = match query.limit.as_deref() {
        None => 20,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| AppError::Invalid(format!("limit: must be 1 to 100, not {text:?}")))?,
    };
    let before = match query.before.as_deref() {
        None | Some("") => None,
        Some(text) => Some(text.parse::<i64>().ok().filter(|b| *b > 0).ok_or_else(|| {
            AppError::Invalid(format!("before: {text:?} is not a cursor from `next`"))
        })?),
    };
    let pk = settled(&state, &token).await?;
    Ok(Json(
        ledger::activity_page(&state.db, pk, limit, before).await?,
    ))
}

/// The shopper's redemptions, newest first.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/me/redemptions", tag = "shopper",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "Every redemption of the shopper", body = RedemptionList),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("shopper_token" = [])))]
pub async fn redemption_list(
    State(state): State<AppState>,
    token: ShopperToken,
) -> AppResult<Json<RedemptionList>> {
    let now = now_ms();
    let pk = settled(&state, &token).await?;
    Ok(Json(ledger::redemptions(&state.db, pk, now).await?))
}

/// Spends points on a reward; a retry with the same `Idempotency-Key` returns the same redemption.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/me/redemptions", tag = "shopper",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("Idempotency-Key" = String, Header, description = "1 to 255 characters, one per redemption")),
    request_body(content = RedemptionRequest),
    responses((status = 201, description = "The redemption and its discount code", body = Redemption),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no such reward", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`", body = ErrorBody),
              (status = 422, description = "`insufficient_points` or `reward_unavailable`", body = ErrorBody)),
    security(("shopper_token" = [])))]
pub async fn redemption_create(
    State(state): State<AppState>,
    token: ShopperToken,
    headers: HeaderMap,
    Json(request): Json<RedemptionRequest>,
) -> AppResult<(StatusCode, Json<Redemption>)> {
    let key = idempotency_key_header(&headers)?;
    let outcome = ledger::redeem(
        &state.db,
        &token.shop,
        &token.customer_id,
        &key,
        &request,
        now_ms(),
    )
    .await?;
    // A replay answers as the first request did: 201 with the same redemption.
    Ok((StatusCode::CREATED, Json(outcome.into_answer())))
}
