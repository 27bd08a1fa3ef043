use leptos::prelude::*;
use tally_core::CodeStatus;

use super::CopyButton;
use crate::format;
use crate::i18n::fill;
use crate::store::Store;
use crate::ui::{Button, Notice, Tone};

/// The shopper's codes: those still good at checkout (the code to copy, its reward, until when), and
/// folded away below, those used, cancelled or expired. Fetched each time the panel opens, since a
/// code is used at the shop's checkout, not here.
#[component]
pub fn YourCodes() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    store.data.load_codes();
    // One closure for the section: the list is small and changes as a whole.
    move || {
        let locale = store.locale();
        let reward = |id: &str| {
            store.data.program.with(|p| {
                p.as_ref()
                    .and_then(|p| p.rules.rewards.iter().find(|r| r.id == id))
                    .map(|r| r.name.clone())
            })
        };
        store.data.codes.with(|codes| {
            if codes.items.is_empty() {
                let error = codes.error.as_ref()?;
                return Some(view! {
                    <section class="tally-section">
                        <h3 class="tally-heading">{m.codes_heading}</h3>
                        <Notice tone=Tone::Error text=error.message(m)/>
                        <Button text=m.retry on_click=move |_| store.data.load_codes()/>
                    </section>
                }
                .into_any());
            }
            let (good, past) = codes.split();
            let good = good
                .into_iter()
                .map(|r| {
                    let until = r.expires_at.as_deref().map(|at| {
                        fill(m.code_valid_until, &[("date", &format::date(at, &locale))])
                    });
                    view! {
                        <li class="tally-codes__item">
                            <div class="tally-codes__about">
                                {reward(&r.reward_id).map(|name| view! { <p class="tally-codes__reward"><bdi>{name}</bdi></p> })}
                                {until.map(|u| view! { <p class="tally-muted">{u}</p> })}
                            </div>
                            <div class="tally-row">
                                <code class="tally-codes__code" dir="ltr">{r.code.clone()}</code>
                                <CopyButton text=r.code.clone()/>
                            </div>
                        </li>
                    }
                })
                .collect_view();
            let count = past.len();
            let past = past
                .into_iter()
                .map(|r| {
                    let status = match r.status {
                        CodeStatus::Used => m.code_used,
                        CodeStatus::Cancelled => m.code_cancelled,
                        _ => m.code_expired,
                    };
                    view! {
                        <li class="tally-codes__past-item">
                            <code dir="ltr">{r.code.clone()}</code>
                            {reward(&r.reward_id).map(|name| view! { <bdi class="tally-muted">{name}</bdi> })}
                            <span class="tally-badge">{status}</span>
                        </li>
                    }
                })
                .collect_view();
            Some(view! {
                <section class="tally-section">
                    <h3 class="tally-heading">{m.codes_heading}</h3>
                    <ul class="tally-codes">{good}</ul>
                    {(count > 0).then(|| view! {
                        <details class="tally-codes__past">
                            <summary>{format!("{} ({})", m.codes_past, format::number(count as i64, &locale))}</summary>
                            <ul>{past}</ul>
                        </details>
                    })}
                </section>
            }
            .into_any())
        })
    }
}
