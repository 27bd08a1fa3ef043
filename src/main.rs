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

    pub fn destroy(&mut self) {
        self.0.destroy();
    }
}

/// Mounts the widget into `root` with the script tag's `dataset`; `origin` is the loader's origin.
#[wasm_bindgen]
pub fn mount(root: web_sys::ShadowRoot, dataset: Object, origin: String) -> Option<Tally> {
    let attributes: Vec<(String, String)> = Object::entries(&dataset)
        .iter()
        .filter_map(|entry| {
            let pair: Array = entry.unchecked_into();
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    tally_widget::mount(root, &attributes, &origin).map(Tally)
}

fn main() {
    tally_widget::install_panic_hook();
}
