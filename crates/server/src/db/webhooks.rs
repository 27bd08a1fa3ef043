//! Endpoints and deliveries in the database: what the HTTP handlers (src/http/webhooks.rs) read and
//! write. Every query is scoped by the shop (endpoints) or by an endpoint of the shop (deliveries).

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use sqlx::AnyConnection;
use tally_core::webhooks::*;

use super::{Backend, Db, WriteTx};
use crate::clock::rfc3339;
use crate::error::{AppError, AppResult};
use crate::shops::random_string;

const ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("webhook: no endpoint {id:?} in this shop"))
}

type EndpointRow = (String, String, String, i64, i64);

fn endpoint_of(row: EndpointRow) -> AppResult<WebhookEndpoint> {
    let (id, url, events_json, enabled, created_at) = row;
    Ok(WebhookEndpoint {
        id,
        url,
        events: serde_json::from_str(&events_json)?,
        enabled: enabled != 0,
        created_at: rfc3339(created_at),
    })
}

/// Saves a new endpoint (url and events already checked) and shows it with its secret, this once.
pub async fn create_endpoint(
    db: &Db,
    shop_id: &str,
    url: &str,
    events: &[String],
    now: i64,
) -> AppResult<WebhookEndpointCreated> {
    let id = format!("wh_{}", random_string(ID_ALPHABET, 20));
    let secret = crate::webhooks::sign::new_secret();
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, shop_id, url, events_json, secret, enabled, created_at,
                                        updated_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
    )
    .bind(&id)
    .bind(shop_id)
    .bind(url)
    .bind(serde_json::to_string(events)?)
    .bind(&secret)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(WebhookEndpointCreated {
        id,
        url: url.to_owned(),
        events: events.to_vec(),
        enabled: true,
        secret,
        created_at: rfc3339(now),
    })
}

/// The shop's endpoints, oldest first.
pub async fn list_endpoints(db: &Db, shop_id: &str) -> AppResult<Vec<WebhookEndpoint>> {
    let rows: Vec<EndpointRow> = sqlx::query_as(
        "SELECT id, url, events_json, enabled, created_at FROM webhook_endpoints
         WHERE shop_id = $1 ORDER BY created_at, id",
    )
    .bind(shop_id)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(endpoint_of).collect()
}

/// One endpoint of the shop; 404 for another shop's.
pub async fn get_endpoint(db: &Db, shop_id: &str, id: &str) -> AppResult<WebhookEndpoint> {
    let row: Option<EndpointRow> = sqlx::query_as(
        "SELECT id, url, events_json, enabled, created_at FROM webhook_endpoints
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    endpoint_of(row.ok_or_else(|| not_found(id))?)
}

/// Changes the given fields (already checked).
pub async fn update_endpoint(
    db: &Db,
    shop_id: &str,
    id: &str,
    url: Option<&str>,
    events: Option<&[String]>,
    enabled: Option<bool>,
    now: i64,
) -> AppResult<WebhookEndpoint> {
    let events_json = events.map(serde_json::to_string).transpose()?;
    let updated = sqlx::query(
        "UPDATE webhook_endpoints SET url = COALESCE($1, url), events_json = COALESCE($2, events_json),
                enabled = COALESCE($3, enabled), updated_at = $4
         WHERE shop_id = $5 AND id = $6",
    )
    .bind(url)
    .bind(events_json)
    .bind(enabled.map(i64::from))
    .bind(now)
    .bind(shop_id)
    .bind(id)
    .execute(&db.pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(not_found(id));
    }
    get_endpoint(db, shop_id, id).await
}

/// Deletes an endpoint with its deliveries and their log.
pub async fn delete_endpoint(db: &Db, shop_id: &str, id: &str) -> AppResult<()> {
    let mut tx = db.begin_write().await?;
    // Explicit rather than relying on ON DELETE CASCADE, so it holds whatever a connection's pragmas.
    sqlx::query(
        "DELETE FROM webhook_attempts WHERE delivery_id IN (
             SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
             WHERE w.shop_id = $1 AND w.id = $2)",
    )
    .bind(shop_id)
    .bind(id)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "DELETE FROM webhook_deliveries WHERE endpoint_id IN (
             SELECT id FROM webhook_endpoints WHERE shop_id = $1 AND id = $2)",
    )
    .bind(shop_id)
    .bind(id)
    .execute(tx.conn())
    .await?;
    let deleted = sqlx::query("DELETE FROM webhook_endpoints WHERE shop_id = $1 AND id = $2")
        .bind(shop_id)
        .bind(id)
        .execute(tx.conn())
        .await?;
    if deleted.rows_affected() == 0 {
        return Err(not_found(id));
    }
    tx.commit().await
}

