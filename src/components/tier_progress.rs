use leptos::prelude::*;
use tally_core::TierMetric;

use crate::i18n::fill;
use crate::store::Store;

/// The shopper's tier badge and a progress bar with the exact amount left to the next tier.
#[component]
pub fn TierProgress() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let tier = move || {
        store.data.me.with(|me| {
            me.as_ref()
                .and_then(|me| me.tier.as_ref().map(|t| t.name.clone()))
        })
    };
    let next = move || {
        store
            .data
            .me
            .with(|me| me.as_ref().and_then(|me| me.next_tier.clone()))
    };
    let progress = move || {
        let p = store
            .data
            .me
            .with(|me| me.as_ref().map_or(0.0, |me| me.tier_progress));
        if p.is_finite() {
            (p.clamp(0.0, 1.0) * 100.0).round() as i64
        } else {
            0
        }
    };
    let metric = move || {
        store.data.program.with(|p| {
            p.as_ref()
                .map_or(TierMetric::Spend, |p| p.rules.tier_metric)
        })
    };
    let remaining_text = move || match next() {
        Some(next) => match metric() {
            TierMetric::Spend => fill(
                m.spend_more,
                &[
                    ("amount", &store.money(next.remaining.max(0), false)),
                    ("tier", &next.name),
                ],
            ),
            TierMetric::Points => fill(
                m.earn_more,
                &[
                    ("points", &store.points(next.remaining.max(0))),
                    ("tier", &next.name),
                ],
            ),
        },
        None => m.top_tier.to_owned(),
    };
    let has_tiers = move || {
        store
            .data
            .program
            .with(|p| p.as_ref().is_some_and(|p| !p.rules.tiers.is_empty()))
    };
    // One closure for the section: it reads the shopper anyway (tier, next tier), so inner closures
    // would only add reactive views to the wasm.
    move || {
        has_tiers().then(|| {
            let bar_label = next().map(|n| fill(m.progress_label, &[("tier", &n.name)]));
            let (progress, remaining) = (progress(), remaining_text());
            view! {
                <section class="tally-section tally-tier">
                    <p class="tally-tier__current">
                        <span class="tally-tier__label">{m.your_tier}</span>
                        {tier().map(|name| view! { <span class="tally-badge"><bdi>{name}</bdi></span> })}
                    </p>
                    <div
                        class="tally-progress"
                        role="progressbar"
                        aria-valuemin="0"
                        aria-valuemax="100"
                        aria-valuenow=progress.to_string()
                        aria-valuetext=remaining.clone()
                        aria-label=bar_label
                    >
                        <div class="tally-progress__fill" style=format!("width:{progress}%")></div>
                    </div>
                    <p class="tally-tier__remaining">{remaining}</p>
                </section>
            }
        })
    }
}
