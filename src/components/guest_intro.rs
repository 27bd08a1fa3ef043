use leptos::prelude::*;
use tally_core::rules::minor_per_unit;
use tally_core::EarnRuleKind;

use crate::i18n::fill;
use crate::state::Store;

/// For a guest: what the program is, how it works, and the way in (join or sign in).
#[component]
pub fn GuestIntro() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let heading = move || {
        store.program.with(|p| {
            fill(
                m.guest_heading,
                &[("shop", p.as_ref().map_or("", |p| p.shop.name.as_str()))],
            )
        })
    };
    let intro = move || {
        store.program.with(|p| {
            let names = p
                .as_ref()
                .map_or("points", |p| p.rules.points.plural.as_str());
            fill(m.guest_intro, &[("points_name", names)])
        })
    };
    let signup_points = move || {
        store.program.with(|p| {
            p.as_ref()
                .and_then(|p| {
                    p.rules
                        .earn_rules
                        .iter()
                        .find(|r| r.kind == EarnRuleKind::Signup)
                })
                .and_then(|r| r.points)
        })
    };
    let earn = move || {
        let rule = store.program.with(|p| {
            let p = p.as_ref()?;
            let rule = p
                .rules
                .earn_rules
                .iter()
                .find(|r| r.kind == EarnRuleKind::Purchase)?;
            Some((
                rule.points_per_unit.unwrap_or(0),
                minor_per_unit(&p.shop.currency),
            ))
        });
        rule.map(|(points, unit)| {
            fill(
                m.per_unit,
                &[
                    ("points", &store.points(points)),
                    ("unit", &store.money(unit, true)),
                ],
            )
        })
    };
    let cheapest = move || {
        store.program.with(|p| {
            p.as_ref()
                .and_then(|p| p.rules.rewards.iter().map(|r| r.points_cost).min())
        })
    };
    view! {
        <div class="tally-guest">
            <p class="tally-guest__heading">{heading}</p>
            <p>{intro}</p>
            <ol class="tally-steps">
                <li class="tally-steps__item">
                    <span class="tally-steps__title">{m.how_join}</span>
                    {move || signup_points().map(|n| format!("+{}", store.points(n)))}
                </li>
                <li class="tally-steps__item">
                    <span class="tally-steps__title">{m.how_earn}</span>
                    {earn}
                </li>
                <li class="tally-steps__item">
                    <span class="tally-steps__title">{m.how_redeem}</span>
                    {move || cheapest().map(|n| fill(m.how_redeem_detail, &[("points", &store.points(n))]))}
                </li>
            </ol>
            <div class="tally-row">
                <a class="tally-button tally-button--primary" href=store.signup_url.get_value()>{m.join}</a>
                <a class="tally-button" href=store.login_url.get_value()>{m.sign_in}</a>
            </div>
        </div>
    }
}
