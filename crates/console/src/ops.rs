//! The calls of the counter, customers and codes pages, and what those pages work out without the
//! network: an amount typed at the till in minor units, and the ids a page makes up for a new order or
//! a write that must happen once.

use gloo_net::http::Request;
use tally_core::api::{
    ActivityPage, ActivityRequest, ActivityResult, AdjustmentRequest, BalanceResult,
    CodeUseRequest, CustomerPage, CustomerUpdate, DiscountCode, FeedbackList, Me, Membership,
    MembershipRequest, OrderRequest, OrderResult, RedemptionList,
};
use tally_core::rules::currency_minor_digits;

use crate::api::{encode, get, send, shop_url, ApiError};

fn customer_url(shop: &str, customer_id: &str, rest: &str) -> String {
    shop_url(shop, &format!("/customers/{}{rest}", encode(customer_id)))
}

fn code_url(shop: &str, code: &str, rest: &str) -> String {
    shop_url(shop, &format!("/codes/{}{rest}", encode(code.trim())))
}

/// A page of the shop's customers matching `q` (an id, an email, a phone or part of a first name).
pub async fn search(shop: &str, q: &str, before: Option<&str>) -> Result<CustomerPage, ApiError> {
    let mut url = shop_url(shop, &format!("/customers?limit=20&q={}", encode(q.trim())));
    if let Some(before) = before {
        url.push_str(&format!("&before={}", encode(before)));
    }
    get(&url).await
}

/// The one customer whose phone is `phone` (any usual spelling: the server normalises it), if any.
pub async fn find_by_phone(
    shop: &str,
    phone: &str,
) -> Result<Option<tally_core::api::CustomerListItem>, ApiError> {
    let page = search(shop, phone, None).await?;
    let wanted = digits(phone);
    if wanted.is_empty() {
        return Ok(None);
    }
    // `q` also matches names; a phone search wants the customer whose phone it is.
    Ok(page.items.into_iter().find(|c| {
        c.phone
            .as_deref()
            .is_some_and(|p| digits(p).ends_with(&wanted) || wanted.ends_with(&digits(p)))
    }))
}

/// The digits of a phone as typed, without spaces, dashes, parentheses or the `+`.
pub fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

pub async fn customer(shop: &str, customer_id: &str) -> Result<Me, ApiError> {
    get(&customer_url(shop, customer_id, "")).await
}

/// The list's row of one customer (email and phone, which `/me` does not carry).
pub async fn customer_row(
    shop: &str,
    customer_id: &str,
) -> Result<Option<tally_core::api::CustomerListItem>, ApiError> {
    let page = search(shop, customer_id, None).await?;
    Ok(page
        .items
        .into_iter()
        .find(|c| c.customer_id == customer_id))
}

pub async fn activity(
    shop: &str,
    customer_id: &str,
    before: Option<&str>,
) -> Result<ActivityPage, ApiError> {
    let mut url = customer_url(shop, customer_id, "/activity?limit=20");
    if let Some(before) = before {
        url.push_str(&format!("&before={}", encode(before)));
    }
    get(&url).await
}

pub async fn redemptions(shop: &str, customer_id: &str) -> Result<RedemptionList, ApiError> {
    get(&customer_url(shop, customer_id, "/redemptions")).await
}

/// The customer's answers to the feedback question, newest first.
pub async fn feedback(shop: &str, customer_id: &str) -> Result<FeedbackList, ApiError> {
    get(&customer_url(shop, customer_id, "/feedback")).await
}

/// Sets the fields present in `update`; enrols the customer when the id is new.
pub async fn update_customer(
    shop: &str,
    csrf: &str,
    customer_id: &str,
    update: &CustomerUpdate,
) -> Result<Me, ApiError> {
    let url = customer_url(shop, customer_id, "");
    send(Request::patch(&url), csrf, Some(update)).await
}

pub async fn adjust(
    shop: &str,
    csrf: &str,
    customer_id: &str,
    request: &AdjustmentRequest,
) -> Result<BalanceResult, ApiError> {
    let url = customer_url(shop, customer_id, "/adjustments");
    send(Request::post(&url), csrf, Some(request)).await
}

pub async fn award(
    shop: &str,
    csrf: &str,
    customer_id: &str,
    request: &ActivityRequest,
) -> Result<ActivityResult, ApiError> {
    let url = customer_url(shop, customer_id, "/activities");
    send(Request::post(&url), csrf, Some(request)).await
}

pub async fn record_order(
    shop: &str,
    csrf: &str,
    order: &OrderRequest,
) -> Result<OrderResult, ApiError> {
    send(Request::post(&shop_url(shop, "/orders")), csrf, Some(order)).await
}

pub async fn start_membership(
    shop: &str,
    csrf: &str,
    customer_id: &str,
    request: &MembershipRequest,
) -> Result<Membership, ApiError> {
    let url = customer_url(shop, customer_id, "/memberships");
    send(Request::post(&url), csrf, Some(request)).await
}

