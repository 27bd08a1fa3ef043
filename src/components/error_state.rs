use leptos::prelude::*;

use crate::api::ApiError;
use crate::store::Store;
use crate::ui::{Button, Variant};

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
            <Button text=m.retry variant=Variant::Primary on_click=move |_| store.refresh()/>
        }
    });
    view! {
        <div class="tally-error" role="alert">
            <p class="tally-error__message">{error.message(m)}</p>
            {retry}
        </div>
    }
}
