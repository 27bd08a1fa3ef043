//! The program editor: every part of a program as a form, each field checked as it is typed with
//! tally-core's own rules (the server's), a live preview of the real widget, and a save that first says
//! in plain words what changes. A failed save keeps the edits.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_core::api::{
    EarnRule, EarnRuleKind, FeedbackProgram, Limit, LimitPeriod, PaidTier, Program, ProgramUpdate,
    Reward, RewardKind, Shop, Tier, TierMetric,
};
use tally_core::rules::program_field_problems;

use crate::api::{self, ApiError};
use crate::changes::program_changes;
use crate::form::{
    lens, CheckField, DecimalField, FieldProblems, NumberField, ProblemText, SelectField, TextField,
};
use crate::sample::sample_member;
use crate::state::use_console;

/// The program being edited, as loaded: the stored version and the shop it belongs to.
#[derive(Clone)]
pub struct Loaded {
    pub update: ProgramUpdate,
    pub shop: Shop,
}

/// Loads the program to edit: the newest saved version (which carries the allowed origins), and the shop.
pub async fn load(shop_id: &str) -> Result<Loaded, ApiError> {
    let program = api::program(shop_id).await?;
    let update = match api::versions(shop_id, None).await {
        Ok(page) if !page.items.is_empty() => page.items[0].program.clone(),
        Ok(_) | Err(ApiError::NotFound) => ProgramUpdate {
            rules: program.rules.clone(),
            allowed_origins: Vec::new(),
        },
        Err(other) => return Err(other),
    };
    Ok(Loaded {
        update,
        shop: program.shop,
    })
}

/// Which part of the program an editor shows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Program,
    Appearance,
    Guide,
}

#[component]
pub fn ProgramPage() -> impl IntoView {
    view! { <EditorPage part=Part::Program /> }
}

/// Loads the shop's program and shows the editor of `part`.
#[component]
pub fn EditorPage(part: Part) -> impl IntoView {
    let console = use_console();
    let loaded = RwSignal::new(None::<Result<Loaded, ApiError>>);
    let shop_id = console.shop_id_untracked();
    spawn_local(async move {
        let result = load(&shop_id).await;
        if let Ok(l) = &result {
            console.shop_locale(&l.shop.locale);
        }
        loaded.set(Some(result));
    });
    move || match loaded.get() {
        None => view! { <p>{console.t("loading")}</p> }.into_any(),
        Some(Err(e)) => {
            view! { <p class="error" role="alert">{e.message(console.lang.get())}</p> }.into_any()
        }
        Some(Ok(l)) => view! { <Editor loaded=l part=part /> }.into_any(),
    }
}

