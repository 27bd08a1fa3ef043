//! The shop's back end and one customer: `…/customers/{customer_id}` with adjustments and activities.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use tally_core::api::{
    ActivityRequest, ActivityResult, AdjustmentRequest, BalanceResult, CustomerUpdate, ErrorBody,
    Me,
};

use super::auth::Merchant;
use super::extract::{customer_id as checked_customer_id, idempotency_key, Json, Path};
use crate::clock::now_ms;
use crate::error::{AppError, AppResult};
use crate::{ledger, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
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
           ("customer_id" = String, Path, description = "The shop's own customer id")),
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
    let now = now_ms();
    let pk = ledger::settle_customer(&state.db, &merchant.shop, &customer_id, false, now)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("customer_id: no customer {customer_id:?}")))?;
    Ok(Json(
        ledger::customer_view(&state.db, &merchant.shop, pk, now).await?,
    ))
}

/// Sets a customer's first name, email or birthday (`MM-DD`), enrolling them if new.
#[utoipa::path(patch, path = "/v1/shops/{shop_id}/customers/{customer_id}", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop's own customer id")),
    request_body(content = CustomerUpdate),
    responses((status = 200, description = "The customer, shaped as `/me`", body = Me),
              (status = 400, description = "`invalid_request`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customer_update(
    State(state): State<AppState>,
    merchant: Merchant,
    Path((_shop_id, customer_id)): Path<(String, String)>,
    Json(update): Json<CustomerUpdate>,
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
    if month.len() != 2 || day.len() != 2 {
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
           ("customer_id" = String, Path, description = "The shop's own customer id")),
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
    let outcome =
        ledger::adjust(&state.db, &merchant.shop, &customer_id, &request, now_ms()).await?;
    // A replay answers as the first request did: 201 with the same balance.
    Ok((StatusCode::CREATED, Json(outcome.into_answer())))
}

/// Awards a `custom` or `birthday` earn rule; once per `idempotency_key`.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/customers/{customer_id}/activities", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("customer_id" = String, Path, description = "The shop's own customer id")),
    request_body(content = ActivityRequest),
    responses((status = 201, description = "Awarded", body = ActivityResult),
              (status = 400, description = "`invalid_request`: unknown rule or a rule of another kind", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 409, description = "`idempotency_conflict`", body = ErrorBody)),
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
    }
}
