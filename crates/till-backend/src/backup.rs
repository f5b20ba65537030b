//! Backups of the embedded SQLite database, for a one-PC store whose records would otherwise go
//! with its disk: [`take_backup`] (an online copy taken while the till sells, verified, named by
//! its time, then the folder rotated), [`verify_copy`], [`rotate`] and [`restore`]. `tillctl
//! backup` / `tillctl restore` call these, and the desktop app can call [`take_backup`] after a
//! close.
//!
//! A copy is kept only once it is verified: `PRAGMA integrity_check` says ok, it opens as a Till
//! store without migrating (the schema check passes), and the journal verifies. A PostgreSQL
//! database is refused: IT backs it up on the server (`pg_dump`, or WAL archiving) and restores
//! it with `pg_restore` (docs/operations.md, "Backups").
//!
//! Every function takes paths or URLs, and `now` where a time names a file.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use till_core::{BackendKind, ErrorCode, StoreError, StoreFailure, StoreOptions};

/// How old what an interrupted backup left must be before [`rotate`] deletes it: no backup of
/// a store's file takes that long, so an older temporary file is no running backup's.
pub const LEFTOVER_AGE: Duration = Duration::from_secs(3600);

/// How many copies a folder keeps when the caller does not say.
pub const DEFAULT_KEEP: usize = 10;

/// How long to wait for SQLite locks: a sale's write transaction on the live file, or the
/// connections of a store that verified a copy, still closing.
const LOCK_WAIT: Duration = Duration::from_secs(5);

/// Why a backup or a restore did not happen. Nothing half-done is left behind: a copy that was
/// not verified is deleted, and a restore that fails puts the current database back.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "the backup folder {} does not exist: plug in the backup drive (and check it is mounted there) or create the \
         folder, then run the backup again; nothing was written",
        .0.display()
    )]
    FolderMissing(PathBuf),
    #[error("{} is not a folder: give the folder the copies go in", .0.display())]
    NotAFolder(PathBuf),
    #[error("{} is not a full path: give the folder's full path, like /media/till/TILL-USB", .0.display())]
    NotAbsolute(PathBuf),
    #[error("no {what} at {}", path.display())]
    Missing { what: &'static str, path: PathBuf },
    #[error("keep at least 1 copy (asked to keep {0})")]
    KeepNone(usize),
    #[error(
        "{database} is a PostgreSQL database: tillctl backup and restore copy the embedded SQLite file only. IT backs \
         PostgreSQL up on the server (pg_dump -Fc nightly, keeping the last N dumps, or continuous WAL archiving with \
         pg_basebackup) and restores it with pg_restore: see docs/operations.md, Backups"
    )]
    Postgres { database: String },
    /// A copy offered for a restore (or checked on its own) failed a check.
    #[error("{} failed verification, so it was not used: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
    /// The copy just taken of the live database failed a check: it was deleted. The live
    /// database (or the disk the copy went to) needs looking at.
    #[error(
        "the copy of {} failed verification, so it was deleted and no backup was kept: {reason}; check the database \
         with `tillctl doctor` and `tillctl journal verify`, and the backup drive",
        database.display()
    )]
    Unverified { database: PathBuf, reason: String },
    #[error(
        "{} is in use (the Till app or another tillctl has it open): close Till on this PC, then restore again; \
         nothing was changed",
        .0.display()
    )]
    InUse(PathBuf),
    #[error("cannot {what} {}: {source}", path.display())]
    Io { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    /// The stable code (`tillctl --json`, the app's `{code, message}`).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            BackupError::FolderMissing(_)
            | BackupError::NotAFolder(_)
            | BackupError::NotAbsolute(_)
            | BackupError::Missing { .. }
            | BackupError::KeepNone(_)
            | BackupError::Postgres { .. }
            | BackupError::Damaged { .. } => ErrorCode::InvalidInput,
            BackupError::Unverified { .. } => ErrorCode::Internal,
            BackupError::InUse(_) => ErrorCode::DatabaseBusy,
            BackupError::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                    ErrorCode::DatabaseMisconfigured
                }
                _ => ErrorCode::DatabaseUnavailable,
            },
            BackupError::Store(e) => e.error_code(),
        }
    }
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BackupError {
    let path = path.to_path_buf();
    move |source| BackupError::Io { what, path, source }
}

