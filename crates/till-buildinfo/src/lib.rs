//! Called from the build scripts of tillctl and the desktop app: sets `TILL_BUILD_VERSION` and
//! `TILL_BUILD_COMMIT` for `env!`, so `tillctl version` and the app's About line say which
//! version and which commit a binary was built from.
//!
//! - The version is the crate's own (`CARGO_PKG_VERSION`) unless `TILL_BUILD_VERSION` is set
//!   (`scripts/package --version 0.1.1` sets it to build a newer package from the same tree).
//! - The commit is `TILL_BUILD_COMMIT` when set (scripts/package sets it: a source tarball has
//!   no `.git`), else `git rev-parse HEAD`, else `unknown`.
//!
//! Rebuild churn: the build script reruns only when those variables change or when `HEAD` moves
//! (the files git updates on a commit or checkout), never on every source edit.

use std::path::PathBuf;
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
