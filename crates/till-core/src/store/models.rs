//! What the store traits take and answer: places, staff, sessions and their requests, the
//! journal's snapshot.

use crate::cash::{DenominationCount, SignOff};
use crate::domain::*;
use crate::error::{Refusal, StoreError};
use crate::journal::{ChainHead, ExpectedEntry, JournalEntry, ZAnchor};
use crate::money::{Currency, Money};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

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
    /// A card tender must carry the card terminal's approval reference (off: it may be left
    /// out; the pay screen says which).
    pub card_reference_required: bool,
    /// The store's own bills, in minor units, largest first (empty: the currency's usual ones).
    #[ts(type = "number[]")]
    pub bills: Vec<i64>,
    /// The store's own coins, likewise.
    #[ts(type = "number[]")]
    pub coins: Vec<i64>,
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

/// A session as the app's screens read it: money in integer minor units of `currency`, as every
/// other amount the app sends and answers. tillctl's `--json` is the same view with its money as
/// decimal strings (`M = String`, [`Session::view_with`]): IT's scripts read those.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(concrete(M = i64))]
pub struct SessionView<M = i64> {
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
    #[ts(type = "number")]
    pub opening_cash: M,
    pub notes: Option<String>,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    #[ts(type = "number | null")]
    pub counted_cash: Option<M>,
    #[ts(type = "number | null")]
    pub expected_cash: Option<M>,
    #[ts(type = "number | null")]
    pub variance: Option<M>,
    #[ts(type = "number | null")]
    pub float_expected: Option<M>,
    #[ts(type = "number | null")]
    pub cash_removed: Option<M>,
    #[ts(type = "number | null")]
    pub float_left: Option<M>,
    pub variance_reason: Option<String>,
    pub approved_by: Option<String>,
    pub count_pending: bool,
    pub force_close_reason: Option<String>,
    pub joins: Vec<Join>,
}

impl Session {
    /// The answer to a close (or force-close) of this session when another one closed it first.
    pub fn already_closed(&self) -> StoreError {
        Refusal::SessionAlreadyClosed {
            number: self.number.clone(),
            closed_by: self.closed_by.clone().unwrap_or_default(),
            closed_at: self.closed_at.unwrap_or_default(),
        }
        .into()
    }

    pub fn view(&self) -> SessionView {
        self.view_with(|amount| amount.minor())
    }

    /// The view with its money written by `money`.
    pub fn view_with<M>(&self, money: impl Fn(Money) -> M) -> SessionView<M> {
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
            counted_cash: self.counted_cash.map(&money),
            expected_cash: self.expected_cash.map(&money),
            variance: self.variance.map(&money),
            float_expected: self.float_expected.map(&money),
            cash_removed: self.cash_removed.map(&money),
            float_left: self.float_left.map(&money),
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
            Err(Refusal::IdempotencyConflict(format!("this {what} id was already used for a different {what}")).into())
        }
    }
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
