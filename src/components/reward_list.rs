use leptos::prelude::*;

use super::RewardCard;
use crate::store::Store;

/// Every reward of the program, as cards.
#[component]
pub fn RewardList() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let heading = move || {
        if store.data.me.with(Option::is_some) {
            m.rewards_heading
        } else {
            m.guest_rewards_heading
        }
    };
    let rewards = move || {
        store.data.program.with(|p| {
            p.as_ref()
                .map(|p| p.rules.rewards.clone())
                .unwrap_or_default()
        })
    };
    view! {
        <section class="tally-section">
            <h3 class="tally-heading">{heading}</h3>
            <ul class="tally-rewards">
                <For each=rewards key=|r| r.id.clone() let:reward>
                    <RewardCard reward=reward/>
                </For>
            </ul>
        </section>
    }
}
