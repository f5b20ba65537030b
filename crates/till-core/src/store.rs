//! The storage contract. Every backend (SQLite, PostgreSQL) implements [`Store`] and passes
//! the same contract tests (top-level `tests/`).

use crate::cash::{CashMovement, CashReason, DenominationCount, NewCashMovement, SignOff};
use crate::catalog::{Category, NewCategory, NewProduct, NewTaxRate, Product, ProductKey, Sku};
use crate::domain::*;
use crate::error::{ErrorCode, StoreError};
use crate::journal::{ChainHead, ExpectedEntry, JournalEntry, ZAnchor};
use crate::location::LocationChange;
use crate::money::{Currency, Money};
use crate::pricing::{PricingSettings, TaxRate};
use crate::sales::{NewReceipt, Receipt, Recorded, SessionTotals};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl BackendKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            BackendKind::Sqlite => "sqlite",
            BackendKind::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewLocation {
    pub code: LocationCode,
    pub name: String,
    pub time_zone: TimeZone,
    pub cutoff: Cutoff,
    pub currency: Currency,
    pub locale: Locale,
    /// Settings other than the defaults, written in the location's transaction.
    pub settings: crate::location::LocationChange,
    /// Tax rates made with it (a preset's), in the same transaction.
    pub tax_rates: Vec<crate::catalog::NewTaxRate>,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Location {
    #[ts(type = "string")]
    pub id: LocationId,
    pub code: String,
    pub name: String,
    #[serde(rename = "timezone")]
    pub time_zone: String,
    pub cutoff: String,
    #[ts(type = "string")]
    pub currency: Currency,
    /// BCP 47 tag the screens format money and dates with (`de-DE`).
    pub locale: String,
    /// Cash control: whoever counts at close does not see the expected cash first.
    pub blind_close: bool,
    /// A close whose |variance| is above this (minor units) needs a recount, then a sign-off.
    #[ts(type = "number")]
    pub variance_limit_minor: i64,
    /// A paid out or drop above this (minor units) needs a manager.
    #[ts(type = "number")]
    pub cash_out_limit_minor: i64,
    /// A session open longer than this is forgotten (a banner; a manager force-closes it).
    pub session_limit_minutes: i32,
    /// The fewest digits a manager's or admin's PIN may have (4 to 8). Users serve every
    /// location, so the strictest location's figure applies ([`crate::auth::pin_long_enough`]).
    pub manager_pin_min_length: i32,
    /// Shelf prices include tax (VAT countries) or tax is added at the till (US, Canada).
    pub prices_include_tax: bool,
    /// Cash totals round to this many minor units (5: CHF 0.05; 1: no rounding).
    #[ts(type = "number")]
    pub cash_rounding_minor: i64,
    /// A discount above this share of its line (ppm) needs a manager.
    pub discount_limit_ppm: u32,
    /// A login idle this long ends (minutes).
    pub login_idle_minutes: i32,
    /// Printed on receipts.
    pub address: String,
    /// VAT ID, Steuernummer, UID or EIN, printed on receipts.
    pub tax_number: String,
}

#[derive(Debug, Clone)]
pub struct NewRegister {
    pub location: LocationCode,
    pub code: RegisterCode,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Register {
    #[ts(type = "string")]
    pub id: RegisterId,
    #[ts(type = "string")]
    pub location_id: LocationId,
    pub location_code: String,
    pub location_name: String,
    pub code: String,
    pub name: String,
    /// `DT/R1`
    pub address: String,
    /// The location's currency: the drawer counts in it.
    #[ts(type = "string")]
    pub currency: Currency,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub name: UserName,
    pub role: Role,
    /// Hashed by the store: argon2id on SQLite, bcrypt (pgcrypto) on PostgreSQL, which checks
    /// PINs itself.
    pub pin: Pin,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct User {
    #[ts(type = "string")]
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Wrong PINs in a row since the last success, lockout or unlock.
    pub failed_pins: i32,
    /// Set while the user is locked out after too many wrong PINs.
    pub locked_until: Option<DateTime<Utc>>,
    /// How many lockouts in a row (each lasts longer); reset by a success or an unlock.
    #[serde(skip)]
    pub lockouts: i32,
    /// A manager or admin ([`Role::is_manager`]): approves what a cashier may not do alone.
    /// Sent so the screens show who may approve without a rule of their own.
    pub approves: bool,
}

impl User {
    /// True while a lockout is in force at `now`.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

/// A user's name and PIN as typed: a login, or a manager's approval. The store checks it
/// (on PostgreSQL the database does, and counts it where a terminal cannot undo the count).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub name: UserName,
    pub pin: Pin,
}

impl Credentials {
    /// A name and PIN as typed.
    pub fn parse(name: &str, pin: &str) -> Result<Credentials, crate::InputError> {
        Ok(Credentials { name: UserName::parse(name)?, pin: Pin::parse(pin)? })
    }
}

/// A login the store opened for a user whose PIN it checked: a random secret, kept by the
/// device that logged in and carried by every write (on PostgreSQL the database knows only its
/// sha256, ends it on logout, deactivation, lockout or a new PIN, and after the location's
/// idle limit). Never printed, never sent to the UI.
#[derive(Clone, PartialEq, Eq)]
pub struct LoginToken(String);

impl LoginToken {
    pub fn new(secret: String) -> LoginToken {
        LoginToken(secret)
    }

    /// A fresh login: 256 random bits from the operating system, as 64 hex digits (as
    /// PostgreSQL's till_pin_result makes them).
    pub fn generate() -> LoginToken {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut bytes = [0_u8; 32];
        OsRng.fill_bytes(&mut bytes);
        LoginToken(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// What a store keeps of it: its sha256 as 64 hex digits.
    pub fn digest(&self) -> String {
        crate::journal::sha256_hex(self.0.as_bytes())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for LoginToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LoginToken(..)")
    }
}

/// A user whose PIN the store checked, and the login it opened for them.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user: User,
    pub login: LoginToken,
}

/// Who acts on a write: the login that does it, and, for what needs a manager (a refund, an
/// override, a paid out above the limit, a close by a cashier's login), a manager's name and PIN.
/// The store checks that PIN for this one request (PostgreSQL: a one-use approval bound to the
/// request's hash). Without one, the login's user must be a manager where one is needed.
#[derive(Debug, Clone)]
pub struct Actor {
    pub login: LoginToken,
    pub approval: Option<Credentials>,
}

impl Actor {
    /// The login acting alone.
    pub fn login(login: &LoginToken) -> Actor {
        Actor { login: login.clone(), approval: None }
    }
}

/// A manager (or IT through tillctl) lifting a lockout.
#[derive(Debug, Clone)]
pub struct UnlockUser {
    pub name: UserName,
    /// The manager's name and PIN; `None` when IT unlocks from tillctl, which only the owner's
    /// database role may do.
    pub by: Option<Credentials>,
    pub device: DeviceName,
}

/// What the staff log records: failed PINs, lockouts and unlocks, with device and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AuthEventKind {
    PinFailed,
    Locked,
    Unlocked,
}

impl AuthEventKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            AuthEventKind::PinFailed => "pin_failed",
            AuthEventKind::Locked => "locked",
            AuthEventKind::Unlocked => "unlocked",
        }
    }

    pub fn parse(text: &str) -> Option<AuthEventKind> {
        [AuthEventKind::PinFailed, AuthEventKind::Locked, AuthEventKind::Unlocked]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct AuthEvent {
    pub user: String,
    pub kind: AuthEventKind,
    pub device: String,
    pub at: DateTime<Utc>,
    /// Who unlocked (for `unlocked`), or until when (for `locked`), as text.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Open,
    Closed,
}

impl SessionStatus {
    /// The word stored in the database and shown to people: `open` or `closed`.
    pub fn as_str(&self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Closed => "closed",
        }
    }
}

/// Who joined an open session, from which device, and when (first join per user and device).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Join {
    pub user: String,
    pub device: String,
    pub joined_at: DateTime<Utc>,
}

