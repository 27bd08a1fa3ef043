//! Appearance: the theme settings (what the playground at /playground used to do), with tally-core's own
//! per-value checks and WCAG contrast warnings, saved through the session with the program.

use leptos::prelude::*;
use serde_json::{Map, Value};
use tally_core::api::ProgramUpdate;
use tally_core::theme::COLOR_NAMES;

use crate::form::{lens, NumberField, SelectField, TextField};
use crate::pages::program::{EditorPage, Part};
use crate::state::use_console;

#[component]
pub fn Appearance() -> impl IntoView {
    view! { <EditorPage part=Part::Appearance /> }
}

/// Reads `theme.{group}.{key}` (or `theme.{key}` when `group` is empty) as text.
pub fn theme_text(theme: &Value, group: &str, key: &str) -> String {
    let node = if group.is_empty() {
        Some(theme)
    } else {
        theme.get(group)
    };
    match node.and_then(|n| n.get(key)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// Sets `theme.{group}.{key}`; an empty value removes the setting (the widget's default applies).
pub fn set_theme_value(theme: &mut Value, group: &str, key: &str, value: Option<Value>) {
    if !theme.is_object() {
        *theme = Value::Object(Map::new());
    }
    let Some(root) = theme.as_object_mut() else {
        return;
    };
    if group.is_empty() {
        match value {
            Some(v) => root.insert(key.to_owned(), v),
            None => root.remove(key),
        };
        return;
    }
    let entry = root
        .entry(group.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    let Some(map) = entry.as_object_mut() else {
        return;
    };
    match value {
        Some(v) => map.insert(key.to_owned(), v),
        None => map.remove(key),
    };
    if map.is_empty() {
        root.remove(group);
    }
}

fn text_setting(
    draft: RwSignal<ProgramUpdate>,
    group: &'static str,
    key: &'static str,
) -> (Signal<String>, Callback<String>) {
    lens(
        draft,
        move |d| theme_text(&d.rules.theme, group, key),
        move |d, v: String| {
            let v = (!v.is_empty()).then_some(Value::String(v));
            set_theme_value(&mut d.rules.theme, group, key, v)
        },
    )
}

fn number_setting(
    draft: RwSignal<ProgramUpdate>,
    key: &'static str,
) -> (Signal<Option<i64>>, Callback<Option<i64>>) {
    lens(
        draft,
        move |d| theme_text(&d.rules.theme, "", key).parse().ok(),
        move |d, v: Option<i64>| set_theme_value(&mut d.rules.theme, "", key, v.map(Value::from)),
    )
}

fn choices(
    console: crate::state::Console,
    words: &'static [&'static str],
) -> Signal<Vec<(String, String)>> {
    Signal::derive(move || {
        let mut list = vec![(String::new(), console.t("default").to_owned())];
        list.extend(words.iter().map(|w| (w.to_string(), w.replace('-', " "))));
        list
    })
}

/// The theme's controls and its contrast warnings.
#[component]
pub fn ThemeSections(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let warnings = Memo::new(move |_| draft.with(|d| tally_core::theme::problems(&d.rules.theme)));
    let (radius, set_radius) = number_setting(draft, "radius");
    let (width, set_width) = number_setting(draft, "panel_width");
    let (font, set_font) = text_setting(draft, "", "font_family");
    let (label, set_label) = text_setting(draft, "", "launcher_label");
    let (mode, set_mode) = text_setting(draft, "", "mode");
    let (position, set_position) = text_setting(draft, "", "launcher_position");
    let (icon, set_icon) = text_setting(draft, "", "launcher_icon");
    view! {
        <fieldset class="card">
            <legend>{move || console.t("theme_colors")}</legend>
            <div class="grid2">
                {COLOR_NAMES.into_iter().map(|name| {
                    let (value, set) = text_setting(draft, "colors", name);
                    let swatch = move || format!("background:{}", value.get());
                    view! {
                        <div class="color-row">
                            <span class="swatch" aria-hidden="true" style=swatch></span>
                            <ColorField name=name value=value set=set />
                        </div>
                    }
                }).collect_view()}
            </div>
            <div role="status" class="contrast">
                {move || {
                    let list = warnings.get();
                    if list.is_empty() {
                        view! { <p class="ok">{console.t("theme_ok")}</p> }.into_any()
                    } else {
                        view! { <ul class="warn">{list.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
        </fieldset>
        <fieldset class="card">
            <legend>{move || console.t("theme_shape")}</legend>
            <div class="grid2">
                <NumberField label="radius" path="theme.radius" value=radius set=set_radius optional=true />
                <NumberField label="panel_width" path="theme.panel_width" value=width set=set_width optional=true />
                <TextField label="font_family" path="theme.font_family" value=font set=set_font />
                <TextField label="launcher_label" path="theme.launcher_label" value=label set=set_label />
                <SelectField label="mode" path="theme.mode" options=choices(console, tally_core::theme::ColorMode::WORDS) value=mode set=set_mode />
                <SelectField label="launcher_position" path="theme.launcher_position" options=choices(console, tally_core::theme::LauncherPosition::WORDS) value=position set=set_position />
                <SelectField label="launcher_icon" path="theme.launcher_icon" options=choices(console, tally_core::theme::LauncherIcon::WORDS) value=icon set=set_icon />
            </div>
        </fieldset>
    }
}

/// One colour of the palette, as hex text (its label is the colour's name in the theme).
#[component]
fn ColorField(name: &'static str, value: Signal<String>, set: Callback<String>) -> impl IntoView {
    let path = format!("theme.colors.{name}");
    let id = crate::form::dom_id(&path);
    let described = format!("{id}-problem");
    view! {
        <div class="field">
            <label for=id.clone()>{name.replace('_', " ")}</label>
            <input id=id type="text" placeholder="#1a73e8" aria-describedby=described prop:value=move || value.get()
                on:input=move |ev| set.run(event_target_value(&ev)) />
            <crate::form::ProblemText path=path />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_value_removes_the_setting_and_its_empty_group() {
        let mut theme = serde_json::json!({});
        set_theme_value(
            &mut theme,
            "colors",
            "primary",
            Some(Value::from("#123456")),
        );
        assert_eq!(theme_text(&theme, "colors", "primary"), "#123456");
        set_theme_value(&mut theme, "colors", "primary", None);
        assert_eq!(theme, serde_json::json!({}));
    }
}
