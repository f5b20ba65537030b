//! Migrating and verifying the schema. Verification compares the full definition of every
//! column, constraint, index, trigger and Till function with what the embedded migrations
//! create. Those expected definitions are kept in this build, per PostgreSQL major version, for
//! this build's migrations (crates/till-postgres/definitions/, generated from a scratch schema
//! and checked by a contract test): the owner of the database cannot edit them, and reading
//! them costs nothing at start. On a server version or migration set with none kept, or when
//! the database differs from the kept ones, they are read from a scratch schema the migrations
//! are run into (and rolled back): the same check, about 0.3 s slower.

use crate::conn::{map_err, Conn};
use crate::PostgresStore;
use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::Executor as _;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use till_core::*;

pub(crate) static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| till_sqlx::embedded_migrator(MIGRATION_FILES));

// MIGRATION_FILES: migrations/postgres/*.sql, embedded by build.rs.
include!(concat!(env!("OUT_DIR"), "/migration_files.rs"));

// FUNCTION_FILES: migrations/postgres/functions/*.sql, embedded by build.rs.
include!(concat!(env!("OUT_DIR"), "/function_files.rs"));
// KEPT_DEFINITIONS: definitions/pg<major>.json, embedded by build.rs.
include!(concat!(env!("OUT_DIR"), "/kept_definitions.rs"));

/// What pins `SET search_path FROM CURRENT` in the function files to Till's schema, then
/// pg_temp (as the versioned functions migrations do); bodies are checked when called, so the
/// files apply in name order whatever calls what.
const FUNCTION_FILES_PREAMBLE: &str = "SELECT pg_catalog.set_config('search_path', \
     pg_catalog.quote_ident(pg_catalog.current_schema()) || ', pg_temp', true);\n\
     SET LOCAL check_function_bodies = off;\n";

/// Every function file, after the preamble: one batch, run inside a transaction.
fn function_files_sql() -> String {
    let mut sql = String::from(FUNCTION_FILES_PREAMBLE);
    for (_, text) in FUNCTION_FILES {
        sql.push_str(text);
        sql.push('\n');
    }
    sql
}

/// The hex sha256 of a function file, as `till_function_files` records it.
fn file_hash(text: &str) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) const REPAIR: &str = "run `tillctl migrate --repair-functions`, then `tillctl doctor`";
const RESTORE: &str = "restore it as the migrations in migrations/postgres define it (or restore a backup) \
     before Till runs; functions: `tillctl migrate --repair-functions`";

/// (kind, name) → definition.
pub type Definitions = BTreeMap<(String, String), String>;

/// Every definition in `$1` (a schema name) that Till's behaviour depends on, normalised so the
/// schema's name does not appear. Read with that schema first on the search_path, so types and
/// relations print unqualified.
const DEFINITIONS: &str = r"
SELECT 'column' AS kind, c.relname || '.' || a.attname AS name,
       format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
           || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS definition
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_sqlx_migrations'
UNION ALL
SELECT 'constraint', c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname <> '_sqlx_migrations'
UNION ALL
SELECT CASE WHEN x.indisunique THEN 'unique index' ELSE 'index' END, t.relname || '.' || i.relname,
       replace(pg_get_indexdef(i.oid), ' ON ' || quote_ident($1) || '.', ' ON ')
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = i.relnamespace
 WHERE n.nspname = $1 AND t.relname <> '_sqlx_migrations'
UNION ALL
SELECT 'trigger', c.relname || '.' || g.tgname,
       replace(pg_get_triggerdef(g.oid), ' ON ' || quote_ident($1) || '.', ' ON ')
  FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND NOT g.tgisinternal
UNION ALL
-- Row security and disabled triggers (DISABLE TRIGGER ALL also turns off foreign keys).
SELECT 'table', c.relname,
       'row security ' || c.relrowsecurity || ', forced ' || c.relforcerowsecurity || ', disabled triggers '
           || (SELECT count(*) FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgenabled = 'D')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'
UNION ALL
SELECT 'rule', r.tablename || '.' || r.rulename, r.definition FROM pg_rules r WHERE r.schemaname = $1
UNION ALL
SELECT 'policy', p.tablename || '.' || p.policyname, p.cmd || ' ' || coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '')
  FROM pg_policies p WHERE p.schemaname = $1
UNION ALL
-- Till's functions, and any function in Till's schema named like a built-in one: with an exact
-- argument match it would be called instead of the built-in from Till's functions.
SELECT 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       replace(replace(pg_get_functiondef(p.oid), 'FUNCTION ' || quote_ident($1) || '.', 'FUNCTION '),
               'SET search_path TO ' || quote_literal($1) || ', ', 'SET search_path TO <till schema>, ')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND (p.proname LIKE 'till\_%'
       OR EXISTS (SELECT 1 FROM pg_proc b WHERE b.pronamespace = 'pg_catalog'::regnamespace AND b.proname = p.proname))";

/// The definitions the embedded migrations create, per server version (formatting can differ
/// between versions), read from a scratch schema: computed once per process.
static REFERENCE: LazyLock<Mutex<HashMap<String, Arc<Definitions>>>> = LazyLock::new(Mutex::default);

