//! Runs the real `tillctl` binary, one process per attempt, and records the request and the
//! answer in the history. A scheduled SIGKILL ends the process at a random moment.

use crate::history::{Answer, Event, History, Op, Request};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use uuid::Uuid;

/// What the soak sends: a command with its id and content.
#[derive(Debug, Clone)]
pub struct Call {
    pub op: Op,
    pub key: Uuid,
    pub args: Vec<String>,
    pub content: Option<Value>,
    pub about: Value,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Exit 0 with JSON: acknowledged.
    Ok(Value),
    /// `{"error": {"code": ...}}` with a code that says the database did not answer
    /// (`database_unavailable`, `database_busy`): the same request is sent again.
    Transient(String),
    /// `{"error": {"code": ...}}` with any other code.
    Refused(String),
    /// A non-zero exit with JSON that is no error (`journal verify` finding problems).
    NotOk(Value),
    /// Ended by a signal (the soak's SIGKILL).
    Killed,
    /// No answer within the time limit (killed then).
    TimedOut,
    /// An exit without JSON on standard output (a panic, say).
    Garbled,
}

impl Outcome {
    /// For a message: how the attempt ended.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Ok(json) | Outcome::NotOk(json) => cut(&json.to_string(), 500),
            Outcome::Transient(code) | Outcome::Refused(code) => format!("error {code}"),
            Outcome::Killed => "killed".into(),
            Outcome::TimedOut => "no answer in time".into(),
            Outcome::Garbled => "no JSON".into(),
        }
    }
}

pub const TRANSIENT: &[&str] = &["database_unavailable", "database_busy"];

pub struct Tillctl {
    pub bin: PathBuf,
    pub url: String,
    pub history: Arc<History>,
    pub timeout: Duration,
}

/// At most `max` characters of `text`.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A receipt's or Z's QR drawing is kilobytes of SVG the audit never reads.
fn without_drawings(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(svg) = map.get_mut("qr_svg") {
                *svg = Value::String("(left out)".into());
            }
            map.values_mut().for_each(without_drawings);
        }
        Value::Array(items) => items.iter_mut().for_each(without_drawings),
        _ => {}
    }
}

enum Ended {
    Exited(std::io::Result<std::process::ExitStatus>),
    Kill,
    Timeout,
}

impl Tillctl {
    /// One attempt of `call`. `kill_after`: send SIGKILL that long after the start.
    pub async fn run(&self, call: &Call, attempt: u32, replay: bool, kill_after: Option<Duration>) -> Outcome {
        let kill_after_ms = kill_after.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.history.record(&Event::Request(Request {
            seq: self.history.next_seq(),
            t_ms: self.history.now_ms(),
            op: call.op,
            key: call.key,
            attempt,
            replay,
            args: call.args.clone(),
            content: call.content.clone(),
            about: call.about.clone(),
            kill_after_ms,
        }));
        let started = Instant::now();
        let mut command = tokio::process::Command::new(&self.bin);
        command
            .arg("--json")
            .arg("--database-url")
            .arg(&self.url)
            .args(&call.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut answer = Answer {
            seq: 0,
            t_ms: 0,
            op: call.op,
            key: call.key,
            attempt,
            replay,
            ms: 0,
            exit: None,
            signal: None,
            kill_sent: false,
            timed_out: false,
            json: None,
            stdout: String::new(),
            stderr: String::new(),
        };
        let outcome = match command.spawn() {
            Err(e) => {
                answer.stderr = format!("cannot start {}: {e}", self.bin.display());
                Outcome::Garbled
            }
            Ok(mut child) => {
                let out = drain(child.stdout.take());
                let err = drain(child.stderr.take());
                let kill = async {
                    match kill_after {
                        Some(delay) => tokio::time::sleep(delay).await,
                        None => std::future::pending::<()>().await,
                    }
                };
                let ended = tokio::select! {
                    status = child.wait() => Ended::Exited(status),
                    () = kill => Ended::Kill,
                    () = tokio::time::sleep(self.timeout) => Ended::Timeout,
                };
                let status = match ended {
                    Ended::Exited(status) => status,
                    Ended::Kill => {
                        answer.kill_sent = true;
                        let _ = child.start_kill();
                        child.wait().await
                    }
                    Ended::Timeout => {
                        answer.timed_out = true;
                        let _ = child.start_kill();
                        child.wait().await
                    }
                };
                let stdout = String::from_utf8_lossy(&out.await.unwrap_or_default()).into_owned();
                answer.stderr = cut(String::from_utf8_lossy(&err.await.unwrap_or_default()).trim(), 2000);
                match status {
                    Err(e) => {
                        answer.stderr = format!("cannot wait for tillctl: {e}");
                        Outcome::Garbled
                    }
                    Ok(status) => {
                        use std::os::unix::process::ExitStatusExt;
                        answer.exit = status.code();
                        answer.signal = status.signal();
                        classify(&mut answer, &stdout)
                    }
                }
            }
        };
        answer.ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        answer.seq = self.history.next_seq();
        answer.t_ms = self.history.now_ms();
        self.history.record(&Event::Answer(answer));
        outcome
    }
}

fn classify(answer: &mut Answer, stdout: &str) -> Outcome {
    if answer.signal.is_some() {
        answer.stdout = cut(stdout.trim(), 2000);
        return if answer.timed_out { Outcome::TimedOut } else { Outcome::Killed };
    }
    let Ok(mut json) = serde_json::from_str::<Value>(stdout) else {
        answer.stdout = cut(stdout.trim(), 2000);
        return Outcome::Garbled;
    };
    without_drawings(&mut json);
    answer.json = Some(json.clone());
    if let Some(code) = answer.error_code() {
        let code = code.to_string();
        return if TRANSIENT.contains(&code.as_str()) { Outcome::Transient(code) } else { Outcome::Refused(code) };
    }
    if answer.exit == Some(0) {
        Outcome::Ok(json)
    } else {
        Outcome::NotOk(json)
    }
}

/// Reads a pipe to its end in its own task, so a full pipe never stalls the child.
fn drain<R: tokio::io::AsyncRead + Unpin + Send + 'static>(pipe: Option<R>) -> tokio::task::JoinHandle<Vec<u8>> {
    tokio::spawn(async move {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf).await;
        }
        buf
    })
}
