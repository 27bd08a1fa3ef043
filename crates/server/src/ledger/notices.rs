//! Notices ahead of time: what the ledger tells a shop before it happens. Today `points.expiring`,
//! seven days before a lot expires, once per lot.

use tally_core::rules::DAY_MS;

use super::{customer_write, CustomerTx, Whom};
use crate::clock::rfc3339;
use crate::db::lots::ExpiringLot;
use crate::db::{self, Db};
use crate::error::AppResult;
use crate::shops::ShopRecord;

/// Lots expiring within this window are noticed.
pub const POINTS_EXPIRING_NOTICE_MS: i64 = 7 * DAY_MS;

/// The points-expiring job's step for one customer: claims their lots expiring within seven days that
/// were not noticed yet (marking them, in the same transaction) and notices each; returns how many.
pub async fn notice_expiring_points(
    db: &Db,
    shop: &ShopRecord,
    customer_pk: i64,
    now: i64,
) -> AppResult<usize> {
    customer_write(db, shop, Whom::Pk(customer_pk), now, |ctx| {
        Box::pin(async move {
            let (pk, now) = (ctx.customer.pk, ctx.now);
            let until = now.saturating_add(POINTS_EXPIRING_NOTICE_MS);
            let lots = db::lots::claim_expiring(ctx.tx(), pk, now, until).await?;
            for lot in &lots {
                points_expiring(ctx, lot).await?;
            }
            Ok(lots.len())
        })
    })
    .await
}

/// One lot's `points.expiring` notice (a webhook event), inside the transaction that marked the lot
/// noticed.
pub async fn points_expiring(ctx: &mut CustomerTx<'_>, lot: &ExpiringLot) -> AppResult<()> {
    super::events::points_expiring(ctx, lot.remaining, &rfc3339(lot.expires_at)).await
}
