//! The widget's calls to the loyalty API (public and shopper parts of the contract), and their errors.
//!
//! `fetch` is called through web-sys directly: gloo-net cost ~10 KB of wasm for what is a dozen lines
//! here. Answers come back as text, so the store can keep the raw JSON for its instant view.

use tally_core::{error_code, header, ActivityPage, FeedbackResult, Me, Program, Redemption};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::config::Credentials;
use crate::i18n::Messages;
use crate::wire::{self, Malformed};

/// Why a call failed, in the terms the shopper is told about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, blocked by CORS, or the API is down.
    Network,
    /// The shopper's signature is missing, stale or wrong.
    Unauthorized,
    /// No such shop.
    NotFound,
    RateLimited,
    InsufficientPoints,
    RewardUnavailable,
    /// The reward (or way to earn) has been used as often as its limit allows this period.
    LimitReached,
    /// The shopper answered the feedback question within its cooldown.
    FeedbackTooSoon,
    /// Any other answer we did not expect (a 5xx, a 4xx we never send, a body we cannot read).
    Server(u16),
}

impl ApiError {
    /// The sentence the widget shows for this error.
    pub fn message(&self, m: &Messages) -> &'static str {
        match self {
            Self::Network => m.error_network,
            Self::Unauthorized => m.error_unauthorized,
            Self::NotFound => m.error_not_found,
            Self::RateLimited => m.error_rate_limited,
            Self::InsufficientPoints => m.error_insufficient,
            Self::RewardUnavailable => m.error_unavailable,
            Self::LimitReached => m.error_limit,
            Self::FeedbackTooSoon => m.error_feedback_too_soon,
            Self::Server(_) => m.error_server,
        }
    }

    /// Whether asking again may help (shows a retry button).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Network | Self::RateLimited | Self::Server(_))
    }

    fn from_status(status: u16, code: Option<&str>) -> Self {
        match (status, code) {
            (_, Some(error_code::INSUFFICIENT_POINTS)) => Self::InsufficientPoints,
            (_, Some(error_code::REWARD_UNAVAILABLE)) => Self::RewardUnavailable,
            (_, Some(error_code::LIMIT_REACHED)) => Self::LimitReached,
            (_, Some(error_code::FEEDBACK_TOO_SOON)) => Self::FeedbackTooSoon,
            (401, _) => Self::Unauthorized,
            (404, _) => Self::NotFound,
            (429, _) => Self::RateLimited,
            (status, _) => Self::Server(status),
        }
    }
}

/// For console messages: `Debug` prints nothing in the release build (`-Zfmt-debug=none`).
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::Network => "no answer (network)",
            Self::Unauthorized => "unauthorized",
            Self::NotFound => "not found",
            Self::RateLimited => "rate limited",
            Self::InsufficientPoints => "insufficient points",
            Self::RewardUnavailable => "reward unavailable",
            Self::LimitReached => "limit reached",
            Self::FeedbackTooSoon => "feedback too soon",
            Self::Server(status) => return write!(f, "unexpected answer (HTTP {status})"),
        };
        f.write_str(name)
    }
}

/// A client for one shop, as one shopper (or a guest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// `{api}/v1/shops/{shop_id}`.
    base: String,
    credentials: Option<Credentials>,
}

impl Client {
    pub fn new(api: &str, shop: &str, credentials: Option<Credentials>) -> Self {
        let shop = crate::browser::encode(shop);
        Self {
            base: format!("{api}/v1/shops/{shop}"),
            credentials,
        }
    }

    pub fn is_member(&self) -> bool {
        self.credentials.is_some()
    }

    /// The signed-in customer's id, if any.
    pub fn customer_id(&self) -> Option<String> {
        self.credentials.as_ref().map(|c| c.customer.clone())
    }

    fn headers(&self) -> Vec<(&'static str, &str)> {
        match &self.credentials {
            Some(c) => vec![
                (header::CUSTOMER, c.customer.as_str()),
                (header::TIMESTAMP, c.timestamp.as_str()),
                (header::SIGNATURE, c.signature.as_str()),
            ],
            None => Vec::new(),
        }
    }

    /// `GET …/program`: public. Also returns the raw JSON, for the instant view.
    pub async fn program(&self) -> Result<(Program, String), ApiError> {
        let text = ok_text(send("GET", &format!("{}/program", self.base), &[], None).await?)?;
        Ok((wire::program(&text)?, text))
    }

    /// `GET …/me`. Also returns the raw JSON, for the instant view.
    pub async fn me(&self) -> Result<(Me, String), ApiError> {
        let url = format!("{}/me", self.base);
        let text = ok_text(send("GET", &url, &self.headers(), None).await?)?;
        Ok((wire::me(&text)?, text))
    }

