//! `daily_totals`: each shop's report metrics per UTC day, kept by the writes themselves, so reports over
//! time read a row per day instead of every entry of the range.
//!
//! The functions of this module that insert what a metric counts (a customer in [`super::customers::lock`],
//! a ledger entry, a redemption, an order) note it in their [`LockedTx`]'s pending totals;
//! [`LockedTx::commit`] adds those to their rows just before it commits. So the totals commit or roll back
//! with the rows they count, and no write path can forget them: these are the only inserts of those tables.
//!
//! On PostgreSQL one shop's day is spread over [`POSTGRES_SHARDS`] rows, each transaction adding to one of
//! them (in turn), so concurrent orders of one shop do not queue on one row's lock until each commits; a
//! transaction takes its rows' locks in (shop, day) order, so two of them never wait on each other in a
//! cycle. SQLite has one writer at a time and one row per day.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::AnyConnection;
use tally_core::timeseries::Metric;
use tally_core::{ActivityKind, OrderChannel};

use super::{Backend, Db};
use crate::error::AppResult;

/// Rows per shop and day on PostgreSQL (measured with `bench/api`'s orders; see the migration).
pub const POSTGRES_SHARDS: u64 = 16;

/// The day of a `created_at` (Unix ms), as the reports have always bucketed: `created_at / 86400000`,
/// the same truncating division the migration's SQL does.
pub fn day_of(created_at: i64) -> i64 {
    created_at / 86_400_000
}

/// One day's metrics of a shop (or what a transaction adds to them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayTotals {
    /// Customers enrolled.
    pub members_new: i64,
    /// Σ points of the entries that credit points, of every kind.
    pub points_issued: i64,
    /// −Σ points of the `redeem` entries that debit points.
    pub points_redeemed: i64,
    /// −Σ points of the `expire` entries that debit points.
    pub points_expired: i64,
    pub redemptions: i64,
    pub orders_online: i64,
    pub orders_pos: i64,
    /// Σ order totals as recorded (refunds do not change them), minor units.
    pub revenue_online: i64,
    pub revenue_pos: i64,
}

impl DayTotals {
    /// A timeseries metric's value; `channel` narrows orders and revenue (`None`: both channels).
    pub fn value(&self, metric: Metric, channel: Option<OrderChannel>) -> i64 {
        let by_channel = |online: i64, pos: i64| match channel {
            None => online.saturating_add(pos),
            Some(OrderChannel::Online) => online,
            Some(OrderChannel::Pos) => pos,
        };
        match metric {
            Metric::MembersNew => self.members_new,
            Metric::PointsIssued => self.points_issued,
            Metric::PointsRedeemed => self.points_redeemed,
            Metric::PointsExpired => self.points_expired,
            Metric::Redemptions => self.redemptions,
            Metric::Orders => by_channel(self.orders_online, self.orders_pos),
            Metric::RevenueMinor => by_channel(self.revenue_online, self.revenue_pos),
        }
    }

    /// Each metric of the day by its column's name.
    pub fn columns(&self) -> [(&'static str, i64); 9] {
        [
            ("members_new", self.members_new),
            ("points_issued", self.points_issued),
            ("points_redeemed", self.points_redeemed),
            ("points_expired", self.points_expired),
            ("redemptions", self.redemptions),
            ("orders_online", self.orders_online),
            ("orders_pos", self.orders_pos),
            ("revenue_online", self.revenue_online),
            ("revenue_pos", self.revenue_pos),
        ]
    }

    fn is_zero(&self) -> bool {
        *self == DayTotals::default()
    }

    fn from_row(row: TotalsRow) -> (i64, DayTotals) {
        let (day, members_new, points_issued, points_redeemed, points_expired, redemptions) =
            (row.0, row.1, row.2, row.3, row.4, row.5);
        let (orders_online, orders_pos, revenue_online, revenue_pos) = (row.6, row.7, row.8, row.9);
        (
            day,
            DayTotals {
                members_new,
                points_issued,
                points_redeemed,
                points_expired,
                redemptions,
                orders_online,
                orders_pos,
                revenue_online,
                revenue_pos,
            },
        )
    }
}

type TotalsRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// What a transaction's writes add, by shop and day; ordered, so rows are locked in one order.
#[derive(Debug, Default)]
pub(super) struct Pending(BTreeMap<(String, i64), DayTotals>);

impl Pending {
    fn day(&mut self, shop_id: &str, created_at: i64) -> &mut DayTotals {
        self.0
            .entry((shop_id.to_owned(), day_of(created_at)))
            .or_default()
    }

