//! Typed errors with stable snake_case codes. The CLI prints the code in JSON and exits
//! non-zero; the desktop app sends `{code, message}` to the UI, which branches on the code.

use chrono::{DateTime, Utc};
use std::fmt;

/// Input that was refused before anything touched the database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("invalid amount {input:?}: {reason}")]
    InvalidAmount { input: String, reason: String },
    #[error("invalid PIN: {0}")]
    InvalidPin(&'static str),
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

impl InputError {
    pub fn code(&self) -> &'static str {
        match self {
            InputError::InvalidAmount { .. } => "invalid_amount",
            InputError::InvalidPin(_) => "invalid_pin",
            InputError::Invalid { .. } => "invalid_input",
        }
    }
}

/// What a lookup was looking for, so that "not found" has a precise code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Location,
    Register,
    User,
    Session,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::Location => "location",
            Entity::Register => "register",
            Entity::User => "user",
            Entity::Session => "session",
        })
    }
}

/// Errors a store reports. Backends map their driver errors into these once; callers never
/// match on driver messages.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("{entity} {key} not found")]
    NotFound { entity: Entity, key: String },
    #[error("{entity} {key} already exists")]
    AlreadyExists { entity: Entity, key: String },
    #[error("session {number} was already closed by {closed_by} at {closed_at}")]
    SessionAlreadyClosed { number: String, closed_by: String, closed_at: DateTime<Utc> },
    /// A join-only start (no opening cash) found no open session to join.
    #[error("register {register} has no open session to join")]
    NoOpenSession { register: String },
    #[error("only a manager or an admin may do this; {user} is a {role}")]
    Forbidden { user: String, role: String },
    /// The schema is missing, unknown, edited or incomplete. The text says what and what to run.
    #[error("database schema not ready: {0}")]
    SchemaNotReady(String),
    /// The database could not be reached or the connection was lost mid-operation. Nothing
    /// was acknowledged; retrying is safe.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("invalid data refused by the database: {0}")]
    Rejected(String),
    #[error("internal database error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { entity, .. } => match entity {
                Entity::Location => "location_not_found",
                Entity::Register => "register_not_found",
                Entity::User => "user_not_found",
                Entity::Session => "session_not_found",
            },
            StoreError::AlreadyExists { .. } => "already_exists",
            StoreError::SessionAlreadyClosed { .. } => "session_already_closed",
            StoreError::NoOpenSession { .. } => "no_open_session",
            StoreError::Forbidden { .. } => "forbidden",
            StoreError::SchemaNotReady(_) => "schema_not_ready",
            StoreError::Unavailable(_) => "database_unavailable",
            StoreError::Rejected(_) => "invalid_input",
            StoreError::Internal(_) => "internal",
        }
    }

    pub fn not_found(entity: Entity, key: impl fmt::Display) -> StoreError {
        StoreError::NotFound { entity, key: key.to_string() }
    }
}

/// Everything an operation of the core can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TillError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("wrong PIN for {0}")]
    WrongPin(String),
    #[error("user {0} is not active")]
    UserInactive(String),
}

impl TillError {
    /// The stable code: part of the CLI's JSON and of the UI contract. Never renamed.
    pub fn code(&self) -> &'static str {
        match self {
            TillError::Input(e) => e.code(),
            TillError::Store(e) => e.code(),
            TillError::WrongPin(_) => "wrong_pin",
            TillError::UserInactive(_) => "user_inactive",
        }
    }
}