/// A register session as stored. Money is in minor units of `currency`; use
/// [`Session::view`] for the form people and programs read.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: SessionId,
    pub number: String,
    pub register_id: RegisterId,
    pub register_code: String,
    pub location_id: LocationId,
    pub location_code: String,
    pub currency: Currency,
    pub business_day: NaiveDate,
    pub day_sequence: i64,
    pub status: SessionStatus,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub opening_device: String,
    pub opening_cash: Money,
    pub notes: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub counted_cash: Option<Money>,
    pub expected_cash: Option<Money>,
    pub variance: Option<Money>,
    /// The float the register's previous close left (the default opening cash).
    pub float_expected: Option<Money>,
    /// At close: cash taken to the safe, and the float left in the drawer for the next shift.
    pub cash_removed: Option<Money>,
    pub float_left: Option<Money>,
    pub variance_reason: Option<String>,
    /// The manager who signed off the variance (or made the late count).
    pub approved_by: Option<String>,
    /// Force-closed and not counted yet: `counted_cash` holds the expected cash until the late
    /// count.
    pub count_pending: bool,
    pub force_close_reason: Option<String>,
    /// Filled by [`SessionStore::find_session`] and [`SessionStore::latest_session`]; empty elsewhere.
    pub joins: Vec<Join>,
}

/// A session for JSON (the CLI's `--json` and the desktop UI): money as decimal strings in the
/// currency's digits (`"200.00"`), never floats.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SessionView {
    #[ts(type = "string")]
    pub id: SessionId,
    pub number: String,
    pub location_code: String,
    pub register_code: String,
    #[ts(type = "string")]
    pub currency: Currency,
    pub business_day: NaiveDate,
    #[ts(type = "number")]
    pub day_sequence: i64,
    pub status: SessionStatus,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub opening_device: String,
    pub opening_cash: String,
    pub notes: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub counted_cash: Option<String>,
    pub expected_cash: Option<String>,
    pub variance: Option<String>,
    pub float_expected: Option<String>,
    pub cash_removed: Option<String>,
    pub float_left: Option<String>,
    pub variance_reason: Option<String>,
    pub approved_by: Option<String>,
    pub count_pending: bool,
    pub force_close_reason: Option<String>,
    pub joins: Vec<Join>,
}

impl Session {
    /// The answer to a close (or force-close) of this session when another one closed it first.
    pub fn already_closed(&self) -> StoreError {
        StoreError::SessionAlreadyClosed {
            number: self.number.clone(),
            closed_by: self.closed_by.clone().unwrap_or_default(),
            closed_at: self.closed_at.unwrap_or_default(),
        }
    }