    /// A customer enrolled.
    pub(super) fn member(&mut self, shop_id: &str, created_at: i64) {
        self.day(shop_id, created_at).members_new += 1;
    }

    /// A ledger entry appended.
    pub(super) fn entry(
        &mut self,
        shop_id: &str,
        kind: ActivityKind,
        points: i64,
        created_at: i64,
    ) {
        if points > 0 {
            self.day(shop_id, created_at).points_issued += points;
        } else if points < 0 && kind == ActivityKind::Redeem {
            self.day(shop_id, created_at).points_redeemed -= points;
        } else if points < 0 && kind == ActivityKind::Expire {
            self.day(shop_id, created_at).points_expired -= points;
        }
    }

    pub(super) fn redemption(&mut self, shop_id: &str, created_at: i64) {
        self.day(shop_id, created_at).redemptions += 1;
    }

    /// An order recorded; `channel` is an `OrderChannel` word.
    pub(super) fn order(
        &mut self,
        shop_id: &str,
        channel: &str,
        total_minor: i64,
        created_at: i64,
    ) {
        let day = self.day(shop_id, created_at);
        if channel == OrderChannel::Pos.as_str() {
            day.orders_pos += 1;
            day.revenue_pos += total_minor;
        } else {
            day.orders_online += 1;
            day.revenue_online += total_minor;
        }
    }
}

/// Turns the transactions of one process through the shards.
static NEXT_SHARD: AtomicU64 = AtomicU64::new(0);

/// Adds a transaction's pending totals to their rows (in the transaction, just before its commit).
pub(super) async fn add(
    conn: &mut AnyConnection,
    backend: Backend,
    pending: Pending,
) -> AppResult<()> {
    let mut days = pending
        .0
        .into_iter()
        .filter(|(_, t)| !t.is_zero())
        .peekable();
    if days.peek().is_none() {
        return Ok(());
    }
    let shard = match backend {
        Backend::Sqlite => 0,
        Backend::Postgres => NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % POSTGRES_SHARDS,
    };
    for ((shop_id, day), t) in days {
        sqlx::query(
            "INSERT INTO daily_totals (shop_id, day, shard, members_new, points_issued, points_redeemed,
                                       points_expired, redemptions, orders_online, orders_pos,
                                       revenue_online, revenue_pos)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (shop_id, day, shard) DO UPDATE SET
                 members_new = daily_totals.members_new + excluded.members_new,
                 points_issued = daily_totals.points_issued + excluded.points_issued,
                 points_redeemed = daily_totals.points_redeemed + excluded.points_redeemed,
                 points_expired = daily_totals.points_expired + excluded.points_expired,
                 redemptions = daily_totals.redemptions + excluded.redemptions,
                 orders_online = daily_totals.orders_online + excluded.orders_online,
                 orders_pos = daily_totals.orders_pos + excluded.orders_pos,
                 revenue_online = daily_totals.revenue_online + excluded.revenue_online,
                 revenue_pos = daily_totals.revenue_pos + excluded.revenue_pos",
        )
        .bind(shop_id)
        .bind(day)
        .bind(shard as i64)
        .bind(t.members_new)
        .bind(t.points_issued)
        .bind(t.points_redeemed)
        .bind(t.points_expired)
        .bind(t.redemptions)
        .bind(t.orders_online)
        .bind(t.orders_pos)
        .bind(t.revenue_online)
        .bind(t.revenue_pos)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The shop's totals of each day from `from` through `to` (days since 1970-01-01), only days that have
/// a row, oldest first.
pub async fn by_day(
    conn: &mut AnyConnection,
    shop_id: &str,
    from: i64,
    to: i64,
) -> AppResult<Vec<(i64, DayTotals)>> {
    let rows: Vec<TotalsRow> = sqlx::query_as(
        "SELECT day, CAST(SUM(members_new) AS BIGINT), CAST(SUM(points_issued) AS BIGINT),
                CAST(SUM(points_redeemed) AS BIGINT), CAST(SUM(points_expired) AS BIGINT),
                CAST(SUM(redemptions) AS BIGINT), CAST(SUM(orders_online) AS BIGINT),
                CAST(SUM(orders_pos) AS BIGINT), CAST(SUM(revenue_online) AS BIGINT),
                CAST(SUM(revenue_pos) AS BIGINT)
         FROM daily_totals WHERE shop_id = $1 AND day >= $2 AND day <= $3 GROUP BY day ORDER BY day",
    )
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(DayTotals::from_row).collect())
}

/// The shop's daily totals counted again from the rows themselves (customers, ledger entries,
/// redemptions, orders): what `daily_totals` must hold. The same sums as the migration's backfill.
const RECOUNT: &str = "
    SELECT day, CAST(SUM(members_new) AS BIGINT) AS members_new,
           CAST(SUM(points_issued) AS BIGINT) AS points_issued,
           CAST(SUM(points_redeemed) AS BIGINT) AS points_redeemed,
           CAST(SUM(points_expired) AS BIGINT) AS points_expired,
           CAST(SUM(redemptions) AS BIGINT) AS redemptions,
           CAST(SUM(orders_online) AS BIGINT) AS orders_online,
           CAST(SUM(orders_pos) AS BIGINT) AS orders_pos,
           CAST(SUM(revenue_online) AS BIGINT) AS revenue_online,
           CAST(SUM(revenue_pos) AS BIGINT) AS revenue_pos
    FROM (
        SELECT created_at / 86400000 AS day, COUNT(*) AS members_new, 0 AS points_issued,
               0 AS points_redeemed, 0 AS points_expired, 0 AS redemptions, 0 AS orders_online,
               0 AS orders_pos, 0 AS revenue_online, 0 AS revenue_pos
        FROM customers WHERE shop_id = $1 GROUP BY created_at / 86400000
        UNION ALL
        SELECT created_at / 86400000, 0,
               SUM(CASE WHEN points > 0 THEN points ELSE 0 END),
               SUM(CASE WHEN kind = 'redeem' AND points < 0 THEN -points ELSE 0 END),
               SUM(CASE WHEN kind = 'expire' AND points < 0 THEN -points ELSE 0 END), 0, 0, 0, 0, 0
        FROM ledger_entries WHERE shop_id = $1 GROUP BY created_at / 86400000
        UNION ALL
        SELECT created_at / 86400000, 0, 0, 0, 0, COUNT(*), 0, 0, 0, 0
        FROM redemptions WHERE shop_id = $1 GROUP BY created_at / 86400000
        UNION ALL
        SELECT created_at / 86400000, 0, 0, 0, 0, 0,
               SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END),
               SUM(CASE WHEN channel = 'pos' THEN 1 ELSE 0 END),
               SUM(CASE WHEN channel = 'online' THEN total_minor ELSE 0 END),
               SUM(CASE WHEN channel = 'pos' THEN total_minor ELSE 0 END)
        FROM orders WHERE shop_id = $1 GROUP BY created_at / 86400000
    ) history
    GROUP BY day";

