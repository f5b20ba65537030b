//! Typed errors with stable snake_case codes. The CLI prints the code in JSON and exits
//! non-zero; the desktop app sends `{code, message}` to the UI, which branches on the code.
//!
//! [`ErrorCode`] is the closed list: the UI's TypeScript type is generated from it (ts-rs), so a
//! code the core can answer and the UI does not know fails the UI's type check.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

/// Every code an operation can answer. Part of `tillctl --json`'s contract and of the UI's:
/// codes are added, never renamed or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidAmount,
    InvalidPin,
    InvalidInput,
    WrongPin,
    UserNotFound,
    UserInactive,
    UserLocked,
    Forbidden,
    /// A manager's approval (name and PIN) is needed for this: the request may be sent again
    /// with one. tillctl's JSON keeps `"code": "forbidden"` for it (scripts matched on that) and
    /// adds `"subcode": "approval_needed"`.
    ApprovalNeeded,
    LocationNotFound,
    RegisterNotFound,
    SessionNotFound,
    /// A product, barcode, tax rate or category is not in the location's catalog.
    ProductNotFound,
    ReceiptNotFound,
    SessionAlreadyClosed,
    /// A sale or refund for a session that was closed (on another device): nothing was
    /// written; the cart stays, and the cashier starts or joins a shift to record it.
    SessionClosed,
    /// The catalog changed while a sale was being priced, again and again: try again.
    CatalogChanged,
    /// A refund of more than is left of a sale's line.
    RefundExceedsSale,
    NoOpenSession,
    AlreadyExists,
    IdempotencyConflict,
    NotLoggedIn,
    DeviceNotSetUp,
    DeviceSettingsDamaged,
    SchemaNotReady,
    /// The database was migrated by a newer Till with a change this build cannot work with
    /// (a "contract" migration): update this PC. tillctl's JSON keeps `schema_not_ready` as the
    /// `code` and gives this as `subcode`.
    AppTooOld,
    /// The database lacks migrations this build needs: IT runs `tillctl migrate` with the
    /// owner role. tillctl's JSON keeps `schema_not_ready` as the `code`, this as `subcode`.
    SchemaBehind,
    DatabaseMisconfigured,
    DatabaseBusy,
    DatabaseUnavailable,
    KeyringUnavailable,
    /// A cart line's quantity is not a whole number from 1 to the most a line may hold.
    InvalidQuantity,
    /// A discount is above 100 % or more than the amount it discounts.
    DiscountTooLarge,
    /// The tenders do not cover the amount due.
    TendersShort,
    /// Card, voucher or other tenders exceed what is due: change is given only in cash.
    ChangeNotCash,
    Internal,
    /// The till is set up by IT in the system device file: its database and register cannot be
    /// changed from the app.
    DeviceManaged,
    /// A cash movement's reason is not one the location offers for that kind of movement.
    ReasonNotFound,
    /// The counted cash is off by more than the location allows: count again; if it is still
    /// off, a manager signs it off with their PIN and a reason. Says nothing of the expected
    /// cash (the count is blind).
    VarianceNeedsSignoff,
    /// A late count for a session that has no count pending (it was counted at its close).
    NoCountPending,
    /// The register's open session is from an earlier business day (forgotten): a manager
    /// force-closes it before a shift starts.
    SessionForgotten,
    /// The user's PIN must be set again before the database can check it (`tillctl user set-pin`).
    PinResetNeeded,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidAmount,
        ErrorCode::InvalidPin,
        ErrorCode::InvalidInput,
        ErrorCode::WrongPin,
        ErrorCode::UserNotFound,
        ErrorCode::UserInactive,
        ErrorCode::UserLocked,
        ErrorCode::Forbidden,
        ErrorCode::ApprovalNeeded,
        ErrorCode::LocationNotFound,
        ErrorCode::RegisterNotFound,
        ErrorCode::SessionNotFound,
        ErrorCode::ProductNotFound,
        ErrorCode::ReceiptNotFound,
        ErrorCode::SessionAlreadyClosed,
        ErrorCode::SessionClosed,
        ErrorCode::CatalogChanged,
        ErrorCode::RefundExceedsSale,
        ErrorCode::NoOpenSession,
        ErrorCode::AlreadyExists,
        ErrorCode::IdempotencyConflict,
        ErrorCode::NotLoggedIn,
        ErrorCode::DeviceNotSetUp,
        ErrorCode::DeviceSettingsDamaged,
        ErrorCode::SchemaNotReady,
        ErrorCode::AppTooOld,
        ErrorCode::SchemaBehind,
        ErrorCode::DatabaseMisconfigured,
        ErrorCode::DatabaseBusy,
        ErrorCode::DatabaseUnavailable,
        ErrorCode::KeyringUnavailable,
        ErrorCode::InvalidQuantity,
        ErrorCode::DiscountTooLarge,
        ErrorCode::TendersShort,
        ErrorCode::ChangeNotCash,
        ErrorCode::Internal,
        ErrorCode::DeviceManaged,
        ErrorCode::ReasonNotFound,
        ErrorCode::VarianceNeedsSignoff,
        ErrorCode::NoCountPending,
        ErrorCode::SessionForgotten,
        ErrorCode::PinResetNeeded,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::InvalidAmount => "invalid_amount",
            ErrorCode::InvalidPin => "invalid_pin",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::WrongPin => "wrong_pin",
            ErrorCode::UserNotFound => "user_not_found",
            ErrorCode::UserInactive => "user_inactive",
            ErrorCode::UserLocked => "user_locked",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ApprovalNeeded => "approval_needed",
            ErrorCode::LocationNotFound => "location_not_found",
            ErrorCode::RegisterNotFound => "register_not_found",
            ErrorCode::SessionNotFound => "session_not_found",
            ErrorCode::ProductNotFound => "product_not_found",
            ErrorCode::ReceiptNotFound => "receipt_not_found",
            ErrorCode::SessionAlreadyClosed => "session_already_closed",
            ErrorCode::SessionClosed => "session_closed",
            ErrorCode::CatalogChanged => "catalog_changed",
            ErrorCode::RefundExceedsSale => "refund_exceeds_sale",
            ErrorCode::NoOpenSession => "no_open_session",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::NotLoggedIn => "not_logged_in",
            ErrorCode::DeviceNotSetUp => "device_not_set_up",
            ErrorCode::DeviceSettingsDamaged => "device_settings_damaged",
            ErrorCode::SchemaNotReady => "schema_not_ready",
            ErrorCode::AppTooOld => "app_too_old",
            ErrorCode::SchemaBehind => "schema_behind",
            ErrorCode::DatabaseMisconfigured => "database_misconfigured",
            ErrorCode::DatabaseBusy => "database_busy",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::KeyringUnavailable => "keyring_unavailable",
            ErrorCode::InvalidQuantity => "invalid_quantity",
            ErrorCode::DiscountTooLarge => "discount_too_large",
            ErrorCode::TendersShort => "tenders_short",
            ErrorCode::ChangeNotCash => "change_not_cash",
            ErrorCode::Internal => "internal",
            ErrorCode::DeviceManaged => "device_managed",
            ErrorCode::ReasonNotFound => "reason_not_found",
            ErrorCode::VarianceNeedsSignoff => "variance_needs_signoff",
            ErrorCode::NoCountPending => "no_count_pending",
            ErrorCode::SessionForgotten => "session_forgotten",
            ErrorCode::PinResetNeeded => "pin_reset_needed",
        }
    }
}

