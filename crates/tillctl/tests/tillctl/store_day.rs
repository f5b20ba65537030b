//! A whole store day, as a new user runs it from the README and `--help` alone, with no SQL:
//! Berlin (`--preset de`) and Zürich (`--preset ch`) are set up with tillctl, sell, refund in
//! cash, close at zero variance, and print a receipt with the store's address and tax number.
//! On both backends. Zürich's cash refund of 2.19 pays out 2.20 (before: 2.19, and every
//! Swiss close showed a variance of -0.01).

use serde_json::{json, Value};
use std::process::Command;
use till_testkit::{both_backends, Backend, TestDatabase};

both_backends!(berlin_and_zurich_set_up_sell_refund_and_close_at_zero_variance);
both_backends!(sessions_and_lockouts_read_in_the_stores_time_and_money);

struct Cli {
    url: String,
    dir: Scratch,
}

/// A folder of this test's own (the data folder and the cart files), removed at the end.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!("till-store-day-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Cli {
    /// tillctl with `args`, as `pin`'s user (TILL_PIN); its exit status and JSON answer.
    fn run(&self, pin: Option<&str>, args: &[&str]) -> (bool, Value) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tillctl"));
        command.args(["--json", "--database-url", &self.url]).args(args);
        command.env_remove("TILL_PIN").env_remove("TILL_APPROVER_PIN").env("TILL_DATA_DIR", self.dir.path());
        if let Some(pin) = pin {
            command.env("TILL_PIN", pin);
        }
        let out = command.output().expect("run tillctl");
        let json = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("tillctl {args:?} printed no JSON ({e}): {out:?}"));
        (out.status.success(), json)
    }

    fn ok(&self, pin: Option<&str>, args: &[&str]) -> Value {
        let (ok, json) = self.run(pin, args);
        assert!(ok, "tillctl {args:?}: {json}");
        json
    }

    /// The text a person reads (no --json).
    fn text(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.text_as(None, args);
        assert!(ok, "tillctl {args:?}: {stderr}");
        stdout
    }

    /// The text a person reads (no --json) as `pin`'s user: success, standard output and error.
    fn text_as(&self, pin: Option<&str>, args: &[&str]) -> (bool, String, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tillctl"));
        command.args(["--database-url", &self.url]).args(args).env("TILL_DATA_DIR", self.dir.path());
        command.env_remove("TILL_PIN").env_remove("TILL_APPROVER_PIN");
        if let Some(pin) = pin {
            command.env("TILL_PIN", pin);
        }
        let out = command.output().expect("run tillctl");
        (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
    }

    fn file(&self, name: &str, content: &Value) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content.to_string()).unwrap();
        path.display().to_string()
    }
}

const CASHIER_PIN: &str = "2468";
const MANAGER_PIN: &str = "135790";

/// One store's day: a cash sale of `items` (sku, quantity) tendered with `tendered`, a cash
/// refund of the sale's line 0, and a close counting exactly the expected cash. Answers the
/// sale's and the refund's receipts.
fn day(cli: &Cli, location: &str, items: &[(&str, i64)], tendered: i64) -> (Value, Value, String) {
    let register = format!("{location}/R1");
    let shift = cli
        .ok(Some(CASHIER_PIN), &["start-shift", "--register", &register, "--user", "anna", "--opening-cash", "200.00"]);
    let session = shift["session"]["number"].as_str().unwrap().to_string();
    let lines: Vec<Value> = items.iter().map(|(sku, q)| json!({ "sku": sku, "quantity": q })).collect();
    let cart = cli.file(
        &format!("{location}-cart.json"),
        &json!({ "lines": lines, "tenders": [{"kind": "cash", "amount": tendered}] }),
    );
    let sale =
        cli.ok(Some(CASHIER_PIN), &["sale", "record", "--register", &register, "--user", "anna", "--file", &cart]);
    let number = sale["number"].as_str().unwrap().to_string();
    let refund_lines = cli.file(
        &format!("{location}-lines.json"),
        &json!({ "lines": [{"line": 0, "quantity": 1}], "tender": {"kind": "cash"} }),
    );
    let refund = cli.ok(
        Some(MANAGER_PIN),
        &["refund", "--receipt", &number, "--file", &refund_lines, "--user", "max", "--reason", "wrong_item"],
    );
    let x = cli.ok(None, &["report", "x", "--session", &session]);
    let expected = x["drawer"]["expected_cash"].as_i64().unwrap_or_else(|| panic!("X without expected_cash: {x}"));
    let counted = format!("{}.{:02}", expected / 100, expected % 100);
    let closed =
        cli.ok(Some(MANAGER_PIN), &["close-shift", "--session", &session, "--counted-cash", &counted, "--user", "max"]);
    assert_eq!(closed["variance"], json!("0.00"), "{location} closes at zero variance: {closed}");
    (sale, refund, session)
}