/// What the expected definitions follow from: the definitions query, every versioned migration
/// (its version and sqlx's checksum of its SQL) and every function file. Kept definitions made
/// for another set are never used.
pub fn migration_set() -> String {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    hash.update(DEFINITIONS.as_bytes());
    for migration in MIGRATOR.iter() {
        hash.update(migration.version.to_le_bytes());
        hash.update(&migration.checksum);
    }
    hash.update(function_files_hash().as_bytes());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// This build's newest numbered migration: what orders two builds (an older `tillctl migrate`
/// refuses a database holding a newer one).
pub fn newest_migration() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The sha256 of what `apply_function_files` applies: the preamble and every function file
/// (name and text). Recorded against the newest migration in [`FUNCTION_GENERATIONS_PATH`], so
/// two builds with other function bodies never share a newest migration.
pub fn function_files_hash() -> String {
    use sha2::Digest as _;
    let mut hash = sha2::Sha256::new();
    hash.update(FUNCTION_FILES_PREAMBLE.as_bytes());
    for (name, text) in FUNCTION_FILES {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
        hash.update([0]);
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The append-only record of (newest numbered migration, [`function_files_hash`]) of every
/// build, relative to this crate; checked by a contract test (tests/contract/schema.rs).
pub const FUNCTION_GENERATIONS_PATH: &str = "definitions/function-generations.txt";

/// The file that keeps the definitions for a PostgreSQL major version, relative to this crate.
pub fn kept_definitions_path(major: u32) -> String {
    format!("definitions/pg{major}.json")
}

/// The text this build embeds for `major`, if any (whatever migration set it was made for).
pub fn kept_definitions_text(major: u32) -> Option<&'static str> {
    let name = kept_definitions_path(major);
    KEPT_DEFINITIONS.iter().find(|(file, _)| name.ends_with(file)).map(|(_, text)| *text)
}

/// The kept file's text for `definitions`: one definition a line, so a migration's effect on
/// them reads as a diff.
pub fn render_kept_definitions(major: u32, definitions: &Definitions) -> String {
    let mut text = format!("{{\"postgres\": {major}, \"migrations\": \"{}\", \"definitions\": [\n", migration_set());
    for (i, ((kind, name), definition)) in definitions.iter().enumerate() {
        let row = serde_json::json!([kind, name, definition]);
        text.push_str(if i == 0 { "" } else { ",\n" });
        text.push_str(&row.to_string());
    }
    text.push_str("\n]}\n");
    text
}

/// The kept definitions for `major`, when they were made for this build's migration set.
fn parse_kept(major: u32, text: &str) -> Option<Definitions> {
    let kept: serde_json::Value = serde_json::from_str(text).ok()?;
    if kept.get("postgres")?.as_u64()? != u64::from(major) || kept.get("migrations")?.as_str()? != migration_set() {
        return None;
    }
    kept.get("definitions")?
        .as_array()?
        .iter()
        .map(|row| match row.as_array()?.as_slice() {
            [kind, name, definition] => {
                Some(((kind.as_str()?.to_string(), name.as_str()?.to_string()), definition.as_str()?.to_string()))
            }
            _ => None,
        })
        .collect()
}

/// The kept definitions for a server's major version, parsed once per process.
pub fn kept_definitions(major: u32) -> Option<Arc<Definitions>> {
    static PARSED: LazyLock<Mutex<HashMap<u32, Option<Arc<Definitions>>>>> = LazyLock::new(Mutex::default);
    let mut parsed = PARSED.lock().unwrap_or_else(PoisonError::into_inner);
    parsed
        .entry(major)
        .or_insert_with(|| kept_definitions_text(major).and_then(|t| parse_kept(major, t)).map(Arc::new))
        .clone()
}

/// The definitions the embedded migrations create on the server `conn` is connected to, read
/// from a scratch schema (rolled back), and the server's major version: what the kept file for
/// that version must hold.
pub async fn scratch_definitions(conn: &mut sqlx::PgConnection) -> Result<(u32, Definitions), StoreError> {
    let version: String = sqlx::query_scalar("SELECT current_setting('server_version_num')")
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
    let major = major_version(&version)?;
    let scratch = format!("till_schema_probe_{}", uuid::Uuid::now_v7().simple());
    let rows = probe(conn, scratch_sql(&scratch), scratch).await.map_err(map_err)?;
    Ok((major, rows.into_iter().map(|(kind, name, definition)| ((kind, name), definition)).collect()))
}

/// Every embedded migration and function file, into the schema `scratch`.
fn scratch_sql(scratch: &str) -> String {
    let mut sql = format!("CREATE SCHEMA {scratch}; SET LOCAL search_path = {scratch};\n");
    for migration in MIGRATOR.iter() {
        sql.push_str(&migration.sql);
        sql.push('\n');
    }
    sql.push_str(&function_files_sql());
    sql
}

async fn read_definitions(conn: &mut Conn<'_>, schema: &str) -> Result<Definitions, StoreError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as(DEFINITIONS).bind(schema).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
    Ok(rows.into_iter().map(|(kind, name, definition)| ((kind, name), definition)).collect())
}

/// Runs every embedded migration into a scratch schema inside a transaction, reads what they
/// created, and rolls it all back.
async fn reference_definitions(conn: &mut Conn<'_>, server: &str) -> Result<Arc<Definitions>, StoreError> {
    if let Some(found) = REFERENCE.lock().unwrap_or_else(PoisonError::into_inner).get(server) {
        return Ok(found.clone());
    }
    let scratch = format!("till_schema_probe_{}", uuid::Uuid::now_v7().simple());
    let probed = probe(conn.db(), scratch_sql(&scratch), scratch).await;
    let rows = probed.map_err(|e| conn.fail(e))?;
    let definitions: Arc<Definitions> =
        Arc::new(rows.into_iter().map(|(kind, name, definition)| ((kind, name), definition)).collect());
    REFERENCE.lock().unwrap_or_else(PoisonError::into_inner).insert(server.to_string(), definitions.clone());
    Ok(definitions)
}

/// In one transaction that is rolled back: the migrations' SQL into the scratch schema, then
/// the definitions they created.
type Rows = Vec<(String, String, String)>;

async fn probe(conn: &mut sqlx::PgConnection, sql: String, scratch: String) -> Result<Rows, sqlx::Error> {
    // A query without arguments goes through the simple protocol: several statements at once.
    // (`sqlx::raw_sql` is not provably `Send` inside async_trait.)
    conn.execute("BEGIN").await?;
    let created = conn.execute(sql.as_str()).await;
    let rows = match created {
        Ok(_) => sqlx::query_as(DEFINITIONS).bind(scratch).fetch_all(&mut *conn).await,
        Err(e) => Err(e),
    };
    // Whatever happened, nothing of the probe stays.
    conn.execute("ROLLBACK").await?;
    rows
}

impl PostgresStore {
    /// A one-connection sqlx pool for the rare schema work (migrate, repair): sqlx's migrator
    /// wants a pool or a connection it can borrow across its own awaits.
    async fn admin_pool(&self) -> Result<sqlx::PgPool, StoreError> {
        sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(self.admin.clone()).await.map_err(map_err)
    }

    async fn applied_migrations(conn: &mut Conn<'_>) -> Result<Vec<AppliedMigration>, StoreError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        if !exists {
            return Ok(Vec::new());
        }
        let rows = sqlx::query("SELECT version, description, checksum, success FROM _sqlx_migrations ORDER BY version")
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        rows.iter().map(till_sqlx::applied_migration).collect()
    }

    /// The definitions check: one failing line per problem, or one passing line. Against the
    /// definitions kept in this build for the server's major version when there are some for
    /// this build's migrations; the database differing from them is confirmed against a scratch
    /// schema, whose verdict stands (a minor release may print a definition differently).
    async fn check_definitions(conn: &mut Conn<'_>) -> Result<Vec<SchemaCheck>, StoreError> {
        let (schema, server, version): (String, String, String) = sqlx::query_as(
            "SELECT current_schema(), current_setting('server_version'), current_setting('server_version_num')",
        )
        .fetch_one(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        let actual = read_definitions(conn, &schema).await?;
        let major = major_version(&version)?;
        if let Some(checks) = kept_definitions(major).map(|kept| compare(&kept, &actual)) {
            if checks.iter().all(|c| c.ok) {
                return Ok(with_source(checks, &format!("kept in this Till for PostgreSQL {major}")));
            }
        }
        let expected = reference_definitions(conn, &server).await?;
        Ok(with_source(compare(&expected, &actual), "read from a scratch schema of this Till's migrations"))
    }
}

/// The database's definitions against the expected ones: a failing line per difference that
/// matters, or one passing line.
fn compare(expected: &Definitions, actual: &Definitions) -> Vec<SchemaCheck> {
    till_sqlx::compare_definitions(expected, actual, |kind| !matches!(kind, "index" | "column" | "table"), RESTORE)
}

/// The major version in `server_version_num` (150014 → 15).
fn major_version(version_num: &str) -> Result<u32, StoreError> {
    version_num
        .parse::<u32>()
        .map(|n| n / 10_000)
        .map_err(|e| StoreFailure::Internal(format!("server_version_num {version_num}: {e}")).into())
}

/// What the kept definitions alone say of the database `conn` is connected to (its current
/// schema): None when this build keeps none for the server's major version and migrations.
pub async fn kept_definitions_check(conn: &mut sqlx::PgConnection) -> Result<Option<Vec<SchemaCheck>>, StoreError> {
    let (schema, version): (String, String) =
        sqlx::query_as("SELECT current_schema(), current_setting('server_version_num')")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
    let Some(kept) = kept_definitions(major_version(&version)?) else {
        return Ok(None);
    };
    let rows: Rows = sqlx::query_as(DEFINITIONS).bind(schema).fetch_all(&mut *conn).await.map_err(map_err)?;
    let actual: Definitions = rows.into_iter().map(|(kind, name, definition)| ((kind, name), definition)).collect();
    Ok(Some(compare(&kept, &actual)))
}

/// Says, on the passing line, where the expected definitions came from.
fn with_source(mut checks: Vec<SchemaCheck>, source: &str) -> Vec<SchemaCheck> {
    for check in checks.iter_mut().filter(|c| c.ok && c.name == "definitions") {
        check.detail = format!("{} (expected definitions {source})", check.detail);
    }
    checks
}

/// Whether this role owns Till's tables (or is a superuser), the tables it may write or hang a
/// trigger on (directly or column by column), and whether it may create objects in Till's
/// schema: each of those lets a role that is not the owner change what Till stores.
const ROLE_PRIVILEGES: &str = r"
SELECT current_user::text,
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
           OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = current_schema()::regnamespace
                         AND c.relkind = 'r' AND pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')),
       coalesce((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_catalog.pg_class c
                  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                    AND (pg_catalog.has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                         OR pg_catalog.has_any_column_privilege(c.oid, 'INSERT, UPDATE, REFERENCES'))), '{}'),
       pg_catalog.has_schema_privilege(current_schema(), 'CREATE')";

/// The roles other than the owner of Till's tables that may create objects in Till's schema
/// (`PUBLIC` included): a function or operator one of them creates there could be picked up by
/// code that runs with the owner's rights.
const SCHEMA_CREATORS: &str = r"
SELECT coalesce(array_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee)::text END
                          ORDER BY 1), '{}')
  FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
 WHERE n.oid = current_schema()::regnamespace AND a.privilege_type = 'CREATE' AND a.grantee <> n.nspowner
   AND a.grantee NOT IN (SELECT c.relowner FROM pg_catalog.pg_class c
                          WHERE c.relnamespace = n.oid AND c.relname = 'sessions')";

