//! The widget's shared state (one [`Store`] in context) and what changes it: loading, refreshing,
//! redeeming, opening and closing, and the events the host page hears about.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_core::theme::{Json, LauncherPosition, Theme};
use tally_core::{Activity, Me, Program, Redemption};

use crate::api::{new_idempotency_key, ApiError, Client};
use crate::config::{Config, Credentials, Mode};
use crate::events;
use crate::i18n::{self, Messages};

/// Where loading stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Loading,
    Ready,
    Failed(ApiError),
}

/// Pages of the shopper's activity loaded so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityList {
    pub items: Vec<Activity>,
    /// Cursor of the next (older) page; `None` after the last page.
    pub next: Option<String>,
    /// Whether the first page has arrived.
    pub started: bool,
    pub busy: bool,
    pub error: Option<ApiError>,
}

/// All the widget's state; `Copy`, shared through context.
#[derive(Clone, Copy)]
pub struct Store {
    pub shop: StoredValue<String>,
    api: StoredValue<String>,
    pub mode: Mode,
    pub login_url: StoredValue<String>,
    pub signup_url: StoredValue<String>,
    requested_locale: StoredValue<Option<String>>,
    pub client: RwSignal<Client>,
    pub program: RwSignal<Option<Program>>,
    pub me: RwSignal<Option<Me>>,
    pub load: RwSignal<Load>,
    pub open: RwSignal<bool>,
    pub activity: RwSignal<ActivityList>,
    /// Text for the polite live region.
    pub announcement: RwSignal<String>,
    /// Pending redeem intents: reward id → Idempotency-Key, kept across retries until success.
    intents: StoredValue<Vec<(String, String)>>,
    /// Bumped by every (re)load, so an answer for an older shopper is dropped.
    generation: StoredValue<u32>,
    pub launcher: NodeRef<html::Button>,
    /// Where the widget's files are (`…/widget/`), for the catalogs of other languages.
    assets: StoredValue<Option<String>>,
    /// The shop's saved theme (`theme` in the program), and the script tag's (`data-theme`, or what
    /// `Tally.setTheme` set last).
    themes: StoredValue<(Theme, Theme)>,
    /// Defaults, then the shop's theme, then `data-position`, then the tag's theme: later wins.
    /// (Signals set by hand rather than memos: each memo type costs the wasm a few KB.)
    pub theme: RwSignal<Theme>,
    tag_position: Option<LauncherPosition>,
    /// The catalog shown, with the theme's text overrides: its language and its messages (English
    /// until another one has loaded).
    pub catalog: RwSignal<(&'static str, &'static Messages)>,
    /// The catalog as loaded, before the theme's text overrides.
    loaded_catalog: StoredValue<&'static Messages>,
    /// A catalog being fetched, so it is fetched once.
    pending_catalog: StoredValue<Option<&'static str>>,
}

/// Reads a theme, naming every problem on the console; unknown message keys in `texts` too.
pub fn read_theme(value: &Json) -> Theme {
    let (theme, warnings) = Theme::from_input(value);
    for warning in &warnings {
        events::warn(warning);
    }
    for key in theme.texts.keys() {
        if !i18n::KEYS.contains(&key.as_str()) {
            events::warn(&format!(
                "theme.texts.{key}: no message has this key (ignored)"
            ));
        }
    }
    theme
}

impl Store {
    pub fn new(config: Config) -> Self {
        let client = Client::new(&config.api, &config.shop, config.credentials.clone());
        let tag = match config.theme.as_deref().map(crate::wire::parse_json) {
            None => Theme::default(),
            Some(Some(json)) => read_theme(&json),
            Some(None) => {
                events::warn("data-theme is not JSON; the shop's theme stands");
                Theme::default()
            }
        };
        let store = Self {
            shop: StoredValue::new(config.shop),
            api: StoredValue::new(config.api),
            mode: config.mode,
            login_url: StoredValue::new(config.login_url),
            signup_url: StoredValue::new(config.signup_url),
            requested_locale: StoredValue::new(config.locale),
            client: RwSignal::new(client),
            program: RwSignal::new(None),
            me: RwSignal::new(None),
            load: RwSignal::new(Load::Loading),
            open: RwSignal::new(false),
            activity: RwSignal::new(ActivityList::default()),
            announcement: RwSignal::new(String::new()),
            intents: StoredValue::new(Vec::new()),
            generation: StoredValue::new(0),
            launcher: NodeRef::new(),
            assets: StoredValue::new(config.assets),
            themes: StoredValue::new((Theme::default(), tag)),
            theme: RwSignal::new(Theme::default()),
            tag_position: config.position,
            catalog: RwSignal::new(("en", &i18n::EN)),
            loaded_catalog: StoredValue::new(&i18n::EN),
            pending_catalog: StoredValue::new(None),
        };
        store.apply_themes();
        store
    }

