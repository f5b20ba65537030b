//! The print queue: a sale is never held up or lost by its printer.
//!
//! A job's bytes are made when the store has recorded what it prints, and written to a spool
//! folder (written, fsynced, then renamed into place, so a job is whole or absent after a
//! crash). [`PrintQueue::enqueue`] returns then: the printer is a background task's business.
//! That task sends the jobs in order, asks the printer's status before each and after a
//! failure, waits longer after each failure (up to a limit), and publishes what is wrong for
//! the screen. A job is removed once the printer took all of it; one that failed half-way is
//! sent again whole, as the same bytes, so a receipt printed after a problem is not a reprint.
//!
//! Drawer kicks go first: waiting kick jobs are sent ahead of every other job, oldest first, so
//! the drawer opens while a receipt waits. A kick that is a real-time pulse (`DLE DC4`, see
//! [`crate::render::drawer_kick`]) is sent even while the printer reports paper out, paper near
//! its end, an open cover or offline, because the printer carries it out without paper; it
//! waits like any job when the printer cannot be reached, does not answer, or reports an error
//! (a printer in an error state ignores it).

use crate::link::Link;
use crate::render;
use crate::status::{PrinterStatus, Problem};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// What a job is, for the spool's file names and the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Receipt,
    Report,
    DrawerKick,
    TestPage,
}

impl JobKind {
    const ALL: [JobKind; 4] = [JobKind::Receipt, JobKind::Report, JobKind::DrawerKick, JobKind::TestPage];

    fn as_str(self) -> &'static str {
        match self {
            JobKind::Receipt => "receipt",
            JobKind::Report => "report",
            JobKind::DrawerKick => "drawer",
            JobKind::TestPage => "test",
        }
    }

    /// The kind a spooled job's name says (`<uuid>.<kind>.job`).
    fn of(job: &Path) -> Option<JobKind> {
        let kind = Path::new(job.file_stem()?).extension()?;
        JobKind::ALL.into_iter().find(|k| kind == k.as_str())
    }
}

/// What the register screen shows about its printer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrinterState {
    /// Why jobs are waiting (or, with none waiting, why the next one would).
    pub problem: Option<Problem>,
    /// Jobs not yet printed.
    pub waiting: usize,
    /// Paper is low: not a problem yet, worth a word.
    pub paper_near_end: bool,
    /// The drawer's switch, where the printer reports it (`None`: not asked yet, or a CUPS queue).
    pub drawer_open: Option<bool>,
}

/// How long the queue waits, between retries and between status checks while idle.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub first_retry: Duration,
    pub longest_retry: Duration,
    pub idle_poll: Duration,
    /// Between status checks while the printer reports the drawer open, and once after each job
    /// (a kick opens it just after): the screen asks to close it within about this long.
    pub drawer_poll: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            first_retry: Duration::from_millis(500),
            longest_retry: Duration::from_secs(10),
            idle_poll: Duration::from_secs(15),
            drawer_poll: Duration::from_secs(1),
        }
    }
}

/// The spool folder could not take a job (disk full, folder gone): the sale stands, its print
/// does not, and the caller says so.
#[derive(Debug, thiserror::Error)]
#[error("the print spool {}: {error}", folder.display())]
pub struct SpoolError {
    pub folder: PathBuf,
    pub error: std::io::Error,
}

const JOB: &str = "job";
const PARTIAL: &str = "partial";

/// The queue; its worker stops when the queue is dropped (the jobs stay in the spool), or,
/// between jobs, when [`PrintQueue::stop`] asks it to.
pub struct PrintQueue {
    spool: PathBuf,
    wake: Arc<Notify>,
    state: watch::Receiver<PrinterState>,
    /// `None` once [`PrintQueue::stop`] has taken it.
    worker: Option<tokio::task::JoinHandle<()>>,
    stopping: Arc<AtomicBool>,
}

impl Drop for PrintQueue {
    fn drop(&mut self) {
        if let Some(worker) = &self.worker {
            worker.abort();
        }
    }
}

