//! The widget's theme: built-in defaults, then the shop's saved theme, then `data-position`, then the
//! tag's `data-theme` (or what `Tally.setTheme` set last). Later wins.

use leptos::prelude::*;
use tally_core::theme::{Json, LauncherPosition, Theme};

use crate::i18n;

/// Reads a theme, with every problem as a sentence; unknown message keys in `texts` too.
pub fn read_theme(value: &Json) -> (Theme, Vec<String>) {
    let (theme, mut problems) = Theme::from_input(value);
    for key in theme.texts.keys() {
        if !i18n::KEYS.contains(&key.as_str()) {
            problems.push(format!(
                "theme.texts.{key}: no message has this key (ignored)"
            ));
        }
    }
    (theme, problems)
}

/// The layers of the theme.
#[derive(Default)]
struct Layers {
    shop: Theme,
    position: Option<LauncherPosition>,
    tag: Theme,
}

impl Layers {
    fn merged(&self) -> Theme {
        let mut theme = self.shop.clone();
        if self.position.is_some() {
            theme.launcher_position = self.position;
        }
        theme.overlaid_with(&self.tag)
    }
}

/// The theme's layers and the merged result the views read; `Copy`.
#[derive(Clone, Copy)]
pub struct Themes {
    layers: StoredValue<Layers>,
    /// The merged theme. (A signal set by hand rather than a memo: each memo type costs the wasm a few KB.)
    pub current: RwSignal<Theme>,
}

impl Themes {
    pub fn new(position: Option<LauncherPosition>, tag: Theme) -> Self {
        let layers = Layers {
            position,
            tag,
            ..Layers::default()
        };
        let current = RwSignal::new(layers.merged());
        Self {
            layers: StoredValue::new(layers),
            current,
        }
    }

    /// Whether `theme` is the shop's saved theme already.
    pub fn is_shop(&self, theme: &Theme) -> bool {
        self.layers.with_value(|l| l.shop == *theme)
    }

    /// Replaces the shop's saved theme; `true` when the texts changed (the catalog must follow).
    pub fn set_shop(&self, theme: Theme) -> bool {
        if self.is_shop(&theme) {
            return false;
        }
        self.layers.update_value(|l| l.shop = theme);
        self.apply()
    }

    /// Replaces the tag's theme; `true` when the texts changed.
    pub fn set_tag(&self, theme: Theme) -> bool {
        self.layers.update_value(|l| l.tag = theme);
        self.apply()
    }

    fn apply(&self) -> bool {
        let theme = self.layers.with_value(Layers::merged);
        let texts_changed = self
            .current
            .with_untracked(|t| t.texts != theme.texts || t.launcher_label != theme.launcher_label);
        self.current.set(theme);
        texts_changed
    }

    /// The launcher's corner (tracked).
    pub fn position(&self) -> LauncherPosition {
        self.current
            .with(|t| t.launcher_position)
            .unwrap_or(LauncherPosition::BottomRight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(json: &str) -> Theme {
        let value: serde_json::Value = serde_json::from_str(json).expect("json");
        let (theme, problems) = read_theme(&Json::from(&value));
        assert!(problems.is_empty(), "{problems:?}");
        theme
    }

    #[test]
    fn the_tag_beats_the_position_attribute_which_beats_the_shop() {
        let _owner = Owner::new();
        _owner.set();
        let themes = Themes::new(Some(LauncherPosition::TopLeft), Theme::default());
        themes.set_shop(theme(
            r##"{"launcher_position":"bottom-left","colors":{"primary":"#112233"}}"##,
        ));
        assert_eq!(themes.position(), LauncherPosition::TopLeft);
        assert_eq!(
            themes.current.get_untracked().color("primary", false),
            "#112233"
        );
        themes.set_tag(theme(r#"{"launcher_position":"top-right"}"#));
        assert_eq!(themes.position(), LauncherPosition::TopRight);
        assert_eq!(
            themes.current.get_untracked().color("primary", false),
            "#112233",
            "what the tag leaves unset stays the shop's"
        );
    }

    #[test]
    fn only_a_change_of_texts_asks_for_the_catalog_again() {
        let _owner = Owner::new();
        _owner.set();
        let themes = Themes::new(None, Theme::default());
        assert!(!themes.set_shop(theme(r##"{"radius":4}"##)));
        assert!(themes.set_tag(theme(r#"{"texts":{"join":"Sign me up"}}"#)));
        assert!(!themes.set_tag(theme(r#"{"texts":{"join":"Sign me up"}}"#)));
    }

    #[test]
    fn unknown_text_keys_are_named() {
        let value = serde_json::json!({"texts": {"nope": "x"}});
        let (_, problems) = read_theme(&Json::from(&value));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("theme.texts.nope"));
    }
}
