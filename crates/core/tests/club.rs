//! The rules of paid tiers, limits and feedback as a specification: the effective tier, membership
//! periods, calendar periods at their boundaries, NPS arithmetic and the program's checks.

use proptest::prelude::*;
use tally_core::demo::{coffee_club_program, coffee_program};
use tally_core::rules::*;
use tally_core::{Limit, LimitPeriod, PaidTier, ProgramUpdate, Tier};

/// Unix ms of a UTC date and time.
fn at(year: i64, month: u32, day: u32, h: i64, m: i64, s: i64) -> i64 {
    days_from_civil(year, month, day) * DAY_MS + ((h * 60 + m) * 60 + s) * 1000
}

fn problems(rules: tally_core::ProgramRules) -> Vec<String> {
    program_problems(&ProgramUpdate {
        rules,
        allowed_origins: vec![],
    })
}

#[test]
fn the_demo_shops_whole_program_is_valid() {
    assert_eq!(problems(coffee_club_program()), Vec::<String>::new());
}

#[test]
fn civil_dates_round_trip_across_centuries_and_leap_days() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(
        days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28),
        2
    );
    assert_eq!(
        days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28),
        1
    );
    for days in [-1, 0, 59, 11_016, 19_723, 20_000, 2_932_896] {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
    }
}

#[test]
fn a_day_runs_from_midnight_to_midnight_utc() {
    let last_second = at(2024, 3, 14, 23, 59, 59);
    assert_eq!(
        period_start(LimitPeriod::Day, last_second),
        Some(at(2024, 3, 14, 0, 0, 0))
    );
    assert_eq!(
        period_end(LimitPeriod::Day, last_second),
        Some(at(2024, 3, 15, 0, 0, 0))
    );
    let midnight = at(2024, 3, 15, 0, 0, 0);
    assert_eq!(period_start(LimitPeriod::Day, midnight), Some(midnight));
}

#[test]
fn a_month_ends_at_the_first_of_the_next_including_february_of_a_leap_year() {
    let feb = at(2024, 2, 29, 23, 59, 59);
    assert_eq!(
        period_start(LimitPeriod::Month, feb),
        Some(at(2024, 2, 1, 0, 0, 0))
    );
    assert_eq!(
        period_end(LimitPeriod::Month, feb),
        Some(at(2024, 3, 1, 0, 0, 0))
    );
    let first = at(2024, 3, 1, 0, 0, 0);
    assert_eq!(period_start(LimitPeriod::Month, first), Some(first));
}

#[test]
fn the_31st_of_december_at_23_59_59_is_still_the_old_month_and_year() {
    let last = at(2024, 12, 31, 23, 59, 59);
    let new_year = at(2025, 1, 1, 0, 0, 0);
    assert_eq!(
        period_start(LimitPeriod::Month, last),
        Some(at(2024, 12, 1, 0, 0, 0))
    );
    assert_eq!(period_end(LimitPeriod::Month, last), Some(new_year));
    assert_eq!(
        period_start(LimitPeriod::Year, last),
        Some(at(2024, 1, 1, 0, 0, 0))
    );
    assert_eq!(period_end(LimitPeriod::Year, last), Some(new_year));
    assert_eq!(period_start(LimitPeriod::Year, new_year), Some(new_year));
    assert_eq!(period_start(LimitPeriod::Month, new_year), Some(new_year));
    assert_eq!(
        period_end(LimitPeriod::Year, new_year),
        Some(at(2026, 1, 1, 0, 0, 0))
    );
}

#[test]
fn a_lifetime_limit_has_no_period() {
    assert_eq!(period_start(LimitPeriod::Lifetime, 0), None);
    assert_eq!(period_end(LimitPeriod::Lifetime, 0), None);
}

#[test]
fn limits_allow_count_uses_per_period_and_read_as_words() {
    let monthly = Limit {
        count: 1,
        per: LimitPeriod::Month,
    };
    assert!(within_limit(&monthly, 0));
    assert!(!within_limit(&monthly, 1));
    assert_eq!(limit_text(&monthly), "once a month");
    let daily = Limit {
        count: 3,
        per: LimitPeriod::Day,
    };
    assert_eq!(limit_text(&daily), "3 times a day");
    let ever = Limit {
        count: 2,
        per: LimitPeriod::Lifetime,
    };
    assert_eq!(limit_text(&ever), "twice");
}

