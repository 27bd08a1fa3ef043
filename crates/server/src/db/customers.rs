//! `customers`: one row per shop and customer id, holding the balance, the points debt and the lifetime
//! points that the ledger moves together with each entry.

use std::collections::BTreeSet;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use tally_core::CustomerId;

use super::{Db, LockedTx, WriteTx};
use crate::error::{AppError, AppResult};

/// A customer row.
#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub pk: i64,
    pub customer_id: String,
    pub first_name: Option<String>,
    pub balance: i64,
    pub debt: i64,
    pub lifetime_points: i64,
    pub referral_code: String,
    /// Whether the signup award was given (once per customer).
    pub signup_awarded: bool,
    pub email: Option<String>,
    /// E.164.
    pub phone: Option<String>,
    /// The running membership's paid tier, until its end is recorded.
    pub membership_tier: Option<String>,
    /// When the running chain of purchases began.
    pub membership_started_at: Option<i64>,
    pub membership_expires_at: Option<i64>,
}

/// The columns of [`CustomerRow`], in [`customer_from`]'s order (13 of them).
const CUSTOMER_COLUMNS: &str =
    "id, customer_id, first_name, balance, debt, lifetime_points, referral_code, signup_awarded, \
     email, phone, membership_tier, membership_started_at, membership_expires_at";
const CUSTOMER_COLUMN_COUNT: usize = 13;

/// A [`CustomerRow`] from the first columns of a row selected with [`CUSTOMER_COLUMNS`].
fn customer_from(row: &AnyRow) -> Result<CustomerRow, sqlx::Error> {
    Ok(CustomerRow {
        pk: row.try_get(0)?,
        customer_id: row.try_get(1)?,
        first_name: row.try_get(2)?,
        balance: row.try_get(3)?,
        debt: row.try_get(4)?,
        lifetime_points: row.try_get(5)?,
        referral_code: row.try_get(6)?,
        signup_awarded: row.try_get::<i64, _>(7)? != 0,
        email: row.try_get(8)?,
        phone: row.try_get(9)?,
        membership_tier: row.try_get(10)?,
        membership_started_at: row.try_get(11)?,
        membership_expires_at: row.try_get(12)?,
    })
}

/// Writes (and so locks) the customer row, inserting it with `referral_code` if new (counted in the
/// day's new members). The first statement of every write transaction.
pub async fn lock(
    tx: WriteTx,
    shop_id: &str,
    customer_id: &CustomerId,
    referral_code: &str,
    now: i64,
) -> AppResult<(LockedTx, CustomerRow)> {
    let mut tx = LockedTx::new(tx.inner);
    // Update first, then insert: unlike one upsert, this tells an enrolment from a returning customer,
    // and a returning customer (the usual case) still costs one statement.
    let update = format!(
        "UPDATE customers SET updated_at = $3 WHERE shop_id = $1 AND customer_id = $2
         RETURNING {CUSTOMER_COLUMNS}"
    );
    let existing = sqlx::query(&update)
        .bind(shop_id)
        .bind(customer_id.as_str())
        .bind(now)
        .fetch_optional(tx.conn())
        .await?;
    if let Some(row) = existing {
        return Ok((tx, customer_from(&row)?));
    }
    let insert = format!(
        "INSERT INTO customers (shop_id, customer_id, referral_code, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (shop_id, customer_id) DO NOTHING
         RETURNING {CUSTOMER_COLUMNS}"
    );
    let inserted = sqlx::query(&insert)
        .bind(shop_id)
        .bind(customer_id.as_str())
        .bind(referral_code)
        .bind(now)
        .fetch_optional(tx.conn())
        .await?;
    if let Some(row) = inserted {
        tx.daily.member(shop_id, now);
        return Ok((tx, customer_from(&row)?));
    }
    // A concurrent transaction enrolled them first (PostgreSQL): the row is there now.
    let row = sqlx::query(&update)
        .bind(shop_id)
        .bind(customer_id.as_str())
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
    Ok((tx, customer_from(&row)?))
}

