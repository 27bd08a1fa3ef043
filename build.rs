//! Bundles the widget's stylesheet: `style/*.css` (readable, one file per component) concatenated in
//! the order of `style/minify.rs`'s `FILES` and minified into `$OUT_DIR/widget.css` (the launcher's,
//! included by `src/lib.rs`) and `$OUT_DIR/panel.css` (the panel's, included by `src/components/views.rs`).

#[path = "style/minify.rs"]
mod minify;

/// How many of `FILES` (tokens, base, launcher) make the launcher's sheet, all a page view needs.
const LAUNCHER_FILES: usize = 3;

fn main() {
    let (launcher, panel) = minify::FILES.split_at(LAUNCHER_FILES);
    bundle(launcher, "widget.css");
    bundle(panel, "panel.css");
    println!("cargo:rerun-if-changed=style/minify.rs");
}

/// Concatenates `names` (of `style/`) and writes them minified to `$OUT_DIR/{file}`.
fn bundle(names: &[&str], file: &str) {
    let mut css = String::new();
    for name in names {
        let path = format!("style/{name}.css");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        css.push_str(&text);
        css.push('\n');
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join(file), minify::minify(&css)).unwrap_or_else(|e| panic!("{file}: {e}"));
}
