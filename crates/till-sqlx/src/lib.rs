//! What the SQLite and PostgreSQL stores share. Both schemas have the same tables and column
//! names (migrations/sqlite and migrations/postgres are one design in two dialects), so a row
//! decodes the same way from either; only the SQL around it differs.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::migrate::Migrator;
use sqlx::{ColumnIndex, Database, Decode, Row, Type};
use till_core::anchor::{AnchorOf, JournalAnchor, PrintedAnchor};
use till_core::cash::{CashMovement, CashReason, DenominationCount, MovementKind};
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
    bool: Column<'r, R::Database>,
{
    let status: String = row.field("status")?;
    let currency = currency(&row.field::<String>("currency")?)?;
    let money = |minor: i64| Money::from_minor(minor, currency);
    let maybe = |minor: Option<i64>| minor.map(money);
    Ok(Session {
        id: SessionId(row.field("id")?),
        number: row.field("number")?,
        register_id: RegisterId(row.field("register_id")?),
        register_code: row.field("register_code")?,
        location_id: LocationId(row.field("location_id")?),
        location_code: row.field("location_code")?,
        currency,
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
        opening_cash: money(row.field("opening_cash")?),
        notes: row.field("notes")?,
        closed_by: row.field("closed_by_name")?,
        closed_at: row.field("closed_at")?,
        counted_cash: maybe(row.field("counted_cash")?),
        expected_cash: maybe(row.field("expected_cash")?),
        variance: maybe(row.field("variance")?),
        float_expected: maybe(row.field("float_expected")?),
        cash_removed: maybe(row.field("cash_removed")?),
        float_left: maybe(row.field("float_left")?),
        variance_reason: row.field("variance_reason")?,
        approved_by: row.field("approved_by_name")?,
        count_pending: row.field("count_pending")?,
        force_close_reason: row.field("force_close_reason")?,
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
    i64: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
{
    let cutoff: i32 = row.field("cutoff_minutes")?;
    Ok(Location {
        id: LocationId(row.field("id")?),
        code: row.field("code")?,
        name: row.field("name")?,
        time_zone: row.field("timezone")?,
        cutoff: Cutoff::from_minutes(cutoff).map_err(|_| unexpected("cut-off", &cutoff.to_string()))?.to_string(),
        currency: currency(&row.field::<String>("currency")?)?,
        locale: row.field("locale")?,
        blind_close: row.field("blind_close")?,
        variance_limit_minor: row.field("variance_limit_minor")?,
        cash_out_limit_minor: row.field("cash_out_limit_minor")?,
        session_limit_minutes: row.field("session_limit_minutes")?,
        manager_pin_min_length: row.field("manager_pin_min_length")?,
        prices_include_tax: row.field("prices_include_tax")?,
        cash_rounding_minor: i64::from(row.field::<i32>("cash_rounding_minor")?),
        discount_limit_ppm: u32::try_from(row.field::<i32>("discount_limit_ppm")?)
            .map_err(|_| unexpected("discount limit", "negative"))?,
        login_idle_minutes: row.field("login_idle_minutes")?,
        address: row.field("address")?,
        tax_number: row.field("tax_number")?,
    })
}

/// Binds a [`LocationChange`] to [`sql::UPDATE_LOCATION`] after its `$1` (the location's code),
/// the same for both backends.
#[macro_export]
macro_rules! bind_location_change {
    ($query:expr, $code:expr, $change:expr) => {{
        let change: &till_core::LocationChange = $change;
        $query
            .bind($code)
            .bind(change.name.clone())
            .bind(change.currency.map(|c| c.code().to_string()))
            .bind(change.locale.as_ref().map(|l| l.as_str().to_string()))
            .bind(change.prices_include_tax)
            .bind(change.cash_rounding_minor.map(|v| i32::try_from(v).unwrap_or(i32::MAX)))
            .bind(change.discount_limit_ppm.map(|v| i32::try_from(v).unwrap_or(i32::MAX)))
            .bind(change.address.clone())
            .bind(change.tax_number.clone())
            .bind(change.cash_out_limit_minor)
            .bind(change.variance_limit_minor)
            .bind(change.blind_close)
            .bind(change.session_limit_minutes)
            .bind(change.login_idle_minutes)
            .bind(change.manager_pin_min_length.map(i32::from))
    }};
}

/// A location's settings as its staff-chain entry states them (PostgreSQL's
/// `till_location_facts` builds the same object), from a `locations` row.
pub fn location_facts<'r, R>(row: &'r R) -> Result<serde_json::Value, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
{
    Ok(serde_json::json!({
        "id": row.field::<Uuid>("id")?, "code": row.field::<String>("code")?, "name": row.field::<String>("name")?,
        "currency": row.field::<String>("currency")?, "locale": row.field::<String>("locale")?,
        "timezone": row.field::<String>("timezone")?, "cutoff_minutes": row.field::<i32>("cutoff_minutes")?,
        "prices_include_tax": row.field::<bool>("prices_include_tax")?,
        "cash_rounding_minor": row.field::<i32>("cash_rounding_minor")?,
        "discount_limit_ppm": row.field::<i32>("discount_limit_ppm")?,
        "address": row.field::<String>("address")?, "tax_number": row.field::<String>("tax_number")?,
        "cash_out_limit_minor": row.field::<i64>("cash_out_limit_minor")?,
        "variance_limit_minor": row.field::<i64>("variance_limit_minor")?,
        "blind_close": row.field::<bool>("blind_close")?,
        "session_limit_minutes": row.field::<i32>("session_limit_minutes")?,
        "login_idle_minutes": row.field::<i32>("login_idle_minutes")?,
        "manager_pin_min_length": row.field::<i32>("manager_pin_min_length")?,
    }))
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
    i32: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    let role: String = row.field("role")?;
    let role: Role = role.parse().map_err(|_| unexpected("role", &role))?;
    Ok(User {
        id: UserId(row.field("id")?),
        name: row.field("name")?,
        approves: role.is_manager(),
        role,
        active: row.field("active")?,
        failed_pins: row.field("failed_pins")?,
        locked_until: row.field("locked_until")?,
        lockouts: row.field("lockouts")?,
    })
}

/// Decodes a row of `auth_events` joined with the user's name (`name`).
pub fn auth_event<'r, R>(row: &'r R) -> Result<AuthEvent, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    let kind: String = row.field("kind")?;
    Ok(AuthEvent {
        user: row.field("name")?,
        kind: AuthEventKind::parse(&kind).ok_or_else(|| unexpected("auth event", &kind))?,
        device: row.field("device")?,
        at: row.field("at")?,
        detail: row.field("detail")?,
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

/// Decodes a row of sqlx's `_sqlx_migrations` (`version`, `description`, `checksum`, `success`).
pub fn applied_migration<'r, R>(row: &'r R) -> Result<AppliedMigration, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    i64: Column<'r, R::Database>,
    String: Column<'r, R::Database>,
    Vec<u8>: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
{
    Ok(AppliedMigration {
        version: row.field("version")?,
        description: row.field("description")?,
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

/// SQL that is the same in both dialects: `$n` parameters (SQLite reads them as numbered),
/// no casts, no dialect functions. Each store binds the parameters in the order given.
pub mod sql {
    pub const LOCATIONS: &str = "SELECT * FROM locations ORDER BY code";
    /// `$1` code.
    pub const LOCATION_BY_CODE: &str = "SELECT * FROM locations WHERE code = $1";
    /// `$1` id, `$2` code, `$3` name, `$4` time zone, `$5` cut-off minutes, `$6` currency,
    /// `$7` locale.
    /// `$1` code, then each setting of a [`LocationChange`] or NULL to keep it, in
    /// [`bind_location_change!`]'s order. One statement: the settings change together.
    pub const UPDATE_LOCATION: &str = "UPDATE locations SET name = coalesce($2, name),
            currency = coalesce($3, currency), locale = coalesce($4, locale),
            prices_include_tax = coalesce($5, prices_include_tax),
            cash_rounding_minor = coalesce($6, cash_rounding_minor),
            discount_limit_ppm = coalesce($7, discount_limit_ppm), address = coalesce($8, address),
            tax_number = coalesce($9, tax_number), cash_out_limit_minor = coalesce($10, cash_out_limit_minor),
            variance_limit_minor = coalesce($11, variance_limit_minor), blind_close = coalesce($12, blind_close),
            session_limit_minutes = coalesce($13, session_limit_minutes),
            login_idle_minutes = coalesce($14, login_idle_minutes),
            manager_pin_min_length = coalesce($15, manager_pin_min_length)
        WHERE code = $1 RETURNING *";
    /// `$1` code: whether the location has had a session (its currency is then fixed).
    pub const LOCATION_HAS_SESSIONS: &str =
        "SELECT EXISTS (SELECT 1 FROM sessions s JOIN locations l ON l.id = s.location_id WHERE l.code = $1)";
    pub const INSERT_LOCATION: &str =
        "INSERT INTO locations (id, code, name, timezone, cutoff_minutes, currency, locale)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *";
    /// `$1` location id: the reasons a new location offers for cash movements (the same as
    /// migration 0011 gave the locations that existed then).
    pub const DEFAULT_CASH_REASONS: &str = "INSERT INTO cash_reasons (location_id, kind, code, label, position)
        SELECT $1, column1, column2, column3, column4 FROM (VALUES
            ('paid_in', 'float_top_up', 'Float top-up', 1), ('paid_in', 'other', 'Other', 9),
            ('paid_out', 'supplies', 'Supplies', 1), ('paid_out', 'delivery', 'Delivery', 2),
            ('paid_out', 'other', 'Other', 9), ('drop', 'safe_drop', 'Drop to safe', 1),
            ('no_sale', 'change_for_customer', 'Change for a customer', 1), ('no_sale', 'other', 'Other', 9)) AS v";

    /// A user's columns, as [`super::user`] decodes them; never pin_hash: a terminal's
    /// PostgreSQL role may not read it at all, and nothing but the store's own PIN check needs it.
    macro_rules! user_columns {
        () => {
            "id, name, role, active, failed_pins, lockouts, locked_until"
        };
    }
    pub const USER_COLUMNS: &str = user_columns!();
    pub const USERS: &str = concat!("SELECT ", user_columns!(), " FROM users ORDER BY name");
    /// `$1` name.
    pub const USER_BY_NAME: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE name = $1");
    /// `$1` id.
    pub const USER_BY_ID: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");
    /// `$1` id, `$2` name, `$3` role, `$4` PIN hash (SQLite: PostgreSQL hashes in the database).
    pub const INSERT_USER: &str =
        concat!("INSERT INTO users (id, name, role, pin_hash) VALUES ($1, $2, $3, $4) RETURNING ", user_columns!());
    /// `$1` active, `$2` name.
    pub const SET_USER_ACTIVE: &str =
        concat!("UPDATE users SET active = $1 WHERE name = $2 RETURNING ", user_columns!());
    /// `$1` failed PINs, `$2` lockouts, `$3` locked until, `$4` id.
    pub const SET_PIN_STATE: &str = concat!(
        "UPDATE users SET failed_pins = $1, lockouts = $2, locked_until = $3 WHERE id = $4 RETURNING ",
        user_columns!()
    );
    /// `$1` id, `$2` user id, `$3` kind, `$4` device, `$5` at, `$6` detail.
    pub const INSERT_AUTH_EVENT: &str =
        "INSERT INTO auth_events (id, user_id, kind, device, at, detail) VALUES ($1, $2, $3, $4, $5, $6)";
    /// `$1` limit.
    pub const AUTH_EVENTS: &str = "SELECT u.name, e.kind, e.device, e.at, e.detail
        FROM auth_events e JOIN users u ON u.id = e.user_id ORDER BY e.at DESC, e.id DESC LIMIT $1";

    /// `$1` id.
    pub const SESSION_BY_ID: &str = "SELECT * FROM sessions WHERE id = $1";
    /// `$1` number.
    pub const SESSION_BY_NUMBER: &str = "SELECT * FROM sessions WHERE number = $1";
    /// `$1` register id: its open session, else its newest.
    pub const LATEST_SESSION: &str = "SELECT * FROM sessions WHERE register_id = $1
        ORDER BY status = 'open' DESC, opened_at DESC LIMIT 1";
}

/// The joins of a session, newest last.
pub const JOINS_SQL: &str = "SELECT u.name, j.device, j.joined_at FROM session_joins j JOIN users u ON u.id = j.user_id
     WHERE j.session_id = $1 ORDER BY j.joined_at";

/// Registers with their location's code, name and currency; callers add WHERE and ORDER BY.
pub const REGISTER_SELECT: &str = "SELECT r.id, r.location_id, r.code, r.name, l.code AS location_code,
    l.name AS location_name, l.currency FROM registers r JOIN locations l ON l.id = r.location_id";

/// The invariant checks' queries (the same SQL on both backends). `COUNTS` returns (sessions, open);
/// each of the others returns one text line per violation, so an empty result is a pass.
pub mod invariants {
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

/// Maps a failed migration run: a database error (lost connection, timeout) keeps its own
/// meaning through `map`, so a killed connection mid-migration is `database_unavailable` (retry)
/// and not a broken schema.
pub fn migrate_error(e: sqlx::migrate::MigrateError, map: impl Fn(sqlx::Error) -> StoreError) -> StoreError {
    use sqlx::migrate::MigrateError;
    match e {
        MigrateError::Execute(e) => map(e),
        MigrateError::ExecuteMigration(e, version) => match map(e) {
            StoreError::Internal(text) | StoreError::Rejected(text) => {
                StoreError::SchemaNotReady(format!("migration {version} failed: {text}"))
            }
            other => other,
        },
        other => StoreError::SchemaNotReady(format!("migrating failed: {other}")),
    }
}

/// Compares a schema's object definitions (kind and name → definition text) with the ones the
/// embedded migrations create, as read from a scratch copy. Missing and differing objects fail;
/// so do extra ones of the kinds that change behaviour (`extra_matters`: constraints, unique
/// indexes, triggers, functions) on Till's own tables (names are `table.object`, and the
/// reference lists each table as kind `table`); other tables in the database are not Till's.
pub fn compare_definitions(
    expected: &std::collections::BTreeMap<(String, String), String>,
    actual: &std::collections::BTreeMap<(String, String), String>,
    extra_matters: impl Fn(&str) -> bool,
    fix: &str,
) -> Vec<SchemaCheck> {
    let mut checks = Vec::new();
    for ((kind, name), definition) in expected {
        let label = format!("{kind} {name}");
        match actual.get(&(kind.clone(), name.clone())) {
            None => checks.push(SchemaCheck::fail(label, "missing: the schema was changed outside Till", fix)),
            Some(found) if found != definition => checks.push(SchemaCheck::fail(
                label,
                format!("differs from what the migrations create (edited by hand?): found `{found}`, expected `{definition}`"),
                fix,
            )),
            Some(_) => {}
        }
    }
    let till_table = |name: &str| {
        name.split_once('.').is_some_and(|(table, _)| expected.contains_key(&("table".to_string(), table.to_string())))
    };
    for (kind, name) in actual.keys() {
        let on_till = kind == "function" || till_table(name);
        if on_till && extra_matters(kind) && !expected.contains_key(&(kind.clone(), name.clone())) {
            checks.push(SchemaCheck::fail(
                format!("{kind} {name}"),
                "not created by Till's migrations: it could change what Till's operations do",
                "remove it, or restore the database from a backup",
            ));
        }
    }
    if checks.is_empty() {
        checks.push(SchemaCheck::pass(
            "definitions",
            format!(
                "{} definitions (columns, constraints, indexes, triggers, functions) as the migrations create them",
                expected.len()
            ),
        ));
    }
    checks
}

fn ppm(value: i32) -> Result<Ppm, StoreError> {
    u32::try_from(value)
        .ok()
        .filter(|v| *v <= Ppm::ONE_HUNDRED_PERCENT.0)
        .map(Ppm)
        .ok_or_else(|| unexpected("tax rate", &value.to_string()))
}

/// Decodes a row of `tax_rates`.
pub fn tax_rate<'r, R>(row: &'r R) -> Result<TaxRate, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
{
    Ok(TaxRate {
        id: TaxRateId(row.field("id")?),
        code: row.field("code")?,
        name: row.field("name")?,
        rate: ppm(row.field("rate_ppm")?)?,
    })
}

/// Decodes a row of `categories`.
pub fn category<'r, R>(row: &'r R) -> Result<Category, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
{
    let position: i32 = row.field("position")?;
    Ok(Category {
        id: CategoryId(row.field("id")?),
        location_id: LocationId(row.field("location_id")?),
        name: row.field("name")?,
        position: u16::try_from(position).map_err(|_| unexpected("category position", &position.to_string()))?,
        colour: row.field("colour")?,
    })
}

/// Decodes a row of `catalog::PRODUCTS`; the barcodes are read separately.
pub fn product<'r, R>(row: &'r R, barcodes: Vec<String>) -> Result<Product, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
{
    Ok(Product {
        id: ProductId(row.field("id")?),
        location_id: LocationId(row.field("location_id")?),
        sku: row.field("sku")?,
        name: row.field("name")?,
        price_minor: row.field("price_minor")?,
        tax_rate_id: TaxRateId(row.field("tax_rate_id")?),
        tax_code: row.field("tax_code")?,
        rate: ppm(row.field("rate_ppm")?)?,
        category_id: row.field::<Option<Uuid>>("category_id")?.map(CategoryId),
        category: row.field("category_name")?,
        barcodes,
        active: row.field("active")?,
    })
}

/// The catalog's SQL, the same in both dialects (`$n` parameters).
pub mod catalog {
    /// `$1` code.
    pub const LOCATION_ID: &str = "SELECT id FROM locations WHERE code = $1";
    /// `$1` id, `$2` location id, `$3` code, `$4` name, `$5` rate (ppm).
    pub const INSERT_TAX_RATE: &str =
        "INSERT INTO tax_rates (id, location_id, code, name, rate_ppm) VALUES ($1, $2, $3, $4, $5) RETURNING *";
    /// `$1` location id.
    pub const TAX_RATES: &str = "SELECT * FROM tax_rates WHERE location_id = $1 ORDER BY code";
    /// `$1` id, `$2` location id, `$3` name, `$4` position, `$5` colour.
    pub const INSERT_CATEGORY: &str =
        "INSERT INTO categories (id, location_id, name, position, colour) VALUES ($1, $2, $3, $4, $5) RETURNING *";
    /// `$1` location id.
    pub const CATEGORIES: &str = "SELECT * FROM categories WHERE location_id = $1 ORDER BY position, name";
    /// The product columns with their tax rate's code and rate and their category's name.
    macro_rules! product_select {
        () => {
            "SELECT p.*, t.code AS tax_code, t.rate_ppm, c.name AS category_name
            FROM products p JOIN tax_rates t ON t.id = p.tax_rate_id LEFT JOIN categories c ON c.id = p.category_id"
        };
    }
    /// `$1` location id, `$2` include inactive.
    pub const PRODUCTS: &str =
        concat!(product_select!(), " WHERE p.location_id = $1 AND ($2 OR p.active) ORDER BY p.sku");
    /// `$1` location id, `$2` product id.
    pub const PRODUCT_BY_ID: &str = concat!(product_select!(), " WHERE p.location_id = $1 AND p.id = $2");
    /// `$1` location id, `$2` SKU.
    pub const PRODUCT_BY_SKU: &str = concat!(product_select!(), " WHERE p.location_id = $1 AND p.sku = $2");
    /// `$1` location id, `$2` barcode.
    pub const PRODUCT_BY_BARCODE: &str = concat!(
        product_select!(),
        " WHERE p.id = (SELECT product_id FROM product_barcodes WHERE location_id = $1 AND barcode = $2)"
    );
    /// `$1` location id.
    pub const BARCODES: &str =
        "SELECT product_id, barcode FROM product_barcodes WHERE location_id = $1 ORDER BY barcode";
    /// `$1` product id.
    pub const BARCODES_OF_PRODUCT: &str = "SELECT barcode FROM product_barcodes WHERE product_id = $1 ORDER BY barcode";
    /// `$1` new id, `$2` location id, `$3` SKU, `$4` name, `$5` price, `$6` tax rate id,
    /// `$7` category id, `$8` active. Returns the product's id: `$1` when it was inserted.
    pub const UPSERT_PRODUCT: &str =
        "INSERT INTO products (id, location_id, sku, name, price_minor, tax_rate_id, category_id, active)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (location_id, sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
            tax_rate_id = excluded.tax_rate_id, category_id = excluded.category_id, active = excluded.active
        RETURNING id";
    /// `$1` product id.
    pub const DELETE_BARCODES: &str = "DELETE FROM product_barcodes WHERE product_id = $1";
    /// `$1` barcode, `$2` location id, `$3` product id.
    pub const INSERT_BARCODE: &str =
        "INSERT INTO product_barcodes (barcode, location_id, product_id) VALUES ($1, $2, $3)";
    /// `$1` active, `$2` location id, `$3` SKU.
    pub const SET_PRODUCT_ACTIVE: &str =
        "UPDATE products SET active = $1 WHERE location_id = $2 AND sku = $3 RETURNING id";
}

fn count_u32(value: i32, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| unexpected(what, &value.to_string()))
}

/// Decodes a receipt's header ([`sales::RECEIPT_SELECT`]); lines, tenders and taxes are read
/// separately.
pub fn receipt<'r, R>(row: &'r R) -> Result<Receipt, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    let kind: String = row.field("kind")?;
    Ok(Receipt {
        id: ReceiptId(row.field("id")?),
        kind: match kind.as_str() {
            "sale" => ReceiptKind::Sale,
            "refund" => ReceiptKind::Refund,
            _ => return Err(unexpected("receipt kind", &kind)),
        },
        number: row.field("number")?,
        receipt_seq: row.field("receipt_seq")?,
        session_id: SessionId(row.field("session_id")?),
        session_number: row.field("session_number")?,
        register_id: RegisterId(row.field("register_id")?),
        register_code: row.field("register_code")?,
        location_id: LocationId(row.field("location_id")?),
        location_code: row.field("location_code")?,
        location_name: row.field("location_name")?,
        location_address: row.field("location_address")?,
        location_tax_number: row.field("location_tax_number")?,
        locale: row.field("locale")?,
        time_zone: row.field("time_zone")?,
        refund_of: row.field("refund_of_number")?,
        cashier: row.field("user_name")?,
        device: row.field("device")?,
        at: row.field("at")?,
        currency: currency(&row.field::<String>("currency")?)?,
        prices_include_tax: row.field("prices_include_tax")?,
        subtotal: row.field("subtotal")?,
        discount: row.field("discount")?,
        tax: row.field("tax")?,
        total: row.field("total")?,
        rounding: row.field("rounding")?,
        tendered: row.field("tendered")?,
        change: row.field("change")?,
        cash_net: row.field("cash_net")?,
        lines: Vec::new(),
        tenders: Vec::new(),
        taxes: Vec::new(),
        anchor: anchor(
            AnchorOf::Receipt(row.field("number")?),
            row.field("register_id")?,
            row.field("entry_seq")?,
            row.field("entry_hash")?,
        ),
    })
}

