//! A schema that is missing, behind, foreign, edited or damaged is refused loudly, with the fix.

use futures::StreamExt;
use till_core::service::{self, StartRequest};
use till_core::*;
use till_testkit::{both_backends, provision, Backend, TestDatabase};

both_backends!(a_fresh_database_migrates_and_passes_every_check, a_database_behind_is_refused_without_migrate);
both_backends!(a_migration_is_recorded_as_sqlx_reads_it_from_the_folder);
both_backends!(an_unknown_migration_is_refused, an_edited_migration_is_refused, a_dropped_index_is_refused);
both_backends!(
    users_from_before_the_staff_journal_get_their_first_entry_on_upgrade,
    each_database_has_its_own_journaled_identity
);
both_backends!(
    a_newer_expand_is_accepted,
    a_newer_contract_is_refused_as_app_too_old,
    a_foreign_older_migration_is_refused
);

fn no_migrate() -> StoreOptions {
    StoreOptions { migrate: false, ..StoreOptions::default() }
}

fn inspect_only() -> StoreOptions {
    StoreOptions { migrate: false, verify: false, ..StoreOptions::default() }
}

fn schema_error(result: Result<std::sync::Arc<dyn Store>, StoreError>) -> String {
    match result {
        Err(StoreError::Failed(StoreFailure::SchemaNotReady(text))) => text,
        other => panic!("expected schema_not_ready, got {other:?}"),
    }
}

async fn failed_checks(db: &TestDatabase) -> Vec<SchemaCheck> {
    // Doctor's comparison migrates a probe schema: with the whole contract suite running beside
    // it on a loaded 2-core machine, the product's 15 s statement timeout can cut it short.
    let patient = StoreOptions {
        statement_timeout: std::time::Duration::from_secs(120),
        busy_timeout: std::time::Duration::from_secs(60),
        ..inspect_only()
    };
    let store = db.open_with(&patient).await.unwrap();
    store.check_schema().await.into_iter().filter(|c| !c.ok).collect()
}

async fn a_fresh_database_migrates_and_passes_every_check(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = db.open_with(&inspect_only()).await.unwrap();
    let applied = store.migrate().await.unwrap();
    assert!(!applied.is_empty());
    assert!(store.migrate().await.unwrap().is_empty(), "a second migrate applies nothing");
    let checks = store.check_schema().await;
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    // Opening without migrating now succeeds.
    db.open_with(&no_migrate()).await.unwrap();
}

/// The stores embed their migrations with a build script, not sqlx's `migrate!`
/// (till_sqlx::embedded_migrator): what a migration records in `_sqlx_migrations` (version,
/// description, checksum) is what sqlx itself reads from the migrations folder, so a database
/// migrated by an older Till, which used `migrate!`, is the same to this one.
async fn a_migration_is_recorded_as_sqlx_reads_it_from_the_folder(backend: Backend) {
    let folder = match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    let from_folder =
        sqlx::migrate::Migrator::new(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(folder)).await.unwrap();
    let expected: Vec<(i64, String, Vec<u8>)> =
        from_folder.iter().map(|m| (m.version, m.description.to_string(), m.checksum.to_vec())).collect();
    assert!(expected.len() >= 20, "{folder} read as {} migrations", expected.len());

    let db = TestDatabase::new(backend).await;
    let store = db.open_with(&inspect_only()).await.unwrap();
    let applied = store.migrate().await.unwrap();
    assert_eq!(applied, expected.iter().map(|(version, ..)| *version).collect::<Vec<_>>());
    let ledger = "SELECT version, description, checksum FROM _sqlx_migrations ORDER BY version";
    let recorded: Vec<(i64, String, Vec<u8>)> = match backend {
        Backend::Sqlite => {
            let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
            sqlx::query_as(ledger).fetch_all(&mut conn).await.unwrap()
        }
        Backend::Postgres => {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
            sqlx::query_as(ledger).fetch_all(&mut conn).await.unwrap()
        }
    };
    assert_eq!(recorded, expected);
}

async fn a_database_behind_is_refused_without_migrate(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    match db.open_with(&no_migrate()).await {
        Err(e @ StoreError::Failed(StoreFailure::SchemaBehind(_))) => {
            assert!(e.to_string().contains("tillctl migrate"), "{e}");
            assert_eq!(e.code(), "schema_behind");
            assert_eq!(e.error_code().contract_code(), ErrorCode::SchemaNotReady);
        }
        other => panic!("expected schema_behind, got {other:?}"),
    }
    let failed = failed_checks(&db).await;
    assert!(failed.iter().any(|c| c.fix.as_deref() == Some(RUN_MIGRATE)), "{failed:?}");
    // Migrated but for its newest migration (as if this PC's Till were newer than the
    // database): the same refusal.
    db.open().await;
    db.execute("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)").await;
    assert!(matches!(db.open_with(&no_migrate()).await, Err(StoreError::Failed(StoreFailure::SchemaBehind(_)))));
}

/// A row in `_sqlx_migrations` as sqlx writes it, for a migration that exists only in a test.
fn ledger_row(backend: Backend, version: i64, description: &str) -> String {
    match backend {
        Backend::Sqlite => format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ({version}, '{description}', 1, x'00', 0)"
        ),
        Backend::Postgres => format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ({version}, '{description}', true, '\\x00', 0)"
        ),
    }
}

async fn an_unknown_migration_is_refused(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    db.open().await;
    // A newer migration that does not say it is an expand is taken as a contract.
    db.execute(&ledger_row(backend, 99990101000000, "from the future")).await;
    for options in [StoreOptions::default(), no_migrate()] {
        match db.open_with(&options).await {
            Err(StoreError::Failed(StoreFailure::AppTooOld(text))) => {
                assert!(text.contains("99990101000000") && text.contains("newer Till"), "{text}")
            }
            other => panic!("expected app_too_old, got {other:?}"),
        }
    }
    let failed = failed_checks(&db).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].refusal, Some(ErrorCode::AppTooOld));
}

