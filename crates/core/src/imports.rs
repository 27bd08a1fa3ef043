//! Customer imports: an RFC 4180 CSV reader, the column mappings of the customer files of Tally itself,
//! Smile.io, LoyaltyLion and Yotpo Loyalty, and the validation of one row. No I/O: the server decides
//! what a valid row changes.

use serde::{Deserialize, Serialize};

use crate::api::Tier;
use crate::ids::CustomerId;

/// Whose column names a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Tally,
    Smile,
    Loyaltylion,
    Yotpo,
}

impl ImportFormat {
    pub const WORDS: &'static str = "tally, smile, loyaltylion or yotpo";

    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "tally" => Some(Self::Tally),
            "smile" => Some(Self::Smile),
            "loyaltylion" => Some(Self::Loyaltylion),
            "yotpo" => Some(Self::Yotpo),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tally => "tally",
            Self::Smile => "smile",
            Self::Loyaltylion => "loyaltylion",
            Self::Yotpo => "yotpo",
        }
    }
}

/// What an import did (or, in a dry run, would do) to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ImportAction {
    Create,
    Update,
    Unchanged,
    Error,
}

/// One row of the file and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRowResult {
    /// The physical line the row starts on (the header is line 1).
    pub line: usize,
    /// The customer's id in Tally (the lower-cased email when the file has no id column); `null` when
    /// the row has none.
    pub customer_id: Option<String>,
    pub action: ImportAction,
    pub balance_before: Option<i64>,
    pub balance_after: Option<i64>,
    /// What changes, in words: `balance +120`, `first_name`, `email`, `phone`, `birthday`,
    /// `referral_code`.
    pub changes: Vec<String>,
    /// Why the row is refused (`action: error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the import cannot carry over, e.g. a tier Tally derives from lifetime points or spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The answer of `POST …/imports/customers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    pub format: ImportFormat,
    pub rows: Vec<ImportRowResult>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: usize,
}

/// One record of a CSV file and the physical line it starts on (1 is the header's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRecord {
    pub line: usize,
    pub fields: Vec<String>,
}

/// A file that is not CSV, at the line where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub line: usize,
    pub message: String,
}

/// Reads RFC 4180 CSV: fields in double quotes may hold commas, line breaks and doubled quotes; lines
/// end in CRLF or LF; a UTF-8 byte order mark is skipped; blank lines are skipped. Line numbers count
/// physical lines, so a quoted line break moves the records after it down.
pub fn read_csv(text: &str) -> Result<Vec<CsvRecord>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut start_line = 1;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false; // inside quotes
    let mut was_quoted = false; // this field had quotes (its closing quote was read)
    let mut any = false; // the record has begun
    let end_record = |fields: &mut Vec<String>,
                      field: &mut String,
                      records: &mut Vec<CsvRecord>,
                      start_line: usize,
                      any: bool| {
        if any {
            fields.push(std::mem::take(field));
            records.push(CsvRecord {
                line: start_line,
                fields: std::mem::take(fields),
            });
        }
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    quoted = false;
                    was_quoted = true;
                }
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                quoted = true;
                any = true;
            }
            '"' => {
                return Err(CsvError {
                    line,
                    message:
                        "a quote inside an unquoted field (quote the field and double the quote)"
                            .into(),
                })
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                end_record(&mut fields, &mut field, &mut records, start_line, any);
                was_quoted = false;
                any = false;
                line += 1;
                start_line = line;
            }
            _ if was_quoted => {
                return Err(CsvError {
                    line,
                    message: "text after a closing quote".into(),
                })
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(CsvError {
            line: start_line,
            message: "a quoted field is never closed".into(),
        });
    }
    end_record(&mut fields, &mut field, &mut records, start_line, any);
    Ok(records)
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    CustomerId,
    Email,
    FirstName,
    FullName,
    Phone,
    Birthday,
    Balance,
    LifetimePoints,
    Tier,
    ReferralCode,
}

impl Column {
    fn word(self) -> &'static str {
        match self {
            Column::CustomerId => "customer id",
            Column::Email => "email",
            Column::FirstName => "first name",
            Column::FullName => "full name",
            Column::Phone => "phone",
            Column::Birthday => "birthday",
            Column::Balance => "points balance",
            Column::LifetimePoints => "lifetime points",
            Column::Tier => "tier",
            Column::ReferralCode => "referral code",
        }
    }
}

