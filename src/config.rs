//! The merchant's settings, read from the script tag's `data-*` attributes.
//!
//! Nothing here trusts the page: every value is checked, a bad one is reported once on the console
//! (prefixed `[tally]`) and replaced by a sane default, and URLs that could run script are refused.

/// Where the widget lives in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A floating button that opens the panel as a modal dialog.
    Launcher,
    /// The panel's content rendered in place, inside the merchant's `data-target` element.
    Inline,
}

/// The corner of the launcher: a merchant's choice, so a physical corner that stays put in right-to-left
/// languages.
pub use tally_core::theme::LauncherPosition as Position;

/// A shopper's signature, computed by the shop's back end (see the contract's "Shopper" section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub customer: String,
    pub timestamp: String,
    pub signature: String,
}

impl Credentials {
    /// Checked credentials, or the reason they are refused.
    pub fn new(customer: &str, timestamp: &str, signature: &str) -> Result<Self, &'static str> {
        if !tally_core::rules::is_valid_customer_id(customer) {
            return Err("customer id must be 1 to 128 printable ASCII characters");
        }
        if timestamp.is_empty()
            || timestamp.len() > 12
            || !timestamp.bytes().all(|b| b.is_ascii_digit())
        {
            return Err("timestamp must be Unix seconds");
        }
        if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("signature must be 64 hex digits");
        }
        Ok(Self {
            customer: customer.to_owned(),
            timestamp: timestamp.to_owned(),
            signature: signature.to_ascii_lowercase(),
        })
    }
}

/// Everything the script tag configures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub shop: String,
    /// Base URL of the loyalty API, without a trailing slash.
    pub api: String,
    pub credentials: Option<Credentials>,
    /// A BCP 47 tag; `None` means the shop's own locale.
    pub locale: Option<String>,
    pub mode: Mode,
    /// `data-position`, when the tag sets it: it overrides the shop's saved theme, and the tag's own
    /// `data-theme` overrides it.
    pub position: Option<Position>,
    /// The tag's `data-theme` JSON, as written; the store reads it with `JSON.parse`.
    pub theme: Option<String>,
    /// Where the widget's files are, ending in `/` (the loader passes it); `None` shows English only.
    pub assets: Option<String>,
    pub login_url: String,
    pub signup_url: String,
}

/// The attributes the widget knows, as `dataset` spells them (camelCase).
const KNOWN: &[&str] = &[
    "shop",
    "api",
    "customer",
    "timestamp",
    "signature",
    "locale",
    "mode",
    "target",
    "position",
    "loginUrl",
    "signupUrl",
    "theme",
];

impl Config {
    /// Reads the script tag's `dataset` entries. `origin` is the loader's own origin, the default API.
    /// Returns the config (or `None` when the shop is missing) and one warning per bad attribute.
    pub fn from_attributes(
        attrs: &[(String, String)],
        origin: &str,
    ) -> (Option<Self>, Vec<String>) {
        let mut warnings = Vec::new();
        let get = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim());
        for (key, _) in attrs {
            if !KNOWN.contains(&key.as_str()) {
                warnings.push(format!("unknown attribute data-{} is ignored", kebab(key)));
            }
        }

        let shop = get("shop").unwrap_or_default();
        if shop.is_empty() || shop.len() > 128 {
            warnings.push("data-shop is missing: the widget stays hidden".to_owned());
            return (None, warnings);
        }

        let api = match get("api") {
            Some(api) if is_http_url(api) => api.trim_end_matches('/').to_owned(),
            Some(api) => {
                warnings.push(format!(
                    "data-api \"{api}\" is not an http(s) URL; using {origin}"
                ));
                origin.to_owned()
            }
            None => origin.to_owned(),
        };

        let credentials = match (get("customer"), get("timestamp"), get("signature")) {
            (None, None, None) => None,
            (Some(c), Some(t), Some(s)) => match Credentials::new(c, t, s) {
                Ok(credentials) => Some(credentials),
                Err(why) => {
                    warnings.push(format!("{why}; showing the guest view"));
                    None
                }
            },
            _ => {
                warnings.push(
                    "data-customer, data-timestamp and data-signature go together; showing the guest view"
                        .to_owned(),
                );
                None
            }
        };

