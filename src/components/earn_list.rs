use leptos::prelude::*;
use tally_core::rules::minor_per_unit;
use tally_core::{EarnRuleKind, LimitKind};

use crate::i18n::fill;
use crate::store::Store;

/// The ways to earn points, with what each gives.
#[component]
pub fn EarnList() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let rules = move || {
        let (rules, currency) = store.data.program.with(|p| {
            p.as_ref().map_or((Vec::new(), String::new()), |p| {
                (p.rules.earn_rules.clone(), p.shop.currency.clone())
            })
        });
        rules
            .into_iter()
            .map(|rule| {
                let value = match rule.kind {
                    EarnRuleKind::Purchase => fill(
                        m.per_unit,
                        &[
                            ("points", &store.points(rule.points_per_unit.unwrap_or(0))),
                            ("unit", &store.money(minor_per_unit(&currency), true)),
                        ],
                    ),
                    _ => fill(
                        m.points_once,
                        &[("points", &store.points(rule.points.unwrap_or(0)))],
                    ),
                };
                // "Once a month", or "Used this month — again on January 1" once used up.
                let limit = rule.limit.map(|l| {
                    store
                        .used_up_text(LimitKind::EarnRule, &rule.id)
                        .unwrap_or_else(|| store.limit_text(&l))
                });
                view! {
                    <li class="tally-earn__item">
                        <span class="tally-earn__title">
                            <bdi>{rule.title}</bdi>
                            {limit.map(|text| view! { <span class="tally-muted">{text}</span> })}
                        </span>
                        <span class="tally-earn__value">{value}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="tally-section">
            <h3 class="tally-heading">{m.earn_heading}</h3>
            <ul class="tally-earn">{rules}</ul>
        </section>
    }
}
