//! Staff and the console: signing in and out (`/v1/staff/session`), a shop's staff (`…/staff`), key
//! rotation (`…/keys/rotate`) and the audit log (`…/audit`).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use tally_core::api::ErrorBody;
use tally_core::staff::{
    AddedStaff, AuditEntry, AuditPage, NewStaff, RotatedKey, SignIn, StaffList, StaffSession,
};

use super::auth::{session_token, staff_session, Merchant, CSRF_HEADER};
use super::extract::{Json, Path, Query};
use super::me::{activity_query, ActivityQuery};
use crate::clock::rfc3339;
use crate::error::{AppError, AppResult};
use crate::{db, staff, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/staff/session",
            post(session_create)
                .get(session_show)
                .delete(session_delete),
        )
        .route(
            "/v1/shops/{shop_id}/staff",
            get(staff_list).post(staff_create),
        )
        .route("/v1/shops/{shop_id}/staff/{staff_id}", delete(staff_delete))
        .route("/v1/shops/{shop_id}/keys/rotate", post(key_rotate))
        .route("/v1/shops/{shop_id}/audit", get(audit_list))
}

/// Signs a staff member in: the session's cookie `tally_session` (HttpOnly, SameSite=Strict, Path=/,
/// Secure unless the server listens on loopback) and its CSRF token. A wrong email or password: 401,
/// the same for both; more than 5 failures for one email within 15 minutes: 429 for that email.
#[utoipa::path(post, path = "/v1/staff/session", tag = "staff",
    request_body(content = SignIn),
    responses((status = 200, description = "Signed in; `Set-Cookie: tally_session=…`", body = StaffSession),
              (status = 400, description = "`invalid_request`: a malformed body", body = ErrorBody),
              (status = 401, description = "`unauthorized`: the email or the password is wrong", body = ErrorBody),
              (status = 429, description = "`rate_limited`: too many failed sign-ins for this email; `Retry-After` says when to retry", body = ErrorBody)))]
pub async fn session_create(
    State(state): State<AppState>,
    Json(sign_in): Json<SignIn>,
) -> AppResult<Response> {
    let signed_in = staff::sign_in(
        &state.db,
        &sign_in.email,
        &sign_in.password,
        state.clock.now_ms(),
    )
    .await?;
    let cookie = staff::session_cookie(&signed_in.token, state.secure_cookies);
    let cookie = HeaderValue::from_str(&cookie).map_err(|e| AppError::internal(e.to_string()))?;
    Ok((
        [(header::SET_COOKIE, cookie), no_store()],
        Json(signed_in.session),
    )
        .into_response())
}

fn no_store() -> (header::HeaderName, HeaderValue) {
    (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// The request's running session, or 401.
pub struct SignedIn(staff::Session);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        staff_session(&parts.headers, state)
            .await?
            .map(SignedIn)
            .ok_or(AppError::Unauthorized(
                "not signed in (or the session ended)",
            ))
    }
}

/// Who is signed in, the shops they work for with their role, and the CSRF token.
#[utoipa::path(get, path = "/v1/staff/session", tag = "staff",
    responses((status = 200, description = "The running session", body = StaffSession),
              (status = 401, description = "`unauthorized`: not signed in, or the session ended", body = ErrorBody)),
    security(("staff_session" = [])))]
pub async fn session_show(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
) -> AppResult<Response> {
    let view = staff::session_view(&state.db, session.staff, session.csrf_token).await?;
    Ok(([no_store()], Json(view)).into_response())
}

/// Signs out: the session is deleted on the server and the cookie cleared. Carries `X-Tally-Csrf`
/// like every signed-in change.
#[utoipa::path(delete, path = "/v1/staff/session", tag = "staff",
    params(("X-Tally-Csrf" = String, Header, description = "The session's `csrf_token`")),
    responses((status = 204, description = "Signed out"),
              (status = 401, description = "`unauthorized`: not signed in, or the session ended", body = ErrorBody),
              (status = 403, description = "`forbidden`: without the session's CSRF token", body = ErrorBody)),
    security(("staff_session" = [])))]
