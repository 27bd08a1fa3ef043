//! Codes at checkout: look a code up as the shopper reads it out, see whose it is, what it gives and
//! whether it is still good, use it with an order, or (managers) cancel it and give the points back.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use tally_core::api::{CodeStatus, DiscountCode};
use tally_core::staff::Permission;

use crate::api::{encode, ApiError};
use crate::i18n::Row;
use crate::ops::{self, new_id};
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[
    ("codes_title", ["Codes at checkout", "Codes an der Kasse", "Codes en caisse", "Códigos en caja", "Kasada kodlar", "الرموز عند الدفع"]),
    ("codes_take", ["Take a code", "Code einlösen", "Prendre un code", "Aceptar un código", "Kod al", "استلام رمز"]),
    ("codes_code", ["Code", "Code", "Code", "Código", "Kod", "الرمز"]),
    ("codes_code_hint", ["As the shopper reads it out; spaces and small letters are fine.", "So wie die Kundschaft ihn vorliest; Leerzeichen und Kleinbuchstaben sind in Ordnung.", "Tel que le client le lit ; espaces et minuscules acceptés.", "Tal como lo lee el cliente; los espacios y las minúsculas valen.", "Müşterinin okuduğu gibi; boşluk ve küçük harf sorun değil.", "كما يقرؤه العميل؛ المسافات والأحرف الصغيرة مقبولة."]),
    ("codes_look_up", ["Look up", "Nachschlagen", "Rechercher", "Buscar", "Sorgula", "بحث"]),
    ("codes_not_found", ["No code of this shop is written like that. Check it with the shopper.", "Kein Code dieses Shops lautet so. Bitte mit der Kundschaft prüfen.", "Aucun code de cette boutique ne s'écrit ainsi. Vérifiez avec le client.", "Ningún código de esta tienda se escribe así. Compruébalo con el cliente.", "Bu mağazanın böyle yazılan bir kodu yok. Müşteriyle kontrol edin.", "لا يوجد رمز لهذا المتجر مكتوب هكذا. تحقّق منه مع العميل."]),
    ("codes_status", ["Status", "Status", "Statut", "Estado", "Durum", "الحالة"]),
    ("codes_status_issued", ["Ready to use", "Einlösbar", "Utilisable", "Listo para usar", "Kullanılabilir", "جاهز للاستخدام"]),
    ("codes_status_used", ["Used", "Eingelöst", "Utilisé", "Usado", "Kullanıldı", "مُستخدم"]),
    ("codes_status_cancelled", ["Cancelled", "Storniert", "Annulé", "Cancelado", "İptal edildi", "مُلغى"]),
    ("codes_status_expired", ["Expired", "Abgelaufen", "Expiré", "Caducado", "Süresi doldu", "منتهي الصلاحية"]),
    ("codes_reward", ["Reward", "Prämie", "Récompense", "Recompensa", "Ödül", "المكافأة"]),
    ("codes_customer", ["Customer", "Kunde", "Client", "Cliente", "Müşteri", "العميل"]),
    ("codes_points_spent", ["Points spent", "Eingesetzte Punkte", "Points dépensés", "Puntos gastados", "Harcanan puan", "النقاط المستبدلة"]),
    ("codes_created", ["Issued", "Ausgestellt", "Émis", "Emitido", "Verildi", "تاريخ الإصدار"]),
    ("codes_expires", ["Valid until", "Gültig bis", "Valable jusqu'au", "Válido hasta", "Son geçerlilik", "صالح حتى"]),
    ("codes_never", ["No end date", "Unbegrenzt", "Sans date de fin", "Sin fecha de fin", "Süresiz", "بلا تاريخ انتهاء"]),
    ("codes_used_at", ["Used on", "Eingelöst am", "Utilisé le", "Usado el", "Kullanım tarihi", "تاريخ الاستخدام"]),
    ("codes_order", ["Order", "Bestellung", "Commande", "Pedido", "Sipariş", "الطلب"]),
    ("codes_order_id", ["Order id", "Bestellnummer", "N° de commande", "N.º de pedido", "Sipariş no", "رقم الطلب"]),
    ("codes_use", ["Use the code", "Code einlösen", "Utiliser le code", "Usar el código", "Kodu kullan", "استخدام الرمز"]),
    ("codes_used_now", ["Code used with this order. Give the shopper the reward.", "Code mit dieser Bestellung eingelöst. Geben Sie die Prämie.", "Code utilisé pour cette commande. Remettez la récompense.", "Código usado con este pedido. Entrega la recompensa.", "Kod bu siparişle kullanıldı. Ödülü verin.", "استُخدم الرمز مع هذا الطلب. سلّم المكافأة للعميل."]),
    ("codes_cancel", ["Cancel the code", "Code stornieren", "Annuler le code", "Cancelar el código", "Kodu iptal et", "إلغاء الرمز"]),
    ("codes_confirm_cancel", ["Cancel this code? It can no longer be used and its points go back to the customer.", "Diesen Code stornieren? Er ist dann nicht mehr einlösbar und die Punkte gehen an die Kundschaft zurück.", "Annuler ce code ? Il ne pourra plus servir et ses points reviennent au client.", "¿Cancelar este código? Ya no se podrá usar y sus puntos vuelven al cliente.", "Bu kod iptal edilsin mi? Artık kullanılamaz ve puanları müşteriye geri döner.", "هل تريد إلغاء هذا الرمز؟ لن يمكن استخدامه بعد الآن وستعود نقاطه إلى العميل."]),
    ("codes_cancelled_now", ["Code cancelled; its points are back with the customer.", "Code storniert; die Punkte sind zurück bei der Kundschaft.", "Code annulé ; ses points sont rendus au client.", "Código cancelado; sus puntos han vuelto al cliente.", "Kod iptal edildi; puanları müşteriye geri döndü.", "أُلغي الرمز وعادت نقاطه إلى العميل."]),
    ("codes_not_usable", ["This code can no longer be used.", "Dieser Code ist nicht mehr einlösbar.", "Ce code n'est plus utilisable.", "Este código ya no se puede usar.", "Bu kod artık kullanılamaz.", "لم يعد هذا الرمز صالحًا للاستخدام."]),
    ("codes_other_customer", ["This code belongs to another customer than the shopper at the counter.", "Dieser Code gehört nicht der Person an der Kasse.", "Ce code appartient à un autre client que celui au comptoir.", "Este código pertenece a otro cliente distinto del que está en el mostrador.", "Bu kod kasadaki müşteriye değil, başka bir müşteriye ait.", "هذا الرمز يخص عميلًا غير الموجود عند نقطة البيع."]),
];