    /// Merges the themes into `theme`, and the text overrides into the catalog shown.
    fn apply_themes(&self) {
        let (shop, tag) = self.themes.get_value();
        let mut theme = shop;
        if self.tag_position.is_some() {
            theme.launcher_position = self.tag_position;
        }
        let theme = theme.overlaid_with(&tag);
        let texts_changed = self
            .theme
            .with_untracked(|t| t.texts != theme.texts || t.launcher_label != theme.launcher_label);
        self.theme.set(theme);
        if texts_changed {
            self.show_catalog(
                self.catalog.get_untracked().0,
                self.loaded_catalog.get_value(),
            );
        }
    }

    /// Shows `messages` for `lang`, with the theme's text overrides.
    fn show_catalog(&self, lang: &'static str, messages: &'static Messages) {
        self.loaded_catalog.set_value(messages);
        let shown = self.theme.with_untracked(|t| {
            if t.texts.is_empty() && t.launcher_label.is_none() {
                return messages;
            }
            let mut m = *messages;
            if let Some(label) = &t.launcher_label {
                m.set("launcher_guest", label);
            }
            for (key, text) in &t.texts {
                m.set(key, text);
            }
            // Lives as long as the page, like the catalogs: a theme changes rarely.
            &*Box::leak(Box::new(m))
        });
        self.catalog.set((lang, shown));
    }

    /// A store already holding data, for tests and previews: no fetch happens.
    pub fn with_data(config: Config, program: Program, me: Option<Me>) -> Self {
        let store = Self::new(config);
        store.program.set(Some(program));
        store.me.set(me);
        store.load.set(Load::Ready);
        store
    }

    /// Whether a shopper is signed in (tracked: views follow `setCustomer`).
    pub fn is_member(&self) -> bool {
        self.client.with(Client::is_member)
    }

    /// `179 stars`, in the program's words for its points.
    pub fn points(&self, n: i64) -> String {
        let locale = self.locale();
        self.program.with(|p| match p {
            Some(p) => crate::format::points(n, &p.rules.points, &locale),
            None => crate::format::points(n, &Default::default(), &locale),
        })
    }

    /// `("71", "stars")`: the number and the plural-correct name, for templates that split them.
    pub fn points_parts(&self, n: i64) -> (String, String) {
        let locale = self.locale();
        let singular = crate::format::is_singular(n, &locale);
        let name = self.program.with(|p| {
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
            .program
            .with(|p| p.as_ref().map(|p| p.shop.currency.clone()))
            .unwrap_or_else(|| "USD".to_owned());
        crate::format::money(minor, &currency, &locale, whole)
    }

    /// The locale: the tag's `data-locale`, else the shop's, else the browser's, else English.
    pub fn locale(&self) -> String {
        let tag = self
            .requested_locale
            .get_value()
            .or_else(|| {
                self.program
                    .with(|p| p.as_ref().map(|p| p.shop.locale.clone()))
            })
            .or_else(|| web_sys::window()?.navigator().language());
        tag.filter(|t| crate::config::is_language_tag(t))
            .unwrap_or_else(|| "en".to_owned())
    }

    /// The catalog language to show, once the locale is known: at once with `data-locale`, else when
    /// the program (with the shop's locale) has arrived or failed.
    pub fn wanted_language(&self) -> Option<&'static str> {
        let known = self.requested_locale.with_value(Option::is_some)
            || self.program.with(Option::is_some)
            || matches!(self.load.get(), Load::Failed(_));
        known.then(|| i18n::language(&self.locale()))
    }

    fn wanted_language_untracked(&self) -> Option<&'static str> {
        untrack(|| self.wanted_language())
    }

    /// Whether the catalog of the wanted language is there: until then nothing is shown, so a
    /// German shopper never sees English flash by.
    pub fn ready(&self) -> bool {
        self.wanted_language()
            .is_some_and(|lang| self.catalog.with(|c| c.0 == lang))
    }

