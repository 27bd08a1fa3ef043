//! `tally-server serve` as operators run it: the API on its port, the metrics on another (when asked),
//! the webhook worker, and a shutdown on SIGTERM that lets requests and webhook attempts in flight finish
//! within `--shutdown-grace-secs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use tokio::sync::watch;

use crate::error::AppError;
use crate::server::{announce, bind, serve_with_grace, shutdown_signal};
use crate::{AppState, Db, Limits};

/// The command-line options of `serve` for running it in production.
#[derive(Args, Debug, Clone)]
pub struct OpsArgs {
    /// Seconds that requests and webhook attempts in flight get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "TALLY_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Where to serve `GET /metrics` (Prometheus text format), e.g. 127.0.0.1:9090; off when unset.
    /// Never the API's address: metrics are for the operator's network only.
    #[arg(long, env = "TALLY_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

/// Serves the API until a signal, then shuts down gracefully.
pub async fn serve(
    addr: SocketAddr,
    database_url: &str,
    limits: Limits,
    webhooks: crate::webhooks::WebhookConfig,
    ops: OpsArgs,
    jobs_interval: Duration,
    console_dir: std::path::PathBuf,
) -> Result<(), AppError> {
    let db = Db::connect(database_url).await?;
    let listener = bind(addr).await?;
    let bound = announce(&listener)?;
    let grace = Duration::from_secs(ops.shutdown_grace_secs);
    let state = AppState::new(db.clone(), limits)
        .listening_on(bound)
        .with_webhooks(webhooks)
        .with_jobs(jobs_interval);
    let scheduler = crate::jobs::start(state.clone());

    let (stopping, stop) = watch::channel(false);
    let stopping = Arc::new(stopping);
    tokio::spawn({
        let stopping = stopping.clone();
        async move {
            shutdown_signal().await;
            stopping.send_replace(true);
        }
    });
    let worker = crate::webhooks::worker::spawn(state.db.clone(), state.webhooks.clone());
    let worker_stopped = tokio::spawn({
        let stop = stop.clone();
        async move {
            signalled(stop).await;
            worker.stop_within(grace).await;
        }
    });
    if let Some(metrics_addr) = ops.metrics_addr {
        let handle = crate::telemetry::install()?;
        let metrics_listener = bind(metrics_addr).await?;
        let bound = metrics_listener
            .local_addr()
            .map_err(|e| AppError::internal(format!("local address: {e}")))?;
        crate::telemetry::announce(bound);
        let metrics = crate::telemetry::router(handle, state.clone());
        tokio::spawn(crate::server::serve(
            metrics_listener,
            metrics,
            signalled(stop.clone()),
        ));
    }
    let routes = crate::http::routes().merge(crate::console::routes(console_dir));
    let router = crate::http::with_layers(routes, state);
    let served = serve_with_grace(listener, router, signalled(stop), grace).await;
    stopping.send_replace(true); // a failed server stops the worker too
    let _ = worker_stopped.await;
    scheduler.stop().await;
    db.pool.close().await;
    tracing::info!("stopped");
    served.map_err(|e| AppError::internal(format!("server: {e}")))
}

async fn signalled(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}
