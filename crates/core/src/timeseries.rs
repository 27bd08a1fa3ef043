//! Reports over time (`GET …/reports/timeseries`): the wire types, and the calendar the server buckets
//! by — UTC days, weeks starting on Monday, calendar months. Pure, so tested here at the edges (week
//! boundaries, month ends, leap days, ranges too long).

use serde::{Deserialize, Serialize};

use crate::rules::{civil_from_days, days_from_civil};
use crate::words::wire_enum;

/// The most periods one answer holds (two years of days, fifteen years of weeks).
pub const MAX_POINTS: usize = 750;

wire_enum! {
    /// What a timeseries counts, per period.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Metric("timeseries metric") {
        /// Customers enrolled.
        MembersNew = "members_new",
        /// Points credited, of every kind (what the summary's `points_issued` adds up).
        PointsIssued = "points_issued",
        /// Points spent on rewards.
        PointsRedeemed = "points_redeemed",
        /// Points that expired unused.
        PointsExpired = "points_expired",
        /// Rewards redeemed.
        Redemptions = "redemptions",
        /// Orders recorded.
        Orders = "orders",
        /// Order totals as recorded, in the currency's minor units (refunds are not subtracted).
        RevenueMinor = "revenue_minor",
    }
}

wire_enum! {
    /// The length of one period.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Interval("interval") {
        Day = "day",
        /// Monday to Sunday.
        Week = "week",
        Month = "month",
    }
}

/// `GET /v1/shops/{shop_id}/reports/timeseries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeseries {
    pub metric: Metric,
    pub interval: Interval,
    /// Every period from the one holding `from` to the one holding `to`, zeros too, oldest first.
    pub points: Vec<TimeseriesPoint>,
}

/// One period: its first day and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeseriesPoint {
    /// `YYYY-MM-DD`, UTC.
    pub start: String,
    pub value: i64,
}

/// Days since 1970-01-01 of a strict `YYYY-MM-DD` date (a real day of the Gregorian calendar).
pub fn parse_date(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        text.get(range.clone())
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year.into(), month) {
        return None;
    }
    Some(days_from_civil(year.into(), month, day))
}