/// A terminal keeps working while IT has migrated the shared database for a newer Till, as
/// long as the newer migrations only add. The migration exists only in this test.
async fn a_newer_expand_is_accepted(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let fixture = provision(store.as_ref(), 1).await;
    db.execute("ALTER TABLE sessions ADD COLUMN shift_note_from_a_newer_till text").await;
    db.execute("CREATE TABLE gift_cards_from_a_newer_till (id integer PRIMARY KEY)").await;
    db.execute(&ledger_row(backend, 99990101000000, "expand gift cards")).await;
    // As a terminal opens it (no migrating), and as tillctl does (migrate: nothing to apply).
    for options in [no_migrate(), StoreOptions::default()] {
        let store = db.open_with(&options).await.unwrap();
        let checks = store.check_schema().await;
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
        assert!(checks.iter().any(|c| c.detail.contains("expand gift cards")), "{checks:?}");
    }
    // And it works on it.
    let store = db.open_with(&no_migrate()).await.unwrap();
    let started =
        till_testkit::start(&fixture.cashier, fixture.registers[0].id, till_testkit::CASHIER_DEVICE, Some(100));
    store.start_shift(started).await.unwrap();
}

async fn a_newer_contract_is_refused_as_app_too_old(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    db.open().await;
    db.execute(&ledger_row(backend, 99990101000000, "expand gift cards")).await;
    db.execute(&ledger_row(backend, 99990102000000, "contract drop session notes")).await;
    match db.open_with(&no_migrate()).await {
        Err(e @ StoreError::Failed(StoreFailure::AppTooOld(_))) => {
            let text = e.to_string();
            assert!(text.contains("99990102000000") && text.contains("update Till on this PC"), "{text}");
            assert!(!text.contains("99990101000000"), "the expand is not the problem: {text}");
            assert_eq!(e.code(), "app_too_old");
        }
        other => panic!("expected app_too_old, got {other:?}"),
    }
}

/// An unknown migration numbered below this build's newest is not from Till's own line of
/// migrations, expand or not.
async fn a_foreign_older_migration_is_refused(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    db.open().await;
    db.execute(&ledger_row(backend, 0, "expand from a fork")).await;
    let text = schema_error(db.open_with(&no_migrate()).await);
    assert!(text.contains("does not know"), "{text}");
}

async fn an_edited_migration_is_refused(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    db.open().await;
    db.execute(
        "UPDATE _sqlx_migrations SET checksum = x'0102' WHERE version = 1"
            .replace(
                "x'0102'",
                match backend {
                    Backend::Sqlite => "x'0102'",
                    Backend::Postgres => "'\\x0102'",
                },
            )
            .as_str(),
    )
    .await;
    let text = schema_error(db.open_with(&StoreOptions::default()).await);
    assert!(text.contains("edited"), "{text}");
    assert!(failed_checks(&db).await.iter().any(|c| c.detail.contains("edited")));
}

async fn a_dropped_index_is_refused(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    provision(store.as_ref(), 1).await;
    db.execute("DROP INDEX sessions_one_open_per_register").await;
    let text = schema_error(db.open_with(&StoreOptions::default()).await);
    assert!(text.contains("sessions_one_open_per_register"), "{text}");
    let failed = failed_checks(&db).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].name.contains("sessions_one_open_per_register"));
}