/// Queues one event for one endpoint, due now; nothing if it is already queued there.
pub(crate) async fn insert_delivery(
    conn: &mut AnyConnection,
    endpoint_id: &str,
    event_id: &str,
    now: i64,
) -> AppResult<String> {
    let id = format!("dlv_{}", random_string(ID_ALPHABET, 20));
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempts, next_attempt_at,
                                         created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', 0, $4, $4, $4)
         ON CONFLICT (event_id, endpoint_id) DO NOTHING",
    )
    .bind(&id)
    .bind(endpoint_id)
    .bind(event_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

type DeliveryRow = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
);
const DELIVERY_COLUMNS: &str = "d.seq, d.id, d.event_id, e.type, d.status, d.attempts,
    d.response_status, d.next_attempt_at, d.created_at, d.last_error";

fn delivery_of(row: DeliveryRow) -> AppResult<(i64, WebhookDelivery)> {
    let (seq, id, event_id, event_type, status, attempts, response_status, next, created, error) =
        row;
    let status: DeliveryStatus = status.parse().map_err(AppError::internal)?;
    Ok((
        seq,
        WebhookDelivery {
            id,
            event_id,
            event_type,
            status,
            attempts,
            response_status,
            next_attempt_at: next
                .filter(|_| status == DeliveryStatus::Pending)
                .map(rfc3339),
            created_at: rfc3339(created),
            last_error: error,
            log: None,
        },
    ))
}

/// A page of an endpoint's deliveries, newest first; the cursor is the last one's position.
pub async fn delivery_page(
    db: &Db,
    shop_id: &str,
    endpoint_id: &str,
    limit: i64,
    before: Option<i64>,
) -> AppResult<WebhookDeliveryPage> {
    get_endpoint(db, shop_id, endpoint_id).await?;
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.endpoint_id = $1 AND d.seq < $2 ORDER BY d.seq DESC LIMIT $3"
    );
    let rows: Vec<DeliveryRow> = sqlx::query_as(&sql)
        .bind(endpoint_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit + 1)
        .fetch_all(&db.pool)
        .await?;
    let more = rows.len() as i64 > limit;
    let page: Vec<(i64, WebhookDelivery)> = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .map(delivery_of)
        .collect::<AppResult<_>>()?;
    let next = if more {
        page.last().map(|(seq, _)| seq.to_string())
    } else {
        None
    };
    Ok(WebhookDeliveryPage {
        items: page.into_iter().map(|(_, d)| d).collect(),
        next,
    })
}

/// One delivery of an endpoint of the shop, with its log of attempts.
pub async fn delivery_show(
    db: &Db,
    shop_id: &str,
    endpoint_id: &str,
    delivery_id: &str,
) -> AppResult<WebhookDelivery> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
         JOIN webhook_endpoints w ON w.id = d.endpoint_id
         WHERE w.shop_id = $1 AND d.endpoint_id = $2 AND d.id = $3"
    );
    let row: Option<DeliveryRow> = sqlx::query_as(&sql)
        .bind(shop_id)
        .bind(endpoint_id)
        .bind(delivery_id)
        .fetch_optional(&db.pool)
        .await?;
    let row = row.ok_or_else(|| {
        AppError::NotFound(format!(
            "delivery_id: no delivery {delivery_id:?} of this endpoint"
        ))
    })?;
    let (_, mut delivery) = delivery_of(row)?;
    let log: Vec<(i64, Option<i64>, Option<String>, i64)> = sqlx::query_as(
        "SELECT attempted_at, response_status, error, duration_ms FROM webhook_attempts
         WHERE delivery_id = $1 ORDER BY seq",
    )
    .bind(delivery_id)
    .fetch_all(&db.pool)
    .await?;
    delivery.log = Some(
        log.into_iter()
            .map(
                |(attempted_at, response_status, error, duration_ms)| WebhookAttempt {
                    attempted_at: rfc3339(attempted_at),
                    response_status,
                    error,
                    duration_ms,
                },
            )
            .collect(),
    );
    Ok(delivery)
}