#[test]
fn nps_of_no_answers_is_zero() {
    let n = nps([]);
    assert_eq!((n.score, n.responses), (0, 0));
}

#[test]
fn nps_of_promoters_only_is_100_and_of_detractors_only_minus_100() {
    assert_eq!(nps([(9, 3), (10, 2)]).score, 100);
    assert_eq!(nps([(0, 1), (6, 4)]).score, -100);
    assert_eq!(nps([(7, 5), (8, 5)]).score, 0);
}

#[test]
fn nps_counts_each_group_and_rounds_half_away_from_zero() {
    // 2 promoters, 1 passive, 0 detractors of 3: 66.67 → 67.
    let n = nps([(10, 2), (7, 1)]);
    assert_eq!(
        (n.score, n.responses, n.promoters, n.passives, n.detractors),
        (67, 3, 2, 1, 0)
    );
    // 1 of 8 promoters net: 12.5 → 13; the other way −12.5 → −13.
    assert_eq!(nps([(9, 1), (8, 7)]).score, 13);
    assert_eq!(nps([(3, 1), (8, 7)]).score, -13);
    // 1 promoter of 3: 33.3 → 33.
    assert_eq!(nps([(9, 1), (7, 2)]).score, 33);
    // Scores outside 0–10 are no answers.
    assert_eq!(nps([(11, 4), (-1, 2)]).responses, 0);
}

#[test]
fn next_tier_and_progress_follow_thresholds_past_a_paid_tier_without_one() {
    let tiers = coffee_club_program().tiers;
    let top = tier_standing(&tiers, 90_000);
    assert_eq!(top.current.map(|t| t.id.as_str()), Some("gold"));
    assert!(top.next.is_none(), "the club has no threshold to reach");
    assert_eq!(top.progress, 1.0);
}

#[test]
fn a_running_membership_lifts_the_tier_and_an_ended_one_does_not() {
    let tiers = coffee_club_program().tiers;
    let bronze = tier_standing(&tiers, 0).current;
    let club = Held {
        tier_id: "club",
        expires_at: 1_000,
    };
    let held = |now| effective_tier(&tiers, bronze, Some(club), now).map(|t| t.id.as_str());
    assert_eq!(held(999), Some("club"));
    assert_eq!(held(1_000), Some("bronze"), "it ends on time");
    assert_eq!(
        effective_tier(&tiers, bronze, None, 0).map(|t| t.id.as_str()),
        Some("bronze")
    );
}

#[test]
fn a_paid_tier_ranked_below_the_earned_one_changes_nothing() {
    let mut tiers = coffee_program().tiers;
    tiers.insert(
        1,
        Tier {
            id: "plus".into(),
            name: "Plus".into(),
            threshold: None,
            earn_multiplier: 1.1,
            benefits: vec![],
            paid: Some(PaidTier {
                price_minor: 900,
                period_days: 30,
                purchase_url: "https://shop.example/plus".into(),
            }),
        },
    );
    let gold = tier_standing(&tiers, 60_000).current;
    let plus = Held {
        tier_id: "plus",
        expires_at: i64::MAX,
    };
    assert_eq!(
        effective_tier(&tiers, gold, Some(plus), 0).map(|t| t.id.as_str()),
        Some("gold")
    );
    let none = tier_standing(&tiers, -1).current;
    assert_eq!(
        effective_tier(&tiers, none, Some(plus), 0).map(|t| t.id.as_str()),
        Some("plus")
    );
}

#[test]
fn a_renewal_extends_from_the_current_end_and_a_lapsed_one_starts_now() {
    assert_eq!(membership_period(None, 100, 1), (100, 100 + DAY_MS));
    assert_eq!(
        membership_period(Some(5 * DAY_MS), DAY_MS, 365),
        (5 * DAY_MS, 370 * DAY_MS)
    );
    assert_eq!(
        membership_period(Some(DAY_MS), 2 * DAY_MS, 30),
        (2 * DAY_MS, 32 * DAY_MS)
    );
}

