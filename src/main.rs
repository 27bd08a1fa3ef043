//! The wasm entry point: only the exports the loader calls (`mount` and the `Tally` handle).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

/// The handle behind `window.Tally`; the loader queues calls until it exists.
#[wasm_bindgen]
pub struct Tally(tally_widget::Widget);

#[wasm_bindgen]
impl Tally {
    pub fn open(&self) {
        self.0.open();
    }

    pub fn close(&self) {
        self.0.close();
    }

    pub fn refresh(&self) {
        self.0.refresh();
    }

    /// `{id, timestamp, signature}` signs a shopper in; `null` signs them out.
    #[wasm_bindgen(js_name = setCustomer)]
    pub fn set_customer(&self, customer: JsValue) {
        if customer.is_null() || customer.is_undefined() {
            self.0.set_customer(None);
            return;
        }
        let field = |name: &str| {
            Reflect::get(&customer, &name.into())
                .ok()
                .and_then(|v| {
                    v.as_string()
                        .or_else(|| v.as_f64().map(|n| (n as i64).to_string()))
                })
                .unwrap_or_default()
        };
        let (id, timestamp, signature) = (field("id"), field("timestamp"), field("signature"));
        self.0.set_customer(Some((&id, &timestamp, &signature)));
    }

    /// A theme object (or its JSON text) that replaces the script tag's `data-theme`; invalid values are
    /// named on the console and left out, as for the tag.
    #[wasm_bindgen(js_name = setTheme)]
    pub fn set_theme(&self, theme: JsValue) {
        self.0.set_theme(&theme_json(&theme));
    }

    pub fn destroy(&mut self) {
        self.0.destroy();
    }
}

/// A theme given as an object or as JSON text.
fn theme_json(theme: &JsValue) -> tally_core::theme::Json {
    match theme.as_string() {
        Some(text) => {
            tally_widget::wire::parse_json(&text).unwrap_or(tally_core::theme::Json::String(text))
        }
        None => tally_widget::wire::to_json(theme),
    }
}

/// Mounts the widget into `root` with the script tag's `dataset`; `origin` is the loader's origin and
/// `assets` the URL of the widget's files (ending in `/`).
#[wasm_bindgen]
pub fn mount(
    root: web_sys::ShadowRoot,
    dataset: Object,
    origin: String,
    assets: Option<String>,
) -> Option<Tally> {
    let attributes: Vec<(String, String)> = Object::entries(&dataset)
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    tally_widget::mount(root, &attributes, &origin, assets).map(Tally)
}

fn main() {
    tally_widget::install_panic_hook();
}
