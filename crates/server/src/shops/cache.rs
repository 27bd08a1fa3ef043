//! Shops by id, kept for a few seconds: CORS and authentication look one up on every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{load_shop, ShopRecord};
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// When a shop was loaded, and what was found (`None`: no such shop, also worth remembering briefly).
type CachedShop = (Instant, Option<Arc<ShopRecord>>);

#[derive(Clone, Default)]
pub struct ShopCache {
    entries: Arc<Mutex<HashMap<String, CachedShop>>>,
}

const SHOP_CACHE_TTL: Duration = Duration::from_secs(5);

impl ShopCache {
    pub async fn get(&self, db: &Db, shop_id: &str) -> AppResult<Option<Arc<ShopRecord>>> {
        if let Ok(entries) = self.entries.lock() {
            if let Some((at, shop)) = entries.get(shop_id) {
                if at.elapsed() < SHOP_CACHE_TTL {
                    return Ok(shop.clone());
                }
            }
        }
        let shop = load_shop(db, shop_id).await?.map(Arc::new);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.clear();
            }
            entries.insert(shop_id.to_owned(), (Instant::now(), shop.clone()));
        }
        Ok(shop)
    }

    /// The shop, or 404 naming it.
    pub async fn require(&self, db: &Db, shop_id: &str) -> AppResult<Arc<ShopRecord>> {
        self.get(db, shop_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("shop_id: no shop {shop_id:?}")))
    }

    pub fn forget(&self, shop_id: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(shop_id);
        }
    }
}