/// Makes a delivery due now, whatever its status: a failed one gets one more attempt.
pub async fn retry_delivery(
    db: &Db,
    shop_id: &str,
    endpoint_id: &str,
    delivery_id: &str,
    now: i64,
) -> AppResult<WebhookDelivery> {
    let updated = sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $1, updated_at = $1
         WHERE id = $2 AND endpoint_id = $3
           AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE shop_id = $4)",
    )
    .bind(now)
    .bind(delivery_id)
    .bind(endpoint_id)
    .bind(shop_id)
    .execute(&db.pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::NotFound(format!(
            "delivery_id: no delivery {delivery_id:?} of this endpoint"
        )));
    }
    let mut delivery = delivery_show(db, shop_id, endpoint_id, delivery_id).await?;
    delivery.log = None;
    Ok(delivery)
}

/// Records a `webhook.test` event and queues it for this endpoint only.
pub async fn send_test(
    db: &Db,
    shop_id: &str,
    endpoint_id: &str,
    now: i64,
) -> AppResult<WebhookTestSent> {
    get_endpoint(db, shop_id, endpoint_id).await?;
    let mut tx = db.begin_write().await?;
    let event_id = super::events::new_event_id();
    let data = json!({"webhook_id": endpoint_id, "message": "A test event from Tally"});
    super::events::insert(
        tx.conn(),
        &event_id,
        shop_id,
        EventType::WebhookTest,
        &data,
        now,
        true,
    )
    .await?;
    let delivery_id = insert_delivery(tx.conn(), endpoint_id, &event_id, now).await?;
    tx.commit().await?;
    Ok(WebhookTestSent {
        event_id,
        delivery_id,
    })
}

// ---------------------------------------------------------------------------------------------------
// The delivery worker's claims and outcomes (`webhooks::worker`).

/// Connections of the worker's own pool (`worker_db`): the dispatcher's and the recorder's.
const WORKER_CONNECTIONS: u32 = 2;

