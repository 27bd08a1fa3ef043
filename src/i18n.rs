//! Every string the shopper reads, in one catalog per language.
//!
//! Templates name their blanks (`{amount}`, `{tier}`) so translators can move them; [`fill`] puts the
//! values in. Values are formatted by [`crate::format`] before they get here. English is the only
//! catalog so far; [`catalog`] picks one from a language tag.

/// One language's strings.
pub struct Messages {
    pub launcher_label: &'static str,
    pub launcher_guest: &'static str,
    pub title: &'static str,
    pub close: &'static str,
    pub greeting: &'static str,
    pub greeting_anonymous: &'static str,
    pub balance_label: &'static str,
    pub your_tier: &'static str,
    pub spend_more: &'static str,
    pub earn_more: &'static str,
    pub top_tier: &'static str,
    pub progress_label: &'static str,
    pub tiers_heading: &'static str,
    pub tier_from_spend: &'static str,
    pub tier_from_points: &'static str,
    pub rewards_heading: &'static str,
    pub more_needed: &'static str,
    pub locked_for_tier: &'static str,
    pub redeem: &'static str,
    pub redeem_confirm: &'static str,
    pub confirm: &'static str,
    pub cancel: &'static str,
    pub redeeming: &'static str,
    pub your_code: &'static str,
    pub code_howto: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub copy_failed: &'static str,
    pub done: &'static str,
    pub redeemed_announcement: &'static str,
    pub earn_heading: &'static str,
    pub per_unit: &'static str,
    pub points_once: &'static str,
    pub refer_heading: &'static str,
    pub refer_offer: &'static str,
    pub referral_link: &'static str,
    pub share: &'static str,
    pub share_text: &'static str,
    pub share_email: &'static str,
    pub share_whatsapp: &'static str,
    pub share_x: &'static str,
    pub friends_joined_one: &'static str,
    pub friends_joined_other: &'static str,
    pub activity_heading: &'static str,
    pub activity_empty: &'static str,
    pub load_more: &'static str,
    pub loading: &'static str,
    pub expiring: &'static str,
    pub guest_heading: &'static str,
    pub guest_intro: &'static str,
    pub how_join: &'static str,
    pub how_earn: &'static str,
    pub how_redeem: &'static str,
    pub how_redeem_detail: &'static str,
    pub join: &'static str,
    pub sign_in: &'static str,
    pub guest_rewards_heading: &'static str,
    pub error_network: &'static str,
    pub error_unauthorized: &'static str,
    pub error_not_found: &'static str,
    pub error_rate_limited: &'static str,
    pub error_insufficient: &'static str,
    pub error_unavailable: &'static str,
    pub error_server: &'static str,
    pub retry: &'static str,
}

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
    rewards_heading: "Rewards",
    more_needed: "{number} more {name}",
    locked_for_tier: "For {tier} members",
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
    done: "Done",
    redeemed_announcement: "{reward} redeemed. Your code is {code}.",
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
    friends_joined_one: "{count} friend joined",
    friends_joined_other: "{count} friends joined",
    activity_heading: "Activity",
    activity_empty: "Nothing here yet.",
    load_more: "Show more",
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
    error_server: "Something went wrong on our side.",
    retry: "Try again",
};

/// The catalog for a language tag; English until more arrive.
pub fn catalog(_locale: &str) -> &'static Messages {
    &EN
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
                out.push_str(v);
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
    fn fill_does_not_expand_values_twice() {
        assert_eq!(
            fill("{a} {b} {c}", &[("a", "{b}"), ("b", "x")]),
            "{b} x {c}"
        );
    }
}
