//! Till's embedded store: one SQLite file, WAL, synchronous=FULL.
//!
//! Writes go through one connection per process and every write transaction begins with
//! `BEGIN IMMEDIATE`, so the write lock is taken before anything is read: a deferred `BEGIN`
//! that later writes fails with SQLITE_BUSY at once, whatever the busy timeout. Other processes
//! (tillctl, a second app) wait on the busy timeout.

use async_trait::async_trait;
use chrono::Utc;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, Transaction};
use std::str::FromStr;
use till_core::*;
use uuid::Uuid;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Objects the atomic operations rely on; `doctor` and start-up check each is present.
const REQUIRED_OBJECTS: &[(&str, &str)] = &[
    ("index", "sessions_one_open_per_register"),
    ("index", "sqlite_autoindex_sessions_2"),
    ("index", "sqlite_autoindex_sessions_3"),
    ("table", "day_counters"),
];

#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    location: String,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://PATH`), migrates it unless
    /// told not to, and verifies the schema.
    pub async fn open(url: &str, options: &StoreOptions) -> Result<SqliteStore, StoreError> {
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("bad SQLite URL {url:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // A till's last sale matters more than throughput: survive a power cut.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout);
        let location = connect.get_filename().display().to_string();
        if let Some(parent) = connect.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Unavailable(format!("cannot create the folder {}: {e}", parent.display())))?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(options.busy_timeout)
            .connect_with(connect.clone())
            .await
            .map_err(map_err)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.busy_timeout)
            .connect_lazy_with(connect.read_only(true));
        let store = SqliteStore { writer, reader, location };
        if options.migrate {
            store.migrate().await?;
        } else if options.verify {
            require_schema(&store.check_schema().await)?;
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

    async fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
        )
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        if !exists {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.writer)
            .await
            .map_err(map_err)?;
        rows.iter().map(till_sqlx::applied_migration).collect()
    }

    async fn session_by_id(conn: &mut sqlx::SqliteConnection, id: Uuid) -> Result<Option<Session>, StoreError> {
        sqlx::query("SELECT * FROM sessions WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await
            .map_err(map_err)?
            .map(|row| till_sqlx::session(&row))
            .transpose()
    }

    async fn with_joins(&self, mut session: Session) -> Result<Session, StoreError> {
        let rows =
            sqlx::query(till_sqlx::JOINS_SQL).bind(session.id.0).fetch_all(&self.reader).await.map_err(map_err)?;
        session.joins = rows.iter().map(till_sqlx::join).collect::<Result<_, _>>()?;
        Ok(session)
    }
}

/// Maps sqlx errors once: lost or busy database → unavailable; constraint → rejected.
fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
            let primary = code.parse::<i32>().map(|c| c & 0xff).unwrap_or(0);
            if primary == 5 || primary == 6 {
                StoreError::Unavailable(format!("the database is busy: {}", db.message()))
            } else if db.is_unique_violation() || db.is_check_violation() || db.is_foreign_key_violation() {
                StoreError::Rejected(db.message().to_string())
            } else {
                StoreError::Internal(e.to_string())
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Configuration(_) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Internal(e.to_string()),
    }
}

/// A unique violation on insert means the thing exists already.
fn exists_or(entity: Entity, key: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::AlreadyExists { entity, key },
        _ => map_err(e),
    }
}

fn decode_err(what: &str, value: &str) -> StoreError {
    StoreError::Internal(format!("unexpected {what} {value:?} in the database"))
}

#[async_trait]
impl Store for SqliteStore {
    fn kind(&self) -> BackendKind {
        BackendKind::Sqlite
    }

