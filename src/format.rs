//! Numbers, money, dates and plurals for the shopper's locale, through the browser's `Intl`.
//!
//! Every call goes through `Reflect`, which returns a `Result`: a locale or currency that `Intl`
//! rejects (it throws `RangeError`) falls back to plain formatting instead of trapping the wasm.

use js_sys::{Array, Function, Object, Reflect};
use tally_core::rules::{currency_minor_digits, format_minor};
use tally_core::PointsName;
use wasm_bindgen::{JsCast, JsValue};

/// Builds `new Intl[ctor](locale, options)`.
fn intl(ctor: &str, locale: &str, options: &[(&str, JsValue)]) -> Option<JsValue> {
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: Function = Reflect::get(&intl, &ctor.into()).ok()?.dyn_into().ok()?;
    let opts = Object::new();
    for (key, value) in options {
        Reflect::set(&opts, &(*key).into(), value).ok()?;
    }
    let args = Array::of2(&locale.into(), &opts);
    Reflect::construct(&ctor, &args).ok()
}

/// Calls `formatter[method](arg)` and returns the string.
fn call(formatter: &JsValue, method: &str, arg: &JsValue) -> Option<String> {
    let f: Function = Reflect::get(formatter, &method.into())
        .ok()?
        .dyn_into()
        .ok()?;
    f.call1(formatter, arg).ok()?.as_string()
}

/// The tag `Intl` will really use, or `en` when it rejects this one.
pub fn supported_locale(tag: &str) -> String {
    intl("NumberFormat", tag, &[])
        .and_then(|nf| {
            let f: Function = Reflect::get(&nf, &"resolvedOptions".into())
                .ok()?
                .dyn_into()
                .ok()?;
            let resolved = f.call0(&nf).ok()?;
            Reflect::get(&resolved, &"locale".into()).ok()?.as_string()
        })
        .unwrap_or_else(|| "en".to_owned())
}

/// `1234` → `"1,234"` in English.
pub fn number(n: i64, locale: &str) -> String {
    intl("NumberFormat", locale, &[])
        .and_then(|nf| call(&nf, "format", &JsValue::from_f64(n as f64)))
        .unwrap_or_else(|| n.to_string())
}

/// Minor units as money: `40000, "USD"` → `"$400.00"`; whole amounts may drop their cents.
pub fn money(minor: i64, currency: &str, locale: &str, whole: bool) -> String {
    let digits = currency_minor_digits(currency);
    let valid = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
    let value = minor as f64 / 10_f64.powi(digits as i32);
    let mut options = vec![
        ("style", JsValue::from_str("currency")),
        ("currency", JsValue::from_str(currency)),
    ];
    if whole && minor % 10_i64.pow(digits) == 0 {
        options.push(("minimumFractionDigits", JsValue::from_f64(0.0)));
        options.push(("maximumFractionDigits", JsValue::from_f64(0.0)));
    }
    valid
        .then(|| intl("NumberFormat", locale, &options))
        .flatten()
        .and_then(|nf| call(&nf, "format", &JsValue::from_f64(value)))
        .unwrap_or_else(|| format!("{} {currency}", format_minor(minor, currency)))
}

/// The `Intl.PluralRules` category of `n` in this locale: `zero`, `one`, `two`, `few`, `many` or
/// `other` (English has only `one` and `other`; Arabic has all six).
pub fn plural_category(n: i64, locale: &str) -> String {
    intl("PluralRules", locale, &[])
        .and_then(|pr| call(&pr, "select", &JsValue::from_f64(n as f64)))
        .unwrap_or_else(|| if n == 1 { "one" } else { "other" }.to_owned())
}

/// Whether `n` takes the singular form in this locale. The API names points only in the singular
/// and the plural, so the singular goes with the `one` category and the plural with every other.
pub fn is_singular(n: i64, locale: &str) -> bool {
    plural_category(n, locale) == "one"
}

/// `179` → `"179 stars"`, with the program's own names for its points.
pub fn points(n: i64, names: &PointsName, locale: &str) -> String {
    let name = if is_singular(n, locale) {
        &names.singular
    } else {
        &names.plural
    };
    format!("{} {}", number(n, locale), isolate(name))
}

/// Shop-written `text` for the middle of one of our sentences: when it holds right-to-left letters or
/// bidi controls, wrapped in FSI … PDI so that it cannot reorder the sentence around it. Its own stray
/// PDIs get an FSI each to close, and its unclosed isolates a PDI each, so the wrapping always holds.
pub fn isolate(text: &str) -> std::borrow::Cow<'_, str> {
    let rtl = |c: char| {
        matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
            || matches!(c, '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}')
    };
    let control = |c: char| matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(|c| rtl(c) || control(c)) {
        return text.into();
    }
    let (mut open, mut stray) = (0usize, 0usize);
    for c in text.chars() {
        match c {
            '\u{2066}'..='\u{2068}' => open += 1,
            '\u{2069}' if open > 0 => open -= 1,
            '\u{2069}' => stray += 1,
            _ => {}
        }
    }
    format!(
        "{}{text}{}",
        "\u{2068}".repeat(stray + 1),
        "\u{2069}".repeat(open + 1)
    )
    .into()
}

/// An RFC 3339 time as a medium date (`Dec 1, 2026`); the raw date part if the browser cannot.
pub fn date(rfc3339: &str, locale: &str) -> String {
    date_as(rfc3339, locale, &[("dateStyle", "medium".into())])
}

/// An RFC 3339 time as a day of the year (`January 1`), for a date within the coming year.
pub fn day_month(rfc3339: &str, locale: &str) -> String {
    date_as(
        rfc3339,
        locale,
        &[("day", "numeric".into()), ("month", "long".into())],
    )
}

/// `2, "year"` → `"2 years"`, `90, "day"` → `"90 days"`: a count of a unit in words, plural-correct.
pub fn duration(n: i64, unit: &str, locale: &str) -> String {
    let options = [
        ("style", JsValue::from_str("unit")),
        ("unit", JsValue::from_str(unit)),
        ("unitDisplay", JsValue::from_str("long")),
    ];
    intl("NumberFormat", locale, &options)
        .and_then(|nf| call(&nf, "format", &JsValue::from_f64(n as f64)))
        .unwrap_or_else(|| format!("{n} {unit}s"))
}

fn date_as(rfc3339: &str, locale: &str, options: &[(&str, JsValue)]) -> String {
    let parsed = js_sys::Date::new(&JsValue::from_str(rfc3339));
    let fallback = || rfc3339.get(..10).unwrap_or(rfc3339).to_owned();
    if parsed.get_time().is_nan() {
        return fallback();
    }
    intl("DateTimeFormat", locale, options)
        .and_then(|df| call(&df, "format", &parsed))
        .unwrap_or_else(fallback)
}