impl ErrorCode {
    /// The code tillctl printed for this case before the code was refined: scripts written
    /// against the older code keep working (`tillctl` prints it as `code`, the refined one as
    /// `subcode`).
    pub fn contract_code(&self) -> ErrorCode {
        match self {
            ErrorCode::AppTooOld | ErrorCode::SchemaBehind => ErrorCode::SchemaNotReady,
            ErrorCode::ApprovalNeeded => ErrorCode::Forbidden,
            other => *other,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `text`, then `step` unless `text` already says what to do (holds one of `said`): texts
/// written elsewhere (the database's messages, other modules' reasons) often end with their own
/// step, and a message says it once. `said` matches at the start of a word.
fn then_step(text: &str, said: &[&str], step: &str) -> String {
    let says = |phrase: &str| {
        text.match_indices(phrase).any(|(at, _)| !text[..at].chars().next_back().is_some_and(char::is_alphanumeric))
    };
    if said.iter().any(|phrase| says(phrase)) {
        text.to_string()
    } else {
        format!("{text}; {step}")
    }
}

/// Input that was refused before anything touched the database. Each message ends with what to
/// do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("invalid amount {input:?}: {reason}; type an amount like 200 or 200.50")]
    InvalidAmount { input: String, reason: String },
    #[error("invalid PIN: {}", then_step(.0, &["type "], "type it again"))]
    InvalidPin(&'static str),
    #[error("invalid {field}: {}", then_step(reason, &["choose ", "type ", "use ", "`tillctl"], "correct it and try again"))]
    Invalid { field: &'static str, reason: String },
    /// A file with bad lines (a catalog import): every bad line with its number and reason.
    /// Nothing of the file was written.
    #[error("{} bad line(s) in {field}, nothing written: {}; correct those lines and try again", lines.len(), lines.iter().map(|l| format!("line {}: {}", l.line, l.reason)).collect::<Vec<_>>().join("; "))]
    BadLines { field: &'static str, lines: Vec<LineError> },
}

/// One bad line of a file: its number (1 is the header) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub reason: String,
}

impl InputError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            InputError::InvalidAmount { .. } => ErrorCode::InvalidAmount,
            InputError::InvalidPin(_) => ErrorCode::InvalidPin,
            InputError::Invalid { .. } | InputError::BadLines { .. } => ErrorCode::InvalidInput,
        }
    }

    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

/// What a lookup was looking for, so that "not found" has a precise code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Location,
    Register,
    User,
    Session,
    TaxRate,
    Category,
    Product,
    Barcode,
    Receipt,
    CashReason,
}

impl Entity {
    /// What to do when one is not found (no key: the message names it already).
    fn next_step(&self) -> &'static str {
        match self {
            Entity::Location => "check the location code (`tillctl location list` lists them)",
            Entity::Register => "check the register, LOCATION/REGISTER like DT/R1 (`tillctl register list` lists them)",
            Entity::User => "check the name (`tillctl user list` lists the staff)",
            Entity::Session => "check the session number or id (`tillctl session list` lists them)",
            Entity::TaxRate => "use one of the location's tax rates (`tillctl tax-rate list --location CODE`), or add it with `tillctl tax-rate add`",
            Entity::Category => "use one of the location's categories (`tillctl category list --location CODE`), or add it with `tillctl category add`",
            Entity::Product => "check the SKU (`tillctl product list --location CODE`), or add the product with `tillctl product add`",
            Entity::Barcode => "scan it again or look the product up by SKU; `tillctl product add --barcode` adds a barcode",
            Entity::Receipt => "check the receipt number (`tillctl sale list --session SESSION` lists a shift's receipts)",
            Entity::CashReason => "choose one of the location's reasons for that kind (`tillctl cash reasons --location CODE`); a manager adds one with `tillctl cash add-reason`",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Location => "location",
            Entity::Register => "register",
            Entity::User => "user",
            Entity::TaxRate => "tax rate",
            Entity::Category => "category",
            Entity::Product => "product",
            Entity::Barcode => "barcode",
            Entity::Receipt => "receipt",
            Entity::CashReason => "cash reason",
            Entity::Session => "session",
        })
    }
}

