//! `GET /healthz` and `GET /openapi.json`.

use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::extract::Json;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health_show))
        .route("/openapi.json", get(openapi_show))
}

/// Liveness: `{"status": "ok"}`.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "`{\"status\": \"ok\"}`", body = Object)))]
pub async fn health_show() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "secret_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The shop's secret key, from the shop's back end only"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "shopper_token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Tally-Signature",
                "With X-Tally-Customer and X-Tally-Timestamp: lowercase hex HMAC-SHA256 of \
                 `{shop_id}:{customer_id}:{timestamp}` keyed by the shop's secret key",
            ))),
        );
    }
}

/// The API as the code declares it.
#[derive(OpenApi)]
#[openapi(
    info(title = "Tally loyalty API", version = "1",
         description = "Points, tiers, rewards and referrals for a shop. Every error is \
                        `{\"error\": {\"code\", \"message\"}}`. See docs/api.md."),
    paths(
        health_show,
        super::program::program_show,
        super::program::program_update,
        super::me::me_show,
        super::me::activity_list,
        super::me::redemption_list,
        super::me::redemption_create,
        super::orders::order_create,
        super::orders::refund_create,
        super::customers::customer_show,
        super::customers::customer_update,
        super::customers::adjustment_create,
        super::customers::activity_create,
        super::reports::summary_show,
    ),
    modifiers(&SecuritySchemes),
    tags((name = "public"), (name = "shopper"), (name = "merchant"), (name = "operations"))
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document.
pub async fn openapi_show() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
