use leptos::prelude::*;
use tally_core::rules::{reward_eligibility, Eligibility};
use tally_core::{LimitKind, Reward};
use wasm_bindgen::JsCast;

use super::CopyButton;
use crate::i18n::fill;
use crate::store::{Step, Store};
use crate::ui::{Button, Card, Notice, Tone, Variant};

/// One reward: its cost, whether the shopper can have it now (or how far off it is, or which tier
/// it needs), and the redeem flow: confirm, redeem once, show the code.
#[component]
pub fn RewardCard(
    /// The reward, as the program lists it.
    reward: Reward,
) -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let step = RwSignal::new(Step::Idle);
    let reward = StoredValue::new(reward);
    let card: NodeRef<leptos::html::Li> = NodeRef::new();
    // Every step replaces the card's buttons: keyboard focus follows to the new step's first control
    // (or the code), instead of falling back to the page.
    let moved = StoredValue::new(false);
    Effect::new(move |_| {
        step.track();
        if !moved.get_value() {
            moved.set_value(true);
            return;
        }
        let target = card.get_untracked().and_then(|li| {
            li.query_selector("button:not([disabled]),.tally-code")
                .ok()
                .flatten()
        });
        if let Some(target) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = target.focus();
        }
    });

    let eligibility = move || {
        store.data.me.with(|me| {
            let me = me.as_ref()?;
            store.data.program.with(|p| {
                let tiers = p.as_ref().map_or(&[][..], |p| &p.rules.tiers[..]);
                let tier_id = me.tier.as_ref().map(|t| t.id.as_str());
                Some(reward.with_value(|r| reward_eligibility(r, me.balance, tier_id, tiers)))
            })
        })
    };
    let tier_name = move |id: &str| {
        store.data.program.with(|p| {
            p.as_ref()
                .and_then(|p| p.rules.tiers.iter().find(|t| t.id == id))
                .map_or_else(|| id.to_owned(), |t| t.name.clone())
        })
    };

    let redeem = move || reward.with_value(|r| store.redeem(r, step));
    // "Used this month — again on January 1" while a limited reward is used up.
    let used_up = move || {
        reward.with_value(|r| {
            r.limit
                .and_then(|_| store.used_up_text(LimitKind::Reward, &r.id))
        })
    };
    let reason_id = reward.with_value(|r| format!("tally-limit-{}", r.id));

    let reason = reason_id.clone();
    let status = move || {
        if let Some(text) = used_up() {
            return Some(
                view! { <p class="tally-reward__status" id=reason.clone()>{text}</p> }.into_any(),
            );
        }
        let cost = reward.with_value(|r| r.points_cost);
        // A guest has no eligibility, but still learns which rewards need a tier.
        let guest_lock = || {
            reward
                .with_value(|r| r.min_tier.clone())
                .map(Eligibility::NeedsTier)
        };
        match eligibility().or_else(guest_lock) {
            None => None,
            Some(Eligibility::Redeemable) => None,
            Some(Eligibility::NeedsPoints(n)) => Some(view! {
                <p class="tally-reward__status">{
                    let (number, name) = store.points_parts(n);
                    fill(m.more_needed, &[("number", &number), ("name", &name)])
                }</p>
                <div class="tally-progress tally-progress--thin" aria-hidden="true">
                    <div
                        class="tally-progress__fill"
                        style=format!("width:{}%", ((cost - n).max(0) * 100 / cost.max(1)))
                    ></div>
                </div>
            }.into_any()),
            Some(Eligibility::NeedsTier(id)) => Some(view! {
                <p class="tally-reward__status tally-reward__status--locked">
                    <svg class="tally-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M7 10V7a5 5 0 0 1 10 0v3h1v11H6V10h1Zm2 0h6V7a3 3 0 0 0-6 0v3Z"/>
                    </svg>
                    {fill(m.locked_for_tier, &[("tier", &tier_name(&id))])}
                </p>
            }.into_any()),
        }
    };

    let actions = move || {
        if used_up().is_some() && step.get() == Step::Idle {
            // Inert, not gone: the shopper learns why from the line it points to.
            return Some(view! {
                <Button text=m.redeem variant=Variant::Primary inert=true described_by=reason_id.clone() on_click=|_| {}/>
            }.into_any());
        }
        if eligibility() != Some(Eligibility::Redeemable) && !matches!(step.get(), Step::Done(_)) {
            return None;
        }
        let (name, cost) = reward.with_value(|r| (r.name.clone(), r.points_cost));
        Some(match step.get() {
            Step::Idle => view! {
                <Button text=m.redeem variant=Variant::Primary on_click=move |_| step.set(Step::Confirm)/>
            }
            .into_any(),
            Step::Confirm | Step::Busy => {
                let busy = step.get() == Step::Busy;
                view! {
                    <p class="tally-reward__confirm">
                        {fill(m.redeem_confirm, &[("points", &store.points(cost)), ("reward", &name)])}
                    </p>
                    <div class="tally-row">
                        // aria-disabled, not disabled: the busy button keeps the keyboard focus.
                        <Button
                            text=if busy { m.redeeming } else { m.confirm }
                            variant=Variant::Primary
                            inert=busy
                            busy=busy
                            on_click=move |_| redeem()
                        />
                        <Button
                            text=m.cancel
                            inert=busy
                            on_click=move |_| if step.get_untracked() != Step::Busy { step.set(Step::Idle) }
                        />
                    </div>
                }.into_any()
            }
            Step::Failed(error) => {
                let retryable = error.is_retryable();
                view! {
                    <Notice tone=Tone::Error text=error.message(m)/>
                    <div class="tally-row">
                        {retryable.then(|| view! {
                            <Button text=m.retry variant=Variant::Primary on_click=move |_| redeem()/>
                        })}
                        <Button text=m.cancel on_click=move |_| step.set(Step::Idle)/>
                    </div>
                }
                .into_any()
            }
            Step::Done(redemption) => view! {
                <div class="tally-code" tabindex="-1">
                    <p class="tally-code__label">{m.your_code}</p>
                    <div class="tally-row">
                        <code class="tally-code__value">{redemption.code.clone()}</code>
                        <CopyButton text=redemption.code.clone()/>
                    </div>
                    <p class="tally-muted">{m.code_howto}</p>
                    <Button text=m.done on_click=move |_| step.set(Step::Idle)/>
                </div>
            }
            .into_any(),
        })
    };

    let class = move || {
        let mut class = String::from("tally-reward");
        let locked = reward.with_value(|r| r.min_tier.is_some());
        match eligibility() {
            None if locked => class.push_str(" tally-reward--locked"),
            Some(Eligibility::Redeemable) => class.push_str(" tally-reward--available"),
            Some(Eligibility::NeedsTier(_)) => class.push_str(" tally-reward--locked"),
            _ => {}
        }
        class
    };
    let (name, description, cost, limit) = reward.with_value(|r| {
        (
            r.name.clone(),
            r.description.clone(),
            r.points_cost,
            r.limit.map(|l| store.limit_text(&l)),
        )
    });
    view! {
        <Card class=class node_ref=card>
            <div class="tally-reward__head">
                <p class="tally-reward__name"><bdi>{name}</bdi></p>
                <p class="tally-reward__cost">{move || if cost == 0 { m.free.to_owned() } else { store.points(cost) }}</p>
            </div>
            {(!description.is_empty()).then(|| view! { <p class="tally-muted"><bdi>{description}</bdi></p> })}
            {limit.map(|text| view! { <p class="tally-reward__limit">{text}</p> })}
            {status}
            {actions}
        </Card>
    }
}
