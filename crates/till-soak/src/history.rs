//! The soak's history: every request (command, ids, content) and every answer (exit code,
//! signal, JSON), one JSON object per line, written as it happens so that a run cut short still
//! leaves what it did. The audit reads the file back: the file, not the program's memory, is
//! what is checked against the database (`till-soak check` re-checks a file later).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use uuid::Uuid;

/// What a request asks tillctl to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Provision,
    StartShift,
    CloseShift,
    Sale,
    Refund,
    PaidIn,
    PaidOut,
    Drop,
    NoSale,
    ReportX,
    ReportZ,
    JournalVerify,
    Unlock,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Provision => "provision",
            Op::StartShift => "start_shift",
            Op::CloseShift => "close_shift",
            Op::Sale => "sale",
            Op::Refund => "refund",
            Op::PaidIn => "paid_in",
            Op::PaidOut => "paid_out",
            Op::Drop => "drop",
            Op::NoSale => "no_sale",
            Op::ReportX => "report_x",
            Op::ReportZ => "report_z",
            Op::JournalVerify => "journal_verify",
            Op::Unlock => "unlock",
        }
    }

    /// Writes carry a caller-chosen id (the request's key) that a retry repeats.
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Op::StartShift | Op::CloseShift | Op::Sale | Op::Refund | Op::PaidIn | Op::PaidOut | Op::Drop | Op::NoSale
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    pub seq: u64,
    pub t_ms: u64,
    pub op: Op,
    /// The id the command carries (`--id`, `--request-id`); a fresh one for reads.
    pub key: Uuid,
    /// 1 for the first try; retries and replays count on.
    pub attempt: u32,
    /// A deliberate repeat of an id that already had its answer (not a retry after a failure).
    pub replay: bool,
    /// tillctl's arguments after `--json --database-url URL`.
    pub args: Vec<String>,
    /// The cart or refund file's content.
    pub content: Option<Value>,
    /// What the soak meant: register, session, receipt, kind, amount.
    pub about: Value,
    /// The SIGKILL the soak scheduled for this process, in ms after its start.
    pub kill_after_ms: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Answer {
    pub seq: u64,
    pub t_ms: u64,
    pub op: Op,
    pub key: Uuid,
    pub attempt: u32,
    pub replay: bool,
    pub ms: u64,
    pub exit: Option<i32>,
    pub signal: Option<i32>,
    /// The soak sent SIGKILL (it may have exited first).
    pub kill_sent: bool,
    pub timed_out: bool,
    /// Standard output as JSON (a receipt's QR drawing left out), when it was JSON.
    pub json: Option<Value>,
    /// Standard output when it was not JSON, and standard error, cut to 2,000 characters.
    pub stdout: String,
    pub stderr: String,
}

impl Answer {
    /// The answer's error code, when it is `{"error": {"code": ...}}`.
    pub fn error_code(&self) -> Option<&str> {
        self.json.as_ref()?.get("error")?.get("code")?.as_str()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Meta {
        /// The wall-clock time of `t_ms` 0.
        started_at: chrono::DateTime<chrono::Utc>,
        backend: String,
        database: String,
        seconds: u64,
        processes: usize,
        seed: u64,
        tillctl: String,
        kill_permille: u64,
    },
    Request(Request),
    Answer(Answer),
    /// A PostgreSQL backend of tillctl's terminated by the soak.
    BackendKill {
        t_ms: u64,
        pid: i32,
        terminated: bool,
    },
    Note {
        t_ms: u64,
        text: String,
    },
    /// The workload stopped; what follows is the final verify.
    WorkloadEnd {
        t_ms: u64,
    },
}

/// The history file being written.
pub struct History {
    file: Mutex<std::io::BufWriter<std::fs::File>>,
    started: Instant,
    pub started_at: chrono::DateTime<chrono::Utc>,
    seq: AtomicU64,
}

impl History {
    pub fn create(path: &Path) -> std::io::Result<History> {
        let file = std::fs::OpenOptions::new().create(true).truncate(true).write(true).open(path)?;
        Ok(History {
            file: Mutex::new(std::io::BufWriter::new(file)),
            started: Instant::now(),
            started_at: till_core::clock::system_now(),
            seq: AtomicU64::new(0),
        })
    }

    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Appends one event and flushes it: a killed soak keeps every line it wrote.
    pub fn record(&self, event: &Event) {
        let line = match serde_json::to_string(event) {
            Ok(line) => line,
            Err(e) => format!("{{\"type\":\"note\",\"t_ms\":0,\"text\":\"unencodable event: {e}\"}}"),
        };
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if writeln!(file, "{line}").and_then(|()| file.flush()).is_err() {
            eprintln!("till-soak: cannot write the history file");
        }
    }

    pub fn note(&self, text: impl Into<String>) {
        self.record(&Event::Note { t_ms: self.now_ms(), text: text.into() });
    }
}

/// Reads a history file back; a line that does not parse is an error naming it.
pub fn read(path: &Path) -> Result<Vec<Event>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut events = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let event = serde_json::from_str(&line).map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?;
        events.push(event);
    }
    Ok(events)
}
