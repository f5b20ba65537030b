//! Migration bookkeeping and the schema check: what the embedded migrations are, what the
//! database recorded, how a failed run maps, and how a schema's definitions compare with
//! what the migrations create.

use crate::rows::read;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{FromRow, Row};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use till_core::{AppliedMigration, KnownMigration, Refusal, SchemaCheck, StoreError, StoreFailure};

columns! {
    /// A row of sqlx's `_sqlx_migrations`.
    pub struct AppliedMigrationRow {
        version: i64,
        description: String,
        checksum: Vec<u8>,
        success: bool,
    }
}

impl From<AppliedMigrationRow> for AppliedMigration {
    fn from(row: AppliedMigrationRow) -> AppliedMigration {
        AppliedMigration {
            version: row.version,
            description: row.description,
            checksum: row.checksum,
            success: row.success,
        }
    }
}

/// Decodes a row of sqlx's `_sqlx_migrations` (`version`, `description`, `checksum`, `success`).
pub fn applied_migration<'r, R: Row>(row: &'r R) -> Result<AppliedMigration, StoreError>
where
    AppliedMigrationRow: FromRow<'r, R>,
{
    read::<AppliedMigrationRow, R>(row).map(AppliedMigration::from)
}

/// sqlx's Migrator over the migrations a store's build script embedded (till_buildinfo
/// `embed_files`: file name and text, in name order), each read as sqlx's `migrate!` reads a
/// migrations folder (`sqlx::migrate::resolve_blocking`): `<version>_<description>.sql`, the
/// description with spaces for underscores, its own transaction unless the text starts with
/// `-- no-transaction`, and its checksum the SHA-384 of the text (`Migration::new`). A contract
/// test proves it equal to the folder read by sqlx. Not `migrate!` itself: that needs sqlx's
/// proc-macro crate, which compiles sqlx's database drivers (with SQLite's C source, rustls and
/// ring) a second time for the build host.
///
/// # Panics
/// On a file name without a numeric version, which the stores' build scripts already refuse
/// (`till_buildinfo::embed_migrations`).
pub fn embedded_migrator(files: &'static [(&'static str, &'static str)]) -> Migrator {
    let migrations: Vec<Migration> = files
        .iter()
        .filter_map(|(file, sql)| {
            let (version, rest) = file.split_once('_')?;
            let version: i64 = version.parse().unwrap_or_else(|_| panic!("migration {file:?} has no numeric version"));
            let migration_type = MigrationType::from_filename(rest);
            let description = rest.trim_end_matches(migration_type.suffix()).replace('_', " ");
            let no_tx = sql.starts_with("-- no-transaction");
            Some(Migration::new(version, description.into(), migration_type, (*sql).into(), no_tx))
        })
        .collect();
    // Migrator::new is async only for sources that read a folder; this one is ready at once.
    let mut ready = std::pin::pin!(Migrator::new(Embedded(migrations)));
    match ready.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(migrator)) => migrator,
        Poll::Ready(Err(e)) => panic!("the embedded migrations: {e}"),
        Poll::Pending => unreachable!("an embedded migration source resolves at once"),
    }
}

/// Migrations already read: what [`embedded_migrator`] hands sqlx.
#[derive(Debug)]
struct Embedded(Vec<Migration>);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send>> {
        let mut migrations = self.0;
        migrations.sort_by_key(|m| m.version);
        Box::pin(std::future::ready(Ok(migrations)))
    }
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

/// Maps a failed migration run: a database error (lost connection, timeout) keeps its own
/// meaning through `map`, so a killed connection mid-migration is `database_unavailable` (retry)
/// and not a broken schema.
pub fn migrate_error(e: sqlx::migrate::MigrateError, map: impl Fn(sqlx::Error) -> StoreError) -> StoreError {
    use sqlx::migrate::MigrateError;
    match e {
        MigrateError::Execute(e) => map(e),
        MigrateError::ExecuteMigration(e, version) => match map(e) {
            StoreError::Failed(StoreFailure::Internal(text)) | StoreError::Refused(Refusal::Rejected(text)) => {
                StoreFailure::SchemaNotReady(format!("migration {version} failed: {text}")).into()
            }
            other => other,
        },
        other => StoreFailure::SchemaNotReady(format!("migrating failed: {other}")).into(),
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