impl PrintQueue {
    /// Opens (or makes) the spool folder and starts the worker on the current tokio runtime.
    /// Jobs left by an earlier run are printed first; partial files a crash left are removed.
    pub fn start(spool: PathBuf, link: Link, timing: Timing) -> Result<PrintQueue, SpoolError> {
        let fail = |error| SpoolError { folder: spool.clone(), error };
        std::fs::create_dir_all(&spool).map_err(fail)?;
        for entry in std::fs::read_dir(&spool).map_err(fail)? {
            let path = entry.map_err(fail)?.path();
            if path.extension().is_some_and(|e| e == PARTIAL) {
                std::fs::remove_file(&path).map_err(fail)?;
            }
        }
        let (publish, state) =
            watch::channel(PrinterState { waiting: jobs(&spool).map_err(fail)?.len(), ..PrinterState::default() });
        let wake = Arc::new(Notify::new());
        let stopping = Arc::new(AtomicBool::new(false));
        let worker = tokio::spawn(work(spool.clone(), link, timing, publish, wake.clone(), stopping.clone()));
        Ok(PrintQueue { spool, wake, state, worker: Some(worker), stopping })
    }

    /// Stops the worker between two jobs and waits for it, so that another queue may take over
    /// the spool (the device screen chose another printer): a job the printer has taken is
    /// removed first, never sent again by the next queue. A worker still busy after `patience`
    /// (a printer that hangs mid-job) is cut off as a drop would.
    pub async fn stop(mut self, patience: Duration) {
        self.stopping.store(true, Ordering::SeqCst);
        self.wake.notify_one();
        let Some(worker) = self.worker.take() else { return };
        let abort = worker.abort_handle();
        if tokio::time::timeout(patience, worker).await.is_err() {
            tracing::warn!("the print queue did not stop within {patience:?}: cut off");
            abort.abort();
        }
    }

    /// Keeps a job durably and returns; the worker prints it.
    pub async fn enqueue(&self, kind: JobKind, bytes: Vec<u8>) -> Result<(), SpoolError> {
        let folder = self.spool.clone();
        let name = format!("{}.{}", uuid::Uuid::now_v7().simple(), kind.as_str());
        let written = tokio::task::spawn_blocking(move || write_job(&folder, &name, &bytes)).await;
        let result = match written {
            Ok(result) => result,
            Err(join) => Err(std::io::Error::other(join.to_string())),
        };
        result.map_err(|error| SpoolError { folder: self.spool.clone(), error })?;
        self.wake.notify_one();
        Ok(())
    }

    /// The printer's state as the worker last saw it; `changed()` wakes on news.
    pub fn state(&self) -> watch::Receiver<PrinterState> {
        self.state.clone()
    }

    pub fn spool(&self) -> &Path {
        &self.spool
    }
}

fn sync_folder(folder: &Path) -> std::io::Result<()> {
    // A folder's fsync makes a rename or removal durable (Linux); Windows has no such call.
    #[cfg(unix)]
    std::fs::File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

fn write_job(folder: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let partial = folder.join(format!("{name}.{PARTIAL}"));
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, folder.join(format!("{name}.{JOB}")))?;
    sync_folder(folder)
}

/// The spooled jobs, oldest first (their names start with a time-ordered UUID).
fn jobs(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut jobs: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == JOB))
        .collect();
    jobs.sort();
    Ok(jobs)
}

