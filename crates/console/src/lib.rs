//! Tally's console for shop staff: a Leptos app rendered in the browser, served by tally-server at
//! `/console/`. Pure logic (the diff of a save, the sample shopper, the snippets, the words) is tested
//! natively; the views are in `app` and `pages`.

pub mod api;
pub mod app;
pub mod changes;
pub mod form;
pub mod i18n;
pub mod ops;
pub mod pages;
pub mod sample;
pub mod snippets;
pub mod state;
