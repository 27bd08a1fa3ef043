//! Tally's loyalty widget: points, tiers, rewards and referrals inside a shop's page, rendered by Leptos
//! into a shadow root that the loader (`public/tally.js`) creates.

pub mod api;
pub mod browser;
pub mod components;
pub mod config;
pub mod events;
pub mod format;
pub mod i18n;
pub mod store;
pub mod ui;
pub mod wire;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::App;
use crate::config::{Config, Credentials};
use crate::store::Store;

/// The launcher's stylesheet, bundled from `style/*.css` by `build.rs`; it lives inside the shadow root,
/// so nothing leaks in or out. The panel's comes with its views (`components::views::CSS`).
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.css"));

#[cfg(test)]
#[path = "../style/minify.rs"]
mod minify;

/// A mounted widget: what `window.Tally` drives.
pub struct Widget {
    store: Store,
    owner: Owner,
    /// Dropping the handle unmounts the view.
    mounted: Option<Box<dyn std::any::Any>>,
}

impl Widget {
    pub fn open(&self) {
        self.store.set_open(true);
    }

    pub fn close(&self) {
        self.store.set_open(false);
    }

    pub fn refresh(&self) {
        self.store.refresh();
    }

    /// Replaces the script tag's theme (what `data-theme` set) and re-themes at once.
    pub fn set_theme(&self, theme: &tally_core::theme::Json) {
        self.store.set_theme(theme);
    }

    /// Signs a shopper in without a reload; `None` signs them out to the guest view.
    pub fn set_customer(&self, customer: Option<(&str, &str, &str)>) {
        let credentials = match customer {
            None => None,
            Some((id, timestamp, signature)) => match Credentials::new(id, timestamp, signature) {
                Ok(c) => Some(c),
                Err(why) => {
                    events::warn(&format!("setCustomer: {why}"));
                    return;
                }
            },
        };
        self.store.set_customer(credentials);
    }

    /// Unmounts the view and frees its state; the loader removes the host element.
    pub fn destroy(&mut self) {
        self.mounted = None;
        self.owner.cleanup();
    }
}

/// Renders the widget into `root` for the script tag's `dataset` entries; `None` (after a console
/// line) when the tag cannot work, e.g. without `data-shop`. `assets` is the URL of the widget's files
/// (ending in `/`), where the catalogs of other languages are.
pub fn mount(
    root: web_sys::ShadowRoot,
    attributes: &[(String, String)],
    origin: &str,
    assets: Option<String>,
) -> Option<Widget> {
    let (config, warnings) = Config::from_attributes(attributes, origin);
    for warning in &warnings {
        events::warn(warning);
    }
    let mut config = config?;
    config.assets = assets;
    let owner = Owner::new();
    let store = owner.with(|| Store::new(config));
    let handle = owner.with(|| {
        leptos::mount::mount_to(root.unchecked_into(), move || {
            provide_context(store);
            view! {
                <style>{CSS}</style>
                // Before the theme's and the marketer's own CSS (in `App`), which must win ties.
                <style>{move || store.views.get().map(|v| v.css)}</style>
                <App/>
            }
        })
    });
    store.start();
    Some(Widget {
        store,
        owner,
        mounted: Some(Box::new(handle)),
    })
}

/// Logs a panic as one quiet console line instead of a stack trace in the shop's console.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        events::warn(&format!("internal error: {info}"));
    }));
}
