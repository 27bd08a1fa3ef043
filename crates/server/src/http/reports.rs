//! `GET /v1/shops/{shop_id}/reports/summary`: the program at a glance, straight from the ledger.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use tally_core::api::{ErrorBody, Summary};

use super::auth::Merchant;
use super::extract::Json;
use crate::clock::now_ms;
use crate::error::AppResult;
use crate::{ledger, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/shops/{shop_id}/reports/summary", get(summary_show))
}

/// Members, points issued, redeemed, expired and outstanding, members by tier (earned or paid),
/// orders by channel, and the NPS of the last 365 days.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/reports/summary", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "The summary", body = Summary),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn summary_show(
    State(state): State<AppState>,
    merchant: Merchant,
) -> AppResult<Json<Summary>> {
    Ok(Json(
        ledger::summary(&state.db, &merchant.shop, now_ms()).await?,
    ))
}
