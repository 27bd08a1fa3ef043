use leptos::prelude::*;

use crate::format;
use crate::store::Store;
use crate::ui::{Button, Notice, Tone};

/// The shopper's ledger, newest first, a page at a time.
#[component]
pub fn ActivityFeed() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    if !store.data.activity.with_untracked(|a| a.started) {
        store.data.load_activity();
    }
    let items = move || {
        let locale = store.locale();
        store.data.activity.with(|a| {
            a.items
                .iter()
                .map(|item| {
                    let sign = if item.points > 0 { "+" } else { "" };
                    let class = if item.points < 0 {
                        "tally-activity__points tally-activity__points--minus"
                    } else {
                        "tally-activity__points"
                    };
                    view! {
                        <li class=format!("tally-activity__item tally-activity__item--{}", item.kind.as_str())>
                            <span class="tally-activity__text">
                                <bdi>{item.description.clone()}</bdi>
                                <span class="tally-muted">{format::date(&item.created_at, &locale)}</span>
                            </span>
                            <span class=class>{format!("{sign}{}", format::number(item.points, &locale))}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let footer = move || {
        let (started, busy, has_next, empty, error) = store.data.activity.with(|a| {
            (
                a.started,
                a.busy,
                a.next.is_some(),
                a.items.is_empty(),
                a.error.clone(),
            )
        });
        if let Some(error) = error {
            return view! {
                <Notice tone=Tone::Error text=error.message(m)/>
                <Button text=m.retry on_click=move |_| store.data.load_activity()/>
            }
            .into_any();
        }
        if busy || !started {
            return view! { <p class="tally-muted" aria-live="polite">{m.loading}</p> }.into_any();
        }
        if empty {
            return view! { <p class="tally-muted">{m.activity_empty}</p> }.into_any();
        }
        has_next
            .then(|| {
                view! {
                    <Button text=m.load_more on_click=move |_| store.data.load_activity()/>
                }
            })
            .into_any()
    };
    view! {
        <section class="tally-section">
            <h3 class="tally-heading">{m.activity_heading}</h3>
            <ul class="tally-activity">{items}</ul>
            {footer}
        </section>
    }
}