/// The header names (compared without case, spaces, `_` or `-`) each column goes by in a format, and
/// whether the file must have it. A name ending in `*` matches any header that begins with it. Public so
/// the console tells a merchant exactly the columns the server reads.
pub fn mapping(format: ImportFormat) -> &'static [(Column, &'static [&'static str], bool)] {
    match format {
        // Our own customers.csv export (http/exports.rs).
        ImportFormat::Tally => &[
            (Column::CustomerId, &["customer_id"], true),
            (Column::FirstName, &["first_name"], false),
            (Column::Email, &["email"], false),
            (Column::Phone, &["phone"], false),
            (Column::Birthday, &["birthday"], false),
            (Column::Balance, &["balance"], true),
            (Column::LifetimePoints, &["lifetime_points"], false),
            (Column::Tier, &["tier"], false),
            (Column::ReferralCode, &["referral_code"], false),
        ],
        // help.smile.io "Import points with a CSV file": exactly `email` and `points`.
        ImportFormat::Smile => &[
            (Column::Email, &["email"], true),
            (Column::Balance, &["points"], true),
            (Column::CustomerId, &["customer_id", "id"], false),
            (Column::FirstName, &["first_name"], false),
        ],
        // help.loyaltylion.com "Imports": email and points, and birthdays and tiers.
        ImportFormat::Loyaltylion => &[
            (Column::Email, &["email"], true),
            (Column::Balance, &["points", "points_approved"], true),
            (Column::Birthday, &["birthday", "date_of_birth"], false),
            (Column::Tier, &["tier", "tier_name"], false),
            (Column::CustomerId, &["customer_id", "merchant_id"], false),
            (Column::FirstName, &["first_name"], false),
            (Column::ReferralCode, &["referral_code"], false),
        ],
        // support.yotpo.com "Importing/Exporting Points and Customers".
        ImportFormat::Yotpo => &[
            (Column::Email, &["email"], true),
            (Column::Balance, &["points balance"], false),
            (Column::FirstName, &["first name"], false),
            (Column::FullName, &["full name"], false),
            (Column::Birthday, &["birthday*"], false),
            (Column::Tier, &["vip tier", "tier"], false),
            (Column::ReferralCode, &["referral code"], false),
        ],
    }
}

fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each column of a format is in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    format: ImportFormat,
    at: Vec<(Column, usize)>,
}

