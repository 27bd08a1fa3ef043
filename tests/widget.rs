//! The widget's views in a real browser, against the demo coffee program and hand-built shoppers.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use tally_core::demo::coffee_club_program;
use tally_core::demo::coffee_program;
use tally_core::{
    CodeStatus, Limit, LimitKind, LimitPeriod, LimitUsage, Me, MembershipRef, NextTier, PaidTier,
    Program, Redemption, ReferralStatus, Shop, TierRef,
};
use tally_widget::components::App;
use tally_widget::config::{Config, Credentials, Mode};
use tally_widget::store::Store;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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

/// A Silver member with 179 stars and $250.00 of spend to go to Gold.
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
        tier_progress: 0.1667,
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

fn config(mode: Mode, signed_in: bool) -> Config {
    let sig = "0".repeat(64);
    Config {
        shop: "demo-coffee".into(),
        // Nothing listens here: a view that fetches (activity) fails quietly.
        api: "http://127.0.0.1:9".into(),
        credentials: signed_in.then(|| Credentials::new("c-1", "1700000000", &sig).unwrap()),
        locale: Some("en".into()),
        mode,
        position: None,
        theme: None,
        assets: None,
        login_url: "/account/login".into(),
        signup_url: "/account/register".into(),
    }
}

/// Mounts the app for `store` into a fresh element of the test page.
fn mount(store: Store) -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), move || {
        provide_context(store);
        view! { <App/> }
    })
    .forget();
    host
}

fn text(el: &web_sys::HtmlElement) -> String {
    el.text_content().unwrap_or_default()
}

fn find(el: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    el.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn a_member_sees_the_balance_and_the_spend_to_the_next_tier() {
    let store = Store::with_data(config(Mode::Inline, true), program(), Some(member()));
    let host = mount(store);
    leptos::task::tick().await;
    let all = text(&host);
    assert!(all.contains("Hi Ada"), "{all}");
    assert!(all.contains("179 stars"), "{all}");
    assert!(all.contains("Spend $250.00 more to reach Gold"), "{all}");
    let bar = find(&host, "[role=progressbar]");
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("17"));
    assert_eq!(bar.get_attribute("aria-valuemax").as_deref(), Some("100"));
}

