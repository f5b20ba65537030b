//! Attacks on identity and approval, run as a store terminal's PostgreSQL role with the rights
//! `psql` and the till's password give, straight in SQL. Each failed before its fix: the hashes
//! were readable, a terminal set any user's PIN state, a guess could be rolled back uncounted,
//! every write took a user id and an approver id on the caller's word, the role acted on any
//! register, and sessions took the caller's time. PostgreSQL only (SQLite's owner is the OS
//! user; the file's protection is dealt with separately).

use sqlx::{Connection as _, PgConnection, Row as _};
use till_core::service;
use till_core::*;
use till_testkit::{provision, Backend, TestDatabase};

/// A migrated database with the demo-like fixture (alice 1234 cashier, bob 9999 manager) and a
/// terminal role; its URL as that role.
struct Till {
    db: TestDatabase,
    owner: std::sync::Arc<dyn Store>,
    fixture: till_testkit::Fixture,
    role: String,
    url: String,
}

impl Till {
    /// Two registers, DT/R1 and DT/R2; the terminal's role is bound to DT/R1 only.
    async fn new() -> Till {
        let db = TestDatabase::migrated(Backend::Postgres).await;
        let owner = db.open().await;
        let fixture = provision(owner.as_ref(), 2).await;
        let role = format!("till_attack_{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
        let name = DbRoleName::parse(&role).unwrap();
        owner.create_terminal_role(&name, Some("till-pw")).await.unwrap();
        let binding = TerminalBinding { registers: vec![fixture.registers[0].id], locations: Vec::new() };
        owner.bind_terminal_role(&name, &binding).await.unwrap();
        let url = db.url_as(&role, "till-pw");
        Till { db, owner, fixture, role, url }
    }

    /// A `psql` of the attacker: a plain connection as the terminal's role.
    async fn psql(&self) -> PgConnection {
        PgConnection::connect(&self.url).await.unwrap()
    }

    /// The owner's own connection, to look at what a terminal may not.
    async fn owner_sql(&self) -> PgConnection {
        PgConnection::connect(&self.db.url).await.unwrap()
    }

    async fn user(&self, name: &str) -> User {
        self.owner.find_user(&UserName::parse(name).unwrap()).await.unwrap()
    }

    async fn drop_role(self) {
        self.db.drop_role(&self.role).await;
    }
}

/// The SQLSTATE `sql` fails with, as the attacker's connection runs it ("ok" if it does not).
async fn sqlstate(conn: &mut PgConnection, sql: &str) -> String {
    match sqlx::raw_sql(sql).execute(&mut *conn).await {
        Ok(_) => "ok".to_string(),
        Err(e) => e.as_database_error().and_then(|d| d.code()).unwrap_or_default().to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_pin_hash_is_readable_by_a_terminal() {
    let till = Till::new().await;
    let mut psql = till.psql().await;
    // Before: `SELECT pin_hash FROM users` listed every hash, and a 4-digit PIN fell offline.
    for sql in
        ["SELECT pin_hash FROM users", "SELECT * FROM users", "SELECT * FROM pin_attempts", "SELECT * FROM logins"]
    {
        assert_eq!(sqlstate(&mut psql, sql).await, "42501", "{sql}");
    }
    // What the screens need is still there.
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM users ORDER BY name").fetch_all(&mut psql).await.unwrap();
    assert_eq!(names, ["alice", "bob"]);
    // New PINs are bcrypt, made by the database (pgcrypto), never argon2 made on a till.
    let hash: String = sqlx::query_scalar("SELECT pin_hash FROM users WHERE name = 'bob'")
        .fetch_one(&mut till.owner_sql().await)
        .await
        .unwrap();
    assert!(hash.starts_with("$2a$08$"), "{hash}");
    drop(psql);
    till.drop_role().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_lockout_is_set_or_cleared_by_a_terminal() {
    let till = Till::new().await;
    let mut psql = till.psql().await;
    let bob = till.user("bob").await.id.0;
    // Before: till_set_pin_state cleared a lockout with no trace, and locked bob until 2099.
    let attacks = [
        format!("SELECT till_set_pin_state('{bob}', 0, 0, '2099-01-01', '{{}}', '{{}}', '{{}}', 'pc', now())"),
        format!("SELECT till_lock_user('{bob}', NULL)"),
        "UPDATE users SET locked_until = '2099-01-01' WHERE name = 'bob'".to_string(),
        "SELECT till_settle_pins(id) FROM users".to_string(),
        "SELECT till_login_user('x', 'pc', 5)".to_string(),
    ];
    for sql in &attacks {
        let state = sqlstate(&mut psql, sql).await;
        assert!(matches!(state.as_str(), "42501" | "42883"), "{sql}: {state}");
    }
    // An unlock from a terminal needs a manager's live login: with none, or a cashier's, refused.
    assert_eq!(sqlstate(&mut psql, "SELECT till_unlock_user(NULL, 'alice', 'pc')").await, "TL403");
    assert_eq!(sqlstate(&mut psql, "SELECT till_unlock_user('guessed', 'alice', 'pc')").await, "TL442");
    let user = till.user("bob").await;
    assert_eq!((user.failed_pins, user.locked_until), (0, None));
    // tillctl's unlock without --by, through the terminal's role: refused; as the owner: done.
    for _ in 0..5 {
        service::authenticate(till.owner.as_ref(), "alice", "0000", &DeviceName::parse("pc").unwrap()).await.ok();
    }
    let terminal = till_backend::open(&till.url, &till_backend::desktop_options(&till.url)).await.unwrap();
    let it = DeviceName::parse("it").unwrap();
    let refused = service::unlock_user(terminal.as_ref(), None, "alice", &it).await.unwrap_err();
    assert_eq!(refused.code(), "forbidden", "{refused}");
    assert!(till.user("alice").await.locked_until.is_some());
    service::unlock_user(till.owner.as_ref(), None, "alice", &it).await.unwrap();
    let events = till.owner.list_auth_events(10).await.unwrap();
    assert_eq!(events[0].kind, AuthEventKind::Unlocked);
    assert_eq!(events[0].detail.as_deref(), Some("by tillctl"));
    drop((psql, terminal));
    till.drop_role().await;
}

/// The result of a guess is never given in the guess's own transaction, so rolling back cannot
/// hide a wrong guess: every guess that could teach anything is counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guess_rolled_back_teaches_nothing_and_a_committed_one_counts() {
    let till = Till::new().await;
    let mut psql = till.psql().await;
    // In one transaction: the check, then its result: refused (TL441), then rolled back.
    sqlx::raw_sql("BEGIN").execute(&mut psql).await.unwrap();
    let attempt: uuid::Uuid =
        sqlx::query_scalar("SELECT till_pin_check('bob', '9999', 'pc')").fetch_one(&mut psql).await.unwrap();
    let asked = sqlx::query("SELECT * FROM till_pin_result($1)").bind(attempt).fetch_one(&mut psql).await;
    assert_eq!(asked.unwrap_err().as_database_error().and_then(|d| d.code()).as_deref(), Some("TL441"));
    sqlx::raw_sql("ROLLBACK").execute(&mut psql).await.unwrap();
    // A statement of many guesses: one check of a user per transaction, so it is refused.
    let many = "SELECT till_pin_check('bob', lpad(i::text, 4, '0'), 'pc') FROM generate_series(0, 9999) i";
    assert_eq!(sqlstate(&mut psql, many).await, "TL002");
    // Found by the attacker review: a second check in the same transaction applied the first to
    // bob's readable columns, so `failed_pins` told a wrong guess from a right one, and a
    // rollback undid the count: bob's PIN fell in 49 s, uncounted. Now the transaction's own
    // check is never applied inside it, and a second check of bob (even in a sub-block that
    // catches the refusal) is refused.
    sqlx::raw_sql("BEGIN").execute(&mut psql).await.unwrap();
    sqlx::raw_sql("SELECT till_pin_check('bob', '0000', 'pc')").execute(&mut psql).await.unwrap();
    let caught = "DO $$ BEGIN PERFORM till_pin_check('bob', '0001', 'pc'); \
                  EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'refused'; END $$";
    sqlx::raw_sql(caught).execute(&mut psql).await.unwrap();
    assert_eq!(sqlstate(&mut psql, "SELECT till_pin_check('bob', '0002', 'pc')").await, "TL002");
    sqlx::raw_sql("ROLLBACK").execute(&mut psql).await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut psql).await.unwrap();
    sqlx::raw_sql("SELECT till_pin_check('bob', '0000', 'pc')").execute(&mut psql).await.unwrap();
    let (failed, lockouts): (i32, i32) = sqlx::query_as("SELECT failed_pins, lockouts FROM users WHERE name = 'bob'")
        .fetch_one(&mut psql)
        .await
        .unwrap();
    assert_eq!((failed, lockouts), (0, 0), "the transaction's own guess is not applied inside it");
    sqlx::raw_sql("ROLLBACK").execute(&mut psql).await.unwrap();
    // An older snapshot would not see the committed checks that locked a user: refused.
    sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ").execute(&mut psql).await.unwrap();
    assert_eq!(sqlstate(&mut psql, "SELECT till_pin_check('bob', '0000', 'pc')").await, "TL001");
    sqlx::raw_sql("ROLLBACK").execute(&mut psql).await.unwrap();
    let hidden = sqlstate(&mut psql, "SELECT count(*) FROM pin_attempts").await;
    assert_eq!(hidden, "42501");
    // Five wrong guesses committed, their results never asked: bob is locked all the same.
    for pin in ["0000", "0001", "0002", "0003", "0004"] {
        sqlx::query("SELECT till_pin_check('bob', $1, 'pc')").bind(pin).execute(&mut psql).await.unwrap();
    }
    let locked = service::authenticate(till.owner.as_ref(), "bob", "9999", &DeviceName::parse("pc").unwrap()).await;
    assert_eq!(locked.unwrap_err().code(), "user_locked");
    let events = till.owner.list_auth_events(20).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.user == "bob" && e.kind == AuthEventKind::PinFailed).count(), 5);
    // A result is given once, to the role that asked: asking again, or for another's, refused.
    let attempt: uuid::Uuid =
        sqlx::query_scalar("SELECT till_pin_check('alice', '1234', 'pc')").fetch_one(&mut psql).await.unwrap();
    let row = sqlx::query("SELECT * FROM till_pin_result($1)").bind(attempt).fetch_one(&mut psql).await.unwrap();
    assert_eq!(row.get::<String, _>("outcome"), "ok");
    let token: String = row.get("token");
    assert_eq!(token.len(), 64, "256 random bits");
    let again = sqlx::query("SELECT * FROM till_pin_result($1)").bind(attempt).fetch_one(&mut psql).await;
    assert_eq!(again.unwrap_err().as_database_error().and_then(|d| d.code()).as_deref(), Some("TL440"));
    // Only the token's hash is stored.
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM logins WHERE token_hash = $1 OR token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')")
        .bind(&token)
        .fetch_one(&mut till.owner_sql().await)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let plain: i64 = sqlx::query_scalar("SELECT count(*) FROM logins WHERE token_hash = $1")
        .bind(&token)
        .fetch_one(&mut till.owner_sql().await)
        .await
        .unwrap();
    assert_eq!(plain, 0);
    drop(psql);
    till.drop_role().await;
}

