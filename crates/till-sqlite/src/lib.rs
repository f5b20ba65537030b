//! Till's embedded store: one SQLite file, WAL, synchronous=FULL.
//!
//! Writes go through one connection per process and every write transaction begins with
//! `BEGIN IMMEDIATE`, so the write lock is taken before anything is read: a deferred `BEGIN`
//! that later writes fails with SQLITE_BUSY at once, whatever the busy timeout. Other processes
//! (tillctl, a second app) wait on the busy timeout, then get `database_busy`.
//!
//! One module per area: [`schema`] (migrate, verify), [`places`], [`staff`], [`sessions`].

mod cash;
mod catalog;
mod journal;
mod places;
mod sales;
mod schema;
mod sessions;
mod staff;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, Transaction};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use till_core::*;

#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    location: String,
    clock: till_core::Clock,
    /// Held for the store's life (every clone shares it): see [`InUse`].
    _in_use: std::sync::Arc<InUse>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://PATH`), migrates it unless
    /// told not to, and verifies the schema.
    ///
    /// Opening and migrating hold an exclusive lock on `PATH.lock`, so several processes that
    /// open a new or outdated file at the same moment migrate it once, one after the other
    /// (sqlx's SQLite migrator takes no lock of its own).
    pub async fn open(url: &str, options: &StoreOptions) -> Result<SqliteStore, StoreError> {
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreFailure::Unavailable(format!("bad SQLite URL {url:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A till's last sale matters more than throughput: survive a power cut.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout);
        let path = connect.get_filename().to_path_buf();
        let location = path.display().to_string();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            create_private_dir(parent).map_err(|e| {
                StoreFailure::Unavailable(format!("cannot create the folder {}: {e}", parent.display()))
            })?;
        }
        let lock = OpenLock::acquire(&path, options.busy_timeout).await?;
        let in_use = std::sync::Arc::new(InUse::take(&path)?);
        let created = !path.exists();
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(options.busy_timeout)
            .connect_with(connect.clone())
            .await
            .map_err(map_err)?;
        if created {
            // The file holds PIN hashes: only its owner reads it (the folder, if new, is 0700 too).
            make_private(&path)
                .map_err(|e| StoreFailure::Unavailable(format!("cannot restrict {}: {e}", path.display())))?;
        }
        let reader = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.busy_timeout)
            .connect_lazy_with(connect.read_only(true));
        let store = SqliteStore { writer, reader, location, clock: options.clock.clone(), _in_use: in_use };
        if options.migrate {
            store.migrate_locked().await?;
        }
        drop(lock);
        if options.verify {
            require_schema(&store.schema_checks().await?)?;
        }
        Ok(store)
    }

    /// The database file this store uses.
    pub fn path(&self) -> &str {
        &self.location
    }

    async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)
    }
}

/// The user acting through `login`, read in the caller's write transaction (so a deactivation
/// or logout is ordered before or after the write it allows): a live login (not ended, made on
/// `device`, used within the idle limit of `register`'s location) of an active user. Touches
/// the login's idle clock. `not_logged_in` otherwise.
pub(crate) async fn login_user(
    tx: &mut sqlx::SqliteConnection,
    login: &till_core::LoginToken,
    device: &str,
    register: till_core::RegisterId,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<till_core::User, StoreError> {
    // One read: the register's idle limit, the login and its user (three statements before,
    // each a round trip to SQLite's worker thread).
    let mut q = sqlx::QueryBuilder::new("SELECT ");
    push_login_columns(&mut q);
    push_login_tables(&mut q, login, device);
    q.push(" WHERE r.id = ");
    q.push_bind(register.0);
    let row = q
        .build()
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::not_found(till_core::Entity::Register, register))?;
    logged_in(tx, &row, login, now).await
}

/// Pushes the login check's columns: the idle limit of the register's location
/// (`login_idle_minutes`), the live login's `login_last_used` and its user
/// ([`till_sqlx::sql::LOGIN_USER_COLUMNS`]), from the tables [`push_login_tables`] names.
pub(crate) fn push_login_columns(q: &mut sqlx::QueryBuilder<'_, Sqlite>) {
    q.push("rl.login_idle_minutes AS login_idle_minutes, g.last_used AS login_last_used, ");
    q.push(till_sqlx::sql::LOGIN_USER_COLUMNS);
}

