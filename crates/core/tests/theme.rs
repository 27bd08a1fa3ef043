//! Themes: every value checked on its own, later sources win, contrast measured as WCAG defines it.

use serde_json::json;
use tally_core::theme::*;

#[test]
fn valid_values_are_kept_and_invalid_ones_named_and_dropped() {
    let (theme, warnings) = Theme::from_json(&json!({
        "colors": {"primary": "#6B3E26", "text": "blue", "sparkle": "#fff"},
        "radius": 99,
        "font_family": "Georgia, serif",
        "mode": "dusk",
        "launcher_position": "bottom-left",
        "texts": {"guest_title": "Join the Bean Club", "empty": ""},
        "wobble": true
    }));
    assert_eq!(theme.colors.primary.as_deref(), Some("#6b3e26"));
    assert_eq!(theme.colors.text, None);
    assert_eq!(theme.radius, None);
    assert_eq!(theme.font_family.as_deref(), Some("Georgia, serif"));
    assert_eq!(theme.mode, None);
    assert_eq!(theme.launcher_position, Some(LauncherPosition::BottomLeft));
    assert_eq!(
        theme.texts.get("guest_title").map(String::as_str),
        Some("Join the Bean Club")
    );
    let expect = [
        "theme.colors.text: \"blue\" is not a hex colour",
        "theme.colors.sparkle: unknown colour",
        "theme.radius: 99 is not a whole number from 0 to 32",
        "theme.mode: \"dusk\" is not one of light, dark or auto",
        "theme.texts.empty: must be 1 to 500 characters",
        "theme.wobble: unknown setting",
    ];
    for e in expect {
        assert!(
            warnings.iter().any(|w| w.starts_with(e)),
            "no warning starting {e:?} in {warnings:#?}"
        );
    }
    assert_eq!(warnings.len(), expect.len(), "{warnings:#?}");
}

#[test]
fn values_that_could_break_out_of_a_css_property_are_refused() {
    let (theme, warnings) = Theme::from_json(&json!({
        "font_family": "x; } body { display: none",
        "colors": {"primary": "red;background:url(//evil)"}
    }));
    assert_eq!(theme.font_family, None);
    assert_eq!(theme.colors.primary, None);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
}

#[test]
fn later_sources_override_earlier_ones_value_by_value() {
    let (shop, _) = Theme::from_json(
        &json!({"colors": {"primary": "#111111", "accent": "#222222"}, "radius": 4}),
    );
    let (tag, _) = Theme::from_json(&json!({"colors": {"primary": "#333333"}}));
    let merged = shop.overlaid_with(&tag);
    assert_eq!(merged.color("primary", false), "#333333");
    assert_eq!(merged.color("accent", false), "#222222");
    assert_eq!(merged.radius, Some(4));
}

#[test]
fn css_variables_fall_back_to_the_defaults_per_palette() {
    let (theme, _) =
        Theme::from_json(&json!({"colors": {"primary": "#123456"}, "panel_width": 360}));
    let light = theme.css_variables(false);
    let get = |vars: &[(String, String)], k: &str| {
        vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    };
    assert_eq!(get(&light, "--tally-primary").as_deref(), Some("#123456"));
    assert_eq!(
        get(&light, "--tally-on-primary").as_deref(),
        Some(LIGHT_DEFAULTS[1])
    );
    assert_eq!(get(&light, "--tally-panel-width").as_deref(), Some("360px"));
    let dark = theme.css_variables(true);
    assert_eq!(
        get(&dark, "--tally-primary").as_deref(),
        Some(DARK_DEFAULTS[0])
    );
}

#[test]
fn contrast_ratio_matches_wcag_reference_values() {
    let ratio = |a, b| contrast_ratio(a, b).unwrap_or(0.0);
    assert!((ratio("#000000", "#ffffff") - 21.0).abs() < 0.01);
    assert!((ratio("#fff", "#fff") - 1.0).abs() < 0.01);
    // #767676 on white is the classic just-passing grey: 4.54:1.
    assert!((ratio("#767676", "#ffffff") - 4.54).abs() < 0.01);
    assert_eq!(contrast_ratio("#12", "#fff"), None);
}

#[test]
fn the_default_palettes_pass_aa_and_a_pale_primary_is_flagged() {
    let default = Theme::default();
    assert_eq!(default.contrast_warnings(false), Vec::<String>::new());
    assert_eq!(default.contrast_warnings(true), Vec::<String>::new());
    let (pale, _) = Theme::from_json(&json!({"colors": {"primary": "#ffe066"}}));
    let warnings = pale.contrast_warnings(false);
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("on_primary on primary")),
        "{warnings:#?}"
    );
}

#[test]
fn the_neutral_json_input_gives_the_same_theme_and_warnings_as_serde_json() {
    let value = json!({
        "colors": {"primary": "#ABCDEF", "text": 7},
        "radius": 8,
        "panel_width": 1.5,
        "launcher_icon": "crown",
        "launcher_position": "top-left",
        "texts": {"join": "Sign me up"}
    });
    let input = Json::Object(vec![
        (
            "colors".into(),
            Json::Object(vec![
                ("primary".into(), Json::String("#ABCDEF".into())),
                ("text".into(), Json::Number(7.0)),
            ]),
        ),
        ("radius".into(), Json::Number(8.0)),
        ("panel_width".into(), Json::Number(1.5)),
        ("launcher_icon".into(), Json::String("crown".into())),
        ("launcher_position".into(), Json::String("top-left".into())),
        (
            "texts".into(),
            Json::Object(vec![("join".into(), Json::String("Sign me up".into()))]),
        ),
    ]);
    let from_serde = Theme::from_json(&value);
    assert_eq!(Theme::from_input(&input), from_serde);
    let (theme, warnings) = from_serde;
    assert_eq!(theme.launcher_icon, Some(LauncherIcon::Crown));
    assert_eq!(theme.launcher_position, Some(LauncherPosition::TopLeft));
    assert_eq!(
        warnings,
        [
            "theme.colors.text: 7 is not a hex colour like #1a73e8",
            "theme.panel_width: 1.5 is not a whole number from 300 to 560",
        ]
    );
}

