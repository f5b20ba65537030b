//! The connection pool and the one place sqlx errors become [`StoreError`]s.

use deadpool::managed::{Metrics, Object, PoolError, RecycleError, RecycleResult};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError};
use sqlx::Connection;
use till_core::{Entity, Refusal, StoreError, StoreFailure};

/// A pooled connection, and whether a query found it lost.
pub(crate) struct PgConn {
    conn: PgConnection,
    lost: bool,
}

/// Opens PostgreSQL connections for the pool. Connections are not pinged when they are handed
/// out or given back (sqlx's own pool pings on every release, which doubled the round trips of
/// joining a session); one that a query found lost is discarded on return instead.
pub(crate) struct Connector(pub(crate) PgConnectOptions);

impl deadpool::managed::Manager for Connector {
    type Type = PgConn;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<PgConn, sqlx::Error> {
        Ok(PgConn { conn: PgConnection::connect_with(&self.0).await?, lost: false })
    }

    async fn recycle(&self, conn: &mut PgConn, _: &Metrics) -> RecycleResult<sqlx::Error> {
        if conn.lost {
            return Err(RecycleError::message("the connection was lost"));
        }
        Ok(())
    }
}

pub(crate) type Pool = deadpool::managed::Pool<Connector>;

/// A connection checked out of the pool. Queries report failures through [`Conn::fail`]. The
/// connection stays usable as a value after a failure (a later query on it fails again, it
/// never panics), and a lost one never goes back into the pool.
pub(crate) struct Conn<'a> {
    object: Object<Connector>,
    pool: &'a Pool,
}

impl<'a> Conn<'a> {
    pub(crate) async fn get(pool: &'a Pool) -> Result<Conn<'a>, StoreError> {
        let object = pool.get().await.map_err(|e| match e {
            PoolError::Backend(e) => map_err(e),
            PoolError::Timeout(deadpool::managed::TimeoutType::Wait) => {
                StoreFailure::Busy("every database connection of this program was in use for too long".into()).into()
            }
            PoolError::Timeout(_) => StoreFailure::Unavailable("timed out connecting to the database".into()).into(),
            other => StoreFailure::Unavailable(other.to_string()).into(),
        })?;
        Ok(Conn { object, pool })
    }

    pub(crate) fn db(&mut self) -> &mut PgConnection {
        &mut self.object.conn
    }

    /// Maps a query's error. When the connection is lost (server restart, backend terminated,
    /// failover) this one is discarded, and so are the idle ones, which the same event most
    /// likely broke too: the caller's retry then starts on a fresh connection.
    pub(crate) fn fail(&mut self, error: sqlx::Error) -> StoreError {
        if connection_lost(&error) {
            self.object.lost = true;
            self.pool.retain(|_, _| false);
        }
        map_err(error)
    }

    /// Like [`Conn::fail`], with the caller's mapping for errors that are not a lost
    /// connection (a function's own SQLSTATEs).
    pub(crate) fn fail_with(&mut self, error: sqlx::Error, map: impl FnOnce(sqlx::Error) -> StoreError) -> StoreError {
        if connection_lost(&error) {
            return self.fail(error);
        }
        map(error)
    }

    /// Like [`Conn::fail`], but a unique violation means the thing already exists.
    pub(crate) fn fail_unique(&mut self, error: sqlx::Error, entity: Entity, key: String) -> StoreError {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => Refusal::AlreadyExists { entity, key }.into(),
            _ => self.fail(error),
        }
    }
}

/// True when the connection itself is gone (I/O failure, or the server ended the session), as
/// opposed to a failed statement on a healthy connection.
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

/// The key a Till function names in a not-found refusal's DETAIL (the user's name, the session's
/// id, as the SQLite store names them): its message is a sentence that already says "not found",
/// so it would read twice in the refusal's own words.
fn not_found_key(pg: Option<&PgDatabaseError>, message: String) -> String {
    pg.and_then(PgDatabaseError::detail).map_or(message, str::to_string)
}

