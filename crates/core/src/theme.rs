//! How a marketer makes the widget look like the shop: colours, corner radius, font, light/dark, the
//! launcher, the panel width, text overrides and custom CSS.
//!
//! Sources, later wins: built-in defaults, the shop's saved theme (`theme` in the program), the script
//! tag's `data-theme` JSON. Every value is checked on its own: an invalid one is named in a warning and
//! left out, so the default (or the earlier source) stands and nothing breaks.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use crate::words::wire_enum;

/// A JSON value, as much of one as a theme needs: the server reads it from serde_json, the widget from
/// the browser's `JSON.parse`, and both get the same checks and the same warnings.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    /// Keys in document order.
    Object(Vec<(String, Json)>),
}

impl From<&serde_json::Value> for Json {
    fn from(value: &serde_json::Value) -> Self {
        use serde_json::Value as V;
        match value {
            V::Null => Json::Null,
            V::Bool(b) => Json::Bool(*b),
            V::Number(n) => Json::Number(n.as_f64().unwrap_or(f64::NAN)),
            V::String(s) => Json::String(s.clone()),
            V::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            V::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Json::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Compact JSON, as a warning quotes a value (`"blue"`, `99`, `true`).
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Number(n) => f.write_str(&number_text(*n)),
            Json::String(s) => {
                f.write_str("\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"")
            }
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Json::Object(fields) => {
                f.write_str("{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{v}", Json::String(k.clone()))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A theme as written by a marketer: every field optional, later sources override earlier ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Theme {
    #[serde(default, skip_serializing_if = "Colors::is_empty")]
    pub colors: Colors,
    /// Colours used when the dark scheme is in effect; unset ones come from the built-in dark palette.
    #[serde(default, skip_serializing_if = "Colors::is_empty")]
    pub dark_colors: Colors,
    /// Corner radius in CSS pixels, 0 to 32.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font_family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ColorMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launcher_position: Option<LauncherPosition>,
    /// The launcher's text for guests (members see their balance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launcher_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launcher_icon: Option<LauncherIcon>,
    /// Panel width in CSS pixels, 300 to 560 (phones always get the full width).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel_width: Option<u32>,
    /// Overrides of user-facing texts by message key, e.g. `{"guest_title": "Join the Bean Club"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<String, String>,
    /// CSS placed inside the widget's shadow root, after its own styles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_css: Option<String>,
}

/// The seven colours of a palette, as `#rrggbb` (or `#rgb`) hex strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_primary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
}

/// Colour names as they appear in JSON and in the `--tally-*` custom properties.
pub const COLOR_NAMES: [&str; 7] = [
    "primary",
    "on_primary",
    "background",
    "surface",
    "text",
    "muted",
    "accent",
];

impl Colors {
    fn is_empty(&self) -> bool {
        COLOR_NAMES.iter().all(|n| self.get(n).is_none())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "primary" => self.primary.as_deref(),
            "on_primary" => self.on_primary.as_deref(),
            "background" => self.background.as_deref(),
            "surface" => self.surface.as_deref(),
            "text" => self.text.as_deref(),
            "muted" => self.muted.as_deref(),
            "accent" => self.accent.as_deref(),
            _ => None,
        }
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "primary" => &mut self.primary,
            "on_primary" => &mut self.on_primary,
            "background" => &mut self.background,
            "surface" => &mut self.surface,
            "text" => &mut self.text,
            "muted" => &mut self.muted,
            "accent" => &mut self.accent,
            _ => return None,
        })
    }

    fn overlay(&mut self, later: &Colors) {
        for name in COLOR_NAMES {
            if let (Some(value), Some(slot)) = (later.get(name), self.slot(name)) {
                *slot = Some(value.to_owned());
            }
        }
    }
}

wire_enum! {
    /// Which palette the widget uses.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ColorMode("colour mode") {
        Light = "light",
        Dark = "dark",
        /// Follows the shopper's `prefers-color-scheme`.
        Auto = "auto",
    }
}

wire_enum! {
    /// The corner of the page the launcher sits in.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum LauncherPosition("launcher position") {
        BottomRight = "bottom-right",
        BottomLeft = "bottom-left",
        TopRight = "top-right",
        TopLeft = "top-left",
    }
}

wire_enum! {
    /// The launcher's icon.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum LauncherIcon("launcher icon") {
        Gift = "gift",
        Star = "star",
        Heart = "heart",
        Crown = "crown",
        None = "none",
    }
}

