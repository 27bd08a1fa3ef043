//! The widget's state, one [`Store`] in context, split by concern:
//!
//! - [`data`]: the program, the shopper and their activity, and how far loading stands;
//! - [`redeem`]: the redeem flow, from the key of an intent to what a redemption changes;
//! - [`feedback`]: the feedback question, when it is due, and sending the answer;
//! - [`limits`]: limits and paid tiers in the shopper's words;
//! - [`theme`]: the theme's layers and their merge;
//! - [`catalog`]: the messages of the shopper's language, with the theme's text overrides;
//! - [`snapshot`]: the last view, kept in sessionStorage for an instant start.
//!
//! This module ties them together: configuration, locale, and the loads that touch several parts.
//! The browser is reached only through [`crate::browser`] and the API client, so the logic here runs
//! in native `#[test]`s.

pub mod catalog;
pub mod data;
pub mod feedback;
pub mod limits;
pub mod redeem;
pub mod snapshot;
pub mod theme;

use leptos::html;
use leptos::prelude::*;
use tally_core::theme::{Json, Theme};
use tally_core::{Me, Program};

use crate::api::Client;
use crate::browser::{self, Event};
use crate::components::views::{self, Views};
use crate::config::{Config, Credentials, Mode};
use crate::i18n::{self, Messages};
pub use catalog::Catalogs;
pub use data::{ActivityList, Codes, Data, Load};
pub use feedback::{Feedback, MAX_COMMENT};
pub use redeem::{Redeem, Step};
pub use snapshot::Snapshot;
pub use theme::{read_theme, Themes};

/// All the widget's state; `Copy`, shared through context.
#[derive(Clone, Copy)]
pub struct Store {
    /// The script tag's settings (its credentials are the first shopper's; `data.client` has the current).
    pub config: StoredValue<Config>,
    pub mode: Mode,
    pub data: Data,
    pub redeem: Redeem,
    /// The answer to the feedback question being written.
    pub feedback: Feedback,
    pub theme: Themes,
    pub catalog: Catalogs,
    /// Whether the launcher's panel is open.
    pub open: RwSignal<bool>,
    /// The launcher, to give focus back when the panel closes.
    pub launcher: NodeRef<html::Button>,
    /// The panel's views once their module is here (`components::views`).
    pub views: RwSignal<Option<Views>>,
    pub views_loading: StoredValue<bool>,
}

/// Reads a theme, naming every problem on the console.
fn read_theme_warning(value: &Json) -> Theme {
    let (theme, problems) = read_theme(value);
    for problem in &problems {
        browser::warn(problem);
    }
    theme
}

impl Store {
    pub fn new(mut config: Config) -> Self {
        let client = Client::new(&config.api, &config.shop, config.credentials.clone());
        let tag = match config.theme.take().as_deref().map(crate::wire::parse_json) {
            None => Theme::default(),
            Some(Some(json)) => read_theme_warning(&json),
            Some(None) => {
                browser::warn("data-theme is not JSON; the shop's theme stands");
                Theme::default()
            }
        };
        let theme = Themes::new(config.position, tag);
        let catalog = Catalogs::new(config.assets.take());
        theme.current.with_untracked(|t| catalog.reshow(t));
        Self {
            mode: config.mode,
            config: StoredValue::new(config),
            data: Data::new(client),
            redeem: Redeem::new(),
            feedback: Feedback::new(),
            theme,
            catalog,
            open: RwSignal::new(false),
            launcher: NodeRef::new(),
            views: RwSignal::new(None),
            views_loading: StoredValue::new(false),
        }
    }

    /// A store already holding data, for tests and previews: no fetch happens.
    pub fn with_data(config: Config, program: Program, me: Option<Me>) -> Self {
        let store = Self::new(config);
        store.data.show(program, me);
        store
    }

