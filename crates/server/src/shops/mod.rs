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

mod cache;

pub use cache::ShopCache;

use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tally_core::api::{ProgramRules, ProgramUpdate, Shop};
use tally_core::ids::{ID_ALPHABET, KEY_ALPHABET};

use crate::db::shops::ShopRow;
use crate::db::{self, Db};
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
    /// The key before the last rotation, until its grace ends (see [`KEY_ROTATION_GRACE_MS`]).
    previous: Option<PreviousKey>,
}

/// How long the key before a rotation keeps working, for merchant calls and shopper signatures.
pub const KEY_ROTATION_GRACE_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Debug, Clone)]
struct PreviousKey {
    secret_key_sha256: [u8; 32],
    signing_key: Vec<u8>,
    expires_at: i64,
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

    /// Whether `presented` is this shop's key, or its key before the last rotation while that still
    /// works at `now_ms` (constant time for each).
    pub fn accepts_key(&self, presented: &str, now_ms: i64) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let current: bool = digest.ct_eq(&self.secret_key_sha256).into();
        let previous = self
            .previous_key(now_ms)
            .is_some_and(|previous| bool::from(digest.ct_eq(&previous.secret_key_sha256)));
        current | previous
    }

    /// The HMAC key of the key before the last rotation, while it still works at `now_ms`.
    pub fn previous_signing_key(&self, now_ms: i64) -> Option<&[u8]> {
        self.previous_key(now_ms).map(|p| p.signing_key.as_slice())
    }

    fn previous_key(&self, now_ms: i64) -> Option<&PreviousKey> {
        self.previous.as_ref().filter(|p| now_ms < p.expires_at)
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

/// `len` characters drawn at random from `alphabet` (one of `tally_core::ids`'s).
pub fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

/// `sk_live_` and 64 random letters and digits (~381 bits); 72 bytes, longer than HMAC's block.
pub fn new_secret_key() -> String {
    format!("sk_live_{}", random_string(KEY_ALPHABET, 64))
}

pub fn new_shop_id() -> String {
    format!("shop_{}", random_string(ID_ALPHABET, 12))
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
    let row = ShopRow {
        id: new.id.to_owned(),
        name: new.name.to_owned(),
        currency: new.currency.to_owned(),
        locale: new.locale.to_owned(),
        secret_key_sha256: hash,
        signing_key: signing,
        program_json: serde_json::to_string(new.rules)?,
        allowed_origins_json: serde_json::to_string(new.allowed_origins)?,
    };
    db::shops::upsert(db, &row, crate::clock::now_ms()).await
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
                limit: None,
            },
            EarnRule {
                id: "signup".into(),
                kind: EarnRuleKind::Signup,
                title: "Join the program".into(),
                points_per_unit: None,
                points: Some(50),
                limit: None,
            },
        ],
        tiers: vec![Tier {
            id: "member".into(),
            name: "Member".into(),
            threshold: Some(0),
            earn_multiplier: 1.0,
            benefits: vec![],
            paid: None,
        }],
        tier_metric: TierMetric::Spend,
        rewards: vec![],
        referral: ReferralProgram {
            advocate_points: 0,
            friend_points: 0,
            landing_url: landing_url.to_owned(),
            max_per_week: None,
        },
        points_expiry_days: Some(365),
        refund_expired_codes: false,
        theme: serde_json::json!({}),
        feedback: None,
    }
}