    pub fn view(&self) -> SessionView {
        let money = |amount: Money| amount.to_string();
        SessionView {
            id: self.id,
            number: self.number.clone(),
            location_code: self.location_code.clone(),
            register_code: self.register_code.clone(),
            currency: self.currency,
            business_day: self.business_day,
            day_sequence: self.day_sequence,
            status: self.status,
            opened_by: self.opened_by.clone(),
            opened_at: self.opened_at,
            opening_device: self.opening_device.clone(),
            opening_cash: money(self.opening_cash),
            notes: self.notes.clone(),
            closed_by: self.closed_by.clone(),
            closed_at: self.closed_at,
            counted_cash: self.counted_cash.map(money),
            expected_cash: self.expected_cash.map(money),
            variance: self.variance.map(money),
            float_expected: self.float_expected.map(money),
            cash_removed: self.cash_removed.map(money),
            float_left: self.float_left.map(money),
            variance_reason: self.variance_reason.clone(),
            approved_by: self.approved_by.clone(),
            count_pending: self.count_pending,
            force_close_reason: self.force_close_reason.clone(),
            joins: self.joins.clone(),
        }
    }
}

/// The input of the one atomic operation that opens or joins a register's session.
#[derive(Debug, Clone)]
pub struct StartShift {
    /// Chosen by the caller. A session this call creates gets it as its id, and a join it
    /// records carries it: repeating the call with the same id returns that session again
    /// instead of opening or joining anew.
    pub request_id: RequestId,
    pub register_id: RegisterId,
    /// Whoever starts or joins: never a user id (the store finds the user from the login).
    pub login: LoginToken,
    /// In the register's currency; ignored when the call joins an open session. `None` means
    /// join only: with no open session the call fails with `no_open_session` instead of
    /// opening one (a cashier pressing "Join" must never open a drawer with no float).
    pub opening_cash: Option<Money>,
    pub device: DeviceName,
    pub notes: Option<Notes>,
}

#[derive(Debug, Clone)]
pub struct ShiftStarted {
    pub session: Session,
    /// True when the register already had an open session and this call joined it.
    pub joined: bool,
}

/// [`ShiftStarted`] for JSON: `{"session": {...}, "joined": false}`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ShiftStartedView {
    pub session: SessionView,
    pub joined: bool,
}

impl ShiftStarted {
    pub fn view(&self) -> ShiftStartedView {
        ShiftStartedView { session: self.session.view(), joined: self.joined }
    }
}

#[derive(Debug, Clone)]
pub struct CloseShift {
    /// Chosen by the caller and stored on the closed session: repeating the close with the same
    /// id answers the closed session again instead of `session_already_closed`.
    pub request_id: RequestId,
    pub session: SessionId,
    /// The closer is a manager or admin: the login's user, or the manager whose PIN
    /// `actor.approval` carries. The store checks under the session's lock.
    pub actor: Actor,
    pub counted_cash: Money,
    pub device: DeviceName,
    /// The float left in the drawer for the next shift (at most the count); the rest is the
    /// cash removed to the safe.
    pub float_left: Money,
    /// The notes and coins counted, stored as data; empty when only the total was entered.
    pub denominations: Vec<DenominationCount>,
    /// Needed when the variance is above the location's limit; the database refuses the close
    /// without it (`variance_needs_signoff`). The closing manager signs it.
    pub sign_off: Option<SignOff>,
}

/// A forgotten session closed by a manager, with a reason and no count.
#[derive(Debug, Clone)]
pub struct ForceClose {
    pub request_id: RequestId,
    pub session: SessionId,
    /// A manager's login, or a login with a manager's approval.
    pub actor: Actor,
    pub reason: String,
    pub device: DeviceName,
}

/// The count of a force-closed session, made later by a manager.
#[derive(Debug, Clone)]
pub struct LateCount {
    pub session: SessionId,
    /// A manager's login, or a login with a manager's approval.
    pub actor: Actor,
    pub counted_cash: Money,
    pub float_left: Money,
    pub denominations: Vec<DenominationCount>,
    pub variance_reason: Option<String>,
    pub device: DeviceName,
}

/// A Z report's own record, made in its close's transaction.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ZRecord {
    #[ts(type = "string")]
    pub register_id: RegisterId,
    #[ts(type = "number")]
    pub z_number: i64,
    #[ts(type = "string")]
    pub session_id: SessionId,
    pub at: DateTime<Utc>,
    pub first_receipt: Option<String>,
    pub last_receipt: Option<String>,
    #[ts(type = "number")]
    pub grand_sales: i64,
    #[ts(type = "number")]
    pub grand_refunds: i64,
    #[ts(type = "number")]
    pub journal_seq: i64,
    pub journal_head: String,
    /// The Z's own journal entry as a QR code (see [`crate::anchor`]).
    pub anchor: Option<crate::anchor::PrintedAnchor>,
}

/// Which Z reports to list (a bookkeeper's export).
#[derive(Debug, Clone, Default)]
pub struct ZFilter {
    pub location: Option<LocationCode>,
    pub register: Option<RegisterId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub location: Option<LocationCode>,
    pub register: Option<RegisterRef>,
    pub status: Option<SessionStatus>,
    pub limit: Option<u32>,
}

/// Where a terminal's database role may act: registers, and whole locations.
#[derive(Debug, Clone, Default)]
pub struct TerminalBinding {
    pub registers: Vec<RegisterId>,
    pub locations: Vec<LocationId>,
}

/// One line of `tillctl doctor`.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
    /// What to run or do when `ok` is false, or about a warning.
    pub fix: Option<String>,
    /// The error a store refuses to open with when this check fails, if more precise than
    /// `schema_not_ready` (`app_too_old`, `schema_behind`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<ErrorCode>,
    /// Passes, but IT should look (a weak TLS mode, a clock drifting): `doctor` still exits 0.
    pub warning: bool,
}

