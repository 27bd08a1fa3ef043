//! The till: find a shopper by phone, record an in-store order, award an activity, take a code, enrol by
//! phone. One column with big touch targets: a clerk works it on a phone or a tablet.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use tally_core::api::{
    ActivityRequest, CustomerUpdate, EarnRule, EarnRuleKind, OrderChannel, OrderRequest, Program,
};

use crate::api::{encode, ApiError};
use crate::i18n::Row;
use crate::ops::{self, new_id, parse_minor, MoneyProblem};
use crate::pages::codes::CodeDesk;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[
    ("till_find", ["Find a shopper", "Kundschaft finden", "Trouver un client", "Buscar un cliente", "Müşteri bul", "البحث عن عميل"]),
    ("till_phone", ["Phone number", "Telefonnummer", "Numéro de téléphone", "Número de teléfono", "Telefon numarası", "رقم الهاتف"]),
    ("till_phone_hint", ["Type it as the shopper says it; spaces, dashes and brackets are fine.", "So eingeben, wie die Person sie nennt; Leerzeichen, Striche und Klammern sind in Ordnung.", "Saisissez-le comme le client le dicte ; espaces, tirets et parenthèses acceptés.", "Escríbelo como lo dice el cliente; espacios, guiones y paréntesis valen.", "Müşterinin söylediği gibi yazın; boşluk, tire ve parantez sorun değil.", "اكتبه كما يقوله العميل؛ المسافات والشرطات والأقواس مقبولة."]),
    ("till_search", ["Find", "Suchen", "Rechercher", "Buscar", "Bul", "بحث"]),
    ("till_no_one", ["No shopper has this phone yet.", "Noch niemand hat diese Telefonnummer.", "Aucun client n'a encore ce numéro.", "Ningún cliente tiene aún este teléfono.", "Bu telefona sahip bir müşteri henüz yok.", "لا يوجد عميل بهذا الرقم بعد."]),
    ("till_enrol", ["Enrol with this phone", "Mit dieser Nummer anmelden", "Inscrire avec ce numéro", "Registrar con este teléfono", "Bu telefonla kaydet", "تسجيل بهذا الرقم"]),
    ("till_first_name", ["First name (optional)", "Vorname (optional)", "Prénom (facultatif)", "Nombre (opcional)", "Ad (isteğe bağlı)", "الاسم الأول (اختياري)"]),
    ("till_enrolled", ["Enrolled. Welcome to the program!", "Angemeldet. Willkommen im Programm!", "Inscrit. Bienvenue dans le programme !", "Registrado. ¡Bienvenido al programa!", "Kaydedildi. Programa hoş geldiniz!", "تم التسجيل. مرحبًا بك في البرنامج!"]),
    ("till_shopper", ["At the counter", "An der Kasse", "Au comptoir", "En el mostrador", "Kasada", "عند نقطة البيع"]),
    ("till_balance", ["Balance", "Punktestand", "Solde", "Saldo", "Bakiye", "الرصيد"]),
    ("till_tier", ["Tier", "Stufe", "Niveau", "Nivel", "Seviye", "المستوى"]),
    ("till_open_customer", ["Open the customer's page", "Kundenseite öffnen", "Ouvrir la fiche client", "Abrir la ficha del cliente", "Müşteri sayfasını aç", "فتح صفحة العميل"]),
    ("till_next_shopper", ["Next shopper", "Nächste Person", "Client suivant", "Siguiente cliente", "Sıradaki müşteri", "العميل التالي"]),
    ("till_order", ["Record an order", "Einkauf erfassen", "Enregistrer un achat", "Registrar una compra", "Sipariş kaydet", "تسجيل طلب"]),
    ("till_total", ["Total", "Summe", "Total", "Total", "Toplam", "الإجمالي"]),
    ("till_total_hint", ["The amount paid, e.g. 12.50", "Der bezahlte Betrag, z. B. 12,50", "Le montant payé, par ex. 12,50", "El importe pagado, p. ej. 12,50", "Ödenen tutar, ör. 12,50", "المبلغ المدفوع، مثل 12.50"]),
    ("till_record", ["Record the order", "Einkauf buchen", "Enregistrer", "Registrar la compra", "Siparişi kaydet", "تسجيل الطلب"]),
    ("till_earned", ["points earned with this order. New balance:", "Punkte mit diesem Einkauf gesammelt. Neuer Stand:", "points gagnés avec cet achat. Nouveau solde :", "puntos ganados con esta compra. Nuevo saldo:", "puan bu siparişle kazanıldı. Yeni bakiye:", "نقطة مكتسبة بهذا الطلب. الرصيد الجديد:"]),
    ("till_money_empty", ["Type the total paid.", "Geben Sie die bezahlte Summe ein.", "Saisissez le total payé.", "Escribe el total pagado.", "Ödenen toplamı yazın.", "اكتب المبلغ المدفوع."]),
    ("till_money_nan", ["Type the total as a number, e.g. 12.50, without a currency sign.", "Geben Sie die Summe als Zahl ein, z. B. 12,50, ohne Währungszeichen.", "Saisissez le total en chiffres, par ex. 12,50, sans symbole monétaire.", "Escribe el total como número, p. ej. 12,50, sin símbolo de moneda.", "Toplamı sayı olarak yazın, ör. 12,50, para birimi işareti olmadan.", "اكتب المبلغ رقمًا، مثل 12.50، بدون رمز العملة."]),
    ("till_money_precise", ["Too many digits after the decimal point for this currency; allowed:", "Zu viele Nachkommastellen für diese Währung; erlaubt:", "Trop de décimales pour cette devise ; autorisées :", "Demasiados decimales para esta moneda; permitidos:", "Bu para birimi için ondalık basamak fazla; izin verilen:", "أرقام عشرية كثيرة لهذه العملة؛ المسموح:"]),
    ("till_money_large", ["That total is too large.", "Diese Summe ist zu groß.", "Ce total est trop élevé.", "Ese total es demasiado grande.", "Bu toplam çok büyük.", "هذا المبلغ كبير جدًا."]),
    ("till_award", ["Award an activity", "Aktion gutschreiben", "Attribuer une action", "Otorgar una actividad", "Etkinlik puanı ver", "منح نقاط نشاط"]),
    ("till_no_activities", ["The program has no activities to award at the counter.", "Das Programm hat keine Aktionen für die Kasse.", "Le programme n'a aucune action à attribuer au comptoir.", "El programa no tiene actividades para otorgar en el mostrador.", "Programda kasada verilecek etkinlik yok.", "لا يحتوي البرنامج على أنشطة تُمنح عند نقطة البيع."]),
    ("till_awarded", ["points awarded. New balance:", "Punkte gutgeschrieben. Neuer Stand:", "points attribués. Nouveau solde :", "puntos otorgados. Nuevo saldo:", "puan verildi. Yeni bakiye:", "نقطة مُنحت. الرصيد الجديد:"]),
];

