//! Staff who sign in to the console: Argon2id passwords, sessions kept server-side, the per-email
//! lockout, and who works for which shop as what. Sits beside `shops`: `http` and `cli` call it, and it
//! calls `db`.
//!
//! ## Sessions
//! The cookie carries a random 256-bit token; the database keeps only its SHA-256, with the CSRF token,
//! when it was created and last seen. A session ends after 12 hours without a request
//! ([`SESSION_IDLE_MS`]) or 7 days after sign-in ([`SESSION_ABSOLUTE_MS`]), whichever comes first; signing
//! out deletes it; removing a staff member from a shop deletes all their sessions.
//!
//! ## Lockout
//! After [`LOCKOUT_FAILURES`] failed sign-ins for one email within [`LOCKOUT_WINDOW_MS`], every attempt for
//! that email answers 429 until the oldest of those failures is 15 minutes old, even with the right
//! password. The failures are rows in the database, so every server on one PostgreSQL sees them.

use std::sync::OnceLock;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tally_core::ids::{ID_ALPHABET, KEY_ALPHABET};
use tally_core::staff::{
    normalise_email, password_problem, AddedStaff, NewStaff, Role, StaffMember, StaffRef, StaffShop,
};

use crate::clock::rfc3339;
use crate::db::{self, Db};
use crate::error::{AppError, AppResult};
use crate::shops::random_string;

/// A session ends after this long without a request…
pub const SESSION_IDLE_MS: i64 = 12 * 60 * 60 * 1000;
/// …and this long after sign-in at the latest.
pub const SESSION_ABSOLUTE_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// A session's last-seen time is written at most this often (a request within it changes nothing).
const TOUCH_EVERY_MS: i64 = 60 * 1000;
/// Failed sign-ins for one email within [`LOCKOUT_WINDOW_MS`] after which it is locked.
pub const LOCKOUT_FAILURES: i64 = 5;
pub const LOCKOUT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "tally_session";
/// Generated passwords: 20 letters and digits (~119 bits).
const GENERATED_PASSWORD_CHARS: usize = 20;

/// Who a merchant call comes from, as the audit log names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The shop's secret key (its back end, or someone holding the key).
    Key,
    /// A signed-in staff member.
    Staff { id: String, email: String },
}

impl Actor {
    /// `key`, or the staff member's email.
    pub fn name(&self) -> &str {
        match self {
            Actor::Key => "key",
            Actor::Staff { email, .. } => email,
        }
    }
}

/// An Argon2id hash (PHC string) of `password`, with the crate's recommended parameters, computed off
/// the async runtime.
pub async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AppError::internal(format!("argon2 task: {e}")))?
}

/// Whether `password` matches the stored hash; `None` verifies against a dummy hash, spending the same
/// time, so an unknown email cannot be told from a wrong password by the clock.
async fn verify_password(password: String, stored: Option<String>) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match &stored {
            Some(hash) => (hash.as_str(), true),
            None => (dummy_hash(), false),
        };
        let parsed = PasswordHash::new(hash)
            .map_err(|e| AppError::internal(format!("stored password hash: {e}")))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(matches && real)
    })
    .await
    .map_err(|e| AppError::internal(format!("argon2 task: {e}")))?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"no staff member has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// SHA-256 of a session token, hex: what the database keeps.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The `Set-Cookie` value of a new session: HttpOnly, SameSite=Strict, Path=/, and Secure unless the
/// server listens on loopback (where browsers treat plain http as secure and there is no TLS).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = SESSION_ABSOLUTE_MS / 1000;
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}")
}

/// The session token in a `Cookie` header, if any.
pub fn token_in_cookies(cookie_header: &str) -> Option<&str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// A session found by its token and still running.
pub struct Session {
    pub staff: StaffRef,
    pub csrf_token: String,
}

/// A new session: the cookie's token (never stored) and the session as the answer shows it.
pub struct SignedIn {
    pub token: String,
    pub session: tally_core::staff::StaffSession,
}

/// The same answer for a wrong email and a wrong password.
const WRONG_CREDENTIALS: &str = "email or password is wrong";