impl SchemaCheck {
    pub fn pass(name: impl Into<String>, detail: impl Into<String>) -> Self {
        SchemaCheck { name: name.into(), ok: true, detail: detail.into(), fix: None, refusal: None, warning: false }
    }
    pub fn fail(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        SchemaCheck {
            name: name.into(),
            ok: false,
            detail: detail.into(),
            fix: Some(fix.into()),
            refusal: None,
            warning: false,
        }
    }
    pub fn warn(name: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        SchemaCheck {
            name: name.into(),
            ok: true,
            detail: detail.into(),
            fix: Some(fix.into()),
            refusal: None,
            warning: true,
        }
    }
    pub fn refused_with(mut self, code: ErrorCode) -> Self {
        self.refusal = Some(code);
        self
    }

    /// The check that a schema object the atomic operations rely on is there.
    pub fn presence(name: String, found: Result<bool, StoreError>, present: &str, fix: &str) -> Self {
        match found {
            Ok(true) => SchemaCheck::pass(name, present),
            Ok(false) => SchemaCheck::fail(name, "missing or altered: the schema was changed outside Till", fix),
            Err(e) => SchemaCheck::fail(name, e.to_string(), "run `tillctl doctor`"),
        }
    }
}

/// The shift invariants read back from the database: tests and the benchmark assert them.
/// (Not the audit journal: this is a consistency check of the rows as they are.)
#[derive(Debug, Clone, Default, Serialize)]
pub struct InvariantReport {
    pub sessions: i64,
    pub open_sessions: i64,
    /// Registers with more than one open session (must be empty).
    pub registers_with_several_open: Vec<String>,
    /// (location, business day) groups whose sequences are not exactly 1..=n, or whose counter
    /// disagrees with n (must be empty).
    pub numbering_problems: Vec<String>,
    /// Session numbers used twice (must be empty).
    pub duplicate_numbers: Vec<String>,
    /// Closed sessions whose variance is not counted − expected (must be empty).
    pub bad_closures: Vec<String>,
}

impl InvariantReport {
    pub fn is_clean(&self) -> bool {
        self.registers_with_several_open.is_empty()
            && self.numbering_problems.is_empty()
            && self.duplicate_numbers.is_empty()
            && self.bad_closures.is_empty()
    }
}

/// The schema and the store's own health: what IT runs (`tillctl migrate`, `doctor`).
#[async_trait]
pub trait SchemaStore: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> BackendKind;

    /// Applies the embedded migrations that are not applied yet, then verifies the schema.
    /// Several processes migrating one database at once apply each migration once.
    async fn migrate(&self) -> Result<Vec<i64>, StoreError>;
    /// Re-creates the database functions from the embedded migrations (after someone dropped
    /// or changed one by hand). A no-op on backends without functions.
    async fn repair_functions(&self) -> Result<(), StoreError>;
    /// Creates (or, if it exists, re-grants) the least-privilege database role a store terminal
    /// connects with: it may read what the screens read and execute Till's functions, and
    /// write nothing directly. `password` is for password login; `None` for certificate login.
    /// PostgreSQL only: SQLite has no roles.
    async fn create_terminal_role(&self, role: &DbRoleName, password: Option<&str>) -> Result<(), StoreError>;
    /// Binds a terminal role to the registers and locations it may act on, replacing its earlier
    /// bindings (PostgreSQL only). Its logins act only there; a role bound to nothing acts
    /// nowhere (a role made before bindings existed, until IT binds it).
    async fn bind_terminal_role(&self, role: &DbRoleName, binding: &TerminalBinding) -> Result<(), StoreError>;
    /// Every check `doctor` prints. Never fails: a failed check is a line with a fix.
    async fn check_schema(&self) -> Vec<SchemaCheck>;
    /// Reads the shift invariants back from the rows.
    async fn check_invariants(&self) -> Result<InvariantReport, StoreError>;
    /// How far this computer's clock is from the database server's (business days, lockouts
    /// and idle logouts compare times from both). `None` where there is no server (SQLite).
    async fn clock_offset(&self) -> Result<Option<ClockOffset>, StoreError> {
        Ok(None)
    }
}

/// This computer's clock against the database server's, measured over one round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockOffset {
    /// Server minus this computer, in milliseconds (positive: the server is ahead).
    pub offset_ms: i64,
    /// The measuring query's round trip: the offset is known to within half of it.
    pub round_trip_ms: i64,
}

impl ClockOffset {
    /// `server` read between `sent` and `received` on this computer's clock: the server most
    /// likely read it halfway through the round trip.
    pub fn measure(sent: DateTime<Utc>, server: DateTime<Utc>, received: DateTime<Utc>) -> ClockOffset {
        let round_trip = received - sent;
        let midpoint = sent + round_trip / 2;
        ClockOffset { offset_ms: (server - midpoint).num_milliseconds(), round_trip_ms: round_trip.num_milliseconds() }
    }
}

/// Locations and their registers.
#[async_trait]
pub trait PlaceStore: Send + Sync {
    async fn create_location(&self, new: NewLocation) -> Result<Location, StoreError>;
    async fn list_locations(&self) -> Result<Vec<Location>, StoreError>;
    async fn find_location(&self, code: &LocationCode) -> Result<Location, StoreError>;
    /// Sets the fewest digits a manager's or admin's PIN may have (4 to 8) at a location.
    /// Changes a location's settings in one statement, journaled on the staff chain (on
    /// PostgreSQL by its trigger, whoever changes them). Its currency is fixed once it has a
    /// session (its prices and drawers are in it): `invalid_input`.
    async fn update_location(&self, code: &LocationCode, change: &LocationChange) -> Result<Location, StoreError>;

