//! The shell: the session check, sign-in or the layout (header, shop switcher, language, navigation that
//! shows only what the role may do) and the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use tally_core::staff::{Permission, Role};

use crate::api;
use crate::i18n::Lang;
use crate::pages::{
    appearance, codes, counter, customers, data, history, install, program, reports, signin, staff,
    webhooks, welcome,
};
use crate::state::{use_console, Console};

#[component]
pub fn App() -> impl IntoView {
    let console = Console::new();
    provide_context(console);
    spawn_local(async move {
        if let Ok(session) = api::current_session().await {
            console.signed_in(session);
        }
        console.checked.set(true);
    });
    // The page's language and direction follow the console's.
    Effect::new(move |_| {
        let lang = console.lang.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.code());
            let _ = root.set_attribute("dir", lang.dir());
        }
    });
    view! {
        <Router base="/console">
            {move || {
                if !console.checked.get() {
                    view! { <p class="splash">{console.t("loading")}</p> }.into_any()
                } else if console.session.with(Option::is_none) {
                    view! { <signin::SignIn /> }.into_any()
                } else {
                    view! { <Layout /> }.into_any()
                }
            }}
        </Router>
    }
}

fn role_key(role: Role) -> &'static str {
    match role {
        Role::Owner => "role_owner",
        Role::Manager => "role_manager",
        _ => "role_clerk",
    }
}

