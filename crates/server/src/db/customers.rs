//! `customers`: one row per shop and customer id, holding the balance, the points debt and the lifetime
//! points that the ledger moves together with each entry.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use tally_core::CustomerId;

use super::{Db, LockedTx, WriteTx};
use crate::error::AppResult;

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

/// Sets the given profile fields. A phone another customer of the shop has is a unique violation.
pub async fn set_profile(tx: &mut LockedTx, pk: i64, profile: &Profile<'_>) -> AppResult<()> {
    sqlx::query(
        "UPDATE customers SET first_name = COALESCE($1, first_name), email = COALESCE($2, email),
                              birthday = COALESCE($3, birthday), phone = COALESCE($4, phone)
         WHERE id = $5",
    )
    .bind(profile.first_name)
    .bind(profile.email)
    .bind(profile.birthday)
    .bind(profile.phone)
    .bind(pk)
    .execute(tx.conn())
    .await?;
    Ok(())
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
    /// Order totals less refunds in `(since, until]`, in minor units.
    pub spend: i64,
    pub friends_referred: i64,
    pub referral_points: i64,
    /// When they last answered the feedback question.
    pub last_feedback_at: Option<i64>,
    /// What each of `usage` counted, in its order.
    pub used: Vec<i64>,
}

/// What a limit counts: a customer's redemptions of a reward (cancelled codes aside) or awards of an
/// earn rule, since a time.
#[derive(Debug, Clone, Copy)]
pub enum Usage<'a> {
    Redemptions { reward_id: &'a str, since: i64 },
    Activities { rule_id: &'a str, since: i64 },
}

/// The customer, their spend over the tier window, their referrals, their last feedback and each
/// `usage` count, in one round trip.
pub async fn standing(
    conn: &mut AnyConnection,
    pk: i64,
    since: i64,
    until: i64,
    usage: &[Usage<'_>],
) -> AppResult<CustomerStanding> {
    let mut counts = String::new();
    for (i, u) in usage.iter().enumerate() {
        let (id, at) = (4 + 2 * i, 5 + 2 * i);
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
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS},
            CAST((SELECT COALESCE(SUM(total_minor - refunded_minor), 0) FROM orders
                  WHERE customer_pk = c.id AND created_at > $2 AND created_at <= $3) AS BIGINT),
            (SELECT COUNT(*) FROM referrals WHERE advocate_pk = c.id),
            CAST((SELECT COALESCE(SUM(advocate_points), 0) FROM referrals WHERE advocate_pk = c.id)
                 AS BIGINT),
            (SELECT MAX(created_at) FROM feedback WHERE customer_pk = c.id){counts}
         FROM customers c WHERE c.id = $1"
    );
    let mut query = sqlx::query(&sql).bind(pk).bind(since).bind(until);
    for u in usage {
        query = match *u {
            Usage::Redemptions { reward_id, since } => query.bind(reward_id).bind(since),
            Usage::Activities { rule_id, since } => query.bind(rule_id).bind(since),
        };
    }
    let row = query.fetch_one(&mut *conn).await?;
    let base = CUSTOMER_COLUMN_COUNT;
    let used = (0..usage.len())
        .map(|i| row.try_get::<i64, _>(base + 4 + i))
        .collect::<Result<_, _>>()?;
    Ok(CustomerStanding {
        customer: customer_from(&row)?,
        spend: row.try_get(base)?,
        friends_referred: row.try_get(base + 1)?,
        referral_points: row.try_get(base + 2)?,
        last_feedback_at: row.try_get(base + 3)?,
        used,
    })
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

/// Up to `limit` customers of the shop enrolled before customer key `before`, newest first, matching
/// `search` if given; their spend over `(since, until]` and their last ledger entry's time.
pub async fn page(
    db: &Db,
    shop_id: &str,
    search: Option<&Search<'_>>,
    before: i64,
    limit: i64,
    since: i64,
    until: i64,
) -> AppResult<Vec<ListedCustomer>> {
    let filter = if search.is_some() {
        "AND (c.customer_id = $6 OR lower(c.email) = lower($6) OR c.phone = $7
              OR lower(c.first_name) LIKE $8 ESCAPE '!')"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {CUSTOMER_COLUMNS},
            CAST((SELECT COALESCE(SUM(total_minor - refunded_minor), 0) FROM orders
                  WHERE customer_pk = c.id AND created_at > $4 AND created_at <= $5) AS BIGINT),
            c.created_at,
            COALESCE((SELECT MAX(created_at) FROM ledger_entries WHERE customer_pk = c.id), c.created_at)
         FROM customers c
         WHERE c.shop_id = $1 AND c.id < $2 {filter}
         ORDER BY c.id DESC LIMIT $3"
    );
    let (text, phone, like) = match search {
        Some(s) => {
            let escaped: String = s
                .text
                .to_lowercase()
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '!' => vec!['!', c],
                    c => vec![c],
                })
                .collect();
            (
                s.text.to_owned(),
                s.phone.unwrap_or("").to_owned(),
                format!("%{escaped}%"),
            )
        }
        None => (String::new(), String::new(), String::new()),
    };
    let mut query = sqlx::query(&sql)
        .bind(shop_id)
        .bind(before)
        .bind(limit)
        .bind(since)
        .bind(until);
    if search.is_some() {
        query = query.bind(text).bind(phone).bind(like);
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
