//! The ledger's invariants under random histories (proptest), through the real service layer
//! (`tally_server::ledger`) on SQLite and, when `TALLY_TEST_DATABASE_URL` is set, PostgreSQL.
//!
//! A history interleaves enrolments, orders (some repeated, some conflicting), refunds (partial,
//! repeated, beyond the total, of unknown orders), redemptions (some racing each other, some racing
//! themselves under one key), adjustments (±, repeated keys), activities (custom, birthday, and a rule of
//! the wrong kind), referrals, exact replays of any earlier step, and time jumping past
//! `points_expiry_days`. The ledger functions take the time as an argument, which is the clock seam.
//! After each history `common::ledger_check` asserts every invariant, and the report over HTTP agrees.
//!
//! `TALLY_PROPTEST_CASES=500 cargo test -p tally-server --test invariants -- --nocapture` for a long run.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::ledger_check::assert_ledger_invariants;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::{Method, StatusCode};
use tally_core::api::*;
use tally_core::{CustomerId, IdempotencyKey};
use tally_server::error::AppError;
use tally_server::http::orders::order_status;
use tally_server::ledger;
use tally_server::shops::{ShopCache, ShopRecord};

const CUSTOMERS: u8 = 4;
const ORDER_IDS: u8 = 10;
/// The coffee program's rewards and earn rules, as the strategy picks them; `purchase` must be refused.
const REWARDS: &[&str] = &[
    "5off",
    "shipping",
    "10pct",
    "beans",
    "20off",
    "no-such-reward",
];
const ACTIVITY_RULES: &[&str] = &["review", "birthday", "purchase"];

