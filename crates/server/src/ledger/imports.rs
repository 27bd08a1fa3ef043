//! Customer imports (`POST …/imports/customers`): each valid row of a file brings a customer's balance
//! and profile over from another program, idempotently.
//!
//! The file's balance is a target: the row posts one `adjust` entry "Imported balance" for the difference
//! between it and what earlier imports of the customer posted (the sum of their `import:` entries), so
//! the same file twice posts nothing the second time, and points earned in Tally since are kept. The
//! entry's key is derived from (customer, target, imported before), so a concurrent duplicate posts once.
//! Tiers are not stored in Tally (they follow lifetime points or spend): a tier column is reported per
//! row, never turned into points.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use tally_core::imports::{ImportAction, ImportFormat, ImportReport, ImportRow, ImportRowResult};
use tally_core::{ActivityKind, IdempotencyKey, TierMetric};

use super::{customer_write, keyed_write, Posting, Step, Whom, WriteKey};
use crate::db::customers::Profile;
use crate::db::imports::Standing;
use crate::db::{self, is_unique_violation, Db};
use crate::error::{AppError, AppResult};
use crate::shops::ShopRecord;

/// The ledger entries' description.
pub const DESCRIPTION: &str = "Imported balance";

/// A row as the file gave it: valid (its phone already in E.164), or refused with a message naming its
/// line.
pub type FileRow = Result<ImportRow, (usize, String)>;

/// What one valid row will change.
struct Plan {
    row: ImportRow,
    /// Points to post, and the imported total they were computed from.
    diff: i64,
    imported_before: i64,
}

/// Plans every row against the customers as they are, and unless `dry_run` (or a row is refused) applies
/// them one customer at a time, each under its customer's lock.
pub async fn import_customers(
    db: &Db,
    shop: &ShopRecord,
    actor: &str,
    format: ImportFormat,
    rows: Vec<FileRow>,
    dry_run: bool,
    now: i64,
) -> AppResult<ImportReport> {
    let mut results = Vec::with_capacity(rows.len());
    let mut plans: Vec<(usize, Plan)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut phones, mut codes) = (HashMap::new(), HashMap::new());
    for file_row in rows {
        let row = match file_row {
            Ok(row) => row,
            Err((line, message)) => {
                results.push(refused(line, None, message));
                continue;
            }
        };
        let id = row.customer_id.as_str().to_owned();
        if let Some(first) = seen.insert(id.clone(), row.line) {
            let message = format!(
                "line {}: customer {id:?} is already on line {first}",
                row.line
            );
            results.push(refused(row.line, Some(id), message));
            continue;
        }
        // Two rows giving one phone or referral code: the second is refused here, before anything is
        // applied, rather than by the database's unique index halfway through the file.
        let mut taken = None;
        for (value, what, claimed) in [
            (&row.phone, "phone", &mut phones),
            (&row.referral_code, "referral code", &mut codes),
        ] {
            if let Some(value) = value {
                if let Some(first) = claimed.insert(value.clone(), row.line) {
                    taken.get_or_insert(format!(
                        "line {}: {what}: line {first} gives it to another customer",
                        row.line
                    ));
                }
            }
        }
        if let Some(message) = taken {
            results.push(refused(row.line, Some(id), message));
            continue;
        }
        let standing = db::imports::standing(db, &shop.shop.id, &row.customer_id).await?;
        match plan(db, shop, row, standing.as_ref()).await? {
            Ok((result, plan)) => {
                if let Some(plan) = plan {
                    plans.push((results.len(), plan));
                }
                results.push(result);
            }
            Err(result) => results.push(result),
        }
    }
    let errors = results
        .iter()
        .filter(|r| r.action == ImportAction::Error)
        .count();
    if !dry_run && errors == 0 {
        for (index, plan) in plans {
            let balance = apply(db, shop, &plan, now).await?;
            results[index].balance_after = Some(balance);
        }
    }
    let count = |action| results.iter().filter(|r| r.action == action).count();
    let report = ImportReport {
        dry_run,
        format,
        created: count(ImportAction::Create),
        updated: count(ImportAction::Update),
        unchanged: count(ImportAction::Unchanged),
        errors,
        rows: results,
    };
    if !dry_run && errors == 0 {
        let target = format!(
            "{} file: {} created, {} updated, {} unchanged",
            format.as_str(),
            report.created,
            report.updated,
            report.unchanged
        );
        let entry = db::audit::NewAudit {
            shop_id: &shop.shop.id,
            actor,
            action: "customers.imported",
            target: &target,
            now,
        };
        db::audit::record(db, &entry).await?;
    }
    Ok(report)
}