/// A transaction a terminal leaves open on a user's row (a PIN check never committed) used to
/// make every login of that user answer `database_busy` for as long as it stayed open. The
/// terminal's role now ends such a transaction after 5 s idle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_transaction_cannot_lock_a_user_out_for_long() {
    let till = Till::new().await;
    let mut psql = till.psql().await;
    let setting: String = sqlx::query_scalar("SELECT current_setting('idle_in_transaction_session_timeout')")
        .fetch_one(&mut psql)
        .await
        .unwrap();
    assert_eq!(setting, "5s");
    sqlx::raw_sql("BEGIN; SELECT till_pin_check('alice', '0000', 'pc')").execute(&mut psql).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    // The holder was cut off; alice logs in.
    let terminal = till_backend::open(&till.url, &till_backend::desktop_options(&till.url)).await.unwrap();
    let alice = service::authenticate(terminal.as_ref(), "alice", "1234", &DeviceName::parse("pc").unwrap()).await;
    assert_eq!(alice.map(|u| u.user.name).map_err(|e| e.code()), Ok("alice".to_string()));
    assert!(sqlx::raw_sql("SELECT 1").execute(&mut psql).await.is_err(), "the held transaction's session was ended");
    drop(terminal);
    till.drop_role().await;
}

/// IT's new PIN starts the count afresh: checks committed before it whose results nobody asked
/// (so not yet applied to the user) are counted against the old PIN, not the new one. Before,
/// `set-pin` cleared the count and left them pending, so the first miss with the new PIN
/// applied them too and locked the user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_pin_counts_the_checks_before_it_against_the_old_one() {
    let till = Till::new().await;
    let mut psql = till.psql().await;
    for pin in ["0000", "0001", "0002", "0003"] {
        sqlx::query("SELECT till_pin_check('alice', $1, 'pc')").bind(pin).execute(&mut psql).await.unwrap();
    }
    let it = DeviceName::parse("it").unwrap();
    let reset = service::set_pin(till.owner.as_ref(), "alice", "4321", &it).await.unwrap();
    assert_eq!((reset.failed_pins, reset.locked_until), (0, None));
    let missed = service::authenticate(till.owner.as_ref(), "alice", "1234", &DeviceName::parse("pc").unwrap()).await;
    assert_eq!(missed.unwrap_err().code(), "wrong_pin", "the old PIN is wrong now, and only once");
    assert_eq!(till.user("alice").await.failed_pins, 1);
    let events = till.owner.list_auth_events(20).await.unwrap();
    assert_eq!(events.iter().filter(|e| e.kind == AuthEventKind::PinFailed).count(), 4 + 1, "{events:?}");
    assert!(service::authenticate(till.owner.as_ref(), "alice", "4321", &it).await.is_ok());
    drop(psql);
    till.drop_role().await;
}

/// A PIN an older Till hashed (argon2id) cannot be checked by the database: the user is told
/// what IT runs, and `tillctl user set-pin` (the owner's role) makes it work again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_tills_pin_is_reset_by_it() {
    let till = Till::new().await;
    let argon = Pin::parse("1234").unwrap().hash().0;
    till.db.execute(&format!("UPDATE users SET pin_hash = '{argon}' WHERE name = 'alice'")).await;
    let pc = DeviceName::parse("pc").unwrap();
    let refused = service::authenticate(till.owner.as_ref(), "alice", "1234", &pc).await.unwrap_err();
    assert_eq!(refused.code(), "pin_reset_needed");
    assert!(refused.to_string().contains("tillctl user set-pin --name alice"), "{refused}");
    let terminal = till_backend::open(&till.url, &till_backend::desktop_options(&till.url)).await.unwrap();
    let it = DeviceName::parse("it").unwrap();
    assert!(service::set_pin(terminal.as_ref(), "alice", "4321", &it).await.is_err(), "only the owner sets PINs");
    service::set_pin(till.owner.as_ref(), "alice", "4321", &it).await.unwrap();
    assert!(service::authenticate(terminal.as_ref(), "alice", "4321", &pc).await.is_ok());
    drop(terminal);
    till.drop_role().await;
}

/// A login as an attacker at the till makes one, in SQL: the PIN check, then (committed) its
/// result. Returns the token.
async fn sql_login(conn: &mut PgConnection, name: &str, pin: &str, device: &str) -> String {
    let attempt: uuid::Uuid = sqlx::query_scalar("SELECT till_pin_check($1, $2, $3)")
        .bind(name)
        .bind(pin)
        .bind(device)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let row = sqlx::query("SELECT outcome, token FROM till_pin_result($1)").bind(attempt).fetch_one(&mut *conn).await;
    let row = row.unwrap();
    assert_eq!(row.get::<String, _>("outcome"), "ok");
    row.get("token")
}

/// A manager's approval of `request` for `action`, as the terminal obtains it with the
/// manager's PIN. `None` when the database issues none (the outcome is returned instead).
async fn sql_approval(
    conn: &mut PgConnection,
    name: &str,
    pin: &str,
    device: &str,
    action: &str,
    request: &serde_json::Value,
) -> Result<String, String> {
    let attempt: uuid::Uuid = sqlx::query_scalar("SELECT till_pin_check($1, $2, $3)")
        .bind(name)
        .bind(pin)
        .bind(device)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    let row = sqlx::query("SELECT outcome, token FROM till_pin_approval($1, $2, $3)")
        .bind(attempt)
        .bind(action)
        .bind(sqlx::types::Json(request))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    match row.get::<Option<String>, _>("token") {
        Some(token) => Ok(token),
        None => Err(row.get("outcome")),
    }
}

/// The SQLSTATE a function call with `p` fails with ("ok" if it does not).
async fn call(conn: &mut PgConnection, function: &str, p: &serde_json::Value) -> String {
    match sqlx::query(&format!("SELECT * FROM {function}($1)")).bind(sqlx::types::Json(p)).execute(&mut *conn).await {
        Ok(_) => "ok".to_string(),
        Err(e) => e.as_database_error().and_then(|d| d.code()).unwrap_or_default().to_string(),
    }
}

