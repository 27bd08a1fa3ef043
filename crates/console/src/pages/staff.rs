//! Staff and keys (owners): the staff list, adding someone with a role (their password shown once),
//! removing them, rotating the secret key (shown once, with its 24-hour grace), and the audit log.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_core::staff::{AuditEntry, NewStaff, Role, StaffMember};

use crate::api::{self, ApiError};
use crate::state::use_console;

#[component]
pub fn Staff() -> impl IntoView {
    let console = use_console();
    let shop_id = console.shop_id_untracked();
    let members = RwSignal::new(Vec::<StaffMember>::new());
    let error = RwSignal::new(None::<ApiError>);
    let email = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Manager);
    let added = RwSignal::new(None::<(String, String)>);
    let new_key = RwSignal::new(None::<String>);
    let audit = RwSignal::new(Vec::<AuditEntry>::new());
    let audit_next = RwSignal::new(None::<String>);
    let reload = {
        let shop_id = shop_id.clone();
        move || {
            let shop_id = shop_id.clone();
            spawn_local(async move {
                match api::staff(&shop_id).await {
                    Ok(list) => members.set(list.items),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let load_audit = {
        let shop_id = shop_id.clone();
        move |before: Option<String>| {
            let shop_id = shop_id.clone();
            spawn_local(async move {
                match api::audit(&shop_id, before.as_deref()).await {
                    Ok(page) => {
                        if before.is_some() {
                            audit.update(|a| a.extend(page.items));
                        } else {
                            audit.set(page.items);
                        }
                        audit_next.set(page.next);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    reload();
    load_audit(None);
    let add = {
        let (shop_id, reload, load_audit) = (shop_id.clone(), reload.clone(), load_audit.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let new = NewStaff {
                email: email.get_untracked().trim().to_owned(),
                role: role.get_untracked(),
                password: None,
            };
            let (shop_id, csrf, reload, load_audit) = (
                shop_id.clone(),
                console.csrf(),
                reload.clone(),
                load_audit.clone(),
            );
            spawn_local(async move {
                match api::add_staff(&shop_id, &csrf, &new).await {
                    Ok(a) => {
                        added.set(Some((a.email, a.password.unwrap_or_default())));
                        email.set(String::new());
                        error.set(None);
                        reload();
                        load_audit(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let remove = {
        let (shop_id, reload) = (shop_id.clone(), reload.clone());
        move |id: String| {
            if !window()
                .confirm_with_message(console.t("confirm_remove"))
                .unwrap_or(false)
            {
                return;
            }
            let (shop_id, csrf, reload) = (shop_id.clone(), console.csrf(), reload.clone());
            spawn_local(async move {
                match api::remove_staff(&shop_id, &csrf, &id).await {
                    Ok(()) => reload(),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let rotate = {
        let shop_id = shop_id.clone();
        move |_| {
            if !window()
                .confirm_with_message(console.t("confirm_rotate"))
                .unwrap_or(false)
            {
                return;
            }
            let (shop_id, csrf) = (shop_id.clone(), console.csrf());
            spawn_local(async move {
                match api::rotate_key(&shop_id, &csrf).await {
                    // Shown in the page only: never stored, never in a URL.
                    Ok(k) => new_key.set(Some(k.secret_key)),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let me = move || {
        console
            .session
            .with(|s| s.as_ref().map(|s| s.staff.id.clone()).unwrap_or_default())
    };
    let role_word = move |r: Role| match r {
        Role::Owner => console.t("role_owner"),
        Role::Manager => console.t("role_manager"),
        _ => console.t("role_clerk"),
    };
    view! {
        <h1>{move || console.t("nav_staff")}</h1>
        <p class="error" role="alert">{move || error.get().map(|e| e.message(console.lang.get()))}</p>
        <section class="card" aria-labelledby="staff-title">
            <h2 id="staff-title">{move || console.t("staff")}</h2>
            <table>
                <thead><tr><th scope="col">{move || console.t("email")}</th><th scope="col">{move || console.t("role")}</th><th scope="col"><span class="sr-only">{move || console.t("remove")}</span></th></tr></thead>
                <tbody>
                    {move || members.get().into_iter().map(|m| {
                        let id = m.id.clone();
                        let remove = remove.clone();
                        let label = format!("{} {}", console.t("remove"), m.email);
                        view! {
                            <tr>
                                <td>{m.email.clone()}</td>
                                <td>{role_word(m.role)}</td>
                                <td>{(m.id != me()).then(|| view! {
                                    <button type="button" class="link danger" aria-label=label on:click=move |_| remove(id.clone())>{console.t("remove")}</button>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <form class="row" on:submit=add>
                <div class="field">
                    <label for="new-staff-email">{move || console.t("email")}</label>
                    <input id="new-staff-email" type="email" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="new-staff-role">{move || console.t("role")}</label>
                    <select id="new-staff-role" on:change=move |ev| { if let Ok(r) = event_target_value(&ev).parse::<Role>() { role.set(r) } }>
                        {[Role::Manager, Role::Clerk, Role::Owner].into_iter().map(|r| view! {
                            <option value=r.to_string() selected=move || role.get() == r>{move || role_word(r)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="primary">{move || console.t("add_staff")}</button>
            </form>
            {move || added.get().map(|(email, password)| view! {
                <div class="once" role="status">
                    <p>{email}" — "{console.t("password_once")}</p>
                    <code class="secret">{password}</code>
                </div>
            })}
        </section>
        <section class="card" aria-labelledby="key-title">
            <h2 id="key-title">{move || console.t("secret_key")}</h2>
            <p>{move || console.t("rotate_hint")}</p>
            <button type="button" class="danger-button" on:click=rotate>{move || console.t("rotate_key")}</button>
            {move || new_key.get().map(|k| view! {
                <div class="once" role="status">
                    <p>{console.t("new_key")}</p>
                    <code class="secret">{k}</code>
                </div>
            })}
        </section>
        <section class="card" aria-labelledby="audit-title">
            <h2 id="audit-title">{move || console.t("audit")}</h2>
            <div class="table-scroll" tabindex="0">
            <table>
                <thead><tr>
                    <th scope="col">{move || console.t("when")}</th><th scope="col">{move || console.t("actor")}</th>
                    <th scope="col">{move || console.t("action")}</th><th scope="col">{move || console.t("target")}</th>
                </tr></thead>
                <tbody>
                    {move || audit.get().into_iter().map(|a| view! {
                        <tr><td>{a.created_at}</td><td>{a.actor}</td><td>{a.action}</td><td>{a.target}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            {move || audit_next.get().map(|cursor| {
                let load_audit = load_audit.clone();
                view! { <button type="button" class="secondary" on:click=move |_| load_audit(Some(cursor.clone()))>{console.t("older")}</button> }
            })}
        </section>
    }
}
