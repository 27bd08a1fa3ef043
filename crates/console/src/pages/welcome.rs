//! The first-run guide for a new shop: currency, language and origins, then how points are earned, tiers,
//! rewards, referrals and expiry, one step at a time, then saving and the install step.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use tally_core::api::{ProgramUpdate, Shop};

use crate::api::{self, ApiError, ShopPatch};
use crate::form::TextField;
use crate::pages::program::{EditorPage, OriginSection, Part};
use crate::state::use_console;

#[component]
pub fn Welcome() -> impl IntoView {
    view! { <EditorPage part=Part::Guide /> }
}

const STEPS: usize = 6;

#[component]
pub fn Guide(
    draft: RwSignal<ProgramUpdate>,
    shop: Shop,
    saved: RwSignal<Option<Result<(), ApiError>>>,
    save_bar: ViewFn,
) -> impl IntoView {
    let console = use_console();
    let step = RwSignal::new(0_usize);
    let currency = RwSignal::new(shop.currency.clone());
    let locale = RwSignal::new(shop.locale.clone());
    let shop_error = RwSignal::new(None::<ApiError>);
    let original = (shop.currency.clone(), shop.locale.clone());
    let shop_id = shop.id.clone();
    let next = move |_| {
        if step.get_untracked() == 0 {
            let patch = ShopPatch {
                name: None,
                currency: (currency.get_untracked() != original.0)
                    .then(|| currency.get_untracked().trim().to_uppercase()),
                locale: (locale.get_untracked() != original.1).then(|| locale.get_untracked()),
            };
            if patch.currency.is_some() || patch.locale.is_some() {
                let (shop_id, csrf) = (shop_id.clone(), console.csrf());
                spawn_local(async move {
                    match api::patch_shop(&shop_id, &csrf, &patch).await {
                        Ok(_) => {
                            shop_error.set(None);
                            step.set(1);
                        }
                        // Stays on this step with what was typed.
                        Err(e) => shop_error.set(Some(e)),
                    }
                });
                return;
            }
        }
        step.update(|s| *s = (*s + 1).min(STEPS - 1));
    };
    let (cur_v, cur_set) = (
        Signal::derive(move || currency.get()),
        Callback::new(move |v| currency.set(v)),
    );
    let (loc_v, loc_set) = (
        Signal::derive(move || locale.get()),
        Callback::new(move |v| locale.set(v)),
    );
    let body = move || {
        match step.get() {
        0 => view! {
            <fieldset class="card">
                <legend>{console.t("shop_basics")}</legend>
                <div class="grid2">
                    <TextField label="currency" path="shop.currency" value=cur_v set=cur_set />
                    <TextField label="shop_locale" path="shop.locale" value=loc_v set=loc_set />
                </div>
                <p class="error" role="alert">{move || shop_error.get().map(|e| e.message(console.lang.get()))}</p>
            </fieldset>
            <OriginSection draft=draft />
        }.into_any(),
        1 => view! { <crate::pages::program::EarnStep draft=draft /> }.into_any(),
        2 => view! { <crate::pages::program::TierStep draft=draft currency=currency.get_untracked() /> }.into_any(),
        3 => view! { <crate::pages::program::RewardStep draft=draft /> }.into_any(),
        4 => view! { <crate::pages::program::ReferralExpiryStep draft=draft /> }.into_any(),
        _ => view! {
            {save_bar.run()}
            {move || matches!(saved.get(), Some(Ok(()))).then(|| view! {
                <section class="card">
                    <p class="ok">{console.t("welcome_done")}</p>
                    <A href="/console/install">{console.t("nav_install")}</A>
                </section>
            })}
        }.into_any(),
    }
    };
    view! {
        <h1>{move || console.t("welcome_title")}</h1>
        <p class="muted" aria-live="polite">{move || format!("{} {} {} {}", console.t("step"), step.get() + 1, console.t("of"), STEPS)}</p>
        {body}
        <div class="actions">
            <button type="button" class="secondary" disabled=move || step.get() == 0 on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>{move || console.t("back")}</button>
            {move || (step.get() < STEPS - 1).then(|| view! {
                <button type="button" class="primary" id="guide-next" on:click=next.clone()>{console.t("next")}</button>
            })}
        </div>
    }
}
