use leptos::prelude::*;
use tally_core::theme::LauncherIcon;

use super::views;
use crate::store::{Load, Store};

/// The floating button: the balance for a member, an invitation for a guest (the theme may word it
/// and pick its icon).
#[component]
pub fn Launcher() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let label = move || match store.data.me.with(|me| me.as_ref().map(|me| me.balance)) {
        Some(balance) => store.points(balance),
        None if store.is_member() => m.launcher_label.to_owned(),
        None => m.launcher_guest.to_owned(),
    };
    let icon = move || {
        let path = match store.theme.current.with(|t| t.launcher_icon) {
            Some(LauncherIcon::None) => return None,
            Some(LauncherIcon::Star) => "M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z",
            Some(LauncherIcon::Heart) => "M12 21l-1.5-1.3C5.2 15 2 12.1 2 8.5 2 5.5 4.4 3 7.4 3c1.8 0 3.5.8 4.6 2.2C13.1 3.8 14.8 3 16.6 3 19.6 3 22 5.5 22 8.5c0 3.6-3.2 6.5-8.5 11.2z",
            Some(LauncherIcon::Crown) => "M3 7.5l4.6 4.1L12 4.5l4.4 7.1L21 7.5 19.2 18H4.8zM5 19.5h14V21H5z",
            Some(LauncherIcon::Gift) | None => "M20 7h-2.2A3 3 0 0 0 12 3.8 3 3 0 0 0 6.2 7H4a1 1 0 0 0-1 1v3a1 1 0 0 0 1 1h.5v7a2 2 0 0 0 2 2h11a2 2 0 0 0 2-2v-7h.5a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1Zm-5-1.5A1.5 1.5 0 1 1 15 8.5h-2V7a1.5 1.5 0 0 1 2-1.5ZM9 5.5A1.5 1.5 0 0 1 11 7v1.5H9a1.5 1.5 0 0 1 0-3ZM6.5 12H11v7H6.5v-7Zm11 7H13v-7h4.5v7ZM19 10H5V9h14v1Z",
        };
        Some(view! {
            <svg class="tally-launcher__icon" part="launcher-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d=path/>
            </svg>
        })
    };
    // The launcher waits, hidden, for what it shows: the shop's theme (else it would flash the default
    // colours) and a member's balance (else it would grow from "Rewards" to "179 stars" in view, a layout
    // shift bench/page measured). A saved snapshot shows it at once; a failed load shows it too.
    let pending = move || {
        store.data.load.with(|load| *load == Load::Loading)
            && (store.data.program.with(Option::is_none)
                || (store.is_member() && store.data.me.with(Option::is_none)))
    };
    view! {
        <button
            class="tally-launcher"
            class:tally-launcher--pending=pending
            type="button"
            part="launcher"
            node_ref=store.launcher
            aria-haspopup="dialog"
            aria-expanded=move || store.open.get().to_string()
            on:click=move |_| store.set_open(!store.open.get_untracked())
            // Reaching for the launcher fetches the panel's views, so that a click finds them here.
            on:pointerenter=move |_| views::load(store)
            on:focus=move |_| views::load(store)
        >
            {icon}
            // "Rewards, 179 stars"; not "Rewards, Rewards" while a member's balance loads.
            {move || (label() != m.launcher_label).then(|| view! { <span class="tally-sr">{m.launcher_label}", "</span> })}
            <span class="tally-launcher__label" part="launcher-label">{label}</span>
        </button>
    }
}
