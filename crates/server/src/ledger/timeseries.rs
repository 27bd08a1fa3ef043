//! `GET …/reports/timeseries`: one metric per day, week or month, every period present.

use tally_core::timeseries::{self, Interval, Metric, Timeseries, TimeseriesPoint};
use tally_core::OrderChannel;

use super::expire_points;
use crate::clock::DAY_MS;
use crate::db::{self, Db};
use crate::error::AppResult;
use crate::shops::ShopRecord;

/// What a timeseries asks for, checked: `periods` are the first days of the periods, `to` the last
/// day counted (days since 1970-01-01).
pub struct Request {
    pub metric: Metric,
    pub interval: Interval,
    pub from: i64,
    pub to: i64,
    pub periods: Vec<i64>,
    pub channel: Option<OrderChannel>,
}

/// The metric's values from `from` through `to` (whole UTC days), summed per period. Expired points
/// are settled first, as the summary does, so both agree.
pub async fn timeseries(
    db: &Db,
    shop: &ShopRecord,
    request: &Request,
    now: i64,
) -> AppResult<Timeseries> {
    let shop_id = &shop.shop.id;
    if request.metric == Metric::PointsExpired {
        for pk in db::reports::customers_with_due_lots(db, shop_id, now).await? {
            expire_points(db, shop, pk, now).await?;
        }
    }
    let channel = request.channel.map_or("", OrderChannel::as_str);
    let mut conn = db.pool.acquire().await?;
    let daily = db::reports::daily(
        &mut conn,
        shop_id,
        request.metric,
        channel,
        request.from * DAY_MS,
        (request.to + 1) * DAY_MS,
    )
    .await?;
    let values = timeseries::bucket(&request.periods, request.interval, &daily);
    Ok(Timeseries {
        metric: request.metric,
        interval: request.interval,
        points: request
            .periods
            .iter()
            .zip(values)
            .map(|(&start, value)| TimeseriesPoint {
                start: timeseries::format_date(start),
                value,
            })
            .collect(),
    })
}
