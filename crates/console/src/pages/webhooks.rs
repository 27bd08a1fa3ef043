//! Endpoints (secret shown once), events, deliveries with status and answer, retry, test event.

use leptos::prelude::*;
use leptos::task::spawn_local;
use tally_core::webhooks::{
    DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint, WebhookEndpointCreate,
    WebhookEndpointCreated, WebhookEndpointUpdate, ALL_EVENTS,
};

use crate::api::ApiError;
use crate::i18n::Row;
use crate::state::use_console;

/// This page's messages (en, de, fr, es, tr, ar).
pub const WORDS: &[Row] = &[
    ("wh_intro", ["Tally sends each event to your URL as a signed POST (Standard Webhooks), and retries until your server answers 2xx.", "Tally sendet jedes Ereignis als signierten POST (Standard Webhooks) an Ihre URL und wiederholt es, bis Ihr Server mit 2xx antwortet.", "Tally envoie chaque événement à votre URL en POST signé (Standard Webhooks) et réessaie jusqu'à ce que votre serveur réponde 2xx.", "Tally envía cada evento a tu URL como un POST firmado (Standard Webhooks) y reintenta hasta que tu servidor responda 2xx.", "Tally her olayı URL'nize imzalı bir POST (Standard Webhooks) olarak gönderir ve sunucunuz 2xx yanıt verene kadar yeniden dener.", "يرسل Tally كل حدث إلى عنوان URL الخاص بك كطلب POST موقّع (Standard Webhooks)، ويعيد المحاولة حتى يجيب خادمك برمز 2xx."]),
    ("wh_add_title", ["Add an endpoint", "Endpunkt hinzufügen", "Ajouter un point de terminaison", "Añadir un endpoint", "Uç nokta ekle", "إضافة نقطة نهاية"]),
    ("wh_url", ["URL (https://…)", "URL (https://…)", "URL (https://…)", "URL (https://…)", "URL (https://…)", "عنوان URL ‏(https://…)"]),
    ("wh_events", ["Events", "Ereignisse", "Événements", "Eventos", "Olaylar", "الأحداث"]),
    ("wh_all_events", ["All events, including ones added later", "Alle Ereignisse, auch später hinzukommende", "Tous les événements, y compris ceux ajoutés plus tard", "Todos los eventos, incluidos los que se añadan después", "Sonradan eklenenler dahil tüm olaylar", "جميع الأحداث، بما فيها ما يُضاف لاحقًا"]),
    ("wh_some_events", ["Only the events checked below", "Nur die unten angekreuzten Ereignisse", "Seulement les événements cochés ci-dessous", "Solo los eventos marcados abajo", "Yalnızca aşağıda işaretlenen olaylar", "الأحداث المحددة أدناه فقط"]),
    ("wh_pick_one", ["Check at least one event.", "Kreuzen Sie mindestens ein Ereignis an.", "Cochez au moins un événement.", "Marca al menos un evento.", "En az bir olay işaretleyin.", "حدّد حدثًا واحدًا على الأقل."]),
    ("wh_add", ["Add endpoint", "Endpunkt hinzufügen", "Ajouter le point de terminaison", "Añadir endpoint", "Uç noktayı ekle", "إضافة نقطة النهاية"]),
    ("wh_secret_for", ["Signing secret of", "Signaturgeheimnis von", "Secret de signature de", "Secreto de firma de", "İmza sırrı:", "سر التوقيع لـ"]),
    ("wh_secret_once", ["Copy it now and keep it on your server: you will not see it again. Your server checks each delivery's signature with it.", "Kopieren Sie es jetzt und bewahren Sie es auf Ihrem Server auf: Sie werden es nicht wieder sehen. Ihr Server prüft damit die Signatur jeder Zustellung.", "Copiez-le maintenant et gardez-le sur votre serveur : vous ne le reverrez plus. Votre serveur vérifie avec lui la signature de chaque envoi.", "Cópialo ahora y guárdalo en tu servidor: no volverás a verlo. Tu servidor comprueba con él la firma de cada entrega.", "Şimdi kopyalayıp sunucunuzda saklayın: bir daha göremeyeceksiniz. Sunucunuz her teslimatın imzasını bununla doğrular.", "انسخه الآن واحفظه على خادمك: لن تراه مرة أخرى. يتحقق خادمك به من توقيع كل تسليم."]),
    ("wh_hide_secret", ["I have copied it", "Ich habe es kopiert", "Je l'ai copié", "Ya lo copié", "Kopyaladım", "لقد نسخته"]),
    ("wh_endpoints", ["Endpoints", "Endpunkte", "Points de terminaison", "Endpoints", "Uç noktalar", "نقاط النهاية"]),
    ("wh_none", ["No endpoint yet.", "Noch kein Endpunkt.", "Aucun point de terminaison pour l'instant.", "Aún no hay ningún endpoint.", "Henüz uç nokta yok.", "لا توجد نقطة نهاية بعد."]),
    ("wh_enabled", ["Enabled", "Aktiv", "Activé", "Activado", "Etkin", "مفعّل"]),
    ("wh_disabled", ["Disabled: deliveries wait", "Deaktiviert: Zustellungen warten", "Désactivé : les envois attendent", "Desactivado: las entregas esperan", "Devre dışı: teslimatlar bekliyor", "معطّل: التسليمات تنتظر"]),
    ("wh_enable", ["Enable", "Aktivieren", "Activer", "Activar", "Etkinleştir", "تفعيل"]),
    ("wh_disable", ["Disable", "Deaktivieren", "Désactiver", "Desactivar", "Devre dışı bırak", "تعطيل"]),
    ("wh_change_events", ["Change events", "Ereignisse ändern", "Modifier les événements", "Cambiar eventos", "Olayları değiştir", "تغيير الأحداث"]),
    ("wh_save_events", ["Save events", "Ereignisse speichern", "Enregistrer les événements", "Guardar eventos", "Olayları kaydet", "حفظ الأحداث"]),
    ("wh_cancel", ["Cancel", "Abbrechen", "Annuler", "Cancelar", "Vazgeç", "إلغاء"]),
    ("wh_delete", ["Delete", "Löschen", "Supprimer", "Eliminar", "Sil", "حذف"]),
    ("wh_confirm_delete", ["Delete this endpoint and its delivery log? Events stop going to it.", "Diesen Endpunkt und sein Zustellprotokoll löschen? Es gehen keine Ereignisse mehr dorthin.", "Supprimer ce point de terminaison et son journal d'envois ? Les événements n'y seront plus envoyés.", "¿Eliminar este endpoint y su registro de entregas? Dejarán de enviarse eventos a él.", "Bu uç nokta ve teslimat kaydı silinsin mi? Olaylar artık oraya gönderilmez.", "حذف نقطة النهاية هذه وسجل تسليماتها؟ لن تُرسل إليها الأحداث بعد الآن."]),
    ("wh_deleted", ["Endpoint deleted.", "Endpunkt gelöscht.", "Point de terminaison supprimé.", "Endpoint eliminado.", "Uç nokta silindi.", "حُذفت نقطة النهاية."]),
    ("wh_saved", ["Endpoint saved.", "Endpunkt gespeichert.", "Point de terminaison enregistré.", "Endpoint guardado.", "Uç nokta kaydedildi.", "حُفظت نقطة النهاية."]),
    ("wh_send_test", ["Send test event", "Testereignis senden", "Envoyer un événement de test", "Enviar evento de prueba", "Test olayı gönder", "إرسال حدث تجريبي"]),
    ("wh_test_sent", ["Test event queued: it appears in the deliveries below.", "Testereignis eingereiht: Es erscheint unten bei den Zustellungen.", "Événement de test en file : il apparaît dans les envois ci-dessous.", "Evento de prueba en cola: aparece en las entregas de abajo.", "Test olayı sıraya alındı: aşağıdaki teslimatlarda görünür.", "أُدرج الحدث التجريبي في الانتظار: يظهر في التسليمات أدناه."]),
    ("wh_show_deliveries", ["Deliveries", "Zustellungen", "Envois", "Entregas", "Teslimatlar", "التسليمات"]),
    ("wh_deliveries_to", ["Deliveries to", "Zustellungen an", "Envois vers", "Entregas a", "Teslimatlar:", "التسليمات إلى"]),
    ("wh_no_deliveries", ["No delivery yet. Send a test event to try the endpoint.", "Noch keine Zustellung. Senden Sie ein Testereignis, um den Endpunkt zu prüfen.", "Aucun envoi pour l'instant. Envoyez un événement de test pour essayer le point de terminaison.", "Aún no hay entregas. Envía un evento de prueba para probar el endpoint.", "Henüz teslimat yok. Uç noktayı denemek için bir test olayı gönderin.", "لا يوجد تسليم بعد. أرسل حدثًا تجريبيًا لتجربة نقطة النهاية."]),
    ("wh_refresh", ["Refresh", "Aktualisieren", "Actualiser", "Actualizar", "Yenile", "تحديث"]),
    ("wh_event", ["Event", "Ereignis", "Événement", "Evento", "Olay", "الحدث"]),
    ("wh_status", ["Status", "Status", "État", "Estado", "Durum", "الحالة"]),
    ("wh_attempts", ["Attempts", "Versuche", "Tentatives", "Intentos", "Deneme", "المحاولات"]),
    ("wh_answer", ["Your server's answer", "Antwort Ihres Servers", "Réponse de votre serveur", "Respuesta de tu servidor", "Sunucunuzun yanıtı", "رد خادمك"]),
    ("wh_next_attempt", ["Next attempt", "Nächster Versuch", "Prochaine tentative", "Próximo intento", "Sonraki deneme", "المحاولة التالية"]),
    ("wh_created", ["Created", "Erstellt", "Créé", "Creado", "Oluşturuldu", "أُنشئ"]),
    ("wh_pending", ["Pending", "Ausstehend", "En attente", "Pendiente", "Bekliyor", "قيد الانتظار"]),
    ("wh_succeeded", ["Succeeded", "Zugestellt", "Réussi", "Entregado", "Başarılı", "نجح"]),
    ("wh_failed", ["Failed", "Fehlgeschlagen", "Échoué", "Fallido", "Başarısız", "فشل"]),
    ("wh_details", ["Details", "Details", "Détails", "Detalles", "Ayrıntılar", "التفاصيل"]),
    ("wh_retry", ["Retry now", "Jetzt wiederholen", "Réessayer maintenant", "Reintentar ahora", "Şimdi yeniden dene", "أعد المحاولة الآن"]),
    ("wh_retried", ["Retry queued: one more attempt now.", "Wiederholung eingereiht: ein weiterer Versuch jetzt.", "Nouvel essai en file : une tentative de plus maintenant.", "Reintento en cola: un intento más ahora.", "Yeniden deneme sıraya alındı: şimdi bir deneme daha.", "أُدرجت إعادة المحاولة: محاولة أخرى الآن."]),
    ("wh_delivery", ["Delivery", "Zustellung", "Envoi", "Entrega", "Teslimat", "التسليم"]),
    ("wh_event_id", ["Event id (webhook-id header)", "Ereignis-ID (Header webhook-id)", "Id de l'événement (en-tête webhook-id)", "Id del evento (cabecera webhook-id)", "Olay kimliği (webhook-id başlığı)", "معرّف الحدث (الترويسة webhook-id)"]),
    ("wh_log", ["Attempts, oldest first", "Versuche, älteste zuerst", "Tentatives, de la plus ancienne", "Intentos, del más antiguo", "Denemeler, en eskisi önce", "المحاولات، الأقدم أولًا"]),
    ("wh_error", ["Error", "Fehler", "Erreur", "Error", "Hata", "الخطأ"]),
    ("wh_duration", ["Duration", "Dauer", "Durée", "Duración", "Süre", "المدة"]),
    ("wh_close", ["Close", "Schließen", "Fermer", "Cerrar", "Kapat", "إغلاق"]),
    ("wh_no_answer", ["no answer", "keine Antwort", "pas de réponse", "sin respuesta", "yanıt yok", "لا رد"]),
    ("wh_scroll_hint", ["Deliveries (scrolls sideways)", "Zustellungen (seitlich scrollbar)", "Envois (défile horizontalement)", "Entregas (se desplaza de lado)", "Teslimatlar (yana kayar)", "التسليمات (تُمرَّر أفقيًا)"]),
    ("wh_log_scroll", ["Attempts (scrolls sideways)", "Versuche (seitlich scrollbar)", "Tentatives (défile horizontalement)", "Intentos (se desplaza de lado)", "Denemeler (yana kayar)", "المحاولات (تُمرَّر أفقيًا)"]),
    ("wh_ev_customer_enrolled", ["A customer joins the program", "Ein Kunde tritt dem Programm bei", "Un client rejoint le programme", "Un cliente se une al programa", "Bir müşteri programa katılır", "ينضم عميل إلى البرنامج"]),
    ("wh_ev_points_changed", ["Every change to a balance", "Jede Änderung eines Punktestands", "Chaque changement de solde", "Cada cambio de saldo", "Bakiyedeki her değişiklik", "كل تغيير في الرصيد"]),
    ("wh_ev_tier_changed", ["A customer changes tier", "Ein Kunde wechselt die Stufe", "Un client change de niveau", "Un cliente cambia de nivel", "Bir müşterinin seviyesi değişir", "يتغيّر مستوى العميل"]),
    ("wh_ev_reward_redeemed", ["A reward is redeemed", "Eine Prämie wird eingelöst", "Une récompense est échangée", "Se canjea una recompensa", "Bir ödül kullanılır", "استُبدلت مكافأة"]),
    ("wh_ev_code_used", ["A reward code is used", "Ein Prämiencode wird verwendet", "Un code de récompense est utilisé", "Se usa un código de recompensa", "Bir ödül kodu kullanılır", "استُخدم رمز مكافأة"]),
    ("wh_ev_code_cancelled", ["A reward code is cancelled", "Ein Prämiencode wird storniert", "Un code de récompense est annulé", "Se cancela un código de recompensa", "Bir ödül kodu iptal edilir", "أُلغي رمز مكافأة"]),
    ("wh_ev_referral_completed", ["A referred friend orders", "Ein geworbener Freund bestellt", "Un ami parrainé commande", "Un amigo referido hace un pedido", "Tavsiye edilen arkadaş sipariş verir", "يطلب صديق مُحال"]),
    ("wh_ev_points_expiring", ["Points expire in 7 days", "Punkte verfallen in 7 Tagen", "Des points expirent dans 7 jours", "Puntos que caducan en 7 días", "Puanların süresi 7 gün içinde doluyor", "تنتهي نقاط خلال 7 أيام"]),
    ("wh_ev_membership_started", ["A paid membership starts", "Eine bezahlte Mitgliedschaft beginnt", "Un abonnement payant commence", "Empieza una membresía de pago", "Ücretli üyelik başlar", "تبدأ عضوية مدفوعة"]),
    ("wh_ev_membership_ended", ["A paid membership ends", "Eine bezahlte Mitgliedschaft endet", "Un abonnement payant se termine", "Termina una membresía de pago", "Ücretli üyelik sona erer", "تنتهي عضوية مدفوعة"]),
    ("wh_ev_feedback_received", ["A customer answers the survey", "Ein Kunde beantwortet die Umfrage", "Un client répond à l'enquête", "Un cliente responde a la encuesta", "Bir müşteri anketi yanıtlar", "يجيب عميل على الاستبيان"]),
    ("wh_ev_webhook_test", ["A test event sent from this page", "Ein Testereignis von dieser Seite", "Un événement de test envoyé depuis cette page", "Un evento de prueba enviado desde esta página", "Bu sayfadan gönderilen test olayı", "حدث تجريبي أُرسل من هذه الصفحة"]),
];

