//! The store's logic, natively: Leptos's reactive graph under an `Owner`, the browser's stand-ins of
//! `crate::browser`, and an executor that never runs a task (so no request ever answers).

use any_spawner::{CustomExecutor, Executor, PinnedFuture, PinnedLocalFuture};
use leptos::prelude::*;
use tally_core::demo::coffee_program;
use tally_core::theme::Json;
use tally_core::{Me, NextTier, Program, Redemption, ReferralStatus, Shop, TierRef};

use super::*;
use crate::api::ApiError;
use crate::browser::recorded;

struct NeverRuns;

impl CustomExecutor for NeverRuns {
    fn spawn(&self, _: PinnedFuture<()>) {}
    fn spawn_local(&self, _: PinnedLocalFuture<()>) {}
    fn poll_local(&self) {}
}

/// An owner for the test's signals; the executor is set once per test binary.
fn owner() -> Owner {
    let _ = Executor::init_custom_executor(NeverRuns);
    let owner = Owner::new();
    owner.set();
    owner
}

fn program() -> Program {
    Program {
        shop: Shop {
            id: "demo-coffee".into(),
            name: "Tally Coffee Roasters".into(),
            currency: "USD".into(),
            locale: "en".into(),
        },
        rules: coffee_program(),
    }
}

fn member() -> Me {
    Me {
        customer_id: "c-1".into(),
        first_name: Some("Ada".into()),
        balance: 179,
        lifetime_points: 300,
        tier: Some(TierRef {
            id: "silver".into(),
            name: "Silver".into(),
        }),
        next_tier: Some(NextTier {
            id: "gold".into(),
            name: "Gold".into(),
            threshold: 50_000,
            remaining: 25_000,
        }),
        tier_progress: 0.5,
        tier_metric_value: 25_000,
        referral: ReferralStatus {
            code: "ADA-1".into(),
            url: "https://shop.example/?ref=ADA-1".into(),
            friends_referred: 1,
            points_earned: 200,
        },
        expiring: vec![],
        membership: None,
        limits: vec![],
        next_feedback_at: None,
    }
}

fn credentials(customer: &str) -> Credentials {
    Credentials::new(customer, "1700000000", &"0".repeat(64)).expect("credentials")
}

fn config(customer: Option<&str>) -> Config {
    Config {
        shop: "demo-coffee".into(),
        api: "https://api.example".into(),
        credentials: customer.map(credentials),
        locale: None,
        mode: Mode::Launcher,
        position: None,
        theme: None,
        assets: None,
        login_url: "/account/login".into(),
        signup_url: "/account/register".into(),
    }
}

fn member_store() -> Store {
    Store::with_data(config(Some("c-1")), program(), Some(member()))
}

fn redemption(reward_id: &str, balance: i64) -> Redemption {
    Redemption {
        id: "rd-1".into(),
        reward_id: reward_id.into(),
        code: "TALLY-5OFF".into(),
        points_spent: 100,
        balance,
        created_at: "2026-01-01T00:00:00Z".into(),
        status: Default::default(),
        expires_at: None,
    }
}

#[test]
fn a_retry_of_the_same_intent_sends_the_same_key() {
    let _owner = owner();
    let store = member_store();
    let step = RwSignal::new(Step::Confirm);
    let first = store.begin_redeem("five-off", step).expect("starts");
    assert_eq!(step.get_untracked(), Step::Busy);
    store.settle_redeem("$5 off", step, Err(ApiError::Network));
    assert_eq!(step.get_untracked(), Step::Failed(ApiError::Network));
    let retry = store.begin_redeem("five-off", step).expect("retries");
    assert_eq!(retry, first);
    assert_ne!(
        store.redeem.key("ten-off"),
        first,
        "another reward, another intent"
    );
}

#[test]
fn a_click_while_redeeming_sends_nothing() {
    let _owner = owner();
    let store = member_store();
    let step = RwSignal::new(Step::Confirm);
    assert!(store.begin_redeem("five-off", step).is_some());
    assert_eq!(store.begin_redeem("five-off", step), None);
}

