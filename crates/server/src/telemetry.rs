//! Metrics in Prometheus's text format (`metrics` + `metrics-exporter-prometheus`), served only on
//! `--metrics-addr`, never on the API's port. Without that flag no recorder is installed and every
//! `metrics::` call below is a no-op.
//!
//! - `tally_http_requests_total{method,route,status}` and `tally_http_request_duration_seconds{method,route}`
//!   (a histogram): `route` is the matched path template (`/v1/shops/{shop_id}/me`), never the raw path,
//!   so ids never become labels; unknown paths are `unmatched`.
//! - `tally_db_pool_connections{state="open"|"idle"}`, `tally_db_pool_max_connections`: read at scrape.
//! - `tally_rate_limit_keys`: the (shop, client) buckets held, read at scrape.
//! - `tally_webhook_queue_depth`: deliveries pending, as the worker last counted them;
//!   `tally_webhook_attempts_total{outcome="succeeded"|"retrying"|"failed"}`.
//! - `tally_ledger_entries_total{kind}`: entries posted, counted when written (a write rolled back later
//!   in its transaction, which is rare, is counted too).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::error::AppError;
use crate::AppState;

/// Latency buckets, in seconds: from a cached read to the 15 s request limit.
const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0,
];

/// Installs the process's recorder (once per process) and keeps it tidy in the background.
pub fn install() -> Result<PrometheusHandle, AppError> {
    let handle = PrometheusBuilder::new()
        .set_buckets(LATENCY_BUCKETS)
        .and_then(|builder| builder.install_recorder())
        .map_err(|e| AppError::internal(format!("metrics: {e}")))?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// The metrics listener's routes: `GET /metrics`, nothing else.
pub fn router(handle: PrometheusHandle, state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics_show))
        .with_state((handle, state))
}

async fn metrics_show(State((handle, state)): State<(PrometheusHandle, AppState)>) -> Response {
    let pool = &state.db.pool;
    metrics::gauge!("tally_db_pool_connections", "state" => "open").set(f64::from(pool.size()));
    metrics::gauge!("tally_db_pool_connections", "state" => "idle").set(pool.num_idle() as f64);
    metrics::gauge!("tally_db_pool_max_connections")
        .set(f64::from(pool.options().get_max_connections()));
    metrics::gauge!("tally_rate_limit_keys").set(state.rate.len() as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

/// Counts and times every request by method, route template and status.
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("tally_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("tally_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// One ledger entry written.
pub fn entry_posted(kind: &'static str) {
    metrics::counter!("tally_ledger_entries_total", "kind" => kind).increment(1);
}

/// One webhook attempt's outcome: `succeeded`, `retrying` or `failed`.
pub fn webhook_attempt(outcome: &'static str) {
    metrics::counter!("tally_webhook_attempts_total", "outcome" => outcome).increment(1);
}

pub fn webhook_queue_depth(pending: i64) {
    metrics::gauge!("tally_webhook_queue_depth").set(pending as f64);
}

/// The line that tells scripts where the metrics are, after the `listening on` line.
pub fn announce(addr: SocketAddr) {
    use std::io::Write;
    // Ignored on failure: a script that read only the first line may have closed our stdout.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "metrics on http://{addr}/metrics").and_then(|_| out.flush());
}