/// The delivery worker's handle on the database: the same database and, on SQLite, the same writers'
/// queue, but a small pool of its own, so that under load its few statements do not wait for a
/// connection behind every API request (which starved deliveries to a few per second). On
/// `sqlite::memory:` (one connection is the database) the pool is shared.
pub async fn worker_db(db: &Db) -> AppResult<Db> {
    let options = db.pool.connect_options();
    if options.database_url.as_str().contains(":memory:") {
        return Ok(db.clone());
    }
    let pool_options = sqlx::any::AnyPoolOptions::new()
        .max_connections(WORKER_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(true)
        .after_release(|conn, _meta| {
            // As in `Db::connect`: a connection that still counts a transaction is closed, not reused.
            Box::pin(async move {
                sqlx::Connection::ping(&mut *conn).await?;
                Ok(!sqlx::Connection::is_in_transaction(&*conn))
            })
        });
    let pool_options = if db.backend == Backend::Sqlite {
        pool_options.after_connect(|conn, _meta| {
            Box::pin(async move {
                // The pragmas of `Db::connect`: an outcome is as durable as the order that caused it.
                for pragma in super::SQLITE_PRAGMAS {
                    sqlx::query(pragma).execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
    } else {
        pool_options
    };
    let pool = pool_options.connect_with((*options).clone()).await?;
    Ok(Db {
        pool,
        backend: db.backend,
        write_gate: db.write_gate.clone(),
        // The worker makes no grouped writes; the handle is the server's, shared.
        group_commit: db.group_commit.clone(),
    })
}

/// Rows per multi-row statement of the worker (well under SQLite's and PostgreSQL's bind limits).
const ROWS_PER_STATEMENT: usize = 100;

/// `$first, $first+1, …` for `n` binds.
fn binds(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns undispatched events into deliveries; returns how many events it handled. A few statements
/// per batch, whatever its size: one transaction (one commit, one fsync on SQLite) for `batch` events.
pub async fn fan_out(db: &Db, now: i64, batch: i64) -> AppResult<usize> {
    if !undispatched_events(db).await? {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let handled = fan_out_in(&mut tx, db.backend, now, batch).await?;
    tx.commit().await?;
    Ok(handled)
}

/// On SQLite a write transaction queues with the API's writers (`Db::begin_write`): the worker looks
/// before it queues. Always true on PostgreSQL, whose transactions queue behind nothing.
async fn undispatched_events(db: &Db) -> AppResult<bool> {
    if db.backend == Backend::Postgres {
        return Ok(true);
    }
    let any: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM events WHERE dispatched = 0 LIMIT 1")
            .fetch_optional(&db.pool)
            .await?;
    Ok(any.is_some())
}

/// As `undispatched_events`, for deliveries due and not leased.
async fn deliveries_due(db: &Db, now: i64) -> AppResult<bool> {
    if db.backend == Backend::Postgres {
        return Ok(true);
    }
    let any: Option<i64> = sqlx::query_scalar(
        "SELECT seq FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= $1
           AND (claimed_until IS NULL OR claimed_until < $1) LIMIT 1",
    )
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    Ok(any.is_some())
}

/// Fans out up to `batch` events (none when `batch` is 0), then claims within `limits`, in one
/// transaction: one commit (one fsync and one place in SQLite's writers' queue) for both. Returns the
/// events handled and the deliveries leased.
pub async fn fan_out_and_claim(
    db: &Db,
    batch: i64,
    limits: &ClaimLimits<'_>,
    now: i64,
    lease: Duration,
) -> AppResult<(usize, Vec<Outgoing>)> {
    let fan = batch > 0 && undispatched_events(db).await?;
    let claim = limits.total > 0 && (fan || deliveries_due(db, now).await?);
    if !fan && !claim {
        return Ok((0, Vec::new()));
    }
    let mut tx = db.begin_write().await?;
    let handled = if fan {
        fan_out_in(&mut tx, db.backend, now, batch).await?
    } else {
        0
    };
    let claimed = if claim {
        claim_in(&mut tx, db.backend, limits, now, lease).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    Ok((handled, claimed))
}

async fn fan_out_in(tx: &mut WriteTx, backend: Backend, now: i64, batch: i64) -> AppResult<usize> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT id, shop_id, type, created_at FROM events WHERE dispatched = 0
             ORDER BY seq LIMIT $1"
        }
        // Another server fanning out at the same moment takes other events.
        Backend::Postgres => {
            "SELECT id, shop_id, type, created_at FROM events WHERE dispatched = 0
             ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED"
        }
    };
    let events: Vec<(String, String, String, i64)> =
        sqlx::query_as(sql).bind(batch).fetch_all(tx.conn()).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let mut endpoints: HashMap<String, Vec<(String, Vec<String>, i64)>> = HashMap::new();
    let (mut queued, mut dispatched, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
    for (event_id, shop_id, event_type, created_at) in &events {
        if !endpoints.contains_key(shop_id) {
            let rows: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT id, events_json, created_at FROM webhook_endpoints
                 WHERE shop_id = $1 AND enabled = 1 ORDER BY created_at, id",
            )
            .bind(shop_id)
            .fetch_all(tx.conn())
            .await?;
            let parsed = rows
                .into_iter()
                .map(|(id, json, created)| Ok((id, serde_json::from_str(&json)?, created)))
                .collect::<AppResult<Vec<_>>>()?;
            endpoints.insert(shop_id.clone(), parsed);
        }
        let before = queued.len();
        for (endpoint_id, types, endpoint_created) in endpoints.get(shop_id).into_iter().flatten() {
            // An endpoint hears of what happens after it was created.
            if *endpoint_created <= *created_at
                && types
                    .iter()
                    .any(|t| t == tally_core::webhooks::ALL_EVENTS || t == event_type)
            {
                queued.push((endpoint_id.clone(), event_id.as_str()));
            }
        }
        // An event nobody subscribed to has nothing left to do.
        if queued.len() > before {
            dispatched.push(event_id.as_str());
        } else {
            dropped.push(event_id.as_str());
        }
    }
    for rows in queued.chunks(ROWS_PER_STATEMENT) {
        // $1 is now; each row binds its id, endpoint and event.
        let values = (0..rows.len())
            .map(|i| {
                let k = 2 + 3 * i;
                format!("(${k}, ${}, ${}, 'pending', 0, $1, $1, $1)", k + 1, k + 2)
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempts,
                                             next_attempt_at, created_at, updated_at)
             VALUES {values} ON CONFLICT (event_id, endpoint_id) DO NOTHING"
        );
        let mut query = sqlx::query(&sql).persistent(false).bind(now);
        for (endpoint_id, event_id) in rows {
            let id = format!("dlv_{}", random_string(ID_ALPHABET, 20));
            query = query.bind(id).bind(endpoint_id.as_str()).bind(*event_id);
        }
        query.execute(tx.conn()).await?;
    }
    for (ids, sql) in [
        (&dispatched, "UPDATE events SET dispatched = 1 WHERE id IN"),
        (&dropped, "DELETE FROM events WHERE id IN"),
    ] {
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!("{sql} ({})", binds(1, chunk.len()));
            let mut query = sqlx::query(&sql).persistent(false);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(tx.conn()).await?;
        }
    }
    Ok(events.len())
}

/// How many deliveries one claim may lease: in all, and per endpoint counting the attempts this worker
/// already has in flight to it (`in_flight`, by endpoint id).
pub struct ClaimLimits<'a> {
    pub total: usize,
    pub per_endpoint: usize,
    pub in_flight: &'a HashMap<String, usize>,
}

/// Leases due deliveries to this worker, oldest due first, within `limits`; returns what each needs to
/// be sent. On PostgreSQL the candidates are locked `FOR UPDATE SKIP LOCKED`, so N servers never lease
/// the same attempt; each endpoint's share is cut to its free slots in the same statement, so one
/// endpoint's backlog cannot take the slots of the others.
pub async fn claim(
    db: &Db,
    limits: &ClaimLimits<'_>,
    now: i64,
    lease: Duration,
) -> AppResult<Vec<Outgoing>> {
    if limits.total == 0 || !deliveries_due(db, now).await? {
        return Ok(Vec::new());
    }
    let mut tx = db.begin_write().await?;
    let claimed = claim_in(&mut tx, db.backend, limits, now, lease).await?;
    tx.commit().await?;
    Ok(claimed)
}

async fn claim_in(
    tx: &mut WriteTx,
    backend: Backend,
    limits: &ClaimLimits<'_>,
    now: i64,
    lease: Duration,
) -> AppResult<Vec<Outgoing>> {
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
    };
    // Binds: $1 lease end, $2 now, $3 total, $4 per endpoint, then the full endpoints' ids, then
    // (id, free slots) of the endpoints partly busy.
    let full: Vec<&String> = limits
        .in_flight
        .iter()
        .filter(|(_, n)| **n >= limits.per_endpoint)
        .map(|(id, _)| id)
        .collect();
    let busy: Vec<(&String, usize)> = limits
        .in_flight
        .iter()
        .filter(|(_, n)| **n > 0 && **n < limits.per_endpoint)
        .map(|(id, n)| (id, limits.per_endpoint - n))
        .collect();
    let not_full = if full.is_empty() {
        String::new()
    } else {
        format!("AND endpoint_id NOT IN ({})", binds(5, full.len()))
    };
    let cap = if busy.is_empty() {
        "$4".to_owned()
    } else {
        let first = 5 + full.len();
        let whens = (0..busy.len())
            .map(|i| format!("WHEN ${} THEN ${}", first + 2 * i, first + 2 * i + 1))
            .collect::<Vec<_>>()
            .join(" ");
        format!("CASE r.endpoint_id {whens} ELSE $4 END")
    };
    let sql = format!(
        "UPDATE webhook_deliveries SET claimed_until = $1
         WHERE seq IN (
             SELECT r.seq FROM (
                 SELECT c.seq, c.endpoint_id, ROW_NUMBER() OVER (
                     PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.seq) AS nth
                 FROM (SELECT seq, endpoint_id, next_attempt_at FROM webhook_deliveries
                       WHERE status = 'pending' AND next_attempt_at <= $2
                         AND (claimed_until IS NULL OR claimed_until < $2)
                         AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled = 1)
                         {not_full}
                       ORDER BY next_attempt_at, seq LIMIT $3 {lock}) c) r
             WHERE r.nth <= {cap})
         RETURNING seq"
    );
    let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2);
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let mut query = sqlx::query_scalar(&sql)
        .persistent(false)
        .bind(now.saturating_add(lease_ms))
        .bind(now)
        .bind(as_i64(limits.total))
        .bind(as_i64(limits.per_endpoint));
    for id in &full {
        query = query.bind(id.as_str());
    }
    for (id, free) in &busy {
        query = query.bind(id.as_str()).bind(as_i64(*free));
    }
    let claimed: Vec<i64> = query.fetch_all(tx.conn()).await?;
    let mut outgoing = Vec::with_capacity(claimed.len());
    for chunk in claimed.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "SELECT d.id, d.endpoint_id, d.attempts, w.url, w.secret, e.id, e.type, e.data,
                    e.created_at
             FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
             JOIN events e ON e.id = d.event_id WHERE d.seq IN ({})",
            binds(1, chunk.len())
        );
        let mut query = sqlx::query_as(&sql).persistent(false);
        for seq in chunk {
            query = query.bind(*seq);
        }
        let rows: Vec<OutgoingRow> = query.fetch_all(tx.conn()).await?;
        outgoing.extend(rows.into_iter().map(Outgoing::from));
    }
    Ok(outgoing)
}

