//! The default palette has one home, tally-core's `LIGHT_DEFAULTS` and `DARK_DEFAULTS`: the widget's
//! stylesheet reads the theme's properties without colour fallbacks. (The theme playground that kept a
//! copy of the palette is now the console's Appearance page, which reads tally-core itself.)
#![cfg(not(target_arch = "wasm32"))]

use tally_core::theme::{DARK_DEFAULTS, LIGHT_DEFAULTS};

#[test]
fn the_stylesheet_spells_no_colour_of_the_palette() {
    for colour in LIGHT_DEFAULTS.iter().chain(&DARK_DEFAULTS) {
        for css in [tally_widget::CSS, tally_widget::components::views::CSS] {
            assert!(
                !css.contains(&colour[..]),
                "style/ spells {colour}; read var(--tally-…) instead"
            );
        }
    }
    assert!(tally_widget::CSS.contains("--_primary:var(--tally-primary)"));
}
