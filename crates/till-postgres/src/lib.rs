//! Till's PostgreSQL store, for multi-terminal stores and chains.
//!
//! Sessions are opened and closed only by the plpgsql functions `till_start_shift` and
//! `till_close_session` that the function files deploy, each called in one round trip. There is no
//! other path: if a function is missing the call fails with `schema_not_ready` naming the fix.
//!
//! One module per area: [`schema`] (migrate, verify), [`places`], [`staff`], [`sessions`];
//! [`conn`] holds the pool and the error mapping.

mod backups;
mod cash;
mod catalog;
mod conn;
mod journal;
mod places;
mod sales;
mod schema;
mod sessions;
mod staff;

pub use sales::payload as receipt_payload;
/// The expected definitions kept per PostgreSQL major version, for the contract test that
/// regenerates them and fails when they are stale.
pub use schema::{
    function_files_hash, kept_definitions, kept_definitions_check, kept_definitions_path, kept_definitions_text,
    migration_set, newest_migration, render_kept_definitions, scratch_definitions, Definitions, EXECUTABLE_FUNCTIONS,
    FUNCTION_GENERATIONS_PATH,
};

use conn::{Connector, Pool};
use deadpool::managed::Timeouts;
use deadpool::Runtime;
use sqlx::postgres::PgConnectOptions;
use std::fmt;
use std::str::FromStr;
use till_core::{require_schema, SchemaStore, StoreError, StoreFailure, StoreOptions};

#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// For migrations and repairs: no lock or statement timeout (a migration may wait for
    /// another terminal's migration, or take long on a big table).
    admin: PgConnectOptions,
    clock: till_core::Clock,
}

/// Never prints connect options: they hold the password.
impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let options = &self.admin;
        f.debug_struct("PostgresStore")
            .field("host", &options.get_host())
            .field("port", &options.get_port())
            .field("database", &options.get_database())
            .field("user", &options.get_username())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://...`), migrates unless told not to, and verifies the
    /// schema (migrations, and every function, index, constraint and column definition).
    pub async fn open(url: &str, options: &StoreOptions) -> Result<PostgresStore, StoreError> {
        // The URL's own text is not repeated: it may hold a password.
        let admin = PgConnectOptions::from_str(url)
            .map_err(|_| {
                StoreFailure::Unavailable("the PostgreSQL URL is malformed (postgres://USER@HOST:PORT/DB)".into())
            })?
            .application_name("till")
            // The shift functions refuse anything else; pin it so a server default cannot.
            .options([("default_transaction_isolation", r"read\ committed")]);
        let terminal = admin.clone().options([
            ("lock_timeout", options.busy_timeout.as_millis().to_string()),
            ("statement_timeout", options.statement_timeout.as_millis().to_string()),
        ]);
        let timeouts = Timeouts {
            wait: Some(options.busy_timeout),
            create: Some(options.busy_timeout),
            recycle: Some(options.busy_timeout),
        };
        let pool = Pool::builder(Connector(terminal))
            .max_size(usize::try_from(options.max_connections.max(1)).unwrap_or(1))
            .timeouts(timeouts)
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| StoreFailure::Internal(format!("cannot build the connection pool: {e}")))?;
        let store = PostgresStore { pool, admin, clock: options.clock.clone() };
        // A database a newer Till migrated needs nothing from this build: it is verified as a
        // terminal verifies it (`migrate` itself refuses it, so as not to write older functions).
        if options.migrate && store.newer_database().await?.is_none() {
            store.migrate().await?;
        } else if options.verify {
            require_schema(&store.schema_checks().await?)?;
        }
        Ok(store)
    }

    async fn conn(&self) -> Result<conn::Conn<'_>, StoreError> {
        conn::Conn::get(&self.pool).await
    }
}
