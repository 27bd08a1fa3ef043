use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser;
use crate::store::Store;
use crate::ui::{Button, Variant};

/// Copies a text and says so; explains how to copy by hand when the browser refuses.
#[component]
pub fn CopyButton(
    /// The text to copy.
    #[prop(into)]
    text: String,
    /// The button's accessible name when "Copy" alone is not enough, e.g. "Copy your referral link".
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    let m = expect_context::<Store>().messages();
    let state = RwSignal::new(None::<bool>);
    let text = StoredValue::new(text);
    let copy = move |_| {
        spawn_local(async move {
            let ok = browser::copy_text(&text.get_value()).await;
            let _ = state.try_set(Some(ok));
        });
    };
    view! {
        <Button
            text=move || if state.get() == Some(true) { m.copied } else { m.copy }
            variant=Variant::Small
            label=label
            on_click=copy
        />
        {move || (state.get() == Some(false)).then(|| view! { <p class="tally-muted" role="alert">{m.copy_failed}</p> })}
    }
}
