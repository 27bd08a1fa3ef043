//! `GET /v1/shops/{shop_id}/program` (public) and `PUT` (merchant); the saved versions and restoring one
//! (`…/program/versions`, ours, for the console).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tally_core::api::{ErrorBody, Program, ProgramUpdate};
use tally_core::rules::program_problems;
use tally_core::staff::{ProgramVersion, ProgramVersions};

use super::auth::Merchant;
use super::extract::{Json, Path, Query};
use super::me::{activity_query, ActivityQuery};
use crate::clock::rfc3339;
use crate::error::{AppError, AppResult};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/shops/{shop_id}/program",
            get(program_show).put(program_update),
        )
        .route("/v1/shops/{shop_id}/program/versions", get(version_list))
        .route(
            "/v1/shops/{shop_id}/program/versions/{version}/restore",
            post(version_restore),
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
    state.sightings.note(&state, &shop, &headers);
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
    save(&state, &merchant, update, "program.updated")
        .await
        .map(Json)
}

/// Checks and saves a program as the shop's and as its next version.
async fn save(
    state: &AppState,
    merchant: &Merchant,
    update: ProgramUpdate,
    action: &str,
) -> AppResult<StoredProgram> {
    let problems = program_problems(&update);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems.join("; ")));
    }
    let shop_id = &merchant.shop.shop.id;
    crate::shops::save_program(
        &state.db,
        shop_id,
        &update,
        merchant.actor.name(),
        action,
        state.clock.now_ms(),
    )
    .await?;
    state.shops.forget(shop_id);
    Ok(StoredProgram {
        program: Program {
            shop: merchant.shop.shop.clone(),
            rules: update.rules,
        },
        allowed_origins: update.allowed_origins,
    })
}

/// The saved versions of the program, newest first: every successful `PUT …/program` and restore keeps
/// the whole body it saved, with who saved it and when. Version 1 is the program the shop had before
/// its first save (ours, for the console).
#[utoipa::path(get, path = "/v1/shops/{shop_id}/program/versions", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page (a version number); empty or absent: the first page", pattern = r"^\+?[0-9]*$")),
    responses((status = 200, description = "A page of saved versions", body = ProgramVersions),
              (status = 403, description = "`forbidden`: only an owner or a manager", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn version_list(
    State(state): State<AppState>,
    merchant: Merchant,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Json<ProgramVersions>> {
    let (limit, before) = activity_query(query.limit.as_deref(), query.before.as_deref(), 20)?;
    let shop_id = &merchant.shop.shop.id;
    crate::shops::seed_versions(&state.db, shop_id).await?;
    let rows = crate::db::program_versions::page(&state.db, shop_id, before, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.version))
        .flatten();
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(ProgramVersion {
                version: r.version,
                saved_by: r.saved_by,
                saved_at: rfc3339(r.saved_at),
                program: serde_json::from_str(&r.program_json)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Json(ProgramVersions { items, next }))
}

/// Saves a stored version again, as a new version, and answers like `PUT …/program` (ours).
#[utoipa::path(post, path = "/v1/shops/{shop_id}/program/versions/{version}/restore", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("version" = i64, Path, description = "The version to restore", minimum = 1)),
    responses((status = 200, description = "The stored program with its allowed origins", body = StoredProgram),
              (status = 400, description = "`invalid_request`: the version no longer passes today's checks (each problem named)", body = ErrorBody),
              (status = 403, description = "`forbidden`: only an owner or a manager", body = ErrorBody),
              (status = 404, description = "`not_found`: no such version", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn version_restore(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, version)): Path<(String, String)>,
) -> AppResult<Json<StoredProgram>> {
    let number = version
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 1)
        .ok_or_else(|| AppError::Invalid(format!("version: a version number, not {version:?}")))?;
    let shop_id = &merchant.shop.shop.id;
    crate::shops::seed_versions(&state.db, shop_id).await?;
    let row = crate::db::program_versions::find(&state.db, shop_id, number)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("version: no version {number}")))?;
    let update: ProgramUpdate = serde_json::from_str(&row.program_json)?;
    save(&state, &merchant, update, "program.restored")
        .await
        .map(Json)
}
