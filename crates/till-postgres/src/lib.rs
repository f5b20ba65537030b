//! Till's PostgreSQL store, for multi-terminal stores and chains.
//!
//! Sessions are opened and closed only by the plpgsql functions `till_start_shift` and
//! `till_close_shift` that the migrations deploy, each called in one round trip. There is no
//! other path: if a function is missing the call fails with `schema_not_ready` naming the fix.

use async_trait::async_trait;
use deadpool::managed::{Metrics, Object, PoolError, RecycleResult, Timeouts};
use deadpool::Runtime;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, Row};
use std::str::FromStr;
use till_core::*;
use uuid::Uuid;

static MIGRATOR: Migrator = sqlx::migrate!("../../migrations/postgres");

const START_SHIFT_SIGNATURE: &str = "till_start_shift(uuid,uuid,uuid,bigint,text,text,timestamptz)";
const CLOSE_SHIFT_SIGNATURE: &str = "till_close_shift(uuid,uuid,bigint,text,timestamptz)";
const REQUIRED_INDEXES: &[&str] =
    &["sessions_one_open_per_register", "sessions_number_unique", "sessions_day_seq_unique", "day_counters_pkey"];
const REPAIR: &str = "run `tillctl migrate --repair-functions`, then `tillctl doctor`";

/// Opens PostgreSQL connections for the pool. Connections are not tested when they are
/// handed out or given back (sqlx's own pool pings on every release, which doubled the round
/// trips of joining a session); a connection that fails is discarded instead, see [`Conn::fail`].
#[derive(Debug)]
struct Connector(PgConnectOptions);

impl deadpool::managed::Manager for Connector {
    type Type = PgConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        PgConnection::connect_with(&self.0).await
    }

    async fn recycle(&self, _: &mut PgConnection, _: &Metrics) -> RecycleResult<sqlx::Error> {
        Ok(())
    }
}

type Pool = deadpool::managed::Pool<Connector>;

/// A pooled connection. Queries report failures through [`Conn::fail`], which keeps a broken
/// connection out of the pool.
struct Conn<'a> {
    object: Option<Object<Connector>>,
    pool: &'a Pool,
}

impl Conn<'_> {
    fn db(&mut self) -> &mut PgConnection {
        self.object.as_deref_mut().expect("a Conn holds its connection until it fails")
    }

    /// Maps a query's error. When the connection is lost (server restart, backend terminated,
    /// failover) this one is dropped, and so are the idle ones, which the same event most likely
    /// broke too: the caller's retry then starts on a fresh connection.
    fn fail(&mut self, error: sqlx::Error) -> StoreError {
        if connection_lost(&error) {
            if let Some(object) = self.object.take() {
                drop(Object::take(object));
            }
            self.pool.retain(|_, _| false);
        }
        map_err(error)
    }

    /// Like [`Conn::fail`], but a unique violation means the thing already exists.
    fn fail_unique(&mut self, error: sqlx::Error, entity: Entity, key: String) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::AlreadyExists { entity, key },
            _ => self.fail(error),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://...`), migrates unless told not to, and verifies the
    /// schema (migrations, functions, indexes).
    pub async fn open(url: &str, options: &StoreOptions) -> Result<PostgresStore, StoreError> {
        let connect = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("bad PostgreSQL URL: {e}")))?
            .application_name("till")
            // The shift functions refuse anything else; pin it so a server default cannot.
            .options([("default_transaction_isolation", r"read\ committed")]);
        let timeouts = Timeouts {
            wait: Some(options.busy_timeout),
            create: Some(options.busy_timeout),
            recycle: Some(options.busy_timeout),
        };
        let pool = Pool::builder(Connector(connect))
            .max_size(options.max_connections.max(1) as usize)
            .timeouts(timeouts)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreError::Internal(format!("cannot build the connection pool: {e}")))?;
        let store = PostgresStore { pool };
        if options.migrate {
            store.migrate().await?;
        } else if options.verify {
            require_schema(&store.check_schema().await)?;
        }
        Ok(store)
    }

    /// A one-connection sqlx pool for the rare schema work (migrate, repair): sqlx's migrator
    /// wants a pool or a connection it can borrow across its own awaits.
    async fn admin_pool(&self) -> Result<sqlx::PgPool, StoreError> {
        sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_with(self.pool.manager().0.clone())
            .await
            .map_err(map_err)
    }

    async fn conn(&self) -> Result<Conn<'_>, StoreError> {
        let object = self.pool.get().await.map_err(|e| match e {
            PoolError::Backend(e) => map_err(e),
            PoolError::Timeout(_) => StoreError::Unavailable("timed out waiting for a database connection".into()),
            other => StoreError::Unavailable(other.to_string()),
        })?;
        Ok(Conn { object: Some(object), pool: &self.pool })
    }

    async fn applied_migrations(conn: &mut Conn<'_>) -> Result<Vec<AppliedMigration>, StoreError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        if !exists {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::applied_migration).collect()
    }

    async fn check_function(conn: &mut Conn<'_>, signature: &str) -> SchemaCheck {
        let name = format!("function {}", signature.split('(').next().unwrap_or(signature));
        let source: Result<Option<String>, _> =
            sqlx::query_scalar("SELECT p.prosrc FROM pg_proc p WHERE p.oid = to_regprocedure($1)")
                .bind(signature)
                .fetch_optional(conn.db())
                .await
                .map(Option::flatten);
        let expected = embedded_function_body(signature);
        match source {
            Ok(None) => SchemaCheck::fail(name, format!("{signature} is missing"), REPAIR),
            Ok(Some(body)) if Some(body.as_str()) != expected.as_deref() => SchemaCheck::fail(
                name,
                format!("{signature} differs from the one this build deploys (edited by hand?)"),
                REPAIR,
            ),
            Ok(Some(_)) => SchemaCheck::pass(name, "present and as deployed"),
            Err(e) => SchemaCheck::fail(name, map_err(e).to_string(), "run `tillctl doctor`"),
        }
    }

    async fn with_joins(conn: &mut Conn<'_>, mut session: Session) -> Result<Session, StoreError> {
        let rows = sqlx::query(till_sqlx::JOINS_SQL)
            .bind(session.id.0)
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        session.joins = rows.iter().map(till_sqlx::join).collect::<Result<_, _>>()?;
        Ok(session)
    }
}

