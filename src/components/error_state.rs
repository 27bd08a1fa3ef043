use leptos::prelude::*;

use crate::api::ApiError;
use crate::state::Store;

/// A kind message for a failed load, and a retry when asking again can help.
#[component]
pub fn ErrorState(
    /// What went wrong.
    error: ApiError,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let retry = error.is_retryable().then(|| {
        view! {
            <button class="tally-button tally-button--primary" type="button" on:click=move |_| store.refresh()>
                {m.retry}
            </button>
        }
    });
    view! {
        <div class="tally-error" role="alert">
            <p class="tally-error__message">{error.message(m)}</p>
            {retry}
        </div>
    }
}
