//! The shopper's own endpoints under `/v1/shops/{shop_id}/me`, authenticated by a shopper token.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tally_core::api::{
    ActivityPage, ErrorBody, FeedbackRequest, FeedbackResult, Me, Redemption, RedemptionList,
    RedemptionRequest,
};

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
        .route("/v1/shops/{shop_id}/me/feedback", post(feedback_create))
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
pub async fn me_show(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    token: ShopperToken,
) -> AppResult<Json<Me>> {
    state.sightings.note(&state, &token.shop, &headers);
    ledger::settled_view(&state.db, &token.shop, &token.customer_id, true, now_ms())
        .await?
        .map(Json)
        .ok_or_else(|| AppError::internal("an enrolled customer vanished"))
}

#[derive(Deserialize)]
pub struct ActivityQuery {
    pub limit: Option<String>,
    pub before: Option<String>,
}

/// `limit` (1–100, `default` when absent) and `before` (a cursor from `next`) of a paged list.
pub fn activity_query(
    limit: Option<&str>,
    before: Option<&str>,
    default: i64,
) -> AppResult<(i64, Option<i64>)> {
    let limit = match limit {
        None => default,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=100).contains(l))
            .ok_or_else(|| AppError::Invalid(format!("limit: must be 1 to 100, not {text:?}")))?,
    };
    let before = match before {
        None | Some("") => None,
        Some(text) => Some(text.parse::<i64>().ok().filter(|b| *b > 0).ok_or_else(|| {
            AppError::Invalid(format!("before: {text:?} is not a cursor from `next`"))
        })?),
    };
    Ok((limit, before))
}

/// The shopper's ledger, newest first, a page at a time.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/me/activity", tag = "shopper",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page: a positive integer; empty or absent: the first page", pattern = r"^\+?[0-9]*$")),
    responses((status = 200, description = "A page of ledger entries", body = ActivityPage),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("shopper_token" = [])))]
pub async fn activity_list(
    State(state): State<AppState>,
    token: ShopperToken,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Json<ActivityPage>> {
    let (limit, before) = activity_query(query.limit.as_deref(), query.before.as_deref(), 20)?;
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
           ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters, one per redemption", min_length = 1, max_length = 255, pattern = r"^[\t\x20-\x7E]+$")),
    request_body(content = RedemptionRequest),
    responses((status = 201, description = "The redemption and its discount code", body = Redemption),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no such reward", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`", body = ErrorBody),
              (status = 422, description = "`insufficient_points`, `reward_unavailable`, or `limit_reached` (the reward's limit for this shopper and period)", body = ErrorBody)),
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

/// The longest feedback comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// Answers the program's feedback question (0–10, and a comment if the shopper likes); earns the
/// program's points once per cooldown. A retry with the same `Idempotency-Key` answers the same.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/me/feedback", tag = "shopper",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("Idempotency-Key" = String, Header, description = "1 to 255 visible ASCII characters, one per answer", min_length = 1, max_length = 255, pattern = r"^[\t\x20-\x7E]+$")),
    request_body(content = FeedbackRequest),
    responses((status = 201, description = "Stored; the points it earned and when the question may come again", body = FeedbackResult),
              (status = 400, description = "`invalid_request`: a score outside 0–10 or a comment over 2,000 characters", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: the program asks for no feedback", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`", body = ErrorBody),
              (status = 422, description = "`feedback_too_soon`: within the cooldown of the last answer", body = ErrorBody)),
    security(("shopper_token" = [])))]
pub async fn feedback_create(
    State(state): State<AppState>,
    token: ShopperToken,
    headers: HeaderMap,
    Json(request): Json<FeedbackRequest>,
) -> AppResult<(StatusCode, Json<FeedbackResult>)> {
    let key = idempotency_key_header(&headers)?;
    if !(0..=10).contains(&request.score) {
        return Err(AppError::Invalid(format!(
            "score: must be 0 to 10, not {}",
            request.score
        )));
    }
    if request
        .comment
        .as_deref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
    {
        return Err(AppError::Invalid(format!(
            "comment: at most {MAX_COMMENT_CHARS} characters"
        )));
    }
    let outcome = ledger::give_feedback(
        &state.db,
        &token.shop,
        &token.customer_id,
        &key,
        &request,
        now_ms(),
    )
    .await?;
    // A replay answers as the first request did: 201 with the same result.
    Ok((StatusCode::CREATED, Json(outcome.into_answer())))
}
