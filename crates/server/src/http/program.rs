//! `GET /v1/shops/{shop_id}/program` (public) and `PUT` (merchant).

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use tally_core::api::{ErrorBody, Program, ProgramUpdate};
use tally_core::rules::program_problems;

use super::extract::{Json, Path};
use crate::auth::Merchant;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/shops/{shop_id}/program",
        get(program_show).put(program_update),
    )
}

/// The answer to `PUT …/program`: the program as guests see it, with the origins the widget may call from.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StoredProgram {
    #[serde(flatten)]
    pub program: Program,
    pub allowed_origins: Vec<String>,
}

/// The program as a guest sees it.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/program", tag = "public",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "The shop's program", body = Program),
              (status = 404, description = "`not_found`: no such shop", body = ErrorBody)))]
pub async fn program_show(
    State(state): State<AppState>,
    Path(shop_id): Path<String>,
) -> AppResult<Json<Program>> {
    let shop = state.shops.require(&state.db, &shop_id).await?;
    Ok(Json(Program {
        shop: shop.shop.clone(),
        rules: shop.rules.clone(),
    }))
}

/// Replaces the program and its allowed origins; every problem is named at once.
#[utoipa::path(put, path = "/v1/shops/{shop_id}/program", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    request_body(content = ProgramUpdate, description = "The program as GET shows it, less `shop`, plus `allowed_origins`"),
    responses((status = 200, description = "The stored program with its allowed origins", body = StoredProgram),
              (status = 400, description = "`invalid_request`, naming each problem", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn program_update(
    State(state): State<AppState>,
    merchant: Merchant,
    Json(update): Json<ProgramUpdate>,
) -> AppResult<Json<StoredProgram>> {
    let problems = program_problems(&update);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.join("; ")));
    }
    let shop_id = &merchant.shop.shop.id;
    crate::shops::store_program(&state.db, shop_id, &update.rules, &update.allowed_origins).await?;
    state.shops.forget(shop_id);
    Ok(Json(StoredProgram {
        program: Program {
            shop: merchant.shop.shop.clone(),
            rules: update.rules,
        },
        allowed_origins: update.allowed_origins,
    }))
}
