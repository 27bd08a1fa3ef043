//! Sign in: email and password; errors say what happened (wrong password, locked, network down) and the
//! form keeps what was typed.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::app::LangSwitcher;
use crate::state::use_console;

#[component]
pub fn SignIn() -> impl IntoView {
    let console = use_console();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        spawn_local(async move {
            match api::sign_in(e.trim(), &p).await {
                Ok(session) => {
                    password.set(String::new());
                    console.signed_in(session);
                }
                Err(why) => error.set(Some(why)),
            }
            pending.set(false);
        });
    };
    let message = move || {
        error.get().map(|e| match e {
            ApiError::Unauthorized => console.t("err_credentials").to_owned(),
            other => other.message(console.lang.get()),
        })
    };
    view! {
        <main class="signin" id="main">
            <div class="signin-lang"><LangSwitcher /></div>
            <form class="card" on:submit=submit novalidate>
                <p class="brand">{move || console.t("app_name")}</p>
                <h1>{move || console.t("sign_in_title")}</h1>
                <div class="field">
                    <label for="email">{move || console.t("email")}</label>
                    <input id="email" type="email" autocomplete="username" required
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="password">{move || console.t("password")}</label>
                    <input id="password" type="password" autocomplete="current-password" required
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                <p class="error" role="alert">{message}</p>
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { console.t("signing_in") } else { console.t("sign_in") }}
                </button>
            </form>
        </main>
    }
}