/// Maps sqlx errors once. Custom SQLSTATEs (class TL) come from the shift functions; their
/// meanings are listed at the top of migrations/postgres/0004_shift_functions.sql.
pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default().to_string();
            let message = db.message().to_string();
            let pg = db.try_downcast_ref::<PgDatabaseError>();
            match code.as_str() {
                "TL001" => StoreFailure::Misconfigured(format!(
                    "{message}: something between Till and the server (a pooler, or ALTER ROLE/DATABASE ... SET \
                     default_transaction_isolation) forces another isolation level; remove that setting"
                ))
                .into(),
                "TL002" | "22003" | "23502" | "23503" | "23514" => Refusal::Rejected(message).into(),
                "TL403" => Refusal::Forbidden {
                    user: pg.and_then(PgDatabaseError::detail).unwrap_or("this user").to_string(),
                    role: pg.and_then(PgDatabaseError::hint).unwrap_or("cashier").to_string(),
                }
                .into(),
                "TL404" => Refusal::NotFound { entity: Entity::Register, key: not_found_key(pg, message) }.into(),
                "TL405" => Refusal::NotFound { entity: Entity::Session, key: not_found_key(pg, message) }.into(),
                "TL406" => Refusal::NotFound { entity: Entity::User, key: not_found_key(pg, message) }.into(),
                "TL407" => Refusal::NoOpenSession { register: message }.into(),
                "TL408" => {
                    Refusal::UserInactive(pg.and_then(PgDatabaseError::detail).unwrap_or(&message).to_string()).into()
                }
                "TL409" => Refusal::IdempotencyConflict(message).into(),
                // Cash control (migrations/postgres/0012_expand_cash_journal_functions.sql).
                "TL421" => {
                    Refusal::SessionClosed(pg.and_then(PgDatabaseError::detail).unwrap_or(&message).to_string()).into()
                }
                "TL430" => Refusal::VarianceNeedsSignoff(message).into(),
                "TL431" => Refusal::NotFound { entity: Entity::CashReason, key: not_found_key(pg, message) }.into(),
                "TL432" => Refusal::ApprovalNeeded(message).into(),
                "TL433" => Refusal::NoCountPending(message).into(),
                "TL434" => Refusal::Rejected(message).into(),
                // functions/till_session_forgotten.sql: DETAIL the session's number, HINT its day.
                "TL435" => match (pg.and_then(PgDatabaseError::detail), pg.and_then(PgDatabaseError::hint)) {
                    (Some(number), Some(day)) => match day.parse() {
                        Ok(business_day) => {
                            Refusal::SessionForgotten { number: number.to_string(), business_day }.into()
                        }
                        Err(_) => StoreFailure::Internal(format!("{message}: business day {day}")).into(),
                    },
                    _ => StoreFailure::Internal(message).into(),
                },
                // PIN checks in the database (migrations/postgres/functions/till_pin_*.sql): a
                // check's result asked twice, late, by another role or in its own transaction;
                // a login that ended.
                "TL440" | "TL441" => Refusal::Rejected(message).into(),
                // A write's login or approval (functions/till_login_user.sql, till_use_approval.sql)
                // and the terminal role's binding to registers (till_actor.sql).
                "TL442" => Refusal::LoginEnded(message).into(),
                "TL443" => Refusal::ApprovalNeeded(message).into(),
                "TL444" => StoreFailure::Misconfigured(match pg.and_then(PgDatabaseError::hint) {
                    Some(hint) => format!("{message}; {hint}"),
                    None => message,
                })
                .into(),
                "TL410" => Refusal::Rejected(match pg.and_then(PgDatabaseError::hint) {
                    Some(hint) => format!("{message}; {hint}"),
                    None => message,
                })
                .into(),
                "42883" => StoreFailure::SchemaNotReady(format!(
                    "a PostgreSQL function Till needs is missing ({message}): the schema was changed outside Till; {}",
                    crate::schema::REPAIR
                ))
                .into(),
                "42P01" | "42703" => StoreFailure::SchemaNotReady(format!(
                    "the database has no Till schema or an incomplete one ({message}); run `tillctl migrate`"
                ))
                .into(),
                "23505" => match db.constraint() {
                    Some("sessions_close_request_unique" | "session_joins_request_unique") => {
                        Refusal::IdempotencyConflict(message).into()
                    }
                    _ => Refusal::Rejected(message).into(),
                },
                // A lock wait or a statement ran past the bound (lock_timeout, statement_timeout):
                // another transaction holds what this one needs. Nothing was written.
                "55P03" | "57014" => StoreFailure::Busy(message).into(),
                // Lost connection, server shutting down, backend terminated, too many
                // connections, serialization failure or deadlock.
                c if c.starts_with("08") || c.starts_with("57") || c.starts_with("53") || c.starts_with("40") => {
                    StoreFailure::Unavailable(message).into()
                }
                // Wrong password or user, no such database, or a missing privilege: the server is
                // there but refuses, and retrying will not help; IT has to fix the settings.
                c if c.starts_with("28") || c == "3D000" || c == "42501" => {
                    StoreFailure::Misconfigured(format!("the server refused: {message}")).into()
                }
                _ => StoreFailure::Internal(e.to_string()).into(),
            }
        }
        sqlx::Error::PoolTimedOut => StoreFailure::Busy(e.to_string()).into(),
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => StoreFailure::Unavailable(e.to_string()).into(),
        _ => StoreFailure::Internal(e.to_string()).into(),
    }
}
