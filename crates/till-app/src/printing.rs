//! The register's receipt printer and cash drawer, as the app uses them: built from the system
//! device file's `[printer]` and `[drawer]`, fed after the store has recorded what they print or
//! open for, and polled by the screen (`printer_status`). A printer problem never fails or
//! holds up the command that recorded the sale: it is logged and shown.

use crate::settings::DeviceSettings;
use serde::Serialize;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use till_backend::device_file::DeviceFile;
use till_core::{Receipt, ReceiptId};
use till_devices::queue::Timing;
use till_devices::render::Copy;
use till_devices::settings::{checked, DrawerSection, DrawerSettings, PrinterSection, PrinterSettings, SettingError};
use till_devices::{Hardware, PrintError};

/// What the register screen shows about its receipt printer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PrinterStatusView {
    /// A printer (or drawer) is set up in the device file.
    pub configured: bool,
    /// The receipt printer's queue runs: the backend prints receipts as they are recorded, and
    /// a copy is a counted reprint. False where nothing can print (no printer; settings Till
    /// cannot use; only the pole display is set up), even with `configured`.
    pub prints: bool,
    /// What is wrong, a closed list: `paper_out`, `cover_open`, `offline`, `error`,
    /// `not_answering`, `unreachable`, `disconnected`, `spool`, `settings`, and
    /// `customer_display` (the pole display's, told when the printer has nothing to tell).
    /// `None`: nothing.
    pub problem: Option<String>,
    /// The problem in a cashier's words ("Printer: out of paper").
    pub message: Option<String>,
    /// Print jobs not printed yet.
    pub waiting: usize,
    pub paper_near_end: bool,
    /// The drawer's switch, where the printer reports it.
    pub drawer_open: Option<bool>,
    /// The screen asks the cashier to close the drawer before the next sale
    /// (`drawer.ask_to_close`, and the printer reports the drawer open).
    pub ask_to_close_drawer: bool,
}

