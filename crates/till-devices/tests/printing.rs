//! Receipts, reports and the drawer against an emulated network printer, and the queue through
//! each printer fault: the job waits, the problem is told, and the job prints exactly once.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use chrono::TimeZone;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use till_core::anchor::PrintedAnchor;
use till_core::reports::{CountAmount, DrawerSection, ReportHeader, SalesSection, XReport, ZReport};
use till_core::sales::{Receipt, ReceiptKind, ReceiptTender, TenderTotal};
use till_core::store::ZRecord;
use till_core::{RegisterId, SessionId};
use till_devices::queue::{PrinterState, Timing};
use till_devices::render::{self, Copy, Layout};
use till_devices::settings::{CodePage, Connection, DrawerPin, DrawerSettings, Paper, PrinterSettings};
use till_devices::status::Problem;
use till_devices::Hardware;
use till_testkit::printer::{decode, EmulatedPrinter, Fault, Item};

const WAIT: Duration = Duration::from_secs(10);

fn settings(port: u16, paper: Paper) -> PrinterSettings {
    PrinterSettings {
        connection: Connection::Network { host: "127.0.0.1".into(), port },
        paper,
        code_page: CodePage::Pc858,
        logo: None,
        timeout: Duration::from_millis(300),
        ask_status: true,
    }
}

fn quick() -> Timing {
    Timing {
        first_retry: Duration::from_millis(50),
        longest_retry: Duration::from_millis(200),
        idle_poll: Duration::from_millis(100),
        drawer_poll: Duration::from_millis(100),
    }
}

const DRAWER: DrawerSettings =
    DrawerSettings { pin: DrawerPin::Pin2, pulse_units: 50, ask_to_close: false, realtime: true };

fn spool() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("till-spool-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn layout(paper: Paper) -> Layout {
    Layout { paper, code_page: CodePage::Pc858, logo: None }
}

/// A Berlin bakery's sale (till-testkit's): two lines, one discounted, two rates, paid `tenders`.
fn receipt(tenders: Vec<ReceiptTender>, change: i64) -> Receipt {
    till_testkit::receipts::bakery(tenders, change)
}

fn cash(amount: i64) -> ReceiptTender {
    ReceiptTender { kind: "cash".into(), amount, reference: None }
}

fn card() -> ReceiptTender {
    ReceiptTender { kind: "card".into(), amount: 1200, reference: Some("•••• 4242".into()) }
}

#[test]
fn a_receipt_reads_like_the_screens_on_80_and_58_mm() {
    for (paper, columns) in [(Paper::Mm80, 42), (Paper::Mm58, 32)] {
        let bytes = render::receipt(&receipt(vec![cash(2000)], 800), Copy::Original, &layout(paper)).unwrap();
        let printed = decode(&bytes);
        assert!(printed.items.contains(&Item::CodePage(19)), "PC858 is selected");
        assert!(printed.lines().iter().all(|l| l.chars().count() <= columns), "{paper:?}:\n{}", printed.text());
        assert_eq!(printed.big_lines(), vec!["BELEG"]);
        assert_eq!(printed.count("Bäckerei Müller"), 1, "{}", printed.text());
        assert!(printed.has("Friedrichstraße 12"));
        assert!(printed.has("St.-Nr. DE123456789"));
        assert_eq!(printed.row("Nr.").as_deref(), Some("BER-R1-000042"));
        // 13:05 UTC is 14:05 in Berlin.
        assert_eq!(printed.row("Datum").as_deref(), Some("06.12.2026, 14:05"));
        assert_eq!(printed.row("Kasse").as_deref(), Some("BER/R1"));
        assert_eq!(printed.row("Kassierer").as_deref(), Some("Jürgen"));
        assert_eq!(printed.row("Roggenbrot").as_deref(), Some("7,00 € A"));
        assert!(printed.has("2 x 3,50 €, -0,50 €"), "the discount under its line");
        // Ŵ is not in PC858: a '?', never another letter.
        assert_eq!(printed.row("Kaffee groß (?)").as_deref(), Some("5,50 € B"));
        assert_eq!(printed.row("Zwischensumme"), None, "no sale discount: no subtotal to take it from");
        // A sale discount is named apart, under the subtotal it is taken from.
        let mut sale_discount = receipt(vec![cash(2000)], 800);
        sale_discount.receipt_discount = 100;
        let with = decode(&render::receipt(&sale_discount, Copy::Original, &layout(paper)).unwrap());
        assert_eq!(with.row("Zwischensumme").as_deref(), Some("12,50 €"));
        assert_eq!(with.row("Einkaufsrabatt").as_deref(), Some("-1,00 €"));
        assert_eq!(printed.row("Summe").as_deref(), Some("12,00 €"));
        assert_eq!(printed.row("Bar").as_deref(), Some("20,00 €"));
        assert_eq!(printed.row("Rückgeld").as_deref(), Some("8,00 €"));
        assert!(printed.has("A ermäßigt 7 % inkl."));
        assert!(printed.has("6,07 €  0,43 €  6,50 €"));
        assert_eq!(printed.qr_codes(), vec!["TILL1:BER-R1:42:abcdef"]);
        assert_eq!(printed.cuts(), 1);
        assert!(printed.kicks().is_empty(), "rendering a receipt never kicks: the queue decides");
    }
}

