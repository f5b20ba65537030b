//! Store terminals connect to a shared PostgreSQL with a least-privilege role that
//! `tillctl db create-terminal-role` creates. It executes Till's functions and reads what the
//! screens read, and may not write any table itself: every write a terminal makes goes through
//! a SECURITY DEFINER function. PostgreSQL only (SQLite has no roles).

use till_core::service::{self, CloseRequest, StartRequest};
use till_core::*;
use till_testkit::{provision, Backend, TestDatabase};

/// Binds `role` to the fixture's first register, as `--register DT/R1` does.
async fn bind(owner: &dyn Store, role: &DbRoleName, fixture: &till_testkit::Fixture) {
    let binding = TerminalBinding { registers: vec![fixture.registers[0].id], locations: Vec::new() };
    owner.bind_terminal_role(role, &binding).await.unwrap();
}

/// The owner's store of `db`, provisioned, and a new terminal role (password `pw`) bound to
/// the fixture's first register.
async fn provisioned_with_terminal_role(db: &TestDatabase) -> (std::sync::Arc<dyn Store>, DbRoleName) {
    let owner = db.open().await;
    let fixture = provision(owner.as_ref(), 1).await;
    let role = role_name();
    owner.create_terminal_role(&role, Some("pw")).await.unwrap();
    bind(owner.as_ref(), &role, &fixture).await;
    (owner, role)
}

fn role_name() -> DbRoleName {
    DbRoleName::parse(&format!("till_term_{}", &uuid::Uuid::now_v7().simple().to_string()[20..])).unwrap()
}

