//! The console's words in English, German, French, Spanish, Turkish and Arabic. One table, one row per
//! message; a missing translation is a test failure, not a blank in the page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    De,
    Fr,
    Es,
    Tr,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 6] = [Lang::En, Lang::De, Lang::Fr, Lang::Es, Lang::Tr, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::Tr => "tr",
            Lang::Ar => "ar",
        }
    }

    /// The language's own name, for the switcher.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
            Lang::Fr => "Français",
            Lang::Es => "Español",
            Lang::Tr => "Türkçe",
            Lang::Ar => "العربية",
        }
    }

    pub fn dir(self) -> &'static str {
        if self == Lang::Ar {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language of a BCP 47 tag (`de-AT` → German); `None` for one the console does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The message `key` in `lang`; the key itself when no row has it (a test keeps that from happening).
pub fn t(lang: Lang, key: &str) -> &'static str {
    TABLES
        .iter()
        .flat_map(|table| table.iter())
        .find(|(k, _)| *k == key)
        .map(|(_, row)| row[lang.index()])
        .unwrap_or("?")
}

/// One message: its key and its text in en, de, fr, es, tr, ar.
pub type Row = (&'static str, [&'static str; 6]);

/// The shell's messages, then each page's own (kept beside the page that says them).
pub const TABLES: &[&[Row]] = &[
    MESSAGES,
    crate::pages::customers::WORDS,
    crate::pages::counter::WORDS,
    crate::pages::codes::WORDS,
    crate::pages::webhooks::WORDS,
    crate::pages::reports::WORDS,
    crate::pages::data::WORDS,
];