    async fn create_register(&self, new: NewRegister) -> Result<Register, StoreError>;
    async fn list_registers(&self, location: Option<&LocationCode>) -> Result<Vec<Register>, StoreError>;
    async fn find_register(&self, register: &RegisterRef) -> Result<Register, StoreError>;
}

/// Users, their PINs and lockouts.
#[async_trait]
pub trait StaffStore: Send + Sync {
    async fn create_user(&self, new: NewUser) -> Result<User, StoreError>;
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    async fn find_user(&self, name: &UserName) -> Result<User, StoreError>;
    async fn find_user_by_id(&self, id: UserId) -> Result<User, StoreError>;
    /// Deactivated users can no longer log in, start or close shifts; their history stays.
    async fn set_user_active(&self, name: &UserName, active: bool) -> Result<User, StoreError>;
    /// Checks a PIN and records the check under the user's row lock, on the database's clock,
    /// applying [`PinPolicy`](crate::PinPolicy): a match resets the count; a miss counts
    /// ([`StoreError::WrongPin`]), and the fifth in a row locks the user
    /// ([`StoreError::UserLocked`]). A check while the user is locked (even a matching one,
    /// racing the lock) is refused and counts for nothing; an inactive user gets
    /// [`StoreError::UserInactive`] whatever the PIN. Returns the user as stored afterwards.
    /// A right PIN opens a login ([`Authenticated`]): every write carries its token.
    async fn check_pin(&self, credentials: &Credentials, device: &DeviceName) -> Result<Authenticated, StoreError>;
    /// Ends a login (a repeat, or an unknown token, changes nothing).
    async fn logout(&self, login: &LoginToken) -> Result<(), StoreError>;
    /// The user of a live login on `device` at `register`, its idle clock touched: the check
    /// every write makes in its transaction, for a command that reads (a login ended by a
    /// logout elsewhere, the location's idle limit or a new PIN answers `LoginEnded`; a
    /// deactivated user `UserInactive`).
    async fn live_login(
        &self,
        login: &LoginToken,
        device: &DeviceName,
        register: RegisterId,
    ) -> Result<User, StoreError>;
    /// Sets a user's PIN (IT, with the owner's role): ends their logins and clears a lockout,
    /// with a trace (an `unlocked` event, "PIN set by tillctl").
    async fn set_pin(&self, name: &UserName, pin: &Pin, device: &DeviceName) -> Result<User, StoreError>;
    /// Lifts a lockout and resets the counts, with a trace (by whom, on which device).
    async fn unlock_user(&self, unlock: UnlockUser) -> Result<User, StoreError>;
    /// The newest failed PINs, lockouts and unlocks, newest first.
    async fn list_auth_events(&self, limit: u32) -> Result<Vec<AuthEvent>, StoreError>;
}

/// Register sessions: the atomic start and close, and reading them back.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// The one way a session is opened or joined. Atomic: one open session per register, and
    /// a gapless, unique number per location and business day, allocated in the same
    /// transaction as the session. A join is ordered before any close of the session it joins.
    async fn start_shift(&self, start: StartShift) -> Result<ShiftStarted, StoreError>;
    /// open → closed exactly once; a second close is [`StoreError::SessionAlreadyClosed`],
    /// unless it repeats the first close's request id.
    async fn close_shift(&self, close: CloseShift) -> Result<Session, StoreError>;

    async fn find_session(&self, session: &SessionRef) -> Result<Session, StoreError>;
    async fn list_sessions(&self, filter: &SessionFilter) -> Result<Vec<Session>, StoreError>;
    /// The register's open session, or else its most recent one (with joins).
    async fn latest_session(&self, register: RegisterId) -> Result<Option<Session>, StoreError>;
}

/// Everything Till keeps, split by area. Implementations make each business action one atomic
/// operation enforced by database constraints, not by checks in Rust. Dyn-compatible: the app
/// and tillctl hold an `Arc<dyn Store>`.
/// A location's catalog: tax rates, categories, products and their barcodes.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    async fn create_tax_rate(&self, location: &LocationCode, new: NewTaxRate) -> Result<TaxRate, StoreError>;
    async fn list_tax_rates(&self, location: &LocationCode) -> Result<Vec<TaxRate>, StoreError>;
    async fn create_category(&self, location: &LocationCode, new: NewCategory) -> Result<Category, StoreError>;
    async fn list_categories(&self, location: &LocationCode) -> Result<Vec<Category>, StoreError>;
    /// Creates each product, or updates the one with its SKU (name, price, tax rate, category,
    /// active, and its barcodes replaced), all in one transaction: all or nothing. A barcode
    /// that names another product of the location refuses the whole batch
    /// ([`StoreError::AlreadyExists`] for [`Entity::Barcode`]). Returns how many were new.
    async fn save_products(&self, location: &LocationCode, products: Vec<NewProduct>) -> Result<usize, StoreError>;
    /// Products by SKU; inactive ones too when `include_inactive`.
    async fn list_products(&self, location: &LocationCode, include_inactive: bool) -> Result<Vec<Product>, StoreError>;
    async fn find_product(&self, location: &LocationCode, key: &ProductKey) -> Result<Product, StoreError>;
    /// One product per key, in the keys' order, read in one go (a cart's lines: its pricing
    /// must not cost a query per line). A key that finds nothing is `product_not_found`.
    async fn find_products(&self, location: &LocationCode, keys: &[ProductKey]) -> Result<Vec<Product>, StoreError>;
    /// Inactive products are not sold; their history stays.
    async fn set_product_active(&self, location: &LocationCode, sku: &Sku, active: bool)
        -> Result<Product, StoreError>;
}

