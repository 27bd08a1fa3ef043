//! Running the server: binding, the one line scripts wait for, serving until a signal (and then for at
//! most a grace period).

use std::future::{Future, IntoFuture};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

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

/// Like [`serve`], but once `shutdown` resolves the requests in flight get at most `grace` to finish;
/// what is still running then is cut off, and the log says how many.
pub async fn serve_with_grace(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let router = router.layer(axum::middleware::from_fn_with_state(
        in_flight.clone(),
        count_in_flight,
    ));
    let (signalled, told) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        let _ = signalled.send(());
    });
    let deadline = async move {
        if told.await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!(
            in_flight = in_flight.load(Ordering::SeqCst),
            grace_secs = grace.as_secs(),
            "no new connections; finishing the requests in flight"
        );
        tokio::time::sleep(grace).await;
        in_flight.load(Ordering::SeqCst)
    };
    tokio::select! {
        served = server.into_future() => {
            if served.is_ok() {
                tracing::info!("every request in flight was answered");
            }
            served
        }
        cut_off = deadline => {
            tracing::warn!(cut_off, grace_secs = grace.as_secs(),
                           "the grace period ran out: requests still in flight were cut off");
            Ok(())
        }
    }
}

async fn count_in_flight(
    axum::extract::State(in_flight): axum::extract::State<Arc<AtomicUsize>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    struct Leaving(Arc<AtomicUsize>);
    impl Drop for Leaving {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    in_flight.fetch_add(1, Ordering::SeqCst);
    let _leaving = Leaving(in_flight);
    next.run(request).await
}
