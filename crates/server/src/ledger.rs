//! The points ledger: the loyalty rules applied to the database.
//!
//! - Entries are append-only (kind, signed points, balance_after, reference); the customer's balance is
//!   only ever changed together with its entry, in the same transaction.
//! - Every write transaction begins by writing the customer row: on PostgreSQL that takes the row lock,
//!   on SQLite the database's write lock (writers are also queued by `Db::begin_write`). Balance checks
//!   and the writes that depend on them therefore never interleave: redemptions cannot overspend.
//! - Earned points become lots with an expiry date; spending draws on the soonest-expiring lots first; a
//!   lot's remainder becomes an `expire` entry once its date has passed (lazily, before any read or
//!   write of the customer). A refund taking more than the open lots hold leaves a `debt` that the next
//!   earnings pay off first, so `balance = Σ open lot remainders − debt` always holds.
//! - Keyed writes store their first answer; a retry replays it, the same key with another body is 409.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use tally_core::api::*;
use tally_core::rules;

use crate::clock::{rfc3339, DAY_MS};
use crate::db::{is_deadlock, is_unique_violation, Db};
use crate::error::{AppError, AppResult};
use crate::shops::{random_string, ShopRecord};
use crate::webhooks::outbox;

/// Unambiguous capitals and digits for codes a person may type.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Lots expiring within this window are shown in `/me`'s `expiring`.
const EXPIRING_WINDOW_MS: i64 = 30 * DAY_MS;
/// The spend metric looks back this far.
const SPEND_WINDOW_MS: i64 = 365 * DAY_MS;

/// No balance goes beyond ± this many points. Found by schemathesis: an adjustment of i64::MAX points
/// saturated the balance (no longer the sum of its entries) and the report's sums overflowed into a 500.
/// Bounded postings keep every sum exact; a trillion points is beyond any real program.
pub const MAX_BALANCE: i64 = 1_000_000_000_000;

/// A customer row, as locked by the current write transaction.
#[derive(Debug, Clone)]
pub struct Customer {
    pub pk: i64,
    pub customer_id: String,
    pub first_name: Option<String>,
    pub balance: i64,
    pub debt: i64,
    pub lifetime_points: i64,
    pub referral_code: String,
    signup_awarded: i64,
}

type CustomerTuple = (i64, String, Option<String>, i64, i64, i64, String, i64);
const CUSTOMER_COLUMNS: &str =
    "id, customer_id, first_name, balance, debt, lifetime_points, referral_code, signup_awarded";

impl From<CustomerTuple> for Customer {
    fn from(t: CustomerTuple) -> Self {
        Customer {
            pk: t.0,
            customer_id: t.1,
            first_name: t.2,
            balance: t.3,
            debt: t.4,
            lifetime_points: t.5,
            referral_code: t.6,
            signup_awarded: t.7,
        }
    }
}

/// Writes (and so locks) the customer row, enrolling the customer if new: a new customer gets their
/// referral code and the program's signup points once. Must be the first statement of a write transaction.
pub async fn lock_customer(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer_id: &str,
    now: i64,
) -> AppResult<Customer> {
    let sql = format!(
        "INSERT INTO customers (shop_id, customer_id, referral_code, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (shop_id, customer_id) DO UPDATE SET updated_at = excluded.updated_at
         RETURNING {CUSTOMER_COLUMNS}"
    );
    let row: CustomerTuple = sqlx::query_as(&sql)
        .bind(&shop.shop.id)
        .bind(customer_id)
        .bind(random_string(CODE_ALPHABET, 8))
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    let mut customer = Customer::from(row);
    if customer.signup_awarded == 0 {
        sqlx::query("UPDATE customers SET signup_awarded = 1 WHERE id = $1")
            .bind(customer.pk)
            .execute(&mut *conn)
            .await?;
        customer.signup_awarded = 1;
        outbox::customer_enrolled(conn, shop, &customer.customer_id, now).await?;
        let signup = shop
            .rules
            .earn_rules
            .iter()
            .find(|r| r.kind == EarnRuleKind::Signup);
        if let Some(rule) = signup {
            let points = rule.points.unwrap_or(0);
            if points > 0 {
                post(
                    conn,
                    shop,
                    &mut customer,
                    Posting {
                        kind: ActivityKind::Signup,
                        points,
                        description: rule.title.clone(),
                        reference: "signup".into(),
                    },
                    now,
                )
                .await?;
            }
        }
    }
    Ok(customer)
}

/// Writes (and so locks) an existing customer row by its key.
async fn lock_customer_pk(conn: &mut AnyConnection, pk: i64, now: i64) -> AppResult<Customer> {
    let sql =
        format!("UPDATE customers SET updated_at = $2 WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}");
    let row: CustomerTuple = sqlx::query_as(&sql)
        .bind(pk)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.into())
}