fn kind_options(
    words: &[&'static str],
    console: crate::state::Console,
) -> Signal<Vec<(String, String)>> {
    let words = words.to_vec();
    Signal::derive(move || {
        words
            .iter()
            .map(|w| (w.to_string(), console.t(&format!("kind_{w}")).to_owned()))
            .collect()
    })
}

/// The editor of one loaded program.
#[component]
pub fn Editor(loaded: Loaded, part: Part) -> impl IntoView {
    let console = use_console();
    let shop = loaded.shop.clone();
    let stored = RwSignal::new(loaded.update.clone());
    let draft = RwSignal::new(loaded.update);
    let problems = Memo::new(move |_| draft.with(program_field_problems));
    provide_context(FieldProblems(problems));
    let currency = shop.currency.clone();
    let cur = currency.clone();
    let changes = Memo::new(move |_| stored.with(|s| draft.with(|d| program_changes(s, d, &cur))));
    let status = RwSignal::new(None::<Result<(), ApiError>>);
    let saving = RwSignal::new(false);
    let shop_id = shop.id.clone();
    let save = move |_| {
        if saving.get_untracked() || !problems.with_untracked(Vec::is_empty) {
            return;
        }
        saving.set(true);
        status.set(None);
        let update = draft.get_untracked();
        let (shop_id, csrf) = (shop_id.clone(), console.csrf());
        spawn_local(async move {
            match api::save_program(&shop_id, &csrf, &update).await {
                Ok(_) => {
                    stored.set(update);
                    status.set(Some(Ok(())));
                }
                // The draft stays as typed: nothing is lost when a save fails.
                Err(e) => status.set(Some(Err(e))),
            }
            saving.set(false);
        });
    };
    let discard = move |_| {
        draft.set(stored.get_untracked());
        status.set(None);
    };

    let save_bar = move || {
        view! {
            <SaveBar changes=changes problems=problems status=status saving=saving on_save=Callback::new(save.clone()) on_discard=Callback::new(discard) />
        }
    };
    let form = match part {
        Part::Program => view! {
            <h1>{move || console.t("nav_program")}</h1>
            {save_bar()}
            <PointsSection draft=draft />
            <EarnSection draft=draft />
            <TierSection draft=draft currency=currency.clone() />
            <RewardSection draft=draft />
            <ReferralSection draft=draft />
            <ExpirySection draft=draft />
            <FeedbackSection draft=draft />
            <OriginSection draft=draft />
        }.into_any(),
        Part::Appearance => view! {
            <h1>{move || console.t("nav_appearance")}</h1>
            {save_bar()}
            <crate::pages::appearance::ThemeSections draft=draft />
        }.into_any(),
        Part::Guide => view! {
            <crate::pages::welcome::Guide draft=draft shop=shop.clone() saved=status save_bar=ViewFn::from(save_bar) />
        }.into_any(),
    };
    view! {
        <div class="editor">
            <div class="editor-form">{form}</div>
            <div class="editor-preview">
                <Preview draft=draft shop=shop />
            </div>
        </div>
    }
}

#[component]
pub fn SaveBar(
    changes: Memo<Vec<String>>,
    problems: Memo<Vec<tally_core::rules::FieldProblem>>,
    status: RwSignal<Option<Result<(), ApiError>>>,
    saving: RwSignal<bool>,
    on_save: Callback<()>,
    on_discard: Callback<()>,
) -> impl IntoView {
    let console = use_console();
    view! {
        <section class="card savebar" aria-labelledby="changes-title">
            <h2 id="changes-title">{move || console.t("changes")}</h2>
            {move || {
                let list = changes.get();
                if list.is_empty() {
                    view! { <p class="muted">{console.t("no_changes")}</p> }.into_any()
                } else {
                    view! { <ul class="changes">{list.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul> }.into_any()
                }
            }}
            {move || {
                let list = problems.get();
                (!list.is_empty()).then(|| view! {
                    <div class="problems" role="alert">
                        <p><strong>{console.t("fix_problems")}</strong></p>
                        <ul>{list.into_iter().map(|p| view! { <li><code>{p.path}</code>": "{p.message}</li> }).collect_view()}</ul>
                    </div>
                })
            }}
            <p class="status" role="status">
                {move || match status.get() {
                    Some(Ok(())) => view! { <span class="ok">{console.t("saved")}</span> }.into_any(),
                    Some(Err(e)) => view! { <span class="error">{e.message(console.lang.get())}</span> }.into_any(),
                    None => ().into_any(),
                }}
            </p>
            <div class="actions">
                <button type="button" class="primary" id="save-program"
                    disabled=move || saving.get() || !problems.with(Vec::is_empty) || changes.with(Vec::is_empty)
                    on:click=move |_| on_save.run(())>
                    {move || if saving.get() { console.t("saving") } else { console.t("save") }}
                </button>
                <button type="button" class="secondary" disabled=move || changes.with(Vec::is_empty)
                    on:click=move |_| on_discard.run(())>{move || console.t("discard")}</button>
            </div>
        </section>
    }
}

#[component]
fn PointsSection(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let (s, set_s) = lens(
        draft,
        |d| d.rules.points.singular.clone(),
        |d, v| d.rules.points.singular = v,
    );
    let (p, set_p) = lens(
        draft,
        |d| d.rules.points.plural.clone(),
        |d, v| d.rules.points.plural = v,
    );
    view! {
        <fieldset class="card">
            <legend>{move || console.t("points_name")}</legend>
            <div class="grid2">
                <TextField label="singular" path="points.singular" value=s set=set_s />
                <TextField label="plural" path="points.plural" value=p set=set_p />
            </div>
            <ProblemText path="points" />
        </fieldset>
    }
}

macro_rules! item {
    ($draft:expr, $list:ident, $i:expr, |$r:ident| $get:expr, |$w:ident, $v:ident| $set:expr) => {{
        let i = $i;
        lens(
            $draft,
            move |d| d.rules.$list.get(i).map(|$r| $get).unwrap_or_default(),
            move |d, $v| {
                if let Some($w) = d.rules.$list.get_mut(i) {
                    $set;
                }
            },
        )
    }};
}

/// Limit controls for item `i` of a list (earn rules or rewards).
macro_rules! limit_fields {
    ($draft:expr, $list:ident, $i:expr, $prefix:expr, $console:expr) => {{
        let i = $i;
        let console = $console;
        let (on, set_on) = item!($draft, $list, i, |r| r.limit.is_some(), |r, v| r.limit = if v {
            Some(Limit { count: 1, per: LimitPeriod::Month })
        } else {
            None
        });
        let (count, set_count) = item!($draft, $list, i, |r| r.limit.map(|l| i64::from(l.count)), |r, v| {
            if let (Some(l), Some(v)) = (r.limit.as_mut(), v) {
                l.count = u32::try_from(v).unwrap_or(0);
            }
        });
        let (per, set_per) = item!($draft, $list, i, |r| r.limit.map(|l| l.per.to_string()).unwrap_or_default(), |r, v| {
            if let (Some(l), Some(p)) = (r.limit.as_mut(), v.parse::<LimitPeriod>().ok()) {
                l.per = p;
            }
        });
        let pers = Signal::derive(move || {
            ["day", "month", "year", "lifetime"]
                .iter()
                .map(|w| (w.to_string(), console.t(&format!("per_{w}")).to_owned()))
                .collect::<Vec<_>>()
        });
        let prefix: String = $prefix;
        let (pc, pp) = (format!("{prefix}.limit.count"), format!("{prefix}.limit.per"));
        view! {
            <CheckField label="limit" id=format!("{}-limit", crate::form::dom_id(&prefix)) value=on set=set_on />
            {move || on.get().then(|| view! {
                <div class="grid2">
                    <NumberField label="limit_count" path=pc.clone() value=count set=set_count min=0 max=i64::from(u32::MAX) />
                    <SelectField label="limit_per" path=pp.clone() options=pers value=per set=set_per />
                </div>
            })}
        }
    }};
}

#[component]
fn EarnSection(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let count = move || draft.with(|d| d.rules.earn_rules.len());
    let add = move |_| {
        draft.update(|d| {
            let n = d.rules.earn_rules.len() + 1;
            d.rules.earn_rules.push(EarnRule {
                id: format!("custom-{n}"),
                kind: EarnRuleKind::Custom,
                title: String::new(),
                points_per_unit: None,
                points: Some(10),
                limit: None,
            })
        })
    };
    let kinds = kind_options(
        &["purchase", "signup", "birthday", "referral", "custom"],
        console,
    );
    view! {
        <fieldset class="card">
            <legend>{move || console.t("earn_rules")}</legend>
            <p class="muted">{move || console.t("welcome_earn")}</p>
            <ProblemText path="earn_rules" />
            <For each=move || 0..count() key=|i| *i let:i>
                {
                    let at = format!("earn_rules[{i}]");
                    let (id, set_id) = item!(draft, earn_rules, i, |r| r.id.clone(), |r, v| r.id = v);
                    let (title, set_title) = item!(draft, earn_rules, i, |r| r.title.clone(), |r, v| r.title = v);
                    let (kind, set_kind) = item!(draft, earn_rules, i, |r| r.kind.to_string(), |r, v| {
                        if let Ok(k) = v.parse::<EarnRuleKind>() {
                            r.kind = k;
                            if k == EarnRuleKind::Purchase {
                                r.points_per_unit = r.points_per_unit.or(Some(1));
                                r.points = None;
                            } else {
                                r.points = r.points.or(Some(10));
                                r.points_per_unit = None;
                            }
                        }
                    });
                    let is_purchase = Signal::derive(move || kind.get() == "purchase");
                    let (ppu, set_ppu) = item!(draft, earn_rules, i, |r| r.points_per_unit, |r, v| r.points_per_unit = v);
                    let (pts, set_pts) = item!(draft, earn_rules, i, |r| r.points, |r, v| r.points = v);
                    let is_custom = move || kind.get() == "custom";
                    let remove = move |_| draft.update(|d| { if i < d.rules.earn_rules.len() { d.rules.earn_rules.remove(i); } });
                    let a2 = at.clone();
                    let a3 = at.clone();
                    view! {
                        <div class="item" role="group" aria-label=move || format!("{} {}", console.t("earn_rules"), i + 1)>
                            <div class="grid3">
                                <TextField label="title" path=format!("{at}.title") value=title set=set_title />
                                <SelectField label="kind" path=format!("{at}.kind") options=kinds value=kind set=set_kind />
                                <TextField label="id" path=format!("{at}.id") value=id set=set_id />
                            </div>
                            {move || if is_purchase.get() {
                                view! { <NumberField label="points_per_unit" path=format!("{a2}.points_per_unit") value=ppu set=set_ppu min=0 /> }.into_any()
                            } else {
                                view! { <NumberField label="points" path=format!("{a2}.points") value=pts set=set_pts min=0 /> }.into_any()
                            }}
                            {move || is_custom().then(|| limit_fields!(draft, earn_rules, i, a3.clone(), console))}
                            <ProblemText path=at.clone() />
                            <button type="button" class="link danger" on:click=remove>{move || console.t("remove")}</button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="secondary" on:click=add>{move || format!("{} · {}", console.t("add"), console.t("earn_rules"))}</button>
        </fieldset>
    }
}

#[component]
fn TierSection(draft: RwSignal<ProgramUpdate>, currency: String) -> impl IntoView {
    let console = use_console();
    let count = move || draft.with(|d| d.rules.tiers.len());
    let add = move |_| {
        draft.update(|d| {
            let top = d
                .rules
                .tiers
                .iter()
                .filter_map(|t| t.threshold)
                .max()
                .unwrap_or(-1);
            let n = d.rules.tiers.len() + 1;
            d.rules.tiers.push(Tier {
                id: format!("tier-{n}"),
                name: String::new(),
                threshold: Some(if top < 0 { 0 } else { top + 1000 }),
                earn_multiplier: 1.0,
                benefits: Vec::new(),
                paid: None,
            })
        })
    };
    let (metric, set_metric) = lens(
        draft,
        |d| d.rules.tier_metric.to_string(),
        |d, v| {
            if let Ok(m) = v.parse::<TierMetric>() {
                d.rules.tier_metric = m;
            }
        },
    );
    let metrics = Signal::derive(move || {
        vec![
            ("spend".to_owned(), console.t("metric_spend").to_owned()),
            ("points".to_owned(), console.t("metric_points").to_owned()),
        ]
    });
    view! {
        <fieldset class="card">
            <legend>{move || console.t("tiers")}</legend>
            <SelectField label="tier_metric" path="tier_metric" options=metrics value=metric set=set_metric />
            <p class="muted">{format!("{}: {currency}", console.t("currency"))}</p>
            <ProblemText path="tiers" />
            <For each=move || 0..count() key=|i| *i let:i>
                {
                    let at = format!("tiers[{i}]");
                    let (id, set_id) = item!(draft, tiers, i, |t| t.id.clone(), |t, v| t.id = v);
                    let (name, set_name) = item!(draft, tiers, i, |t| t.name.clone(), |t, v| t.name = v);
                    let (threshold, set_threshold) = item!(draft, tiers, i, |t| t.threshold, |t, v| t.threshold = v);
                    let (mult, set_mult) = item!(draft, tiers, i, |t| t.earn_multiplier, |t, v| t.earn_multiplier = v);
                    let (benefits, set_benefits) = item!(draft, tiers, i, |t| t.benefits.join("\n"), |t, v| {
                        t.benefits = v.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
                    });
                    let (paid, set_paid) = item!(draft, tiers, i, |t| t.paid.is_some(), |t, v| t.paid = v.then(|| PaidTier {
                        price_minor: 1000,
                        period_days: 365,
                        purchase_url: "https://".to_owned(),
                    }));
                    let (price, set_price) = item!(draft, tiers, i, |t| t.paid.as_ref().map(|p| p.price_minor), |t, v| {
                        if let (Some(p), Some(v)) = (t.paid.as_mut(), v) { p.price_minor = v; }
                    });
                    let (period, set_period) = item!(draft, tiers, i, |t| t.paid.as_ref().map(|p| i64::from(p.period_days)), |t, v| {
                        if let (Some(p), Some(v)) = (t.paid.as_mut(), v) { p.period_days = u32::try_from(v).unwrap_or(0); }
                    });
                    let (url, set_url) = item!(draft, tiers, i, |t| t.paid.as_ref().map(|p| p.purchase_url.clone()).unwrap_or_default(), |t, v| {
                        if let Some(p) = t.paid.as_mut() { p.purchase_url = v; }
                    });
                    let remove = move |_| draft.update(|d| { if i < d.rules.tiers.len() { d.rules.tiers.remove(i); } });
                    let a2 = at.clone();
                    view! {
                        <div class="item" role="group" aria-label=move || format!("{} {}", console.t("tiers"), i + 1)>
                            <div class="grid3">
                                <TextField label="name" path=format!("{at}.name") value=name set=set_name />
                                <NumberField label="threshold" path=format!("{at}.threshold") value=threshold set=set_threshold optional=true />
                                <DecimalField label="multiplier" path=format!("{at}.earn_multiplier") value=mult set=set_mult />
                            </div>
                            <div class="grid2">
                                <TextField label="benefits" path=format!("{at}.benefits") value=benefits set=set_benefits multiline=true />
                                <TextField label="id" path=format!("{at}.id") value=id set=set_id />
                            </div>
                            <CheckField label="paid_tier" id=format!("tiers-{i}-paid") value=paid set=set_paid />
                            {move || paid.get().then(|| view! {
                                <div class="grid3">
                                    <NumberField label="price_minor" path=format!("{a2}.paid.price_minor") value=price set=set_price />
                                    <NumberField label="period_days" path=format!("{a2}.paid.period_days") value=period set=set_period min=0 max=i64::from(u32::MAX) />
                                    <TextField label="purchase_url" path=format!("{a2}.paid.purchase_url") value=url set=set_url input_type="url" />
                                </div>
                            })}
                            <ProblemText path=at.clone() />
                            <button type="button" class="link danger" on:click=remove>{move || console.t("remove")}</button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="secondary" on:click=add>{move || format!("{} · {}", console.t("add"), console.t("tiers"))}</button>
        </fieldset>
    }
}

#[component]
fn RewardSection(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let count = move || draft.with(|d| d.rules.rewards.len());
    let add = move |_| {
        draft.update(|d| {
            let n = d.rules.rewards.len() + 1;
            d.rules.rewards.push(Reward {
                id: format!("reward-{n}"),
                name: String::new(),
                description: String::new(),
                kind: RewardKind::FixedDiscount,
                value: Some(500),
                points_cost: 100,
                min_tier: None,
                product_id: None,
                code_valid_days: None,
                limit: None,
            })
        })
    };
    let kinds = kind_options(
        &[
            "fixed_discount",
            "percent_discount",
            "free_shipping",
            "free_product",
        ],
        console,
    );
    let tiers = Signal::derive(move || {
        let mut list = vec![(String::new(), console.t("any_tier").to_owned())];
        draft.with(|d| list.extend(d.rules.tiers.iter().map(|t| (t.id.clone(), t.name.clone()))));
        list
    });
    view! {
        <fieldset class="card">
            <legend>{move || console.t("rewards")}</legend>
            <ProblemText path="rewards" />
            <For each=move || 0..count() key=|i| *i let:i>
                {
                    let at = format!("rewards[{i}]");
                    let (id, set_id) = item!(draft, rewards, i, |r| r.id.clone(), |r, v| r.id = v);
                    let (name, set_name) = item!(draft, rewards, i, |r| r.name.clone(), |r, v| r.name = v);
                    let (desc, set_desc) = item!(draft, rewards, i, |r| r.description.clone(), |r, v| r.description = v);
                    let (kind, set_kind) = item!(draft, rewards, i, |r| r.kind.to_string(), |r, v| {
                        if let Ok(k) = v.parse::<RewardKind>() {
                            r.kind = k;
                            r.value = match k {
                                RewardKind::FixedDiscount => r.value.or(Some(500)),
                                RewardKind::PercentDiscount => Some(r.value.unwrap_or(10).clamp(1, 100)),
                                _ => None,
                            };
                        }
                    });
                    let (value, set_value) = item!(draft, rewards, i, |r| r.value, |r, v| r.value = v);
                    let (cost, set_cost) = item!(draft, rewards, i, |r| Some(r.points_cost), |r, v| r.points_cost = v.unwrap_or(0));
                    let (min_tier, set_min_tier) = item!(draft, rewards, i, |r| r.min_tier.clone().unwrap_or_default(), |r, v| r.min_tier = (!v.is_empty()).then_some(v));
                    let (product, set_product) = item!(draft, rewards, i, |r| r.product_id.clone().unwrap_or_default(), |r, v| r.product_id = (!v.is_empty()).then_some(v));
                    let (valid, set_valid) = item!(draft, rewards, i, |r| r.code_valid_days.map(i64::from), |r, v| r.code_valid_days = v.map(|v| u32::try_from(v).unwrap_or(0)));
                    let has_value = Signal::derive(move || matches!(kind.get().as_str(), "fixed_discount" | "percent_discount"));
                    let is_product = Signal::derive(move || kind.get() == "free_product");
                    let remove = move |_| draft.update(|d| { if i < d.rules.rewards.len() { d.rules.rewards.remove(i); } });
                    let (a2, a3, a4) = (at.clone(), at.clone(), at.clone());
                    view! {
                        <div class="item" role="group" aria-label=move || format!("{} {}", console.t("rewards"), i + 1)>
                            <div class="grid3">
                                <TextField label="name" path=format!("{at}.name") value=name set=set_name />
                                <SelectField label="kind" path=format!("{at}.kind") options=kinds value=kind set=set_kind />
                                <NumberField label="points_cost" path=format!("{at}.points_cost") value=cost set=set_cost />
                            </div>
                            <div class="grid3">
                                {move || has_value.get().then(|| view! { <NumberField label="value" path=format!("{a2}.value") value=value set=set_value /> })}
                                {move || is_product.get().then(|| view! { <TextField label="product_id" path=format!("{a3}.product_id") value=product set=set_product /> })}
                                <SelectField label="min_tier" path=format!("{at}.min_tier") options=tiers value=min_tier set=set_min_tier />
                                <NumberField label="code_valid_days" path=format!("{at}.code_valid_days") value=valid set=set_valid optional=true min=0 max=i64::from(u32::MAX) />
                            </div>
                            <div class="grid2">
                                <TextField label="description" path=format!("{at}.description") value=desc set=set_desc />
                                <TextField label="id" path=format!("{at}.id") value=id set=set_id />
                            </div>
                            {limit_fields!(draft, rewards, i, a4.clone(), console)}
                            <ProblemText path=at.clone() />
                            <button type="button" class="link danger" on:click=remove>{move || console.t("remove")}</button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="secondary" on:click=add>{move || format!("{} · {}", console.t("add"), console.t("rewards"))}</button>
        </fieldset>
    }
}

#[component]
fn ReferralSection(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let (adv, set_adv) = lens(
        draft,
        |d| Some(d.rules.referral.advocate_points),
        |d, v| d.rules.referral.advocate_points = v.unwrap_or(0),
    );
    let (friend, set_friend) = lens(
        draft,
        |d| Some(d.rules.referral.friend_points),
        |d, v| d.rules.referral.friend_points = v.unwrap_or(0),
    );
    let (url, set_url) = lens(
        draft,
        |d| d.rules.referral.landing_url.clone(),
        |d, v| d.rules.referral.landing_url = v,
    );
    let (max, set_max) = lens(
        draft,
        |d| d.rules.referral.max_per_week.map(i64::from),
        |d, v| d.rules.referral.max_per_week = v.map(|v| u32::try_from(v).unwrap_or(u32::MAX)),
    );
    view! {
        <fieldset class="card">
            <legend>{move || console.t("referrals")}</legend>
            <div class="grid2">
                <NumberField label="advocate_points" path="referral.advocate_points" value=adv set=set_adv />
                <NumberField label="friend_points" path="referral.friend_points" value=friend set=set_friend />
                <TextField label="landing_url" path="referral.landing_url" value=url set=set_url input_type="url" />
                <NumberField label="max_per_week" path="referral.max_per_week" value=max set=set_max optional=true min=0 max=i64::from(u32::MAX) />
            </div>
            <ProblemText path="referral" />
        </fieldset>
    }
}

#[component]
fn ExpirySection(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let (days, set_days) = lens(
        draft,
        |d| d.rules.points_expiry_days.map(i64::from),
        |d, v| d.rules.points_expiry_days = v.map(|v| u32::try_from(v).unwrap_or(0)),
    );
    let (refund, set_refund) = lens(
        draft,
        |d| d.rules.refund_expired_codes,
        |d, v| d.rules.refund_expired_codes = v,
    );
    view! {
        <fieldset class="card">
            <legend>{move || console.t("expiry")}</legend>
            <NumberField label="expiry_days" path="points_expiry_days" value=days set=set_days optional=true min=0 max=i64::from(u32::MAX) />
            <CheckField label="refund_expired_codes" id="refund-expired-codes" value=refund set=set_refund />
        </fieldset>
    }
}

#[component]
fn FeedbackSection(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let (on, set_on) = lens(
        draft,
        |d| d.rules.feedback.is_some(),
        |d, v| {
            d.rules.feedback = v.then_some(FeedbackProgram {
                points: 25,
                cooldown_days: 90,
                question: None,
            })
        },
    );
    let (pts, set_pts) = lens(
        draft,
        |d| d.rules.feedback.as_ref().map(|f| f.points),
        |d, v| {
            if let (Some(f), Some(v)) = (d.rules.feedback.as_mut(), v) {
                f.points = v;
            }
        },
    );
    let (cool, set_cool) = lens(
        draft,
        |d| {
            d.rules
                .feedback
                .as_ref()
                .map(|f| i64::from(f.cooldown_days))
        },
        |d, v| {
            if let (Some(f), Some(v)) = (d.rules.feedback.as_mut(), v) {
                f.cooldown_days = u32::try_from(v).unwrap_or(0);
            }
        },
    );
    let (q, set_q) = lens(
        draft,
        |d| {
            d.rules
                .feedback
                .as_ref()
                .and_then(|f| f.question.clone())
                .unwrap_or_default()
        },
        |d, v| {
            if let Some(f) = d.rules.feedback.as_mut() {
                f.question = (!v.is_empty()).then_some(v);
            }
        },
    );
    view! {
        <fieldset class="card">
            <legend>{move || console.t("feedback")}</legend>
            <CheckField label="feedback_on" id="feedback-on" value=on set=set_on />
            {move || on.get().then(|| view! {
                <div class="grid2">
                    <NumberField label="points" path="feedback.points" value=pts set=set_pts />
                    <NumberField label="cooldown_days" path="feedback.cooldown_days" value=cool set=set_cool min=0 max=i64::from(u32::MAX) />
                </div>
                <TextField label="question" path="feedback.question" value=q set=set_q />
            })}
        </fieldset>
    }
}

#[component]
pub fn OriginSection(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    let console = use_console();
    let count = move || draft.with(|d| d.allowed_origins.len());
    view! {
        <fieldset class="card">
            <legend>{move || console.t("origins")}</legend>
            <For each=move || 0..count() key=|i| *i let:i>
                {
                    let (o, set_o) = lens(draft, move |d| d.allowed_origins.get(i).cloned().unwrap_or_default(), move |d, v| {
                        if let Some(o) = d.allowed_origins.get_mut(i) { *o = v; }
                    });
                    let remove = move |_| draft.update(|d| { if i < d.allowed_origins.len() { d.allowed_origins.remove(i); } });
                    view! {
                        <div class="row">
                            <TextField label="origin" path=format!("allowed_origins[{i}]") value=o set=set_o input_type="url" />
                            <button type="button" class="link danger" on:click=remove>{move || console.t("remove")}</button>
                        </div>
                    }
                }
            </For>
            <button type="button" class="secondary" on:click=move |_| draft.update(|d| d.allowed_origins.push("https://".to_owned()))>
                {move || format!("{} · {}", console.t("add"), console.t("origin"))}
            </button>
        </fieldset>
    }
}

/// The real widget in a same-origin frame, showing the unsaved program.
#[component]
pub fn Preview(draft: RwSignal<ProgramUpdate>, shop: Shop) -> impl IntoView {
    let console = use_console();
    let member = RwSignal::new(true);
    let balance = RwSignal::new(Some(350_i64));
    let frame = NodeRef::<leptos::html::Iframe>::new();
    // The frame (preview.html) intercepts the widget's calls on purpose: it answers `…/program` with the
    // unsaved program and `…/me` with this sample shopper, so the preview never touches real data.
    let message = Memo::new(move |_| {
        let rules = draft.with(|d| d.rules.clone());
        let spend = rules.tiers.get(1).and_then(|t| t.threshold).unwrap_or(0);
        let b = balance.get().unwrap_or(0);
        let me = member
            .get()
            .then(|| sample_member(&rules, b, b.max(spend), spend));
        let program = Program {
            shop: shop.clone(),
            rules,
        };
        serde_json::json!({ "tally_preview": { "program": program, "me": me } }).to_string()
    });
    let post = move || {
        let Some(frame) = frame.get_untracked() else {
            return;
        };
        if let Some(win) = frame.content_window() {
            let data = wasm_bindgen::JsValue::from_str(&message.get_untracked());
            let origin = window().location().origin().unwrap_or_default();
            let _ = win.post_message(&data, &origin);
        }
    };
    Effect::new(move |_| {
        message.track();
        post();
    });
    let (b, set_b) = (
        Signal::derive(move || balance.get()),
        Callback::new(move |v| balance.set(v)),
    );
    view! {
        <section class="card preview" aria-labelledby="preview-title">
            <h2 id="preview-title">{move || console.t("preview")}</h2>
            <div class="segmented" role="group" aria-label=move || console.t("preview")>
                <button type="button" aria-pressed=move || member.get().to_string() on:click=move |_| member.set(true)>{move || console.t("preview_member")}</button>
                <button type="button" aria-pressed=move || (!member.get()).to_string() on:click=move |_| member.set(false)>{move || console.t("preview_guest")}</button>
            </div>
            {move || member.get().then(|| view! { <NumberField label="preview_balance" path="preview.balance" value=b set=set_b min=0 /> })}
            <p class="muted">{move || console.t("preview_note")}</p>
            <iframe node_ref=frame src="/console/preview.html" title=move || console.t("preview") on:load=move |_| post()></iframe>
        </section>
    }
}

/// The guide's steps: the editor's sections, one or two at a time.
#[component]
pub fn EarnStep(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    view! { <PointsSection draft=draft /><EarnSection draft=draft /> }
}

#[component]
pub fn TierStep(draft: RwSignal<ProgramUpdate>, currency: String) -> impl IntoView {
    view! { <TierSection draft=draft currency=currency /> }
}

#[component]
pub fn RewardStep(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    view! { <RewardSection draft=draft /> }
}

#[component]
pub fn ReferralExpiryStep(draft: RwSignal<ProgramUpdate>) -> impl IntoView {
    view! { <ReferralSection draft=draft /><ExpirySection draft=draft /> }
}
