//! Exports of customers and the ledger; import of customers from Tally, Smile.io, LoyaltyLion or Yotpo CSV with a dry run.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_core::imports::{mapping, ImportAction, ImportFormat, ImportReport};

use crate::api::{shop_url, ApiError};
use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[
    ("data_export", ["Export", "Export", "Exporter", "Exportar", "Dışa aktar", "التصدير"]),
    ("data_export_intro", ["CSV files for a spreadsheet or another system. Cells that a spreadsheet could run as a formula get a ' in front.", "CSV-Dateien für eine Tabellenkalkulation oder ein anderes System. Zellen, die als Formel ausgeführt werden könnten, erhalten ein ' davor.", "Des fichiers CSV pour un tableur ou un autre système. Les cellules qu'un tableur pourrait exécuter comme formule reçoivent un ' devant.", "Archivos CSV para una hoja de cálculo u otro sistema. Las celdas que una hoja de cálculo podría ejecutar como fórmula llevan un ' delante.", "Bir elektronik tablo ya da başka bir sistem için CSV dosyaları. Formül olarak çalışabilecek hücrelerin başına ' eklenir.", "ملفات CSV لجدول بيانات أو نظام آخر. الخلايا التي قد يشغّلها جدول البيانات كصيغة تُسبق بعلامة '."]),
    ("data_customers_csv", ["Download customers (CSV)", "Kunden herunterladen (CSV)", "Télécharger les clients (CSV)", "Descargar clientes (CSV)", "Müşterileri indir (CSV)", "تنزيل العملاء (CSV)"]),
    ("data_customers_hint", ["Every customer: balance, lifetime points, tier, membership, referral code.", "Alle Kunden: Punktestand, Gesamtpunkte, Stufe, Mitgliedschaft, Empfehlungscode.", "Tous les clients : solde, points cumulés, niveau, abonnement, code de parrainage.", "Todos los clientes: saldo, puntos acumulados, nivel, membresía, código de referido.", "Tüm müşteriler: bakiye, toplam puan, seviye, üyelik, tavsiye kodu.", "جميع العملاء: الرصيد، النقاط المتراكمة، المستوى، العضوية، رمز الإحالة."]),
    ("data_ledger", ["Ledger", "Punktebuch", "Registre des points", "Registro de puntos", "Puan defteri", "سجل النقاط"]),
    ("data_ledger_hint", ["Every points entry, oldest first. Leave the dates empty for all of them; days are in UTC.", "Jede Punktebuchung, älteste zuerst. Ohne Datum alle; Tage in UTC.", "Chaque écriture de points, de la plus ancienne. Laissez les dates vides pour tout ; jours en UTC.", "Cada movimiento de puntos, del más antiguo. Deja las fechas vacías para todos; días en UTC.", "Her puan kaydı, en eskisi önce. Tümü için tarihleri boş bırakın; günler UTC'dir.", "كل قيد نقاط، الأقدم أولًا. اترك التاريخين فارغين للحصول على الكل؛ الأيام بتوقيت UTC."]),
    ("data_from", ["From", "Von", "Du", "Desde", "Başlangıç", "من"]),
    ("data_to", ["To", "Bis", "Au", "Hasta", "Bitiş", "إلى"]),
    ("data_ledger_csv", ["Download ledger (CSV)", "Punktebuch herunterladen (CSV)", "Télécharger le registre (CSV)", "Descargar registro (CSV)", "Puan defterini indir (CSV)", "تنزيل سجل النقاط (CSV)"]),
    ("data_bad_range", ["The first day is after the last.", "Der erste Tag liegt nach dem letzten.", "Le premier jour est après le dernier.", "El primer día es posterior al último.", "İlk gün son günden sonra.", "اليوم الأول بعد اليوم الأخير."]),
    ("data_import", ["Import customers", "Kunden importieren", "Importer des clients", "Importar clientes", "Müşterileri içe aktar", "استيراد العملاء"]),
    ("data_import_intro", ["Bring your members and their balances from your old program. Each balance is a target: it comes in as one \"Imported balance\" entry for the difference, so running the same file twice changes nothing, and points earned in Tally since are kept. Files from other platforms identify customers by their email, lower-cased.", "Übernehmen Sie Mitglieder und Punktestände aus Ihrem alten Programm. Jeder Punktestand ist ein Zielwert: Er kommt als eine Buchung \"Imported balance\" über die Differenz, daher ändert dieselbe Datei zweimal nichts, und seither in Tally gesammelte Punkte bleiben. Dateien anderer Plattformen erkennen Kunden an der E-Mail in Kleinbuchstaben.", "Reprenez vos membres et leurs soldes de votre ancien programme. Chaque solde est une cible : il arrive en une écriture « Imported balance » pour la différence ; importer deux fois le même fichier ne change donc rien, et les points gagnés depuis dans Tally sont conservés. Les fichiers d'autres plateformes identifient les clients par leur e-mail en minuscules.", "Trae tus miembros y sus saldos de tu programa anterior. Cada saldo es un objetivo: entra como un movimiento \"Imported balance\" por la diferencia, así que importar dos veces el mismo archivo no cambia nada y se conservan los puntos ganados desde entonces en Tally. Los archivos de otras plataformas identifican a los clientes por su correo en minúsculas.", "Üyelerinizi ve bakiyelerini eski programınızdan getirin. Her bakiye bir hedeftir: fark için tek bir \"Imported balance\" kaydı olarak gelir; aynı dosyayı iki kez çalıştırmak hiçbir şeyi değiştirmez ve o zamandan beri Tally'de kazanılan puanlar korunur. Diğer platformların dosyaları müşterileri küçük harfli e-postalarıyla tanır.", "انقل أعضاءك وأرصدتهم من برنامجك السابق. كل رصيد هدف: يدخل كقيد واحد \"Imported balance\" بالفرق، لذا فإن تشغيل الملف نفسه مرتين لا يغيّر شيئًا، وتبقى النقاط المكتسبة في Tally منذ ذلك الحين. تتعرّف ملفات المنصات الأخرى على العملاء ببريدهم الإلكتروني بأحرف صغيرة."]),
    ("data_format", ["The file comes from", "Die Datei stammt aus", "Le fichier vient de", "El archivo viene de", "Dosyanın kaynağı", "مصدر الملف"]),
    ("data_format_tally", ["Tally (our customers CSV)", "Tally (unser Kunden-CSV)", "Tally (notre CSV des clients)", "Tally (nuestro CSV de clientes)", "Tally (müşteri CSV dosyamız)", "Tally (ملف CSV للعملاء لدينا)"]),
    ("data_file", ["CSV file (up to 8 MB)", "CSV-Datei (bis 8 MB)", "Fichier CSV (8 Mo au plus)", "Archivo CSV (hasta 8 MB)", "CSV dosyası (en çok 8 MB)", "ملف CSV (حتى 8 ميغابايت)"]),
    ("data_required", ["Columns it needs", "Benötigte Spalten", "Colonnes requises", "Columnas necesarias", "Gerekli sütunlar", "الأعمدة المطلوبة"]),
    ("data_optional", ["also read", "außerdem gelesen", "lues aussi", "también se leen", "ayrıca okunanlar", "تُقرأ أيضًا"]),
    ("data_or", ["or", "oder", "ou", "o", "veya", "أو"]),
    ("data_columns_note", ["Headers match whatever their case, spaces, _ or -; other columns are ignored.", "Überschriften passen unabhängig von Groß-/Kleinschreibung, Leerzeichen, _ oder -; andere Spalten werden ignoriert.", "Les en-têtes correspondent quels que soient la casse, les espaces, _ ou - ; les autres colonnes sont ignorées.", "Los encabezados coinciden sin importar mayúsculas, espacios, _ o -; las demás columnas se ignoran.", "Başlıklar büyük/küçük harf, boşluk, _ veya - fark etmeksizin eşleşir; diğer sütunlar yok sayılır.", "تُطابق العناوين بغض النظر عن حالة الأحرف أو المسافات أو _ أو -؛ وتُتجاهل الأعمدة الأخرى."]),
    ("data_too_big", ["This file is over 8 MB: split it into smaller files.", "Diese Datei ist größer als 8 MB: Teilen Sie sie in kleinere Dateien auf.", "Ce fichier dépasse 8 Mo : découpez-le en fichiers plus petits.", "Este archivo supera 8 MB: divídelo en archivos más pequeños.", "Bu dosya 8 MB'tan büyük: daha küçük dosyalara bölün.", "يتجاوز هذا الملف 8 ميغابايت: قسّمه إلى ملفات أصغر."]),
    ("data_unreadable", ["The file could not be read.", "Die Datei konnte nicht gelesen werden.", "Le fichier n'a pas pu être lu.", "No se pudo leer el archivo.", "Dosya okunamadı.", "تعذّرت قراءة الملف."]),
    ("data_dry_run", ["Dry run: check, change nothing", "Probelauf: prüfen, nichts ändern", "Essai à blanc : vérifier sans rien changer", "Prueba: comprobar sin cambiar nada", "Deneme: kontrol et, hiçbir şeyi değiştirme", "تشغيل تجريبي: تحقّق دون تغيير شيء"]),
    ("data_run_import", ["Import", "Importieren", "Importer", "Importar", "İçe aktar", "استيراد"]),
    ("data_dry_run_first", ["Run the dry run first; Import runs once it finds no refused row.", "Zuerst den Probelauf starten; Importieren geht, sobald er keine abgelehnte Zeile findet.", "Lancez d'abord l'essai à blanc ; l'import s'active quand il ne trouve aucune ligne refusée.", "Haz primero la prueba; Importar se activa cuando no encuentra filas rechazadas.", "Önce denemeyi çalıştırın; reddedilen satır bulunmadığında İçe aktar etkinleşir.", "شغّل التجربة أولًا؛ يُتاح الاستيراد عندما لا تجد أي صف مرفوض."]),
    ("data_checking", ["Checking the file…", "Datei wird geprüft…", "Vérification du fichier…", "Comprobando el archivo…", "Dosya kontrol ediliyor…", "جارٍ فحص الملف…"]),
    ("data_importing", ["Importing… large files take a while; it is safe to run again if cut off.", "Import läuft… große Dateien dauern; bei Abbruch einfach erneut starten.", "Import en cours… les gros fichiers prennent du temps ; relancer après une coupure est sans risque.", "Importando… los archivos grandes tardan; si se corta, puedes repetirlo sin riesgo.", "İçe aktarılıyor… büyük dosyalar zaman alır; yarıda kesilirse yeniden çalıştırmak güvenlidir.", "جارٍ الاستيراد… الملفات الكبيرة تستغرق وقتًا؛ ويمكن إعادة التشغيل بأمان إذا انقطع."]),
    ("data_dry_title", ["Dry run: nothing has changed yet", "Probelauf: Noch wurde nichts geändert", "Essai à blanc : rien n'a encore changé", "Prueba: aún no ha cambiado nada", "Deneme: henüz hiçbir şey değişmedi", "تشغيل تجريبي: لم يتغيّر شيء بعد"]),
    ("data_done_title", ["Imported", "Importiert", "Importé", "Importado", "İçe aktarıldı", "تم الاستيراد"]),
    ("data_summary_new", ["new", "neu", "nouveaux", "nuevos", "yeni", "جديد"]),
    ("data_summary_updated", ["updated", "aktualisiert", "mis à jour", "actualizados", "güncellendi", "محدَّث"]),
    ("data_summary_unchanged", ["unchanged", "unverändert", "inchangés", "sin cambios", "değişmedi", "دون تغيير"]),
    ("data_summary_refused", ["refused", "abgelehnt", "refusés", "rechazados", "reddedildi", "مرفوض"]),
    ("data_refused_note", ["Some rows are refused: fix them in the file and run the dry run again. Nothing is imported while any row is refused.", "Einige Zeilen sind abgelehnt: Korrigieren Sie sie in der Datei und starten Sie den Probelauf erneut. Solange eine Zeile abgelehnt ist, wird nichts importiert.", "Certaines lignes sont refusées : corrigez-les dans le fichier et relancez l'essai. Rien n'est importé tant qu'une ligne est refusée.", "Algunas filas están rechazadas: corrígelas en el archivo y repite la prueba. No se importa nada mientras haya filas rechazadas.", "Bazı satırlar reddedildi: dosyada düzeltip denemeyi yeniden çalıştırın. Reddedilen satır varken hiçbir şey içe aktarılmaz.", "بعض الصفوف مرفوضة: صحّحها في الملف وأعد التشغيل التجريبي. لا يُستورد شيء ما دام هناك صف مرفوض."]),
    ("data_rows", ["Rows of the file", "Zeilen der Datei", "Lignes du fichier", "Filas del archivo", "Dosyanın satırları", "صفوف الملف"]),
    ("data_rows_scroll", ["Rows of the file (scrolls sideways)", "Zeilen der Datei (seitlich scrollbar)", "Lignes du fichier (défile horizontalement)", "Filas del archivo (se desplaza de lado)", "Dosyanın satırları (yana kayar)", "صفوف الملف (تُمرَّر أفقيًا)"]),
    ("data_line", ["Line", "Zeile", "Ligne", "Línea", "Satır", "السطر"]),
    ("data_customer", ["Customer", "Kunde", "Client", "Cliente", "Müşteri", "العميل"]),
    ("data_what", ["What happens", "Was passiert", "Ce qui se passe", "Qué pasa", "Ne olur", "ما يحدث"]),
    ("data_balance", ["Balance", "Punktestand", "Solde", "Saldo", "Bakiye", "الرصيد"]),
    ("data_changes", ["Changes", "Änderungen", "Changements", "Cambios", "Değişiklikler", "التغييرات"]),
    ("data_message", ["Why / note", "Grund / Hinweis", "Motif / remarque", "Motivo / nota", "Neden / not", "السبب / ملاحظة"]),
    ("data_action_create", ["New customer", "Neuer Kunde", "Nouveau client", "Cliente nuevo", "Yeni müşteri", "عميل جديد"]),
    ("data_action_update", ["Updated", "Aktualisiert", "Mis à jour", "Actualizado", "Güncellenir", "يُحدَّث"]),
    ("data_action_unchanged", ["Unchanged", "Unverändert", "Inchangé", "Sin cambios", "Değişmez", "دون تغيير"]),
    ("data_action_error", ["Refused", "Abgelehnt", "Refusé", "Rechazado", "Reddedildi", "مرفوض"]),
];

