//! The floor for bench/api: a bare axum handler answering `GET /program` with a body of the same size as
//! the demo program, no database, no middleware. What Tally's own `GET …/program` is measured against.

use axum::{http::header, routing::get, Router};
use std::io::Write;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let body = serde_json::to_string(&tally_core::demo::coffee_program())
        .map_err(std::io::Error::other)?;
    let app = Router::new().route(
        "/program",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    axum::serve(listener, app).await
}