/// Checks an email and password, honouring the lockout, and opens a session.
pub async fn sign_in(db: &Db, email: &str, password: &str, now: i64) -> AppResult<SignedIn> {
    // An address that is no email still costs a verification and counts as a failure for its spelling.
    let email = normalise_email(email).unwrap_or_else(|| email.trim().to_lowercase());
    let (failures, oldest) = db::staff::failures_since(db, &email, now - LOCKOUT_WINDOW_MS).await?;
    if failures >= LOCKOUT_FAILURES {
        let until = oldest.unwrap_or(now) + LOCKOUT_WINDOW_MS;
        let seconds = u64::try_from((until - now).div_euclid(1000) + 1).unwrap_or(1);
        return Err(AppError::RateLimited(seconds));
    }
    let staff = db::staff::find_by_email(db, &email).await?;
    let stored = staff.as_ref().map(|s| s.password_hash.clone());
    let matches = verify_password(password.to_owned(), stored).await?;
    let Some(staff) = staff.filter(|_| matches) else {
        db::staff::record_failure(db, &email, now).await?;
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS));
    };
    db::staff::clear_failures(db, &email, now - LOCKOUT_WINDOW_MS).await?;
    // Housekeeping on each sign-in keeps the table to the sessions that can still be used.
    db::staff::delete_ended_sessions(db, now, now - SESSION_IDLE_MS).await?;
    let token = random_token();
    let csrf_token = random_token();
    db::staff::insert_session(
        db,
        &token_hash(&token),
        &staff.id,
        &csrf_token,
        now,
        now + SESSION_ABSOLUTE_MS,
    )
    .await?;
    let staff = StaffRef {
        id: staff.id,
        email: staff.email,
    };
    let session = session_view(db, staff, csrf_token).await?;
    Ok(SignedIn { token, session })
}

/// The session of a token, if it runs at `now` (an ended one is deleted); its last-seen time moves.
pub async fn session(db: &Db, token: &str, now: i64) -> AppResult<Option<Session>> {
    let hash = token_hash(token);
    let Some(row) = db::staff::find_session(db, &hash).await? else {
        return Ok(None);
    };
    if now >= row.expires_at || now >= row.last_seen_at + SESSION_IDLE_MS {
        db::staff::delete_session(db, &hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_EVERY_MS {
        db::staff::touch_session(db, &hash, now).await?;
    }
    Ok(Some(Session {
        staff: StaffRef {
            id: row.staff_id,
            email: row.email,
        },
        csrf_token: row.csrf_token,
    }))
}

/// `GET /v1/staff/session`'s body for a running session.
pub async fn session_view(
    db: &Db,
    staff: StaffRef,
    csrf_token: String,
) -> AppResult<tally_core::staff::StaffSession> {
    let shops = db::staff::memberships(db, &staff.id)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(StaffShop {
                role: m.role.parse::<Role>().ok()?,
                id: m.shop_id,
                name: m.shop_name,
            })
        })
        .collect();
    Ok(tally_core::staff::StaffSession {
        staff,
        shops,
        csrf_token,
    })
}

pub async fn sign_out(db: &Db, token: &str) -> AppResult<()> {
    db::staff::delete_session(db, &token_hash(token)).await
}

/// A staff member's role in a shop, if they work there.
pub async fn role_in(db: &Db, staff_id: &str, shop_id: &str) -> AppResult<Option<Role>> {
    Ok(db::staff::role_in(db, staff_id, shop_id)
        .await?
        .and_then(|role| role.parse::<Role>().ok()))
}

