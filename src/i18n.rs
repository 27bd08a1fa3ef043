//! Every string the shopper reads, in one catalog per language.
//!
//! Templates name their blanks (`{amount}`, `{tier}`) so translators can move them; [`fill`] puts the
//! values in. Values are formatted by [`crate::format`] before they get here.
//!
//! English is built in and is the fallback for every key. The other languages are JSON files beside the
//! wasm (`public/i18n/{lang}.json` → `dist/i18n/`), fetched only when the locale needs one and read with
//! `JSON.parse`: a shopper transfers one catalog, never all of them. A catalog's value is a string, or for
//! a counted message an object of `Intl.PluralRules` categories (`zero`, `one`, `two`, `few`, `many`,
//! `other`); a missing key or category falls back to `other`, then to English.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The languages with a catalog; anything else is shown in English.
pub const LANGUAGES: [&str; 6] = ["en", "de", "fr", "es", "tr", "ar"];

/// Languages written right to left.
const RTL: [&str; 4] = ["ar", "he", "fa", "ur"];

/// One message in its plural forms, by `Intl.PluralRules` category: zero, one, two, few, many, other.
/// An empty form means "use `other`".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plural(pub [&'static str; 6]);

/// The plural categories, in the order of [`Plural`]'s forms.
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

impl Plural {
    /// The form for a category that `Intl.PluralRules.select` returned.
    pub fn form(&self, category: &str) -> &'static str {
        let other = self.0[5];
        CATEGORIES
            .iter()
            .position(|c| *c == category)
            .map(|i| self.0[i])
            .filter(|f| !f.is_empty())
            .unwrap_or(other)
    }
}

macro_rules! messages {
    ($($key:ident),* ; $($plural:ident),* $(,)?) => {
        /// One language's strings.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Messages {
            $(pub $key: &'static str,)*
            $(pub $plural: Plural,)*
        }

        /// Every message key, as catalogs and a theme's `texts` name them.
        pub const KEYS: &[&str] = &[$(stringify!($key),)* $(stringify!($plural),)*];

        impl Messages {
            fn text_mut(&mut self, key: &str) -> Option<&mut &'static str> {
                match key {
                    $(stringify!($key) => Some(&mut self.$key),)*
                    _ => None,
                }
            }

            /// A counted message, by its key.
            fn plural_mut(&mut self, key: &str) -> Option<&mut Plural> {
                match key {
                    $(stringify!($plural) => Some(&mut self.$plural),)*
                    _ => None,
                }
            }
        }
    };
}

messages!(
    launcher_label,
    launcher_guest,
    title,
    close,
    greeting,
    greeting_anonymous,
    balance_label,
    your_tier,
    spend_more,
    earn_more,
    top_tier,
    progress_label,
    tiers_heading,
    tier_from_spend,
    tier_from_points,
    paid_year,
    paid_month,
    paid_period,
    paid_join,
    member_until,
    rewards_heading,
    more_needed,
    locked_for_tier,
    free,
    limit_once,
    limit_twice,
    per_day,
    per_month,
    per_year,
    per_customer,
    used_day,
    used_month,
    used_year,
    used_lifetime,
    redeem,
    redeem_confirm,
    confirm,
    cancel,
    redeeming,
    your_code,
    code_howto,
    copy,
    copied,
    copy_failed,
    copy_link,
    done,
    redeemed_announcement,
    codes_heading,
    code_valid_until,
    codes_past,
    code_used,
    code_cancelled,
    code_expired,
    earn_heading,
    per_unit,
    points_once,
    refer_heading,
    refer_offer,
    referral_link,
    share,
    share_text,
    share_email,
    share_whatsapp,
    share_x,
    activity_heading,
    activity_empty,
    load_more,
    feedback_heading,
    feedback_question,
    feedback_low,
    feedback_high,
    feedback_comment,
    feedback_count,
    feedback_earn,
    feedback_send,
    feedback_sending,
    feedback_thanks,
    feedback_awarded,
    feedback_next,
    loading,
    expiring,
    guest_heading,
    guest_intro,
    how_join,
    how_earn,
    how_redeem,
    how_redeem_detail,
    join,
    sign_in,
    guest_rewards_heading,
    error_network,
    error_unauthorized,
    error_not_found,
    error_rate_limited,
    error_insufficient,
    error_unavailable,
    error_limit,
    error_feedback_too_soon,
    error_server,
    retry;
    // Counted messages, by plural category.
    friends_joined,
    limit_times,
);