async fn berlin_and_zurich_set_up_sell_refund_and_close_at_zero_variance(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let cli = Cli { url: db.url.clone(), dir: Scratch::new() };
    cli.ok(None, &["migrate"]);
    // Without a currency, locale or preset: refused, with the choices named.
    let (ok, refused) = cli.run(None, &["location", "add", "--code", "X", "--name", "X", "--timezone", "UTC"]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "invalid_input", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains("--preset de|at|fr|ch|uk|us-ny|ca-on"), "{refused}");

    let berlin = cli.ok(
        None,
        &[
            "location",
            "add",
            "--code",
            "BER",
            "--name",
            "Berlin Mitte",
            "--preset",
            "de",
            "--address",
            "Torstraße 1, 10119 Berlin",
            "--tax-number",
            "DE123456789",
        ],
    );
    assert_eq!(
        (&berlin["currency"], &berlin["locale"], &berlin["timezone"], &berlin["prices_include_tax"]),
        (&json!("EUR"), &json!("de-DE"), &json!("Europe/Berlin"), &json!(true))
    );
    let zurich = cli.ok(
        None,
        &[
            "location",
            "add",
            "--code",
            "ZRH",
            "--name",
            "Zürich HB",
            "--preset",
            "ch",
            "--address",
            "Bahnhofplatz 1, 8001 Zürich",
            "--tax-number",
            "CHE-123.456.789 MWST",
        ],
    );
    assert_eq!((&zurich["currency"], &zurich["cash_rounding_minor"]), (&json!("CHF"), &json!(5)));
    // The preset's rates came with it.
    let rates = cli.ok(None, &["tax-rate", "list", "--location", "ZRH"]);
    let codes: Vec<&str> = rates.as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 3, "{rates}");
    assert!(codes.contains(&"NOR") && codes.contains(&"RED"), "{rates}");
    // A setting changed later is journaled, and an explicit flag wins over the preset.
    let set = cli.ok(None, &["location", "set", "--code", "BER", "--discount-limit", "15", "--variance-limit", "2.00"]);
    assert_eq!((&set["discount_limit_ppm"], &set["variance_limit_minor"]), (&json!(150_000), &json!(200)));
    let listed = cli.ok(None, &["location", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["tax_number"], "DE123456789", "{listed}");

    for location in ["BER", "ZRH"] {
        cli.ok(None, &["register", "add", "--location", location, "--code", "R1"]);
    }
    cli.ok(Some(CASHIER_PIN), &["user", "add", "--name", "anna", "--role", "cashier"]);
    cli.ok(Some(MANAGER_PIN), &["user", "add", "--name", "max", "--role", "manager"]);
    for (location, sku, name, price, rate) in [
        ("BER", "BROT", "Bauernbrot", "3.49", "RED"),
        ("BER", "WEIN", "Riesling", "8.99", "STD"),
        ("ZRH", "GIPFELI", "Gipfeli", "2.19", "RED"),
        ("ZRH", "KAFFEE", "Kaffee", "4.20", "NOR"),
    ] {
        cli.ok(
            None,
            &[
                "product",
                "add",
                "--location",
                location,
                "--sku",
                sku,
                "--name",
                name,
                "--price",
                price,
                "--tax-rate",
                rate,
            ],
        );
    }

    // Berlin: 2 x 3.49 + 8.99 = 15.97 (7 % and 19 % included), paid with 20.00.
    let (sale, refund, _) = day(&cli, "BER", &[("BROT", 2), ("WEIN", 1)], 2000);
    assert_eq!((&sale["total"], &sale["change"]), (&json!(1597), &json!(403)), "{sale}");
    assert_eq!(refund["total"], json!(349), "{refund}");
    // Zürich: 2.19 + 4.20 = 6.39, due in cash 6.40, paid with 10.00; the Gipfeli's refund of
    // 2.19 pays out 2.20, as a cash sale of it would have been rounded.
    let (sale, refund, session) = day(&cli, "ZRH", &[("GIPFELI", 1), ("KAFFEE", 1)], 1000);
    assert_eq!((&sale["total"], &sale["rounding"], &sale["change"]), (&json!(639), &json!(1), &json!(360)), "{sale}");
    assert_eq!((&refund["total"], &refund["rounding"], &refund["tendered"]), (&json!(219), &json!(1), &json!(220)));
    assert_eq!(refund["cash_net"], json!(-220), "{refund}");

    // The receipt as printed carries the store's address and tax number.
    let number = sale["number"].as_str().unwrap();
    assert_eq!(sale["location_tax_number"], "CHE-123.456.789 MWST", "{sale}");
    let printed = cli.text(&["sale", "show", number]);
    assert!(printed.contains("Bahnhofplatz 1, 8001 Zürich"), "{printed}");
    assert!(printed.contains("CHE-123.456.789 MWST"), "{printed}");
    // In the store's money and local time: the total, and the cash to pay after rounding.
    assert!(printed.contains("CHF\u{a0}6.39") && printed.contains("CHF\u{a0}6.40"), "{printed}");
    assert!(printed.contains("TO PAY") && printed.contains(" Europe/Zurich "), "{printed}");
    let x = cli.text(&["report", "z", "--session", &session]);
    assert!(x.contains("CHF\u{a0}") && x.contains("Europe/Zurich"), "{x}");
    // The bookkeeper's Z as CSV: one table, one header (it was two tables in one file).
    let csv = cli.text(&["report", "z", "--session", &session, "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("section,item,count,amount"));
    for line in lines {
        let (mut fields, mut quoted) = (1, false);
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => fields += 1,
                _ => {}
            }
        }
        assert_eq!(fields, 4, "one table: {line:?} in\n{csv}");
        assert!(!line.starts_with("section,"), "a second header: {csv}");
    }
    assert!(csv.contains("\nz,variance,,0\n") && csv.contains("\nz,z number,1,0\n"), "{csv}");
    // Its currency is fixed once it has had a session: its drawers and prices are in it.
    let (ok, fixed) = cli.run(None, &["location", "set", "--code", "ZRH", "--currency", "EUR"]);
    assert!(!ok && fixed["error"]["message"].as_str().unwrap().contains("currency is fixed"), "{fixed}");
    let verified = cli.ok(None, &["journal", "verify"]);
    assert_eq!(verified["ok"], json!(true), "{verified}");
}