/// The functions in Till's schema that the role `$1` may execute (granted to it, to a role it
/// belongs to, or to PUBLIC), by signature, each with whether it is SECURITY DEFINER and whether
/// it pins the search_path the function files pin (Till's schema, then pg_temp). A terminal's
/// role may execute exactly what till_grant_terminal grants, each SECURITY DEFINER and pinned
/// (tests/contract/terminal_role.rs). A SECURITY DEFINER function that does not pin its
/// search_path would run with the owner's rights under a search_path the caller chose; any other
/// function runs with the caller's own rights, so a grant of one exposes nothing. Functions of
/// an extension the owner of Till's tables installed in the schema are the extension's, and are
/// not listed; an extension someone else installed there is.
pub const EXECUTABLE_FUNCTIONS: &str = r"
SELECT p.oid::pg_catalog.regprocedure::text,
       p.prosecdef,
       coalesce(p.proconfig, '{}')
           @> ARRAY['search_path=' || pg_catalog.quote_ident(pg_catalog.current_schema()) || ', pg_temp']
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = pg_catalog.current_schema()::regnamespace
   AND pg_catalog.has_function_privilege($1::name, p.oid, 'EXECUTE')
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                    WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                      AND d.refclassid = 'pg_catalog.pg_extension'::regclass
                      AND e.extowner = (SELECT c.relowner FROM pg_catalog.pg_class c
                                         WHERE c.relnamespace = p.pronamespace AND c.relname = 'sessions'))
 ORDER BY 1";