/// Writes (and so locks) an existing customer row by its key, as the first statement.
pub async fn lock_pk(tx: WriteTx, pk: i64, now: i64) -> AppResult<(LockedTx, CustomerRow)> {
    let mut tx = LockedTx::new(tx.inner);
    let row = lock_another(&mut tx, pk, now).await?;
    Ok((tx, row))
}

/// Locks a second customer in a transaction that already holds one (a referral's advocate).
pub async fn lock_another(tx: &mut LockedTx, pk: i64, now: i64) -> AppResult<CustomerRow> {
    let sql =
        format!("UPDATE customers SET updated_at = $2 WHERE id = $1 RETURNING {CUSTOMER_COLUMNS}");
    let row = sqlx::query(&sql)
        .bind(pk)
        .bind(now)
        .fetch_one(tx.conn())
        .await?;
    Ok(customer_from(&row)?)
}

pub async fn mark_signup_awarded(tx: &mut LockedTx, pk: i64) -> AppResult<()> {
    sqlx::query("UPDATE customers SET signup_awarded = 1 WHERE id = $1")
        .bind(pk)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Stores the balance, debt and lifetime points that moved with an entry.
pub async fn save_points(tx: &mut LockedTx, customer: &CustomerRow) -> AppResult<()> {
    sqlx::query("UPDATE customers SET balance = $1, debt = $2, lifetime_points = $3 WHERE id = $4")
        .bind(customer.balance)
        .bind(customer.debt)
        .bind(customer.lifetime_points)
        .bind(customer.pk)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Profile fields to set; `None` leaves a field as it is.
pub struct Profile<'a> {
    pub first_name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub birthday: Option<&'a str>,
    /// E.164.
    pub phone: Option<&'a str>,
}

/// Sets the given profile fields. A phone another customer of the shop has is a unique violation. A new
/// first name is indexed for search in the same transaction (see [`NameQuery`]).
pub async fn set_profile(tx: &mut LockedTx, pk: i64, profile: &Profile<'_>) -> AppResult<()> {
    let folded = profile.first_name.map(fold_name);
    if let Some(folded) = &folded {
        let (shop_id, was): (String, Option<String>) =
            sqlx::query_as("SELECT shop_id, first_name_folded FROM customers WHERE id = $1")
                .bind(pk)
                .fetch_one(tx.conn())
                .await?;
        if was.as_deref() != Some(folded.as_str()) {
            replace_name_grams(tx.conn(), &shop_id, pk, was.as_deref(), folded).await?;
        }
    }
    sqlx::query(
        "UPDATE customers SET first_name = COALESCE($1, first_name), email = COALESCE($2, email),
                              birthday = COALESCE($3, birthday), phone = COALESCE($4, phone),
                              first_name_folded = COALESCE($6, first_name_folded)
         WHERE id = $5",
    )
    .bind(profile.first_name)
    .bind(profile.email)
    .bind(profile.birthday)
    .bind(profile.phone)
    .bind(pk)
    .bind(folded)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A first name as search compares it: lower-cased by Rust on both databases, since SQLite's `lower()`
/// folds ASCII only.
fn fold_name(name: &str) -> String {
    name.to_lowercase()
}

/// Every 1-, 2- and 3-character piece of a folded name, once each: the rows of `customer_name_grams`.
fn name_grams(folded: &str) -> BTreeSet<String> {
    let chars: Vec<char> = folded.chars().collect();
    (1..=3)
        .flat_map(|n| chars.windows(n).map(|w| w.iter().collect::<String>()))
        .collect()
}

/// Turns a customer's name pieces from those of `was` into those of `now` (both folded), touching only
/// the pieces that differ.
async fn replace_name_grams(
    conn: &mut AnyConnection,
    shop_id: &str,
    pk: i64,
    was: Option<&str>,
    now: &str,
) -> AppResult<()> {
    let old = was.map(name_grams).unwrap_or_default();
    let new = name_grams(now);
    let gone: Vec<&String> = old.difference(&new).collect();
    let added: Vec<&String> = new.difference(&old).collect();
    if !gone.is_empty() {
        let list = (0..gone.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>();
        let sql = format!(
            "DELETE FROM customer_name_grams WHERE shop_id = $1 AND customer_pk = $2 AND gram IN ({})",
            list.join(", ")
        );
        // One statement per count of pieces: not worth a place in the connection's statement cache.
        let mut query = sqlx::query(&sql).persistent(false).bind(shop_id).bind(pk);
        for gram in gone {
            query = query.bind(gram.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    if !added.is_empty() {
        let rows = (0..added.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect::<Vec<_>>();
        let sql = format!(
            "INSERT INTO customer_name_grams (shop_id, gram, customer_pk) VALUES {}
             ON CONFLICT DO NOTHING",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql).persistent(false).bind(shop_id).bind(pk);
        for gram in added {
            query = query.bind(gram.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Indexes for search the first names that have no pieces yet: those stored before migration 0008,
/// which SQL could not fold as Rust does. Run at every start; with nothing to do it reads one empty
/// index. Each batch is one write transaction that claims its rows only if their name is still the one
/// read, so a server writing names meanwhile (which indexes them itself) never gets stale pieces.
pub async fn index_names(db: &Db) -> AppResult<()> {
    const BATCH: i64 = 500;
    let (mut after, mut indexed) = (0_i64, 0_u64);
    loop {
        let names: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, shop_id, first_name FROM customers
             WHERE first_name IS NOT NULL AND first_name_folded IS NULL AND id > $1
             ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&db.pool)
        .await?;
        let Some(last) = names.last().map(|(pk, _, _)| *pk) else {
            break;
        };
        match index_batch(db, &names).await {
            Ok(n) => (after, indexed) = (last, indexed + n),
            // Two customers locked in another order by a request (a referral): try the batch again.
            Err(e) if super::is_deadlock(&e) => continue,
            Err(e) => return Err(e),
        }
    }
    if indexed > 0 {
        tracing::info!(customers = indexed, "indexed first names for search");
    }
    Ok(())
}

async fn index_batch(db: &Db, names: &[(i64, String, String)]) -> AppResult<u64> {
    let gate = db.queue_writer().await;
    let mut tx = db.pool.begin().await?;
    let mut indexed = 0;
    for (pk, shop_id, name) in names {
        let folded = fold_name(name);
        let claimed = sqlx::query(
            "UPDATE customers SET first_name_folded = $1
             WHERE id = $2 AND first_name = $3 AND first_name_folded IS NULL",
        )
        .bind(&folded)
        .bind(pk)
        .bind(name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 1 {
            replace_name_grams(&mut tx, shop_id, *pk, None, &folded).await?;
            indexed += 1;
        }
    }
    tx.commit().await?;
    drop(gate);
    Ok(indexed)
}

/// The customer of the shop who has this phone (E.164), if any.
pub async fn pk_by_phone(tx: &mut LockedTx, shop_id: &str, phone: &str) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 AND phone = $2")
            .bind(shop_id)
            .bind(phone)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// Sets (or with `None`s clears) the locked customer's running membership.
pub async fn set_membership(tx: &mut LockedTx, customer: &CustomerRow) -> AppResult<()> {
    sqlx::query(
        "UPDATE customers SET membership_tier = $1, membership_started_at = $2, membership_expires_at = $3
         WHERE id = $4",
    )
    .bind(customer.membership_tier.as_deref())
    .bind(customer.membership_started_at)
    .bind(customer.membership_expires_at)
    .bind(customer.pk)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// `(customer key, shop id)` of up to `limit` customers of any shop after `after` whose membership
/// ended at `now` without its end recorded, by key: the membership-end job's worklist.
pub async fn with_membership_ended(
    db: &Db,
    now: i64,
    after: i64,
    limit: i64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, shop_id FROM customers
         WHERE membership_tier IS NOT NULL AND membership_expires_at <= $1 AND id > $2
         ORDER BY id LIMIT $3",
    )
    .bind(now)
    .bind(after)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?)
}

/// The customer with this referral code, if any.
pub async fn pk_by_referral_code(
    tx: &mut LockedTx,
    shop_id: &str,
    code: &str,
) -> AppResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM customers WHERE shop_id = $1 AND referral_code = $2")
            .bind(shop_id)
            .bind(code)
            .fetch_optional(tx.conn())
            .await?,
    )
}

/// A customer's referral code, if they are enrolled.
pub async fn referral_code(
    db: &Db,
    shop_id: &str,
    customer_id: &CustomerId,
) -> AppResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT referral_code FROM customers WHERE shop_id = $1 AND customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id.as_str())
    .fetch_optional(&db.pool)
    .await?)
}

/// One round trip on the hot path of every `/me`: the customer's key and how many of their lots are due
/// to expire at `now`; `None` when not enrolled.
pub async fn find_with_due_lots(
    db: &Db,
    shop_id: &str,
    customer_id: &CustomerId,
    now: i64,
) -> AppResult<Option<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, (SELECT COUNT(*) FROM point_lots
                       WHERE customer_pk = c.id AND remaining > 0 AND expires_at IS NOT NULL
                         AND expires_at <= $3)
         FROM customers c WHERE c.shop_id = $1 AND c.customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id.as_str())
    .bind(now)
    .fetch_optional(&db.pool)
    .await?)
}

/// What `/me` shows of a customer beside their row.
pub struct CustomerStanding {
    pub customer: CustomerRow,
    /// Order totals less refunds in `(since, now]`, in minor units.
    pub spend: i64,
    pub friends_referred: i64,
    pub referral_points: i64,
    /// When they last answered the feedback question.
    pub last_feedback_at: Option<i64>,
    /// What each of `usage` counted, in its order.
    pub used: Vec<i64>,
    /// How many of their lots are due to expire at `now` and not yet expired: if any, the customer must
    /// be settled (a write) before they are shown.
    pub due_lots: i64,
    /// `(remaining, expires_at)` of the lots expiring in `(now, until]`, soonest first.
    pub expiring: Vec<(i64, i64)>,
}

/// What a limit counts: a customer's redemptions of a reward (cancelled codes aside) or awards of an
/// earn rule, since a time.
#[derive(Debug, Clone, Copy)]
pub enum Usage<'a> {
    Redemptions { reward_id: &'a str, since: i64 },
    Activities { rule_id: &'a str, since: i64 },
}

/// Which customer [`standing`] reads.
#[derive(Debug, Clone, Copy)]
pub enum StandingOf<'a> {
    Pk(i64),
    Id {
        shop_id: &'a str,
        customer_id: &'a CustomerId,
    },
}

/// The times [`standing`] counts over.
#[derive(Debug, Clone, Copy)]
pub struct StandingWindow {
    /// Spend counts orders after this.
    pub spend_since: i64,
    pub now: i64,
    /// Lots expiring up to this are listed.
    pub expiring_until: i64,
}

/// The customer, whether they need settling, their spend over the tier window, their referrals, their
/// last feedback, each `usage` count and their soon-expiring lots: everything `/me` reads, in one
/// statement (one round trip, one snapshot). `None` when there is no such customer.
pub async fn standing(
    db: &Db,
    of: StandingOf<'_>,
    window: StandingWindow,
    usage: &[Usage<'_>],
) -> AppResult<Option<CustomerStanding>> {
    // $1 spend_since, $2 now, $3 expiring_until, then the customer's key, then two per usage.
    let (whom, first_usage) = match of {
        StandingOf::Pk(_) => ("c.id = $4", 5),
        StandingOf::Id { .. } => ("c.shop_id = $4 AND c.customer_id = $5", 6),
    };
    let mut counts = String::new();
    for (i, u) in usage.iter().enumerate() {
        let (id, at) = (first_usage + 2 * i, first_usage + 1 + 2 * i);
        counts.push_str(&match u {
            Usage::Redemptions { .. } => format!(
                ",\n (SELECT COUNT(*) FROM redemptions WHERE customer_pk = c.id AND reward_id = ${id}
                    AND created_at >= ${at} AND status <> 'cancelled')"
            ),
            Usage::Activities { .. } => format!(
                ",\n (SELECT COUNT(*) FROM activities WHERE customer_pk = c.id AND rule_id = ${id}
                    AND created_at >= ${at})"
            ),
        });
    }
    // The expiring lots come as one `remaining:expires_at,…` text (string_agg with ORDER BY: PostgreSQL,
    // and SQLite since 3.44) so that the answer stays one row.
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS},
            CAST((SELECT COALESCE(SUM(total_minor - refunded_minor), 0) FROM orders
                  WHERE customer_pk = c.id AND created_at > $1 AND created_at <= $2) AS BIGINT),
            (SELECT COUNT(*) FROM referrals WHERE advocate_pk = c.id),
            CAST((SELECT COALESCE(SUM(advocate_points), 0) FROM referrals WHERE advocate_pk = c.id)
                 AS BIGINT),
            (SELECT MAX(created_at) FROM feedback WHERE customer_pk = c.id),
            (SELECT COUNT(*) FROM point_lots
             WHERE customer_pk = c.id AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= $2),
            (SELECT string_agg(CAST(remaining AS TEXT) || ':' || CAST(expires_at AS TEXT), ','
                               ORDER BY expires_at, id)
             FROM point_lots
             WHERE customer_pk = c.id AND remaining > 0 AND expires_at IS NOT NULL
               AND expires_at > $2 AND expires_at <= $3){counts}
         FROM customers c WHERE {whom}"
    );
    let query = sqlx::query(&sql)
        .bind(window.spend_since)
        .bind(window.now)
        .bind(window.expiring_until);
    let mut query = match of {
        StandingOf::Pk(pk) => query.bind(pk),
        StandingOf::Id {
            shop_id,
            customer_id,
        } => query.bind(shop_id).bind(customer_id.as_str()),
    };
    for u in usage {
        query = match *u {
            Usage::Redemptions { reward_id, since } => query.bind(reward_id).bind(since),
            Usage::Activities { rule_id, since } => query.bind(rule_id).bind(since),
        };
    }
    let Some(row) = query.fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let base = CUSTOMER_COLUMN_COUNT;
    let used = (0..usage.len())
        .map(|i| row.try_get::<i64, _>(base + 6 + i))
        .collect::<Result<_, _>>()?;
    let expiring = match row.try_get::<Option<String>, _>(base + 5)? {
        Some(text) => parse_lots(&text)?,
        None => Vec::new(),
    };
    Ok(Some(CustomerStanding {
        customer: customer_from(&row)?,
        spend: row.try_get(base)?,
        friends_referred: row.try_get(base + 1)?,
        referral_points: row.try_get(base + 2)?,
        last_feedback_at: row.try_get(base + 3)?,
        due_lots: row.try_get(base + 4)?,
        used,
        expiring,
    }))
}

