//! `--approver` on `tillctl sale record` and `tillctl refund`, as a script at the counter runs
//! them: a cashier rings up a 50 % discount (above the location's 10 % limit) that a manager
//! approves with their PIN from `TILL_APPROVER_PIN` or the second line of standard input; the
//! store checks the PIN with the receipt and records the manager as its approver. A wrong PIN,
//! or a cashier as approver, is refused and writes nothing.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use till_testkit::{Backend, TestDatabase};

/// Runs tillctl with `--json` on `url`, with `approver_pin` as `TILL_APPROVER_PIN` and `stdin`
/// on standard input; answers its success and its JSON.
fn tillctl(url: &str, args: &[&str], approver_pin: Option<&str>, stdin: &str) -> (bool, Value) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tillctl"));
    command
        .args(["--json", "--database-url", url])
        .args(args)
        .env_remove("TILL_PIN")
        .env_remove("TILL_APPROVER_PIN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(pin) = approver_pin {
        command.env("TILL_APPROVER_PIN", pin);
    }
    let mut child = command.spawn().expect("run tillctl");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tillctl printed no JSON ({e}): {out:?}"));
    (out.status.success(), json)
}

fn ok(url: &str, args: &[&str]) -> Value {
    let (ok, json) = tillctl(url, args, None, "");
    assert!(ok, "tillctl {args:?}: {json}");
    json
}

struct Counter {
    url: String,
    session: String,
    dir: PathBuf,
    _db: TestDatabase,
}

