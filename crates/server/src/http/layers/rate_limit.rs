//! A token bucket per shop and client IP, in memory: `429 rate_limited` with `Retry-After` when empty.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::AppState;

#[derive(Clone, Default)]
pub struct RateLimiter {
    buckets: Arc<Mutex<HashMap<(String, String), Bucket>>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// Takes one token; `Err(seconds)` until the next one when the bucket is empty.
    pub fn take(
        &self,
        shop_id: &str,
        client: &str,
        burst: f64,
        per_second: f64,
    ) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // A poisoned limiter must not take the API down with it.
        };
        let now = Instant::now();
        if buckets.len() > 100_000 {
            buckets.retain(|_, b| now.duration_since(b.at).as_secs_f64() * per_second < burst);
        }
        let bucket = buckets
            .entry((shop_id.to_owned(), client.to_owned()))
            .or_insert(Bucket {
                tokens: burst,
                at: now,
            });
        let refill = now.duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / per_second.max(f64::MIN_POSITIVE);
            Err(wait.ceil().clamp(1.0, 3600.0) as u64)
        }
    }
}

pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let shop_id = request
        .uri()
        .path()
        .strip_prefix("/v1/shops/")
        .and_then(|rest| rest.split('/').next())
        .map(str::to_owned);
    if let Some(shop_id) = shop_id {
        let client = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let limits = &state.limits;
        if let Err(seconds) =
            state
                .rate
                .take(&shop_id, &client, limits.rate_burst, limits.rate_per_second)
        {
            return AppError::RateLimited(seconds).into_response();
        }
    }
    next.run(request).await
}
