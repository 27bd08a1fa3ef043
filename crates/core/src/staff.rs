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

#[cfg(test)]
mod tests {
    use super::{Permission, Role};

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
}
