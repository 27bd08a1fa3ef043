//! Install: the script tag for this shop, signing code for the shop's back end with the shop id filled
//! in, and a check of where the widget has been seen.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, InstallStatus};
use crate::snippets::{script_tag, signing_code, LANGUAGES};
use crate::state::use_console;

#[component]
pub fn Install() -> impl IntoView {
    let console = use_console();
    let shop_id = console.shop_id_untracked();
    let host = window().location().origin().unwrap_or_default();
    let tag = script_tag(&host, &shop_id);
    let language = RwSignal::new("Node");
    let status = RwSignal::new(None::<Result<InstallStatus, ApiError>>);
    let copied = RwSignal::new(None::<&'static str>);
    let copy = move |what: &'static str, text: String| {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&text);
        copied.set(Some(what));
    };
    let sid = shop_id.clone();
    let test = move |_| {
        let sid = sid.clone();
        status.set(None);
        spawn_local(async move { status.set(Some(api::install_status(&sid).await)) });
    };
    let tag2 = tag.clone();
    let code = move || signing_code(language.get(), &shop_id);
    view! {
        <h1>{move || console.t("nav_install")}</h1>
        <section class="card" aria-labelledby="tag-title">
            <h2 id="tag-title">{move || console.t("script_tag")}</h2>
            <pre class="code" tabindex="0"><code>{tag}</code></pre>
            <button type="button" class="secondary" on:click=move |_| copy("tag", tag2.clone())>{move || console.t("copy")}</button>
            <span role="status" class="ok">{move || (copied.get() == Some("tag")).then(|| console.t("copied"))}</span>
        </section>
        <section class="card" aria-labelledby="sign-title">
            <h2 id="sign-title">{move || console.t("signing_code")}</h2>
            <p class="muted">{move || console.t("signing_hint")}</p>
            <div class="segmented" role="group" aria-labelledby="sign-title">
                {LANGUAGES.into_iter().map(|l| view! {
                    <button type="button" aria-pressed=move || (language.get() == l).to_string() on:click=move |_| language.set(l)>{l}</button>
                }).collect_view()}
            </div>
            <pre class="code" tabindex="0"><code>{code.clone()}</code></pre>
            <button type="button" class="secondary" on:click=move |_| copy("code", code())>{move || console.t("copy")}</button>
            <span role="status" class="ok">{move || (copied.get() == Some("code")).then(|| console.t("copied"))}</span>
        </section>
        <section class="card" aria-labelledby="test-title">
            <h2 id="test-title">{move || console.t("test_install")}</h2>
            <button type="button" class="primary" id="test-install" on:click=test>{move || console.t("test_install")}</button>
            <div role="status">
                {move || match status.get() {
                    None => ().into_any(),
                    Some(Err(e)) => view! { <p class="error">{e.message(console.lang.get())}</p> }.into_any(),
                    Some(Ok(s)) => {
                        let seen = s.origins;
                        if seen.is_empty() {
                            view! { <p class="warn">{console.t("not_seen")}</p> }.into_any()
                        } else {
                            view! { <ul>{seen.into_iter().map(|o| view! {
                                <li class="ok">{format!("{} {} · {}", console.t("seen_on"), o.origin, o.last_seen_at)}</li>
                            }).collect_view()}</ul> }.into_any()
                        }
                    }
                }}
            </div>
        </section>
    }
}