/// Whether a function file recorded in a database is one this build has: one it lacks comes
/// from a newer Till (one this build removed is dropped, with its record, by its migrations).
fn is_this_builds_function_file(name: &str) -> bool {
    FUNCTION_FILES.iter().any(|(known, _)| *known == name)
}

/// The refusal of a `tillctl migrate` (or `--repair-functions`) older than the database: it
/// writes nothing, where applying its function files would put back its older bodies over the
/// newer Till's (and the upgraded PCs would then refuse to open until IT migrated again).
fn too_old_to_write(newer: &str) -> StoreError {
    StoreFailure::AppTooOld(format!(
        "this tillctl is older than the database ({newer}), so it wrote nothing: use the newer tillctl, \
         the Till version that migrated it (update Till on this PC, then run its `tillctl migrate`)"
    ))
    .into()
}

impl PostgresStore {
    /// What says a newer Till migrated this database, when it is up to date with this build (no
    /// migration of this build pending): migrations newer than this build's, or function files
    /// this build does not have (a newer Till added them; one this build removed is dropped by
    /// one of its migrations, so it is never recorded once those are applied). None: this
    /// build's function files may be applied.
    ///
    /// A newer Till that only edited function files (same names, other bodies) is seen too: every
    /// change to the function files comes with a new numbered migration (an expand, a comment
    /// is enough), which the contract test on [`FUNCTION_GENERATIONS_PATH`] enforces, so the
    /// newest migration orders any two builds whose function files differ.
    async fn newer_than_this_build(
        conn: &mut Conn<'_>,
        applied: &[AppliedMigration],
    ) -> Result<Option<String>, StoreError> {
        let newest_known = newest_migration();
        let mut newer: Vec<String> = applied
            .iter()
            .filter(|a| a.version > newest_known)
            .map(|a| format!("migration {} ({})", a.version, a.description))
            .collect();
        let unknown = Self::unknown_function_files(conn).await?;
        if !unknown.is_empty() {
            newer.push(format!("function files unknown to this build: {}", unknown.join(", ")));
        }
        Ok((!newer.is_empty()).then(|| newer.join("; ")))
    }