/// Migrations named `*_functions` hold only `CREATE OR REPLACE FUNCTION`s: safe to run again.
fn function_migrations() -> impl Iterator<Item = &'static sqlx::migrate::Migration> {
    MIGRATOR.iter().filter(|m| m.description.ends_with("functions"))
}

/// The body (between `$fn$` quotes) the newest function migration gives `signature`'s function.
fn embedded_function_body(signature: &str) -> Option<String> {
    let name = signature.split('(').next()?;
    let header = format!("CREATE OR REPLACE FUNCTION {name}(");
    function_migrations()
        .filter_map(|m| {
            let start = m.sql.find(&header)?;
            let rest = &m.sql[start..];
            let body_start = rest.find("$fn$")? + 4;
            let body_len = rest[body_start..].find("$fn$")?;
            Some(rest[body_start..body_start + body_len].to_string())
        })
        .last()
}

/// True when the connection itself is gone (I/O failure, or the server ended the session), as
/// opposed to a failed statement on a healthy connection (a serialization failure or deadlock is
/// also `database_unavailable` to the caller, but the connection is fine to reuse).
fn connection_lost(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            code.starts_with("08") || code.starts_with("57P")
        }
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        _ => false,
    }
}

/// Maps sqlx errors once. Custom SQLSTATEs (class TL) come from the shift functions.
fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default().to_string();
            let message = db.message().to_string();
            match code.as_str() {
                "TL002" | "22003" | "23502" | "23503" | "23514" => StoreError::Rejected(message),
                "TL404" => StoreError::NotFound { entity: Entity::Register, key: message },
                "TL405" => StoreError::NotFound { entity: Entity::Session, key: message },
                "TL406" => StoreError::NotFound { entity: Entity::User, key: message },
                "TL407" => StoreError::NoOpenSession { register: message },
                "42883" => StoreError::SchemaNotReady(format!(
                    "a PostgreSQL function Till needs is missing ({message}): the schema was changed outside Till; {REPAIR}"
                )),
                "42P01" | "42703" => StoreError::SchemaNotReady(format!(
                    "the database has no Till schema or an incomplete one ({message}); run `tillctl migrate`"
                )),
                "23505" => StoreError::Rejected(message),
                // Lost connection, server shutting down, backend terminated, too many
                // connections, serialization failure or deadlock: nothing was committed.
                c if c.starts_with("08") || c.starts_with("57") || c.starts_with("53") || c.starts_with("40") => {
                    StoreError::Unavailable(message)
                }
                // Wrong password or user, or no such database: the server is there but refuses.
                c if c.starts_with("28") || c == "3D000" => {
                    StoreError::Unavailable(format!("the server refused the connection: {message}"))
                }
                _ => StoreError::Internal(e.to_string()),
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Internal(e.to_string()),
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgres
    }

    async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn().await?;
        let applied = Self::applied_migrations(&mut conn).await?;
        // Refuse unknown or edited migrations before touching anything.
        refuse_foreign_migrations(&till_sqlx::known_migrations(&MIGRATOR), &applied)?;
        let before: Vec<i64> = applied.iter().map(|m| m.version).collect();
        // sqlx takes an advisory lock, so several terminals starting at once migrate once.
        drop(conn);
        let admin = self.admin_pool().await?;
        let migrated = MIGRATOR.run(&admin).await;
        admin.close().await;
        migrated.map_err(|e| StoreError::SchemaNotReady(format!("migrating failed: {e}")))?;
        require_schema(&self.check_schema().await)?;
        Ok(MIGRATOR.iter().map(|m| m.version).filter(|v| !before.contains(v)).collect())
    }

    async fn repair_functions(&self) -> Result<(), StoreError> {
        // One simple-protocol batch: PostgreSQL runs it as one transaction.
        let sql: String = function_migrations().map(|m| m.sql.as_ref()).collect::<Vec<&str>>().join("\n");
        let admin = self.admin_pool().await?;
        let repaired = sqlx::raw_sql(&sql).execute(&admin).await;
        admin.close().await;
        repaired.map(drop).map_err(map_err)
    }

    async fn check_schema(&self) -> Vec<SchemaCheck> {
        const CONNECT_FIX: &str = "check --database-url / TILL_DATABASE_URL, that the server runs, and the password";
        let mut checks = vec![];
        let mut conn = match self.conn().await {
            Ok(conn) => conn,
            Err(e) => return vec![SchemaCheck::fail("connection", e.to_string(), CONNECT_FIX)],
        };
        match sqlx::query_scalar::<_, String>(
            "SELECT current_database() || ' on PostgreSQL ' || current_setting('server_version')",
        )
        .fetch_one(conn.db())
        .await
        {
            Ok(server) => checks.push(SchemaCheck::pass("connection", server)),
            Err(e) => {
                checks.push(SchemaCheck::fail("connection", conn.fail(e).to_string(), CONNECT_FIX));
                return checks;
            }
        }
        match Self::applied_migrations(&mut conn).await {
            Ok(applied) => checks.extend(check_migrations(&till_sqlx::known_migrations(&MIGRATOR), &applied)),
            Err(e) => checks.push(SchemaCheck::fail("migrations", e.to_string(), "run `tillctl migrate`")),
        }
        checks.push(Self::check_function(&mut conn, START_SHIFT_SIGNATURE).await);
        checks.push(Self::check_function(&mut conn, CLOSE_SHIFT_SIGNATURE).await);
        for index in REQUIRED_INDEXES {
            let present: Result<bool, _> = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = to_regclass($1) AND i.indisunique AND i.indisvalid)",
            )
            .bind(index)
            .fetch_one(conn.db())
            .await;
            checks.push(SchemaCheck::presence(
                format!("index {index}"),
                present.map_err(map_err),
                "present, unique and valid",
                "restore it from the migration in migrations/postgres (or a backup) before Till starts shifts",
            ));
        }
        checks
    }

    async fn create_location(&self, new: NewLocation) -> Result<Location, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(
            "INSERT INTO locations (id, code, name, timezone, cutoff_minutes, currency)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
        )
        .bind(LocationId::new().0)
        .bind(new.code.as_str())
        .bind(&new.name)
        .bind(new.time_zone.name())
        .bind(new.cutoff.minutes())
        .bind(new.currency.code())
        .fetch_one(conn.db())
        .await
        .map_err(|e| conn.fail_unique(e, Entity::Location, new.code.to_string()))?;
        till_sqlx::location(&row)
    }

    async fn list_locations(&self) -> Result<Vec<Location>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query("SELECT * FROM locations ORDER BY code")
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::location).collect()
    }

    async fn find_location(&self, code: &LocationCode) -> Result<Location, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT * FROM locations WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Location, code))?;
        till_sqlx::location(&row)
    }

    async fn create_register(&self, new: NewRegister) -> Result<Register, StoreError> {
        let mut conn = self.conn().await?;
        let key = format!("{}/{}", new.location, new.code);
        let id = RegisterId::new();
        let inserted = sqlx::query(
            "INSERT INTO registers (id, location_id, code, name)
             SELECT $1, l.id, $3, $4 FROM locations l WHERE l.code = $2",
        )
        .bind(id.0)
        .bind(new.location.as_str())
        .bind(new.code.as_str())
        .bind(&new.name)
        .execute(conn.db())
        .await
        .map_err(|e| conn.fail_unique(e, Entity::Register, key))?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::not_found(Entity::Location, &new.location));
        }
        self.find_register(&RegisterRef::Id(id)).await
    }

    async fn list_registers(&self, location: Option<&LocationCode>) -> Result<Vec<Register>, StoreError> {
        let mut conn = self.conn().await?;
        let rows = sqlx::query(&format!(
            "{} WHERE $1::text IS NULL OR l.code = $1 ORDER BY l.code, r.code",
            till_sqlx::REGISTER_SELECT
        ))
        .bind(location.map(LocationCode::as_str))
        .fetch_all(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::register).collect()
    }

    async fn find_register(&self, register: &RegisterRef) -> Result<Register, StoreError> {
        let mut conn = self.conn().await?;
        let (id, location, code) = match register {
            RegisterRef::Id(id) => (Some(id.0), None, None),
            RegisterRef::Address { location, register } => (None, Some(location.as_str()), Some(register.as_str())),
        };
        let sql = format!("{} WHERE r.id = $1 OR (l.code = $2 AND r.code = $3)", till_sqlx::REGISTER_SELECT);
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(location)
            .bind(code)
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Register, register))?;
        till_sqlx::register(&row)
    }

    async fn create_user(&self, new: NewUser) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("INSERT INTO users (id, name, role, pin_hash) VALUES ($1, $2, $3, $4) RETURNING *")
            .bind(UserId::new().0)
            .bind(new.name.as_str())
            .bind(new.role.as_str())
            .bind(&new.pin_hash.0)
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail_unique(e, Entity::User, new.name.to_string()))?;
        till_sqlx::user(&row)
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let mut conn = self.conn().await?;
        let rows =
            sqlx::query("SELECT * FROM users ORDER BY name").fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::user).collect()
    }

    async fn find_user(&self, name: &UserName) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT * FROM users WHERE name = $1")
            .bind(name.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        till_sqlx::user(&row)
    }

    async fn set_user_active(&self, name: &UserName, active: bool) -> Result<User, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("UPDATE users SET active = $1 WHERE name = $2 RETURNING *")
            .bind(active)
            .bind(name.as_str())
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::User, name))?;
        till_sqlx::user(&row)
    }

    async fn start_shift(&self, start: StartShift) -> Result<ShiftStarted, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query("SELECT (f.session).*, f.joined FROM till_start_shift($1, $2, $3, $4, $5, $6, $7) f")
            .bind(start.new_session_id.0)
            .bind(start.register_id.0)
            .bind(start.user_id.0)
            .bind(start.opening_cash)
            .bind(start.device.as_str())
            .bind(&start.notes)
            .bind(start.at)
            .fetch_one(conn.db())
            .await
            .map_err(|e| match conn.fail(e) {
                StoreError::NotFound { entity: Entity::Register, .. } => {
                    StoreError::not_found(Entity::Register, start.register_id)
                }
                StoreError::NoOpenSession { .. } => {
                    StoreError::NoOpenSession { register: start.register_id.to_string() }
                }
                other => other,
            })?;
        let joined: bool = row.try_get("joined").map_err(map_err)?;
        Ok(ShiftStarted { session: till_sqlx::session(&row)?, joined })
    }

    async fn close_shift(&self, close: CloseShift) -> Result<Session, StoreError> {
        let mut conn = self.conn().await?;
        let id: Uuid = match &close.session {
            SessionRef::Id(id) => id.0,
            SessionRef::Number(n) => sqlx::query_scalar("SELECT id FROM sessions WHERE number = $1")
                .bind(n)
                .fetch_optional(conn.db())
                .await
                .map_err(|e| conn.fail(e))?
                .ok_or_else(|| StoreError::not_found(Entity::Session, n))?,
        };
        let result = sqlx::query("SELECT (f.session).*, f.already_closed FROM till_close_shift($1, $2, $3, $4, $5) f")
            .bind(id)
            .bind(close.user_id.0)
            .bind(close.counted_cash)
            .bind(close.device.as_str())
            .bind(close.at)
            .fetch_one(conn.db())
            .await;
        let row = match result {
            Ok(row) => row,
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("TL403") => {
                let user = sqlx::query("SELECT name, role FROM users WHERE id = $1")
                    .bind(close.user_id.0)
                    .fetch_optional(conn.db())
                    .await
                    .map_err(|e| conn.fail(e))?
                    .ok_or_else(|| StoreError::not_found(Entity::User, close.user_id))?;
                return Err(StoreError::Forbidden {
                    user: user.try_get("name").map_err(map_err)?,
                    role: user.try_get("role").map_err(map_err)?,
                });
            }
            Err(e) => {
                return Err(match conn.fail(e) {
                    StoreError::NotFound { entity: Entity::Session, .. } => {
                        StoreError::not_found(Entity::Session, &close.session)
                    }
                    other => other,
                })
            }
        };
        let session = till_sqlx::session(&row)?;
        if row.try_get::<bool, _>("already_closed").map_err(map_err)? {
            return Err(StoreError::SessionAlreadyClosed {
                number: session.number,
                closed_by: session.closed_by.unwrap_or_default(),
                closed_at: session.closed_at.unwrap_or_default(),
            });
        }
        Ok(session)
    }

    async fn find_session(&self, session: &SessionRef) -> Result<Session, StoreError> {
        let mut conn = self.conn().await?;
        let (id, number) = match session {
            SessionRef::Id(id) => (Some(id.0), None),
            SessionRef::Number(n) => (None, Some(n.as_str())),
        };
        let row = sqlx::query("SELECT * FROM sessions WHERE id = $1 OR number = $2")
            .bind(id)
            .bind(number)
            .fetch_optional(conn.db())
            .await
            .map_err(|e| conn.fail(e))?
            .ok_or_else(|| StoreError::not_found(Entity::Session, session))?;
        Self::with_joins(&mut conn, till_sqlx::session(&row)?).await
    }

    async fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<Session>, StoreError> {
        let mut conn = self.conn().await?;
        let register = match &filter.register {
            Some(r) => Some(self.find_register(r).await?.id.0),
            None => None,
        };
        let status = filter.status.map(|s| s.as_str());
        let rows = sqlx::query(
            "SELECT * FROM sessions
             WHERE ($1::text IS NULL OR location_code = $1) AND ($2::uuid IS NULL OR register_id = $2)
               AND ($3::text IS NULL OR status = $3)
             ORDER BY opened_at DESC, number DESC LIMIT $4",
        )
        .bind(filter.location.as_ref().map(LocationCode::as_str))
        .bind(register)
        .bind(status)
        .bind(i64::from(filter.limit.unwrap_or(1000)))
        .fetch_all(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::session).collect()
    }

    async fn latest_session(&self, register: RegisterId) -> Result<Option<Session>, StoreError> {
        let mut conn = self.conn().await?;
        let row = sqlx::query(
            "SELECT * FROM sessions WHERE register_id = $1
             ORDER BY status = 'open' DESC, opened_at DESC LIMIT 1",
        )
        .bind(register.0)
        .fetch_optional(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        match row {
            Some(row) => Ok(Some(Self::with_joins(&mut conn, till_sqlx::session(&row)?).await?)),
            None => Ok(None),
        }
    }

    async fn audit(&self) -> Result<Audit, StoreError> {
        let mut conn = self.conn().await?;
        let (sessions, open_sessions): (i64, i64) =
            sqlx::query_as(till_sqlx::audit::COUNTS).fetch_one(conn.db()).await.map_err(|e| conn.fail(e))?;
        let mut strings = async |sql: &'static str| {
            sqlx::query_scalar::<_, String>(sql).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))
        };
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
