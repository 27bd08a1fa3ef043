//! Shops: their keys, their program, and a short-lived in-memory cache of both.
//!
//! ## How the secret key is kept
//! The contract uses one secret key for two things: `Authorization: Bearer {secret_key}` and the HMAC-SHA256
//! key of shopper tokens. A bearer check only needs a hash, but an HMAC check needs the key material itself.
//! RFC 2104 settles it: HMAC-SHA256 first replaces a key longer than its 64-byte block by SHA-256(key).
//! Generated keys are 72 bytes long, so SHA-256(key) *is* the HMAC key, and the server stores only that:
//! - `secret_key_sha256` — compared (in constant time) against SHA-256 of a presented bearer key;
//! - `signing_key` — the effective HMAC key: SHA-256(key) for long keys, the key bytes for keys of at most
//!   64 bytes (only the demo's public key, `sk_demo_tally_coffee_not_secret`, is that short).
//!
//! A stolen database therefore yields no usable bearer key for merchant calls; it does let the thief sign
//! shopper tokens, which no design can avoid while the server itself must verify those HMACs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tally_core::api::{ProgramRules, Shop};

use crate::db::Db;
use crate::error::{AppError, AppResult};

/// HMAC-SHA256's block size: longer keys are hashed first (RFC 2104).
const HMAC_BLOCK_BYTES: usize = 64;

/// A shop as the server keeps it.
#[derive(Debug, Clone)]
pub struct ShopRecord {
    pub shop: Shop,
    pub rules: ProgramRules,
    pub allowed_origins: Vec<String>,
    secret_key_sha256: [u8; 32],
    signing_key: Vec<u8>,
}

impl ShopRecord {
    /// Whether `presented` is this shop's secret key (constant time).
    pub fn is_secret_key(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.secret_key_sha256).into()
    }

    /// The effective HMAC key of shopper tokens (see the module documentation).
    pub fn signing_key(&self) -> &[u8] {
        &self.signing_key
    }

    /// HMAC-SHA256 of `message` under the shop's secret key.
    pub fn hmac(&self) -> Hmac<Sha256> {
        // Any key length is accepted by HMAC; this cannot fail.
        <Hmac<Sha256> as Mac>::new_from_slice(&self.signing_key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"))
    }
}

/// The two stored forms of a secret key (see the module documentation).
pub fn key_material(secret_key: &str) -> (String, String) {
    let digest = Sha256::digest(secret_key.as_bytes());
    let signing = if secret_key.len() > HMAC_BLOCK_BYTES {
        hex::encode(digest)
    } else {
        hex::encode(secret_key.as_bytes())
    };
    (hex::encode(digest), signing)
}

const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

pub fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

/// `sk_live_` and 64 random letters and digits (~381 bits); 72 bytes, longer than HMAC's block.
pub fn new_secret_key() -> String {
    format!("sk_live_{}", random_string(ALPHANUMERIC, 64))
}

pub fn new_shop_id() -> String {
    format!(
        "shop_{}",
        random_string(b"abcdefghijklmnopqrstuvwxyz0123456789", 12)
    )
}

/// What `shop create` and the demo store.
pub struct NewShop<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub currency: &'a str,
    pub locale: &'a str,
    pub secret_key: &'a str,
    pub rules: &'a ProgramRules,
    pub allowed_origins: &'a [String],
}

/// Inserts a shop, or (for the demo's fixed id) replaces its name, key and program.
pub async fn upsert_shop(db: &Db, new: &NewShop<'_>) -> AppResult<()> {
    let (hash, signing) = key_material(new.secret_key);
    sqlx::query(
        "INSERT INTO shops (id, name, currency, locale, secret_key_sha256, signing_key, program_json,
                            allowed_origins_json, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency,
             locale = excluded.locale, secret_key_sha256 = excluded.secret_key_sha256,
             signing_key = excluded.signing_key, program_json = excluded.program_json,
             allowed_origins_json = excluded.allowed_origins_json",
    )
    .bind(new.id)
    .bind(new.name)
    .bind(new.currency)
    .bind(new.locale)
    .bind(hash)
    .bind(signing)
    .bind(serde_json::to_string(new.rules)?)
    .bind(serde_json::to_string(new.allowed_origins)?)
    .bind(crate::clock::now_ms())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// A new shop's program until the merchant stores their own: 1 point per unit, a signup bonus, one tier.
pub fn starter_program(landing_url: &str) -> ProgramRules {
    use tally_core::api::*;
    ProgramRules {
        points: PointsName::default(),
        earn_rules: vec![
            EarnRule {
                id: "purchase".into(),
                kind: EarnRuleKind::Purchase,
                title: "Shop with us".into(),
                points_per_unit: Some(1),
                points: None,
            },
            EarnRule {
                id: "signup".into(),
                kind: EarnRuleKind::Signup,
                title: "Join the program".into(),
                points_per_unit: None,
                points: Some(50),
            },
        ],
        tiers: vec![Tier {
            id: "member".into(),
            name: "Member".into(),
            threshold: 0,
            earn_multiplier: 1.0,
            benefits: vec![],
        }],
        tier_metric: TierMetric::Spend,
        rewards: vec![],
        referral: ReferralProgram {
            advocate_points: 0,
            friend_points: 0,
            landing_url: landing_url.to_owned(),
        },
        points_expiry_days: Some(365),
        theme: serde_json::json!({}),
    }
}

pub async fn store_program(
    db: &Db,
    shop_id: &str,
    rules: &ProgramRules,
    allowed_origins: &[String],
) -> AppResult<()> {
    sqlx::query("UPDATE shops SET program_json = $1, allowed_origins_json = $2 WHERE id = $3")
        .bind(serde_json::to_string(rules)?)
        .bind(serde_json::to_string(allowed_origins)?)
        .bind(shop_id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

async fn load_shop(db: &Db, shop_id: &str) -> AppResult<Option<ShopRecord>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, name, currency, locale, secret_key_sha256, signing_key, program_json,
                allowed_origins_json FROM shops WHERE id = $1",
    )
    .bind(shop_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, name, currency, locale, hash, signing, program, origins)) = row else {
        return Ok(None);
    };
    let secret_key_sha256: [u8; 32] = hex::decode(&hash)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::internal(format!("shop {id}: malformed secret_key_sha256")))?;
    let signing_key = hex::decode(&signing)
        .map_err(|_| AppError::internal(format!("shop {id}: malformed signing_key")))?;
    Ok(Some(ShopRecord {
        shop: Shop {
            id,
            name,
            currency,
            locale,
        },
        rules: serde_json::from_str(&program)?,
        allowed_origins: serde_json::from_str(&origins)?,
        secret_key_sha256,
        signing_key,
    }))
}

/// Shops by id, kept for a few seconds: CORS and authentication look one up on every request.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_signing_key_of_a_long_secret_key_gives_the_same_hmac_as_the_key_itself() {
        let key = new_secret_key();
        let (_, signing) = key_material(&key);
        let message = b"shop_x:alice:1700000000";
        let mut by_key = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("hmac");
        by_key.update(message);
        let signing = hex::decode(signing).expect("hex");
        let mut by_stored = <Hmac<Sha256> as Mac>::new_from_slice(&signing).expect("hmac");
        by_stored.update(message);
        assert_eq!(
            by_key.finalize().into_bytes(),
            by_stored.finalize().into_bytes()
        );
        assert!(key.len() > HMAC_BLOCK_BYTES);
    }
}