/// A report to print.
pub enum Report<'a> {
    X(&'a till_core::reports::XReport),
    Z(&'a till_core::reports::ZReport),
}

/// How many receipt ids are remembered as printed: a retried `record_sale` (the same id, the
/// same receipt back) must not print the receipt again.
const REMEMBERED: usize = 256;

pub struct Devices {
    hardware: Option<Hardware>,
    /// A setting Till cannot use, or a spool folder it cannot open: shown, never fatal.
    problem: Option<(&'static str, String)>,
    ask_to_close: bool,
    printed: Mutex<VecDeque<ReceiptId>>,
}

impl Devices {
    /// The devices the system device file sets up (`None`: neither a printer nor a drawer).
    pub fn from_file(file: &DeviceFile, spool: PathBuf) -> Option<Devices> {
        Devices::new(file.printer(), file.drawer(), spool)
    }

    /// The devices an unmanaged till's settings (`device.json`, the device screen) set up.
    pub fn from_settings(settings: &DeviceSettings, spool: PathBuf) -> Option<Devices> {
        Devices::new(
            checked(&settings.printer, "printer", PrinterSection::settings),
            checked(&settings.drawer, "drawer", DrawerSection::settings),
            spool,
        )
    }

    /// The printer and drawer as checked (`None`: neither is set up). Must run on the tokio
    /// runtime (the queue's task starts here). Talks to no printer: start-up is never held.
    fn new(
        printer: Option<Result<PrinterSettings, SettingError>>,
        drawer: Option<Result<DrawerSettings, SettingError>>,
        spool: PathBuf,
    ) -> Option<Devices> {
        if printer.is_none() && drawer.is_none() {
            return None;
        }
        let mut problem = None;
        let mut note = |error: String| {
            tracing::error!("receipt printer: {error}");
            problem.get_or_insert(("settings", error));
        };
        let drawer = match drawer {
            Some(Ok(drawer)) => Some(drawer),
            Some(Err(e)) => {
                note(e.to_string());
                None
            }
            None => None,
        };
        let hardware = match printer {
            Some(Ok(settings)) => match Hardware::start(settings, drawer, spool, Timing::default()) {
                Ok(hardware) => Some(hardware),
                Err(e) => {
                    tracing::error!("receipt printer: {e}");
                    problem = Some(("spool", e.to_string()));
                    None
                }
            },
            Some(Err(e)) => {
                note(e.to_string());
                None
            }
            None => {
                note(format!("drawer: {}", till_devices::settings::DRAWER_NEEDS_PRINTER));
                None
            }
        };
        Some(Devices {
            hardware,
            problem,
            ask_to_close: drawer.is_some_and(|d| d.ask_to_close),
            printed: Mutex::default(),
        })
    }

    /// A receipt the store has just recorded (a sale or refund): printed once, with the drawer
    /// opened first for a cash tender.
    pub async fn receipt(&self, receipt: &Receipt) {
        let Some(hardware) = &self.hardware else { return };
        {
            let mut printed = self.printed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if printed.contains(&receipt.id) {
                return;
            }
            if printed.len() == REMEMBERED {
                printed.pop_front();
            }
            printed.push_back(receipt.id);
        }
        logged(&receipt.number, hardware.receipt(receipt, Copy::Original).await);
    }

    /// Stops the printer's queue between two jobs, for the devices that replace these (the
    /// device screen chose another printer): the jobs stay in the spool for the new queue, and
    /// the receipts printed are answered, so a retried sale is not printed again after the swap.
    pub async fn stop(self) -> VecDeque<ReceiptId> {
        if let Some(hardware) = self.hardware {
            hardware.stop(std::time::Duration::from_secs(10)).await;
        }
        self.printed.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// [`Devices::stop`] for devices a command may still hold for a moment (a print being
    /// queued took a clone): waits up to 2 s for it to let go. The device's lock, held by the
    /// caller, keeps any new command from taking them meanwhile.
    pub async fn stop_shared(mut devices: std::sync::Arc<Devices>) -> VecDeque<ReceiptId> {
        for _ in 0..100 {
            match std::sync::Arc::try_unwrap(devices) {
                Ok(devices) => return devices.stop().await,
                Err(shared) => devices = shared,
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        tracing::warn!("the print queue is still in use: it stops when its last command lets go");
        VecDeque::new()
    }

    /// The receipts the devices these replace printed (see [`Devices::stop`]).
    pub fn remember(&self, printed: VecDeque<ReceiptId>) {
        let mut mine = self.printed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        mine.extend(printed);
        while mine.len() > REMEMBERED {
            mine.pop_front();
        }
    }

    /// A copy the cashier asked for, after the store counted it: marked REPRINT, no drawer.
    pub async fn reprint(&self, receipt: &Receipt) {
        if let Some(hardware) = &self.hardware {
            logged(&receipt.number, hardware.receipt(receipt, Copy::Reprint).await);
        }
    }

    /// The drawer opens: a no-sale, paid in or out, drop, or the count at close, once recorded.
    pub async fn open_drawer(&self, why: &str) {
        if let Some(hardware) = &self.hardware {
            logged(why, hardware.kick().await);
        }
    }

    /// An X or Z report the user asked to print. `None`: there is no printer to print it on
    /// (its settings are wrong, or only a drawer is set up).
    pub async fn report(&self, report: Report<'_>) -> Option<Result<(), PrintError>> {
        let hardware = self.hardware.as_ref()?;
        Some(match report {
            Report::X(x) => hardware.x_report(x).await,
            Report::Z(z) => hardware.z_report(z).await,
        })
    }

    /// A test page (the device screen's button). `None`: no printer to print it on.
    pub async fn test_page(&self) -> Option<Result<(), PrintError>> {
        Some(self.hardware.as_ref()?.test_page().await)
    }

    pub fn status(&self) -> PrinterStatusView {
        let Some(hardware) = &self.hardware else {
            let (code, message) = self.problem.clone().unwrap_or(("settings", String::new()));
            return PrinterStatusView {
                configured: true,
                problem: Some(code.to_string()),
                message: Some(format!("Printer: not set up right ({message})")),
                ..PrinterStatusView::default()
            };
        };
        let state = hardware.state().borrow().clone();
        let (problem, message) = match (&state.problem, &self.problem) {
            (Some(problem), _) => (Some(problem.code().to_string()), Some(problem.words())),
            (None, Some((code, message))) => (Some(code.to_string()), Some(format!("Drawer: {message}"))),
            (None, None) => (None, None),
        };
        PrinterStatusView {
            configured: true,
            prints: true,
            problem,
            message,
            waiting: state.waiting,
            paper_near_end: state.paper_near_end,
            drawer_open: state.drawer_open,
            ask_to_close_drawer: self.ask_to_close && state.drawer_open == Some(true),
        }
    }
}

fn logged(what: &str, result: Result<(), PrintError>) {
    if let Err(e) = result {
        tracing::error!(what, "not printed: {e}");
    }
}