/// The anchor of a receipt's or Z's journal entry, from the `entry_seq` and `entry_hash` its
/// query joined in (absent for a row from before the journal began).
fn anchor(of: AnchorOf, chain: Uuid, seq: Option<i64>, hash: Option<String>) -> Option<PrintedAnchor> {
    Some(JournalAnchor { of, chain, seq: seq?, hash: hash? }.printed())
}

/// Decodes a row of [`sales::LINES`].
pub fn receipt_line<'r, R>(row: &'r R) -> Result<ReceiptLine, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    Ok(ReceiptLine {
        line_no: count_u32(row.field("line_no")?, "line number")?,
        product_id: ProductId(row.field("product_id")?),
        sku: row.field("sku")?,
        name: row.field("name")?,
        category: row.field("category")?,
        tax_rate_id: TaxRateId(row.field("tax_rate_id")?),
        rate_ppm: count_u32(row.field("rate_ppm")?, "tax rate")?,
        quantity: row.field("quantity")?,
        catalog_unit_price: row.field("catalog_unit_price")?,
        unit_price: row.field("unit_price")?,
        extended: row.field("extended")?,
        line_discount: row.field("line_discount")?,
        receipt_discount: row.field("receipt_discount")?,
        amount: row.field("amount")?,
        tax: row.field("tax")?,
        total: row.field("total")?,
        refund_of_line: row.field::<Option<i32>>("refund_of_line")?.map(|n| count_u32(n, "line number")).transpose()?,
        refunded_quantity: row.field("refunded_quantity")?,
        refunded_total: row.field("refunded_total")?,
        refunded_tax: row.field("refunded_tax")?,
    })
}