/// Errors a store reports: a [`Refusal`] (the database did its job and said no) or a
/// [`StoreFailure`] (it could not do the job). Backends map their driver errors into these once;
/// callers never match on driver messages. No variant carries a password: texts come from the
/// server's messages and Till's own words, never from connect options.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Failed(#[from] StoreFailure),
}

/// The operation was understood and refused by a rule of the business: nothing was written,
/// and the cashier or a manager can act on it (another name, a manager's PIN, a new shift).
/// Sending the same request again is refused again.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refusal {
    #[error("{entity} {key} not found: {}", entity.next_step())]
    NotFound { entity: Entity, key: String },
    #[error("{entity} {key} already exists: use it, or choose another name or code")]
    AlreadyExists { entity: Entity, key: String },
    #[error("session {number} was already closed by {closed_by} at {}: nothing more to do (`tillctl session show {number}` shows its close)", closed_at.format("%Y-%m-%d %H:%M:%S UTC"))]
    SessionAlreadyClosed { number: String, closed_by: String, closed_at: DateTime<Utc> },
    /// The register has no open session: a join-only start (no opening cash) found none to
    /// join, or a sale or cash movement came with no shift open.
    #[error("register {register} has no open shift: start one first (Start Shift on the till, or `tillctl start-shift --register {register} --user NAME --opening-cash AMOUNT`)")]
    NoOpenSession { register: String },
    #[error("only a manager or an admin may do this; {user} is a {role}: ask a manager to do it, or to approve it with their name and PIN")]
    Forbidden { user: String, role: String },
    /// Something only a manager may approve, with no manager's approval given (code
    /// `forbidden`, as before this variant: the words say what needs approving).
    #[error("a manager's approval is needed: {}", then_step(.0, &["ask "], "ask a manager to approve it with their name and PIN"))]
    ApprovalNeeded(String),
    /// The user exists but was deactivated: checked by the database under the same lock as the
    /// write, so a deactivation racing a start or close is ordered before or after it.
    #[error("user {0} is not active: ask a manager to activate them again (`tillctl user activate --name {0}`)")]
    UserInactive(String),
    /// The login a write carried is not live: logged out, ended by a deactivation, a lockout or
    /// a new PIN, idle past the location's limit, made on another device, or unknown.
    #[error("{}", then_step(.0, &["log in"], "log in again"))]
    LoginEnded(String),
    /// A PIN check that did not match (counted by the database): `tries_left` more wrong PINs
    /// in a row and the next one locks the user.
    #[error("wrong PIN for {user}: {} before a lockout; type the PIN again", match tries_left { 1 => "1 try left".to_string(), n => format!("{n} tries left") })]
    WrongPin { user: String, tries_left: i32 },
    /// The user's PIN must be set again: its hash was made by a Till older than the database's
    /// own PIN checks (PostgreSQL checks bcrypt, not argon2id), or it is a manager's PIN shorter
    /// than a location now requires.
    #[error("{0}'s PIN must be set again (an older Till set it, or managers' PINs must now be longer): IT runs `tillctl user set-pin --name {0}`")]
    PinResetNeeded(String),
    /// The user is locked after too many wrong PINs.
    #[error("{}", locked_message(user, &until.format("%Y-%m-%d %H:%M:%S UTC").to_string()))]
    UserLocked { user: String, until: DateTime<Utc> },
    /// A request id was used before for a different request.
    #[error("{0}: use a new id for a new request; a retry must send exactly what the first attempt sent")]
    IdempotencyConflict(String),
    /// The receipt's session was closed before it could be recorded. Holds the session number.
    #[error("shift {0} was closed; start or join a shift to record this")]
    SessionClosed(String),
    /// A product or tax rate the receipt was priced from changed before it was recorded.
    #[error("the catalog changed while the sale was priced: {0}; try again (the sale is priced anew)")]
    CatalogChanged(String),
    #[error("refund of more than is left of the sale: {0}; refund at most what is left (`tillctl sale show RECEIPT` shows the sale)")]
    RefundExceedsSale(String),
    /// The count is off by more than the location allows and nobody signed it off.
    #[error("{}", then_step(.0, &["count again"], "count again; if it is still off, a manager signs it off with a reason"))]
    VarianceNeedsSignoff(String),
    #[error("session {0} has no count pending: it was counted already (`tillctl session show {0}` shows the count)")]
    NoCountPending(String),
    /// The register's open session is forgotten: from an earlier business day, or open longer
    /// than the location's limit.
    #[error("session {number} on this register was opened on business day {business_day} and never closed (a forgotten session): it takes no more shifts, sales or cash movements; a manager force-closes it (the banner, or `tillctl session force-close`) and counts it later, then start a new shift")]
    SessionForgotten { number: String, business_day: chrono::NaiveDate },
    /// Values a constraint or a check refused (a CHECK, a foreign key, a void or refund that
    /// does not add up). A refusal, not a failure: the database worked and said no, the same
    /// request is refused again, and the person at the till corrects the values.
    #[error("invalid data refused by the database: {0}; check the values and try again")]
    Rejected(String),
}