fn refused(line: usize, customer_id: Option<String>, message: String) -> ImportRowResult {
    ImportRowResult {
        line,
        customer_id,
        action: ImportAction::Error,
        balance_before: None,
        balance_after: None,
        changes: Vec::new(),
        message: Some(message),
        note: None,
    }
}

/// A row's outcome against the customer as they are, and what to apply (none when unchanged).
async fn plan(
    db: &Db,
    shop: &ShopRecord,
    row: ImportRow,
    standing: Option<&Standing>,
) -> AppResult<Result<(ImportRowResult, Option<Plan>), ImportRowResult>> {
    let line = row.line;
    let id = row.customer_id.as_str().to_owned();
    let before = standing.map_or(0, |s| s.balance);
    let imported_before = standing.map_or(0, |s| s.imported);
    let diff = row.balance.map_or(0, |target| target - imported_before);
    let after = before + diff;
    if after < 0 {
        let message = format!(
            "line {line}: balance: importing {} would take the balance of {before} below zero ({imported_before} imported before, spent since)",
            row.balance.unwrap_or(0)
        );
        return Ok(Err(refused(line, Some(id), message)));
    }
    let (phone_owner, code_owner) = db::imports::owner(
        db,
        &shop.shop.id,
        row.phone.as_deref(),
        row.referral_code.as_deref(),
    )
    .await?;
    if phone_owner.is_some_and(|owner| owner != id) {
        let message = format!("line {line}: phone: another customer of this shop has it");
        return Ok(Err(refused(line, Some(id), message)));
    }
    if code_owner.is_some_and(|owner| owner != id) {
        let message = format!("line {line}: referral code: another customer of this shop has it");
        return Ok(Err(refused(line, Some(id), message)));
    }
    let mut changes = Vec::new();
    if diff != 0 {
        changes.push(format!("balance {diff:+}"));
    }
    let differs = |new: &Option<String>, old: Option<&String>| {
        new.as_ref().is_some_and(|new| Some(new) != old)
    };
    if differs(
        &row.first_name,
        standing.and_then(|s| s.first_name.as_ref()),
    ) {
        changes.push("first_name".into());
    }
    if differs(&row.email, standing.and_then(|s| s.email.as_ref())) {
        changes.push("email".into());
    }
    if differs(&row.phone, standing.and_then(|s| s.phone.as_ref())) {
        changes.push("phone".into());
    }
    if differs(&row.birthday, standing.and_then(|s| s.birthday.as_ref())) {
        changes.push("birthday".into());
    }
    if differs(&row.referral_code, standing.map(|s| &s.referral_code)) {
        changes.push("referral_code".into());
    }
    let action = match (standing, changes.is_empty()) {
        (None, _) => ImportAction::Create,
        (Some(_), true) => ImportAction::Unchanged,
        (Some(_), false) => ImportAction::Update,
    };
    let lifetime = standing.map_or(0, |s| s.lifetime_points);
    let result = ImportRowResult {
        line,
        customer_id: Some(id),
        action,
        balance_before: Some(before),
        balance_after: Some(after),
        changes,
        message: None,
        note: tier_note(shop, &row, lifetime),
    };
    let plan = (action != ImportAction::Unchanged).then_some(Plan {
        row,
        diff,
        imported_before,
    });
    Ok(Ok((result, plan)))
}

