//! The widget's calls to the loyalty API (public and shopper parts of the contract), and their errors.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use tally_core::{
    error_code, header, ActivityPage, ErrorBody, Me, Program, Redemption, RedemptionRequest,
};

use crate::config::Credentials;
use crate::i18n::Messages;

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
            (401, _) => Self::Unauthorized,
            (404, _) => Self::NotFound,
            (429, _) => Self::RateLimited,
            (status, _) => Self::Server(status),
        }
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
        let shop = String::from(js_sys::encode_uri_component(shop));
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

    fn signed(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.credentials {
            Some(c) => request
                .header(header::CUSTOMER, &c.customer)
                .header(header::TIMESTAMP, &c.timestamp)
                .header(header::SIGNATURE, &c.signature),
            None => request,
        }
    }

    /// `GET …/program`: public.
    pub async fn program(&self) -> Result<Program, ApiError> {
        read(Request::get(&format!("{}/program", self.base)).send().await).await
    }

    /// `GET …/me`.
    pub async fn me(&self) -> Result<Me, ApiError> {
        let request = self.signed(Request::get(&format!("{}/me", self.base)));
        read(request.send().await).await
    }

    /// `GET …/me/activity`, newest first; `before` is the previous page's `next`.
    pub async fn activity(&self, before: Option<&str>) -> Result<ActivityPage, ApiError> {
        let mut url = format!("{}/me/activity?limit=20", self.base);
        if let Some(cursor) = before {
            url.push_str("&before=");
            url.push_str(&String::from(js_sys::encode_uri_component(cursor)));
        }
        read(self.signed(Request::get(&url)).send().await).await
    }

    /// `POST …/me/redemptions`; the same `key` for every retry of one intent makes a retry harmless.
    pub async fn redeem(&self, reward_id: &str, key: &str) -> Result<Redemption, ApiError> {
        let request = self
            .signed(Request::post(&format!("{}/me/redemptions", self.base)))
            .header(header::IDEMPOTENCY_KEY, key)
            .json(&RedemptionRequest {
                reward_id: reward_id.to_owned(),
            })
            .map_err(|_| ApiError::Server(0))?;
        read(request.send().await).await
    }
}

async fn read<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = response.map_err(|_| ApiError::Network)?;
    let status = response.status();
    if response.ok() {
        return response.json().await.map_err(|_| ApiError::Server(status));
    }
    let body: Option<ErrorBody> = response.json().await.ok();
    Err(ApiError::from_status(
        status,
        body.as_ref().map(|b| b.error.code.as_str()),
    ))
}

/// A fresh `Idempotency-Key` for one redeem intent: unique enough per shopper and browser.
pub fn new_idempotency_key() -> String {
    let now = js_sys::Date::now() as u64;
    let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    format!("tally-{now:x}-{a:08x}{b:08x}")
}
