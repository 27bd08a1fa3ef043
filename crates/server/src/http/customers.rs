//! The shop's back end and its customers: the list and search (`…/customers`), one customer
//! (`…/customers/{customer_id}`) with adjustments, activities, memberships, and the shopper's own views
//! of their activity and redemptions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tally_core::api::{
    ActivityPage, ActivityRequest, ActivityResult, AdjustmentRequest, BalanceResult, CustomerPage,
    CustomerUpdate, ErrorBody, FeedbackList, Me, Membership, MembershipRequest, RedemptionList,
};

use super::auth::Merchant;
use super::extract::{customer_id as checked_customer_id, idempotency_key, Json, Path, Query};
use super::me::{activity_query, ActivityQuery};
use super::orders::order_status;
use crate::clock::now_ms;
use crate::db::customers::Search;
use crate::error::{AppError, AppResult};
use crate::{ledger, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shops/{shop_id}/customers", get(customer_list))
        .route(
            "/v1/shops/{shop_id}/customers/{customer_id}/activity",
            get(customer_activity_list),
        )
        .route(
            "/v1/shops/{shop_id}/customers/{customer_id}/redemptions",
            get(customer_redemption_list),
        )
        .route(
            "/v1/shops/{shop_id}/customers/{customer_id}/feedback",
            get(customer_feedback_list),
        )
        .route(
            "/v1/shops/{shop_id}/customers/{customer_id}/memberships",
            post(membership_create),
        )
        .route(
            "/v1/shops/{shop_id}/memberships/{order_id}/cancel",
            post(membership_cancel),
        )
        .route(
            "/v1/shops/{shop_id}/customers/{customer_id}",
            get(customer_show).patch(customer_update),
        )
        .route(
            "/v1/shops/{shop_id}/customers/{customer_id}/adjustments",
            post(adjustment_create),
        )
        .route(
            "/v1/shops/{shop_id}/customers/{customer_id}/activities",
            post(activity_create),
        )
}

/// A customer as `/me` shows them; 404 if they never enrolled.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/customers/{customer_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")),
    responses((status = 200, description = "The customer, shaped as `/me`", body = Me),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customer_show(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
) -> AppResult<Json<Me>> {
    let customer_id = checked_customer_id("customer_id", &customer_id)?;
    ledger::settled_view(&state.db, &merchant.shop, &customer_id, false, now_ms())
        .await?
        .map(Json)
        .ok_or_else(|| AppError::NotFound(format!("customer_id: no customer {customer_id:?}")))
}

/// The row key of an enrolled customer, settled (lazy expiry) at `now`; 404 if they never enrolled.
async fn enrolled(
    state: &AppState,
    merchant: &Merchant,
    customer_id: &str,
    now: i64,
) -> AppResult<i64> {
    let customer_id = checked_customer_id("customer_id", customer_id)?;
    ledger::settle_customer(&state.db, &merchant.shop, &customer_id, false, now)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("customer_id: no customer {customer_id:?}")))
}

#[derive(Deserialize)]
pub struct CustomerQuery {
    q: Option<String>,
    limit: Option<String>,
    before: Option<String>,
}

/// The shop's customers, newest enrolled first, a page at a time; `q` finds one by customer id, email
/// (any case) or phone (any usual spelling), or customers by a part of their first name.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/customers", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("q" = Option<String>, Query, description = "A customer id, an email, a phone, or part of a first name: at most 254 characters once white space around it is trimmed (blank: every customer)"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 50", minimum = 1, maximum = 100),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page: a positive integer; empty or absent: the first page", pattern = r"^\+?[0-9]*$")),
    responses((status = 200, description = "A page of customers", body = CustomerPage),
              (status = 400, description = "`invalid_request`: a bad `limit`, `before` or `q`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customer_list(
    State(state): State<AppState>,
    merchant: Merchant,
    Query(query): Query<CustomerQuery>,
) -> AppResult<Json<CustomerPage>> {
    let shop = &merchant.shop;
    let (limit, before) = activity_query(query.limit.as_deref(), query.before.as_deref(), 50)?;
    let text = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if text.is_some_and(|q| q.chars().count() > 254) {
        return Err(AppError::Invalid("q: at most 254 characters".into()));
    }
    let region = crate::phone::default_region(&shop.shop.locale, &shop.shop.currency);
    // A text that reads as a phone number is looked up in E.164; any other text still matches ids,
    // emails and names.
    let phone = text.and_then(|q| crate::phone::normalise(q, region).ok());
    let search = text.map(|text| Search {
        text,
        phone: phone.as_deref(),
    });
    Ok(Json(
        ledger::customer_page(&state.db, shop, search.as_ref(), limit, before, now_ms()).await?,
    ))
}

/// What the shopper's `/me/activity` shows, for the merchant, with the referrals refused (and why) on
/// the first page.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/customers/{customer_id}/activity", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$"),
           ("limit" = Option<i64>, Query, description = "1 to 100, default 20", minimum = 1, maximum = 100),
           ("before" = Option<String>, Query, description = "The `next` cursor of the previous page: a positive integer; empty or absent: the first page", pattern = r"^\+?[0-9]*$")),
    responses((status = 200, description = "A page of ledger entries; `notes` on the first page", body = ActivityPage),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no such customer", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customer_activity_list(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
    Query(query): Query<ActivityQuery>,
) -> AppResult<Json<ActivityPage>> {
    let (limit, before) = activity_query(query.limit.as_deref(), query.before.as_deref(), 20)?;
    let pk = enrolled(&state, &merchant, &customer_id, now_ms()).await?;
    Ok(Json(
        ledger::merchant_activity_page(&state.db, pk, limit, before).await?,
    ))
}