/// Decodes a row of [`sales::TENDERS`].
pub fn receipt_tender<'r, R>(row: &'r R) -> Result<ReceiptTender, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    Ok(ReceiptTender { kind: row.field("kind")?, amount: row.field("amount")?, reference: row.field("reference")? })
}

/// Decodes a row of [`sales::TAXES`] or [`sales::TAX_TOTALS`].
pub fn receipt_tax<'r, R>(row: &'r R) -> Result<ReceiptTax, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    Ok(ReceiptTax {
        tax_rate_id: TaxRateId(row.field("tax_rate_id")?),
        name: row.field("name")?,
        rate_ppm: count_u32(row.field("rate_ppm")?, "tax rate")?,
        net: row.field("net")?,
        tax: row.field("tax")?,
        gross: row.field("gross")?,
    })
}

/// Decodes a row of [`sales::CATEGORY_TOTALS`].
pub fn category_total<'r, R>(row: &'r R) -> Result<CategoryTotal, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    Ok(CategoryTotal { category: row.field("category")?, count: row.field("count")?, amount: row.field("amount")? })
}

/// Decodes a row of [`sales::TENDER_TOTALS`].
pub fn tender_total<'r, R>(row: &'r R) -> Result<TenderTotal, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    Ok(TenderTotal { kind: row.field("kind")?, count: row.field("count")?, amount: row.field("amount")? })
}

