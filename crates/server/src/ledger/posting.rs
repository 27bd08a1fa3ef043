//! Posting an entry: the one place a balance moves. Credits open a lot, debits draw on the soonest
//! expiring lots, and what the lots cannot cover becomes debt that later credits pay off first.

use tally_core::rules::DAY_MS;
use tally_core::ActivityKind;

use crate::clock::rfc3339;
use crate::db::customers::CustomerRow;
use crate::db::entries::NewEntry;
use crate::db::{self, LockedTx};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// No balance goes beyond ± this many points. Found by schemathesis: an adjustment of i64::MAX points
/// saturated the balance (no longer the sum of its entries) and the report's sums overflowed into a 500.
/// Bounded postings keep every sum exact; a trillion points is beyond any real program.
pub const MAX_BALANCE: i64 = 1_000_000_000_000;

/// One ledger entry to append.
pub struct Posting {
    pub kind: ActivityKind,
    pub points: i64,
    pub description: String,
    pub reference: String,
}

/// Appends an entry and moves the balance with it; credits open a lot, debits draw on the oldest lots.
pub async fn post(
    tx: &mut LockedTx,
    shop: &ShopRecord,
    customer: &mut CustomerRow,
    posting: Posting,
    now: i64,
) -> AppResult<i64> {
    let balance_after = customer
        .balance
        .checked_add(posting.points)
        .filter(|b| b.abs() <= MAX_BALANCE)
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "points: {} would take the balance of {} past the ledger's limit of ±{MAX_BALANCE}",
                posting.points, customer.balance
            ))
        })?;
    let lifetime_after = customer
        .lifetime_points
        .saturating_add(posting.points.abs());
    if lifetime_after > MAX_BALANCE.saturating_mul(1000) {
        return Err(AppError::Invalid(format!(
            "points: {} would take the lifetime points past the ledger's limit",
            posting.points
        )));
    }
    let entry_id = db::entries::insert(
        tx,
        &NewEntry {
            shop_id: &shop.shop.id,
            customer_pk: customer.pk,
            kind: posting.kind,
            points: posting.points,
            balance_after,
            description: &posting.description,
            reference: &posting.reference,
            created_at: now,
        },
    )
    .await?;
    crate::telemetry::entry_posted(posting.kind.as_str());

    if posting.points > 0 {
        let paid_debt = customer.debt.min(posting.points);
        customer.debt -= paid_debt;
        let lot = posting.points - paid_debt;
        if lot > 0 {
            let expires_at = shop
                .rules
                .points_expiry_days
                .map(|days| now.saturating_add(i64::from(days) * DAY_MS));
            db::lots::insert(tx, customer.pk, entry_id, lot, expires_at).await?;
        }
    } else if posting.points < 0 && posting.kind != ActivityKind::Expire {
        let shortfall = draw_lots(tx, customer.pk, -posting.points, now).await?;
        customer.debt += shortfall;
    }

    let lifetime_before = customer.lifetime_points;
    customer.lifetime_points += match posting.kind {
        ActivityKind::Earn | ActivityKind::Signup | ActivityKind::Referral => posting.points.max(0),
        ActivityKind::Refund => posting.points,
        _ => 0,
    };
    customer.balance = balance_after;
    db::customers::save_points(tx, customer).await?;
    super::events::entry_posted(tx, shop, customer, entry_id, &posting, lifetime_before, now)
        .await?;
    Ok(entry_id)
}

/// Takes `points` from the open lots, soonest expiry first; returns what they could not cover.
async fn draw_lots(tx: &mut LockedTx, pk: i64, points: i64, now: i64) -> AppResult<i64> {
    let mut left = points;
    for (lot_id, remaining) in db::lots::open(tx, pk, now).await? {
        if left == 0 {
            break;
        }
        let take = remaining.min(left);
        db::lots::take(tx, lot_id, take).await?;
        left -= take;
    }
    Ok(left)
}

/// Turns the remainders of lots past their date into `expire` entries.
pub async fn expire_due(
    tx: &mut LockedTx,
    shop: &ShopRecord,
    customer: &mut CustomerRow,
    now: i64,
) -> AppResult<()> {
    for lot in db::lots::due(tx, customer.pk, now).await? {
        db::lots::close(tx, lot.id).await?;
        let day = rfc3339(lot.expires_at);
        let day = day.get(..10).unwrap_or(&day);
        post(
            tx,
            shop,
            customer,
            Posting {
                kind: ActivityKind::Expire,
                points: -lot.remaining,
                description: format!("{} expired on {day}", points_text(shop, lot.remaining)),
                reference: format!("lot:{}", lot.id),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// `1 star`, `20 stars`: points in the program's own words.
pub fn points_text(shop: &ShopRecord, points: i64) -> String {
    let name = if points.abs() == 1 {
        &shop.rules.points.singular
    } else {
        &shop.rules.points.plural
    };
    format!("{points} {name}")
}
