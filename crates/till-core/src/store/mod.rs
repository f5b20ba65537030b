//! The storage contract, split by area: every backend (SQLite, PostgreSQL) implements [`Store`]
//! and passes the same contract tests (`tests/contract`). The traits are here; what they take
//! and answer is in `models`; the migration bookkeeping every backend shares in `migrations`.

mod migrations;
mod models;

pub use migrations::*;
pub use models::*;

use crate::cash::{CashMovement, CashReason, DenominationCount, NewCashMovement};
use crate::catalog::{Category, NewCategory, NewProduct, NewTaxRate, Product, ProductKey, Sku};
use crate::domain::*;
#[cfg(doc)]
use crate::error::Refusal;
use crate::error::StoreError;
use crate::journal::{ChainHead, JournalEntry};
use crate::location::LocationChange;
use crate::pricing::{PricingSettings, TaxRate};
use crate::sales::{NewReceipt, Receipt, Recorded, SessionTotals};
use async_trait::async_trait;
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

/// The schema and the store's own health: what IT runs (`tillctl migrate`, `doctor`).
#[async_trait]
pub trait SchemaStore: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> BackendKind;

    /// The time by the clock the store was opened with ([`StoreOptions::clock`]): what the
    /// services judge forgotten sessions and stamp reports with.
    fn now(&self) -> chrono::DateTime<chrono::Utc>;

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
    /// ([`Refusal::WrongPin`]), and the fifth in a row locks the user
    /// ([`Refusal::UserLocked`]). A check while the user is locked (even a matching one,
    /// racing the lock) is refused and counts for nothing; an inactive user gets
    /// [`Refusal::UserInactive`] whatever the PIN. Returns the user as stored afterwards.
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
    /// open → closed exactly once; a second close is [`Refusal::SessionAlreadyClosed`],
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
    /// ([`Refusal::AlreadyExists`] for [`Entity::Barcode`]). Returns how many were new.
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

/// Sales and refunds.
#[async_trait]
pub trait SalesStore: Send + Sync {
    /// How the location prices: its currency, tax convention, tax rates, cash rounding and the
    /// discount above which a manager approves.
    async fn pricing_settings(&self, location: &LocationCode) -> Result<PricingSettings, StoreError>;
    /// Records a sale or a refund atomically into its session (see [`crate::sales`]). Answers
    /// [`Refusal::SessionClosed`] when the session was closed (nothing written),
    /// [`Refusal::CatalogChanged`] when a product or tax rate it was priced from changed
    /// since (price again), [`Refusal::IdempotencyConflict`] for an id used with other
    /// content, and [`Refusal::RefundExceedsSale`] for a refund of more than is left.
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

/// Cash control: movements, force-close and late count, reprints, voids, Z records.
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
    /// Records a void (lines taken off a sale before it was paid) atomically into its open
    /// session: prices it from the location's catalog (list prices; the till sends none), counts
    /// and sums it on the session under the session's lock, and journals it, as the logged-in
    /// user, by the database's clock. A repeat of its id with the same content answers the
    /// first; with other content, `idempotency_conflict`. A product not in the session's
    /// location's catalog is `product_not_found`; lines out of bounds are refused; nothing is
    /// written for either.
    async fn record_void(&self, void: crate::voids::NewVoid) -> Result<crate::voids::VoidRecorded, StoreError>;
    /// What was recorded under void id `id`, if anything, with its request's fingerprint (as
    /// [`SalesStore::prior_receipt`]).
    async fn prior_void(&self, id: VoidId) -> Result<Option<Prior<crate::voids::VoidRecorded>>, StoreError>;
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
    /// The app's clock, which the SQLite store stamps and judges its writes with (PostgreSQL's
    /// functions use the server's). Tests pin it.
    pub clock: crate::Clock,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            migrate: true,
            verify: true,
            max_connections: 8,
            busy_timeout: std::time::Duration::from_secs(5),
            statement_timeout: std::time::Duration::from_secs(15),
            clock: crate::Clock::system(),
        }
    }
}