/// What the shopper's `/me/redemptions` shows, for the merchant.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/customers/{customer_id}/redemptions", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")),
    responses((status = 200, description = "Every redemption of the customer, newest first", body = RedemptionList),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no such customer", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customer_redemption_list(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
) -> AppResult<Json<RedemptionList>> {
    let now = now_ms();
    let pk = enrolled(&state, &merchant, &customer_id, now).await?;
    Ok(Json(ledger::redemptions(&state.db, pk, now).await?))
}

/// The customer's answers to the feedback question, with their comments, newest first.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/customers/{customer_id}/feedback", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")),
    responses((status = 200, description = "Every answer of the customer, newest first", body = FeedbackList),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no such customer", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customer_feedback_list(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
) -> AppResult<Json<FeedbackList>> {
    let pk = enrolled(&state, &merchant, &customer_id, now_ms()).await?;
    Ok(Json(ledger::feedback_answers(&state.db, pk).await?))
}

/// Records a membership bought with an order: the paid tier until `expires_at`, extended from the
/// running membership's end if there is one; once per `order_id`.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/customers/{customer_id}/memberships", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")),
    request_body(content = MembershipRequest),
    responses((status = 201, description = "Bought", body = Membership),
              (status = 200, description = "A repeat of the `order_id`: the first answer", body = Membership),
              (status = 400, description = "`invalid_request`: an unknown tier or one without `paid`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`: the order id with another body", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn membership_create(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
    Json(request): Json<MembershipRequest>,
) -> AppResult<(StatusCode, Json<Membership>)> {
    let customer_id = checked_customer_id("customer_id", &customer_id)?;
    idempotency_key("order_id", &request.order_id)?;
    let outcome = ledger::buy_membership_as(
        &state.db,
        &merchant.shop,
        Some(merchant.actor.name()),
        &customer_id,
        &request,
        now_ms(),
    )
    .await?;
    Ok((order_status(&outcome), Json(outcome.into_answer())))
}

/// Ends the running membership that this purchase belongs to, now; a purchase of a membership that
/// already ended answers as it stands.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/memberships/{order_id}/cancel", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("order_id" = String, Path, description = "The order of any purchase of the membership: 1 to 255 characters", min_length = 1, max_length = 255)),
    responses((status = 200, description = "The purchase, its `expires_at` now when it ended", body = Membership),
              (status = 400, description = "`invalid_request`: a bad order id", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 404, description = "`not_found`: no membership bought with this order", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn membership_cancel(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, order_id)): Path<(String, String)>,
) -> AppResult<Json<Membership>> {
    let order_id = idempotency_key("order_id", &order_id)?;
    Ok(Json(
        ledger::cancel_membership_as(
            &state.db,
            &merchant.shop,
            Some(merchant.actor.name()),
            order_id.as_str(),
            now_ms(),
        )
        .await?,
    ))
}

/// Sets a customer's first name, email, birthday (`MM-DD`) or phone (any usual spelling, stored in
/// E.164), enrolling them if new.
#[utoipa::path(patch, path = "/v1/shops/{shop_id}/customers/{customer_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")),
    request_body(content = CustomerUpdate),
    responses((status = 200, description = "The customer, shaped as `/me`", body = Me),
              (status = 400, description = "`invalid_request`: the message names the field (a phone that is no number, or lacks a country code the shop cannot imply)", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 409, description = "`phone_taken`: another customer of the shop has this phone", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customer_update(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
    Json(mut update): Json<CustomerUpdate>,
) -> AppResult<Json<Me>> {
    let customer_id = checked_customer_id("customer_id", &customer_id)?;
    if let Some(name) = &update.first_name {
        if name.trim().is_empty() || name.chars().count() > 100 {
            return Err(AppError::Invalid("first_name: 1 to 100 characters".into()));
        }
    }
    if let Some(email) = &update.email {
        let plausible = email.len() <= 254
            && email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if !plausible {
            return Err(AppError::Invalid(format!(
                "email: {email:?} is not an email address"
            )));
        }
    }
    if let Some(birthday) = &update.birthday {
        if !is_month_day(birthday) {
            return Err(AppError::Invalid(format!(
                "birthday: expected MM-DD, e.g. 03-14, not {birthday:?}"
            )));
        }
    }
    if let Some(raw) = &update.phone {
        let shop = &merchant.shop.shop;
        let region = crate::phone::default_region(&shop.locale, &shop.currency);
        update.phone = Some(crate::phone::normalise(raw, region).map_err(AppError::Invalid)?);
    }
    let now = now_ms();
    let pk = ledger::update_customer(&state.db, &merchant.shop, &customer_id, &update, now).await?;
    Ok(Json(
        ledger::customer_view(&state.db, &merchant.shop, pk, now).await?,
    ))
}

/// `MM-DD` of a day that exists in some year (02-29 included).
fn is_month_day(text: &str) -> bool {
    let Some((month, day)) = text.split_once('-') else {
        return false;
    };
    if month.len() != 2
        || day.len() != 2
        || !(month.bytes().chain(day.bytes())).all(|b| b.is_ascii_digit())
    {
        return false;
    }
    let (Ok(month), Ok(day)) = (month.parse::<u32>(), day.parse::<u32>()) else {
        return false;
    };
    let days_in_month = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

/// Adds or removes points by hand, with a reason; once per `idempotency_key`.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/customers/{customer_id}/adjustments", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")),
    request_body(content = AdjustmentRequest),
    responses((status = 201, description = "The new balance", body = BalanceResult),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`", body = ErrorBody),
              (status = 422, description = "`insufficient_points`: would go below zero", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn adjustment_create(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
    Json(request): Json<AdjustmentRequest>,
) -> AppResult<(StatusCode, Json<BalanceResult>)> {
    let customer_id = checked_customer_id("customer_id", &customer_id)?;
    if request.points == 0 {
        return Err(AppError::Invalid("points: must not be 0".into()));
    }
    if request.reason.trim().is_empty() || request.reason.chars().count() > 500 {
        return Err(AppError::Invalid("reason: 1 to 500 characters".into()));
    }
    idempotency_key("idempotency_key", &request.idempotency_key)?;
    let outcome = ledger::adjust_as(
        &state.db,
        &merchant.shop,
        Some(merchant.actor.name()),
        &customer_id,
        &request,
        now_ms(),
    )
    .await?;
    // A replay answers as the first request did: 201 with the same balance.
    Ok((StatusCode::CREATED, Json(outcome.into_answer())))
}

/// Awards a `custom` or `birthday` earn rule; once per `idempotency_key`, within the rule's limit.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/customers/{customer_id}/activities", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop\'s own customer id: 1 to 128 printable ASCII characters", min_length = 1, max_length = 128, pattern = r"^[\x20-\x7E]{1,128}$")),
    request_body(content = ActivityRequest),
    responses((status = 201, description = "Awarded", body = ActivityResult),
              (status = 400, description = "`invalid_request`: unknown rule or a rule of another kind", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`", body = ErrorBody),
              (status = 422, description = "`limit_reached`: the rule's limit for this customer and period; nothing awarded", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn activity_create(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
    Json(request): Json<ActivityRequest>,
) -> AppResult<(StatusCode, Json<ActivityResult>)> {
    let customer_id = checked_customer_id("customer_id", &customer_id)?;
    idempotency_key("idempotency_key", &request.idempotency_key)?;
    let outcome =
        ledger::award_activity(&state.db, &merchant.shop, &customer_id, &request, now_ms()).await?;
    // A replay answers as the first request did: 201 with the same award.
    Ok((StatusCode::CREATED, Json(outcome.into_answer())))
}

#[cfg(test)]
mod tests {
    use super::is_month_day;

    #[test]
    fn birthdays_are_month_and_day_of_a_real_date() {
        assert!(is_month_day("03-14"));
        assert!(is_month_day("02-29"));
        assert!(!is_month_day("02-30"));
        assert!(!is_month_day("13-01"));
        assert!(!is_month_day("3-14"));
        assert!(!is_month_day("1990-03-14"));
        // `u32::from_str` reads a sign; a birthday has none.
        assert!(!is_month_day("+3-14"));
        assert!(!is_month_day("03-+4"));
    }
}
