//! The customer display: the main window sends what the customer may see (`show_customer`), the
//! display's window reads the latest (`customer_view`). It follows the cart, and holds nothing
//! secret: a view carrying a PIN, an approval or expected cash is refused whole, and the display
//! keeps the view it had.

use super::*;
use serde_json::{json, Value};

fn sale_view(lines: Value, total: i64) -> Value {
    json!({
        "stage": "sale", "store_name": "Downtown", "locale": "de-DE", "currency": "EUR",
        "lines": lines, "total": total, "paid": 0, "change": 0,
    })
}

async fn show(till: &Till, view: Value) -> Result<Value, IpcError> {
    crate::commands::call(&till.state, "show_customer", json!({ "view": view })).await
}

async fn shown(till: &Till) -> Value {
    ok(crate::commands::call(&till.state, "customer_view", json!({})).await)
}

#[tokio::test]
async fn the_customer_view_follows_the_cart_and_holds_nothing_secret() {
    let till = Till::demo().await;
    assert_eq!(shown(&till).await, Value::Null, "nothing before the main window sends a view");

    // Each line as it is scanned, then paid with change, then the next sale's first line.
    let coffee = json!({"name": "Coffee", "quantity": 1, "amount": 350});
    ok(show(&till, sale_view(json!([coffee]), 350)).await);
    assert_eq!(shown(&till).await, sale_view(json!([coffee]), 350));
    let two = json!([coffee, {"name": "Croissant", "quantity": 2, "amount": 500}]);
    ok(show(&till, sale_view(two.clone(), 850)).await);
    assert_eq!(shown(&till).await["lines"], two);
    let mut paid = sale_view(two.clone(), 850);
    paid["stage"] = json!("paid");
    paid["paid"] = json!(1_000);
    paid["change"] = json!(150);
    ok(show(&till, paid.clone()).await);
    assert_eq!(shown(&till).await, paid);

    // What the display holds, key by key: names, quantities and amounts, and nothing else.
    let keys: Vec<&str> = paid.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let view = shown(&till).await;
    let held: Vec<&str> = view.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    assert_eq!(held, keys);
    assert_eq!(
        held,
        ["change", "currency", "lines", "locale", "paid", "stage", "store_name", "total"],
        "a new field on the customer's screen is a decision: add it here"
    );

    // A secret anywhere in the view is refused whole; the display keeps the paid view.
    let mut with_pin = sale_view(json!([coffee]), 350);
    with_pin["approval"] = json!({"manager": "bob", "pin": "9999"});
    let mut with_expected = sale_view(json!([coffee]), 350);
    with_expected["expected_cash"] = json!(20_000);
    let line_with_pin = sale_view(json!([{"name": "Coffee", "quantity": 1, "amount": 350, "pin": "1234"}]), 350);
    for secret in [with_pin, with_expected, line_with_pin] {
        assert_eq!(code(show(&till, secret.clone()).await), "invalid_input", "{secret}");
        assert_eq!(shown(&till).await, paid, "refused: {secret}");
    }

    // Values the display cannot show sensibly are refused, naming the field.
    let mut negative = paid.clone();
    negative["change"] = json!(-1);
    let mut currency = paid.clone();
    currency["currency"] = json!("euro");
    for (bad, field) in [(negative, "change"), (currency, "currency")] {
        let refused = show(&till, bad).await.map(|_| ()).unwrap_err();
        assert!(refused.to_string().contains(field), "{refused}");
        assert_eq!(shown(&till).await, paid);
    }
}

#[tokio::test]
async fn the_device_files_customer_display_opens_the_second_window() {
    for (section, window) in [
        ("[customer_display]\nkind = \"window\"\n", true),
        ("[customer_display]\nkind = \"pole\"\ndevice = \"/dev/ttyUSB0\"\n", false),
        ("[customer_display]\nkind = \"hologram\"\n", false),
        ("", false),
    ] {
        let till = Till::demo().await;
        let url = format!("sqlite://{}", till.dir.0.join("till-demo.db").display());
        let file =
            format!("[database]\nurl = {url:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n\n{section}");
        ok(std::fs::write(till.dir.0.join("device.toml"), file));
        let till = till.restart();
        assert_eq!(till.state.customer_display_window(), window, "{section}");
    }
    // An unmanaged till (device.json only) has none.
    assert!(!Till::demo().await.state.customer_display_window());
}

/// The demo's DT/R1 managed by a device file whose customer display is a pole on `device`.
async fn pole_till(device: &std::path::Path) -> Till {
    let till = Till::demo().await;
    let url = format!("sqlite://{}", till.dir.0.join("till-demo.db").display());
    let file = format!(
        "[database]\nurl = {url:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n\n\
         [customer_display]\nkind = \"pole\"\ndevice = {:?}\nbaud = 9600\n",
        device.display().to_string()
    );
    ok(std::fs::write(till.dir.0.join("device.toml"), file));
    till.restart()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_shown_reaches_the_pole_display() {
    let display = till_testkit::pole::PtyDisplay::open();
    let till = pole_till(display.path()).await;
    // The device file is read with the first command, as the register's first screen does.
    ok(till.state.printer_status().await);
    let coffee = json!({"name": "Coffee", "quantity": 1, "amount": 350});
    ok(show(&till, sale_view(json!([coffee, {"name": "Croissant", "quantity": 2, "amount": 500}]), 850)).await);
    let want = ["2x Croissant  5,00 €", "Summe         8,50 €"];
    let shown = display.wait_for(std::time::Duration::from_secs(10), |s| s[0] == want[0] && s[1] == want[1]).await;
    assert_eq!(shown, want.map(String::from));
    // A view refused (a PIN in it) never reaches the pole either.
    let mut with_pin = sale_view(json!([{"name": "PIN 9999", "quantity": 1, "amount": 1}]), 1);
    with_pin["pin"] = json!("9999");
    assert_eq!(code(show(&till, with_pin).await), "invalid_input");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(display.screen(), want.map(String::from));
    assert!(!till.state.customer_display_window(), "a pole opens no second window");
    let status = ok(till.state.printer_status().await);
    assert_eq!(status.problem, None, "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_pole_display_is_told_on_the_banner_and_holds_nothing_up() {
    let till = pole_till(std::path::Path::new("/dev/till-no-such-pole")).await;
    ok(till.state.printer_status().await);
    ok(show(&till, sale_view(json!([{"name": "Coffee", "quantity": 1, "amount": 350}]), 350)).await);
    assert_eq!(shown(&till).await["total"], 350, "the window's view is kept regardless");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        let status = ok(till.state.printer_status().await);
        if status.problem.is_some() || std::time::Instant::now() > deadline {
            break status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(status.configured);
    assert_eq!(status.problem.as_deref(), Some(crate::pole::PROBLEM));
    let message = status.message.unwrap_or_default();
    assert!(message.starts_with("Customer display: cannot be reached"), "{message}");
    assert!(message.contains("customer_display.device /dev/till-no-such-pole"), "{message}");
}