/// `(remaining, expires_at)` pairs from [`standing`]'s `remaining:expires_at,…` text.
fn parse_lots(text: &str) -> AppResult<Vec<(i64, i64)>> {
    text.split(',')
        .map(|lot| {
            lot.split_once(':')
                .and_then(|(points, at)| Some((points.parse().ok()?, at.parse().ok()?)))
                .ok_or_else(|| AppError::internal(format!("expiring lots: {text:?}")))
        })
        .collect()
}

/// What the shop's customer search looks for: `text` as a customer id or an email (any case), `phone`
/// in E.164 when the text reads as one, and `text` within a first name.
pub struct Search<'a> {
    pub text: &'a str,
    pub phone: Option<&'a str>,
}

/// A customer as the shop's list shows them, with what their tier needs.
pub struct ListedCustomer {
    pub customer: CustomerRow,
    pub spend: i64,
    pub enrolled_at: i64,
    pub last_activity_at: i64,
}

/// How many rows of one name piece are counted at most to find the rarest: enough to tell a rare piece
/// from a common one, cheap when every piece is common (on 100k customers, 7 counts capped at 1,000
/// took 2.8 ms on PostgreSQL, at 200 0.8 ms, while the name look-up itself took 0.7 ms).
const GRAM_COUNT_CAP: i64 = 200;
/// How many trigrams of a long query are counted; the whole text is checked on the name anyway.
const GRAMS_COUNTED: usize = 16;
/// Trigrams beside the rarest that a candidate must have before its name is read.
const GRAMS_REQUIRED: usize = 2;