/// Saves a program as the shop's program and as its next version, audited, in one transaction; the
/// shop's first save also keeps what it had before as version 1. Returns the new version's number.
pub async fn save_program(
    db: &Db,
    shop_id: &str,
    update: &ProgramUpdate,
    actor: &str,
    action: &str,
    now: i64,
) -> AppResult<i64> {
    let mut tx = db.begin_shop_write().await?;
    let before = ensure_first_version(&mut tx, shop_id).await?;
    let latest = db::program_versions::latest(&mut tx, shop_id).await?;
    let program_json = serde_json::to_string(&update.rules)?;
    let origins_json = serde_json::to_string(&update.allowed_origins)?;
    db::program_versions::set_program(&mut tx, shop_id, &program_json, &origins_json).await?;
    let version = latest + 1;
    let whole = serde_json::to_string(update)?;
    db::program_versions::insert(&mut tx, shop_id, version, actor, now, &whole).await?;
    let target = format!("version {version}");
    let mut actions = vec![if action == "program.restored" {
        "program.restored"
    } else {
        "program.updated"
    }];
    if before.is_some_and(|b| b.rules.theme != update.rules.theme) {
        actions.push("theme.updated");
    }
    for action in actions {
        let entry = db::audit::NewAudit {
            shop_id,
            actor,
            action,
            target: &target,
            now,
        };
        db::audit::record_in(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(version)
}

/// Keeps a shop's program as version 1 if it has no version yet; returns the program it has now.
pub async fn ensure_first_version(
    tx: &mut db::ShopTx,
    shop_id: &str,
) -> AppResult<Option<ProgramUpdate>> {
    let Some((program_json, origins_json, created_at)) =
        db::program_versions::current(tx, shop_id).await?
    else {
        return Ok(None);
    };
    let current = ProgramUpdate {
        rules: serde_json::from_str(&program_json)?,
        allowed_origins: serde_json::from_str(&origins_json)?,
    };
    if db::program_versions::latest(tx, shop_id).await? == 0 {
        let whole = serde_json::to_string(&current)?;
        db::program_versions::insert(tx, shop_id, 1, "key", created_at, &whole).await?;
    }
    Ok(Some(current))
}

/// Seeds version 1 of a shop that has none (the versions' list shows the program it has).
pub async fn seed_versions(db: &Db, shop_id: &str) -> AppResult<()> {
    let mut tx = db.begin_shop_write().await?;
    ensure_first_version(&mut tx, shop_id).await?;
    tx.commit().await
}

/// Sets a shop's name, currency and locale (a new currency only while no money was recorded), audited.
pub async fn update_profile(
    db: &Db,
    shop: &Shop,
    update: &tally_core::staff::ShopUpdate,
    actor: &str,
    now: i64,
) -> AppResult<Shop> {
    let mut tx = db.begin_shop_write().await?;
    let next = Shop {
        id: shop.id.clone(),
        name: update.name.clone().unwrap_or_else(|| shop.name.clone()),
        currency: update
            .currency
            .clone()
            .unwrap_or_else(|| shop.currency.clone()),
        locale: update.locale.clone().unwrap_or_else(|| shop.locale.clone()),
    };
    if next.currency != shop.currency && db::shops::has_money_history(&mut tx, &shop.id).await? {
        return Err(AppError::Invalid(format!(
            "currency: stays {} because the shop has already recorded orders or points in it; \
             a new currency needs a new shop",
            shop.currency
        )));
    }
    db::shops::set_profile(&mut tx, &shop.id, &next.name, &next.currency, &next.locale).await?;
    let mut changed = Vec::new();
    if next.name != shop.name {
        changed.push(format!("name {:?}", next.name));
    }
    if next.currency != shop.currency {
        changed.push(format!("currency {}", next.currency));
    }
    if next.locale != shop.locale {
        changed.push(format!("locale {}", next.locale));
    }
    if !changed.is_empty() {
        let target = changed.join(", ");
        let entry = db::audit::NewAudit {
            shop_id: &shop.id,
            actor,
            action: "shop.updated",
            target: &target,
            now,
        };
        db::audit::record_in(&mut tx, &entry).await?;
    }
    tx.commit().await?;
    Ok(next)
}

async fn load_shop(db: &Db, shop_id: &str) -> AppResult<Option<ShopRecord>> {
    let Some((row, previous)) = db::shops::find(db, shop_id).await? else {
        return Ok(None);
    };
    let previous = match previous {
        None => None,
        Some(p) => Some(PreviousKey {
            secret_key_sha256: hex::decode(&p.secret_key_sha256)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| AppError::internal("malformed previous_secret_key_sha256"))?,
            signing_key: hex::decode(&p.signing_key)
                .map_err(|_| AppError::internal("malformed previous_signing_key"))?,
            expires_at: p.expires_at,
        }),
    };
    let id = row.id;
    let secret_key_sha256: [u8; 32] = hex::decode(&row.secret_key_sha256)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::internal(format!("shop {id}: malformed secret_key_sha256")))?;
    let signing_key = hex::decode(&row.signing_key)
        .map_err(|_| AppError::internal(format!("shop {id}: malformed signing_key")))?;
    Ok(Some(ShopRecord {
        shop: Shop {
            id,
            name: row.name,
            currency: row.currency,
            locale: row.locale,
        },
        rules: serde_json::from_str(&row.program_json)?,
        allowed_origins: serde_json::from_str(&row.allowed_origins_json)?,
        secret_key_sha256,
        signing_key,
        previous,
    }))
}

/// Rotates a shop's secret key: the new one is returned (to be shown once); the old one keeps working
/// until `now + KEY_ROTATION_GRACE_MS`. Audited in the same transaction.
pub async fn rotate_key(db: &Db, shop_id: &str, actor: &str, now: i64) -> AppResult<String> {
    let secret_key = new_secret_key();
    let (hash, signing) = key_material(&secret_key);
    let mut tx = db.begin_shop_write().await?;
    db::shops::rotate_key(
        &mut tx,
        shop_id,
        &hash,
        &signing,
        now + KEY_ROTATION_GRACE_MS,
    )
    .await?;
    let entry = db::audit::NewAudit {
        shop_id,
        actor,
        action: "key.rotated",
        target: shop_id,
        now,
    };
    db::audit::record_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(secret_key)
}

#[cfg(test)]
mod tests {
    use hmac::{Hmac, Mac};

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