/// One ledger entry to append.
pub struct Posting {
    pub kind: ActivityKind,
    pub points: i64,
    pub description: String,
    pub reference: String,
}

/// Appends an entry and moves the balance with it; credits open a lot, debits draw on the oldest lots.
pub async fn post(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer: &mut Customer,
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
    let entry_id: i64 = sqlx::query_scalar(
        "INSERT INTO ledger_entries (shop_id, customer_pk, kind, points, balance_after, description,
                                     reference, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&shop.shop.id)
    .bind(customer.pk)
    .bind(posting.kind.as_str())
    .bind(posting.points)
    .bind(balance_after)
    .bind(&posting.description)
    .bind(&posting.reference)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;

    if posting.points > 0 {
        let paid_debt = customer.debt.min(posting.points);
        customer.debt -= paid_debt;
        let lot = posting.points - paid_debt;
        if lot > 0 {
            let expires_at = shop
                .rules
                .points_expiry_days
                .map(|days| now.saturating_add(i64::from(days) * DAY_MS));
            sqlx::query(
                "INSERT INTO point_lots (customer_pk, entry_id, points, remaining, expires_at)
                 VALUES ($1, $2, $3, $3, $4)",
            )
            .bind(customer.pk)
            .bind(entry_id)
            .bind(lot)
            .bind(expires_at)
            .execute(&mut *conn)
            .await?;
        }
    } else if posting.points < 0 && posting.kind != ActivityKind::Expire {
        let shortfall = draw_lots(conn, customer.pk, -posting.points, now).await?;
        customer.debt += shortfall;
    }

    let lifetime_before = customer.lifetime_points;
    customer.lifetime_points += match posting.kind {
        ActivityKind::Earn | ActivityKind::Signup | ActivityKind::Referral => posting.points.max(0),
        ActivityKind::Refund => posting.points,
        _ => 0,
    };
    customer.balance = balance_after;
    sqlx::query("UPDATE customers SET balance = $1, debt = $2, lifetime_points = $3 WHERE id = $4")
        .bind(customer.balance)
        .bind(customer.debt)
        .bind(customer.lifetime_points)
        .bind(customer.pk)
        .execute(&mut *conn)
        .await?;
    outbox::entry_posted(
        conn,
        shop,
        &customer.customer_id,
        entry_id,
        posting.kind,
        posting.points,
        customer.balance,
        lifetime_before,
        customer.lifetime_points,
        now,
    )
    .await?;
    Ok(entry_id)
}

/// Takes `points` from the open lots, soonest expiry first; returns what they could not cover.
async fn draw_lots(conn: &mut AnyConnection, pk: i64, points: i64, now: i64) -> AppResult<i64> {
    let lots: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, remaining FROM point_lots
         WHERE customer_pk = $1 AND remaining > 0 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, id",
    )
    .bind(pk)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let mut left = points;
    for (lot_id, remaining) in lots {
        if left == 0 {
            break;
        }
        let take = remaining.min(left);
        sqlx::query("UPDATE point_lots SET remaining = remaining - $1 WHERE id = $2")
            .bind(take)
            .bind(lot_id)
            .execute(&mut *conn)
            .await?;
        left -= take;
    }
    Ok(left)
}

/// Turns the remainders of lots past their date into `expire` entries.
pub async fn expire_due(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer: &mut Customer,
    now: i64,
) -> AppResult<()> {
    let due: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT id, remaining, expires_at FROM point_lots
         WHERE customer_pk = $1 AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= $2
         ORDER BY expires_at, id",
    )
    .bind(customer.pk)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    for (lot_id, remaining, expires_at) in due {
        sqlx::query("UPDATE point_lots SET remaining = 0 WHERE id = $1")
            .bind(lot_id)
            .execute(&mut *conn)
            .await?;
        let day = rfc3339(expires_at);
        let day = day.get(..10).unwrap_or(&day);
        post(
            conn,
            shop,
            customer,
            Posting {
                kind: ActivityKind::Expire,
                points: -remaining,
                description: format!("{} expired on {day}", points_text(shop, remaining)),
                reference: format!("lot:{lot_id}"),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

fn points_text(shop: &ShopRecord, points: i64) -> String {
    let name = if points.abs() == 1 {
        &shop.rules.points.singular
    } else {
        &shop.rules.points.plural
    };
    format!("{points} {name}")
}

// ---------------------------------------------------------------------------------------------------
// Idempotency

/// SHA-256 of a request's canonical JSON: what "the same body" means for a replay.
pub fn request_hash(request: &impl Serialize) -> AppResult<String> {
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(request)?)))
}

/// A keyed write's identity.
pub struct IdempotencyKey<'a> {
    pub shop_id: &'a str,
    pub scope: String,
    pub key: &'a str,
    pub request_hash: String,
}