/// The first-name part of a search: the folded text, and the pieces to read. A text of 1 to 3 characters
/// is itself a piece, so its rows are exactly the names that contain it. A longer one is answered from
/// its rarest trigram's rows (counted, up to [`GRAM_COUNT_CAP`], one round trip), narrowed by the next
/// rarest and checked against the whole folded name, so the contains-match stays exact.
struct NameQuery {
    pattern: String,
    /// Rarest first; empty when some piece is in no name of the shop (nothing can match).
    grams: Vec<String>,
}

impl NameQuery {
    async fn plan(db: &Db, shop_id: &str, text: &str) -> AppResult<NameQuery> {
        let folded = fold_name(text);
        let escaped: String = folded
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '!' => vec!['!', c],
                c => vec![c],
            })
            .collect();
        let pattern = format!("%{escaped}%");
        let chars: Vec<char> = folded.chars().collect();
        if chars.len() <= 3 {
            return Ok(NameQuery {
                pattern,
                grams: vec![folded],
            });
        }
        let mut trigrams: Vec<String> = Vec::new();
        for w in chars.windows(3) {
            let gram: String = w.iter().collect();
            if !trigrams.contains(&gram) && trigrams.len() < GRAMS_COUNTED {
                trigrams.push(gram);
            }
        }
        let counts = (0..trigrams.len())
            .map(|i| {
                format!(
                    "(SELECT COUNT(*) FROM (SELECT 1 FROM customer_name_grams
                       WHERE shop_id = $1 AND gram = ${} LIMIT {GRAM_COUNT_CAP}) AS g{i})",
                    i + 2
                )
            })
            .collect::<Vec<_>>();
        let sql = format!("SELECT {}", counts.join(", "));
        let mut query = sqlx::query(&sql).persistent(false).bind(shop_id);
        for gram in &trigrams {
            query = query.bind(gram.as_str());
        }
        let row = query.fetch_one(&db.pool).await?;
        let mut counted = Vec::with_capacity(trigrams.len());
        for (i, gram) in trigrams.into_iter().enumerate() {
            counted.push((row.try_get::<i64, _>(i)?, gram));
        }
        counted.sort();
        let grams = if counted.first().is_some_and(|(n, _)| *n == 0) {
            Vec::new()
        } else {
            counted
                .into_iter()
                .take(1 + GRAMS_REQUIRED)
                .map(|(_, g)| g)
                .collect()
        };
        Ok(NameQuery { pattern, grams })
    }
}