/// What an earlier request under the same id recorded, and the fingerprint of that request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior<T> {
    pub recorded: T,
    pub request_hash: String,
}

impl<T> Prior<T> {
    /// The first outcome for a retry of the same request (`request_hash`); another request
    /// under a used id is `idempotency_conflict`.
    pub fn answer(self, request_hash: &str, what: &str) -> Result<T, StoreError> {
        if self.request_hash == request_hash {
            Ok(self.recorded)
        } else {
            Err(StoreError::IdempotencyConflict(format!("this {what} id was already used for a different {what}")))
        }
    }
}

/// Sales and refunds.
#[async_trait]
pub trait SalesStore: Send + Sync {
    /// How the location prices: its currency, tax convention, tax rates, cash rounding and the
    /// discount above which a manager approves.
    async fn pricing_settings(&self, location: &LocationCode) -> Result<PricingSettings, StoreError>;
    /// Records a sale or a refund atomically into its session (see [`crate::sales`]). Answers
    /// [`StoreError::SessionClosed`] when the session was closed (nothing written),
    /// [`StoreError::CatalogChanged`] when a product or tax rate it was priced from changed
    /// since (price again), [`StoreError::IdempotencyConflict`] for an id used with other
    /// content, and [`StoreError::RefundExceedsSale`] for a refund of more than is left.
    async fn record_receipt(&self, receipt: NewReceipt) -> Result<Recorded, StoreError>;
    async fn find_receipt(&self, number: &str) -> Result<Receipt, StoreError>;
    /// What was recorded under receipt id `id`, if anything: its number and its request's
    /// fingerprint, so that a retry answers the first outcome whatever happened since (the
    /// session closed, the line was refunded in full).
    async fn prior_receipt(&self, id: ReceiptId) -> Result<Option<Prior<String>>, StoreError>;
    /// A session's receipts in number order, without their lines, tenders and taxes.
    async fn list_receipts(&self, session: SessionId) -> Result<Vec<Receipt>, StoreError>;
    /// The session's running totals (one row and its per-tender and per-rate rows).
    async fn session_totals(&self, session: SessionId) -> Result<SessionTotals, StoreError>;
}

/// Cash control: movements, force-close and late count, reprints, Z records.
#[async_trait]
pub trait CashStore: Send + Sync {
    /// The reasons a location offers, by kind and position.
    async fn cash_reasons(&self, location: &LocationCode) -> Result<Vec<CashReason>, StoreError>;
    async fn add_cash_reason(&self, location: &LocationCode, reason: CashReason) -> Result<CashReason, StoreError>;
    /// Records a movement atomically into its open session (updating the drawer's totals under
    /// the session's lock) and journals it. A repeat of its id with the same content answers
    /// the first (`true`); with other content, `idempotency_conflict`.
    async fn record_movement(&self, movement: NewCashMovement) -> Result<(CashMovement, bool), StoreError>;
    /// What was recorded under movement id `id`, if anything, with its request's fingerprint
    /// (as [`SalesStore::prior_receipt`]).
    async fn prior_movement(&self, id: MovementId) -> Result<Option<Prior<CashMovement>>, StoreError>;
    async fn list_movements(&self, session: SessionId) -> Result<Vec<CashMovement>, StoreError>;
    async fn force_close(&self, close: ForceClose) -> Result<Session, StoreError>;
    async fn late_count(&self, count: LateCount) -> Result<Session, StoreError>;
    /// Counts a receipt printed again on the open session, and journals it.
    async fn record_reprint(
        &self,
        session: SessionId,
        number: &str,
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError>;
    /// A count refused at close for its variance: counted on the open session and journaled, so
    /// the sign-off that may follow is accepted (only after one) and every refusal is on record.
    async fn refuse_count(
        &self,
        session: SessionId,
        counted: i64,
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError>;
    /// The opening count's notes and coins, recorded once for a session (a repeat changes
    /// nothing) and journaled.
    async fn record_opening_count(
        &self,
        session: SessionId,
        denominations: &[DenominationCount],
        login: &LoginToken,
        device: &DeviceName,
    ) -> Result<(), StoreError>;
    /// The opening count's denominations.
    async fn opening_count(&self, session: SessionId) -> Result<Vec<DenominationCount>, StoreError>;
    /// The closing count's denominations.
    async fn closing_count(&self, session: SessionId) -> Result<Vec<DenominationCount>, StoreError>;
    async fn z_record(&self, session: SessionId) -> Result<Option<ZRecord>, StoreError>;
    /// Z records by register and number; `from`/`to` are the sessions' business days.
    async fn list_z(&self, filter: &ZFilter) -> Result<Vec<ZRecord>, StoreError>;
}

/// The journal, read for verification and export (appends happen inside each operation).
#[async_trait]
pub trait JournalStore: Send + Sync {
    async fn journal_heads(&self) -> Result<Vec<ChainHead>, StoreError>;
    /// Everything `journal verify` reads, from one moment of the database (PostgreSQL: one
    /// REPEATABLE READ READ ONLY transaction; SQLite: one read transaction): a verify while the
    /// store sells must not see a head that moved after its entries were read, or a sale whose
    /// entry it read before the sale. Every chain with a head row or entries, every register's,
    /// the staff chain, and `extra` (the chains of the anchors an auditor brought).
    async fn journal_snapshot(&self, extra: &[uuid::Uuid]) -> Result<JournalSnapshot, StoreError>;
    /// The database's identity (made once by migration 0015, journaled on the staff chain):
    /// what the app and `tillctl doctor` show, so a till pointed at another database shows it.
    async fn database_identity(&self) -> Result<Option<uuid::Uuid>, StoreError>;
    /// Entries of a chain with `seq > after`, by seq, at most `limit`.
    async fn journal_entries(&self, chain: uuid::Uuid, after: i64, limit: u32)
        -> Result<Vec<JournalEntry>, StoreError>;
}

/// One chain as a [`JournalStore::journal_snapshot`] read it.
#[derive(Debug, Clone)]
pub struct ChainSnapshot {
    /// Its head row (seq 0 and 64 zeros when it has none).
    pub head: ChainHead,
    /// Every entry, by seq.
    pub entries: Vec<JournalEntry>,
    /// The Zs that anchored this (register's) chain.
    pub z_anchors: Vec<ZAnchor>,
    /// The business rows it must have entries for (those at or after the journal's start),
    /// with the facts their entries must state, as the rows hold them now.
    pub expected: Vec<ExpectedEntry>,
}

/// What `journal verify` checks, read at one moment.
#[derive(Debug, Clone, Default)]
pub struct JournalSnapshot {
    /// When the journal began (the migration that created it was applied); `None`: no journal.
    pub start: Option<DateTime<Utc>>,
    /// The registers' ids (each has a chain, entries or not).
    pub registers: Vec<uuid::Uuid>,
    pub chains: Vec<ChainSnapshot>,
}

pub trait Store:
    SchemaStore + PlaceStore + StaffStore + SessionStore + CatalogStore + SalesStore + CashStore + JournalStore
{
}

impl<
        T: SchemaStore + PlaceStore + StaffStore + SessionStore + CatalogStore + SalesStore + CashStore + JournalStore,
    > Store for T
{
}

/// How a store is opened.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Apply pending migrations at start-up (the default). When false, a database that is
    /// behind is refused with `schema_not_ready` naming `tillctl migrate`.
    pub migrate: bool,
    /// Refuse to open a database whose schema is not exactly what this build expects. Only
    /// `tillctl doctor` turns this off, to report on a broken database instead of refusing it.
    pub verify: bool,
    /// Connections for readers (PostgreSQL: for everything). SQLite always writes through one.
    pub max_connections: u32,
    /// How long to wait for another process's write lock (SQLite), a row lock held by another
    /// transaction (PostgreSQL `lock_timeout`), or a free connection. Past it the answer is
    /// `database_busy`: one stuck transaction never hangs every register behind it.
    pub busy_timeout: std::time::Duration,
    /// The longest one statement may run (PostgreSQL `statement_timeout`).
    pub statement_timeout: std::time::Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            migrate: true,
            verify: true,
            max_connections: 8,
            busy_timeout: std::time::Duration::from_secs(5),
            statement_timeout: std::time::Duration::from_secs(15),
        }
    }
}

