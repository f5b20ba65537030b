//! `tillctl backup` and `tillctl restore`: the embedded database copied, verified, into a folder
//! (a USB drive), and a copy put back. The work is [`till_backend::backup`], which the desktop
//! app shares; neither command opens the store (a backup must not migrate the file it copies,
//! and a restore refuses a file any program has open).

use crate::output::{Output, Printable};
use crate::CliError;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use till_backend::backup::{self, BackupError, CopySummary};

#[derive(Args)]
pub struct BackupArgs {
    /// The folder the copies go in (a mounted USB drive, a network share). It must exist: a drive
    /// that is not plugged in is refused, never written to its empty mount point.
    #[arg(long, value_name = "DIR")]
    to: PathBuf,
    /// How many copies the folder keeps: the newest N till-YYYYMMDDTHHMMSSZ.db files; older ones
    /// are deleted (no other file is touched).
    #[arg(long, value_name = "N", default_value_t = backup::DEFAULT_KEEP,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    keep: usize,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup copy (a till-YYYYMMDDTHHMMSSZ.db file `tillctl backup` wrote).
    from: PathBuf,
    /// Restore. Without it the copy is only checked, and the answer says what would happen.
    #[arg(long)]
    yes: bool,
}

impl From<BackupError> for CliError {
    fn from(e: BackupError) -> Self {
        CliError::new(e.error_code(), e.to_string())
    }
}

/// `tillctl backup`: `url` is the database the other commands use.
pub(crate) async fn backup(url: &str, out: Output, args: &BackupArgs) -> Result<ExitCode, CliError> {
    let taken = backup::take_backup(url, &args.to, args.keep, till_core::clock::system_now()).await?;
    out.print(&Taken(taken));
    Ok(ExitCode::SUCCESS)
}