pub async fn cancel_membership(
    shop: &str,
    csrf: &str,
    order_id: &str,
) -> Result<Membership, ApiError> {
    let url = shop_url(shop, &format!("/memberships/{}/cancel", encode(order_id)));
    send::<(), _>(Request::post(&url), csrf, None).await
}

pub async fn code(shop: &str, code: &str) -> Result<DiscountCode, ApiError> {
    get(&code_url(shop, code, "")).await
}

pub async fn use_code(
    shop: &str,
    csrf: &str,
    code: &str,
    order_id: &str,
) -> Result<DiscountCode, ApiError> {
    let body = CodeUseRequest {
        order_id: order_id.trim().to_owned(),
    };
    send(
        Request::post(&code_url(shop, code, "/use")),
        csrf,
        Some(&body),
    )
    .await
}

pub async fn cancel_code(shop: &str, csrf: &str, code: &str) -> Result<DiscountCode, ApiError> {
    send::<(), _>(Request::post(&code_url(shop, code, "/cancel")), csrf, None).await
}

/// Why an amount typed at the till is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyProblem {
    Empty,
    NotANumber,
    /// More digits after the separator than the currency has (the number it allows).
    TooPrecise(u32),
    TooLarge,
}

/// An amount typed as decimal text (`12.50`, `12,5`, `12`) in the currency's minor units, computed on
/// integers only: `"12.5"` in USD is 1250, `"1200"` in JPY is 1200. No sign, no thousands separators.
pub fn parse_minor(text: &str, currency: &str) -> Result<i64, MoneyProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(MoneyProblem::Empty);
    }
    let digits = currency_minor_digits(currency);
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(MoneyProblem::NotANumber);
    }
    if fraction.len() > digits as usize {
        return Err(MoneyProblem::TooPrecise(digits));
    }
    let scale = 10_i64.pow(digits);
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| MoneyProblem::TooLarge)?
    };
    let fraction_minor: i64 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<width$}", width = digits as usize);
        padded.parse().map_err(|_| MoneyProblem::NotANumber)?
    };
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction_minor))
        .ok_or(MoneyProblem::TooLarge)
}

/// A fresh id for something done once (an order, an adjustment): `prefix-` and 16 random base-36
/// characters. Made when the action is intended, kept for its retries.
pub fn new_id(prefix: &str) -> String {
    let mut out = format!("{prefix}-");
    for _ in 0..16 {
        let n = (random() * 36.0) as u32 % 36;
        out.push(char::from_digit(n, 36).unwrap_or('0'));
    }
    out
}

#[cfg(target_arch = "wasm32")]
fn random() -> f64 {
    js_sys::Math::random()
}

/// Natively (tests) a counter stands in for the browser's randomness.
#[cfg(not(target_arch = "wasm32"))]
fn random() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEED: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let next = SEED
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    (next >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_typed_at_the_till_becomes_minor_units_without_floats() {
        assert_eq!(parse_minor("12.50", "USD"), Ok(1250));
        assert_eq!(parse_minor(" 12,5 ", "EUR"), Ok(1250));
        assert_eq!(parse_minor("12", "USD"), Ok(1200));
        assert_eq!(parse_minor(".5", "USD"), Ok(50));
        assert_eq!(parse_minor("0.29", "USD"), Ok(29));
        assert_eq!(parse_minor("1200", "JPY"), Ok(1200));
        assert_eq!(parse_minor("1.234", "KWD"), Ok(1234));
    }

    #[test]
    fn an_amount_that_is_not_one_is_refused_with_why() {
        assert_eq!(parse_minor("", "USD"), Err(MoneyProblem::Empty));
        assert_eq!(
            parse_minor("12.345", "USD"),
            Err(MoneyProblem::TooPrecise(2))
        );
        assert_eq!(parse_minor("12.5", "JPY"), Err(MoneyProblem::TooPrecise(0)));
        assert_eq!(parse_minor("-3", "USD"), Err(MoneyProblem::NotANumber));
        assert_eq!(
            parse_minor("1,234.50", "USD"),
            Err(MoneyProblem::NotANumber)
        );
        assert_eq!(parse_minor("12a", "USD"), Err(MoneyProblem::NotANumber));
        assert_eq!(parse_minor(".", "USD"), Err(MoneyProblem::NotANumber));
        assert_eq!(
            parse_minor("99999999999999999999", "USD"),
            Err(MoneyProblem::TooLarge)
        );
        assert_eq!(
            parse_minor("92233720368547759", "USD"),
            Err(MoneyProblem::TooLarge)
        );
    }

    #[test]
    fn made_up_ids_differ_and_are_valid_idempotency_keys() {
        let (a, b) = (new_id("pos"), new_id("pos"));
        assert_ne!(a, b);
        assert!(a.starts_with("pos-") && a.len() == 20);
        assert!(tally_core::rules::is_valid_idempotency_key(&a));
        assert!(tally_core::rules::is_valid_customer_id(&a));
    }

    #[test]
    fn a_phone_keeps_only_its_digits() {
        assert_eq!(digits("+1 (555) 010-4477"), "15550104477");
    }
}