/// A migration embedded in this binary.
#[derive(Debug, Clone)]
pub struct KnownMigration {
    pub version: i64,
    pub description: String,
    pub checksum: Vec<u8>,
}

/// A migration recorded in the database's `_sqlx_migrations` table.
#[derive(Debug, Clone)]
pub struct AppliedMigration {
    pub version: i64,
    /// sqlx's description: the file name after the version, `_` read as spaces
    /// (`0005_expand_terminal_roles.sql` → `expand terminal roles`).
    pub description: String,
    pub checksum: Vec<u8>,
    pub success: bool,
}

/// Whether apps built before a migration keep working after it. Every migration after the
/// first release says which in its file name: `NNNN_expand_*.sql` (adds: older apps carry on)
/// or `NNNN_contract_*.sql` (removes or changes what older apps use). So a terminal can judge a
/// migration it has never seen from the database's own record of it: IT upgrades a store's
/// database first, then its PCs one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationKind {
    Expand,
    Contract,
}

impl MigrationKind {
    /// From sqlx's description. A migration that names neither is taken as a contract: an
    /// unknown change is never assumed to be safe.
    pub fn of(description: &str) -> MigrationKind {
        if description.split(' ').next() == Some("expand") {
            MigrationKind::Expand
        } else {
            MigrationKind::Contract
        }
    }
}

