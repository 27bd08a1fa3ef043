use leptos::prelude::*;
use tally_core::TierMetric;

use crate::i18n::fill;
use crate::store::Store;
use crate::ui::Card;

/// The program's tiers, what it takes to reach each and its benefits; the shopper's own is marked.
#[component]
pub fn TierList() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let tiers = move || {
        let current = store.data.me.with(|me| {
            me.as_ref()
                .and_then(|me| me.tier.as_ref().map(|t| t.id.clone()))
        });
        let (tiers, metric) = store.data.program.with(|p| {
            p.as_ref().map_or((Vec::new(), TierMetric::Spend), |p| {
                (p.rules.tiers.clone(), p.rules.tier_metric)
            })
        });
        tiers
            .into_iter()
            .map(|tier| {
                let held = current.as_deref() == Some(tier.id.as_str());
                let requirement = tier.threshold.filter(|t| *t > 0).map(|t| match metric {
                    TierMetric::Spend => {
                        fill(m.tier_from_spend, &[("amount", &store.money(t, true))])
                    }
                    TierMetric::Points => fill(m.tier_from_points, &[("points", &store.points(t))]),
                });
                let class = if held {
                    "tally-tiers__item tally-tiers__item--current"
                } else {
                    "tally-tiers__item"
                };
                let benefits = tier
                    .benefits
                    .into_iter()
                    .map(|b| view! { <li><bdi>{b}</bdi></li> })
                    .collect_view();
                view! {
                    <Card class=class current=held>
                        <p class="tally-tiers__name">
                            <bdi>{tier.name}</bdi>
                            {held.then(|| view! { <span class="tally-badge">{m.your_tier}</span> })}
                        </p>
                        {requirement.map(|r| view! { <p class="tally-muted">{r}</p> })}
                        <ul class="tally-tiers__benefits">{benefits}</ul>
                    </Card>
                }
            })
            .collect_view()
    };
    view! {
        <section class="tally-section">
            <h3 class="tally-heading">{m.tiers_heading}</h3>
            <ul class="tally-tiers">{tiers}</ul>
        </section>
    }
}
