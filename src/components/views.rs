//! The panel's views, fetched when the shopper reaches for them.
//!
//! A page view needs only the launcher (its label, its theme, a member's balance). Everything behind
//! it (the dialog, rewards, history, codes, referral, feedback) is built by the functions here, which
//! the widget's release build (`scripts/build-widget`, feature `split`) splits into a wasm module of
//! their own: fetched when the shopper points at or focuses the launcher, or opens the panel, and at
//! once in inline mode. Every other build (tests, `trunk serve`) has them built in and ready.

use leptos::prelude::*;

use super::app::title;
use super::{Content, Panel};
use crate::store::Store;

/// What the split-off module provides.
#[derive(Clone, Copy)]
pub struct Views {
    /// The launcher's dialog.
    pub panel: fn() -> AnyView,
    /// The content in place (`data-mode="inline"`).
    pub inline: fn() -> AnyView,
    /// The panel's stylesheet (`style/`, after the launcher's files): a page view does without it.
    pub css: &'static str,
}

/// The panel's stylesheet, bundled by `build.rs`; `tally_widget::mount` places it right after the
/// launcher's once the views are here.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/panel.css"));

fn panel() -> AnyView {
    view! { <Panel/> }.into_any()
}

fn inline() -> AnyView {
    let store = expect_context::<Store>();
    view! {
        <section class="tally-inline" part="panel" aria-labelledby="tally-title">
            <h2 class="tally-title" id="tally-title">{move || title(store)}</h2>
            <Content/>
        </section>
    }
    .into_any()
}

/// Named only by the split point below in the release build, so that everything the views reach
/// goes into their module.
const VIEWS: Views = Views {
    panel,
    inline,
    css: CSS,
};

/// Makes the views available: at once where they are built in, else by fetching their module (once;
/// a failed fetch is tried again on the next reach). A failure closes the panel and says so.
pub fn load(store: Store) {
    if store.views.get_untracked().is_some() {
        return;
    }
    #[cfg(not(feature = "split"))]
    store.views.set(Some(VIEWS));
    #[cfg(feature = "split")]
    {
        if store.views_loading.get_value() {
            return;
        }
        store.views_loading.set_value(true);
        leptos::task::spawn_local(async move {
            let loaded = split::views().await;
            store.views_loading.set_value(false);
            match loaded {
                Ok(views) => store.views.set(Some(views)),
                Err(split::Unavailable) => {
                    crate::browser::warn("could not load the panel: blocked or unreachable");
                    store.set_open(false);
                }
            }
        });
    }
}

#[cfg(feature = "split")]
mod split {
    use leptos::wasm_split::{wasm_split, SplitLoaderError};

    pub struct Unavailable;

    impl From<SplitLoaderError> for Unavailable {
        fn from(_: SplitLoaderError) -> Self {
            Unavailable
        }
    }

    /// The split point: its body, and all that only it reaches, is the views' module.
    #[wasm_split(views, fallible, wasm_split_path = ::leptos::wasm_split)]
    pub fn views() -> Result<super::Views, Unavailable> {
        Ok(super::VIEWS)
    }
}
