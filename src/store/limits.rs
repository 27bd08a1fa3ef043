//! Limits on rewards and ways to earn, and paid tiers, in the shopper's words: "Once a month", "Used
//! this month — again on January 1", "For members: $49 a year".

use leptos::prelude::*;
use tally_core::{Limit, LimitKind, LimitPeriod, LimitUsage, PaidTier};

use super::Store;
use crate::browser;
use crate::format;
use crate::i18n::fill;

/// Whether `usage` has used up its period: as often as the limit allows, and the period not over
/// since `/me` said so.
pub fn is_used_up(usage: &LimitUsage) -> bool {
    usage.used >= i64::from(usage.count)
        && !usage.resets_at.as_deref().is_some_and(browser::is_past)
}

impl Store {
    /// "Once a month", "Twice a year", "3 times per customer".
    pub fn limit_text(&self, limit: &Limit) -> String {
        let m = self.messages();
        let locale = self.locale();
        let per = match limit.per {
            LimitPeriod::Day => m.per_day,
            LimitPeriod::Month => m.per_month,
            LimitPeriod::Year => m.per_year,
            LimitPeriod::Lifetime => m.per_customer,
        };
        let count = i64::from(limit.count);
        let template = match count {
            1 => m.limit_once,
            2 => m.limit_twice,
            n => m.limit_times.form(&format::plural_category(n, &locale)),
        };
        fill(
            template,
            &[("count", &format::number(count, &locale)), ("per", per)],
        )
    }

    /// Where the shopper stands against the limit of a reward or an earn rule (tracked).
    pub fn usage(&self, kind: LimitKind, id: &str) -> Option<LimitUsage> {
        self.data.me.with(|me| {
            me.as_ref()?
                .limits
                .iter()
                .find(|l| l.kind == kind && l.id == id)
                .cloned()
        })
    }

    /// "Used this month — again on January 1" for a reward or an earn rule used up (tracked).
    pub fn used_up_text(&self, kind: LimitKind, id: &str) -> Option<String> {
        let usage = self.usage(kind, id).filter(is_used_up)?;
        let m = self.messages();
        let template = match usage.per {
            LimitPeriod::Day => m.used_day,
            LimitPeriod::Month => m.used_month,
            LimitPeriod::Year => m.used_year,
            LimitPeriod::Lifetime => return Some(m.used_lifetime.to_owned()),
        };
        let date = usage
            .resets_at
            .as_deref()
            .map(|at| format::day_month(at, &self.locale()))
            .unwrap_or_default();
        Some(fill(template, &[("date", &date)]))
    }

    /// "For members: $49 a year": the price of a paid tier and its period in words.
    pub fn paid_offer(&self, paid: &PaidTier) -> String {
        let m = self.messages();
        let locale = self.locale();
        let days = paid.period_days;
        let template = match days {
            365 | 366 => m.paid_year,
            30 | 31 => m.paid_month,
            _ => m.paid_period,
        };
        let period = if days.is_multiple_of(365) {
            format::duration(i64::from(days / 365), "year", &locale)
        } else {
            format::duration(i64::from(days), "day", &locale)
        };
        fill(
            template,
            &[
                ("price", &self.money(paid.price_minor, true)),
                ("period", &period),
            ],
        )
    }
}