/// Decodes [`sales::TOTALS`]; the per-tender and per-rate rows are read separately.
pub fn session_totals<'r, R>(row: &'r R) -> Result<SessionTotals, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    let opening_cash: i64 = row.field("opening_cash")?;
    let cash_net: i64 = row.field("cash_net")?;
    Ok(SessionTotals {
        session_id: SessionId(row.field("id")?),
        sales_count: row.field("sales_count")?,
        refunds_count: row.field("refunds_count")?,
        sales_total: row.field("sales_total")?,
        refunds_total: row.field("refunds_total")?,
        discounts_total: row.field("discounts_total")?,
        tax_total: row.field("tax_total")?,
        rounding_total: row.field("rounding_total")?,
        discounts_count: row.field("discounts_count")?,
        cash_net,
        cash_sales: row.field("cash_sales")?,
        change_given: row.field("change_given")?,
        cash_refunds: row.field("cash_refunds")?,
        paid_in_count: row.field("paid_in_count")?,
        paid_in_total: row.field("paid_in_total")?,
        paid_out_count: row.field("paid_out_count")?,
        paid_out_total: row.field("paid_out_total")?,
        drops_count: row.field("drops_count")?,
        drops_total: row.field("drops_total")?,
        no_sale_count: row.field("no_sale_count")?,
        reprint_count: row.field("reprint_count")?,
        opening_cash,
        expected_cash: opening_cash + cash_net,
        tenders: Vec::new(),
        taxes: Vec::new(),
        categories: Vec::new(),
        drawer_hidden: false,
    })
}

