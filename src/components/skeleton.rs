use leptos::prelude::*;

use crate::store::Store;

/// Grey placeholders in the shape of the content, while it loads.
#[component]
pub fn Skeleton() -> impl IntoView {
    let m = expect_context::<Store>().messages();
    view! {
        <div class="tally-skeleton" aria-busy="true">
            <span class="tally-sr">{m.loading}</span>
            <div class="tally-skeleton__line tally-skeleton__line--short"></div>
            <div class="tally-skeleton__line tally-skeleton__line--big"></div>
            <div class="tally-skeleton__block"></div>
            <div class="tally-skeleton__block"></div>
            <div class="tally-skeleton__block"></div>
        </div>
    }
}