impl ColorMode {
    /// The mode, or `None` for any other word (the `FromStr` of a lenient reader).
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl LauncherPosition {
    /// The position, or `None` for any other word.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

impl LauncherIcon {
    /// The icon, or `None` for any other word.
    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// The longest custom CSS a theme may carry, in bytes.
pub const MAX_CUSTOM_CSS: usize = 20_000;
/// The longest text override, in characters.
pub const MAX_TEXT: usize = 500;

impl Theme {
    /// Reads a theme from JSON, keeping every valid value and naming every invalid one in a warning
    /// (`"theme.colors.primary: \"blue\" is not a hex colour like #1a73e8"`).
    pub fn from_json(value: &serde_json::Value) -> (Theme, Vec<String>) {
        Theme::from_input(&Json::from(value))
    }

    /// [`Theme::from_json`] over the neutral [`Json`] type: the widget builds one from the browser's
    /// `JSON.parse` result, so it needs no serde_json.
    pub fn from_input(value: &Json) -> (Theme, Vec<String>) {
        let mut theme = Theme::default();
        let mut warnings = Vec::new();
        let Json::Object(object) = value else {
            if *value != Json::Null {
                warnings.push("theme: must be a JSON object".to_owned());
            }
            return (theme, warnings);
        };
        for (key, v) in object {
            let at = format!("theme.{key}");
            let w = &mut warnings;
            match key.as_str() {
                "colors" => theme.colors = read_colors(&at, v, w),
                "dark_colors" => theme.dark_colors = read_colors(&at, v, w),
                "radius" => theme.radius = read_u32(&at, v, 0..=32, w),
                "panel_width" => theme.panel_width = read_u32(&at, v, 300..=560, w),
                "font_family" => theme.font_family = read_with(&at, v, font_family, w),
                "mode" => theme.mode = read_enum(&at, v, ColorMode::parse, ColorMode::WORDS, w),
                "launcher_position" => {
                    theme.launcher_position =
                        read_enum(&at, v, LauncherPosition::parse, LauncherPosition::WORDS, w)
                }
                "launcher_icon" => {
                    theme.launcher_icon =
                        read_enum(&at, v, LauncherIcon::parse, LauncherIcon::WORDS, w)
                }
                "launcher_label" => theme.launcher_label = read_with(&at, v, short_text, w),
                "texts" => theme.texts = read_texts(&at, v, w),
                "custom_css" => theme.custom_css = read_with(&at, v, custom_css, w),
                _ => w.push(format!("{at}: unknown setting (ignored)")),
            }
        }
        (theme, warnings)
    }

    /// This theme with every value that `later` sets taken from `later`.
    pub fn overlaid_with(mut self, later: &Theme) -> Theme {
        self.colors.overlay(&later.colors);
        self.dark_colors.overlay(&later.dark_colors);
        macro_rules! take {
            ($($field:ident),*) => {$( if later.$field.is_some() { self.$field = later.$field.clone(); } )*};
        }
        take!(
            radius,
            font_family,
            mode,
            launcher_position,
            launcher_label,
            launcher_icon,
            panel_width,
            custom_css
        );
        for (k, v) in &later.texts {
            self.texts.insert(k.clone(), v.clone());
        }
        self
    }

    /// The colour `name` in the light or dark palette, falling back to the built-in default.
    pub fn color(&self, name: &str, dark: bool) -> String {
        let (chosen, defaults) = if dark {
            (&self.dark_colors, &DARK_DEFAULTS)
        } else {
            (&self.colors, &LIGHT_DEFAULTS)
        };
        let index = COLOR_NAMES.iter().position(|n| *n == name).unwrap_or(0);
        chosen.get(name).unwrap_or(defaults[index]).to_owned()
    }

    /// The `--tally-*` custom properties that carry this theme, for one palette.
    pub fn css_variables(&self, dark: bool) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = COLOR_NAMES
            .iter()
            .map(|name| {
                (
                    format!("--tally-{}", name.replace('_', "-")),
                    self.color(name, dark),
                )
            })
            .collect();
        vars.push((
            "--tally-radius".into(),
            format!("{}px", self.radius.unwrap_or(DEFAULT_RADIUS)),
        ));
        vars.push((
            "--tally-font".into(),
            self.font_family
                .clone()
                .unwrap_or_else(|| DEFAULT_FONT.into()),
        ));
        vars.push((
            "--tally-panel-width".into(),
            format!("{}px", self.panel_width.unwrap_or(DEFAULT_PANEL_WIDTH)),
        ));
        vars
    }

    /// The stylesheet that puts this theme on the widget's host element: `:host{--tally-*:…}`, with the
    /// dark palette under `prefers-color-scheme: dark` when the mode is `auto`.
    ///
    /// Inside the shadow root `:host` rules lose to the page's own rules for the host element, so a
    /// shop's `tally-widget { --tally-primary: #0a0 }` still wins over the theme (CSS Scoping, cascade
    /// of the outer context first); the widget's stylesheet only reads `var(--tally-*, default)`.
    pub fn host_css(&self) -> String {
        let block = |dark: bool| {
            let mut css = String::from(":host{");
            for (name, value) in self.css_variables(dark) {
                css.push_str(&name);
                css.push(':');
                css.push_str(&value);
                css.push(';');
            }
            css.push_str(if dark {
                "--tally-scheme:dark}"
            } else {
                "--tally-scheme:light}"
            });
            css
        };
        match self.mode.unwrap_or(DEFAULT_MODE) {
            ColorMode::Light => block(false),
            ColorMode::Dark => block(true),
            ColorMode::Auto => format!(
                "{}@media (prefers-color-scheme:dark){{{}}}",
                block(false),
                block(true)
            ),
        }
    }

    /// Colour pairs of this theme that fail WCAG 2.1 AA contrast (4.5:1 for text), one sentence each.
    pub fn contrast_warnings(&self, dark: bool) -> Vec<String> {
        // The widget sets every one of these as text on that background (see style/widget.css).
        const PAIRS: [(&str, &str); 7] = [
            ("text", "background"),
            ("text", "surface"),
            ("muted", "background"),
            ("muted", "surface"),
            ("on_primary", "primary"),
            ("primary", "background"),
            ("primary", "surface"),
        ];
        PAIRS
            .iter()
            .filter_map(|(fg, bg)| {
                let ratio = contrast_ratio(&self.color(fg, dark), &self.color(bg, dark))?;
                // Primary on the surface only marks controls and large text: 3:1 (WCAG 1.4.11);
                // on the background it is also the colour of small text (points in the activity).
                let needed = if (*fg, *bg) == ("primary", "surface") {
                    3.0
                } else {
                    4.5
                };
                (ratio < needed).then(|| {
                    let (ratio, needed) = (number_text(round2(ratio)), number_text(needed));
                    format!("{fg} on {bg}: contrast {ratio}:1 is below the {needed}:1 that WCAG AA asks for")
                })
            })
            .collect()
    }
}

pub const DEFAULT_RADIUS: u32 = 12;
pub const DEFAULT_PANEL_WIDTH: u32 = 400;
pub const DEFAULT_FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/// primary, on_primary, background, surface, text, muted, accent.
/// The widget's own look (style/widget.css falls back to the same light values).
pub const LIGHT_DEFAULTS: [&str; 7] = [
    "#2f5d50", "#ffffff", "#ffffff", "#f3f5f4", "#1d2321", "#5b6662", "#8a5a00",
];
pub const DARK_DEFAULTS: [&str; 7] = [
    "#8fd4bf", "#10201b", "#161b19", "#222a27", "#eef2f0", "#a9b5b0", "#f2c46d",
];
/// Without a choice the widget follows the shopper's `prefers-color-scheme`.
pub const DEFAULT_MODE: ColorMode = ColorMode::Auto;

/// Everything wrong with a theme as a merchant saves it (the program's `theme` JSON), one sentence each:
/// invalid values, then colour pairs below WCAG AA contrast in the light and the dark palette (the
/// palette its mode does not use is not checked). The console's Appearance page shows these; the
/// shopper's widget does not carry this check (it only falls back per value).
pub fn problems(value: &serde_json::Value) -> Vec<String> {
    let (theme, mut problems) = Theme::from_json(value);
    let mode = theme.mode.unwrap_or(DEFAULT_MODE);
    if mode != ColorMode::Dark {
        problems.extend(theme.contrast_warnings(false));
    }
    if mode != ColorMode::Light {
        let dark = theme.contrast_warnings(true);
        problems.extend(dark.into_iter().map(|w| format!("dark: {w}")));
    }
    problems
}

/// `x` rounded to two decimals.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A number as JSON writes it, with up to six decimals. By hand: Rust's float formatting would add
/// ~25 KB to the widget's wasm for the odd warning.
fn number_text(n: f64) -> String {
    if !n.is_finite() {
        return "null".to_owned();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let scaled = (n.abs() * 1e6).round();
    if scaled >= 9e15 {
        return format!("{sign}{}", n.abs().trunc() as u64);
    }
    let scaled = scaled as u64;
    let (whole, fraction) = (scaled / 1_000_000, scaled % 1_000_000);
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let digits = format!("{fraction:06}");
    format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
}

/// Parses `#rgb` or `#rrggbb` into red, green and blue.
pub fn parse_hex_color(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..i + 1], 16).ok();
    match hex.len() {
        3 => Some([digit(0)? * 17, digit(1)? * 17, digit(2)? * 17]),
        6 => {
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            Some([byte(0)?, byte(2)?, byte(4)?])
        }
        _ => None,
    }
}

/// WCAG 2.1 contrast ratio of two hex colours (1.0 to 21.0).
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (
        relative_luminance(parse_hex_color(a)?),
        relative_luminance(parse_hex_color(b)?),
    );
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

fn relative_luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

fn read_colors(at: &str, v: &Json, warnings: &mut Vec<String>) -> Colors {
    let mut colors = Colors::default();
    let Json::Object(object) = v else {
        warnings.push(format!(
            "{at}: must be an object of colour names to hex colours"
        ));
        return colors;
    };
    for (name, value) in object {
        let Some(slot) = colors.slot(name) else {
            warnings.push(format!(
                "{at}.{name}: unknown colour (known: {})",
                COLOR_NAMES.join(", ")
            ));
            continue;
        };
        match value {
            Json::String(s) if parse_hex_color(s).is_some() => *slot = Some(s.to_ascii_lowercase()),
            _ => warnings.push(format!(
                "{at}.{name}: {value} is not a hex colour like #1a73e8"
            )),
        }
    }
    colors
}

fn read_u32(
    at: &str,
    v: &Json,
    range: std::ops::RangeInclusive<u32>,
    warnings: &mut Vec<String>,
) -> Option<u32> {
    let n = match v {
        Json::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX) => {
            Some(*n as u32).filter(|n| range.contains(n))
        }
        _ => None,
    };
    if n.is_none() {
        warnings.push(format!(
            "{at}: {v} is not a whole number from {} to {}",
            range.start(),
            range.end()
        ));
    }
    n
}