/// `YYYY-MM-DD` of a count of days since 1970-01-01.
pub fn format_date(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The first day of the period of `interval` that holds `day` (days since 1970-01-01, a Thursday).
pub fn period_start(interval: Interval, day: i64) -> i64 {
    match interval {
        Interval::Day => day,
        Interval::Week => day - (day + 3).rem_euclid(7),
        Interval::Month => {
            let (year, month, _) = civil_from_days(day);
            days_from_civil(year, month, 1)
        }
    }
}

/// The first day of the period after the one that starts on `start`.
fn next_start(interval: Interval, start: i64) -> i64 {
    match interval {
        Interval::Day => start + 1,
        Interval::Week => start + 7,
        Interval::Month => {
            let (year, month, _) = civil_from_days(start);
            if month == 12 {
                days_from_civil(year + 1, 1, 1)
            } else {
                days_from_civil(year, month + 1, 1)
            }
        }
    }
}

/// The periods from the one holding `from` to the one holding `to` (both days since 1970-01-01,
/// inclusive), as their first days; or why not (a reversed range, more than [`MAX_POINTS`]).
pub fn periods(interval: Interval, from: i64, to: i64) -> Result<Vec<i64>, String> {
    if from > to {
        return Err(format!(
            "from: {} is after to ({})",
            format_date(from),
            format_date(to)
        ));
    }
    let mut starts = Vec::new();
    let mut start = period_start(interval, from);
    while start <= to {
        if starts.len() == MAX_POINTS {
            return Err(format!(
                "from, to: more than {MAX_POINTS} {interval}s; ask for a shorter range or a longer interval"
            ));
        }
        starts.push(start);
        start = next_start(interval, start);
    }
    Ok(starts)
}

/// Sums daily values `(day, value)` into the periods that `starts` begin (as [`periods`] gave them);
/// days outside every period are ignored.
pub fn bucket(starts: &[i64], interval: Interval, daily: &[(i64, i64)]) -> Vec<i64> {
    let mut values = vec![0i64; starts.len()];
    for &(day, value) in daily {
        if let Ok(i) = starts.binary_search(&period_start(interval, day)) {
            values[i] = values[i].saturating_add(value);
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> i64 {
        parse_date(text).unwrap_or_else(|| panic!("{text} is a date"))
    }

    #[test]
    fn dates_are_strict_and_real() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(format_date(day("2024-02-29")), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-1-01",
            "2026-01-01T00:00:00Z",
            "+026-01-01",
            "2026/01/01",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(
            parse_date("2000-02-29").map(format_date).as_deref(),
            Some("2000-02-29")
        );
        assert_eq!(parse_date("1900-02-29"), None);
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-30 is a Monday, 2026-12-06 a Sunday, 2026-12-07 the next Monday.
        let monday = day("2026-11-30");
        for d in ["2026-11-30", "2026-12-02", "2026-12-06"] {
            assert_eq!(period_start(Interval::Week, day(d)), monday, "{d}");
        }
        assert_eq!(
            period_start(Interval::Week, day("2026-12-07")),
            day("2026-12-07")
        );
        // Across a year end: 2027-01-01 is a Friday, in the week of Monday 2026-12-28.
        assert_eq!(
            period_start(Interval::Week, day("2027-01-01")),
            day("2026-12-28")
        );
        // Before the epoch too (1969-12-29 was a Monday).
        assert_eq!(period_start(Interval::Week, 0), day("1969-12-29"));
    }

    #[test]
    fn every_period_of_the_range_is_present() {
        let weeks = periods(Interval::Week, day("2026-11-25"), day("2026-12-14")).unwrap();
        let labels: Vec<String> = weeks.iter().map(|&d| format_date(d)).collect();
        assert_eq!(
            labels,
            ["2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14"]
        );

        let months = periods(Interval::Month, day("2024-01-31"), day("2024-03-01")).unwrap();
        let labels: Vec<String> = months.iter().map(|&d| format_date(d)).collect();
        assert_eq!(labels, ["2024-01-01", "2024-02-01", "2024-03-01"]);

        let one_day = periods(Interval::Day, day("2026-12-31"), day("2026-12-31")).unwrap();
        assert_eq!(one_day, [day("2026-12-31")]);
        let year_end = periods(Interval::Day, day("2026-12-31"), day("2027-01-01")).unwrap();
        assert_eq!(year_end.len(), 2);
    }

    #[test]
    fn ranges_of_more_than_750_periods_and_reversed_ranges_are_refused() {
        let from = day("2025-01-01");
        assert_eq!(periods(Interval::Day, from, from + 749).unwrap().len(), 750);
        let err = periods(Interval::Day, from, from + 750).unwrap_err();
        assert!(err.contains("more than 750 days"), "{err}");
        assert!(periods(Interval::Month, day("1970-01-01"), day("2032-06-30")).is_ok());
        assert!(periods(Interval::Month, day("1970-01-01"), day("2032-07-01")).is_err());
        let err = periods(Interval::Day, from + 1, from).unwrap_err();
        assert!(err.contains("after to"), "{err}");
    }

    #[test]
    fn daily_values_land_in_their_period() {
        let starts = periods(Interval::Month, day("2026-01-15"), day("2026-03-10")).unwrap();
        let daily = [
            (day("2026-01-15"), 1),
            (day("2026-01-31"), 2),
            (day("2026-02-01"), 4),
            (day("2026-02-28"), 8),
            (day("2026-03-10"), 16),
            (day("2026-04-01"), 1000),
        ];
        assert_eq!(bucket(&starts, Interval::Month, &daily), [3, 12, 16]);
    }
}