/// An open session on DT/R1 with alice's cash sale of a 899.00 TV (10 % tax), made by the owner
/// (the store's honest path): the session's id and the sale's.
async fn session_with_a_sale(till: &Till) -> (SessionId, uuid::Uuid) {
    let owner = till.owner.as_ref();
    let fx = &till.fixture;
    service::add_tax_rate(owner, "DT", "std", "Standard", "10").await.unwrap();
    let product = service::ProductInput {
        sku: "TV",
        name: "Television",
        price: "899.00",
        tax_rate: "std",
        category: None,
        barcodes: &[],
    };
    service::add_product(owner, "DT", product).await.unwrap();
    let started = owner.start_shift(till_testkit::start(&fx.cashier, fx.registers[0].id, "pc1", Some(10_000))).await;
    let session = started.unwrap().session.id;
    let request: service::SaleRequest = serde_json::from_value(serde_json::json!({
        "lines": [{"sku": "TV", "quantity": 1}],
        "tenders": [{"kind": "cash", "amount": 100000}],
    }))
    .unwrap();
    let register = RegisterRef::parse("DT/R1").unwrap();
    let pc1 = DeviceName::parse("pc1").unwrap();
    let till_ = service::Till { who: &fx.cashier, register: &register, device: &pc1, session: None, approval: None };
    let sold = service::record_sale(owner, till_, ReceiptId::new(), &request).await.unwrap();
    (session, sold.id.0)
}

/// Before: every write took `user_id` and `approved_by` on the caller's word. Now every write
/// takes a login the database issued, from the device and role it was issued to; and what needs
/// a manager carries the manager's approval, which the database issues only for the manager's
/// PIN, for one action and one request, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_write_on_a_user_id_and_no_approval_without_the_pin() {
    let till = Till::new().await;
    let (session, sale) = session_with_a_sale(&till).await;
    let r1 = till.fixture.registers[0].id.0;
    let bob = till.user("bob").await.id.0;
    let mut psql = till.psql().await;
    let alice = sql_login(&mut psql, "alice", "1234", "pc").await;
    let movement = |amount: i64, extra: serde_json::Value| {
        let mut p = serde_json::json!({
            "id": uuid::Uuid::now_v7(), "session_id": session.0, "register_id": r1, "kind": "paid_out",
            "amount": amount, "reason": "other", "note": null, "device": "pc", "request_hash": "h",
        });
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };

    // A user id instead of a login: not logged in.
    let by_id = movement(100, serde_json::json!({ "user_id": bob }));
    assert_eq!(call(&mut psql, "till_record_cash_movement", &by_id).await, "TL442");
    // A guessed token, and a real one used from another device: not logged in.
    let guessed = movement(100, serde_json::json!({ "login": "0".repeat(64) }));
    assert_eq!(call(&mut psql, "till_record_cash_movement", &guessed).await, "TL442");
    let elsewhere = movement(100, serde_json::json!({ "login": alice, "device": "pc-2" }));
    assert_eq!(call(&mut psql, "till_record_cash_movement", &elsewhere).await, "TL442");
    // Another role's login (the owner's fixture login of alice) is not this role's.
    let owners = movement(100, serde_json::json!({ "login": till.fixture.cashier.login.expose(), "device": "pc1" }));
    assert_eq!(call(&mut psql, "till_record_cash_movement", &owners).await, "TL442");

    // Before: a 500.00 paid out against a 50.00 limit, "approved by" bob's id.
    let big = movement(50_000, serde_json::json!({ "login": alice, "approved_by": bob }));
    assert_eq!(call(&mut psql, "till_record_cash_movement", &big).await, "TL432");
    // An approval is issued for a manager's PIN only: alice's own right PIN gets none.
    let request = movement(50_000, serde_json::json!({}));
    let refused = sql_approval(&mut psql, "alice", "1234", "pc", "cash_movement", &request).await;
    assert_eq!(refused, Err("not_a_manager".to_string()));
    let wrong = sql_approval(&mut psql, "bob", "0000", "pc", "cash_movement", &request).await;
    assert_eq!(wrong, Err("wrong_pin".to_string()));
    // A forged approval token: refused.
    let forged = movement(50_000, serde_json::json!({ "login": alice, "approval": "f".repeat(64) }));
    assert_eq!(call(&mut psql, "till_record_cash_movement", &forged).await, "TL443");
    // bob approves a paid out of 60.00; it does not stretch to 500.00, nor to another action.
    let small = movement(6_000, serde_json::json!({ "login": alice }));
    let approval = sql_approval(&mut psql, "bob", "9999", "pc", "cash_movement", &small).await.unwrap();
    let stretched = serde_json::json!({ "login": alice, "approval": approval, "amount": 50_000 });
    let stretched = movement(50_000, stretched);
    assert_eq!(call(&mut psql, "till_record_cash_movement", &stretched).await, "TL443");
    let mut as_approved = small.clone();
    as_approved["approval"] = approval.clone().into();
    assert_eq!(call(&mut psql, "till_record_cash_movement", &as_approved).await, "ok");
    // Used once: the same approval on a second, otherwise identical movement is refused.
    let mut again = as_approved.clone();
    again["id"] = uuid::Uuid::now_v7().to_string().into();
    assert_eq!(call(&mut psql, "till_record_cash_movement", &again).await, "TL443");

    // Before: a refund with no approver at all, and a cash refund of a card sale "approved by" bob.
    let refund = serde_json::json!({
        "id": uuid::Uuid::now_v7(), "kind": "refund", "refund_of": sale, "session_id": session.0,
        "register_id": r1, "device": "pc", "request_hash": "r", "login": alice, "approved_by": bob,
        "prices_include_tax": false, "subtotal": 0, "discount": 0, "tax": 0, "total": 0, "rounding": 0,
        "tendered": 0, "change": 0, "cash_net": 0, "lines": [], "tenders": [], "taxes": [],
    });
    assert_eq!(call(&mut psql, "till_record_receipt", &refund).await, "TL432");

    // Before: a close signed off, a force-close and a late count "by" bob. Alice's login alone
    // may do none of them.
    let close = serde_json::json!({
        "session_id": session.0, "request_id": uuid::Uuid::now_v7(), "login": alice, "user_id": bob,
        "approved_by": bob, "counted_cash": 0, "float_left": 0, "device": "pc", "variance_reason": "short",
    });
    assert_eq!(call(&mut psql, "till_close_session", &close).await, "TL403");
    let force = serde_json::json!({
        "session_id": session.0, "request_id": uuid::Uuid::now_v7(), "login": alice, "user_id": bob,
        "reason": "forgotten", "device": "pc",
    });
    assert_eq!(call(&mut psql, "till_force_close", &force).await, "TL403");

    // Found by the attacker review: with no login, a call that returned early (opening count
    // recorded, count refused on a closed session) still locked the session first. Every write
    // now asks who acts before it locks anything.
    for function in
        ["till_record_opening_count", "till_refuse_count", "till_record_reprint", "till_late_count", "till_record_void"]
    {
        let p = serde_json::json!({ "session_id": session.0, "device": "pc", "number": "x", "counted_cash": 0,
                                    "float_left": 0 });
        assert_eq!(call(&mut psql, function, &p).await, "TL442", "{function}");
    }
    // An approval is for one login's request: bob's approval of alice's paid out does not serve
    // carol's identical one on the same till.
    service::add_user(till.owner.as_ref(), "carol", "cashier", "5555").await.unwrap();
    let carol = sql_login(&mut psql, "carol", "5555", "pc").await;
    let mut alices = movement(6_000, serde_json::json!({ "login": alice }));
    let approval = sql_approval(&mut psql, "bob", "9999", "pc", "cash_movement", &alices).await.unwrap();
    let mut carols = alices.clone();
    carols["login"] = carol.into();
    carols["approval"] = approval.clone().into();
    assert_eq!(call(&mut psql, "till_record_cash_movement", &carols).await, "TL443");
    alices["approval"] = approval.into();
    assert_eq!(call(&mut psql, "till_record_cash_movement", &alices).await, "ok");

    // The helpers that act for whoever is named are the owner's alone.
    for sql in [
        format!("SELECT till_login_user('{alice}', 'pc', 15)"),
        format!("SELECT till_actor('{alice}', 'pc', '{r1}', false)"),
        "SELECT till_use_approval('close', '{}')".to_string(),
        format!("SELECT till_manager('close', '{{}}', u) FROM users u WHERE u.id = '{bob}'"),
        "SELECT till_pin_answer(gen_random_uuid())".to_string(),
        format!("SELECT till_bind_terminal('{}', ARRAY['{r1}'::uuid], NULL)", till.role),
        format!("SELECT till_may_act(NULL, '{r1}')"),
        "SELECT till_session_actor('{}', false)".to_string(),
    ] {
        let state = sqlstate(&mut psql, &sql).await;
        assert!(matches!(state.as_str(), "42501" | "42883"), "{sql}: {state}");
    }
    // Nothing above was recorded but the two approved paid outs.
    let mut owner = till.owner_sql().await;
    let (movements, refunds, closed): (i64, i64, bool) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM cash_movements), (SELECT count(*) FROM sales WHERE kind = 'refund'),
                (SELECT status = 'closed' FROM sessions WHERE id = $1)",
    )
    .bind(session.0)
    .fetch_one(&mut owner)
    .await
    .unwrap();
    assert_eq!((movements, refunds, closed), (2, 0, false));
    drop(psql);
    till.drop_role().await;
}