#[test]
fn paid_tiers_limits_and_feedback_are_checked_naming_the_field() {
    let mut rules = coffee_club_program();
    rules.tiers[1].threshold = None;
    let club = rules.tiers.len() - 1;
    if let Some(paid) = rules.tiers[club].paid.as_mut() {
        paid.period_days = 0;
        paid.purchase_url = "club".into();
    }
    let sample = rules.rewards.len() - 1;
    rules.rewards[sample].limit = None;
    rules.rewards[0].limit = Some(Limit {
        count: 0,
        per: LimitPeriod::Day,
    });
    rules.earn_rules[1].limit = Some(Limit {
        count: 1,
        per: LimitPeriod::Year,
    });
    if let Some(feedback) = rules.feedback.as_mut() {
        feedback.cooldown_days = 0;
        feedback.points = -1;
    }
    let found = problems(rules);
    let expect = [
        "earn_rules[1] (signup).limit: only a custom rule may have a limit".to_owned(),
        "tiers[1] (silver).threshold: only a paid tier may have no threshold".to_owned(),
        format!("tiers[{club}] (club).paid.period_days: must be 1–3660, not 0"),
        format!("tiers[{club}] (club).paid.purchase_url"),
        "rewards[0] (5off).limit.count: must be ≥ 1".to_owned(),
        format!("rewards[{sample}] (sample).points_cost: 0 is allowed only with a limit"),
        "feedback.points: must be ≥ 0".to_owned(),
        "feedback.cooldown_days: must be 1–3650, not 0".to_owned(),
    ];
    for e in &expect {
        assert!(
            found.iter().any(|p| p.starts_with(e.as_str())),
            "no problem starting {e:?} in {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}

#[test]
fn thresholds_still_ascend_strictly_from_zero_around_a_paid_tier() {
    let mut rules = coffee_club_program();
    let club = rules.tiers.pop().expect("club");
    rules.tiers.insert(1, club);
    assert_eq!(problems(rules.clone()), Vec::<String>::new());
    rules.tiers[2].threshold = Some(0);
    assert_eq!(
        problems(rules),
        ["tiers[2] (silver).threshold: must be greater than the previous tier's 0, not 0"]
    );
}

proptest! {
    #[test]
    fn the_effective_tier_is_never_below_the_earned_one(
        metric in -1_000i64..200_000,
        paid_rank in 0usize..4,
        expires_at in 0i64..10_000,
        now in 0i64..10_000,
    ) {
        let tiers = coffee_club_program().tiers;
        let earned = tier_standing(&tiers, metric).current;
        let membership = Held { tier_id: &tiers[paid_rank].id, expires_at };
        let held = effective_tier(&tiers, earned, Some(membership), now);
        let rank = |t: Option<&Tier>| t.and_then(|t| tiers.iter().position(|x| x.id == t.id));
        prop_assert!(rank(held) >= rank(earned));
        if now >= expires_at {
            prop_assert_eq!(rank(held), rank(earned), "an ended membership lifts nothing");
        } else {
            prop_assert_eq!(rank(held), rank(earned).max(Some(paid_rank)));
        }
    }

    #[test]
    fn a_membership_ends_exactly_period_days_after_it_starts_and_never_before_now(
        current in proptest::option::of(0i64..1_000 * DAY_MS),
        now in 0i64..1_000 * DAY_MS,
        days in 1u32..=3660,
    ) {
        let (starts_at, expires_at) = membership_period(current, now, days);
        prop_assert_eq!(expires_at - starts_at, i64::from(days) * DAY_MS);
        prop_assert!(starts_at >= now);
        prop_assert!(membership_active(expires_at, now));
        prop_assert!(!membership_active(expires_at, expires_at));
        if let Some(end) = current.filter(|end| *end > now) {
            prop_assert_eq!(starts_at, end, "a renewal extends the running membership");
        }
    }

    #[test]
    fn every_instant_lies_in_its_period_and_the_period_ends_where_the_next_starts(
        now in 0i64..5_000_000_000_000,
        per in prop_oneof![Just(LimitPeriod::Day), Just(LimitPeriod::Month), Just(LimitPeriod::Year)],
    ) {
        let start = period_start(per, now).expect("calendar period");
        let end = period_end(per, now).expect("calendar period");
        prop_assert!(start <= now && now < end);
        prop_assert_eq!(period_start(per, end), Some(end));
        prop_assert_eq!(period_start(per, end - 1), Some(start));
    }
}
