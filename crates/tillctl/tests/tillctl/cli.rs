//! `tillctl` as IT runs it: separate `start-shift` processes racing on one register, as separate
//! PCs would (a SQLite file shared by processes, and PostgreSQL; each process waits at a gate, a
//! file that appears, so that all are released together), processes opening one brand-new SQLite
//! file at once, and `doctor` on a damaged schema.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use till_testkit::{both_backends, provision, Backend, TestDatabase};

both_backends!(processes_race_on_one_register, doctor_reports_and_exits_non_zero, unlocking_nobody_names_nobody_once);

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

/// `tillctl user unlock --name nobody` answered "user user nobody not found not found" on
/// PostgreSQL; both backends answer the same words.
async fn unlocking_nobody_names_nobody_once(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    provision(db.open().await.as_ref(), 1).await;
    let (ok, refused) = tillctl_status(&db.url, &["user", "unlock", "--name", "nobody"]);
    assert!(!ok, "{refused}");
    assert_eq!(refused["error"]["code"], "user_not_found", "{refused}");
    assert_eq!(
        refused["error"]["message"], "user nobody not found: check the name (`tillctl user list` lists the staff)",
        "{refused}"
    );
}

async fn doctor_reports_and_exits_non_zero(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    // A fresh database: doctor says what is missing and that `tillctl migrate` fixes it.
    let (ok, report) = tillctl_status(&db.url, &["doctor"]);
    assert!(!ok, "{report}");
    let fixes: Vec<&str> = report["checks"].as_array().unwrap().iter().filter_map(|c| c["fix"].as_str()).collect();
    assert!(fixes.contains(&till_core::RUN_MIGRATE), "{report}");
    // --no-migrate refuses to work on it, with the code scripts have matched on since the first
    // release, refined by a subcode.
    let (ok, refused) = tillctl_status(&db.url, &["--no-migrate", "location", "list"]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "schema_not_ready");
    assert_eq!(refused["error"]["subcode"], "schema_behind");
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
    let db = TestDatabase::migrated(backend).await;
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

/// 16 processes open one brand-new SQLite file at the same moment (each migrates it if it finds
/// it new). sqlx's SQLite migrator takes no lock, so the losers failed; now every one succeeds
/// and the file ends up migrated once, with a clean schema.
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

/// A store terminal's role, as IT sets it up: the owner creates it (password on stdin)
/// bound to DT/R1; `doctor` with the terminal's settings passes and says the role writes no
/// table; IT's own commands are refused to it with a typed code, and so is a shift on a
/// register it is not bound to.
#[tokio::test]
async fn it_creates_a_terminal_role_and_doctor_checks_it() {
    use std::io::Write;
    let db = TestDatabase::migrated(Backend::Postgres).await;
    provision(db.open().await.as_ref(), 2).await;
    let role = format!("till_cli_{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    // A register that does not exist: refused before anything is created.
    let (ok, refused) =
        tillctl_status(&db.url, &["db", "create-terminal-role", &role, "--no-password", "--register", "DT/R9"]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "register_not_found", "{refused}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--json", "--database-url", &db.url, "db", "create-terminal-role", &role, "--password-stdin"])
        .args(["--register", "DT/R1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"s3cret terminal\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["role"], role.as_str());
    assert_eq!(made["password_set"], true);
    assert_eq!(made["registers"], serde_json::json!(["DT/R1"]));

    let (scheme, rest) = db.url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let terminal_url = format!("{scheme}://{role}:s3cret%20terminal@{host}");
    let (ok, report) = tillctl_status(&terminal_url, &["doctor"]);
    assert!(ok, "{report}");
    let role_line = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == "database role").unwrap().clone();
    assert!(role_line["detail"].as_str().unwrap().contains("writes no table directly"), "{role_line}");
    let (ok, refused) = tillctl_status(
        &terminal_url,
        &[
            "location",
            "add",
            "--code",
            "UP",
            "--name",
            "Uptown",
            "--timezone",
            "UTC",
            "--currency",
            "USD",
            "--locale",
            "en-US",
        ],
    );
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "database_misconfigured", "{refused}");
    // Its register, yes; another, no.
    let shift = |register: &str| {
        let args = ["start-shift", "--register", register, "--user", "alice", "--pin", "1234", "--opening-cash", "0"];
        tillctl_status(&terminal_url, &args)
    };
    let (ok, started) = shift("DT/R1");
    assert!(ok, "{started}");
    let (ok, refused) = shift("DT/R2");
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "database_misconfigured", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("may not act on this register"), "{refused}");
    // A bad name never reaches the server.
    let (ok, refused) = tillctl_status(&db.url, &["db", "create-terminal-role", "Robert'); DROP", "--no-password"]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "invalid_input");
    // Cleanup: roles belong to the cluster, not the test database.
    db.execute(&format!("DROP OWNED BY {role}")).await;
    let db_name = db.url.rsplit('/').next().unwrap().to_string();
    db.execute(&format!("REVOKE ALL ON DATABASE {db_name} FROM {role}")).await;
    db.execute(&format!("DROP ROLE {role}")).await;
}