async fn work(
    spool: PathBuf,
    link: Link,
    timing: Timing,
    publish: watch::Sender<PrinterState>,
    wake: Arc<Notify>,
    stopping: Arc<AtomicBool>,
) {
    let mut retry = timing.first_retry;
    // Jobs printed whose file could not be removed: never sent twice.
    let mut delivered: HashSet<PathBuf> = HashSet::new();
    let mut last_status: Option<PrinterStatus> = None;
    // A job was just printed: its kick may open the drawer a moment after the printer took it.
    let mut just_printed = false;
    loop {
        // Asked to stop (PrintQueue::stop): here, between jobs, never halfway through one.
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let listed = {
            let spool = spool.clone();
            tokio::task::spawn_blocking(move || jobs(&spool)).await
        };
        let pending: Vec<PathBuf> = match listed {
            Ok(Ok(jobs)) => jobs.into_iter().filter(|j| !delivered.contains(j)).collect(),
            Ok(Err(e)) => {
                report(&publish, Some(Problem::Spool { detail: e.to_string() }), 0, last_status);
                wait(&wake, retry).await;
                retry = (retry * 2).min(timing.longest_retry);
                continue;
            }
            Err(_) => return,
        };
        // The oldest kick first, then the oldest job: the drawer never waits behind receipts.
        let kick = pending.iter().find(|job| JobKind::of(job) == Some(JobKind::DrawerKick));
        let Some(job) = kick.or(pending.first()) else {
            // Idle: keep the screen's word about the printer fresh (paper out before a sale).
            let problem = match link.status().await {
                Ok(status) => {
                    last_status = status;
                    status.and_then(|s| s.problem())
                }
                Err(problem) => Some(problem),
            };
            report(&publish, problem, 0, last_status);
            let drawer_open = last_status.is_some_and(|s| s.drawer_open);
            let pause =
                if drawer_open || std::mem::take(&mut just_printed) { timing.drawer_poll } else { timing.idle_poll };
            wait(&wake, pause).await;
            continue;
        };
        let outcome = deliver(&link, job).await;
        match outcome {
            Ok(status) => {
                last_status = status.or(last_status);
                retry = timing.first_retry;
                just_printed = true;
                let removed = {
                    let job = job.clone();
                    let spool = spool.clone();
                    tokio::task::spawn_blocking(move || std::fs::remove_file(&job).and_then(|()| sync_folder(&spool)))
                        .await
                };
                if !matches!(removed, Ok(Ok(()))) {
                    tracing::error!(job = %job.display(), "a printed job could not be removed from the spool");
                    delivered.insert(job.clone());
                }
                // A kick sent through paper out leaves the paper out: the screen keeps saying so.
                report(&publish, last_status.and_then(|s| s.problem()), pending.len() - 1, last_status);
            }
            Err(problem) => {
                tracing::warn!(job = %job.display(), %problem, "print job waits");
                // After a failure, the status says best what the cashier should do.
                let problem = match link.status().await {
                    Ok(Some(status)) => {
                        last_status = Some(status);
                        status.problem().unwrap_or(problem)
                    }
                    Ok(None) | Err(_) => problem,
                };
                report(&publish, Some(problem), pending.len(), last_status);
                wait(&wake, retry).await;
                retry = (retry * 2).min(timing.longest_retry);
            }
        }
    }
}

/// One job: the status first (a job sent to a printer without paper would sit in its buffer,
/// or be lost), then the bytes. A real-time kick goes through paper out and an open cover (the
/// printer pulses the drawer without paper), not through an error the printer reports (it
/// ignores the pulse then). A kick whose sending failed half-way is sent again whole, like any
/// job: a second pulse to a drawer already open does nothing, and the printer ignores a pulse
/// that arrives while it is still putting one out, so a resent kick is safe where a resent
/// receipt would not be (which is why a job is removed once the printer took it, never resent
/// after).
async fn deliver(link: &Link, job: &Path) -> Result<Option<PrinterStatus>, Problem> {
    let status = link.status().await?;
    let bytes = tokio::fs::read(job).await.map_err(|e| Problem::Spool { detail: e.to_string() })?;
    if let Some(problem) = status.and_then(|s| s.problem()) {
        let pulse_without_paper = JobKind::of(job) == Some(JobKind::DrawerKick)
            && render::is_realtime_kick(&bytes)
            && status.is_some_and(|s| !s.error);
        if !pulse_without_paper {
            return Err(problem);
        }
    }
    link.send(&bytes).await?;
    // A printer that went away during the job (power cut) may have kept quiet about it: one
    // that cannot answer now did not print it whole, and it is sent again.
    link.status().await.map(|after| after.or(status))
}

fn report(
    publish: &watch::Sender<PrinterState>,
    problem: Option<Problem>,
    waiting: usize,
    status: Option<PrinterStatus>,
) {
    let state = PrinterState {
        problem,
        waiting,
        paper_near_end: status.is_some_and(|s| s.paper_near_end),
        drawer_open: status.map(|s| s.drawer_open),
    };
    publish.send_if_modified(|current| {
        let changed = *current != state;
        *current = state;
        changed
    });
}

/// Until `how_long` passes or a new job arrives.
async fn wait(wake: &Notify, how_long: Duration) {
    tokio::select! {
        () = wake.notified() => {}
        () = tokio::time::sleep(how_long) => {}
    }
}
