//! Reports: the summary as cards (with outstanding points as a liability in money), charts over time for
//! a chosen range and interval — each with its numbers as a table, the accessible twin of the picture —,
//! tiers, referrals, and the NPS with its trend and the latest comments. Charts are drawn by
//! leptos-chartistry (SVG); the figures come from the API unchanged.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_chartistry::{
    AspectRatio, AxisMarker, Chart, Interpolation, IntoInner, Legend, Line, Padding, Series,
    TickLabels, Tooltip, YGridLine,
};
use tally_core::insights::{self, Insights};
use tally_core::rules::format_minor;
use tally_core::timeseries::{format_date, parse_date, Interval, Metric, Timeseries};
use tally_core::{OrderChannel, Program, Summary};

use crate::api::{self, get, shop_url, ApiError};
use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[
    ("rep_from", ["From", "Von", "Du", "Desde", "Başlangıç", "من"]),
    ("rep_to", ["To", "Bis", "Au", "Hasta", "Bitiş", "إلى"]),
    ("rep_interval", ["Interval", "Intervall", "Intervalle", "Intervalo", "Aralık", "الفترة"]),
    ("rep_day", ["Day", "Tag", "Jour", "Día", "Gün", "يوم"]),
    ("rep_week", ["Week", "Woche", "Semaine", "Semana", "Hafta", "أسبوع"]),
    ("rep_month", ["Month", "Monat", "Mois", "Mes", "Ay", "شهر"]),
    ("rep_show", ["Show", "Anzeigen", "Afficher", "Mostrar", "Göster", "عرض"]),
    ("rep_range", ["Period shown", "Gezeigter Zeitraum", "Période affichée", "Periodo mostrado", "Gösterilen dönem", "الفترة المعروضة"]),
    ("rep_at_a_glance", ["At a glance", "Auf einen Blick", "En un coup d'œil", "De un vistazo", "Bir bakışta", "نظرة سريعة"]),
    ("rep_members", ["Members", "Mitglieder", "Membres", "Miembros", "Üyeler", "الأعضاء"]),
    ("rep_issued", ["Points issued", "Ausgegebene Punkte", "Points émis", "Puntos emitidos", "Verilen puanlar", "النقاط الممنوحة"]),
    ("rep_redeemed", ["Points redeemed", "Eingelöste Punkte", "Points utilisés", "Puntos canjeados", "Kullanılan puanlar", "النقاط المستبدلة"]),
    ("rep_expired", ["Points expired", "Verfallene Punkte", "Points expirés", "Puntos caducados", "Süresi dolan puanlar", "النقاط المنتهية"]),
    ("rep_outstanding", ["Points outstanding", "Offene Punkte", "Points en circulation", "Puntos pendientes", "Bekleyen puanlar", "النقاط القائمة"]),
    ("rep_liability", ["Liability at the program's rates", "Verbindlichkeit zu den Sätzen des Programms", "Passif aux taux du programme", "Pasivo según las tasas del programa", "Program oranlarıyla yükümlülük", "الالتزام وفق أسعار البرنامج"]),
    ("rep_liability_none", ["No fixed discount to value a point by", "Kein fester Rabatt, um einen Punkt zu bewerten", "Aucune remise fixe pour valoriser un point", "Ningún descuento fijo para valorar un punto", "Bir puanı değerlendirecek sabit indirim yok", "لا يوجد خصم ثابت لتقييم النقطة"]),
    ("rep_liability_note", ["Each point valued at the fixed discount that gives the most per point.", "Jeder Punkt zum festen Rabatt mit dem höchsten Wert pro Punkt bewertet.", "Chaque point valorisé à la remise fixe la plus avantageuse par point.", "Cada punto valorado al descuento fijo que más da por punto.", "Her puan, puan başına en çok veren sabit indirimle değerlendirilir.", "تُقيَّم كل نقطة بالخصم الثابت الأعلى قيمة لكل نقطة."]),
    ("rep_redemptions", ["Redemptions", "Einlösungen", "Échanges", "Canjes", "Kullanımlar", "عمليات الاستبدال"]),
    ("rep_rate", ["Redemption rate", "Einlösequote", "Taux d'utilisation", "Tasa de canje", "Kullanım oranı", "معدل الاستبدال"]),
    ("rep_rate_note", ["Members who redeemed at least once", "Mitglieder, die mindestens einmal eingelöst haben", "Membres ayant utilisé au moins une fois", "Miembros que canjearon al menos una vez", "En az bir kez kullanan üyeler", "الأعضاء الذين استبدلوا مرة واحدة على الأقل"]),
    ("rep_soon", ["Redeemed within 90 days", "Innerhalb von 90 Tagen eingelöst", "Utilisés sous 90 jours", "Canjeados en 90 días", "90 gün içinde kullanılan", "مستبدلة خلال 90 يومًا"]),
    ("rep_soon_note", ["Share of points earned from {from} to {to} spent on rewards within 90 days", "Anteil der von {from} bis {to} verdienten Punkte, die binnen 90 Tagen eingelöst wurden", "Part des points gagnés du {from} au {to} utilisés sous 90 jours", "Parte de los puntos ganados del {from} al {to} canjeados en 90 días", "{from} – {to} arasında kazanılıp 90 gün içinde kullanılan puanların payı", "نسبة النقاط المكتسبة من {from} إلى {to} والمستبدلة خلال 90 يومًا"]),
    ("rep_orders_online", ["Orders online", "Online-Bestellungen", "Commandes en ligne", "Pedidos en línea", "Çevrimiçi siparişler", "الطلبات عبر الإنترنت"]),
    ("rep_orders_pos", ["Orders in store", "Bestellungen im Laden", "Commandes en magasin", "Pedidos en tienda", "Mağaza siparişleri", "الطلبات في المتجر"]),
    ("rep_revenue_online", ["Revenue online", "Umsatz online", "Chiffre d'affaires en ligne", "Ingresos en línea", "Çevrimiçi gelir", "الإيرادات عبر الإنترنت"]),
    ("rep_revenue_pos", ["Revenue in store", "Umsatz im Laden", "Chiffre d'affaires en magasin", "Ingresos en tienda", "Mağaza geliri", "الإيرادات في المتجر"]),
    ("rep_chart_members", ["New members", "Neue Mitglieder", "Nouveaux membres", "Nuevos miembros", "Yeni üyeler", "أعضاء جدد"]),
    ("rep_chart_points", ["Points issued, redeemed and expired", "Ausgegebene, eingelöste und verfallene Punkte", "Points émis, utilisés et expirés", "Puntos emitidos, canjeados y caducados", "Verilen, kullanılan ve süresi dolan puanlar", "النقاط الممنوحة والمستبدلة والمنتهية"]),
    ("rep_chart_orders", ["Orders by channel", "Bestellungen nach Kanal", "Commandes par canal", "Pedidos por canal", "Kanala göre siparişler", "الطلبات حسب القناة"]),
    ("rep_chart_revenue", ["Revenue by channel", "Umsatz nach Kanal", "Chiffre d'affaires par canal", "Ingresos por canal", "Kanala göre gelir", "الإيرادات حسب القناة"]),
    ("rep_chart_nps", ["NPS by month", "NPS nach Monat", "NPS par mois", "NPS por mes", "Aylara göre NPS", "صافي نقاط الترويج حسب الشهر"]),
    ("rep_period", ["Period starting", "Zeitraum ab", "Période commençant le", "Periodo desde", "Dönem başlangıcı", "بداية الفترة"]),
    ("rep_numbers", ["The numbers", "Die Zahlen", "Les chiffres", "Las cifras", "Rakamlar", "الأرقام"]),
    ("rep_total", ["Total", "Summe", "Total", "Total", "Toplam", "المجموع"]),
    ("rep_tiers", ["Members by tier", "Mitglieder nach Stufe", "Membres par niveau", "Miembros por nivel", "Seviyeye göre üyeler", "الأعضاء حسب المستوى"]),
    ("rep_tier", ["Tier", "Stufe", "Niveau", "Nivel", "Seviye", "المستوى"]),
    ("rep_share", ["Share", "Anteil", "Part", "Proporción", "Pay", "النسبة"]),
    ("rep_no_tier", ["No tier", "Keine Stufe", "Aucun niveau", "Sin nivel", "Seviyesiz", "بلا مستوى"]),
    ("rep_referrals", ["Referrals", "Empfehlungen", "Parrainages", "Referidos", "Tavsiyeler", "الإحالات"]),
    ("rep_ref_completed", ["Friends who joined and ordered", "Freunde, die beigetreten sind und bestellt haben", "Amis inscrits ayant commandé", "Amigos que se unieron y compraron", "Katılıp sipariş veren arkadaşlar", "أصدقاء انضموا وطلبوا"]),
    ("rep_ref_advocates", ["Members who referred", "Mitglieder, die empfohlen haben", "Membres parrains", "Miembros que refirieron", "Tavsiye eden üyeler", "أعضاء قاموا بالإحالة"]),
    ("rep_ref_points", ["Points given (advocates / friends)", "Vergebene Punkte (Empfehlende / Freunde)", "Points offerts (parrains / amis)", "Puntos dados (referentes / amigos)", "Verilen puanlar (tavsiye edenler / arkadaşlar)", "النقاط الممنوحة (المُحيلون / الأصدقاء)"]),
    ("rep_ref_revenue", ["Friends' orders", "Bestellungen der Freunde", "Commandes des amis", "Pedidos de los amigos", "Arkadaşların siparişleri", "طلبات الأصدقاء"]),
    ("rep_ref_refused", ["Referrals refused", "Abgelehnte Empfehlungen", "Parrainages refusés", "Referidos rechazados", "Reddedilen tavsiyeler", "الإحالات المرفوضة"]),
    ("rep_nps", ["Net Promoter Score", "Net Promoter Score", "Net Promoter Score", "Net Promoter Score", "Net Promoter Score", "صافي نقاط الترويج"]),
    ("rep_nps_detail", ["{n} answers in the last 365 days: {p} promoters, {s} passives, {d} detractors", "{n} Antworten in den letzten 365 Tagen: {p} Promotoren, {s} Passive, {d} Kritiker", "{n} réponses sur 365 jours : {p} promoteurs, {s} passifs, {d} détracteurs", "{n} respuestas en 365 días: {p} promotores, {s} pasivos, {d} detractores", "Son 365 günde {n} yanıt: {p} destekleyici, {s} pasif, {d} kötüleyici", "{n} إجابة في آخر 365 يومًا: {p} مروّجون، {s} محايدون، {d} منتقدون"]),
    ("rep_responses", ["Answers", "Antworten", "Réponses", "Respuestas", "Yanıtlar", "الإجابات"]),
    ("rep_comments", ["Latest comments", "Neueste Kommentare", "Derniers commentaires", "Últimos comentarios", "Son yorumlar", "أحدث التعليقات"]),
    ("rep_no_comments", ["No comments yet.", "Noch keine Kommentare.", "Pas encore de commentaires.", "Aún no hay comentarios.", "Henüz yorum yok.", "لا توجد تعليقات بعد."]),
    ("rep_score", ["Score", "Wertung", "Note", "Puntuación", "Puan", "الدرجة"]),
    ("rep_bad_range", ["Choose a start date on or before the end date.", "Wählen Sie ein Startdatum vor oder am Enddatum.", "Choisissez une date de début antérieure ou égale à la date de fin.", "Elige una fecha de inicio anterior o igual a la final.", "Bitiş tarihinden önce ya da aynı gün bir başlangıç seçin.", "اختر تاريخ بداية يسبق تاريخ النهاية أو يساويه."]),
];