#[test]
fn a_redemption_updates_the_balance_announces_the_code_and_tells_the_page() {
    let _owner = owner();
    let store = member_store();
    let snapshot = store.snapshot();
    snapshot.save_program("{}");
    snapshot.save_me("{}");
    recorded();
    let step = RwSignal::new(Step::Confirm);
    let key = store.begin_redeem("five-off", step).expect("starts");
    store.settle_redeem("$5 off", step, Ok(redemption("five-off", 79)));

    assert_eq!(step.get_untracked(), Step::Done(redemption("five-off", 79)));
    assert_eq!(
        store
            .data
            .me
            .with_untracked(|m| m.as_ref().map(|m| m.balance)),
        Some(79)
    );
    assert_eq!(
        store.redeem.announcement.get_untracked(),
        "$5 off redeemed. Your code is TALLY-5OFF."
    );
    assert_eq!(recorded(), ["tally:redeemed"]);
    assert_eq!(
        snapshot.read(),
        Some(("{}".to_owned(), None)),
        "the snapshot's old balance is dropped"
    );
    assert_ne!(
        store.redeem.key("five-off"),
        key,
        "the next intent has a new key"
    );
    store.data.codes.with_untracked(|c| {
        assert_eq!(
            c.items,
            [redemption("five-off", 79)],
            "under Your codes at once"
        );
        assert!(c.busy(), "and the list is asked for again");
    });
}

#[test]
fn a_failed_redemption_is_named_on_the_console_and_to_the_page() {
    let _owner = owner();
    let store = member_store();
    let step = RwSignal::new(Step::Confirm);
    store.begin_redeem("five-off", step);
    recorded();
    store.settle_redeem("$5 off", step, Err(ApiError::InsufficientPoints));
    let lines = recorded();
    assert!(lines[0].starts_with("[tally] redeem failed"), "{lines:?}");
    assert_eq!(lines[1], "tally:error");
    assert_eq!(
        store
            .data
            .me
            .with_untracked(|m| m.as_ref().map(|m| m.balance)),
        Some(179)
    );
}

#[test]
fn signing_in_another_shopper_forgets_the_first_ones_data_and_intents() {
    let _owner = owner();
    let store = member_store();
    let key = store.redeem.key("five-off");
    store.data.activity.update(|a| a.started = true);
    store
        .data
        .codes
        .update(|c| c.add(redemption("five-off", 79)));
    store.set_customer(Some(credentials("c-2")));
    assert_eq!(store.data.me.get_untracked(), None);
    assert_eq!(store.data.load.get_untracked(), Load::Loading);
    assert_eq!(store.data.activity.get_untracked(), ActivityList::default());
    assert_eq!(store.data.codes.get_untracked(), Codes::default());
    assert_ne!(store.redeem.key("five-off"), key);
    assert_eq!(
        store.snapshot(),
        Snapshot::new("https://api.example", "demo-coffee", Some("c-2"))
    );
}

#[test]
fn a_failed_refresh_keeps_the_stale_view_unless_the_signature_is_refused() {
    let _owner = owner();
    let store = member_store();
    store.data.fail(ApiError::Network);
    assert_eq!(store.data.load.get_untracked(), Load::Ready);
    store.data.fail(ApiError::Unauthorized);
    assert_eq!(
        store.data.load.get_untracked(),
        Load::Failed(ApiError::Unauthorized)
    );
}

#[test]
fn with_nothing_to_show_a_failed_load_is_shown() {
    let _owner = owner();
    let store = Store::new(config(None));
    store.data.begin_load();
    store.data.fail(ApiError::Network);
    assert_eq!(
        store.data.load.get_untracked(),
        Load::Failed(ApiError::Network)
    );
}

#[test]
fn an_answer_for_an_older_load_is_not_wanted() {
    let _owner = owner();
    let store = member_store();
    let first = store.data.begin_load();
    let second = store.data.begin_load();
    assert!(!store.data.is_current(first));
    assert!(store.data.is_current(second));
}

