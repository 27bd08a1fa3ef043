//! What a save changes, in plain words for the merchant: a diff of the stored program and the edited one,
//! with what it means for members who already have points, tiers or codes.

use tally_core::api::{EarnRule, Limit, ProgramUpdate, Reward, RewardKind, Tier, TierMetric};
use tally_core::rules::{format_minor, limit_text};

/// Every difference between `old` and `new`, one sentence each, in program order; empty when nothing
/// changes. `currency` formats spend thresholds, prices and fixed discounts.
pub fn program_changes(old: &ProgramUpdate, new: &ProgramUpdate, currency: &str) -> Vec<String> {
    let (a, b) = (&old.rules, &new.rules);
    let mut out = Vec::new();
    if a.points != b.points {
        out.push(format!(
            "Points are now called \"{}\" / \"{}\" (were \"{}\" / \"{}\").",
            b.points.singular, b.points.plural, a.points.singular, a.points.plural
        ));
    }
    list_changes(
        &a.earn_rules,
        &b.earn_rules,
        |r| &r.id,
        |r| r.title.clone(),
        "way to earn",
        &mut out,
        earn_rule_changes,
    );
    if a.tier_metric != b.tier_metric {
        out.push(format!(
            "Tiers now follow {} instead of {} — every member's tier is worked out again.",
            metric_words(b.tier_metric),
            metric_words(a.tier_metric)
        ));
    }
    let tier_unit = |v: i64| match b.tier_metric {
        TierMetric::Spend => format!("{} {currency}", format_minor(v, currency)),
        _ => format!("{v} {}", b.points.plural),
    };
    list_changes(
        &a.tiers,
        &b.tiers,
        |t| &t.id,
        |t| t.name.clone(),
        "tier",
        &mut out,
        |old, new, out| tier_changes(old, new, &tier_unit, currency, out),
    );
    list_changes(
        &a.rewards,
        &b.rewards,
        |r| &r.id,
        |r| r.name.clone(),
        "reward",
        &mut out,
        |old, new, out| reward_changes(old, new, currency, &b.points.plural, out),
    );
    let (ra, rb) = (&a.referral, &b.referral);
    if ra.advocate_points != rb.advocate_points {
        out.push(format!(
            "Referrals: the member who refers now earns {} {} (was {}).",
            rb.advocate_points, b.points.plural, ra.advocate_points
        ));
    }
    if ra.friend_points != rb.friend_points {
        out.push(format!(
            "Referrals: the new friend now earns {} {} (was {}).",
            rb.friend_points, b.points.plural, ra.friend_points
        ));
    }
    if ra.landing_url != rb.landing_url {
        out.push(format!(
            "Referrals: friends now land on {}.",
            rb.landing_url
        ));
    }
    if ra.max_per_week() != rb.max_per_week() {
        out.push(format!(
            "Referrals: at most {} rewarded referrals per member per week (was {}).",
            rb.max_per_week(),
            ra.max_per_week()
        ));
    }
    match (a.points_expiry_days, b.points_expiry_days) {
        (x, y) if x == y => {}
        (_, None) => out.push("Points no longer expire.".to_owned()),
        (None, Some(d)) => out.push(format!(
            "Points now expire {d} days after they are earned — points members already hold expire too."
        )),
        (Some(x), Some(y)) if y < x => out.push(format!(
            "Points expire after {y} days instead of {x} — some members' points expire sooner."
        )),
        (Some(x), Some(y)) => out.push(format!("Points expire after {y} days instead of {x}.")),
    }
    if a.refund_expired_codes != b.refund_expired_codes {
        out.push(if b.refund_expired_codes {
            "Codes that expire unused now give their points back.".to_owned()
        } else {
            "Codes that expire unused no longer give their points back.".to_owned()
        });
    }
    match (&a.feedback, &b.feedback) {
        (x, y) if x == y => {}
        (None, Some(f)) => out.push(format!(
            "Shoppers are now asked for feedback every {} days, for {} {}.",
            f.cooldown_days, f.points, b.points.plural
        )),
        (Some(_), None) => out.push("Shoppers are no longer asked for feedback.".to_owned()),
        (Some(_), Some(f)) => out.push(format!(
            "Feedback: asked every {} days, for {} {}.",
            f.cooldown_days, f.points, b.points.plural
        )),
        (None, None) => {}
    }
    for origin in new
        .allowed_origins
        .iter()
        .filter(|o| !old.allowed_origins.contains(o))
    {
        out.push(format!("The widget may now run on {origin}."));
    }
    for origin in old
        .allowed_origins
        .iter()
        .filter(|o| !new.allowed_origins.contains(o))
    {
        out.push(format!("The widget stops working on {origin}."));
    }
    if a.theme != b.theme {
        out.push("The widget's appearance changes.".to_owned());
    }
    out
}

