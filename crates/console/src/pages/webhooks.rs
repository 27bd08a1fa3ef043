//! Endpoints (secret shown once), events, deliveries with status and answer, retry, test event.

use leptos::prelude::*;

use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[];

#[component]
pub fn Webhooks() -> impl IntoView {
    let console = use_console();
    view! { <h1>{move || console.t("nav_webhooks")}</h1> }
}