/// One chart: its periods and its lines (message key, value per period), in money or in counts, and
/// whether a total row means something.
#[derive(Clone, PartialEq, Default)]
struct Chartable {
    starts: Vec<String>,
    lines: Vec<(&'static str, Vec<i64>)>,
    money: bool,
    total: bool,
}

/// A chart's point: the period's index and each line's value.
#[derive(Clone, PartialEq)]
struct Point {
    x: f64,
    ys: Vec<f64>,
}

#[derive(Clone, PartialEq, Default)]
struct Charts {
    members: Chartable,
    points: Chartable,
    redemptions: Chartable,
    orders: Chartable,
    revenue: Chartable,
}

async fn summary(shop: &str) -> Result<Summary, ApiError> {
    get(&shop_url(shop, "/reports/summary")).await
}

async fn insights(shop: &str) -> Result<Insights, ApiError> {
    get(&shop_url(shop, "/reports/insights")).await
}

async fn series(
    shop: &str,
    metric: Metric,
    channel: Option<OrderChannel>,
    interval: Interval,
    from: &str,
    to: &str,
) -> Result<Timeseries, ApiError> {
    let mut url = shop_url(
        shop,
        &format!(
            "/reports/timeseries?metric={metric}&interval={interval}&from={from}&to={to}",
            metric = metric.as_str(),
            interval = interval.as_str(),
        ),
    );
    if let Some(channel) = channel {
        url.push_str(&format!("&channel={}", channel.as_str()));
    }
    get(&url).await
}

/// Every chart of the range, from nine timeseries.
async fn charts(shop: &str, interval: Interval, from: &str, to: &str) -> Result<Charts, ApiError> {
    use Metric::*;
    let one = |metric, channel| series(shop, metric, channel, interval, from, to);
    let members = one(MembersNew, None).await?;
    let starts: Vec<String> = members.points.iter().map(|p| p.start.clone()).collect();
    let values = |t: &Timeseries| t.points.iter().map(|p| p.value).collect::<Vec<_>>();
    let chart = |lines: Vec<(&'static str, Vec<i64>)>, money| Chartable {
        starts: starts.clone(),
        lines,
        money,
        total: true,
    };
    let issued = values(&one(PointsIssued, None).await?);
    let redeemed = values(&one(PointsRedeemed, None).await?);
    let expired = values(&one(PointsExpired, None).await?);
    let redemptions = values(&one(Redemptions, None).await?);
    let online = Some(OrderChannel::Online);
    let pos = Some(OrderChannel::Pos);
    let orders_online = values(&one(Orders, online).await?);
    let orders_pos = values(&one(Orders, pos).await?);
    let revenue_online = values(&one(RevenueMinor, online).await?);
    let revenue_pos = values(&one(RevenueMinor, pos).await?);
    Ok(Charts {
        members: chart(vec![("rep_chart_members", values(&members))], false),
        points: chart(
            vec![
                ("rep_issued", issued),
                ("rep_redeemed", redeemed),
                ("rep_expired", expired),
            ],
            false,
        ),
        redemptions: chart(vec![("rep_redemptions", redemptions)], false),
        orders: chart(
            vec![
                ("rep_orders_online", orders_online),
                ("rep_orders_pos", orders_pos),
            ],
            false,
        ),
        revenue: chart(
            vec![
                ("rep_revenue_online", revenue_online),
                ("rep_revenue_pos", revenue_pos),
            ],
            true,
        ),
    })
}

/// An amount with its currency: `5480, "USD"` → `54.80 USD`.
fn money(amount_minor: i64, currency: &str) -> String {
    format!("{} {currency}", format_minor(amount_minor, currency))
}

/// Today (UTC) as days since 1970-01-01.
fn today() -> i64 {
    let ms = js_sys::Date::now() as i64;
    ms.div_euclid(86_400_000)
}

/// `part / whole` as a percentage with one decimal, or "–" when there is no whole.
fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".into();
    }
    let tenths = (i128::from(part) * 1000 + i128::from(whole) / 2) / i128::from(whole);
    format!("{}.{} %", tenths / 10, tenths % 10)
}

