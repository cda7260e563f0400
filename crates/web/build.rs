//! Embed the front-end assets built by `scripts/assets` (GOV.UK Frontend compiled from npm, and
//! Waymark's own styles and script). Nothing is downloaded here: when the assets have not been
//! built, the binary is built without them and says so at start-up.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files: Vec<_> = std::fs::read_dir(&dist)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut code = String::from("pub static ASSETS: &[(&str, &[u8])] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            file.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    if let Err(e) = std::fs::write(Path::new(&out).join("assets.rs"), code) {
        println!("cargo:warning=could not write the asset list: {e}");
    }
    if files.is_empty() {
        println!("cargo:warning=front-end assets not built; run scripts/assets for styled pages");
    }
}
