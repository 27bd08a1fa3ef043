//! `POST …/imports/customers`: a CSV file of customers from Tally or another loyalty program, checked
//! row by row, applied (unless a dry run) only when every row is valid.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use tally_core::api::ErrorBody;
use tally_core::imports::{parse_row, read_csv, Columns, ImportFormat, ImportReport};

use super::auth::Merchant;
use super::extract::{Json, Query};
use crate::clock::now_ms;
use crate::error::{AppError, AppResult};
use crate::ledger::imports::{import_customers, FileRow};
use crate::AppState;

/// A customer file may be far larger than any JSON body: 8 MB (about 100,000 rows), for this route only.
pub const IMPORT_BODY_LIMIT_BYTES: usize = 8 * 1024 * 1024;

/// An import applies its rows one customer transaction at a time (a durable commit each): a file of
/// thousands of rows takes longer than the server's usual time limit, so this route alone gets 10
/// minutes. A run cut off midway is safe to repeat: the rows applied come back `unchanged`.
pub const IMPORT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Whether a request path is this route's (for the time limit, which runs before routing).
pub fn is_import(path: &str) -> bool {
    path.strip_prefix("/v1/shops/")
        .and_then(|rest| rest.strip_suffix("/imports/customers"))
        .is_some_and(|shop_id| !shop_id.is_empty() && !shop_id.contains('/'))
}

/// How many refused rows a refused import names.
const ERRORS_SHOWN: usize = 10;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/shops/{shop_id}/imports/customers",
        post(customers_import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT_BYTES)),
    )
}

#[derive(Deserialize)]
pub struct ImportQuery {
    format: Option<String>,
    dry_run: Option<String>,
}

/// Imports customers with their balances, names, emails, phones, birthdays and referral codes from a
/// CSV file (the body, `text/csv`, up to 8 MB). Each balance is posted as the difference from what
/// earlier imports posted ("Imported balance" entries), so the same file twice changes nothing.
#[utoipa::path(post, path = "/v1/shops/{shop_id}/imports/customers", tag = "merchant",
    params(("shop_id" = String, Path, description = "The shop's public id"),
           ("format" = String, Query, description = "Whose column names the file uses: `tally` (our customers.csv), `smile`, `loyaltylion` or `yotpo`", pattern = "^(tally|smile|loyaltylion|yotpo)$"),
           ("dry_run" = Option<bool>, Query, description = "`true`: answer what would happen, change nothing (default `false`)")),
    request_body(content = String, content_type = "text/csv", description = "The file, with a header row"),
    responses((status = 200, description = "What each row did (or would do)", body = ImportReport),
              (status = 400, description = "`invalid_request`: an unknown format, a missing column, a file that is not CSV, or (not a dry run) refused rows, named by line", body = ErrorBody),
              (status = 401, description = "`unauthorized`", body = ErrorBody),
              (status = 413, description = "`payload_too_large`: over 8 MB", body = ErrorBody)),
    security(("secret_key" = [])))]
pub async fn customers_import(
    State(state): State<AppState>,
    merchant: Merchant,
    Query(query): Query<ImportQuery>,
    body: Bytes,
) -> AppResult<Json<ImportReport>> {
    let word = query.format.as_deref().unwrap_or_default();
    let format = ImportFormat::parse(word).ok_or_else(|| {
        AppError::Invalid(format!(
            "format: expected {}, not {word:?}",
            ImportFormat::WORDS
        ))
    })?;
    let dry_run = match query.dry_run.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AppError::Invalid(format!(
                "dry_run: expected true or false, not {other:?}"
            )))
        }
    };
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::Invalid("body: the file is not UTF-8 text".into()))?;
    let records = read_csv(text)
        .map_err(|e| AppError::Invalid(format!("body: line {}: {}", e.line, e.message)))?;
    let Some((header, records)) = records.split_first() else {
        return Err(AppError::Invalid(
            "body: the file is empty (a header row is needed)".into(),
        ));
    };
    let columns = Columns::find(format, &header.fields)
        .map_err(|e| AppError::Invalid(format!("body: {e}")))?;
    let shop = &merchant.shop;
    let region = crate::phone::default_region(&shop.shop.locale, &shop.shop.currency);
    let rows: Vec<FileRow> = records
        .iter()
        .map(|record| {
            let mut row = parse_row(&columns, record, &shop.rules.tiers)
                .map_err(|message| (record.line, message))?;
            if let Some(raw) = row.phone.take() {
                let phone = crate::phone::normalise(&raw, region)
                    .map_err(|e| (record.line, format!("line {}: {e}", record.line)))?;
                row.phone = Some(phone);
            }
            Ok(row)
        })
        .collect();
    let report = import_customers(
        &state.db,
        shop,
        merchant.actor.name(),
        format,
        rows,
        dry_run,
        now_ms(),
    )
    .await?;
    if !dry_run && report.errors > 0 {
        let shown: Vec<&str> = report
            .rows
            .iter()
            .filter_map(|r| r.message.as_deref())
            .take(ERRORS_SHOWN)
            .collect();
        return Err(AppError::Invalid(format!(
            "body: {} of {} rows refused, nothing imported (a dry run shows every row): {}",
            report.errors,
            report.rows.len(),
            shown.join("; ")
        )));
    }
    Ok(Json(report))
}