    /// The messages shown; views are rebuilt when they change (see `App`), so this reads untracked.
    pub fn messages(&self) -> &'static Messages {
        self.catalog.messages()
    }

    /// Whether a shopper is signed in (tracked).
    pub fn is_member(&self) -> bool {
        self.data.is_member()
    }

    /// `179 stars`, in the program's words for its points.
    pub fn points(&self, n: i64) -> String {
        let locale = self.locale();
        self.data.program.with(|p| match p {
            Some(p) => crate::format::points(n, &p.rules.points, &locale),
            None => crate::format::points(n, &Default::default(), &locale),
        })
    }

    /// `("71", "stars")`: the number and the plural-correct name, for templates that split them.
    pub fn points_parts(&self, n: i64) -> (String, String) {
        let locale = self.locale();
        let singular = crate::format::is_singular(n, &locale);
        let name = self.data.program.with(|p| {
            let names = p.as_ref().map(|p| &p.rules.points);
            match (names, singular) {
                (Some(names), true) => names.singular.clone(),
                (Some(names), false) => names.plural.clone(),
                (None, true) => "point".to_owned(),
                (None, false) => "points".to_owned(),
            }
        });
        (crate::format::number(n, &locale), name)
    }

    /// Minor units in the shop's currency.
    pub fn money(&self, minor: i64, whole: bool) -> String {
        let locale = self.locale();
        let currency = self
            .data
            .program
            .with(|p| p.as_ref().map(|p| p.shop.currency.clone()))
            .unwrap_or_else(|| "USD".to_owned());
        crate::format::money(minor, &currency, &locale, whole)
    }

    /// The locale: the tag's `data-locale`, else the shop's, else the browser's, else English.
    pub fn locale(&self) -> String {
        let tag = self
            .config
            .with_value(|c| c.locale.clone())
            .or_else(|| {
                self.data
                    .program
                    .with(|p| p.as_ref().map(|p| p.shop.locale.clone()))
            })
            .or_else(browser::language);
        tag.filter(|t| crate::config::is_language_tag(t))
            .unwrap_or_else(|| "en".to_owned())
    }

    /// The catalog language to show, once the locale is known: at once with `data-locale`, else when
    /// the program (with the shop's locale) has arrived or failed.
    pub fn wanted_language(&self) -> Option<&'static str> {
        let known = self.config.with_value(|c| c.locale.is_some())
            || self.data.program.with(Option::is_some)
            || matches!(self.data.load.get(), Load::Failed(_));
        known.then(|| i18n::language(&self.locale()))
    }

    /// Whether the catalog of the wanted language is there: until then nothing is shown, so a
    /// German shopper never sees English flash by.
    pub fn ready(&self) -> bool {
        self.wanted_language()
            .is_some_and(|lang| self.catalog.shows(lang))
    }

    /// Loads the catalog of the language to show, once that is known.
    pub fn update_language(&self) {
        if let Some(lang) = untrack(|| self.wanted_language()) {
            self.catalog.load(lang, self.theme.current);
        }
    }

    /// Replaces the tag's theme (`Tally.setTheme`), e.g. from the theme playground.
    pub fn set_theme(&self, value: &Json) {
        if self.theme.set_tag(read_theme_warning(value)) {
            self.theme
                .current
                .with_untracked(|t| self.catalog.reshow(t));
        }
    }

    /// Takes the shop's saved theme from the program's JSON; its problems are named once, when it
    /// changes, not on every refresh.
    fn take_shop_theme(&self, program_text: &str) {
        let (theme, problems) = read_theme(&crate::wire::program_theme(program_text));
        if self.theme.is_shop(&theme) {
            return;
        }
        for problem in &problems {
            browser::warn(problem);
        }
        if self.theme.set_shop(theme) {
            self.theme
                .current
                .with_untracked(|t| self.catalog.reshow(t));
        }
    }

    /// The snapshot of the shopper the client signs as.
    pub fn snapshot(&self) -> Snapshot {
        let customer = self.data.client.with_untracked(Client::customer_id);
        self.config
            .with_value(|c| Snapshot::new(&c.api, &c.shop, customer.as_deref()))
    }

    /// Shows the last snapshot (if any) at once, then fetches fresh data.
    pub fn start(&self) {
        self.update_language();
        self.show_snapshot();
        self.refresh();
    }

    /// The last view of this shopper from sessionStorage, if there is a complete one.
    fn show_snapshot(&self) {
        let Some((program_text, me_text)) = self.snapshot().read() else {
            return;
        };
        let Ok(program) = crate::wire::program(&program_text) else {
            return;
        };
        let me = me_text.and_then(|t| crate::wire::me(&t).ok());
        if self.data.client.with_untracked(Client::is_member) && me.is_none() {
            return;
        }
        self.take_shop_theme(&program_text);
        self.data.show(program, me);
        self.update_language();
    }

    /// Fetches the program and, for a member, the shopper; keeps a stale view if the refresh fails.
    pub fn refresh(&self) {
        let store = *self;
        let generation = self.data.begin_load();
        let client = self.data.client.get_untracked();
        leptos::task::spawn_local(async move {
            let result = if client.is_member() {
                let (program, me) = futures_util::future::join(client.program(), client.me()).await;
                program.and_then(|p| me.map(|m| (p, Some(m))))
            } else {
                client.program().await.map(|p| (p, None))
            };
            if !store.data.is_current(generation) {
                return;
            }
            match result {
                Ok(((program, program_text), me)) => {
                    let snapshot = store.snapshot();
                    snapshot.save_program(&program_text);
                    let me = me.map(|(me, text)| {
                        snapshot.save_me(&text);
                        me
                    });
                    store.take_shop_theme(&program_text);
                    store.data.show(program, me);
                }
                Err(error) => {
                    browser::warn(&format!("could not load the rewards: {error}"));
                    browser::emit(Event::Error(&error));
                    store.data.fail(error);
                }
            }
            store.update_language();
        });
    }

    /// Signs a shopper in (or out, with `None`) without a page reload.
    pub fn set_customer(&self, credentials: Option<Credentials>) {
        let client = self
            .config
            .with_value(|c| Client::new(&c.api, &c.shop, credentials));
        self.data.sign_in(client);
        self.redeem.forget();
        self.feedback.forget();
        self.show_snapshot();
        self.refresh();
    }

    pub fn set_open(&self, open: bool) {
        if self.mode == Mode::Inline || self.open.get_untracked() == open {
            return;
        }
        if open {
            views::load(*self);
        }
        self.open.set(open);
        if open {
            browser::emit(Event::Open);
        } else {
            if let Some(button) = self.launcher.get_untracked() {
                let _ = button.focus();
            }
            browser::emit(Event::Close);
        }
    }
}

// Native only: it needs the browser's stand-ins and a native executor.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