/// tillctl's text shows a session's times in its location's zone and its money in its locale,
/// and a lockout's end in the store's time; `--json` keeps UTC and plain decimals. Before, the
/// session list and the lockout said UTC, and the session's money had no currency format.
async fn sessions_and_lockouts_read_in_the_stores_time_and_money(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let cli = Cli { url: db.url.clone(), dir: Scratch::new() };
    cli.ok(None, &["location", "add", "--code", "BER", "--name", "Berlin", "--preset", "de"]);
    cli.ok(None, &["register", "add", "--location", "BER", "--code", "R1"]);
    cli.ok(Some(CASHIER_PIN), &["user", "add", "--name", "anna", "--role", "cashier"]);
    let start = ["start-shift", "--register", "BER/R1", "--user", "anna", "--opening-cash", "1234.50"];
    let (ok, started, _) = cli.text_as(Some(CASHIER_PIN), &start);
    assert!(ok && started.contains("1.234,50\u{a0}€") && started.contains(" Europe/Berlin"), "{started}");
    let listed = cli.text(&["session", "list"]);
    assert!(listed.contains(" Europe/Berlin") && !listed.contains("UTC"), "{listed}");
    let json = cli.ok(None, &["session", "list"]);
    assert_eq!(json[0]["opening_cash"], "1234.50", "{json}");
    assert!(json[0]["opened_at"].as_str().unwrap().ends_with('Z'), "{json}");

    let locked = (0..10)
        .map(|_| cli.text_as(Some("9999"), &start).2)
        .find(|stderr| stderr.contains("[user_locked]"))
        .expect("wrong PINs lock the user");
    assert!(locked.contains(" Europe/Berlin: wait until then") && !locked.contains("UTC"), "{locked}");
    let (ok, json) = cli.run(Some("9999"), &start);
    assert!(!ok && json["error"]["message"].as_str().unwrap().contains(" UTC: wait until then"), "{json}");
}