#[test]
fn a_reprint_and_a_refund_are_marked_large() {
    let mut refund = receipt(vec![cash(1200)], 0);
    refund.kind = ReceiptKind::Refund;
    refund.refund_of = Some("BER-R1-000041".into());
    refund.locale = "en-US".into();
    let printed = decode(&render::receipt(&refund, Copy::Reprint, &layout(Paper::Mm80)).unwrap());
    assert_eq!(printed.big_lines(), vec!["REFUND", "REPRINT"]);
    assert_eq!(printed.row("Refund of").as_deref(), Some("BER-R1-000041"));
    assert_eq!(printed.row("Date").as_deref(), Some("Dec 6, 2026, 2:05 PM"));
    assert_eq!(printed.row("Refunded").as_deref(), Some("€12.00"));
}

#[test]
fn a_name_cannot_smuggle_in_a_printer_command() {
    let mut sale = receipt(vec![card()], 0);
    sale.lines[0].name = "Brot\u{1b}p\u{0}\u{19}\u{fa}".into();
    let printed = decode(&render::receipt(&sale, Copy::Original, &layout(Paper::Mm80)).unwrap());
    assert!(printed.kicks().is_empty());
    assert!(printed.has("Brot?p??"), "{}", printed.text());
}

#[test]
fn the_test_page_shows_the_letters_and_the_ruler() {
    let printed = decode(&render::test_page(&layout(Paper::Mm58), "127.0.0.1:9100").unwrap());
    assert_eq!(printed.big_lines(), vec!["TEST PAGE"]);
    assert!(printed.has("€ £ äöü ÄÖÜ ß éèê àç ñ ø å ÔÒ ¿ - ½"), "{}", printed.text());
    assert!(printed.has("12345678901234567890123456789012"));
    assert_eq!(printed.cuts(), 1);
}