impl Counter {
    /// The demo data (cashier alice 1234, manager bob 9999, a 10 % discount limit) and a shift
    /// alice opened on DT/R1.
    async fn open() -> Counter {
        let db = TestDatabase::new(Backend::Sqlite).await;
        let url = db.url.clone();
        ok(&url, &["demo"]);
        let started = ok(
            &url,
            &["start-shift", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--opening-cash", "100"],
        );
        let session = started["session"]["number"].as_str().unwrap().to_string();
        let dir = std::env::temp_dir().join(format!("till-approver-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Counter { url, session, dir, _db: db }
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path: &Path = &self.dir.join(name);
        std::fs::write(path, text).unwrap();
        path.to_str().unwrap().to_string()
    }

    fn receipts(&self) -> usize {
        ok(&self.url, &["sale", "list", "--session", &self.session]).as_array().unwrap().len()
    }

    /// The id of user `name`.
    fn user_id(&self, name: &str) -> String {
        let users = ok(&self.url, &["user", "list"]);
        let user = users.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap();
        user["id"].as_str().unwrap().to_string()
    }

    /// Who the journal says approved receipt `id` (its entry's `approved_by`).
    fn journaled_approver(&self, id: &str) -> Value {
        let (ok, _) = tillctl(&self.url, &["journal", "verify"], None, "");
        assert!(ok, "the journal verifies");
        let out = Command::new(env!("CARGO_BIN_EXE_tillctl"))
            .args(["--database-url", &self.url, "journal", "export"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let entry = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .find(|entry| entry["ref_id"] == id)
            .unwrap_or_else(|| panic!("no journal entry for receipt {id}"));
        let body: Value = serde_json::from_str(entry["body"].as_str().unwrap()).unwrap();
        body["payload"]["approved_by"].clone()
    }
}

impl Drop for Counter {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Two lattes (2 × 4.50) at 50 % off: 4.50 and 8.875 % tax, 4.90.
const HALF_PRICE: &str = r#"{"lines": [{"sku": "COF-LATTE", "quantity": 2, "discount": {"kind": "percent", "percent": 500000}}],
  "tenders": [{"kind": "cash", "amount": 1000}]}"#;

#[tokio::test]
async fn a_cashiers_discount_above_the_limit_needs_a_managers_pin() {
    let counter = Counter::open().await;
    let url = counter.url.as_str();
    let cart = counter.file("cart.json", HALF_PRICE);
    let sale = ["sale", "record", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--file", &cart];
    let with = |extra: &[&'static str]| [&sale[..], extra].concat();

    // Alone, the cashier is refused: a manager's approval is needed.
    let (ok, refused) = tillctl(url, &sale, None, "");
    assert!(!ok);
    // The contract code scripts match on stays; the finer one says an approval would do.
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
    assert_eq!(refused["error"]["subcode"], "approval_needed", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("approval"), "{refused}");

    // A wrong PIN for the approver: refused by the store, nothing written.
    let (ok, refused) = tillctl(url, &with(&["--approver", "bob"]), Some("9998"), "");
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "wrong_pin", "{refused}");
    // A cashier cannot approve, with her right PIN or not.
    let (ok, refused) = tillctl(url, &with(&["--approver", "alice"]), Some("1234"), "");
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "forbidden", "{refused}");
    assert!(refused["error"].get("subcode").is_none(), "a cashier's approval is no approval: {refused}");
    // --approver without a PIN anywhere (no terminal to ask at): invalid_pin, before the store.
    let (ok, refused) = tillctl(url, &with(&["--approver", "bob"]), None, "");
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "invalid_pin", "{refused}");
    assert_eq!(counter.receipts(), 0, "nothing was written");

    // The manager's PIN from TILL_APPROVER_PIN: recorded, with bob as its approver.
    let (ok, receipt) = tillctl(url, &with(&["--approver", "bob"]), Some("9999"), "");
    assert!(ok, "{receipt}");
    assert_eq!((receipt["cashier"].as_str(), receipt["total"].as_i64()), (Some("alice"), Some(490)), "{receipt}");
    assert_eq!((receipt["discount"].as_i64(), receipt["change"].as_i64()), (Some(450), Some(510)), "{receipt}");
    let bob = counter.user_id("bob");
    assert_eq!(counter.journaled_approver(receipt["id"].as_str().unwrap()), bob.as_str());
    // A cart.json from before reasons keeps working, and its receipt says that none was given.
    let none_given = serde_json::json!({ "kind": "other", "text": "none given (a cart.json without a reason)" });
    assert_eq!(receipt["lines"][0]["price_change_reason"], none_given, "{receipt}");
    // One with a reason: the reason is kept.
    let damaged = counter.file(
        "damaged.json",
        &HALF_PRICE.replace(r#""quantity": 2,"#, r#""quantity": 2, "reason": {"kind": "damaged"},"#),
    );
    let file_sale = ["sale", "record", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--file", &damaged];
    let (ok, receipt) = tillctl(url, &[&file_sale[..], &["--approver", "bob"]].concat(), Some("9999"), "");
    assert!(ok, "{receipt}");
    assert_eq!(receipt["lines"][0]["price_change_reason"], serde_json::json!({ "kind": "damaged" }), "{receipt}");

    // Both PINs on standard input: the cashier's first, the approver's second.
    let stdin = ["sale", "record", "--register", "DT/R1", "--user", "alice", "--pin-stdin", "--file", &cart];
    let (ok, receipt) =
        tillctl(url, &[&stdin[..], &["--approver", "bob", "--approver-pin-stdin"]].concat(), None, "1234\n9999\n");
    assert!(ok, "{receipt}");
    assert_eq!(counter.journaled_approver(receipt["id"].as_str().unwrap()), bob.as_str());
    // The lines swapped: alice's PIN is wrong, and the store says so before anything is sold.
    let (ok, refused) =
        tillctl(url, &[&stdin[..], &["--approver", "bob", "--approver-pin-stdin"]].concat(), None, "9999\n1234\n");
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "wrong_pin", "{refused}");
    assert_eq!(counter.receipts(), 3, "the two above and the one with its reason");
}

#[tokio::test]
async fn a_cashiers_refund_approved_by_a_manager() {
    let counter = Counter::open().await;
    let url = counter.url.as_str();
    let cart = counter.file(
        "cart.json",
        r#"{"lines": [{"sku": "COF-LATTE", "quantity": 2}], "tenders": [{"kind": "cash", "amount": 1000}]}"#,
    );
    let sold = ok(url, &["sale", "record", "--register", "DT/R1", "--user", "alice", "--pin", "1234", "--file", &cart]);
    let number = sold["number"].as_str().unwrap();
    let lines = counter.file("lines.json", r#"{"lines": [{"line": 0, "quantity": 1}], "tender": {"kind": "cash"}}"#);
    let refund =
        ["refund", "--receipt", number, "--file", &lines, "--user", "alice", "--pin", "1234", "--reason", "damaged"];

    let (ok, refused) = tillctl(url, &refund, None, "");
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "forbidden", "a cashier alone cannot refund: {refused}");
    let (ok, refused) = tillctl(url, &[&refund[..], &["--approver", "bob"]].concat(), Some("0000"), "");
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "wrong_pin", "{refused}");
    assert_eq!(counter.receipts(), 1, "nothing was written");

    let (ok, refunded) = tillctl(url, &[&refund[..], &["--approver", "bob"]].concat(), Some("9999"), "");
    assert!(ok, "{refunded}");
    assert_eq!((refunded["kind"].as_str(), refunded["cashier"].as_str()), (Some("refund"), Some("alice")));
    assert_eq!(refunded["refund_of"].as_str(), Some(number));
    let bob = counter.user_id("bob");
    assert_eq!(counter.journaled_approver(refunded["id"].as_str().unwrap()), bob.as_str());
}