#[tokio::test]
async fn a_terminal_role_runs_the_register_but_cannot_write_a_table() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let owner = db.open().await;
    let fixture = provision(owner.as_ref(), 1).await;
    let role = role_name();
    owner.create_terminal_role(&role, Some("terminal secret")).await.unwrap();
    let binding = TerminalBinding { registers: vec![fixture.registers[0].id], locations: Vec::new() };
    owner.bind_terminal_role(&role, &binding).await.unwrap();
    let terminal_url = db.url_as(role.as_str(), "terminal secret");

    // The app's way in: no migrating, the schema checked from what this role can read.
    let terminal = till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.unwrap();
    let store = terminal.as_ref();
    let checks = store.check_schema().await;
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    let role_check = checks.iter().find(|c| c.name == "database role").unwrap();
    assert!(role_check.detail.contains("writes no table directly"), "{role_check:?}");

    // A day on the register through the role: wrong PINs (counted, then a lockout), a manager's
    // unlock, a login, a shift started, joined and closed.
    let device = DeviceName::parse("till-pc-1").unwrap();
    for _ in 0..PinPolicy::default().max_failures {
        let wrong = service::authenticate(store, "alice", "0000", &device).await.unwrap_err();
        // The attempt that locks answers user_locked.
        assert!(matches!(wrong.code(), "wrong_pin" | "user_locked"), "{wrong}");
    }
    let locked = service::authenticate(store, "alice", "1234", &device).await.unwrap_err();
    assert_eq!(locked.code(), "user_locked");
    service::unlock_user(store, Some(("bob", "9999")), "alice", &device).await.unwrap();
    let events = store.list_auth_events(20).await.unwrap();
    assert!(events.iter().any(|e| e.kind == AuthEventKind::Locked), "{events:?}");
    assert!(events.iter().any(|e| e.kind == AuthEventKind::Unlocked), "{events:?}");
    let cashier = service::authenticate(store, "alice", "1234", &device).await.unwrap();
    let register = RegisterRef::parse("DT/R1").unwrap();
    let opening =
        StartRequest { request_id: RequestId::new(), opening_cash: Some(CashAmount::Typed("200.00")), notes: None };
    let started = service::start_shift(store, &cashier, &register, &device, opening).await.unwrap();
    let join = StartRequest { request_id: RequestId::new(), opening_cash: None, notes: None };
    let other_pc = DeviceName::parse("till-pc-2").unwrap();
    let manager = service::authenticate(store, "bob", "9999", &other_pc).await.unwrap();
    assert!(service::start_shift(store, &manager, &register, &other_pc, join).await.unwrap().joined);
    let session = SessionRef::Id(started.session.id);
    let close = CloseRequest {
        request_id: RequestId::new(),
        session: &session,
        counted_cash: CashAmount::Typed("205.00"),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off: None,
    };
    // Cash control through the role: a paid in, the close's Z, the X, all journaled.
    let paid_in = service::MovementRequest {
        id: MovementId::new(),
        kind: MovementKind::PaidIn,
        amount: Some(CashAmount::Typed("5.00")),
        reason: "other",
        note: None,
    };
    service::record_movement(store, &cashier, None, &register, &device, paid_in).await.unwrap();
    // The cashier's login closes, with the manager's PIN checked by the database for this close.
    let approval = service::approval("bob", "9999").unwrap();
    let closed = service::close_shift(store, &cashier, Some(approval), &device, close).await.unwrap();
    assert_eq!(closed.closed_by.as_deref(), Some("bob"));
    assert_eq!(closed.status, SessionStatus::Closed);
    let x = service::x_report(store, &session, service::Asker::It("test")).await.unwrap();
    assert_eq!(x.drawer.paid_in.amount, 500);
    let report = service::verify_journal(store, &[]).await.unwrap();
    assert!(report.ok, "{report:?}");

    // What the role may not do, straight in SQL: every table write, and IT's own functions.
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&terminal_url).await.unwrap();
    let register_id = fixture.registers[0].id.0;
    let refused = [
        "UPDATE sessions SET status = 'open', counted_cash = NULL".to_string(),
        "DELETE FROM sessions".to_string(),
        format!(
            "INSERT INTO users (id, name, role, pin_hash) VALUES ('{}', 'mallory', 'admin', 'x')",
            uuid::Uuid::now_v7()
        ),
        "UPDATE users SET role = 'admin' WHERE name = 'alice'".to_string(),
        "UPDATE users SET failed_pins = 0, locked_until = NULL".to_string(),
        "DELETE FROM auth_events".to_string(),
        "TRUNCATE session_joins".to_string(),
        format!("INSERT INTO day_counters (location_id, business_day, last_seq) SELECT location_id, current_date, 0 FROM registers WHERE id = '{register_id}'"),
        "UPDATE registers SET name = 'hijacked'".to_string(),
        "UPDATE products SET price_minor = 1".to_string(),
        "DELETE FROM product_barcodes".to_string(),
        "UPDATE tax_rates SET rate_ppm = 0".to_string(),
        "INSERT INTO shift_requests VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), now())".to_string(),
        "DELETE FROM _sqlx_migrations".to_string(),
        "CREATE TABLE mine (x int)".to_string(),
        // The journal: only the owner may write it, and its append function is the owner's.
        "UPDATE journal SET body = '{}'".to_string(),
        "DELETE FROM journal".to_string(),
        "UPDATE journal_heads SET seq = 0".to_string(),
        "INSERT INTO journal_heads VALUES (gen_random_uuid(), 0, repeat('0', 64))".to_string(),
        "SELECT till_journal_append(gen_random_uuid(), now(), 'pc', NULL, 'sale', NULL, '{}')".to_string(),
        "UPDATE z_reports SET grand_sales = 0".to_string(),
        "UPDATE cash_movements SET amount = 0".to_string(),
        "DELETE FROM cash_counts".to_string(),
        "INSERT INTO cash_reasons SELECT location_id, 'paid_out', 'mine', 'Mine', 1 FROM registers".to_string(),
        format!("SELECT till_create_terminal_role('{}_2', 'x')", role.as_str()),
        format!("SELECT till_grant_terminal('{}')", role.as_str()),
    ];
    for sql in &refused {
        let err = sqlx::raw_sql(sql).execute(&mut conn).await.expect_err(sql);
        let code = err.as_database_error().and_then(|d| d.code()).unwrap_or_default().to_string();
        assert_eq!(code, "42501", "{sql}: {err}");
    }
    // The catalog is read, as the sale screen does.
    store.list_products(&LocationCode::parse("DT").unwrap(), true).await.unwrap();
    // Through the store, IT's writes answer a typed refusal, not an internal error.
    let refused = service::add_user(store, "mallory", "admin", "4321").await.unwrap_err();
    assert_eq!(refused.code(), "database_misconfigured", "{refused}");
    drop(conn);
    drop(terminal);
    db.drop_role(role.as_str()).await;
}

