//! The points ledger: the loyalty rules applied to the database (through `db`), one module per kind of
//! write. Nothing here speaks HTTP: writes answer [`Outcome::Created`] or [`Outcome::Replayed`] and
//! `http` turns those into status codes.
//!
//! - Entries are append-only (kind, signed points, balance_after, reference); the customer's balance is
//!   only ever changed together with its entry, in the same transaction ([`posting`]).
//! - Every write transaction begins by locking the customer row ([`lock_customer`]; `db`'s types allow
//!   nothing else): on PostgreSQL the row lock, on SQLite the database's write lock (writers are also
//!   queued by `Db::begin_write`, or run one after another by the group-commit writer of
//!   `Db::grouped_write`). Balance checks and the writes that depend on them therefore never
//!   interleave: redemptions cannot overspend.
//! - Earned points become lots with an expiry date; spending draws on the soonest-expiring lots first; a
//!   lot's remainder becomes an `expire` entry once its date has passed (lazily, before any read or
//!   write of the customer). A refund taking more than the open lots hold leaves a `debt` that the next
//!   earnings pay off first, so `balance = Σ open lot remainders − debt` always holds.
//! - Keyed writes go through [`keyed_write`], which owns the whole sequence: lock, replay a stored
//!   answer (the same key with another body is a conflict), expire due lots, write, store the answer,
//!   commit. A write cannot skip a step.

pub mod adjustments;
pub mod check;
pub mod codes;
pub mod customers;
pub mod events;
pub mod feedback;
pub mod imports;
pub mod limits;
pub mod memberships;
pub mod notices;
pub mod orders;
pub mod posting;
pub mod redemptions;
pub mod reports;
pub mod timeseries;

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tally_core::ids::CODE_ALPHABET;
use tally_core::rules::{self, Held, DAY_MS};
use tally_core::{CustomerId, EarnRuleKind, IdempotencyKey, Tier, TierMetric};

pub use adjustments::{adjust, adjust_as, award_activity};
pub use codes::{cancel_code, cancel_code_as, code, expire_code, use_code};
pub use customers::{
    activity_page, customer_page, customer_view, expire_points, merchant_activity_page,
    settle_customer, settled_view, update_customer,
};
pub use feedback::{feedback_answers, give_feedback};
pub use memberships::{
    buy_membership, buy_membership_as, cancel_membership, cancel_membership_as, end_membership,
};
pub use orders::{record_order, record_refund};
pub use posting::{Posting, MAX_BALANCE};
pub use redemptions::{redeem, redemptions};
pub use reports::{insights, summary};

use crate::db::customers::CustomerRow;
use crate::db::idempotency::KeyRef;
use crate::db::{self, is_unique_violation, Db, LockedTx, WriteTx};
use crate::error::{AppError, AppResult};
use crate::shops::{random_string, ShopRecord};

/// Lots expiring within this window are shown in `/me`'s `expiring`.
const EXPIRING_WINDOW_MS: i64 = 30 * DAY_MS;
/// The spend metric looks back this far.
pub(crate) const SPEND_WINDOW_MS: i64 = 365 * DAY_MS;

/// What a write did: created now, or the stored answer of an earlier request with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    Created(T),
    Replayed(T),
}

impl<T> Outcome<T> {
    pub fn answer(&self) -> &T {
        match self {
            Outcome::Created(answer) | Outcome::Replayed(answer) => answer,
        }
    }

    pub fn into_answer(self) -> T {
        match self {
            Outcome::Created(answer) | Outcome::Replayed(answer) => answer,
        }
    }

    pub fn is_created(&self) -> bool {
        matches!(self, Outcome::Created(_))
    }
}

/// Which customer a write is for: by the shop's id (enrolling them if new) or by row key.
#[derive(Debug, Clone, Copy)]
pub enum Whom<'a> {
    Id(&'a CustomerId),
    Pk(i64),
    /// By id, enrolling them if new without the signup points: a customer brought over from another
    /// program with their balance there (`imports`) was a member already.
    Imported(&'a CustomerId),
}

/// A keyed write's identity: unique per shop, scope and key; the hash says what "the same body" is.
pub struct WriteKey<'a> {
    /// The field the key came from, for messages (`order_id`, `Idempotency-Key`, …).
    pub field: &'static str,
    pub scope: String,
    pub key: &'a IdempotencyKey,
    pub request_hash: String,
}

impl<'a> WriteKey<'a> {
    pub fn new(
        field: &'static str,
        scope: impl Into<String>,
        key: &'a IdempotencyKey,
        request: &impl Serialize,
    ) -> AppResult<Self> {
        Ok(WriteKey {
            field,
            scope: scope.into(),
            key,
            request_hash: request_hash(request)?,
        })
    }

    fn at<'k>(&'k self, shop: &'k ShopRecord) -> KeyRef<'k> {
        KeyRef {
            shop_id: &shop.shop.id,
            scope: &self.scope,
            key: self.key.as_str(),
        }
    }
}

