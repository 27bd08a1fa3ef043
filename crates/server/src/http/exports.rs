//! `GET …/exports/customers.csv` and `GET …/exports/ledger.csv`: a shop's data for a spreadsheet or
//! another system, streamed in chunks from a database cursor (constant memory however large the shop),
//! with every text cell guarded against spreadsheet formulas.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::TryStreamExt;
use serde::Deserialize;
use tally_core::api::ErrorBody;
use tally_core::rules::{self, Held};
use tally_core::timeseries::parse_date;
use tally_core::TierMetric;
use tokio::sync::mpsc;

use super::auth::Merchant;
use super::extract::Query;
use crate::clock::{now_ms, rfc3339, DAY_MS};
use crate::db::exports::{self, CustomerRow, LedgerRow};
use crate::error::{AppError, AppResult};
use crate::ledger::SPEND_WINDOW_MS;
use crate::shops::ShopRecord;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/shops/{shop_id}/exports/customers.csv",
            get(customers_csv),
        )
        .route("/v1/shops/{shop_id}/exports/ledger.csv", get(ledger_csv))
}

/// Rows are sent in chunks of about this many bytes; at most `CHUNKS_IN_FLIGHT` wait for a slow client.
const CHUNK_BYTES: usize = 64 * 1024;
const CHUNKS_IN_FLIGHT: usize = 4;

/// A text cell: quoted when it holds a comma, quote or line break, and prefixed with `'` when it begins
/// with a character a spreadsheet would read as the start of a formula (`=`, `+`, `-`, `@`, tab, CR).
pub fn text_cell(out: &mut Vec<u8>, text: &str) {
    let guard = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = text.contains([',', '"', '\n', '\r']);
    if quote {
        out.push(b'"');
    }
    if guard {
        out.push(b'\'');
    }
    for &b in text.as_bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    if quote {
        out.push(b'"');
    }
}

fn number_cell(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(n.to_string().as_bytes());
}

/// Cells of one row, comma-separated, the row ended by CRLF (RFC 4180).
struct Row<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> Row<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        Row { out, first: true }
    }
    fn sep(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
    }
    fn text(mut self, text: &str) -> Self {
        self.sep();
        text_cell(self.out, text);
        self
    }
    fn opt(self, text: Option<&str>) -> Self {
        self.text(text.unwrap_or(""))
    }
    fn number(mut self, n: i64) -> Self {
        self.sep();
        number_cell(self.out, n);
        self
    }
    fn end(self) {
        self.out.extend_from_slice(b"\r\n");
    }
}

/// Why an export stopped before its end.
enum Stop {
    Database(sqlx::Error),
    ClientGone,
}

impl From<sqlx::Error> for Stop {
    fn from(e: sqlx::Error) -> Self {
        Stop::Database(e)
    }
}

/// Where an export writes its rows: a buffer sent on as a chunk whenever it is full.
struct Sink {
    buf: Vec<u8>,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl Sink {
    async fn flush_if_full(&mut self) -> Result<(), Stop> {
        if self.buf.len() < CHUNK_BYTES {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES + 1024));
        self.tx
            .send(Ok(Bytes::from(chunk)))
            .await
            .map_err(|_| Stop::ClientGone)
    }
}

