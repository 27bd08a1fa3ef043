//! The one API client every page uses: same-origin calls with the session cookie, the CSRF header on every
//! write, and one error type that pages show kindly. Types come from tally-core.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tally_core::api::{Program, ProgramUpdate};
use tally_core::staff::{
    AddedStaff, AuditPage, NewStaff, RotatedKey, SignIn, StaffList, StaffSession,
};
use web_sys::RequestCredentials;

/// Why a call failed, in the words the console shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer: the server is down or the network is.
    Network,
    /// 401: wrong credentials on sign-in, or the session is gone.
    Unauthorized,
    /// 403: the role may not do this (or the CSRF token is stale).
    Forbidden,
    /// 429: too many attempts.
    Locked,
    /// 404.
    NotFound,
    /// 400/409/422 with the server's message, which names the field.
    Refused(String),
    /// 5xx or an answer the console cannot read.
    Server,
}

impl ApiError {
    /// The message key of [`crate::i18n`] for this error, or the server's own words for a refusal.
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::t;
        match self {
            ApiError::Network => t(lang, "err_network").to_owned(),
            ApiError::Unauthorized => t(lang, "err_session").to_owned(),
            ApiError::Forbidden => t(lang, "err_forbidden").to_owned(),
            ApiError::Locked => t(lang, "err_locked").to_owned(),
            ApiError::NotFound | ApiError::Server => t(lang, "err_server").to_owned(),
            ApiError::Refused(message) => message.clone(),
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}
#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

/// The program versions, the install check and the shop's profile are tally-core's types (the server's).
pub use tally_core::staff::{
    InstallCheck as InstallStatus, ProgramVersion, ProgramVersions as VersionPage,
    ShopUpdate as ShopPatch,
};

fn with_cookie(builder: RequestBuilder, csrf: Option<&str>) -> RequestBuilder {
    let builder = builder
        .credentials(RequestCredentials::SameOrigin)
        .header("Accept", "application/json");
    match csrf {
        Some(token) => builder.header("X-Tally-Csrf", token),
        None => builder,
    }
}

async fn answer<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = response.map_err(|_| ApiError::Network)?;
    let status = response.status();
    if (200..300).contains(&status) {
        let text = response.text().await.map_err(|_| ApiError::Network)?;
        let text = if text.is_empty() { "null" } else { &text };
        return serde_json::from_str(text).map_err(|_| ApiError::Server);
    }
    Err(match status {
        401 => ApiError::Unauthorized,
        403 => ApiError::Forbidden,
        404 => ApiError::NotFound,
        429 => ApiError::Locked,
        400..=499 => match response.json::<ErrorBody>().await {
            Ok(body) => ApiError::Refused(body.error.message),
            Err(_) => ApiError::Server,
        },
        _ => ApiError::Server,
    })
}

pub(crate) async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    answer(with_cookie(Request::get(url), None).send().await).await
}

pub(crate) async fn send<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    csrf: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    let builder = with_cookie(builder, Some(csrf));
    let request = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    };
    let request = request.map_err(|_| ApiError::Server)?;
    answer(request.send().await).await
}

/// A write whose body is text of `content_type` (a CSV file), not JSON.
pub(crate) async fn send_text<T: DeserializeOwned>(
    builder: RequestBuilder,
    csrf: &str,
    content_type: &str,
    body: &str,
) -> Result<T, ApiError> {
    let request = with_cookie(builder, Some(csrf))
        .header("Content-Type", content_type)
        .body(body)
        .map_err(|_| ApiError::Server)?;
    answer(request.send().await).await
}

pub(crate) fn shop_url(shop: &str, rest: &str) -> String {
    format!("/v1/shops/{}{rest}", encode(shop))
}

/// Percent-encodes a path segment or query value.
pub fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

pub async fn sign_in(email: &str, password: &str) -> Result<StaffSession, ApiError> {
    let body = SignIn {
        email: email.to_owned(),
        password: password.to_owned(),
    };
    let request = with_cookie(Request::post("/v1/staff/session"), None)
        .json(&body)
        .map_err(|_| ApiError::Server)?;
    answer(request.send().await).await
}

pub async fn current_session() -> Result<StaffSession, ApiError> {
    get("/v1/staff/session").await
}

pub async fn sign_out(csrf: &str) -> Result<(), ApiError> {
    send::<(), serde_json::Value>(Request::delete("/v1/staff/session"), csrf, None)
        .await
        .map(drop)
}

pub async fn program(shop: &str) -> Result<Program, ApiError> {
    get(&shop_url(shop, "/program")).await
}

pub async fn versions(shop: &str, before: Option<&str>) -> Result<VersionPage, ApiError> {
    let mut url = shop_url(shop, "/program/versions?limit=20");
    if let Some(before) = before {
        url.push_str(&format!("&before={}", encode(before)));
    }
    get(&url).await
}

pub async fn save_program(
    shop: &str,
    csrf: &str,
    update: &ProgramUpdate,
) -> Result<Program, ApiError> {
    send(
        Request::put(&shop_url(shop, "/program")),
        csrf,
        Some(update),
    )
    .await
}

pub async fn restore_version(
    shop: &str,
    csrf: &str,
    version: i64,
) -> Result<serde_json::Value, ApiError> {
    let url = shop_url(shop, &format!("/program/versions/{version}/restore"));
    send::<(), _>(Request::post(&url), csrf, None).await
}

pub async fn patch_shop(
    shop: &str,
    csrf: &str,
    patch: &ShopPatch,
) -> Result<serde_json::Value, ApiError> {
    send(Request::patch(&shop_url(shop, "")), csrf, Some(patch)).await
}

pub async fn install_status(shop: &str) -> Result<InstallStatus, ApiError> {
    get(&shop_url(shop, "/install")).await
}

pub async fn staff(shop: &str) -> Result<StaffList, ApiError> {
    get(&shop_url(shop, "/staff")).await
}

pub async fn add_staff(shop: &str, csrf: &str, new: &NewStaff) -> Result<AddedStaff, ApiError> {
    send(Request::post(&shop_url(shop, "/staff")), csrf, Some(new)).await
}

pub async fn remove_staff(shop: &str, csrf: &str, staff_id: &str) -> Result<(), ApiError> {
    let url = shop_url(shop, &format!("/staff/{}", encode(staff_id)));
    send::<(), serde_json::Value>(Request::delete(&url), csrf, None)
        .await
        .map(drop)
}

pub async fn rotate_key(shop: &str, csrf: &str) -> Result<RotatedKey, ApiError> {
    send::<(), _>(Request::post(&shop_url(shop, "/keys/rotate")), csrf, None).await
}

pub async fn audit(shop: &str, before: Option<&str>) -> Result<AuditPage, ApiError> {
    let mut url = shop_url(shop, "/audit?limit=20");
    if let Some(before) = before {
        url.push_str(&format!("&before={}", encode(before)));
    }
    get(&url).await
}
