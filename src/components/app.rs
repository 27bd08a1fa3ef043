use leptos::prelude::*;

use super::{Content, Launcher, Panel};
use crate::config::Mode;
use crate::i18n::fill;
use crate::state::Store;

/// The widget's root: a launcher and its dialog, or the content in place (`data-mode="inline"`).
#[component]
pub fn App() -> impl IntoView {
    let store = expect_context::<Store>();
    let body = match store.mode {
        Mode::Launcher => view! {
            <Launcher/>
            <Show when=move || store.open.get()>
                <Panel/>
            </Show>
        }
        .into_any(),
        Mode::Inline => view! {
            <section class="tally-inline" aria-labelledby="tally-title">
                <h2 class="tally-title" id="tally-title">{move || title(store)}</h2>
                <Content/>
            </section>
        }
        .into_any(),
    };
    view! {
        <div class=format!("tally {}", store.position.as_class()) lang=move || store.locale()>
            {body}
            <div class="tally-sr" role="status" aria-live="polite">
                {move || store.announcement.get()}
            </div>
        </div>
    }
}

/// "Demo Coffee Rewards", or just "Rewards" before the program has arrived.
pub fn title(store: Store) -> String {
    let m = store.messages();
    store.program.with(|p| match p {
        Some(p) => fill(m.title, &[("shop", &p.shop.name)]),
        None => m.launcher_label.to_owned(),
    })
}