/// The words of a code's status.
pub fn status_key(status: CodeStatus) -> &'static str {
    match status {
        CodeStatus::Issued => "codes_status_issued",
        CodeStatus::Used => "codes_status_used",
        CodeStatus::Cancelled => "codes_status_cancelled",
        _ => "codes_status_expired",
    }
}

/// An RFC 3339 time as staff read it: `2026-12-02 04:13` (UTC).
pub fn short_time(time: &str) -> String {
    time.get(..16).unwrap_or(time).replace('T', " ")
}

#[component]
pub fn Codes() -> impl IntoView {
    let console = use_console();
    let query = use_query_map();
    let initial = query.with_untracked(|q| q.get("code")).unwrap_or_default();
    view! {
        <h1>{move || console.t("codes_title")}</h1>
        <CodeDesk initial=initial />
    }
}

/// Looks a code up and uses it (and, for managers, cancels it): the codes page and the counter share it.
#[component]
pub fn CodeDesk(
    /// A code to look up at once (from a link).
    #[prop(optional, into)]
    initial: String,
    /// The order just recorded at the counter, offered as the order the code is used with.
    #[prop(optional, into)]
    last_order: Option<Signal<Option<String>>>,
    /// The customer at the counter, to warn when the code is someone else's.
    #[prop(optional, into)]
    shopper: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let console = use_console();
    let text = RwSignal::new(initial.clone());
    let found = RwSignal::new(None::<DiscountCode>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let order_id = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let look_up = move |code: String| {
        if code.trim().is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        let shop = console.shop_id_untracked();
        spawn_local(async move {
            match ops::code(&shop, &code).await {
                Ok(c) => {
                    error.set(None);
                    let offered = last_order
                        .and_then(|o| o.get_untracked())
                        .or_else(|| c.order_id.clone())
                        .unwrap_or_else(|| new_id("pos"));
                    order_id.set(offered);
                    found.set(Some(c));
                }
                Err(e) => {
                    found.set(None);
                    error.set(Some(match e {
                        ApiError::NotFound => console.t("codes_not_found").to_owned(),
                        other => other.message(console.lang.get_untracked()),
                    }));
                }
            }
            busy.set(false);
        });
    };
    if !initial.trim().is_empty() {
        look_up(initial);
    }
    let on_look_up = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        status.set(None);
        look_up(text.get_untracked());
    };
    let on_use = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(code) = found.get_untracked().map(|c| c.code) else {
            return;
        };
        let order = order_id.get_untracked().trim().to_owned();
        if order.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::use_code(&shop, &csrf, &code, &order).await {
                Ok(c) => {
                    error.set(None);
                    status.set(Some("codes_used_now"));
                    found.set(Some(c));
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    let on_cancel = move |_| {
        let Some(code) = found.get_untracked().map(|c| c.code) else {
            return;
        };
        if busy.get_untracked()
            || !window()
                .confirm_with_message(console.t("codes_confirm_cancel"))
                .unwrap_or(false)
        {
            return;
        }
        busy.set(true);
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match ops::cancel_code(&shop, &csrf, &code).await {
                Ok(c) => {
                    error.set(None);
                    status
                        .set((c.status == CodeStatus::Cancelled).then_some("codes_cancelled_now"));
                    found.set(Some(c));
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card desk" aria-labelledby="code-desk-title">
            <h2 id="code-desk-title">{move || console.t("codes_take")}</h2>
            <form class="stack" on:submit=on_look_up>
                <div class="field">
                    <label for="code-input">{move || console.t("codes_code")}</label>
                    <input id="code-input" type="text" class="big code-text" autocomplete="off" autocapitalize="characters" spellcheck="false"
                        aria-describedby="code-input-hint"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                    <p class="muted hint" id="code-input-hint">{move || console.t("codes_code_hint")}</p>
                </div>
                <button type="submit" class="primary big" id="code-lookup" disabled=move || busy.get()>{move || console.t("codes_look_up")}</button>
            </form>
            <p class="error" role="alert">{move || error.get()}</p>
            <p class="status ok" role="status" id="code-status">{move || status.get().map(|k| console.t(k))}</p>
            {move || found.get().map(|c| {
                let usable = c.status == CodeStatus::Issued;
                let other = shopper.and_then(|s| s.get()).is_some_and(|s| s != c.customer_id);
                let customer_href = format!("/console/customers/{}", encode(&c.customer_id));
                let reward = c.reward.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "—".into());
                view! {
                    <div class="code-card" id="code-found">
                        <p class="code-big"><bdi>{c.code.clone()}</bdi></p>
                        <p><span class=move || format!("pill pill-{}", c.status.as_str())>{console.t(status_key(c.status))}</span></p>
                        {other.then(|| view! { <p class="warn">{console.t("codes_other_customer")}</p> })}
                        <dl class="facts">
                            <dt>{console.t("codes_reward")}</dt><dd><bdi>{reward}</bdi></dd>
                            <dt>{console.t("codes_customer")}</dt><dd><A href=customer_href>{c.customer_id.clone()}</A></dd>
                            <dt>{console.t("codes_points_spent")}</dt><dd>{c.points_spent}</dd>
                            <dt>{console.t("codes_created")}</dt><dd><bdi>{short_time(&c.created_at)}</bdi></dd>
                            <dt>{console.t("codes_expires")}</dt><dd><bdi>{c.expires_at.as_deref().map(short_time).unwrap_or_else(|| console.t("codes_never").to_owned())}</bdi></dd>
                            {c.used_at.clone().map(|u| view! { <dt>{console.t("codes_used_at")}</dt><dd><bdi>{short_time(&u)}</bdi></dd> })}
                            {c.order_id.clone().map(|o| view! { <dt>{console.t("codes_order")}</dt><dd><bdi>{o}</bdi></dd> })}
                        </dl>
                        {if usable {
                            view! {
                                <form class="stack" on:submit=on_use>
                                    <div class="field">
                                        <label for="code-order-id">{console.t("codes_order_id")}</label>
                                        <input id="code-order-id" type="text" class="big" autocomplete="off" required
                                            prop:value=move || order_id.get() on:input=move |ev| order_id.set(event_target_value(&ev)) />
                                    </div>
                                    <button type="submit" class="primary big" id="code-use" disabled=move || busy.get()>{console.t("codes_use")}</button>
                                </form>
                            }.into_any()
                        } else if c.status != CodeStatus::Used {
                            view! { <p class="muted">{console.t("codes_not_usable")}</p> }.into_any()
                        } else {
                            ().into_any()
                        }}
                        {(usable && console.may(Permission::Manage)).then(|| view! {
                            <button type="button" class="danger-button big" id="code-cancel" on:click=on_cancel disabled=move || busy.get()>{console.t("codes_cancel")}</button>
                        })}
                    </div>
                }
            })}
        </section>
    }
}
