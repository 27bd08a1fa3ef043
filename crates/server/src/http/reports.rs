//! `GET /v1/shops/{shop_id}/reports/summary`: the program at a glance, straight from the ledger;
//! `GET …/reports/timeseries`: one metric over time; `GET …/reports/insights` (ours): what one number cannot say.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tally_core::api::{ErrorBody, OrderChannel, Summary};
use tally_core::insights::Insights;
use tally_core::one_of;
use tally_core::timeseries::{self, Interval, Metric, Timeseries};

use super::auth::Merchant;
use super::extract::{Json, Query};
use crate::clock::now_ms;
use crate::error::{AppError, AppResult};
use crate::ledger::timeseries::Request;
use crate::{ledger, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shops/{shop_id}/reports/summary", get(summary_show))
        .route(
            "/v1/shops/{shop_id}/reports/timeseries",
            get(timeseries_show),
        )
        .route("/v1/shops/{shop_id}/reports/insights", get(insights_show))
}

/// Members, points issued, redeemed, expired and outstanding, members by tier (earned or paid),
/// orders by channel, and the NPS of the last 365 days.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/reports/summary", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "The summary", body = Summary),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn summary_show(
    State(state): State<AppState>,
    merchant: Merchant,
) -> AppResult<Json<Summary>> {
    Ok(Json(
        ledger::summary(&state.db, &merchant.shop, now_ms()).await?,
    ))
}

/// Our extension: the share of points spent on rewards within 90 days of being earned (a year's cohort),
/// referral results, the NPS of each of the last 12 months and the latest comments.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/reports/insights", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "The insights", body = Insights),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn insights_show(
    State(state): State<AppState>,
    merchant: Merchant,
) -> AppResult<Json<Insights>> {
    Ok(Json(
        ledger::insights(&state.db, &merchant.shop, now_ms()).await?,
    ))
}

#[derive(Deserialize)]
pub struct TimeseriesQuery {
    metric: Option<String>,
    interval: Option<String>,
    from: Option<String>,
    to: Option<String>,
    channel: Option<String>,
}

/// A query word checked against its enum's words, the message naming the field and what it may be.
fn word<T: std::str::FromStr>(field: &str, value: Option<&str>, words: &[&str]) -> AppResult<T> {
    let allowed = one_of(words);
    let value = value.ok_or_else(|| AppError::Invalid(format!("{field}: required, {allowed}")))?;
    value
        .parse()
        .map_err(|_| AppError::Invalid(format!("{field}: {value:?} is not {allowed}")))
}

fn date(field: &str, value: Option<&str>) -> AppResult<i64> {
    let value =
        value.ok_or_else(|| AppError::Invalid(format!("{field}: required, a date YYYY-MM-DD")))?;
    timeseries::parse_date(value).ok_or_else(|| {
        AppError::Invalid(format!(
            "{field}: {value:?} is not a date YYYY-MM-DD of the calendar"
        ))
    })
}

/// One metric per day, week (Monday to Sunday) or month, from `from` through `to` (whole UTC days):
/// every period present, zeros too. A first or last period that reaches outside the range counts
/// only the days inside it.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/reports/timeseries", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("metric" = Metric, Query, description = "What to count"),
           ("interval" = Interval, Query, description = "The length of a period"),
           ("from" = String, Query, description = "The first day counted, `YYYY-MM-DD` (UTC)", format = Date),
           ("to" = String, Query, description = "The last day counted, `YYYY-MM-DD` (UTC), not before `from`; at most 750 periods in all", format = Date),
           ("channel" = Option<OrderChannel>, Query, description = "Our extension: only orders of this channel (`orders` and `revenue_minor`; absent: both channels)")),
    responses((status = 200, description = "The timeseries", body = Timeseries),
              (status = 400, description = "`invalid_request`: a metric, interval or date not understood, `from` after `to`, or more than 750 periods", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn timeseries_show(
    State(state): State<AppState>,
    merchant: Merchant,
    Query(query): Query<TimeseriesQuery>,
) -> AppResult<Json<Timeseries>> {
    let metric: Metric = word("metric", query.metric.as_deref(), Metric::WORDS)?;
    let interval: Interval = word("interval", query.interval.as_deref(), Interval::WORDS)?;
    let from = date("from", query.from.as_deref())?;
    let to = date("to", query.to.as_deref())?;
    let channel = match query.channel.as_deref() {
        None | Some("") => None,
        Some(_) if !matches!(metric, Metric::Orders | Metric::RevenueMinor) => {
            return Err(AppError::Invalid(format!(
                "channel: only for the metrics orders and revenue_minor, not {metric}"
            )))
        }
        Some(c) => Some(word("channel", Some(c), OrderChannel::WORDS)?),
    };
    let periods = timeseries::periods(interval, from, to).map_err(AppError::Invalid)?;
    let request = Request {
        metric,
        interval,
        from,
        to,
        periods,
        channel,
    };
    Ok(Json(
        ledger::timeseries::timeseries(&state.db, &merchant.shop, &request, now_ms()).await?,
    ))
}