    /// Fetches the catalog of `lang` (once); English, and any failure, fall back to the built-in one.
    pub fn load_catalog(&self, lang: &'static str) {
        if self.catalog.with_untracked(|c| c.0 == lang)
            || self.pending_catalog.get_value() == Some(lang)
        {
            return;
        }
        let assets = self.assets.get_value();
        let (Some(assets), false) = (assets, lang == "en") else {
            self.show_catalog(lang, &i18n::EN);
            return;
        };
        self.pending_catalog.set_value(Some(lang));
        let store = *self;
        spawn_local(async move {
            let url = format!("{}i18n/{lang}.json", assets);
            let loaded = crate::api::fetch_text(&url)
                .await
                .ok()
                .and_then(|text| js_sys::JSON::parse(&text).ok())
                .filter(|v| v.is_object());
            let messages: &'static Messages = match loaded {
                Some(object) => Box::leak(Box::new(i18n::EN.overlaid_with_catalog(&object))),
                None => {
                    events::warn(&format!(
                        "could not load the {lang} messages from {url}; showing English"
                    ));
                    &i18n::EN
                }
            };
            if store.pending_catalog.try_set_value(None).is_none() {
                store.show_catalog(lang, messages);
            }
        });
    }

    /// The messages shown; views are rebuilt when they change (see `App`), so this reads untracked.
    pub fn messages(&self) -> &'static Messages {
        self.catalog.with_untracked(|c| c.1)
    }

    /// Loads the catalog of the language to show, once that is known.
    pub fn update_language(&self) {
        if let Some(lang) = self.wanted_language_untracked() {
            self.load_catalog(lang);
        }
    }

    /// The launcher's corner, from the theme.
    pub fn position(&self) -> LauncherPosition {
        self.theme
            .with(|t| t.launcher_position)
            .unwrap_or(LauncherPosition::BottomRight)
    }

    /// Replaces the tag's theme (`Tally.setTheme`), e.g. from the theme playground.
    pub fn set_theme(&self, value: &Json) {
        let tag = read_theme(value);
        self.themes.update_value(|t| t.1 = tag);
        self.apply_themes();
    }

    /// Takes the shop's saved theme from the program's JSON.
    fn take_shop_theme(&self, program_text: &str) {
        let json = crate::wire::program_theme(program_text);
        let (theme, _) = Theme::from_input(&json);
        if self.themes.with_value(|t| t.0 != theme) {
            let theme = read_theme(&json);
            self.themes.update_value(|t| t.0 = theme);
            self.apply_themes();
        }
    }

    /// The snapshot key of the shopper the client signs as.
    fn cache_key(&self) -> String {
        let customer = self.client.with_untracked(Client::customer_id);
        self.key_for(customer.as_deref())
    }

    fn key_for(&self, customer: Option<&str>) -> String {
        format!(
            "tally:v1:{}:{}:{}",
            self.api.get_value(),
            self.shop.get_value(),
            customer.unwrap_or("guest")
        )
    }

    /// Shows the last snapshot (if any) at once, then fetches fresh data.
    pub fn start(&self) {
        self.update_language();
        self.show_snapshot();
        self.refresh();
    }

    /// The last view of this shopper from sessionStorage, if there is a complete one.
    fn show_snapshot(&self) {
        let key = self.cache_key();
        let Some((program, text)) = read(&format!("{key}:program"))
            .and_then(|t| crate::wire::program(&t).ok().map(|p| (p, t)))
        else {
            return;
        };
        let me = read(&format!("{key}:me")).and_then(|t| crate::wire::me(&t).ok());
        if self.is_member() && me.is_none() {
            return;
        }
        self.take_shop_theme(&text);
        self.program.set(Some(program));
        self.me.set(me);
        self.load.set(Load::Ready);
        self.update_language();
    }

    /// Fetches the program and, for a member, the shopper; keeps a stale view if the refresh fails.
    pub fn refresh(&self) {
        let store = *self;
        let generation = self.generation.get_value().wrapping_add(1);
        self.generation.set_value(generation);
        if self.program.with_untracked(Option::is_none) {
            self.load.set(Load::Loading);
        }
        let client = self.client.get_untracked();
        spawn_local(async move {
            let result = if client.is_member() {
                let (program, me) = futures_util::future::join(client.program(), client.me()).await;
                program.and_then(|p| me.map(|m| (p, Some(m))))
            } else {
                client.program().await.map(|p| (p, None))
            };
            if store.generation.try_get_value() != Some(generation) {
                return;
            }
            match result {
                Ok(((program, program_text), me)) => {
                    let key = store.cache_key();
                    write(&format!("{key}:program"), &program_text);
                    let me = me.map(|(me, text)| {
                        write(&format!("{key}:me"), &text);
                        me
                    });
                    store.take_shop_theme(&program_text);
                    store.program.set(Some(program));
                    store.me.set(me);
                    store.load.set(Load::Ready);
                    store.update_language();
                }
                Err(error) => {
                    events::warn(&format!("could not load the rewards: {error:?}"));
                    events::emit("tally:error", Some(&events::error_detail(&error)));
                    let stale = store.program.with_untracked(Option::is_some)
                        && (!client.is_member() || store.me.with_untracked(Option::is_some));
                    if !stale || error == ApiError::Unauthorized {
                        store.load.set(Load::Failed(error));
                    }
                    store.update_language();
                }
            }
        });
    }

    /// Signs a shopper in (or out, with `None`) without a page reload.
    pub fn set_customer(&self, credentials: Option<Credentials>) {
        let client = Client::new(&self.api.get_value(), &self.shop.get_value(), credentials);
        self.client.set(client);
        self.me.set(None);
        self.activity.set(ActivityList::default());
        self.intents.set_value(Vec::new());
        self.load.set(Load::Loading);
        self.show_snapshot();
        self.refresh();
    }

    pub fn set_open(&self, open: bool) {
        if self.mode == Mode::Inline || self.open.get_untracked() == open {
            return;
        }
        self.open.set(open);
        if open {
            events::emit("tally:open", None);
        } else {
            if let Some(button) = self.launcher.get_untracked() {
                let _ = button.focus();
            }
            events::emit("tally:close", None);
        }
    }

    /// Loads the next page of activity (the first one if none yet).
    pub fn load_activity(&self) {
        let store = *self;
        let (busy, next, started) = self
            .activity
            .with_untracked(|a| (a.busy, a.next.clone(), a.started));
        if busy || (started && next.is_none()) {
            return;
        }
        self.activity.update(|a| {
            a.busy = true;
            a.error = None;
        });
        let client = self.client.get_untracked();
        let generation = self.generation.get_value();
        spawn_local(async move {
            let page = client.activity(next.as_deref()).await;
            if store.generation.try_get_value() != Some(generation) {
                return;
            }
            store.activity.update(|a| {
                a.busy = false;
                match page {
                    Ok(page) => {
                        a.items.extend(page.items);
                        a.next = page.next;
                        a.started = true;
                    }
                    Err(error) => a.error = Some(error),
                }
            });
        });
    }

    /// The Idempotency-Key of the pending intent to redeem `reward_id`, made on first use.
    pub fn intent_key(&self, reward_id: &str) -> String {
        let existing = self.intents.with_value(|intents| {
            intents
                .iter()
                .find(|(id, _)| id == reward_id)
                .map(|(_, key)| key.clone())
        });
        existing.unwrap_or_else(|| {
            let key = new_idempotency_key();
            self.intents
                .update_value(|i| i.push((reward_id.to_owned(), key.clone())));
            key
        })
    }

    /// Applies a successful redemption: new balance, announcement, event, fresh activity.
    pub fn redeemed(&self, reward_name: &str, redemption: &Redemption) {
        self.intents
            .update_value(|i| i.retain(|(id, _)| id != &redemption.reward_id));
        self.me.update(|me| {
            if let Some(me) = me {
                me.balance = redemption.balance;
            }
        });
        let m = self.messages();
        self.announcement.set(i18n::fill(
            m.redeemed_announcement,
            &[("reward", reward_name), ("code", &redemption.code)],
        ));
        self.activity.set(ActivityList::default());
        // The snapshot now holds the old balance: drop it rather than show it on a reload.
        if let Some(storage) = storage() {
            let _ = storage.remove_item(&format!("{}:me", self.cache_key()));
        }
        events::emit("tally:redeemed", Some(&events::redeemed_detail(redemption)));
    }
}

fn storage() -> Option<web_sys::Storage> {
    // Reading `sessionStorage` throws when storage is blocked (sandboxed frames, some privacy modes).
    web_sys::window()?.session_storage().ok().flatten()
}

fn read(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn write(key: &str, text: &str) {
    if let Some(storage) = storage() {
        // A full storage only costs us the instant view next time.
        let _ = storage.set_item(key, text);
    }
}
