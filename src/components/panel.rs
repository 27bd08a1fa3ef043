use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::app::title;
use super::Content;
use crate::store::Store;

/// The launcher's modal dialog: focus moves in, stays in (Tab wraps), and returns on close;
/// Escape, the close button and a click outside all close it.
#[component]
pub fn Panel() -> impl IntoView {
    let store = expect_context::<Store>();
    let m = store.messages();
    let panel: NodeRef<html::Div> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(panel) = panel.get() {
            let _ = panel.focus();
        }
    });
    let on_keydown = move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.stop_propagation();
            store.set_open(false);
        }
        "Tab" => {
            if let Some(panel) = panel.get_untracked() {
                trap_tab(&panel, &ev);
            }
        }
        _ => {}
    };
    view! {
        <div class="tally-backdrop" part="backdrop" on:click=move |_| store.set_open(false)></div>
        <div
            class="tally-panel"
            part="panel"
            role="dialog"
            aria-modal="true"
            aria-labelledby="tally-title"
            tabindex="-1"
            node_ref=panel
            on:keydown=on_keydown
        >
            <div class="tally-panel__header" part="panel-header">
                <h2 class="tally-title" id="tally-title">{move || title(store)}</h2>
                <button
                    class="tally-close"
                    type="button"
                    part="close"
                    aria-label=m.close
                    on:click=move |_| store.set_open(false)
                >
                    <svg viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M6 6l12 12M18 6L6 18"/>
                    </svg>
                </button>
            </div>
            <div class="tally-panel__body" part="panel-body">
                <Content/>
            </div>
        </div>
    }
}

/// Keeps Tab and Shift+Tab inside the dialog.
fn trap_tab(panel: &web_sys::HtmlDivElement, ev: &web_sys::KeyboardEvent) {
    let Ok(list) = panel
        .query_selector_all("button:not([disabled]),a[href],input,textarea,summary,[tabindex='0']")
    else {
        return;
    };
    let len = list.length();
    if len == 0 {
        return;
    }
    let (Some(first), Some(last)) = (list.item(0), list.item(len - 1)) else {
        return;
    };
    let active = panel
        .get_root_node()
        .dyn_into::<web_sys::ShadowRoot>()
        .ok()
        .and_then(|root| root.active_element());
    let at = |node: &web_sys::Node| {
        active.as_ref().is_some_and(|a| {
            let a: &web_sys::Node = a.as_ref();
            a == node
        })
    };
    let panel_node: &web_sys::Node = panel.as_ref();
    let wrap_to = if ev.shift_key() && (at(&first) || at(panel_node)) {
        Some(last)
    } else if !ev.shift_key() && at(&last) {
        Some(first)
    } else {
        None
    };
    if let Some(target) = wrap_to.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
        ev.prevent_default();
        let _ = target.focus();
    }
}