/// What a verified copy holds, for a person deciding whether it is the one they want.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopySummary {
    /// The database's identity (`tillctl doctor` shows the live one's).
    pub database_identity: Option<String>,
    /// Receipts (sales and refunds) in the copy.
    pub receipts: i64,
    /// The newest receipt.
    pub last_receipt: Option<LastReceipt>,
    /// The newest close (Z) of a session.
    pub last_z: Option<LastZ>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastReceipt {
    pub number: String,
    pub register: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastZ {
    /// The session's number (`DT-20261128-001`).
    pub session: String,
    pub register: String,
    /// The register's Z number, when the close made one.
    pub z_number: Option<i64>,
    pub closed_at: DateTime<Utc>,
}

/// A backup that was taken, verified and kept.
#[derive(Debug, Clone, Serialize)]
pub struct Backup {
    /// The database that was copied.
    pub database: PathBuf,
    /// The copy (`till-YYYYMMDDTHHMMSSZ.db`).
    pub file: PathBuf,
    pub bytes: u64,
    pub holds: CopySummary,
    /// Older copies the rotation deleted.
    pub removed: Vec<PathBuf>,
    /// How many copies the folder keeps.
    pub keep: usize,
}

/// A restore, done or (dry run) planned.
#[derive(Debug, Clone, Serialize)]
pub struct Restore {
    pub from: PathBuf,
    /// The database file the copy replaces (or becomes).
    pub database: PathBuf,
    pub holds: CopySummary,
    /// Where the current database was (or would be) kept: `<file>.before-restore-<UTC time>`;
    /// `None` when there was no database file.
    pub kept_aside: Option<PathBuf>,
    /// False for a dry run: nothing was changed.
    pub restored: bool,
}

/// The SQLite file a database URL names; a PostgreSQL URL is refused with what IT runs instead.
pub fn sqlite_file(url: &str) -> Result<PathBuf, BackupError> {
    match crate::backend_kind(url)? {
        BackendKind::Postgres => Err(BackupError::Postgres { database: crate::redact(url) }),
        BackendKind::Sqlite => {
            let options = SqliteConnectOptions::from_str(url).map_err(|e| {
                BackupError::Store(StoreFailure::Unavailable(format!("bad SQLite URL {url:?}: {e}")).into())
            })?;
            Ok(options.get_filename().to_path_buf())
        }
    }
}

/// The name of a copy taken at `now`: `till-YYYYMMDDTHHMMSSZ.db` (UTC).
pub fn backup_name(now: DateTime<Utc>) -> String {
    format!("till-{}.db", stamp(now))
}

fn stamp(now: DateTime<Utc>) -> String {
    now.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A copy's place in time from its name: `till-<stamp>.db` is copy 1 of that second,
/// `till-<stamp>-N.db` copy N. Other names (`till-demo.db` among them) are not copies.
fn copy_key(name: &str) -> Option<(String, u32)> {
    let rest = name.strip_prefix("till-")?.strip_suffix(".db")?;
    let (stamp, counter) = match rest.split_once('-') {
        Some((stamp, n)) => (stamp, n.parse::<u32>().ok().filter(|v| *v >= 2 && v.to_string() == n)?),
        None => (rest, 1),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let (date, time) = stamp.strip_suffix('Z')?.split_once('T')?;
    (digits(date, 8) && digits(time, 6)).then(|| (stamp.to_string(), counter))
}

/// Takes a backup of the SQLite database `url` names into `dir`, while the till may be selling:
/// `VACUUM INTO` a temporary file in `dir` (one consistent moment of the database), verified
/// ([`verify_copy`]'s checks), then renamed `till-YYYYMMDDTHHMMSSZ.db` for `now` (`-2`, `-3`...
/// when that name exists), and the folder rotated to the newest `keep` copies ([`rotate`]).
///
/// `dir` must exist: a missing folder is refused (`invalid_input`), never created, since a
/// backup drive that is not plugged in must not fill the empty mount point instead.
/// PostgreSQL is refused with what to run instead. A copy that fails a check is deleted and
/// answered as `internal`: the live database or the drive needs looking at.
pub async fn take_backup(url: &str, dir: &Path, keep: usize, now: DateTime<Utc>) -> Result<Backup, BackupError> {
    let database = sqlite_file(url)?;
    if keep == 0 {
        return Err(BackupError::KeepNone(keep));
    }
    let dir = existing_folder(dir)?;
    if !database.is_file() {
        return Err(BackupError::Missing { what: "database file", path: database });
    }
    let temp = dir.join(format!(".till-backup-{}-{}.tmp", stamp(now), unique()));
    let taken = copy_verified(url, &database, &temp).await;
    let holds = match taken {
        Ok(holds) => holds,
        Err(e) => {
            remove_with_sidecars(&temp);
            return Err(e);
        }
    };
    let file = match reserve_name(&dir, now)
        .and_then(|file| std::fs::rename(&temp, &file).map_err(io("rename the copy to", &file)).map(|()| file))
    {
        Ok(file) => file,
        Err(e) => {
            remove_with_sidecars(&temp);
            return Err(e);
        }
    };
    sync_folder(&dir);
    let bytes = std::fs::metadata(&file).map_err(io("read", &file))?.len();
    let removed = rotate(&dir, keep, Some(&file))?;
    tracing::info!(copy = %file.display(), bytes, removed = removed.len(), "backup taken");
    Ok(Backup { database, file, bytes, holds, removed, keep })
}

/// `VACUUM INTO temp`, made private and durable, then verified in place.
async fn copy_verified(url: &str, database: &Path, temp: &Path) -> Result<CopySummary, BackupError> {
    // Read-only, never created: a copy reads one snapshot of the file (WAL: sales go on).
    let source = SqliteConnectOptions::from_str(url)
        .map_err(|e| BackupError::Store(StoreFailure::Unavailable(format!("bad SQLite URL: {e}")).into()))?
        .read_only(true)
        .create_if_missing(false)
        .busy_timeout(LOCK_WAIT);
    let mut conn = source.connect().await.map_err(|e| sqlite_error(database, e))?;
    // Created empty and private first (VACUUM INTO accepts an empty file): a copy holds PIN
    // hashes, and is never readable by others, not even while it is written.
    let mut create = std::fs::OpenOptions::new();
    create.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
    create.open(temp).map_err(io("create", temp))?;
    let vacuumed = sqlx::query("VACUUM INTO ?1").bind(temp.to_string_lossy().into_owned()).execute(&mut conn).await;
    let _ = conn.close().await;
    vacuumed.map_err(|e| match e {
        sqlx::Error::Database(db) if is_busy(db.as_ref()) => sqlite_error(database, sqlx::Error::Database(db)),
        sqlx::Error::Database(db) => BackupError::Io {
            what: "write the copy",
            path: temp.to_path_buf(),
            source: std::io::Error::other(db.message().to_string()),
        },
        other => BackupError::Store(StoreFailure::Unavailable(other.to_string()).into()),
    })?;
    make_private(temp);
    sync_file(temp)?;
    verify_in_place(temp).await.map_err(|e| match e {
        BackupError::Damaged { reason, .. } => BackupError::Unverified { database: database.to_path_buf(), reason },
        other => other,
    })
}

/// Checks a copy: `PRAGMA integrity_check` says ok, it opens as a Till store without migrating
/// (the schema check passes), and its journal verifies. Answers what it holds, or
/// [`BackupError::Damaged`] with the reason. The file itself is not changed: the checks run on
/// a scratch copy in the system's temporary folder.
pub async fn verify_copy(path: &Path) -> Result<CopySummary, BackupError> {
    if !path.is_file() {
        return Err(BackupError::Missing { what: "backup copy", path: path.to_path_buf() });
    }
    let scratch = std::env::temp_dir().join(format!(".till-verify-{}.tmp", unique()));
    let checked = async {
        copy_file(path, &scratch).await?;
        verify_in_place(&scratch).await
    }
    .await;
    remove_with_sidecars(&scratch);
    checked.map_err(|e| match e {
        BackupError::Damaged { reason, .. } => BackupError::Damaged { path: path.to_path_buf(), reason },
        other => other,
    })
}

/// The checks of [`verify_copy`] on a file this module owns (opening it as a store switches it to
/// WAL for a moment); it is left as one file in rollback mode, without sidecars.
async fn verify_in_place(path: &Path) -> Result<CopySummary, BackupError> {
    let damaged = |reason: String| BackupError::Damaged { path: path.to_path_buf(), reason };
    let options = SqliteConnectOptions::new().filename(path).create_if_missing(false).busy_timeout(LOCK_WAIT);
    let mut conn = options.connect().await.map_err(|e| damaged(format!("it does not open as SQLite: {}", said(&e))))?;
    let integrity: Result<Vec<String>, sqlx::Error> =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&mut conn).await;
    let _ = conn.close().await;
    match integrity {
        Ok(rows) if rows == ["ok"] => {}
        Ok(rows) => {
            let shown: Vec<String> = rows.into_iter().take(3).collect();
            return Err(damaged(format!("SQLite's integrity check failed: {}", shown.join("; "))));
        }
        Err(e) => return Err(damaged(format!("SQLite's integrity check failed: {}", said(&e)))),
    }
    let journal = async {
        let options = StoreOptions { migrate: false, max_connections: 2, ..StoreOptions::default() };
        let store = crate::open(&sqlite_url(path), &options)
            .await
            .map_err(|e| damaged(format!("it is not a Till database this Till can open: {e}")))?;
        let report = till_core::service::verify_journal(store.as_ref(), &[])
            .await
            .map_err(|e| damaged(format!("its journal cannot be read: {e}")))?;
        if !report.ok {
            let problems: Vec<String> = report
                .chains
                .iter()
                .flat_map(|c| {
                    let chain = c.register.clone().unwrap_or_else(|| c.chain_id.to_string());
                    c.problems.iter().map(move |p| format!("{chain} entry {}: {}", p.seq, p.what))
                })
                .collect();
            let first: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
            return Err(damaged(format!(
                "its journal does not verify ({} problem(s)): {}",
                problems.len(),
                first.join("; ")
            )));
        }
        let identity = store.database_identity().await.map_err(|e| damaged(e.to_string()))?;
        Ok(identity.map(|id| id.to_string()))
    }
    .await;
    // The store's connections close on their own threads: wait for them before the file is
    // put back in rollback mode, read and renamed.
    let settled = settle(path).await;
    let summary = match (journal, settled) {
        (Ok(identity), Ok(mut conn)) => {
            let summary = summarise(&mut conn, identity).await;
            let _ = conn.close().await;
            summary.map_err(|e| damaged(format!("it cannot be read: {}", said(&e))))
        }
        (Ok(_), Err(e)) => Err(e),
        (Err(e), settled) => {
            if let Ok(conn) = settled {
                let _ = conn.close().await;
            }
            Err(e)
        }
    };
    remove_sidecars(path);
    summary
}

/// Puts a file this module owns back in rollback mode (checkpointing and deleting its WAL) once
/// every other connection to it has closed, and answers a connection to it.
async fn settle(path: &Path) -> Result<SqliteConnection, BackupError> {
    let options = SqliteConnectOptions::new().filename(path).create_if_missing(false).busy_timeout(LOCK_WAIT);
    let mut conn = options.connect().await.map_err(|e| sqlite_error(path, e))?;
    let deadline = tokio::time::Instant::now() + LOCK_WAIT;
    loop {
        let mode: Result<String, sqlx::Error> =
            sqlx::query_scalar("PRAGMA journal_mode = DELETE").fetch_one(&mut conn).await;
        let busy = match &mode {
            Ok(mode) => !mode.eq_ignore_ascii_case("delete"),
            Err(sqlx::Error::Database(db)) => is_busy(db.as_ref()),
            Err(_) => false,
        };
        match mode {
            Ok(_) if !busy => return Ok(conn),
            _ if busy && tokio::time::Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(20)).await,
            Ok(mode) => {
                return Err(BackupError::Store(
                    StoreFailure::Busy(format!(
                        "{} stayed in {mode} mode: another connection still has it open",
                        path.display()
                    ))
                    .into(),
                ))
            }
            Err(e) => return Err(sqlite_error(path, e)),
        }
    }
}

async fn summarise(conn: &mut SqliteConnection, database_identity: Option<String>) -> Result<CopySummary, sqlx::Error> {
    let receipts: i64 = sqlx::query_scalar("SELECT count(*) FROM sales").fetch_one(&mut *conn).await?;
    let last_receipt: Option<(String, String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT x.number, s.location_code || '/' || s.register_code, x.at
         FROM sales x JOIN sessions s ON s.id = x.session_id ORDER BY x.at DESC, x.rowid DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let last_z: Option<(String, String, Option<i64>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT s.number, s.location_code || '/' || s.register_code, z.z_number, s.closed_at
         FROM sessions s LEFT JOIN z_reports z ON z.session_id = s.id
         WHERE s.status = 'closed' ORDER BY s.closed_at DESC, s.rowid DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(CopySummary {
        database_identity,
        receipts,
        last_receipt: last_receipt.map(|(number, register, at)| LastReceipt { number, register, at }),
        last_z: last_z.map(|(session, register, z_number, closed_at)| LastZ { session, register, z_number, closed_at }),
    })
}

/// Keeps the newest `keep` copies in `dir` (by the time in their names) and deletes the older
/// ones; `just_taken` is always kept and counts as one of them. Only files named as this module
/// names copies (`till-YYYYMMDDTHHMMSSZ.db`, `till-...Z-N.db`) are considered: `till.db`,
/// `till-demo.db` and anything else in the folder are left alone. Answers what it deleted.
///
/// What a backup killed half-way left behind is deleted too, once it is older than
/// [`LEFTOVER_AGE`] (younger, it may be another backup's, still running): its temporary copy
/// (`.till-backup-*.tmp` and sidecars) and the empty file that reserved its name. An empty
/// reserved name is never counted as a copy, so it cannot push a real one out.
pub fn rotate(dir: &Path, keep: usize, just_taken: Option<&Path>) -> Result<Vec<PathBuf>, BackupError> {
    if keep == 0 {
        return Err(BackupError::KeepNone(keep));
    }
    let taken_name = just_taken.and_then(Path::file_name);
    let mut copies = Vec::new();
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io("list", dir))? {
        let entry = entry.map_err(io("list", dir))?;
        let name = entry.file_name();
        let Ok(meta) = entry.metadata() else { continue };
        if Some(name.as_os_str()) == taken_name || !meta.is_file() {
            continue;
        }
        let leftover_temp = name.to_str().is_some_and(|n| n.starts_with(".till-backup-") && n.contains(".tmp"));
        let key = name.to_str().and_then(copy_key);
        let reserved_only = key.is_some() && meta.len() == 0;
        if leftover_temp || reserved_only {
            let old = meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|age| age > LEFTOVER_AGE);
            // Best effort: a leftover that will not go is no reason to call this backup failed.
            if old {
                match std::fs::remove_file(entry.path()) {
                    Ok(()) => removed.push(entry.path()),
                    Err(e) => {
                        tracing::warn!(file = %entry.path().display(), "cannot delete an interrupted backup's leftover: {e}")
                    }
                }
            }
            continue;
        }
        let Some(key) = key else { continue };
        copies.push((key, entry.path()));
    }
    copies.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    let room = keep - usize::from(just_taken.is_some());
    for (_, path) in copies.into_iter().skip(room) {
        std::fs::remove_file(&path).map_err(io("delete the old copy", &path))?;
        removed.push(path);
    }
    removed.sort();
    Ok(removed)
}

/// Restores the copy `from` as the SQLite database `url` names. The copy is first copied beside
/// the database (or, when the database's folder does not exist yet and `apply` is false, to the
/// system's temporary folder) and that copy verified, so what is put in place is what was
/// checked; a copy that fails is refused with the reason ([`BackupError::Damaged`]) and nothing
/// else changes.
///
/// Without `apply` (a dry run) it stops there and answers what the copy holds and where the
/// current database would be kept. With `apply`: the current database is put in rollback mode
/// (its WAL checkpointed into it; refused as [`BackupError::InUse`] while any program has it
/// open), renamed `<file>.before-restore-<UTC time>` with any sidecar files, and the verified
/// copy renamed into its place. PostgreSQL is refused: IT restores it with `pg_restore`.
pub async fn restore(from: &Path, url: &str, now: DateTime<Utc>, apply: bool) -> Result<Restore, BackupError> {
    let database = sqlite_file(url)?;
    if !from.is_file() {
        return Err(BackupError::Missing { what: "backup copy", path: from.to_path_buf() });
    }
    let folder = match database.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.to_path_buf(),
        None => PathBuf::from("."),
    };
    let staging = match (folder.is_dir(), apply) {
        (true, _) => folder.clone(),
        (false, true) => {
            create_private_folder(&folder)?;
            folder.clone()
        }
        (false, false) => std::env::temp_dir(),
    };
    let file_name = database.file_name().map_or_else(|| "till.db".into(), |n| n.to_string_lossy().into_owned());
    let staged = staging.join(format!(".{file_name}.restore-{}-{}.tmp", stamp(now), unique()));
    let checked = async {
        copy_file(from, &staged).await?;
        make_private(&staged);
        sync_file(&staged)?;
        verify_in_place(&staged).await
    }
    .await;
    let holds = match checked {
        Ok(holds) => holds,
        Err(e) => {
            remove_with_sidecars(&staged);
            return Err(match e {
                BackupError::Damaged { reason, .. } => BackupError::Damaged { path: from.to_path_buf(), reason },
                other => other,
            });
        }
    };
    let aside = database.exists().then(|| aside_name(&database, now));
    let plan =
        Restore { from: from.to_path_buf(), database: database.clone(), holds, kept_aside: aside, restored: false };
    if !apply {
        remove_with_sidecars(&staged);
        return Ok(plan);
    }
    let swapped = swap_in(&database, &staged, plan.kept_aside.as_deref()).await;
    if swapped.is_err() {
        remove_with_sidecars(&staged);
    }
    swapped?;
    sync_folder(&folder);
    tracing::info!(database = %database.display(), from = %from.display(), "database restored from a backup");
    Ok(Restore { restored: true, ..plan })
}

