//! `tillctl device check` and `doctor` with the device file's receipt printer, against an
//! emulated network printer on loopback: its status is asked, `--print-test` prints a test page,
//! a printer problem is told in a cashier's words, and a setting Till cannot use is named.

use crate::device::check as line;
use std::path::PathBuf;
use till_testkit::printer::{EmulatedPrinter, Fault};

fn device_file(hardware: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("till-printer-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("device.toml");
    let database = dir.join("till.db");
    std::fs::write(
        &file,
        format!(
            "[database]\nurl = \"sqlite://{}\"\n\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n\n{hardware}",
            database.display()
        ),
    )
    .unwrap();
    (dir, file.display().to_string())
}

/// tillctl on the blocking pool, so the emulated printer (on this runtime) can answer it.
async fn tillctl(args: &[&str], env: &[(&str, &str)]) -> (bool, serde_json::Value) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tillctl"))
            .arg("--json")
            .args(&args)
            .env_remove("TILL_DATABASE_URL")
            .envs(env)
            .output()
            .unwrap();
        let json =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tillctl printed no JSON ({e}): {out:?}"));
        (out.status.success(), json)
    })
    .await
    .unwrap()
}

fn network(port: u16) -> String {
    format!("[printer]\nconnection = \"network\"\nhost = \"127.0.0.1\"\nport = {port}\ntimeout_ms = 500\n\n[drawer]\npin = 5\npulse_ms = 120\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_check_asks_the_printer_and_prints_a_test_page() {
    let printer = EmulatedPrinter::start().await;
    let (dir, file) = device_file(&network(printer.port()));

    let (_, report) = tillctl(&["device", "check", "--file", &file], &[]).await;
    let status = line(&report, "printer");
    assert_eq!(status["ok"], true, "{report}");
    assert!(status["detail"].as_str().unwrap().contains("ready (42 columns, PC858)"), "{status}");
    assert!(printer.status_queries() >= 4, "DLE EOT 1..4 were asked");
    assert_eq!(printer.paper().cuts(), 0, "no test page unless asked");
    assert_eq!(
        line(&report, "drawer")["detail"],
        "pin 5, 200 ms pulse (DLE DC4: opens even while out of paper), on the printer's port"
    );

    let (_, report) = tillctl(&["device", "check", "--file", &file, "--print-test"], &[]).await;
    assert_eq!(line(&report, "test page")["ok"], true, "{report}");
    let paper = printer.paper();
    assert_eq!(paper.big_lines(), vec!["TEST PAGE"]);
    assert!(paper.has("€ £ äöü ÄÖÜ ß"), "{}", paper.text());
    assert_eq!(paper.cuts(), 1);
    assert!(paper.kicks().is_empty(), "a test page does not open the drawer");

    // Out of paper: the check fails in the cashier's words, and no test page is sent.
    printer.set_fault(Fault::PaperOut);
    let (ok, report) = tillctl(&["device", "check", "--file", &file, "--print-test"], &[]).await;
    assert!(!ok);
    let status = line(&report, "printer");
    assert_eq!(status["ok"], false);
    assert!(status["detail"].as_str().unwrap().ends_with("Printer: out of paper"), "{status}");
    assert_eq!(line(&report, "test page")["ok"], false);
    assert_eq!(printer.paper().cuts(), 1, "nothing more printed");

    // doctor reports the devices too, as warnings: its verdict is the database's.
    let (_, report) = tillctl(&["doctor"], &[("TILL_DEVICE_FILE", &file)]).await;
    let status = line(&report, "printer");
    assert_eq!((status["ok"].clone(), status["warning"].clone()), (true.into(), true.into()), "{report}");
    assert!(status["detail"].as_str().unwrap().contains("out of paper"), "{status}");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setting_till_cannot_use_is_named_and_a_silent_printer_cannot_hang_the_check() {
    let (dir, file) = device_file(
        "[printer]\nconnection = \"network\"\nhost = \"127.0.0.1\"\ncode_page = \"PC999\"\n\n[drawer]\npin = 3\n",
    );
    let (ok, report) = tillctl(&["device", "check", "--file", &file], &[]).await;
    assert!(!ok);
    assert_eq!(line(&report, "device file")["ok"], true, "the file itself stays usable: {report}");
    let status = line(&report, "printer");
    assert!(
        status["detail"].as_str().unwrap().starts_with("printer.code_page: \"PC999\" is not a code page"),
        "{status}"
    );
    assert!(line(&report, "drawer")["detail"].as_str().unwrap().starts_with("drawer.pin: 3"), "{report}");

    let printer = EmulatedPrinter::start().await;
    printer.set_fault(Fault::Silent);
    let (dir2, file) = device_file(&network(printer.port()));
    let started = std::time::Instant::now();
    let (ok, report) = tillctl(&["device", "check", "--file", &file, "--print-test"], &[]).await;
    assert!(!ok);
    assert!(line(&report, "printer")["detail"].as_str().unwrap().contains("Printer: not answering"), "{report}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(dir2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_check_reports_the_pole_display_the_register_drives() {
    let display = till_testkit::pole::PtyDisplay::open();
    let pole = |device: &str| format!("[customer_display]\nkind = \"pole\"\ndevice = {device:?}\nbaud = 9600\n");
    let (dir, file) = device_file(&pole(&display.path().display().to_string()));
    let (_, report) = tillctl(&["device", "check", "--file", &file], &[]).await;
    let status = line(&report, "customer display");
    assert_eq!(status["ok"], true, "{report}");
    assert_eq!(
        status["detail"],
        format!(
            "pole display on {} at 9600 baud, driven by the register (each scan, the total, paid and change)",
            display.path().display()
        )
    );

    let (dir2, file) = device_file(&pole("/dev/till-no-such-pole"));
    let (ok, report) = tillctl(&["device", "check", "--file", &file], &[]).await;
    assert!(!ok);
    let status = line(&report, "customer display");
    assert_eq!(status["detail"], "pole display on /dev/till-no-such-pole at 9600 baud: no such device", "{report}");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(dir2);
}
