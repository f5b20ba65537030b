//! Users and their PIN events.

use super::{read, unexpected};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, Row};
use till_core::{AuthEvent, AuthEventKind, Role, StoreError, User, UserId};
use uuid::Uuid;

columns! {
    /// A row of `users` as [`crate::sql::USER_COLUMNS`] lists it (never the PIN hash).
    pub struct UserRow {
        id: Uuid,
        name: String,
        role: String,
        active: bool,
        failed_pins: i32,
        locked_until: Option<DateTime<Utc>>,
        lockouts: i32,
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<User, StoreError> {
        let role: Role = row.role.parse().map_err(|_| unexpected("role", &row.role))?;
        Ok(User {
            id: UserId(row.id),
            name: row.name,
            approves: role.is_manager(),
            role,
            active: row.active,
            failed_pins: row.failed_pins,
            locked_until: row.locked_until,
            lockouts: row.lockouts,
        })
    }
}

/// Decodes a row of `users`.
pub fn user<'r, R: Row>(row: &'r R) -> Result<User, StoreError>
where
    UserRow: FromRow<'r, R>,
{
    read::<UserRow, R>(row)?.try_into()
}

columns! {
    /// A user's columns as [`crate::sql::LOGIN_USER_COLUMNS`] names them (`login_user_` and the
    /// name [`UserRow`] reads).
    pub struct LoginUserRow {
        id: Uuid = "login_user_id",
        name: String = "login_user_name",
        role: String = "login_user_role",
        active: bool = "login_user_active",
        failed_pins: i32 = "login_user_failed_pins",
        locked_until: Option<DateTime<Utc>> = "login_user_locked_until",
        lockouts: i32 = "login_user_lockouts",
    }
}

impl From<LoginUserRow> for UserRow {
    fn from(row: LoginUserRow) -> UserRow {
        let LoginUserRow { id, name, role, active, failed_pins, locked_until, lockouts } = row;
        UserRow { id, name, role, active, failed_pins, locked_until, lockouts }
    }
}

/// Decodes the user of a login check's row ([`crate::sql::LOGIN_USER_COLUMNS`]); the row must
/// have found one (`login_user_id` not null).
pub fn login_user<'r, R: Row>(row: &'r R) -> Result<User, StoreError>
where
    LoginUserRow: FromRow<'r, R>,
{
    UserRow::from(read::<LoginUserRow, R>(row)?).try_into()
}

columns! {
    /// A row of `auth_events` joined with the user's name, as [`crate::sql::AUTH_EVENTS`] reads it.
    pub struct AuthEventRow {
        name: String,
        kind: String,
        device: String,
        at: DateTime<Utc>,
        detail: Option<String>,
    }
}

impl TryFrom<AuthEventRow> for AuthEvent {
    type Error = StoreError;

    fn try_from(row: AuthEventRow) -> Result<AuthEvent, StoreError> {
        Ok(AuthEvent {
            user: row.name,
            kind: AuthEventKind::parse(&row.kind).ok_or_else(|| unexpected("auth event", &row.kind))?,
            device: row.device,
            at: row.at,
            detail: row.detail,
        })
    }
}

/// Decodes a row of `auth_events` joined with the user's name (`name`).
pub fn auth_event<'r, R: Row>(row: &'r R) -> Result<AuthEvent, StoreError>
where
    AuthEventRow: FromRow<'r, R>,
{
    read::<AuthEventRow, R>(row)?.try_into()
}