/// Before: the role was tied to nothing, so it sold at any register of any store. Now it acts
/// only where IT bound it; a role bound to nothing (made before bindings) acts nowhere and says
/// what IT runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_other_register_and_an_unbound_role_is_told_how_to_bind() {
    let till = Till::new().await;
    let (r1, r2) = (till.fixture.registers[0].id.0, till.fixture.registers[1].id.0);
    let mut psql = till.psql().await;
    let alice = sql_login(&mut psql, "alice", "1234", "pc").await;
    let start = |register: uuid::Uuid| {
        serde_json::json!({
            "request_id": uuid::Uuid::now_v7(), "register_id": register, "login": alice,
            "opening_cash": 10_000, "device": "pc", "notes": null,
        })
    };
    assert_eq!(call(&mut psql, "till_start_shift", &start(r2)).await, "TL444");
    assert_eq!(call(&mut psql, "till_start_shift", &start(r1)).await, "ok");
    // A session the owner opened on R2: no movement, no close from this role.
    let fx = &till.fixture;
    let pc1 = till_testkit::login(till.owner.as_ref(), "alice", "1234", "pc1").await;
    let on_r2 = till.owner.start_shift(till_testkit::start(&pc1, fx.registers[1].id, "pc1", Some(0))).await;
    let on_r2 = on_r2.unwrap().session.id.0;
    let paid_in = serde_json::json!({
        "id": uuid::Uuid::now_v7(), "session_id": on_r2, "register_id": r2, "kind": "paid_in", "amount": 100,
        "reason": "other", "note": null, "device": "pc", "request_hash": "h", "login": alice,
    });
    assert_eq!(call(&mut psql, "till_record_cash_movement", &paid_in).await, "TL444");

    // A role made before bindings: the app refuses to start on it, saying what IT runs; and in
    // plain SQL it acts nowhere either.
    let old = format!("{}_old", till.role);
    let old_name = DbRoleName::parse(&old).unwrap();
    till.owner.create_terminal_role(&old_name, Some("old-pw")).await.unwrap();
    let old_url = till.db.url_as(&old, "old-pw");
    let refused = till_backend::open(&old_url, &till_backend::desktop_options(&old_url)).await.unwrap_err();
    assert_eq!(refused.code(), "database_misconfigured", "{refused}");
    assert!(refused.to_string().contains(&format!("tillctl db create-terminal-role {old} --register")), "{refused}");
    let mut old_psql = PgConnection::connect(&old_url).await.unwrap();
    let alice_old = sql_login(&mut old_psql, "alice", "1234", "pc").await;
    let start_old = serde_json::json!({
        "request_id": uuid::Uuid::now_v7(), "register_id": r1, "login": alice_old, "opening_cash": 0, "device": "pc",
    });
    assert_eq!(call(&mut old_psql, "till_start_shift", &start_old).await, "TL444");
    // Bound, it works.
    let binding = TerminalBinding { registers: vec![fx.registers[0].id], locations: Vec::new() };
    till.owner.bind_terminal_role(&old_name, &binding).await.unwrap();
    let terminal = till_backend::open(&old_url, &till_backend::desktop_options(&old_url)).await.unwrap();
    drop(old_psql);
    drop(terminal);
    drop(psql);
    till.db.drop_role(&old).await;
    till.drop_role().await;
}

/// Before: sessions, closes and Z reports took any time the caller chose. The positional
/// till_start_shift that took one is gone, and a time in the request is ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_chosen_time() {
    let till = Till::new().await;
    let r1 = till.fixture.registers[0].id.0;
    let bob = till.user("bob").await.id.0;
    let mut psql = till.psql().await;
    let old =
        format!("SELECT till_start_shift(gen_random_uuid(), '{r1}', '{bob}', 0, 'pc', NULL, '2000-01-01 12:00+00')");
    assert_eq!(sqlstate(&mut psql, &old).await, "42883");
    let manager = sql_login(&mut psql, "bob", "9999", "pc").await;
    let session = uuid::Uuid::now_v7();
    let start = serde_json::json!({
        "request_id": session, "register_id": r1, "login": manager, "opening_cash": 0, "device": "pc",
        "at": "2000-01-01T12:00:00Z",
    });
    assert_eq!(call(&mut psql, "till_start_shift", &start).await, "ok");
    let close = serde_json::json!({
        "session_id": session, "request_id": uuid::Uuid::now_v7(), "login": manager, "counted_cash": 0,
        "float_left": 0, "device": "pc", "at": "2000-01-01T13:00:00Z",
    });
    assert_eq!(call(&mut psql, "till_close_session", &close).await, "ok");
    let (opened, closed, z_at, today): (
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
        chrono::DateTime<chrono::Utc>,
        bool,
    ) = sqlx::query_as(
        "SELECT s.opened_at, s.closed_at, z.at,
                    s.business_day = till_business_day(now(), 'America/New_York', 240)
               FROM sessions s JOIN z_reports z ON z.session_id = s.id WHERE s.id = $1",
    )
    .bind(session)
    .fetch_one(&mut till.owner_sql().await)
    .await
    .unwrap();
    let now = till_core::clock::system_now();
    for at in [opened, closed, z_at] {
        assert!((now - at).num_minutes().abs() < 5, "{at} is the database's clock, not the caller's");
    }
    assert!(today, "the business day is today's");
    drop(psql);
    till.drop_role().await;
}

/// One number a query of the attacker's answers.
async fn scalar(conn: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap()
}

/// Row-level security: a terminal's role reads only its own location's rows (it was tied to
/// nothing, so it read every store of a chain); a role bound to nothing reads none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_reads_of_another_location() {
    let till = Till::new().await;
    let owner = till.owner.as_ref();
    let uptown = service::LocationInput {
        code: "UP",
        name: "Uptown",
        time_zone: Some("America/New_York"),
        cutoff: None,
        currency: Some("USD"),
        locale: Some("en-US"),
        ..Default::default()
    };
    service::add_location(owner, uptown).await.unwrap();
    let up1 = service::add_register(owner, "UP", "R1", None).await.unwrap();
    let alice = till_testkit::login(owner, "alice", "1234", "pc1").await;
    owner.start_shift(till_testkit::start(&alice, up1.id, "pc1", Some(100))).await.unwrap();
    owner.start_shift(till_testkit::start(&alice, till.fixture.registers[0].id, "pc1", Some(100))).await.unwrap();
    let mut psql = till.psql().await;
    // The owner sees both stores; the terminal bound to DT/R1 only DT.
    let mut own = till.owner_sql().await;
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions").fetch_one(&mut own).await.unwrap();
    assert_eq!(all, 2);
    assert_eq!(scalar(&mut psql, "SELECT count(*) FROM sessions").await, 1);
    assert_eq!(scalar(&mut psql, "SELECT count(*) FROM sessions WHERE location_code = 'UP'").await, 0);
    assert_eq!(scalar(&mut psql, "SELECT count(*) FROM locations").await, 1);
    assert_eq!(scalar(&mut psql, "SELECT count(*) FROM registers").await, 2, "DT's two registers");
    assert_eq!(
        scalar(&mut psql, "SELECT count(*) FROM cash_reasons WHERE location_id NOT IN (SELECT id FROM locations)")
            .await,
        0
    );
    let chains: i64 = sqlx::query_scalar("SELECT count(DISTINCT chain_id) FROM journal WHERE chain_id = $1")
        .bind(up1.id.0)
        .fetch_one(&mut till.psql().await)
        .await
        .unwrap();
    assert_eq!(chains, 0, "UP/R1's journal is not readable");
    let own_chain: i64 = sqlx::query_scalar("SELECT count(*) FROM journal WHERE chain_id = $1")
        .bind(till.fixture.registers[0].id.0)
        .fetch_one(&mut till.psql().await)
        .await
        .unwrap();
    assert!(own_chain > 0, "its own register's journal is");
    // A role bound to nothing reads no store's rows.
    let unbound = format!("{}_none", till.role);
    till.owner.create_terminal_role(&DbRoleName::parse(&unbound).unwrap(), Some("pw")).await.unwrap();
    let mut none = PgConnection::connect(&till.db.url_as(&unbound, "pw")).await.unwrap();
    for table in ["sessions", "locations", "registers", "journal", "sales", "products"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&mut none).await.unwrap();
        assert_eq!(n, 0, "{table}");
    }
    drop(none);
    drop(own);
    drop(psql);
    till.db.drop_role(&unbound).await;
    till.drop_role().await;
}

