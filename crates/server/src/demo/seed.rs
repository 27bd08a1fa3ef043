//! The demo's data: the Tally Coffee Roasters shop, its program, and a shopper with a year of history,
//! all written through the ledger as the API would.

use tally_core::api::*;
use tally_core::rules::DAY_MS;
use tally_core::{CustomerId, IdempotencyKey};

use super::{FRIEND, SECRET_KEY, SHOPPER, SHOP_ID, SHOP_NAME};
use crate::clock::now_ms;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::{ledger, shops};

/// The demo shop's program, with this port in its origins and landing URL.
fn demo_program(port: u16) -> (ProgramRules, Vec<String>) {
    let mut rules = tally_core::demo::coffee_club_program();
    rules.referral.landing_url = format!("http://127.0.0.1:{port}/");
    for paid in rules.tiers.iter_mut().filter_map(|t| t.paid.as_mut()) {
        paid.purchase_url = format!("http://127.0.0.1:{port}/#gold-club");
    }
    let origins = vec![
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ];
    (rules, origins)
}

/// Seeds the shop, its program and the demo shopper's history. Safe on every start: every write
/// carries a fixed idempotency key, so a second start changes nothing but the origins.
pub async fn seed(db: &Db, port: u16) -> AppResult<()> {
    let (rules, origins) = demo_program(port);
    shops::upsert_shop(
        db,
        &shops::NewShop {
            id: SHOP_ID,
            name: SHOP_NAME,
            currency: "USD",
            locale: "en",
            secret_key: SECRET_KEY,
            rules: &rules,
            allowed_origins: &origins,
        },
    )
    .await?;
    // The demo's console sign-in (public on purpose, like the key); re-set on every start.
    let owner = tally_core::staff::NewStaff {
        email: super::OWNER_EMAIL.into(),
        role: tally_core::staff::Role::Owner,
        password: Some(super::OWNER_PASSWORD.into()),
    };
    crate::staff::add(db, SHOP_ID, &owner, "key", true, now_ms()).await?;
    let shop = shops::ShopCache::default().require(db, SHOP_ID).await?;
    let shopper = CustomerId::parse(SHOPPER).map_err(|e| AppError::internal(e.to_string()))?;
    let now = now_ms();
    let ago = |days: i64| now - days * DAY_MS;
    let order =
        |id: &str, customer: &str, total_minor: i64, referral_code: Option<String>| OrderRequest {
            order_id: id.into(),
            customer_id: customer.into(),
            total_minor,
            currency: "USD".into(),
            referral_code,
            channel: OrderChannel::Online,
        };
    let shopper_orders = [
        (345, "demo-order-1001", 12_000),
        (300, "demo-order-1002", 6_500),
        (200, "demo-order-1003", 5_850),
        (120, "demo-order-1004", 7_200),
        (60, "demo-order-1005", 4_500),
        (14, "demo-order-1006", 3_800),
        (5, "demo-order-1007", 5_200),
        (2, "demo-order-1008", 1_850),
    ];
    for (days, id, total) in &shopper_orders[..2] {
        ledger::record_order(db, &shop, &order(id, SHOPPER, *total, None), ago(*days)).await?;
    }
    // Spends the signup lot and part of the first order's, which then expires within 30 days.
    let redemption = RedemptionRequest {
        reward_id: "5off".into(),
    };
    let key = IdempotencyKey::parse("demo-redemption-1")
        .map_err(|e| AppError::internal(e.to_string()))?;
    ledger::redeem(db, &shop, &shopper, &key, &redemption, ago(240)).await?;
    let (days, id, total) = shopper_orders[2];
    ledger::record_order(db, &shop, &order(id, SHOPPER, total, None), ago(days)).await?;
    let refund = RefundRequest {
        refund_id: "demo-refund-1".into(),
        amount_minor: 2_000,
    };
    ledger::record_refund(db, &shop, id, &refund, ago(180)).await?;
    let birthday = ActivityRequest {
        rule_id: "birthday".into(),
        idempotency_key: "demo-birthday-1".into(),
    };
    ledger::award_activity(db, &shop, &shopper, &birthday, ago(150)).await?;
    let (days, id, total) = shopper_orders[3];
    ledger::record_order(db, &shop, &order(id, SHOPPER, total, None), ago(days)).await?;
    let adjustment = AdjustmentRequest {
        points: 25,
        reason: "Sorry your beans arrived late".into(),
        idempotency_key: "demo-adjustment-1".into(),
    };
    ledger::adjust(db, &shop, &shopper, &adjustment, ago(90)).await?;
    let (days, id, total) = shopper_orders[4];
    ledger::record_order(db, &shop, &order(id, SHOPPER, total, None), ago(days)).await?;

    // A friend joins through Ada's link.
    let code = db::customers::referral_code(db, SHOP_ID, &shopper)
        .await?
        .ok_or_else(|| AppError::internal("the demo shopper has no referral code"))?;
    let friend_order = order("demo-order-2001", FRIEND, 3_000, Some(code));
    ledger::record_order(db, &shop, &friend_order, ago(30)).await?;

    for (days, id, total) in &shopper_orders[5..] {
        ledger::record_order(db, &shop, &order(id, SHOPPER, *total, None), ago(*days)).await?;
    }
    let profile = CustomerUpdate {
        first_name: Some("Ada".into()),
        email: Some("ada@example.com".into()),
        birthday: Some("12-10".into()),
        // Looked up at the counter by her phone.
        phone: Some("+15550104477".into()),
    };
    ledger::update_customer(db, &shop, &shopper, &profile, now).await?;
    Ok(())
}