fn metric_words(metric: TierMetric) -> &'static str {
    match metric {
        TierMetric::Spend => "spend over the last 365 days",
        _ => "lifetime points",
    }
}

/// Added and removed items by id, and the changes of the items in both lists.
fn list_changes<T: PartialEq>(
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> &String,
    name: impl Fn(&T) -> String,
    noun: &str,
    out: &mut Vec<String>,
    mut changed: impl FnMut(&T, &T, &mut Vec<String>),
) {
    for item in new {
        match old.iter().find(|o| id(o) == id(item)) {
            None => out.push(format!("New {noun}: {}.", name(item))),
            Some(before) if before != item => changed(before, item, out),
            Some(_) => {}
        }
    }
    for item in old.iter().filter(|o| !new.iter().any(|n| id(n) == id(o))) {
        let consequence = match noun {
            "tier" => " — its members move to another tier",
            "reward" => " — codes already issued stay valid",
            _ => "",
        };
        out.push(format!("Removed {noun}: {}{consequence}.", name(item)));
    }
}

fn earn_rule_changes(old: &EarnRule, new: &EarnRule, out: &mut Vec<String>) {
    let n = &new.title;
    if old.title != new.title {
        out.push(format!("{}: renamed to {n}.", old.title));
    }
    if old.points_per_unit != new.points_per_unit {
        out.push(format!(
            "{n}: from {} to {} points per currency unit.",
            old.points_per_unit.unwrap_or(0),
            new.points_per_unit.unwrap_or(0)
        ));
    }
    if old.points != new.points {
        out.push(format!(
            "{n}: from {} to {} points.",
            old.points.unwrap_or(0),
            new.points.unwrap_or(0)
        ));
    }
    if old.kind != new.kind {
        out.push(format!("{n}: now earned by {}.", new.kind));
    }
    limit_change(n, &old.limit, &new.limit, out);
}

fn tier_changes(
    old: &Tier,
    new: &Tier,
    unit: &dyn Fn(i64) -> String,
    currency: &str,
    out: &mut Vec<String>,
) {
    let n = &new.name;
    if old.name != new.name {
        out.push(format!("{}: renamed to {n}.", old.name));
    }
    match (old.threshold, new.threshold) {
        (Some(x), Some(y)) if y < x => out.push(format!(
            "{n}: from {} to {} — members may move up.",
            unit(x),
            unit(y)
        )),
        (Some(x), Some(y)) if y > x => out.push(format!(
            "{n}: from {} to {} — some members may move down.",
            unit(x),
            unit(y)
        )),
        (Some(_), None) => out.push(format!("{n}: now reached only by buying it.")),
        (None, Some(y)) => out.push(format!("{n}: now also reached at {}.", unit(y))),
        _ => {}
    }
    if old.earn_multiplier != new.earn_multiplier {
        out.push(format!(
            "{n}: members earn ×{} instead of ×{} on purchases.",
            new.earn_multiplier, old.earn_multiplier
        ));
    }
    if old.benefits != new.benefits {
        out.push(format!("{n}: benefits change."));
    }
    match (&old.paid, &new.paid) {
        (x, y) if x == y => {}
        (_, Some(p)) => out.push(format!(
            "{n}: sold for {} {currency} per {} days.",
            format_minor(p.price_minor, currency),
            p.period_days
        )),
        (Some(_), None) => out.push(format!(
            "{n}: no longer sold — current memberships run to their end."
        )),
        (None, None) => {}
    }
}

