//! A shop's webhook endpoints and their deliveries (merchant): `POST/GET …/webhooks`,
//! `GET/PATCH/DELETE …/webhooks/{id}`, `GET …/webhooks/{id}/deliveries`, `GET …/deliveries/{delivery_id}`,
//! `POST …/deliveries/{delivery_id}/retry`, and Tally's extension `POST …/webhooks/{id}/test`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tally_core::api::ErrorBody;
use tally_core::webhooks::*;

use super::auth::Merchant;
use super::extract::{Json, Path, Query};
use crate::clock::now_ms;
use crate::error::{AppError, AppResult};
use crate::webhooks::{ssrf, store};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/shops/{shop_id}/webhooks",
            post(webhook_create).get(webhook_list),
        )
        .route(
            "/v1/shops/{shop_id}/webhooks/{webhook_id}",
            get(webhook_show)
                .patch(webhook_update)
                .delete(webhook_delete),
        )
        .route(
            "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries",
            get(delivery_list),
        )
        .route(
            "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries/{delivery_id}",
            get(delivery_show),
        )
        .route(
            "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
            post(delivery_retry),
        )
        .route(
            "/v1/shops/{shop_id}/webhooks/{webhook_id}/test",
            post(webhook_test),
        )
}

/// `["*"]` or known event types, without repeats; the message names the field.
pub fn checked_events(events: &[String]) -> AppResult<Vec<String>> {
    if events.is_empty() {
        return Err(AppError::Invalid(
            "events: must name at least one event type, or be [\"*\"]".into(),
        ));
    }
    if events.len() > MAX_EVENTS {
        return Err(AppError::Invalid(format!(
            "events: at most {MAX_EVENTS} entries"
        )));
    }
    if events.iter().any(|e| e == ALL_EVENTS) {
        if events.len() > 1 {
            return Err(AppError::Invalid(
                "events: \"*\" (every event) stands alone".into(),
            ));
        }
        return Ok(vec![ALL_EVENTS.to_owned()]);
    }
    let mut checked: Vec<String> = Vec::new();
    for event in events {
        let known: EventType = event.parse().map_err(|e: UnknownEventType| {
            let names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
            AppError::Invalid(format!("events: {e}; known: {}", names.join(", ")))
        })?;
        if !checked.iter().any(|c| c == known.as_str()) {
            checked.push(known.as_str().to_owned());
        }
    }
    Ok(checked)
}

async fn checked_url(state: &AppState, url: &str) -> AppResult<String> {
    ssrf::check_endpoint_url(url.trim(), state.webhooks.config.allow_private)
        .await
        .map(|u| u.to_string())
        .map_err(AppError::Invalid)
}