/// A CSV answer whose body a task writes as `produce` reads rows: the header row first, chunks as
/// they fill. A database error after the first bytes aborts the body, so a client never mistakes a
/// cut file for a whole one.
fn csv_response<F, Fut>(filename: &str, header: &'static str, produce: F) -> Response
where
    F: FnOnce(Sink) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = (Sink, Result<(), Stop>)> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(CHUNKS_IN_FLIGHT);
    let mut buf = Vec::with_capacity(CHUNK_BYTES + 1024);
    buf.extend_from_slice(header.as_bytes());
    buf.extend_from_slice(b"\r\n");
    tokio::spawn(async move {
        let (sink, result) = produce(Sink { buf, tx }).await;
        match result {
            Ok(()) => {
                let _ = sink.tx.send(Ok(Bytes::from(sink.buf))).await;
            }
            Err(Stop::ClientGone) => {}
            Err(Stop::Database(e)) => {
                tracing::error!(error = %e, "an export stopped on a database error");
                let _ = sink
                    .tx
                    .send(Err(std::io::Error::other("export interrupted")))
                    .await;
            }
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let disposition = format!("attachment; filename=\"{filename}\"");
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition)
                .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    (headers, Body::from_stream(body)).into_response()
}

const CUSTOMERS_HEADER: &str =
    "customer_id,first_name,email,phone,birthday,balance,lifetime_points,\
tier,membership_tier,membership_expires_at,referral_code,created_at";

/// Every customer of the shop, in the order they enrolled: balance, lifetime points, the tier they
/// have now (earned or paid), membership, referral code.
#[utoipa::path(get, path = "/v1/shops/{shop_id}/exports/customers.csv", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id")),
    responses((status = 200, description = "`text/csv` with a header row: customer_id, first_name, email, phone, birthday, balance, lifetime_points, tier, membership_tier, membership_expires_at, referral_code, created_at. Text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with `'`", content_type = "text/csv", body = String),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customers_csv(State(state): State<AppState>, merchant: Merchant) -> Response {
    let now = now_ms();
    let shop = merchant.shop;
    let filename = format!("{}-customers.csv", shop.shop.id);
    let pool = state.db.pool.clone();
    csv_response(&filename, CUSTOMERS_HEADER, move |mut sink| async move {
        let result = async {
            let mut rows = exports::customers(&pool, &shop.shop.id, now - SPEND_WINDOW_MS);
            while let Some(row) = rows.try_next().await? {
                customer_line(&mut sink.buf, &shop, row, now);
                sink.flush_if_full().await?;
            }
            Ok(())
        }
        .await;
        (sink, result)
    })
}

#[derive(Deserialize)]
pub struct LedgerQuery {
    from: Option<String>,
    to: Option<String>,
}

const LEDGER_HEADER: &str =
    "entry_id,customer_id,kind,points,balance_after,description,reference,created_at";

/// The shop's ledger entries, oldest first, from `from` through `to` (whole UTC days; either absent:
/// from the first entry, through the last; present but empty: 400).
#[utoipa::path(get, path = "/v1/shops/{shop_id}/exports/ledger.csv", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("from" = Option<String>, Query, description = "The first day, `YYYY-MM-DD` (UTC); absent: from the first entry", format = Date),
           ("to" = Option<String>, Query, description = "The last day, `YYYY-MM-DD` (UTC), not before `from`; absent: through today", format = Date)),
    responses((status = 200, description = "`text/csv` with a header row: entry_id, customer_id, kind, points, balance_after, description, reference, created_at. Points are signed integers; text cells that begin with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with `'`", content_type = "text/csv", body = String),
              (status = 400, description = "`invalid_request`: a date not understood, or `from` after `to`", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn ledger_csv(
    State(state): State<AppState>,
    merchant: Merchant,
    Query(query): Query<LedgerQuery>,
) -> AppResult<Response> {
    let day = |field: &str, value: Option<&str>| -> AppResult<Option<i64>> {
        match value {
            None => Ok(None),
            Some("") => Err(AppError::Invalid(format!(
                "{field}: empty; give a date YYYY-MM-DD or leave {field} out"
            ))),
            Some(v) => parse_date(v).map(Some).ok_or_else(|| {
                AppError::Invalid(format!(
                    "{field}: {v:?} is not a date YYYY-MM-DD of the calendar"
                ))
            }),
        }
    };
    let from = day("from", query.from.as_deref())?;
    let to = day("to", query.to.as_deref())?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(AppError::Invalid("from: after to".into()));
        }
    }
    let since = from.map_or(i64::MIN, |d| d * DAY_MS);
    let until = to.map_or(i64::MAX, |d| (d + 1) * DAY_MS);
    let shop = merchant.shop;
    let filename = format!("{}-ledger.csv", shop.shop.id);
    let pool = state.db.pool.clone();
    Ok(csv_response(
        &filename,
        LEDGER_HEADER,
        move |mut sink| async move {
            let result = async {
                let mut rows = exports::ledger(&pool, &shop.shop.id, since, until);
                while let Some(row) = rows.try_next().await? {
                    ledger_line(&mut sink.buf, row);
                    sink.flush_if_full().await?;
                }
                Ok(())
            }
            .await;
            (sink, result)
        },
    ))
}

fn ledger_line(out: &mut Vec<u8>, e: LedgerRow) {
    Row::new(out)
        .number(e.id)
        .text(&e.customer_id)
        .text(&e.kind)
        .number(e.points)
        .number(e.balance_after)
        .text(&e.description)
        .text(&e.reference)
        .text(&rfc3339(e.created_at))
        .end();
}

fn customer_line(out: &mut Vec<u8>, shop: &ShopRecord, c: CustomerRow, now: i64) {
    let metric = match shop.rules.tier_metric {
        TierMetric::Points => c.lifetime_points,
        TierMetric::Spend => c.spend,
    };
    let earned = rules::tier_standing(&shop.rules.tiers, metric).current;
    let held = match (&c.membership_tier, c.membership_expires_at) {
        (Some(tier_id), Some(expires_at)) => Some(Held {
            tier_id,
            expires_at,
        }),
        _ => None,
    };
    let tier = rules::effective_tier(&shop.rules.tiers, earned, held, now).map(|t| t.id.as_str());
    Row::new(out)
        .text(&c.customer_id)
        .opt(c.first_name.as_deref())
        .opt(c.email.as_deref())
        .opt(c.phone.as_deref())
        .opt(c.birthday.as_deref())
        .number(c.balance)
        .number(c.lifetime_points)
        .opt(tier)
        .opt(c.membership_tier.as_deref())
        .opt(c.membership_expires_at.map(rfc3339).as_deref())
        .text(&c.referral_code)
        .text(&rfc3339(c.created_at))
        .end();
}
