//! The saved versions of the program, newest first, with who saved each and when, what each changed, and
//! a way to restore an older one.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError, ProgramVersion};
use crate::changes::program_changes;
use crate::state::use_console;

#[component]
pub fn History() -> impl IntoView {
    let console = use_console();
    let shop_id = console.shop_id_untracked();
    let items = RwSignal::new(Vec::<ProgramVersion>::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(false);
    let currency = RwSignal::new(String::from("USD"));
    let load = move |before: Option<String>, replace: bool| {
        let shop_id = console.shop_id_untracked();
        spawn_local(async move {
            if let Ok(p) = api::program(&shop_id).await {
                currency.set(p.shop.currency);
            }
            match api::versions(&shop_id, before.as_deref()).await {
                Ok(page) => {
                    next.set(page.next.map(|n| n.to_string()));
                    if replace {
                        items.set(page.items);
                    } else {
                        items.update(|i| i.extend(page.items));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(None, true);
    let restore = move |version: i64| {
        if !window()
            .confirm_with_message(console.t("confirm_restore"))
            .unwrap_or(false)
        {
            return;
        }
        let (shop_id, csrf) = (shop_id.clone(), console.csrf());
        spawn_local(async move {
            match api::restore_version(&shop_id, &csrf, version).await {
                Ok(_) => {
                    notice.set(true);
                    error.set(None);
                    load(None, true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <h1>{move || console.t("versions")}</h1>
        <p class="status" role="status">{move || notice.get().then(|| console.t("restored"))}</p>
        <p class="error" role="alert">{move || error.get().map(|e| e.message(console.lang.get()))}</p>
        <ol class="versions">
            {move || {
                let list = items.get();
                let cur = currency.get();
                list.iter().enumerate().map(|(n, v)| {
                    let older = list.get(n + 1);
                    let summary = older.map(|o| program_changes(&o.program, &v.program, &cur)).unwrap_or_default();
                    let version = v.version;
                    let restore = restore.clone();
                    let current = n == 0;
                    view! {
                        <li class="card version">
                            <h2>{format!("{} {}", console.t("version"), v.version)}
                                {current.then(|| view! { <span class="badge">{console.t("current")}</span> })}</h2>
                            <p class="muted">{format!("{} {} · {}", console.t("saved_by"), v.saved_by, v.saved_at)}</p>
                            <ul class="changes">{summary.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
                            {(!current).then(|| view! {
                                <button type="button" class="secondary" on:click=move |_| restore(version)
                                    aria-label=format!("{} {} {}", console.t("restore"), console.t("version"), version)>
                                    {console.t("restore")}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()
            }}
        </ol>
        {move || next.get().map(|cursor| view! {
            <button type="button" class="secondary" on:click=move |_| load(Some(cursor.clone()), false)>{console.t("older")}</button>
        })}
    }
}