#[test]
fn the_language_is_known_once_the_program_has_said_the_shops_locale() {
    let _owner = owner();
    let store = Store::new(config(None));
    assert_eq!(
        store.wanted_language(),
        None,
        "no data-locale, no program yet"
    );
    let mut program = program();
    program.shop.locale = "de-AT".into();
    store.data.show(program, None);
    assert_eq!(store.wanted_language(), Some("de"));
    assert!(!store.ready(), "the German catalog has not been shown yet");
    store.update_language();
    assert!(
        store.ready(),
        "without the widget's files German falls back to English at once"
    );
}

#[test]
fn the_tags_locale_wins_over_the_shops() {
    let _owner = owner();
    let mut config = config(None);
    config.locale = Some("fr-CA".into());
    let store = Store::with_data(config, program(), None);
    assert_eq!(store.locale(), "fr-CA");
    assert_eq!(store.wanted_language(), Some("fr"));
}

#[test]
fn set_theme_replaces_the_tags_theme_and_its_texts() {
    let _owner = owner();
    let store = Store::new(config(None));
    let value: serde_json::Value =
        serde_json::json!({"texts": {"join": "Sign me up"}, "launcher_position": "top-left"});
    store.set_theme(&Json::from(&value));
    assert_eq!(store.messages().join, "Sign me up");
    assert_eq!(
        store.theme.position(),
        tally_core::theme::LauncherPosition::TopLeft
    );
}

#[test]
fn opening_and_closing_tell_the_page_once_each_but_not_inline() {
    let _owner = owner();
    let store = member_store();
    recorded();
    store.set_open(true);
    store.set_open(true);
    store.set_open(false);
    assert_eq!(recorded(), ["tally:open", "tally:close"]);
    let mut inline = config(None);
    inline.mode = Mode::Inline;
    let store = Store::new(inline);
    store.set_open(true);
    assert!(!store.open.get_untracked());
}

fn feedback_store() -> Store {
    let mut program = program();
    program.rules = tally_core::demo::coffee_club_program();
    Store::with_data(config(Some("c-1")), program, Some(member()))
}

fn answer() -> tally_core::FeedbackResult {
    tally_core::FeedbackResult {
        points_awarded: 25,
        balance: 204,
        next_allowed_at: "2026-09-13T12:00:00Z".into(),
    }
}

#[test]
fn feedback_is_asked_only_when_the_program_asks_and_the_cooldown_is_over() {
    let _owner = owner();
    crate::browser::set_now("2026-06-15T12:00:00Z");
    assert!(!member_store().feedback_due(), "the program asks nothing");
    let store = feedback_store();
    assert!(store.feedback_due(), "never answered");
    store.data.me.update(|me| {
        if let Some(me) = me {
            me.next_feedback_at = Some("2026-09-13T12:00:00Z".into());
        }
    });
    assert!(!store.feedback_due(), "within the cooldown");
    crate::browser::set_now("2026-09-13T12:00:00Z");
    assert!(store.feedback_due(), "the cooldown is over");
    crate::browser::set_now("2026-06-15T12:00:00Z");
    let guest = Store::with_data(
        config(None),
        store.data.program.get_untracked().unwrap(),
        None,
    );
    assert!(!guest.feedback_due(), "a guest is not asked");
}

#[test]
fn an_answer_needs_a_score_and_is_sent_once_at_a_time() {
    let _owner = owner();
    let store = feedback_store();
    assert_eq!(store.begin_feedback(), None, "no score chosen yet");
    store.feedback.score.set(Some(9));
    store.feedback.comment.set("  Great beans  ".into());
    let (score, comment, _) = store.begin_feedback().expect("sends");
    assert_eq!((score, comment.as_str()), (9, "Great beans"));
    assert!(store.feedback.busy.get_untracked());
    assert_eq!(store.begin_feedback(), None, "a second click while busy");
}