#[component]
fn Layout() -> impl IntoView {
    let console = use_console();
    let signing_out = RwSignal::new(false);
    let sign_out = move |_| {
        signing_out.set(true);
        let csrf = console.csrf();
        spawn_local(async move {
            // Signed out here even when the server could not be told: the cookie is HttpOnly and the
            // server's session expires on its own.
            let _ = api::sign_out(&csrf).await;
            signing_out.set(false);
            console.signed_out();
        });
    };
    let shops = move || {
        console
            .session
            .with(|s| s.as_ref().map(|s| s.shops.clone()).unwrap_or_default())
    };
    let email = move || {
        console.session.with(|s| {
            s.as_ref()
                .map(|s| s.staff.email.clone())
                .unwrap_or_default()
        })
    };
    let nav_item = move |href: &'static str, key: &'static str, need: Permission| {
        move || {
            console.may(need).then(|| {
                // Absolute, with the router's base: leptos_router's <A> does not prefix it.
                view! { <li><A href=href>{console.t(key)}</A></li> }
            })
        }
    };
    view! {
        <a class="skip" href="#main">{move || console.t("skip_link")}</a>
        <header class="top">
            <span class="brand">{move || console.t("app_name")}</span>
            <div class="top-tools">
                {move || {
                    let list = shops();
                    if list.len() > 1 {
                        view! {
                            <label class="inline-label" for="shop-switcher">{console.t("shop")}</label>
                            <select id="shop-switcher" on:change=move |ev| console.choose_shop(event_target_value(&ev))>
                                {list.into_iter().map(|s| {
                                    let selected = console.shop_id.get_untracked().as_deref() == Some(s.id.as_str());
                                    view! { <option value=s.id.clone() selected=selected>{s.name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any()
                    } else {
                        view! { <span class="shop-name">{console.shop().map(|s| s.name).unwrap_or_default()}</span> }.into_any()
                    }
                }}
                <span class="who">
                    {email} " · " {move || console.role().map(|r| console.t(role_key(r))).unwrap_or_default()}
                </span>
                <LangSwitcher />
                <button type="button" class="secondary" on:click=sign_out disabled=move || signing_out.get()>
                    {move || console.t("sign_out")}
                </button>
            </div>
        </header>
        <div class="frame">
            <nav class="side" aria-label=move || console.t("nav")>
                <ul>
                    {nav_item("/console/counter", "nav_counter", Permission::Counter)}
                    {nav_item("/console/customers", "nav_customers", Permission::Counter)}
                    {nav_item("/console/codes", "nav_codes", Permission::Counter)}
                    {nav_item("/console/reports", "nav_reports", Permission::Manage)}
                    {nav_item("/console/welcome", "nav_welcome", Permission::Manage)}
                    {nav_item("/console/program", "nav_program", Permission::Manage)}
                    {nav_item("/console/history", "nav_history", Permission::Manage)}
                    {nav_item("/console/appearance", "nav_appearance", Permission::Manage)}
                    {nav_item("/console/install", "nav_install", Permission::Manage)}
                    {nav_item("/console/webhooks", "nav_webhooks", Permission::Manage)}
                    {nav_item("/console/data", "nav_data", Permission::Manage)}
                    {nav_item("/console/staff", "nav_staff", Permission::Administer)}
                </ul>
            </nav>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <Home /> }>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/welcome") view=|| guard(Permission::Manage, || view! { <welcome::Welcome /> }.into_any()) />
                    <Route path=path!("/program") view=|| guard(Permission::Manage, || view! { <program::ProgramPage /> }.into_any()) />
                    <Route path=path!("/history") view=|| guard(Permission::Manage, || view! { <history::History /> }.into_any()) />
                    <Route path=path!("/appearance") view=|| guard(Permission::Manage, || view! { <appearance::Appearance /> }.into_any()) />
                    <Route path=path!("/install") view=|| guard(Permission::Manage, || view! { <install::Install /> }.into_any()) />
                    <Route path=path!("/counter") view=|| guard(Permission::Counter, || view! { <counter::Counter /> }.into_any()) />
                    <Route path=path!("/customers") view=|| guard(Permission::Counter, || view! { <customers::Customers /> }.into_any()) />
                    <Route path=path!("/customers/:id") view=|| guard(Permission::Counter, || view! { <customers::CustomerDetail /> }.into_any()) />
                    <Route path=path!("/codes") view=|| guard(Permission::Counter, || view! { <codes::Codes /> }.into_any()) />
                    <Route path=path!("/reports") view=|| guard(Permission::Manage, || view! { <reports::Reports /> }.into_any()) />
                    <Route path=path!("/webhooks") view=|| guard(Permission::Manage, || view! { <webhooks::Webhooks /> }.into_any()) />
                    <Route path=path!("/data") view=|| guard(Permission::Manage, || view! { <data::Data /> }.into_any()) />
                    <Route path=path!("/staff") view=|| guard(Permission::Administer, || view! { <staff::Staff /> }.into_any()) />
                </Routes>
            </main>
        </div>
    }
}

/// A page only for roles that may do `need`; others read why.
fn guard(need: Permission, page: fn() -> AnyView) -> impl IntoView {
    let console = use_console();
    move || {
        // Re-created on a shop switch: every page loads its shop's data when it is made.
        let _ = console.shop_id.get();
        if console.may(need) {
            page()
        } else {
            view! { <section class="card"><h1>{console.t("err_forbidden")}</h1><p>{console.t("not_allowed_page")}</p></section> }.into_any()
        }
    }
}

#[component]
fn Home() -> impl IntoView {
    let console = use_console();
    // The program for those who run it; the counter for a clerk, whose work is at the till.
    move || {
        if console.may(Permission::Manage) {
            view! { <program::ProgramPage /> }.into_any()
        } else {
            view! { <counter::Counter /> }.into_any()
        }
    }
}

#[component]
pub fn LangSwitcher() -> impl IntoView {
    let console = use_console();
    view! {
        <label class="inline-label" for="lang-switcher">{move || console.t("language")}</label>
        <select id="lang-switcher" on:change=move |ev| {
            if let Some(lang) = Lang::from_tag(&event_target_value(&ev)) {
                console.choose_lang(lang);
            }
        }>
            {Lang::ALL.into_iter().map(|lang| view! {
                <option value=lang.code() lang=lang.code() selected=move || console.lang.get() == lang>{lang.name()}</option>
            }).collect_view()}
        </select>
    }
}
