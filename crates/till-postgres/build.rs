//! Embeds migrations/postgres/functions/*.sql (one file per function, holding its current text)
//! in name order, so `tillctl migrate` and `--repair-functions` apply exactly the files of this
//! build, like sqlx::migrate! embeds the versioned migrations. Also embeds definitions/*.json:
//! the definitions the migrations create, kept per PostgreSQL major version (src/schema.rs).
//!
//! Paths stay relative to the package (rerun-if-changed) or are joined at the library's compile
//! time (`env!("CARGO_MANIFEST_DIR")` in the generated code): two checkouts sharing one
//! CARGO_TARGET_DIR then never embed each other's files.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("CARGO_MANIFEST_DIR: {e}"));
    write("function_files.rs", &embed(&manifest, "../../migrations/postgres/functions", ".sql", "FUNCTION_FILES"));
    write("kept_definitions.rs", &embed(&manifest, "definitions", ".json", "KEPT_DEFINITIONS"));
}

/// `static NAME: &[(&str, &str)]` of (file name, text) for the files in `dir` ending in `ext`.
fn embed(manifest: &str, dir: &str, ext: &str, name: &str) -> String {
    let path = Path::new(manifest).join(dir);
    println!("cargo:rerun-if-changed={dir}");
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|file| file.ends_with(ext))
        .collect();
    names.sort();
    let mut code = format!("/// (file name, text), in name order.\npub(crate) static {name}: &[(&str, &str)] = &[\n");
    for file in &names {
        println!("cargo:rerun-if-changed={dir}/{file}");
        let _ =
            writeln!(code, "    ({file:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{dir}/{file}\"))),");
    }
    code.push_str("];\n");
    code
}

fn write(file: &str, code: &str) {
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"))).join(file);
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