fn read_enum<T>(
    at: &str,
    v: &Json,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
    warnings: &mut Vec<String>,
) -> Option<T> {
    let parsed = match v {
        Json::String(s) => parse(s),
        _ => None,
    };
    if parsed.is_none() {
        warnings.push(format!(
            "{at}: {v} is not one of {}",
            crate::one_of(allowed)
        ));
    }
    parsed
}

fn read_with(
    at: &str,
    v: &Json,
    check: fn(&str) -> Result<(), String>,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let Json::String(s) = v else {
        warnings.push(format!("{at}: must be a string"));
        return None;
    };
    match check(s) {
        Ok(()) => Some(s.clone()),
        Err(why) => {
            warnings.push(format!("{at}: {why}"));
            None
        }
    }
}

fn read_texts(at: &str, v: &Json, warnings: &mut Vec<String>) -> BTreeMap<String, String> {
    let Json::Object(object) = v else {
        warnings.push(format!("{at}: must be an object of message keys to texts"));
        return BTreeMap::new();
    };
    // Inserted one by one: collecting would sort, and a sort costs the widget's wasm ~4 KB.
    let mut texts = BTreeMap::new();
    for (key, value) in object {
        if let Some(text) = read_with(&format!("{at}.{key}"), value, short_text, warnings) {
            texts.insert(key.clone(), text);
        }
    }
    texts
}

fn short_text(s: &str) -> Result<(), String> {
    let len = s.chars().count();
    if len == 0 || len > MAX_TEXT {
        return Err(format!("must be 1 to {MAX_TEXT} characters, not {len}"));
    }
    Ok(())
}

fn font_family(s: &str) -> Result<(), String> {
    // Only what a font list needs: no semicolons, braces or url() that could break out of the property.
    let ok = !s.trim().is_empty()
        && s.len() <= 200
        // Any letter beyond ASCII (font names in Japanese, say): only ASCII punctuation could escape.
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || !c.is_ascii() || " ,-_'\"".contains(c))
        // An unclosed quote would swallow the declarations after it.
        && s.matches('\'').count().is_multiple_of(2)
        && s.matches('"').count().is_multiple_of(2);
    if ok {
        Ok(())
    } else {
        Err(format!(
            // Display, not Debug: the shopper's release build formats no Debug at all.
            "\"{s}\" is not a font list like \"Inter, sans-serif\""
        ))
    }
}

fn custom_css(s: &str) -> Result<(), String> {
    if s.len() > MAX_CUSTOM_CSS {
        return Err(format!("is {} bytes; at most {MAX_CUSTOM_CSS}", s.len()));
    }
    Ok(())
}
