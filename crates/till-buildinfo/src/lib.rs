//! For build scripts: the version and commit a binary is built from ([`emit`]), and the files a
//! store embeds ([`embed_files`]).
//!
//! [`emit`], called from the build scripts of tillctl and the desktop app, sets
//! `TILL_BUILD_VERSION` and `TILL_BUILD_COMMIT` for `env!`, so `tillctl version` and the app's
//! About line say which version and which commit a binary was built from.
//!
//! - The version is the crate's own (`CARGO_PKG_VERSION`) unless `TILL_BUILD_VERSION` is set
//!   (`scripts/package --version 0.1.1` sets it to build a newer package from the same tree).
//! - The commit is `TILL_BUILD_COMMIT` when set (scripts/package sets it: a source tarball has
//!   no `.git`), else `git rev-parse HEAD`, else `unknown`.
//!
//! Rebuild churn: the build script reruns only when those variables change or when `HEAD` moves
//! (the files git updates on a commit or checkout), never on every source edit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a binary says when it was built outside a git checkout without `TILL_BUILD_COMMIT`.
pub const UNKNOWN: &str = "unknown";

/// Prints the `cargo:` lines. Call it from `build.rs`.
pub fn emit() {
    println!("cargo:rerun-if-env-changed=TILL_BUILD_VERSION");
    println!("cargo:rerun-if-env-changed=TILL_BUILD_COMMIT");
    let version = non_empty_env("TILL_BUILD_VERSION")
        .or_else(|| non_empty_env("CARGO_PKG_VERSION"))
        .unwrap_or_else(|| UNKNOWN.to_string());
    let commit = match non_empty_env("TILL_BUILD_COMMIT") {
        Some(commit) => commit,
        None => {
            for path in git_files_that_move_with_head() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            git(&["rev-parse", "HEAD"]).unwrap_or_else(|| UNKNOWN.to_string())
        }
    };
    println!("cargo:rustc-env=TILL_BUILD_VERSION={version}");
    println!("cargo:rustc-env=TILL_BUILD_COMMIT={commit}");
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// One line of git's output, run in the crate's folder; `None` outside git or without git.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// HEAD, the branch it points at, and packed-refs (worktrees keep HEAD apart from the refs).
/// Only existing files: cargo treats a missing one as always changed, rebuilding every time.
fn git_files_that_move_with_head() -> Vec<PathBuf> {
    let mut names = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    names
        .iter()
        .filter_map(|name| git(&["rev-parse", "--path-format=absolute", "--git-path", name]))
        .map(PathBuf::from)
        .filter(|path| path.is_file())
        .collect()
}

/// Like [`embed_files`] for a folder of versioned migrations (`<version>_<description>.sql`),
/// after checking every file name there, so a misnamed migration fails the build instead of
/// being left out: sqlx's folder reader (and so this build) silently skips a name without `_`
/// (`0029-sales.sql`) or not ending in `.sql` (`0029_sales.sq`), and that migration would never
/// run. A name without a numeric version, or two files with one version, would fail only when a
/// store first opened. Hidden files and editor backups (`~`) are not migrations and are skipped.
pub fn embed_migrations(dir: &str, name: &str, out_file: &str) {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("CARGO_MANIFEST_DIR: {e}"));
    let path = Path::new(&manifest).join(dir);
    let files = regular_files(&path);
    let problems = migration_name_problems(&files);
    assert!(
        problems.is_empty(),
        "{}: {}. A migration is named <version>_<description>.sql, the version digits only \
         and unique (the next after the highest one there), e.g. 0029_expand_sales.sql",
        path.display(),
        problems.join("; ")
    );
    embed_files(dir, ".sql", name, out_file);
}

/// What is wrong with the file names of a migrations folder, one sentence per problem.
pub fn migration_name_problems(files: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: std::collections::BTreeMap<i64, Vec<(&str, &str)>> = std::collections::BTreeMap::new();
    for file in files {
        let Some(stem) = file.strip_suffix(".sql") else {
            problems.push(format!("{file:?} does not end in .sql, so it would never run"));
            continue;
        };
        let Some((version, description)) = stem.split_once('_').filter(|(_, d)| !d.is_empty()) else {
            problems.push(format!("{file:?} has no _ between its version and a description, so it would never run"));
            continue;
        };
        let Some(number) = version.parse::<i64>().ok().filter(|_| version.bytes().all(|b| b.is_ascii_digit())) else {
            problems.push(format!("{file:?} does not start with a numeric version"));
            continue;
        };
        // sqlx's reversible pairs (`.up.sql` and `.down.sql`) share a version; nothing else does.
        let direction = ["up", "down"].into_iter().find(|d| description.ends_with(&format!(".{d}"))).unwrap_or("");
        seen.entry(number).or_default().push((direction, file));
    }
    for (number, files) in seen {
        let mut directions: Vec<&str> = files.iter().map(|(direction, _)| *direction).collect();
        directions.sort_unstable();
        if files.len() > 1 && directions != ["down", "up"] {
            let names: Vec<&str> = files.iter().map(|(_, file)| *file).collect();
            problems.push(format!("{names:?} have the same version {number}"));
        }
    }
    problems
}

