//! Embeds migrations/postgres/functions/*.sql (one file per function, holding its current text)
//! in name order, so `tillctl migrate` and `--repair-functions` apply exactly the files of this
//! build, like sqlx::migrate! embeds the versioned migrations.
//!
//! Paths stay relative to the package (rerun-if-changed) or are joined at the library's compile
//! time (`env!("CARGO_MANIFEST_DIR")` in the generated code): two checkouts sharing one
//! CARGO_TARGET_DIR then never embed each other's files.

use std::fmt::Write as _;
use std::path::Path;

const DIR: &str = "../../migrations/postgres/functions";

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("CARGO_MANIFEST_DIR: {e}"));
    let dir = Path::new(&manifest).join(DIR);
    println!("cargo:rerun-if-changed={DIR}");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    names.sort();
    let mut code =
        String::from("/// (file name, text), in name order.\npub(crate) static FUNCTION_FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        println!("cargo:rerun-if-changed={DIR}/{name}");
        let _ =
            writeln!(code, "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{DIR}/{name}\"))),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"))).join("function_files.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
