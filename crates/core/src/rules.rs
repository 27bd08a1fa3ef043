//! The loyalty rules, as pure functions over integers: what an order earns, what a refund takes back,
//! which tier a customer holds, what they can redeem, and whether a program is well formed.

use crate::api::{EarnRuleKind, ProgramUpdate, Reward, RewardKind, Tier};
pub use crate::ids::{is_valid_customer_id, is_valid_idempotency_key};

/// Milliseconds in a day: points expire after whole days, the spend metric looks back 365 of them.
pub const DAY_MS: i64 = 86_400_000;

/// Digits after the decimal point of a currency's minor unit (ISO 4217).
pub fn currency_minor_digits(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// Minor units in one whole unit of the currency (100 for USD, 1 for JPY).
pub fn minor_per_unit(currency: &str) -> i64 {
    10_i64.pow(currency_minor_digits(currency))
}

/// An earn multiplier in thousandths (1.5 → 1500), rounded to the nearest thousandth.
///
/// Multipliers are written as decimals in the contract; points are computed in integers from here on.
pub fn multiplier_thousandths(multiplier: f64) -> i64 {
    if multiplier.is_finite() && multiplier > 0.0 {
        (multiplier * 1000.0).round() as i64
    } else {
        0
    }
}

/// Points an order earns: `points_per_unit` per whole currency unit spent (floored), times the tier's
/// earn multiplier (floored). Saturates instead of overflowing on absurd inputs.
pub fn purchase_points(
    total_minor: i64,
    currency: &str,
    points_per_unit: i64,
    multiplier: f64,
) -> i64 {
    if total_minor <= 0 || points_per_unit <= 0 {
        return 0;
    }
    let units = i128::from(total_minor / minor_per_unit(currency));
    let base = units.saturating_mul(i128::from(points_per_unit));
    let points = base.saturating_mul(i128::from(multiplier_thousandths(multiplier))) / 1000;
    i64::try_from(points).unwrap_or(i64::MAX)
}

/// Points a refund takes back: `floor(points_awarded × amount ÷ total)` of what the order really awarded.
///
/// A zero-total order awarded nothing, so its refunds reverse nothing.
pub fn refund_points(points_awarded: i64, refund_minor: i64, order_total_minor: i64) -> i64 {
    if order_total_minor <= 0 || points_awarded <= 0 || refund_minor <= 0 {
        return 0;
    }
    let reversed =
        i128::from(points_awarded) * i128::from(refund_minor) / i128::from(order_total_minor);
    i64::try_from(reversed).unwrap_or(i64::MAX)
}

/// Where a customer stands among the tiers, for a metric value (spend in minor units or lifetime points).
#[derive(Debug, Clone, PartialEq)]
pub struct TierStanding<'a> {
    /// The tier with the highest threshold ≤ the metric, if any.
    pub current: Option<&'a Tier>,
    /// The tier after it, if any.
    pub next: Option<&'a Tier>,
    /// What is left to reach `next` (0 when there is none).
    pub remaining: i64,
    /// 0.0 to 1.0 of the way from the current threshold (or 0) to the next one; 1.0 at the top tier.
    pub progress: f64,
}

/// The tier standing for `metric`, given tiers in ascending threshold order.
pub fn tier_standing(tiers: &[Tier], metric: i64) -> TierStanding<'_> {
    let held = tiers.iter().rposition(|t| t.threshold <= metric);
    let current = held.map(|i| &tiers[i]);
    let next = match held {
        Some(i) => tiers.get(i + 1),
        None => tiers.first(),
    };
    let (remaining, progress) = match next {
        Some(next) => {
            let from = current.map_or(0, |t| t.threshold);
            let span = next.threshold.saturating_sub(from).max(1);
            let done = metric.saturating_sub(from).clamp(0, span);
            (
                next.threshold.saturating_sub(metric),
                done as f64 / span as f64,
            )
        }
        None => (0, if current.is_some() { 1.0 } else { 0.0 }),
    };
    TierStanding {
        current,
        next,
        remaining,
        progress,
    }
}

