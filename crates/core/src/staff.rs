//! Staff and the console (contract Part 2, "Staff and the console"): the wire types of sessions, staff,
//! keys and the audit log, and the one table of which role may do what. The server checks every merchant
//! endpoint against [`Role::may`]; the console uses the same table to show only what a role can do.

use serde::{Deserialize, Serialize};

use crate::words::wire_enum;

wire_enum! {
    /// A staff member's role in one shop.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Role("staff role") {
        /// Everything, including staff and keys.
        Owner = "owner",
        /// Everything but staff and keys.
        Manager = "manager",
        /// The counter: look customers up, read them, set their phone, record orders and activities,
        /// use codes.
        Clerk = "clerk",
    }
}

/// What a merchant call needs, as the role table sees it. Every merchant endpoint names exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Work at the counter: look up and read customers, set a phone, record orders and activities,
    /// look up and use codes.
    Counter,
    /// Run the program: everything else a shop does with its data (program, theme, adjustments,
    /// refunds, code cancellation, memberships, webhooks, reports, exports, the audit log).
    Manage,
    /// Staff and keys.
    Administer,
}

impl Role {
    /// The role table: whether a staff member with this role may do what `permission` covers.
    /// The shop's secret key may do everything (it is the shop's own back end).
    pub const fn may(self, permission: Permission) -> bool {
        match (self, permission) {
            (Role::Owner, _) => true,
            (Role::Manager, Permission::Counter | Permission::Manage) => true,
            (Role::Manager, Permission::Administer) => false,
            (Role::Clerk, Permission::Counter) => true,
            (Role::Clerk, Permission::Manage | Permission::Administer) => false,
        }
    }
}

/// Body of `POST /v1/staff/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// `POST` and `GET /v1/staff/session`: who is signed in, the shops they work for, and the token that
/// cookie-authenticated writes carry in `X-Tally-Csrf`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSession {
    pub staff: StaffRef,
    pub shops: Vec<StaffShop>,
    pub csrf_token: String,
}

/// A staff member as a session names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffRef {
    pub id: String,
    pub email: String,
}

/// A shop a staff member works for, with their role there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffShop {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// One staff member of a shop (`GET …/staff`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub created_at: String,
}

/// `GET /v1/shops/{shop_id}/staff`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffList {
    pub items: Vec<StaffMember>,
}

/// Body of `POST /v1/shops/{shop_id}/staff`: add someone with a role; without a password, one is
/// generated and shown once in the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaff {
    pub email: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// The answer to adding a staff member (and what `tally-server staff add` prints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddedStaff {
    pub id: String,
    pub email: String,
    pub role: Role,
    /// The generated password, shown this once; absent when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `POST /v1/shops/{shop_id}/keys/rotate`: the new secret key, shown once. The previous key keeps
/// working for 24 hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotatedKey {
    pub secret_key: String,
}

/// One entry of `GET /v1/shops/{shop_id}/audit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: String,
    /// `key`, or the staff member's email.
    pub actor: String,
    pub action: String,
    pub target: String,
    pub created_at: String,
}

/// `GET /v1/shops/{shop_id}/audit`: newest first; `next` is the `before` of the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next: Option<String>,
}

/// One saved version of a shop's program (`GET /v1/shops/{shop_id}/program/versions`): every successful
/// `PUT …/program` (and every restore) stores the whole body it saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramVersion {
    /// 1, 2, 3, … per shop, in the order saved.
    pub version: i64,
    /// `key`, or the staff member's email.
    pub saved_by: String,
    pub saved_at: String,
    pub program: crate::api::ProgramUpdate,
}

/// `GET /v1/shops/{shop_id}/program/versions`: newest first; `next` is the `before` of the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramVersions {
    pub items: Vec<ProgramVersion>,
    pub next: Option<i64>,
}

/// Body of `PATCH /v1/shops/{shop_id}`: the shop's name, currency and locale; absent fields stay.
/// The currency may change only while the shop has no orders and no ledger entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$"))]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `GET /v1/shops/{shop_id}/install`: the origins a widget of this shop was seen loading from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstallCheck {
    pub origins: Vec<InstallOrigin>,
}

/// An allowed origin a widget loaded from, and when it was last seen (to within a minute).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstallOrigin {
    pub origin: String,
    pub last_seen_at: String,
}

/// A staff email as the server stores it: trimmed and lower-cased; `None` when it is not one.
pub fn normalise_email(email: &str) -> Option<String> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = email.len() <= 254
        && !local.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.contains('.')
        && !domain.contains('@')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then_some(email)
}

/// Shortest and longest staff password accepted.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Why a staff password is refused, if it is.
pub fn password_problem(password: &str) -> Option<String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Some(format!(
            "password: at least {PASSWORD_MIN_CHARS} characters, not {n}"
        ));
    }
    if n > PASSWORD_MAX_CHARS {
        return Some(format!("password: at most {PASSWORD_MAX_CHARS} characters"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{normalise_email, password_problem, Permission, Role};

    #[test]
    fn the_role_table_matches_the_contract() {
        use Permission::*;
        let table = [
            (Role::Owner, [true, true, true]),
            (Role::Manager, [true, true, false]),
            (Role::Clerk, [true, false, false]),
        ];
        for (role, allowed) in table {
            for (permission, allowed) in [Counter, Manage, Administer].into_iter().zip(allowed) {
                assert_eq!(role.may(permission), allowed, "{role} × {permission:?}");
            }
        }
    }

    #[test]
    fn staff_emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(
            normalise_email("  Ana@Shop.Example "),
            Some("ana@shop.example".into())
        );
        assert_eq!(normalise_email("ana"), None);
        assert_eq!(normalise_email("ana@localhost"), None);
        assert_eq!(normalise_email("a b@shop.example"), None);
        assert_eq!(normalise_email("@shop.example"), None);
    }

    #[test]
    fn staff_passwords_have_ten_characters_at_least() {
        assert!(password_problem("short").is_some());
        assert!(password_problem("long enough").is_none());
    }
}
