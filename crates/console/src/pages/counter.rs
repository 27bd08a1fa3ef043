//! The till: find a shopper by phone, record an in-store order, award an activity, take a code, enrol by phone.

use leptos::prelude::*;

use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[];

#[component]
pub fn Counter() -> impl IntoView {
    let console = use_console();
    view! { <h1>{move || console.t("nav_counter")}</h1> }
}