/// The formats in the select, with the message key or the platform's own name.
const FORMATS: [(ImportFormat, &str); 4] = [
    (ImportFormat::Smile, "Smile.io"),
    (ImportFormat::Loyaltylion, "LoyaltyLion"),
    (ImportFormat::Yotpo, "Yotpo Loyalty"),
    (ImportFormat::Tally, ""),
];

/// The server takes files up to this size (http/imports.rs).
const IMPORT_LIMIT_BYTES: f64 = 8.0 * 1024.0 * 1024.0;

/// The header names a format reads, as the server matches them: `(required, also read)`, each column
/// with the names it goes by (a trailing `*` shown as `…`: any header beginning so).
fn columns(format: ImportFormat) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let names = |aliases: &[&str]| {
        aliases
            .iter()
            .map(|a| match a.strip_suffix('*') {
                Some(stem) => format!("{stem}…"),
                None => (*a).to_owned(),
            })
            .collect::<Vec<_>>()
    };
    let (mut required, mut optional) = (Vec::new(), Vec::new());
    for (_, aliases, needed) in mapping(format) {
        if *needed {
            required.push(names(aliases));
        } else {
            optional.push(names(aliases));
        }
    }
    (required, optional)
}

fn action_key(action: ImportAction) -> &'static str {
    match action {
        ImportAction::Create => "data_action_create",
        ImportAction::Update => "data_action_update",
        ImportAction::Unchanged => "data_action_unchanged",
        ImportAction::Error => "data_action_error",
    }
}

