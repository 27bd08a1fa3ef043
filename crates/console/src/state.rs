//! The console's shared state, held in one place and reached through context: who is signed in (and the
//! CSRF token their writes carry), which shop they work on, and the language of the page.

use leptos::prelude::*;
use tally_core::staff::{Permission, Role, StaffSession, StaffShop};

use crate::i18n::{t, Lang};

/// Remembered between visits: the language chosen in the switcher and the shop last worked on. Neither
/// is a secret; the session itself lives only in its HttpOnly cookie and in memory.
const LANG_KEY: &str = "tally-console-lang";
const SHOP_KEY: &str = "tally-console-shop";

#[derive(Clone, Copy)]
pub struct Console {
    /// `None` until signed in.
    pub session: RwSignal<Option<StaffSession>>,
    /// Whether the first `GET /v1/staff/session` has answered (to show sign-in or the console).
    pub checked: RwSignal<bool>,
    /// The shop worked on, one of the session's shops.
    pub shop_id: RwSignal<Option<String>>,
    pub lang: RwSignal<Lang>,
    /// Whether the language was chosen in the switcher (then the shop's locale does not override it).
    pub lang_chosen: RwSignal<bool>,
}

impl Console {
    pub fn new() -> Self {
        let stored = local_get(LANG_KEY).and_then(|tag| Lang::from_tag(&tag));
        let browser = browser_language().and_then(|tag| Lang::from_tag(&tag));
        Console {
            session: RwSignal::new(None),
            checked: RwSignal::new(false),
            shop_id: RwSignal::new(None),
            lang: RwSignal::new(stored.or(browser).unwrap_or_default()),
            lang_chosen: RwSignal::new(stored.is_some()),
        }
    }

    /// A message in the page's language (reactive: call it inside a view closure).
    pub fn t(&self, key: &str) -> &'static str {
        t(self.lang.get(), key)
    }

    /// Starts a session: picks the remembered shop if the staff member still works there, else the first.
    pub fn signed_in(&self, session: StaffSession) {
        let remembered = local_get(SHOP_KEY);
        let shop = session
            .shops
            .iter()
            .find(|s| Some(&s.id) == remembered.as_ref())
            .or(session.shops.first())
            .map(|s| s.id.clone());
        self.session.set(Some(session));
        self.shop_id.set(shop);
    }

    pub fn signed_out(&self) {
        self.session.set(None);
    }

    pub fn choose_shop(&self, id: String) {
        local_set(SHOP_KEY, &id);
        self.shop_id.set(Some(id));
    }

    pub fn choose_lang(&self, lang: Lang) {
        local_set(LANG_KEY, lang.code());
        self.lang_chosen.set(true);
        self.lang.set(lang);
    }

    /// The shop's locale sets the language unless the switcher chose one.
    pub fn shop_locale(&self, tag: &str) {
        if !self.lang_chosen.get_untracked() {
            if let Some(lang) = Lang::from_tag(tag) {
                self.lang.set(lang);
            }
        }
    }

    pub fn shop(&self) -> Option<StaffShop> {
        let id = self.shop_id.get()?;
        self.session
            .with(|s| s.as_ref()?.shops.iter().find(|shop| shop.id == id).cloned())
    }

    pub fn role(&self) -> Option<Role> {
        self.shop().map(|s| s.role)
    }

    /// Whether the signed-in role may do what `permission` covers in this shop (tally-core's role table).
    pub fn may(&self, permission: Permission) -> bool {
        self.role().is_some_and(|role| role.may(permission))
    }

    pub fn csrf(&self) -> String {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.csrf_token.clone()))
            .unwrap_or_default()
    }

    pub fn shop_id_untracked(&self) -> String {
        self.shop_id.get_untracked().unwrap_or_default()
    }
}

impl Default for Console {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_console() -> Console {
    expect_context::<Console>()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn local_get(key: &str) -> Option<String> {
    if cfg!(not(target_arch = "wasm32")) {
        return None;
    }
    storage()?.get_item(key).ok()?
}

fn local_set(key: &str, value: &str) {
    if cfg!(not(target_arch = "wasm32")) {
        return;
    }
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

fn browser_language() -> Option<String> {
    if cfg!(not(target_arch = "wasm32")) {
        return None;
    }
    web_sys::window()?.navigator().language()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_core::staff::StaffRef;

    fn session(roles: &[(&str, Role)]) -> StaffSession {
        StaffSession {
            staff: StaffRef {
                id: "s1".into(),
                email: "a@shop.example".into(),
            },
            shops: roles
                .iter()
                .map(|(id, role)| StaffShop {
                    id: (*id).into(),
                    name: (*id).into(),
                    role: *role,
                })
                .collect(),
            csrf_token: "t".into(),
        }
    }

    #[test]
    fn what_the_console_offers_follows_the_role_in_the_shop_worked_on() {
        let owner = Owner::new();
        owner.set();
        let console = Console::new();
        console.signed_in(session(&[("bakery", Role::Clerk), ("deli", Role::Owner)]));
        assert_eq!(console.shop_id.get_untracked().as_deref(), Some("bakery"));
        assert!(console.may(Permission::Counter));
        assert!(!console.may(Permission::Manage));
        console.choose_shop("deli".into());
        assert!(console.may(Permission::Administer));
        console.signed_out();
        assert!(!console.may(Permission::Counter));
    }
}