    /// [`Self::newer_than_this_build`] on a connection of its own: None also when this build's
    /// migrations are pending (the database is older, or `migrate` refuses the gap).
    pub(crate) async fn newer_database(&self) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn().await?;
        let applied = Self::applied_migrations(&mut conn).await?;
        if MIGRATOR.iter().any(|m| !applied.iter().any(|a| a.version == m.version)) {
            return Ok(None);
        }
        Self::newer_than_this_build(&mut conn, &applied).await
    }

    /// The function files recorded in the database that this build does not have. Called with
    /// every migration of this build applied, so the record (migration 0013) exists.
    async fn unknown_function_files(conn: &mut Conn<'_>) -> Result<Vec<String>, StoreError> {
        let recorded: Vec<String> = sqlx::query_scalar("SELECT name FROM till_function_files ORDER BY name")
            .fetch_all(conn.db())
            .await
            .map_err(|e| conn.fail(e))?;
        Ok(recorded.into_iter().filter(|name| !is_this_builds_function_file(name)).collect())
    }

    /// Applies every function file and records its hash, in one transaction, then grants each
    /// recorded terminal role what the functions now need. `till_function_files` keeps exactly
    /// this build's files (a file removed from Till is removed from the record; its function is
    /// dropped by the versioned migration that removed it).
    async fn apply_function_files(&self) -> Result<(), StoreError> {
        let mut sql = String::from("BEGIN;\n");
        sql.push_str(&function_files_sql());
        sql.push_str("DELETE FROM till_function_files;\n");
        for (name, text) in FUNCTION_FILES {
            sql.push_str(&format!(
                "INSERT INTO till_function_files (name, sha256) VALUES ('{}', '{}');\n",
                name.replace('\'', "''"),
                file_hash(text)
            ));
        }
        sql.push_str(
            "SELECT till_grant_terminal(t.role_name) FROM terminal_roles t \
             JOIN pg_catalog.pg_roles r ON r.rolname = t.role_name;\nCOMMIT;\n",
        );
        let admin = self.admin_pool().await?;
        let applied = sqlx::raw_sql(&sql).execute(&admin).await;
        admin.close().await;
        applied.map(drop).map_err(map_err)
    }

    /// Whether the recorded function files are this build's: any role may read the record, so a
    /// terminal (which cannot compare definitions) still notices functions from another Till.
    async fn check_function_files(conn: &mut Conn<'_>) -> Result<Vec<SchemaCheck>, StoreError> {
        const NAME: &str = "function files";
        let recorded: Vec<(String, String)> =
            sqlx::query_as("SELECT name, sha256 FROM till_function_files ORDER BY name")
                .fetch_all(conn.db())
                .await
                .map_err(|e| conn.fail(e))?;
        let recorded: BTreeMap<String, String> = recorded.into_iter().collect();
        let mut differ: Vec<&str> = Vec::new();
        for (name, text) in FUNCTION_FILES {
            if recorded.get(*name) != Some(&file_hash(text)) {
                differ.push(name);
            }
        }
        let unknown: Vec<&String> = recorded.keys().filter(|name| !is_this_builds_function_file(name)).collect();
        if differ.is_empty() && unknown.is_empty() {
            return Ok(vec![SchemaCheck::pass(
                NAME,
                format!("{} applied, as this Till has them", FUNCTION_FILES.len()),
            )]);
        }
        let mut detail = String::new();
        if !differ.is_empty() {
            detail.push_str(&format!("not as this Till has them: {}", differ.join(", ")));
        }
        if !unknown.is_empty() {
            let names: Vec<&str> = unknown.iter().map(|n| n.as_str()).collect();
            detail.push_str(&format!(
                "{}unknown to this Till: {}",
                if detail.is_empty() { "" } else { "; " },
                names.join(", ")
            ));
        }
        let check = SchemaCheck::fail(
            NAME,
            detail,
            "IT runs `tillctl migrate` (or `tillctl migrate --repair-functions`) with this Till's version and the \
             owner's role; or update Till on this PC to the version that applied them",
        );
        // Files this build does not have come from a newer Till (one this build removed is
        // dropped, with its record, by a migration this build knows).
        Ok(vec![if unknown.is_empty() { check } else { check.refused_with(ErrorCode::AppTooOld) }])
    }

    /// Whether this role may create the scratch schema of the definitions check, which is
    /// also what migrating needs: the owner's role, never a terminal's.
    pub(crate) async fn may_create_schemas(conn: &mut Conn<'_>) -> Result<bool, StoreError> {
        sqlx::query_scalar("SELECT has_database_privilege(current_database(), 'CREATE')")
            .fetch_one(conn.db())
            .await
            .map_err(|e| conn.fail(e))
    }

    /// The doctor's lines on the connecting role: the owner's (IT) may write; any other role
    /// must not write, hang a trigger on, or create anything next to a single table, so that
    /// every write a terminal makes is a Till function. And nobody but the owner may create
    /// objects in Till's schema.
    async fn check_role(conn: &mut Conn<'_>) -> Result<Vec<SchemaCheck>, StoreError> {
        const NAME: &str = "database role";
        let (role, owner, writable, creates): (String, bool, Vec<String>, bool) =
            sqlx::query_as(ROLE_PRIVILEGES).fetch_one(conn.db()).await.map_err(|e| conn.fail(e))?;
        let role_check = if owner {
            SchemaCheck::pass(
                NAME,
                format!(
                    "{role} owns Till's tables (IT's role: migrate, doctor, set-up); store terminals connect \
                     with a role from `tillctl db create-terminal-role`"
                ),
            )
        } else if writable.is_empty() && !creates {
            SchemaCheck::pass(
                NAME,
                format!("{role} writes no table directly: every write goes through Till's functions"),
            )
        } else {
            let mut what = writable.join(", ");
            if creates {
                what.push_str(if what.is_empty() { "the schema (CREATE)" } else { ", and the schema (CREATE)" });
            }
            SchemaCheck::fail(
                NAME,
                format!("{role} is not the owner but can change {what} directly"),
                format!(
                    "REVOKE ALL ON ALL TABLES IN SCHEMA <schema> FROM {role}; REVOKE CREATE ON SCHEMA <schema> FROM {role}; \
                     GRANT the terminal's reads again with `tillctl db create-terminal-role {role}`"
                ),
            )
        };
        let creators: Vec<String> =
            sqlx::query_scalar(SCHEMA_CREATORS).fetch_one(conn.db()).await.map_err(|e| conn.fail(e))?;
        let creators_check = if creators.is_empty() {
            SchemaCheck::pass("schema privileges", "only the owner may create objects in Till's schema")
        } else {
            SchemaCheck::fail(
                "schema privileges",
                format!("{} may create objects in Till's schema", creators.join(", ")),
                format!(
                    "REVOKE CREATE ON SCHEMA <schema> FROM {} (a function created there could run with the owner's rights)",
                    creators.join(", ")
                ),
            )
        };
        let mut checks = vec![role_check, creators_check];
        if owner {
            checks.push(Self::check_create_role(conn).await?);
        } else {
            checks.push(Self::check_binding(conn, &role).await?);
            checks.push(Self::check_executable(conn, &role).await?);
        }
        Ok(checks)
    }

    /// A role other than the owner may execute no SECURITY DEFINER function that leaves its
    /// search_path to the caller ([`EXECUTABLE_FUNCTIONS`]): that would run with the owner's
    /// rights under a search_path the terminal chose. Refused. A grant of a function that runs
    /// with the caller's own rights (an owner-only helper, granted by hand or by a `GRANT ... ON
    /// ALL FUNCTIONS`) exposes nothing, so it is a warning, not a reason for every till to stop.
    async fn check_executable(conn: &mut Conn<'_>, role: &str) -> Result<SchemaCheck, StoreError> {
        const NAME: &str = "executable functions";
        let functions: Vec<(String, bool, bool)> =
            sqlx::query_as(EXECUTABLE_FUNCTIONS).bind(role).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))?;
        let listed = |keep: fn(bool, bool) -> bool| -> Vec<&str> {
            functions
                .iter()
                .filter(|(_, definer, pinned)| keep(*definer, *pinned))
                .map(|(f, _, _)| f.as_str())
                .collect()
        };
        let unpinned = listed(|definer, pinned| definer && !pinned);
        let own_rights = listed(|definer, _| !definer);
        let revoke = |these: &[&str]| {
            format!(
                "as the owner of Till's tables: REVOKE EXECUTE ON FUNCTION {} FROM {role}, PUBLIC",
                these.join(", ")
            )
        };
        Ok(if !unpinned.is_empty() {
            SchemaCheck::fail(
                NAME,
                format!(
                    "{role} may execute {}, which run with the owner's rights under a search_path {role} chooses",
                    unpinned.join(", ")
                ),
                revoke(&unpinned),
            )
            .refused_with(ErrorCode::DatabaseMisconfigured)
        } else if !own_rights.is_empty() {
            SchemaCheck::warn(
                NAME,
                format!(
                    "{role} may also execute {}, which Till grants no terminal (they run with {role}'s own rights, so nothing is exposed)",
                    own_rights.join(", ")
                ),
                revoke(&own_rights),
            )
        } else {
            SchemaCheck::pass(
                NAME,
                format!("{role} may execute {} of Till's functions, each pinning its search_path", functions.len()),
            )
        })
    }

    /// The owner's role makes the terminals' roles (`tillctl db create-terminal-role`, which
    /// runs `CREATE ROLE`): without CREATEROLE (a superuser has it implicitly) that command
    /// fails on the day a PC is added, so doctor says it now. A warning, not a failure: the
    /// store works without it, and terminal roles made before keep working.
    async fn check_create_role(conn: &mut Conn<'_>) -> Result<SchemaCheck, StoreError> {
        const NAME: &str = "terminal role creation";
        let (role, may): (String, bool) = sqlx::query_as(
            "SELECT pg_catalog.quote_ident(current_user), rolsuper OR rolcreaterole
               FROM pg_catalog.pg_roles WHERE rolname = current_user",
        )
        .fetch_one(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        Ok(if may {
            SchemaCheck::pass(NAME, format!("{role} may create terminal roles (CREATEROLE)"))
        } else {
            SchemaCheck::warn(
                NAME,
                format!("{role} lacks CREATEROLE, so `tillctl db create-terminal-role` will fail"),
                format!("as a PostgreSQL superuser, run: ALTER ROLE {role} CREATEROLE;"),
            )
        })
    }

    /// A terminal's role acts only on the registers IT bound it to (migration 0014): one bound
    /// to nothing (made before bindings) is refused at start with the command that binds it.
    async fn check_binding(conn: &mut Conn<'_>, role: &str) -> Result<SchemaCheck, StoreError> {
        const NAME: &str = "register binding";
        let readable: Option<Vec<uuid::Uuid>> = sqlx::query_scalar(
            "SELECT CASE WHEN has_function_privilege('till_readable_locations()', 'EXECUTE')
                         THEN till_readable_locations() END",
        )
        .fetch_one(conn.db())
        .await
        .map_err(|e| conn.fail(e))?;
        Ok(match readable {
            None => SchemaCheck::pass(NAME, format!("{role} is not a terminal role: not bound to registers")),
            Some(locations) if locations.is_empty() => SchemaCheck::fail(
                NAME,
                format!("the terminal role {role} is bound to no register, so it may act on none"),
                format!("IT binds it: tillctl db create-terminal-role {role} --register LOCATION/REGISTER (or --location LOCATION)"),
            )
            .refused_with(ErrorCode::DatabaseMisconfigured),
            Some(locations) => SchemaCheck::pass(
                NAME,
                format!("{role} acts on the registers IT bound it to, at {} location(s)", locations.len()),
            ),
        })
    }
}

