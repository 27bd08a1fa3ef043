//! The shop's customers: search by id, email, phone or name, a page at a time, and each customer's own
//! page (`detail`) with their balance, tier, history and codes, and what staff may change.

pub mod detail;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use tally_core::api::CustomerListItem;

use crate::api::{encode, ApiError};
use crate::i18n::Row;
use crate::ops;
use crate::pages::codes::short_time;
use crate::state::use_console;

pub use detail::CustomerDetail;

/// This page's messages, and the customer page's (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[
    (
        "cust_search_label",
        [
            "Id, email, phone or first name",
            "ID, E-Mail, Telefon oder Vorname",
            "Identifiant, e-mail, téléphone ou prénom",
            "ID, correo, teléfono o nombre",
            "Kimlik, e-posta, telefon veya ad",
            "المعرّف أو البريد أو الهاتف أو الاسم الأول",
        ],
    ),
    (
        "cust_search_hint",
        [
            "Ids and emails match exactly, phones in any spelling, names by a part.",
            "IDs und E-Mails exakt, Telefonnummern in jeder Schreibweise, Namen auch teilweise.",
            "Identifiants et e-mails exacts, téléphones sous toute forme, prénoms en partie.",
            "ID y correos exactos, teléfonos en cualquier formato, nombres en parte.",
            "Kimlik ve e-posta tam eşleşir, telefon her yazımla, ad bir kısmıyla.",
            "المعرّفات والبريد بتطابق تام، والهواتف بأي كتابة، والأسماء بجزء منها.",
        ],
    ),
    (
        "cust_search",
        ["Search", "Suchen", "Rechercher", "Buscar", "Ara", "بحث"],
    ),
    (
        "cust_none_found",
        [
            "No customer matches.",
            "Keine Kundschaft gefunden.",
            "Aucun client ne correspond.",
            "Ningún cliente coincide.",
            "Eşleşen müşteri yok.",
            "لا يوجد عميل مطابق.",
        ],
    ),
    (
        "cust_results",
        [
            "Customers found",
            "Gefundene Kundschaft",
            "Clients trouvés",
            "Clientes encontrados",
            "Bulunan müşteriler",
            "العملاء الذين عُثر عليهم",
        ],
    ),
    (
        "cust_customer_id",
        [
            "Customer id",
            "Kunden-ID",
            "Identifiant client",
            "ID de cliente",
            "Müşteri kimliği",
            "معرّف العميل",
        ],
    ),
    (
        "cust_phone",
        [
            "Phone",
            "Telefon",
            "Téléphone",
            "Teléfono",
            "Telefon",
            "الهاتف",
        ],
    ),
    (
        "cust_balance",
        [
            "Balance",
            "Punktestand",
            "Solde",
            "Saldo",
            "Bakiye",
            "الرصيد",
        ],
    ),
    (
        "cust_tier",
        ["Tier", "Stufe", "Niveau", "Nivel", "Seviye", "المستوى"],
    ),
    (
        "cust_enrolled",
        [
            "Joined",
            "Dabei seit",
            "Inscrit le",
            "Alta",
            "Katılım",
            "تاريخ الانضمام",
        ],
    ),
    (
        "cust_last_activity",
        [
            "Last activity",
            "Letzte Aktivität",
            "Dernière activité",
            "Última actividad",
            "Son etkinlik",
            "آخر نشاط",
        ],
    ),
    (
        "cust_more",
        [
            "More customers",
            "Weitere Kundschaft",
            "Plus de clients",
            "Más clientes",
            "Daha fazla müşteri",
            "مزيد من العملاء",
        ],
    ),
    (
        "cust_back",
        [
            "All customers",
            "Alle Kunden",
            "Tous les clients",
            "Todos los clientes",
            "Tüm müşteriler",
            "كل العملاء",
        ],
    ),
    (
        "cust_not_found",
        [
            "No customer with this id has joined the program.",
            "Keine Person mit dieser ID ist im Programm.",
            "Aucun client avec cet identifiant n'a rejoint le programme.",
            "Ningún cliente con este ID se ha unido al programa.",
            "Bu kimlikle programa katılmış müşteri yok.",
            "لم ينضم إلى البرنامج أي عميل بهذا المعرّف.",
        ],
    ),
    (
        "cust_overview",
        [
            "Points and tier",
            "Punkte und Stufe",
            "Points et niveau",
            "Puntos y nivel",
            "Puan ve seviye",
            "النقاط والمستوى",
        ],
    ),
    (
        "cust_lifetime",
        [
            "Earned in all",
            "Insgesamt gesammelt",
            "Gagnés au total",
            "Ganados en total",
            "Toplam kazanılan",
            "إجمالي المكتسب",
        ],
    ),
    (
        "cust_membership",
        [
            "Membership",
            "Mitgliedschaft",
            "Abonnement",
            "Membresía",
            "Üyelik",
            "العضوية",
        ],
    ),
    (
        "cust_until",
        ["until", "bis", "jusqu'au", "hasta", "bitiş:", "حتى"],
    ),
    (
        "cust_progress",
        [
            "Progress to the next tier",
            "Fortschritt zur nächsten Stufe",
            "Progression vers le niveau suivant",
            "Progreso hacia el siguiente nivel",
            "Sonraki seviyeye ilerleme",
            "التقدم نحو المستوى التالي",
        ],
    ),
    (
        "cust_to_go",
        [
            "to go for",
            "fehlen bis",
            "restants pour",
            "para llegar a",
            "kaldı:",
            "متبقية للوصول إلى",
        ],
    ),
    (
        "cust_top_tier",
        [
            "Already in the highest tier.",
            "Bereits in der höchsten Stufe.",
            "Déjà au niveau le plus élevé.",
            "Ya está en el nivel más alto.",
            "Zaten en yüksek seviyede.",
            "في أعلى مستوى بالفعل.",
        ],
    ),
    (
        "cust_expiring",
        [
            "Expiring soon",
            "Verfällt bald",
            "Expirent bientôt",
            "Caducan pronto",
            "Yakında sona erecek",
            "تنتهي صلاحيتها قريبًا",
        ],
    ),
    (
        "cust_referral_code",
        [
            "Referral code",
            "Empfehlungscode",
            "Code de parrainage",
            "Código de referido",
            "Tavsiye kodu",
            "رمز الإحالة",
        ],
    ),
    (
        "cust_friends",
        [
            "Friends referred",
            "Geworbene Freunde",
            "Amis parrainés",
            "Amigos referidos",
            "Tavsiye edilen arkadaş",
            "الأصدقاء المُحالون",
        ],
    ),
    (
        "cust_referral_points",
        [
            "Points from referrals",
            "Punkte aus Empfehlungen",
            "Points de parrainage",
            "Puntos por referidos",
            "Tavsiyeden puan",
            "نقاط من الإحالات",
        ],
    ),
    (
        "cust_feedback_next",
        [
            "Can answer the feedback question again from",
            "Kann die Feedback-Frage wieder beantworten ab",
            "Pourra répondre à nouveau au questionnaire à partir du",
            "Podrá responder de nuevo a la encuesta desde",
            "Geri bildirim sorusunu yeniden yanıtlayabileceği tarih",
            "يمكنه الإجابة عن سؤال الرأي مجددًا بدءًا من",
        ],
    ),
    (
        "cust_profile",
        [
            "Profile",
            "Profil",
            "Profil",
            "Perfil",
            "Profil",
            "الملف الشخصي",
        ],
    ),
    (
        "cust_first_name",
        [
            "First name",
            "Vorname",
            "Prénom",
            "Nombre",
            "Ad",
            "الاسم الأول",
        ],
    ),
    (
        "cust_birthday",
        [
            "Birthday (MM-DD)",
            "Geburtstag (MM-TT)",
            "Anniversaire (MM-JJ)",
            "Cumpleaños (MM-DD)",
            "Doğum günü (AA-GG)",
            "عيد الميلاد (MM-DD)",
        ],
    ),
    (
        "cust_birthday_bad",
        [
            "Write the birthday as month-day, e.g. 03-14.",
            "Geburtstag als Monat-Tag schreiben, z. B. 03-14.",
            "Écrivez l'anniversaire en mois-jour, par ex. 03-14.",
            "Escribe el cumpleaños como mes-día, p. ej. 03-14.",
            "Doğum gününü ay-gün olarak yazın, ör. 03-14.",
            "اكتب تاريخ الميلاد بصيغة شهر-يوم، مثل 03-14.",
        ],
    ),
    (
        "cust_save_profile",
        [
            "Save the profile",
            "Profil speichern",
            "Enregistrer le profil",
            "Guardar el perfil",
            "Profili kaydet",
            "حفظ الملف الشخصي",
        ],
    ),
    (
        "cust_profile_saved",
        [
            "Profile saved.",
            "Profil gespeichert.",
            "Profil enregistré.",
            "Perfil guardado.",
            "Profil kaydedildi.",
            "تم حفظ الملف الشخصي.",
        ],
    ),
    (
        "cust_nothing_changed",
        [
            "Nothing changed to save.",
            "Nichts geändert.",
            "Rien n'a changé.",
            "No hay cambios que guardar.",
            "Kaydedilecek değişiklik yok.",
            "لا توجد تغييرات للحفظ.",
        ],
    ),
    (
        "cust_adjust",
        [
            "Adjust points",
            "Punkte anpassen",
            "Ajuster les points",
            "Ajustar puntos",
            "Puan düzelt",
            "تعديل النقاط",
        ],
    ),
    (
        "cust_adjust_points",
        [
            "Points (a minus sign takes points away)",
            "Punkte (mit Minus werden Punkte abgezogen)",
            "Points (un signe moins en retire)",
            "Puntos (con signo menos se restan)",
            "Puan (eksi işareti puan düşer)",
            "النقاط (علامة الطرح تخصم النقاط)",
        ],
    ),
    (
        "cust_adjust_reason",
        [
            "Reason (the customer's history shows it)",
            "Grund (erscheint im Verlauf)",
            "Motif (visible dans l'historique)",
            "Motivo (aparece en el historial)",
            "Neden (müşteri geçmişinde görünür)",
            "السبب (يظهر في سجل العميل)",
        ],
    ),
    (
        "cust_adjust_submit",
        [
            "Adjust the balance",
            "Punktestand anpassen",
            "Ajuster le solde",
            "Ajustar el saldo",
            "Bakiyeyi düzelt",
            "تعديل الرصيد",
        ],
    ),
    (
        "cust_points_bad",
        [
            "Type a whole number of points other than 0, e.g. 50 or -20.",
            "Ganze Punktzahl ungleich 0 eingeben, z. B. 50 oder -20.",
            "Saisissez un nombre entier de points différent de 0, par ex. 50 ou -20.",
            "Escribe un número entero de puntos distinto de 0, p. ej. 50 o -20.",
            "0 dışında tam sayı puan yazın, ör. 50 veya -20.",
            "اكتب عددًا صحيحًا من النقاط غير الصفر، مثل 50 أو -20.",
        ],
    ),
    (
        "cust_reason_required",
        [
            "A reason is required: say why, for the customer's history.",
            "Ein Grund ist nötig: Sagen Sie warum, für den Verlauf.",
            "Un motif est obligatoire : dites pourquoi, pour l'historique.",
            "El motivo es obligatorio: di por qué, para el historial.",
            "Neden zorunludur: geçmiş için nedenini yazın.",
            "السبب مطلوب: اذكر السبب ليظهر في سجل العميل.",
        ],
    ),
    (
        "cust_adjusted",
        [
            "Balance adjusted. New balance:",
            "Punktestand angepasst. Neuer Stand:",
            "Solde ajusté. Nouveau solde :",
            "Saldo ajustado. Nuevo saldo:",
            "Bakiye düzeltildi. Yeni bakiye:",
            "عُدّل الرصيد. الرصيد الجديد:",
        ],
    ),
    (
        "cust_start_membership",
        [
            "Start a membership",
            "Mitgliedschaft beginnen",
            "Démarrer un abonnement",
            "Iniciar una membresía",
            "Üyelik başlat",
            "بدء عضوية",
        ],
    ),
    (
        "cust_paid_tier",
        [
            "Paid tier",
            "Bezahlte Stufe",
            "Niveau payant",
            "Nivel de pago",
            "Ücretli seviye",
            "المستوى المدفوع",
        ],
    ),
    (
        "cust_purchase_order",
        [
            "Order id of the purchase",
            "Bestellnummer des Kaufs",
            "N° de commande de l'achat",
            "N.º de pedido de la compra",
            "Satın alma sipariş no",
            "رقم طلب الشراء",
        ],
    ),
    (
        "cust_membership_started",
        [
            "Membership recorded, until",
            "Mitgliedschaft erfasst, bis",
            "Abonnement enregistré, jusqu'au",
            "Membresía registrada, hasta",
            "Üyelik kaydedildi, bitiş:",
            "سُجّلت العضوية حتى",
        ],
    ),
    (
        "cust_cancel_membership",
        [
            "End the membership now",
            "Mitgliedschaft jetzt beenden",
            "Mettre fin à l'abonnement",
            "Terminar la membresía ahora",
            "Üyeliği şimdi sonlandır",
            "إنهاء العضوية الآن",
        ],
    ),
    (
        "cust_confirm_cancel_membership",
        [
            "End this membership now? The customer loses the paid tier today.",
            "Diese Mitgliedschaft jetzt beenden? Die bezahlte Stufe entfällt heute.",
            "Mettre fin à cet abonnement ? Le client perd le niveau payant aujourd'hui.",
            "¿Terminar esta membresía ahora? El cliente pierde hoy el nivel de pago.",
            "Bu üyelik şimdi sonlandırılsın mı? Müşteri ücretli seviyeyi bugün kaybeder.",
            "هل تريد إنهاء هذه العضوية الآن؟ سيفقد العميل المستوى المدفوع اليوم.",
        ],
    ),
    (
        "cust_membership_ended",
        [
            "Membership ended.",
            "Mitgliedschaft beendet.",
            "Abonnement terminé.",
            "Membresía terminada.",
            "Üyelik sona erdi.",
            "انتهت العضوية.",
        ],
    ),
    (
        "cust_no_such_purchase",
        [
            "No membership was bought with this order id.",
            "Mit dieser Bestellnummer wurde keine Mitgliedschaft gekauft.",
            "Aucun abonnement n'a été acheté avec ce numéro de commande.",
            "No se compró ninguna membresía con este número de pedido.",
            "Bu sipariş numarasıyla satın alınmış üyelik yok.",
            "لم تُشترَ أي عضوية برقم الطلب هذا.",
        ],
    ),
    (
        "cust_history",
        [
            "History",
            "Verlauf",
            "Historique",
            "Historial",
            "Geçmiş",
            "السجل",
        ],
    ),
    (
        "cust_no_history",
        [
            "Nothing yet.",
            "Noch nichts.",
            "Rien pour l'instant.",
            "Nada todavía.",
            "Henüz bir şey yok.",
            "لا شيء بعد.",
        ],
    ),
    (
        "cust_balance_after",
        [
            "Balance after",
            "Stand danach",
            "Solde après",
            "Saldo después",
            "Sonraki bakiye",
            "الرصيد بعدها",
        ],
    ),
    (
        "cust_codes",
        ["Codes", "Codes", "Codes", "Códigos", "Kodlar", "الرموز"],
    ),
    (
        "cust_no_codes",
        [
            "No reward redeemed yet.",
            "Noch keine Prämie eingelöst.",
            "Aucune récompense échangée.",
            "Ninguna recompensa canjeada aún.",
            "Henüz ödül alınmadı.",
            "لم تُستبدل أي مكافأة بعد.",
        ],
    ),
    (
        "cust_notes",
        [
            "Not recorded, and why",
            "Nicht gebucht, und warum",
            "Non enregistré, et pourquoi",
            "No registrado, y por qué",
            "Kaydedilmeyenler ve nedeni",
            "ما لم يُسجَّل ولماذا",
        ],
    ),
    (
        "cust_kind_signup",
        [
            "Joined",
            "Beitritt",
            "Inscription",
            "Alta",
            "Katılım",
            "انضمام",
        ],
    ),
    (
        "cust_kind_earn",
        [
            "Earned",
            "Gesammelt",
            "Gagné",
            "Ganado",
            "Kazanıldı",
            "اكتساب",
        ],
    ),
    (
        "cust_kind_redeem",
        [
            "Redeemed",
            "Eingelöst",
            "Échangé",
            "Canjeado",
            "Harcandı",
            "استبدال",
        ],
    ),
    (
        "cust_kind_refund",
        [
            "Refund",
            "Erstattung",
            "Remboursement",
            "Reembolso",
            "İade",
            "استرداد",
        ],
    ),
    (
        "cust_kind_adjust",
        [
            "Adjusted",
            "Angepasst",
            "Ajusté",
            "Ajustado",
            "Düzeltme",
            "تعديل",
        ],
    ),
    (
        "cust_kind_expire",
        [
            "Expired",
            "Verfallen",
            "Expiré",
            "Caducado",
            "Süresi doldu",
            "انتهاء صلاحية",
        ],
    ),
    (
        "cust_kind_referral",
        [
            "Referral",
            "Empfehlung",
            "Parrainage",
            "Referido",
            "Tavsiye",
            "إحالة",
        ],
    ),
];