/// Pushes the login check's tables: the register `r`, its location `rl`, and the live login `g`
/// made with `login` on `device` (if any) and its user `u`. The caller adds `WHERE r.id =` the
/// register: no row, no such register.
pub(crate) fn push_login_tables<'a>(
    q: &mut sqlx::QueryBuilder<'a, Sqlite>,
    login: &till_core::LoginToken,
    device: &'a str,
) {
    q.push(" FROM registers r JOIN locations rl ON rl.id = r.location_id");
    push_login_joins(q, login, device);
}

/// Pushes the joins of the live login `g` made with `login` on `device` (if any) and its user
/// `u`, after the caller's register `r` and its location `rl`.
fn push_login_joins<'a>(q: &mut sqlx::QueryBuilder<'a, Sqlite>, login: &till_core::LoginToken, device: &'a str) {
    q.push(" LEFT JOIN logins g ON g.token_hash = ");
    q.push_bind(login.digest());
    q.push(" AND g.ended_at IS NULL AND g.device = ");
    q.push_bind(device);
    q.push(" LEFT JOIN users u ON u.id = g.user_id");
}

/// Pushes the tables of a session operation's first read: the session `s` asked for (its
/// columns null if there is none) and the login check's tables ([`push_login_columns`]) at
/// the session's register, or, for a session that does not exist, at `register` (the one a
/// receipt, movement or void names; `None`: no place, [`session_actor_answer`] judges the
/// login wherever it may act). Always one row; the caller may join more to `s`.
pub(crate) fn push_session_actor_tables<'a>(
    q: &mut sqlx::QueryBuilder<'a, Sqlite>,
    session: SessionId,
    register: Option<RegisterId>,
    login: &till_core::LoginToken,
    device: &'a str,
) {
    q.push(" FROM (SELECT ");
    q.push_bind(session.0);
    q.push(" AS session_id, ");
    q.push_bind(register.map(|r| r.0));
    q.push(
        " AS register_id) asked LEFT JOIN sessions s ON s.id = asked.session_id
         LEFT JOIN registers r ON r.id = coalesce(s.register_id, asked.register_id)
         LEFT JOIN locations rl ON rl.id = CASE WHEN s.id IS NULL AND asked.register_id IS NULL
             THEN (SELECT sl.id FROM locations sl ORDER BY sl.login_idle_minutes LIMIT 1) ELSE r.location_id END",
    );
    push_login_joins(q, login, device);
}

