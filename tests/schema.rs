//! A schema that is missing, behind, foreign, edited or damaged is refused loudly, with the fix.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use till::{both_backends, provision, Backend, TestDatabase};
use till_core::service;
use till_core::*;

both_backends!(a_fresh_database_migrates_and_passes_every_check, a_database_behind_is_refused_without_migrate);
both_backends!(an_unknown_migration_is_refused, an_edited_migration_is_refused, a_dropped_index_is_refused);

fn no_migrate() -> StoreOptions {
    StoreOptions { migrate: false, ..StoreOptions::default() }
}

fn inspect_only() -> StoreOptions {
    StoreOptions { migrate: false, verify: false, ..StoreOptions::default() }
}

fn schema_error(result: Result<std::sync::Arc<dyn Store>, StoreError>) -> String {
    match result {
        Err(StoreError::SchemaNotReady(text)) => text,
        other => panic!("expected schema_not_ready, got {other:?}"),
    }
}

async fn failed_checks(db: &TestDatabase) -> Vec<SchemaCheck> {
    let store = db.open_with(&inspect_only()).await.unwrap();
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

async fn a_database_behind_is_refused_without_migrate(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let text = schema_error(db.open_with(&no_migrate()).await);
    assert!(text.contains("tillctl migrate"), "{text}");
    let failed = failed_checks(&db).await;
    assert!(failed.iter().any(|c| c.fix.as_deref() == Some("run `tillctl migrate`")), "{failed:?}");
}

async fn an_unknown_migration_is_refused(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    db.open().await;
    let insert = match backend {
        Backend::Sqlite => "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'from the future', 1, x'00', 0)",
        Backend::Postgres => "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99990101000000, 'from the future', true, '\\x00', 0)",
    };
    db.execute(insert).await;
    for options in [StoreOptions::default(), no_migrate()] {
        let text = schema_error(db.open_with(&options).await);
        assert!(text.contains("99990101000000") && text.contains("newer Till"), "{text}");
    }
    let failed = failed_checks(&db).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].detail.contains("does not know"));
}

async fn an_edited_migration_is_refused(backend: Backend) {
    let db = TestDatabase::new(backend).await;
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
    let db = TestDatabase::new(backend).await;
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
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_dropped_or_edited_function_is_refused_and_repairable() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    let register = RegisterRef::parse("DT/R1").unwrap();
    let pc = DeviceName::parse("pc1").unwrap();

    db.execute("DROP FUNCTION till_start_shift").await;
    let err = service::start_shift(store.as_ref(), &fx.cashier, &register, Some("10"), &pc, None).await.unwrap_err();
    assert_eq!(err.code(), "schema_not_ready");
    assert!(err.to_string().contains("--repair-functions"), "{err}");
    assert_eq!(store.audit().await.unwrap().sessions, 0, "no fallback path created a session");

    let text = schema_error(db.open_with(&StoreOptions::default()).await);
    assert!(text.contains("till_start_shift") && text.contains("--repair-functions"), "{text}");
    let failed = failed_checks(&db).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].detail.contains("missing"));

    store.repair_functions().await.unwrap();
    let repaired = db.open().await;
    let started = service::start_shift(repaired.as_ref(), &fx.cashier, &register, Some("10"), &pc, None).await.unwrap();
    assert!(!started.joined);

    // A function replaced by hand with another body is refused too.
    db.execute(
        "DROP FUNCTION till_close_shift;
         CREATE FUNCTION till_close_shift(p_session_id uuid, p_user_id uuid, p_counted_cash bigint, p_device text, p_at timestamptz)
         RETURNS TABLE (id uuid) LANGUAGE sql AS $$ SELECT p_session_id $$",
    )
    .await;
    let failed = failed_checks(&db).await;
    assert!(failed.iter().any(|c| c.name.contains("till_close_shift")), "{failed:?}");
}