pub const EN: Messages = Messages {
    launcher_label: "Rewards",
    launcher_guest: "Join & earn",
    title: "{shop} Rewards",
    close: "Close",
    greeting: "Hi {name}",
    greeting_anonymous: "Welcome back",
    balance_label: "Your balance",
    your_tier: "Your tier",
    spend_more: "Spend {amount} more to reach {tier}",
    earn_more: "Earn {points} more to reach {tier}",
    top_tier: "You have reached our top tier",
    progress_label: "Progress to {tier}",
    tiers_heading: "Tiers",
    tier_from_spend: "Spend {amount} a year",
    tier_from_points: "Earn {points}",
    paid_year: "For members: {price} a year",
    paid_month: "For members: {price} a month",
    paid_period: "For members: {price} for {period}",
    paid_join: "Become a member",
    member_until: "Member until {date}",
    rewards_heading: "Rewards",
    more_needed: "{number} more {name}",
    locked_for_tier: "For {tier} members",
    free: "Free",
    limit_once: "Once {per}",
    limit_twice: "Twice {per}",
    per_day: "a day",
    per_month: "a month",
    per_year: "a year",
    per_customer: "per customer",
    used_day: "Used today — again on {date}",
    used_month: "Used this month — again on {date}",
    used_year: "Used this year — again on {date}",
    used_lifetime: "Already used",
    redeem: "Redeem",
    redeem_confirm: "Spend {points} on {reward}?",
    confirm: "Yes, redeem",
    cancel: "Cancel",
    redeeming: "Redeeming…",
    your_code: "Your code",
    code_howto: "Enter this code at checkout.",
    copy: "Copy",
    copied: "Copied",
    copy_failed: "Could not copy; select the text and copy it.",
    copy_link: "Copy your referral link",
    done: "Done",
    redeemed_announcement: "{reward} redeemed. Your code is {code}.",
    codes_heading: "Your codes",
    code_valid_until: "Valid until {date}",
    codes_past: "Used and expired codes",
    code_used: "Used",
    code_cancelled: "Cancelled",
    code_expired: "Expired",
    earn_heading: "Ways to earn",
    per_unit: "{points} per {unit}",
    points_once: "{points}",
    refer_heading: "Refer a friend",
    refer_offer: "Give your friends {friend}, and get {advocate} when they order.",
    referral_link: "Your referral link",
    share: "Share",
    share_text: "Join me at {shop} and get {friend}:",
    share_email: "Email",
    share_whatsapp: "WhatsApp",
    share_x: "X",
    activity_heading: "Activity",
    activity_empty: "Nothing here yet.",
    load_more: "Show more",
    feedback_heading: "Your opinion",
    feedback_question: "How likely are you to recommend {shop} to a friend?",
    feedback_low: "not at all likely",
    feedback_high: "extremely likely",
    feedback_comment: "Anything else you would like to tell us? (optional)",
    feedback_count: "{count} of {max} characters",
    feedback_earn: "Earn {points} for your answer",
    feedback_send: "Send",
    feedback_sending: "Sending…",
    feedback_thanks: "Thank you for your answer!",
    feedback_awarded: "{points} added to your balance.",
    feedback_next: "We will ask again after {date}.",
    loading: "Loading…",
    expiring: "{points} expire on {date}",
    guest_heading: "Join {shop} Rewards",
    guest_intro: "Earn {points_name} every time you shop and turn them into rewards.",
    how_join: "Join",
    how_earn: "Earn",
    how_redeem: "Redeem",
    how_redeem_detail: "from {points}",
    join: "Join now",
    sign_in: "Sign in",
    guest_rewards_heading: "Rewards you could have",
    error_network: "We could not reach the rewards service.",
    error_unauthorized: "Your session has expired. Reload the page to see your rewards.",
    error_not_found: "Rewards are not available for this shop.",
    error_rate_limited: "Too many requests. Wait a moment and try again.",
    error_insufficient: "You do not have enough points for this reward yet.",
    error_unavailable: "This reward is not available to you.",
    error_limit: "You have already used this as often as it allows for now.",
    error_feedback_too_soon: "You have answered recently. Thank you!",
    error_server: "Something went wrong on our side.",
    retry: "Try again",
    friends_joined: Plural([
        "",
        "{count} friend joined",
        "",
        "",
        "",
        "{count} friends joined",
    ]),
    // 1 and 2 are `limit_once` and `limit_twice`.
    limit_times: Plural(["", "", "", "", "", "{count} times {per}"]),
};

