//! The console's "test your install": the server notes the origin and time a widget loads from (its
//! `GET …/program` or `…/me` with an allowed `Origin`), at most once a minute per shop and origin, and
//! `GET /v1/shops/{shop_id}/install` lists them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::Router;
use tally_core::api::ErrorBody;
use tally_core::staff::{InstallCheck, InstallOrigin};

use super::auth::Merchant;
use super::extract::Json;
use crate::clock::rfc3339;
use crate::error::AppResult;
use crate::shops::ShopRecord;
use crate::{db, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/shops/{shop_id}/install", get(install_show))
}

/// A sighting of a (shop, origin) is written at most this often by one server.
const SIGHTING_EVERY: Duration = Duration::from_secs(60);

/// When this server last wrote each (shop, origin)'s sighting.
#[derive(Clone, Default)]
pub struct Sightings {
    written: Arc<Mutex<HashMap<(String, String), Instant>>>,
}

impl Sightings {
    /// Notes that the shop's widget loaded from the request's `Origin`, if it is one the shop allows;
    /// the write happens in the background, once a minute at most, and never fails the request.
    pub fn note(&self, state: &AppState, shop: &ShopRecord, headers: &HeaderMap) {
        let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) else {
            return;
        };
        if !shop.allowed_origins.iter().any(|o| o == origin) {
            return;
        }
        let key = (shop.shop.id.clone(), origin.to_owned());
        {
            let Ok(mut written) = self.written.lock() else {
                return;
            };
            if written
                .get(&key)
                .is_some_and(|at| at.elapsed() < SIGHTING_EVERY)
            {
                return;
            }
            if written.len() > 10_000 {
                written.clear();
            }
            written.insert(key.clone(), Instant::now());
        }
        let (db, now) = (state.db.clone(), state.clock.now_ms());
        tokio::spawn(async move {
            if let Err(e) = db::sightings::record(&db, &key.0, &key.1, now).await {
                tracing::warn!(error = %e, shop_id = key.0, "widget sighting not recorded");
            }
        });
    }
}

/// The origins the shop's widget was seen loading from, most recent first, each with when (to within a
/// minute). Empty until a page with the widget is opened on one of the shop's allowed origins.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/install", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "Where the widget was seen", body = InstallCheck),
              (status = 403, description = "`forbidden`: only an owner or a manager", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn install_show(
    State(state): State<AppState>,
    merchant: Merchant,
) -> AppResult<Json<InstallCheck>> {
    let origins = db::sightings::list(&state.db, &merchant.shop.shop.id)
        .await?
        .into_iter()
        .map(|(origin, at)| InstallOrigin {
            origin,
            last_seen_at: rfc3339(at),
        })
        .collect();
    Ok(Json(InstallCheck { origins }))
}
