//! Bundles the widget's stylesheet: `style/*.css` (readable, one file per component) concatenated in
//! the order of `style/minify.rs`'s `FILES` and minified into `$OUT_DIR/widget.css`, which `src/lib.rs`
//! includes.

#[path = "style/minify.rs"]
mod minify;

fn main() {
    let mut css = String::new();
    for name in minify::FILES {
        let path = format!("style/{name}.css");
        println!("cargo:rerun-if-changed={path}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        css.push_str(&text);
        css.push('\n');
    }
    println!("cargo:rerun-if-changed=style/minify.rs");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("widget.css"), minify::minify(&css)).expect("write widget.css");
}