impl PostgresStore {
    /// Every check, or the database error that stopped them: opening and migrating refuse a
    /// broken schema with `schema_not_ready`, but a lost connection stays `database_unavailable`
    /// (retry), never a schema verdict.
    pub(crate) async fn schema_checks(&self) -> Result<Vec<SchemaCheck>, StoreError> {
        let mut conn = self.conn().await?;
        let server: String =
            sqlx::query_scalar("SELECT current_database() || ' on PostgreSQL ' || current_setting('server_version')")
                .fetch_one(conn.db())
                .await
                .map_err(|e| conn.fail(e))?;
        let mut checks = vec![SchemaCheck::pass("connection", server)];
        // The bounds Till asks for in its startup options. A pooler that drops those options
        // (PgBouncer with ignore_startup_parameters) silently brings back unbounded waits.
        let (lock, statement): (String, String) =
            sqlx::query_as("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
                .fetch_one(conn.db())
                .await
                .map_err(|e| conn.fail(e))?;
        checks.push(if lock != "0" && statement != "0" {
            SchemaCheck::pass("bounded waits", format!("lock_timeout {lock}, statement_timeout {statement}"))
        } else {
            SchemaCheck::fail(
                "bounded waits",
                format!(
                    "lock_timeout {lock}, statement_timeout {statement}: the connection's startup options were dropped"
                ),
                "connect Till directly to PostgreSQL, or make the pooler pass the `options` startup parameter",
            )
        });
        let applied = Self::applied_migrations(&mut conn).await?;
        let known = till_sqlx::known_migrations(&MIGRATOR);
        let migrations = check_migrations(&known, &applied);
        let migrated = migrations.iter().all(|c| c.ok);
        checks.extend(migrations);
        checks.extend(Self::check_role(&mut conn).await?);
        if migrated && !has_newer_migrations(&known, &applied) {
            checks.extend(Self::check_function_files(&mut conn).await?);
        }
        // A database that is behind differs from the reference by design: say "migrate" once
        // instead of listing every object a pending migration would create. One a newer Till
        // expanded differs too (that is what an expand is). And the scratch schema the
        // comparison needs can only be made by a role allowed to create schemas: the owner's,
        // which IT's `tillctl doctor` uses; a terminal's role trusts the migrations record.
        if migrated && has_newer_migrations(&known, &applied) {
            checks.push(SchemaCheck::pass(NEWER_DEFINITIONS.0, NEWER_DEFINITIONS.1));
        } else if migrated && Self::may_create_schemas(&mut conn).await? {
            checks.extend(Self::check_definitions(&mut conn).await?);
        } else if migrated {
            checks.push(SchemaCheck::pass(
                "definitions",
                "not compared from this role (it may not create the scratch schema the comparison needs); \
                 IT's `tillctl doctor` with the owner role compares them",
            ));
        }
        Ok(checks)
    }
}

#[async_trait]
impl SchemaStore for PostgresStore {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgres
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    async fn migrate(&self) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn().await?;
        let applied = Self::applied_migrations(&mut conn).await?;
        // Refuse unknown or edited migrations before touching anything.
        refuse_foreign_migrations(&till_sqlx::known_migrations(&MIGRATOR), &applied)?;
        let before: Vec<i64> = applied.iter().map(|m| m.version).collect();
        let pending = MIGRATOR.iter().any(|m| !before.contains(&m.version));
        if pending {
            refuse_gap(&till_sqlx::known_migrations(&MIGRATOR), &applied)?;
            // A terminal's role cannot migrate (and must not try: IT upgrades the schema
            // first, with the owner's role, then the PCs one at a time).
            if !Self::may_create_schemas(&mut conn).await? {
                return Err(StoreFailure::SchemaBehind(format!(
                    "migrations are pending and this database role may not apply them; {RUN_MIGRATE}"
                ))
                .into());
            }
        }
        if !pending {
            if let Some(newer) = Self::newer_than_this_build(&mut conn, &applied).await? {
                return Err(too_old_to_write(&newer));
            }
        }
        drop(conn);
        if pending {
            // sqlx takes an advisory lock, so several terminals starting at once migrate once.
            let admin = self.admin_pool().await?;
            let migrated = MIGRATOR.run(&admin).await;
            admin.close().await;
            migrated.map_err(|e| till_sqlx::migrate_error(e, map_err))?;
        }
        // After the versioned migrations, whenever the record differs from this build's files.
        let mut conn = self.conn().await?;
        let current = Self::check_function_files(&mut conn).await?.iter().all(|c| c.ok);
        drop(conn);
        if pending || !current {
            self.apply_function_files().await?;
        }
        require_schema(&self.schema_checks().await?)?;
        Ok(MIGRATOR.iter().map(|m| m.version).filter(|v| !before.contains(v)).collect())
    }

