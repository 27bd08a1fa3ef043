//! Requests per shop and client, in memory, with `governor`'s keyed GCRA limiter (equivalent to a token
//! bucket of `rate_burst` refilled at `rate_per_second`): `429 rate_limited` with `Retry-After` when a
//! client is over. The client is the socket's peer or, behind `--trusted-proxies`, the forwarded address
//! ([`super::client_ip`]). Each server keeps its own buckets: N servers behind a load balancer let a
//! client through at up to N times the limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::client_ip::client_ip;
use crate::error::AppError;
use crate::{AppState, Limits};

/// Idle buckets (full again, so indistinguishable from new ones) are dropped this often.
const EVICT_EVERY: Duration = Duration::from_secs(60);

type Key = (Box<str>, IpAddr);

#[derive(Clone)]
pub struct RateLimiter {
    buckets: Arc<DefaultKeyedRateLimiter<Key>>,
    started: Instant,
    /// Seconds after `started` of the last eviction.
    evicted_at: Arc<AtomicU64>,
}

impl RateLimiter {
    pub fn new(limits: &Limits) -> RateLimiter {
        // The flags are floats (e.g. 0.2 per second); governor counts whole requests per period.
        let burst =
            NonZeroU32::new(limits.rate_burst.round().clamp(1.0, f64::from(u32::MAX)) as u32)
                .unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_secs_f64(1.0 / limits.rate_per_second.clamp(1e-6, 1e9));
        let quota = Quota::with_period(period.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        RateLimiter {
            buckets: Arc::new(DefaultKeyedRateLimiter::keyed(quota)),
            started: Instant::now(),
            evicted_at: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Takes one request; `Err(seconds)` until the next one is allowed when the client is over.
    pub fn take(&self, shop_id: &str, client: IpAddr) -> Result<(), u64> {
        self.evict_idle();
        match self.buckets.check_key(&(shop_id.into(), client)) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.buckets.clock().now());
                Err(wait.as_secs_f64().ceil().clamp(1.0, 3600.0) as u64)
            }
        }
    }

    /// Buckets held now (for the metrics).
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// At most once a minute, by whichever request comes first: keeps memory bounded by the clients
    /// seen recently rather than every client ever seen.
    fn evict_idle(&self) {
        let now = self.started.elapsed().as_secs();
        let last = self.evicted_at.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= EVICT_EVERY.as_secs()
            && self
                .evicted_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.buckets.retain_recent();
            self.buckets.shrink_to_fit();
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
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| {
                addr.ip()
            });
        let client = client_ip(peer, request.headers(), &state.limits.trusted_proxies);
        tracing::debug!(shop = %shop_id, %client, "rate limit key");
        if let Err(seconds) = state.rate.take(&shop_id, client) {
            return AppError::RateLimited(seconds).into_response();
        }
    }
    next.run(request).await
}