/// Attacks on a receipt's figures, through the app's own store code as a bound terminal role: a
/// 899.00 TV recorded at 0.01 by editing its line's total, and −970.00 hidden as "rounding".
/// The database recomputes every figure from the lines (till_receipt_figures) and refuses both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_figure_on_the_callers_word() {
    let till = Till::new().await;
    let (session, _) = session_with_a_sale(&till).await;
    let terminal = till_backend::open(&till.url, &till_backend::desktop_options(&till.url)).await.unwrap();
    let pc = DeviceName::parse("pc").unwrap();
    let alice = service::authenticate(terminal.as_ref(), "alice", "1234", &pc).await.unwrap();
    let location = LocationCode::parse("DT").unwrap();
    let settings = terminal.pricing_settings(&location).await.unwrap();
    let tv = terminal.find_product(&location, &ProductKey::Sku(Sku::parse("TV").unwrap())).await.unwrap();
    let cart = pricing::Cart {
        lines: vec![pricing::CartLine { product: tv.snapshot(), quantity: 1, discount: None, price_override: None }],
        receipt_discount: None,
    };
    let priced = pricing::price_cart(&settings, &cart).unwrap();
    let settled = pricing::settle(&priced, &[pricing::Tender::Cash { amount: priced.total }]).unwrap();
    let honest = |id: ReceiptId| {
        let header = sales::ReceiptHeader {
            id,
            session_id: session,
            register_id: till.fixture.registers[0].id,
            actor: Actor::login(&alice.login),
            device: "pc".into(),
            request_hash: id.to_string(),
        };
        NewReceipt::sale(header, &priced, &settled)
    };
    let mut cheap = honest(ReceiptId::new());
    cheap.lines[0].total = 1;
    cheap.total = 1;
    cheap.tendered = 1;
    cheap.cash_net = 1;
    cheap.tenders[0].amount = 1;
    let refused = terminal.record_receipt(cheap).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_input", "{refused}");
    let mut hidden = honest(ReceiptId::new());
    hidden.rounding = -97_000;
    hidden.tendered -= 97_000;
    hidden.tenders[0].amount -= 97_000;
    hidden.cash_net -= 97_000;
    let refused = terminal.record_receipt(hidden).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_input", "{refused}");
    // Amounts that add up only past 2^63 (the attack that made an X show gross sales of
    // −4.4 × 10^16 and the register unclosable): two lines each near i64::MAX / 2 whose sum
    // wraps to the total. Every figure is bounded before anything is summed.
    let mut wrapped = honest(ReceiptId::new());
    let mut second = wrapped.lines[0].clone();
    second.line_no += 1;
    let huge = i64::MAX / 2 + 1;
    for line in [&mut wrapped.lines[0], &mut second] {
        (line.tax, line.total) = (huge, line.amount.wrapping_add(huge));
    }
    wrapped.total = wrapped.lines.iter().chain([&second]).fold(0i64, |sum, l| sum.wrapping_add(l.total));
    wrapped.tax = huge.wrapping_add(huge);
    wrapped.lines.push(second);
    let refused = terminal.record_receipt(wrapped).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_input", "{refused}");
    // The honest one is recorded as priced.
    terminal.record_receipt(honest(ReceiptId::new())).await.unwrap();
    drop(terminal);
    till.drop_role().await;
}

/// A void is written only by till_record_void, as the login's user, priced by the database.
/// As the terminal's role in plain SQL: no row of `voids` or `void_lines` written, no session
/// total moved, no void on a forged or ended login or on another register's session, no figure
/// on the caller's word, and nothing of a bad void written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_void_but_through_its_function() {
    let till = Till::new().await;
    let (session, _) = session_with_a_sale(&till).await;
    let r1 = till.fixture.registers[0].id.0;
    let (dt, tv) = (LocationCode::parse("DT").unwrap(), ProductKey::Sku(Sku::parse("TV").unwrap()));
    let tv = till.owner.find_product(&dt, &tv).await.unwrap().id.0;
    let alice_id = till.user("alice").await.id.0;
    let mut psql = till.psql().await;
    let alice = sql_login(&mut psql, "alice", "1234", "pc").await;

    // Straight at the tables: refused, every one.
    let forged = uuid::Uuid::now_v7();
    for sql in [
        format!(
            "INSERT INTO voids (id, session_id, register_id, location_id, kind, amount, user_id, user_name, device, at, \
             request_hash) SELECT '{forged}', s.id, s.register_id, s.location_id, 'sale_cleared', 0, '{alice_id}', \
             'alice', 'pc', now(), 'h' FROM sessions s WHERE s.id = '{}'",
            session.0
        ),
        format!("INSERT INTO void_lines (void_id, line_no, location_id, product_id, quantity, unit_price, amount) \
                 SELECT '{forged}', 0, location_id, id, 1, 1, 1 FROM products WHERE id = '{tv}'"),
        format!("UPDATE sessions SET void_count = void_count + 1, void_total = 1 WHERE id = '{}'", session.0),
        format!("UPDATE sessions SET void_count = 0, void_total = 0 WHERE id = '{}'", session.0),
        "UPDATE voids SET amount = 0".to_string(),
        "DELETE FROM voids".to_string(),
        "DELETE FROM void_lines".to_string(),
    ] {
        assert_eq!(sqlstate(&mut psql, &sql).await, "42501", "{sql}");
    }

    let void = |extra: serde_json::Value| {
        let mut p = serde_json::json!({
            "id": uuid::Uuid::now_v7(), "session_id": session.0, "register_id": r1, "kind": "line_removed",
            "lines": [{"product_id": tv, "quantity": 1}], "login": alice, "device": "pc", "request_hash": "h",
        });
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    // Who acts: a user id instead of a login, a guessed token, another device's, another role's.
    let by_id = void(serde_json::json!({ "login": null, "user_id": alice_id }));
    assert_eq!(call(&mut psql, "till_record_void", &by_id).await, "TL442");
    let guessed = void(serde_json::json!({ "login": "0".repeat(64) }));
    assert_eq!(call(&mut psql, "till_record_void", &guessed).await, "TL442");
    let elsewhere = void(serde_json::json!({ "device": "pc-2" }));
    assert_eq!(call(&mut psql, "till_record_void", &elsewhere).await, "TL442");
    let owners = void(serde_json::json!({ "login": till.fixture.cashier.login.expose(), "device": "pc1" }));
    assert_eq!(call(&mut psql, "till_record_void", &owners).await, "TL442");
    // Another register's session: the role is bound to DT/R1 only; and a session named with
    // another register than its own.
    let pc1 = till_testkit::login(till.owner.as_ref(), "alice", "1234", "pc1").await;
    let on_r2 = till.owner.start_shift(till_testkit::start(&pc1, till.fixture.registers[1].id, "pc1", Some(0))).await;
    let on_r2 = on_r2.unwrap().session.id.0;
    let r2 = till.fixture.registers[1].id.0;
    let other = void(serde_json::json!({ "session_id": on_r2, "register_id": r2 }));
    assert_eq!(call(&mut psql, "till_record_void", &other).await, "TL444");
    let mismatched = void(serde_json::json!({ "register_id": r2 }));
    assert_eq!(call(&mut psql, "till_record_void", &mismatched).await, "TL405");
    // Bad voids: refused, nothing written.
    for (what, extra, state) in [
        ("an unknown kind", serde_json::json!({ "kind": "price_changed" }), "23514"),
        ("no kind", serde_json::json!({ "kind": null }), "23502"),
        ("no lines", serde_json::json!({ "lines": [] }), "TL002"),
        ("lines that are not a list", serde_json::json!({ "lines": {"product_id": tv} }), "TL002"),
        ("a line that is not an object", serde_json::json!({ "lines": [5] }), "TL002"),
        ("quantity 0", serde_json::json!({ "lines": [{"product_id": tv, "quantity": 0}] }), "TL002"),
        ("a fraction", serde_json::json!({ "lines": [{"product_id": tv, "quantity": 1.5}] }), "TL002"),
        ("no quantity", serde_json::json!({ "lines": [{"product_id": tv}] }), "TL002"),
        (
            "a huge quantity",
            serde_json::json!({ "lines": [{"product_id": tv, "quantity": 1_000_000_000_000_i64}] }),
            "TL002",
        ),
        (
            "501 lines",
            serde_json::json!({ "lines": vec![serde_json::json!({"product_id": tv, "quantity": 1}); 501] }),
            "TL002",
        ),
        ("not a product id", serde_json::json!({ "lines": [{"product_id": "tv", "quantity": 1}] }), "TL002"),
        (
            "an unknown product",
            serde_json::json!({ "lines": [{"product_id": uuid::Uuid::now_v7(), "quantity": 1}] }),
            "TL426",
        ),
    ] {
        assert_eq!(call(&mut psql, "till_record_void", &void(extra)).await, state, "{what}");
    }
    // Money on the caller's word is not read: the 899.00 TV voids at 899.00.
    let id = uuid::Uuid::now_v7();
    let cheap = void(serde_json::json!({
        "id": id, "amount": 1, "lines": [{"product_id": tv, "quantity": 1, "unit_price": 1, "amount": 1}],
    }));
    assert_eq!(call(&mut psql, "till_record_void", &cheap).await, "ok");
    // The same id with another request: a conflict; with the same, nothing more.
    let mut conflicting = cheap.clone();
    conflicting["request_hash"] = "other".into();
    assert_eq!(call(&mut psql, "till_record_void", &conflicting).await, "TL409");
    assert_eq!(call(&mut psql, "till_record_void", &cheap).await, "ok");

    let mut owner = till.owner_sql().await;
    let (voids, lines, amount, count, total): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM voids), (SELECT count(*) FROM void_lines),
                (SELECT amount FROM voids WHERE id = $2), s.void_count, s.void_total FROM sessions s WHERE s.id = $1",
    )
    .bind(session.0)
    .bind(id)
    .fetch_one(&mut owner)
    .await
    .unwrap();
    assert_eq!((voids, lines, amount, count, total), (1, 1, 89_900, 1, 89_900));
    // The terminal reads its own location's void, as the screens do.
    assert_eq!(scalar(&mut psql, "SELECT count(*) FROM voids").await, 1);
    let verified = service::verify_journal(till.owner.as_ref(), &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");
    drop((psql, owner));
    till.drop_role().await;
}

