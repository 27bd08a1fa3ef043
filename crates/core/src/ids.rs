//! Identifiers: the alphabets of generated ids and codes, and the newtypes of ids a caller chooses,
//! validated once where they enter (the contract's rules) and trusted from there on.

/// Unambiguous capitals and digits (no I, O, 0, 1) for codes a person may read aloud or type: referral
/// codes and discount codes.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Lower-case letters and digits for ids that only machines read: shop ids, redemption ids, request ids.
pub const ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Letters and digits of both cases, for secret keys.
pub const KEY_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Why an id was refused: the rule it breaks, to be prefixed with the field's name
/// (`format!("customer_id: {e}")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidId {
    pub rule: &'static str,
}

impl core::fmt::Display for InvalidId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.rule)
    }
}

impl std::error::Error for InvalidId {}

macro_rules! checked_id {
    ($(#[$meta:meta])* $name:ident, $rule:literal, $valid:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// The contract's rule, as a message names it after the field.
            pub const RULE: &'static str = $rule;

            /// The id, if it keeps the rule.
            pub fn parse(id: impl Into<String>) -> Result<Self, InvalidId> {
                let id = id.into();
                if $valid(&id) {
                    Ok(Self(id))
                } else {
                    Err(InvalidId { rule: Self::RULE })
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl core::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(id: String) -> Result<Self, InvalidId> {
                Self::parse(id)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidId;
            fn try_from(id: &str) -> Result<Self, InvalidId> {
                Self::parse(id)
            }
        }

        impl core::str::FromStr for $name {
            type Err = InvalidId;
            fn from_str(id: &str) -> Result<Self, InvalidId> {
                Self::parse(id)
            }
        }
    };
}

checked_id!(
    /// A shop's own customer id: 1 to 128 printable ASCII characters.
    CustomerId,
    "must be 1 to 128 printable ASCII characters",
    is_valid_customer_id
);

checked_id!(
    /// What makes a write happen once: an `Idempotency-Key`, an `idempotency_key`, an `order_id` or a
    /// `refund_id`: 1 to 255 characters.
    IdempotencyKey,
    "must be 1 to 255 characters",
    is_valid_idempotency_key
);

/// A shop's own customer id: 1 to 128 printable ASCII characters.
pub fn is_valid_customer_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// An `Idempotency-Key` or `idempotency_key`: 1 to 255 characters.
pub fn is_valid_idempotency_key(key: &str) -> bool {
    (1..=255).contains(&key.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_ids_are_printable_ascii_of_1_to_128_bytes() {
        assert!(CustomerId::parse("alice").is_ok());
        assert!(CustomerId::parse("x".repeat(128)).is_ok());
        assert_eq!(
            CustomerId::parse("").unwrap_err().to_string(),
            "must be 1 to 128 printable ASCII characters"
        );
        assert!(CustomerId::parse("x".repeat(129)).is_err());
        assert!(CustomerId::parse("tab\there").is_err());
        assert!(CustomerId::parse("é").is_err());
    }

    #[test]
    fn idempotency_keys_are_1_to_255_characters_of_any_script() {
        assert!(IdempotencyKey::parse("k-1").is_ok());
        assert!(IdempotencyKey::parse("é".repeat(255)).is_ok());
        assert!(IdempotencyKey::parse("é".repeat(256)).is_err());
        assert!(IdempotencyKey::parse("").is_err());
    }

    #[test]
    fn code_alphabet_has_no_look_alikes() {
        assert!(!CODE_ALPHABET.iter().any(|c| b"IO01".contains(c)));
        assert_eq!(CODE_ALPHABET.len(), 32);
    }
}
