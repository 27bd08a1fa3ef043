//! `tally-server seed`: synthetic customers for benchmarks, many of them with a believable history, for benchmarks. Every write goes
//! through the ledger exactly as the API's would (orders over the past year, some refunds, some
//! redemptions), so what is measured afterwards reads a real ledger.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tally_core::api::{OrderRequest, RedemptionRequest, RefundRequest};
use tally_core::{CustomerId, IdempotencyKey};

use crate::db::{Db, SqliteSync};
use crate::error::{AppError, AppResult};
use crate::{clock, ledger, shops::ShopCache};

use tally_core::rules::DAY_MS;

/// Seeds customers `c0` … `c{count-1}` of `shop_id` with `workers` writers in parallel, each with 1 to
/// `max_orders` orders; returns the number of ledger writes made. Re-running it is harmless: order and
/// refund ids are idempotency keys.
pub async fn seed(
    db: &Db,
    shop_id: &str,
    count: usize,
    workers: usize,
    max_orders: u64,
) -> AppResult<usize> {
    let shop = ShopCache::default().require(db, shop_id).await?;
    db.set_sqlite_sync(SqliteSync::Off).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let writes = Arc::new(AtomicUsize::new(0));
    let now = clock::now_ms();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (db, shop, next, writes) = (db.clone(), shop.clone(), next.clone(), writes.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<(), AppError>(());
                }
                let customer_id = format!("c{i}");
                // A small deterministic spread: 1 to `max_orders` orders of $8 to $120 over the past
                // 300 days.
                let mut rng = (i as u64)
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let mut roll = |n: u64| {
                    rng = rng
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (rng >> 33) % n
                };
                let orders = 1 + roll(max_orders.max(1));
                for k in 0..orders {
                    let order = OrderRequest {
                        order_id: format!("seed-{i}-{k}"),
                        customer_id: customer_id.clone(),
                        total_minor: 800 + 100 * roll(1_120) as i64,
                        currency: shop.shop.currency.clone(),
                        referral_code: None,
                        channel: Default::default(),
                    };
                    let step = 280 / orders as i64;
                    let at = now - (300 - step * k as i64) * DAY_MS - roll(DAY_MS as u64) as i64;
                    ledger::record_order(&db, &shop, &order, at).await?;
                    writes.fetch_add(1, Ordering::Relaxed);
                    if roll(10) == 0 {
                        let refund = RefundRequest {
                            refund_id: format!("seed-{i}-{k}-r"),
                            amount_minor: order.total_minor / 2,
                        };
                        ledger::record_refund(&db, &shop, &order.order_id, &refund, at + DAY_MS)
                            .await?;
                        writes.fetch_add(1, Ordering::Relaxed);
                    }
                }
                if let Some(reward) = shop.rules.rewards.first().filter(|_| roll(4) == 0) {
                    let request = RedemptionRequest {
                        reward_id: reward.id.clone(),
                    };
                    // Not enough points is an answer like any other here, not a failure of the seed.
                    let customer = CustomerId::parse(customer_id.as_str())
                        .map_err(|e| AppError::internal(e.to_string()))?;
                    let key = IdempotencyKey::parse(format!("seed-{i}"))
                        .map_err(|e| AppError::internal(e.to_string()))?;
                    match ledger::redeem(&db, &shop, &customer, &key, &request, now).await {
                        Ok(_)
                        | Err(AppError::InsufficientPoints(_))
                        | Err(AppError::RewardUnavailable(_)) => {}
                        Err(e) => return Err(e),
                    }
                    writes.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|e| AppError::internal(format!("seed worker: {e}")))??;
    }
    db.set_sqlite_sync(SqliteSync::Full).await?;
    // With synchronous back to FULL, a checkpoint writes and syncs everything the seed wrote.
    db.checkpoint().await?;
    Ok(writes.load(Ordering::Relaxed))
}