/// Texts a terminal sends follow till-core's rules in the database too. Before, 5 MB notes
/// and a 20 MB device name went into the journal, and a bidi override could reorder a note
/// on an auditor's screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_oversized_or_control_text() {
    let till = Till::new().await;
    let r1 = till.fixture.registers[0].id.0;
    let mut psql = till.psql().await;
    let alice = sql_login(&mut psql, "alice", "1234", "pc").await;
    let start = |notes: &str, device: &str| {
        serde_json::json!({
            "request_id": uuid::Uuid::now_v7(), "register_id": r1, "login": alice, "opening_cash": 0,
            "device": device, "notes": notes,
        })
    };
    let five_mb = "x".repeat(5 * 1024 * 1024);
    for (notes, device) in [
        (five_mb.as_str(), "pc"),
        ("pay \u{202E}001$", "pc"),
        ("bell\u{7}", "pc"),
        ("fine", five_mb.as_str()),
        ("fine", "pc\u{1b}[2J"),
        ("fine", "   "),
    ] {
        let p = start(notes, device);
        assert_eq!(call(&mut psql, "till_start_shift", &p).await, "TL002", "{:.40?} / {:.40?}", notes, device);
    }
    // Notes keep their newlines and tabs, as till-core allows; nothing above was written.
    assert_eq!(call(&mut psql, "till_start_shift", &start("line one\n\tline two", "pc")).await, "ok");
    let sessions = scalar(&mut till.owner_sql().await, "SELECT count(*) FROM sessions").await;
    assert_eq!(sessions, 1);
    let check = "SELECT till_pin_check('alice', '1234', repeat('d', 65))";
    assert_eq!(sqlstate(&mut psql, check).await, "TL002");
    drop(psql);
    till.drop_role().await;
}

/// A session from an earlier business day (nobody closed it) takes nothing more, whoever
/// calls: before, only till-core refused a start into it, and a terminal with `psql` (or a
/// device resuming yesterday's session) kept selling and moving cash into it, and joined it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_write_into_a_forgotten_session() {
    let till = Till::new().await;
    let (session, _) = session_with_a_sale(&till).await;
    let r1 = till.fixture.registers[0].id.0;
    // Yesterday's: moved back by the owner (no caller chooses a time).
    till.db
        .execute(&format!(
            "UPDATE sessions SET business_day = business_day - 1, opened_at = opened_at - interval '10 hours'
              WHERE id = '{}'",
            session.0
        ))
        .await;
    let mut psql = till.psql().await;
    let alice = sql_login(&mut psql, "alice", "1234", "pc").await;
    let paid_in = serde_json::json!({
        "id": uuid::Uuid::now_v7(), "session_id": session.0, "register_id": r1, "kind": "paid_in",
        "amount": 500, "reason": "other", "note": null, "device": "pc", "request_hash": "h", "login": alice,
    });
    assert_eq!(call(&mut psql, "till_record_cash_movement", &paid_in).await, "TL435");
    let join = serde_json::json!({
        "request_id": uuid::Uuid::now_v7(), "register_id": r1, "login": alice, "device": "pc",
    });
    assert_eq!(call(&mut psql, "till_start_shift", &join).await, "TL435");
    // (A sale into it is refused by till_record_receipt alike: tests/contract/forgotten.rs.)
    let movements: i64 = scalar(&mut till.owner_sql().await, "SELECT count(*) FROM cash_movements").await;
    assert_eq!(movements, 0, "nothing was written");
    let joins: i64 = scalar(
        &mut till.owner_sql().await,
        "SELECT count(*) FROM session_joins j JOIN users u ON u.id = j.user_id WHERE j.device = 'pc'",
    )
    .await;
    assert_eq!(joins, 0, "no join was recorded");
    drop(psql);
    till.drop_role().await;
}

/// A refund says why, whoever calls till_record_receipt: as the terminal's role in plain SQL, a
/// manager's own refund with a null reason, a kind not on the list, "other" without its text,
/// or a text with a control character is refused and writes nothing; with a reason it goes
/// through, and a sale takes none. An older Till (mid-upgrade) sends no reason at all: its refund
/// is recorded as other, "none given (an older Till)", never refused and never made up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_refund_without_a_reason_from_the_list() {
    let till = Till::new().await;
    let (session, sale) = session_with_a_sale(&till).await;
    let mut psql = till.psql().await;
    let bob = sql_login(&mut psql, "bob", "9999", "pc").await;
    let listed = till.owner.list_receipts(session).await.unwrap().into_iter().find(|r| r.id.0 == sale).unwrap();
    let sold = till.owner.find_receipt(&listed.number).await.unwrap();
    let refund_of = |sold: &Receipt, reason: Option<serde_json::Value>| {
        let mut r = crate::figures::refund_of(sold, 0, 1, Actor::login(&till.fixture.manager.login), session);
        r.refund_reason = None;
        // DT rounds no cash: paid out exactly.
        (r.rounding, r.tendered, r.cash_net) = (0, r.total, -r.total);
        r.tenders[0].amount = r.total;
        let mut p = till_backend::receipt_payload(&r);
        p["login"] = bob.clone().into();
        p["device"] = "pc".into();
        match reason {
            Some(reason) => p["refund_reason"] = reason,
            None => {
                p.as_object_mut().unwrap().remove("refund_reason");
            }
        }
        p
    };
    let refund = |reason: Option<serde_json::Value>| refund_of(&sold, reason);
    for bad in [
        Some(serde_json::json!(null)),
        Some(serde_json::json!({ "kind": "stolen" })),
        Some(serde_json::json!({ "kind": "other" })),
        Some(serde_json::json!({ "kind": "other", "text": "  " })),
        Some(serde_json::json!({ "kind": "damaged", "text": "torn\u{1}seam" })),
        Some(serde_json::json!({ "kind": "damaged", "text": "x".repeat(201) })),
    ] {
        assert_eq!(call(&mut psql, "till_record_receipt", &refund(bad.clone())).await, "TL002", "{bad:?}");
    }
    let refunds = scalar(&mut till.owner_sql().await, "SELECT count(*) FROM sales WHERE kind = 'refund'").await;
    assert_eq!(refunds, 0);
    let good = refund(Some(serde_json::json!({ "kind": "damaged" })));
    assert_eq!(call(&mut psql, "till_record_receipt", &good).await, "ok");
    let stored: (String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT s.refund_reason_kind, s.refund_reason_text, u.name FROM sales s JOIN users u ON u.id = s.approved_by
          WHERE s.kind = 'refund'",
    )
    .fetch_one(&mut till.owner_sql().await)
    .await
    .unwrap();
    assert_eq!(stored, ("damaged".to_string(), None, Some("bob".to_string())));
    // A sale with a refund reason: refused.
    let again = sold_as_new(&sold, session);
    let mut sale_p = till_backend::receipt_payload(&again);
    sale_p["refund_reason"] = serde_json::json!({ "kind": "damaged" });
    sale_p["login"] = bob.clone().into();
    assert_eq!(call(&mut psql, "till_record_receipt", &sale_p).await, "TL002");
    // An older Till's refund, with no reason key at all: recorded, and says that none was given.
    sale_p.as_object_mut().unwrap().remove("refund_reason");
    assert_eq!(call(&mut psql, "till_record_receipt", &sale_p).await, "ok");
    let listed = till.owner.list_receipts(session).await.unwrap().into_iter().find(|r| r.id == again.id).unwrap();
    let sold_again = till.owner.find_receipt(&listed.number).await.unwrap();
    assert_eq!(call(&mut psql, "till_record_receipt", &refund_of(&sold_again, None)).await, "ok");
    let reasons: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT refund_reason_kind, refund_reason_text FROM sales WHERE kind = 'refund' ORDER BY receipt_seq",
    )
    .fetch_all(&mut till.owner_sql().await)
    .await
    .unwrap();
    assert_eq!(reasons[1], ("other".to_string(), Some("none given (an older Till)".to_string())), "{reasons:?}");
    drop(psql);
    till.drop_role().await;
}