async fn wait_state(hardware: &Hardware, done: impl Fn(&PrinterState) -> bool) -> PrinterState {
    let mut state = hardware.state();
    let result = tokio::time::timeout(WAIT, state.wait_for(|s| done(s))).await;
    let seen =
        result.unwrap_or_else(|_| panic!("the printer state never came: {:?}", *hardware.state().borrow())).unwrap();
    seen.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cash_sale_prints_and_kicks_a_card_sale_does_not() {
    let printer = EmulatedPrinter::start().await;
    let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), Some(DRAWER), spool(), quick()).unwrap();
    hardware.receipt(&receipt(vec![cash(2000)], 800), Copy::Original).await.unwrap();
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 1).await;
    assert_eq!(paper.kicks(), vec![(2, 100)], "the drawer opens once, on pin 2, for 100 ms");
    let kick_at = paper.items.iter().position(|i| matches!(i, Item::Kick { .. })).unwrap();
    let total_at =
        paper.items.iter().position(|i| matches!(i, Item::Line { text, .. } if text.starts_with("Summe"))).unwrap();
    assert!(kick_at < total_at, "the drawer opens before the receipt prints");
    // The kick is the real-time pulse, on its own, ahead of the receipt's job (which starts with
    // ESC @): not an ESC p inside the receipt.
    assert_eq!(paper.items[0], Item::Kick { pin: 2, on_ms: 100, realtime: true });
    assert!(printer.printed().starts_with(&[0x10, 0x14, 1, 0, 1, 0x1B, b'@']), "{:02x?}", &printer.printed()[..8]);

    hardware.receipt(&receipt(vec![card()], 0), Copy::Original).await.unwrap();
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 2).await;
    assert_eq!(paper.cuts(), 2);
    assert_eq!(paper.kicks().len(), 1, "a card sale does not open the drawer");
    // • is not in PC858: it prints as ?.
    assert_eq!(paper.row("Karte ???? 4242").as_deref(), Some("12,00 €"), "{}", paper.text());

    hardware.receipt(&receipt(vec![cash(1200)], 0), Copy::Reprint).await.unwrap();
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 3).await;
    assert_eq!(paper.kicks().len(), 1, "a reprint does not open the drawer");
    hardware.kick().await.unwrap();
    let paper = printer.wait_for(WAIT, |p| p.kicks().len() == 2).await;
    assert_eq!(paper.kicks().len(), 2, "a no-sale opens it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_that_cannot_answer_status_still_prints() {
    let printer = EmulatedPrinter::start().await;
    let one_way = PrinterSettings { ask_status: false, ..settings(printer.port(), Paper::Mm80) };
    let hardware = Hardware::start(one_way, Some(DRAWER), spool(), quick()).unwrap();
    hardware.receipt(&receipt(vec![cash(2000)], 800), Copy::Original).await.unwrap();
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 1).await;
    assert_eq!((paper.cuts(), paper.kicks().len()), (1, 1));
    assert_eq!(printer.status_queries(), 0, "ask_status = false asks nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_z_report_prints() {
    let printer = EmulatedPrinter::start().await;
    let hardware = Hardware::start(settings(printer.port(), Paper::Mm58), None, spool(), quick()).unwrap();
    hardware.z_report(&z_report()).await.unwrap();
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 1).await;
    assert_eq!(paper.big_lines(), vec!["Z REPORT 12"]);
    assert_eq!(paper.row("Net sales, tax incl.").as_deref(), Some("1.234,50 €"));
    assert_eq!(paper.row("net of change").as_deref(), Some("150,00 €"), "beside the cash handed over");
    assert_eq!(paper.row("Expected cash").as_deref(), Some("250,00 €"));
    assert_eq!(paper.row("Counted").as_deref(), Some("249,50 €"));
    assert_eq!(paper.row("Variance").as_deref(), Some("-0,50 €"));
    assert_eq!(paper.row("No-sale opens").as_deref(), Some("3"));
    assert!(paper.lines().iter().all(|l| l.chars().count() <= 32), "{}", paper.text());
    assert_eq!(paper.qr_codes(), vec!["TILL1:Z:12"]);
}

