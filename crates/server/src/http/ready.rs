//! `GET /readyz`: whether this server should get traffic (the database answers and its schema is the
//! one this binary was built for). `/healthz` (in `ops`) only says the process is alive.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tally_core::api::ErrorCode;

use super::extract::Json;
use crate::db::health::{applied_version, latest_version};
use crate::error::error_response;
use crate::AppState;

/// A load balancer polls every few seconds: a database slower than this is as good as unreachable.
const DATABASE_DEADLINE: Duration = Duration::from_secs(2);

pub fn router() -> Router<AppState> {
    Router::new().route("/readyz", get(ready_show))
}

/// Readiness: 200 `{"status": "ready", "migrations": N}`, else 503 naming why.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "`{\"status\": \"ready\", \"migrations\": N}`: the database answers \
                                      and has exactly this binary's migrations", body = Object),
        (status = 503, description = "`unavailable`: the database does not answer within 2 s, or its \
                                      migrations are not this binary's (the message says which)",
         body = tally_core::api::ErrorBody)))]
pub async fn ready_show(State(state): State<AppState>) -> Response {
    let latest = latest_version(state.db.backend);
    let unready = |message: String| {
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            message,
        )
    };
    match tokio::time::timeout(DATABASE_DEADLINE, applied_version(&state.db)).await {
        Err(_) => unready(format!(
            "database: no answer within {} s",
            DATABASE_DEADLINE.as_secs()
        )),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readyz: the database does not answer");
            unready("database: not reachable (the server's log says why)".into())
        }
        Ok(Ok(applied)) if applied != latest => unready(format!(
            "migrations: the database is at version {applied}, this binary's latest is {latest}"
        )),
        Ok(Ok(applied)) => {
            Json(serde_json::json!({"status": "ready", "migrations": applied})).into_response()
        }
    }
}
