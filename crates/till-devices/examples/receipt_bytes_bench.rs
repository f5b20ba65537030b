//! How soon a recorded sale's receipt is ready for the printer (issue 20: its bytes within 10 ms
//! of the recorded sale, and the next scan taken before the printer finishes), with a
//! reference measured in the same run, as the machine's speed swings:
//! - rendering the receipt's ESC/POS bytes, against writing the same receipt's text lines into
//!   a String (the floor of any layout);
//! - the job made durable in the spool (written, fsynced, renamed, the folder fsynced), against
//!   one plain write + fsync of the same bytes in the same folder (the disk's floor).
//!
//! `cargo run --release -p till-devices --example receipt_bytes_bench [ROUNDS]` (scripts/bench).
//! The printer named is one nobody listens on: the jobs wait in the spool, as they would while
//! the printer is busy, and the enqueue's time is the sale's only wait.

use std::io::Write;
use std::time::{Duration, Instant};
use till_core::sales::ReceiptTender;
use till_devices::queue::Timing;
use till_devices::render::{self, Copy, Layout};
use till_devices::settings::{CodePage, Connection, DrawerPin, DrawerSettings, Paper, PrinterSettings};
use till_devices::Hardware;

/// The median and p99, in nanoseconds.
fn median_and_p99(mut times: Vec<Duration>) -> (u128, u128) {
    times.sort();
    (times[times.len() / 2].as_nanos(), times[(times.len() * 99 / 100).min(times.len() - 1)].as_nanos())
}

/// Nanoseconds as milliseconds with three decimals: no floating point in this workspace.
fn ms(ns: u128) -> String {
    format!("{}.{:03}", ns / 1_000_000, ns / 1_000 % 1_000)
}

/// `a / b` with two decimals.
fn ratio(a: u128, b: u128) -> String {
    let hundredths = a * 100 / b.max(1);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(500).max(10);
    let cash = ReceiptTender { kind: "cash".into(), amount: 2000, reference: None };
    let receipt = till_testkit::receipts::bakery(vec![cash], 800);
    let layout = Layout { paper: Paper::Mm80, code_page: CodePage::Pc858, logo: None };

    let (mut rendering, mut plain) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let started = Instant::now();
        let bytes = render::receipt(&receipt, Copy::Original, &layout)?;
        rendering.push(started.elapsed());
        std::hint::black_box(bytes);
        let started = Instant::now();
        let mut text = String::new();
        for line in &receipt.lines {
            text.push_str(&format!("{:<30}{:>12}\n{} x {}\n", line.name, line.total, line.quantity, line.unit_price));
        }
        for tax in &receipt.taxes {
            text.push_str(&format!("{} {} {} {}\n", tax.name, tax.net, tax.tax, tax.gross));
        }
        plain.push(started.elapsed());
        std::hint::black_box(text);
    }

    let spool = std::env::temp_dir().join(format!("till-bench-spool-{}", std::process::id()));
    std::fs::create_dir_all(&spool)?;
    let printer = PrinterSettings {
        connection: Connection::Network { host: "127.0.0.1".into(), port: 9 },
        paper: Paper::Mm80,
        code_page: CodePage::Pc858,
        logo: None,
        timeout: Duration::from_millis(200),
        ask_status: true,
    };
    let drawer = DrawerSettings { pin: DrawerPin::Pin2, pulse_units: 50, ask_to_close: false, realtime: true };
    let hardware = Hardware::start(printer, Some(drawer), spool.join("queue"), Timing::default())?;
    let bytes = render::receipt(&receipt, Copy::Original, &layout)?;
    let (mut queueing, mut raw) = (Vec::new(), Vec::new());
    for round in 0..rounds.min(200) {
        let started = Instant::now();
        hardware.receipt(&receipt, Copy::Original).await?;
        queueing.push(started.elapsed());
        let started = Instant::now();
        let mut file = std::fs::File::create(spool.join(format!("raw-{round}")))?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        raw.push(started.elapsed());
    }
    drop(hardware);
    std::fs::remove_dir_all(&spool)?;

    let (render_p50, render_p99) = median_and_p99(rendering);
    let (plain_p50, _) = median_and_p99(plain);
    let (queue_p50, queue_p99) = median_and_p99(queueing);
    let (raw_p50, _) = median_and_p99(raw);
    println!(
        "  receipt bytes ready   p50 {} ms  p99 {} ms  ({} bytes; target <= 10 ms)",
        ms(render_p50),
        ms(render_p99),
        bytes.len()
    );
    println!(
        "    reference: its lines formatted into a String, p50 {} ms (render / reference {})",
        ms(plain_p50),
        ratio(render_p50, plain_p50)
    );
    println!("  kick + receipt durable in the spool  p50 {} ms  p99 {} ms", ms(queue_p50), ms(queue_p99));
    println!(
        "    reference: one write + fsync of the same bytes, p50 {} ms (spool / reference {})",
        ms(raw_p50),
        ratio(queue_p50, raw_p50)
    );
    Ok(())
}
