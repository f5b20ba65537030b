//! The register's hardware, without Tauri: ESC/POS receipts and reports ([`render`]), the
//! printer's connections and status ([`link`], [`status`]), the cash drawer kick, and the print
//! queue that never blocks or loses a sale ([`queue`]); the customer's pole display ([`pole`]).
//! Settings come from the device file's `[printer]`, `[drawer]` and `[customer_display]`
//! sections ([`settings`]).

pub mod link;
pub mod pole;
pub mod queue;
pub mod render;
pub mod settings;
pub mod status;

use queue::{JobKind, PrintQueue, PrinterState, SpoolError, Timing};
use render::{Copy, Layout, RenderError};
use settings::{DrawerSettings, PrinterSettings};
use std::path::PathBuf;
use till_core::reports::{XReport, ZReport};
use till_core::sales::Receipt;

/// Why a print could not be queued. The sale, count or movement it belongs to is recorded
/// regardless.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Spool(#[from] SpoolError),
}

/// The register's receipt printer and the drawer on its port, with their queue.
pub struct Hardware {
    layout: Layout,
    drawer: Option<DrawerSettings>,
    queue: PrintQueue,
    connection: String,
}

impl Hardware {
    /// Starts the queue (on the current tokio runtime) over `spool`. Nothing here talks to the
    /// printer: an unreachable printer is the queue's to report, never a reason not to start.
    pub fn start(
        printer: PrinterSettings,
        drawer: Option<DrawerSettings>,
        spool: PathBuf,
        timing: Timing,
    ) -> Result<Hardware, SpoolError> {
        let layout = Layout { paper: printer.paper, code_page: printer.code_page, logo: printer.logo };
        let connection = printer.connection.to_string();
        let queue = PrintQueue::start(spool, link::Link::new(printer), timing)?;
        Ok(Hardware { layout, drawer, queue, connection })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// A recorded receipt: an original with a cash tender kicks the drawer (the cashier makes
    /// change while it prints); a card-only one and a reprint do not. The kick is its own job,
    /// queued first: the queue sends it ahead of waiting jobs, and, as a real-time pulse, even
    /// while the printer is out of paper or its cover is open, while the receipt waits for them.
    /// The kick does not depend on the receipt: a receipt that cannot be rendered still has
    /// its drawer opened.
    pub async fn receipt(&self, receipt: &Receipt, copy: Copy) -> Result<(), PrintError> {
        if let (Copy::Original, Some(drawer)) = (copy, &self.drawer) {
            if receipt.tenders.iter().any(|t| t.kind == "cash") {
                self.queue.enqueue(JobKind::DrawerKick, render::drawer_kick(drawer)).await?;
            }
        }
        let bytes = self.receipt_bytes(receipt, copy)?;
        self.queue.enqueue(JobKind::Receipt, bytes).await?;
        Ok(())
    }

    /// The receipt's job as [`Hardware::receipt`] queues it (its kick is a job of its own).
    pub fn receipt_bytes(&self, receipt: &Receipt, copy: Copy) -> Result<Vec<u8>, RenderError> {
        render::receipt(receipt, copy, &self.layout)
    }

    /// Opens the drawer (no-sale, paid in/out, drop, the count at close), if one is set up:
    /// ahead of waiting receipts, and through paper out (see [`Hardware::receipt`]).
    pub async fn kick(&self) -> Result<(), PrintError> {
        if let Some(drawer) = &self.drawer {
            self.queue.enqueue(JobKind::DrawerKick, render::drawer_kick(drawer)).await?;
        }
        Ok(())
    }

    pub async fn x_report(&self, x: &XReport) -> Result<(), PrintError> {
        let bytes = render::x_report(x, &self.layout)?;
        Ok(self.queue.enqueue(JobKind::Report, bytes).await?)
    }

    pub async fn z_report(&self, z: &ZReport) -> Result<(), PrintError> {
        let bytes = render::z_report(z, &self.layout)?;
        Ok(self.queue.enqueue(JobKind::Report, bytes).await?)
    }

    pub async fn test_page(&self) -> Result<(), PrintError> {
        let bytes = render::test_page(&self.layout, &self.connection)?;
        Ok(self.queue.enqueue(JobKind::TestPage, bytes).await?)
    }

    /// What the screen shows about the printer; `changed()` wakes on news.
    pub fn state(&self) -> tokio::sync::watch::Receiver<PrinterState> {
        self.queue.state()
    }

    /// Stops the queue between jobs (see [`PrintQueue::stop`]); the jobs stay in the spool.
    pub async fn stop(self, patience: std::time::Duration) {
        self.queue.stop(patience).await;
    }

    pub fn has_drawer(&self) -> bool {
        self.drawer.is_some()
    }
}