/// The event types an endpoint can choose in the checklist: the contract's, not Tally's test event (it
/// goes to the one endpoint it is sent to).
fn choosable() -> impl Iterator<Item = EventType> {
    EventType::ALL
        .into_iter()
        .filter(|t| *t != EventType::WebhookTest)
}

/// The message key describing an event type.
fn event_key(event: EventType) -> String {
    format!("wh_ev_{}", event.as_str().replace('.', "_"))
}

/// An RFC 3339 instant as `YYYY-MM-DD HH:MM:SS UTC`.
fn instant(ts: &str) -> String {
    let short: String = ts.replacen('T', " ", 1).chars().take(19).collect();
    format!("{short} UTC")
}

/// An instant kept left to right inside right-to-left text.
fn instant_view(ts: Option<&str>) -> impl IntoView {
    match ts {
        Some(ts) => view! { <span dir="ltr">{instant(ts)}</span> }.into_any(),
        None => "—".into_any(),
    }
}

fn status_key(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Pending => "wh_pending",
        DeliveryStatus::Succeeded => "wh_succeeded",
        DeliveryStatus::Failed => "wh_failed",
    }
}

/// The events to send for a choice in the picker; `None` when "only these" has nothing checked.
fn events_of(all: bool, chosen: &[String]) -> Option<Vec<String>> {
    if all {
        Some(vec![ALL_EVENTS.to_owned()])
    } else if chosen.is_empty() {
        None
    } else {
        // In the contract's order, whatever the order of the clicks.
        Some(
            choosable()
                .map(|t| t.as_str().to_owned())
                .filter(|t| chosen.contains(t))
                .collect(),
        )
    }
}

