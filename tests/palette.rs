//! The default palette has one home, tally-core's `LIGHT_DEFAULTS` and `DARK_DEFAULTS`: the widget's
//! stylesheet reads the theme's properties without colour fallbacks, and the playground's copy (it
//! runs without the wasm's help to reset its pickers) must say the same.
#![cfg(not(target_arch = "wasm32"))]

use tally_core::theme::{DARK_DEFAULTS, LIGHT_DEFAULTS};

/// The hex strings of `const DEFAULTS = { <palette>: [...] }` in the playground's script.
fn playground_palette(palette: &str) -> Vec<String> {
    let html = include_str!("../public/playground.html");
    let defaults = &html[html.find("const DEFAULTS = {").expect("DEFAULTS")..];
    let list = &defaults[defaults.find(&format!("{palette}: [")).expect(palette)..];
    let list = &list[list.find('[').expect("[") + 1..list.find(']').expect("]")];
    list.split(',')
        .map(|c| c.trim().trim_matches('\'').to_owned())
        .collect()
}

#[test]
fn the_playground_resets_to_the_palette_of_tally_core() {
    assert_eq!(playground_palette("colors"), LIGHT_DEFAULTS);
    assert_eq!(playground_palette("dark_colors"), DARK_DEFAULTS);
}

#[test]
fn the_stylesheet_spells_no_colour_of_the_palette() {
    for colour in LIGHT_DEFAULTS.iter().chain(&DARK_DEFAULTS) {
        assert!(
            !tally_widget::CSS.contains(&colour[..]),
            "style/ spells {colour}; read var(--tally-…) instead"
        );
    }
    assert!(tally_widget::CSS.contains("--_primary:var(--tally-primary)"));
}