/// The shopper being served.
#[derive(Clone, PartialEq)]
struct Shopper {
    id: String,
    name: Option<String>,
    phone: Option<String>,
    balance: i64,
    tier: Option<String>,
}

/// What a money problem says, in the page's words.
fn money_message(problem: MoneyProblem, t: impl Fn(&str) -> &'static str) -> String {
    match problem {
        MoneyProblem::Empty => t("till_money_empty").to_owned(),
        MoneyProblem::NotANumber => t("till_money_nan").to_owned(),
        MoneyProblem::TooPrecise(n) => format!("{} {n}", t("till_money_precise")),
        MoneyProblem::TooLarge => t("till_money_large").to_owned(),
    }
}

/// The earn rules a clerk may award at the counter.
fn counter_rules(program: &Program) -> Vec<EarnRule> {
    program
        .rules
        .earn_rules
        .iter()
        .filter(|r| matches!(r.kind, EarnRuleKind::Custom | EarnRuleKind::Birthday))
        .cloned()
        .collect()
}

#[component]
pub fn Counter() -> impl IntoView {
    let console = use_console();
    let program = RwSignal::new(None::<Program>);
    let error = RwSignal::new(None::<String>);
    let phone = RwSignal::new(String::new());
    let shopper = RwSignal::new(None::<Shopper>);
    let not_found = RwSignal::new(false);
    let first_name = RwSignal::new(String::new());
    // The id an enrolment will use: made once per enrolment intended, so a retry enrols once.
    let enrol_id = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let last_order = RwSignal::new(None::<String>);

    let shop = console.shop_id_untracked();
    spawn_local(async move {
        match crate::api::program(&shop).await {
            Ok(p) => {
                console.shop_locale(&p.shop.locale);
                program.set(Some(p));
            }
            Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
        }
    });

    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = phone.get_untracked();
        if ops::digits(&typed).is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        notice.set(None);
        let shop = console.shop_id_untracked();
        spawn_local(async move {
            match ops::find_by_phone(&shop, &typed).await {
                Ok(Some(c)) => {
                    error.set(None);
                    not_found.set(false);
                    shopper.set(Some(Shopper {
                        id: c.customer_id,
                        name: c.first_name,
                        phone: c.phone,
                        balance: c.balance,
                        tier: c.tier.map(|t| t.name),
                    }));
                }
                Ok(None) => {
                    error.set(None);
                    shopper.set(None);
                    not_found.set(true);
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };

    let enrol = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let id = enrol_id
            .get_untracked()
            .unwrap_or_else(|| new_id("counter"));
        enrol_id.set(Some(id.clone()));
        let name = first_name.get_untracked().trim().to_owned();
        let update = CustomerUpdate {
            phone: Some(phone.get_untracked()),
            first_name: (!name.is_empty()).then_some(name),
            ..CustomerUpdate::default()
        };
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::update_customer(&shop, &csrf, &id, &update).await {
                Ok(me) => {
                    error.set(None);
                    not_found.set(false);
                    enrol_id.set(None);
                    first_name.set(String::new());
                    notice.set(Some(console.t("till_enrolled").to_owned()));
                    shopper.set(Some(Shopper {
                        id: me.customer_id,
                        name: me.first_name,
                        phone: update.phone,
                        balance: me.balance,
                        tier: me.tier.map(|t| t.name),
                    }));
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };

    // The forms below are made once per shopper: a new balance must not reset what they show.
    let shopper_id = Memo::new(move |_| shopper.with(|s| s.as_ref().map(|s| s.id.clone())));

    let next_shopper = move |_| {
        shopper.set(None);
        not_found.set(false);
        notice.set(None);
        error.set(None);
        last_order.set(None);
        phone.set(String::new());
    };

    view! {
        <div class="till">
            <h1>{move || console.t("nav_counter")}</h1>
            <p class="error" role="alert">{move || error.get()}</p>
            <p class="status ok" role="status">{move || notice.get()}</p>
            {move || shopper_id.get().is_none().then(|| view! {
                <section class="card desk" aria-labelledby="till-find-title">
                    <h2 id="till-find-title">{move || console.t("till_find")}</h2>
                    <form class="stack" on:submit=find>
                        <div class="field">
                            <label for="till-phone">{move || console.t("till_phone")}</label>
                            <input id="till-phone" type="tel" class="big" autocomplete="off" inputmode="tel" dir="ltr"
                                aria-describedby="till-phone-hint"
                                prop:value=move || phone.get() on:input=move |ev| { phone.set(event_target_value(&ev)); not_found.set(false); } />
                            <p class="muted hint" id="till-phone-hint">{move || console.t("till_phone_hint")}</p>
                        </div>
                        <button type="submit" class="primary big" id="till-find" disabled=move || busy.get()>{move || console.t("till_search")}</button>
                    </form>
                    {move || not_found.get().then(|| view! {
                        <form class="stack enrol" on:submit=enrol>
                            <p class="warn">{move || console.t("till_no_one")}</p>
                            <div class="field">
                                <label for="till-first-name">{move || console.t("till_first_name")}</label>
                                <input id="till-first-name" type="text" class="big" autocomplete="off"
                                    prop:value=move || first_name.get() on:input=move |ev| first_name.set(event_target_value(&ev)) />
                            </div>
                            <button type="submit" class="big" id="till-enrol" disabled=move || busy.get()>{move || console.t("till_enrol")}</button>
                        </form>
                    })}
                </section>
            })}
            {move || shopper_id.get().map(|id| {
                let s = shopper.get_untracked();
                let name = s.as_ref().and_then(|s| s.name.clone()).unwrap_or_else(|| id.clone());
                let phone_text = s.as_ref().and_then(|s| s.phone.clone()).unwrap_or_default();
                let tier = s.as_ref().and_then(|s| s.tier.clone());
                let href = format!("/console/customers/{}", encode(&id));
                view! {
                    <section class="card desk shopper" aria-labelledby="till-shopper-title">
                        <h2 id="till-shopper-title">{move || console.t("till_shopper")}</h2>
                        <p class="shopper-name">{name}</p>
                        <p class="muted"><bdi>{phone_text}</bdi></p>
                        <dl class="facts">
                            <dt>{move || console.t("till_balance")}</dt>
                            <dd id="till-balance">{move || shopper.with(|s| s.as_ref().map(|s| s.balance))}</dd>
                            <dt>{move || console.t("till_tier")}</dt>
                            <dd>{move || tier.clone().unwrap_or_else(|| console.t("none").to_owned())}</dd>
                        </dl>
                        <div class="actions">
                            <A href=href attr:class="button-link">{move || console.t("till_open_customer")}</A>
                            <button type="button" class="big" id="till-next" on:click=next_shopper>{move || console.t("till_next_shopper")}</button>
                        </div>
                    </section>
                    <OrderForm shopper=shopper program=program last_order=last_order />
                    <AwardForm shopper=shopper program=program />
                }
            })}
            <CodeDesk last_order=Signal::derive(move || last_order.get()) shopper=Signal::derive(move || shopper_id.get()) />
        </div>
    }
}

/// Records an in-store order for the shopper at the counter and says what it earned.
#[component]
fn OrderForm(
    /// The shopper served; their balance follows the order.
    shopper: RwSignal<Option<Shopper>>,
    /// The shop's program (its currency).
    program: RwSignal<Option<Program>>,
    /// The last order recorded, offered to the code desk.
    last_order: RwSignal<Option<String>>,
) -> impl IntoView {
    let console = use_console();
    let total = RwSignal::new(String::new());
    // The order id is made when the order is intended and kept for its retries (orders are once per id).
    let order_id = RwSignal::new(new_id("pos"));
    let problem = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let earned = RwSignal::new(None::<(i64, i64)>);
    let busy = RwSignal::new(false);
    let currency = move || {
        program.with(|p| {
            p.as_ref()
                .map(|p| p.shop.currency.clone())
                .unwrap_or_default()
        })
    };
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(customer_id) = shopper.with_untracked(|s| s.as_ref().map(|s| s.id.clone())) else {
            return;
        };
        let currency = program.with_untracked(|p| p.as_ref().map(|p| p.shop.currency.clone()));
        let Some(currency) = currency else { return };
        let total_minor = match parse_minor(&total.get_untracked(), &currency) {
            Ok(minor) => minor,
            Err(p) => {
                problem.set(Some(money_message(p, |k| console.t(k))));
                return;
            }
        };
        problem.set(None);
        let id = order_id.get_untracked().trim().to_owned();
        let order = OrderRequest {
            order_id: id.clone(),
            customer_id,
            total_minor,
            currency,
            referral_code: None,
            channel: OrderChannel::Pos,
        };
        busy.set(true);
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::record_order(&shop, &csrf, &order).await {
                Ok(result) => {
                    error.set(None);
                    earned.set(Some((result.points_awarded, result.balance)));
                    shopper.update(|s| {
                        if let Some(s) = s {
                            s.balance = result.balance;
                        }
                    });
                    last_order.set(Some(id));
                    total.set(String::new());
                    order_id.set(new_id("pos"));
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card desk" aria-labelledby="till-order-title">
            <h2 id="till-order-title">{move || console.t("till_order")}</h2>
            <form class="stack" on:submit=record novalidate>
                <div class="field">
                    <label for="till-total">{move || format!("{} ({})", console.t("till_total"), currency())}</label>
                    <input id="till-total" type="text" class="big" inputmode="decimal" autocomplete="off" dir="ltr"
                        aria-describedby="till-total-hint till-total-problem" aria-invalid=move || problem.with(Option::is_some).to_string()
                        prop:value=move || total.get() on:input=move |ev| { total.set(event_target_value(&ev)); problem.set(None); earned.set(None); } />
                    <p class="muted hint" id="till-total-hint">{move || console.t("till_total_hint")}</p>
                    <p class="problem" id="till-total-problem">{move || problem.get()}</p>
                </div>
                <div class="field">
                    <label for="till-order-id">{move || console.t("codes_order_id")}</label>
                    <input id="till-order-id" type="text" class="big" autocomplete="off" dir="ltr" required
                        prop:value=move || order_id.get() on:input=move |ev| order_id.set(event_target_value(&ev)) />
                </div>
                <button type="submit" class="primary big" id="till-record" disabled=move || busy.get()>{move || console.t("till_record")}</button>
            </form>
            <p class="error" role="alert">{move || error.get()}</p>
            <p class="status earned" role="status" id="till-earned">{move || earned.get().map(|(points, balance)| view! {
                <strong class="earned-points">{format!("+{points}")}</strong>" "{console.t("till_earned")}" "<strong>{balance}</strong>
            })}</p>
        </section>
    }
}

/// Awards one of the program's counter activities (custom or birthday rules).
#[component]
fn AwardForm(
    /// The shopper served; their balance follows the award.
    shopper: RwSignal<Option<Shopper>>,
    /// The shop's program (its earn rules).
    program: RwSignal<Option<Program>>,
) -> impl IntoView {
    let console = use_console();
    // One key per award intended (the rule it is for, and the key), kept for a retry.
    let pending = RwSignal::new(None::<(String, String)>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let awarded = RwSignal::new(None::<(i64, i64)>);
    let award = move |rule_id: String| {
        if busy.get_untracked() {
            return;
        }
        let Some(customer_id) = shopper.with_untracked(|s| s.as_ref().map(|s| s.id.clone())) else {
            return;
        };
        let key = match pending.get_untracked() {
            Some((rule, key)) if rule == rule_id => key,
            _ => new_id("award"),
        };
        pending.set(Some((rule_id.clone(), key.clone())));
        busy.set(true);
        let request = ActivityRequest {
            rule_id,
            idempotency_key: key,
        };
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::award(&shop, &csrf, &customer_id, &request).await {
                Ok(result) => {
                    pending.set(None);
                    error.set(None);
                    awarded.set(Some((result.points_awarded, result.balance)));
                    shopper.update(|s| {
                        if let Some(s) = s {
                            s.balance = result.balance;
                        }
                    });
                }
                Err(e) => {
                    // A refusal (a limit reached) will not change on retry: the next try is a new award.
                    if matches!(e, ApiError::Refused(_)) {
                        pending.set(None);
                    }
                    error.set(Some(e.message(console.lang.get_untracked())));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card desk" aria-labelledby="till-award-title">
            <h2 id="till-award-title">{move || console.t("till_award")}</h2>
            {move || {
                let rules = program.with(|p| p.as_ref().map(counter_rules).unwrap_or_default());
                if rules.is_empty() {
                    view! { <p class="muted">{console.t("till_no_activities")}</p> }.into_any()
                } else {
                    view! {
                        <div class="stack">
                            {rules.into_iter().map(|r| {
                                let id = r.id.clone();
                                let label = format!("{} (+{})", r.title, r.points.unwrap_or(0));
                                view! { <button type="button" class="big award" disabled=move || busy.get() on:click=move |_| award(id.clone())>{label}</button> }
                            }).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
            <p class="error" role="alert">{move || error.get()}</p>
            <p class="status ok" role="status">{move || awarded.get().map(|(points, balance)| format!("+{points} {} {balance}", console.t("till_awarded")))}</p>
        </section>
    }
}