/// `<file>.before-restore-<UTC time>`, with `-2`, `-3`... when that exists.
fn aside_name(database: &Path, now: DateTime<Utc>) -> PathBuf {
    let base = format!("{}.before-restore-{}", database.display(), stamp(now));
    (1..)
        .map(|n| if n == 1 { PathBuf::from(&base) } else { PathBuf::from(format!("{base}-{n}")) })
        .find(|p| !p.exists() && !with_suffix(p, "-wal").exists())
        .unwrap_or_else(|| PathBuf::from(base))
}

/// Moves the current database (if any) and its sidecars to `aside`, then `staged` into its place;
/// puts the current database back if that fails. Holds the store's open lock (`<file>.lock`)
/// meanwhile, so no Till opens or migrates it half-way.
async fn swap_in(database: &Path, staged: &Path, aside: Option<&Path>) -> Result<(), BackupError> {
    let lock = lock_exclusively(database, ".lock")?;
    // Every open store holds `<file>.inuse` shared for its life (till-sqlite's `InUse`): taken
    // here exclusively, it proves no Till has the file open, and keeps one from opening it until
    // the copy is in place. SQLite's own check (`quiesce`) misses a store whose pools are idle.
    let in_use = lock_exclusively(database, ".inuse")?;
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    if let Some(aside) = aside {
        quiesce(database).await?;
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let (from, to) = (with_suffix(database, suffix), with_suffix(aside, suffix));
            if !from.exists() {
                continue;
            }
            if let Err(e) = std::fs::rename(&from, &to) {
                undo(&moved);
                return Err(io("keep the current database aside as", &to)(e));
            }
            moved.push((from, to));
        }
    }
    if let Err(e) = std::fs::rename(staged, database) {
        undo(&moved);
        return Err(io("put the copy in place of", database)(e));
    }
    drop(in_use);
    drop(lock);
    Ok(())
}

