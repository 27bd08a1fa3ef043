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