#[component]
pub fn Reports() -> impl IntoView {
    let console = use_console();
    let shop_id = console.shop_id_untracked();
    let to = RwSignal::new(format_date(today()));
    let from = RwSignal::new(format_date(today() - 89));
    let interval = RwSignal::new(Interval::Day);
    let error = RwSignal::new(None::<String>);
    let overview = RwSignal::new(None::<(Summary, Insights, Program)>);
    let charts_now = RwSignal::new(None::<Charts>);

    {
        let shop_id = shop_id.clone();
        spawn_local(async move {
            let answer = async {
                Ok::<_, ApiError>((
                    summary(&shop_id).await?,
                    insights(&shop_id).await?,
                    api::program(&shop_id).await?,
                ))
            };
            match answer.await {
                Ok(all) => overview.set(Some(all)),
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
        });
    }
    let load_charts = move || {
        let (f, t, i) = (
            from.get_untracked(),
            to.get_untracked(),
            interval.get_untracked(),
        );
        match (parse_date(&f), parse_date(&t)) {
            (Some(a), Some(b)) if a <= b => {}
            _ => {
                error.set(Some(console.t("rep_bad_range").into()));
                return;
            }
        }
        let shop_id = console.shop_id_untracked();
        spawn_local(async move {
            match charts(&shop_id, i, &f, &t).await {
                Ok(c) => {
                    error.set(None);
                    charts_now.set(Some(c));
                }
                Err(e) => error.set(Some(e.message(console.lang.get_untracked()))),
            }
        });
    };
    load_charts();

    let currency = move || {
        overview.with(|o| {
            o.as_ref()
                .map(|(_, _, p)| p.shop.currency.clone())
                .unwrap_or_default()
        })
    };

    view! {
        <h1>{move || console.t("nav_reports")}</h1>
        <p class="error" role="alert">{move || error.get()}</p>
        {move || overview.get().map(|(s, i, p)| view! { <Glance summary=s insights=i program=p /> })}
        <form class="card report-range" on:submit=move |ev| { ev.prevent_default(); load_charts(); }
            aria-labelledby="range-title">
            <h2 id="range-title">{move || console.t("rep_range")}</h2>
            <div class="range-fields">
                <label>{move || console.t("rep_from")}
                    <input type="date" id="report-from" prop:value=from on:change=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label>{move || console.t("rep_to")}
                    <input type="date" id="report-to" prop:value=to on:change=move |ev| to.set(event_target_value(&ev)) />
                </label>
                <label>{move || console.t("rep_interval")}
                    <select id="report-interval" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse() { interval.set(i) }
                    }>
                        {[(Interval::Day, "rep_day"), (Interval::Week, "rep_week"), (Interval::Month, "rep_month")]
                            .into_iter().map(|(i, key)| view! {
                                <option value=i.as_str() selected=move || interval.get() == i>{move || console.t(key)}</option>
                            }).collect_view()}
                    </select>
                </label>
                <button type="submit">{move || console.t("rep_show")}</button>
            </div>
        </form>
        {move || charts_now.get().map(|c| view! {
            <div class="charts">
                <TimeChart id="members" title="rep_chart_members" data=c.members />
                <TimeChart id="points" title="rep_chart_points" data=c.points />
                <TimeChart id="redemptions" title="rep_redemptions" data=c.redemptions />
                <TimeChart id="orders" title="rep_chart_orders" data=c.orders />
                <TimeChart id="revenue" title="rep_chart_revenue" data=c.revenue currency=currency() />
            </div>
        })}
        {move || overview.get().map(|(_, i, _)| view! { <Feedback insights=i /> })}
    }
}