    /// `GET …/me/activity`, newest first; `before` is the previous page's `next`.
    pub async fn activity(&self, before: Option<&str>) -> Result<ActivityPage, ApiError> {
        let mut url = format!("{}/me/activity?limit=20", self.base);
        if let Some(cursor) = before {
            url.push_str("&before=");
            url.push_str(&crate::browser::encode(cursor));
        }
        Ok(wire::activity_page(&ok_text(
            send("GET", &url, &self.headers(), None).await?,
        )?)?)
    }

    /// `GET …/me/redemptions`: the shopper's codes, newest first.
    pub async fn redemptions(&self) -> Result<Vec<Redemption>, ApiError> {
        let url = format!("{}/me/redemptions", self.base);
        Ok(wire::redemptions(&ok_text(
            send("GET", &url, &self.headers(), None).await?,
        )?)?)
    }

    /// `POST …/me/redemptions`; the same `key` for every retry of one intent makes a retry harmless.
    pub async fn redeem(&self, reward_id: &str, key: &str) -> Result<Redemption, ApiError> {
        let mut headers = self.headers();
        headers.push((header::IDEMPOTENCY_KEY, key));
        headers.push(("Content-Type", "application/json"));
        let body = format!(r#"{{"reward_id":{}}}"#, json_string(reward_id));
        let url = format!("{}/me/redemptions", self.base);
        Ok(wire::redemption(&ok_text(
            send("POST", &url, &headers, Some(&body)).await?,
        )?)?)
    }

    /// `POST …/me/feedback`: a 0–10 score and an optional comment, once per `key` like a redemption.
    pub async fn feedback(
        &self,
        score: u8,
        comment: &str,
        key: &str,
    ) -> Result<FeedbackResult, ApiError> {
        let mut headers = self.headers();
        headers.push((header::IDEMPOTENCY_KEY, key));
        headers.push(("Content-Type", "application/json"));
        let comment = comment.trim();
        let body = if comment.is_empty() {
            format!(r#"{{"score":{score}}}"#)
        } else {
            format!(r#"{{"score":{score},"comment":{}}}"#, json_string(comment))
        };
        let url = format!("{}/me/feedback", self.base);
        Ok(wire::feedback_result(&ok_text(
            send("POST", &url, &headers, Some(&body)).await?,
        )?)?)
    }
}

/// `GET url` of a static file beside the widget (a language catalog): its text, or the error.
pub async fn fetch_text(url: &str) -> Result<String, ApiError> {
    ok_text(send("GET", url, &[], None).await?)
}

/// One `fetch`: the status and the body's text, or `Network` when no answer came.
async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<(u16, String), ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let list = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    for (name, value) in headers {
        list.set(name, value).map_err(|_| ApiError::Network)?;
    }
    init.set_headers(&list);
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    // Looked up, called and checked: a host page may have replaced `fetch` with one that throws or
    // answers something other than a Response. That is a network error, not an uncaught exception.
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let fetch: js_sys::Function = js_sys::Reflect::get(&window, &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(ApiError::Network)?;
    let answer = fetch
        .call2(&window, &url.into(), &init)
        .map_err(|_| ApiError::Network)?;
    let response: web_sys::Response = JsFuture::from(js_sys::Promise::resolve(&answer))
        .await
        .map_err(|_| ApiError::Network)?
        .dyn_into()
        .map_err(|_| ApiError::Network)?;
    let text = JsFuture::from(response.text().map_err(|_| ApiError::Network)?)
        .await
        .map_err(|_| ApiError::Network)?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// The body of a 2xx answer, or the error the answer stands for.
fn ok_text((status, text): (u16, String)) -> Result<String, ApiError> {
    if (200..300).contains(&status) {
        return Ok(text);
    }
    Err(ApiError::from_status(
        status,
        wire::error_code(&text).as_deref(),
    ))
}

impl From<Malformed> for ApiError {
    /// A 2xx answer we cannot read.
    fn from(_: Malformed) -> Self {
        Self::Server(200)
    }
}

/// A JSON string literal, by the browser's `JSON.stringify`.
fn json_string(value: &str) -> String {
    js_sys::JSON::stringify(&JsValue::from_str(value))
        .map(String::from)
        .unwrap_or_else(|_| "\"\"".to_owned())
}

/// A fresh `Idempotency-Key` for one redeem intent: unique enough per shopper and browser.
pub fn new_idempotency_key() -> String {
    use crate::browser::{now_ms, random_u32};
    format!(
        "tally-{:x}-{:08x}{:08x}",
        now_ms(),
        random_u32(),
        random_u32()
    )
}
