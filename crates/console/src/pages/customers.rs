//! Search customers, read a customer, adjust points, set details, memberships.

use leptos::prelude::*;

use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[];

#[component]
pub fn Customers() -> impl IntoView {
    let console = use_console();
    view! { <h1>{move || console.t("nav_customers")}</h1> }
}
