//! `till-soak`: Till's soak (run by `scripts/soak`, never by the test command). Many real
//! `tillctl` processes run mixed operations against one fresh database for minutes: shifts
//! started and joined from two devices, sales, refunds racing on the same sale's lines, cash
//! movements, closes, X and Z reports and journal verifies. Some processes are SIGKILLed at a
//! random moment and, on PostgreSQL, tillctl's backends are terminated at random; a write that
//! got no answer is sent again with the same id. Every request and answer goes to a JSONL
//! history, which is checked at the end against what the database holds (see `audit`).
//!
//!     till-soak run --tillctl target/release/tillctl --database-url URL --seconds 300 \
//!         --processes 8 --history soak.jsonl --work DIR
//!     till-soak check --tillctl ... --database-url URL --history soak.jsonl

mod audit;
mod db;
mod history;
mod rng;
mod tillctl;
mod workload;

use clap::{Parser, Subcommand};
use history::{Event, History};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "till-soak", about = "Soak Till with many killed tillctl processes, then audit the history")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Provision a fresh database, run the workload, then audit it.
    Run {
        #[arg(long)]
        tillctl: PathBuf,
        /// A fresh database: sqlite:///path/till.db, or postgres://owner@host/db (as the owner:
        /// the soak terminates tillctl's backends with it).
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value_t = 300)]
        seconds: u64,
        /// Workers, each running one tillctl process at a time (refund races run several).
        #[arg(long, default_value_t = 8)]
        processes: usize,
        /// The JSONL history to write.
        #[arg(long)]
        history: PathBuf,
        /// A folder for the cart and refund files.
        #[arg(long)]
        work: PathBuf,
        /// Default: from the clock (printed, so a run's choices can be told apart).
        #[arg(long)]
        seed: Option<u64>,
        /// Attempts that get a SIGKILL at a random moment, per thousand.
        #[arg(long, default_value_t = 150)]
        kill_permille: u64,
        /// A tillctl process with no answer after this many seconds is killed (an anomaly).
        #[arg(long, default_value_t = 120)]
        timeout: u64,
    },
    /// Audit a history file against the database again (no workload).
    Check {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        history: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Run { tillctl, database_url, seconds, processes, history, work, seed, kill_permille, timeout } => {
            let seed = seed.unwrap_or_else(|| {
                let nanos = till_core::clock::system_now().timestamp_nanos_opt().unwrap_or(1);
                nanos.unsigned_abs()
            });
            let log = match History::create(&history) {
                Ok(log) => Arc::new(log),
                Err(e) => {
                    eprintln!("till-soak: cannot write {}: {e}", history.display());
                    return ExitCode::from(2);
                }
            };
            if let Err(e) = std::fs::create_dir_all(&work) {
                eprintln!("till-soak: cannot create {}: {e}", work.display());
                return ExitCode::from(2);
            }
            let pg = database_url.starts_with("postgres");
            log.record(&Event::Meta {
                started_at: log.started_at,
                backend: if pg { "postgres" } else { "sqlite" }.into(),
                database: redacted(&database_url),
                seconds,
                processes,
                seed,
                tillctl: tillctl.display().to_string(),
                kill_permille,
            });
            let runner = tillctl::Tillctl {
                bin: tillctl,
                url: database_url.clone(),
                history: Arc::clone(&log),
                timeout: Duration::from_secs(timeout),
            };
            let mut rng = rng::Rng::new(seed);
            let settings = workload::Settings { seconds, processes, kill_permille, pg_killer: pg, work };
            let soak = Arc::new(workload::Soak::new(runner, settings));
            if let Err(e) = soak.setup(&mut rng).await {
                eprintln!("till-soak: {e}");
                return ExitCode::from(2);
            }
            eprintln!("till-soak: provisioned; running {seconds} s with {processes} processes (seed {seed})");
            soak.run(&mut rng).await;
            soak.verify(&mut rng, true).await;
            check(&database_url, &history).await
        }
        Command::Check { database_url, history } => check(&database_url, &history).await,
    }
}

/// The URL without its password (`postgres://till:***@host/db`): the history is kept.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let Some((credentials, host)) = rest.split_once('@') else { return url.to_string() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// Reads the history and the database, prints the summary and every anomaly.
async fn check(database_url: &str, history: &std::path::Path) -> ExitCode {
    let events = match history::read(history) {
        Ok(events) => events,
        Err(e) => {
            eprintln!("till-soak: {e}");
            return ExitCode::from(2);
        }
    };
    let snapshot = match db::Db::open(database_url).await {
        Ok(db) => db::snapshot(&db).await,
        Err(e) => Err(e),
    };
    let snapshot = match snapshot {
        Ok(s) => s,
        Err(e) => {
            eprintln!("till-soak: cannot read the database: {e}");
            return ExitCode::from(2);
        }
    };
    let report = audit::audit(&events, &snapshot);
    for line in &report.summary {
        println!("{line}");
    }
    for a in &report.anomalies {
        match &a.request {
            Some(request) => println!("ANOMALY {} | request: {request}", a.what),
            None => println!("ANOMALY {}", a.what),
        }
    }
    println!("history: {}", history.display());
    if report.anomalies.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_never_reaches_the_history() {
        assert_eq!(super::redacted("postgres://till:secret@db:5432/till"), "postgres://till:***@db:5432/till");
        assert_eq!(super::redacted("postgres://till@db/till"), "postgres://till@db/till");
        assert_eq!(super::redacted("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }
}
