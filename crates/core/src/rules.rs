//! The loyalty rules, as pure functions over integers: what an order earns, what a refund takes back,
//! which tier a customer holds, what they can redeem, and whether a program is well formed.

use crate::api::{EarnRuleKind, Limit, LimitPeriod, Nps, ProgramUpdate, Reward, RewardKind, Tier};
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
/// Only tiers with a threshold take part: a paid tier without one is reached by buying it alone.
#[derive(Debug, Clone, PartialEq)]
pub struct TierStanding<'a> {
    /// The tier with the highest threshold ≤ the metric, if any.
    pub current: Option<&'a Tier>,
    /// The next tier with a threshold after it, if any.
    pub next: Option<&'a Tier>,
    /// What is left to reach `next` (0 when there is none).
    pub remaining: i64,
    /// 0.0 to 1.0 of the way from the current threshold (or 0) to the next one; 1.0 at the top tier.
    pub progress: f64,
}

/// The tier standing for `metric`, given tiers whose thresholds (where present) ascend.
pub fn tier_standing(tiers: &[Tier], metric: i64) -> TierStanding<'_> {
    let mut current: Option<(&Tier, i64)> = None;
    let mut next: Option<(&Tier, i64)> = None;
    for tier in tiers {
        let Some(threshold) = tier.threshold else {
            continue;
        };
        if threshold <= metric {
            current = Some((tier, threshold));
        } else {
            next = Some((tier, threshold));
            break;
        }
    }
    let (remaining, progress) = match next {
        Some((_, next_threshold)) => {
            let from = current.map_or(0, |(_, t)| t);
            let span = next_threshold.saturating_sub(from).max(1);
            let done = metric.saturating_sub(from).clamp(0, span);
            (
                next_threshold.saturating_sub(metric),
                done as f64 / span as f64,
            )
        }
        None => (0, if current.is_some() { 1.0 } else { 0.0 }),
    };
    TierStanding {
        current: current.map(|(t, _)| t),
        next: next.map(|(t, _)| t),
        remaining,
        progress,
    }
}

/// A paid tier a customer bought, as far as the rules care: which, and until when (Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held<'a> {
    pub tier_id: &'a str,
    pub expires_at: i64,
}

/// Whether a membership ending at `expires_at` still runs at `now`: it ends on time, at `expires_at`.
pub fn membership_active(expires_at: i64, now: i64) -> bool {
    now < expires_at
}

/// The tier a customer holds at `now`: the higher-ranked (in list order) of the tier `earned` by the
/// metric and the paid tier of a membership that still runs. Never below the earned one.
pub fn effective_tier<'a>(
    tiers: &'a [Tier],
    earned: Option<&'a Tier>,
    membership: Option<Held<'_>>,
    now: i64,
) -> Option<&'a Tier> {
    let rank = |id: &str| tiers.iter().position(|t| t.id == id);
    let paid = membership
        .filter(|m| membership_active(m.expires_at, now))
        .and_then(|m| rank(m.tier_id));
    let earned_rank = earned.and_then(|t| rank(&t.id));
    match (earned_rank, paid) {
        (Some(e), Some(p)) if p > e => tiers.get(p),
        (None, Some(p)) => tiers.get(p),
        _ => earned,
    }
}

/// The period a membership purchase at `now` runs for, `(starts_at, expires_at)`: from now, or from the
/// end of a membership still running (a renewal extends it).
pub fn membership_period(
    current_expires_at: Option<i64>,
    now: i64,
    period_days: u32,
) -> (i64, i64) {
    let starts_at = current_expires_at
        .filter(|end| membership_active(*end, now))
        .unwrap_or(now);
    let length = i64::from(period_days).saturating_mul(DAY_MS);
    (starts_at, starts_at.saturating_add(length))
}