/// [`RECOUNT`]: every day of the shop that has anything, oldest first.
pub async fn recount(conn: &mut AnyConnection, shop_id: &str) -> AppResult<Vec<(i64, DayTotals)>> {
    let rows: Vec<TotalsRow> = sqlx::query_as(&format!("{RECOUNT} ORDER BY day"))
        .bind(shop_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(DayTotals::from_row).collect())
}

/// Every day of the shop's stored totals (the shards summed), oldest first.
pub async fn stored(conn: &mut AnyConnection, shop_id: &str) -> AppResult<Vec<(i64, DayTotals)>> {
    by_day(conn, shop_id, i64::MIN, i64::MAX).await
}

/// Replaces the shop's daily totals with a recount of its rows, for repairs and tests that rewrite
/// history in SQL. Run it while the shop takes no writes: a write committing meanwhile may be counted
/// twice or not at all.
pub async fn rebuild(db: &Db, shop_id: &str) -> AppResult<()> {
    let mut tx = db.begin_shop_write().await?;
    sqlx::query("DELETE FROM daily_totals WHERE shop_id = $1")
        .bind(shop_id)
        .execute(tx.conn())
        .await?;
    sqlx::query(&format!(
        "INSERT INTO daily_totals (shop_id, day, shard, members_new, points_issued, points_redeemed,
                                   points_expired, redemptions, orders_online, orders_pos,
                                   revenue_online, revenue_pos)
         SELECT $1, day, 0, members_new, points_issued, points_redeemed, points_expired, redemptions,
                orders_online, orders_pos, revenue_online, revenue_pos
         FROM ({RECOUNT}) recount"
    ))
    .bind(shop_id)
    .execute(tx.conn())
    .await?;
    tx.commit().await
}
