//! `GET /v1/shops/{shop_id}/program` (public) and `PUT` (merchant).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tally_core::api::{ErrorBody, Program, ProgramUpdate};
use tally_core::rules::program_problems;

use super::auth::Merchant;
use super::extract::{Json, Path};
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

/// Browsers and CDNs may reuse the program for a minute, and a stale one for ten while they revalidate:
/// every page view of a shop asks for it, and it changes only when the merchant saves.
const PROGRAM_CACHE_CONTROL: &str = "public, max-age=60, stale-while-revalidate=600";

/// The program as a guest sees it, with an `ETag`; `If-None-Match` with that tag answers 304.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/program", tag = "public",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier answer")),
    responses((status = 200, description = "The shop's program; `ETag` and `Cache-Control` headers", body = Program),
              (status = 304, description = "Not modified since the ETag given"),
              (status = 404, description = "`not_found`: no such shop", body = ErrorBody)))]
pub async fn program_show(
    State(state): State<AppState>,
    Path(shop_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let shop = state.shops.require(&state.db, &shop_id).await?;
    let body = serde_json::to_vec(&Program {
        shop: shop.shop.clone(),
        rules: shop.rules.clone(),
    })?;
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let cache_headers = [
        (
            header::ETAG,
            HeaderValue::from_str(&etag).map_err(|e| AppError::internal(e.to_string()))?,
        ),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(PROGRAM_CACHE_CONTROL),
        ),
    ];
    if not_modified {
        return Ok((StatusCode::NOT_MODIFIED, cache_headers).into_response());
    }
    let json = HeaderValue::from_static("application/json");
    Ok((cache_headers, [(header::CONTENT_TYPE, json)], body).into_response())
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