#[tokio::test]
async fn migrate_keeps_terminal_grants_and_the_functions_pin_their_search_path() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let (owner, role) = provisioned_with_terminal_role(&db).await;
    // Someone drops a function by hand; the repair re-creates it, SECURITY DEFINER again, and
    // grants it to the recorded terminal roles again.
    db.execute("DROP FUNCTION till_close_session(jsonb)").await;
    owner.repair_functions().await.unwrap();
    let terminal_url = db.url_as(role.as_str(), "pw");
    let terminal = till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.unwrap();
    assert!(terminal.check_schema().await.iter().all(|c| c.ok));
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&terminal_url).await.unwrap();
    let (granted, definer, config): (bool, bool, Vec<String>) = sqlx::query_as(
        "SELECT has_function_privilege('till_close_session(jsonb)', 'EXECUTE'),
                prosecdef, proconfig FROM pg_proc WHERE proname = 'till_close_session'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(granted && definer, "execute {granted}, security definer {definer}");
    assert_eq!(config, vec!["search_path=public, pg_temp".to_string()]);
    // Every Till function that runs with the owner's rights pins pg_temp last.
    let unpinned: Vec<String> = sqlx::query_scalar(
        "SELECT proname::text FROM pg_proc WHERE proname LIKE 'till\\_%' AND prosecdef
            AND NOT coalesce(proconfig, '{}') @> ARRAY['search_path=public, pg_temp']",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(unpinned.is_empty(), "{unpinned:?}");
    // PUBLIC may execute none of them.
    let public: Vec<String> = sqlx::query_scalar(
        "SELECT p.proname::text FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
          WHERE p.proname LIKE 'till\\_%' AND a.grantee = 0",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(public.is_empty(), "{public:?}");
    drop(conn);
    drop(terminal);
    db.drop_role(role.as_str()).await;
}

#[tokio::test]
async fn a_terminal_role_cannot_migrate_and_is_told_it_is_behind() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let owner = db.open().await;
    let role = role_name();
    owner.create_terminal_role(&role, Some("pw")).await.unwrap();
    db.execute("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)").await;
    let terminal_url = db.url_as(role.as_str(), "pw");
    // Even asked to migrate (as tillctl does by default), the terminal's role refuses politely.
    for options in [till_backend::desktop_options(&terminal_url), StoreOptions::default()] {
        match till_backend::open(&terminal_url, &options).await {
            Err(e @ StoreError::Failed(StoreFailure::SchemaBehind(_))) => {
                assert!(e.to_string().contains("tillctl migrate"), "{e}")
            }
            other => panic!("expected schema_behind, got {other:?}"),
        }
    }
    // A role that is already more than a terminal is refused as one.
    let owner_name: String = {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::query_scalar("SELECT current_user::text").fetch_one(&mut conn).await.unwrap()
    };
    if let Ok(owner_role) = DbRoleName::parse(&owner_name) {
        let refused = owner.create_terminal_role(&owner_role, None).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{refused}");
    }
    drop(owner);
    db.drop_role(role.as_str()).await;
}

/// Findings of the attacker review of the terminal role (each failed before its fix):
/// - an existing role that Till did not create is never adopted (its password reset, its other
///   rights kept);
/// - a role that may hang a trigger on a table, or update a column, counts as able to write;
/// - anyone but the owner able to create objects in Till's schema makes every store refuse
///   to open, with the REVOKE to run;
/// - a terminal role dropped by hand does not break `--repair-functions`.
#[tokio::test]
async fn roles_that_could_do_more_than_a_terminal_are_refused() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let owner = db.open().await;
    let fixture = provision(owner.as_ref(), 1).await;

    let reporting = role_name();
    db.execute(&format!("CREATE ROLE {} LOGIN; GRANT pg_read_all_data TO {0}", reporting.as_str())).await;
    let refused = owner.create_terminal_role(&reporting, Some("pw")).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_input", "{refused}");
    db.execute(&format!("REVOKE pg_read_all_data FROM {0}; DROP ROLE {0}", reporting.as_str())).await;

    let role = role_name();
    owner.create_terminal_role(&role, Some("pw")).await.unwrap();
    bind(owner.as_ref(), &role, &fixture).await;
    let terminal_url = db.url_as(role.as_str(), "pw");
    // A careless grant: triggers on users, and one column.
    db.execute(&format!("GRANT TRIGGER ON users TO {0}; GRANT UPDATE (locked_until) ON users TO {0}", role.as_str()))
        .await;
    match till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await {
        Err(StoreError::Failed(StoreFailure::SchemaNotReady(text))) => assert!(text.contains("users"), "{text}"),
        other => panic!("expected schema_not_ready naming users, got {other:?}"),
    }
    db.execute(&format!(
        "REVOKE TRIGGER ON users FROM {0}; REVOKE UPDATE (locked_until) ON users FROM {0}",
        role.as_str()
    ))
    .await;
    till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.unwrap();

    // PostgreSQL 14 and older let PUBLIC create in schema public.
    db.execute("GRANT CREATE ON SCHEMA public TO PUBLIC").await;
    for url in [&db.url, &terminal_url] {
        match till_backend::open(url, &till_backend::desktop_options(url)).await {
            Err(StoreError::Failed(StoreFailure::SchemaNotReady(text))) => {
                assert!(text.contains("PUBLIC may create objects") && text.contains("REVOKE CREATE"), "{text}")
            }
            other => panic!("expected schema_not_ready, got {other:?}"),
        }
    }
    db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC").await;

    // A second terminal role dropped by hand: repairing still works.
    let gone = role_name();
    owner.create_terminal_role(&gone, None).await.unwrap();
    db.drop_role(gone.as_str()).await;
    owner.repair_functions().await.unwrap();
    db.drop_role(role.as_str()).await;
}

