use leptos::prelude::*;

use crate::state::Store;

/// The floating button: the balance for a member, an invitation for a guest.
#[component]
pub fn Launcher() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let label = move || match store.me.with(|me| me.as_ref().map(|me| me.balance)) {
        Some(balance) => store.points(balance),
        None if store.is_member() => m.launcher_label.to_owned(),
        None => m.launcher_guest.to_owned(),
    };
    view! {
        <button
            class="tally-launcher"
            type="button"
            part="launcher"
            node_ref=store.launcher
            aria-haspopup="dialog"
            aria-expanded=move || store.open.get().to_string()
            on:click=move |_| store.set_open(!store.open.get_untracked())
        >
            <svg class="tally-launcher__icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M20 7h-2.2A3 3 0 0 0 12 3.8 3 3 0 0 0 6.2 7H4a1 1 0 0 0-1 1v3a1 1 0 0 0 1 1h.5v7a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2v-7h.5a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1Zm-5-1.5A1.5 1.5 0 1 1 15 8.5h-2V7a1.5 1.5 0 0 1 2-1.5ZM9 5.5A1.5 1.5 0 0 1 11 7v1.5H9a1.5 1.5 0 0 1 0-3ZM6.5 12H11v7H6.5v-7Zm11 7H13v-7h4.5v7ZM19 10H5V9h14v1Z"/>
            </svg>
            // "Rewards, 179 stars"; not "Rewards, Rewards" while a member's balance loads.
            {move || (label() != m.launcher_label).then(|| view! { <span class="tally-sr">{m.launcher_label}", "</span> })}
            <span class="tally-launcher__label">{label}</span>
        </button>
    }
}