/// Adds someone to a shop's staff. A new person gets the password given, or a generated one (returned,
/// to be shown once); someone who already works for another shop keeps their password, unless
/// `reset_password` (the command line's `staff add`, run by whoever runs the server) says otherwise.
pub async fn add(
    db: &Db,
    shop_id: &str,
    new: &NewStaff,
    actor: &str,
    reset_password: bool,
    now: i64,
) -> AppResult<AddedStaff> {
    let email = normalise_email(&new.email).ok_or_else(|| {
        AppError::Invalid(format!("email: {:?} is not an email address", new.email))
    })?;
    if let Some(problem) = new.password.as_deref().and_then(password_problem) {
        return Err(AppError::Invalid(problem));
    }
    let existing = db::staff::find_by_email(db, &email).await?;
    let (password, generated) = match (&new.password, &existing) {
        (Some(password), _) => (Some(password.clone()), false),
        (None, None) => (
            Some(random_string(KEY_ALPHABET, GENERATED_PASSWORD_CHARS)),
            true,
        ),
        (None, Some(_)) => (None, false),
    };
    let set_password = existing.is_none() || (reset_password && password.is_some());
    let hash = match (&password, set_password) {
        (Some(password), true) => Some(hash_password(password.clone()).await?),
        _ => None,
    };
    let mut tx = db.begin_shop_write().await?;
    let id = match (&existing, &hash) {
        (Some(staff), Some(hash)) => {
            db::staff::set_password(&mut tx, &staff.id, hash).await?;
            db::staff::delete_sessions_of(&mut tx, &staff.id).await?;
            staff.id.clone()
        }
        (Some(staff), None) => staff.id.clone(),
        (None, hash) => {
            let id = format!("stf_{}", random_string(ID_ALPHABET, 12));
            let hash = hash
                .as_deref()
                .ok_or_else(|| AppError::internal("new staff without a password hash"))?;
            db::staff::insert(&mut tx, &id, &email, hash, now).await?;
            id
        }
    };
    if let Some(role) = db::staff::role_in_tx(&mut tx, &id, shop_id).await? {
        if !reset_password {
            return Err(AppError::Invalid(format!(
                "email: {email} is already on this shop's staff (as {role}); remove them first to \
                 change their role"
            )));
        }
        // The command line may re-run `staff add` to reset a password; the role stays.
        tx.commit().await?;
        return Ok(AddedStaff {
            id,
            email,
            role: role.parse::<Role>().unwrap_or(new.role),
            password: password.filter(|_| generated),
        });
    }
    db::staff::add_membership(&mut tx, &id, shop_id, new.role.as_str(), now).await?;
    let target = format!("{email} ({})", new.role);
    let entry = db::audit::NewAudit {
        shop_id,
        actor,
        action: "staff.added",
        target: &target,
        now,
    };
    db::audit::record_in(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(AddedStaff {
        id,
        email,
        role: new.role,
        password: password.filter(|_| generated),
    })
}

/// Removes someone from a shop's staff and ends all their sessions; the last owner stays (400).
pub async fn remove(
    db: &Db,
    shop_id: &str,
    staff_id: &str,
    actor: &str,
    now: i64,
) -> AppResult<()> {
    let mut tx = db.begin_shop_write().await?;
    let Some(role) = db::staff::role_in_tx(&mut tx, staff_id, shop_id).await? else {
        return Err(AppError::NotFound(format!(
            "staff_id: no staff member {staff_id:?} in this shop"
        )));
    };
    if role == Role::Owner.as_str()
        && db::staff::count_role(&mut tx, shop_id, Role::Owner.as_str()).await? <= 1
    {
        return Err(AppError::Invalid(
            "staff_id: this is the shop's last owner; add another owner before removing them"
                .into(),
        ));
    }
    let email = db::staff::email_of(&mut tx, staff_id)
        .await?
        .unwrap_or_else(|| staff_id.to_owned());
    db::staff::remove_membership(&mut tx, staff_id, shop_id).await?;
    db::staff::delete_sessions_of(&mut tx, staff_id).await?;
    let target = format!("{email} ({role})");
    let entry = db::audit::NewAudit {
        shop_id,
        actor,
        action: "staff.removed",
        target: &target,
        now,
    };
    db::audit::record_in(&mut tx, &entry).await?;
    tx.commit().await
}

/// A shop's staff, oldest first.
pub async fn list(db: &Db, shop_id: &str) -> AppResult<Vec<StaffMember>> {
    Ok(db::staff::members(db, shop_id)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(StaffMember {
                role: m.role.parse::<Role>().ok()?,
                id: m.id,
                email: m.email,
                created_at: rfc3339(m.created_at),
            })
        })
        .collect())
}