/// What becomes of a tier column: Tally derives tiers, so it is reported, not stored.
fn tier_note(shop: &ShopRecord, row: &ImportRow, lifetime: i64) -> Option<String> {
    let tier_id = row.tier.as_deref()?;
    let tier = shop.rules.tiers.iter().find(|t| t.id == tier_id)?;
    let threshold = tier.threshold.unwrap_or(i64::MAX);
    Some(match shop.rules.tier_metric {
        TierMetric::Points if threshold <= lifetime => {
            format!("tier {tier_id} kept by lifetime points {lifetime}")
        }
        TierMetric::Points => format!(
            "tier {tier_id} not reached: Tally tiers follow lifetime points ({lifetime} of {threshold})"
        ),
        TierMetric::Spend => format!(
            "tier {tier_id} not imported: Tally tiers follow the spend of the last 365 days"
        ),
    })
}

/// Applies one planned row under its customer's lock; answers the balance after it.
async fn apply(db: &Db, shop: &ShopRecord, plan: &Plan, now: i64) -> AppResult<i64> {
    let row = &plan.row;
    let result = if plan.diff == 0 {
        customer_write(db, shop, Whom::Imported(&row.customer_id), now, |ctx| {
            Box::pin(async move {
                set_profile(ctx, row).await?;
                Ok(ctx.customer.balance)
            })
        })
        .await
    } else {
        let target = row.balance.unwrap_or(0);
        let digest = Sha256::digest(
            format!("{}\n{target}\n{}", row.customer_id, plan.imported_before).as_bytes(),
        );
        let key = IdempotencyKey::parse(hex::encode(&digest[..16]))
            .map_err(|e| AppError::Invalid(format!("import key: {e}")))?;
        let write_key = WriteKey::new(
            "import",
            format!("import:{}", row.customer_id),
            &key,
            &(target, plan.imported_before),
        )?;
        let reference = format!("import:{}", key.as_str());
        keyed_write(db, shop, Whom::Imported(&row.customer_id), &write_key, now, |ctx| {
            Box::pin(async move {
                let shop_id = ctx.shop.shop.id.clone();
                let standing = db::imports::standing_locked(ctx.tx(), &shop_id, &row.customer_id)
                    .await?
                    .map_or(0, |s| s.imported);
                let diff = target - standing;
                if ctx.customer.balance + diff < 0 {
                    return Err(AppError::Invalid(format!(
                        "line {}: balance: importing {target} would take the balance of {} below zero",
                        row.line, ctx.customer.balance
                    )));
                }
                if diff != 0 {
                    ctx.post(Posting {
                        kind: ActivityKind::Adjust,
                        points: diff,
                        description: DESCRIPTION.into(),
                        reference,
                    })
                    .await?;
                }
                set_profile(ctx, row).await?;
                Ok(Step::Wrote(ctx.customer.balance))
            })
        })
        .await
        .map(super::Outcome::into_answer)
    };
    result.map_err(|e| {
        if is_unique_violation(&e) {
            AppError::Invalid(format!(
                "line {}: phone or referral code: another customer of this shop took it meanwhile",
                row.line
            ))
        } else {
            e
        }
    })
}

async fn set_profile(ctx: &mut super::CustomerTx<'_>, row: &ImportRow) -> AppResult<()> {
    let pk = ctx.customer.pk;
    let profile = Profile {
        first_name: row.first_name.as_deref(),
        email: row.email.as_deref(),
        birthday: row.birthday.as_deref(),
        phone: row.phone.as_deref(),
    };
    db::customers::set_profile(ctx.tx(), pk, &profile).await?;
    if let Some(code) = row.referral_code.as_deref() {
        if code != ctx.customer.referral_code {
            db::imports::set_referral_code(ctx.tx(), pk, code).await?;
        }
    }
    Ok(())
}
