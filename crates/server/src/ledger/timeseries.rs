//! `GET …/reports/timeseries`: one metric per day, week or month, every period present.

use tally_core::timeseries::{self, Interval, Metric, Timeseries, TimeseriesPoint};
use tally_core::OrderChannel;

use super::expire_points;
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
    // The daily totals that every write keeps (db::daily_totals): a row per day and shard of the range.
    let mut conn = db.pool.acquire().await?;
    let daily: Vec<(i64, i64)> =
        db::daily_totals::by_day(&mut conn, shop_id, request.from, request.to)
            .await?
            .into_iter()
            .map(|(day, totals)| (day, totals.value(request.metric, request.channel)))
            .collect();
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