/// PostgreSQL: a dropped function is never worked around. A store opened before the drop fails
/// with the fix named; a new store refuses to open; the repair brings it back.
/// Every function in Till's schema with its full definition, and the function-file record.
async fn postgres_functions_and_record(db: &TestDatabase) -> Vec<(String, String)> {
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query_as(
        "SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p
          WHERE p.pronamespace = current_schema()::regnamespace
         UNION ALL SELECT 'record ' || name, sha256 FROM till_function_files ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

/// An older `tillctl migrate` (or `--repair-functions`) on a database a newer Till migrated
/// used to re-apply its own, older function files: it is refused with `app_too_old` and writes
/// nothing. The newer Till is simulated as its migrate leaves the bookkeeping: its body of
/// till_money_max with that file's hash recorded, and either a function file this build does not
/// have, or a release that only edited function bodies: its marker migration (a newer expand,
/// which every function edit comes with: see the test on function-generations.txt below).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_older_migrate_never_puts_back_its_own_functions() {
    let newer_file = "INSERT INTO till_function_files (name, sha256) VALUES ('till_gift_cards.sql', repeat('0', 64))";
    let edit_only_marker = ledger_row(Backend::Postgres, 99990101000000, "expand function bodies");
    for (newer, opens) in [(newer_file, false), (edit_only_marker.as_str(), true)] {
        let db = TestDatabase::migrated(Backend::Postgres).await;
        let store = db.open().await;
        db.execute(
            "CREATE OR REPLACE FUNCTION till_money_max() RETURNS bigint LANGUAGE sql IMMUTABLE
                 AS $fn$ SELECT 1000000000000::bigint -- a newer Till's body
             $fn$;
             UPDATE till_function_files SET sha256 = repeat('f', 64) WHERE name = 'till_money_max.sql'",
        )
        .await;
        db.execute(newer).await;
        let before = postgres_functions_and_record(&db).await;
        for refused in [store.migrate().await.map(drop), store.repair_functions().await] {
            let err = refused.unwrap_err();
            let text = err.to_string();
            assert_eq!(err.code(), "app_too_old", "{newer}: {text}");
            assert!(text.contains("older than the database") && text.contains("use the newer tillctl"), "{text}");
        }
        assert_eq!(postgres_functions_and_record(&db).await, before, "{newer}: nothing was written");
        // A terminal still on this build (no migrating) and tillctl's other commands (which
        // migrate as they open) verify it instead: the edit-only release's marker is a newer
        // expand, so they keep working; a function file this build lacks is a newer Till's.
        for options in [no_migrate(), StoreOptions::default()] {
            match db.open_with(&options).await {
                Ok(_) => assert!(opens, "{newer}"),
                Err(e) => assert_eq!((opens, e.code()), (false, "app_too_old"), "{newer}: {e}"),
            }
        }
        assert_eq!(postgres_functions_and_record(&db).await, before, "{newer}: opening wrote nothing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dropped_or_edited_function_is_refused_and_repairable() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    let register = RegisterRef::parse("DT/R1").unwrap();
    let pc = DeviceName::parse("pc1").unwrap();

    db.execute("DROP FUNCTION till_start_shift").await;
    let request =
        || StartRequest { request_id: RequestId::new(), opening_cash: Some(CashAmount::Typed("10")), notes: None };
    let err = service::start_shift(store.as_ref(), &fx.cashier, &register, &pc, request()).await.unwrap_err();
    assert_eq!(err.code(), "schema_not_ready");
    assert!(err.to_string().contains("--repair-functions"), "{err}");
    assert_eq!(store.check_invariants().await.unwrap().sessions, 0, "no fallback path created a session");

    let text = schema_error(db.open_with(&StoreOptions::default()).await);
    assert!(text.contains("till_start_shift") && text.contains("--repair-functions"), "{text}");
    let failed = failed_checks(&db).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].detail.contains("missing"));

    store.repair_functions().await.unwrap();
    let repaired = db.open().await;
    let started = service::start_shift(repaired.as_ref(), &fx.cashier, &register, &pc, request()).await.unwrap();
    assert!(!started.joined);

    // A function replaced by hand with another body is refused too.
    db.execute(
        "DROP FUNCTION till_close_session;
         CREATE FUNCTION till_close_session(p jsonb) RETURNS TABLE (id uuid) LANGUAGE sql AS $$ SELECT gen_random_uuid() $$",
    )
    .await;
    let failed = failed_checks(&db).await;
    assert!(failed.iter().any(|c| c.name.contains("till_close_session")), "{failed:?}");
}

/// Each hand edit, applied to a fresh migrated database, must make `open` refuse with
/// `schema_not_ready` naming `object`.
async fn each_edit_is_refused(backend: Backend, edits: &[(&str, &str)]) {
    let checks = edits.iter().map(|(object, sql)| async move {
        let db = TestDatabase::migrated(backend).await;
        provision(db.open().await.as_ref(), 1).await;
        db.execute(sql).await;
        let refused = match db.open_with(&StoreOptions::default()).await {
            Err(StoreError::Failed(StoreFailure::SchemaNotReady(text))) if text.contains(object) => None,
            Err(other) => Some(format!("{object}: expected schema_not_ready naming it, got {other:?}")),
            Ok(_) => Some(format!("{object}: opened after `{sql}`")),
        };
        let failed = failed_checks(&db).await;
        let named = failed.iter().any(|c| c.name.contains(object));
        refused.or_else(|| (!named).then(|| format!("{object}: doctor's failed checks do not name it: {failed:?}")))
    });
    // Two at a time: each opens and checks a database (doctor's check builds a scratch schema of
    // every migration), and all of them at once on a loaded two-core machine outwait the store's
    // 5 s connection bound (a refusal for the wrong reason).
    let outcomes: Vec<Option<String>> = futures::stream::iter(checks).buffer_unordered(2).collect().await;
    let problems: Vec<String> = outcomes.into_iter().flatten().collect();
    assert!(problems.is_empty(), "edits that passed the schema check:\n{}", problems.join("\n"));
}

/// PostgreSQL: the schema check used to compare function bodies and index names only. An
/// index predicate edited by hand, a dropped CHECK or foreign key, and a function's changed
/// security, search_path or volatility are refused at open, naming the object.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_hand_edited_definitions_are_refused() {
    const START: &str = "till_start_shift(jsonb)";
    const CLOSE: &str = "till_close_session(jsonb)";
    let edits = [
        (
            "sessions_one_open_per_register",
            "DROP INDEX sessions_one_open_per_register;
             CREATE UNIQUE INDEX sessions_one_open_per_register ON sessions (register_id) WHERE status = 'closed'"
                .to_string(),
        ),
        ("sessions_cash_bounded", "ALTER TABLE sessions DROP CONSTRAINT sessions_cash_bounded".to_string()),
        ("sessions_register_location", "ALTER TABLE sessions DROP CONSTRAINT sessions_register_location".to_string()),
        // The functions run with the owner's rights and a pinned search_path; running
        // as the caller, or with pg_temp searched first, is refused.
        ("till_start_shift", format!("ALTER FUNCTION {START} SECURITY INVOKER")),
        ("till_start_shift", format!("ALTER FUNCTION {START} SET search_path = public")),
        ("till_close_session", format!("ALTER FUNCTION {CLOSE} RESET search_path")),
        ("till_pin_check", "ALTER FUNCTION till_pin_check SET search_path = pg_temp, public".to_string()),
        ("till_close_session", format!("ALTER FUNCTION {CLOSE} STABLE")),
    ];
    let edits: Vec<(&str, &str)> = edits.iter().map(|(o, s)| (*o, s.as_str())).collect();
    each_edit_is_refused(Backend::Postgres, &edits).await;
}

