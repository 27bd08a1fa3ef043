//! The ledger's invariants, checked straight against the database of one shop (SQLite or PostgreSQL):
//! what every property test and every fault test asserts once the dust has settled.
//!
//! Call it after `ledger::summary(…, now)` (which expires every lot due at `now`), with that summary.

use std::collections::{HashMap, HashSet};

use tally_core::api::Summary;
use tally_server::Db;

/// What was checked, for the run's figures.
#[derive(Debug, Default, Clone, Copy)]
pub struct LedgerFigures {
    pub customers: usize,
    pub entries: usize,
    pub lots: usize,
    pub orders: usize,
    pub redemptions: usize,
}

type Entry = (i64, i64, String, i64, i64, String); // id, customer_pk, kind, points, balance_after, reference

/// Asserts every invariant of the shop's ledger; panics naming the first one broken.
pub async fn assert_ledger_invariants(
    db: &Db,
    shop_id: &str,
    now: i64,
    summary: &Summary,
) -> LedgerFigures {
    let pool = &db.pool;
    let customers: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, customer_id, balance, debt FROM customers WHERE shop_id = $1 ORDER BY id",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
    .expect("customers");
    let entries: Vec<Entry> = sqlx::query_as(
        "SELECT id, customer_pk, kind, points, balance_after, reference FROM ledger_entries
         WHERE shop_id = $1 ORDER BY customer_pk, id",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
    .expect("entries");
    let lots: Vec<(i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT l.id, l.customer_pk, l.points, l.remaining, l.expires_at FROM point_lots l
         JOIN customers c ON c.id = l.customer_pk WHERE c.shop_id = $1",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
    .expect("lots");
    let redemptions: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT customer_pk, points_spent, balance FROM redemptions WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
    .expect("redemptions");
    let orders: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT order_id, total_minor, refunded_minor, points_awarded FROM orders WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
    .expect("orders");
    let refunds: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT refund_id, order_id, amount_minor, points_reversed FROM refunds WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_all(pool)
    .await
    .expect("refunds");
    let keys: Vec<(String, String)> =
        sqlx::query_as("SELECT scope, idem_key FROM idempotency_keys WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_all(pool)
            .await
            .expect("idempotency keys");

    // 1–2. The balances, entries and lots, by the rules `tally-server check` applies (ledger::check),
    //      with every lot due at `now` expired.
    let checked = tally_server::ledger::check::check_shop(pool, shop_id, Some(now))
        .await
        .expect("check the ledger");
    let problems: Vec<String> = checked.problems.iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // 3. Each reference acted once per customer: an order, a refund, a key, a lot's expiry, the signup.
    let mut seen = HashSet::new();
    for (id, pk, kind, _, _, reference) in &entries {
        assert!(
            seen.insert((pk, reference.as_str())),
            "entry {id} ({kind}) repeats the reference {reference:?} for customer {pk}"
        );
    }
    let entry_points = |reference: &str| -> Option<i64> {
        entries
            .iter()
            .find(|e| e.5 == reference && e.2 != "referral")
            .map(|e| e.3)
    };
    let lot_points: HashMap<i64, i64> = lots.iter().map(|l| (l.0, l.2)).collect();
    for (id, _, kind, points, _, reference) in &entries {
        if kind == "expire" {
            let lot = reference
                .strip_prefix("lot:")
                .and_then(|n| n.parse::<i64>().ok())
                .and_then(|lot| lot_points.get(&lot))
                .unwrap_or_else(|| panic!("expire entry {id} names no lot: {reference:?}"));
            assert!(
                -points <= *lot,
                "expire entry {id} took {points} from a lot of {lot}"
            );
        }
    }

    // 4. Orders and refunds: the entry is what the order row says; refunds never exceed the order.
    let mut refunded: HashMap<&str, (i64, i64)> = HashMap::new();
    for (refund_id, order_id, amount, reversed) in &refunds {
        let sum = refunded.entry(order_id.as_str()).or_default();
        sum.0 += amount;
        sum.1 += reversed;
        let posted = entry_points(&format!("refund:{refund_id}")).unwrap_or(0);
        assert_eq!(
            posted, -reversed,
            "refund {refund_id} posted {posted}, reversed {reversed}"
        );
    }
    for (order_id, total, refunded_minor, awarded) in &orders {
        let posted = entry_points(&format!("order:{order_id}")).unwrap_or(0);
        assert_eq!(
            posted, *awarded,
            "order {order_id} posted {posted}, awarded {awarded}"
        );
        let (amount, reversed) = refunded.get(order_id.as_str()).copied().unwrap_or((0, 0));
        assert_eq!(amount, *refunded_minor, "order {order_id}: refunds add up");
        assert!(
            amount <= *total,
            "order {order_id}: refunded {amount} of {total}"
        );
        assert!(
            reversed <= *awarded,
            "order {order_id}: reversed {reversed} of {awarded}"
        );
    }

    // 5. Redemptions: one redeem entry each, never below zero.
    let redeem_entries: Vec<&Entry> = entries.iter().filter(|e| e.2 == "redeem").collect();
    assert_eq!(
        redeem_entries.len(),
        redemptions.len(),
        "one entry per redemption"
    );
    for (pk, spent, balance) in &redemptions {
        assert!(
            *balance >= 0,
            "customer {pk}: a redemption of {spent} left {balance}"
        );
    }

    // 6. Every stored key matches exactly one effect.
    let scoped = |prefix: &str| keys.iter().filter(|(s, _)| s.starts_with(prefix)).count();
    let referenced = |prefix: &str| entries.iter().filter(|e| e.5.starts_with(prefix)).count();
    assert_eq!(scoped("order"), orders.len(), "one key per order");
    assert_eq!(scoped("refund"), refunds.len(), "one key per refund");
    assert_eq!(
        scoped("redemption:"),
        redemptions.len(),
        "one key per redemption"
    );
    assert_eq!(
        scoped("adjustment:"),
        referenced("adjustment:"),
        "one entry per adjustment key"
    );
    assert_eq!(
        scoped("activity:"),
        referenced("activity:"),
        "one entry per activity key"
    );

    // 7. The report agrees with the ledger.
    let sum_where = |keep: &dyn Fn(&Entry) -> bool| -> i64 {
        entries.iter().filter(|e| keep(e)).map(|e| e.3).sum()
    };
    assert_eq!(summary.members, customers.len() as i64, "members");
    assert_eq!(
        summary.points_outstanding,
        customers.iter().map(|c| c.2).sum::<i64>(),
        "points_outstanding is the sum of the balances"
    );
    assert_eq!(
        summary.points_outstanding,
        sum_where(&|_| true),
        "points_outstanding is the sum of the entries"
    );
    assert_eq!(
        summary.points_issued,
        sum_where(&|e| e.3 > 0),
        "points_issued"
    );
    assert_eq!(
        summary.points_redeemed,
        -sum_where(&|e| e.2 == "redeem"),
        "points_redeemed"
    );
    assert_eq!(
        summary.points_expired,
        -sum_where(&|e| e.2 == "expire"),
        "points_expired"
    );
    assert_eq!(summary.redemptions, redemptions.len() as i64, "redemptions");
    assert_eq!(
        summary.members_by_tier.values().sum::<i64>(),
        summary.members,
        "every member is in a tier (the lowest starts at 0)"
    );

    LedgerFigures {
        customers: customers.len(),
        entries: entries.len(),
        lots: lots.len(),
        orders: orders.len(),
        redemptions: redemptions.len(),
    }
}
