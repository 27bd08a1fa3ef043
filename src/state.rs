//! The widget's shared state (one [`Store`] in context) and what changes it: loading, refreshing,
//! redeeming, opening and closing, and the events the host page hears about.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_core::{Activity, Me, Program, Redemption};

use crate::api::{new_idempotency_key, ApiError, Client};
use crate::config::{Config, Credentials, Mode, Position};
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
    pub position: Position,
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
}

impl Store {
    pub fn new(config: Config) -> Self {
        let client = Client::new(&config.api, &config.shop, config.credentials.clone());
        Self {
            shop: StoredValue::new(config.shop),
            api: StoredValue::new(config.api),
            mode: config.mode,
            position: config.position,
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
        }
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

    /// The locale to format with: the tag's, else the shop's, else English.
    pub fn locale(&self) -> String {
        let tag = self.requested_locale.get_value().or_else(|| {
            self.program
                .with(|p| p.as_ref().map(|p| p.shop.locale.clone()))
        });
        tag.filter(|t| crate::config::is_language_tag(t))
            .unwrap_or_else(|| "en".to_owned())
    }

    pub fn messages(&self) -> &'static Messages {
        i18n::catalog(&self.locale())
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
        self.show_snapshot();
        self.refresh();
    }

    /// The last view of this shopper from sessionStorage, if there is a complete one.
    fn show_snapshot(&self) {
        let key = self.cache_key();
        let Some(program) =
            read(&format!("{key}:program")).and_then(|t| crate::wire::program(&t).ok())
        else {
            return;
        };
        let me = read(&format!("{key}:me")).and_then(|t| crate::wire::me(&t).ok());
        if self.is_member() && me.is_none() {
            return;
        }
        self.program.set(Some(program));
        self.me.set(me);
        self.load.set(Load::Ready);
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
                    store.program.set(Some(program));
                    store.me.set(me);
                    store.load.set(Load::Ready);
                }
                Err(error) => {
                    events::warn(&format!("could not load the rewards: {error:?}"));
                    events::emit("tally:error", Some(&events::error_detail(&error)));
                    let stale = store.program.with_untracked(Option::is_some)
                        && (!client.is_member() || store.me.with_untracked(Option::is_some));
                    if !stale || error == ApiError::Unauthorized {
                        store.load.set(Load::Failed(error));
                    }
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
