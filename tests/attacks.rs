//! Issue 15, part 1: attacks on identity, run as a store terminal's PostgreSQL role with the
//! rights `psql` and the till's password give, straight in SQL. Each failed before the PIN
//! checks moved into the database: the hashes were readable, a terminal set any user's PIN
//! state, and a guess could be rolled back uncounted. PostgreSQL only (SQLite's owner is the
//! OS user; issue 16 covers the file).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use sqlx::{Connection as _, PgConnection, Row as _};
use till_core::service;
use till_core::*;
use till_testkit::{provision, Backend, TestDatabase};

/// A migrated database with the demo-like fixture (alice 1234 cashier, bob 9999 manager) and a
/// terminal role; its URL as that role.
struct Till {
    db: TestDatabase,
    owner: std::sync::Arc<dyn Store>,
    role: String,
    url: String,
}

impl Till {
    async fn new() -> Till {
        let db = TestDatabase::new(Backend::Postgres).await;
        let owner = db.open().await;
        provision(owner.as_ref(), 1).await;
        let role = format!("till_attack_{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
        owner.create_terminal_role(&DbRoleName::parse(&role).unwrap(), Some("till-pw")).await.unwrap();
        let url = db.url_as(&role, "till-pw");
        Till { db, owner, role, url }
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
        "SELECT till_login_user('x', 5)".to_string(),
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
    // A statement of many guesses: within it the fifth wrong one locks, so the rest (the right
    // PIN among them) are refused without being compared; rolled back, it taught nothing.
    sqlx::raw_sql("BEGIN").execute(&mut psql).await.unwrap();
    sqlx::raw_sql("SELECT till_pin_check('bob', lpad(i::text, 4, '0'), 'pc') FROM generate_series(0, 9999) i")
        .execute(&mut psql)
        .await
        .unwrap();
    let hidden = sqlstate(&mut psql, "SELECT count(*) FROM pin_attempts").await;
    assert_eq!(hidden, "42501");
    sqlx::raw_sql("ROLLBACK").execute(&mut psql).await.unwrap();
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
    assert_eq!(alice.map(|u| u.name).map_err(|e| e.code()), Ok("alice".to_string()));
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