/// Compares what the database recorded with what this binary embeds. One check per problem,
/// or one passing check; shared by both backends so they judge a schema the same way.
///
/// - a migration this build knows must be applied (else `schema_behind`: IT migrates), whole
///   and unedited;
/// - a newer migration this build does not know is fine if it is an expand, and refuses with
///   `app_too_old` if it is a contract;
/// - an unknown migration older than this build's newest is not Till's lineage: refused.
pub fn check_migrations(known: &[KnownMigration], applied: &[AppliedMigration]) -> Vec<SchemaCheck> {
    const NAME: &str = "migrations";
    let newest_known = known.iter().map(|k| k.version).max().unwrap_or(0);
    let mut checks = Vec::new();
    let mut newer_expands = Vec::new();
    for a in applied {
        match known.iter().find(|k| k.version == a.version) {
            None if a.version > newest_known && MigrationKind::of(&a.description) == MigrationKind::Expand => {
                newer_expands.push(format!("{} ({})", a.version, a.description));
            }
            None if a.version > newest_known => checks.push(
                SchemaCheck::fail(
                    NAME,
                    format!(
                        "the database has migration {} ({}) from a newer Till, which changes what this build relies on",
                        a.version, a.description
                    ),
                    "update Till on this PC to the version IT rolled out",
                )
                .refused_with(ErrorCode::AppTooOld),
            ),
            None => checks.push(SchemaCheck::fail(
                NAME,
                format!(
                    "the database has migration {} ({}) that this build of Till does not know",
                    a.version, a.description
                ),
                "this database was not migrated by Till's own migrations: restore it from a backup",
            )),
            Some(k) if !a.success => checks.push(SchemaCheck::fail(
                NAME,
                format!("migration {} ({}) failed part-way", k.version, k.description),
                "restore the database from a backup, then run `tillctl migrate`",
            )),
            Some(k) if k.checksum != a.checksum => checks.push(SchemaCheck::fail(
                NAME,
                format!(
                    "migration {} ({}) was edited after it was applied: its checksum differs",
                    k.version, k.description
                ),
                "install the Till build that applied it; shipped migrations are never edited",
            )),
            Some(_) => {}
        }
    }
    let pending: Vec<String> = known
        .iter()
        .filter(|k| !applied.iter().any(|a| a.version == k.version))
        .map(|k| format!("{} ({})", k.version, k.description))
        .collect();
    if !pending.is_empty() {
        checks.push(
            SchemaCheck::fail(NAME, format!("not applied yet: {}", pending.join(", ")), RUN_MIGRATE)
                .refused_with(ErrorCode::SchemaBehind),
        );
    }
    if checks.is_empty() {
        let mut detail = format!("all {} applied, up to version {newest_known}", known.len());
        if !newer_expands.is_empty() {
            detail.push_str(&format!(
                "; newer expand migrations from a newer Till, compatible: {}",
                newer_expands.join(", ")
            ));
        }
        checks.push(SchemaCheck::pass(NAME, detail));
    }
    checks
}

/// True when the database holds migrations newer than this build (all of them expands, or
/// `check_migrations` fails): its definitions then legitimately differ from this build's.
pub fn has_newer_migrations(known: &[KnownMigration], applied: &[AppliedMigration]) -> bool {
    let newest_known = known.iter().map(|k| k.version).max().unwrap_or(0);
    applied.iter().any(|a| a.version > newest_known)
}

/// Refuses a database holding a migration this binary does not know (unless a newer expand),
/// an edited one, or a failed one; pending migrations are fine (migrating applies them).
pub fn refuse_foreign_migrations(known: &[KnownMigration], applied: &[AppliedMigration]) -> Result<(), StoreError> {
    let problems: Vec<SchemaCheck> = check_migrations(known, applied)
        .into_iter()
        .filter(|c| !c.ok && c.refusal != Some(ErrorCode::SchemaBehind))
        .collect();
    require_schema(&problems)
}

/// Refuses to migrate a database that holds migrations newer than this build while missing
/// one of this build's: applying an older migration after newer ones could undo them.
pub fn refuse_gap(known: &[KnownMigration], applied: &[AppliedMigration]) -> Result<(), StoreError> {
    if has_newer_migrations(known, applied) {
        return Err(StoreError::SchemaNotReady(
            "the database was migrated by a newer Till but lacks one of this build's migrations; \
             migrate it with the newest Till (`tillctl migrate`), never an older one"
                .into(),
        ));
    }
    Ok(())
}

/// The definitions line of a database a newer Till expanded.
pub const NEWER_DEFINITIONS: (&str, &str) =
    ("definitions", "not compared: a newer Till expanded this schema, so it differs from this build's by design");

/// What `tillctl migrate` prints when migrations are pending.
pub const RUN_MIGRATE: &str = "IT must run `tillctl migrate` with the database owner's role";

/// Turns failed checks into the one error a store refuses to start with.
pub fn require_schema(checks: &[SchemaCheck]) -> Result<(), StoreError> {
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| format!("{}: {} (fix: {})", c.name, c.detail, c.fix.as_deref().unwrap_or("see `tillctl doctor`")))
        .collect();
    // A misconfiguration (a terminal role bound to no register) is named, but the schema's
    // own state decides the code when it fails too: migrate first, then bind.
    let refusals: Vec<Option<ErrorCode>> = checks
        .iter()
        .filter(|c| !c.ok && c.refusal != Some(ErrorCode::DatabaseMisconfigured))
        .map(|c| c.refusal)
        .collect();
    let text = failures.join("; ");
    if failures.is_empty() {
        Ok(())
    } else if refusals.is_empty() {
        Err(StoreError::Misconfigured(text))
    } else if refusals.contains(&Some(ErrorCode::AppTooOld)) {
        Err(StoreError::AppTooOld(text))
    } else if refusals.iter().all(|r| *r == Some(ErrorCode::SchemaBehind)) {
        Err(StoreError::SchemaBehind(text))
    } else {
        Err(StoreError::SchemaNotReady(text))
    }
}

#[cfg(test)]
mod clock_tests {
    use super::ClockOffset;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_offset_is_taken_at_the_middle_of_the_round_trip() {
        let sent = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).single().unwrap_or_default();
        let received = sent + Duration::milliseconds(400);
        // A server exactly in step reads the middle of the round trip.
        assert_eq!(
            ClockOffset::measure(sent, sent + Duration::milliseconds(200), received),
            ClockOffset { offset_ms: 0, round_trip_ms: 400 }
        );
        assert_eq!(ClockOffset::measure(sent, sent + Duration::seconds(3), received).offset_ms, 2_800);
        assert_eq!(ClockOffset::measure(sent, sent - Duration::seconds(5), received).offset_ms, -5_200);
    }
}
