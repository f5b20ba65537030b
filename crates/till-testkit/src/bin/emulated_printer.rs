//! The emulated ESC/POS network printer ([`till_testkit::printer::EmulatedPrinter`]) as a
//! process, for the end-to-end tests in `ui/tests/webdriver`: they start it, point the real app
//! at its port, and read back what was printed, decoded by the same decoder the Rust tests use
//! (so there is one ESC/POS decoder, not a second one in JavaScript).
//!
//! A line protocol on standard input and output, one JSON object a line:
//! - at start: `{"port":9100}`, the loopback port it listens on;
//! - `paper` in: `{"items":[...]}`, everything printed so far, decoded: `{"kind":"line","text":
//!   "...","big":false,"bold":false}`, `{"kind":"cut"}`, `{"kind":"kick","pin":2,"on_ms":100}`,
//!   `{"kind":"code_page","page":19}`, `{"kind":"logo","key":1}`, `{"kind":"qr","text":"..."}`,
//!   `{"kind":"init"}`; or `{"error":"..."}` when the bytes do not decode;
//! - the end of input stops it.

use serde_json::{json, Value};
use std::io::{BufRead, Write};
use till_testkit::printer::{decode, EmulatedPrinter, Item};

fn item(item: &Item) -> Value {
    match item {
        Item::Line { text, big, bold } => json!({ "kind": "line", "text": text, "big": big, "bold": bold }),
        Item::Cut => json!({ "kind": "cut" }),
        Item::Kick { pin, on_ms, .. } => json!({ "kind": "kick", "pin": pin, "on_ms": on_ms }),
        Item::CodePage(page) => json!({ "kind": "code_page", "page": page }),
        Item::Logo(key) => json!({ "kind": "logo", "key": key }),
        Item::Qr(text) => json!({ "kind": "qr", "text": text }),
        Item::Init => json!({ "kind": "init" }),
    }
}

/// The printed bytes decoded; a byte the decoder does not know is an answer, not a crash (the
/// test then fails saying which byte).
fn paper(bytes: &[u8]) -> Value {
    match std::panic::catch_unwind(|| decode(bytes)) {
        Ok(paper) => json!({ "items": paper.items.iter().map(item).collect::<Vec<_>>() }),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            json!({ "error": format!("the printed bytes do not decode: {why}") })
        }
    }
}

fn main() -> std::io::Result<()> {
    // The printer's tasks run on the runtime's workers while this thread reads the requests.
    let runtime = tokio::runtime::Runtime::new()?;
    let printer = runtime.block_on(EmulatedPrinter::start());
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", json!({ "port": printer.port() }))?;
    out.flush()?;
    for request in std::io::stdin().lock().lines() {
        let answer = match request?.trim() {
            "paper" => paper(&printer.printed()),
            other => json!({ "error": format!("unknown request {other:?}: send \"paper\"") }),
        };
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    // Dropped inside the runtime: the printer's server task is aborted there.
    let _guard = runtime.enter();
    drop(printer);
    Ok(())
}