/// SHA-256 of a request's canonical JSON: what "the same body" means for a replay.
pub fn request_hash(request: &impl Serialize) -> AppResult<String> {
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(request)?)))
}

/// A write transaction holding its customer's row lock, with the customer as locked.
pub struct CustomerTx<'s> {
    tx: LockedTx,
    pub shop: &'s ShopRecord,
    pub customer: CustomerRow,
    pub now: i64,
}

impl CustomerTx<'_> {
    /// The locked transaction, for `db`'s functions.
    pub fn tx(&mut self) -> &mut LockedTx {
        &mut self.tx
    }

    /// Appends an entry for the locked customer (see [`posting::post`]).
    pub async fn post(&mut self, posting: Posting) -> AppResult<i64> {
        posting::post(
            &mut self.tx,
            self.shop,
            &mut self.customer,
            posting,
            self.now,
        )
        .await
    }

    /// Turns the locked customer's due lots into `expire` entries.
    pub async fn expire_due(&mut self) -> AppResult<()> {
        posting::expire_due(&mut self.tx, self.shop, &mut self.customer, self.now).await
    }

    pub async fn commit(self) -> AppResult<()> {
        self.tx.commit().await
    }
}

/// Writes an audit entry in the customer's transaction, when the write has an actor (a merchant call).
pub async fn audit(
    ctx: &mut CustomerTx<'_>,
    actor: Option<&str>,
    action: &str,
    target: &str,
) -> AppResult<()> {
    let Some(actor) = actor else {
        return Ok(());
    };
    let entry = db::audit::NewAudit {
        shop_id: &ctx.shop.shop.id,
        actor,
        action,
        target,
        now: ctx.now,
    };
    db::audit::record_locked(ctx.tx(), &entry).await
}

/// Begins a write transaction and locks the customer row, enrolling the customer if new: a new customer
/// gets their referral code and the program's signup points once. Drop the result to roll back.
pub async fn lock_customer<'s>(
    db: &Db,
    shop: &'s ShopRecord,
    whom: Whom<'_>,
    now: i64,
) -> AppResult<CustomerTx<'s>> {
    lock_customer_in(db.begin_write().await?, shop, whom, now).await
}

/// [`lock_customer`] in a begun write transaction.
async fn lock_customer_in<'s>(
    tx: WriteTx,
    shop: &'s ShopRecord,
    whom: Whom<'_>,
    now: i64,
) -> AppResult<CustomerTx<'s>> {
    let (tx, customer) = match whom {
        Whom::Id(customer_id) | Whom::Imported(customer_id) => {
            let code = random_string(CODE_ALPHABET, 8);
            db::customers::lock(tx, &shop.shop.id, customer_id, &code, now).await?
        }
        Whom::Pk(pk) => db::customers::lock_pk(tx, pk, now).await?,
    };
    let mut ctx = CustomerTx {
        tx,
        shop,
        customer,
        now,
    };
    // A customer locked by row key was enrolled by an earlier transaction.
    if matches!(whom, Whom::Id(_) | Whom::Imported(_)) && !ctx.customer.signup_awarded {
        db::customers::mark_signup_awarded(&mut ctx.tx, ctx.customer.pk).await?;
        ctx.customer.signup_awarded = true;
        events::customer_enrolled(&mut ctx).await?;
        if matches!(whom, Whom::Imported(_)) {
            return Ok(ctx);
        }
        let signup = shop
            .rules
            .earn_rules
            .iter()
            .find(|r| r.kind == EarnRuleKind::Signup);
        if let Some(rule) = signup {
            let points = rule.points.unwrap_or(0);
            if points > 0 {
                ctx.post(Posting {
                    kind: tally_core::ActivityKind::Signup,
                    points,
                    description: rule.title.clone(),
                    reference: "signup".into(),
                })
                .await?;
            }
        }
    }
    Ok(ctx)
}

/// What a keyed write's step did.
pub enum Step<T> {
    Wrote(T),
    /// A concurrent transaction (of another customer, so not excluded by this one's lock) took the
    /// write's key first: nothing is kept, and the write answers as that one did.
    LostRace,
}

/// The future of a write step, borrowing the transaction.
pub type StepFuture<'c, T> = Pin<Box<dyn Future<Output = AppResult<T>> + Send + 'c>>;

/// A keyed write, whole: begin → lock the customer → replay a stored answer → expire due lots →
/// `write` → store the answer → commit. If storing the answer hits a concurrent request's (a unique
/// violation on PostgreSQL, where two customers' locks do not exclude each other), answers as it did.
pub async fn keyed_write<'s, T, F>(
    db: &Db,
    shop: &'s ShopRecord,
    whom: Whom<'_>,
    key: &WriteKey<'_>,
    now: i64,
    write: F,
) -> AppResult<Outcome<T>>
where
    T: Serialize + DeserializeOwned,
    F: for<'c> FnOnce(&'c mut CustomerTx<'s>) -> StepFuture<'c, Step<T>>,
{
    let tx = db.begin_write().await?;
    keyed_write_in(tx, db, shop, whom, key, now, write).await
}