    async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let applied = self.applied_migrations().await?;
        // Refuse unknown or edited migrations before touching anything.
        refuse_foreign_migrations(&till_sqlx::known_migrations(&MIGRATOR), &applied)?;
        let before: Vec<i64> = applied.iter().map(|m| m.version).collect();
        // sqlx's SQLite migrator takes no lock, so only run it when there is something to do:
        // then processes starting together on an up-to-date file never race on it.
        if MIGRATOR.iter().any(|m| !before.contains(&m.version)) {
            MIGRATOR
                .run(&self.writer)
                .await
                .map_err(|e| StoreError::SchemaNotReady(format!("migrating failed: {e}")))?;
        }
        require_schema(&self.check_schema().await)?;
        Ok(MIGRATOR.iter().map(|m| m.version).filter(|v| !before.contains(v)).collect())
    }

    async fn repair_functions(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn check_schema(&self) -> Vec<SchemaCheck> {
        let mut checks = vec![];
        match sqlx::query_scalar::<_, String>("PRAGMA journal_mode").fetch_one(&self.writer).await {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => {
                checks.push(SchemaCheck::pass("connection", format!("SQLite file {} (WAL)", self.location)))
            }
            Ok(mode) => checks.push(SchemaCheck::fail(
                "connection",
                format!("SQLite file {} is in {mode} mode, not WAL", self.location),
                "close other programs using the file, then start Till again",
            )),
            Err(e) => {
                checks.push(SchemaCheck::fail(
                    "connection",
                    format!("cannot open SQLite file {}: {}", self.location, map_err(e)),
                    "check the path in --database-url / TILL_DATABASE_URL and its permissions",
                ));
                return checks;
            }
        }
        match self.applied_migrations().await {
            Ok(applied) => checks.extend(check_migrations(&till_sqlx::known_migrations(&MIGRATOR), &applied)),
            Err(e) => checks.push(SchemaCheck::fail("migrations", e.to_string(), "run `tillctl migrate`")),
        }
        for (kind, name) in REQUIRED_OBJECTS {
            let present: Result<bool, _> =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?)")
                    .bind(kind)
                    .bind(name)
                    .fetch_one(&self.writer)
                    .await;
            checks.push(SchemaCheck::presence(
                format!("{kind} {name}"),
                present.map_err(map_err),
                "present",
                "restore the database file from a backup (Till cannot run safely without it)",
            ));
        }
        checks
    }

    async fn create_location(&self, new: NewLocation) -> Result<Location, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO locations (id, code, name, timezone, cutoff_minutes, currency)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
        )
        .bind(LocationId::new().0)
        .bind(new.code.as_str())
        .bind(&new.name)
        .bind(new.time_zone.name())
        .bind(new.cutoff.minutes())
        .bind(new.currency.code())
        .fetch_one(&mut *tx)
        .await
        .map_err(exists_or(Entity::Location, new.code.to_string()))?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::location(&row)
    }

    async fn list_locations(&self) -> Result<Vec<Location>, StoreError> {
        let rows =
            sqlx::query("SELECT * FROM locations ORDER BY code").fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::location).collect()
    }

    async fn find_location(&self, code: &LocationCode) -> Result<Location, StoreError> {
        let row = sqlx::query("SELECT * FROM locations WHERE code = ?")
            .bind(code.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Location, code))?;
        till_sqlx::location(&row)
    }

    async fn create_register(&self, new: NewRegister) -> Result<Register, StoreError> {
        let key = format!("{}/{}", new.location, new.code);
        let mut tx = self.write().await?;
        let location: Uuid = sqlx::query_scalar("SELECT id FROM locations WHERE code = ?")
            .bind(new.location.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Location, &new.location))?;
        let id = RegisterId::new();
        sqlx::query("INSERT INTO registers (id, location_id, code, name) VALUES (?, ?, ?, ?)")
            .bind(id.0)
            .bind(location)
            .bind(new.code.as_str())
            .bind(&new.name)
            .execute(&mut *tx)
            .await
            .map_err(exists_or(Entity::Register, key))?;
        let row = sqlx::query(&format!("{} WHERE r.id = ?", till_sqlx::REGISTER_SELECT))
            .bind(id.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::register(&row)
    }

    async fn list_registers(&self, location: Option<&LocationCode>) -> Result<Vec<Register>, StoreError> {
        let rows = sqlx::query(&format!(
            "{} WHERE ?1 IS NULL OR l.code = ?1 ORDER BY l.code, r.code",
            till_sqlx::REGISTER_SELECT
        ))
        .bind(location.map(LocationCode::as_str))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter().map(till_sqlx::register).collect()
    }

    async fn find_register(&self, register: &RegisterRef) -> Result<Register, StoreError> {
        let (id, location, code) = match register {
            RegisterRef::Id(id) => (Some(id.0), None, None),
            RegisterRef::Address { location, register } => (None, Some(location.as_str()), Some(register.as_str())),
        };
        let sql = format!("{} WHERE r.id = ?1 OR (l.code = ?2 AND r.code = ?3)", till_sqlx::REGISTER_SELECT);
        let query = sqlx::query(&sql).bind(id).bind(location).bind(code);
        let row = query
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Register, register))?;
        till_sqlx::register(&row)
    }

    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query("INSERT INTO users (id, name, role, pin_hash) VALUES (?, ?, ?, ?) RETURNING *")
            .bind(UserId::new().0)
            .bind(new.name.as_str())
            .bind(new.role.as_str())
            .bind(&new.pin_hash.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(exists_or(Entity::User, new.name.to_string()))?;
        tx.commit().await.map_err(map_err)?;
        till_sqlx::user(&row)
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query("SELECT * FROM users ORDER BY name").fetch_all(&self.reader).await.map_err(map_err)?;
        rows.iter().map(till_sqlx::user).collect()
    }

    async fn find_user(&self, name: &UserName) -> Result<User, StoreError> {
        let row = sqlx::query("SELECT * FROM users WHERE name = ?")
            .bind(name.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        till_sqlx::user(&row)
    }

    async fn set_user_active(&self, name: &UserName, active: bool) -> Result<User, StoreError> {
        let row = sqlx::query("UPDATE users SET active = ? WHERE name = ? RETURNING *")
            .bind(active)
            .bind(name.as_str())
            .fetch_optional(&self.writer)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        till_sqlx::user(&row)
    }

    async fn start_shift(&self, start: StartShift) -> Result<ShiftStarted, StoreError> {
        if start.opening_cash.is_some_and(|cash| cash < 0) {
            return Err(StoreError::Rejected("opening cash must be zero or more".into()));
        }
        let mut tx = self.write().await?;
        // One clock per operation, read once the write lock is held.
        let at = start.at.unwrap_or_else(Utc::now);
        let open: Option<Uuid> =
            sqlx::query_scalar("SELECT id FROM sessions WHERE register_id = ? AND status = 'open'")
                .bind(start.register_id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?;
        let (session_id, joined) = match open {
            Some(id) => {
                sqlx::query(
                    "INSERT INTO session_joins (session_id, user_id, device, joined_at) VALUES (?, ?, ?, ?)
                     ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(start.user_id.0)
                .bind(start.device.as_str())
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                (id, true)
            }
            None => {
                let Some(opening_cash) = start.opening_cash else {
                    return Err(StoreError::NoOpenSession { register: start.register_id.to_string() });
                };
                let place = sqlx::query(
                    "SELECT r.location_id, l.code AS location_code, r.code AS register_code, l.currency,
                            l.timezone, l.cutoff_minutes
                     FROM registers r JOIN locations l ON l.id = r.location_id WHERE r.id = ?",
                )
                .bind(start.register_id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_err)?
                .ok_or_else(|| StoreError::not_found(Entity::Register, start.register_id))?;
                let user_name: String = sqlx::query_scalar("SELECT name FROM users WHERE id = ? AND active")
                    .bind(start.user_id.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?
                    .ok_or_else(|| StoreError::not_found(Entity::User, start.user_id))?;
                let location: Uuid = place.try_get("location_id").map_err(map_err)?;
                let location_code: String = place.try_get("location_code").map_err(map_err)?;
                let zone: String = place.try_get("timezone").map_err(map_err)?;
                let cutoff: i32 = place.try_get("cutoff_minutes").map_err(map_err)?;
                let zone = TimeZone::parse(&zone).map_err(|_| decode_err("time zone", &zone))?;
                let cutoff = Cutoff::from_minutes(cutoff).map_err(|_| decode_err("cut-off", &cutoff.to_string()))?;
                let day = business_day(at, zone, cutoff);
                let seq: i64 = sqlx::query_scalar(
                    "INSERT INTO day_counters (location_id, business_day, last_seq) VALUES (?, ?, 1)
                     ON CONFLICT (location_id, business_day) DO UPDATE SET last_seq = last_seq + 1
                     RETURNING last_seq",
                )
                .bind(location)
                .bind(day)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
                sqlx::query(
                    "INSERT INTO sessions (id, register_id, register_code, location_code, currency, location_id,
                        business_day, day_seq, number, status, opened_by, opened_by_name, opened_at,
                        opening_device, opening_cash, notes)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)",
                )
                .bind(start.new_session_id.0)
                .bind(start.register_id.0)
                .bind(place.try_get::<String, _>("register_code").map_err(map_err)?)
                .bind(&location_code)
                .bind(place.try_get::<String, _>("currency").map_err(map_err)?)
                .bind(location)
                .bind(day)
                .bind(seq)
                .bind(session_number(&location_code, day, seq))
                .bind(start.user_id.0)
                .bind(user_name)
                .bind(at)
                .bind(start.device.as_str())
                .bind(opening_cash)
                .bind(&start.notes)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
                (start.new_session_id.0, false)
            }
        };
        let session = Self::session_by_id(&mut tx, session_id)
            .await?
            .ok_or_else(|| StoreError::Internal("a session vanished inside its transaction".into()))?;
        tx.commit().await.map_err(map_err)?;
        Ok(ShiftStarted { session, joined })
    }

    async fn close_shift(&self, close: CloseShift) -> Result<Session, StoreError> {
        if close.counted_cash < 0 {
            return Err(StoreError::Rejected("counted cash must be zero or more".into()));
        }
        let mut tx = self.write().await?;
        let at = close.at.unwrap_or_else(Utc::now);
        let closer = sqlx::query("SELECT name, role, active FROM users WHERE id = ?")
            .bind(close.user_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::User, close.user_id))?;
        let role: String = closer.try_get("role").map_err(map_err)?;
        let active: bool = closer.try_get("active").map_err(map_err)?;
        let closer_name: String = closer.try_get("name").map_err(map_err)?;
        if !active || role == "cashier" {
            return Err(StoreError::Forbidden { user: closer_name, role });
        }
        let row = match &close.session {
            SessionRef::Id(id) => {
                sqlx::query("SELECT id, status, opening_cash + cash_net AS expected FROM sessions WHERE id = ?")
                    .bind(id.0)
            }
            SessionRef::Number(n) => {
                sqlx::query("SELECT id, status, opening_cash + cash_net AS expected FROM sessions WHERE number = ?")
                    .bind(n)
            }
        }
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::not_found(Entity::Session, &close.session))?;
        let id: Uuid = row.try_get("id").map_err(map_err)?;
        let status: String = row.try_get("status").map_err(map_err)?;
        let expected: i64 = row.try_get("expected").map_err(map_err)?;
        if status == "open" {
            let variance = close
                .counted_cash
                .checked_sub(expected)
                .ok_or_else(|| StoreError::Rejected("variance out of range".into()))?;
            sqlx::query(
                "UPDATE sessions SET status = 'closed', closed_by = ?, closed_by_name = ?, closed_at = ?,
                    closing_device = ?, counted_cash = ?, expected_cash = ?, variance = ? WHERE id = ?",
            )
            .bind(close.user_id.0)
            .bind(&closer_name)
            .bind(at)
            .bind(close.device.as_str())
            .bind(close.counted_cash)
            .bind(expected)
            .bind(variance)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        let session = Self::session_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::Internal("a session vanished inside its transaction".into()))?;
        tx.commit().await.map_err(map_err)?;
        if status != "open" {
            return Err(already_closed(&session));
        }
        Ok(session)
    }

    async fn find_session(&self, session: &SessionRef) -> Result<Session, StoreError> {
        let query = match session {
            SessionRef::Id(id) => sqlx::query("SELECT * FROM sessions WHERE id = ?").bind(id.0),
            SessionRef::Number(n) => sqlx::query("SELECT * FROM sessions WHERE number = ?").bind(n),
        };
        let row = query
            .fetch_optional(&self.reader)
            .await
            .map_err(map_err)?
            .ok_or_else(|| StoreError::not_found(Entity::Session, session))?;
        self.with_joins(till_sqlx::session(&row)?).await
    }

    async fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<Session>, StoreError> {
        let register = match &filter.register {
            Some(r) => Some(self.find_register(r).await?.id.0),
            None => None,
        };
        let status = filter.status.map(|s| s.as_str());
        let rows = sqlx::query(
            "SELECT * FROM sessions
             WHERE (?1 IS NULL OR location_code = ?1) AND (?2 IS NULL OR register_id = ?2)
               AND (?3 IS NULL OR status = ?3)
             ORDER BY opened_at DESC, number DESC LIMIT ?4",
        )
        .bind(filter.location.as_ref().map(LocationCode::as_str))
        .bind(register)
        .bind(status)
        .bind(i64::from(filter.limit.unwrap_or(1000)))
        .fetch_all(&self.reader)
        .await
        .map_err(map_err)?;
        rows.iter().map(till_sqlx::session).collect()
    }

    async fn latest_session(&self, register: RegisterId) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT * FROM sessions WHERE register_id = ?
             ORDER BY status = 'open' DESC, opened_at DESC LIMIT 1",
        )
        .bind(register.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(map_err)?;
        match row {
            Some(row) => Ok(Some(self.with_joins(till_sqlx::session(&row)?).await?)),
            None => Ok(None),
        }
    }

    async fn audit(&self) -> Result<Audit, StoreError> {
        let strings = |sql: &'static str| async move {
            sqlx::query_scalar::<_, String>(sql).fetch_all(&self.reader).await.map_err(map_err)
        };
        let (sessions, open_sessions): (i64, i64) =
            sqlx::query_as(till_sqlx::audit::COUNTS).fetch_one(&self.reader).await.map_err(map_err)?;
        Ok(Audit {
            sessions,
            open_sessions,
            registers_with_several_open: strings(till_sqlx::audit::SEVERAL_OPEN).await?,
            numbering_problems: strings(till_sqlx::audit::NUMBERING).await?,
            duplicate_numbers: strings(till_sqlx::audit::DUPLICATE_NUMBERS).await?,
            bad_closures: strings(till_sqlx::audit::BAD_CLOSURES).await?,
        })
    }
}

fn already_closed(session: &Session) -> StoreError {
    StoreError::SessionAlreadyClosed {
        number: session.number.clone(),
        closed_by: session.closed_by.clone().unwrap_or_default(),
        closed_at: session.closed_at.unwrap_or_default(),
    }
}
