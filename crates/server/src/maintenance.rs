//! `tally-server backup` and `tally-server check`: what an operator runs beside the servers.

use std::path::Path;

use crate::db::{self, Backend};
use crate::error::AppError;
use crate::ledger::check::check_database;

/// SQLite: an online, consistent copy into `out` (a new file). PostgreSQL: the `pg_dump` command to
/// use instead, and an error (a backup that silently did nothing would be worse than none).
pub async fn backup(database_url: &str, out: &Path) -> Result<(), AppError> {
    if backend_of(database_url) == Backend::Postgres {
        return Err(AppError::Invalid(pg_dump_advice(database_url, out)));
    }
    if out.exists() {
        return Err(AppError::Invalid(format!(
            "--out: {} exists; a backup never overwrites a file",
            out.display()
        )));
    }
    let started = std::time::Instant::now();
    db::backup::sqlite_vacuum_into(database_url, out).await?;
    let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "backup: {} ({bytes} bytes, integrity ok) in {:.2} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Checks every shop's ledger; prints each problem, or `ok: N customers, M entries checked`.
pub async fn check(database_url: &str) -> Result<(), AppError> {
    let pool = db::check::open(database_url).await?;
    let checked = check_database(&pool).await?;
    pool.close().await;
    for problem in &checked.problems {
        println!("{problem}");
    }
    if checked.problems.is_empty() {
        println!(
            "ok: {} customers, {} entries checked",
            checked.customers, checked.entries
        );
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "{} problems in {} customers, {} entries checked",
            checked.problems.len(),
            checked.customers,
            checked.entries
        )))
    }
}

fn backend_of(database_url: &str) -> Backend {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// The exact command for this database, with any password left out of the terminal and the log.
fn pg_dump_advice(database_url: &str, out: &Path) -> String {
    let (url, had_password) = match url::Url::parse(database_url) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(None);
            (url.to_string(), true)
        }
        _ => (database_url.to_owned(), false),
    };
    let mut advice = format!(
        "backup: PostgreSQL is backed up with its own tools, consistently while the servers run:\n\n  \
         pg_dump --format=custom --file='{}' '{url}'\n\n\
         and restored into an empty database with: pg_restore --dbname='postgres://…/NEW_DB' '{}'",
        out.display(),
        out.display()
    );
    if had_password {
        advice.push_str("\n(the password is left out here: give it in PGPASSWORD or ~/.pgpass)");
    }
    advice
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pg_dump_advice_names_the_database_and_hides_the_password() {
        let advice = pg_dump_advice(
            "postgres://tally:s3cret@db.internal:5432/tally",
            Path::new("/var/backups/tally.dump"),
        );
        assert!(advice.contains(
            "pg_dump --format=custom --file='/var/backups/tally.dump' 'postgres://tally@db.internal:5432/tally'"
        ), "{advice}");
        assert!(!advice.contains("s3cret"));
        assert!(advice.contains("PGPASSWORD"));
    }
}
