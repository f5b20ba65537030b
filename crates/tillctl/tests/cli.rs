//! `tillctl` as IT runs it: separate `start-shift` processes racing on one register, as separate
//! PCs would (a SQLite file shared by processes, and PostgreSQL; each process waits at a gate, a
//! file that appears, so that all are released together), processes opening one brand-new SQLite
//! file at once, and `doctor` on a damaged schema.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use till_testkit::{both_backends, provision, Backend, TestDatabase};

both_backends!(processes_race_on_one_register, doctor_reports_and_exits_non_zero);

const PROCESSES: usize = 16;
const ROUNDS: usize = 3;

fn tillctl(url: &str, args: &[&str]) -> serde_json::Value {
    tillctl_status(url, args).1
}

fn tillctl_status(url: &str, args: &[&str]) -> (bool, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--json", "--database-url", url])
        .args(args)
        .output()
        .expect("run tillctl");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tillctl printed no JSON ({e}): {out:?}"));
    (out.status.success(), json)
}

async fn doctor_reports_and_exits_non_zero(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    // A fresh database: doctor says what is missing and that `tillctl migrate` fixes it.
    let (ok, report) = tillctl_status(&db.url, &["doctor"]);
    assert!(!ok, "{report}");
    let fixes: Vec<&str> = report["checks"].as_array().unwrap().iter().filter_map(|c| c["fix"].as_str()).collect();
    assert!(fixes.contains(&"run `tillctl migrate`"), "{report}");
    // --no-migrate refuses to work on it, with the code.
    let (ok, refused) = tillctl_status(&db.url, &["--no-migrate", "location", "list"]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "schema_not_ready");
    let (ok, _) = tillctl_status(&db.url, &["migrate"]);
    assert!(ok);
    let (ok, report) = tillctl_status(&db.url, &["doctor"]);
    assert!(ok, "{report}");
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true));
    // Damage it: doctor names the broken object and exits non-zero; other commands refuse.
    let damage = match backend {
        Backend::Sqlite => "DROP INDEX sessions_one_open_per_register",
        Backend::Postgres => "DROP FUNCTION till_start_shift",
    };
    db.execute(damage).await;
    let (ok, report) = tillctl_status(&db.url, &["doctor"]);
    assert!(!ok);
    let failed: Vec<&serde_json::Value> =
        report["checks"].as_array().unwrap().iter().filter(|c| c["ok"] == false).collect();
    assert_eq!(failed.len(), 1, "{report}");
    let broken = match backend {
        Backend::Sqlite => "sessions_one_open_per_register",
        Backend::Postgres => "till_start_shift",
    };
    assert!(failed[0]["name"].as_str().unwrap().contains(broken), "{report}");
    let (ok, refused) = tillctl_status(&db.url, &["session", "list"]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "schema_not_ready");
    if backend == Backend::Postgres {
        let (ok, _) = tillctl_status(&db.url, &["migrate", "--repair-functions"]);
        assert!(ok);
        assert!(tillctl_status(&db.url, &["doctor"]).0);
    }
}