fn reward_changes(old: &Reward, new: &Reward, currency: &str, plural: &str, out: &mut Vec<String>) {
    let n = &new.name;
    if old.name != new.name {
        out.push(format!("{}: renamed to {n}.", old.name));
    }
    if old.points_cost != new.points_cost {
        let note = if new.points_cost > old.points_cost {
            " — members need more to redeem it"
        } else {
            " — more members can redeem it"
        };
        out.push(format!(
            "{n}: costs {} {plural} instead of {}{note}.",
            new.points_cost, old.points_cost
        ));
    }
    if old.kind != new.kind || old.value != new.value {
        out.push(format!("{n}: now gives {}.", reward_value(new, currency)));
    }
    if old.min_tier != new.min_tier {
        out.push(match &new.min_tier {
            Some(t) => format!("{n}: only for {t} and above."),
            None => format!("{n}: open to every member."),
        });
    }
    if old.description != new.description || old.product_id != new.product_id {
        out.push(format!("{n}: description or product changes."));
    }
    if old.code_valid_days != new.code_valid_days {
        out.push(match new.code_valid_days {
            Some(d) => format!("{n}: new codes are valid for {d} days."),
            None => format!("{n}: new codes never expire."),
        });
    }
    limit_change(n, &old.limit, &new.limit, out);
}

fn reward_value(reward: &Reward, currency: &str) -> String {
    let v = reward.value.unwrap_or(0);
    match reward.kind {
        RewardKind::FixedDiscount => format!("{} {currency} off", format_minor(v, currency)),
        RewardKind::PercentDiscount => format!("{v}% off"),
        RewardKind::FreeShipping => "free shipping".to_owned(),
        _ => "a free product".to_owned(),
    }
}

fn limit_change(name: &str, old: &Option<Limit>, new: &Option<Limit>, out: &mut Vec<String>) {
    match (old, new) {
        (x, y) if x == y => {}
        (_, Some(l)) => out.push(format!("{name}: limited to {}.", limit_text(l))),
        (Some(_), None) => out.push(format!("{name}: no longer limited.")),
        (None, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> ProgramUpdate {
        ProgramUpdate {
            rules: tally_core::demo::coffee_program(),
            allowed_origins: vec!["https://shop.example".into()],
        }
    }

    #[test]
    fn nothing_changed_says_nothing() {
        assert!(program_changes(&demo(), &demo(), "USD").is_empty());
    }

    #[test]
    fn a_lower_threshold_says_members_may_move_up() {
        let old = demo();
        let mut new = demo();
        let last = new.rules.tiers.len() - 1;
        new.rules.tiers[last].threshold = new.rules.tiers[last].threshold.map(|t| t - 1);
        let changes = program_changes(&old, &new, "USD");
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert!(changes[0].starts_with(&format!("{}: from ", new.rules.tiers[last].name)));
        assert!(changes[0].ends_with("members may move up."));
    }

    #[test]
    fn a_dearer_reward_and_a_removed_origin_are_named() {
        let old = demo();
        let mut new = demo();
        new.rules.rewards[0].points_cost += 50;
        new.allowed_origins.clear();
        let changes = program_changes(&old, &new, "USD");
        assert!(changes
            .iter()
            .any(|c| c.contains("members need more to redeem it")));
        assert!(changes.contains(&"The widget stops working on https://shop.example.".to_owned()));
    }

    #[test]
    fn removing_a_tier_names_the_consequence() {
        let old = demo();
        let mut new = demo();
        let gone = new.rules.tiers.pop().map(|t| t.name).unwrap_or_default();
        let changes = program_changes(&old, &new, "USD");
        assert!(changes.contains(&format!(
            "Removed tier: {gone} — its members move to another tier."
        )));
    }
}