/// The summary as cards, members by tier and referral results.
#[component]
fn Glance(summary: Summary, insights: Insights, program: Program) -> impl IntoView {
    let console = use_console();
    let currency = program.shop.currency.clone();
    let liability = insights::point_value(&program.rules.rewards).map(|rate| {
        money(
            insights::liability_minor(summary.points_outstanding, rate),
            &currency,
        )
    });
    let soon = insights.redeemed_within_90_days.clone();
    let members = summary.members;
    let rate_tenths = (summary.redemption_rate * 1000.0).round() as i64;
    let referrals = insights.referrals.clone();
    let tiers: Vec<(String, i64)> = program
        .rules
        .tiers
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                summary.members_by_tier.get(&t.id).copied().unwrap_or(0),
            )
        })
        .collect();
    let tiered: i64 = tiers.iter().map(|(_, n)| n).sum();
    let card = move |key: &'static str, value: String, id: &'static str| {
        view! {
            <div class="stat" id=id>
                <dt>{move || console.t(key)}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    let nps = summary.nps;
    view! {
        <section class="card" aria-labelledby="glance-title">
            <h2 id="glance-title">{move || console.t("rep_at_a_glance")}</h2>
            <dl class="stats">
                {card("rep_members", members.to_string(), "stat-members")}
                {card("rep_issued", summary.points_issued.to_string(), "stat-issued")}
                {card("rep_redeemed", summary.points_redeemed.to_string(), "stat-redeemed")}
                {card("rep_expired", summary.points_expired.to_string(), "stat-expired")}
                {card("rep_outstanding", summary.points_outstanding.to_string(), "stat-outstanding")}
                <div class="stat" id="stat-liability">
                    <dt>{move || console.t("rep_liability")}</dt>
                    <dd>{liability.clone().unwrap_or_else(|| "–".into())}</dd>
                    <dd class="muted small">{move || console.t(if liability.is_some() { "rep_liability_note" } else { "rep_liability_none" })}</dd>
                </div>
                {card("rep_redemptions", summary.redemptions.to_string(), "stat-redemptions")}
                <div class="stat" id="stat-rate">
                    <dt>{move || console.t("rep_rate")}</dt>
                    <dd>{format!("{}.{} %", rate_tenths / 10, rate_tenths % 10)}</dd>
                    <dd class="muted small">{move || console.t("rep_rate_note")}</dd>
                </div>
                <div class="stat" id="stat-soon">
                    <dt>{move || console.t("rep_soon")}</dt>
                    <dd>{percent(soon.redeemed, soon.earned)}</dd>
                    <dd class="muted small">{move || console.t("rep_soon_note")
                        .replace("{from}", &soon.cohort_from).replace("{to}", &soon.cohort_to)}</dd>
                </div>
                <div class="stat" id="stat-nps">
                    <dt>{move || console.t("rep_nps")}</dt>
                    <dd>{nps.score.to_string()}</dd>
                    <dd class="muted small">{move || console.t("rep_nps_detail")
                        .replace("{n}", &nps.responses.to_string()).replace("{p}", &nps.promoters.to_string())
                        .replace("{s}", &nps.passives.to_string()).replace("{d}", &nps.detractors.to_string())}</dd>
                </div>
            </dl>
        </section>
        <div class="two-up">
            <section class="card" aria-labelledby="tiers-title">
                <h2 id="tiers-title">{move || console.t("rep_tiers")}</h2>
                <table id="tiers-table">
                    <thead><tr>
                        <th scope="col">{move || console.t("rep_tier")}</th>
                        <th scope="col">{move || console.t("rep_members")}</th>
                        <th scope="col">{move || console.t("rep_share")}</th>
                    </tr></thead>
                    <tbody>
                        {tiers.into_iter().map(|(name, n)| view! {
                            <tr><th scope="row">{name}</th><td>{n}</td><td>{percent(n, members)}</td></tr>
                        }).collect_view()}
                        <tr><th scope="row">{move || console.t("rep_no_tier")}</th>
                            <td>{members - tiered}</td><td>{percent(members - tiered, members)}</td></tr>
                    </tbody>
                </table>
            </section>
            <section class="card" aria-labelledby="referrals-title">
                <h2 id="referrals-title">{move || console.t("rep_referrals")}</h2>
                <dl class="pairs">
                    <dt>{move || console.t("rep_ref_completed")}</dt><dd id="ref-completed">{referrals.completed}</dd>
                    <dt>{move || console.t("rep_ref_advocates")}</dt><dd>{referrals.advocates}</dd>
                    <dt>{move || console.t("rep_ref_points")}</dt>
                    <dd>{format!("{} / {}", referrals.advocate_points, referrals.friend_points)}</dd>
                    <dt>{move || console.t("rep_ref_revenue")}</dt><dd>{money(referrals.friends_revenue_minor, &currency)}</dd>
                    <dt>{move || console.t("rep_ref_refused")}</dt><dd>{referrals.refused}</dd>
                </dl>
            </section>
        </div>
    }
}

/// The NPS month by month, as a chart and a table, and the latest comments (text, never HTML).
#[component]
fn Feedback(insights: Insights) -> impl IntoView {
    let console = use_console();
    let trend = Chartable {
        starts: insights
            .nps_by_month
            .iter()
            .map(|m| m.start.clone())
            .collect(),
        lines: vec![
            (
                "rep_nps",
                insights.nps_by_month.iter().map(|m| m.score).collect(),
            ),
            (
                "rep_responses",
                insights.nps_by_month.iter().map(|m| m.responses).collect(),
            ),
        ],
        money: false,
        total: false,
    };
    let comments = insights.latest_comments;
    view! {
        <TimeChart id="nps" title="rep_chart_nps" data=trend />
        <section class="card" aria-labelledby="comments-title">
            <h2 id="comments-title">{move || console.t("rep_comments")}</h2>
            {if comments.is_empty() {
                view! { <p class="muted">{move || console.t("rep_no_comments")}</p> }.into_any()
            } else {
                view! {
                    <ul class="comments">
                        {comments.into_iter().map(|c| view! {
                            <li>
                                <span class="score">{format!("{} {}", console.t("rep_score"), c.score)}</span>
                                <blockquote>{c.comment}</blockquote>
                                <span class="muted small">{format!("{} · {}", c.customer_id, c.created_at.get(..10).unwrap_or(&c.created_at))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// A chart over time and, under it, the same numbers as a table (the chart itself is hidden from
/// assistive technology: the table says it all).
#[component]
fn TimeChart(
    id: &'static str,
    title: &'static str,
    data: Chartable,
    #[prop(optional)] currency: String,
) -> impl IntoView {
    let console = use_console();
    let points: Vec<Point> = data
        .starts
        .iter()
        .enumerate()
        .map(|(n, _)| Point {
            x: n as f64,
            ys: data.lines.iter().map(|(_, v)| v[n] as f64).collect(),
        })
        .collect();
    let starts = data.starts.clone();
    let lang = console.lang.get_untracked();
    let mut series = Series::new(|p: &Point| p.x);
    if data.lines.iter().all(|(_, v)| v.iter().all(|&y| y >= 0)) {
        series = series.with_min_y(0.0);
    }
    for (n, (key, _)) in data.lines.iter().enumerate() {
        let name = crate::i18n::t(lang, key);
        series = series.line(
            Line::new(move |p: &Point| p.ys[n])
                .with_name(name)
                .with_interpolation(Interpolation::Linear),
        );
    }
    let label_starts = starts.clone();
    let bottom = TickLabels::aligned_floats().with_format(move |x: &f64, _| {
        label_starts
            .get(x.round().max(0.0) as usize)
            .filter(|_| (x - x.round()).abs() < 1e-6)
            .cloned()
            .unwrap_or_default()
    });
    let money = data.money;
    // Counts have whole ticks only; money reads in the currency, not in cents.
    let tick_currency = currency.clone();
    let left = TickLabels::aligned_floats().with_format(move |y: &f64, _| {
        if (y - y.round()).abs() > 1e-6 {
            String::new()
        } else if money {
            format_minor(y.round() as i64, &tick_currency)
        } else {
            format!("{}", y.round() as i64)
        }
    });
    let totals: Option<Vec<i64>> = data
        .total
        .then(|| data.lines.iter().map(|(_, v)| v.iter().sum()).collect());
    let show = move |v: i64| {
        if money {
            self::money(v, &currency)
        } else {
            v.to_string()
        }
    };
    let title_id = format!("chart-{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="card chart" id=format!("chart-{id}") aria-labelledby=labelled_by>
            <h2 id=title_id>{move || console.t(title)}</h2>
            <div class="chart-box" aria-hidden="true">
                <Chart
                    aspect_ratio=AspectRatio::from_env_width(220.0)
                    padding=Padding::sides(8.0, 44.0, 4.0, 4.0)
                    series=series
                    data=Signal::stored(points)
                    left=left
                    bottom=bottom
                    top=Legend::start()
                    inner=[AxisMarker::left_edge().into_inner(), AxisMarker::bottom_edge().into_inner(), YGridLine::default().into_inner()]
                    tooltip=Tooltip::left_cursor()
                />
            </div>
            <details>
                <summary>{move || console.t("rep_numbers")}</summary>
                <div class="table-scroll" tabindex="0">
                    <table class="numbers">
                        <caption class="sr-only">{move || console.t(title)}</caption>
                        <thead><tr>
                            <th scope="col">{move || console.t("rep_period")}</th>
                            {data.lines.iter().map(|(key, _)| {
                                let key = *key;
                                view! { <th scope="col">{move || console.t(key)}</th> }
                            }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {starts.iter().enumerate().map(|(n, start)| view! {
                                <tr>
                                    <th scope="row">{start.clone()}</th>
                                    {data.lines.iter().map(|(_, v)| view! { <td>{show(v[n])}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                        {totals.map(|totals| view! {
                            <tfoot><tr>
                                <th scope="row">{move || console.t("rep_total")}</th>
                                {totals.into_iter().map(|t| view! { <td>{show(t)}</td> }).collect_view()}
                            </tr></tfoot>
                        })}
                    </table>
                </div>
            </details>
        </section>
    }
}