/// [`keyed_write`] in a begun write transaction: a grouped write's ([`Db::grouped_write`]).
pub async fn keyed_write_in<'s, T, F>(
    tx: WriteTx,
    db: &Db,
    shop: &'s ShopRecord,
    whom: Whom<'_>,
    key: &WriteKey<'_>,
    now: i64,
    write: F,
) -> AppResult<Outcome<T>>
where
    T: Serialize + DeserializeOwned,
    F: for<'c> FnOnce(&'c mut CustomerTx<'s>) -> StepFuture<'c, Step<T>>,
{
    let at = key.at(shop);
    let mut ctx = lock_customer_in(tx, shop, whom, now).await?;
    let stored = db::idempotency::find_locked(&mut ctx.tx, &at).await?;
    if let Some(answer) = replay(key, stored)? {
        return Ok(Outcome::Replayed(answer));
    }
    ctx.expire_due().await?;
    let answer = match write(&mut ctx).await? {
        Step::Wrote(answer) => answer,
        Step::LostRace => {
            drop(ctx);
            let stored = db::idempotency::find_committed(db, &at).await?;
            return match replay(key, stored)? {
                Some(answer) => Ok(Outcome::Replayed(answer)),
                None => Err(AppError::IdempotencyConflict(format!(
                    "{}: {:?} is being recorded by another request; retry",
                    key.field,
                    key.key.as_str()
                ))),
            };
        }
    };
    let json = serde_json::to_string(&answer)?;
    match db::idempotency::store(&mut ctx.tx, &at, &key.request_hash, &json, now).await {
        Ok(()) => {
            ctx.commit().await?;
            Ok(Outcome::Created(answer))
        }
        Err(e) if is_unique_violation(&e) => {
            drop(ctx);
            match replay(key, db::idempotency::find_committed(db, &at).await?)? {
                Some(answer) => Ok(Outcome::Replayed(answer)),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// A stored answer for this key and body; the key with another body is a conflict.
fn replay<T: DeserializeOwned>(
    key: &WriteKey<'_>,
    stored: Option<(String, String)>,
) -> AppResult<Option<T>> {
    let Some((hash, response)) = stored else {
        return Ok(None);
    };
    if hash != key.request_hash {
        return Err(AppError::IdempotencyConflict(format!(
            "the key {:?} was already used with a different request body",
            key.key.as_str()
        )));
    }
    Ok(Some(serde_json::from_str(&response)?))
}

/// An unkeyed write, whole: begin → lock the customer → expire due lots → `write` → commit.
pub async fn customer_write<'s, T, F>(
    db: &Db,
    shop: &'s ShopRecord,
    whom: Whom<'_>,
    now: i64,
    write: F,
) -> AppResult<T>
where
    F: for<'c> FnOnce(&'c mut CustomerTx<'s>) -> StepFuture<'c, T>,
{
    let mut ctx = lock_customer(db, shop, whom, now).await?;
    ctx.expire_due().await?;
    let answer = write(&mut ctx).await?;
    ctx.commit().await?;
    Ok(answer)
}

/// The locked customer's tier metric: spend (order totals less refunds over the last 365 days) or
/// lifetime points.
async fn tier_metric(ctx: &mut CustomerTx<'_>) -> AppResult<i64> {
    match ctx.shop.rules.tier_metric {
        TierMetric::Points => Ok(ctx.customer.lifetime_points),
        TierMetric::Spend => {
            let (pk, now) = (ctx.customer.pk, ctx.now);
            db::orders::spend(&mut ctx.tx, pk, now - SPEND_WINDOW_MS, now).await
        }
    }
}

/// A customer's membership as the rules see it, if the row holds one (running or not yet recorded
/// ended: [`rules::effective_tier`] looks at its end).
pub fn membership_of(customer: &CustomerRow) -> Option<Held<'_>> {
    match (&customer.membership_tier, customer.membership_expires_at) {
        (Some(tier_id), Some(expires_at)) => Some(Held {
            tier_id,
            expires_at,
        }),
        _ => None,
    }
}

/// The tier a customer with this metric and row holds at `now`: earned or paid, whichever ranks higher.
pub fn held_tier<'s>(
    shop: &'s ShopRecord,
    customer: &CustomerRow,
    metric: i64,
    now: i64,
) -> Option<&'s Tier> {
    let tiers = &shop.rules.tiers;
    let earned = rules::tier_standing(tiers, metric).current;
    rules::effective_tier(tiers, earned, membership_of(customer), now)
}

/// The locked customer's tier metric and the tier they hold now.
async fn tier_held<'s>(ctx: &mut CustomerTx<'s>) -> AppResult<(i64, Option<&'s Tier>)> {
    let metric = tier_metric(ctx).await?;
    Ok((metric, held_tier(ctx.shop, &ctx.customer, metric, ctx.now)))
}
