//! One customer: balance, tier and membership, progress to the next tier, referrals, history and codes;
//! their profile (name, phone, birthday, email); and for managers, adjusting points and memberships.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use tally_core::api::{
    Activity, ActivityKind, ActivityNote, AdjustmentRequest, CustomerListItem, CustomerUpdate,
    FeedbackAnswer, Me, MembershipRequest, Program, Redemption, TierMetric,
};
use tally_core::rules::format_minor;
use tally_core::staff::Permission;

use crate::api::{encode, ApiError};
use crate::ops::{self, new_id};
use crate::pages::codes::{short_time, status_key};
use crate::state::use_console;

/// The route `/customers/:id`: the page of the customer in the URL.
#[component]
pub fn CustomerDetail() -> impl IntoView {
    let params = use_params_map();
    move || {
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        view! { <CustomerPage id=id /> }
    }
}

fn kind_key(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Signup => "cust_kind_signup",
        ActivityKind::Earn => "cust_kind_earn",
        ActivityKind::Redeem => "cust_kind_redeem",
        ActivityKind::Refund => "cust_kind_refund",
        ActivityKind::Adjust => "cust_kind_adjust",
        ActivityKind::Expire => "cust_kind_expire",
        _ => "cust_kind_referral",
    }
}

/// Everything the page shows of a customer, loaded together.
#[derive(Clone, Default)]
struct Loaded {
    me: Option<Me>,
    row: Option<CustomerListItem>,
    program: Option<Program>,
    redemptions: Vec<Redemption>,
    feedback: Vec<FeedbackAnswer>,
}

