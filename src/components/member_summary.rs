use leptos::prelude::*;

use crate::format;
use crate::i18n::fill;
use crate::store::Store;
use crate::ui::Notice;

/// Greeting, balance and a notice of points that expire soon.
#[component]
pub fn MemberSummary() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    // One closure for the whole summary (nothing in it takes focus): fewer, coarser reactive views keep
    // the wasm small.
    move || {
        let (name, balance, lots) = store.data.me.with(|me| {
            me.as_ref()
                .map(|me| (me.first_name.clone(), me.balance, me.expiring.clone()))
        })?;
        let greeting = match name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => fill(m.greeting, &[("name", name)]),
            _ => m.greeting_anonymous.to_owned(),
        };
        let locale = store.locale();
        let expiring = lots
            .iter()
            .filter(|lot| lot.points > 0)
            .map(|lot| {
                let text = fill(
                    m.expiring,
                    &[
                        ("points", &store.points(lot.points)),
                        ("date", &format::date(&lot.expires_at, &locale)),
                    ],
                );
                view! { <Notice text=text/> }
            })
            .collect_view();
        Some(view! {
            <div class="tally-summary">
                <p class="tally-summary__greeting">{greeting}</p>
                <p class="tally-summary__balance">
                    <span class="tally-summary__label">{m.balance_label}</span>
                    <span class="tally-summary__points">{store.points(balance)}</span>
                </p>
                {expiring}
            </div>
        })
    }
}
