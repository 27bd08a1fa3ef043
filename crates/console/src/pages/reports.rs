//! The summary as cards, charts over time with their numbers as tables, liability, redemption, tiers, referrals, NPS.

use leptos::prelude::*;

use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[];

#[component]
pub fn Reports() -> impl IntoView {
    let console = use_console();
    view! { <h1>{move || console.t("nav_reports")}</h1> }
}