/// The names of the regular files in `path` (through symlinks, as sqlx reads a migrations
/// folder), in name order, leaving out hidden files (an editor's swap file, macOS's `._` files)
/// and backups ending in `~`: none is embedded, and none is a migration.
fn regular_files(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .filter_map(|entry| entry.ok())
        .filter(|entry| std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.') && !name.ends_with('~'))
        .collect();
    names.sort();
    names
}

/// Writes `$OUT_DIR/<out_file>`: `pub(crate) static <name>: &[(&str, &str)]`, the (file name,
/// text) of each file in `dir` (relative to the package) whose name ends in `ext`, in name
/// order, for the crate to `include!`. The store crates embed their migrations and function
/// files this way (sqlx's `migrate!` would need sqlx's proc-macro crate, which compiles sqlx's
/// database drivers a second time, for the build host). Cargo reruns the build script when a
/// file there is added, removed or changed.
///
/// Paths stay relative to the package (rerun-if-changed) or are joined at the crate's compile
/// time (`env!("CARGO_MANIFEST_DIR")` in the generated code): two checkouts sharing one
/// CARGO_TARGET_DIR then never embed each other's files.
pub fn embed_files(dir: &str, ext: &str, name: &str, out_file: &str) {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|e| panic!("CARGO_MANIFEST_DIR: {e}"));
    let path = Path::new(&manifest).join(dir);
    println!("cargo:rerun-if-changed={dir}");
    let names: Vec<String> = regular_files(&path).into_iter().filter(|file| file.ends_with(ext)).collect();
    let mut code = format!("/// (file name, text), in name order.\npub(crate) static {name}: &[(&str, &str)] = &[\n");
    for file in &names {
        println!("cargo:rerun-if-changed={dir}/{file}");
        let _ =
            writeln!(code, "    ({file:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{dir}/{file}\"))),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}"))).join(out_file);
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

#[cfg(test)]
mod tests {
    use super::migration_name_problems;

    fn problems(files: &[&str]) -> Vec<String> {
        migration_name_problems(&files.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn the_repository_naming_passes() {
        assert_eq!(
            problems(&["0001_core_schema.sql", "0028_expand_session_actor_shortest_idle.sql"]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_name_sqlx_would_skip_fails() {
        for bad in ["0029-sales.sql", "0029_sales.sq", "0029_.sql", "sales.sql", "0029_sales.sql.orig"] {
            let found = problems(&["0001_core.sql", bad]);
            assert_eq!(found.len(), 1, "{bad}: {found:?}");
            assert!(found[0].contains(bad), "{found:?}");
        }
    }

    #[test]
    fn a_version_that_is_not_digits_fails() {
        for bad in ["v29_sales.sql", "+29_sales.sql", "29a_sales.sql", "99999999999999999999_sales.sql"] {
            let found = problems(&[bad]);
            assert!(found.len() == 1 && found[0].contains("numeric version"), "{bad}: {found:?}");
        }
    }

    #[test]
    fn two_files_with_one_version_fail_unless_an_up_and_down_pair() {
        let found = problems(&["0029_sales.sql", "29_refunds.sql"]);
        assert!(found.len() == 1 && found[0].contains("same version 29"), "{found:?}");
        assert_eq!(problems(&["0029_sales.up.sql", "0029_sales.down.sql"]), Vec::<String>::new());
    }

    #[test]
    fn a_version_is_one_migration_or_one_up_and_down_pair() {
        for bad in [&["0029_a.sql", "0029_b.up.sql"][..], &["0029_a.up.sql", "0029_b.up.sql", "0029_a.down.sql"]] {
            let found = problems(bad);
            assert!(found.len() == 1 && found[0].contains("same version 29"), "{bad:?}: {found:?}");
        }
    }

    #[test]
    fn hidden_files_and_editor_backups_are_neither_listed_nor_migrations() {
        let folder = std::env::temp_dir().join(format!("till-buildinfo-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        for name in [".0029_sales.sql.swp", "._0029_sales.sql", "0029_sales.sql~", "0029_sales.sql"] {
            std::fs::write(folder.join(name), "").unwrap();
        }
        let listed = super::regular_files(&folder);
        std::fs::remove_dir_all(&folder).unwrap();
        assert_eq!(listed, ["0029_sales.sql"]);
        assert_eq!(migration_name_problems(&listed), Vec::<String>::new());
    }
}