/// SQLite: an index or trigger dropped and re-created differently, or a dropped trigger, is
/// refused at open, naming the object.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_hand_edited_definitions_are_refused() {
    let edits = [
        (
            "sessions_one_open_per_register",
            "DROP INDEX sessions_one_open_per_register;
             CREATE UNIQUE INDEX sessions_one_open_per_register ON sessions (register_id) WHERE status = 'closed'",
        ),
        (
            "sessions_cash_bounded_insert",
            "DROP TRIGGER sessions_cash_bounded_insert;
             CREATE TRIGGER sessions_cash_bounded_insert BEFORE INSERT ON sessions
             WHEN NEW.opening_cash > 9000000000000000000
             BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sessions_cash_bounded'); END",
        ),
        ("sessions_cash_bounded_update", "DROP TRIGGER sessions_cash_bounded_update"),
    ];
    each_edit_is_refused(Backend::Sqlite, &edits).await;
}

/// PostgreSQL: the shift functions refuse any isolation level but READ COMMITTED with SQLSTATE
/// TL001, which the store maps to `database_misconfigured` (it was `internal`). The store pins
/// READ COMMITTED on its own connections, so TL001 cannot be provoked through the public API:
/// this checks the function raises TL001, and that a server whose default isolation is
/// SERIALIZABLE does not affect the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_wrong_isolation_level_is_tl001_and_the_store_pins_read_committed() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
    sqlx::raw_sql("BEGIN ISOLATION LEVEL SERIALIZABLE").execute(&mut conn).await.unwrap();
    let request = serde_json::json!({
        "request_id": uuid::Uuid::now_v7(), "register_id": fx.registers[0].id.0, "login": fx.cashier.login.expose(),
        "opening_cash": 100, "device": till_testkit::CASHIER_DEVICE, "notes": null,
    });
    let refused = sqlx::query("SELECT * FROM till_start_shift($1)")
        .bind(sqlx::types::Json(request))
        .execute(&mut conn)
        .await
        .unwrap_err();
    let code = refused.as_database_error().and_then(|e| e.code()).map(|c| c.to_string());
    assert_eq!(code.as_deref(), Some("TL001"), "{refused}");
    drop(conn);
    let name = db.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    db.execute(&format!("ALTER DATABASE {name} SET default_transaction_isolation = 'serializable'")).await;
    let fresh = db.open().await;
    let started = fresh
        .start_shift(till_testkit::start(&fx.cashier, fx.registers[0].id, till_testkit::CASHIER_DEVICE, Some(100)))
        .await
        .unwrap();
    fresh.close_shift(till_testkit::close(&fx, started.session.id, 100)).await.unwrap();
}

/// Attacker review (PostgreSQL): hand edits that change what Till does without touching its
/// own definitions: a built-in shadowed from Till's schema (a `to_char(date, text)` took over
/// the session number), disabled triggers (DISABLE TRIGGER ALL turns off foreign keys), a rule,
/// row security forced on the owner (Till's own functions would then see only what a terminal
/// may: migration 0014 enables row security on `sessions` for terminals, so enabling it is no
/// longer a change), and an extra unique index (`UNIQUE (opened_by)`: one session per user, ever).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_shadowing_and_behaviour_changing_edits_are_refused() {
    let edits = [
        ("to_char", "CREATE FUNCTION to_char(date, text) RETURNS text LANGUAGE sql AS $$ SELECT 'PWNED' $$"),
        ("sessions", "ALTER TABLE sessions DISABLE TRIGGER ALL"),
        ("sessions", "ALTER TABLE sessions FORCE ROW LEVEL SECURITY"),
        ("no_close", "CREATE RULE no_close AS ON UPDATE TO sessions DO INSTEAD NOTHING"),
        ("one_per_user", "CREATE UNIQUE INDEX one_per_user ON sessions (opened_by)"),
    ];
    each_edit_is_refused(Backend::Postgres, &edits).await;
}

/// Attacker review (SQLite): an extra unique index on a Till table changes what Till does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_an_extra_unique_index_is_refused() {
    each_edit_is_refused(
        Backend::Sqlite,
        &[("one_per_user", "CREATE UNIQUE INDEX one_per_user ON sessions (opened_by)")],
    )
    .await;
}

/// Other tables in the same database (pgbench's, a report's) are not Till's business: their
/// constraints and indexes do not fail the check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tables_that_are_not_tills_are_left_alone() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    db.open().await;
    db.execute("CREATE TABLE bench_write (id bigserial PRIMARY KEY, v integer NOT NULL UNIQUE CHECK (v > 0))").await;
    db.open_with(&no_migrate()).await.unwrap();
    assert!(failed_checks(&db).await.is_empty());
}