#[component]
fn CustomerPage(
    /// The shop's own customer id.
    id: String,
) -> impl IntoView {
    let console = use_console();
    let data = RwSignal::new(Loaded::default());
    let error = RwSignal::new(None::<ApiError>);
    let missing = RwSignal::new(false);
    let history = RwSignal::new(Vec::<Activity>::new());
    let notes = RwSignal::new(Vec::<ActivityNote>::new());
    let history_next = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);

    let load_history = move |before: Option<String>| {
        let shop = console.shop_id_untracked();
        let id = id.get_value();
        spawn_local(async move {
            match ops::activity(&shop, &id, before.as_deref()).await {
                Ok(page) => {
                    if before.is_some() {
                        history.update(|h| h.extend(page.items));
                    } else {
                        history.set(page.items);
                        notes.set(page.notes);
                    }
                    history_next.set(page.next);
                }
                Err(ApiError::NotFound) => {}
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Reloads what a write may have changed: the customer, their row, codes and the first history page.
    let reload = move || {
        let shop = console.shop_id_untracked();
        let id = id.get_value();
        spawn_local(async move {
            let me = match ops::customer(&shop, &id).await {
                Ok(me) => me,
                Err(ApiError::NotFound) => {
                    missing.set(true);
                    return;
                }
                Err(e) => {
                    error.set(Some(e));
                    return;
                }
            };
            let program = match data.with_untracked(|d| d.program.clone()) {
                Some(p) => Some(p),
                None => crate::api::program(&shop).await.ok(),
            };
            let row = ops::customer_row(&shop, &id).await.ok().flatten();
            let redemptions = ops::redemptions(&shop, &id)
                .await
                .map(|r| r.items)
                .unwrap_or_default();
            let feedback = ops::feedback(&shop, &id)
                .await
                .map(|f| f.items)
                .unwrap_or_default();
            missing.set(false);
            data.set(Loaded {
                me: Some(me),
                row,
                program,
                redemptions,
                feedback,
            });
        });
        load_history(None);
    };
    reload();

    // Made once the customer is loaded: a reload must not reset the forms (and what they say).
    let ready = Memo::new(move |_| data.with(|d| d.me.is_some()));
    let title = move || {
        data.with(|d| {
            d.me.as_ref()
                .and_then(|m| m.first_name.clone())
                .unwrap_or_else(|| id.get_value())
        })
    };
    view! {
        <p class="crumb"><A href="/console/customers">{move || console.t("cust_back")}</A></p>
        <h1>{title}</h1>
        <p class="muted"><bdi>{move || {
            let mut parts = vec![id.get_value()];
            data.with(|d| if let Some(r) = &d.row {
                parts.extend(r.email.clone());
                parts.extend(r.phone.clone());
            });
            parts.join(" · ")
        }}</bdi></p>
        <p class="error" role="alert">{move || {
            if missing.get() { Some(console.t("cust_not_found").to_owned()) } else { error.get().map(|e| e.message(console.lang.get())) }
        }}</p>
        {move || ready.get().then(|| view! {
            <div class="customer-grid">
                <Overview data=data />
                <Profile id=id.get_value() data=data reload=reload />
                {console.may(Permission::Manage).then(|| view! {
                    <Adjust id=id.get_value() reload=reload />
                    <Memberships id=id.get_value() data=data reload=reload />
                })}
            </div>
            <section class="card" aria-labelledby="history-title">
                <h2 id="history-title">{move || console.t("cust_history")}</h2>
                {move || (!notes.with(Vec::is_empty)).then(|| view! {
                    <div class="warn">
                        <p><strong>{console.t("cust_notes")}</strong></p>
                        <ul>{notes.get().into_iter().map(|n| view! { <li>{short_time(&n.created_at)}" — "{n.message}</li> }).collect_view()}</ul>
                    </div>
                })}
                {move || if history.with(Vec::is_empty) {
                    view! { <p class="muted">{console.t("cust_no_history")}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-scroll" tabindex="0">
                            <table id="history">
                                <thead><tr>
                                    <th scope="col">{console.t("when")}</th>
                                    <th scope="col">{console.t("kind")}</th>
                                    <th scope="col">{console.t("description")}</th>
                                    <th scope="col" class="num">{console.t("points")}</th>
                                    <th scope="col" class="num">{console.t("cust_balance_after")}</th>
                                </tr></thead>
                                <tbody>
                                    {history.get().into_iter().map(|a| view! {
                                        <tr class=format!("entry entry-{}", a.kind.as_str())>
                                            <td class="nowrap"><bdi>{short_time(&a.created_at)}</bdi></td>
                                            <td>{console.t(kind_key(a.kind))}</td>
                                            <td>{a.description}</td>
                                            <td class="num"><bdi>{if a.points > 0 { format!("+{}", a.points) } else { a.points.to_string() }}</bdi></td>
                                            <td class="num">{a.balance_after}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
                {move || history_next.get().map(|cursor| view! {
                    <button type="button" class="secondary" on:click=move |_| load_history(Some(cursor.clone()))>{console.t("older")}</button>
                })}
            </section>
            <section class="card" aria-labelledby="codes-title">
                <h2 id="codes-title">{move || console.t("cust_codes")}</h2>
                {move || {
                    let list = data.with(|d| d.redemptions.clone());
                    if list.is_empty() {
                        view! { <p class="muted">{console.t("cust_no_codes")}</p> }.into_any()
                    } else {
                        let reward_name = move |reward_id: &str| data.with(|d| d.program.as_ref()
                            .and_then(|p| p.rules.rewards.iter().find(|r| r.id == reward_id).map(|r| r.name.clone()))
                            .unwrap_or_else(|| reward_id.to_owned()));
                        view! {
                            <div class="table-scroll" tabindex="0">
                                <table id="customer-codes">
                                    <thead><tr>
                                        <th scope="col">{console.t("codes_code")}</th>
                                        <th scope="col">{console.t("codes_reward")}</th>
                                        <th scope="col">{console.t("codes_status")}</th>
                                        <th scope="col" class="num">{console.t("codes_points_spent")}</th>
                                        <th scope="col">{console.t("codes_created")}</th>
                                        <th scope="col">{console.t("codes_expires")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|r| {
                                            let href = format!("/console/codes?code={}", encode(&r.code));
                                            view! {
                                                <tr>
                                                    <td><bdi><A href=href>{r.code.clone()}</A></bdi></td>
                                                    <td><bdi>{reward_name(&r.reward_id)}</bdi></td>
                                                    <td>{console.t(status_key(r.status))}</td>
                                                    <td class="num">{r.points_spent}</td>
                                                    <td class="nowrap"><bdi>{short_time(&r.created_at)}</bdi></td>
                                                    <td class="nowrap"><bdi>{r.expires_at.as_deref().map(short_time).unwrap_or_else(|| console.t("codes_never").to_owned())}</bdi></td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                }}
            </section>
            <section class="card" aria-labelledby="feedback-title">
                <h2 id="feedback-title">{move || console.t("cust_feedback_title")}</h2>
                {move || {
                    let answers = data.with(|d| d.feedback.clone());
                    if answers.is_empty() {
                        view! { <p class="muted">{console.t("cust_no_feedback")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="answers" id="customer-feedback">
                                {answers.into_iter().map(|a| view! {
                                    <li class="item">
                                        <p><strong class=format!("score score-{}", if a.score >= 9 { "promoter" } else if a.score >= 7 { "passive" } else { "detractor" })>
                                            {format!("{} {}/10", console.t("cust_score"), a.score)}</strong>
                                            <span class="muted">" · "<bdi>{short_time(&a.created_at)}</bdi>" · +"{a.points_awarded}</span></p>
                                        {a.comment.map(|c| view! { <blockquote><bdi>{c}</bdi></blockquote> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
            </section>
        })}
    }
}

/// Balance, tier, membership, progress, referrals, points expiring soon.
#[component]
fn Overview(
    /// The loaded customer and program.
    data: RwSignal<Loaded>,
) -> impl IntoView {
    let console = use_console();
    move || {
        let (me, program) = data.with(|d| (d.me.clone(), d.program.clone()));
        let me = me?;
        let currency = program
            .as_ref()
            .map(|p| p.shop.currency.clone())
            .unwrap_or_default();
        let spend = program
            .as_ref()
            .is_some_and(|p| p.rules.tier_metric == TierMetric::Spend);
        let metric = move |v: i64| {
            if spend {
                format!("{} {currency}", format_minor(v, &currency))
            } else {
                format!("{v} {}", console.t("points"))
            }
        };
        let tier_name = |tier_id: &str| {
            program
                .as_ref()
                .and_then(|p| p.rules.tiers.iter().find(|t| t.id == tier_id))
                .map(|t| t.name.clone())
                .unwrap_or_else(|| tier_id.to_owned())
        };
        let points_name = program
            .as_ref()
            .map(|p| p.rules.points.plural.clone())
            .unwrap_or_else(|| console.t("points").to_owned());
        let percent = (me.tier_progress.clamp(0.0, 1.0) * 100.0).round() as i64;
        Some(view! {
            <section class="card overview" aria-labelledby="overview-title">
                <h2 id="overview-title">{console.t("cust_overview")}</h2>
                <p class="balance-big"><span id="customer-balance">{me.balance}</span>" "<span class="muted">{points_name}</span></p>
                <dl class="facts">
                    <dt>{console.t("cust_lifetime")}</dt><dd>{me.lifetime_points}</dd>
                    <dt>{console.t("cust_tier")}</dt><dd>{me.tier.as_ref().map(|t| t.name.clone()).unwrap_or_else(|| console.t("none").to_owned())}</dd>
                    <dt>{console.t("cust_membership")}</dt>
                    <dd>{me.membership.as_ref().map(|m| format!("{} {} {}", tier_name(&m.tier_id), console.t("cust_until"), short_time(&m.expires_at)))
                        .unwrap_or_else(|| console.t("none").to_owned())}</dd>
                    <dt>{console.t("cust_referral_code")}</dt><dd><bdi>{me.referral.code.clone()}</bdi></dd>
                    <dt>{console.t("cust_friends")}</dt><dd>{me.referral.friends_referred}</dd>
                    <dt>{console.t("cust_referral_points")}</dt><dd>{me.referral.points_earned}</dd>
                </dl>
                <div class="progress-block">
                    <p id="progress-label">{console.t("cust_progress")}</p>
                    {match &me.next_tier {
                        Some(next) => view! {
                            <progress max="100" value=percent aria-labelledby="progress-label" aria-describedby="progress-text"></progress>
                            <p class="muted" id="progress-text">{format!("{} / {} — {} {} {}", metric(me.tier_metric_value), metric(next.threshold),
                                metric(next.remaining), console.t("cust_to_go"), next.name)}</p>
                        }.into_any(),
                        None => view! { <p class="muted">{console.t("cust_top_tier")}</p> }.into_any(),
                    }}
                </div>
                {(!me.expiring.is_empty()).then(|| view! {
                    <p class="warn">{console.t("cust_expiring")}": "
                        {me.expiring.iter().map(|e| format!("{} ({})", e.points, short_time(&e.expires_at))).collect::<Vec<_>>().join(", ")}</p>
                })}
                {me.next_feedback_at.as_ref().map(|at| view! {
                    <p class="muted">{console.t("cust_feedback_next")}" "<span dir="ltr">{short_time(at)}</span></p>
                })}
            </section>
        })
    }
}

/// The profile: first name, phone, birthday, email. Only what was changed is sent.
#[component]
fn Profile(
    /// The customer id.
    id: String,
    /// The loaded customer (their current name, phone, email).
    data: RwSignal<Loaded>,
    /// Reloads the page's data after a save.
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let console = use_console();
    let current = data.with_untracked(|d| {
        (
            d.me.as_ref()
                .and_then(|m| m.first_name.clone())
                .unwrap_or_default(),
            d.row
                .as_ref()
                .and_then(|r| r.phone.clone())
                .unwrap_or_default(),
            d.row
                .as_ref()
                .and_then(|r| r.email.clone())
                .unwrap_or_default(),
        )
    });
    let name = RwSignal::new(current.0.clone());
    let phone = RwSignal::new(current.1.clone());
    let email = RwSignal::new(current.2.clone());
    let birthday = RwSignal::new(String::new());
    let saved = StoredValue::new(current);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let id = StoredValue::new(id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (was_name, was_phone, was_email) = saved.get_value();
        let changed = |now: String, was: &str| {
            let now = now.trim().to_owned();
            (!now.is_empty() && now != was).then_some(now)
        };
        let update = CustomerUpdate {
            first_name: changed(name.get_untracked(), &was_name),
            phone: changed(phone.get_untracked(), &was_phone),
            email: changed(email.get_untracked(), &was_email),
            birthday: changed(birthday.get_untracked(), ""),
        };
        if update.birthday.as_deref().is_some_and(|b| {
            !(b.len() == 5 && b.as_bytes()[2] == b'-' && ops::digits(b).len() == 4)
        }) {
            error.set(Some(console.t("cust_birthday_bad").to_owned()));
            return;
        }
        if update == CustomerUpdate::default() {
            error.set(None);
            status.set(Some("cust_nothing_changed"));
            return;
        }
        busy.set(true);
        status.set(None);
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::update_customer(&shop, &csrf, &id.get_value(), &update).await {
                Ok(_) => {
                    error.set(None);
                    status.set(Some("cust_profile_saved"));
                    birthday.set(String::new());
                    saved.update_value(|(n, p, e)| {
                        if let Some(v) = update.first_name {
                            *n = v;
                        }
                        if let Some(v) = update.email {
                            *e = v;
                        }
                        if update.phone.is_some() {
                            // The server stores the phone in E.164: the reload shows its spelling.
                            *p = String::new();
                        }
                    });
                    reload();
                }
                // The typed values stay: a phone taken or malformed is fixed in place.
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    // The phone as the server spelled it once a save has reloaded the customer.
    Effect::new(move |_| {
        let stored = data.with(|d| d.row.as_ref().and_then(|r| r.phone.clone()));
        if let Some(stored) = stored {
            if saved.with_value(|(_, p, _)| p.is_empty()) {
                saved.update_value(|(_, p, _)| *p = stored.clone());
                phone.set(stored);
            }
        }
    });
    view! {
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">{move || console.t("cust_profile")}</h2>
            <form class="stack" on:submit=save novalidate>
                <div class="field">
                    <label for="profile-name">{move || console.t("cust_first_name")}</label>
                    <input id="profile-name" type="text" autocomplete="off" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="profile-phone">{move || console.t("cust_phone")}</label>
                    <input id="profile-phone" type="tel" autocomplete="off" dir="ltr" prop:value=move || phone.get() on:input=move |ev| phone.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="profile-birthday">{move || console.t("cust_birthday")}</label>
                    <input id="profile-birthday" type="text" autocomplete="off" dir="ltr" inputmode="numeric"
                        prop:value=move || birthday.get() on:input=move |ev| birthday.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="profile-email">{move || console.t("email")}</label>
                    <input id="profile-email" type="email" autocomplete="off" dir="ltr" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </div>
                <p class="error" role="alert" id="profile-error">{move || error.get()}</p>
                <p class="status ok" role="status">{move || status.get().map(|k| console.t(k))}</p>
                <button type="submit" class="primary" id="profile-save" disabled=move || busy.get()>{move || console.t("cust_save_profile")}</button>
            </form>
        </section>
    }
}

/// Adjusting points by hand (managers): a reason is required, and one adjustment intended is one
/// ledger entry however often the button is pressed.
#[component]
fn Adjust(
    /// The customer id.
    id: String,
    /// Reloads the page's data after the adjustment.
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let console = use_console();
    let points = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    // Made when this adjustment is first sent and kept for its retries; a changed form is a new one.
    let key = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<&'static str>);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<i64>);
    let id = StoredValue::new(id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let amount = points
            .get_untracked()
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| *p != 0);
        let Some(amount) = amount else {
            problem.set(Some("cust_points_bad"));
            return;
        };
        let why = reason.get_untracked().trim().to_owned();
        if why.is_empty() {
            problem.set(Some("cust_reason_required"));
            return;
        }
        problem.set(None);
        let idempotency_key = key.get_untracked().unwrap_or_else(|| new_id("adjust"));
        key.set(Some(idempotency_key.clone()));
        let request = AdjustmentRequest {
            points: amount,
            reason: why,
            idempotency_key,
        };
        busy.set(true);
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::adjust(&shop, &csrf, &id.get_value(), &request).await {
                Ok(result) => {
                    key.set(None);
                    error.set(None);
                    points.set(String::new());
                    reason.set(String::new());
                    done.set(Some(result.balance));
                    reload();
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    let edited = move || {
        key.set(None);
        done.set(None);
        problem.set(None);
    };
    view! {
        <section class="card" aria-labelledby="adjust-title">
            <h2 id="adjust-title">{move || console.t("cust_adjust")}</h2>
            <form class="stack" on:submit=submit novalidate>
                <div class="field">
                    <label for="adjust-points">{move || console.t("cust_adjust_points")}</label>
                    <input id="adjust-points" type="text" inputmode="numeric" autocomplete="off" dir="ltr"
                        aria-describedby="adjust-problem"
                        prop:value=move || points.get() on:input=move |ev| { points.set(event_target_value(&ev)); edited(); } />
                </div>
                <div class="field">
                    <label for="adjust-reason">{move || console.t("cust_adjust_reason")}</label>
                    <input id="adjust-reason" type="text" autocomplete="off" maxlength="500" required
                        aria-describedby="adjust-problem" aria-invalid=move || (problem.get() == Some("cust_reason_required")).to_string()
                        prop:value=move || reason.get() on:input=move |ev| { reason.set(event_target_value(&ev)); edited(); } />
                </div>
                <p class="problem" id="adjust-problem" role="alert">{move || problem.get().map(|k| console.t(k))}</p>
                <p class="error" role="alert">{move || error.get()}</p>
                <p class="status ok" role="status" id="adjust-status">{move || done.get().map(|b| format!("{} {b}", console.t("cust_adjusted")))}</p>
                <button type="submit" class="primary" id="adjust-submit" disabled=move || busy.get()>{move || console.t("cust_adjust_submit")}</button>
            </form>
        </section>
    }
}

/// Starting a paid tier bought with an order, or ending the running membership (managers).
#[component]
fn Memberships(
    /// The customer id.
    id: String,
    /// The loaded program (its paid tiers) and customer (their membership).
    data: RwSignal<Loaded>,
    /// Reloads the page's data after a change.
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let console = use_console();
    let paid: Vec<(String, String)> = data.with_untracked(|d| {
        d.program
            .as_ref()
            .map(|p| {
                p.rules
                    .tiers
                    .iter()
                    .filter(|t| t.paid.is_some())
                    .map(|t| (t.id.clone(), t.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    });
    if paid.is_empty() {
        return None;
    }
    let tier = RwSignal::new(paid[0].0.clone());
    // The purchase's order id: made once per membership intended (a repeat of it buys nothing more).
    let order_id = RwSignal::new(new_id("membership"));
    let cancel_order = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    let id = StoredValue::new(id);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let order = order_id.get_untracked().trim().to_owned();
        if busy.get_untracked() || order.is_empty() {
            return;
        }
        busy.set(true);
        let request = MembershipRequest {
            tier_id: tier.get_untracked(),
            order_id: order.clone(),
        };
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::start_membership(&shop, &csrf, &id.get_value(), &request).await {
                Ok(m) => {
                    error.set(None);
                    status.set(Some(format!(
                        "{} {}",
                        console.t("cust_membership_started"),
                        short_time(&m.expires_at)
                    )));
                    cancel_order.set(order);
                    order_id.set(new_id("membership"));
                    reload();
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    let cancel = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let order = cancel_order.get_untracked().trim().to_owned();
        if busy.get_untracked()
            || order.is_empty()
            || !window()
                .confirm_with_message(console.t("cust_confirm_cancel_membership"))
                .unwrap_or(false)
        {
            return;
        }
        busy.set(true);
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::cancel_membership(&shop, &csrf, &order).await {
                Ok(_) => {
                    error.set(None);
                    status.set(Some(console.t("cust_membership_ended").to_owned()));
                    reload();
                }
                Err(ApiError::NotFound) => {
                    error.set(Some(console.t("cust_no_such_purchase").to_owned()))
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    let is_member = move || data.with(|d| d.me.as_ref().is_some_and(|m| m.membership.is_some()));
    Some(view! {
        <section class="card" aria-labelledby="membership-title">
            <h2 id="membership-title">{move || console.t("cust_membership")}</h2>
            <form class="stack" on:submit=start>
                <div class="field">
                    <label for="membership-tier">{move || console.t("cust_paid_tier")}</label>
                    <select id="membership-tier" on:change=move |ev| tier.set(event_target_value(&ev))>
                        {paid.into_iter().map(|(value, name)| view! { <option value=value.clone() selected=move || tier.get() == value>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="membership-order">{move || console.t("cust_purchase_order")}</label>
                    <input id="membership-order" type="text" autocomplete="off" dir="ltr" required
                        prop:value=move || order_id.get() on:input=move |ev| order_id.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="primary" id="membership-start" disabled=move || busy.get()>{move || console.t("cust_start_membership")}</button>
            </form>
            {move || is_member().then(|| view! {
                <form class="stack membership-cancel" on:submit=cancel>
                    <div class="field">
                        <label for="membership-cancel-order">{console.t("cust_purchase_order")}</label>
                        <input id="membership-cancel-order" type="text" autocomplete="off" dir="ltr" required
                            prop:value=move || cancel_order.get() on:input=move |ev| cancel_order.set(event_target_value(&ev)) />
                    </div>
                    <button type="submit" class="danger-button" id="membership-cancel" disabled=move || busy.get()>{console.t("cust_cancel_membership")}</button>
                </form>
            })}
            <p class="error" role="alert">{move || error.get()}</p>
            <p class="status ok" role="status">{move || status.get()}</p>
        </section>
    })
}