#[wasm_bindgen_test]
async fn rewards_say_how_far_off_they_are_and_mark_tier_locks() {
    let store = Store::with_data(config(Mode::Inline, true), program(), Some(member()));
    let host = mount(store);
    leptos::task::tick().await;
    let cards = host.query_selector_all(".tally-reward").unwrap();
    let card = |name: &str| {
        (0..cards.length())
            .filter_map(|i| cards.item(i))
            .map(|n| n.unchecked_into::<web_sys::HtmlElement>())
            .find(|c| text(c).contains(name))
            .unwrap_or_else(|| panic!("no card {name}"))
    };
    assert!(text(&card("10% off")).contains("71 more stars"));
    let locked = card("$20 off");
    assert!(locked.class_name().contains("tally-reward--locked"));
    assert!(text(&locked).contains("For Gold members"));
    assert!(card("$5 off").query_selector("button").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn redeeming_asks_for_confirmation_first() {
    let store = Store::with_data(config(Mode::Inline, true), program(), Some(member()));
    let host = mount(store);
    leptos::task::tick().await;
    let card = find(&host, ".tally-reward--available");
    find(&card, "button").click();
    leptos::task::tick().await;
    assert!(
        text(&card).contains("Spend 100 stars on $5 off?"),
        "{}",
        text(&card)
    );
    assert!(text(&card).contains("Yes, redeem"));
}

#[wasm_bindgen_test]
async fn a_guest_is_invited_to_join_or_sign_in() {
    let store = Store::with_data(config(Mode::Inline, false), program(), None);
    let host = mount(store);
    leptos::task::tick().await;
    let all = text(&host);
    assert!(all.contains("Join Tally Coffee Roasters Rewards"), "{all}");
    let hrefs: Vec<String> = {
        let links = host.query_selector_all("a").unwrap();
        (0..links.length())
            .filter_map(|i| links.item(i))
            .filter_map(|n| n.unchecked_into::<web_sys::Element>().get_attribute("href"))
            .collect()
    };
    assert!(hrefs.contains(&"/account/register".to_owned()), "{hrefs:?}");
    assert!(hrefs.contains(&"/account/login".to_owned()), "{hrefs:?}");
    assert!(all.contains("Free bag of beans"));
}

#[wasm_bindgen_test]
async fn merchant_text_is_rendered_as_text_never_as_html() {
    let mut program = program();
    program.rules.rewards[0].name = "<script>alert(1)</script><b>bold</b>".into();
    let store = Store::with_data(config(Mode::Inline, true), program, Some(member()));
    let host = mount(store);
    leptos::task::tick().await;
    assert!(host.query_selector("script").unwrap().is_none());
    assert!(host.query_selector("b").unwrap().is_none());
    assert!(text(&host).contains("<script>alert(1)</script><b>bold</b>"));
}

#[wasm_bindgen_test]
async fn the_launcher_names_the_balance_and_opens_a_labelled_dialog() {
    let store = Store::with_data(config(Mode::Launcher, true), program(), Some(member()));
    let host = mount(store);
    leptos::task::tick().await;
    let launcher = find(&host, "button.tally-launcher");
    assert!(text(&launcher).contains("Rewards"));
    assert!(text(&launcher).contains("179 stars"));
    assert!(host.query_selector("[role=dialog]").unwrap().is_none());

    launcher.click();
    leptos::task::tick().await;
    let dialog = find(&host, "[role=dialog]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    assert!(text(&find(&host, &format!("#{title_id}"))).contains("Rewards"));

    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let escape =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    dialog.dispatch_event(&escape).unwrap();
    leptos::task::tick().await;
    assert!(host.query_selector("[role=dialog]").unwrap().is_none());
}

#[wasm_bindgen_test]
fn money_and_points_follow_the_locale() {
    use tally_widget::format::{money, points};
    assert_eq!(money(40_000, "USD", "en", false), "$400.00");
    assert_eq!(money(100, "USD", "en", true), "$1");
    assert_eq!(money(1500, "JPY", "en", false), "¥1,500");
    assert_eq!(money(40_000, "EUR", "de", false), "400,00\u{a0}€");
    let names = coffee_program().points;
    assert_eq!(points(1, &names, "en"), "1 star");
    assert_eq!(points(1234, &names, "en"), "1,234 stars");
    // A currency Intl rejects falls back instead of throwing.
    assert_eq!(money(150, "usd", "en", false), "1.50 usd");
}

#[wasm_bindgen_test]
async fn the_tag_theme_becomes_host_properties_and_its_texts_replace_messages() {
    let mut config = config(Mode::Inline, false);
    config.theme = Some(
        r##"{"colors":{"primary":"#123456"},"mode":"light","texts":{"join":"Sign me up"},"custom_css":"p{}</style><b>x</b>"}"##
            .into(),
    );
    let store = Store::with_data(config, program(), None);
    let host = mount(store);
    leptos::task::tick().await;
    let styles = host.query_selector_all("style").unwrap();
    let css: Vec<String> = (0..styles.length())
        .filter_map(|i| styles.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect();
    assert!(
        css[0].starts_with(":host{--tally-primary:#123456;"),
        "{css:?}"
    );
    assert!(!css[0].contains("@media"), "mode light has no dark block");
    assert_eq!(css[1], "p{}</style><b>x</b>", "custom CSS stays text");
    assert!(host.query_selector("b").unwrap().is_none());
    assert!(text(&host).contains("Sign me up"), "{}", text(&host));
    assert!(!text(&host).contains("Join now"));
}

#[wasm_bindgen_test]
fn a_catalog_replaces_english_key_by_key_with_its_plural_forms() {
    use tally_widget::i18n::EN;
    let catalog = js_sys::JSON::parse(
        r#"{"redeem":"Einlösen","friends_joined":{"one":"{count} Freund","other":"{count} Freunde"},"nope":"x"}"#,
    )
    .unwrap();
    let de = EN.overlaid_with_catalog(&catalog);
    assert_eq!(de.redeem, "Einlösen");
    assert_eq!(de.copy, "Copy", "a missing key stays English");
    assert_eq!(de.friends_joined.form("one"), "{count} Freund");
    assert_eq!(de.friends_joined.form("few"), "{count} Freunde");
}

#[wasm_bindgen_test]
fn plural_categories_come_from_intl_for_each_language() {
    use tally_widget::format::{plural_category, points};
    assert_eq!(plural_category(2, "ar"), "two");
    assert_eq!(plural_category(0, "ar"), "zero");
    assert_eq!(plural_category(0, "fr"), "one");
    assert_eq!(plural_category(0, "en"), "other");
    let names = coffee_program().points;
    // French counts 0 in the singular; the API's singular name goes with `one`.
    assert_eq!(points(0, &names, "fr"), "0 star");
    assert_eq!(
        points(2, &names, "ar"),
        format!("{} stars", tally_widget::format::number(2, "ar"))
    );
}

fn code(code: &str, status: CodeStatus, expires_at: Option<&str>) -> Redemption {
    Redemption {
        id: code.to_lowercase(),
        reward_id: "5off".into(),
        code: code.into(),
        points_spent: 100,
        balance: 79,
        created_at: "2026-11-01T10:00:00Z".into(),
        status,
        expires_at: expires_at.map(Into::into),
    }
}

#[wasm_bindgen_test]
async fn your_codes_show_the_good_ones_to_copy_and_fold_away_the_rest() {
    let store = Store::with_data(config(Mode::Inline, true), program(), Some(member()));
    store.data.codes.update(|c| {
        c.add(code("TALLY-OLD", CodeStatus::Used, None));
        c.add(code(
            "TALLY-GONE",
            CodeStatus::Expired,
            Some("2026-11-02T10:00:00Z"),
        ));
        c.add(code(
            "TALLY-NEW",
            CodeStatus::Issued,
            Some("2026-12-31T12:00:00Z"),
        ));
    });
    let host = mount(store);
    leptos::task::tick().await;
    let good = host.query_selector_all(".tally-codes__item").unwrap();
    assert_eq!(good.length(), 1);
    let item: web_sys::HtmlElement = good.item(0).unwrap().unchecked_into();
    assert_eq!(text(&find(&item, "code")), "TALLY-NEW");
    assert!(text(&item).contains("$5 off"), "{}", text(&item));
    assert!(
        text(&item).contains("Valid until Dec 31, 2026"),
        "{}",
        text(&item)
    );
    assert_eq!(text(&find(&item, "button")), "Copy");
    let past = find(&host, "details.tally-codes__past");
    assert!(!past.has_attribute("open"), "folded away");
    assert_eq!(text(&find(&past, "summary")), "Used and expired codes (2)");
    let rows: Vec<String> = {
        let items = past.query_selector_all("li").unwrap();
        (0..items.length())
            .map(|i| text(&items.item(i).unwrap().unchecked_into()))
            .collect()
    };
    assert_eq!(rows, ["TALLY-GONE$5 offExpired", "TALLY-OLD$5 offUsed"]);
}

fn club_program() -> Program {
    let mut program = program();
    program.rules = coffee_club_program();
    program
}

fn monthly(kind: LimitKind, id: &str, used: i64) -> LimitUsage {
    LimitUsage {
        kind,
        id: id.into(),
        used,
        count: 1,
        per: LimitPeriod::Month,
        // Midday: January 1 in every time zone a test browser may run in.
        resets_at: Some("2027-01-01T12:00:00Z".into()),
    }
}

#[wasm_bindgen_test]
fn limits_and_paid_tiers_read_in_the_shoppers_words() {
    let store = Store::with_data(config(Mode::Inline, true), club_program(), Some(member()));
    let limit = |count, per| store.limit_text(&Limit { count, per });
    assert_eq!(limit(1, LimitPeriod::Month), "Once a month");
    assert_eq!(limit(2, LimitPeriod::Year), "Twice a year");
    assert_eq!(limit(3, LimitPeriod::Day), "3 times a day");
    assert_eq!(limit(5, LimitPeriod::Lifetime), "5 times per customer");
    let paid = |period_days| {
        store.paid_offer(&PaidTier {
            price_minor: 4_900,
            period_days,
            purchase_url: "/club".into(),
        })
    };
    assert_eq!(paid(365), "For members: $49 a year");
    assert_eq!(paid(30), "For members: $49 a month");
    assert_eq!(paid(90), "For members: $49 for 90 days");
    assert_eq!(paid(730), "For members: $49 for 2 years");
    let mut me = member();
    me.limits = vec![
        monthly(LimitKind::Reward, "sample", 1),
        monthly(LimitKind::EarnRule, "recycle", 0),
    ];
    store.data.me.set(Some(me));
    assert_eq!(
        store.used_up_text(LimitKind::Reward, "sample").as_deref(),
        Some("Used this month — again on January 1")
    );
    assert_eq!(store.used_up_text(LimitKind::EarnRule, "recycle"), None);
}

#[wasm_bindgen_test]
fn arabic_counts_limits_with_its_own_plural_forms() {
    use tally_widget::format::plural_category;
    use tally_widget::i18n::EN;
    let catalog = js_sys::JSON::parse(include_str!("../public/i18n/ar.json")).unwrap();
    let ar = EN.overlaid_with_catalog(&catalog);
    assert_eq!(
        ar.limit_times.form(&plural_category(3, "ar")),
        "{count} مرات {per}"
    );
    assert_eq!(
        ar.limit_times.form(&plural_category(11, "ar")),
        "{count} مرة {per}"
    );
    assert_eq!(ar.friends_joined.form("two"), "انضم صديقان");
}

#[wasm_bindgen_test]
async fn a_club_member_sees_the_membership_a_used_up_reward_and_the_feedback_question() {
    let mut me = member();
    me.tier = Some(TierRef {
        id: "club".into(),
        name: "Gold Club".into(),
    });
    me.membership = Some(MembershipRef {
        tier_id: "club".into(),
        expires_at: "2027-06-01T12:00:00Z".into(),
    });
    me.limits = vec![
        monthly(LimitKind::Reward, "sample", 1),
        monthly(LimitKind::EarnRule, "recycle", 0),
    ];
    let host = mount(Store::with_data(
        config(Mode::Inline, true),
        club_program(),
        Some(me),
    ));
    leptos::task::tick().await;
    let item = |selector: &str, name: &str| {
        let all = host.query_selector_all(selector).unwrap();
        (0..all.length())
            .map(|i| {
                all.item(i)
                    .unwrap()
                    .unchecked_into::<web_sys::HtmlElement>()
            })
            .find(|c| text(c).contains(name))
            .unwrap_or_else(|| panic!("no {selector} {name}"))
    };
    let club = item(".tally-tiers__item", "Gold Club");
    assert!(
        text(&club).contains("For members: $49 a year"),
        "{}",
        text(&club)
    );
    assert!(
        text(&club).contains("Member until Jun 1, 2027"),
        "{}",
        text(&club)
    );
    assert!(
        club.query_selector("a").unwrap().is_none(),
        "a member is not offered it"
    );

    let sample = item(".tally-reward", "Sample of the month");
    assert!(text(&sample).contains("Free"), "{}", text(&sample));
    assert!(text(&sample).contains("Once a month"));
    let button = find(&sample, "button");
    assert_eq!(
        button.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    let reason = button.get_attribute("aria-describedby").expect("a reason");
    assert_eq!(
        text(&find(&sample, &format!("#{reason}"))),
        "Used this month — again on January 1"
    );
    assert!(text(&item(".tally-earn__item", "Recycle")).contains("Once a month"));

    let scale = find(&host, "fieldset.tally-nps");
    assert_eq!(
        text(&find(&scale, "legend")),
        "How likely are you to recommend Tally Coffee to a friend?"
    );
    let radios = scale.query_selector_all("input[type=radio]").unwrap();
    assert_eq!(radios.length(), 11);
    let label = |i: u32| {
        text(
            &radios
                .item(i)
                .unwrap()
                .parent_element()
                .unwrap()
                .unchecked_into(),
        )
    };
    assert_eq!(label(0), "0 — not at all likely");
    assert_eq!(label(5), "5");
    assert_eq!(label(10), "10 — extremely likely");
    let feedback = find(&host, ".tally-feedback");
    assert!(text(&feedback).contains("Earn 25 stars for your answer"));
    assert!(text(&feedback).contains("0 of 2,000 characters"));
    let send = find(&feedback, ".tally-row button");
    assert_eq!(
        send.get_attribute("aria-disabled").as_deref(),
        Some("true"),
        "no score yet"
    );
    radios
        .item(9)
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>()
        .click();
    leptos::task::tick().await;
    assert_eq!(send.get_attribute("aria-disabled"), None);
    assert!(
        host.query_selector("fieldset.tally-nps").unwrap().is_some(),
        "choosing a score does not rebuild the form"
    );
    assert!(radios
        .item(9)
        .unwrap()
        .unchecked_into::<web_sys::HtmlInputElement>()
        .checked());
}

#[wasm_bindgen_test]
async fn a_guest_is_offered_the_paid_tier_and_not_asked_for_feedback() {
    let host = mount(Store::with_data(
        config(Mode::Inline, false),
        club_program(),
        None,
    ));
    leptos::task::tick().await;
    let link = find(&host, ".tally-tiers__item a");
    assert_eq!(text(&link), "Become a member");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("http://127.0.0.1:8080/#gold-club")
    );
    assert!(host.query_selector(".tally-feedback").unwrap().is_none());
}
