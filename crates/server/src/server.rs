//! Running the server: binding, the one line scripts wait for, serving until a signal.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;

use crate::error::AppError;

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, AppError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))
}

/// Prints the one line scripts wait for, with the address really bound, and flushes it.
pub fn announce(listener: &TcpListener) -> Result<SocketAddr, AppError> {
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::internal(format!("local address: {e}")))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{addr}")
        .and_then(|_| out.flush())
        .map_err(|e| AppError::internal(format!("stdout: {e}")))?;
    Ok(addr)
}

/// Serves `router` on `listener` (with client addresses, for the rate limit) until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