#[test]
fn a_warning_quotes_the_bad_value_as_json() {
    let (_, warnings) = Theme::from_input(&Json::Object(vec![(
        "font_family".into(),
        Json::Array(vec![Json::Null, Json::Bool(true)]),
    )]));
    assert_eq!(warnings, ["theme.font_family: must be a string"]);
    assert_eq!(
        Json::String("say \"hi\"\\".into()).to_string(),
        r#""say \"hi\"\\""#
    );
    assert_eq!(
        Json::Object(vec![("a".into(), Json::Array(vec![Json::Null]))]).to_string(),
        r#"{"a":[null]}"#
    );
}

#[test]
fn a_theme_that_is_not_an_object_is_one_warning_and_null_is_none() {
    assert_eq!(Theme::from_input(&Json::Null).1.len(), 0);
    assert_eq!(
        Theme::from_input(&Json::String("red".into())).1,
        ["theme: must be a JSON object"]
    );
}

#[test]
fn host_css_follows_the_colour_scheme_only_in_auto_mode() {
    let auto = Theme::default().host_css();
    assert!(auto.starts_with(":host{--tally-primary:#2f5d50;"), "{auto}");
    assert!(
        auto.contains("@media (prefers-color-scheme:dark){:host{--tally-primary:#8fd4bf;"),
        "{auto}"
    );
    let (light, _) = Theme::from_json(&json!({"mode": "light", "colors": {"primary": "#123456"}}));
    let css = light.host_css();
    assert!(css.contains("--tally-primary:#123456;"), "{css}");
    assert!(!css.contains("@media"), "{css}");
    let (dark, _) = Theme::from_json(&json!({"mode": "dark"}));
    assert!(dark.host_css().contains("--tally-scheme:dark"));
    assert!(!dark.host_css().contains("--tally-scheme:light"));
}

#[test]
fn primary_used_as_small_text_on_the_background_needs_4_5_to_1() {
    // #3f8f7a is 3.9:1 on white and 3.5:1 on the grey surface: enough for controls (3:1), not for small text.
    let (theme, _) = Theme::from_json(&json!({"colors": {"primary": "#3f8f7a"}}));
    let warnings = theme.contrast_warnings(false);
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("primary on background")),
        "{warnings:#?}"
    );
    assert!(
        !warnings.iter().any(|w| w.starts_with("primary on surface")),
        "{warnings:#?}"
    );
}

#[test]
fn numbers_in_warnings_read_as_json_writes_them() {
    let n = |x: f64| Json::Number(x).to_string();
    assert_eq!(n(99.0), "99");
    assert_eq!(n(-1.5), "-1.5");
    assert_eq!(n(0.125), "0.125");
    assert_eq!(n(f64::NAN), "null");
    let (pale, _) = Theme::from_json(&json!({"colors": {"primary": "#ffe066"}}));
    let warnings = pale.contrast_warnings(false);
    assert!(
        warnings.contains(
            &"on_primary on primary: contrast 1.3:1 is below the 4.5:1 that WCAG AA asks for"
                .to_owned()
        ),
        "{warnings:#?}"
    );
}

#[test]
fn a_font_list_may_name_fonts_in_any_script_but_not_leave_a_quote_open() {
    let font = |f: &str| Theme::from_json(&json!({ "font_family": f })).0.font_family;
    assert_eq!(
        font("'Hiragino Sans', ヒラギノ角ゴシック, sans-serif").as_deref(),
        Some("'Hiragino Sans', ヒラギノ角ゴシック, sans-serif")
    );
    assert_eq!(font("'Inter, sans-serif"), None);
    assert_eq!(font("Inter\", serif"), None);
}

#[test]
fn problems_name_bad_values_then_the_contrast_of_the_palettes_the_mode_uses() {
    // A pale primary fails AA on the light palette, a near-black one on the dark palette; "dusk" is no
    // mode, so both palettes are checked (auto).
    let (pale, black) = ("#ffe066", "#111111");
    let all = problems(
        &json!({"colors": {"primary": pale}, "dark_colors": {"primary": black}, "mode": "dusk"}),
    );
    assert!(
        all[0].starts_with("theme.mode"),
        "the bad value first: {all:#?}"
    );
    assert!(
        all.iter().any(|p| p.starts_with("on_primary on primary")),
        "{all:#?}"
    );
    assert!(all.iter().any(|p| p.starts_with("dark: ")), "{all:#?}");
    // A light-only theme is not held to the dark palette's contrast, and the other way round.
    let light = problems(
        &json!({"colors": {"primary": pale}, "dark_colors": {"primary": black}, "mode": "light"}),
    );
    assert!(!light.iter().any(|p| p.starts_with("dark: ")), "{light:#?}");
    assert!(!light.is_empty());
    let dark = problems(
        &json!({"colors": {"primary": pale}, "dark_colors": {"primary": black}, "mode": "dark"}),
    );
    assert!(
        !dark.is_empty() && dark.iter().all(|p| p.starts_with("dark: ")),
        "{dark:#?}"
    );
}
