//! The browser, behind small functions: the store's logic calls these and nothing else of the page.
//!
//! Capabilities that may be missing (insecure pages, older browsers) are feature tested first, because
//! calling a missing one would throw into the host page. On a native target (`cargo test`) the ones the
//! store uses have stand-ins instead: sessionStorage in memory, console lines and `tally:*` events
//! recorded (see [`recorded`]), no navigator language. So the store's logic runs in plain `#[test]`s.

use tally_core::Redemption;

use crate::api::ApiError;

/// What the host page hears about (dispatched on `document` as `tally:*` events).
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    Open,
    Close,
    Error(&'a ApiError),
    Redeemed(&'a Redemption),
}

impl Event<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Open => "tally:open",
            Self::Close => "tally:close",
            Self::Error(_) => "tally:error",
            Self::Redeemed(_) => "tally:redeemed",
        }
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::Reflect;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::Event;
    use crate::events;

    pub fn warn(message: &str) {
        events::warn(message);
    }

    pub fn emit(event: Event<'_>) {
        let detail = match event {
            Event::Open | Event::Close => None,
            Event::Error(error) => Some(events::error_detail(error)),
            Event::Redeemed(redemption) => Some(events::redeemed_detail(redemption)),
        };
        events::emit(event.name(), detail.as_ref());
    }

    fn storage() -> Option<web_sys::Storage> {
        // Reading `sessionStorage` throws when storage is blocked (sandboxed frames, some privacy modes).
        web_sys::window()?.session_storage().ok().flatten()
    }

    pub fn session_get(key: &str) -> Option<String> {
        storage()?.get_item(key).ok().flatten()
    }

    pub fn session_set(key: &str, text: &str) {
        if let Some(storage) = storage() {
            // A full storage only costs us the instant view next time.
            let _ = storage.set_item(key, text);
        }
    }

    pub fn session_remove(key: &str) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(key);
        }
    }

    pub fn language() -> Option<String> {
        web_sys::window()?.navigator().language()
    }

    pub fn encode(value: &str) -> String {
        js_sys::encode_uri_component(value).into()
    }

    pub fn now_ms() -> u64 {
        js_sys::Date::now() as u64
    }

    pub fn random_u32() -> u32 {
        (js_sys::Math::random() * 4_294_967_296.0) as u32
    }

    pub fn is_past(rfc3339: &str) -> bool {
        // NaN (a time the browser cannot read) compares false: not past.
        js_sys::Date::parse(rfc3339) <= js_sys::Date::now()
    }

    fn navigator() -> Option<web_sys::Navigator> {
        web_sys::window().map(|w| w.navigator())
    }

    fn has(target: &JsValue, name: &str) -> bool {
        Reflect::get(target, &name.into()).is_ok_and(|v| !v.is_undefined() && !v.is_null())
    }

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

    pub fn can_share() -> bool {
        navigator().is_some_and(|n| {
            Reflect::get(&n, &"share".into()).is_ok_and(|f| f.is_instance_of::<js_sys::Function>())
        })
    }

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
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    //! Stand-ins for native tests, one set per test thread.
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::Event;

    thread_local! {
        static STORAGE: RefCell<HashMap<String, String>> = RefCell::default();
        static RECORDED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
        static COUNTER: RefCell<u32> = const { RefCell::new(0) };
        static NOW: RefCell<String> = RefCell::new("2026-06-15T12:00:00Z".to_owned());
    }

    /// Sets the stand-in clock of [`is_past`] (RFC 3339 in UTC, as the API writes times).
    pub fn set_now(rfc3339: &str) {
        NOW.with(|n| *n.borrow_mut() = rfc3339.to_owned());
    }

    /// Against the stand-in clock: RFC 3339 times in UTC compare as text.
    pub fn is_past(rfc3339: &str) -> bool {
        NOW.with(|n| rfc3339 <= n.borrow().as_str())
    }

    fn record(line: String) {
        RECORDED.with(|r| r.borrow_mut().push(line));
    }

    pub fn recorded() -> Vec<String> {
        RECORDED.with(|r| r.borrow_mut().drain(..).collect())
    }

    pub fn warn(message: &str) {
        record(format!("[tally] {message}"));
    }

    pub fn emit(event: Event<'_>) {
        record(event.name().to_owned());
    }

    pub fn session_get(key: &str) -> Option<String> {
        STORAGE.with(|s| s.borrow().get(key).cloned())
    }

    pub fn session_set(key: &str, text: &str) {
        STORAGE.with(|s| s.borrow_mut().insert(key.to_owned(), text.to_owned()));
    }

    pub fn session_remove(key: &str) {
        STORAGE.with(|s| s.borrow_mut().remove(key));
    }

    pub fn language() -> Option<String> {
        None
    }

    pub fn encode(value: &str) -> String {
        // What encodeURIComponent leaves alone: A-Z a-z 0-9 - _ . ! ~ * ' ( )
        let mut out = String::with_capacity(value.len());
        for b in value.bytes() {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    pub fn now_ms() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    pub fn random_u32() -> u32 {
        COUNTER.with(|c| {
            let mut c = c.borrow_mut();
            *c = c.wrapping_add(1);
            c.wrapping_mul(2_654_435_761)
        })
    }

    pub async fn copy_text(_text: &str) -> bool {
        false
    }

    pub fn can_share() -> bool {
        false
    }

    pub async fn share(_title: &str, _text: &str, _url: &str) {}
}

#[cfg(not(target_arch = "wasm32"))]
pub use imp::{recorded, set_now};

/// Whether an RFC 3339 time (a limit's reset, the next feedback) has come.
pub fn is_past(rfc3339: &str) -> bool {
    imp::is_past(rfc3339)
}

/// One console line, prefixed `[tally]`; never an exception.
pub fn warn(message: &str) {
    imp::warn(message);
}

/// Tells the host page: a `tally:*` event on `document`.
pub fn emit(event: Event<'_>) {
    imp::emit(event);
}

/// A sessionStorage item; `None` when it is missing or storage is blocked.
pub fn session_get(key: &str) -> Option<String> {
    imp::session_get(key)
}

/// Stores a sessionStorage item; a blocked or full storage is not an error.
pub fn session_set(key: &str, text: &str) {
    imp::session_set(key, text);
}

pub fn session_remove(key: &str) {
    imp::session_remove(key);
}

/// The browser's language (`navigator.language`).
pub fn language() -> Option<String> {
    imp::language()
}

/// Encodes a value for a URL (a path segment, a query: `mailto:`, share intents).
pub fn encode(value: &str) -> String {
    imp::encode(value)
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    imp::now_ms()
}

/// 32 random bits (not for secrets).
pub fn random_u32() -> u32 {
    imp::random_u32()
}

/// Copies `text` to the clipboard; `false` when the browser refuses or cannot.
pub async fn copy_text(text: &str) -> bool {
    imp::copy_text(text).await
}

/// Whether the Web Share API is there.
pub fn can_share() -> bool {
    imp::can_share()
}

/// Opens the system share sheet; a cancel by the shopper is not an error worth telling.
pub async fn share(title: &str, text: &str, url: &str) {
    imp::share(title, text, url).await;
}
