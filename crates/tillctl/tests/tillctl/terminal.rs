//! What `tillctl` writes to IT's terminal: a name planted in the database file (whoever holds the
//! file can write any byte, whatever till-core refuses on input) is shown, not obeyed.

use std::process::{Command, Output};
use till_testkit::{Backend, TestDatabase};

/// Sets the window title to "pwned", then clears the screen; then a one-byte CSI (C1) and a
/// right-to-left override.
const PLANTED: &str = "Shop\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}2J\u{202e}";

fn tillctl(url: &str, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .args(["--database-url", url])
        .args(args)
        .output()
        .expect("run tillctl");
    assert!(out.status.success(), "tillctl {args:?}: {out:?}");
    out
}

fn sql_text(text: &str) -> String {
    // SQLite has no escapes inside a literal: each character is spliced in with char().
    let codes: Vec<String> = text.chars().map(|c| u32::from(c).to_string()).collect();
    format!("char({})", codes.join(", "))
}

#[tokio::test]
async fn names_from_the_database_cannot_drive_the_terminal() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    tillctl(
        &db.url,
        &[
            "location",
            "add",
            "--code",
            "DT",
            "--name",
            "Shop",
            "--timezone",
            "UTC",
            "--currency",
            "USD",
            "--locale",
            "en-US",
        ],
    );
    tillctl(&db.url, &["register", "add", "--location", "DT", "--code", "R1", "--name", "Front"]);
    let planted = sql_text(PLANTED);
    db.execute(&format!("UPDATE locations SET name = {planted}; UPDATE registers SET name = {planted}")).await;

    for command in [["location", "list"], ["register", "list"]] {
        let text = String::from_utf8(tillctl(&db.url, &command).stdout).unwrap();
        assert!(!text.contains('\u{1b}'), "{command:?} wrote a raw ESC: {text:?}");
        assert!(!text.contains('\u{7}') && !text.contains('\u{9b}') && !text.contains('\u{202e}'), "{text:?}");
        // Shown, so that IT sees something is wrong with the name.
        assert!(text.contains(r"Shop\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}2J\u{202e}"), "{command:?}: {text:?}");
    }

    // JSON keeps the stored value; serde_json writes ESC and BEL as \u escapes.
    let json = String::from_utf8(tillctl(&db.url, &["--json", "location", "list"]).stdout).unwrap();
    assert!(!json.contains('\u{1b}'), "{json:?}");
    assert!(json.contains(r"Shop\u001b]0;pwned\u0007\u001b[2J"), "{json:?}");
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["name"], PLANTED);
}
