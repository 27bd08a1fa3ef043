use leptos::prelude::*;
use tally_core::TierMetric;

use crate::config::is_safe_link;
use crate::format;
use crate::i18n::fill;
use crate::store::Store;
use crate::ui::{Card, LinkButton};

/// The program's tiers, what it takes to reach each (a spend, points, or a price for a paid tier) and
/// its benefits; the shopper's own is marked, and a member sees until when their membership runs.
#[component]
pub fn TierList() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let tiers = move || {
        let current = store.data.me.with(|me| {
            me.as_ref()
                .and_then(|me| me.tier.as_ref().map(|t| t.id.clone()))
        });
        let membership = store
            .data
            .me
            .with(|me| me.as_ref().and_then(|me| me.membership.clone()));
        let locale = store.locale();
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
                // "For members: $49 a year", then the way to buy it or, for a member, its end.
                let (price, join) = tier.paid.as_ref().map_or((None, None), |paid| {
                    let until = membership
                        .as_ref()
                        .filter(|ms| ms.tier_id == tier.id)
                        .map(|ms| fill(m.member_until, &[("date", &format::date(&ms.expires_at, &locale))]));
                    let join = match until {
                        Some(until) => Some(view! { <p class="tally-tiers__member">{until}</p> }.into_any()),
                        None => is_safe_link(&paid.purchase_url).then(|| {
                            view! { <LinkButton href=paid.purchase_url.clone() text=m.paid_join/> }.into_any()
                        }),
                    };
                    (Some(store.paid_offer(paid)), join)
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
                        {price.map(|p| view! { <p class="tally-tiers__price">{p}</p> })}
                        <ul class="tally-tiers__benefits">{benefits}</ul>
                        {join}
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