impl Columns {
    /// The columns of `header`; an error names the missing column and the columns found.
    pub fn find(format: ImportFormat, header: &[String]) -> Result<Columns, String> {
        let names: Vec<String> = header.iter().map(|h| squash(h)).collect();
        let mut at = Vec::new();
        for (column, aliases, required) in mapping(format) {
            let found = aliases.iter().find_map(|alias| {
                let (alias, prefix) = match alias.strip_suffix('*') {
                    Some(stem) => (squash(stem), true),
                    None => (squash(alias), false),
                };
                names
                    .iter()
                    .position(|n| *n == alias || (prefix && n.starts_with(&alias)))
            });
            match found {
                Some(i) => at.push((*column, i)),
                None if *required => {
                    return Err(format!(
                        "line 1: the {} file has no {} column (named {}); the columns found are {}",
                        format.as_str(),
                        column.word(),
                        aliases
                            .iter()
                            .map(|a| format!("{a:?}"))
                            .collect::<Vec<_>>()
                            .join(" or "),
                        header
                            .iter()
                            .map(|h| format!("{h:?}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
                None => {}
            }
        }
        Ok(Columns { format, at })
    }

    pub fn has(&self, column: Column) -> bool {
        self.at.iter().any(|(c, _)| *c == column)
    }

    /// The cell of `column`, trimmed; `None` when absent or empty (or Yotpo's `0` placeholder in a text
    /// column). Our own export guards formula-looking text with a leading `'`, removed here.
    fn cell<'r>(&self, record: &'r CsvRecord, column: Column) -> Option<&'r str> {
        let i = self.at.iter().find(|(c, _)| *c == column)?.1;
        let text = record.fields.get(i)?.trim();
        let numeric = matches!(column, Column::Balance | Column::LifetimePoints);
        if text.is_empty() || (self.format == ImportFormat::Yotpo && !numeric && text == "0") {
            return None;
        }
        if self.format == ImportFormat::Tally {
            if let Some(rest) = text.strip_prefix('\'') {
                if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    return Some(rest);
                }
            }
        }
        Some(text)
    }
}

/// A valid row: what the file says of one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub customer_id: CustomerId,
    pub email: Option<String>,
    pub first_name: Option<String>,
    /// As written; the server normalises it to E.164 with the shop's region.
    pub phone: Option<String>,
    /// `MM-DD`.
    pub birthday: Option<String>,
    pub balance: Option<i64>,
    pub lifetime_points: Option<i64>,
    /// The id of the program's tier the file names.
    pub tier: Option<String>,
    pub referral_code: Option<String>,
}

/// Validates one record; the error names the line and the column.
pub fn parse_row(
    columns: &Columns,
    record: &CsvRecord,
    tiers: &[Tier],
) -> Result<ImportRow, String> {
    let line = record.line;
    let bad = |column: Column, why: String| format!("line {line}: {}: {why}", column.word());
    let email = match columns.cell(record, Column::Email) {
        Some(email) if is_email(email) => Some(email.to_owned()),
        Some(email) => {
            return Err(bad(
                Column::Email,
                format!("{email:?} is not an email address"),
            ))
        }
        None => None,
    };
    let customer_id = match (columns.cell(record, Column::CustomerId), &email) {
        (Some(id), _) => id.to_owned(),
        (None, Some(email)) => email.to_lowercase(),
        (None, None) => {
            let column = if columns.has(Column::CustomerId) {
                Column::CustomerId
            } else {
                Column::Email
            };
            return Err(bad(column, "empty: every row needs one".into()));
        }
    };
    let customer_id = CustomerId::parse(customer_id.clone())
        .map_err(|e| bad(Column::CustomerId, format!("{customer_id:?}: {e}")))?;
    let first_name = match columns.cell(record, Column::FirstName) {
        Some(name) => Some(name.to_owned()),
        None => columns
            .cell(record, Column::FullName)
            .and_then(|full| full.split_whitespace().next())
            .map(str::to_owned),
    };
    if let Some(name) = &first_name {
        if name.chars().count() > 100 {
            return Err(bad(Column::FirstName, "at most 100 characters".into()));
        }
    }
    let points = |column: Column| -> Result<Option<i64>, String> {
        match columns.cell(record, column) {
            None => Ok(None),
            Some(text) => parse_points(text).map(Some).map_err(|why| bad(column, why)),
        }
    };
    let balance = points(Column::Balance)?;
    let lifetime_points = points(Column::LifetimePoints)?;
    let birthday = match columns.cell(record, Column::Birthday) {
        Some(text) => Some(month_day(text).ok_or_else(|| {
            bad(
                Column::Birthday,
                format!("{text:?}: expected MM-DD, YYYY-MM-DD, MM/DD or MM/DD/YYYY"),
            )
        })?),
        None => None,
    };
    let tier = match columns.cell(record, Column::Tier) {
        Some(text) => Some(
            tiers
                .iter()
                .find(|t| {
                    t.id.eq_ignore_ascii_case(text) || t.name.trim().eq_ignore_ascii_case(text)
                })
                .map(|t| t.id.clone())
                .ok_or_else(|| {
                    bad(
                        Column::Tier,
                        format!(
                            "{text:?} is none of the program's tiers ({})",
                            tiers
                                .iter()
                                .map(|t| t.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?,
        ),
        None => None,
    };
    let referral_code = match columns.cell(record, Column::ReferralCode) {
        // Referral codes are looked up in capitals (an order's code is upper-cased before the search).
        Some(code) if is_referral_code(code) => Some(code.to_ascii_uppercase()),
        Some(code) => {
            return Err(bad(
                Column::ReferralCode,
                format!("{code:?}: 1 to 64 letters, digits, `-` or `_`"),
            ))
        }
        None => None,
    };
    Ok(ImportRow {
        line,
        customer_id,
        email,
        first_name,
        phone: columns.cell(record, Column::Phone).map(str::to_owned),
        birthday,
        balance,
        lifetime_points,
        tier,
        referral_code,
    })
}

/// Something before an `@` and a `.` after it, at most 254 bytes (as `PATCH …/customers/{id}` checks).
pub fn is_email(text: &str) -> bool {
    text.len() <= 254
        && !text.contains(char::is_whitespace)
        && text
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

fn is_referral_code(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whole points ≥ 0, digits only: `1,200` or `1.200` would be read differently by different tools.
fn parse_points(text: &str) -> Result<i64, String> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a whole number of points ≥ 0 written in digits only (no sign, separators or decimals)"
        ));
    }
    text.parse::<i64>()
        .ok()
        .filter(|p| *p <= 1_000_000_000_000)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// `MM-DD` of a birthday written `MM-DD`, `YYYY-MM-DD`, `MM/DD` or `MM/DD/YYYY` (Yotpo's forms).
pub fn month_day(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let dashed = text.contains('-');
    let (month, day) = match (parts.as_slice(), dashed) {
        ([m, d], _) => (*m, *d),
        ([y, m, d], true) if y.len() == 4 => (*m, *d),
        ([m, d, y], false) if y.len() == 4 => (*m, *d),
        _ => return None,
    };
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (month, day): (u32, u32) = (month.parse().ok()?, day.parse().ok()?);
    let days = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    (1..=days)
        .contains(&day)
        .then(|| format!("{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers() -> Vec<Tier> {
        serde_json::from_value(serde_json::json!([
            {"id": "silver", "name": "Silver", "threshold": 0, "earn_multiplier": 1.0},
            {"id": "gold", "name": "Gold Club", "threshold": 500, "earn_multiplier": 1.5}
        ]))
        .expect("tiers")
    }

    fn row(format: ImportFormat, csv: &str) -> Result<ImportRow, String> {
        let records = read_csv(csv).expect("csv");
        let columns = Columns::find(format, &records[0].fields)?;
        parse_row(&columns, &records[1], &tiers())
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks_and_count_physical_lines() {
        let records =
            read_csv("\u{feff}a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\n\r\nlast,\n").unwrap();
        assert_eq!(records.len(), 3);
        assert_eq!(records[1].fields, vec!["x, \"y\"", "two\nlines"]);
        assert_eq!(records[1].line, 2);
        assert_eq!(records[2].line, 5);
        assert_eq!(records[2].fields, vec!["last", ""]);
        assert_eq!(records[0].fields, vec!["a", "b"]);
    }

    #[test]
    fn an_unclosed_quote_or_a_stray_quote_is_refused_with_its_line() {
        assert_eq!(read_csv("a\n\"open\n").unwrap_err().line, 2);
        assert_eq!(read_csv("a\nb\"c\n").unwrap_err().line, 2);
    }

    #[test]
    fn headers_match_without_case_or_spaces_and_a_missing_one_is_named() {
        assert!(Columns::find(
            ImportFormat::Yotpo,
            &["EMAIL".into(), "points_balance".into()]
        )
        .is_ok());
        let error =
            Columns::find(ImportFormat::Smile, &["email".into(), "balance".into()]).unwrap_err();
        assert!(
            error.contains("points") && error.contains("\"balance\""),
            "{error}"
        );
    }

    #[test]
    fn competitor_rows_are_keyed_by_the_lower_cased_email() {
        let row = row(ImportFormat::Smile, "email,points\nAna@Example.com,120\n").unwrap();
        assert_eq!(row.customer_id.as_str(), "ana@example.com");
        assert_eq!(row.balance, Some(120));
    }

    #[test]
    fn points_are_digits_only() {
        for bad in ["1,200", "-5", "1.5", "12 00", "+3"] {
            let csv = format!("email,points\na@b.co,\"{bad}\"\n");
            let error = row(ImportFormat::Smile, &csv).unwrap_err();
            assert!(
                error.starts_with("line 2: points balance:"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn birthdays_in_every_documented_form_become_month_day() {
        for (text, want) in [
            ("03-14", "03-14"),
            ("1990-03-14", "03-14"),
            ("3/14", "03-14"),
            ("03/14/1990", "03-14"),
        ] {
            assert_eq!(month_day(text).as_deref(), Some(want), "{text}");
        }
        for bad in ["02-30", "13-01", "14/03/1990x", "1990", ""] {
            assert_eq!(month_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn tiers_match_by_id_or_name_in_any_case() {
        let csv = "email,points,tier\na@b.co,1,GOLD CLUB\n";
        assert_eq!(
            row(ImportFormat::Loyaltylion, csv).unwrap().tier.as_deref(),
            Some("gold")
        );
        let error = row(
            ImportFormat::Loyaltylion,
            "email,points,tier\na@b.co,1,platinum\n",
        )
        .unwrap_err();
        assert!(error.starts_with("line 2: tier:"), "{error}");
    }

    #[test]
    fn referral_codes_are_kept_in_capitals() {
        let csv = "email,points,referral_code\na@b.co,1,anna-10\n";
        let row = row(ImportFormat::Loyaltylion, csv).unwrap();
        assert_eq!(row.referral_code.as_deref(), Some("ANNA-10"));
    }

    #[test]
    fn a_bad_email_is_refused() {
        let error = row(
            ImportFormat::Yotpo,
            "Email,Points Balance\nnot-an-email,3\n",
        )
        .unwrap_err();
        assert!(error.starts_with("line 2: email:"), "{error}");
    }

    #[test]
    fn our_export_guard_is_removed_and_other_text_is_kept() {
        let csv = "customer_id,first_name,balance\nc1,'=HYPERLINK(1),5\n";
        assert_eq!(
            row(ImportFormat::Tally, csv).unwrap().first_name.as_deref(),
            Some("=HYPERLINK(1)")
        );
    }
}