/// Migration 0015 journals every user that existed before it (the staff chain's baseline):
/// a database at 0014 with users, upgraded, verifies, and each user's first entry states it.
async fn users_from_before_the_staff_journal_get_their_first_entry_on_upgrade(backend: Backend) {
    use sqlx::migrate::Migrator;
    let db = TestDatabase::new(backend).await;
    let dir = format!(
        "{}/migrations/{}",
        env!("CARGO_MANIFEST_DIR"),
        if backend == Backend::Sqlite { "sqlite" } else { "postgres" }
    );
    let mut migrator = Migrator::new(std::path::Path::new(&dir)).await.unwrap();
    migrator.migrations = migrator.migrations.iter().filter(|m| m.version <= 14).cloned().collect::<Vec<_>>().into();
    let hash = Pin::parse("1234").unwrap().hash().0;
    let names = ["ann", "ben", "cho"];
    let insert = |i: usize| {
        let id = db.uuid(uuid::Uuid::now_v7());
        let role = if i == 0 { "manager" } else { "cashier" };
        format!("INSERT INTO users (id, name, role, pin_hash) VALUES ({id}, '{}', '{role}', '{hash}')", names[i])
    };
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&format!("{}?mode=rwc", db.url)).await.unwrap();
            migrator.run(&pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            migrator.run(&pool).await.unwrap();
            pool.close().await;
        }
    }
    for i in 0..names.len() {
        db.execute(&insert(i)).await;
    }
    let store = db.open().await;
    let report = service::verify_journal(store.as_ref(), &[]).await.unwrap();
    assert!(report.ok, "{report:?}");
    let staff = service::chain_entries(store.as_ref(), till_core::journal::STAFF_CHAIN).await.unwrap();
    let journaled: Vec<String> = staff
        .iter()
        .filter(|e| e.event == till_core::journal::USER_EVENT)
        .map(|e| {
            serde_json::from_str::<serde_json::Value>(&e.body).unwrap()["payload"]["name"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(journaled, names, "one baseline entry per user, in the order they were made");
    // And after it, a change by hand without its entry is caught (the baseline is required).
    db.execute("UPDATE users SET active = false WHERE name = 'ben'").await;
    if backend == Backend::Postgres {
        // The trigger journals it: a fact, not a tampering.
        assert!(service::verify_journal(store.as_ref(), &[]).await.unwrap().ok);
    } else {
        assert!(!service::verify_journal(store.as_ref(), &[]).await.unwrap().ok);
    }
}

/// Each database gets an identity once (migration 0015), journaled on the staff chain: two
/// databases differ, and an identity changed by hand no longer matches its entry.
async fn each_database_has_its_own_journaled_identity(backend: Backend) {
    let (one, two) = (TestDatabase::new(backend).await, TestDatabase::new(backend).await);
    let (first, second) = (one.open().await, two.open().await);
    let id = first.database_identity().await.unwrap().expect("an identity");
    assert_ne!(Some(id), second.database_identity().await.unwrap(), "two databases, two identities");
    // Opening again (migrations already applied) keeps it.
    assert_eq!(one.open().await.database_identity().await.unwrap(), Some(id));
    let staff = service::chain_entries(first.as_ref(), till_core::journal::STAFF_CHAIN).await.unwrap();
    assert_eq!(staff[0].event, till_core::journal::DATABASE_EVENT);
    assert_eq!(staff[0].ref_id, Some(id));
    assert!(service::verify_journal(first.as_ref(), &[]).await.unwrap().ok);
    // Made to look like the other database: caught.
    let other = second.database_identity().await.unwrap().unwrap();
    one.execute(&format!("UPDATE database_identity SET id = {}", one.uuid(other))).await;
    let report = service::verify_journal(first.as_ref(), &[]).await.unwrap();
    assert!(!report.ok, "{report:?}");
}

/// PostgreSQL: the definitions this build keeps for the test server's major version
/// (crates/till-postgres/definitions/pg<major>.json, what the schema check compares against
/// instead of building a scratch schema at every start) are exactly what this build's
/// migrations create there, read from a scratch schema. A migration, function file or the
/// definitions query changed without regenerating them fails here.
/// `TILL_WRITE_KEPT_DEFINITIONS=1` writes the file instead (rebuild, run again, commit it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_kept_definitions_are_current() {
    use sqlx::Connection as _;
    let db = TestDatabase::new(Backend::Postgres).await;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let (major, scratch) = till_postgres::scratch_definitions(&mut conn).await.unwrap();
    let text = till_postgres::render_kept_definitions(major, &scratch);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/till-postgres")
        .join(till_postgres::kept_definitions_path(major));
    if std::env::var_os("TILL_WRITE_KEPT_DEFINITIONS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    assert!(
        till_postgres::kept_definitions_text(major) == Some(text.as_str()),
        "{} is stale or missing for PostgreSQL {major}: run `TILL_WRITE_KEPT_DEFINITIONS=1 cargo test --workspace \
         --locked --features tauri/custom-protocol --test contract kept_definitions`, then this test again, and commit it",
        path.display()
    );
    assert!(till_postgres::kept_definitions(major).is_some_and(|kept| *kept == scratch));
}

/// PostgreSQL: every change to the function files comes with a new numbered migration, so the
/// newest migration orders any two builds whose function bodies differ and an older
/// `tillctl migrate` refuses (app_too_old) a database a newer Till migrated, instead of putting
/// its older bodies back (a release that only edits bodies cannot be told apart by their
/// hashes). crates/till-postgres/definitions/function-generations.txt records, append-only, each
/// build's (newest migration, hash of its function files); the kept-definitions command above
/// appends this build's line when its newest migration is not recorded yet.
#[test]
fn postgres_kept_definitions_record_each_function_edit_with_a_migration() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/till-postgres")
        .join(till_postgres::FUNCTION_GENERATIONS_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    let (newest, hash) = (till_postgres::newest_migration(), till_postgres::function_files_hash());
    match function_generation_problem(&text, newest, &hash) {
        None => {}
        Some(GenerationProblem::Unrecorded) if std::env::var_os("TILL_WRITE_KEPT_DEFINITIONS").is_some() => {
            std::fs::write(&path, format!("{text}{}", generation_line(newest, &hash))).unwrap();
        }
        Some(problem) => panic!("{}: {}", path.display(), problem.explain(newest)),
    }
}

/// What is wrong with the record `text` for a build whose newest migration is `newest` and whose
/// function files hash to `hash`; None when it holds exactly that line.
fn function_generation_problem(text: &str, newest: i64, hash: &str) -> Option<GenerationProblem> {
    let mut recorded: Vec<(i64, &str)> = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty() && !line.starts_with('#')) {
        let parsed = line
            .split_once(' ')
            .and_then(|(number, hash)| Some((number.parse::<i64>().ok()?, hash)))
            .filter(|(_, hash)| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
        let Some((number, line_hash)) = parsed else {
            return Some(GenerationProblem::Malformed(line.to_string()));
        };
        if let Some(&(last, _)) = recorded.last().filter(|(last, _)| *last >= number) {
            return Some(GenerationProblem::NotAppended { line: line.to_string(), after: last });
        }
        recorded.push((number, line_hash));
    }
    if recorded.last().is_some_and(|(last, _)| *last > newest) {
        return Some(GenerationProblem::NewerRecorded);
    }
    match recorded.iter().find(|(number, _)| *number == newest) {
        Some((_, recorded_hash)) if *recorded_hash == hash => None,
        Some(_) => Some(GenerationProblem::EditedUnderRecordedMigration),
        None => Some(GenerationProblem::Unrecorded),
    }
}

fn generation_line(newest: i64, hash: &str) -> String {
    format!("{newest:04} {hash}\n")
}

#[derive(Debug, PartialEq)]
enum GenerationProblem {
    /// The newest migration has no line yet (a new migration, with or without function edits).
    Unrecorded,
    /// The newest migration is recorded with other function files: they changed without one.
    EditedUnderRecordedMigration,
    /// A line that is not `NNNN <sha256 hex>`.
    Malformed(String),
    /// A line whose migration is not above the one before it: lines were edited or inserted.
    NotAppended { line: String, after: i64 },
    /// The record names a migration above this build's newest: a migration was removed.
    NewerRecorded,
}

impl GenerationProblem {
    fn explain(&self, newest: i64) -> String {
        const RECORD: &str = "`TILL_WRITE_KEPT_DEFINITIONS=1 cargo test --workspace --locked --features \
             tauri/custom-protocol --test contract kept_definitions` to record it (and regenerate pg<major>.json), \
             then the same command without the variable, and commit them";
        match self {
            GenerationProblem::Unrecorded => {
                format!("migration {newest} is not recorded with this build's function files: run {RECORD}")
            }
            GenerationProblem::EditedUnderRecordedMigration => format!(
                "the function files changed, but migration {newest} is already recorded with other ones, so an \
                 older build could not tell it is older and its `tillctl migrate` would put its bodies back: add \
                 migrations/postgres/{:04}_expand_<what changed>.sql (a comment line saying why is enough) and run \
                 {RECORD}",
                newest + 1
            ),
            GenerationProblem::Malformed(line) => {
                format!("`{line}` is not `NNNN <sha256 hex>`: restore the line as committed")
            }
            GenerationProblem::NotAppended { line, after } => format!(
                "`{line}` follows migration {after}: the record is append-only and one migration has one line \
                 (one hash); restore the lines as committed, and for changed function files add a new migration \
                 and run {RECORD}"
            ),
            GenerationProblem::NewerRecorded => format!(
                "a migration above this build's newest ({newest}) is recorded: released migrations are never removed"
            ),
        }
    }
}

/// Each way the record can be wrong is told apart, so the message says the right thing to do.
#[test]
fn function_generation_record_refusals() {
    let (one, two) = ("1".repeat(64), "2".repeat(64));
    let record = format!("# header\n{}{}", generation_line(24, &one), generation_line(25, &two));
    assert_eq!(function_generation_problem(&record, 25, &two), None);
    assert_eq!(function_generation_problem(&record, 25, &one), Some(GenerationProblem::EditedUnderRecordedMigration));
    assert_eq!(function_generation_problem(&record, 26, &two), Some(GenerationProblem::Unrecorded));
    assert_eq!(function_generation_problem(&record, 24, &one), Some(GenerationProblem::NewerRecorded));
    let twice = format!("{record}{}", generation_line(25, &one));
    assert!(matches!(
        function_generation_problem(&twice, 25, &one),
        Some(GenerationProblem::NotAppended { after: 25, .. })
    ));
    let malformed = format!("{record}0026 not-a-hash\n");
    assert!(matches!(function_generation_problem(&malformed, 26, &one), Some(GenerationProblem::Malformed(_))));
    let explained = GenerationProblem::EditedUnderRecordedMigration.explain(25);
    assert!(
        explained.contains("migrations/postgres/0026_expand_") && explained.contains("TILL_WRITE_KEPT_DEFINITIONS=1")
    );
}

/// PostgreSQL: a fresh database passes against the kept definitions (no scratch schema), and
/// they alone catch a Till function whose body was edited by hand (signature and settings
/// kept); the store then refuses to open, naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_kept_definitions_catch_an_edited_function() {
    use sqlx::Connection as _;
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let store = db.open().await;
    let checks = store.check_schema().await;
    let definitions = checks.iter().find(|c| c.name == "definitions").expect("a definitions line");
    assert!(definitions.ok && definitions.detail.contains("kept in this Till"), "{definitions:?}");

    db.execute(
        "DO $$ BEGIN EXECUTE replace(pg_get_functiondef('till_start_shift(jsonb)'::regprocedure),
                                     'kept changing; try again', 'kept changing, try again'); END $$",
    )
    .await;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let kept =
        till_postgres::kept_definitions_check(&mut conn).await.unwrap().expect("definitions kept for this server");
    let failed: Vec<&SchemaCheck> = kept.iter().filter(|c| !c.ok).collect();
    assert!(failed.len() == 1 && failed[0].name.contains("till_start_shift"), "{kept:?}");
    let text = schema_error(db.open_with(&StoreOptions::default()).await);
    assert!(text.contains("till_start_shift"), "{text}");
}