/// `?from=…&to=…` of the ledger export, each only when given (a date input gives `YYYY-MM-DD`: nothing to encode).
fn ledger_query(from: &str, to: &str) -> String {
    let parts: Vec<String> = [("from", from), ("to", to)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The API call of this page: the file as the body, `text/csv`.
async fn import(
    shop: &str,
    csrf: &str,
    format: ImportFormat,
    dry_run: bool,
    text: &str,
) -> Result<ImportReport, ApiError> {
    let url = shop_url(
        shop,
        &format!(
            "/imports/customers?format={}&dry_run={dry_run}",
            format.as_str()
        ),
    );
    crate::api::send_text(gloo_net::http::Request::post(&url), csrf, "text/csv", text).await
}

/// The text of the first file chosen in a file input; `Err` with a message key.
async fn read_file(
    input: web_sys::HtmlInputElement,
) -> Result<Option<(String, String)>, &'static str> {
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return Ok(None);
    };
    if file.size() > IMPORT_LIMIT_BYTES {
        return Err("data_too_big");
    }
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or("data_unreadable")?;
    Ok(Some((file.name(), text)))
}

#[component]
pub fn Data() -> impl IntoView {
    let console = use_console();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let format = RwSignal::new(ImportFormat::Smile);
    // The file's name and text, read once when chosen.
    let file = RwSignal::new(None::<(String, String)>);
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(None::<&'static str>);
    // The latest answer, dry run or not, for the file and format now chosen.
    let report = RwSignal::new(None::<ImportReport>);
    // Whether a dry run of this file and format found no refused row (then Import may run).
    let checked = RwSignal::new(false);

    let customers_href = move || {
        console
            .shop_id
            .get()
            .map(|shop| shop_url(&shop, "/exports/customers.csv"))
    };
    let ledger_href = move || {
        let query = ledger_query(&from.get(), &to.get());
        console
            .shop_id
            .get()
            .map(|shop| shop_url(&shop, &format!("/exports/ledger.csv{query}")))
    };
    // Dates in the form YYYY-MM-DD compare as text.
    let bad_range = move || {
        let (f, t) = (from.get(), to.get());
        !f.is_empty() && !t.is_empty() && f > t
    };
    let forget = move || {
        report.set(None);
        checked.set(false);
        error.set(None);
    };
    let choose_file = move |ev: leptos::ev::Event| {
        forget();
        let input: web_sys::HtmlInputElement = event_target(&ev);
        spawn_local(async move {
            match read_file(input).await {
                Ok(chosen) => file.set(chosen),
                Err(key) => {
                    file.set(None);
                    error.set(Some(ApiError::Refused(console.t(key).to_owned())));
                }
            }
        });
    };
    let run = move |dry_run: bool| {
        let Some((_, text)) = file.get_untracked() else {
            return;
        };
        let (shop, csrf, chosen) = (
            console.shop_id_untracked(),
            console.csrf(),
            format.get_untracked(),
        );
        busy.set(Some(if dry_run {
            "data_checking"
        } else {
            "data_importing"
        }));
        error.set(None);
        spawn_local(async move {
            let answer = import(&shop, &csrf, chosen, dry_run, &text).await;
            busy.set(None);
            match answer {
                Ok(answer) => {
                    if dry_run {
                        checked.set(answer.errors == 0);
                    }
                    report.set(Some(answer));
                }
                // A file refused whole (a missing column, not CSV, too large): the server's words.
                Err(e) => {
                    checked.set(false);
                    error.set(Some(e));
                }
            }
        });
    };
    let hint = move || {
        let (required, optional) = columns(format.get());
        // Each column's names as code, joined by the page's "or": `customer_id` or `id`.
        let list = |columns: Vec<Vec<String>>| {
            columns
                .into_iter()
                .enumerate()
                .map(|(i, names)| {
                    let names = names
                        .into_iter()
                        .enumerate()
                        .map(|(j, n)| {
                            view! { {(j > 0).then(|| format!(" {} ", console.t("data_or")))}<code dir="ltr">{n}</code> }
                        })
                        .collect_view();
                    view! { {(i > 0).then_some(", ")}{names} }
                })
                .collect_view()
        };
        view! {
            <p id="import-columns">
                {console.t("data_required")}": "{list(required)}
                {(!optional.is_empty()).then(|| view! { " — "{console.t("data_optional")}": "{list(optional)} })}
                ". "<span class="muted">{console.t("data_columns_note")}</span>
            </p>
        }
    };
    let report_view = move |r: ImportReport| {
        let title = if r.dry_run {
            "data_dry_title"
        } else {
            "data_done_title"
        };
        let refused = r.errors > 0;
        view! {
            <div class="import-report">
                <h3>{move || console.t(title)}</h3>
                <p class="summary" id="import-summary">
                    <span>{r.created}" "{move || console.t("data_summary_new")}</span>", "
                    <span>{r.updated}" "{move || console.t("data_summary_updated")}</span>", "
                    <span>{r.unchanged}" "{move || console.t("data_summary_unchanged")}</span>", "
                    <span class:danger=refused>{r.errors}" "{move || console.t("data_summary_refused")}</span>
                </p>
                {refused.then(|| view! { <p class="warn">{move || console.t("data_refused_note")}</p> })}
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || console.t("data_rows_scroll")>
                    <table class="import-rows">
                        <caption class="sr-only">{move || console.t("data_rows")}</caption>
                        <thead><tr>
                            <th scope="col">{move || console.t("data_line")}</th>
                            <th scope="col">{move || console.t("data_customer")}</th>
                            <th scope="col">{move || console.t("data_what")}</th>
                            <th scope="col">{move || console.t("data_balance")}</th>
                            <th scope="col">{move || console.t("data_changes")}</th>
                            <th scope="col">{move || console.t("data_message")}</th>
                        </tr></thead>
                        <tbody>
                            {r.rows.into_iter().map(|row| {
                                let action = row.action;
                                let balance = match (row.balance_before, row.balance_after) {
                                    (Some(b), Some(a)) if a != b => format!("{b} → {a}"),
                                    (None, Some(a)) => format!("→ {a}"),
                                    (_, Some(a)) => a.to_string(),
                                    (Some(b), None) => b.to_string(),
                                    (None, None) => "—".to_owned(),
                                };
                                let why = row.message.or(row.note).unwrap_or_default();
                                view! {
                                    <tr class=format!("import-row {}", match action {
                                        ImportAction::Create => "create",
                                        ImportAction::Update => "update",
                                        ImportAction::Unchanged => "unchanged",
                                        ImportAction::Error => "error",
                                    })>
                                        <td class="num">{row.line}</td>
                                        <td class="customer"><span dir="ltr">{row.customer_id.unwrap_or_else(|| "—".to_owned())}</span></td>
                                        <td>{move || console.t(action_key(action))}</td>
                                        <td class="num"><span dir="ltr">{balance}</span></td>
                                        <td><span dir="ltr">{row.changes.join(", ")}</span></td>
                                        <td>{why}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </div>
        }
    };

    view! {
        <h1>{move || console.t("nav_data")}</h1>
        <section class="card" aria-labelledby="export-title">
            <h2 id="export-title">{move || console.t("data_export")}</h2>
            <p class="muted">{move || console.t("data_export_intro")}</p>
            <p>{move || console.t("data_customers_hint")}</p>
            <a class="button" id="export-customers" href=customers_href download="">{move || console.t("data_customers_csv")}</a>
            <h3>{move || console.t("data_ledger")}</h3>
            <p>{move || console.t("data_ledger_hint")}</p>
            <div class="row">
                <div class="field">
                    <label for="ledger-from">{move || console.t("data_from")}</label>
                    <input id="ledger-from" type="date" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="ledger-to">{move || console.t("data_to")}</label>
                    <input id="ledger-to" type="date" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                </div>
            </div>
            <p class="error" role="alert">{move || bad_range().then(|| console.t("data_bad_range"))}</p>
            <a class="button" id="export-ledger" href=ledger_href download="" class:disabled=bad_range aria-disabled=move || bad_range().to_string()
                on:click=move |ev| { if bad_range() { ev.prevent_default() } }>{move || console.t("data_ledger_csv")}</a>
        </section>
        <section class="card" aria-labelledby="import-title">
            <h2 id="import-title">{move || console.t("data_import")}</h2>
            <p>{move || console.t("data_import_intro")}</p>
            <div class="row">
                <div class="field">
                    <label for="import-format">{move || console.t("data_format")}</label>
                    <select id="import-format" on:change=move |ev| {
                        if let Some(f) = ImportFormat::parse(&event_target_value(&ev)) {
                            format.set(f);
                            forget();
                        }
                    }>
                        {FORMATS.into_iter().map(|(f, name)| view! {
                            <option value=f.as_str() selected=move || format.get() == f>
                                {move || if name.is_empty() { console.t("data_format_tally") } else { name }}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="import-file">{move || console.t("data_file")}</label>
                    <input id="import-file" type="file" accept=".csv,text/csv" on:change=choose_file />
                </div>
            </div>
            {hint}
            <p class="muted">{move || console.t("data_dry_run_first")}</p>
            <div class="actions">
                <button type="button" class="primary" id="import-dry-run" disabled=move || file.with(Option::is_none) || busy.get().is_some()
                    on:click=move |_| run(true)>{move || console.t("data_dry_run")}</button>
                <button type="button" class="secondary" id="import-run" disabled=move || !checked.get() || busy.get().is_some()
                    on:click=move |_| run(false)>{move || console.t("data_run_import")}</button>
            </div>
            <p class="status" role="status">{move || busy.get().map(|k| console.t(k))}</p>
            <p class="error" role="alert">{move || error.get().map(|e| e.message(console.lang.get()))}</p>
            {move || report.get().map(report_view)}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_hint_names_what_the_server_requires() {
        let (required, optional) = columns(ImportFormat::Smile);
        assert_eq!(required, vec![vec!["email"], vec!["points"]]);
        assert!(optional.contains(&vec!["customer_id".to_owned(), "id".to_owned()]));
        let (_, yotpo) = columns(ImportFormat::Yotpo);
        assert!(yotpo.contains(&vec!["birthday…".to_owned()]));
    }

    #[test]
    fn the_ledger_link_carries_only_the_dates_given() {
        assert_eq!(ledger_query("", ""), "");
        assert_eq!(ledger_query("2026-01-01", ""), "?from=2026-01-01");
        assert_eq!(
            ledger_query("2026-01-01", "2026-01-31"),
            "?from=2026-01-01&to=2026-01-31"
        );
    }
}
