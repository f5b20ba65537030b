//! `tillctl doctor` as the owner's role of a PostgreSQL database: it says when that role lacks
//! CREATEROLE, which `tillctl db create-terminal-role` needs, and what to run.

use std::process::Command;
use till_testkit::{Backend, TestDatabase};

const CHECK: &str = "terminal role creation";

fn tillctl(url: &str, args: &[&str]) -> (bool, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--json", "--database-url", url])
        .args(args)
        .output()
        .expect("run tillctl");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tillctl printed no JSON ({e}): {out:?}"));
    (out.status.success(), json)
}

fn role_creation(report: &serde_json::Value) -> serde_json::Value {
    line(report, CHECK)
}

fn line(report: &serde_json::Value, name: &str) -> serde_json::Value {
    let checks = report["checks"].as_array().unwrap_or_else(|| panic!("no checks: {report}"));
    checks.iter().find(|c| c["name"] == name).cloned().unwrap_or_else(|| panic!("no {name:?} line: {report}"))
}

#[tokio::test]
async fn doctor_says_when_the_owner_may_not_create_terminal_roles() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let name = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    let owner = format!("till_owner_{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    // An owner as a hosting provider makes one: it owns the database (and so its public schema),
    // and may not create roles.
    db.execute(&format!(
        "CREATE ROLE {owner} LOGIN NOCREATEROLE PASSWORD 'pw'; ALTER DATABASE {name} OWNER TO {owner}"
    ))
    .await;
    let owner_url = db.url_as(&owner, "pw");
    let (ok, migrated) = tillctl(&owner_url, &["migrate"]);
    assert!(ok, "{migrated}");

    let (ok, report) = tillctl(&owner_url, &["doctor"]);
    assert!(ok, "a warning, not a failure: the store works without it: {report}");
    let line = role_creation(&report);
    assert_eq!((line["ok"].clone(), line["warning"].clone()), (true.into(), true.into()), "{line}");
    assert!(line["detail"].as_str().unwrap().contains("create-terminal-role"), "{line}");
    assert_eq!(line["fix"], format!("as a PostgreSQL superuser, run: ALTER ROLE {owner} CREATEROLE;"));
    // The test server does not archive WAL: doctor says it cannot see a backup, without a
    // warning (a pg_dump leaves no trace); the archiver's view is readable by the owner's role.
    let backups = self::line(&report, "backups");
    assert_eq!((backups["ok"].clone(), backups["warning"].clone()), (true.into(), false.into()), "{backups}");
    assert!(backups["detail"].as_str().unwrap().contains("WAL archiving is off"), "{backups}");
    // A role that may not read the archiver's view: the line says so as a warning, and the
    // store still opens (before, the check ran at every open and the till refused to start).
    db.execute("REVOKE SELECT ON pg_catalog.pg_stat_archiver FROM PUBLIC").await;
    let (ok, report) = tillctl(&owner_url, &["doctor"]);
    assert!(ok, "a warning, not a failure: {report}");
    let backups = self::line(&report, "backups");
    assert_eq!((backups["ok"].clone(), backups["warning"].clone()), (true.into(), true.into()), "{backups}");
    assert!(backups["detail"].as_str().unwrap().contains("cannot read pg_stat_archiver"), "{backups}");
    let (ok, listed) = tillctl(&owner_url, &["location", "list"]);
    assert!(ok, "the store opens: {listed}");
    // What the warning foretells.
    let (ok, refused) = tillctl(&owner_url, &["db", "create-terminal-role", &format!("{owner}_t"), "--no-password"]);
    assert!(!ok, "{refused}");

    // Given CREATEROLE: no finding. A superuser has it implicitly (the test server's admin).
    db.execute(&format!("ALTER ROLE {owner} CREATEROLE")).await;
    for url in [&owner_url, &db.url] {
        let (ok, report) = tillctl(url, &["doctor"]);
        assert!(ok, "{report}");
        let line = role_creation(&report);
        assert_eq!((line["ok"].clone(), line["warning"].clone()), (true.into(), false.into()), "{line}");
        assert!(line["fix"].is_null(), "{line}");
    }

    // Roles belong to the cluster: give the database back, then drop the role.
    db.execute(&format!("ALTER DATABASE {name} OWNER TO CURRENT_USER")).await;
    db.drop_role(&owner).await;
}