/// Decodes [`sales::PRICING`] with the location's tax rates.
pub fn pricing_settings<'r, R>(row: &'r R, tax_rates: Vec<TaxRate>) -> Result<PricingSettings, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
    bool: Column<'r, R::Database>,
{
    Ok(PricingSettings {
        currency: currency(&row.field::<String>("currency")?)?,
        prices_include_tax: row.field("prices_include_tax")?,
        tax_rates,
        cash_rounding_increment: i64::from(row.field::<i32>("cash_rounding_minor")?),
        manager_discount_threshold: ppm(row.field("discount_limit_ppm")?)?,
    })
}

/// Sales and refunds: the SQL both stores share (`$n` parameters).
pub mod sales {
    /// `$1` location code.
    pub const PRICING: &str = "SELECT id, currency, prices_include_tax, cash_rounding_minor, discount_limit_ppm
        FROM locations WHERE code = $1";
    macro_rules! receipt_select {
        ($anchor:literal, $journal:literal) => {
            concat!(
                "SELECT s.*, se.number AS session_number, r.code AS register_code, l.code AS location_code,
                    l.name AS location_name, l.address AS location_address,
                    l.tax_number AS location_tax_number, l.timezone AS time_zone, l.locale AS locale,
                    o.number AS refund_of_number, ",
                $anchor,
                " FROM sales s JOIN sessions se ON se.id = s.session_id JOIN registers r ON r.id = s.register_id
                JOIN locations l ON l.id = s.location_id LEFT JOIN sales o ON o.id = s.refund_of ",
                $journal
            )
        };
    }
    /// `$1` receipt id: its number and its request's fingerprint (a retry's answer).
    pub const PRIOR_RECEIPT: &str = "SELECT number, request_hash FROM sales WHERE id = $1";
    /// `$1` number. With its anchor (the QR code it prints).
    pub const RECEIPT_BY_NUMBER: &str = concat!(
        receipt_select!(
            "j.seq AS entry_seq, j.hash AS entry_hash",
            "LEFT JOIN journal j ON j.ref_id = s.id AND j.chain_id = s.register_id AND j.event = s.kind"
        ),
        " WHERE s.number = $1"
    );
    /// `$1` session id. Without anchors: a list prints no QR codes, and drawing one per receipt
    /// would cost a shift's list a millisecond a receipt.
    pub const RECEIPTS_OF_SESSION: &str = concat!(
        receipt_select!("CAST(NULL AS bigint) AS entry_seq, CAST(NULL AS text) AS entry_hash", ""),
        " WHERE s.session_id = $1 ORDER BY s.receipt_seq"
    );
    /// `$1` receipt id.
    pub const LINES: &str = "SELECT sl.*, coalesce(lr.refunded_quantity, 0) AS refunded_quantity,
            coalesce(lr.refunded_total, 0) AS refunded_total, coalesce(lr.refunded_tax, 0) AS refunded_tax
        FROM sale_lines sl LEFT JOIN line_refunds lr ON lr.sale_id = sl.sale_id AND lr.line_no = sl.line_no
        WHERE sl.sale_id = $1 ORDER BY sl.line_no";
    /// `$1` receipt id.
    pub const TENDERS: &str = "SELECT kind, amount, reference FROM sale_tenders WHERE sale_id = $1 ORDER BY n";
    /// `$1` receipt id.
    pub const TAXES: &str = "SELECT * FROM sale_taxes WHERE sale_id = $1 ORDER BY rate_ppm DESC, name";
    /// `$1` session id.
    pub const TOTALS: &str =
        "SELECT id, opening_cash, cash_net, sales_count, refunds_count, sales_total, refunds_total,
        discounts_total, discounts_count, tax_total, rounding_total, cash_sales, change_given, cash_refunds,
        paid_in_count, paid_in_total, paid_out_count, paid_out_total, drops_count, drops_total, no_sale_count,
        reprint_count FROM sessions WHERE id = $1";
    /// `$1` session id.
    pub const CATEGORY_TOTALS: &str =
        "SELECT category, count, amount FROM session_category_totals WHERE session_id = $1 ORDER BY category";
    /// `$1` session id.
    pub const TENDER_TOTALS: &str =
        "SELECT kind, count, amount FROM session_tender_totals WHERE session_id = $1 ORDER BY kind";
    /// `$1` session id.
    pub const TAX_TOTALS: &str = "SELECT tax_rate_id, name, rate_ppm, net, tax, gross FROM session_tax_totals
        WHERE session_id = $1 ORDER BY rate_ppm DESC, name";
}

/// Decodes a row of [`cash::REASONS`].
pub fn cash_reason<'r, R>(row: &'r R) -> Result<CashReason, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
{
    let kind: String = row.field("kind")?;
    Ok(CashReason {
        kind: MovementKind::parse(&kind).map_err(|_| unexpected("movement kind", &kind))?,
        code: row.field("code")?,
        label: row.field("label")?,
        position: row.field("position")?,
    })
}