async fn processes_race_on_one_register(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = db.open().await;
    provision(store.as_ref(), 1).await;
    let dir = std::env::temp_dir().join(format!("till-gate-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for round in 0..ROUNDS {
        let gate = dir.join(format!("gate-{round}"));
        let children: Vec<_> = (0..PROCESSES)
            .map(|i| {
                let device = format!("process-{i}");
                gated_tillctl(
                    &gate,
                    &["--json", "--database-url", &db.url, "start-shift", "--register", "DT/R1", "--user", "alice"],
                    &["--pin", "1234", "--opening-cash", "150.00", "--device", &device],
                )
            })
            .collect();
        open_gate(&gate);
        let mut ids = HashSet::new();
        let mut created = 0;
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: a process failed: {}", String::from_utf8_lossy(&out.stdout));
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            ids.insert(json["session"]["id"].as_str().unwrap().to_string());
            created += usize::from(json["joined"] == serde_json::Value::Bool(false));
        }
        assert_eq!(ids.len(), 1, "round {round}: every process got the same session");
        assert_eq!(created, 1, "round {round}: exactly one process created it");
        let audit = store.check_invariants().await.unwrap();
        assert!(audit.is_clean(), "{audit:?}");
        assert_eq!((audit.sessions, audit.open_sessions), (round as i64 + 1, 1));
        let id = ids.into_iter().next().unwrap();
        let closed = tillctl(
            &db.url,
            &["close-shift", "--session", &id, "--counted-cash", "150", "--user", "bob", "--pin", "9999"],
        );
        assert_eq!(closed["status"], "closed", "{closed}");
        assert_eq!(closed["variance"], "0.00");
    }
    // Errors carry stable codes in JSON.
    let refused = tillctl(
        &db.url,
        &["start-shift", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--opening-cash", "1e3"],
    );
    assert_eq!(refused["error"]["code"], "invalid_amount");
    std::fs::remove_dir_all(&dir).ok();
}

/// A `tillctl` process that waits until `gate` exists, then runs with `args` and `more`: many
/// of them are released together by [`open_gate`], as separate PCs would start at once.
fn gated_tillctl(gate: &Path, args: &[&str], more: &[&str]) -> std::process::Child {
    Command::new("sh")
        .arg("-c")
        .arg(r#"while [ ! -e "$1" ]; do sleep 0.002; done; shift; exec "$@""#)
        .arg("gate")
        .arg(gate)
        .arg(env!("CARGO_BIN_EXE_tillctl"))
        .args(args)
        .args(more)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tillctl")
}

fn open_gate(gate: &Path) {
    // Give every shell time to reach its wait loop, then release them all at once.
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::write(gate, b"go").unwrap();
}

/// Issue 6 defect 14: 16 processes open one brand-new SQLite file at the same moment (each
/// migrates it if it finds it new). sqlx's SQLite migrator takes no lock, so the losers failed;
/// now every one succeeds and the file ends up migrated once, with a clean schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_processes_opening_a_new_file_at_once_all_succeed() {
    let dir = std::env::temp_dir().join(format!("till-new-file-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    for round in 0..2 {
        let url = format!("sqlite://{}", dir.join(format!("new-{round}.db")).display());
        let gate = dir.join(format!("gate-{round}"));
        let children: Vec<_> = (0..PROCESSES)
            .map(|_| gated_tillctl(&gate, &["--json", "--database-url", &url, "location", "list"], &[]))
            .collect();
        open_gate(&gate);
        let mut failures = vec![];
        for child in children {
            let out = child.wait_with_output().unwrap();
            if !out.status.success() {
                failures.push(format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "round {round}: {} of {PROCESSES} failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        let store = till_backend::open(&url, &till_core::StoreOptions { migrate: false, ..Default::default() })
            .await
            .expect("the file is migrated and verified");
        assert!(store.check_schema().await.iter().all(|c| c.ok));
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The commit this test tree is at, as the build script sees it: the env override, else git.
fn expected_commit() -> String {
    if let Some(commit) = std::env::var("TILL_BUILD_COMMIT").ok().filter(|c| !c.trim().is_empty()) {
        return commit.trim().to_string();
    }
    Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// `tillctl version` opens no database (a URL that cannot open must not matter) and names the
/// version and the commit the binary was built from, in both output forms.
#[test]
fn version_names_the_build_without_a_database() {
    let nowhere = "postgres://nobody@127.0.0.1:1/none";
    let (ok, json) = tillctl_status(nowhere, &["version"]);
    assert!(ok, "{json}");
    let version = std::env::var("TILL_BUILD_VERSION").unwrap_or_else(|_| env!("CARGO_PKG_VERSION").to_string());
    assert_eq!(json, serde_json::json!({"version": version, "commit": expected_commit()}));
    let human =
        Command::new(env!("CARGO_BIN_EXE_tillctl")).args(["--database-url", nowhere, "version"]).output().unwrap();
    assert!(human.status.success());
    assert_eq!(
        String::from_utf8_lossy(&human.stdout).trim(),
        format!("tillctl {version} (commit {})", expected_commit())
    );
    let flag = Command::new(env!("CARGO_BIN_EXE_tillctl")).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&flag.stdout).trim(),
        format!("tillctl {version} (commit {})", expected_commit())
    );
}
