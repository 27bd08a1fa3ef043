//! The stylesheet's bundler, shared by `build.rs` (which runs it) and the widget's tests (which check
//! it): the files of `style/` in a fixed order, comments stripped and whitespace collapsed.

/// The stylesheets, in cascade order: tokens and base first, then one file per component. Later files
/// may rely on winning ties against earlier ones (e.g. `reward.css` after `card.css`). The first three
/// (tokens, base, launcher) are the launcher's sheet (`widget.css`, see `build.rs`), on the page from
/// the start; the rest are the panel's (`panel.css`), which comes with the panel's views
/// (`src/components/views.rs`) and is placed right after the launcher's, so the order stays the same.
pub const FILES: [&str; 20] = [
    "tokens",
    "base",
    "launcher",
    "panel",
    "button",
    "badge",
    "card",
    "notice",
    "summary",
    "tier_progress",
    "reward",
    "codes",
    "tier_list",
    "earn",
    "activity",
    "referral",
    "feedback",
    "guest",
    "error",
    "skeleton",
];

/// No space is needed after these, nor before [`TIGHT_BEFORE`]. Not `:` before (`.a :focus` is not
/// `.a:focus`), not `(` before (`and (` is not the function `and(`), never `+`/`-` (`calc(a - b)`).
const TIGHT_AFTER: &[char] = &['{', '}', ';', ':', ',', '>', '('];
const TIGHT_BEFORE: &[char] = &['{', '}', ';', ',', '>', '!', ')'];

/// CSS without comments and without the whitespace it does not need; strings are kept as written.
pub fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                space = true;
            }
            c if c.is_whitespace() => space = true,
            _ => {
                if c == '}' && out.ends_with(';') {
                    out.pop();
                }
                let tight =
                    out.is_empty() || out.ends_with(TIGHT_AFTER) || TIGHT_BEFORE.contains(&c);
                if space && !tight {
                    out.push(' ');
                }
                space = false;
                out.push(c);
                if c == '"' || c == '\'' {
                    let mut escaped = false;
                    for s in chars.by_ref() {
                        out.push(s);
                        match s {
                            '\\' if !escaped => escaped = true,
                            s if s == c && !escaped => break,
                            _ => escaped = false,
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{minify, FILES};

    #[test]
    fn every_stylesheet_of_style_is_bundled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/style");
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .expect("style/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".css").map(str::to_owned))
            .collect();
        found.sort();
        let mut bundled = FILES.map(str::to_owned).to_vec();
        bundled.sort();
        assert_eq!(found, bundled);
    }

    #[test]
    fn comments_and_layout_whitespace_go() {
        let css = "/* tokens */\n.a ,\n.b > p {\n  color: red;\n  margin: 0 auto !important;\n}\n";
        assert_eq!(minify(css), ".a,.b>p{color:red;margin:0 auto!important}");
    }

    #[test]
    fn meaningful_spaces_stay() {
        assert_eq!(
            minify(".tally :focus-visible {}"),
            ".tally :focus-visible{}"
        );
        assert_eq!(
            minify("a { width: calc(100vw - 40px); }"),
            "a{width:calc(100vw - 40px)}"
        );
        assert_eq!(
            minify("@media screen and (max-width: 480px) { a { b: c } }"),
            "@media screen and (max-width:480px){a{b:c}}"
        );
    }

    #[test]
    fn strings_are_kept_as_written() {
        assert_eq!(
            minify(r#"a { font-family: "Segoe  UI", x; content: "a\" /* b */"; }"#),
            r#"a{font-family:"Segoe  UI",x;content:"a\" /* b */"}"#
        );
    }
}
