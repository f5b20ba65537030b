//! The receipt printer and drawer as the app drives them, against an emulated network printer:
//! a recorded cash sale prints and opens the drawer, a card sale only prints, a retried sale
//! prints once, no-sale and the count at close open the drawer, a reprint says REPRINT, and a
//! printer out of paper holds nothing up: the sale is recorded and the screen is told why.

use super::*;
use std::time::Duration;
use till_devices::settings::{DrawerSection, PrinterSection};
use till_testkit::printer::{EmulatedPrinter, Fault, Paper};

const WAIT: Duration = Duration::from_secs(10);

/// The demo's DT/R1, managed by a device file with a printer (and its drawer) on `port`.
async fn printing_till(port: u16) -> (Till, SessionId, String) {
    let till = Till::demo().await;
    let url = format!("sqlite://{}", till.dir.0.join("till-demo.db").display());
    let file = format!(
        "[database]\nurl = {url:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n\n\
         [printer]\nconnection = \"network\"\nhost = \"127.0.0.1\"\nport = {port}\ntimeout_ms = 500\n\n\
         [drawer]\npin = 2\npulse_ms = 100\nask_to_close = true\n"
    );
    ok(std::fs::write(till.dir.0.join("device.toml"), file));
    let till = till.restart();
    ok(till.state.login("alice", "1234").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    (till, started.session.id, started.session.number)
}

fn card(lines: Vec<SaleLineRequest>, amount: i64) -> SaleRequest {
    SaleRequest {
        lines,
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![till_core::Tender::Card { amount, approval_reference: "AUTH 42".into() }],
    }
}

async fn printed(printer: &EmulatedPrinter, done: impl Fn(&Paper) -> bool) -> Paper {
    let paper = printer.wait_for(WAIT, &done).await;
    assert!(done(&paper), "not printed in time:\n{}", paper.text());
    paper
}

/// A no-sale with the first no-sale reason, on the open shift.
async fn record_no_sale(till: &Till) {
    let reasons = ok(till.state.cash_reasons().await);
    let no_sale = reasons.iter().find(|r| r.kind == till_core::MovementKind::NoSale).expect("a no-sale reason");
    let kind = till_core::MovementKind::NoSale;
    ok(till.state.record_movement(till_core::MovementId::new(), kind, None, no_sale.code.clone(), None, None).await);
}

async fn status(till: &Till) -> PrinterStatusView {
    ok(till.state.printer_status().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recorded_sales_print_and_cash_opens_the_drawer() {
    let printer = EmulatedPrinter::start().await;
    let (till, session, session_number) = printing_till(printer.port()).await;
    let answer = ok(crate::commands::call(&till.state, "printer_status", serde_json::json!({})).await);
    assert_eq!((&answer["configured"], &answer["prints"]), (&true.into(), &true.into()), "{answer}");

    let lines = vec![cart_line("073500000153", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    let id = ReceiptId::new();
    let sale = ok(till.state.record_sale(id, session, cash(lines.clone(), priced.cash_total + 500), None).await);
    let paper = printed(&printer, |p| p.cuts() == 1).await;
    assert_eq!(paper.kicks(), vec![(2, 100)], "a cash sale opens the drawer");
    assert_eq!(paper.row("No.").as_deref(), Some(sale.number.as_str()), "{}", paper.text());
    // A retry of the same sale (a lost answer) records nothing new and prints nothing new.
    ok(till.state.record_sale(id, session, cash(lines.clone(), priced.cash_total + 500), None).await);
    let card_sale =
        ok(till.state.record_sale(ReceiptId::new(), session, card(lines.clone(), priced.total), None).await);
    let paper = printed(&printer, |p| p.cuts() == 2).await;
    assert_eq!(paper.kicks().len(), 1, "a card sale does not open the drawer");
    assert_eq!(paper.lines().iter().filter(|l| l.contains(&sale.number)).count(), 1, "the retried sale printed once");
    assert!(paper.lines().iter().any(|l| l.contains(&card_sale.number)));

    // No-sale: the drawer opens once the store has recorded it.
    record_no_sale(&till).await;
    printed(&printer, |p| p.kicks().len() == 2).await;

    // A reprint the cashier asks for says so, and opens nothing.
    ok(till.state.record_reprint(sale.number.clone()).await);
    let paper = printed(&printer, |p| p.cuts() == 3).await;
    assert_eq!(paper.big_lines().last().map(String::as_str), Some("REPRINT"));
    assert_eq!(paper.kicks().len(), 2);

    // The drawer reported open: the screen asks to close it (drawer.ask_to_close).
    printer.set_drawer_open(true);
    assert!(!status(&till).await.ask_to_close_drawer, "not before the printer said so");

    // Out of paper: the sale is recorded at once, the screen says why, and it prints later, once.
    printer.set_fault(Fault::PaperOut);
    let started = std::time::Instant::now();
    let late = ok(till.state.record_sale(ReceiptId::new(), session, card(lines, priced.total), None).await);
    assert!(started.elapsed() < Duration::from_secs(1), "the sale waited for the printer: {:?}", started.elapsed());
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut seen = status(&till).await;
    // Until the queue has taken the job in (an idle poll may say "out of paper" before it has).
    while (seen.problem.as_deref() != Some("paper_out") || seen.waiting != 1) && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
        seen = status(&till).await;
    }
    assert_eq!(seen.message.as_deref(), Some("Printer: out of paper"), "{seen:?}");
    assert_eq!(seen.waiting, 1);
    assert_eq!(seen.drawer_open, Some(true));
    assert!(seen.ask_to_close_drawer);
    printer.set_fault(Fault::None);
    let paper = printed(&printer, |p| p.cuts() == 4).await;
    assert_eq!(paper.lines().iter().filter(|l| l.contains(&late.number)).count(), 1);
    assert!(printer.lost().is_empty());

    // The count at close opens the drawer, after the close is recorded.
    // The drawer holds the float and the one cash sale (the change went back out).
    ok(till
        .state
        .close_shift(
            RequestId::new(),
            &session_number,
            10_000 + priced.cash_total,
            Approval { manager: "bob".into(), pin: Password("9999".into()) },
            till_core::CloseCount::default(),
        )
        .await);
    printed(&printer, |p| p.kicks().len() == 3).await;

    // The Z, asked for, prints on the same printer.
    ok(till.state.print_z_report(session_number).await);
    let paper = printed(&printer, |p| p.cuts() == 5).await;
    assert!(paper.big_lines().last().is_some_and(|l| l.starts_with("Z REPORT")), "{:?}", paper.big_lines());
    assert_eq!(paper.kicks().len(), 3, "a report opens nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_till_without_a_printer_says_so_and_bad_settings_never_stop_it() {
    let till = Till::demo().await;
    assert_eq!(ok(till.state.printer_status().await), PrinterStatusView::default());
    let url = format!("sqlite://{}", till.dir.0.join("till-demo.db").display());
    let file = format!(
        "[database]\nurl = {url:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n\n\
         [printer]\nconnection = \"network\"\nhost = \"127.0.0.1\"\ncode_page = \"PC999\"\n"
    );
    ok(std::fs::write(till.dir.0.join("device.toml"), file));
    let till = till.restart();
    ok(till.state.login("alice", "1234").await);
    let seen = ok(till.state.printer_status().await);
    assert_eq!(seen.problem.as_deref(), Some("settings"));
    assert!(seen.configured && !seen.prints, "set up, but nothing can print: no Reprint on the screen");
    assert!(seen.message.as_deref().is_some_and(|m| m.contains("printer.code_page")), "{seen:?}");
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    let lines = vec![cart_line("073500000153", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    ok(till.state.record_sale(ReceiptId::new(), started.session.id, cash(lines, priced.cash_total), None).await);
    let bob = Approval { manager: "bob".into(), pin: Password("9999".into()) };
    let count = till_core::CloseCount::default();
    let number = started.session.number;
    ok(till.state.close_shift(RequestId::new(), &number, 10_000 + priced.cash_total, bob, count).await);
    let refused = till.state.print_z_report(number).await.expect_err("no printer to print on");
    assert_eq!(refused.code(), "invalid_input");
    assert!(refused.to_string().contains("[printer]"), "{refused}");
}

/// The device screen of a till IT does not manage: a manager chooses the printer and drawer,
/// the sections are checked as the device file's are (a bad one is refused naming its setting,
/// before any PIN try is used), the choice survives a restart, a test page prints, and the
/// drawer test is a journaled no-sale with the reason "test" that opens the drawer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_screen_chooses_the_printer_of_an_unmanaged_till() {
    let printer = EmulatedPrinter::start().await;
    let till = Till::demo().await;
    ok(till.state.login("alice", "1234").await);
    let network = PrinterSection {
        connection: "network".into(),
        host: Some("127.0.0.1".into()),
        port: Some(printer.port()),
        timeout_ms: Some(500),
        ..PrinterSection::default()
    };
    let drawer = DrawerSection { pin: 5, pulse_ms: Some(120), ask_to_close: false, realtime: None };
    let bob = || approval("bob", "9999");

    let no_host = PrinterSection { host: None, ..network.clone() };
    let refused = till.state.set_hardware(Some(no_host), None, approval("bob", "0000")).await.expect_err("no host");
    assert_eq!(refused.code(), "invalid_input");
    assert!(refused.to_string().contains("printer.host"), "{refused}");
    let refused = till.state.set_hardware(None, Some(drawer.clone()), bob()).await.expect_err("a drawer alone");
    assert!(refused.to_string().contains(till_devices::settings::DRAWER_NEEDS_PRINTER), "{refused}");
    assert_eq!(code(till.state.set_hardware(Some(network.clone()), None, None).await), "approval_needed");
    assert_eq!(
        code(till.state.set_hardware(Some(network.clone()), None, approval("alice", "1234")).await),
        "forbidden"
    );
    // The wrong PIN above was refused before it was checked: bob is not one try nearer a lockout.
    let bob_now = ok(till.state.list_users().await).into_iter().find(|u| u.name == "bob").expect("bob");
    assert_eq!(bob_now.failed_pins, 0);
    assert_eq!(ok(till.state.printer_status().await), PrinterStatusView::default(), "nothing was saved");

    let status = ok(till.state.set_hardware(Some(network.clone()), Some(drawer.clone()), bob()).await);
    assert_eq!(status.printer.as_ref(), Some(&network));
    assert_eq!(status.drawer.as_ref(), Some(&drawer));
    assert!(ok(till.state.printer_status().await).configured);

    // Kept in device.json: a restart prints on the same printer.
    let till = till.restart();
    ok(till.state.login("alice", "1234").await);
    assert_eq!(ok(till.state.status().await).printer, Some(network.clone()));
    ok(till.state.print_test_page().await);
    let paper = printed(&printer, |p| p.cuts() == 1).await;
    assert!(paper.text().contains("127.0.0.1"), "the test page names the connection:\n{}", paper.text());
    assert!(paper.kicks().is_empty(), "a test page opens nothing");

    // "Open drawer (test)": a no-sale with the reason "test", recorded, then the kick.
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    let test = ok(till.state.cash_reasons().await)
        .into_iter()
        .find(|r| r.kind == till_core::MovementKind::NoSale && r.code == "test")
        .expect("the no-sale reason \"test\"");
    assert_eq!(test.label, "Drawer test");
    let movement = ok(till
        .state
        .record_movement(till_core::MovementId::new(), till_core::MovementKind::NoSale, None, test.code, None, None)
        .await);
    assert_eq!(movement.reason, "test");
    // The real-time pulse is in 100 ms steps: 120 ms is rounded up to 200.
    printed(&printer, |p| p.kicks() == vec![(5, 200)]).await;
    let totals = ok(till.state.session_totals().await).expect("the open shift's totals");
    assert_eq!((totals.session_id, totals.no_sale_count), (started.session.id, 1));

    // Saving the settings again swaps the queue: a sale printed before it is remembered, so a
    // retry of that sale (a lost answer) prints nothing after the swap.
    let lines = vec![cart_line("073500000153", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    let id = ReceiptId::new();
    ok(till.state.record_sale(id, started.session.id, cash(lines.clone(), priced.cash_total), None).await);
    let before = printed(&printer, |p| p.cuts() == 2).await;
    ok(till.state.set_hardware(Some(network.clone()), Some(drawer.clone()), bob()).await);
    ok(till.state.record_sale(id, started.session.id, cash(lines, priced.cash_total), None).await);
    ok(till.state.print_test_page().await);
    let after = printed(&printer, |p| p.cuts() == 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        (printer.paper().cuts(), after.kicks().len()),
        (3, before.kicks().len()),
        "the retried sale printed once"
    );

    // Taking the printer away again: nothing prints, and the screen says there is none.
    let status = ok(till.state.set_hardware(None, None, bob()).await);
    assert_eq!((status.printer, status.drawer), (None, None));
    assert_eq!(ok(till.state.printer_status().await), PrinterStatusView::default());
    assert_eq!(code(till.state.print_test_page().await), "invalid_input");
}

/// The cashier can give change while the printer is out of paper: a recorded cash sale opens
/// the drawer at once while its receipt waits, a no-sale too, a card sale never; once the paper
/// is back each receipt prints once, with no second kick.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drawer_opens_while_the_printer_is_out_of_paper() {
    let printer = EmulatedPrinter::start().await;
    let (till, session, _) = printing_till(printer.port()).await;
    printer.set_fault(Fault::PaperOut);
    let lines = vec![cart_line("073500000153", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    let sale =
        ok(till.state.record_sale(ReceiptId::new(), session, cash(lines.clone(), priced.cash_total), None).await);
    let paper = printed(&printer, |p| p.kicks().len() == 1).await;
    assert_eq!(paper.kicks(), vec![(2, 100)], "the drawer opened with the paper out");
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut seen = status(&till).await;
    while seen.waiting != 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        seen = status(&till).await;
    }
    assert_eq!((seen.problem.as_deref(), seen.waiting), (Some("paper_out"), 1), "the receipt waits: {seen:?}");

    record_no_sale(&till).await;
    printed(&printer, |p| p.kicks().len() == 2).await;
    let card_sale = ok(till.state.record_sale(ReceiptId::new(), session, card(lines, priced.total), None).await);
    assert_eq!(printer.paper().cuts(), 0, "nothing printed without paper");

    printer.set_fault(Fault::None);
    let paper = printed(&printer, |p| p.cuts() == 2).await;
    assert_eq!(paper.lines().iter().filter(|l| l.contains(&sale.number)).count(), 1, "{}", paper.text());
    assert_eq!(paper.lines().iter().filter(|l| l.contains(&card_sale.number)).count(), 1);
    assert!(!paper.big_lines().iter().any(|l| l == "REPRINT"), "printed late, not a reprint");
    assert_eq!(paper.kicks().len(), 2, "no second kick with the receipt, none for the card sale");
    assert!(printer.lost().is_empty());
}

/// IT's device file decides a managed till's printer: the device screen changes nothing there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managed_till_refuses_the_device_screens_printer() {
    let printer = EmulatedPrinter::start().await;
    let (till, _, _) = printing_till(printer.port()).await;
    let status = ok(till.state.status().await);
    assert_eq!(status.printer.map(|p| p.connection), Some("network".to_string()), "the form shows IT's printer");
    let lan =
        PrinterSection { connection: "network".into(), host: Some("10.0.0.9".into()), ..PrinterSection::default() };
    assert_eq!(code(till.state.set_hardware(Some(lan), None, approval("bob", "9999")).await), "device_managed");
}