/// Days a paid tier may run per purchase (`period_days`).
pub const PERIOD_DAYS: std::ops::RangeInclusive<u32> = 1..=3660;

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

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a count of days since 1970-01-01 (`civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The start (Unix ms, UTC) of the calendar period of `per` that holds `now`; `None` for `lifetime`,
/// which counts from the beginning.
pub fn period_start(per: LimitPeriod, now: i64) -> Option<i64> {
    let (year, month, _) = civil_from_days(now.div_euclid(DAY_MS));
    let day = match per {
        LimitPeriod::Day => now.div_euclid(DAY_MS),
        LimitPeriod::Month => days_from_civil(year, month, 1),
        LimitPeriod::Year => days_from_civil(year, 1, 1),
        LimitPeriod::Lifetime => return None,
    };
    Some(day.saturating_mul(DAY_MS))
}

/// When the period of `per` that holds `now` ends and the next begins (Unix ms, UTC); `None` for
/// `lifetime`.
pub fn period_end(per: LimitPeriod, now: i64) -> Option<i64> {
    let (year, month, _) = civil_from_days(now.div_euclid(DAY_MS));
    let day = match per {
        LimitPeriod::Day => now.div_euclid(DAY_MS) + 1,
        LimitPeriod::Month if month == 12 => days_from_civil(year + 1, 1, 1),
        LimitPeriod::Month => days_from_civil(year, month + 1, 1),
        LimitPeriod::Year => days_from_civil(year + 1, 1, 1),
        LimitPeriod::Lifetime => return None,
    };
    Some(day.saturating_mul(DAY_MS))
}

/// Whether one more use is within `limit` after `used` uses in the current period.
pub fn within_limit(limit: &Limit, used: i64) -> bool {
    used < i64::from(limit.count)
}

/// `once a month`, `3 times a day`, `once`: a limit in words, for messages.
pub fn limit_text(limit: &Limit) -> String {
    let times = match limit.count {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    };
    match limit.per {
        LimitPeriod::Lifetime => times,
        per => format!("{times} a {per}"),
    }
}

/// Net Promoter Score of answers counted by score (0 to 10; anything else is ignored): promoters
/// answer 9–10, passives 7–8, detractors 0–6; the score is % promoters − % detractors, rounded half
/// away from zero, 0 without answers.
pub fn nps(counts: impl IntoIterator<Item = (i64, i64)>) -> Nps {
    let mut n = Nps::default();
    for (score, count) in counts {
        match score {
            9..=10 => n.promoters += count,
            7..=8 => n.passives += count,
            0..=6 => n.detractors += count,
            _ => continue,
        }
        n.responses += count;
    }
    if n.responses > 0 {
        let diff = i128::from(n.promoters - n.detractors) * 100;
        let total = i128::from(n.responses);
        // Round half away from zero in integers: (2·diff ± total) / (2·total).
        let rounded = if diff >= 0 {
            (2 * diff + total) / (2 * total)
        } else {
            -((-2 * diff + total) / (2 * total))
        };
        n.score = rounded as i64;
    }
    n
}

/// Days between feedback answers (`cooldown_days`).
pub const COOLDOWN_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;

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
        if let Some(limit) = &rule.limit {
            if rule.kind != EarnRuleKind::Custom {
                problems.push(format!(
                    "{at}.limit: only a custom rule may have a limit, not a {} rule",
                    rule.kind
                ));
            }
            check_limit(&at, limit, &mut problems);
        }
    }

    duplicate_ids(
        "tiers",
        rules.tiers.iter().map(|t| t.id.as_str()),
        &mut problems,
    );
    // Thresholds that are not null ascend strictly from 0, whatever paid tiers sit between them.
    let mut previous_threshold: Option<i64> = None;
    for (i, tier) in rules.tiers.iter().enumerate() {
        let at = format!("tiers[{i}] ({})", tier.id);
        check_id(&at, &tier.id, &mut problems);
        if tier.name.trim().is_empty() {
            problems.push(format!("{at}.name: must not be empty"));
        }
        match (tier.threshold, previous_threshold) {
            (None, _) if tier.paid.is_none() => problems.push(format!(
                "{at}.threshold: only a paid tier may have no threshold"
            )),
            (None, _) => {}
            (Some(threshold), None) if threshold != 0 => problems.push(format!(
                "{at}.threshold: the first tier must start at 0, not {threshold}"
            )),
            (Some(threshold), Some(previous)) if threshold <= previous => {
                problems.push(format!(
                    "{at}.threshold: must be greater than the previous tier's {previous}, not {threshold}"
                ))
            }
            (Some(_), _) => {}
        }
        if tier.threshold.is_some() {
            previous_threshold = tier.threshold;
        }
        if let Some(paid) = &tier.paid {
            if paid.price_minor < 0 {
                problems.push(format!(
                    "{at}.paid.price_minor: must be ≥ 0, not {}",
                    paid.price_minor
                ));
            }
            if !PERIOD_DAYS.contains(&paid.period_days) {
                problems.push(format!(
                    "{at}.paid.period_days: must be 1–3660, not {}",
                    paid.period_days
                ));
            }
            if !is_http_url(&paid.purchase_url) {
                problems.push(format!(
                    "{at}.paid.purchase_url: must be an http(s) URL, not {:?}",
                    paid.purchase_url
                ));
            }
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
        match (reward.points_cost, reward.limit) {
            (cost, _) if cost > 0 => {}
            (0, Some(_)) => {}
            (0, None) => problems.push(format!(
                "{at}.points_cost: 0 is allowed only with a limit (e.g. once a month)"
            )),
            (cost, _) => problems.push(format!("{at}.points_cost: must be > 0, not {cost}")),
        }
        if let Some(limit) = &reward.limit {
            check_limit(&at, limit, &mut problems);
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
    if let Some(max) = referral.max_per_week {
        if max > 10_000 {
            problems.push(format!(
                "referral.max_per_week: must be 0 to 10000, not {max}"
            ));
        }
    }
    if let Some(feedback) = &rules.feedback {
        if feedback.points < 0 {
            problems.push(format!(
                "feedback.points: must be ≥ 0, not {}",
                feedback.points
            ));
        }
        if !COOLDOWN_DAYS.contains(&feedback.cooldown_days) {
            problems.push(format!(
                "feedback.cooldown_days: must be 1–3650, not {}",
                feedback.cooldown_days
            ));
        }
        if let Some(question) = &feedback.question {
            if question.trim().is_empty() || question.chars().count() > 500 {
                problems.push("feedback.question: 1 to 500 characters".to_owned());
            }
        }
    }
    if !is_http_url(&referral.landing_url) {
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

fn is_http_url(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

fn check_limit(at: &str, limit: &Limit, problems: &mut Vec<String>) {
    if limit.count == 0 {
        problems.push(format!("{at}.limit.count: must be ≥ 1, not 0"));
    }
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

/// One problem of [`program_problems`], tied to the field it names: `path` is the field's place in the
/// program as the console's form names it (`earn_rules[0].points_per_unit`, `tiers[1].threshold`,
/// `referral.landing_url`, `allowed_origins[2]`, `theme.colors.primary`), without the `(id)` that
/// the message carries for a person; `message` is what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub path: String,
    pub message: String,
}

/// [`program_problems`], each problem placed on its field, so a form can show it beside that field. The
/// rules are the very ones the server applies; only the wording is split into field and message.
pub fn program_field_problems(update: &ProgramUpdate) -> Vec<FieldProblem> {
    let rules = &update.rules;
    let lists: [(&str, Vec<&str>); 3] = [
        (
            "earn_rules",
            rules.earn_rules.iter().map(|r| r.id.as_str()).collect(),
        ),
        ("tiers", rules.tiers.iter().map(|t| t.id.as_str()).collect()),
        (
            "rewards",
            rules.rewards.iter().map(|r| r.id.as_str()).collect(),
        ),
    ];
    program_problems(update)
        .into_iter()
        .map(|problem| {
            for (list, ids) in &lists {
                for (i, id) in ids.iter().enumerate() {
                    let prefix = format!("{list}[{i}] ({id})");
                    if let Some(rest) = problem.strip_prefix(&prefix) {
                        let item = format!("{list}[{i}]");
                        if let Some((field, message)) =
                            rest.strip_prefix('.').and_then(|r| r.split_once(": "))
                        {
                            return FieldProblem {
                                path: format!("{item}.{field}"),
                                message: message.to_owned(),
                            };
                        }
                        let message = rest.strip_prefix(": ").unwrap_or(rest);
                        return FieldProblem {
                            path: item,
                            message: message.to_owned(),
                        };
                    }
                }
            }
            match problem.split_once(": ") {
                Some((path, message)) => FieldProblem {
                    path: path.to_owned(),
                    message: message.to_owned(),
                },
                None => FieldProblem {
                    path: String::new(),
                    message: problem,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod field_problem_tests {
    use super::*;

    fn demo_update() -> ProgramUpdate {
        ProgramUpdate {
            rules: crate::demo::coffee_program(),
            allowed_origins: vec!["https://shop.example".into()],
        }
    }

    #[test]
    fn a_problem_of_a_list_item_lands_on_its_field_without_the_id() {
        let mut update = demo_update();
        update.rules.earn_rules[0].title = " ".into();
        update.rules.tiers[1].threshold = Some(0);
        let found = program_field_problems(&update);
        assert!(found
            .iter()
            .any(|p| p.path == "earn_rules[0].title" && p.message == "must not be empty"));
        assert!(found
            .iter()
            .any(|p| p.path == "tiers[1].threshold" && p.message.starts_with("must be greater")));
    }

    #[test]
    fn top_level_and_origin_problems_keep_their_path() {
        let mut update = demo_update();
        update.rules.referral.landing_url = "ftp://x".into();
        update.allowed_origins.push("https://a.example/".into());
        let found = program_field_problems(&update);
        assert!(found.iter().any(|p| p.path == "referral.landing_url"));
        assert!(found.iter().any(|p| p.path == "allowed_origins[1]"));
    }

    #[test]
    fn every_problem_is_kept_one_for_one() {
        let mut update = demo_update();
        update.rules.rewards[0].points_cost = -1;
        update.rules.points_expiry_days = Some(0);
        assert_eq!(
            program_field_problems(&update).len(),
            program_problems(&update).len()
        );
    }
}
