//! Any bytes as a `data-theme` attribute: parsing never panics, and whatever survives validation yields
//! CSS custom properties with no character that could end the property or the rule.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tally_core::theme::Theme;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let (theme, _warnings) = Theme::from_json(&value);
    for dark in [false, true] {
        for (name, value) in theme.css_variables(dark) {
            assert!(name.starts_with("--tally-"));
            assert!(!value.contains([';', '{', '}', '<']), "{name}: {value:?}");
        }
        let _ = theme.contrast_warnings(dark);
    }
    // What was accepted is accepted again, unchanged.
    let json = serde_json::to_value(&theme).expect("a theme serialises");
    let (again, warnings) = Theme::from_json(&json);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(again, theme);
});
