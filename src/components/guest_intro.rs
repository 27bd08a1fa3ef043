use leptos::prelude::*;
use tally_core::rules::minor_per_unit;
use tally_core::EarnRuleKind;

use crate::i18n::fill;
use crate::store::Store;
use crate::ui::{LinkButton, Variant};

/// For a guest: what the program is, how it works, and the way in (join or sign in).
#[component]
pub fn GuestIntro() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let (signup, login) = store
        .config
        .with_value(|c| (c.signup_url.clone(), c.login_url.clone()));
    // One closure for the texts, which all follow the program: fewer reactive views, a smaller wasm.
    let steps = move || {
        let (shop, points_name, signup_points, purchase, currency, cheapest) =
            store.data.program.with(|p| {
                let p = p.as_ref()?;
                let rule = |kind| p.rules.earn_rules.iter().find(|r| r.kind == kind);
                Some((
                    p.shop.name.clone(),
                    p.rules.points.plural.clone(),
                    rule(EarnRuleKind::Signup).and_then(|r| r.points),
                    rule(EarnRuleKind::Purchase).map(|r| r.points_per_unit.unwrap_or(0)),
                    p.shop.currency.clone(),
                    // A free reward (a member's monthly sample) is not where redeeming starts.
                    p.rules
                        .rewards
                        .iter()
                        .map(|r| r.points_cost)
                        .filter(|c| *c > 0)
                        .min(),
                ))
            })?;
        let earn = purchase.map(|points| {
            fill(
                m.per_unit,
                &[
                    ("points", &store.points(points)),
                    ("unit", &store.money(minor_per_unit(&currency), true)),
                ],
            )
        });
        Some(view! {
            <p class="tally-guest__heading">{fill(m.guest_heading, &[("shop", &shop)])}</p>
            <p>{fill(m.guest_intro, &[("points_name", &points_name)])}</p>
            <ol class="tally-steps">
                <li class="tally-steps__item">
                    <span class="tally-steps__title">{m.how_join}</span>
                    {signup_points.map(|n| format!("+{}", store.points(n)))}
                </li>
                <li class="tally-steps__item">
                    <span class="tally-steps__title">{m.how_earn}</span>
                    {earn}
                </li>
                <li class="tally-steps__item">
                    <span class="tally-steps__title">{m.how_redeem}</span>
                    {cheapest.map(|n| fill(m.how_redeem_detail, &[("points", &store.points(n))]))}
                </li>
            </ol>
        })
    };
    view! {
        <div class="tally-guest">
            {steps}
            <div class="tally-row">
                <LinkButton variant=Variant::Primary href=signup text=m.join/>
                <LinkButton href=login text=m.sign_in/>
            </div>
        </div>
    }
}