/// Who acts on `session`, then the session, in the caller's write transaction: the order
/// every session operation refuses in, PostgreSQL's till_session_actor's. Who acts is asked
/// first, so a login that has ended learns nothing about which sessions exist: at the session's
/// register, or for a session that does not exist at `register` (`register_not_found` if
/// there is none), else wherever the login may act. Then `session_not_found`. The caller
/// checks that the session is the register's it names, if it names one.
pub(crate) async fn session_actor(
    tx: &mut sqlx::SqliteConnection,
    session: SessionId,
    register: Option<RegisterId>,
    login: &till_core::LoginToken,
    device: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(till_core::User, Session), StoreError> {
    let mut q = sqlx::QueryBuilder::new("SELECT ");
    push_login_columns(&mut q);
    q.push(", s.*");
    push_session_actor_tables(&mut q, session, register, login, device);
    let row = q.build().fetch_one(&mut *tx).await.map_err(map_err)?;
    session_actor_answer(tx, &row, session, register, login, now).await
}

/// [`session_actor`]'s answer from a row read with [`push_login_columns`], the session's
/// columns (`s.*`) and [`push_session_actor_tables`].
pub(crate) async fn session_actor_answer(
    tx: &mut sqlx::SqliteConnection,
    row: &sqlx::sqlite::SqliteRow,
    session: SessionId,
    register: Option<RegisterId>,
    login: &till_core::LoginToken,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(till_core::User, Session), StoreError> {
    let placed = row.try_get::<Option<i64>, _>("login_idle_minutes").map_err(map_err)?.is_some();
    if let (Some(register), false) = (register, placed) {
        return Err(StoreError::not_found(till_core::Entity::Register, register));
    }
    let user = logged_in(tx, row, login, now).await?;
    if row.try_get::<Option<uuid::Uuid>, _>("id").map_err(map_err)?.is_none() {
        return Err(StoreError::not_found(till_core::Entity::Session, session));
    }
    Ok((user, till_sqlx::session(row)?))
}

/// The login check's answer from its `row` ([`push_login_columns`]), in the caller's write
/// transaction: the user of a live login, its idle clock touched; `not_logged_in` or
/// `user_inactive` otherwise. A row without a place (no location at all, so no idle limit)
/// judges the login by the longest idle limit a location may set; a session operation on a
/// session that does not exist reads the shortest limit any location sets
/// ([`push_session_actor_tables`]), as PostgreSQL's till_session_actor does.
pub(crate) async fn logged_in(
    tx: &mut sqlx::SqliteConnection,
    row: &sqlx::sqlite::SqliteRow,
    login: &till_core::LoginToken,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<till_core::User, StoreError> {
    let idle: i64 = row
        .try_get::<Option<i64>, _>("login_idle_minutes")
        .map_err(map_err)?
        .unwrap_or(i64::from(till_core::location::LONGEST_LOGIN_IDLE_MINUTES));
    let found: Option<uuid::Uuid> = row.try_get("login_user_id").map_err(map_err)?;
    let last_used: Option<chrono::DateTime<chrono::Utc>> = row.try_get("login_last_used").map_err(map_err)?;
    let last_used = match (found, last_used) {
        (Some(_), Some(last_used)) if now - last_used < chrono::Duration::minutes(idle) => last_used,
        _ => {
            return Err(Refusal::LoginEnded(
                "not logged in (the login ended, expired, is another device's or unknown): log in again".into(),
            )
            .into())
        }
    };
    // The idle clock is touched at most once a second, as PostgreSQL's till_login_user does:
    // the app checks the login on every command (each scan's lookup and pricing too), and a
    // touch is a durable write.
    if now - last_used >= chrono::Duration::seconds(1) {
        sqlx::query("UPDATE logins SET last_used = ?1 WHERE token_hash = ?2")
            .bind(now)
            .bind(login.digest())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    let user = till_sqlx::login_user(row)?;
    if !user.active {
        return Err(Refusal::UserInactive(user.name).into());
    }
    Ok(user)
}

/// The manager who answers for an action: the approving manager (whose PIN the store checked
/// for this request), else the acting user if a manager, else `None`.
pub(crate) fn answering_manager(approver: Option<till_core::User>, actor: &till_core::User) -> Option<till_core::User> {
    approver.or_else(|| actor.role.is_manager().then(|| actor.clone()))
}

/// Refuses `session` if it is forgotten (till-core's [`ForgottenRule`], read from its location
/// in `tx`): a shift, sale or movement never goes into a session nobody closed.
pub(crate) async fn refuse_forgotten(
    tx: &mut sqlx::SqliteConnection,
    session: &Session,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let (limit, zone, cutoff): (i64, String, i32) =
        sqlx::query_as("SELECT session_limit_minutes, timezone, cutoff_minutes FROM locations WHERE id = ?1")
            .bind(session.location_id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
    refuse_forgotten_by(session, (limit, &zone, cutoff), now)
}

/// [`refuse_forgotten`] with the location's `(session_limit_minutes, timezone, cutoff_minutes)`
/// already read in the caller's transaction.
pub(crate) fn refuse_forgotten_by(
    session: &Session,
    (limit, zone, cutoff): (i64, &str, i32),
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let rule = ForgottenRule::from_columns(limit, zone, cutoff).map_err(|_| decode_err("location rule", zone))?;
    rule.refuse(session, now)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn make_private(file: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn make_private(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// `<database><suffix>` beside the database's real file: its folder resolved, and the file
/// itself when it is a symbolic link, so every path to one database names one lock (a restore
/// through a symlink must see the Till that opened the target). Public for the restore.
pub fn lock_file_path(database: &Path, suffix: &str) -> PathBuf {
    let real = std::fs::canonicalize(database).unwrap_or_else(|_| {
        let folder = database.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        match (std::fs::canonicalize(folder), database.file_name()) {
            (Ok(folder), Some(name)) => folder.join(name),
            _ => database.to_path_buf(),
        }
    });
    let mut name = real.into_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// `<database><suffix>` ([`lock_file_path`]), opened (created if needed) to hold an advisory lock on.
fn lock_file(database: &Path, suffix: &str) -> Result<(std::fs::File, PathBuf), StoreError> {
    let path = lock_file_path(database, suffix);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| StoreFailure::Unavailable(format!("cannot open the lock file {}: {e}", path.display())))?;
    Ok((file, path))
}

/// An exclusive advisory lock on `<database>.lock`, held while a process opens and migrates the
/// database. Released when dropped (or when the process dies: the OS drops it).
struct OpenLock(std::fs::File);

impl OpenLock {
    /// Waits at most `wait` (another process migrating, or one stopped while holding it), then
    /// answers `database_busy`.
    async fn acquire(database: &Path, wait: std::time::Duration) -> Result<OpenLock, StoreError> {
        let (file, path) = lock_file(database, ".lock")?;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(OpenLock(file)),
                Err(std::fs::TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(StoreFailure::Busy(format!(
                        "another program has held {} for over {} s (migrating the database?)",
                        path.display(),
                        wait.as_secs()
                    ))
                    .into())
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(StoreFailure::Unavailable(format!("cannot lock {}: {e}", path.display())).into())
                }
            }
        }
    }
}

/// A shared advisory lock on `<database>.inuse`, held while a store has the database open. A
/// restore (`till_backend::backup::restore`) takes it exclusively before it swaps the file, so it
/// never replaces the database under a running Till: not even one whose pools hold no connection
/// at that moment (idle connections close), which SQLite's own locks cannot show. Several stores
/// share it (the app and tillctl run together); the OS drops it when the process dies.
#[derive(Debug)]
struct InUse(std::fs::File);

impl InUse {
    /// Taken under the [`OpenLock`]. Refused while a restore holds it.
    fn take(database: &Path) -> Result<InUse, StoreError> {
        let (file, path) = lock_file(database, ".inuse")?;
        match file.try_lock_shared() {
            Ok(()) => Ok(InUse(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreFailure::Busy(format!(
                "{} is being restored from a backup (tillctl restore): open Till again when it is done",
                database.display()
            ))
            .into()),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(StoreFailure::Unavailable(format!("cannot lock {}: {e}", path.display())).into())
            }
        }
    }
}

impl Drop for InUse {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl Drop for OpenLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Maps sqlx errors once: a busy database → `database_busy`; a lost one → unavailable;
/// a constraint → rejected.
fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // Primary result codes: SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_CONSTRAINT (19).
            let primary = code.parse::<i32>().map(|c| c & 0xff).unwrap_or(0);
            match primary {
                5 | 6 => {
                    StoreFailure::Busy(format!("another program holds the database's write lock: {}", db.message()))
                        .into()
                }
                19 if db.is_unique_violation() && db.message().contains("close_request_id") => {
                    Refusal::IdempotencyConflict(db.message().to_string()).into()
                }
                19 => Refusal::Rejected(db.message().to_string()).into(),
                // SQLITE_READONLY (8), SQLITE_CANTOPEN (14): permissions or the path; IT fixes it.
                8 | 14 => StoreFailure::Misconfigured(format!(
                    "the database file cannot be written or opened: {}",
                    db.message()
                ))
                .into(),
                // SQLITE_IOERR (10), SQLITE_FULL (13): the disk.
                10 | 13 => StoreFailure::Unavailable(format!("the disk failed or is full: {}", db.message())).into(),
                _ => StoreFailure::Internal(e.to_string()).into(),
            }
        }
        sqlx::Error::PoolTimedOut => StoreFailure::Busy(e.to_string()).into(),
        sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed | sqlx::Error::Configuration(_) => {
            StoreFailure::Unavailable(e.to_string()).into()
        }
        _ => StoreFailure::Internal(e.to_string()).into(),
    }
}

/// A unique violation on insert means the thing exists already.
fn exists_or(entity: Entity, key: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => Refusal::AlreadyExists { entity, key }.into(),
        _ => map_err(e),
    }
}

fn decode_err(what: &str, value: &str) -> StoreError {
    StoreFailure::Internal(format!("unexpected {what} {value:?} in the database")).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One database, one lock, whatever path names it: a Till that opened the file through a
    /// symbolic link (or `..`) and a restore given the real path take the same lock file.
    #[cfg(unix)]
    #[test]
    fn every_path_to_one_database_names_one_lock() {
        let dir = std::env::temp_dir().join(format!("till-lock-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(dir.join("sub")).unwrap_or_else(|e| panic!("{e}"));
        let real = dir.join("till.db");
        std::fs::write(&real, b"").unwrap_or_else(|e| panic!("{e}"));
        let link = dir.join("linked.db");
        std::os::unix::fs::symlink(&real, &link).unwrap_or_else(|e| panic!("{e}"));
        let lock = lock_file_path(&real, ".inuse");
        assert_eq!(lock_file_path(&link, ".inuse"), lock);
        assert_eq!(lock_file_path(&dir.join("sub/../till.db"), ".inuse"), lock);
        // A database not created yet: beside its folder's real path.
        let new = lock_file_path(&dir.join("sub/../new.db"), ".lock");
        assert_eq!(new, std::fs::canonicalize(&dir).unwrap_or_else(|e| panic!("{e}")).join("new.db.lock"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