/// `sold` again as a new sale (another id) of the same session.
pub(crate) fn sold_as_new(sold: &Receipt, session: SessionId) -> NewReceipt {
    NewReceipt {
        id: ReceiptId::new(),
        kind: sales::ReceiptKind::Sale,
        refund_of: None,
        session_id: session,
        register_id: sold.register_id,
        actor: Actor::login(&LoginToken::new(String::new())),
        device: "pc".into(),
        request_hash: "s".into(),
        refund_reason: None,
        receipt_discount_reason: sold.receipt_discount_reason.clone(),
        prices_include_tax: sold.prices_include_tax,
        subtotal: sold.subtotal,
        discount: sold.discount,
        tax: sold.tax,
        total: sold.total,
        rounding: sold.rounding,
        tendered: sold.tendered,
        change: sold.change,
        cash_net: sold.cash_net,
        lines: sold.lines.clone(),
        tenders: sold.tenders.clone(),
        taxes: sold.taxes.clone(),
    }
}

/// A changed price says why, whoever calls till_record_receipt: as the terminal's role in plain
/// SQL, a discounted line or a receipt discount with a null reason, a kind not on the list, or
/// "other" without its text is refused, and so is a reason on a line sold at the catalog's price;
/// nothing is written. With reasons it goes through and they are stored. An older Till
/// (mid-upgrade) sends no reason keys at all: recorded as other, "none given (an older Till)".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_price_change_without_a_reason_from_the_list() {
    let till = Till::new().await;
    let (session, _) = session_with_a_sale(&till).await;
    let fx = &till.fixture;
    // bob (a manager, approving his own) sells two TVs, one 10 % off as damaged, and 10.00 off
    // the receipt as a staff discount: the store's honest path, replayed below in plain SQL.
    let request: service::SaleRequest = serde_json::from_value(serde_json::json!({
        "lines": [
            {"sku": "TV", "quantity": 1, "discount": {"kind": "percent", "percent": 100000},
             "reason": {"kind": "damaged", "text": "dented box"}},
            {"sku": "TV", "quantity": 1},
        ],
        "receipt_discount": {"kind": "amount", "amount": 1000},
        "receipt_discount_reason": {"kind": "staff"},
        "tenders": [{"kind": "cash", "amount": 200000}],
    }))
    .unwrap();
    let register = RegisterRef::parse("DT/R1").unwrap();
    let pc = DeviceName::parse(till_testkit::MANAGER_DEVICE).unwrap();
    let own = service::Till { who: &fx.manager, register: &register, device: &pc, session: None, approval: None };
    let sold = service::record_sale(till.owner.as_ref(), own, ReceiptId::new(), &request).await.unwrap();
    let sold = till.owner.find_receipt(&sold.number).await.unwrap();
    let mut psql = till.psql().await;
    let bob = sql_login(&mut psql, "bob", "9999", "pc").await;
    let payload = || {
        let mut p = till_backend::receipt_payload(&sold_as_new(&sold, session));
        p["login"] = bob.clone().into();
        p["device"] = "pc".into();
        p
    };
    let sales = || async { scalar(&mut till.owner_sql().await, "SELECT count(*) FROM sales").await };
    let before = sales().await;
    for (what, line, bad) in [
        ("a null reason", 0, serde_json::json!(null)),
        ("an unlisted kind", 0, serde_json::json!({ "kind": "stolen" })),
        ("other without text", 0, serde_json::json!({ "kind": "other" })),
        ("other, blank", 0, serde_json::json!({ "kind": "other", "text": "  " })),
        ("a control character", 0, serde_json::json!({ "kind": "damaged", "text": "dent\u{1}ed" })),
        ("a reason on an unchanged line", 1, serde_json::json!({ "kind": "staff" })),
    ] {
        let mut p = payload();
        p["lines"][line]["price_change_reason"] = bad;
        assert_eq!(call(&mut psql, "till_record_receipt", &p).await, "TL002", "{what}");
    }
    for bad in [serde_json::json!(null), serde_json::json!({ "kind": "coupon" })] {
        let mut p = payload();
        p["receipt_discount_reason"] = bad.clone();
        assert_eq!(call(&mut psql, "till_record_receipt", &p).await, "TL002", "receipt discount {bad}");
    }
    assert_eq!(sales().await, before, "nothing was written");

    assert_eq!(call(&mut psql, "till_record_receipt", &payload()).await, "ok");
    let mut older = payload();
    for line in older["lines"].as_array_mut().unwrap() {
        line.as_object_mut().unwrap().remove("price_change_reason");
    }
    older.as_object_mut().unwrap().remove("receipt_discount_reason");
    assert_eq!(call(&mut psql, "till_record_receipt", &older).await, "ok");
    // (receipt's reason kind, its text, line's reason kind, its text), by receipt and line.
    type Reasons = (Option<String>, Option<String>, Option<String>, Option<String>);
    let stored: Vec<Reasons> = sqlx::query_as(
        "SELECT s.receipt_discount_reason_kind, s.receipt_discount_reason_text,
                l.price_change_reason_kind, l.price_change_reason_text
           FROM sales s JOIN sale_lines l ON l.sale_id = s.id WHERE s.receipt_seq > 2 ORDER BY s.receipt_seq, l.line_no",
    )
    .fetch_all(&mut till.owner_sql().await)
    .await
    .unwrap();
    let staff = (Some("staff".to_string()), None);
    let none_given = (Some("other".to_string()), Some("none given (an older Till)".to_string()));
    let dented = (Some("damaged".to_string()), Some("dented box".to_string()));
    let seen: Vec<_> = stored.iter().map(|(a, b, c, d)| ((a.clone(), b.clone()), (c.clone(), d.clone()))).collect();
    assert_eq!(
        seen,
        vec![
            (staff.clone(), dented),
            (staff, (None, None)),
            (none_given.clone(), none_given),
            ((Some("other".to_string()), Some("none given (an older Till)".to_string())), (None, None)),
        ],
        "{stored:?}"
    );
    drop(psql);
    till.drop_role().await;
}

/// Where the location requires it, a card tender carries the terminal's approval reference,
/// whoever calls till_record_receipt: as the terminal's role in plain SQL, a card sale whose
/// reference is missing, null or blank is refused and nothing is written; with one it goes
/// through. Where it is not required, one left out goes through (the honest path's rule).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_card_tender_without_its_reference_where_the_location_requires_one() {
    let till = Till::new().await;
    let (session, sale_id) = session_with_a_sale(&till).await;
    let listed = till.owner.list_receipts(session).await.unwrap().into_iter().find(|r| r.id.0 == sale_id).unwrap();
    let sold = till.owner.find_receipt(&listed.number).await.unwrap();
    let mut psql = till.psql().await;
    let alice = sql_login(&mut psql, "alice", "1234", "pc1").await;
    let card_sale = |reference: serde_json::Value| {
        let mut p = till_backend::receipt_payload(&sold_as_new(&sold, session));
        p["login"] = alice.clone().into();
        p["device"] = "pc1".into();
        p["tendered"] = sold.total.into();
        p["change"] = 0.into();
        p["cash_net"] = 0.into();
        p["rounding"] = 0.into();
        p["tenders"] = serde_json::json!([{ "n": 0, "kind": "card", "amount": sold.total, "reference": reference }]);
        p
    };
    assert_eq!(call(&mut psql, "till_record_receipt", &card_sale(serde_json::json!(null))).await, "ok", "optional");
    let change = LocationChange { card_reference_required: Some(true), ..LocationChange::default() };
    till.owner.update_location(&LocationCode::parse("DT").unwrap(), &change).await.unwrap();
    let sales = || async { scalar(&mut till.owner_sql().await, "SELECT count(*) FROM sales").await };
    let before = sales().await;
    for missing in [serde_json::json!(null), serde_json::json!(""), serde_json::json!("   ")] {
        assert_eq!(call(&mut psql, "till_record_receipt", &card_sale(missing.clone())).await, "TL002", "{missing}");
    }
    let mut no_key = card_sale(serde_json::json!(null));
    no_key["tenders"][0].as_object_mut().unwrap().remove("reference");
    assert_eq!(call(&mut psql, "till_record_receipt", &no_key).await, "TL002", "no reference key");
    assert_eq!(sales().await, before, "nothing was written");
    assert_eq!(call(&mut psql, "till_record_receipt", &card_sale(serde_json::json!("AUTH 42"))).await, "ok");
    till.drop_role().await;
}

