//! The messages shown: the catalog of the shopper's language (English built in, others fetched once
//! from the widget's files), with the theme's text overrides on top.

use leptos::prelude::*;
use tally_core::theme::Theme;

use crate::browser;
use crate::i18n::{self, Messages};

/// `messages` with the theme's text overrides; the same reference when the theme has none.
pub fn with_overrides(messages: &'static Messages, theme: &Theme) -> &'static Messages {
    if theme.texts.is_empty() && theme.launcher_label.is_none() {
        return messages;
    }
    let mut m = *messages;
    if let Some(label) = &theme.launcher_label {
        m.set("launcher_guest", label);
    }
    for (key, text) in &theme.texts {
        m.set(key, text);
    }
    // Lives as long as the page, like the catalogs: a theme changes rarely.
    Box::leak(Box::new(m))
}

/// The catalog shown and the one loading; `Copy`.
#[derive(Clone, Copy)]
pub struct Catalogs {
    /// The language shown and its messages, overrides included (English until another has loaded).
    /// Views are rebuilt when it changes (see `App`).
    pub shown: RwSignal<(&'static str, &'static Messages)>,
    /// The catalog as loaded, before the theme's text overrides.
    loaded: StoredValue<&'static Messages>,
    /// A catalog being fetched, so it is fetched once.
    pending: StoredValue<Option<&'static str>>,
    /// Where the widget's files are (`…/widget/`); `None` shows English only.
    assets: StoredValue<Option<String>>,
}

impl Catalogs {
    pub fn new(assets: Option<String>) -> Self {
        Self {
            shown: RwSignal::new(("en", &i18n::EN)),
            loaded: StoredValue::new(&i18n::EN),
            pending: StoredValue::new(None),
            assets: StoredValue::new(assets),
        }
    }

    /// The messages shown, untracked.
    pub fn messages(&self) -> &'static Messages {
        self.shown.with_untracked(|c| c.1)
    }

    /// Whether `lang` is the language shown (tracked).
    pub fn shows(&self, lang: &str) -> bool {
        self.shown.with(|c| c.0 == lang)
    }

    /// Shows `messages` for `lang`, with the theme's text overrides.
    pub fn show(&self, lang: &'static str, messages: &'static Messages, theme: &Theme) {
        self.loaded.set_value(messages);
        self.shown.set((lang, with_overrides(messages, theme)));
    }

    /// Shows the loaded catalog again after the theme's texts changed.
    pub fn reshow(&self, theme: &Theme) {
        let lang = self.shown.with_untracked(|c| c.0);
        self.show(lang, self.loaded.get_value(), theme);
    }

    /// Shows the catalog of `lang`, fetching it once; English, and any failure, use the built-in one.
    pub fn load(&self, lang: &'static str, theme: RwSignal<Theme>) {
        if self.shown.with_untracked(|c| c.0 == lang) || self.pending.get_value() == Some(lang) {
            return;
        }
        let assets = self.assets.get_value();
        let (Some(assets), false) = (assets, lang == "en") else {
            theme.with_untracked(|t| self.show(lang, &i18n::EN, t));
            return;
        };
        self.pending.set_value(Some(lang));
        let catalogs = *self;
        leptos::task::spawn_local(async move {
            let url = format!("{assets}i18n/{lang}.json");
            let loaded = crate::api::fetch_text(&url)
                .await
                .ok()
                .and_then(|text| js_sys::JSON::parse(&text).ok())
                .filter(|v| v.is_object());
            let messages: &'static Messages = match loaded {
                Some(object) => Box::leak(Box::new(i18n::EN.overlaid_with_catalog(&object))),
                None => {
                    browser::warn(&format!(
                        "could not load the {lang} messages from {url}; showing English"
                    ));
                    &i18n::EN
                }
            };
            if catalogs.pending.try_set_value(None).is_none() {
                theme.with_untracked(|t| catalogs.show(lang, messages, t));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_overrides_replace_messages_and_the_label_is_the_guests_invitation() {
        let mut theme = Theme::default();
        theme.texts.insert("join".into(), "Sign me up".into());
        theme.launcher_label = Some("Perks".into());
        let m = with_overrides(&i18n::EN, &theme);
        assert_eq!(m.join, "Sign me up");
        assert_eq!(m.launcher_guest, "Perks");
        assert_eq!(m.redeem, "Redeem");
    }

    #[test]
    fn without_overrides_the_catalog_is_shown_as_it_is() {
        assert!(std::ptr::eq(
            with_overrides(&i18n::EN, &Theme::default()),
            &i18n::EN
        ));
    }

    #[test]
    fn without_the_widgets_files_every_language_shows_english_at_once() {
        let owner = Owner::new();
        owner.set();
        let catalogs = Catalogs::new(None);
        catalogs.load("de", RwSignal::new(Theme::default()));
        assert!(catalogs.shows("de"));
        assert_eq!(catalogs.messages().redeem, "Redeem");
    }
}