/// Up to `limit` customers of the shop enrolled before customer key `before`, newest first, matching
/// `search` if given; their spend over `(since, until]` and their last ledger entry's time.
///
/// A search reads indexes only: the customer id, the email and the phone are exact look-ups, the name
/// is [`NameQuery`]'s; each part yields customer keys below `before` (the name part at most `limit`,
/// newest first), and the page is the newest `limit` of their union.
pub async fn page(
    db: &Db,
    shop_id: &str,
    search: Option<&Search<'_>>,
    before: i64,
    limit: i64,
    since: i64,
    until: i64,
) -> AppResult<Vec<ListedCustomer>> {
    // Placeholders $6… in the order of `args`.
    let mut args: Vec<String> = Vec::new();
    let mut arg = |value: &str| {
        args.push(value.to_owned());
        format!("${}", 5 + args.len())
    };
    let from = match search {
        None => "customers c WHERE c.shop_id = $1 AND c.id < $2".to_owned(),
        Some(s) => {
            let name = NameQuery::plan(db, shop_id, s.text).await?;
            let text = arg(s.text);
            let mut parts = vec![
                format!(
                    "SELECT id AS pk FROM customers WHERE shop_id = $1 AND customer_id = {text}"
                ),
                format!(
                    "SELECT id FROM customers WHERE shop_id = $1 AND lower(email) = lower({text})"
                ),
            ];
            if let Some(phone) = s.phone {
                let phone = arg(phone);
                parts.push(format!(
                    "SELECT id FROM customers WHERE shop_id = $1 AND phone = {phone}"
                ));
            }
            if let Some((rarest, others)) = name.grams.split_first() {
                let rarest = arg(rarest);
                let mut also = String::new();
                for gram in others {
                    let gram = arg(gram);
                    also.push_str(&format!(
                        " AND EXISTS (SELECT 1 FROM customer_name_grams o WHERE o.shop_id = $1
                                        AND o.gram = {gram} AND o.customer_pk = g.customer_pk)"
                    ));
                }
                let pattern = arg(&name.pattern);
                parts.push(format!(
                    "SELECT pk FROM (
                        SELECT g.customer_pk AS pk FROM customer_name_grams g
                        JOIN customers n ON n.id = g.customer_pk
                        WHERE g.shop_id = $1 AND g.gram = {rarest} AND g.customer_pk < $2{also}
                          AND n.first_name_folded LIKE {pattern} ESCAPE '!'
                        ORDER BY g.customer_pk DESC LIMIT $3) AS named"
                ));
            }
            format!(
                "(SELECT pk FROM ({}) AS hits WHERE pk < $2 ORDER BY pk DESC LIMIT $3) AS h
                 JOIN customers c ON c.id = h.pk",
                parts.join("\n UNION ")
            )
        }
    };
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS},
            CAST((SELECT COALESCE(SUM(total_minor - refunded_minor), 0) FROM orders
                  WHERE customer_pk = c.id AND created_at > $4 AND created_at <= $5) AS BIGINT),
            c.created_at,
            COALESCE((SELECT MAX(created_at) FROM ledger_entries WHERE customer_pk = c.id), c.created_at)
         FROM {from}
         ORDER BY c.id DESC LIMIT $3"
    );
    let mut query = sqlx::query(&sql)
        .bind(shop_id)
        .bind(before)
        .bind(limit)
        .bind(since)
        .bind(until);
    for value in args {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&db.pool).await?;
    let base = CUSTOMER_COLUMN_COUNT;
    rows.iter()
        .map(|row| {
            Ok(ListedCustomer {
                customer: customer_from(row)?,
                spend: row.try_get(base)?,
                enrolled_at: row.try_get(base + 1)?,
                last_activity_at: row.try_get(base + 2)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_indexed_by_every_piece_of_one_to_three_characters_once() {
        let grams: Vec<String> = name_grams(&fold_name("Anna")).into_iter().collect();
        assert_eq!(grams, ["a", "an", "ann", "n", "na", "nn", "nna"]);
    }

    #[test]
    fn expiring_lots_are_read_back_in_the_order_sql_gave_them() {
        assert_eq!(
            parse_lots("120:1767225600000,5:1767312000000").unwrap(),
            [(120, 1_767_225_600_000), (5, 1_767_312_000_000)]
        );
        assert!(parse_lots("120").is_err());
        assert!(parse_lots("x:1").is_err());
    }

    #[test]
    fn names_fold_beyond_ascii() {
        assert_eq!(fold_name("ÉMILE Zoë"), "émile zoë");
        assert!(name_grams(&fold_name("Łukasz")).contains("łuk"));
    }
}