/// The API calls of this page (`…/webhooks`), typed with tally-core.
mod calls {
    use gloo_net::http::Request;
    use tally_core::webhooks::*;

    use crate::api::{encode, get, send, shop_url, ApiError};

    fn endpoint_url(shop: &str, id: &str, rest: &str) -> String {
        shop_url(shop, &format!("/webhooks/{}{rest}", encode(id)))
    }

    pub async fn endpoints(shop: &str) -> Result<WebhookEndpointList, ApiError> {
        get(&shop_url(shop, "/webhooks")).await
    }

    pub async fn create(
        shop: &str,
        csrf: &str,
        body: &WebhookEndpointCreate,
    ) -> Result<WebhookEndpointCreated, ApiError> {
        send(
            Request::post(&shop_url(shop, "/webhooks")),
            csrf,
            Some(body),
        )
        .await
    }

    pub async fn update(
        shop: &str,
        csrf: &str,
        id: &str,
        body: &WebhookEndpointUpdate,
    ) -> Result<WebhookEndpoint, ApiError> {
        send(
            Request::patch(&endpoint_url(shop, id, "")),
            csrf,
            Some(body),
        )
        .await
    }

    pub async fn delete(shop: &str, csrf: &str, id: &str) -> Result<(), ApiError> {
        send::<(), serde_json::Value>(Request::delete(&endpoint_url(shop, id, "")), csrf, None)
            .await
            .map(drop)
    }

