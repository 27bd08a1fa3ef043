use leptos::prelude::*;
use leptos::task::spawn_local;

use super::CopyButton;
use crate::browser::{self, encode};
use crate::config::is_safe_link;
use crate::format;
use crate::i18n::fill;
use crate::store::Store;
use crate::ui::{Button, LinkButton, Variant};

/// The shopper's referral link: copy, native share where the browser has it, mail, WhatsApp and X,
/// and how many friends joined.
#[component]
pub fn Referral() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    move || {
        let referral = store
            .data
            .me
            .with(|me| me.as_ref().map(|me| me.referral.clone()))?;
        // The URL comes from the API; it still must not be a `javascript:` link.
        if !is_safe_link(&referral.url) {
            return None;
        }
        let (shop, friend, advocate) = store.data.program.with(|p| {
            p.as_ref().map_or((String::new(), 0, 0), |p| {
                (
                    p.shop.name.clone(),
                    p.rules.referral.friend_points,
                    p.rules.referral.advocate_points,
                )
            })
        });
        let offer = fill(
            m.refer_offer,
            &[
                ("friend", &store.points(friend)),
                ("advocate", &store.points(advocate)),
            ],
        );
        let text = fill(
            m.share_text,
            &[("shop", &shop), ("friend", &store.points(friend))],
        );
        let url = referral.url.clone();
        let mail = format!(
            "mailto:?subject={}&body={}",
            encode(&shop),
            encode(&format!("{text} {url}"))
        );
        let whatsapp = format!("https://wa.me/?text={}", encode(&format!("{text} {url}")));
        let x = format!(
            "https://x.com/intent/post?text={}&url={}",
            encode(&text),
            encode(&url)
        );
        let count = referral.friends_referred;
        let locale = store.locale();
        let joined = fill(
            m.friends_joined
                .form(&format::plural_category(count, &locale)),
            &[("count", &format::number(count, &locale))],
        );
        let share = browser::can_share().then(|| {
            let (text, url, shop) = (text.clone(), url.clone(), shop.clone());
            view! {
                <Button
                    text=m.share
                    variant=Variant::Small
                    on_click=move |_| {
                        let (text, url, shop) = (text.clone(), url.clone(), shop.clone());
                        spawn_local(async move { browser::share(&shop, &text, &url).await });
                    }
                />
            }
        });
        Some(view! {
            <section class="tally-section tally-referral">
                <h3 class="tally-heading">{m.refer_heading}</h3>
                <p>{offer}</p>
                <p class="tally-code__label" id="tally-ref-label">{m.referral_link}</p>
                <div class="tally-row">
                    <input
                        class="tally-input"
                        type="text"
                        readonly
                        aria-labelledby="tally-ref-label"
                        prop:value=url.clone()
                    />
                    <CopyButton text=url.clone() label=m.copy_link/>
                </div>
                <div class="tally-row tally-share">
                    {share}
                    <LinkButton variant=Variant::Small href=mail new_tab=true text=m.share_email/>
                    <LinkButton variant=Variant::Small href=whatsapp new_tab=true text=m.share_whatsapp/>
                    <LinkButton variant=Variant::Small href=x new_tab=true text=m.share_x/>
                </div>
                <p class="tally-muted">{joined}</p>
            </section>
        })
    }
}
