//! A migrated PostgreSQL template database, made once per server and migration set, that tests
//! of a migrated store copy (`CREATE DATABASE ... TEMPLATE`) instead of migrating an empty
//! database each. A copy costs what creating an empty database costs (both copy a template's
//! files); the migration it saves was 0.4 to 0.9 s of the server's CPU on a loaded 2-core machine.
//!
//! The template is named by this build's migration set (`till_postgres::migration_set`: every
//! versioned migration and function file of migrations/postgres, and the definitions query), so
//! a build with other migrations never copies another's. Several test processes (the contract
//! tests, tillctl's, the crates' own) share a server: one builds the template under an advisory
//! lock, under a temporary name, and publishes it by renaming it, so a template that exists is
//! complete. Nobody may connect to it (ALLOW_CONNECTIONS false): CREATE DATABASE ... TEMPLATE
//! refuses while anyone is connected to the template.
//!
//! Templates are never dropped: a throwaway server takes them with it, but on a long-lived
//! server (an IT-provided TILL_TEST_PG_URL) one template of each migration set that ever ran stays
//! behind (a few MB each; `DROP DATABASE till_template_...` removes one no build still uses). They
//! are not removed here, because another checkout's tests may be copying theirs at that moment.
//!
//! The migrations create no role and grant nothing outside the database (terminal roles are made
//! later, by `tillctl db create-terminal-role`), and the copy keeps every object's owner and
//! privileges: the tests' own user made the template and makes the copies. What a copy must not
//! share with the template is the database's identity (migration 0015): [`FRESH_IDENTITY`] gives
//! each copy its own. tests/contract/schema.rs proves a copy passes the store's full check and
//! equals a database migrated from nothing.

// `Executor::execute` on a query without arguments (the simple protocol, several statements at
// once) rather than `sqlx::raw_sql`, whose future is not provably `Send` where a caller spawns it.
use sqlx::{Connection as _, Executor as _, PgConnection};
use till_core::StoreOptions;

/// The template for this build's migrations on the server `admin` names (made if missing).
pub(crate) async fn template(admin: &str) -> String {
    static MADE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    MADE.get_or_init(|| make(admin.to_string())).await.clone()
}

fn template_name() -> String {
    format!("till_template_{}", &till_postgres::migration_set()[..24])
}

async fn exists(conn: &mut PgConnection, name: &str) -> bool {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(name)
        .fetch_one(conn)
        .await
        .expect("look for the template database")
}

async fn make(admin: String) -> String {
    let name = template_name();
    let mut conn = admin_connection(&admin).await;
    if exists(&mut conn, &name).await {
        return name;
    }
    // A session lock: released when this connection ends, even if this process dies building.
    sqlx::query("SELECT pg_advisory_lock(hashtextextended($1, 0))")
        .bind(&name)
        .execute(&mut conn)
        .await
        .expect("lock the template's making");
    if !exists(&mut conn, &name).await {
        let partial = format!("{name}_partial");
        // What a process killed while building left behind.
        run(&mut conn, format!("DROP DATABASE IF EXISTS {partial} WITH (FORCE)")).await;
        run(&mut conn, format!("CREATE DATABASE {partial}")).await;
        let store = till_backend::open(&crate::with_database(&admin, &partial), &StoreOptions::default())
            .await
            .unwrap_or_else(|e| panic!("migrate the template database {partial}: {e}"));
        drop(store);
        run(&mut conn, format!("ALTER DATABASE {partial} WITH ALLOW_CONNECTIONS false")).await;
        // The store's connections end as they are dropped; the rename waits for the last.
        let mut tries = 0;
        loop {
            run(
                &mut conn,
                format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{partial}'"),
            )
            .await;
            let renamed = conn.execute(format!("ALTER DATABASE {partial} RENAME TO {name}").as_str()).await;
            match renamed {
                Ok(_) => break,
                // 55006: someone is still connected.
                Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55006") && tries < 500 => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                Err(e) => panic!("publish the template database {name}: {e}"),
            }
        }
    }
    let _ = conn.close().await;
    name
}

async fn run(conn: &mut PgConnection, sql: String) {
    conn.execute(sql.as_str()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A connection to the test server's admin database (TILL_TEST_PG_URL).
async fn admin_connection(admin: &str) -> PgConnection {
    PgConnection::connect(admin).await.unwrap_or_else(|e| panic!("cannot reach TILL_TEST_PG_URL: {e}"))
}

/// Creates the test database `name`: empty, or (`migrated`) a copy of the template with an
/// identity of its own. The one place the tests create PostgreSQL databases.
pub(crate) async fn create(admin: &str, name: &str, migrated: bool) {
    let template = if migrated { Some(template(admin).await) } else { None };
    let mut conn = admin_connection(admin).await;
    match &template {
        Some(template) => run(&mut conn, format!("CREATE DATABASE {name} TEMPLATE {template}")).await,
        None => run(&mut conn, format!("CREATE DATABASE {name}")).await,
    }
    let _ = conn.close().await;
    if template.is_some() {
        let mut copy = PgConnection::connect(&crate::with_database(admin, name))
            .await
            .unwrap_or_else(|e| panic!("connect to the copy {name}: {e}"));
        copy.execute(FRESH_IDENTITY).await.unwrap_or_else(|e| panic!("give {name} its identity: {e}"));
        let _ = copy.close().await;
    }
}

/// What makes a copy the database a migration from nothing would have made now: migration 0015
/// gave the template a random identity, journaled as the first entry of the staff chain (the only
/// entry: the template has no users or locations). The copy gets its own, made and journaled by
/// the same statements as 0015's, and the times the template was migrated at (each migration's
/// `installed_on`, each function file's `applied_at`, the identity's `created_at`) move by the
/// time since, keeping their order (the journal expects entries for rows made after migration
/// 0011 was applied: a copy's rows are, as a fresh database's are).
const FRESH_IDENTITY: &str = r"
BEGIN;
DO $do$
DECLARE
    v_shift interval := clock_timestamp() - (SELECT max(installed_on) FROM _sqlx_migrations);
BEGIN
    IF (SELECT count(*) FROM journal) <> 1 OR (SELECT count(*) FROM journal WHERE event = 'database') <> 1 THEN
        RAISE EXCEPTION 'the template journal holds more than its identity: a copy cannot be given a fresh one';
    END IF;
    UPDATE _sqlx_migrations SET installed_on = installed_on + v_shift;
    UPDATE till_function_files SET applied_at = applied_at + v_shift;
    UPDATE database_identity SET created_at = created_at + v_shift, id = gen_random_uuid();
END;
$do$;
DELETE FROM journal;
DELETE FROM journal_heads;
SELECT till_journal_append('00000000-0000-0000-0000-000000000000', d.created_at, 'database', NULL, 'database', d.id,
    jsonb_build_object('id', d.id, 'created_at', d.created_at))
  FROM database_identity d;
COMMIT;
";