/// Decodes a row of [`cash::MOVEMENT`] / [`cash::MOVEMENTS`].
pub fn cash_movement<'r, R>(row: &'r R) -> Result<CashMovement, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    let kind: String = row.field("kind")?;
    Ok(CashMovement {
        id: MovementId(row.field("id")?),
        session_id: SessionId(row.field("session_id")?),
        location_id: LocationId(row.field("location_id")?),
        kind: MovementKind::parse(&kind).map_err(|_| unexpected("movement kind", &kind))?,
        amount: row.field("amount")?,
        currency: currency(&row.field::<String>("currency")?)?,
        reason: row.field("reason")?,
        note: row.field("note")?,
        user: row.field("user_name")?,
        approved_by: row.field("approved_by_name")?,
        device: row.field("device")?,
        at: row.field("at")?,
    })
}

/// Decodes [`cash::MOVEMENT`]'s row as a retry's answer, with its request's fingerprint.
pub fn prior_movement<'r, R>(row: &'r R) -> Result<Prior<CashMovement>, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    Ok(Prior { recorded: cash_movement(row)?, request_hash: row.field("request_hash")? })
}

/// Decodes a row with a text column `recorded` and `request_hash` (as [`sales::PRIOR_RECEIPT`]).
pub fn prior<'r, R>(row: &'r R, recorded: &'static str) -> Result<Prior<String>, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
{
    Ok(Prior { recorded: row.field(recorded)?, request_hash: row.field("request_hash")? })
}

/// Decodes a row of `z_reports`.
pub fn z_record<'r, R>(row: &'r R) -> Result<ZRecord, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    Ok(ZRecord {
        register_id: RegisterId(row.field("register_id")?),
        z_number: row.field("z_number")?,
        session_id: SessionId(row.field("session_id")?),
        at: row.field("at")?,
        first_receipt: row.field("first_receipt")?,
        last_receipt: row.field("last_receipt")?,
        grand_sales: row.field("grand_sales")?,
        grand_refunds: row.field("grand_refunds")?,
        journal_seq: row.field("journal_seq")?,
        journal_head: row.field("journal_head")?,
        anchor: anchor(
            AnchorOf::Z(row.field("z_number")?),
            row.field("register_id")?,
            row.field("entry_seq")?,
            row.field("entry_hash")?,
        ),
    })
}

/// Decodes a row of [`cash::CLOSING_COUNT`].
pub fn denomination<'r, R>(row: &'r R) -> Result<DenominationCount, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    i64: Column<'r, R::Database>,
    i32: Column<'r, R::Database>,
{
    let count: i32 = row.field("count")?;
    Ok(DenominationCount {
        denomination: row.field("denomination")?,
        count: u32::try_from(count).map_err(|_| unexpected("count", &count.to_string()))?,
    })
}

/// Decodes a row of `journal`.
pub fn journal_entry<'r, R>(row: &'r R) -> Result<till_core::journal::JournalEntry, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
    DateTime<Utc>: Column<'r, R::Database>,
{
    Ok(till_core::journal::JournalEntry {
        chain_id: row.field("chain_id")?,
        seq: row.field("seq")?,
        at: row.field("at")?,
        device: row.field("device")?,
        user_id: row.field("user_id")?,
        event: row.field("event")?,
        ref_id: row.field("ref_id")?,
        body: row.field("body")?,
        prev_hash: row.field("prev_hash")?,
        hash: row.field("hash")?,
    })
}

/// Decodes a row of [`journal::HEADS`].
pub fn chain_head<'r, R>(row: &'r R) -> Result<till_core::journal::ChainHead, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    Ok(till_core::journal::ChainHead {
        chain_id: row.field("chain_id")?,
        seq: row.field("seq")?,
        hash: row.field("hash")?,
    })
}

/// Decodes a row of [`journal::ANCHORS`].
pub fn z_anchor<'r, R>(row: &'r R) -> Result<till_core::journal::ZAnchor, StoreError>
where
    R: TillRow<'r>,
    &'static str: ColumnIndex<R>,
    String: Column<'r, R::Database>,
    Uuid: Column<'r, R::Database>,
    i64: Column<'r, R::Database>,
{
    Ok(till_core::journal::ZAnchor {
        register_id: RegisterId(row.field("register_id")?),
        z_number: row.field("z_number")?,
        session_id: SessionId(row.field("session_id")?),
        journal_seq: row.field("journal_seq")?,
        journal_head: row.field("journal_head")?,
    })
}

/// The business rows a chain must cover, decoded into the facts their entries state. The
/// payload keys are those the appends write (PostgreSQL's functions and triggers, SQLite's
/// store): money and identities, as the rows hold them now.
pub mod expected {
    use super::*;
    use serde_json::{json, Value};
    use till_core::journal::ExpectedEntry;

