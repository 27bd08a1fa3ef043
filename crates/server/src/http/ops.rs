//! `GET /healthz` and `GET /openapi.json`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

use super::extract::Json;
use crate::jobs::{self, JobStatus};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health_show))
        .route("/openapi.json", get(openapi_show))
}

/// `GET /healthz`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` while the process answers.
    pub status: &'static str,
    /// On a server running the scheduler: each job's last run (by any server on the database), by name
    /// (`points_expiry`, `code_expiry`, `points_expiring`, `membership_end`). `null` if the database could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, JobStatus>>)]
    pub jobs: Option<Option<BTreeMap<String, JobStatus>>>,
    /// Where this process runs the webhook worker: deliveries waiting and when it last looked.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub webhooks: Option<serde_json::Value>,
}

/// Liveness: `{"status": "ok"}`; on a server that runs the scheduler when each job last ran, and where
/// the webhook worker runs `"webhooks": {"pending", "last_run_at"}`.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "`{\"status\": \"ok\", \"jobs\": {…}}`", body = Health)))]
pub async fn health_show(State(state): State<AppState>) -> Json<Health> {
    let jobs = match state.jobs {
        None => None,
        // Liveness does not depend on the database: a failed read shows as `"jobs": null`.
        Some(_) => Some(match jobs::statuses(&state.db).await {
            Ok(statuses) => Some(statuses),
            Err(e) => {
                tracing::warn!(error = %e, "healthz: the jobs could not be read");
                None
            }
        }),
    };
    let webhooks = state.webhooks.health.json();
    Json(Health {
        status: "ok",
        jobs,
        webhooks,
    })
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
            "staff_session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "tally_session",
                "A console sign-in (`POST /v1/staff/session`). Every merchant operation accepts it \
                 instead of the secret key, within the staff member's role (owner, manager, clerk; \
                 else 403 `forbidden`); a request other than GET or HEAD must also carry \
                 `X-Tally-Csrf: {csrf_token}` of the session, else 403 `forbidden`",
            ))),
        );
        // Every operation the secret key opens is open to a staff session too (within its role).
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let Some(security) = operation.security.as_mut() else {
                    continue;
                };
                let by_key = security.iter().any(|requirement| {
                    serde_json::to_value(requirement)
                        .ok()
                        .is_some_and(|v| v.get("secret_key").is_some())
                });
                if by_key {
                    security.push(SecurityRequirement::new(
                        "staff_session",
                        Vec::<String>::new(),
                    ));
                }
            }
        }
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

/// The answers any operation may give whatever it does: a 500 (never with internals), a 503 while the
/// database is unavailable or a request runs too long, a 431 for oversized headers, and on shop paths a
/// 400 for a malformed path parameter and a 429 from the rate limit. Documented once here so clients (and schemathesis) expect them everywhere.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder, Type};

        let error = |description: &str, retry_after: bool| {
            let mut response = ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            );
            if retry_after {
                response = response.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(utoipa::openapi::schema::Object::with_type(Type::Integer))
                        .description(Some("Seconds to wait before retrying"))
                        .build(),
                );
            }
            response.build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                // What the layers answer before the handler runs (`issue 15`): credentials, body size.
                let needs_credentials = operation
                    .security
                    .as_ref()
                    .is_some_and(|requirements| !requirements.is_empty());
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                let mut add = |status: &str, response: utoipa::openapi::Response| {
                    responses
                        .entry(status.to_owned())
                        .or_insert(response.into());
                };
                add(
                    "431",
                    error("`invalid_request`: request headers too large", false),
                );
                add(
                    "500",
                    error("`internal`: nothing of the cause is shown", false),
                );
                add(
                    "503",
                    error("`unavailable`: the database is unreachable, read-only or full, or the request ran too long; nothing was changed", true),
                );
                if path.starts_with("/v1/shops/") {
                    // Path parameters are checked too (a customer id must be printable ASCII).
                    add(
                        "400",
                        error("`invalid_request`: the message names the parameter", false),
                    );
                    add("429", error("`rate_limited`", true));
                    add(
                        "404",
                        error(
                            "`not_found`: no such shop (or no such resource in it)",
                            false,
                        ),
                    );
                }
                if needs_credentials {
                    add(
                        "403",
                        error(
                            "`forbidden`: signed in, but the role may not do this, or a signed-in change without `X-Tally-Csrf`",
                            false,
                        ),
                    );
                    add(
                        "401",
                        error(
                            "`unauthorized`: credentials missing, wrong or expired",
                            false,
                        ),
                    );
                }
                if has_body {
                    add(
                        "413",
                        error(
                            "`invalid_request`: the body is larger than the limit (64 KB)",
                            false,
                        ),
                    );
                }
            }
        }
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
        super::ready::ready_show,
        super::program::program_show,
        super::program::program_update,
        super::me::me_show,
        super::me::activity_list,
        super::me::redemption_list,
        super::me::redemption_create,
        super::me::feedback_create,
        super::orders::order_create,
        super::orders::refund_create,
        super::customers::customer_show,
        super::customers::customer_update,
        super::customers::adjustment_create,
        super::customers::activity_create,
        super::customers::customer_list,
        super::customers::customer_activity_list,
        super::customers::customer_redemption_list,
        super::customers::customer_feedback_list,
        super::customers::membership_create,
        super::customers::membership_cancel,
        super::codes::code_show,
        super::codes::code_use,
        super::codes::code_cancel,
        super::reports::summary_show,
        super::reports::timeseries_show,
        super::reports::insights_show,
        super::exports::customers_csv,
        super::exports::ledger_csv,
        super::imports::customers_import,
        super::webhooks::webhook_create,
        super::webhooks::webhook_list,
        super::webhooks::webhook_show,
        super::webhooks::webhook_update,
        super::webhooks::webhook_delete,
        super::webhooks::delivery_list,
        super::webhooks::delivery_show,
        super::webhooks::delivery_retry,
        super::webhooks::webhook_test,
        super::program::version_list,
        super::program::version_restore,
        super::shop::shop_update,
        super::install::install_show,
        super::staff::session_create,
        super::staff::session_show,
        super::staff::session_delete,
        super::staff::staff_list,
        super::staff::staff_create,
        super::staff::staff_delete,
        super::staff::key_rotate,
        super::staff::audit_list,
    ),
    modifiers(&SecuritySchemes, &CommonResponses),
    tags((name = "public"), (name = "shopper"), (name = "merchant"), (name = "staff"), (name = "operations"))
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document.
pub async fn openapi_show() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