#[component]
pub fn Customers() -> impl IntoView {
    let console = use_console();
    let q = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<CustomerListItem>::new());
    let next = RwSignal::new(None::<String>);
    let shown_for = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let load = move |query: String, before: Option<String>| {
        busy.set(true);
        let shop = console.shop_id_untracked();
        spawn_local(async move {
            match ops::search(&shop, &query, before.as_deref()).await {
                Ok(page) => {
                    error.set(None);
                    if before.is_some() {
                        items.update(|i| i.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    next.set(page.next);
                    shown_for.set(Some(query));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    load(String::new(), None);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load(q.get_untracked(), None);
    };
    view! {
        <h1>{move || console.t("nav_customers")}</h1>
        <form class="card row search" role="search" on:submit=search>
            <div class="field">
                <label for="customer-q">{move || console.t("cust_search_label")}</label>
                <input id="customer-q" type="search" autocomplete="off" aria-describedby="customer-q-hint"
                    prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
            </div>
            <button type="submit" class="primary" id="customer-search" disabled=move || busy.get()>{move || console.t("cust_search")}</button>
            <p class="muted hint" id="customer-q-hint">{move || console.t("cust_search_hint")}</p>
        </form>
        <p class="error" role="alert">{move || error.get().map(|e| e.message(console.lang.get()))}</p>
        <p class="status" role="status">{move || (shown_for.get().is_some() && items.with(Vec::is_empty)).then(|| console.t("cust_none_found"))}</p>
        {move || (!items.with(Vec::is_empty)).then(|| view! {
            <section class="card" aria-labelledby="customers-found">
                <h2 id="customers-found" class="sr-only">{console.t("cust_results")}</h2>
                <div class="table-scroll" tabindex="0">
                    <table class="customers">
                        <thead><tr>
                            <th scope="col">{console.t("cust_first_name")}</th>
                            <th scope="col">{console.t("cust_customer_id")}</th>
                            <th scope="col">{console.t("email")}</th>
                            <th scope="col">{console.t("cust_phone")}</th>
                            <th scope="col" class="num">{console.t("cust_balance")}</th>
                            <th scope="col">{console.t("cust_tier")}</th>
                            <th scope="col">{console.t("cust_enrolled")}</th>
                        </tr></thead>
                        <tbody>
                            {items.get().into_iter().map(|c| {
                                let href = format!("/console/customers/{}", encode(&c.customer_id));
                                let name = c.first_name.clone().unwrap_or_else(|| c.customer_id.clone());
                                view! {
                                    <tr>
                                        <td><A href=href>{name}</A></td>
                                        <td class="nowrap"><bdi>{c.customer_id.clone()}</bdi></td>
                                        <td class="nowrap"><bdi>{c.email.clone().unwrap_or_default()}</bdi></td>
                                        <td class="nowrap"><bdi>{c.phone.clone().unwrap_or_default()}</bdi></td>
                                        <td class="num">{c.balance}</td>
                                        <td>{c.tier.map(|t| t.name).unwrap_or_default()}</td>
                                        <td class="nowrap"><bdi>{short_time(&c.enrolled_at)}</bdi></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
        {move || next.get().map(|cursor| view! {
            <button type="button" class="secondary" disabled=move || busy.get()
                on:click=move |_| load(shown_for.get_untracked().unwrap_or_default(), Some(cursor.clone()))>{console.t("cust_more")}</button>
        })}
    }
}