/// Adds an endpoint; the answer carries its signing secret, shown this once.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/webhooks", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    request_body(content = WebhookEndpointCreate),
    responses((status = 201, description = "Created, with its secret (shown only here)", body = WebhookEndpointCreated),
              (status = 400, description = "`invalid_request`: the URL is refused (not https, not a public address: the message says why) or an event type is unknown", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn webhook_create(
    State(state): State<AppState>,
    merchant: Merchant,
    Json(request): Json<WebhookEndpointCreate>,
) -> AppResult<(StatusCode, Json<WebhookEndpointCreated>)> {
    let events = checked_events(&request.events)?;
    let url = checked_url(&state, &request.url).await?;
    let created =
        store::create_endpoint(&state.db, &merchant.shop.shop.id, &url, &events, now_ms()).await?;
    let target = format!("{} {}", created.id, created.url);
    audit(&state, &merchant, "webhook.created", &target).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The shop's endpoints, oldest first, without their secrets.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/webhooks", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "Every endpoint of the shop", body = WebhookEndpointList),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn webhook_list(
    State(state): State<AppState>,
    merchant: Merchant,
) -> AppResult<Json<WebhookEndpointList>> {
    Ok(Json(WebhookEndpointList {
        items: store::list_endpoints(&state.db, &merchant.shop.shop.id).await?,
    }))
}

/// One endpoint, without its secret.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/webhooks/{webhook_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("webhook_id" = String, Path, description = "The endpoint's id")),
    responses((status = 200, description = "The endpoint", body = WebhookEndpoint),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no such endpoint in this shop", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn webhook_show(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, webhook_id)): Path<(String, String)>,
) -> AppResult<Json<WebhookEndpoint>> {
    Ok(Json(
        store::get_endpoint(&state.db, &merchant.shop.shop.id, &webhook_id).await?,
    ))
}

/// Changes an endpoint's URL, events or whether it is enabled (a disabled endpoint's deliveries wait).
#[utoipa::path(patch, path = "/v1/shops/{shop_id}/webhooks/{webhook_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("webhook_id" = String, Path, description = "The endpoint's id")),
    request_body(content = WebhookEndpointUpdate),
    responses((status = 200, description = "The endpoint as it now is", body = WebhookEndpoint),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn webhook_update(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, webhook_id)): Path<(String, String)>,
    Json(update): Json<WebhookEndpointUpdate>,
) -> AppResult<Json<WebhookEndpoint>> {
    let shop_id = &merchant.shop.shop.id;
    // 404 before 400: another shop's endpoint tells nothing about its URL rules.
    store::get_endpoint(&state.db, shop_id, &webhook_id).await?;
    let events = update.events.as_deref().map(checked_events).transpose()?;
    let url = match &update.url {
        Some(url) => Some(checked_url(&state, url).await?),
        None => None,
    };
    let endpoint = store::update_endpoint(
        &state.db,
        shop_id,
        &webhook_id,
        url.as_deref(),
        events.as_deref(),
        update.enabled,
        now_ms(),
    )
    .await?;
    state.webhooks.wake.notify_one();
    audit(&state, &merchant, "webhook.updated", &webhook_id).await?;
    Ok(Json(endpoint))
}

/// Removes an endpoint with its deliveries.
#[utoipa::path(delete, path = "/v1/shops/{shop_id}/webhooks/{webhook_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("webhook_id" = String, Path, description = "The endpoint's id")),
    responses((status = 204, description = "Deleted"),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn webhook_delete(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, webhook_id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    store::delete_endpoint(&state.db, &merchant.shop.shop.id, &webhook_id).await?;
    audit(&state, &merchant, "webhook.deleted", &webhook_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct DeliveryQuery {
    limit: Option<String>,
    before: Option<String>,
}

/// An endpoint's deliveries, newest first, a page at a time.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("webhook_id" = String, Path, description = "The endpoint's id"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page: a positive integer; empty or absent: the first page", pattern = r"^\+?[0-9]*$")),
    responses((status = 200, description = "A page of deliveries", body = WebhookDeliveryPage),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn delivery_list(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, webhook_id)): Path<(String, String)>,
    Query(query): Query<DeliveryQuery>,
) -> AppResult<Json<WebhookDeliveryPage>> {
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
    Ok(Json(
        store::delivery_page(
            &state.db,
            &merchant.shop.shop.id,
            &webhook_id,
            limit,
            before,
        )
        .await?,
    ))
}

/// One delivery with the log of its attempts (Tally's extension).
#[utoipa::path(get, path = "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries/{delivery_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("webhook_id" = String, Path, description = "The endpoint's id"),
           ("delivery_id" = String, Path, description = "The delivery's id")),
    responses((status = 200, description = "The delivery and its `log`", body = WebhookDelivery),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn delivery_show(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, webhook_id, delivery_id)): Path<(String, String, String)>,
) -> AppResult<Json<WebhookDelivery>> {
    Ok(Json(
        store::delivery_show(&state.db, &merchant.shop.shop.id, &webhook_id, &delivery_id).await?,
    ))
}

/// One more attempt, now; a `failed` delivery becomes `pending` again.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("webhook_id" = String, Path, description = "The endpoint's id"),
           ("delivery_id" = String, Path, description = "The delivery's id")),
    responses((status = 202, description = "Queued: the delivery, now pending and due", body = WebhookDelivery),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn delivery_retry(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, webhook_id, delivery_id)): Path<(String, String, String)>,
) -> AppResult<(StatusCode, Json<WebhookDelivery>)> {
    let delivery = store::retry_delivery(
        &state.db,
        &merchant.shop.shop.id,
        &webhook_id,
        &delivery_id,
        now_ms(),
    )
    .await?;
    state.webhooks.wake.notify_one();
    let target = format!("{webhook_id} delivery {delivery_id}");
    audit(&state, &merchant, "webhook.retried", &target).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// Tally's extension: sends a `webhook.test` event to this endpoint only.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/webhooks/{webhook_id}/test", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("webhook_id" = String, Path, description = "The endpoint's id")),
    responses((status = 202, description = "Queued: the test event and its delivery", body = WebhookTestSent),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn webhook_test(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, webhook_id)): Path<(String, String)>,
) -> AppResult<(StatusCode, Json<WebhookTestSent>)> {
    let sent = store::send_test(&state.db, &merchant.shop.shop.id, &webhook_id, now_ms()).await?;
    state.webhooks.wake.notify_one();
    audit(&state, &merchant, "webhook.tested", &webhook_id).await?;
    Ok((StatusCode::ACCEPTED, Json(sent)))
}

/// The audit entry of a change to the shop's webhooks, written after it (the webhook store has its own
/// statements, no transaction of ours to join).
async fn audit(state: &AppState, merchant: &Merchant, action: &str, target: &str) -> AppResult<()> {
    let entry = crate::db::audit::NewAudit {
        shop_id: &merchant.shop.shop.id,
        actor: merchant.actor.name(),
        action,
        target,
        now: state.clock.now_ms(),
    };
    crate::db::audit::record(&state.db, &entry).await
}