    pub async fn deliveries(
        shop: &str,
        id: &str,
        before: Option<&str>,
    ) -> Result<WebhookDeliveryPage, ApiError> {
        let mut url = endpoint_url(shop, id, "/deliveries?limit=20");
        if let Some(before) = before {
            url.push_str(&format!("&before={}", encode(before)));
        }
        get(&url).await
    }

    pub async fn delivery(
        shop: &str,
        id: &str,
        delivery_id: &str,
    ) -> Result<WebhookDelivery, ApiError> {
        get(&endpoint_url(
            shop,
            id,
            &format!("/deliveries/{}", encode(delivery_id)),
        ))
        .await
    }

    pub async fn retry(
        shop: &str,
        csrf: &str,
        id: &str,
        delivery_id: &str,
    ) -> Result<WebhookDelivery, ApiError> {
        let url = endpoint_url(
            shop,
            id,
            &format!("/deliveries/{}/retry", encode(delivery_id)),
        );
        send::<(), _>(Request::post(&url), csrf, None).await
    }

    pub async fn test(shop: &str, csrf: &str, id: &str) -> Result<WebhookTestSent, ApiError> {
        send::<(), _>(Request::post(&endpoint_url(shop, id, "/test")), csrf, None).await
    }
}

/// "All events" or a checklist of the contract's event types.
#[component]
fn EventPicker(
    /// Whether every event (`["*"]`) is chosen.
    all: RwSignal<bool>,
    /// The event types checked when not all.
    chosen: RwSignal<Vec<String>>,
    /// Makes the inputs' ids unique on the page.
    prefix: String,
) -> impl IntoView {
    let console = use_console();
    let name = format!("{prefix}-mode");
    let (all_id, some_id) = (format!("{prefix}-all"), format!("{prefix}-some"));
    view! {
        <fieldset class="events">
            <legend>{move || console.t("wh_events")}</legend>
            <label class="check">
                <input type="radio" id=all_id name=name.clone() prop:checked=move || all.get() on:change=move |_| all.set(true) />
                {move || console.t("wh_all_events")}
            </label>
            <label class="check">
                <input type="radio" id=some_id name=name prop:checked=move || !all.get() on:change=move |_| all.set(false) />
                {move || console.t("wh_some_events")}
            </label>
            <ul class="event-list" hidden=move || all.get()>
                {choosable().map(|event| {
                    let id = format!("{prefix}-{}", event.as_str().replace('.', "-"));
                    let word = event.as_str().to_owned();
                    let checked = {
                        let word = word.clone();
                        move || chosen.with(|c| c.contains(&word))
                    };
                    view! {
                        <li>
                            <label class="check">
                                <input type="checkbox" id=id prop:checked=checked on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|w| *w != word);
                                        if on { c.push(word.clone()) }
                                    });
                                } />
                                <span><code>{event.as_str()}</code>" — "{move || console.t(&event_key(event))}</span>
                            </label>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </fieldset>
    }
}

