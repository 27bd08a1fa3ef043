use leptos::prelude::*;
use tally_core::theme::LauncherPosition;

use super::{views, Launcher};
use crate::config::Mode;
use crate::i18n::{self, fill};
use crate::store::Store;

/// The widget's root: the theme's stylesheet, then a launcher and its dialog, or the content in place
/// (`data-mode="inline"`). Nothing shows until the shopper's language has loaded; a new catalog or new
/// text overrides rebuild the views.
#[component]
pub fn App() -> impl IntoView {
    let store = expect_context::<Store>();
    // Inline, the content shows at once: its views are wanted now (see `views`).
    if store.mode == Mode::Inline {
        views::load(store);
    }
    let body = move || {
        store.catalog.shown.track();
        if !store.ready() {
            return None;
        }
        Some(match store.mode {
            // The dialog is built when opened, from the views' module (see `views`): until it has
            // arrived, an open launcher waits for it.
            Mode::Launcher => view! {
                <Launcher/>
                // A closure, not <Show>: `open` only changes when it differs (`set_open`), and a memo
                // type would cost the wasm more than it saves.
                {move || store.open.get().then(|| store.views.get().map(|v| (v.panel)()))}
            }
            .into_any(),
            Mode::Inline => (move || store.views.get().map(|v| (v.inline)())).into_any(),
        })
    };
    let class = move || {
        let corner = match store.theme.position() {
            LauncherPosition::BottomRight => "tally--right",
            LauncherPosition::BottomLeft => "tally--left",
            LauncherPosition::TopRight => "tally--right tally--top",
            LauncherPosition::TopLeft => "tally--left tally--top",
        };
        format!("tally {corner}")
    };
    let dir = move || {
        if i18n::is_rtl(store.catalog.shown.with(|c| c.0)) {
            "rtl"
        } else {
            "ltr"
        }
    };
    view! {
        // The theme as `--tally-*` properties on the host, and the marketer's own CSS: both as text.
        <style>{move || store.theme.current.with(|t| t.host_css())}</style>
        {move || store.theme.current.with(|t| t.custom_css.clone()).map(|css| view! { <style>{css}</style> })}
        <div class=class lang=move || store.locale() dir=dir>
            {body}
            <div class="tally-sr" role="status" aria-live="polite">
                {move || store.redeem.announcement.get()}
            </div>
        </div>
    }
}

/// "Demo Coffee Rewards", or just "Rewards" before the program has arrived.
pub fn title(store: Store) -> String {
    let m = store.messages();
    store.data.program.with(|p| match p {
        Some(p) => fill(m.title, &[("shop", &p.shop.name)]),
        None => m.launcher_label.to_owned(),
    })
}
