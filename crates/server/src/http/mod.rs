//! The HTTP API: one module per resource, each with its `router()`, mapping the ledger's outcomes to
//! status codes; `extract` and `auth` check what comes in once, `layers` wraps every request.

pub mod auth;
pub mod codes;
pub mod customers;
pub mod exports;
pub mod extract;
pub mod imports;
pub mod install;
pub mod layers;
pub mod me;
pub mod ops;
pub mod orders;
pub mod program;
pub mod ready;
pub mod reports;
pub mod roles;
pub mod shop;
pub mod staff;
pub mod webhooks;

use axum::Router;

pub use layers::{with_layers, RateLimiter, HEADER_LIMIT_BYTES};

use crate::AppState;

/// Every route of the API, without layers (the demo adds its pages to these).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(program::router())
        .merge(me::router())
        .merge(orders::router())
        .merge(customers::router())
        .merge(codes::router())
        .merge(reports::router())
        .merge(exports::router())
        .merge(imports::router())
        .merge(webhooks::router())
        .merge(staff::router())
        .merge(shop::router())
        .merge(install::router())
        .merge(ops::router())
        .merge(ready::router())
}

/// The API's routes with all their layers, ready for `axum::serve`.
pub fn api_router(state: AppState) -> Router {
    with_layers(routes(), state)
}