/// Issue 18: a policy is written once in till-core and at most once more in plpgsql. In the
/// function files each of these rules is spelled in exactly one file, which the others call; a
/// copy written back into another function fails here, whatever its spacing or case.
#[test]
fn postgres_each_rule_is_spelled_in_one_function_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres/functions");
    let mut files: Vec<(String, SqlText)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, SqlText::read(&std::fs::read_to_string(&path).unwrap()))
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() > 40, "the function files were not found in {}", dir.display());
    type Spells = fn(&SqlText) -> bool;
    let rules: [(&str, &str, Spells); 3] = [
        ("who approves (a role named)", "till_approves.sql", SqlText::names_a_role),
        ("the money bound 10^12", "till_money_max.sql", SqlText::spells_the_money_bound),
        ("expected cash (opening float + cash net)", "till_expected_cash.sql", SqlText::adds_expected_cash),
    ];
    let copies: Vec<String> = rules
        .into_iter()
        .filter_map(|(rule, home, spells)| {
            let found: Vec<&str> = files.iter().filter(|(_, sql)| spells(sql)).map(|(name, _)| name.as_str()).collect();
            (found != [home])
                .then(|| format!("{rule}: written in {found:?}; once, in {home}, and called from the others"))
        })
        .collect();
    assert!(copies.is_empty(), "each rule is written in plpgsql once:\n{}", copies.join("\n"));
}

