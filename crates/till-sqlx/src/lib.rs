//! What the SQLite and PostgreSQL stores share. Both schemas have the same tables and column
//! names (migrations/sqlite and migrations/postgres are one design in two dialects), so a row
//! decodes the same way from either; only the SQL around it differs.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::migrate::Migrator;
use sqlx::{ColumnIndex, Database, Decode, Row, Type};
use till_core::*;
use uuid::Uuid;

/// A column type both drivers decode.
pub trait Column<'r, DB: Database>: Decode<'r, DB> + Type<DB> {}
impl<'r, DB: Database, T: Decode<'r, DB> + Type<DB>> Column<'r, DB> for T {}

/// The column types Till's rows hold, decodable from `R`.
pub trait TillRow<'r>: Row
where
    &'static str: ColumnIndex<Self>,
{
    fn field<T: Column<'r, Self::Database>>(&'r self, column: &'static str) -> Result<T, StoreError> {
        self.try_get(column).map_err(|e| StoreError::Internal(format!("cannot read column {column}: {e}")))
    }
}

impl<'r, R: Row> TillRow<'r> for R where &'static str: ColumnIndex<R> {}

fn unexpected(what: &str, value: &str) -> StoreError {
    StoreError::Internal(format!("unexpected {what} {value:?} in the database"))
}

fn currency(text: &str) -> Result<Currency, StoreError> {
    Currency::parse(text).map_err(|_| unexpected("currency", text))
}

/// Decodes a row of `sessions`.
pub fn session<'r, R>(row: &'r R) -> Result<Session, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    NaiveDate: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    let status: String = row.field("status")?;
    Ok(Session {
        id: SessionId(row.field("id")?),
        number: row.field("number")?,
        register_id: RegisterId(row.field("register_id")?),
        register_code: row.field("register_code")?,
        location_id: LocationId(row.field("location_id")?),
        location_code: row.field("location_code")?,
        currency: currency(&row.field::<String>("currency")?)?,
        business_day: row.field("business_day")?,
        day_sequence: row.field("day_seq")?,
        status: match status.as_str() {
            "open" => SessionStatus::Open,
            "closed" => SessionStatus::Closed,
            _ => return Err(unexpected("status", &status)),
        },
        opened_by: row.field("opened_by_name")?,
        opened_at: row.field("opened_at")?,
        opening_device: row.field("opening_device")?,
        opening_cash: row.field("opening_cash")?,
        notes: row.field("notes")?,
        closed_by: row.field("closed_by_name")?,
        closed_at: row.field("closed_at")?,
        counted_cash: row.field("counted_cash")?,
        expected_cash: row.field("expected_cash")?,
        variance: row.field("variance")?,
        joins: Vec::new(),
    })
}

/// Decodes a row of `locations`.
pub fn location<'r, R>(row: &'r R) -> Result<Location, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
{
    let cutoff: i32 = row.field("cutoff_minutes")?;
    Ok(Location {
        id: LocationId(row.field("id")?),
        code: row.field("code")?,
        name: row.field("name")?,
        time_zone: row.field("timezone")?,
        cutoff: Cutoff::from_minutes(cutoff).map_err(|_| unexpected("cut-off", &cutoff.to_string()))?.to_string(),
        currency: currency(&row.field::<String>("currency")?)?,
    })
}

/// Decodes a register joined with its location (`r.*`, `location_code`, `location_name`,
/// `currency`).
pub fn register<'r, R>(row: &'r R) -> Result<Register, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
{
    let location_code: String = row.field("location_code")?;
    let code: String = row.field("code")?;
    Ok(Register {
        id: RegisterId(row.field("id")?),
        location_id: LocationId(row.field("location_id")?),
        address: format!("{location_code}/{code}"),
        location_code,
        location_name: row.field("location_name")?,
        code,
        name: row.field("name")?,
        currency: currency(&row.field::<String>("currency")?)?,
    })
}

/// Decodes a row of `users`.
pub fn user<'r, R>(row: &'r R) -> Result<User, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
{
    let role: String = row.field("role")?;
    Ok(User {
        id: UserId(row.field("id")?),
        name: row.field("name")?,
        role: role.parse().map_err(|_| unexpected("role", &role))?,
        active: row.field("active")?,
        pin_hash: PinHash(row.field("pin_hash")?),
    })
}

/// Decodes a join (`name`, `device`, `joined_at`).
pub fn join<'r, R>(row: &'r R) -> Result<Join, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    Ok(Join { user: row.field("name")?, device: row.field("device")?, joined_at: row.field("joined_at")? })
}

/// Decodes a row of sqlx's `_sqlx_migrations` (`version`, `checksum`, `success`).
pub fn applied_migration<'r, R>(row: &'r R) -> Result<AppliedMigration, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    i64: Column<'r, R::Database>,
    Vec<u8>: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
{
    Ok(AppliedMigration {
        version: row.field("version")?,
        checksum: row.field("checksum")?,
        success: row.field("success")?,
    })
}

/// The migrations a store's binary embeds.
pub fn known_migrations(migrator: &Migrator) -> Vec<KnownMigration> {
    migrator
        .iter()
        .map(|m| KnownMigration {
            version: m.version,
            description: m.description.to_string(),
            checksum: m.checksum.to_vec(),
        })
        .collect()
}

/// The joins of a session, newest last.
pub const JOINS_SQL: &str = "SELECT u.name, j.device, j.joined_at FROM session_joins j JOIN users u ON u.id = j.user_id
     WHERE j.session_id = $1 ORDER BY j.joined_at";

/// Registers with their location's code, name and currency; callers add WHERE and ORDER BY.
pub const REGISTER_SELECT: &str = "SELECT r.id, r.location_id, r.code, r.name, l.code AS location_code,
    l.name AS location_name, l.currency FROM registers r JOIN locations l ON l.id = r.location_id";

/// The audit's queries (the same SQL on both backends). `COUNTS` returns (sessions, open);
/// each of the others returns one text line per violation, so an empty result is a pass.
pub mod audit {
    pub const COUNTS: &str = "SELECT count(*), count(CASE WHEN status = 'open' THEN 1 END) FROM sessions";
    pub const SEVERAL_OPEN: &str = "SELECT location_code || '/' || register_code FROM sessions WHERE status = 'open'
        GROUP BY register_id, location_code, register_code HAVING count(*) > 1";
    pub const NUMBERING: &str = "SELECT l.code || ' ' || g.business_day || ': ' || g.n || ' sessions, sequences '
            || g.lo || '..' || g.hi || ', counter ' || coalesce(c.last_seq, 0)
        FROM (SELECT location_id, business_day, count(*) AS n, min(day_seq) AS lo,
                     max(day_seq) AS hi, count(DISTINCT day_seq) AS d
              FROM sessions GROUP BY location_id, business_day) g
        JOIN locations l ON l.id = g.location_id
        LEFT JOIN day_counters c ON c.location_id = g.location_id AND c.business_day = g.business_day
        WHERE g.lo <> 1 OR g.hi <> g.n OR g.d <> g.n OR coalesce(c.last_seq, 0) <> g.n";
    pub const DUPLICATE_NUMBERS: &str = "SELECT number FROM sessions GROUP BY number HAVING count(*) > 1";
    pub const BAD_CLOSURES: &str = "SELECT number FROM sessions WHERE status = 'closed'
        AND (variance IS NULL OR expected_cash IS NULL OR variance <> counted_cash - expected_cash)";
}