pub async fn session_delete(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let Some(session) = staff_session(&headers, &state).await? else {
        return Err(AppError::Unauthorized(
            "not signed in (or the session ended)",
        ));
    };
    let presented = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        presented.as_bytes(),
        session.csrf_token.as_bytes(),
    )) {
        return Err(AppError::Forbidden(
            "X-Tally-Csrf: a signed-in change must carry the session's csrf_token".into(),
        ));
    }
    if let Some(token) = session_token(&headers) {
        staff::sign_out(&state.db, token).await?;
    }
    let cleared = HeaderValue::from_str(&staff::cleared_cookie(state.secure_cookies))
        .map_err(|e| AppError::internal(e.to_string()))?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cleared)]).into_response())
}

/// The shop's staff, oldest first (owner or the key).
#[utoipa::path(get, path = "/v1/shops/{shop_id}/staff", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "The shop's staff", body = StaffList),
              (status = 403, description = "`forbidden`: only an owner (or the key)", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn staff_list(
    State(state): State<AppState>,
    merchant: Merchant,
) -> AppResult<Json<StaffList>> {
    Ok(Json(StaffList {
        items: staff::list(&state.db, &merchant.shop.shop.id).await?,
    }))
}

/// Adds someone to the staff with a role. Without a password one is generated and shown once; someone
/// who already works for another shop keeps their password (none is shown).
#[utoipa::path(post, path = "/v1/shops/{shop_id}/staff", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    request_body(content = NewStaff),
    responses((status = 201, description = "Added", body = AddedStaff),
              (status = 400, description = "`invalid_request`: a bad email or password (10 to 256 characters), or already on the staff", body = ErrorBody),
              (status = 403, description = "`forbidden`: only an owner (or the key)", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn staff_create(
    State(state): State<AppState>,
    merchant: Merchant,
    Json(new): Json<NewStaff>,
) -> AppResult<(StatusCode, Json<AddedStaff>)> {
    let added = staff::add(
        &state.db,
        &merchant.shop.shop.id,
        &new,
        merchant.actor.name(),
        false,
        state.clock.now_ms(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Removes someone from the staff and ends their sessions. The last owner cannot be removed (400).
#[utoipa::path(delete, path = "/v1/shops/{shop_id}/staff/{staff_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("staff_id" = String, Path, description = "The staff member's id")),
    responses((status = 204, description = "Removed"),
              (status = 400, description = "`invalid_request`: the shop's last owner", body = ErrorBody),
              (status = 403, description = "`forbidden`: only an owner (or the key)", body = ErrorBody),
              (status = 404, description = "`not_found`: no such staff member in this shop", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn staff_delete(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, staff_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    staff::remove(
        &state.db,
        &merchant.shop.shop.id,
        &staff_id,
        merchant.actor.name(),
        state.clock.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new secret key, shown once. The previous key keeps working for merchant calls and shopper
/// signatures for 24 hours, then never. An owner or the current key (not the previous one) may rotate.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/keys/rotate", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "The new key, shown this once", body = RotatedKey),
              (status = 403, description = "`forbidden`: only an owner or the current key", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn key_rotate(State(state): State<AppState>, merchant: Merchant) -> AppResult<Response> {
    if merchant.previous_key {
        return Err(AppError::Forbidden(
            "the key before the last rotation cannot rotate again; use the current key".into(),
        ));
    }
    let shop_id = &merchant.shop.shop.id;
    let secret_key = crate::shops::rotate_key(
        &state.db,
        shop_id,
        merchant.actor.name(),
        state.clock.now_ms(),
    )
    .await?;
    state.shops.forget(shop_id);
    Ok(([no_store()], Json(RotatedKey { secret_key })).into_response())
}

/// Who changed what, newest first: program and theme changes, adjustments, code cancellations,
/// memberships, webhooks, staff and key changes (owner, manager or the key).
#[utoipa::path(get, path = "/v1/shops/{shop_id}/audit", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 50", minimum = 1, maximum = 100),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page: a positive integer; empty or absent: the first page", pattern = r"^\+?[0-9]*$")),
    responses((status = 200, description = "A page of the audit log", body = AuditPage),
              (status = 403, description = "`forbidden`: only an owner or a manager", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn audit_list(
    State(state): State<AppState>,
    merchant: Merchant,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Json<AuditPage>> {
    let (limit, before) = activity_query(query.limit.as_deref(), query.before.as_deref(), 50)?;
    let rows = db::audit::page(&state.db, &merchant.shop.shop.id, before, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(Json(AuditPage {
        items: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id.to_string(),
                actor: r.actor,
                action: r.action,
                target: r.target,
                created_at: rfc3339(r.created_at),
            })
            .collect(),
        next,
    }))
}