/// Each fault: the sale's job waits while the screen is told why, and once the printer is back
/// the receipt prints exactly once, not marked as a reprint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_holds_the_job_until_the_printer_is_back_then_prints_it_once() {
    for (fault, code) in [
        (Fault::PaperOut, "paper_out"),
        (Fault::CoverOpen, "cover_open"),
        (Fault::Silent, "not_answering"),
        (Fault::CloseMidJob { after: 120 }, "disconnected"),
    ] {
        let printer = EmulatedPrinter::start().await;
        printer.set_fault(fault);
        let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), Some(DRAWER), spool(), quick()).unwrap();
        let started = Instant::now();
        hardware.receipt(&receipt(vec![card()], 0), Copy::Original).await.unwrap();
        assert!(started.elapsed() < Duration::from_millis(200), "{fault:?}: enqueue waited for the printer");
        let state = wait_state(&hardware, |s| s.problem.is_some() && s.waiting == 1).await;
        let problem = state.problem.clone().unwrap();
        assert_eq!(problem.code(), code, "{fault:?}: {problem}");
        assert_eq!(state.waiting, 1);
        if fault == Fault::PaperOut {
            assert_eq!(problem.words(), "Printer: out of paper");
        }
        // The next sale can be rung meanwhile: its job joins the queue at once.
        let started = Instant::now();
        hardware.receipt(&receipt(vec![card()], 0), Copy::Original).await.unwrap();
        assert!(started.elapsed() < Duration::from_millis(200), "{fault:?}: a second sale waited");
        if let Fault::CloseMidJob { .. } = fault {
            assert!(printer.wait_until(WAIT, |p| p.dropped() >= 1).await);
        }
        printer.set_fault(Fault::None);
        let state = wait_state(&hardware, |s| s.problem.is_none() && s.waiting == 0).await;
        assert_eq!(state.waiting, 0);
        let paper = printer.paper();
        let complete = paper.cuts();
        assert_eq!(complete, 2, "{fault:?}: each sale's receipt once:\n{}", paper.text());
        assert_eq!(paper.count("BELEG"), 2, "{fault:?}");
        assert!(!paper.has("KOPIE"), "{fault:?}: never marked as a reprint");
        assert!(printer.lost().is_empty(), "{fault:?}: nothing was sent to a printer that could not print");
        assert_eq!(paper.count("Vielen Dank"), 2, "{fault:?}");
    }
}

/// Out of paper, or with the cover open, a cash sale's drawer opens at once (the real-time
/// pulse) while its receipt waits; a no-sale opens it at once too; a card sale never kicks.
/// Once the printer is back each receipt prints once, not as a reprint, with no second kick.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drawer_opens_while_the_printer_is_out_of_paper_and_the_receipt_prints_later() {
    for (fault, code) in [(Fault::PaperOut, "paper_out"), (Fault::CoverOpen, "cover_open")] {
        let printer = EmulatedPrinter::start().await;
        printer.set_fault(fault);
        let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), Some(DRAWER), spool(), quick()).unwrap();
        hardware.receipt(&receipt(vec![cash(2000)], 800), Copy::Original).await.unwrap();
        let paper = printer.wait_for(WAIT, |p| p.kicks().len() == 1).await;
        assert_eq!(paper.kicks(), vec![(2, 100)], "{fault:?}: the drawer opened at once");
        let state = wait_state(&hardware, |s| s.problem.is_some() && s.waiting == 1).await;
        assert_eq!(
            state.problem.map(|p| p.code()),
            Some(code),
            "{fault:?}: the receipt waits, and the screen says why"
        );
        assert_eq!(printer.paper().cuts(), 0, "{fault:?}: nothing printed without paper");

        hardware.kick().await.unwrap();
        let paper = printer.wait_for(WAIT, |p| p.kicks().len() == 2).await;
        assert_eq!(paper.kicks().len(), 2, "{fault:?}: a no-sale opens the drawer at once too");
        hardware.receipt(&receipt(vec![card()], 0), Copy::Original).await.unwrap();
        let state = wait_state(&hardware, |s| s.waiting == 2).await;
        assert_eq!(state.problem.map(|p| p.code()), Some(code));

        printer.set_fault(Fault::None);
        wait_state(&hardware, |s| s.problem.is_none() && s.waiting == 0).await;
        let paper = printer.wait_for(WAIT, |p| p.cuts() == 2).await;
        assert_eq!(paper.cuts(), 2, "{fault:?}: each receipt once:\n{}", paper.text());
        assert_eq!(paper.count("BELEG"), 2, "{fault:?}");
        assert!(!paper.has("KOPIE"), "{fault:?}: never marked as a reprint");
        assert_eq!(paper.kicks().len(), 2, "{fault:?}: no second kick with the receipt, none for the card sale");
        assert_eq!(printer.paper().items.iter().take(2).filter(|i| matches!(i, Item::Kick { .. })).count(), 2);
        assert!(printer.lost().is_empty(), "{fault:?}: nothing was sent that the printer could not print");
    }
}