/// Whether a customer may redeem a reward now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    Redeemable,
    /// The customer needs this many more points.
    NeedsPoints(i64),
    /// The reward needs a higher tier (its id).
    NeedsTier(String),
}

/// Eligibility of `reward` for a customer with `balance` who holds `tier_id`, tiers in ascending order.
/// A tier lock outranks a shortfall of points: earning points alone will not unlock it.
pub fn reward_eligibility(
    reward: &Reward,
    balance: i64,
    tier_id: Option<&str>,
    tiers: &[Tier],
) -> Eligibility {
    if let Some(min_tier) = reward.min_tier.as_deref() {
        let rank = |id: &str| tiers.iter().position(|t| t.id == id);
        let needed = rank(min_tier);
        let held = tier_id.and_then(rank);
        let unlocked = match (needed, held) {
            (Some(needed), Some(held)) => held >= needed,
            // A reward locked to a tier the program no longer has is redeemable by no one.
            _ => false,
        };
        if !unlocked {
            return Eligibility::NeedsTier(min_tier.to_owned());
        }
    }
    if balance >= reward.points_cost {
        Eligibility::Redeemable
    } else {
        Eligibility::NeedsPoints(reward.points_cost - balance.max(0))
    }
}

/// Formats minor units as a plain decimal amount: `40000, "EUR"` → `"400.00"`.
/// The widget prefers the browser's `Intl`; this is the fallback and the server's text.
pub fn format_minor(amount_minor: i64, currency: &str) -> String {
    let digits = currency_minor_digits(currency);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10_u64.pow(digits);
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = digits as usize
    )
}

/// An origin as browsers send it: `scheme://host[:port]`, no path, no trailing slash.
pub fn is_valid_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
        && !rest.starts_with(':')
        && !rest.ends_with(':')
}

/// Days a reward's code may stay valid (`code_valid_days`).
pub const CODE_VALID_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;