        let locale = match get("locale") {
            None | Some("") => None,
            Some(tag) if is_language_tag(tag) => Some(tag.to_owned()),
            Some(tag) => {
                warnings.push(format!(
                    "data-locale \"{tag}\" is not a language tag; using the shop's"
                ));
                None
            }
        };

        let mode = match get("mode") {
            None | Some("launcher") => Mode::Launcher,
            Some("inline") => Mode::Inline,
            Some(other) => {
                warnings.push(format!(
                    "data-mode \"{other}\" is not launcher or inline; using launcher"
                ));
                Mode::Launcher
            }
        };

        let position = match get("position") {
            None | Some("") => None,
            Some(p) => match Position::parse(p) {
                Some(position) => Some(position),
                None => {
                    warnings.push(format!(
                        "data-position \"{p}\" is not bottom-right, bottom-left, top-right or top-left; using bottom-right"
                    ));
                    None
                }
            },
        };
        let theme = get("theme").filter(|t| !t.is_empty()).map(str::to_owned);

        let mut link = |key: &str, default: &str| match get(key) {
            None => default.to_owned(),
            Some(url) if is_safe_link(url) => url.to_owned(),
            Some(url) => {
                warnings.push(format!(
                    "data-{} \"{url}\" must be a path or an http(s) URL; using {default}",
                    kebab(key)
                ));
                default.to_owned()
            }
        };
        let login_url = link("loginUrl", "/account/login");
        let signup_url = link("signupUrl", "/account/register");

        let config = Self {
            shop: shop.to_owned(),
            api,
            credentials,
            locale,
            mode,
            position,
            theme,
            assets: None,
            login_url,
            signup_url,
        };
        (Some(config), warnings)
    }
}

/// `loginUrl` → `login-url`, as the merchant wrote it.
fn kebab(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

/// A link we may put in an `href`: an http(s) URL or a path on the shop, never `javascript:`.
pub fn is_safe_link(url: &str) -> bool {
    is_http_url(url)
        || (url.starts_with('/') && !url.starts_with("//") && !url.contains(char::is_whitespace))
}

/// The shape of a BCP 47 tag (`en`, `de-AT`, `zh-Hant-TW`); `Intl` has the final word.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && tag.len() <= 35
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const SIG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn a_member_tag_gives_credentials_and_no_warnings() {
        let (config, warnings) = Config::from_attributes(
            &attrs(&[
                ("shop", "demo-coffee"),
                ("api", "https://loyalty.example.com/"),
                ("customer", "c-1"),
                ("timestamp", "1700000000"),
                ("signature", SIG),
            ]),
            "https://cdn.example",
        );
        let config = config.expect("config");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.api, "https://loyalty.example.com");
        assert_eq!(config.credentials.expect("member").customer, "c-1");
        assert_eq!(config.mode, Mode::Launcher);
    }

    #[test]
    fn bad_values_fall_back_with_one_warning_each() {
        let (config, warnings) = Config::from_attributes(
            &attrs(&[
                ("shop", "s"),
                ("mode", "popup"),
                ("locale", "not a tag"),
                ("loginUrl", "javascript:alert(1)"),
                ("colour", "red"),
                ("customer", "c-1"),
            ]),
            "https://api.example",
        );
        let config = config.expect("config");
        assert_eq!(warnings.len(), 5, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("data-colour")));
        assert_eq!(config.mode, Mode::Launcher);
        assert_eq!(config.locale, None);
        assert_eq!(config.login_url, "/account/login");
        assert_eq!(config.credentials, None);
        assert_eq!(config.api, "https://api.example");
    }

    #[test]
    fn without_a_shop_there_is_no_widget() {
        let (config, warnings) = Config::from_attributes(&[], "https://x.example");
        assert!(config.is_none());
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn links_that_could_run_script_are_refused() {
        assert!(is_safe_link("/account/login"));
        assert!(is_safe_link("https://shop.example/register"));
        assert!(!is_safe_link("javascript:alert(1)"));
        assert!(!is_safe_link("//evil.example"));
        assert!(!is_safe_link("data:text/html,hi"));
    }
}