/// The functions `till_grant_terminal` grants a terminal's role, as its GRANT EXECUTE names them
/// (read from the function file, so this test and the grant cannot drift apart).
fn granted_to_terminals() -> Vec<String> {
    let file = include_str!("../../migrations/postgres/functions/till_grant_terminal.sql");
    let start = file.find("'GRANT EXECUTE ON FUNCTION ").expect("till_grant_terminal grants functions");
    let end = start + file[start..].find("'TO %I'").expect("the grant's end");
    // The statement is adjacent string literals: their text, joined.
    let text: String = file[start..end].split('\'').skip(1).step_by(2).collect();
    let list = text.strip_prefix("GRANT EXECUTE ON FUNCTION ").unwrap();
    // Split at the commas between signatures, not those between one's arguments.
    let (mut functions, mut depth, mut from) = (Vec::new(), 0, 0);
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                functions.push(list[from..i].trim().to_string());
                from = i + 1;
            }
            _ => {}
        }
    }
    functions.push(list[from..].trim().to_string());
    functions
}

/// What `role` may execute in Till's schema, as `tillctl doctor` reads it
/// ([`till_postgres::EXECUTABLE_FUNCTIONS`]): each function's signature, whether it is SECURITY
/// DEFINER, and whether it pins `search_path=public, pg_temp`.
async fn executable_by(conn: &mut sqlx::PgConnection, role: &DbRoleName) -> Vec<(String, bool, bool)> {
    sqlx::query_as(till_postgres::EXECUTABLE_FUNCTIONS).bind(role.as_str()).fetch_all(conn).await.unwrap()
}

/// The terminal's "executable functions" check, as doctor shows it on a store already open.
async fn executable_check(terminal: &dyn Store) -> SchemaCheck {
    let checks = terminal.check_schema().await;
    checks.into_iter().find(|c| c.name == "executable functions").expect("the executable functions check")
}