/// Every problem of a program a merchant wants to store, each naming its field; empty when it is fine.
pub fn program_problems(update: &ProgramUpdate) -> Vec<String> {
    let rules = &update.rules;
    let mut problems = Vec::new();

    if rules.points.singular.trim().is_empty() || rules.points.plural.trim().is_empty() {
        problems.push("points: singular and plural must not be empty".to_owned());
    }
    if let Some(days) = rules.points_expiry_days {
        if !(1..=3650).contains(&days) {
            problems.push(format!(
                "points_expiry_days: must be 1 to 3650 or null, not {days}"
            ));
        }
    }

    duplicate_ids(
        "earn_rules",
        rules.earn_rules.iter().map(|r| r.id.as_str()),
        &mut problems,
    );
    for (i, rule) in rules.earn_rules.iter().enumerate() {
        let at = format!("earn_rules[{i}] ({})", rule.id);
        check_id(&at, &rule.id, &mut problems);
        if rule.title.trim().is_empty() {
            problems.push(format!("{at}.title: must not be empty"));
        }
        match rule.kind {
            EarnRuleKind::Purchase => match rule.points_per_unit {
                Some(p) if p >= 0 => {}
                Some(p) => problems.push(format!("{at}.points_per_unit: must be ≥ 0, not {p}")),
                None => problems.push(format!(
                    "{at}.points_per_unit: required for a purchase rule"
                )),
            },
            _ => match rule.points {
                Some(p) if p >= 0 => {}
                Some(p) => problems.push(format!("{at}.points: must be ≥ 0, not {p}")),
                None => problems.push(format!("{at}.points: required for a {} rule", rule.kind)),
            },
        }
    }

    duplicate_ids(
        "tiers",
        rules.tiers.iter().map(|t| t.id.as_str()),
        &mut problems,
    );
    for (i, tier) in rules.tiers.iter().enumerate() {
        let at = format!("tiers[{i}] ({})", tier.id);
        check_id(&at, &tier.id, &mut problems);
        if tier.name.trim().is_empty() {
            problems.push(format!("{at}.name: must not be empty"));
        }
        if i == 0 && tier.threshold != 0 {
            problems.push(format!(
                "{at}.threshold: the first tier must start at 0, not {}",
                tier.threshold
            ));
        }
        if i > 0 && tier.threshold <= rules.tiers[i - 1].threshold {
            problems.push(format!(
                "{at}.threshold: must be greater than the previous tier's {}, not {}",
                rules.tiers[i - 1].threshold,
                tier.threshold
            ));
        }
        if !(tier.earn_multiplier.is_finite() && (0.0..=100.0).contains(&tier.earn_multiplier)) {
            problems.push(format!(
                "{at}.earn_multiplier: must be 0 to 100, not {}",
                tier.earn_multiplier
            ));
        }
    }

    duplicate_ids(
        "rewards",
        rules.rewards.iter().map(|r| r.id.as_str()),
        &mut problems,
    );
    for (i, reward) in rules.rewards.iter().enumerate() {
        let at = format!("rewards[{i}] ({})", reward.id);
        check_id(&at, &reward.id, &mut problems);
        if reward.name.trim().is_empty() {
            problems.push(format!("{at}.name: must not be empty"));
        }
        if reward.points_cost <= 0 {
            problems.push(format!(
                "{at}.points_cost: must be > 0, not {}",
                reward.points_cost
            ));
        }
        match (reward.kind, reward.value) {
            (RewardKind::FixedDiscount, Some(v)) if v > 0 => {}
            (RewardKind::FixedDiscount, v) => problems.push(format!(
                "{at}.value: a fixed discount needs a value > 0 in minor units, not {v:?}"
            )),
            (RewardKind::PercentDiscount, Some(v)) if (1..=100).contains(&v) => {}
            (RewardKind::PercentDiscount, v) => problems.push(format!(
                "{at}.value: a percent discount needs a value from 1 to 100, not {v:?}"
            )),
            _ => {}
        }
        if reward.kind == RewardKind::FreeProduct
            && reward.product_id.as_deref().is_none_or(str::is_empty)
        {
            problems.push(format!("{at}.product_id: required for a free product"));
        }
        if let Some(min_tier) = &reward.min_tier {
            if !rules.tiers.iter().any(|t| &t.id == min_tier) {
                problems.push(format!("{at}.min_tier: no tier has the id {min_tier:?}"));
            }
        }
        if let Some(days) = reward.code_valid_days {
            if !CODE_VALID_DAYS.contains(&days) {
                problems.push(format!("{at}.code_valid_days: must be 1–3650, not {days}"));
            }
        }
    }

    let referral = &rules.referral;
    if referral.advocate_points < 0 || referral.friend_points < 0 {
        problems.push("referral: advocate_points and friend_points must be ≥ 0".to_owned());
    }
    if !(referral.landing_url.starts_with("https://")
        || referral.landing_url.starts_with("http://"))
    {
        problems.push(format!(
            "referral.landing_url: must be an http(s) URL, not {:?}",
            referral.landing_url
        ));
    }

    for (i, origin) in update.allowed_origins.iter().enumerate() {
        if !is_valid_origin(origin) {
            problems.push(format!(
                "allowed_origins[{i}]: {origin:?} is not scheme://host[:port]"
            ));
        }
    }
    // A stored theme must be entirely valid; the widget's lenience is for the script tag's data-theme.
    problems.extend(crate::theme::Theme::from_json(&rules.theme).1);
    problems
}

fn check_id(at: &str, id: &str, problems: &mut Vec<String>) {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !ok {
        problems.push(format!("{at}.id: 1 to 64 letters, digits, '-', '_' or '.'"));
    }
}

fn duplicate_ids<'a>(list: &str, ids: impl Iterator<Item = &'a str>, problems: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            problems.push(format!("{list}: the id {id:?} appears more than once"));
        }
    }
}
