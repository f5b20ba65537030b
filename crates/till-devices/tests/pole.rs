//! The pole display on a serial port (a pseudo-terminal here, opened by path as
//! `/dev/ttyUSB0` would be): each view shown reaches the display as two lines, a newer view
//! replaces one not written yet, a paid sale is followed by "Thank you", and a missing device is
//! reported in words, never waited for.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use std::time::{Duration, Instant};
use till_core::{CustomerLine, CustomerStage, CustomerView};
use till_devices::pole::{Pole, PoleTiming};
use till_testkit::pole::PtyDisplay;

const WAIT: Duration = Duration::from_secs(10);

fn timing() -> PoleTiming {
    PoleTiming {
        write: Duration::from_millis(500),
        // Long enough for a poll of the screen to see the paid view on a loaded machine before
        // the thanks replace it (200 ms was missed there).
        hold: Duration::from_secs(2),
        retry: Duration::from_millis(100),
    }
}

fn sale(lines: &[(&str, i64)]) -> CustomerView {
    CustomerView {
        stage: CustomerStage::Sale,
        store_name: "Café Nord".into(),
        locale: "de-DE".into(),
        currency: "EUR".into(),
        lines: lines
            .iter()
            .map(|(name, amount)| CustomerLine { name: (*name).into(), quantity: 1, amount: *amount })
            .collect(),
        total: lines.iter().map(|l| l.1).sum(),
        paid: 0,
        change: 0,
    }
}

async fn shows(display: &PtyDisplay, want: [&str; 2]) {
    let shown = display.wait_for(WAIT, |s| s[0] == want[0] && s[1] == want[1]).await;
    assert_eq!(shown, want.map(String::from), "bytes: {:02x?}", display.received());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_view_reaches_the_display_as_two_lines() {
    let display = PtyDisplay::open();
    let pole = Pole::start(display.path().to_path_buf(), 9600, timing());
    pole.show(&sale(&[("Croissant", 250)]));
    shows(&display, ["Croissant     2,50 €", "Summe         2,50 €"]).await;
    // Set up once, when opened: initialise, overwrite mode, PC858, clear.
    assert!(display.received().starts_with(&[0x1B, b'@', 0x1F, 0x01, 0x1B, b't', 19, 0x0C]));

    pole.show(&sale(&[("Croissant", 250), ("Grüner Tee", 320)]));
    shows(&display, ["Grüner Tee    3,20 €", "Summe         5,70 €"]).await;
    let mut paid = sale(&[("Croissant", 250), ("Grüner Tee", 320)]);
    (paid.stage, paid.paid, paid.change) = (CustomerStage::Paid, 1000, 430);
    pole.show(&paid);
    shows(&display, ["Gegeben      10,00 €", "Rückgeld      4,30 €"]).await;
    // Held, then thanks and the store's name.
    shows(&display, ["    Vielen Dank     ", "     Café Nord      "]).await;
    assert_eq!(pole.problem(), None);
    assert_eq!(
        display.received().windows(2).filter(|w| w == &[0x1B, b'@']).count(),
        1,
        "initialised once: the port stays open between views"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_view_replaces_the_held_one() {
    let display = PtyDisplay::open();
    let pole =
        Pole::start(display.path().to_path_buf(), 9600, PoleTiming { hold: Duration::from_secs(60), ..timing() });
    let mut paid = sale(&[("Croissant", 250)]);
    (paid.stage, paid.paid, paid.change) = (CustomerStage::Paid, 500, 250);
    pole.show(&paid);
    shows(&display, ["Gegeben       5,00 €", "Rückgeld      2,50 €"]).await;
    // The next sale's first scan does not wait out the hold.
    pole.show(&sale(&[("Brezel", 120)]));
    shows(&display, ["Brezel        1,20 €", "Summe         1,20 €"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_display_is_reported_never_waited_for_and_written_once_plugged_in() {
    // The device's path names nothing yet; plugging it in is a link to the pseudo-terminal.
    let folder = std::env::temp_dir().join(format!("till-pole-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).unwrap();
    let device = folder.join("ttyUSB0");
    let pole = Pole::start(device.clone(), 9600, timing());
    let started = Instant::now();
    for n in 0..50 {
        pole.show(&sale(&[("Croissant", 250 + n)]));
    }
    assert!(started.elapsed() < Duration::from_millis(50), "showing never waits: {:?}", started.elapsed());
    let deadline = Instant::now() + WAIT;
    while pole.problem().is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let problem = pole.problem().expect("the missing display is reported");
    assert!(problem.starts_with("Customer display: cannot be reached"), "{problem}");
    assert!(problem.contains(&format!("customer_display.device {}", device.display())), "{problem}");

    // Plugged in: the latest view is written on the next try, with no new view sent.
    let display = PtyDisplay::open();
    std::os::unix::fs::symlink(display.path(), &device).unwrap();
    shows(&display, ["Croissant     2,99 €", "Summe         2,99 €"]).await;
    assert_eq!(pole.problem(), None, "the problem clears once written");
    std::fs::remove_dir_all(&folder).unwrap();
}