/// en, de, fr, es, tr, ar.
pub const MESSAGES: &[Row] = &[
    ("app_name", ["Tally console", "Tally-Konsole", "Console Tally", "Consola Tally", "Tally konsolu", "وحدة تحكم Tally"]),
    ("language", ["Language", "Sprache", "Langue", "Idioma", "Dil", "اللغة"]),
    ("sign_in", ["Sign in", "Anmelden", "Se connecter", "Iniciar sesión", "Giriş yap", "تسجيل الدخول"]),
    ("sign_in_title", ["Sign in to your shop", "Bei Ihrem Shop anmelden", "Connectez-vous à votre boutique", "Inicia sesión en tu tienda", "Mağazanıza giriş yapın", "سجّل الدخول إلى متجرك"]),
    ("sign_out", ["Sign out", "Abmelden", "Se déconnecter", "Cerrar sesión", "Çıkış yap", "تسجيل الخروج"]),
    ("email", ["Email", "E-Mail", "E-mail", "Correo electrónico", "E-posta", "البريد الإلكتروني"]),
    ("password", ["Password", "Passwort", "Mot de passe", "Contraseña", "Parola", "كلمة المرور"]),
    ("signing_in", ["Signing in…", "Anmeldung…", "Connexion…", "Iniciando sesión…", "Giriş yapılıyor…", "جارٍ تسجيل الدخول…"]),
    ("err_credentials", ["That email and password do not match. Check both and try again.", "E-Mail und Passwort passen nicht zusammen. Bitte prüfen und erneut versuchen.", "Cet e-mail et ce mot de passe ne correspondent pas. Vérifiez-les et réessayez.", "El correo y la contraseña no coinciden. Revísalos e inténtalo de nuevo.", "E-posta ve parola eşleşmiyor. İkisini de kontrol edip tekrar deneyin.", "البريد الإلكتروني وكلمة المرور غير متطابقين. تحقق منهما وحاول مرة أخرى."]),
    ("err_locked", ["Too many attempts for this email. Wait 15 minutes, then try again.", "Zu viele Versuche für diese E-Mail. Warten Sie 15 Minuten und versuchen Sie es dann erneut.", "Trop de tentatives pour cet e-mail. Attendez 15 minutes puis réessayez.", "Demasiados intentos para este correo. Espera 15 minutos y vuelve a intentarlo.", "Bu e-posta için çok fazla deneme yapıldı. 15 dakika bekleyip tekrar deneyin.", "محاولات كثيرة لهذا البريد. انتظر 15 دقيقة ثم حاول مرة أخرى."]),
    ("err_network", ["The server could not be reached. Check your connection; nothing you typed is lost.", "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung; Ihre Eingaben bleiben erhalten.", "Le serveur est injoignable. Vérifiez votre connexion ; rien de ce que vous avez saisi n'est perdu.", "No se pudo contactar con el servidor. Revisa tu conexión; no se ha perdido nada de lo que escribiste.", "Sunucuya ulaşılamadı. Bağlantınızı kontrol edin; yazdıklarınız kaybolmadı.", "تعذّر الوصول إلى الخادم. تحقق من اتصالك؛ لم يُفقد شيء مما كتبته."]),
    ("err_forbidden", ["Your role does not allow this.", "Ihre Rolle erlaubt das nicht.", "Votre rôle ne le permet pas.", "Tu rol no lo permite.", "Rolünüz buna izin vermiyor.", "دورك لا يسمح بذلك."]),
    ("err_session", ["Your session has ended. Sign in again.", "Ihre Sitzung ist abgelaufen. Bitte erneut anmelden.", "Votre session a expiré. Reconnectez-vous.", "Tu sesión ha terminado. Vuelve a iniciar sesión.", "Oturumunuz sona erdi. Tekrar giriş yapın.", "انتهت جلستك. سجّل الدخول مجددًا."]),
    ("err_server", ["Something went wrong on the server. Try again in a moment.", "Auf dem Server ist etwas schiefgelaufen. Versuchen Sie es gleich noch einmal.", "Une erreur est survenue sur le serveur. Réessayez dans un instant.", "Algo salió mal en el servidor. Inténtalo de nuevo en un momento.", "Sunucuda bir sorun oluştu. Birazdan tekrar deneyin.", "حدث خطأ في الخادم. حاول مرة أخرى بعد قليل."]),
    ("loading", ["Loading…", "Wird geladen…", "Chargement…", "Cargando…", "Yükleniyor…", "جارٍ التحميل…"]),
    ("shop", ["Shop", "Shop", "Boutique", "Tienda", "Mağaza", "المتجر"]),
    ("role", ["Role", "Rolle", "Rôle", "Rol", "Rol", "الدور"]),
    ("role_owner", ["Owner", "Inhaber", "Propriétaire", "Propietario", "Sahip", "المالك"]),
    ("role_manager", ["Manager", "Manager", "Gérant", "Gerente", "Yönetici", "المدير"]),
    ("role_clerk", ["Clerk", "Verkauf", "Vendeur", "Dependiente", "Kasiyer", "موظف المبيعات"]),
    ("nav", ["Console sections", "Bereiche der Konsole", "Sections de la console", "Secciones de la consola", "Konsol bölümleri", "أقسام وحدة التحكم"]),
    ("nav_welcome", ["Get started", "Erste Schritte", "Démarrer", "Primeros pasos", "Başlarken", "ابدأ"]),
    ("nav_program", ["Program", "Programm", "Programme", "Programa", "Program", "البرنامج"]),
    ("nav_history", ["History", "Verlauf", "Historique", "Historial", "Geçmiş", "السجل"]),
    ("nav_appearance", ["Appearance", "Aussehen", "Apparence", "Apariencia", "Görünüm", "المظهر"]),
    ("nav_install", ["Install", "Einbinden", "Installation", "Instalación", "Kurulum", "التثبيت"]),
    ("nav_counter", ["Counter", "Kasse", "Comptoir", "Mostrador", "Kasa", "نقطة البيع"]),
    ("nav_customers", ["Customers", "Kunden", "Clients", "Clientes", "Müşteriler", "العملاء"]),
    ("nav_codes", ["Codes", "Codes", "Codes", "Códigos", "Kodlar", "الرموز"]),
    ("nav_reports", ["Reports", "Berichte", "Rapports", "Informes", "Raporlar", "التقارير"]),
    ("nav_webhooks", ["Webhooks", "Webhooks", "Webhooks", "Webhooks", "Webhook'lar", "خطافات الويب"]),
    ("nav_data", ["Data in and out", "Daten ein und aus", "Import et export", "Importar y exportar", "Veri içe ve dışa aktarma", "استيراد البيانات وتصديرها"]),
    ("nav_staff", ["Staff and keys", "Team und Schlüssel", "Équipe et clés", "Equipo y claves", "Ekip ve anahtarlar", "الفريق والمفاتيح"]),
    ("not_allowed_page", ["This page is for owners and managers.", "Diese Seite ist für Inhaber und Manager.", "Cette page est réservée aux propriétaires et gérants.", "Esta página es para propietarios y gerentes.", "Bu sayfa sahipler ve yöneticiler içindir.", "هذه الصفحة مخصّصة للمالكين والمديرين."]),
    ("save", ["Save", "Speichern", "Enregistrer", "Guardar", "Kaydet", "حفظ"]),
    ("saving", ["Saving…", "Wird gespeichert…", "Enregistrement…", "Guardando…", "Kaydediliyor…", "جارٍ الحفظ…"]),
    ("saved", ["Saved.", "Gespeichert.", "Enregistré.", "Guardado.", "Kaydedildi.", "تم الحفظ."]),
    ("discard", ["Discard changes", "Änderungen verwerfen", "Annuler les modifications", "Descartar cambios", "Değişiklikleri at", "تجاهل التغييرات"]),
    ("changes", ["What changes", "Was sich ändert", "Ce qui change", "Qué cambia", "Neler değişiyor", "ما الذي يتغير"]),
    ("no_changes", ["No unsaved changes.", "Keine ungespeicherten Änderungen.", "Aucune modification non enregistrée.", "No hay cambios sin guardar.", "Kaydedilmemiş değişiklik yok.", "لا توجد تغييرات غير محفوظة."]),
    ("fix_problems", ["Fix the problems marked below before saving.", "Beheben Sie vor dem Speichern die markierten Probleme.", "Corrigez les problèmes signalés avant d'enregistrer.", "Corrige los problemas marcados antes de guardar.", "Kaydetmeden önce işaretli sorunları düzeltin.", "أصلح المشكلات المحددة أدناه قبل الحفظ."]),
    ("problems_count", ["Problems to fix", "Zu behebende Probleme", "Problèmes à corriger", "Problemas por corregir", "Düzeltilecek sorunlar", "مشكلات يجب إصلاحها"]),
    ("points_name", ["What points are called", "Name der Punkte", "Nom des points", "Nombre de los puntos", "Puanların adı", "اسم النقاط"]),
    ("singular", ["Singular", "Einzahl", "Singulier", "Singular", "Tekil", "المفرد"]),
    ("plural", ["Plural", "Mehrzahl", "Pluriel", "Plural", "Çoğul", "الجمع"]),
    ("earn_rules", ["Ways to earn", "Punkte sammeln", "Façons de gagner", "Formas de ganar", "Kazanma yolları", "طرق الكسب"]),
    ("tiers", ["Tiers", "Stufen", "Niveaux", "Niveles", "Seviyeler", "المستويات"]),
    ("rewards", ["Rewards", "Prämien", "Récompenses", "Recompensas", "Ödüller", "المكافآت"]),
    ("referrals", ["Referrals", "Empfehlungen", "Parrainage", "Referidos", "Tavsiyeler", "الإحالات"]),
    ("expiry", ["Expiry", "Verfall", "Expiration", "Caducidad", "Süre sonu", "انتهاء الصلاحية"]),
    ("feedback", ["Feedback question", "Feedback-Frage", "Question d'avis", "Pregunta de opinión", "Geri bildirim sorusu", "سؤال الرأي"]),
    ("origins", ["Sites where the widget runs", "Websites mit dem Widget", "Sites où le widget s'affiche", "Sitios donde se muestra el widget", "Widget'in çalıştığı siteler", "المواقع التي يعمل عليها الودجت"]),
    ("id", ["Id", "Kennung", "Identifiant", "Identificador", "Kimlik", "المعرّف"]),
    ("kind", ["Kind", "Art", "Type", "Tipo", "Tür", "النوع"]),
    ("title", ["Title", "Titel", "Titre", "Título", "Başlık", "العنوان"]),
    ("name", ["Name", "Name", "Nom", "Nombre", "Ad", "الاسم"]),
    ("description", ["Description", "Beschreibung", "Description", "Descripción", "Açıklama", "الوصف"]),
    ("points_per_unit", ["Points per currency unit", "Punkte pro Währungseinheit", "Points par unité monétaire", "Puntos por unidad de moneda", "Para birimi başına puan", "نقاط لكل وحدة عملة"]),
    ("points", ["Points", "Punkte", "Points", "Puntos", "Puan", "النقاط"]),
    ("limit", ["Limit per customer", "Limit pro Kunde", "Limite par client", "Límite por cliente", "Müşteri başına sınır", "الحد لكل عميل"]),
    ("limit_count", ["Times", "Anzahl", "Fois", "Veces", "Kez", "عدد المرات"]),
    ("limit_per", ["Per", "Pro", "Par", "Por", "Başına", "لكل"]),
    ("threshold", ["Threshold", "Schwelle", "Seuil", "Umbral", "Eşik", "الحد الأدنى"]),
    ("multiplier", ["Earn multiplier", "Punkte-Multiplikator", "Multiplicateur de gains", "Multiplicador de puntos", "Kazanç çarpanı", "مضاعف الكسب"]),
    ("benefits", ["Benefits (one per line)", "Vorteile (einer pro Zeile)", "Avantages (un par ligne)", "Beneficios (uno por línea)", "Avantajlar (satır başına bir)", "المزايا (واحدة في كل سطر)"]),
    ("paid_tier", ["Members can buy this tier", "Stufe kann gekauft werden", "Niveau payant", "Nivel de pago", "Bu seviye satın alınabilir", "يمكن شراء هذا المستوى"]),
    ("price_minor", ["Price (minor units)", "Preis (kleinste Einheit)", "Prix (unités mineures)", "Precio (unidades menores)", "Fiyat (küçük birim)", "السعر (بالوحدة الصغرى)"]),
    ("period_days", ["Period (days)", "Laufzeit (Tage)", "Durée (jours)", "Periodo (días)", "Süre (gün)", "المدة (بالأيام)"]),
    ("purchase_url", ["Purchase page URL", "URL der Kaufseite", "URL de la page d'achat", "URL de la página de compra", "Satın alma sayfası URL'si", "رابط صفحة الشراء"]),
    ("tier_metric", ["Tiers follow", "Stufen richten sich nach", "Les niveaux suivent", "Los niveles siguen", "Seviyeler şuna göre", "تعتمد المستويات على"]),
    ("metric_spend", ["Spend over the last 365 days", "Umsatz der letzten 365 Tage", "Dépenses des 365 derniers jours", "Gasto de los últimos 365 días", "Son 365 gündeki harcama", "الإنفاق خلال آخر 365 يومًا"]),
    ("metric_points", ["Lifetime points earned", "Insgesamt gesammelte Punkte", "Points gagnés au total", "Puntos ganados en total", "Toplam kazanılan puan", "إجمالي النقاط المكتسبة"]),
    ("value", ["Value", "Wert", "Valeur", "Valor", "Değer", "القيمة"]),
    ("points_cost", ["Points cost", "Punktekosten", "Coût en points", "Coste en puntos", "Puan bedeli", "التكلفة بالنقاط"]),
    ("min_tier", ["Lowest tier", "Mindeststufe", "Niveau minimum", "Nivel mínimo", "En düşük seviye", "أدنى مستوى"]),
    ("any_tier", ["Any member", "Alle Mitglieder", "Tous les membres", "Cualquier miembro", "Tüm üyeler", "أي عضو"]),
    ("product_id", ["Product id", "Produktkennung", "Identifiant produit", "Id del producto", "Ürün kimliği", "معرّف المنتج"]),
    ("code_valid_days", ["Code valid for (days)", "Code gültig (Tage)", "Code valable (jours)", "Código válido (días)", "Kod geçerliliği (gün)", "صلاحية الرمز (بالأيام)"]),
    ("advocate_points", ["Points for the member who refers", "Punkte für Empfehlende", "Points pour le parrain", "Puntos para quien recomienda", "Tavsiye edene puan", "نقاط للعضو المُحيل"]),
    ("friend_points", ["Points for the friend", "Punkte für Geworbene", "Points pour le filleul", "Puntos para el amigo", "Arkadaşa puan", "نقاط للصديق"]),
    ("landing_url", ["Friend's landing page", "Zielseite für Geworbene", "Page d'arrivée du filleul", "Página de llegada del amigo", "Arkadaşın açılış sayfası", "صفحة وصول الصديق"]),
    ("max_per_week", ["Most rewards per member per week", "Höchstens Prämien pro Woche", "Récompenses max. par semaine", "Máximo de recompensas por semana", "Haftalık en fazla ödül", "أقصى عدد مكافآت أسبوعيًا"]),
    ("expiry_days", ["Points expire after (days, empty: never)", "Punkte verfallen nach (Tage, leer: nie)", "Les points expirent après (jours, vide : jamais)", "Los puntos caducan tras (días, vacío: nunca)", "Puanların süresi (gün, boş: hiç)", "تنتهي النقاط بعد (أيام، فارغ: أبدًا)"]),
    ("refund_expired_codes", ["Give points back when a code expires unused", "Punkte bei ungenutzt verfallenem Code erstatten", "Rendre les points d'un code expiré non utilisé", "Devolver puntos si un código caduca sin usarse", "Kullanılmadan süresi dolan kodun puanını iade et", "إعادة النقاط عند انتهاء رمز غير مستخدم"]),
    ("feedback_on", ["Ask shoppers how likely they are to recommend the shop", "Kunden nach ihrer Weiterempfehlung fragen", "Demander aux clients s'ils recommanderaient la boutique", "Preguntar a los clientes si recomendarían la tienda", "Müşterilere mağazayı önerme olasılıklarını sor", "اسأل المتسوقين عن احتمال توصيتهم بالمتجر"]),
    ("cooldown_days", ["Days between questions", "Tage zwischen Fragen", "Jours entre les questions", "Días entre preguntas", "Sorular arası gün", "الأيام بين الأسئلة"]),
    ("question", ["Question (empty: the widget's own)", "Frage (leer: Standard)", "Question (vide : celle du widget)", "Pregunta (vacío: la del widget)", "Soru (boş: varsayılan)", "السؤال (فارغ: الافتراضي)"]),
    ("origin", ["Origin", "Origin", "Origine", "Origen", "Köken", "الأصل"]),
    ("add", ["Add", "Hinzufügen", "Ajouter", "Añadir", "Ekle", "إضافة"]),
    ("remove", ["Remove", "Entfernen", "Supprimer", "Quitar", "Kaldır", "إزالة"]),
    ("move_up", ["Move up", "Nach oben", "Monter", "Subir", "Yukarı taşı", "تحريك لأعلى"]),
    ("none", ["None", "Keine", "Aucune", "Ninguno", "Yok", "لا شيء"]),
    ("preview", ["Live preview", "Live-Vorschau", "Aperçu en direct", "Vista previa en vivo", "Canlı önizleme", "معاينة مباشرة"]),
    ("preview_member", ["As a member", "Als Mitglied", "En tant que membre", "Como miembro", "Üye olarak", "كعضو"]),
    ("preview_guest", ["As a guest", "Als Gast", "En tant qu'invité", "Como invitado", "Misafir olarak", "كزائر"]),
    ("preview_balance", ["Sample balance", "Beispielguthaben", "Solde d'exemple", "Saldo de ejemplo", "Örnek bakiye", "رصيد تجريبي"]),
    ("preview_note", ["The preview shows your unsaved program; shoppers see it only after you save.", "Die Vorschau zeigt Ihr ungespeichertes Programm; Kunden sehen es erst nach dem Speichern.", "L'aperçu montre votre programme non enregistré ; les clients le verront après l'enregistrement.", "La vista previa muestra tu programa sin guardar; los clientes lo verán al guardar.", "Önizleme kaydedilmemiş programınızı gösterir; müşteriler kaydettikten sonra görür.", "تعرض المعاينة برنامجك غير المحفوظ؛ يراه المتسوقون بعد الحفظ فقط."]),
    ("versions", ["Saved versions", "Gespeicherte Versionen", "Versions enregistrées", "Versiones guardadas", "Kayıtlı sürümler", "النسخ المحفوظة"]),
    ("version", ["Version", "Version", "Version", "Versión", "Sürüm", "النسخة"]),
    ("saved_by", ["Saved by", "Gespeichert von", "Enregistré par", "Guardado por", "Kaydeden", "حفظها"]),
    ("saved_at", ["Saved at", "Gespeichert am", "Enregistré le", "Guardado el", "Kaydedilme", "وقت الحفظ"]),
    ("current", ["Current", "Aktuell", "Actuelle", "Actual", "Güncel", "الحالية"]),
    ("restore", ["Restore", "Wiederherstellen", "Restaurer", "Restaurar", "Geri yükle", "استعادة"]),
    ("restored", ["Restored: this version is now the program.", "Wiederhergestellt: Diese Version ist jetzt das Programm.", "Restaurée : cette version est maintenant le programme.", "Restaurada: esta versión es ahora el programa.", "Geri yüklendi: bu sürüm artık program.", "تمت الاستعادة: هذه النسخة هي البرنامج الآن."]),
    ("confirm_restore", ["Restore this version? It becomes the live program.", "Diese Version wiederherstellen? Sie wird sofort aktiv.", "Restaurer cette version ? Elle devient le programme actif.", "¿Restaurar esta versión? Pasará a ser el programa activo.", "Bu sürüm geri yüklensin mi? Canlı program olacak.", "استعادة هذه النسخة؟ ستصبح البرنامج المعمول به."]),
    ("older", ["Older", "Ältere", "Plus anciennes", "Anteriores", "Daha eski", "الأقدم"]),
    ("script_tag", ["Script tag for your pages", "Script-Tag für Ihre Seiten", "Balise script pour vos pages", "Etiqueta script para tus páginas", "Sayfalarınız için script etiketi", "وسم السكربت لصفحاتك"]),
    ("copy", ["Copy", "Kopieren", "Copier", "Copiar", "Kopyala", "نسخ"]),
    ("copied", ["Copied.", "Kopiert.", "Copié.", "Copiado.", "Kopyalandı.", "تم النسخ."]),
    ("signing_code", ["Signing code for your back end", "Signaturcode für Ihr Backend", "Code de signature pour votre serveur", "Código de firma para tu servidor", "Sunucunuz için imzalama kodu", "شيفرة التوقيع لخادمك"]),
    ("signing_hint", ["Your back end signs each page for the signed-in customer with the secret key. The key never goes into a page.", "Ihr Backend signiert jede Seite mit dem geheimen Schlüssel. Der Schlüssel gelangt nie in eine Seite.", "Votre serveur signe chaque page avec la clé secrète, qui n'apparaît jamais dans une page.", "Tu servidor firma cada página con la clave secreta, que nunca va en una página.", "Sunucunuz her sayfayı gizli anahtarla imzalar. Anahtar asla sayfaya konmaz.", "يوقّع خادمك كل صفحة بالمفتاح السري، ولا يوضع المفتاح في أي صفحة أبدًا."]),
    ("test_install", ["Test your install", "Einbindung testen", "Tester l'installation", "Probar la instalación", "Kurulumu test et", "اختبر التثبيت"]),
    ("seen_on", ["Widget seen on", "Widget gesehen auf", "Widget vu sur", "Widget visto en", "Widget'in görüldüğü yer", "شوهد الودجت على"]),
    ("not_seen", ["The widget has not loaded on your sites yet. Add the script tag, open a page, then test again.", "Das Widget wurde noch auf keiner Ihrer Seiten geladen. Tag einfügen, Seite öffnen, erneut testen.", "Le widget n'a encore été chargé sur aucun de vos sites. Ajoutez la balise, ouvrez une page, puis retestez.", "El widget aún no se ha cargado en tus sitios. Añade la etiqueta, abre una página y vuelve a probar.", "Widget henüz sitelerinizde yüklenmedi. Etiketi ekleyin, bir sayfa açın ve tekrar deneyin.", "لم يُحمَّل الودجت على مواقعك بعد. أضف الوسم وافتح صفحة ثم اختبر مجددًا."]),
    ("staff", ["Staff", "Team", "Équipe", "Equipo", "Ekip", "الفريق"]),
    ("add_staff", ["Add a staff member", "Teammitglied hinzufügen", "Ajouter un membre", "Añadir un miembro", "Ekip üyesi ekle", "إضافة عضو"]),
    ("password_once", ["Their password, shown this once. Give it to them privately:", "Das Passwort, nur jetzt sichtbar. Geben Sie es vertraulich weiter:", "Son mot de passe, affiché une seule fois. Transmettez-le en privé :", "Su contraseña, mostrada solo esta vez. Entrégala en privado:", "Parolası, yalnızca bir kez gösterilir. Özel olarak iletin:", "كلمة المرور، تظهر هذه المرة فقط. سلّمها بشكل خاص:"]),
    ("confirm_remove", ["Remove this staff member? They are signed out at once.", "Dieses Teammitglied entfernen? Es wird sofort abgemeldet.", "Retirer ce membre ? Il est déconnecté immédiatement.", "¿Quitar a este miembro? Su sesión se cierra al momento.", "Bu üye kaldırılsın mı? Oturumu hemen kapanır.", "إزالة هذا العضو؟ سيُسجَّل خروجه فورًا."]),
    ("secret_key", ["Secret key", "Geheimer Schlüssel", "Clé secrète", "Clave secreta", "Gizli anahtar", "المفتاح السري"]),
    ("rotate_key", ["Rotate the secret key", "Geheimen Schlüssel erneuern", "Renouveler la clé secrète", "Rotar la clave secreta", "Gizli anahtarı yenile", "تدوير المفتاح السري"]),
    ("rotate_hint", ["A new key is made and shown once. The old key keeps working for 24 hours, so you can update your back end without downtime; then it stops.", "Ein neuer Schlüssel wird einmal angezeigt. Der alte funktioniert noch 24 Stunden, damit Sie Ihr Backend ohne Ausfall umstellen; danach nicht mehr.", "Une nouvelle clé est créée et affichée une fois. L'ancienne reste valable 24 heures pour mettre à jour votre serveur sans coupure, puis cesse.", "Se crea una clave nueva que se muestra una vez. La anterior sigue funcionando 24 horas para que actualices tu servidor sin cortes; después deja de hacerlo.", "Yeni bir anahtar oluşturulur ve bir kez gösterilir. Eski anahtar 24 saat daha çalışır; sunucunuzu kesintisiz güncelleyin. Sonra çalışmaz.", "يُنشأ مفتاح جديد ويظهر مرة واحدة. يبقى المفتاح القديم صالحًا 24 ساعة لتحديث خادمك دون انقطاع، ثم يتوقف."]),
    ("confirm_rotate", ["Rotate the key now? Your back end must switch to the new key within 24 hours.", "Schlüssel jetzt erneuern? Ihr Backend muss binnen 24 Stunden umgestellt werden.", "Renouveler la clé maintenant ? Votre serveur doit passer à la nouvelle clé sous 24 heures.", "¿Rotar la clave ahora? Tu servidor debe usar la nueva en 24 horas.", "Anahtar şimdi yenilensin mi? Sunucunuz 24 saat içinde yeni anahtara geçmeli.", "تدوير المفتاح الآن؟ يجب أن ينتقل خادمك إلى المفتاح الجديد خلال 24 ساعة."]),
    ("new_key", ["The new secret key, shown this once:", "Der neue geheime Schlüssel, nur jetzt sichtbar:", "La nouvelle clé secrète, affichée une seule fois :", "La nueva clave secreta, mostrada solo esta vez:", "Yeni gizli anahtar, yalnızca bir kez gösterilir:", "المفتاح السري الجديد، يظهر هذه المرة فقط:"]),
    ("audit", ["Audit log", "Protokoll", "Journal d'audit", "Registro de auditoría", "Denetim kaydı", "سجل التدقيق"]),
    ("actor", ["Who", "Wer", "Qui", "Quién", "Kim", "من"]),
    ("action", ["Action", "Aktion", "Action", "Acción", "İşlem", "الإجراء"]),
    ("target", ["On", "Betrifft", "Sur", "Sobre", "Hedef", "على"]),
    ("when", ["When", "Wann", "Quand", "Cuándo", "Ne zaman", "متى"]),
    ("theme_colors", ["Colours", "Farben", "Couleurs", "Colores", "Renkler", "الألوان"]),
    ("theme_shape", ["Shape and launcher", "Form und Starter", "Forme et lanceur", "Forma y lanzador", "Şekil ve başlatıcı", "الشكل والزر"]),
    ("radius", ["Corner radius (px)", "Eckenradius (px)", "Rayon des coins (px)", "Radio de esquinas (px)", "Köşe yarıçapı (px)", "نصف قطر الزوايا (بكسل)"]),
    ("panel_width", ["Panel width (px)", "Panelbreite (px)", "Largeur du panneau (px)", "Ancho del panel (px)", "Panel genişliği (px)", "عرض اللوحة (بكسل)"]),
    ("font_family", ["Font family", "Schriftart", "Police", "Tipo de letra", "Yazı tipi", "نوع الخط"]),
    ("mode", ["Colour mode", "Farbmodus", "Mode de couleur", "Modo de color", "Renk modu", "وضع الألوان"]),
    ("launcher_position", ["Launcher position", "Position des Starters", "Position du lanceur", "Posición del lanzador", "Başlatıcı konumu", "موضع الزر"]),
    ("launcher_icon", ["Launcher icon", "Starter-Symbol", "Icône du lanceur", "Icono del lanzador", "Başlatıcı simgesi", "أيقونة الزر"]),
    ("launcher_label", ["Launcher text for guests", "Startertext für Gäste", "Texte du lanceur pour les invités", "Texto del lanzador para invitados", "Misafirler için başlatıcı metni", "نص الزر للزوار"]),
    ("theme_ok", ["Every colour pair meets WCAG AA contrast.", "Alle Farbpaare erfüllen WCAG-AA-Kontrast.", "Toutes les paires de couleurs respectent le contraste WCAG AA.", "Todos los pares de colores cumplen el contraste WCAG AA.", "Tüm renk çiftleri WCAG AA kontrastını karşılıyor.", "كل أزواج الألوان تحقق تباين WCAG AA."]),
    ("default", ["Default", "Standard", "Par défaut", "Predeterminado", "Varsayılan", "افتراضي"]),
    ("welcome_title", ["Set up your loyalty program", "Treueprogramm einrichten", "Configurez votre programme de fidélité", "Configura tu programa de fidelidad", "Sadakat programınızı kurun", "إعداد برنامج الولاء"]),
    ("step", ["Step", "Schritt", "Étape", "Paso", "Adım", "الخطوة"]),
    ("of", ["of", "von", "sur", "de", "/", "من"]),
    ("next", ["Next", "Weiter", "Suivant", "Siguiente", "İleri", "التالي"]),
    ("back", ["Back", "Zurück", "Retour", "Atrás", "Geri", "رجوع"]),
    ("finish", ["Save and finish", "Speichern und fertig", "Enregistrer et terminer", "Guardar y terminar", "Kaydet ve bitir", "حفظ وإنهاء"]),
    ("currency", ["Currency", "Währung", "Devise", "Moneda", "Para birimi", "العملة"]),
    ("shop_basics", ["Your shop", "Ihr Shop", "Votre boutique", "Tu tienda", "Mağazanız", "متجرك"]),
    ("shop_locale", ["Shop language", "Shop-Sprache", "Langue de la boutique", "Idioma de la tienda", "Mağaza dili", "لغة المتجر"]),
    ("welcome_earn", ["How members earn points: on purchases, for joining, on their birthday, or for things you award yourself.", "Wie Mitglieder Punkte sammeln: beim Einkauf, bei der Anmeldung, zum Geburtstag oder für Dinge, die Sie selbst vergeben.", "Comment les membres gagnent des points : achats, inscription, anniversaire, ou ce que vous attribuez vous-même.", "Cómo ganan puntos los miembros: con compras, al unirse, en su cumpleaños o por lo que tú otorgues.", "Üyeler puanı nasıl kazanır: alışverişte, katılımda, doğum gününde veya sizin verdiğiniz şeylerle.", "كيف يكسب الأعضاء النقاط: بالشراء، وعند الانضمام، وفي عيد الميلاد، أو بما تمنحه بنفسك."]),
    ("welcome_done", ["Your program is saved. Next: put the widget on your shop.", "Ihr Programm ist gespeichert. Als Nächstes: das Widget einbinden.", "Votre programme est enregistré. Ensuite : installez le widget sur votre boutique.", "Tu programa está guardado. Ahora: añade el widget a tu tienda.", "Programınız kaydedildi. Sırada: widget'i mağazanıza ekleyin.", "تم حفظ برنامجك. التالي: ضع الودجت في متجرك."]),
    ("kind_purchase", ["Purchase", "Einkauf", "Achat", "Compra", "Alışveriş", "شراء"]),
    ("kind_signup", ["Joining", "Anmeldung", "Inscription", "Registro", "Katılım", "الانضمام"]),
    ("kind_birthday", ["Birthday", "Geburtstag", "Anniversaire", "Cumpleaños", "Doğum günü", "عيد الميلاد"]),
    ("kind_referral", ["Referral", "Empfehlung", "Parrainage", "Referido", "Tavsiye", "إحالة"]),
    ("kind_custom", ["Awarded by you", "Von Ihnen vergeben", "Attribué par vous", "Otorgado por ti", "Sizin verdiğiniz", "تمنحه أنت"]),
    ("kind_fixed_discount", ["Fixed discount", "Fester Rabatt", "Remise fixe", "Descuento fijo", "Sabit indirim", "خصم ثابت"]),
    ("kind_percent_discount", ["Percent discount", "Prozentrabatt", "Remise en pourcentage", "Descuento porcentual", "Yüzde indirim", "خصم بالنسبة المئوية"]),
    ("kind_free_shipping", ["Free shipping", "Kostenloser Versand", "Livraison gratuite", "Envío gratis", "Ücretsiz kargo", "شحن مجاني"]),
    ("kind_free_product", ["Free product", "Gratisprodukt", "Produit offert", "Producto gratis", "Ücretsiz ürün", "منتج مجاني"]),
    ("per_day", ["day", "Tag", "jour", "día", "gün", "يوم"]),
    ("per_month", ["month", "Monat", "mois", "mes", "ay", "شهر"]),
    ("per_year", ["year", "Jahr", "an", "año", "yıl", "سنة"]),
    ("per_lifetime", ["ever", "insgesamt", "au total", "en total", "toplam", "إجمالًا"]),
    ("skip_link", ["Skip to content", "Zum Inhalt springen", "Aller au contenu", "Ir al contenido", "İçeriğe geç", "انتقل إلى المحتوى"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_all_six_languages() {
        for (key, row) in TABLES.iter().flat_map(|table| table.iter()) {
            for (lang, text) in Lang::ALL.iter().zip(row) {
                assert!(!text.trim().is_empty(), "{key} is empty in {}", lang.code());
            }
        }
    }

    #[test]
    fn no_key_is_listed_twice() {
        let mut keys: Vec<_> = TABLES
            .iter()
            .flat_map(|table| table.iter().map(|(k, _)| *k))
            .collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len());
    }

    #[test]
    fn a_regional_tag_picks_its_language_and_arabic_is_right_to_left() {
        assert_eq!(Lang::from_tag("de-AT"), Some(Lang::De));
        assert_eq!(Lang::from_tag("pt-BR"), None);
        assert_eq!(Lang::from_tag("ar").map(Lang::dir), Some("rtl"));
        assert_eq!(t(Lang::Fr, "save"), "Enregistrer");
    }
}