/// The database could not do the operation: IT's or the network's problem, not the cashier's.
/// Nothing the request says is wrong; once the cause is fixed, a retry with the same request
/// id is safe (it never applies an operation twice).
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreFailure {
    /// The schema is missing, unknown, edited or incomplete. The text says what and what to run.
    #[error("database schema not ready: {}", then_step(.0, &["`tillctl", "run "], "run `tillctl doctor` to see what to fix"))]
    SchemaNotReady(String),
    /// A newer Till migrated the database with a change this build cannot work with.
    #[error("this Till is too old for the database: {}", then_step(.0, &["update "], "update Till on this PC"))]
    AppTooOld(String),
    /// The database lacks migrations this build needs.
    #[error("the database schema is behind this Till: {}", then_step(.0, &["`tillctl migrate`"], "IT runs `tillctl migrate` with the database owner's role"))]
    SchemaBehind(String),
    /// The database is set up in a way Till's atomic operations refuse to run under (for
    /// example a connection pooler forcing another isolation level).
    #[error("database misconfigured: {}", then_step(.0, &["`tillctl"], "IT runs `tillctl doctor` to see what to fix"))]
    Misconfigured(String),
    /// Another transaction held what this one needed for longer than the wait bound (a lock
    /// timeout or statement timeout). Nothing was written; trying again later is safe.
    #[error("database busy: {0}; nothing was written: try again in a moment")]
    Busy(String),
    /// The database could not be reached or the connection was lost mid-operation. The
    /// outcome of a commit in flight may be unknown: retry with the same request id, which
    /// never applies an operation twice.
    #[error("database unavailable: {0}; check the network and the database server, then retry with the same request id (it never applies an operation twice)")]
    Unavailable(String),
    /// Anything else the database or the code around it did not expect (a value the schema
    /// should not hold, a task that stopped): a bug or a damaged database, for the log.
    #[error("internal database error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            StoreError::Refused(refusal) => refusal.error_code(),
            StoreError::Failed(failure) => failure.error_code(),
        }
    }

    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The database could not do it (as opposed to a refusal): retrying later may succeed.
    pub fn is_failure(&self) -> bool {
        matches!(self, StoreError::Failed(_))
    }

    pub fn not_found(entity: Entity, key: impl fmt::Display) -> StoreError {
        Refusal::NotFound { entity, key: key.to_string() }.into()
    }

    /// A cash movement's reason the location does not offer for that kind: the message lists
    /// the ones it does (`offered`), the codes to choose from.
    pub fn unknown_reason(reason: &str, kind: &str, location: &str, offered: &[&str]) -> StoreError {
        let offered = match offered {
            [] => format!("{location} offers none"),
            codes => format!("{location} offers {}", codes.join(", ")),
        };
        StoreError::not_found(Entity::CashReason, format!("{reason} ({kind}; {offered})"))
    }
}