#[test]
fn a_retry_of_the_same_answer_sends_the_same_key_and_a_changed_answer_a_new_one() {
    let _owner = owner();
    let store = feedback_store();
    store.feedback.score.set(Some(9));
    let (_, _, first) = store.begin_feedback().expect("sends");
    recorded();
    store.settle_feedback(Err(ApiError::Network));
    assert_eq!(
        store.feedback.error.get_untracked(),
        Some(ApiError::Network)
    );
    assert!(!store.feedback.busy.get_untracked());
    assert_eq!(
        recorded(),
        [
            "[tally] feedback failed: no answer (network)",
            "tally:error"
        ]
    );
    let (_, _, retry) = store.begin_feedback().expect("retries");
    assert_eq!(retry, first);
    assert_eq!(store.feedback.error.get_untracked(), None);
    store.settle_feedback(Err(ApiError::Network));
    store.feedback.score.set(Some(10));
    let (_, _, changed) = store.begin_feedback().expect("sends");
    assert_ne!(changed, first, "another body, another key");
}

#[test]
fn an_answer_thanks_updates_the_balance_and_is_not_asked_again_within_the_cooldown() {
    let _owner = owner();
    let store = feedback_store();
    let snapshot = store.snapshot();
    snapshot.save_program("{}");
    snapshot.save_me("{}");
    store.feedback.score.set(Some(9));
    store.begin_feedback();
    store.settle_feedback(Ok(answer()));
    assert_eq!(store.feedback.outcome.get_untracked(), Some(Ok(answer())));
    let me = store.data.me.get_untracked().expect("member");
    assert_eq!(me.balance, 204);
    assert_eq!(me.next_feedback_at.as_deref(), Some("2026-09-13T12:00:00Z"));
    assert!(!store.feedback_due());
    assert_eq!(
        store.redeem.announcement.get_untracked(),
        "Thank you for your answer!"
    );
    assert_eq!(snapshot.read(), Some(("{}".to_owned(), None)));
    store.feedback.forget();
    assert_eq!(store.feedback.outcome.get_untracked(), None);
    assert!(!store.feedback_due(), "still not asked after the thanks");
}

#[test]
fn an_answer_the_server_finds_too_soon_ends_the_prompt_as_answered() {
    let _owner = owner();
    let store = feedback_store();
    store.feedback.score.set(Some(3));
    store.begin_feedback();
    store.settle_feedback(Err(ApiError::FeedbackTooSoon));
    assert_eq!(
        store.feedback.outcome.get_untracked(),
        Some(Err(ApiError::FeedbackTooSoon))
    );
    assert_eq!(store.feedback.error.get_untracked(), None);
}

fn monthly_sample(used: i64) -> tally_core::LimitUsage {
    tally_core::LimitUsage {
        kind: tally_core::LimitKind::Reward,
        id: "sample".into(),
        used,
        count: 1,
        per: tally_core::LimitPeriod::Month,
        resets_at: Some("2026-07-01T00:00:00Z".into()),
    }
}

#[test]
fn a_redemption_counts_against_its_limit_until_the_period_ends() {
    use super::limits::is_used_up;
    let _owner = owner();
    crate::browser::set_now("2026-06-15T12:00:00Z");
    let store = feedback_store();
    store.data.me.update(|me| {
        if let Some(me) = me {
            me.limits = vec![monthly_sample(0)];
        }
    });
    let usage = || {
        store
            .usage(tally_core::LimitKind::Reward, "sample")
            .expect("limited")
    };
    assert!(!is_used_up(&usage()));
    let step = RwSignal::new(Step::Confirm);
    store.begin_redeem("sample", step);
    store.settle_redeem("Sample", step, Ok(redemption("sample", 179)));
    assert_eq!(usage().used, 1);
    assert!(is_used_up(&usage()), "once a month, used this month");
    assert_eq!(
        store.usage(tally_core::LimitKind::EarnRule, "sample"),
        None,
        "an earn rule of the same id is another limit"
    );
    crate::browser::set_now("2026-07-01T00:00:00Z");
    assert!(
        !is_used_up(&usage()),
        "a new month has begun since /me was read"
    );
    crate::browser::set_now("2026-06-15T12:00:00Z");
}

#[test]
fn a_lifetime_limit_used_up_never_resets() {
    use super::limits::is_used_up;
    let mut usage = monthly_sample(2);
    usage.count = 2;
    usage.per = tally_core::LimitPeriod::Lifetime;
    usage.resets_at = None;
    assert!(is_used_up(&usage));
    usage.used = 1;
    assert!(!is_used_up(&usage));
}