/// A string that lives as long as the page: catalogs load once per page view, so this is bounded.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl Messages {
    /// Sets one message; `false` for a key no message has.
    pub fn set(&mut self, key: &str, text: &str) -> bool {
        let text = leak(text.to_owned());
        if let Some(plural) = self.plural_mut(key) {
            // A theme's override is one text for every count.
            *plural = Plural(["", "", "", "", "", text]);
            return true;
        }
        match self.text_mut(key) {
            Some(slot) => {
                *slot = text;
                true
            }
            None => false,
        }
    }

    /// These messages with every key that the parsed catalog `object` has taken from it: a text, or
    /// for a counted message an object of plural forms.
    pub fn overlaid_with_catalog(mut self, object: &JsValue) -> Messages {
        let get = |target: &JsValue, key: &str| {
            Reflect::get(target, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
        };
        for key in KEYS {
            if let Some(text) = get(object, key) {
                self.set(key, &text);
                continue;
            }
            let (Some(plural), Ok(forms)) = (
                self.plural_mut(key),
                Reflect::get(object, &JsValue::from_str(key)),
            ) else {
                continue;
            };
            if forms.is_object() {
                let english = plural.0[5];
                let mut read = Plural([""; 6]);
                for (i, category) in CATEGORIES.iter().enumerate() {
                    if let Some(text) = get(&forms, category) {
                        read.0[i] = leak(text);
                    }
                }
                if read.0[5].is_empty() {
                    read.0[5] = english;
                }
                *plural = read;
            }
        }
        self
    }
}

/// The catalog language for a BCP 47 tag: `de-AT` → `de`; `en` for a language without a catalog.
pub fn language(tag: &str) -> &'static str {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|l| **l == primary)
        .copied()
        .unwrap_or("en")
}

/// Whether a language tag is written right to left.
pub fn is_rtl(tag: &str) -> bool {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    RTL.contains(&primary.as_str())
}

/// Puts `values` into a template's `{name}` blanks.
/// One pass over the template, so a value that itself contains `{…}` (a merchant's reward name)
/// is never expanded again.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(&crate::format::isolate(v));
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_every_named_blank() {
        assert_eq!(
            fill(EN.spend_more, &[("amount", "$400.00"), ("tier", "Gold")]),
            "Spend $400.00 more to reach Gold"
        );
    }

    #[test]
    fn every_catalog_translates_every_message_and_keeps_its_blanks() {
        let catalogs = [
            ("de", include_str!("../public/i18n/de.json")),
            ("fr", include_str!("../public/i18n/fr.json")),
            ("es", include_str!("../public/i18n/es.json")),
            ("tr", include_str!("../public/i18n/tr.json")),
            ("ar", include_str!("../public/i18n/ar.json")),
        ];
        let blanks = |t: &str| {
            let mut names: Vec<String> = t
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                .collect();
            names.sort();
            names
        };
        let mut en = EN;
        for (lang, text) in catalogs {
            let catalog: serde_json::Value = serde_json::from_str(text).expect(lang);
            let object = catalog.as_object().expect(lang);
            for key in KEYS {
                let value = object
                    .get(*key)
                    .unwrap_or_else(|| panic!("{lang} has no {key}"));
                let plural = en.plural_mut(key).map(|p| p.0[5]);
                let english = plural.unwrap_or_else(|| *en.text_mut(key).expect("key"));
                let forms: Vec<&str> = match value {
                    serde_json::Value::String(s) => vec![s.as_str()],
                    serde_json::Value::Object(forms) => {
                        assert!(
                            forms.contains_key("other"),
                            "{lang} {key} has no other form"
                        );
                        forms.values().filter_map(|v| v.as_str()).collect()
                    }
                    _ => panic!("{lang} {key} is neither text nor plural forms"),
                };
                for form in forms {
                    assert!(!form.is_empty(), "{lang} {key} is empty");
                    // A plural form may leave out the number ("no friend yet", "twice"), no other blank.
                    let mut expected = blanks(english);
                    if plural.is_some() && !form.contains("{count}") {
                        expected.retain(|b| b != "count");
                    }
                    assert_eq!(blanks(form), expected, "{lang} {key}: {form}");
                }
            }
            assert_eq!(object.len(), KEYS.len(), "{lang} has keys no message has");
        }
    }

    #[test]
    fn a_plural_form_falls_back_to_other() {
        assert_eq!(EN.friends_joined.form("one"), "{count} friend joined");
        assert_eq!(EN.friends_joined.form("few"), "{count} friends joined");
    }

    #[test]
    fn languages_come_from_the_primary_subtag() {
        assert_eq!(language("de-AT"), "de");
        assert_eq!(language("AR"), "ar");
        assert_eq!(language("pt-BR"), "en");
        assert!(is_rtl("ar-EG"));
        assert!(!is_rtl("tr"));
    }

    #[test]
    fn fill_does_not_expand_values_twice() {
        assert_eq!(
            fill("{a} {b} {c}", &[("a", "{b}"), ("b", "x")]),
            "{b} x {c}"
        );
    }
}