impl Refusal {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Refusal::NotFound { entity, .. } => match entity {
                Entity::Location => ErrorCode::LocationNotFound,
                Entity::Register => ErrorCode::RegisterNotFound,
                Entity::User => ErrorCode::UserNotFound,
                Entity::Session => ErrorCode::SessionNotFound,
                Entity::TaxRate | Entity::Category | Entity::Product | Entity::Barcode => ErrorCode::ProductNotFound,
                Entity::Receipt => ErrorCode::ReceiptNotFound,
                Entity::CashReason => ErrorCode::ReasonNotFound,
            },
            Refusal::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            Refusal::SessionAlreadyClosed { .. } => ErrorCode::SessionAlreadyClosed,
            Refusal::NoOpenSession { .. } => ErrorCode::NoOpenSession,
            Refusal::Forbidden { .. } => ErrorCode::Forbidden,
            Refusal::ApprovalNeeded(_) => ErrorCode::ApprovalNeeded,
            Refusal::UserInactive(_) => ErrorCode::UserInactive,
            Refusal::WrongPin { .. } => ErrorCode::WrongPin,
            Refusal::LoginEnded(_) => ErrorCode::NotLoggedIn,
            Refusal::PinResetNeeded(_) => ErrorCode::PinResetNeeded,
            Refusal::UserLocked { .. } => ErrorCode::UserLocked,
            Refusal::IdempotencyConflict(_) => ErrorCode::IdempotencyConflict,
            Refusal::SessionClosed(_) => ErrorCode::SessionClosed,
            Refusal::CatalogChanged(_) => ErrorCode::CatalogChanged,
            Refusal::RefundExceedsSale(_) => ErrorCode::RefundExceedsSale,
            Refusal::VarianceNeedsSignoff(_) => ErrorCode::VarianceNeedsSignoff,
            Refusal::NoCountPending(_) => ErrorCode::NoCountPending,
            Refusal::SessionForgotten { .. } => ErrorCode::SessionForgotten,
            Refusal::Rejected(_) => ErrorCode::InvalidInput,
        }
    }
}

