//! Shopper tokens: what a shop's back end signs and what the server checks (contract, "Who may call
//! what", 2). Pure functions, no clock and no I/O: the caller passes the time, so the fuzz target and the
//! server share one implementation.
//!
//! A token is three header values: the shop's customer id, Unix seconds as decimal digits, and the
//! lowercase hex of HMAC-SHA256 over `{shop_id}:{customer_id}:{timestamp}` keyed by the shop's secret key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::is_valid_customer_id;

/// How far a token's timestamp may be from now, either way.
pub const WINDOW_SECS: i64 = 86_400;

/// Why a token was refused; `message()` is the 401's text and names the header at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Customer,
    Timestamp,
    Expired,
    SignatureFormat,
    Mismatch,
}

impl TokenError {
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Customer => "X-Tally-Customer: must be 1 to 128 printable ASCII characters",
            TokenError::Timestamp => "X-Tally-Timestamp: must be Unix seconds",
            TokenError::Expired => "X-Tally-Timestamp: the token has expired; sign a new one",
            TokenError::SignatureFormat => "X-Tally-Signature: must be 64 lowercase hex digits",
            TokenError::Mismatch => {
                "X-Tally-Signature: does not match this shop, customer and timestamp"
            }
        }
    }
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for TokenError {}

fn mac(key: &[u8], shop_id: &str, customer_id: &str, timestamp: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length (longer ones are hashed first), so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(format!("{shop_id}:{customer_id}:{timestamp}").as_bytes());
    mac
}

/// The signature a shop's back end puts in `X-Tally-Signature` for `customer_id` at `timestamp`.
/// `key` is the secret key's UTF-8 bytes (or, equivalently for keys over 64 bytes, their SHA-256).
pub fn sign(key: &[u8], shop_id: &str, customer_id: &str, timestamp: i64) -> String {
    let mac = mac(key, shop_id, customer_id, &timestamp.to_string());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks a token as presented: a valid customer id, a timestamp of at most 12 digits within
/// `WINDOW_SECS` of `now_secs`, and a signature that matches, compared in constant time.
pub fn verify(
    key: &[u8],
    shop_id: &str,
    customer_id: &str,
    timestamp: &str,
    signature: &str,
    now_secs: i64,
) -> Result<(), TokenError> {
    if !is_valid_customer_id(customer_id) {
        return Err(TokenError::Customer);
    }
    // At most 12 digits: the parse cannot overflow and the subtraction below cannot either.
    if timestamp.is_empty()
        || timestamp.len() > 12
        || !timestamp.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(TokenError::Timestamp);
    }
    let signed_at: i64 = timestamp.parse().map_err(|_| TokenError::Timestamp)?;
    if now_secs.saturating_sub(signed_at).saturating_abs() > WINDOW_SECS {
        return Err(TokenError::Expired);
    }
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(TokenError::SignatureFormat);
    }
    let signature = hex::decode(signature).map_err(|_| TokenError::SignatureFormat)?;
    // verify_slice compares in constant time.
    mac(key, shop_id, customer_id, timestamp)
        .verify_slice(&signature)
        .map_err(|_| TokenError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"sk_demo_tally_coffee_not_secret";
    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_signed_token_verifies_within_the_window_only() {
        let sig = sign(KEY, "shop_a", "alice", NOW);
        assert_eq!(
            verify(KEY, "shop_a", "alice", &NOW.to_string(), &sig, NOW),
            Ok(())
        );
        let edge = NOW + WINDOW_SECS;
        assert_eq!(
            verify(KEY, "shop_a", "alice", &NOW.to_string(), &sig, edge),
            Ok(())
        );
        assert_eq!(
            verify(KEY, "shop_a", "alice", &NOW.to_string(), &sig, edge + 1),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn a_token_for_another_shop_customer_or_time_is_a_mismatch() {
        let sig = sign(KEY, "shop_a", "alice", NOW);
        let ts = NOW.to_string();
        assert_eq!(
            verify(KEY, "shop_b", "alice", &ts, &sig, NOW),
            Err(TokenError::Mismatch)
        );
        assert_eq!(
            verify(KEY, "shop_a", "bob", &ts, &sig, NOW),
            Err(TokenError::Mismatch)
        );
        let other = (NOW + 1).to_string();
        assert_eq!(
            verify(KEY, "shop_a", "alice", &other, &sig, NOW),
            Err(TokenError::Mismatch)
        );
        assert_eq!(
            verify(b"other", "shop_a", "alice", &ts, &sig, NOW),
            Err(TokenError::Mismatch)
        );
    }

    #[test]
    fn a_long_key_and_its_sha256_sign_alike() {
        use sha2::Digest;
        let long = "sk_live_".to_owned() + &"x".repeat(64);
        let digest = Sha256::digest(long.as_bytes());
        assert_eq!(
            sign(long.as_bytes(), "s", "c", NOW),
            sign(&digest, "s", "c", NOW)
        );
    }
}
