//! The contract's words, spelled once: every wire enum gets `as_str()`, `FromStr`, `Display`, `ALL` and
//! `WORDS` from [`wire_enum!`], and its serde names come from the same literals. The server parses what
//! it stored with `FromStr`, the widget's hand-written reader (`src/wire.rs`) does too, and the OpenAPI
//! document (utoipa follows the serde names) lists the same words.

/// A string that is none of an enum's words; `kind` names the enum in the contract's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownWord {
    pub kind: &'static str,
}

impl core::fmt::Display for UnknownWord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "not a known {}", self.kind)
    }
}

impl std::error::Error for UnknownWord {}

/// `["a", "b", "c"]` → `"a, b or c"`, for messages that list what is allowed.
pub fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Declares a wire enum whose variants are spelled once, as string literals.
///
/// ```ignore
/// wire_enum! {
///     /// How a tier is earned.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum TierMetric("tier metric") { Spend = "spend", Points = "points" }
/// }
/// ```
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $word:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $word)] $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every word, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word as the contract spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $word, )+
                }
            }
        }

        impl core::str::FromStr for $name {
            type Err = $crate::words::UnknownWord;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $word => Ok($name::$variant), )+
                    _ => Err($crate::words::UnknownWord { kind: $kind }),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use super::one_of;

    #[test]
    fn one_of_lists_words_with_a_final_or() {
        assert_eq!(one_of(&["light", "dark", "auto"]), "light, dark or auto");
        assert_eq!(one_of(&["a", "b"]), "a or b");
        assert_eq!(one_of(&["a"]), "a");
    }
}