#[component]
pub fn Webhooks() -> impl IntoView {
    let console = use_console();
    let endpoints = RwSignal::new(Vec::<WebhookEndpoint>::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let url = RwSignal::new(String::new());
    let all = RwSignal::new(true);
    let chosen = RwSignal::new(Vec::<String>::new());
    let created = RwSignal::new(None::<WebhookEndpointCreated>);
    let copied = RwSignal::new(false);
    // The endpoint whose events are being changed, with its picker's state.
    let editing = RwSignal::new(None::<String>);
    let edit_all = RwSignal::new(true);
    let edit_chosen = RwSignal::new(Vec::<String>::new());
    // The endpoint whose deliveries are shown, its deliveries, the next page's cursor, one opened.
    let selected = RwSignal::new(None::<WebhookEndpoint>);
    let deliveries = RwSignal::new(Vec::<WebhookDelivery>::new());
    let next = RwSignal::new(None::<String>);
    let opened = RwSignal::new(None::<WebhookDelivery>);

    let fail = move |e: ApiError| {
        notice.set(None);
        error.set(Some(e));
    };
    let done = move |key: &'static str| {
        error.set(None);
        notice.set(Some(key));
    };
    let reload = move || {
        let shop = console.shop_id_untracked();
        spawn_local(async move {
            match calls::endpoints(&shop).await {
                Ok(list) => endpoints.set(list.items),
                Err(e) => fail(e),
            }
        });
    };
    let open_delivery = move |delivery_id: String| {
        let Some(endpoint) = selected.get_untracked() else {
            return;
        };
        let shop = console.shop_id_untracked();
        spawn_local(async move {
            match calls::delivery(&shop, &endpoint.id, &delivery_id).await {
                Ok(d) => opened.set(Some(d)),
                Err(e) => fail(e),
            }
        });
    };
    // The first page again (and the opened delivery), or one more older page.
    let load_deliveries = move |before: Option<String>| {
        let Some(endpoint) = selected.get_untracked() else {
            return;
        };
        let shop = console.shop_id_untracked();
        spawn_local(async move {
            match calls::deliveries(&shop, &endpoint.id, before.as_deref()).await {
                Ok(page) => {
                    if before.is_some() {
                        deliveries.update(|d| d.extend(page.items));
                    } else {
                        deliveries.set(page.items);
                        if let Some(id) =
                            opened.with_untracked(|o| o.as_ref().map(|d| d.id.clone()))
                        {
                            open_delivery(id);
                        }
                    }
                    next.set(page.next);
                }
                Err(e) => fail(e),
            }
        });
    };
    let show_deliveries = move |endpoint: WebhookEndpoint| {
        opened.set(None);
        deliveries.set(Vec::new());
        next.set(None);
        selected.set(Some(endpoint));
        load_deliveries(None);
    };
    reload();
    // While a delivery waits for an attempt, its row follows the worker without a click.
    let poll = set_interval_with_handle(
        move || {
            let waiting = deliveries
                .with_untracked(|d| d.iter().any(|d| d.status == DeliveryStatus::Pending));
            if waiting && selected.with_untracked(Option::is_some) {
                load_deliveries(None);
            }
        },
        std::time::Duration::from_secs(2),
    );
    if let Ok(handle) = poll {
        on_cleanup(move || handle.clear());
    }

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(events) = chosen.with_untracked(|c| events_of(all.get_untracked(), c)) else {
            notice.set(None);
            error.set(Some(ApiError::Refused(console.t("wh_pick_one").to_owned())));
            return;
        };
        let body = WebhookEndpointCreate {
            url: url.get_untracked().trim().to_owned(),
            events,
        };
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match calls::create(&shop, &csrf, &body).await {
                Ok(endpoint) => {
                    error.set(None);
                    notice.set(None);
                    copied.set(false);
                    url.set(String::new());
                    let listed = WebhookEndpoint {
                        id: endpoint.id.clone(),
                        url: endpoint.url.clone(),
                        events: endpoint.events.clone(),
                        enabled: endpoint.enabled,
                        created_at: endpoint.created_at.clone(),
                    };
                    // Shown in the page only: never stored, never in a URL.
                    created.set(Some(endpoint));
                    reload();
                    show_deliveries(listed);
                }
                // A refused URL: the server's own words (why it is refused).
                Err(e) => fail(e),
            }
        });
    };
    let patch = move |id: String, body: WebhookEndpointUpdate| {
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match calls::update(&shop, &csrf, &id, &body).await {
                Ok(endpoint) => {
                    editing.set(None);
                    done("wh_saved");
                    selected.update(|s| {
                        if let Some(s) = s.as_mut().filter(|s| s.id == endpoint.id) {
                            *s = endpoint.clone();
                        }
                    });
                    reload();
                }
                Err(e) => fail(e),
            }
        });
    };
    let remove = move |id: String| {
        if !window()
            .confirm_with_message(console.t("wh_confirm_delete"))
            .unwrap_or(false)
        {
            return;
        }
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match calls::delete(&shop, &csrf, &id).await {
                Ok(()) => {
                    if selected.with_untracked(|s| s.as_ref().is_some_and(|s| s.id == id)) {
                        selected.set(None);
                    }
                    created.update(|c| {
                        if c.as_ref().is_some_and(|c| c.id == id) {
                            *c = None;
                        }
                    });
                    done("wh_deleted");
                    reload();
                }
                Err(e) => fail(e),
            }
        });
    };
    let send_test = move |endpoint: WebhookEndpoint| {
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match calls::test(&shop, &csrf, &endpoint.id).await {
                Ok(_) => {
                    done("wh_test_sent");
                    show_deliveries(endpoint);
                }
                Err(e) => fail(e),
            }
        });
    };
    let retry = move |delivery_id: String| {
        let Some(endpoint) = selected.get_untracked() else {
            return;
        };
        let (shop, csrf) = (console.shop_id_untracked(), console.csrf());
        spawn_local(async move {
            match calls::retry(&shop, &csrf, &endpoint.id, &delivery_id).await {
                Ok(_) => {
                    done("wh_retried");
                    load_deliveries(None);
                }
                Err(e) => fail(e),
            }
        });
    };
    let copy_secret = move |secret: String| {
        let _ = window().navigator().clipboard().write_text(&secret);
        copied.set(true);
    };
    let events_text = move |events: &[String]| -> String {
        if events.iter().any(|e| e == ALL_EVENTS) {
            console.t("wh_all_events").to_owned()
        } else {
            events.join(", ")
        }
    };

    let endpoint_item = move |endpoint: WebhookEndpoint| {
        let id = endpoint.id.clone();
        let enabled = endpoint.enabled;
        let (toggle_id, edit_id, delete_id, save_id) =
            (id.clone(), id.clone(), id.clone(), id.clone());
        let is_editing = {
            let id = id.clone();
            move || editing.with(|e| e.as_deref() == Some(id.as_str()))
        };
        let is_selected = {
            let id = id.clone();
            move || selected.with(|s| s.as_ref().is_some_and(|s| s.id == id))
        };
        let (for_deliveries, for_test) = (endpoint.clone(), endpoint.clone());
        let current_events = endpoint.events.clone();
        view! {
            <li class="item endpoint">
                <p class="endpoint-head">
                    <strong class="url">{endpoint.url.clone()}</strong>
                    {if enabled {
                        view! { <span class="badge">{move || console.t("wh_enabled")}</span> }.into_any()
                    } else {
                        view! { <span class="badge off">{move || console.t("wh_disabled")}</span> }.into_any()
                    }}
                </p>
                <p class="muted">{move || console.t("wh_events")}": "{move || events_text(&endpoint.events)}</p>
                <div class="actions">
                    <button type="button" class="secondary" aria-pressed=move || is_selected().to_string()
                        on:click=move |_| show_deliveries(for_deliveries.clone())>{move || console.t("wh_show_deliveries")}</button>
                    <button type="button" class="secondary" on:click=move |_| send_test(for_test.clone())>{move || console.t("wh_send_test")}</button>
                    <button type="button" class="secondary" on:click=move |_| patch(toggle_id.clone(), WebhookEndpointUpdate { enabled: Some(!enabled), ..Default::default() })>
                        {move || if enabled { console.t("wh_disable") } else { console.t("wh_enable") }}
                    </button>
                    <button type="button" class="secondary" on:click=move |_| {
                        let every = current_events.iter().any(|e| e == ALL_EVENTS);
                        edit_all.set(every);
                        edit_chosen.set(if every { Vec::new() } else { current_events.clone() });
                        editing.set(Some(edit_id.clone()));
                    }>{move || console.t("wh_change_events")}</button>
                    <button type="button" class="danger-button" on:click=move |_| remove(delete_id.clone())>{move || console.t("wh_delete")}</button>
                </div>
                {move || is_editing().then(|| {
                    let save_id = save_id.clone();
                    view! {
                        <form class="edit-events" on:submit=move |ev: leptos::ev::SubmitEvent| {
                            ev.prevent_default();
                            match edit_chosen.with_untracked(|c| events_of(edit_all.get_untracked(), c)) {
                                Some(events) => patch(save_id.clone(), WebhookEndpointUpdate { events: Some(events), ..Default::default() }),
                                None => error.set(Some(ApiError::Refused(console.t("wh_pick_one").to_owned()))),
                            }
                        }>
                            <EventPicker all=edit_all chosen=edit_chosen prefix="wh-edit".to_owned() />
                            <div class="actions">
                                <button type="submit" class="primary">{move || console.t("wh_save_events")}</button>
                                <button type="button" class="secondary" on:click=move |_| editing.set(None)>{move || console.t("wh_cancel")}</button>
                            </div>
                        </form>
                    }
                })}
            </li>
        }
    };

    let delivery_row = move |d: WebhookDelivery| {
        let (open_id, retry_id) = (d.id.clone(), d.id.clone());
        let answer = match (d.response_status, d.last_error.clone()) {
            (Some(code), _) => code.to_string(),
            (None, Some(why)) => why,
            (None, None) => "—".to_owned(),
        };
        let status = d.status;
        let created_at = instant(&d.created_at);
        let label = format!("{} {}", d.event_type, created_at);
        let (open_label, retry_label) = (label.clone(), label);
        view! {
            <tr class=format!("delivery {}", status.as_str())>
                <td><code>{d.event_type.clone()}</code></td>
                <td><span class=format!("state {}", status.as_str())>{move || console.t(status_key(status))}</span></td>
                <td class="num">{d.attempts}</td>
                <td class="answer">{answer}</td>
                <td>{instant_view(d.next_attempt_at.as_deref())}</td>
                <td>{instant_view(Some(&d.created_at))}</td>
                <td class="row-actions">
                    <button type="button" class="link" aria-label=move || format!("{} {}", console.t("wh_details"), open_label)
                        on:click=move |_| open_delivery(open_id.clone())>{move || console.t("wh_details")}</button>
                    <button type="button" class="link" aria-label=move || format!("{} {}", console.t("wh_retry"), retry_label)
                        on:click=move |_| retry(retry_id.clone())>{move || console.t("wh_retry")}</button>
                </td>
            </tr>
        }
    };

    let delivery_detail = move |d: WebhookDelivery| {
        let status = d.status;
        let log = d.log.clone().unwrap_or_default();
        view! {
            <div class="delivery-detail" role="group" aria-labelledby="wh-delivery-title">
                <h3 id="wh-delivery-title">{move || console.t("wh_delivery")}" "<code>{d.id.clone()}</code></h3>
                <dl class="facts">
                    <dt>{move || console.t("wh_event")}</dt><dd><code>{d.event_type.clone()}</code></dd>
                    <dt>{move || console.t("wh_event_id")}</dt><dd><code>{d.event_id.clone()}</code></dd>
                    <dt>{move || console.t("wh_status")}</dt><dd>{move || console.t(status_key(status))}</dd>
                    <dt>{move || console.t("wh_next_attempt")}</dt><dd>{instant_view(d.next_attempt_at.as_deref())}</dd>
                </dl>
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || console.t("wh_log_scroll")>
                    <table>
                        <caption>{move || console.t("wh_log")}</caption>
                        <thead><tr>
                            <th scope="col">{move || console.t("when")}</th>
                            <th scope="col">{move || console.t("wh_answer")}</th>
                            <th scope="col">{move || console.t("wh_error")}</th>
                            <th scope="col">{move || console.t("wh_duration")}</th>
                        </tr></thead>
                        <tbody>
                            {log.into_iter().map(|a| view! {
                                <tr>
                                    <td>{instant_view(Some(&a.attempted_at))}</td>
                                    <td>{match a.response_status { Some(code) => code.to_string().into_any(), None => view! { <span>{move || console.t("wh_no_answer")}</span> }.into_any() }}</td>
                                    <td>{a.error.unwrap_or_else(|| "—".to_owned())}</td>
                                    <td class="num">{format!("{} ms", a.duration_ms)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <button type="button" class="secondary" on:click=move |_| opened.set(None)>{move || console.t("wh_close")}</button>
            </div>
        }
    };

    view! {
        <h1>{move || console.t("nav_webhooks")}</h1>
        <p class="muted">{move || console.t("wh_intro")}</p>
        <p class="error" role="alert">{move || error.get().map(|e| e.message(console.lang.get()))}</p>
        <p class="status ok" role="status">{move || notice.get().map(|k| console.t(k))}</p>
        <section class="card" aria-labelledby="wh-add-title">
            <h2 id="wh-add-title">{move || console.t("wh_add_title")}</h2>
            <form on:submit=add>
                <div class="field">
                    <label for="wh-url">{move || console.t("wh_url")}</label>
                    <input id="wh-url" type="url" required placeholder="https://" dir="ltr" autocomplete="url"
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                </div>
                <EventPicker all=all chosen=chosen prefix="wh-new".to_owned() />
                <button type="submit" class="primary">{move || console.t("wh_add")}</button>
            </form>
            {move || created.get().map(|endpoint| {
                let secret = endpoint.secret.clone();
                view! {
                    <div class="once" role="status">
                        <p><strong>{move || console.t("wh_secret_for")}" "<span dir="ltr">{endpoint.url.clone()}</span></strong></p>
                        <code class="secret" id="wh-secret">{endpoint.secret.clone()}</code>
                        <p>{move || console.t("wh_secret_once")}</p>
                        <div class="actions">
                            <button type="button" class="secondary" on:click=move |_| copy_secret(secret.clone())>
                                {move || if copied.get() { console.t("copied") } else { console.t("copy") }}
                            </button>
                            <button type="button" class="secondary" on:click=move |_| created.set(None)>{move || console.t("wh_hide_secret")}</button>
                        </div>
                    </div>
                }
            })}
        </section>
        <section class="card" aria-labelledby="wh-list-title">
            <h2 id="wh-list-title">{move || console.t("wh_endpoints")}</h2>
            {move || endpoints.with(Vec::is_empty).then(|| view! { <p class="muted">{console.t("wh_none")}</p> })}
            <ul class="endpoints">
                {move || endpoints.get().into_iter().map(endpoint_item).collect_view()}
            </ul>
        </section>
        {move || selected.get().map(|endpoint| view! {
            <section class="card" aria-labelledby="wh-deliveries-title">
                <h2 id="wh-deliveries-title">{move || console.t("wh_deliveries_to")}" "<span class="url" dir="ltr">{endpoint.url.clone()}</span></h2>
                <div class="actions">
                    <button type="button" class="secondary" on:click=move |_| load_deliveries(None)>{move || console.t("wh_refresh")}</button>
                </div>
                {move || deliveries.with(Vec::is_empty).then(|| view! { <p class="muted">{console.t("wh_no_deliveries")}</p> })}
                <div class="table-scroll" tabindex="0" role="region" aria-label=move || console.t("wh_scroll_hint")>
                    <table class="deliveries">
                        <caption class="sr-only">{move || console.t("wh_show_deliveries")}</caption>
                        <thead><tr>
                            <th scope="col">{move || console.t("wh_event")}</th>
                            <th scope="col">{move || console.t("wh_status")}</th>
                            <th scope="col">{move || console.t("wh_attempts")}</th>
                            <th scope="col">{move || console.t("wh_answer")}</th>
                            <th scope="col">{move || console.t("wh_next_attempt")}</th>
                            <th scope="col">{move || console.t("wh_created")}</th>
                            <th scope="col"><span class="sr-only">{move || console.t("wh_details")}</span></th>
                        </tr></thead>
                        <tbody>
                            {move || deliveries.get().into_iter().map(delivery_row).collect_view()}
                        </tbody>
                    </table>
                </div>
                {move || next.get().map(|cursor| view! {
                    <button type="button" class="secondary" on:click=move |_| load_deliveries(Some(cursor.clone()))>{console.t("older")}</button>
                })}
                {move || opened.get().map(delivery_detail)}
            </section>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{t, Lang};

    #[test]
    fn every_event_type_has_a_description_in_every_language() {
        for event in EventType::ALL {
            for lang in Lang::ALL {
                assert_ne!(t(lang, &event_key(event)), "?", "{event}");
            }
        }
    }

    #[test]
    fn all_events_is_the_star_and_a_checklist_keeps_the_contracts_order() {
        assert_eq!(
            events_of(true, &["tier.changed".into()]),
            Some(vec!["*".to_owned()])
        );
        assert_eq!(events_of(false, &[]), None);
        let picked = events_of(false, &["tier.changed".into(), "customer.enrolled".into()]);
        assert_eq!(
            picked,
            Some(vec![
                "customer.enrolled".to_owned(),
                "tier.changed".to_owned()
            ])
        );
    }
}