/// The owner-only helpers (till_actor, till_login_user, till_session_actor, ...) have no
/// search_path of their own and run under their SECURITY DEFINER caller's pinned one. A terminal
/// that called one directly would run it with its own rights: nothing is exposed. What must never
/// be is a function that runs with the owner's rights under the terminal's search_path. So: a
/// terminal's role may execute exactly what till_grant_terminal grants, each SECURITY DEFINER and
/// pinned, and no other function is SECURITY DEFINER (an owner-only one granted by hand would run
/// with the owner's rights). doctor refuses an unpinned SECURITY DEFINER function a terminal may
/// execute, and warns about a grant of any other (a `GRANT ... ON ALL FUNCTIONS` by habit).
#[tokio::test]
async fn a_terminal_role_executes_only_the_granted_pinned_functions() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let (_, role) = provisioned_with_terminal_role(&db).await;
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
    // The grant's signatures as the database spells them (to_regprocedure: NULL if none such).
    let mut granted: Vec<Option<String>> =
        sqlx::query_scalar("SELECT to_regprocedure(f)::text FROM unnest($1::text[]) f")
            .bind(granted_to_terminals())
            .fetch_all(&mut conn)
            .await
            .unwrap();
    granted.sort();
    assert!(granted.len() > 10 && granted.iter().all(Option::is_some), "{granted:?}");
    let granted: Vec<String> = granted.into_iter().flatten().collect();
    let names = |functions: &[(String, bool, bool)]| -> Vec<String> { functions.iter().map(|f| f.0.clone()).collect() };

    let executable = executable_by(&mut conn, &role).await;
    assert_eq!(names(&executable), granted);
    assert!(executable.iter().all(|(_, definer, pinned)| *definer && *pinned), "{executable:?}");
    // Every SECURITY DEFINER function in the schema is one a terminal is granted.
    let definers: Vec<String> = sqlx::query_scalar(
        "SELECT p.oid::regprocedure::text FROM pg_proc p
          WHERE p.pronamespace = current_schema()::regnamespace AND p.prosecdef ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(definers, granted);
    let terminal_url = db.url_as(role.as_str(), "pw");
    let terminal = till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.unwrap();
    let check = executable_check(terminal.as_ref()).await;
    assert!(check.ok && !check.warning, "{check:?}");

    // A helper granted by hand runs with the terminal's own rights: named, and a warning only.
    let actor = "till_actor(text,text,uuid,boolean,boolean)";
    db.execute(&format!("GRANT EXECUTE ON FUNCTION {actor} TO {}", role.as_str())).await;
    let executable = executable_by(&mut conn, &role).await;
    assert!(executable.contains(&(actor.to_string(), false, false)), "{executable:?}");
    assert_eq!(executable.len(), granted.len() + 1);
    let check = executable_check(terminal.as_ref()).await;
    assert!(check.ok && check.warning && check.detail.contains(actor), "{check:?}");
    till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.unwrap();
    db.execute(&format!("REVOKE EXECUTE ON FUNCTION {actor} FROM {}", role.as_str())).await;

    // The guard bites: a function with the owner's rights and the caller's search_path, which a
    // terminal may execute, is refused (every till stops, with the REVOKE to run).
    db.execute(&format!(
        "CREATE FUNCTION till_probe_definer() RETURNS integer LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';
         GRANT EXECUTE ON FUNCTION till_probe_definer() TO {}",
        role.as_str()
    ))
    .await;
    assert!(executable_by(&mut conn, &role).await.contains(&("till_probe_definer()".to_string(), true, false)));
    let check = executable_check(terminal.as_ref()).await;
    assert!(!check.ok && check.refusal == Some(ErrorCode::DatabaseMisconfigured), "{check:?}");
    let revoke = format!("REVOKE EXECUTE ON FUNCTION till_probe_definer() FROM {}, PUBLIC", role.as_str());
    assert!(check.fix.as_deref().is_some_and(|fix| fix.contains(&revoke)), "{check:?}");
    assert!(till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.is_err());
    drop(terminal);
    db.execute("DROP FUNCTION till_probe_definer()").await;
    till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.unwrap();
    drop(conn);
    db.drop_role(role.as_str()).await;
}

/// Through a terminal's role: a login expired at its location (idle past the 15-minute limit,
/// within a day) is told `not_logged_in` for its own register's session, and must be told the
/// same for a session that does not exist (0027 judged it by 1440 minutes and answered
/// `session_not_found`: which sessions exist, told to an expired login).
#[tokio::test]
async fn a_terminals_expired_login_is_not_told_which_sessions_exist() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let (owner, role) = provisioned_with_terminal_role(&db).await;
    let terminal_url = db.url_as(role.as_str(), "pw");
    let terminal = till_backend::open(&terminal_url, &till_backend::desktop_options(&terminal_url)).await.unwrap();
    let store = terminal.as_ref();
    let device = DeviceName::parse("till-pc-1").unwrap();
    let cashier = service::authenticate(store, "alice", "1234", &device).await.unwrap();
    let register = RegisterRef::parse("DT/R1").unwrap();
    let opening =
        StartRequest { request_id: RequestId::new(), opening_cash: Some(CashAmount::Typed("0.00")), notes: None };
    let own = service::start_shift(store, &cashier, &register, &device, opening).await.unwrap().session.id;
    db.execute("UPDATE locations SET login_idle_minutes = 15").await;
    db.execute("UPDATE logins SET last_used = now() - interval '60 minutes'").await;
    let code = |r: Result<(), StoreError>| r.err().map_or("ok", |e| e.code());
    let on_own = code(store.refuse_count(own, 0, &cashier.login, &device).await);
    let on_unknown = code(store.refuse_count(SessionId::new(), 0, &cashier.login, &device).await);
    assert_eq!((on_own, on_unknown), ("not_logged_in", "not_logged_in"));
    drop(terminal);
    drop(owner);
    db.drop_role(role.as_str()).await;
}