impl StoreFailure {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            StoreFailure::SchemaNotReady(_) => ErrorCode::SchemaNotReady,
            StoreFailure::AppTooOld(_) => ErrorCode::AppTooOld,
            StoreFailure::SchemaBehind(_) => ErrorCode::SchemaBehind,
            StoreFailure::Misconfigured(_) => ErrorCode::DatabaseMisconfigured,
            StoreFailure::Busy(_) => ErrorCode::DatabaseBusy,
            StoreFailure::Unavailable(_) => ErrorCode::DatabaseUnavailable,
            StoreFailure::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// Why nobody counts as logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedOut {
    /// Nobody logged in, or someone logged out.
    Nobody,
    /// The login was idle longer than the device's idle limit.
    Idle { minutes: u32 },
}

/// Everything an operation of the core can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TillError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A cart or its tenders refused by [`crate::pricing`], with what to do about it.
    #[error("{}; {}", .0, pricing_step(.0))]
    Pricing(#[from] crate::pricing::PricingError),
    #[error("{}", match .0 {
        LoggedOut::Nobody => "nobody is logged in on this register: log in with your PIN".to_string(),
        LoggedOut::Idle { minutes } => format!("logged out after {minutes} minutes without use; log in again"),
    })]
    NotLoggedIn(LoggedOut),
}

impl From<Refusal> for TillError {
    fn from(e: Refusal) -> Self {
        TillError::Store(e.into())
    }
}

impl From<StoreFailure> for TillError {
    fn from(e: StoreFailure) -> Self {
        TillError::Store(e.into())
    }
}

/// What to do about a cart or tenders [`crate::pricing`] refused (its words say what is wrong).
fn pricing_step(e: &crate::pricing::PricingError) -> &'static str {
    use crate::pricing::PricingError as P;
    match e {
        P::EmptyCart => "add at least one item",
        P::TooManyLines { .. } => "split it into two sales",
        P::InvalidQuantity { .. } => "type a whole number in that range",
        P::InvalidPrice { .. } | P::InvalidTenderAmount { .. } => "type an amount in that range",
        P::NegativeDiscount { .. } => "type a discount of 0 or more",
        P::DiscountTooLarge { .. } => "type a smaller discount",
        P::UnknownTaxRate { .. } => "choose one of the location's tax rates (`tillctl tax-rate list --location CODE`)",
        P::InvalidSettings(_) => "IT corrects the location's settings (`tillctl location set`)",
        P::TooLarge(_) => "split it into smaller sales or tenders",
        P::TooManyTenders { .. } => "use fewer tenders",
        P::InvalidTenderReference { .. } => "correct the tender and try again",
        P::TendersShort { .. } => "take the rest as another tender",
        P::ChangeNotCash { .. } => "charge the card or voucher no more than what is due and take the rest in cash",
    }
}

impl TillError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            TillError::Input(e) => e.error_code(),
            TillError::Store(e) => e.error_code(),
            TillError::Pricing(e) => e.error_code(),
            TillError::NotLoggedIn(_) => ErrorCode::NotLoggedIn,
        }
    }

    /// The stable code: part of the CLI's JSON and of the UI contract. Never renamed.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

