//! Small browser capabilities that may be missing (insecure pages, older browsers): each is feature
//! tested first, because calling a missing one would throw into the host page.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn navigator() -> Option<web_sys::Navigator> {
    web_sys::window().map(|w| w.navigator())
}

fn has(target: &JsValue, name: &str) -> bool {
    Reflect::get(target, &name.into()).is_ok_and(|v| !v.is_undefined() && !v.is_null())
}

/// Copies `text` to the clipboard; `false` when the browser refuses or cannot.
pub async fn copy_text(text: &str) -> bool {
    let Some(navigator) = navigator() else {
        return false;
    };
    if !has(&navigator, "clipboard") {
        return false;
    }
    JsFuture::from(navigator.clipboard().write_text(text))
        .await
        .is_ok()
}

/// Whether the Web Share API is there.
pub fn can_share() -> bool {
    navigator().is_some_and(|n| {
        Reflect::get(&n, &"share".into()).is_ok_and(|f| f.is_instance_of::<js_sys::Function>())
    })
}

/// Opens the system share sheet; a cancel by the shopper is not an error worth telling.
pub async fn share(title: &str, text: &str, url: &str) {
    let Some(navigator) = navigator() else {
        return;
    };
    let data = web_sys::ShareData::new();
    data.set_title(title);
    data.set_text(text);
    data.set_url(url);
    let _ = JsFuture::from(navigator.share_with_data(&data)).await;
}

/// Encodes a value for a URL query (`mailto:`, share intents).
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