#[derive(Debug, Clone)]
enum Op {
    Enrol {
        customer: u8,
    },
    Order {
        id: u8,
        customer: u8,
        total: i64,
        referred_by: Option<u8>,
    },
    Refund {
        order: u8,
        refund: u8,
        amount: i64,
    },
    /// `racers` redemptions at once for one customer: all under one key, or each under its own.
    Redeem {
        customer: u8,
        key: u8,
        reward: usize,
        racers: u8,
        one_key: bool,
    },
    Adjust {
        customer: u8,
        key: u8,
        points: i64,
    },
    Activity {
        customer: u8,
        key: u8,
        rule: usize,
    },
    /// Repeats an earlier step exactly (an index into the history so far).
    Replay {
        step: usize,
    },
    /// Moves the clock forward, past lots' expiry dates when long enough.
    Advance {
        days: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let customer = 0..CUSTOMERS;
    prop_oneof![
        1 => customer.clone().prop_map(|customer| Op::Enrol { customer }),
        6 => (0..ORDER_IDS, customer.clone(), 0i64..40_000, proptest::option::weighted(0.2, 0..CUSTOMERS))
            .prop_map(|(id, customer, total, referred_by)| Op::Order { id, customer, total, referred_by }),
        3 => (0..ORDER_IDS + 2, 0u8..12, 0i64..25_000)
            .prop_map(|(order, refund, amount)| Op::Refund { order, refund, amount }),
        5 => (customer.clone(), 0u8..6, 0..REWARDS.len(), 1u8..5, any::<bool>())
            .prop_map(|(customer, key, reward, racers, one_key)|
                Op::Redeem { customer, key, reward, racers, one_key }),
        2 => (customer.clone(), 0u8..4, prop_oneof![-400i64..=-1, 1i64..=400])
            .prop_map(|(customer, key, points)| Op::Adjust { customer, key, points }),
        2 => (customer, 0u8..4, 0..ACTIVITY_RULES.len())
            .prop_map(|(customer, key, rule)| Op::Activity { customer, key, rule }),
        2 => any::<usize>().prop_map(|step| Op::Replay { step }),
        1 => prop_oneof![1i64..60, 300i64..420].prop_map(|days| Op::Advance { days }),
    ]
}

fn cases() -> u32 {
    std::env::var("TALLY_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// What one history saw: every answer to a key must be its first answer.
#[derive(Default)]
struct Answers {
    orders: HashMap<String, OrderResult>,
    refunds: HashMap<String, RefundResult>,
    redemptions: HashMap<String, String>,
    adjustments: HashMap<String, BalanceResult>,
    activities: HashMap<String, ActivityResult>,
}

fn customer(n: u8) -> String {
    format!("c{n}")
}

fn customer_id(n: u8) -> CustomerId {
    CustomerId::parse(customer(n)).expect("a valid customer id")
}

/// A domain refusal the contract names is an answer; anything else (a 500, a 503) fails the case.
fn expected_refusal(e: &AppError) -> bool {
    matches!(
        e,
        AppError::IdempotencyConflict(_)
            | AppError::InsufficientPoints(_)
            | AppError::RewardUnavailable(_)
            | AppError::RefundExceedsOrder(_)
            | AppError::NotFound(_)
            | AppError::Invalid(_)
    )
}

fn refusal_or_fail<T>(what: &str, result: Result<T, AppError>) -> Result<Option<T>, TestCaseError> {
    match result {
        Ok(answer) => Ok(Some(answer)),
        Err(e) if expected_refusal(&e) => Ok(None),
        Err(e) => Err(TestCaseError::fail(format!("{what}: unexpected {e:?}"))),
    }
}

/// The first answer to a key is kept; every later one must equal it.
fn same_as_first<T: PartialEq + std::fmt::Debug + Clone>(
    seen: &mut HashMap<String, T>,
    key: String,
    answer: &T,
) -> Result<(), TestCaseError> {
    match seen.get(&key) {
        Some(first) if first != answer => Err(TestCaseError::fail(format!(
            "{key}: replay answered {answer:?}, first answer was {first:?}"
        ))),
        Some(_) => Ok(()),
        None => {
            seen.insert(key, answer.clone());
            Ok(())
        }
    }
}

struct Case<'a> {
    server: &'a TestServer,
    shop: Arc<ShopRecord>,
    now: i64,
    answers: Answers,
    operations: u64,
}

impl Case<'_> {
    async fn referral_code(&self, n: u8) -> String {
        let code: Option<String> = sqlx::query_scalar(
            "SELECT referral_code FROM customers WHERE shop_id = $1 AND customer_id = $2",
        )
        .bind(&self.shop.shop.id)
        .bind(customer(n))
        .fetch_optional(&self.server.db.pool)
        .await
        .expect("referral code");
        code.unwrap_or_else(|| "NOSUCHCODE".into())
    }

    async fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        // Every step happens a minute after the one before.
        self.now += 60_000;
        let (db, shop, now) = (&self.server.db, &*self.shop, self.now);
        self.operations += 1;
        match op {
            Op::Enrol { customer: n } => {
                let result = ledger::settle_customer(db, shop, &customer_id(*n), true, now).await;
                refusal_or_fail("enrol", result)?;
            }
            Op::Order {
                id,
                customer: n,
                total,
                referred_by,
            } => {
                let referral_code = match referred_by {
                    Some(advocate) => Some(self.referral_code(*advocate).await),
                    None => None,
                };
                let request = OrderRequest {
                    order_id: format!("o{id}"),
                    customer_id: customer(*n),
                    total_minor: *total,
                    currency: "USD".into(),
                    referral_code,
                    channel: Default::default(),
                };
                let result = ledger::record_order(db, &self.shop, &request, now).await;
                if let Some(outcome) = refusal_or_fail("order", result)? {
                    let status = order_status(&outcome);
                    let answer = outcome.into_answer();
                    let first = !self.answers.orders.contains_key(&request.order_id);
                    let expected = if first {
                        StatusCode::CREATED
                    } else {
                        StatusCode::OK
                    };
                    prop_assert_eq!(status.as_u16(), expected.as_u16(), "order {:?}", request);
                    same_as_first(&mut self.answers.orders, request.order_id, &answer)?;
                }
            }
            Op::Refund {
                order,
                refund,
                amount,
            } => {
                let request = RefundRequest {
                    refund_id: format!("r{refund}"),
                    amount_minor: *amount,
                };
                let order_id = format!("o{order}");
                let result = ledger::record_refund(db, &self.shop, &order_id, &request, now).await;
                if let Some(outcome) = refusal_or_fail("refund", result)? {
                    let answer = outcome.into_answer();
                    same_as_first(&mut self.answers.refunds, request.refund_id, &answer)?;
                }
            }
            Op::Redeem {
                customer: n,
                key,
                reward,
                racers,
                one_key,
            } => {
                let mut racing = tokio::task::JoinSet::new();
                for racer in 0..*racers {
                    let (db, shop) = (db.clone(), self.shop.clone());
                    let key = if *one_key {
                        format!("k{key}")
                    } else {
                        format!("k{key}-{racer}")
                    };
                    let request = RedemptionRequest {
                        reward_id: REWARDS[*reward].into(),
                    };
                    let customer_id = customer(*n);
                    let (id, idempotency_key) = (
                        CustomerId::parse(customer_id.as_str()).expect("a valid customer id"),
                        IdempotencyKey::parse(key.as_str()).expect("a valid key"),
                    );
                    racing.spawn(async move {
                        let result =
                            ledger::redeem(&db, &shop, &id, &idempotency_key, &request, now).await;
                        (format!("{customer_id}/{key}"), result)
                    });
                }
                self.operations += u64::from(*racers) - 1;
                while let Some(joined) = racing.join_next().await {
                    let (key, result) = joined.expect("a redemption task");
                    if let Some(outcome) = refusal_or_fail("redeem", result)? {
                        let answer = outcome.into_answer();
                        prop_assert!(answer.balance >= 0, "{} left {}", key, answer.balance);
                        same_as_first(&mut self.answers.redemptions, key, &answer.id)?;
                    }
                }
            }
            Op::Adjust {
                customer: n,
                key,
                points,
            } => {
                let request = AdjustmentRequest {
                    points: *points,
                    reason: "goodwill".into(),
                    idempotency_key: format!("a{key}"),
                };
                let result = ledger::adjust(db, shop, &customer_id(*n), &request, now).await;
                if let Some(outcome) = refusal_or_fail("adjust", result)? {
                    let answer = outcome.into_answer();
                    let key = format!("{}/{}", customer(*n), request.idempotency_key);
                    same_as_first(&mut self.answers.adjustments, key, &answer)?;
                }
            }
            Op::Activity {
                customer: n,
                key,
                rule,
            } => {
                let request = ActivityRequest {
                    rule_id: ACTIVITY_RULES[*rule].into(),
                    idempotency_key: format!("v{key}"),
                };
                let result =
                    ledger::award_activity(db, shop, &customer_id(*n), &request, now).await;
                if let Some(outcome) = refusal_or_fail("activity", result)? {
                    let answer = outcome.into_answer();
                    prop_assert_ne!(ACTIVITY_RULES[*rule], "purchase");
                    let key = format!("{}/{}", customer(*n), request.idempotency_key);
                    same_as_first(&mut self.answers.activities, key, &answer)?;
                }
            }
            Op::Replay { .. } | Op::Advance { .. } => unreachable!("resolved by run_history"),
        }
        Ok(())
    }
}