/// A terminal's own pg_temp shadows: functions named like the helpers Till's functions inline
/// (till_approves, till_money_max, till_expected_cash), operators `=` and `+`, and a table
/// `locations` (a variance limit of 10^12), with pg_temp first on the terminal's search_path.
/// PostgreSQL never resolves an unqualified function or operator in pg_temp, and every Till
/// function pins its search_path with pg_temp last, so none is picked up: a cashier's PIN still
/// approves nothing, an opening float above 10^12 is still refused by the function's own check
/// (TL002, not only by the table's CHECK), a count off by more than the location's real limit
/// is refused (TL430), and a close computes expected cash from the session's own figures.
/// (With a pin broken by hand, `ALTER FUNCTION till_close_session(jsonb) SET search_path =
/// pg_temp, public`, the shadow table is read and this test fails.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_shadow_in_pg_temp_changes_what_a_till_function_decides() {
    let till = Till::new().await;
    let r1 = till.fixture.registers[0].id.0;
    let location = till.fixture.registers[0].location_id.0;
    let mut psql = till.psql().await;
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION pg_temp.till_approves(text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
         CREATE FUNCTION pg_temp.till_money_max() RETURNS bigint LANGUAGE sql AS 'SELECT 9223372036854775807';
         CREATE FUNCTION pg_temp.till_expected_cash(bigint, bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
         CREATE FUNCTION pg_temp.text_always_equal(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
         CREATE OPERATOR pg_temp.= (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_temp.text_always_equal);
         CREATE FUNCTION pg_temp.bigint_sum_zero(bigint, bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
         CREATE OPERATOR pg_temp.+ (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = pg_temp.bigint_sum_zero);
         CREATE TEMP TABLE locations AS SELECT '{location}'::uuid AS id, 1000000000000::bigint AS variance_limit_minor;
         SET search_path = pg_temp, public, pg_catalog;"
    ))
    .execute(&mut psql)
    .await
    .unwrap();
    // The shadows are there, on this connection, for whatever would resolve to them.
    let shadows: (bool, i64, i64) = sqlx::query_as(
        "SELECT pg_temp.till_approves('cashier'), pg_temp.till_money_max(), (SELECT variance_limit_minor FROM locations)",
    )
    .fetch_one(&mut psql)
    .await
    .unwrap();
    assert_eq!(shadows, (true, i64::MAX, 1_000_000_000_000));

    // A cashier's PIN approves nothing.
    let request = serde_json::json!({ "session_id": uuid::Uuid::now_v7(), "counted_cash": 0 });
    let approval = sql_approval(&mut psql, "alice", "1234", "pc", "close", &request).await;
    assert_eq!(approval, Err("not_a_manager".to_string()));

    // An opening float above 10^12 minor units is refused by the function's own check.
    let alice = sql_login(&mut psql, "alice", "1234", "pc").await;
    let start = |cash: i64| {
        serde_json::json!({ "request_id": uuid::Uuid::now_v7(), "register_id": r1, "login": alice,
                            "opening_cash": cash, "device": "pc", "notes": null })
    };
    assert_eq!(call(&mut psql, "till_start_shift", &start(1_000_000_000_001)).await, "TL002");

    // The close: a cashier may not close (till_approves again); for the manager a count 400.00
    // over is above the location's real limit (5.00), and counting exactly the float is no
    // variance (with till_expected_cash or `+` shadowed, expected cash would be 0 and all of the
    // count a variance: TL430).
    let bob = sql_login(&mut psql, "bob", "9999", "pc").await;
    let session: uuid::Uuid = sqlx::query_scalar("SELECT (f.session).id FROM till_start_shift($1) f")
        .bind(sqlx::types::Json(start(10_000)))
        .fetch_one(&mut psql)
        .await
        .unwrap();
    let close = |login: &str, counted: i64| {
        serde_json::json!({ "session_id": session, "request_id": uuid::Uuid::now_v7(), "login": login,
                            "counted_cash": counted, "float_left": 0, "device": "pc",
                            "denominations": [], "variance_reason": null })
    };
    assert_eq!(call(&mut psql, "till_close_session", &close(&alice, 10_000)).await, "TL403");
    assert_eq!(call(&mut psql, "till_close_session", &close(&bob, 50_000)).await, "TL430");
    assert_eq!(call(&mut psql, "till_close_session", &close(&bob, 10_000)).await, "ok");
    let closed: (String, i64, i64) =
        sqlx::query_as("SELECT status, expected_cash, variance FROM sessions WHERE id = $1")
            .bind(session)
            .fetch_one(&mut till.owner_sql().await)
            .await
            .unwrap();
    assert_eq!(closed, ("closed".to_string(), 10_000, 0));
    drop(psql);
    till.drop_role().await;
}

/// Before (found by a review as a dishonest cashier, 2026-12-07): `till_record_opening_count`
/// stored whatever count a terminal sent, 10^18 against an opening float of 0, and journaled the
/// request's own text into the hash chain (54 KB of it). Now the database checks the count adds
/// up to the opening cash (till_count_adds_up, as a close's to its counted cash), and journals
/// the count as stored: a key of the caller's never reaches the journal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_count_that_does_not_add_up_and_no_text_of_the_callers_in_its_journal() {
    let till = Till::new().await;
    let fx = &till.fixture;
    let started = till.owner.start_shift(till_testkit::start(&fx.cashier, fx.registers[0].id, "pc1", Some(0))).await;
    let session = started.unwrap().session.id;
    let mut psql = till.psql().await;
    let login = sql_login(&mut psql, "alice", "1234", "pc1").await;
    let count = |denominations: serde_json::Value| serde_json::json!({"session_id": session.0, "login": login, "device": "pc1", "denominations": denominations});
    let huge = count(serde_json::json!([{"denomination": 100_000_000, "count": 1_000_000}]));
    assert_eq!(call(&mut psql, "till_record_opening_count", &huge).await, "TL002", "10^14 against an opening of 0");
    // Bob, a manager, may close: only the count is wrong.
    let bob = sql_login(&mut psql, "bob", "9999", "manager-pc").await;
    let close = serde_json::json!({
        "session_id": session.0, "request_id": uuid::Uuid::now_v7(), "login": bob, "device": "manager-pc",
        "counted_cash": 0, "float_left": 0, "denominations": [{"denomination": 5000, "count": 3}],
    });
    assert_eq!(call(&mut psql, "till_close_session", &close).await, "TL002", "a close's count that does not add up");
    for (odd, why) in [
        (serde_json::json!(null), "a JSON null"),
        (serde_json::json!([{"denomination": 100.0, "count": 0}]), "a decimal"),
        (serde_json::json!({"denomination": 100, "count": 0}), "not a list"),
    ] {
        assert_eq!(call(&mut psql, "till_record_opening_count", &count(odd)).await, "TL002", "{why}");
    }
    let mut owner = till.owner_sql().await;
    let counts = "SELECT count(*) FROM cash_counts";
    assert_eq!(scalar(&mut owner, counts).await, 0, "a refused count wrote a row");
    // Nothing counted: nothing recorded, nothing journaled, however often.
    for _ in 0..3 {
        assert_eq!(call(&mut psql, "till_record_opening_count", &count(serde_json::json!([]))).await, "ok");
    }
    let journaled = "SELECT count(*) FROM journal WHERE event = 'opening_count'";
    assert_eq!(scalar(&mut owner, journaled).await, 0, "an empty count was journaled");

    // A count that adds up (none of a 1.00 coin) with a note of the caller's: stored, and the
    // journal holds the count alone.
    let noted = count(serde_json::json!([{"denomination": 100, "count": 0, "note": "x".repeat(50_000)}]));
    assert_eq!(call(&mut psql, "till_record_opening_count", &noted).await, "ok");
    let body: String = sqlx::query_scalar("SELECT body FROM journal WHERE event = 'opening_count' AND ref_id = $1")
        .bind(session.0)
        .fetch_one(&mut owner)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["payload"]["denominations"], serde_json::json!([{"denomination": 100, "count": 0}]));
    till.drop_role().await;
}