/// A printer that does not answer gets no kick either (the drawer waits and the screen says
/// why); once it is back the waiting kick goes ahead of the receipt queued before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kick_waits_for_a_printer_that_does_not_answer_then_goes_first() {
    let printer = EmulatedPrinter::start().await;
    printer.set_fault(Fault::Silent);
    let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), Some(DRAWER), spool(), quick()).unwrap();
    hardware.receipt(&receipt(vec![card()], 0), Copy::Original).await.unwrap();
    hardware.kick().await.unwrap();
    let state = wait_state(&hardware, |s| s.problem.is_some() && s.waiting == 2).await;
    assert_eq!(state.problem.map(|p| p.code()), Some("not_answering"));
    assert!(printer.paper().kicks().is_empty());
    printer.set_fault(Fault::None);
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 1).await;
    assert_eq!(paper.kicks(), vec![(2, 100)]);
    assert_eq!(paper.items[0], Item::Kick { pin: 2, on_ms: 100, realtime: true }, "the kick went first");
    wait_state(&hardware, |s| s.waiting == 0).await;
}

/// `[drawer] realtime = false`, for a printer without DLE DC4: the kick is ESC p, which the
/// printer takes from its print buffer, so it waits for paper like the receipt, then opens the
/// drawer once, before the receipt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esc_p_kick_waits_for_paper() {
    let printer = EmulatedPrinter::start().await;
    printer.set_fault(Fault::PaperOut);
    let escp = DrawerSettings { realtime: false, ..DRAWER };
    let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), Some(escp), spool(), quick()).unwrap();
    hardware.receipt(&receipt(vec![cash(2000)], 800), Copy::Original).await.unwrap();
    let state = wait_state(&hardware, |s| s.problem.is_some() && s.waiting == 2).await;
    assert_eq!(state.problem, Some(Problem::PaperOut));
    assert!(printer.paper().kicks().is_empty() && printer.lost().is_empty(), "nothing sent to a printer without paper");
    printer.set_fault(Fault::None);
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 1).await;
    assert_eq!(
        paper.items.iter().filter(|i| matches!(i, Item::Kick { .. })).collect::<Vec<_>>(),
        vec![&Item::Kick { pin: 2, on_ms: 100, realtime: false }]
    );
    assert!(printer.printed().starts_with(&[0x1B, b'p', 0, 50, 100, 0x1B, b'@']));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_survive_a_restart_of_the_app() {
    let printer = EmulatedPrinter::start().await;
    printer.set_fault(Fault::PaperOut);
    let folder = spool();
    let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), None, folder.clone(), quick()).unwrap();
    hardware.receipt(&receipt(vec![card()], 0), Copy::Original).await.unwrap();
    wait_state(&hardware, |s| s.problem == Some(Problem::PaperOut)).await;
    drop(hardware);
    printer.set_fault(Fault::None);
    let again = Hardware::start(settings(printer.port(), Paper::Mm80), None, folder, quick()).unwrap();
    assert_eq!(again.state().borrow().waiting, 1, "the job was kept on disk");
    let paper = printer.wait_for(WAIT, |p| p.cuts() == 1).await;
    assert_eq!(paper.count("BELEG"), 1);
    wait_state(&again, |s| s.waiting == 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_printer_is_named_and_paper_low_is_told() {
    // A port nothing listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let hardware = Hardware::start(settings(port, Paper::Mm80), None, spool(), quick()).unwrap();
    let state = wait_state(&hardware, |s| s.problem.is_some()).await;
    let words = state.problem.unwrap().words();
    assert!(words.starts_with("Printer: cannot be reached (printer.host 127.0.0.1:"), "{words}");

    let printer = EmulatedPrinter::start().await;
    printer.set_paper_near_end(true);
    printer.set_drawer_open(true);
    let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), None, spool(), quick()).unwrap();
    let state = wait_state(&hardware, |s| s.paper_near_end).await;
    assert_eq!((state.problem, state.drawer_open), (None, Some(true)));
}

