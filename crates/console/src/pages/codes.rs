//! Look a code up, see its status, use or cancel it.

use leptos::prelude::*;

use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[];

#[component]
pub fn Codes() -> impl IntoView {
    let console = use_console();
    view! { <h1>{move || console.t("nav_codes")}</h1> }
}
