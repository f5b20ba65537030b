//! The pole display as the app drives it: started from the system device file's
//! `[customer_display] kind = "pole"`, fed every view the register's window sends the customer
//! (`show_customer`: the same [`CustomerView`] the display's window reads, so it holds nothing
//! secret either), and its problems told on the register's printer banner (`printer_status`).
//! It never fails or holds up the command that fed it.

use crate::printing::PrinterStatusView;
use std::sync::OnceLock;
use till_backend::device_file::DeviceFile;
use till_core::CustomerView;
use till_devices::pole::{Pole, PoleTiming};
use till_devices::settings::CustomerDisplaySettings;

/// The problem code `printer_status` answers for the pole display (beside the printer's).
pub const PROBLEM: &str = "customer_display";

/// The register's pole display, if its device file sets one up.
#[derive(Default)]
pub struct CustomerPole {
    /// Decided the first time the device file is read: the pole, or why its settings cannot be
    /// used (`None`: no pole).
    pole: OnceLock<Option<Result<Pole, String>>>,
}

impl CustomerPole {
    /// Starts the pole the device file sets up, the first time it is called (on the tokio
    /// runtime: the writer's task starts here). Opens nothing: start-up is never held.
    pub fn start(&self, file: &DeviceFile) {
        self.pole.get_or_init(|| match file.customer_display()? {
            Ok(CustomerDisplaySettings::Pole { device, baud }) => {
                Some(Ok(Pole::start(device, baud, PoleTiming::default())))
            }
            Ok(CustomerDisplaySettings::Window) => None,
            Err(e) => {
                tracing::error!("customer display: {e}");
                Some(Err(format!("Customer display: not set up right ({e})")))
            }
        });
    }

    /// Shows `view` (already checked) on the pole, if there is one. Never waits.
    pub fn show(&self, view: &CustomerView) {
        if let Some(Some(Ok(pole))) = self.pole.get() {
            pole.show(view);
        }
    }

    /// The printer's status for the banner, with the pole's problem when the printer has none
    /// to tell (the printer's come first: a receipt matters more than the customer's display).
    pub fn status(&self, mut status: PrinterStatusView) -> PrinterStatusView {
        let problem = match self.pole.get() {
            Some(Some(Ok(pole))) => pole.problem(),
            Some(Some(Err(problem))) => Some(problem.clone()),
            Some(None) | None => None,
        };
        if let (None, Some(message)) = (&status.problem, problem) {
            status.configured = true;
            status.problem = Some(PROBLEM.into());
            status.message = Some(message);
        }
        status
    }
}