/// A function file as the rules above read it: lowercased, without comments or white space;
/// its string literals apart from the code around them.
struct SqlText {
    /// The code with each string literal emptied to `''`.
    code: String,
    /// The string literals' values.
    literals: Vec<String>,
}

impl SqlText {
    fn read(text: &str) -> SqlText {
        let (mut code, mut literals) = (String::new(), Vec::new());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '-' if chars.peek() == Some(&'-') => {
                    chars.by_ref().find(|&c| c == '\n');
                }
                '\'' => {
                    let mut literal = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '\'' if chars.peek() == Some(&'\'') => {
                                chars.next();
                                literal.push('\'');
                            }
                            '\'' => break,
                            c => literal.push(c),
                        }
                    }
                    code.push_str("''");
                    literals.push(literal.to_lowercase());
                }
                c if c.is_whitespace() => {}
                c => code.extend(c.to_lowercase()),
            }
        }
        SqlText { code, literals }
    }

    /// A user role as a literal (`'manager'`, or in an array literal `'{manager,admin}'`): the
    /// only reason to name one is to decide who approves.
    fn names_a_role(&self) -> bool {
        self.literals.iter().any(|literal| {
            literal
                .trim_matches(|c| c == '{' || c == '}')
                .split(',')
                .any(|word| matches!(word.trim().trim_matches('"'), "manager" | "admin" | "cashier"))
        })
    }

    /// 10^12 as a number, or computed (`1e12`, `10^12`, `power(10,12)`); in a message it is text.
    fn spells_the_money_bound(&self) -> bool {
        let numbers = self.code.split(|c: char| !c.is_ascii_digit());
        numbers.into_iter().any(|digits| digits == "1000000000000")
            || ["1e12", "10^12", "power(10,12)"].iter().any(|spelling| self.code.contains(spelling))
    }

    /// An opening float and a cash net added (`s.opening_cash + s.cash_net`, either way round).
    fn adds_expected_cash(&self) -> bool {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
        self.code.match_indices('+').any(|(at, _)| {
            let before = &self.code[..at];
            let before = &before[before.rfind(|c| !word(c)).map_or(0, |i| i + 1)..];
            let after = &self.code[at + 1..];
            let after = &after[..after.find(|c| !word(c)).unwrap_or(after.len())];
            let pair = [before, after].map(|operand| operand.rsplit('.').next().unwrap_or(operand).to_string());
            let is = |suffix: &str| pair.iter().any(|operand| operand.ends_with(suffix));
            is("opening_cash") && is("cash_net")
        })
    }
}

/// PostgreSQL: a copy of the test template (`TestDatabase::migrated`, what most contract tests
/// start from) is the database a migration from nothing makes. It passes the store's full check
/// (as a terminal opens it: migrations, function files, every definition); its catalog (every
/// object's definition, owner and privileges, and the extensions) and its rows equal a fresh
/// migration's, but for what is the database's own: its identity, with its journal entry, made
/// when it was copied, and when its migrations were applied (moved to the copy's time, as a
/// fresh database's are its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_template_copy_equals_a_fresh_migration() {
    use sqlx::Connection as _;
    let fresh = TestDatabase::new(Backend::Postgres).await;
    fresh.open().await;
    let mut conn = sqlx::PgConnection::connect(&fresh.url).await.unwrap();
    let before: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT clock_timestamp()").fetch_one(&mut conn).await.unwrap();
    let (copy, other) =
        (TestDatabase::migrated(Backend::Postgres).await, TestDatabase::migrated(Backend::Postgres).await);
    let store = copy.open_with(&no_migrate()).await.unwrap();
    let checks = store.check_schema().await;
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    assert_eq!(catalog(&copy).await, catalog(&fresh).await, "the catalog of a copy and of a fresh migration");
    assert_eq!(rows(&copy).await, rows(&fresh).await, "the rows of a copy and of a fresh migration");

    let id = store.database_identity().await.unwrap().expect("an identity");
    let others =
        [fresh.open().await.database_identity().await.unwrap(), other.open().await.database_identity().await.unwrap()];
    assert!(!others.contains(&Some(id)), "each copy has an identity of its own: {id} {others:?}");
    let staff = service::chain_entries(store.as_ref(), till_core::journal::STAFF_CHAIN).await.unwrap();
    assert_eq!(
        (staff.len(), staff[0].event.as_str(), staff[0].ref_id),
        (1, till_core::journal::DATABASE_EVENT, Some(id))
    );
    assert!(service::verify_journal(store.as_ref(), &[]).await.unwrap().ok);
    let mut conn = sqlx::PgConnection::connect(&copy.url).await.unwrap();
    // Dated as a migration at the time of the copy would be: its last migration and its
    // function files after the copy began, its identity between its migrations 0015 and 0016.
    type At = chrono::DateTime<chrono::Utc>;
    let (last_migration, files, identified, around): (At, At, At, (At, At)) = sqlx::query_as(
        "SELECT (SELECT max(installed_on) FROM _sqlx_migrations), (SELECT min(applied_at) FROM till_function_files),
                (SELECT created_at FROM database_identity),
                ((SELECT installed_on FROM _sqlx_migrations WHERE version = 15),
                 (SELECT installed_on FROM _sqlx_migrations WHERE version = 16))",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(
        last_migration >= before && files >= last_migration && identified >= around.0 && identified <= around.1,
        "copied after {before}: migrated up to {last_migration}, function files at {files}, identity at {identified}, \
         migrations 0015 and 0016 at {around:?}"
    );
}