/// The benchmark: the receipt's bytes are ready within 10 ms of the recorded sale, and
/// the call that keeps them durably returns long before a printer has printed them.
fn z_report() -> ZReport {
    let header = ReportHeader {
        location_code: "BER".into(),
        location_name: "Bäckerei Müller".into(),
        register: "BER/R1".into(),
        session_number: "BER-R1-S7".into(),
        business_day: chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
        opened_by: "jürgen".into(),
        opened_at: chrono::Utc.with_ymd_and_hms(2026, 12, 6, 6, 0, 0).unwrap(),
        closed_at: Some(chrono::Utc.with_ymd_and_hms(2026, 12, 6, 18, 0, 0).unwrap()),
        made_at: chrono::Utc.with_ymd_and_hms(2026, 12, 6, 18, 0, 0).unwrap(),
        requested_by: "anna".into(),
        currency: "EUR".into(),
        locale: "de-DE".into(),
        time_zone: "Europe/Berlin".into(),
    };
    let none = CountAmount { count: 0, amount: 0 };
    let x = XReport {
        header,
        sales: SalesSection {
            receipts: 80,
            gross_sales: 125_000,
            discounts: CountAmount { count: 2, amount: 1_550 },
            refunds: none,
            net_sales: 123_450,
            rounding: 0,
            taxes: vec![],
            categories: vec![],
        },
        tenders: vec![TenderTotal { kind: "cash".into(), count: 50, amount: 15_000 }],
        drawer: DrawerSection {
            opening_float: 10_000,
            float_expected: None,
            opening_difference: None,
            cash_sales: 15_000,
            change_given: 0,
            cash_refunds: 0,
            cash_net_of_change: 15_000,
            paid_in: none,
            paid_out: none,
            drops: none,
            expected_cash: 25_000,
        },
        no_sales: 3,
        reprints: 1,
        voids: 0,
        voids_total: 0,
    };
    ZReport {
        x,
        z: ZRecord {
            register_id: RegisterId::new(),
            z_number: 12,
            session_id: SessionId::new(),
            at: chrono::Utc.with_ymd_and_hms(2026, 12, 6, 18, 0, 0).unwrap(),
            first_receipt: Some("BER-R1-000001".into()),
            last_receipt: Some("BER-R1-000080".into()),
            grand_sales: 9_000_000,
            grand_refunds: 10_000,
            journal_seq: 400,
            journal_head: "ab".into(),
            anchor: Some(PrintedAnchor { text: "TILL1:Z:12".into(), qr_svg: String::new() }),
        },
        counted_cash: Some(24_950),
        denominations: vec![],
        opening_denominations: vec![],
        variance: Some(-50),
        variance_reason: None,
        closed_by: Some("anna".into()),
        approved_by: None,
        cash_removed: None,
        float_left: None,
        force_close_reason: None,
        grand_net: 8_990_000,
    }
}

/// The drawer a kick opened is seen open within the drawer poll, not the idle one (15 s in the
/// app): the screen asks the cashier to close it before the next sale, and sees it shut as soon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drawer_left_open_after_a_kick_is_seen_within_the_drawer_poll() {
    let printer = EmulatedPrinter::start().await;
    let timing = Timing { idle_poll: Duration::from_secs(60), drawer_poll: Duration::from_millis(100), ..quick() };
    let hardware = Hardware::start(settings(printer.port(), Paper::Mm80), Some(DRAWER), spool(), timing).unwrap();
    wait_state(&hardware, |s| s.drawer_open == Some(false)).await;
    hardware.kick().await.unwrap();
    printer.wait_for(WAIT, |p| p.kicks().len() == 1).await;
    // The drawer springs open a moment after the printer took the kick.
    tokio::time::sleep(Duration::from_millis(30)).await;
    printer.set_drawer_open(true);
    let started = std::time::Instant::now();
    wait_state(&hardware, |s| s.drawer_open == Some(true)).await;
    printer.set_drawer_open(false);
    wait_state(&hardware, |s| s.drawer_open == Some(false)).await;
    assert!(started.elapsed() < Duration::from_secs(5), "seen open and shut in {:?}", started.elapsed());
}