/// The `user_locked` refusal, with `until` written as the reader's clock shows it (UTC in the
/// error itself; tillctl's text output writes it in the store's time zone).
pub fn locked_message(user: &str, until: &str) -> String {
    format!(
        "user {user} is locked after too many wrong PINs until {until}: wait until then, or ask a manager to unlock \
         them (Manager unlock on the login screen, or `tillctl user unlock --name {user}`)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_serialises_as_its_text() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} listed twice");
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::Value::from(code.as_str())));
        }
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Class {
        Refusal,
        Failure,
    }

    /// The class of the store errors answering `code`, or `None` for a code no store error
    /// answers. No wildcard: a new code does not compile until it is given a class here.
    fn store_class(code: ErrorCode) -> Option<Class> {
        use ErrorCode as C;
        match code {
            C::InvalidInput
            | C::WrongPin
            | C::UserNotFound
            | C::UserInactive
            | C::UserLocked
            | C::Forbidden
            | C::ApprovalNeeded
            | C::LocationNotFound
            | C::RegisterNotFound
            | C::SessionNotFound
            | C::ProductNotFound
            | C::ReceiptNotFound
            | C::SessionAlreadyClosed
            | C::SessionClosed
            | C::CatalogChanged
            | C::RefundExceedsSale
            | C::NoOpenSession
            | C::AlreadyExists
            | C::IdempotencyConflict
            | C::NotLoggedIn
            | C::ReasonNotFound
            | C::VarianceNeedsSignoff
            | C::NoCountPending
            | C::SessionForgotten
            | C::PinResetNeeded => Some(Class::Refusal),
            C::SchemaNotReady
            | C::AppTooOld
            | C::SchemaBehind
            | C::DatabaseMisconfigured
            | C::DatabaseBusy
            | C::DatabaseUnavailable
            | C::Internal => Some(Class::Failure),
            C::InvalidAmount
            | C::InvalidPin
            | C::DeviceNotSetUp
            | C::DeviceSettingsDamaged
            | C::KeyringUnavailable
            | C::InvalidQuantity
            | C::DiscountTooLarge
            | C::TendersShort
            | C::ChangeNotCash
            | C::DeviceManaged => None,
        }
    }

    /// The variant's name. No wildcard: a new variant does not compile until it is named here,
    /// and [`every_store_error`] gets a row for it.
    fn variant(e: &StoreError) -> &'static str {
        match e {
            StoreError::Refused(refusal) => match refusal {
                Refusal::NotFound { .. } => "NotFound",
                Refusal::AlreadyExists { .. } => "AlreadyExists",
                Refusal::SessionAlreadyClosed { .. } => "SessionAlreadyClosed",
                Refusal::NoOpenSession { .. } => "NoOpenSession",
                Refusal::Forbidden { .. } => "Forbidden",
                Refusal::ApprovalNeeded(_) => "ApprovalNeeded",
                Refusal::UserInactive(_) => "UserInactive",
                Refusal::LoginEnded(_) => "LoginEnded",
                Refusal::WrongPin { .. } => "WrongPin",
                Refusal::PinResetNeeded(_) => "PinResetNeeded",
                Refusal::UserLocked { .. } => "UserLocked",
                Refusal::IdempotencyConflict(_) => "IdempotencyConflict",
                Refusal::SessionClosed(_) => "SessionClosed",
                Refusal::CatalogChanged(_) => "CatalogChanged",
                Refusal::RefundExceedsSale(_) => "RefundExceedsSale",
                Refusal::VarianceNeedsSignoff(_) => "VarianceNeedsSignoff",
                Refusal::NoCountPending(_) => "NoCountPending",
                Refusal::SessionForgotten { .. } => "SessionForgotten",
                Refusal::Rejected(_) => "Rejected",
            },
            StoreError::Failed(failure) => match failure {
                StoreFailure::SchemaNotReady(_) => "SchemaNotReady",
                StoreFailure::AppTooOld(_) => "AppTooOld",
                StoreFailure::SchemaBehind(_) => "SchemaBehind",
                StoreFailure::Misconfigured(_) => "Misconfigured",
                StoreFailure::Busy(_) => "Busy",
                StoreFailure::Unavailable(_) => "Unavailable",
                StoreFailure::Internal(_) => "Internal",
            },
        }
    }

    /// Every store error (`NotFound` once per entity), its code and its class.
    fn every_store_error() -> Vec<(StoreError, &'static str, Class)> {
        let text = || "why".to_string();
        let until = DateTime::<Utc>::UNIX_EPOCH;
        let not_found = |entity| StoreError::not_found(entity, "X");
        let refused = |refusal: Refusal| StoreError::from(refusal);
        let failed = |failure: StoreFailure| StoreError::from(failure);
        use Class::{Failure, Refusal as Refused};
        vec![
            (not_found(Entity::Location), "location_not_found", Refused),
            (not_found(Entity::Register), "register_not_found", Refused),
            (not_found(Entity::User), "user_not_found", Refused),
            (not_found(Entity::Session), "session_not_found", Refused),
            (not_found(Entity::TaxRate), "product_not_found", Refused),
            (not_found(Entity::Category), "product_not_found", Refused),
            (not_found(Entity::Product), "product_not_found", Refused),
            (not_found(Entity::Barcode), "product_not_found", Refused),
            (not_found(Entity::Receipt), "receipt_not_found", Refused),
            (not_found(Entity::CashReason), "reason_not_found", Refused),
            (refused(Refusal::AlreadyExists { entity: Entity::Category, key: text() }), "already_exists", Refused),
            (
                refused(Refusal::SessionAlreadyClosed { number: text(), closed_by: text(), closed_at: until }),
                "session_already_closed",
                Refused,
            ),
            (refused(Refusal::NoOpenSession { register: text() }), "no_open_session", Refused),
            (refused(Refusal::Forbidden { user: text(), role: text() }), "forbidden", Refused),
            (refused(Refusal::ApprovalNeeded(text())), "approval_needed", Refused),
            (refused(Refusal::UserInactive(text())), "user_inactive", Refused),
            (refused(Refusal::LoginEnded(text())), "not_logged_in", Refused),
            (refused(Refusal::WrongPin { user: text(), tries_left: 1 }), "wrong_pin", Refused),
            (refused(Refusal::PinResetNeeded(text())), "pin_reset_needed", Refused),
            (refused(Refusal::UserLocked { user: text(), until }), "user_locked", Refused),
            (refused(Refusal::IdempotencyConflict(text())), "idempotency_conflict", Refused),
            (refused(Refusal::SessionClosed(text())), "session_closed", Refused),
            (refused(Refusal::CatalogChanged(text())), "catalog_changed", Refused),
            (refused(Refusal::RefundExceedsSale(text())), "refund_exceeds_sale", Refused),
            (refused(Refusal::VarianceNeedsSignoff(text())), "variance_needs_signoff", Refused),
            (refused(Refusal::NoCountPending(text())), "no_count_pending", Refused),
            (
                refused(Refusal::SessionForgotten { number: text(), business_day: until.date_naive() }),
                "session_forgotten",
                Refused,
            ),
            (refused(Refusal::Rejected(text())), "invalid_input", Refused),
            (failed(StoreFailure::SchemaNotReady(text())), "schema_not_ready", Failure),
            (failed(StoreFailure::AppTooOld(text())), "app_too_old", Failure),
            (failed(StoreFailure::SchemaBehind(text())), "schema_behind", Failure),
            (failed(StoreFailure::Misconfigured(text())), "database_misconfigured", Failure),
            (failed(StoreFailure::Busy(text())), "database_busy", Failure),
            (failed(StoreFailure::Unavailable(text())), "database_unavailable", Failure),
            (failed(StoreFailure::Internal(text())), "internal", Failure),
        ]
    }

    #[test]
    fn every_store_error_has_one_code_and_one_class() {
        let rows = every_store_error();
        let mut named = std::collections::HashSet::new();
        for (e, code, class) in &rows {
            assert_eq!(e.code(), *code, "{e:?}");
            assert_eq!(e.is_failure(), *class == Class::Failure, "{e:?}");
            // The code alone tells the class, so a script or the UI may branch on it.
            assert_eq!(store_class(e.error_code()), Some(*class), "{code} is answered by another class too");
            // The code tillctl prints for a refined one (`approval_needed` as `forbidden`) is of
            // the same class: a script matching the older code sees no change of meaning.
            assert_eq!(store_class(e.error_code().contract_code()), Some(*class), "{code}");
            // The wrapper adds nothing to the words, and TillError carries the same code.
            let inner = match e {
                StoreError::Refused(refusal) => refusal.to_string(),
                StoreError::Failed(failure) => failure.to_string(),
            };
            assert_eq!(e.to_string(), inner);
            assert_eq!(TillError::from(e.clone()).code(), *code);
            assert!(named.insert(variant(e)) || variant(e) == "NotFound", "{} listed twice", variant(e));
        }
        for code in ErrorCode::ALL {
            let answered = rows.iter().any(|(e, ..)| e.error_code() == *code);
            assert_eq!(answered, store_class(*code).is_some(), "{code}: a store class without a store error, or none");
        }
    }

    #[test]
    fn a_refusal_or_a_failure_converts_to_the_same_till_error_as_through_store_error() {
        let refusal = || Refusal::NoOpenSession { register: "DT/R1".into() };
        let failure = || StoreFailure::Busy("lock timeout".into());
        let direct = TillError::from(refusal());
        assert!(matches!(&direct, TillError::Store(StoreError::Refused(Refusal::NoOpenSession { .. }))), "{direct:?}");
        assert_eq!(direct.to_string(), TillError::from(StoreError::from(refusal())).to_string());
        let direct = TillError::from(failure());
        assert!(matches!(&direct, TillError::Store(StoreError::Failed(StoreFailure::Busy(_)))), "{direct:?}");
        assert_eq!(direct.to_string(), TillError::from(StoreError::from(failure())).to_string());
    }
}