    /// A sale's or refund's row with its lines (`[line_no, product_id, quantity, unit_price,
    /// amount, tax, total]`, by line number) and tenders (`[kind, amount, reference]`).
    pub fn receipt<'r, R>(row: &'r R, lines: Vec<Value>, tenders: Vec<Value>) -> Result<ExpectedEntry, StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
        i64: Column<'r, R::Database>,
    {
        Ok(ExpectedEntry {
            event: row.field("kind")?,
            reference: row.field("id")?,
            facts: json!({
                "number": row.field::<String>("number")?, "total": row.field::<i64>("total")?,
                "tax": row.field::<i64>("tax")?, "discount": row.field::<i64>("discount")?,
                "tendered": row.field::<i64>("tendered")?, "change": row.field::<i64>("change")?,
                "cash_net": row.field::<i64>("cash_net")?, "lines": lines, "tenders": tenders,
                "approved_by": row.field::<Option<Uuid>>("approved_by")?,
            }),
            required: true,
            user: Some(row.field("user_id")?),
            names: vec![(row.field("user_id")?, row.field("user_name")?)],
        })
    }

    /// One line of [`journal::LINES`] as the payload lists it, with the sale it belongs to.
    pub fn line<'r, R>(row: &'r R) -> Result<(Uuid, Value), StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        Uuid: Column<'r, R::Database>,
        i64: Column<'r, R::Database>,
    {
        Ok((
            row.field("sale_id")?,
            json!([
                row.field::<i64>("line_no")?,
                row.field::<Uuid>("product_id")?,
                row.field::<i64>("quantity")?,
                row.field::<i64>("unit_price")?,
                row.field::<i64>("amount")?,
                row.field::<i64>("tax")?,
                row.field::<i64>("total")?
            ]),
        ))
    }

    /// One tender of [`journal::TENDERS`] as the payload lists it, with its sale.
    pub fn tender<'r, R>(row: &'r R) -> Result<(Uuid, Value), StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
        i64: Column<'r, R::Database>,
    {
        Ok((
            row.field("sale_id")?,
            json!([
                row.field::<String>("kind")?,
                row.field::<i64>("amount")?,
                row.field::<Option<String>>("reference")?
            ]),
        ))
    }

    pub fn movement<'r, R>(row: &'r R) -> Result<ExpectedEntry, StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
        i64: Column<'r, R::Database>,
    {
        Ok(ExpectedEntry {
            event: row.field("kind")?,
            reference: row.field("id")?,
            facts: json!({
                "amount": row.field::<i64>("amount")?, "reason": row.field::<String>("reason")?,
                "session_id": row.field::<Uuid>("session_id")?, "approved_by": row.field::<Option<Uuid>>("approved_by")?,
            }),
            required: true,
            user: Some(row.field("user_id")?),
            names: vec![(row.field("user_id")?, row.field("user_name")?)],
        })
    }

    /// A session's open, close and late count entries: required for what happened at or after
    /// `since`, matched (not required) for what happened before the journal began.
    pub fn session<'r, R>(row: &'r R, since: DateTime<Utc>) -> Result<Vec<ExpectedEntry>, StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
        i64: Column<'r, R::Database>,
        DateTime<Utc>: Column<'r, R::Database>,
    {
        let id: Uuid = row.field("id")?;
        let entry = |event: &str, facts: Value, at: DateTime<Utc>, user: Uuid, names: Vec<(Uuid, String)>| {
            ExpectedEntry { event: event.into(), reference: id, facts, required: at >= since, user: Some(user), names }
        };
        let opened_by: Uuid = row.field("opened_by")?;
        let mut out = vec![entry(
            "session_open",
            json!({ "opening_cash": row.field::<i64>("opening_cash")? }),
            row.field("opened_at")?,
            opened_by,
            vec![(opened_by, row.field("opened_by_name")?)],
        )];
        if let Some(closed_at) = row.field::<Option<DateTime<Utc>>>("closed_at")? {
            let closed_by: Uuid = row.field("closed_by")?;
            let approved_by: Option<Uuid> = row.field("approved_by")?;
            let mut names = vec![(closed_by, row.field("closed_by_name")?)];
            if let (Some(approver), Some(name)) = (approved_by, row.field::<Option<String>>("approved_by_name")?) {
                names.push((approver, name));
            }
            let late: Option<DateTime<Utc>> = row.field("late_counted_at")?;
            let expected: Option<i64> = row.field("expected_cash")?;
            let counted: Option<i64> = row.field("counted_cash")?;
            let variance: Option<i64> = row.field("variance")?;
            let count = json!({ "expected_cash": expected, "counted_cash": counted, "variance": variance });
            match late {
                None => {
                    let mut facts = count;
                    facts["approved_by"] = json!(approved_by);
                    out.push(entry("session_close", facts, closed_at, closed_by, names));
                }
                Some(late_at) => {
                    let close = json!({ "expected_cash": expected });
                    out.push(entry("session_close", close, closed_at, closed_by, names));
                    let counter = row.field::<Option<Uuid>>("late_counted_by")?.unwrap_or_default();
                    out.push(entry("late_count", count, late_at, counter, Vec::new()));
                }
            }
        }
        Ok(out)
    }

    pub fn z<'r, R>(row: &'r R) -> Result<ExpectedEntry, StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
        i64: Column<'r, R::Database>,
    {
        Ok(ExpectedEntry {
            event: "z_report".into(),
            reference: row.field("session_id")?,
            facts: json!({
                "z_number": row.field::<i64>("z_number")?, "grand_sales": row.field::<i64>("grand_sales")?,
                "grand_refunds": row.field::<i64>("grand_refunds")?, "journal_seq": row.field::<i64>("journal_seq")?,
                "journal_head": row.field::<String>("journal_head")?,
            }),
            required: true,
            user: Some(row.field("closed_by")?),
            names: Vec::new(),
        })
    }

    pub fn auth_event<'r, R>(row: &'r R) -> Result<ExpectedEntry, StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
    {
        let kind: String = row.field("kind")?;
        Ok(ExpectedEntry {
            event: kind.clone(),
            reference: row.field("id")?,
            facts: json!({ "kind": kind }),
            required: true,
            user: row.field("user_id")?,
            names: Vec::new(),
        })
    }

    /// The database's identity, as its entry on the staff chain states it.
    pub fn database_identity(id: Uuid) -> ExpectedEntry {
        ExpectedEntry {
            event: till_core::journal::DATABASE_EVENT.into(),
            reference: id,
            facts: json!({ "id": id }),
            required: true,
            user: None,
            names: Vec::new(),
        }
    }

    /// A user as the staff chain must last have journaled it (`pin` is the sha256 of its PIN
    /// hash, as the backend computes it: [`journal::USERS`]).
    pub fn user<'r, R>(row: &'r R, pin: String) -> Result<ExpectedEntry, StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
        bool: Column<'r, R::Database>,
    {
        Ok(ExpectedEntry {
            event: till_core::journal::USER_EVENT.into(),
            reference: row.field("id")?,
            facts: json!({
                "name": row.field::<String>("name")?, "role": row.field::<String>("role")?,
                "active": row.field::<bool>("active")?, "pin": pin,
            }),
            required: true,
            user: None,
            names: Vec::new(),
        })
    }

    /// A location as the staff chain must last have journaled it ([`crate::location_facts`]).
    pub fn location<'r, R>(row: &'r R) -> Result<ExpectedEntry, StoreError>
    where
        R: TillRow<'r>,
        &'static str: ColumnIndex<R>,
        String: Column<'r, R::Database>,
        Uuid: Column<'r, R::Database>,
        i32: Column<'r, R::Database>,
        i64: Column<'r, R::Database>,
        bool: Column<'r, R::Database>,
    {
        Ok(ExpectedEntry {
            event: till_core::journal::LOCATION_EVENT.into(),
            reference: row.field("id")?,
            facts: crate::location_facts(row)?,
            required: true,
            user: None,
            names: Vec::new(),
        })
    }

    /// Groups lines by sale, in line order, for [`receipt`].
    pub fn lines_by_sale(lines: Vec<(Uuid, Value)>) -> std::collections::HashMap<Uuid, Vec<Value>> {
        let mut by_sale: std::collections::HashMap<Uuid, Vec<Value>> = std::collections::HashMap::new();
        for (sale, line) in lines {
            by_sale.entry(sale).or_default().push(line);
        }
        by_sale
    }
}

