//! Migrating and verifying the schema. Verification compares every table, index and trigger's
//! `sqlite_master.sql` with what the embedded migrations create in a scratch in-memory database.

use crate::{map_err, OpenLock, SqliteStore};
use async_trait::async_trait;
use sqlx::migrate::Migrator;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;
use till_core::*;
use tokio::sync::OnceCell;

// MIGRATION_FILES: migrations/sqlite/*.sql, embedded by build.rs.
include!(concat!(env!("OUT_DIR"), "/migration_files.rs"));
static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| till_sqlx::embedded_migrator(MIGRATION_FILES));

type Definitions = BTreeMap<(String, String), String>;

/// Till's objects in `sqlite_master`: SQLite keeps each one's CREATE statement as written.
/// Automatic indexes have no SQL: they follow from their table's.
const DEFINITIONS: &str = "SELECT CASE WHEN type = 'index' AND sql LIKE 'CREATE UNIQUE%' THEN 'unique index'
        ELSE type END, CASE WHEN type = 'table' THEN name ELSE tbl_name || '.' || name END, sql FROM sqlite_master
    WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'";

static REFERENCE: OnceCell<Definitions> = OnceCell::const_new();

fn definitions(rows: Vec<(String, String, String)>) -> Definitions {
    rows.into_iter().map(|(kind, name, sql)| ((kind, name), sql)).collect()
}

/// What the embedded migrations create, read from a fresh in-memory database (once per process).
async fn reference() -> Result<&'static Definitions, StoreError> {
    REFERENCE
        .get_or_try_init(|| async {
            // One connection: each in-memory connection would be a database of its own.
            let scratch = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect("sqlite::memory:")
                .await
                .map_err(map_err)?;
            MIGRATOR.run(&scratch).await.map_err(|e| till_sqlx::migrate_error(e, map_err))?;
            let rows = sqlx::query_as(DEFINITIONS).fetch_all(&scratch).await.map_err(map_err)?;
            scratch.close().await;
            Ok(definitions(rows))
        })
        .await
}

impl SqliteStore {
    async fn applied_migrations(&self) -> Result<Vec<AppliedMigration>, StoreError> {
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
        )
        .fetch_one(&self.writer)
        .await
        .map_err(map_err)?;
        if !exists {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT version, description, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&self.writer)
            .await
            .map_err(map_err)?;
        rows.iter().map(till_sqlx::applied_migration).collect()
    }

    /// Every check, or the database error that stopped them (a busy or unreadable file stays
    /// that, never a schema verdict).
    pub(crate) async fn schema_checks(&self) -> Result<Vec<SchemaCheck>, StoreError> {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&self.writer).await.map_err(map_err)?;
        let mut checks = vec![if mode.eq_ignore_ascii_case("wal") {
            SchemaCheck::pass("connection", format!("SQLite file {} (WAL)", self.location))
        } else {
            SchemaCheck::fail(
                "connection",
                format!("SQLite file {} is in {mode} mode, not WAL", self.location),
                "close other programs using the file, then start Till again",
            )
        }];
        let applied = self.applied_migrations().await?;
        let known = till_sqlx::known_migrations(&MIGRATOR);
        let migrations = check_migrations(&known, &applied);
        let migrated = migrations.iter().all(|c| c.ok);
        checks.extend(migrations);
        // A database that is behind differs from the reference by design: say "migrate" once.
        // One a newer Till expanded differs too (that is what an expand is): its migrations
        // check above is what this build can judge.
        if migrated && has_newer_migrations(&known, &applied) {
            checks.push(SchemaCheck::pass(NEWER_DEFINITIONS.0, NEWER_DEFINITIONS.1));
        } else if migrated {
            let expected = reference().await?;
            let actual = definitions(sqlx::query_as(DEFINITIONS).fetch_all(&self.writer).await.map_err(map_err)?);
            checks.extend(till_sqlx::compare_definitions(
                expected,
                &actual,
                |kind| kind == "trigger" || kind == "unique index",
                "restore the database file from a backup (Till cannot run safely without it)",
            ));
        }
        Ok(checks)
    }

    /// Migrates; the caller holds the [`OpenLock`].
    pub(crate) async fn migrate_locked(&self) -> Result<Vec<i64>, StoreError> {
        let applied = self.applied_migrations().await?;
        // Refuse unknown or edited migrations before touching anything.
        refuse_foreign_migrations(&till_sqlx::known_migrations(&MIGRATOR), &applied)?;
        let before: Vec<i64> = applied.iter().map(|m| m.version).collect();
        if MIGRATOR.iter().any(|m| !before.contains(&m.version)) {
            refuse_gap(&till_sqlx::known_migrations(&MIGRATOR), &applied)?;
            MIGRATOR.run(&self.writer).await.map_err(|e| till_sqlx::migrate_error(e, map_err))?;
        }
        let mut tx = self.write().await?;
        crate::journal::pay_staff_baseline(&mut tx, self.now()).await?;
        crate::journal::pay_location_baseline(&mut tx, self.now()).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(MIGRATOR.iter().map(|m| m.version).filter(|v| !before.contains(v)).collect())
    }
}

#[async_trait]
impl SchemaStore for SqliteStore {
    fn kind(&self) -> BackendKind {
        BackendKind::Sqlite
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        // A migration run by hand may wait on another process's for longer than a start would.
        let lock = OpenLock::acquire(Path::new(&self.location), std::time::Duration::from_secs(300)).await?;
        let applied = self.migrate_locked().await?;
        drop(lock);
        require_schema(&self.schema_checks().await?)?;
        Ok(applied)
    }

    async fn repair_functions(&self) -> Result<(), StoreError> {
        Ok(())
    }

    async fn create_terminal_role(&self, _role: &DbRoleName, _password: Option<&str>) -> Result<(), StoreError> {
        Err(StoreFailure::Misconfigured(
            "SQLite has no database roles: terminal roles are for a store's PostgreSQL server".into(),
        )
        .into())
    }

    async fn bind_terminal_role(&self, _role: &DbRoleName, _binding: &TerminalBinding) -> Result<(), StoreError> {
        Err(StoreFailure::Misconfigured(
            "SQLite has no database roles: terminal roles are for a store's PostgreSQL server".into(),
        )
        .into())
    }

    async fn check_schema(&self) -> Vec<SchemaCheck> {
        self.schema_checks().await.unwrap_or_else(|e| {
            vec![SchemaCheck::fail(
                "connection",
                format!("cannot read SQLite file {}: {e}", self.location),
                "check the path in --database-url / TILL_DATABASE_URL and its permissions",
            )]
        })
    }

    async fn check_invariants(&self) -> Result<InvariantReport, StoreError> {
        use till_sqlx::invariants as sql;
        let strings = |query: &'static str| async move {
            sqlx::query_scalar::<_, String>(query).fetch_all(&self.reader).await.map_err(map_err)
        };
        let (sessions, open_sessions): (i64, i64) =
            sqlx::query_as(sql::COUNTS).fetch_one(&self.reader).await.map_err(map_err)?;
        Ok(InvariantReport {
            sessions,
            open_sessions,
            registers_with_several_open: strings(sql::SEVERAL_OPEN).await?,
            numbering_problems: strings(sql::NUMBERING).await?,
            duplicate_numbers: strings(sql::DUPLICATE_NUMBERS).await?,
            bad_closures: strings(sql::BAD_CLOSURES).await?,
        })
    }
}
