//! How a marketer makes the widget look like the shop: colours, corner radius, font, light/dark, the
//! launcher, the panel width, text overrides and custom CSS.
//!
//! Sources, later wins: built-in defaults, the shop's saved theme (`theme` in the program), the script
//! tag's `data-theme` JSON. Every value is checked on its own: an invalid one is named in a warning and
//! left out, so the default (or the earlier source) stands and nothing breaks.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColorMode {
    Light,
    Dark,
    /// Follows the shopper's `prefers-color-scheme`.
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LauncherPosition {
    BottomRight,
    BottomLeft,
    TopRight,
    TopLeft,
}

impl LauncherPosition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BottomRight => "bottom-right",
            Self::BottomLeft => "bottom-left",
            Self::TopRight => "top-right",
            Self::TopLeft => "top-left",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LauncherIcon {
    Gift,
    Star,
    Heart,
    Crown,
    None,
}

/// The longest custom CSS a theme may carry, in bytes.
pub const MAX_CUSTOM_CSS: usize = 20_000;
/// The longest text override, in characters.
pub const MAX_TEXT: usize = 500;

impl Theme {
    /// Reads a theme from JSON, keeping every valid value and naming every invalid one in a warning
    /// (`"theme.colors.primary: \"blue\" is not a hex colour like #1a73e8"`).
    pub fn from_json(value: &Value) -> (Theme, Vec<String>) {
        let mut theme = Theme::default();
        let mut warnings = Vec::new();
        let Some(object) = value.as_object() else {
            if !value.is_null() {
                warnings.push("theme: must be a JSON object".to_owned());
            }
            return (theme, warnings);
        };
        for (key, v) in object {
            let at = format!("theme.{key}");
            match key.as_str() {
                "colors" => theme.colors = read_colors(&at, v, &mut warnings),
                "dark_colors" => theme.dark_colors = read_colors(&at, v, &mut warnings),
                "radius" => theme.radius = read_u32(&at, v, 0..=32, &mut warnings),
                "panel_width" => theme.panel_width = read_u32(&at, v, 300..=560, &mut warnings),
                "font_family" => theme.font_family = read_with(&at, v, font_family, &mut warnings),
                "mode" => theme.mode = read_enum(&at, v, "light, dark or auto", &mut warnings),
                "launcher_position" => {
                    theme.launcher_position = read_enum(
                        &at,
                        v,
                        "bottom-right, bottom-left, top-right or top-left",
                        &mut warnings,
                    )
                }
                "launcher_icon" => {
                    theme.launcher_icon =
                        read_enum(&at, v, "gift, star, heart, crown or none", &mut warnings)
                }
                "launcher_label" => {
                    theme.launcher_label = read_with(&at, v, short_text, &mut warnings)
                }
                "texts" => theme.texts = read_texts(&at, v, &mut warnings),
                "custom_css" => theme.custom_css = read_with(&at, v, custom_css, &mut warnings),
                _ => warnings.push(format!("{at}: unknown setting (ignored)")),
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

    /// Colour pairs of this theme that fail WCAG 2.1 AA contrast (4.5:1 for text), one sentence each.
    pub fn contrast_warnings(&self, dark: bool) -> Vec<String> {
        const PAIRS: [(&str, &str); 5] = [
            ("text", "background"),
            ("text", "surface"),
            ("muted", "surface"),
            ("on_primary", "primary"),
            ("primary", "surface"),
        ];
        PAIRS
            .iter()
            .filter_map(|(fg, bg)| {
                let ratio = contrast_ratio(&self.color(fg, dark), &self.color(bg, dark))?;
                // Primary on the surface is used for large text and controls: 3:1 (WCAG 1.4.11).
                let needed = if *fg == "primary" { 3.0 } else { 4.5 };
                (ratio < needed).then(|| {
                    format!("{fg} on {bg}: contrast {ratio:.2}:1 is below the {needed}:1 that WCAG AA asks for")
                })
            })
            .collect()
    }
}

pub const DEFAULT_RADIUS: u32 = 12;
pub const DEFAULT_PANEL_WIDTH: u32 = 400;
pub const DEFAULT_FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
/// primary, on_primary, background, surface, text, muted, accent.
pub const LIGHT_DEFAULTS: [&str; 7] = [
    "#4338ca", "#ffffff", "#f6f6f9", "#ffffff", "#1c1c28", "#5b5b6b", "#b45309",
];
pub const DARK_DEFAULTS: [&str; 7] = [
    "#a5b4fc", "#1c1c28", "#14141c", "#1f1f2b", "#f1f1f6", "#b4b4c3", "#fbbf24",
];

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

fn read_colors(at: &str, v: &Value, warnings: &mut Vec<String>) -> Colors {
    let mut colors = Colors::default();
    let Some(object) = v.as_object() else {
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
        match value.as_str() {
            Some(s) if parse_hex_color(s).is_some() => *slot = Some(s.to_ascii_lowercase()),
            _ => warnings.push(format!(
                "{at}.{name}: {value} is not a hex colour like #1a73e8"
            )),
        }
    }
    colors
}

fn read_u32(
    at: &str,
    v: &Value,
    range: std::ops::RangeInclusive<u32>,
    warnings: &mut Vec<String>,
) -> Option<u32> {
    let n = v
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| range.contains(n));
    if n.is_none() {
        warnings.push(format!(
            "{at}: {v} is not a whole number from {} to {}",
            range.start(),
            range.end()
        ));
    }
    n
}

fn read_enum<T: serde::de::DeserializeOwned>(
    at: &str,
    v: &Value,
    allowed: &str,
    warnings: &mut Vec<String>,
) -> Option<T> {
    let parsed = serde_json::from_value(v.clone()).ok();
    if parsed.is_none() {
        warnings.push(format!("{at}: {v} is not one of {allowed}"));
    }
    parsed
}

fn read_with(
    at: &str,
    v: &Value,
    check: fn(&str) -> Result<(), String>,
    warnings: &mut Vec<String>,
) -> Option<String> {
    let Some(s) = v.as_str() else {
        warnings.push(format!("{at}: must be a string"));
        return None;
    };
    match check(s) {
        Ok(()) => Some(s.to_owned()),
        Err(why) => {
            warnings.push(format!("{at}: {why}"));
            None
        }
    }
}

fn read_texts(at: &str, v: &Value, warnings: &mut Vec<String>) -> BTreeMap<String, String> {
    let empty = Map::new();
    let object = v.as_object().unwrap_or_else(|| {
        warnings.push(format!("{at}: must be an object of message keys to texts"));
        &empty
    });
    object
        .iter()
        .filter_map(|(key, value)| {
            read_with(&format!("{at}.{key}"), value, short_text, warnings).map(|t| (key.clone(), t))
        })
        .collect()
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
        && s.chars()
            .all(|c| c.is_alphanumeric() || " ,-_'\"".contains(c));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{s:?} is not a font list like \"Inter, sans-serif\""
        ))
    }
}

fn custom_css(s: &str) -> Result<(), String> {
    if s.len() > MAX_CUSTOM_CSS {
        return Err(format!("is {} bytes; at most {MAX_CUSTOM_CSS}", s.len()));
    }
    Ok(())
}