async fn run_history(
    server: &TestServer,
    history: &[Op],
    operations: &AtomicU64,
) -> Result<(), TestCaseError> {
    // A fresh shop per history: the same database, untouched books.
    let shop = server.create_shop("Proptest Coffee", &[ORIGIN]).await;
    let record = ShopCache::default()
        .require(&server.db, &shop.id)
        .await
        .expect("the new shop");
    let mut case = Case {
        server,
        shop: record,
        now: chrono_free_now() * 1000,
        answers: Answers::default(),
        operations: 0,
    };
    for (i, op) in history.iter().enumerate() {
        let mut op = op;
        // A replay of a replay (or of a clock step) replays the nearest real step before it.
        if let Op::Replay { step } = op {
            match history[..i]
                .iter()
                .cycle()
                .skip(step % i.max(1))
                .take(i)
                .find(|o| !matches!(o, Op::Replay { .. } | Op::Advance { .. }))
            {
                Some(earlier) => op = earlier,
                None => continue,
            }
        }
        match op {
            Op::Advance { days } => case.now += days * DAY_MS,
            other => case.apply(other).await?,
        }
    }
    operations.fetch_add(case.operations, Ordering::Relaxed);

    let summary = ledger::summary(&server.db, &case.shop, case.now)
        .await
        .map_err(|e| TestCaseError::fail(format!("summary: {e:?}")))?;
    assert_ledger_invariants(&server.db, &shop.id, case.now, &summary).await;

    // The report over HTTP (at the real time, when nothing more is due) agrees with the ledger.
    let (status, body) = send(
        server
            .http
            .request(
                Method::GET,
                server.url(&format!("/v1/shops/{}/reports/summary", shop.id)),
            )
            .bearer_auth(&shop.secret_key),
    )
    .await;
    prop_assert_eq!(status, StatusCode::OK, "{}", body);
    for field in [
        "members",
        "points_issued",
        "points_redeemed",
        "points_expired",
        "points_outstanding",
        "redemptions",
    ] {
        let expected = serde_json::to_value(&summary).expect("json")[field].clone();
        prop_assert_eq!(&body[field], &expected, "/reports/summary {}", field);
    }
    Ok(())
}

#[test]
fn ledger_invariants_hold_over_random_histories_on_every_backend() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("runtime");
    for backend in backends() {
        let server = runtime.block_on(TestServer::start(backend, generous_limits()));
        let operations = AtomicU64::new(0);
        let config = Config {
            cases: cases(),
            failure_persistence: None,
            max_shrink_iters: 256,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let histories = proptest::collection::vec(op(), 8..48);
        let result = runner.run(&histories, |history| {
            runtime.block_on(run_history(&server, &history, &operations))
        });
        runtime.block_on(server.finish());
        if let Err(failure) = result {
            panic!("{backend:?}: {failure}");
        }
        let _ = writeln!(
            std::io::stderr(),
            "invariants on {backend:?}: {} histories, {} ledger operations tried, every invariant held",
            cases(),
            operations.load(Ordering::Relaxed)
        );
    }
}
