//! The ledger's invariants on stored data, for `tally-server check` and every ledger test:
//!
//! - a customer's balance is the sum of their entries, and each entry's `balance_after` the running sum
//!   (so the newest one's is the balance);
//! - a redemption never leaves a negative `balance_after`;
//! - the balance is what the open lots still hold, less the debt; debt is never negative and never sits
//!   beside unspent points; no lot holds less than 0 or more than it was given;
//! - with `expired_by`, no lot past its date still holds points (expiry is lazy, so only once every due
//!   lot was expired, as `ledger::summary` does).
//! - the shop's daily totals (what reports over time read) are what its customers, entries, redemptions
//!   and orders add up to, day by day.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use sqlx::AnyPool;
use tally_core::timeseries::format_date;

use crate::db::check::{self as rows, CustomerRow, EntryRow, LotRow};
use crate::db::daily_totals::{self, DayTotals};
use crate::error::AppResult;

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub shop_id: String,
    /// Empty for a problem of the shop's, not of one customer's (its daily totals).
    pub customer_id: String,
    /// Which invariant, in words.
    pub rule: String,
    pub expected: i64,
    pub found: i64,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.customer_id.is_empty() {
            return write!(
                f,
                "shop {}: {}: expected {}, found {}",
                self.shop_id, self.rule, self.expected, self.found
            );
        }
        write!(
            f,
            "shop {} customer {}: {}: expected {}, found {}",
            self.shop_id, self.customer_id, self.rule, self.expected, self.found
        )
    }
}

/// What a check covered and what it found.
#[derive(Debug, Default)]
pub struct Checked {
    pub customers: usize,
    pub entries: usize,
    pub lots: usize,
    pub problems: Vec<Problem>,
}

impl Checked {
    fn add(&mut self, other: Checked) {
        self.customers += other.customers;
        self.entries += other.entries;
        self.lots += other.lots;
        self.problems.extend(other.problems);
    }
}

/// Every shop of the database, one at a time (memory stays that of the largest shop).
pub async fn check_database(pool: &AnyPool) -> AppResult<Checked> {
    let mut checked = Checked::default();
    for shop_id in rows::shop_ids(pool).await? {
        checked.add(check_shop(pool, &shop_id, None).await?);
    }
    Ok(checked)
}

pub async fn check_shop(
    pool: &AnyPool,
    shop_id: &str,
    expired_by: Option<i64>,
) -> AppResult<Checked> {
    let customers = rows::customers(pool, shop_id).await?;
    let entries = rows::entries(pool, shop_id).await?;
    let lots = rows::lots(pool, shop_id).await?;
    let mut checked = Checked {
        customers: customers.len(),
        entries: entries.len(),
        lots: lots.len(),
        problems: Vec::new(),
    };
    for customer in &customers {
        // Both lists are ordered by customer: each customer's slice is found by partition.
        let their_entries = slice_of(&entries, customer.id, |e| e.customer_pk);
        let their_lots = slice_of(&lots, customer.id, |l| l.customer_pk);
        check_customer(
            customer,
            their_entries,
            their_lots,
            expired_by,
            &mut |rule, expected, found| {
                checked.problems.push(Problem {
                    shop_id: shop_id.to_owned(),
                    customer_id: customer.customer_id.clone(),
                    rule,
                    expected,
                    found,
                })
            },
        );
    }
    checked
        .problems
        .extend(check_daily_totals(pool, shop_id).await?);
    Ok(checked)
}

/// The shop's daily totals against a recount of the rows they count; nothing to check on a database
/// from before they existed.
pub async fn check_daily_totals(pool: &AnyPool, shop_id: &str) -> AppResult<Vec<Problem>> {
    if !rows::has_daily_totals(pool).await? {
        return Ok(Vec::new());
    }
    let mut conn = pool.acquire().await?;
    let stored: BTreeMap<i64, DayTotals> = daily_totals::stored(&mut conn, shop_id)
        .await?
        .into_iter()
        .collect();
    let counted: BTreeMap<i64, DayTotals> = daily_totals::recount(&mut conn, shop_id)
        .await?
        .into_iter()
        .collect();
    let mut problems = Vec::new();
    for day in stored.keys().chain(counted.keys()).collect::<BTreeSet<_>>() {
        let found = stored.get(day).copied().unwrap_or_default();
        let expected = counted.get(day).copied().unwrap_or_default();
        for ((column, found), (_, expected)) in found.columns().into_iter().zip(expected.columns())
        {
            if found != expected {
                problems.push(Problem {
                    shop_id: shop_id.to_owned(),
                    customer_id: String::new(),
                    rule: format!(
                        "daily totals of {}: {column} is not what the rows add up to",
                        format_date(*day)
                    ),
                    expected,
                    found,
                });
            }
        }
    }
    Ok(problems)
}

fn slice_of<T>(sorted: &[T], pk: i64, key: impl Fn(&T) -> i64) -> &[T] {
    let start = sorted.partition_point(|row| key(row) < pk);
    let end = sorted.partition_point(|row| key(row) <= pk);
    &sorted[start..end]
}

/// The rules for one customer; `problem(rule, expected, found)` for each broken one.
pub fn check_customer(
    customer: &CustomerRow,
    entries: &[EntryRow],
    lots: &[LotRow],
    expired_by: Option<i64>,
    problem: &mut dyn FnMut(String, i64, i64),
) {
    let mut running = 0i64;
    let mut chain_broken = false;
    for entry in entries {
        running += entry.points;
        // Only the first break: every later entry of the customer would repeat it.
        if entry.balance_after != running && !chain_broken {
            chain_broken = true;
            problem(
                format!(
                    "entry {} ({} {}): balance_after is not the running sum of the entries",
                    entry.id, entry.kind, entry.points
                ),
                running,
                entry.balance_after,
            );
        }
        if entry.kind == "redeem" && entry.balance_after < 0 {
            problem(
                format!("redemption entry {}: left a negative balance", entry.id),
                0,
                entry.balance_after,
            );
        }
    }
    if customer.balance != running {
        problem(
            "balance is not the sum of the entries".into(),
            running,
            customer.balance,
        );
    }
    if let Some(newest) = entries.last() {
        if newest.balance_after != customer.balance {
            problem(
                format!(
                    "balance is not the newest entry's ({}) balance_after",
                    newest.id
                ),
                newest.balance_after,
                customer.balance,
            );
        }
    }
    if customer.debt < 0 {
        problem("debt is negative".into(), 0, customer.debt);
    }
    let mut open = 0i64;
    for lot in lots {
        if lot.remaining < 0 {
            problem(
                format!("lot {}: holds less than nothing", lot.id),
                0,
                lot.remaining,
            );
        } else if lot.remaining > lot.points {
            problem(
                format!("lot {}: holds more than it was given", lot.id),
                lot.points,
                lot.remaining,
            );
        }
        if let (Some(now), Some(at)) = (expired_by, lot.expires_at) {
            if at <= now && lot.remaining != 0 {
                problem(
                    format!("lot {}: outlived its date", lot.id),
                    0,
                    lot.remaining,
                );
            }
        }
        open += lot.remaining;
    }
    if open - customer.debt != customer.balance {
        problem(
            "balance is not the open lots' remainders less the debt".into(),
            open - customer.debt,
            customer.balance,
        );
    }
    if customer.debt > 0 && open > 0 {
        problem(
            format!("a debt of {} beside unspent points", customer.debt),
            0,
            open,
        );
    }
}