pub mod cash {
    /// `$1` location code.
    pub const REASONS: &str = "SELECT r.kind, r.code, r.label, r.position FROM cash_reasons r
        JOIN locations l ON l.id = r.location_id WHERE l.code = $1 ORDER BY r.kind, r.position, r.code";
    /// `$1` location code, `$2` kind, `$3` code, `$4` label, `$5` position.
    pub const ADD_REASON: &str = "INSERT INTO cash_reasons (location_id, kind, code, label, position)
        SELECT l.id, $2, $3, $4, $5 FROM locations l WHERE l.code = $1 RETURNING kind, code, label, position";
    macro_rules! movement_select {
        () => {
            "SELECT m.*, a.name AS approved_by_name, s.currency FROM cash_movements m
            JOIN sessions s ON s.id = m.session_id LEFT JOIN users a ON a.id = m.approved_by"
        };
    }
    /// A Z with its own journal entry (its anchor).
    macro_rules! z_select {
        () => {
            "SELECT z.*, j.seq AS entry_seq, j.hash AS entry_hash FROM z_reports z
            LEFT JOIN journal j ON j.ref_id = z.session_id AND j.chain_id = z.register_id AND j.event = 'z_report'"
        };
    }
    /// `$1` movement id.
    pub const MOVEMENT: &str = concat!(movement_select!(), " WHERE m.id = $1");
    /// `$1` session id.
    pub const MOVEMENTS: &str = concat!(movement_select!(), " WHERE m.session_id = $1 ORDER BY m.at, m.id");
    /// `$1` session id.
    pub const OPENING_COUNT: &str =
        "SELECT denomination, count FROM cash_counts WHERE session_id = $1 AND stage = 'open'
        ORDER BY denomination DESC";
    /// `$1` session id.
    pub const CLOSING_COUNT: &str =
        "SELECT denomination, count FROM cash_counts WHERE session_id = $1 AND stage = 'close'
        ORDER BY denomination DESC";
    /// `$1` session id.
    pub const Z_OF_SESSION: &str = concat!(z_select!(), " WHERE z.session_id = $1");
    /// `$1` location code, `$2` register id, `$3` from day, `$4` to day (each optional).
    pub const Z_LIST: &str = concat!(
        z_select!(),
        " JOIN sessions s ON s.id = z.session_id
        WHERE ($1 IS NULL OR s.location_code = $1) AND ($2 IS NULL OR z.register_id = $2)
          AND ($3 IS NULL OR s.business_day >= $3) AND ($4 IS NULL OR s.business_day <= $4)
        ORDER BY s.location_code, s.register_code, z.z_number"
    );
}

pub mod journal {
    /// Every chain's head row, and every chain that has entries but no head row (seq 0): verify
    /// walks them all, and export writes them all.
    pub const HEADS: &str = "SELECT chain_id, seq, hash FROM journal_heads
        UNION ALL
        SELECT DISTINCT j.chain_id, 0, '0000000000000000000000000000000000000000000000000000000000000000' FROM journal j
         WHERE NOT EXISTS (SELECT 1 FROM journal_heads h WHERE h.chain_id = j.chain_id)
        ORDER BY 1";
    /// When migration 0011 (the journal's) was applied.
    pub const START: &str = "SELECT installed_on FROM _sqlx_migrations WHERE version = 11";
    /// `$1` chain: every entry, by seq (verify's snapshot).
    pub const ALL_ENTRIES: &str = "SELECT * FROM journal WHERE chain_id = $1 ORDER BY seq";
    /// Every register's id (each has a chain).
    pub const REGISTER_IDS: &str = "SELECT id FROM registers";
    /// `$1` chain, `$2` after seq, `$3` limit.
    pub const ENTRIES: &str = "SELECT * FROM journal WHERE chain_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
    /// `$1` register (chain) id.
    pub const ANCHORS: &str = "SELECT register_id, z_number, session_id, journal_seq, journal_head FROM z_reports
        WHERE register_id = $1 ORDER BY z_number";
    /// `$1` register id, `$2` since.
    pub const SALES: &str = "SELECT id, kind, number, total, tax, discount, tendered, change, cash_net, user_id,
        user_name, approved_by FROM sales WHERE register_id = $1 AND at >= $2";
    /// `$1` register id, `$2` since.
    pub const LINES: &str = "SELECT l.sale_id, CAST(l.line_no AS bigint) AS line_no, l.product_id,
        CAST(l.quantity AS bigint) AS quantity, l.unit_price, l.amount, l.tax, l.total
        FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.register_id = $1 AND s.at >= $2
        ORDER BY l.sale_id, l.line_no";
    /// `$1` register id, `$2` since.
    pub const MOVEMENTS: &str = "SELECT id, kind, amount, reason, session_id, approved_by, user_id, user_name
        FROM cash_movements WHERE register_id = $1 AND at >= $2";
    /// `$1` register id, `$2` since.
    pub const TENDERS: &str = "SELECT t.sale_id, t.kind, t.amount, t.reference FROM sale_tenders t
        JOIN sales s ON s.id = t.sale_id WHERE s.register_id = $1 AND s.at >= $2 ORDER BY t.sale_id, t.n";
    /// `$1` register id (every session: an entry may name one opened before the journal began).
    pub const SESSIONS: &str = "SELECT id, opened_at, opening_cash, closed_at, expected_cash, counted_cash, variance,
        late_counted_at, late_counted_by, opened_by, opened_by_name, closed_by, closed_by_name, approved_by,
        approved_by_name FROM sessions WHERE register_id = $1";
    /// `$1` register id, `$2` since.
    pub const ZS: &str = "SELECT z.*, s.closed_by FROM z_reports z JOIN sessions s ON s.id = z.session_id
        WHERE z.register_id = $1 AND z.at >= $2";
    /// `$1` since: PIN events (the staff chain).
    pub const AUTH_EVENTS: &str = "SELECT id, kind, user_id FROM auth_events WHERE at >= $1";
    /// The database's identity (migration 0015).
    pub const IDENTITY: &str = "SELECT id FROM database_identity";
    /// Every user, with its PIN hash (SQLite's store hashes it for [`super::expected::user`];
    /// PostgreSQL's asks `till_staff_state()`, as a terminal may not read the hash).
    pub const USERS: &str = "SELECT id, name, role, active, pin_hash FROM users";
    /// Every location (as the role may read them), for [`super::expected::location`].
    pub const LOCATIONS: &str = "SELECT * FROM locations";
}