/// Every object in the database's own schemas: its definition, owner and privileges; and the
/// extensions. One line each, sorted.
async fn catalog(db: &TestDatabase) -> Vec<String> {
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query_scalar(
        r"WITH own AS (SELECT oid, nspname FROM pg_namespace
                         WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_to%'
                           AND nspname NOT LIKE 'pg\_temp%')
        SELECT 'schema ' || nspname || ' owner ' || pg_get_userbyid(nspowner) || ' acl ' || coalesce(nspacl::text, '-')
          FROM pg_namespace WHERE oid IN (SELECT oid FROM own)
        UNION ALL
        SELECT 'relation ' || n.nspname || '.' || c.relname || ' kind ' || c.relkind::text || ' owner '
               || pg_get_userbyid(c.relowner) || ' acl ' || coalesce(c.relacl::text, '-') || ' row security '
               || c.relrowsecurity || ' forced ' || c.relforcerowsecurity
          FROM pg_class c JOIN own n ON n.oid = c.relnamespace
        UNION ALL
        SELECT 'column ' || n.nspname || '.' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
               || ' not null ' || a.attnotnull || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
               || ' acl ' || coalesce(a.attacl::text, '-')
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN own n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attnum > 0 AND NOT a.attisdropped
        UNION ALL
        SELECT 'constraint ' || n.nspname || '.' || k.conname || ' on ' || k.conrelid::regclass::text || ' '
               || pg_get_constraintdef(k.oid)
          FROM pg_constraint k JOIN own n ON n.oid = k.connamespace
        UNION ALL
        SELECT 'index ' || pg_get_indexdef(x.indexrelid)
          FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN own n ON n.oid = c.relnamespace
        UNION ALL
        SELECT 'trigger ' || pg_get_triggerdef(g.oid) || ' enabled ' || g.tgenabled::text
          FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN own n ON n.oid = c.relnamespace
         WHERE NOT g.tgisinternal
        UNION ALL
        SELECT 'policy ' || schemaname || '.' || tablename || '.' || policyname || ' ' || cmd || ' '
               || coalesce(qual, '') || ' ' || coalesce(with_check, '') || ' ' || roles::text
          FROM pg_policies WHERE schemaname IN (SELECT nspname FROM own)
        UNION ALL
        SELECT 'rule ' || schemaname || '.' || rulename || ' ' || definition
          FROM pg_rules WHERE schemaname IN (SELECT nspname FROM own)
        UNION ALL
        SELECT 'function ' || p.oid::regprocedure::text || ' owner ' || pg_get_userbyid(p.proowner) || ' acl '
               || coalesce(p.proacl::text, '-') || ' ' || CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) ELSE p.prokind::text END
          FROM pg_proc p JOIN own n ON n.oid = p.pronamespace
        UNION ALL
        SELECT 'type ' || t.oid::regtype::text || ' owner ' || pg_get_userbyid(t.typowner) || ' acl ' || coalesce(t.typacl::text, '-')
          FROM pg_type t JOIN own n ON n.oid = t.typnamespace
        UNION ALL
        SELECT 'sequence ' || schemaname || '.' || sequencename || ' at ' || coalesce(last_value::text, 'none')
          FROM pg_sequences WHERE schemaname IN (SELECT nspname FROM own)
        UNION ALL
        SELECT 'extension ' || e.extname || ' ' || e.extversion || ' in ' || e.extnamespace::regnamespace::text FROM pg_extension e
        UNION ALL
        SELECT 'default privileges ' || pg_get_userbyid(defaclrole) || ' ' || defaclobjtype::text || ' ' || defaclacl::text
          FROM pg_default_acl
        ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
}

/// Every row of every table in the database's own schemas, as JSON, sorted; without what is
/// each database's own (the identity and its journal entry, when the migrations and function
/// files were applied).
async fn rows(db: &TestDatabase) -> Vec<String> {
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        r"SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             AND n.nspname NOT LIKE 'pg\_to%' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let own: &[&str] = match table.rsplit('.').next().unwrap() {
            "_sqlx_migrations" => &["installed_on", "execution_time"],
            "database_identity" => &["id", "created_at"],
            "journal" => &["at", "ref_id", "body", "hash"],
            "journal_heads" => &["hash"],
            "till_function_files" => &["applied_at"],
            _ => &[],
        };
        let table_rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT (to_jsonb(t) - $1::text[])::text AS r FROM {table} t ORDER BY r"))
                .bind(own)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        out.push(format!("{table}: {} rows", table_rows.len()));
        out.extend(table_rows.into_iter().map(|r| format!("{table} {r}")));
    }
    out
}