async fn stored_answer<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    id: &IdempotencyKey<'_>,
) -> AppResult<Option<(StatusCode, T)>> {
    let row: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT request_sha256, status, response_json FROM idempotency_keys
         WHERE shop_id = $1 AND scope = $2 AND idem_key = $3",
    )
    .bind(id.shop_id)
    .bind(&id.scope)
    .bind(id.key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((hash, status, response)) = row else {
        return Ok(None);
    };
    if hash != id.request_hash {
        return Err(AppError::IdempotencyConflict(format!(
            "the key {:?} was already used with a different request body",
            id.key
        )));
    }
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    Ok(Some((status, serde_json::from_str(&response)?)))
}

async fn store_answer(
    conn: &mut AnyConnection,
    id: &IdempotencyKey<'_>,
    status: StatusCode,
    response: &impl Serialize,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (shop_id, scope, idem_key, request_sha256, status, response_json,
                                       created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.shop_id)
    .bind(&id.scope)
    .bind(id.key)
    .bind(&id.request_hash)
    .bind(i64::from(status.as_u16()))
    .bind(serde_json::to_string(response)?)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Commits a keyed write; if a concurrent request with the same key won the race (a unique violation on
/// PostgreSQL, where two customers' locks do not exclude each other), answers as that request did.
async fn finish_keyed<T: Serialize + DeserializeOwned>(
    db: &Db,
    mut tx: crate::db::WriteTx,
    id: &IdempotencyKey<'_>,
    status: StatusCode,
    answer: T,
    replay_status: impl Fn(StatusCode) -> StatusCode,
    now: i64,
) -> AppResult<(StatusCode, T)> {
    match store_answer(tx.conn(), id, status, &answer, now).await {
        Ok(()) => {
            tx.commit().await?;
            Ok((status, answer))
        }
        Err(e) if is_unique_violation(&e) => {
            drop(tx);
            let mut conn = db.pool.acquire().await?;
            match stored_answer::<T>(&mut conn, id).await? {
                Some((stored, answer)) => Ok((replay_status(stored), answer)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------------------------------
// Tiers

/// The customer's tier metric: spend (order totals less refunds over the last 365 days) or lifetime points.
async fn tier_metric(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    customer: &Customer,
    now: i64,
) -> AppResult<i64> {
    match shop.rules.tier_metric {
        TierMetric::Points => Ok(customer.lifetime_points),
        TierMetric::Spend => Ok(sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(total_minor - refunded_minor), 0) AS BIGINT) FROM orders
             WHERE customer_pk = $1 AND created_at > $2 AND created_at <= $3",
        )
        .bind(customer.pk)
        .bind(now - SPEND_WINDOW_MS)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?),
    }
}

// ---------------------------------------------------------------------------------------------------
// Orders and refunds

/// `POST …/orders`: awards purchase points at the tier held when the order arrives, and the referral
/// awards on a customer's first order. A repeat of the order id answers 200 with the first result.
pub async fn record_order(
    db: &Db,
    shop: &ShopRecord,
    order: &OrderRequest,
    now: i64,
) -> AppResult<(StatusCode, OrderResult)> {
    // A referral locks two customers; two friends' first orders naming each other's codes at the same
    // moment can deadlock on PostgreSQL, which aborts one of them. Retrying it is safe: nothing was kept.
    let mut attempt = 1;
    loop {
        match record_order_once(db, shop, order, now).await {
            Err(e) if attempt < 3 && is_deadlock(&e) => attempt += 1,
            other => return other,
        }
    }
}

async fn record_order_once(
    db: &Db,
    shop: &ShopRecord,
    order: &OrderRequest,
    now: i64,
) -> AppResult<(StatusCode, OrderResult)> {
    let id = IdempotencyKey {
        shop_id: &shop.shop.id,
        scope: "order".into(),
        key: &order.order_id,
        request_hash: request_hash(order)?,
    };
    let replay = |_| StatusCode::OK;
    let mut tx = db.begin_write().await?;
    let mut customer = lock_customer(tx.conn(), shop, &order.customer_id, now).await?;
    if let Some((_, answer)) = stored_answer(tx.conn(), &id).await? {
        return Ok((StatusCode::OK, answer));
    }
    expire_due(tx.conn(), shop, &mut customer, now).await?;

    let metric = tier_metric(tx.conn(), shop, &customer, now).await?;
    let multiplier = rules::tier_standing(&shop.rules.tiers, metric)
        .current
        .map_or(1.0, |t| t.earn_multiplier);
    let points_per_unit = shop
        .rules
        .earn_rules
        .iter()
        .find(|r| r.kind == EarnRuleKind::Purchase)
        .and_then(|r| r.points_per_unit)
        .unwrap_or(0);
    let points = rules::purchase_points(
        order.total_minor,
        &shop.shop.currency,
        points_per_unit,
        multiplier,
    );

    let earlier_orders: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE customer_pk = $1")
            .bind(customer.pk)
            .fetch_one(tx.conn())
            .await?;
    let inserted = sqlx::query(
        "INSERT INTO orders (shop_id, order_id, customer_pk, total_minor, points_awarded, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (shop_id, order_id) DO NOTHING",
    )
    .bind(&shop.shop.id)
    .bind(&order.order_id)
    .bind(customer.pk)
    .bind(order.total_minor)
    .bind(points)
    .bind(now)
    .execute(tx.conn())
    .await?;
    if inserted.rows_affected() == 0 {
        // Another customer's transaction recorded this order id first; answer as it did.
        drop(tx);
        let mut conn = db.pool.acquire().await?;
        return match stored_answer(&mut conn, &id).await? {
            Some((_, answer)) => Ok((StatusCode::OK, answer)),
            None => Err(AppError::IdempotencyConflict(format!(
                "order_id: {:?} is being recorded by another request; retry",
                order.order_id
            ))),
        };
    }
    if points > 0 {
        post(
            tx.conn(),
            shop,
            &mut customer,
            Posting {
                kind: ActivityKind::Earn,
                points,
                description: format!(
                    "Order {} ({} {})",
                    order.order_id,
                    rules::format_minor(order.total_minor, &shop.shop.currency),
                    shop.shop.currency
                ),
                reference: format!("order:{}", order.order_id),
            },
            now,
        )
        .await?;
    }
    if earlier_orders == 0 {
        if let Some(code) = order.referral_code.as_deref() {
            award_referral(tx.conn(), shop, &mut customer, code, &order.order_id, now).await?;
        }
    }
    outbox::spend_moved(
        tx.conn(),
        shop,
        &customer.customer_id,
        metric,
        metric.saturating_add(order.total_minor),
        now,
    )
    .await?;
    let answer = OrderResult {
        order_id: order.order_id.clone(),
        points_awarded: points,
        balance: customer.balance,
    };
    finish_keyed(db, tx, &id, StatusCode::CREATED, answer, replay, now).await
}

/// The referral awards for a new customer's first order: once per friend, never for one's own code.
/// An unknown or own code is ignored: the order itself must still be recorded.
async fn award_referral(
    conn: &mut AnyConnection,
    shop: &ShopRecord,
    friend: &mut Customer,
    code: &str,
    order_id: &str,
    now: i64,
) -> AppResult<()> {
    let code = code.trim().to_ascii_uppercase();
    let advocate_pk: Option<i64> =
        sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 AND referral_code = $2")
            .bind(&shop.shop.id)
            .bind(&code)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(advocate_pk) = advocate_pk.filter(|pk| *pk != friend.pk) else {
        return Ok(());
    };
    let program = &shop.rules.referral;
    let recorded = sqlx::query(
        "INSERT INTO referrals (friend_pk, shop_id, advocate_pk, advocate_points, friend_points, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (friend_pk) DO NOTHING",
    )
    .bind(friend.pk)
    .bind(&shop.shop.id)
    .bind(advocate_pk)
    .bind(program.advocate_points)
    .bind(program.friend_points)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if recorded.rows_affected() == 0 {
        return Ok(());
    }
    outbox::referral_completed(conn, shop, advocate_pk, &friend.customer_id, order_id, now).await?;
    if program.friend_points > 0 {
        post(
            conn,
            shop,
            friend,
            Posting {
                kind: ActivityKind::Referral,
                points: program.friend_points,
                description: "Welcome gift for joining through a friend".into(),
                reference: format!("referral:{}", friend.customer_id),
            },
            now,
        )
        .await?;
    }
    if program.advocate_points > 0 {
        let mut advocate = lock_customer_pk(conn, advocate_pk, now).await?;
        expire_due(conn, shop, &mut advocate, now).await?;
        post(
            conn,
            shop,
            &mut advocate,
            Posting {
                kind: ActivityKind::Referral,
                points: program.advocate_points,
                description: "A friend you referred placed their first order".into(),
                reference: format!("referral:{}", friend.customer_id),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// `POST …/orders/{order_id}/refunds`: reverses floor(points_awarded × amount ÷ total) of what the order
/// really awarded. The balance may go negative (points debt).
pub async fn record_refund(
    db: &Db,
    shop: &ShopRecord,
    order_id: &str,
    refund: &RefundRequest,
    now: i64,
) -> AppResult<(StatusCode, RefundResult)> {
    let id = IdempotencyKey {
        shop_id: &shop.shop.id,
        scope: "refund".into(),
        key: &refund.refund_id,
        request_hash: request_hash(&(order_id, refund))?,
    };
    let customer_pk: Option<i64> =
        sqlx::query_scalar("SELECT customer_pk FROM orders WHERE shop_id = $1 AND order_id = $2")
            .bind(&shop.shop.id)
            .bind(order_id)
            .fetch_optional(&db.pool)
            .await?;
    let customer_pk = customer_pk
        .ok_or_else(|| AppError::NotFound(format!("order_id: no order {order_id:?}")))?;

    let mut tx = db.begin_write().await?;
    let mut customer = lock_customer_pk(tx.conn(), customer_pk, now).await?;
    if let Some(stored) = stored_answer(tx.conn(), &id).await? {
        return Ok(stored);
    }
    expire_due(tx.conn(), shop, &mut customer, now).await?;
    let (total, refunded, awarded): (i64, i64, i64) = sqlx::query_as(
        "SELECT total_minor, refunded_minor, points_awarded FROM orders
         WHERE shop_id = $1 AND order_id = $2",
    )
    .bind(&shop.shop.id)
    .bind(order_id)
    .fetch_one(tx.conn())
    .await?;
    if refunded.saturating_add(refund.amount_minor) > total {
        return Err(AppError::RefundExceedsOrder(format!(
            "amount_minor: {} would take the refunds of order {order_id:?} to more than its total {} \
             ({} already refunded)",
            refund.amount_minor, total, refunded
        )));
    }
    let reversed = rules::refund_points(awarded, refund.amount_minor, total);
    // For `tier.changed`: a query only when the program ranks by spend.
    let metric_before = tier_metric(tx.conn(), shop, &customer, now).await?;
    sqlx::query(
        "UPDATE orders SET refunded_minor = refunded_minor + $1 WHERE shop_id = $2 AND order_id = $3",
    )
    .bind(refund.amount_minor)
    .bind(&shop.shop.id)
    .bind(order_id)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO refunds (shop_id, refund_id, order_id, amount_minor, points_reversed, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&shop.shop.id)
    .bind(&refund.refund_id)
    .bind(order_id)
    .bind(refund.amount_minor)
    .bind(reversed)
    .bind(now)
    .execute(tx.conn())
    .await?;
    if reversed > 0 {
        post(
            tx.conn(),
            shop,
            &mut customer,
            Posting {
                kind: ActivityKind::Refund,
                points: -reversed,
                description: format!(
                    "Refund on order {order_id} ({} {})",
                    rules::format_minor(refund.amount_minor, &shop.shop.currency),
                    shop.shop.currency
                ),
                reference: format!("refund:{}", refund.refund_id),
            },
            now,
        )
        .await?;
    }
    let metric_after = tier_metric(tx.conn(), shop, &customer, now).await?;
    outbox::spend_moved(
        tx.conn(),
        shop,
        &customer.customer_id,
        metric_before,
        metric_after,
        now,
    )
    .await?;
    let answer = RefundResult {
        refund_id: refund.refund_id.clone(),
        points_reversed: reversed,
        balance: customer.balance,
    };
    finish_keyed(db, tx, &id, StatusCode::CREATED, answer, |s| s, now).await
}

// ---------------------------------------------------------------------------------------------------
// Redemptions, adjustments, activities

/// `POST …/me/redemptions`: spends a reward's cost if the customer holds its tier and has the points.
pub async fn redeem(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &str,
    key: &str,
    request: &RedemptionRequest,
    now: i64,
) -> AppResult<(StatusCode, Redemption)> {
    let id = IdempotencyKey {
        shop_id: &shop.shop.id,
        scope: format!("redemption:{customer_id}"),
        key,
        request_hash: request_hash(request)?,
    };
    let reward = shop
        .rules
        .rewards
        .iter()
        .find(|r| r.id == request.reward_id)
        .ok_or_else(|| {
            AppError::NotFound(format!("reward_id: no reward {:?}", request.reward_id))
        })?;
    let mut tx = db.begin_write().await?;
    let mut customer = lock_customer(tx.conn(), shop, customer_id, now).await?;
    if let Some(stored) = stored_answer(tx.conn(), &id).await? {
        return Ok(stored);
    }
    expire_due(tx.conn(), shop, &mut customer, now).await?;
    let metric = tier_metric(tx.conn(), shop, &customer, now).await?;
    let tier = rules::tier_standing(&shop.rules.tiers, metric)
        .current
        .map(|t| t.id.clone());
    match rules::reward_eligibility(reward, customer.balance, tier.as_deref(), &shop.rules.tiers) {
        rules::Eligibility::Redeemable => {}
        rules::Eligibility::NeedsTier(tier) => {
            return Err(AppError::RewardUnavailable(format!(
                "reward_id: {:?} needs the tier {tier:?}",
                reward.id
            )))
        }
        rules::Eligibility::NeedsPoints(missing) => {
            return Err(AppError::InsufficientPoints(format!(
                "reward_id: {:?} costs {}; {} more needed",
                reward.id,
                points_text(shop, reward.points_cost),
                points_text(shop, missing)
            )))
        }
    }
    let redemption_id = format!(
        "rdm_{}",
        random_string(b"abcdefghijklmnopqrstuvwxyz0123456789", 16)
    );
    let code = format!(
        "TALLY-{}-{}",
        random_string(CODE_ALPHABET, 4),
        random_string(CODE_ALPHABET, 4)
    );
    post(
        tx.conn(),
        shop,
        &mut customer,
        Posting {
            kind: ActivityKind::Redeem,
            points: -reward.points_cost,
            description: format!("Redeemed: {}", reward.name),
            reference: format!("redemption:{redemption_id}"),
        },
        now,
    )
    .await?;
    sqlx::query(
        "INSERT INTO redemptions (id, shop_id, customer_pk, reward_id, code, points_spent, balance,
                                  created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&redemption_id)
    .bind(&shop.shop.id)
    .bind(customer.pk)
    .bind(&reward.id)
    .bind(&code)
    .bind(reward.points_cost)
    .bind(customer.balance)
    .bind(now)
    .execute(tx.conn())
    .await?;
    let answer = Redemption {
        id: redemption_id,
        reward_id: reward.id.clone(),
        code,
        points_spent: reward.points_cost,
        balance: customer.balance,
        created_at: rfc3339(now),
    };
    outbox::reward_redeemed(tx.conn(), shop, customer_id, &answer, now).await?;
    finish_keyed(db, tx, &id, StatusCode::CREATED, answer, |s| s, now).await
}

/// `POST …/customers/{id}/adjustments`: a merchant's correction. It may not take the balance below zero
/// (only refunds may, by the contract).
pub async fn adjust(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &str,
    request: &AdjustmentRequest,
    now: i64,
) -> AppResult<(StatusCode, BalanceResult)> {
    let id = IdempotencyKey {
        shop_id: &shop.shop.id,
        scope: format!("adjustment:{customer_id}"),
        key: &request.idempotency_key,
        request_hash: request_hash(request)?,
    };
    let mut tx = db.begin_write().await?;
    let mut customer = lock_customer(tx.conn(), shop, customer_id, now).await?;
    if let Some(stored) = stored_answer(tx.conn(), &id).await? {
        return Ok(stored);
    }
    expire_due(tx.conn(), shop, &mut customer, now).await?;
    if request.points < 0 && customer.balance + request.points < 0 {
        return Err(AppError::InsufficientPoints(format!(
            "points: {} would take the balance of {} below zero",
            request.points, customer.balance
        )));
    }
    post(
        tx.conn(),
        shop,
        &mut customer,
        Posting {
            kind: ActivityKind::Adjust,
            points: request.points,
            description: request.reason.trim().to_owned(),
            reference: format!("adjustment:{}", request.idempotency_key),
        },
        now,
    )
    .await?;
    let answer = BalanceResult {
        balance: customer.balance,
    };
    finish_keyed(db, tx, &id, StatusCode::CREATED, answer, |s| s, now).await
}

/// `POST …/customers/{id}/activities`: awards a `custom` or `birthday` earn rule, once per key.
pub async fn award_activity(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &str,
    request: &ActivityRequest,
    now: i64,
) -> AppResult<(StatusCode, ActivityResult)> {
    let rule = shop
        .rules
        .earn_rules
        .iter()
        .find(|r| r.id == request.rule_id)
        .ok_or_else(|| AppError::Invalid(format!("rule_id: no earn rule {:?}", request.rule_id)))?;
    if !matches!(rule.kind, EarnRuleKind::Custom | EarnRuleKind::Birthday) {
        return Err(AppError::Invalid(format!(
            "rule_id: {:?} is not a custom or birthday rule; it is awarded by the server itself",
            rule.id
        )));
    }
    let id = IdempotencyKey {
        shop_id: &shop.shop.id,
        scope: format!("activity:{customer_id}"),
        key: &request.idempotency_key,
        request_hash: request_hash(request)?,
    };
    let mut tx = db.begin_write().await?;
    let mut customer = lock_customer(tx.conn(), shop, customer_id, now).await?;
    if let Some(stored) = stored_answer(tx.conn(), &id).await? {
        return Ok(stored);
    }
    expire_due(tx.conn(), shop, &mut customer, now).await?;
    let points = rule.points.unwrap_or(0).max(0);
    if points > 0 {
        post(
            tx.conn(),
            shop,
            &mut customer,
            Posting {
                kind: ActivityKind::Earn,
                points,
                description: rule.title.clone(),
                reference: format!("activity:{}", request.idempotency_key),
            },
            now,
        )
        .await?;
    }
    let answer = ActivityResult {
        points_awarded: points,
        balance: customer.balance,
    };
    finish_keyed(db, tx, &id, StatusCode::CREATED, answer, |s| s, now).await
}

// ---------------------------------------------------------------------------------------------------
// Customers as they stand

/// Brings a customer up to date (enrolment if `enrol`, lazy expiry) and returns their row key;
/// `None` when not enrolled and `enrol` is false. Takes a write transaction only when something changes.
pub async fn settle_customer(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &str,
    enrol: bool,
    now: i64,
) -> AppResult<Option<i64>> {
    // One round trip on the hot path of every `/me`: the customer's key and whether any lot is due.
    let found: Option<(i64, i64)> = sqlx::query_as(
        "SELECT c.id, (SELECT COUNT(*) FROM point_lots
                       WHERE customer_pk = c.id AND remaining > 0 AND expires_at IS NOT NULL
                         AND expires_at <= $3)
         FROM customers c WHERE c.shop_id = $1 AND c.customer_id = $2",
    )
    .bind(&shop.shop.id)
    .bind(customer_id)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    match found {
        Some((pk, 0)) => return Ok(Some(pk)),
        Some(_) => {}
        None if !enrol => return Ok(None),
        None => {}
    }
    let mut tx = db.begin_write().await?;
    let mut customer = lock_customer(tx.conn(), shop, customer_id, now).await?;
    expire_due(tx.conn(), shop, &mut customer, now).await?;
    tx.commit().await?;
    Ok(Some(customer.pk))
}

/// The shape of `/me` and `GET …/customers/{id}` for a settled customer.
pub async fn customer_view(db: &Db, shop: &ShopRecord, pk: i64, now: i64) -> AppResult<Me> {
    let mut conn = db.pool.acquire().await?;
    // The customer, their spend over the tier window and their referrals in one round trip.
    type ViewRow = (
        i64,
        String,
        Option<String>,
        i64,
        i64,
        i64,
        String,
        i64,
        i64,
        i64,
        i64,
    );
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS},
            CAST((SELECT COALESCE(SUM(total_minor - refunded_minor), 0) FROM orders
                  WHERE customer_pk = c.id AND created_at > $2 AND created_at <= $3) AS BIGINT),
            (SELECT COUNT(*) FROM referrals WHERE advocate_pk = c.id),
            CAST((SELECT COALESCE(SUM(advocate_points), 0) FROM referrals WHERE advocate_pk = c.id)
                 AS BIGINT)
         FROM customers c WHERE c.id = $1"
    );
    let row: ViewRow = sqlx::query_as(&sql)
        .bind(pk)
        .bind(now - SPEND_WINDOW_MS)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    let (spend, friends_referred, referral_points) = (row.8, row.9, row.10);
    let customer = Customer::from((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7));
    let metric = match shop.rules.tier_metric {
        TierMetric::Spend => spend,
        TierMetric::Points => customer.lifetime_points,
    };
    let standing = rules::tier_standing(&shop.rules.tiers, metric);
    let expiring: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT remaining, expires_at FROM point_lots
         WHERE customer_pk = $1 AND remaining > 0 AND expires_at IS NOT NULL
           AND expires_at > $2 AND expires_at <= $3
         ORDER BY expires_at, id",
    )
    .bind(pk)
    .bind(now)
    .bind(now + EXPIRING_WINDOW_MS)
    .fetch_all(&mut *conn)
    .await?;
    let landing = &shop.rules.referral.landing_url;
    let separator = if landing.contains('?') { '&' } else { '?' };
    Ok(Me {
        customer_id: customer.customer_id.clone(),
        first_name: customer.first_name.clone(),
        balance: customer.balance,
        lifetime_points: customer.lifetime_points,
        tier: standing.current.map(|t| TierRef {
            id: t.id.clone(),
            name: t.name.clone(),
        }),
        next_tier: standing.next.map(|t| NextTier {
            id: t.id.clone(),
            name: t.name.clone(),
            threshold: t.threshold,
            remaining: standing.remaining,
        }),
        tier_progress: standing.progress,
        tier_metric_value: metric,
        referral: ReferralStatus {
            url: format!("{landing}{separator}ref={}", customer.referral_code),
            code: customer.referral_code,
            friends_referred,
            points_earned: referral_points,
        },
        expiring: expiring
            .into_iter()
            .map(|(points, expires_at)| ExpiringPoints {
                points,
                expires_at: rfc3339(expires_at),
            })
            .collect(),
    })
}

/// `PATCH …/customers/{id}`: sets the given profile fields, enrolling the customer if new.
pub async fn update_customer(
    db: &Db,
    shop: &ShopRecord,
    customer_id: &str,
    update: &CustomerUpdate,
    now: i64,
) -> AppResult<i64> {
    let mut tx = db.begin_write().await?;
    let mut customer = lock_customer(tx.conn(), shop, customer_id, now).await?;
    expire_due(tx.conn(), shop, &mut customer, now).await?;
    sqlx::query(
        "UPDATE customers SET first_name = COALESCE($1, first_name), email = COALESCE($2, email),
                              birthday = COALESCE($3, birthday)
         WHERE id = $4",
    )
    .bind(update.first_name.as_deref())
    .bind(update.email.as_deref())
    .bind(update.birthday.as_deref())
    .bind(customer.pk)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(customer.pk)
}

/// `GET …/me/activity`: a page of ledger entries, newest first. The cursor is the id of the last entry
/// shown; the next page holds the entries older than it.
pub async fn activity_page(
    db: &Db,
    pk: i64,
    limit: i64,
    before: Option<i64>,
) -> AppResult<ActivityPage> {
    let rows: Vec<(i64, String, i64, i64, String, i64)> = sqlx::query_as(
        "SELECT id, kind, points, balance_after, description, created_at FROM ledger_entries
         WHERE customer_pk = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(pk)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit + 1)
    .fetch_all(&db.pool)
    .await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<Activity> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .map(
            |(id, kind, points, balance_after, description, created_at)| {
                Ok(Activity {
                    id: id.to_string(),
                    kind: serde_json::from_value(serde_json::Value::String(kind))?,
                    points,
                    balance_after,
                    description,
                    created_at: rfc3339(created_at),
                })
            },
        )
        .collect::<AppResult<_>>()?;
    let next = if more {
        items.last().map(|a| a.id.clone())
    } else {
        None
    };
    Ok(ActivityPage { items, next })
}

/// `GET …/me/redemptions`, newest first.
pub async fn redemptions(db: &Db, pk: i64) -> AppResult<RedemptionList> {
    let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, reward_id, code, points_spent, balance, created_at FROM redemptions
         WHERE customer_pk = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(pk)
    .fetch_all(&db.pool)
    .await?;
    Ok(RedemptionList {
        items: rows
            .into_iter()
            .map(
                |(id, reward_id, code, points_spent, balance, created_at)| Redemption {
                    id,
                    reward_id,
                    code,
                    points_spent,
                    balance,
                    created_at: rfc3339(created_at),
                },
            )
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------------
// Reports

/// `GET …/reports/summary`, after expiring every due lot of the shop so it agrees with `/me`.
pub async fn summary(db: &Db, shop: &ShopRecord, now: i64) -> AppResult<Summary> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT l.customer_pk FROM point_lots l JOIN customers c ON c.id = l.customer_pk
         WHERE c.shop_id = $1 AND l.remaining > 0 AND l.expires_at IS NOT NULL AND l.expires_at <= $2",
    )
    .bind(&shop.shop.id)
    .bind(now)
    .fetch_all(&db.pool)
    .await?;
    for pk in due {
        let mut tx = db.begin_write().await?;
        let mut customer = lock_customer_pk(tx.conn(), pk, now).await?;
        expire_due(tx.conn(), shop, &mut customer, now).await?;
        tx.commit().await?;
    }

    let mut conn = db.pool.acquire().await?;
    let shop_id = &shop.shop.id;
    let (members, outstanding): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM customers WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(&mut *conn)
    .await?;
    let by_kind: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT kind, CAST(COALESCE(SUM(CASE WHEN points > 0 THEN points ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN points < 0 THEN points ELSE 0 END), 0) AS BIGINT)
         FROM ledger_entries WHERE shop_id = $1 GROUP BY kind",
    )
    .bind(shop_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut issued: i64 = 0;
    let mut redeemed: i64 = 0;
    let mut expired: i64 = 0;
    for (kind, credits, debits) in by_kind {
        issued = issued.saturating_add(credits);
        match kind.as_str() {
            "redeem" => redeemed = redeemed.saturating_sub(debits),
            "expire" => expired = expired.saturating_sub(debits),
            _ => {}
        }
    }
    let (redemption_count, redeemers): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT customer_pk) FROM redemptions WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(&mut *conn)
    .await?;

    let mut members_by_tier: std::collections::BTreeMap<String, i64> =
        shop.rules.tiers.iter().map(|t| (t.id.clone(), 0)).collect();
    let customers: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, lifetime_points FROM customers WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_all(&mut *conn)
            .await?;
    let spend: HashMap<i64, i64> = match shop.rules.tier_metric {
        TierMetric::Points => HashMap::new(),
        TierMetric::Spend => sqlx::query_as::<_, (i64, i64)>(
            "SELECT customer_pk, CAST(SUM(total_minor - refunded_minor) AS BIGINT) FROM orders
             WHERE shop_id = $1 AND created_at > $2 AND created_at <= $3 GROUP BY customer_pk",
        )
        .bind(shop_id)
        .bind(now - SPEND_WINDOW_MS)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect(),
    };
    for (pk, lifetime) in customers {
        let metric = match shop.rules.tier_metric {
            TierMetric::Points => lifetime,
            TierMetric::Spend => spend.get(&pk).copied().unwrap_or(0),
        };
        if let Some(tier) = rules::tier_standing(&shop.rules.tiers, metric).current {
            *members_by_tier.entry(tier.id.clone()).or_insert(0) += 1;
        }
    }
    Ok(Summary {
        members,
        points_issued: issued,
        points_redeemed: redeemed,
        points_expired: expired,
        points_outstanding: outstanding,
        redemptions: redemption_count,
        redemption_rate: if members > 0 {
            redeemers as f64 / members as f64
        } else {
            0.0
        },
        members_by_tier,
    })
}
