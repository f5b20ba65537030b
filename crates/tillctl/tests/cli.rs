//! Separate `tillctl start-shift` processes racing on one register, as separate PCs would:
//! a SQLite file shared by processes, and PostgreSQL. Each process waits at a gate (a file that
//! appears) so that all are released together.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use till::{both_backends, provision, Backend, TestDatabase};

both_backends!(processes_race_on_one_register);

const PROCESSES: usize = 16;
const ROUNDS: usize = 3;

fn tillctl(url: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--json", "--database-url", url])
        .args(args)
        .output()
        .expect("run tillctl");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tillctl printed no JSON ({e}): {out:?}"))
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
                Command::new("sh")
                    .arg("-c")
                    .arg(r#"while [ ! -e "$1" ]; do sleep 0.002; done; shift; exec "$@""#)
                    .arg("gate")
                    .arg(&gate)
                    .arg(env!("CARGO_BIN_EXE_tillctl"))
                    .args(["--json", "--database-url", &db.url, "start-shift", "--register", "DT/R1"])
                    .args(["--user", "alice", "--pin", "1234", "--opening-cash", "150.00"])
                    .args(["--device", &format!("process-{i}")])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn tillctl")
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
        let audit = store.audit().await.unwrap();
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

fn open_gate(gate: &Path) {
    // Give every shell time to reach its wait loop, then release them all at once.
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::fs::write(gate, b"go").unwrap();
}
