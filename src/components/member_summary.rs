use leptos::prelude::*;

use crate::format;
use crate::i18n::fill;
use crate::state::Store;

/// Greeting, balance and a notice of points that expire soon.
#[component]
pub fn MemberSummary() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let greeting = move || {
        store.me.with(
            |me| match me.as_ref().and_then(|me| me.first_name.as_deref()) {
                Some(name) if !name.trim().is_empty() => fill(m.greeting, &[("name", name.trim())]),
                _ => m.greeting_anonymous.to_owned(),
            },
        )
    };
    let balance = move || store.points(store.me.with(|me| me.as_ref().map_or(0, |me| me.balance)));
    let expiring = move || {
        let lots = store.me.with(|me| {
            me.as_ref()
                .map(|me| me.expiring.clone())
                .unwrap_or_default()
        });
        let locale = store.locale();
        lots.into_iter()
            .filter(|lot| lot.points > 0)
            .map(|lot| {
                let text = fill(
                    m.expiring,
                    &[
                        ("points", &store.points(lot.points)),
                        ("date", &format::date(&lot.expires_at, &locale)),
                    ],
                );
                view! { <p class="tally-notice">{text}</p> }
            })
            .collect_view()
    };
    view! {
        <div class="tally-summary">
            <p class="tally-summary__greeting">{greeting}</p>
            <p class="tally-summary__balance">
                <span class="tally-summary__label">{m.balance_label}</span>
                <span class="tally-summary__points">{balance}</span>
            </p>
            {expiring}
        </div>
    }
}