type OutgoingRow = (
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
);

/// What a claimed delivery needs to be sent.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery_id: String,
    pub endpoint_id: String,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub event_type: String,
    pub data: String,
    pub created_at: i64,
}

impl From<OutgoingRow> for Outgoing {
    fn from(row: OutgoingRow) -> Outgoing {
        let (
            delivery_id,
            endpoint_id,
            attempts,
            url,
            secret,
            event_id,
            event_type,
            data,
            created_at,
        ) = row;
        Outgoing {
            delivery_id,
            endpoint_id,
            attempts,
            url,
            secret,
            event_id,
            event_type,
            data,
            created_at,
        }
    }
}

/// One attempt's outcome, as the worker decided it.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub delivery_id: String,
    /// `succeeded`, `pending` (another attempt at `next_attempt_at`) or `failed`.
    pub status: &'static str,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub response_status: Option<i64>,
    pub error: Option<String>,
    pub attempted_at: i64,
    pub duration_ms: i64,
}

/// Stores attempts' outcomes on their deliveries (releasing the leases) and in the attempt log, all in
/// one transaction: successes with the same status and count in one statement, failures one by one.
/// A delivery deleted meanwhile (with its endpoint) gets no log row.
pub async fn record_attempts(db: &Db, attempts: &[Attempt], now: i64) -> AppResult<()> {
    if attempts.is_empty() {
        return Ok(());
    }
    let mut groups: HashMap<(Option<i64>, i64), Vec<&str>> = HashMap::new();
    let mut one_by_one = Vec::new();
    for attempt in attempts {
        if attempt.status == "succeeded" && attempt.error.is_none() {
            groups
                .entry((attempt.response_status, attempt.attempts))
                .or_default()
                .push(&attempt.delivery_id);
        } else {
            one_by_one.push(attempt);
        }
    }
    let mut tx = db.begin_write().await?;
    let mut recorded: Vec<String> = Vec::with_capacity(attempts.len());
    for ((response_status, count), ids) in &groups {
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "UPDATE webhook_deliveries SET status = 'succeeded', attempts = $1,
                        next_attempt_at = NULL, claimed_until = NULL, response_status = $2,
                        last_error = NULL, updated_at = $3
                 WHERE id IN ({}) RETURNING id",
                binds(4, chunk.len())
            );
            let mut query = sqlx::query_scalar(&sql)
                .persistent(false)
                .bind(*count)
                .bind(*response_status)
                .bind(now);
            for id in chunk {
                query = query.bind(*id);
            }
            let updated: Vec<String> = query.fetch_all(tx.conn()).await?;
            recorded.extend(updated);
        }
    }
    for attempt in one_by_one {
        let updated = sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3,
                    claimed_until = NULL, response_status = $4, last_error = $5, updated_at = $6
             WHERE id = $7",
        )
        .bind(attempt.status)
        .bind(attempt.attempts)
        .bind(attempt.next_attempt_at)
        .bind(attempt.response_status)
        .bind(attempt.error.as_deref())
        .bind(now)
        .bind(&attempt.delivery_id)
        .execute(tx.conn())
        .await?;
        if updated.rows_affected() == 1 {
            recorded.push(attempt.delivery_id.clone());
        }
    }
    let by_id: HashMap<&str, &Attempt> = attempts
        .iter()
        .map(|a| (a.delivery_id.as_str(), a))
        .collect();
    let logged: Vec<&Attempt> = recorded
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).copied())
        .collect();
    for rows in logged.chunks(ROWS_PER_STATEMENT) {
        let values = (0..rows.len())
            .map(|i| format!("({})", binds(1 + 5 * i, 5)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO webhook_attempts (delivery_id, attempted_at, response_status, error,
                                           duration_ms)
             VALUES {values}"
        );
        let mut query = sqlx::query(&sql).persistent(false);
        for attempt in rows {
            query = query
                .bind(attempt.delivery_id.as_str())
                .bind(attempt.attempted_at)
                .bind(attempt.response_status)
                .bind(attempt.error.as_deref())
                .bind(attempt.duration_ms);
        }
        query.execute(tx.conn()).await?;
    }
    tx.commit().await
}

/// Deliveries still waiting for an attempt, for `/healthz`.
pub async fn pending_count(db: &Db) -> AppResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
            .fetch_one(&db.pool)
            .await?,
    )
}