    async fn repair_functions(&self) -> Result<(), StoreError> {
        // The function files hold every function's current text: re-applying them restores any
        // function dropped or edited by hand (the versioned migrations stay as they shipped).
        // Never over a newer Till's: that would put back this build's older bodies.
        if let Some(newer) = self.newer_database().await? {
            return Err(too_old_to_write(&newer));
        }
        self.apply_function_files().await
    }

    async fn create_terminal_role(&self, role: &DbRoleName, password: Option<&str>) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        sqlx::query("SELECT till_create_terminal_role($1, $2)")
            .bind(role.as_str())
            .bind(password)
            .execute(conn.db())
            .await
            .map(drop)
            .map_err(|e| conn.fail(e))
    }

    async fn bind_terminal_role(&self, role: &DbRoleName, binding: &TerminalBinding) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        sqlx::query("SELECT till_bind_terminal($1, $2, $3)")
            .bind(role.as_str())
            .bind(binding.registers.iter().map(|r| r.0).collect::<Vec<_>>())
            .bind(binding.locations.iter().map(|l| l.0).collect::<Vec<_>>())
            .execute(conn.db())
            .await
            .map(drop)
            .map_err(|e| conn.fail(e))
    }

    /// What `tillctl doctor` shows: the schema's checks, then the backups line. The backups line
    /// is the doctor's only (not the open's): an informational view a server may not offer or a
    /// role may not read must never stop a till from opening.
    async fn check_schema(&self) -> Vec<SchemaCheck> {
        let mut checks = self.schema_checks().await.unwrap_or_else(|e| {
            vec![SchemaCheck::fail(
                "connection",
                e.to_string(),
                "check --database-url / TILL_DATABASE_URL, that the server runs, and the password",
            )]
        });
        if checks.iter().any(|c| c.name == "connection" && c.ok) {
            checks.push(crate::backups::Archiver::check_on(self).await);
        }
        checks
    }

    async fn check_invariants(&self) -> Result<InvariantReport, StoreError> {
        use till_sqlx::invariants as sql;
        let mut conn = self.conn().await?;
        let (sessions, open_sessions): (i64, i64) =
            sqlx::query_as(sql::COUNTS).fetch_one(conn.db()).await.map_err(|e| conn.fail(e))?;
        let mut strings = async |query: &'static str| {
            sqlx::query_scalar::<_, String>(query).fetch_all(conn.db()).await.map_err(|e| conn.fail(e))
        };
        Ok(InvariantReport {
            sessions,
            open_sessions,
            registers_with_several_open: strings(sql::SEVERAL_OPEN).await?,
            numbering_problems: strings(sql::NUMBERING).await?,
            duplicate_numbers: strings(sql::DUPLICATE_NUMBERS).await?,
            bad_closures: strings(sql::BAD_CLOSURES).await?,
        })
    }

    /// Three samples of `clock_timestamp()`, keeping the one with the shortest round trip (the
    /// first also pays for preparing the statement): its midpoint is the closest estimate.
    async fn clock_offset(&self) -> Result<Option<ClockOffset>, StoreError> {
        let mut conn = self.conn().await?;
        let mut best: Option<ClockOffset> = None;
        for _ in 0..3 {
            let sent = till_core::clock::system_now();
            let server: chrono::DateTime<chrono::Utc> =
                sqlx::query_scalar("SELECT clock_timestamp()").fetch_one(conn.db()).await.map_err(|e| conn.fail(e))?;
            let sample = ClockOffset::measure(sent, server, till_core::clock::system_now());
            if best.is_none_or(|b| sample.round_trip_ms < b.round_trip_ms) {
                best = Some(sample);
            }
        }
        Ok(best)
    }
}