/// The catalog import, as IT runs it: a catalog CSV with bad lines writes nothing and lists
/// every one of them in the JSON error; the good file then imports.
#[tokio::test]
async fn a_catalog_import_lists_every_bad_line() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    provision(db.open().await.as_ref(), 1).await;
    let (ok, _) = tillctl_status(
        &db.url,
        &["tax-rate", "add", "--location", "DT", "--code", "STD", "--name", "Tax", "--rate", "8.875"],
    );
    assert!(ok);
    let dir = std::env::temp_dir().join(format!("till-import-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "sku,name,price,tax_rate\nA1,Apple,0.50,STD\nB1,Bread,-1,STD\nC1,,1.00,STD\n").unwrap();
    let (ok, refused) = tillctl_status(&db.url, &["product", "import", bad.to_str().unwrap(), "--location", "DT"]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "invalid_input", "{refused}");
    let lines: Vec<u64> =
        refused["error"]["lines"].as_array().unwrap().iter().map(|l| l["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![3, 4], "{refused}");
    let listed = tillctl(&db.url, &["product", "list", "--location", "DT"]);
    assert_eq!(listed.as_array().unwrap().len(), 0, "nothing written");
    let good = dir.join("good.csv");
    std::fs::write(&good, "sku,name,price,tax_rate,barcodes\nA1,Apple,0.50,STD,0012345678905\n").unwrap();
    let report = tillctl(&db.url, &["product", "import", good.to_str().unwrap(), "--location", "DT"]);
    assert_eq!(report["created"], 1, "{report}");
    let found = tillctl(&db.url, &["product", "show", "--location", "DT", "--barcode", "0012345678905"]);
    assert_eq!((found["sku"].as_str(), found["price_minor"].as_i64()), (Some("A1"), Some(50)));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Sales and refunds, as a script runs them: a sale from a cart file (repeated with its id: the
/// same receipt), a refund by a manager, the receipt shown, and the session's receipts listed.
#[tokio::test]
async fn a_sale_and_a_refund_from_files() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (ok, _) = tillctl_status(&db.url, &["demo"]);
    assert!(ok);
    let started = tillctl(
        &db.url,
        &["start-shift", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--opening-cash", "100"],
    );
    let session = started["session"]["number"].as_str().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!("till-sale-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let cart = dir.join("cart.json");
    std::fs::write(&cart, r#"{"lines":[{"sku":"COF-LATTE","quantity":2},{"sku":"GRO-MILK","quantity":1}],"tenders":[{"kind":"cash","amount":2000}]}"#).unwrap();
    let id = uuid::Uuid::now_v7().to_string();
    let record = [
        "sale",
        "record",
        "--register",
        "DT/R1",
        "--user",
        "alice",
        "--pin",
        "1234",
        "--file",
        cart.to_str().unwrap(),
        "--id",
        &id,
    ];
    let receipt = tillctl(&db.url, &record);
    assert_eq!(receipt["number"], "DT-R1-000001", "{receipt}");
    // 2 × 4.50 taxed at 8.875 % (0.80) and milk 2.29: 12.09; 20.00 handed over.
    assert_eq!((receipt["total"].as_i64(), receipt["change"].as_i64()), (Some(1209), Some(791)));
    assert_eq!(tillctl(&db.url, &record)["number"], "DT-R1-000001", "a repeat answers the same receipt");
    let lines = dir.join("lines.json");
    std::fs::write(&lines, r#"{"lines":[{"line":1,"quantity":1}],"tender":{"kind":"cash"}}"#).unwrap();
    // A refund says why: with --reason, or "reason" in lines.json, never both (neither: the old
    // form, at the end).
    let bob_refunds = ["refund", "--receipt", "DT-R1-000001", "--file", lines.to_str().unwrap(), "--user", "bob"];
    let with_reason = dir.join("lines-with-reason.json");
    std::fs::write(
        &with_reason,
        r#"{"lines":[{"line":1,"quantity":1}],"tender":{"kind":"cash"},"reason":{"kind":"damaged"}}"#,
    )
    .unwrap();
    let both = ["refund", "--receipt", "DT-R1-000001", "--file", with_reason.to_str().unwrap(), "--user", "bob"];
    let (ok, refused) = tillctl_status(&db.url, &[&both[..], &["--pin", "9999", "--reason", "damaged"]].concat());
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "invalid_input", "two reasons: {refused}");
    let other = ["--pin", "9999", "--reason", "other"];
    let (ok, refused) = tillctl_status(&db.url, &[&bob_refunds[..], &other].concat());
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "invalid_input", "other without its text: {refused}");
    let (ok, refused) = tillctl_status(
        &db.url,
        &[
            "refund",
            "--receipt",
            "DT-R1-000001",
            "--file",
            lines.to_str().unwrap(),
            "--user",
            "alice",
            "--pin",
            "1234",
            "--reason",
            "damaged",
        ],
    );
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "forbidden", "a cashier cannot refund: {refused}");
    let refund = tillctl(
        &db.url,
        &[
            "refund",
            "--receipt",
            "DT-R1-000001",
            "--file",
            lines.to_str().unwrap(),
            "--user",
            "bob",
            "--pin",
            "9999",
            "--reason",
            "damaged",
        ],
    );
    assert_eq!((refund["number"].as_str(), refund["total"].as_i64()), (Some("DT-R1-000002"), Some(229)));
    let shown = tillctl(&db.url, &["sale", "show", "DT-R1-000001"]);
    assert_eq!(shown["lines"][1]["refunded_quantity"], 1);
    let listed = tillctl(&db.url, &["sale", "list", "--session", &session]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    // IT's scripts from before reasons: the old form still refunds, and the receipt says that no
    // reason was given rather than making one up.
    std::fs::write(&lines, r#"{"lines":[{"line":0,"quantity":1}],"tender":{"kind":"cash"}}"#).unwrap();
    let old_form = tillctl(&db.url, &[&bob_refunds[..], &["--pin", "9999"]].concat());
    assert_eq!(old_form["number"], "DT-R1-000003", "{old_form}");
    assert_eq!(
        old_form["refund_reason"],
        serde_json::json!({"kind": "other", "text": "none given (tillctl refund without --reason)"}),
        "{old_form}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Cash control and reports, as IT and a bookkeeper run them: cash movements (a paid out above the
/// limit needs --approver), a blind close refused until signed off, the X and Z (JSON and CSV),
/// the bookkeeper's Z rows, and the journal verified, exported, then tampered with (exit 1).
#[tokio::test]
async fn cash_reports_and_the_journal_from_the_command_line() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    assert!(tillctl_status(&db.url, &["demo"]).0);
    let started = tillctl(
        &db.url,
        &["start-shift", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--opening-cash", "100"],
    );
    let session = started["session"]["number"].as_str().unwrap().to_string();
    let pay = |amount: &str, more: &[&str]| {
        let mut args = vec!["cash", "paid-out", "--register", "DT/R1", "--amount", amount, "--reason", "supplies"];
        args.extend_from_slice(&["--user", "alice", "--pin", "1234"]);
        args.extend_from_slice(more);
        tillctl_status(&db.url, &args)
    };
    let (ok, refused) = pay("60.00", &[]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
    // A negative or zero amount is a bad amount like any other, answered in JSON (before, clap
    // took "-5.00" for a flag: exit 2 and no JSON; and 0.00 answered invalid_input).
    for amount in ["-5.00", "0.00", "-0.01"] {
        let (ok, refused) = pay(amount, &[]);
        assert!(!ok);
        assert_eq!(refused["error"]["code"], "invalid_amount", "{amount}: {refused}");
    }
    let (ok, paid) = pay("60.00", &["--approver", "bob", "--approver-pin", "9999"]);
    assert!(ok, "{paid}");
    assert_eq!((paid["amount"].as_i64(), paid["approved_by"].as_str()), (Some(6_000), Some("bob")));
    let x = tillctl(&db.url, &["report", "x", "--session", &session, "--format", "json"]);
    assert_eq!(x["drawer"]["expected_cash"], 4_000);
    // Blind: a count 10.00 off is refused without saying what was expected; signed off, it closes.
    let close = ["close-shift", "--session", &session, "--counted-cash", "30.00", "--user", "bob", "--pin", "9999"];
    let (ok, blind) = tillctl_status(&db.url, &close);
    assert!(!ok);
    assert_eq!(blind["error"]["code"], "variance_needs_signoff");
    assert!(!blind["error"]["message"].as_str().unwrap().contains("40.00"), "{blind}");
    let mut signed = close.to_vec();
    signed.extend_from_slice(&[
        "--variance-reason",
        "a 10 paid out without a slip",
        "--float-left",
        "20",
        "--denominations",
        "10.00x3",
    ]);
    assert!(tillctl_status(&db.url, &signed).0);
    let z = tillctl(&db.url, &["report", "z", "--session", &session, "--format", "json"]);
    assert_eq!(
        (z["z"]["z_number"].as_i64(), z["variance"].as_i64(), z["float_left"].as_i64()),
        (Some(1), Some(-1_000), Some(2_000))
    );
    assert_eq!(z["denominations"][0]["count"], 3);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--database-url", &db.url, "report", "z", "--location", "DT", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].starts_with("location,register,z_number"), "{csv}");
    assert!(rows[1].contains(",-1000,a 10 paid out without a slip,"), "{csv}");
    // The journal verifies, exports as JSON Lines, then an edited amount breaks it (exit 1).
    let (ok, verified) = tillctl_status(&db.url, &["journal", "verify"]);
    assert!(ok, "{verified}");
    let export = std::process::Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--database-url", &db.url, "journal", "export"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> =
        String::from_utf8(export.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let nil = uuid::Uuid::nil().to_string();
    let events: Vec<&str> =
        lines.iter().filter(|l| l["chain_id"] != nil.as_str()).map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["session_open", "paid_out", "count_refused", "session_close", "z_report"]);
    // The staff chain journals the users the set-up made.
    assert!(lines.iter().any(|l| l["chain_id"] == nil.as_str() && l["event"] == "user"), "{lines:?}");
    db.execute("UPDATE cash_movements SET amount = 600").await;
    let (ok, broken) = tillctl_status(&db.url, &["journal", "verify"]);
    assert!(!ok);
    let register = broken["chains"].as_array().unwrap().iter().find(|c| c["chain_id"] != nil.as_str()).unwrap();
    assert_eq!(register["first_problem"]["seq"], 2, "{broken}");
    assert_eq!(register["problems"][0]["seq"], 2, "{broken}");
    // The refused count is on record: the entry names what was counted.
    let refused = lines.iter().find(|l| l["event"] == "count_refused").unwrap();
    assert!(refused["body"].as_str().unwrap().contains("3000"), "{refused}");
    // Text a person reads: verify names the register by its code; export offers no text form
    // it would silently answer in JSON; a start on an open register says it joined and that
    // the opening cash typed was not used.
    let text = |args: &[&str]| {
        let out =
            Command::new(env!("CARGO_BIN_EXE_tillctl")).args(["--database-url", &db.url]).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(text(&["journal", "verify"]).contains("register DT/R1 ("), "{}", text(&["journal", "verify"]));
    let (ok, refused) = tillctl_status(&db.url, &["journal", "export", "--format", "text"]);
    assert!(!ok && refused["error"]["code"] == "invalid_input", "{refused}");
    let start = ["start-shift", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--opening-cash", "100"];
    assert!(tillctl_status(&db.url, &start).0);
    let joined = text(&start);
    assert!(joined.starts_with("joined open session") && joined.contains("opening cash was not used"), "{joined}");
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
