use leptos::html;
use leptos::prelude::*;

use crate::format;
use crate::i18n::fill;
use crate::store::{Store, MAX_COMMENT};
use crate::ui::{Notice, Tone, Variant};

/// The program's feedback question, when it has one and the shopper may answer: a 0–10 scale that is a
/// radio group (Tab reaches it once, the arrow keys choose), an optional comment, what answering earns;
/// then thanks and when the question comes again. Not shown again within the cooldown.
#[component]
pub fn FeedbackPrompt() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let f = store.feedback;
    // Thanks shown once: the next time the panel opens the question is simply not due.
    if f.outcome.with_untracked(Option::is_some) {
        f.forget();
    }
    let thanks: NodeRef<html::Div> = NodeRef::new();
    // The form is replaced by the thanks: focus follows, instead of falling back to the page.
    Effect::new(move |_| {
        if let Some(el) = thanks.get() {
            let _ = el.focus();
        }
    });
    // One closure for the section; inside the form only the button, the counter and an error follow
    // the answer as it is written, so choosing a score never rebuilds the radios under the keyboard.
    move || {
        let outcome = f.outcome.get();
        if outcome.is_none() && !store.feedback_due() {
            return None;
        }
        let (shop, question, points) = store.data.program.with(|p| {
            let p = p.as_ref()?;
            let ask = p.rules.feedback.as_ref()?;
            Some((p.shop.name.clone(), ask.question.clone(), ask.points))
        })?;
        let locale = store.locale();
        let body = match outcome {
            Some(Ok(answer)) => view! {
                <div class="tally-feedback__done" tabindex="-1" node_ref=thanks>
                    <p class="tally-feedback__thanks">{m.feedback_thanks}</p>
                    {(answer.points_awarded > 0).then(|| view! {
                        <p>{fill(m.feedback_awarded, &[("points", &store.points(answer.points_awarded))])}</p>
                    })}
                    <p class="tally-muted">
                        {fill(m.feedback_next, &[("date", &format::date(&answer.next_allowed_at, &locale))])}
                    </p>
                </div>
            }
            .into_any(),
            Some(Err(error)) => view! {
                <div class="tally-feedback__done" tabindex="-1" node_ref=thanks>
                    <Notice text=error.message(m)/>
                </div>
            }
            .into_any(),
            None => {
                let question = question.unwrap_or_else(|| fill(m.feedback_question, &[("shop", &shop)]));
                let chosen = f.score.get_untracked();
                let options = (0..=10u8)
                    .map(|i| {
                        let end = match i {
                            0 => Some(m.feedback_low),
                            10 => Some(m.feedback_high),
                            _ => None,
                        };
                        view! {
                            <label class="tally-nps__option">
                                <input
                                    type="radio"
                                    name="tally-nps"
                                    value=i
                                    checked=chosen == Some(i)
                                    on:change=move |_| f.score.set(Some(i))
                                />
                                <span>{format::number(i64::from(i), &locale)}</span>
                                {end.map(|end| view! { <span class="tally-sr">{format!(" — {end}")}</span> })}
                            </label>
                        }
                    })
                    .collect_view();
                let count_locale = locale.clone();
                let count = move || {
                    let n = f.comment.with(|c| c.chars().count()) as i64;
                    fill(
                        m.feedback_count,
                        &[
                            ("count", &format::number(n, &count_locale)),
                            ("max", &format::number(MAX_COMMENT as i64, &count_locale)),
                        ],
                    )
                };
                view! {
                    <fieldset class="tally-nps">
                        <legend class="tally-nps__question"><bdi>{question}</bdi></legend>
                        <div class="tally-nps__scale">{options}</div>
                        // Which end is which, whatever rows the scale wraps into; the radios carry it for
                        // screen readers.
                        <div class="tally-nps__ends" aria-hidden="true">
                            <span>{format!("{} — {}", format::number(0, &locale), m.feedback_low)}</span>
                            <span>{format!("{} — {}", format::number(10, &locale), m.feedback_high)}</span>
                        </div>
                    </fieldset>
                    <label class="tally-feedback__label" for="tally-fb-comment">{m.feedback_comment}</label>
                    <textarea
                        id="tally-fb-comment"
                        class="tally-input tally-feedback__comment"
                        rows="3"
                        maxlength=MAX_COMMENT
                        aria-describedby="tally-fb-count"
                        prop:value=f.comment.get_untracked()
                        on:input=move |ev| f.comment.set(event_target_value(&ev))
                    ></textarea>
                    <p class="tally-muted" id="tally-fb-count">{count}</p>
                    {(points > 0).then(|| view! {
                        <p class="tally-feedback__earn">{fill(m.feedback_earn, &[("points", &store.points(points))])}</p>
                    })}
                    {move || f.error.get().map(|error| view! { <Notice tone=Tone::Error text=error.message(m)/> })}
                    <div class="tally-row">
                        // aria-disabled, not disabled: the button keeps the keyboard focus while busy.
                        <button
                            class=Variant::Primary.as_str()
                            type="button"
                            aria-disabled=move || (f.busy.get() || f.score.with(Option::is_none)).then_some("true")
                            aria-busy=move || f.busy.get().then_some("true")
                            on:click=move |_| store.send_feedback()
                        >
                            {move || if f.busy.get() { m.feedback_sending } else { m.feedback_send }}
                        </button>
                    </div>
                }
                .into_any()
            }
        };
        Some(view! {
            <section class="tally-section tally-feedback">
                <h3 class="tally-heading">{m.feedback_heading}</h3>
                {body}
            </section>
        })
    }
}
