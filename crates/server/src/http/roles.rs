//! The one table of which merchant route needs which permission. The `Merchant` extractor looks every
//! cookie-authenticated call up here by method and matched path (a route missing from the table is
//! refused), and `tally_core::staff::Role::may` says which roles have the permission. A test checks that
//! every merchant operation of the OpenAPI document is in the table.

use tally_core::staff::Permission::{self, Administer, Counter, Manage};

/// (method, route as axum matches it, permission).
pub const ROUTES: &[(&str, &str, Permission)] = &[
    // The counter: look customers up and read them (their feedback too), set a phone, record orders and activities, codes.
    ("GET", "/v1/shops/{shop_id}/customers", Counter),
    (
        "GET",
        "/v1/shops/{shop_id}/customers/{customer_id}",
        Counter,
    ),
    (
        "PATCH",
        "/v1/shops/{shop_id}/customers/{customer_id}",
        Counter,
    ),
    (
        "GET",
        "/v1/shops/{shop_id}/customers/{customer_id}/activity",
        Counter,
    ),
    (
        "GET",
        "/v1/shops/{shop_id}/customers/{customer_id}/redemptions",
        Counter,
    ),
    (
        "GET",
        "/v1/shops/{shop_id}/customers/{customer_id}/feedback",
        Counter,
    ),
    (
        "POST",
        "/v1/shops/{shop_id}/customers/{customer_id}/activities",
        Counter,
    ),
    ("POST", "/v1/shops/{shop_id}/orders", Counter),
    ("GET", "/v1/shops/{shop_id}/codes/{code}", Counter),
    ("POST", "/v1/shops/{shop_id}/codes/{code}/use", Counter),
    // Running the program and the shop's data.
    (
        "POST",
        "/v1/shops/{shop_id}/customers/{customer_id}/adjustments",
        Manage,
    ),
    (
        "POST",
        "/v1/shops/{shop_id}/customers/{customer_id}/memberships",
        Manage,
    ),
    (
        "POST",
        "/v1/shops/{shop_id}/memberships/{order_id}/cancel",
        Manage,
    ),
    (
        "POST",
        "/v1/shops/{shop_id}/orders/{order_id}/refunds",
        Manage,
    ),
    ("POST", "/v1/shops/{shop_id}/codes/{code}/cancel", Manage),
    ("PUT", "/v1/shops/{shop_id}/program", Manage),
    ("GET", "/v1/shops/{shop_id}/program/versions", Manage),
    (
        "POST",
        "/v1/shops/{shop_id}/program/versions/{version}/restore",
        Manage,
    ),
    ("PATCH", "/v1/shops/{shop_id}", Manage),
    ("GET", "/v1/shops/{shop_id}/install", Manage),
    ("GET", "/v1/shops/{shop_id}/reports/summary", Manage),
    ("GET", "/v1/shops/{shop_id}/reports/timeseries", Manage),
    ("GET", "/v1/shops/{shop_id}/reports/insights", Manage),
    ("GET", "/v1/shops/{shop_id}/exports/customers.csv", Manage),
    ("GET", "/v1/shops/{shop_id}/exports/ledger.csv", Manage),
    ("POST", "/v1/shops/{shop_id}/imports/customers", Manage),
    ("GET", "/v1/shops/{shop_id}/audit", Manage),
    ("GET", "/v1/shops/{shop_id}/webhooks", Manage),
    ("POST", "/v1/shops/{shop_id}/webhooks", Manage),
    ("GET", "/v1/shops/{shop_id}/webhooks/{webhook_id}", Manage),
    ("PATCH", "/v1/shops/{shop_id}/webhooks/{webhook_id}", Manage),
    (
        "DELETE",
        "/v1/shops/{shop_id}/webhooks/{webhook_id}",
        Manage,
    ),
    (
        "GET",
        "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries",
        Manage,
    ),
    (
        "GET",
        "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries/{delivery_id}",
        Manage,
    ),
    (
        "POST",
        "/v1/shops/{shop_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
        Manage,
    ),
    (
        "POST",
        "/v1/shops/{shop_id}/webhooks/{webhook_id}/test",
        Manage,
    ),
    // Staff and keys.
    ("GET", "/v1/shops/{shop_id}/staff", Administer),
    ("POST", "/v1/shops/{shop_id}/staff", Administer),
    ("DELETE", "/v1/shops/{shop_id}/staff/{staff_id}", Administer),
    ("POST", "/v1/shops/{shop_id}/keys/rotate", Administer),
];

/// The permission a merchant route needs; `None` for a route missing from the table (refused). HEAD
/// needs what GET does.
pub fn permission(method: &str, route: &str) -> Option<Permission> {
    let method = if method.eq_ignore_ascii_case("HEAD") {
        "GET"
    } else {
        method
    };
    ROUTES
        .iter()
        .find(|(m, r, _)| m.eq_ignore_ascii_case(method) && *r == route)
        .map(|(_, _, permission)| *permission)
}
