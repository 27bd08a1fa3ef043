//! What the host page hears from the widget: `tally:*` events on `document` and quiet console lines.

use js_sys::{Object, Reflect};
use tally_core::{error_code, Redemption};
use wasm_bindgen::JsValue;

use crate::api::ApiError;

/// One console line, prefixed so a merchant knows where it came from; never an exception.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("[tally] {message}")));
}

/// Dispatches `name` on `document` with an optional `detail`.
pub fn emit(name: &str, detail: Option<&JsValue>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let init = web_sys::CustomEventInit::new();
    if let Some(detail) = detail {
        init.set_detail(detail);
    }
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        // A listener that throws is reported by the browser and does not reach us.
        let _ = document.dispatch_event(&event);
    }
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in fields {
        let _ = Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// `{reward_id, code, points_spent, balance}` of `tally:redeemed`.
pub fn redeemed_detail(r: &Redemption) -> JsValue {
    object(&[
        ("reward_id", r.reward_id.as_str().into()),
        ("code", r.code.as_str().into()),
        ("points_spent", (r.points_spent as f64).into()),
        ("balance", (r.balance as f64).into()),
    ])
}

/// `{code, status}` of `tally:error`: the contract's error code, or `network` / `server` for failures
/// that carry none.
pub fn error_detail(error: &ApiError) -> JsValue {
    let (code, status) = match error {
        ApiError::Network => ("network", 0),
        ApiError::Unauthorized => (error_code::UNAUTHORIZED, 401),
        ApiError::NotFound => (error_code::NOT_FOUND, 404),
        ApiError::RateLimited => (error_code::RATE_LIMITED, 429),
        ApiError::InsufficientPoints => (error_code::INSUFFICIENT_POINTS, 422),
        ApiError::RewardUnavailable => (error_code::REWARD_UNAVAILABLE, 422),
        ApiError::LimitReached => (error_code::LIMIT_REACHED, 422),
        ApiError::FeedbackTooSoon => (error_code::FEEDBACK_TOO_SOON, 422),
        ApiError::Server(status) => ("server", *status),
    };
    object(&[("code", code.into()), ("status", f64::from(status).into())])
}