/// `tillctl restore`: a dry run unless `--yes`.
pub(crate) async fn restore(url: &str, out: Output, args: &RestoreArgs) -> Result<ExitCode, CliError> {
    let restore = backup::restore(&args.from, url, till_core::clock::system_now(), args.yes).await?;
    out.print(&Restored { dry_run: !restore.restored, restore });
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
#[serde(transparent)]
struct Taken(backup::Backup);

impl Printable for Taken {
    fn human(&self) -> String {
        let b = &self.0;
        let mut text = format!(
            "backed up {} to {} ({} bytes), verified: integrity ok, schema ok, journal ok\n{}",
            b.database.display(),
            b.file.display(),
            b.bytes,
            holds(&b.holds)
        );
        let names: Vec<String> = b.removed.iter().map(|p| p.display().to_string()).collect();
        text.push_str(&match names.as_slice() {
            [] => format!("\n  removed    nothing (the folder keeps the newest {})", b.keep),
            names => format!("\n  removed    {} (the folder keeps the newest {})", names.join(", "), b.keep),
        });
        text
    }
}

#[derive(Serialize)]
struct Restored {
    #[serde(flatten)]
    restore: backup::Restore,
    /// True when nothing was changed (no `--yes`).
    dry_run: bool,
}

impl Printable for Restored {
    fn human(&self) -> String {
        let r = &self.restore;
        let verified =
            format!("{} verified: integrity ok, schema ok, journal ok\n{}", r.from.display(), holds(&r.holds));
        let aside = match (&r.kept_aside, r.restored) {
            (Some(aside), true) => format!("the database it replaced is kept as {}", aside.display()),
            (Some(aside), false) => format!("the current database would be kept aside as {}", aside.display()),
            (None, true) => "there was no database there before".to_string(),
            (None, false) => "there is no database there yet".to_string(),
        };
        if r.restored {
            format!("{verified}\nrestored {} from this copy; {aside}", r.database.display())
        } else {
            format!(
                "{verified}\ndry run, nothing changed: with --yes this copy would replace {}, and {aside}. Close Till \
                 on this PC first, then run the same command with --yes",
                r.database.display()
            )
        }
    }
}

fn holds(h: &CopySummary) -> String {
    let last_receipt = match &h.last_receipt {
        Some(r) => format!("; last receipt {} ({}) at {}", r.number, r.register, r.at.format("%Y-%m-%d %H:%M:%S UTC")),
        None => String::new(),
    };
    let last_z = match &h.last_z {
        Some(z) => format!(
            "session {} ({}{}) closed at {}",
            z.session,
            z.register,
            z.z_number.map(|n| format!(", Z {n}")).unwrap_or_default(),
            z.closed_at.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => "none (no session was closed)".to_string(),
    };
    format!(
        "  holds      {} receipt(s){last_receipt}\n  last Z     {last_z}\n  database   {}",
        h.receipts,
        h.database_identity.as_deref().unwrap_or("no identity")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn keep_is_ten_unless_given_and_never_zero() {
        let parse = |args: &[&str]| crate::Cli::try_parse_from([&["tillctl"], args].concat());
        let Ok(crate::Cli { command: crate::Command::Backup(args), .. }) = parse(&["backup", "--to", "/mnt/usb"])
        else {
            panic!("backup --to parses")
        };
        assert_eq!((args.to, args.keep), (PathBuf::from("/mnt/usb"), 10));
        assert!(parse(&["backup", "--to", "/mnt/usb", "--keep", "0"]).is_err());
        assert!(parse(&["backup"]).is_err(), "--to is required");
        let Ok(crate::Cli { command: crate::Command::Restore(args), .. }) = parse(&["restore", "copy.db"]) else {
            panic!("restore FROM parses")
        };
        assert!(!args.yes, "a restore is a dry run unless --yes");
    }

    async fn run(url: &str, args: &[&str]) -> Result<ExitCode, CliError> {
        let cli = crate::Cli::try_parse_from([&["tillctl", "--json", "--database-url", url], args].concat());
        crate::run(
            cli.map_err(|e| CliError::new(till_core::ErrorCode::InvalidInput, e.to_string()))?,
            Output { json: true },
        )
        .await
    }

    /// Through the command line: the database comes from --database-url like every command's,
    /// the store is never opened (so never migrated, and a PostgreSQL URL needs no server), and
    /// refusals carry the codes scripts match on.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn backup_and_restore_from_the_command_line() {
        let db = till_testkit::TestDatabase::new(till_testkit::Backend::Sqlite).await;
        let file = PathBuf::from(db.url.strip_prefix("sqlite://").unwrap_or_default());
        let usb = file.with_file_name("usb");
        let usb_text = usb.display().to_string();

        let missing = run(&db.url, &["backup", "--to", &usb_text]).await.err().map(|e| (e.code, e.message));
        let Some((code, message)) = missing else { panic!("a missing folder is refused") };
        assert_eq!(code, till_core::ErrorCode::InvalidInput);
        assert!(message.contains(&usb_text) && message.contains("plug in"), "{message}");
        assert!(!usb.exists());

        std::fs::create_dir(&usb).unwrap_or_default();
        let none = run(&db.url, &["backup", "--to", &usb_text]).await.err().map(|e| e.code);
        assert_eq!(none, Some(till_core::ErrorCode::InvalidInput), "no database file: none is created");
        assert!(!file.exists());

        drop(db.open().await);
        assert!(run(&db.url, &["backup", "--to", &usb_text, "--keep", "2"]).await.is_ok());
        let copies: Vec<PathBuf> = std::fs::read_dir(&usb).into_iter().flatten().flatten().map(|e| e.path()).collect();
        let [copy] = copies.as_slice() else { panic!("one copy in {copies:?}") };
        let copy_text = copy.display().to_string();
        assert!(run(&db.url, &["restore", &copy_text]).await.is_ok(), "a dry run");
        let kept_aside = || {
            let siblings = std::fs::read_dir(file.parent().unwrap_or(&file)).into_iter().flatten().flatten();
            siblings.filter(|e| e.file_name().to_string_lossy().starts_with("till.db.before-restore-")).count()
        };
        assert_eq!(kept_aside(), 0, "a dry run changes nothing");
        assert!(run(&db.url, &["restore", &copy_text, "--yes"]).await.is_ok());
        assert_eq!(kept_aside(), 1, "the database it replaced is kept aside");

        let pg = "postgres://till:s3cret@db.invalid:5432/till";
        for args in [&["backup", "--to", &usb_text][..], &["restore", &copy_text, "--yes"]] {
            let refused = run(pg, args).await.err().map(|e| (e.code, e.message));
            let Some((code, message)) = refused else { panic!("PostgreSQL is refused") };
            assert_eq!(code, till_core::ErrorCode::InvalidInput);
            assert!(message.contains("pg_dump") && !message.contains("s3cret"), "{message}");
        }
    }

    #[test]
    fn the_answer_names_the_copy_what_it_holds_and_what_was_removed() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-29T02:05:09Z").map(|t| t.to_utc()).ok();
        let Some(at) = at else { panic!("a time") };
        let holds = CopySummary {
            database_identity: Some("0192f0c4-0000-7000-8000-000000000001".into()),
            receipts: 152,
            last_receipt: Some(backup::LastReceipt { number: "DT-R1-000152".into(), register: "DT/R1".into(), at }),
            last_z: Some(backup::LastZ {
                session: "DT-20261128-001".into(),
                register: "DT/R1".into(),
                z_number: Some(12),
                closed_at: at,
            }),
        };
        let taken = Taken(backup::Backup {
            database: "/var/lib/till/till.db".into(),
            file: "/mnt/usb/till-20261129T020509Z.db".into(),
            bytes: 4096,
            holds: holds.clone(),
            removed: vec!["/mnt/usb/till-20261119T020000Z.db".into()],
            keep: 10,
        });
        let text = taken.human();
        for part in [
            "/mnt/usb/till-20261129T020509Z.db",
            "4096 bytes",
            "152 receipt(s)",
            "DT-R1-000152",
            "DT-20261128-001",
            "Z 12",
            "till-20261119T020000Z.db",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        let json = serde_json::to_value(&taken).unwrap_or_default();
        assert_eq!(json["file"], "/mnt/usb/till-20261129T020509Z.db");
        assert_eq!(json["bytes"], 4096);
        assert_eq!(json["holds"]["last_z"]["session"], "DT-20261128-001");
        assert_eq!(json["removed"][0], "/mnt/usb/till-20261119T020000Z.db");

        let plan = Restored {
            restore: backup::Restore {
                from: "/mnt/usb/till-20261129T020509Z.db".into(),
                database: "/var/lib/till/till.db".into(),
                holds,
                kept_aside: Some("/var/lib/till/till.db.before-restore-20261130T090000Z".into()),
                restored: false,
            },
            dry_run: true,
        };
        let text = plan.human();
        assert!(text.contains("dry run, nothing changed") && text.contains("--yes"), "{text}");
        assert!(text.contains("till.db.before-restore-20261130T090000Z"), "{text}");
        let json = serde_json::to_value(&plan).unwrap_or_default();
        assert_eq!((json["dry_run"].as_bool(), json["restored"].as_bool()), (Some(true), Some(false)));
    }
}