/// `<database><suffix>` locked exclusively, or [`BackupError::InUse`] when a Till holds it.
fn lock_exclusively(database: &Path, suffix: &str) -> Result<std::fs::File, BackupError> {
    let path = till_sqlite::lock_file_path(database, suffix);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io("open the lock file", &path))?;
    file.try_lock().map_err(|_| BackupError::InUse(database.to_path_buf()))?;
    Ok(file)
}

fn undo(moved: &[(PathBuf, PathBuf)]) {
    for (from, to) in moved.iter().rev() {
        if let Err(e) = std::fs::rename(to, from) {
            tracing::error!("could not move {} back to {}: {e}", to.display(), from.display());
        }
    }
}

/// Checkpoints the live database's WAL into it and leaves it in rollback mode, which SQLite
/// allows only when no other connection has it open: refused as in use when that lasts more than
/// a moment (a program that just closed it may still be closing its connections). A file that
/// does not open as SQLite (the damage a restore is for) is moved aside as it is.
async fn quiesce(database: &Path) -> Result<(), BackupError> {
    let options = SqliteConnectOptions::new()
        .filename(database)
        .create_if_missing(false)
        .busy_timeout(Duration::from_millis(200));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        let Ok(mut conn) = options.connect().await else { return Ok(()) };
        let mode: Result<String, sqlx::Error> =
            sqlx::query_scalar("PRAGMA journal_mode = DELETE").fetch_one(&mut conn).await;
        let _ = conn.close().await;
        let in_use = match mode {
            Ok(mode) => !mode.eq_ignore_ascii_case("delete"),
            Err(sqlx::Error::Database(db)) if is_busy(db.as_ref()) => true,
            Err(e) => {
                tracing::warn!("{} does not open as SQLite ({e}); it is kept aside as it is", database.display());
                false
            }
        };
        if !in_use {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(BackupError::InUse(database.to_path_buf()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A folder the app may copy the database to after every close: a full path (the app's working
/// folder means nothing to a manager), an existing folder, and one that takes a file (a probe is
/// written and removed). Checked when a manager sets it, so a typo or a read-only share shows
/// then, not at the next close.
pub fn usable_folder(dir: &Path) -> Result<PathBuf, BackupError> {
    if !dir.is_absolute() {
        return Err(BackupError::NotAbsolute(dir.to_path_buf()));
    }
    let dir = existing_folder(dir)?;
    let probe = dir.join(format!(".till-probe-{}.tmp", unique()));
    std::fs::write(&probe, b"").map_err(io("write a file in", &dir))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir)
}

fn existing_folder(dir: &Path) -> Result<PathBuf, BackupError> {
    let dir = std::path::absolute(dir).map_err(io("find", dir))?;
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => Ok(dir),
        Ok(_) => Err(BackupError::NotAFolder(dir)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(BackupError::FolderMissing(dir)),
        Err(e) => Err(io("open the backup folder", &dir)(e)),
    }
}

/// Creates `till-<stamp>.db` (or `-2`, `-3`...) empty, so two backups in one second never take
/// one name; the verified copy is then renamed over it.
fn reserve_name(dir: &Path, now: DateTime<Utc>) -> Result<PathBuf, BackupError> {
    for n in 1u32.. {
        let name = if n == 1 { backup_name(now) } else { format!("till-{}-{n}.db", stamp(now)) };
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io("create", &path)(e)),
        }
    }
    unreachable!("some counter is free")
}

/// A `sqlite://` URL for a path, with the characters sqlx's URL parsing reads escaped.
fn sqlite_url(path: &Path) -> String {
    let text = path.display().to_string().replace('%', "%25").replace('?', "%3F").replace('#', "%23");
    format!("sqlite://{text}")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_sidecars(path: &Path) {
    for suffix in ["-wal", "-shm", "-journal", ".lock", ".inuse"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

fn remove_with_sidecars(path: &Path) {
    let _ = std::fs::remove_file(path);
    remove_sidecars(path);
}

/// A number no other temporary file of this process has (with the process id).
fn unique() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{n}", std::process::id())
}

/// Copies a file off the async executor (a database can be large).
async fn copy_file(from: &Path, to: &Path) -> Result<(), BackupError> {
    let (source, target) = (from.to_path_buf(), to.to_path_buf());
    tokio::task::spawn_blocking(move || std::fs::copy(&source, &target))
        .await
        .map_err(|e| BackupError::Store(StoreFailure::Internal(format!("the copy stopped: {e}")).into()))?
        .map_err(io("copy to", to))?;
    Ok(())
}

fn sync_file(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(io("write", path))
}

/// Makes a rename in `dir` durable. Best effort: not every platform or file system can sync a
/// folder.
fn sync_folder(dir: &Path) {
    if let Err(e) = std::fs::File::open(dir).and_then(|f| f.sync_all()) {
        tracing::debug!("could not sync the folder {}: {e}", dir.display());
    }
}

/// A copy holds PIN hashes: only its owner reads it. Best effort: a FAT drive has no
/// permissions to set.
fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::debug!("could not restrict {}: {e}", path.display());
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn create_private_folder(dir: &Path) -> Result<(), BackupError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(io("create the folder", dir))
}

fn sqlite_error(path: &Path, e: sqlx::Error) -> BackupError {
    match e {
        sqlx::Error::Database(db) if is_busy(db.as_ref()) => BackupError::Store(
            StoreFailure::Busy(format!("another program holds {}: {}", path.display(), db.message())).into(),
        ),
        other => {
            BackupError::Store(StoreFailure::Unavailable(format!("cannot open {}: {other}", path.display())).into())
        }
    }
}

/// SQLite's own words for a database error (without sqlx's "error returned from database").
fn said(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

/// SQLITE_BUSY (5) or SQLITE_LOCKED (6), with any extended code.
fn is_busy(db: &dyn sqlx::error::DatabaseError) -> bool {
    let primary = db.code().and_then(|c| c.parse::<i32>().ok()).map(|c| c & 0xff);
    matches!(primary, Some(5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_named_by_their_utc_second_and_only_those_names_rotate() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T21:05:09.250-05:00").map(|t| t.with_timezone(&Utc));
        assert_eq!(now.map(backup_name).ok().as_deref(), Some("till-20261129T020509Z.db"));
        assert_eq!(copy_key("till-20261129T020509Z.db"), Some(("20261129T020509Z".into(), 1)));
        assert_eq!(copy_key("till-20261129T020509Z-3.db"), Some(("20261129T020509Z".into(), 3)));
        for other in [
            "till.db",
            "till-demo.db",
            "till-20261129T020509Z.db-wal",
            "till-20261129T020509Z-1.db",
            "till-20261129T020509Z-x.db",
            "till-2026112T020509Z.db",
            ".till-backup-20261129T020509Z-1-0.tmp",
        ] {
            assert_eq!(copy_key(other), None, "{other}");
        }
        assert!(copy_key("till-20261129T020509Z-2.db") > copy_key("till-20261129T020509Z.db"));
        assert!(copy_key("till-20261130T000000Z.db") > copy_key("till-20261129T235959Z-9.db"));
    }

    #[test]
    fn a_postgres_url_is_refused_with_what_it_runs_instead() {
        let e = sqlite_file("postgres://till:secret@db.example:5432/till").unwrap_err();
        assert_eq!(e.error_code(), ErrorCode::InvalidInput);
        let text = e.to_string();
        assert!(text.contains("pg_dump") && text.contains("pg_restore") && !text.contains("secret"), "{text}");
    }

    #[test]
    fn a_path_with_url_characters_round_trips() {
        let path = Path::new("/tmp/a?b#c%d/till.db");
        let parsed = SqliteConnectOptions::from_str(&sqlite_url(path)).map(|o| o.get_filename().to_path_buf());
        assert_eq!(parsed.ok().as_deref(), Some(path));
    }
}
