//! PostgreSQL faults: backends terminated, connections cut and replies lost while stores open,
//! migrate, verify, and shifts start and close. Callers get `database_unavailable` (never a
//! panic), nothing half-done is left behind, and a retry, with the same request id, succeeds
//! without applying anything twice.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use till_core::*;
use till_testkit::{provision, Backend, FaultProxy, Fixture, TestDatabase, CASHIER_DEVICE, MANAGER_DEVICE};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminated_backends_lose_nothing_and_break_nothing() {
    const WORKERS: usize = 8;
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), WORKERS).await;
    let options = StoreOptions { migrate: false, max_connections: 2, ..StoreOptions::default() };
    let store = db.open_with(&options).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));

    // The killer terminates every Till backend of this database, again and again.
    let killer = {
        let (url, stop) = (db.url.clone(), stop.clone());
        tokio::spawn(async move {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
            let mut killed = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                     WHERE datname = current_database() AND application_name = 'till' AND pid <> pg_backend_pid()",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap();
                killed += u64::try_from(n).unwrap();
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            killed
        })
    };

    let workers: Vec<_> = fx
        .registers
        .iter()
        .map(|register| {
            let (store, fx, register, stop) = (store.clone(), fx.clone(), register.id, stop.clone());
            tokio::spawn(async move {
                let (mut ok, mut unavailable) = (0u32, 0u32);
                while !stop.load(Ordering::Relaxed) {
                    let start = till_testkit::start(&fx.cashier, register, CASHIER_DEVICE, Some(100));
                    let outcome = match store.start_shift(start).await {
                        Ok(started) => {
                            store.close_shift(till_testkit::close(&fx, started.session.id, 100)).await.map(drop)
                        }
                        Err(e) => Err(e),
                    };
                    match outcome {
                        Ok(()) => ok += 1,
                        Err(e) if e.code() == "database_unavailable" => unavailable += 1,
                        // A close whose first attempt committed before the connection died is
                        // retried by nobody here; any other error is a bug.
                        Err(e) => panic!("unexpected error under faults: {e:?}"),
                    }
                }
                (ok, unavailable)
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, Ordering::Relaxed);
    let killed = killer.await.unwrap();
    let (mut ok, mut unavailable) = (0, 0);
    for w in workers {
        let (o, u) = w.await.unwrap();
        ok += o;
        unavailable += u;
    }
    println!("fault run: {killed} backends terminated, {ok} cycles completed, {unavailable} callers told database_unavailable");
    assert!(killed > 0, "the killer terminated nothing: the test did not test");
    assert!(unavailable > 0, "no caller saw a terminated backend: the test did not test");
    assert!(ok > 0, "no cycle completed at all");

    // After the faults stop, a caller's first call may still meet a connection the killer
    // broke while it sat idle: it gets database_unavailable, and one retry succeeds.
    macro_rules! retried {
        ($call:expr) => {
            match $call.await {
                Err(e) if e.code() == "database_unavailable" => $call.await.expect("the retry succeeds"),
                other => other.expect("no error other than database_unavailable"),
            }
        };
    }
    let audit = retried!(admin.check_invariants());
    assert!(audit.is_clean(), "invariants broken under faults: {audit:?}");
    for register in &fx.registers {
        // A close killed before it committed left its session open: closing it again works.
        let latest = retried!(admin.latest_session(register.id));
        if let Some(open) = latest.filter(|s| s.status == SessionStatus::Open) {
            let close = till_testkit::close(&fx, open.id, 0);
            retried!(admin.close_shift(close.clone()));
        }
        let start = till_testkit::start(&fx.cashier, register.id, CASHIER_DEVICE, Some(100));
        assert!(!retried!(store.start_shift(start.clone())).joined);
    }
    assert!(admin.check_invariants().await.unwrap().is_clean());
}

/// What a caller may be told when its connection is lost: never anything else, never a panic.
fn lost_connection_answer<T>(result: &Result<T, StoreError>) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => matches!(e.code(), "database_unavailable" | "database_busy"),
    }
}

/// Runs `open` on its own task so that a panic inside is caught and reported.
async fn open_caught(url: String, options: StoreOptions) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    tokio::spawn(async move { till_backend::open(&url, &options).await })
        .await
        .unwrap_or_else(|e| panic!("opening the store panicked under a lost connection: {e}"))
}

/// Backends terminated again and again while stores are opened, migrated and verified on a
/// fresh database. Every open answers Ok or `database_unavailable`; none panics
/// (`a Conn holds its connection`), none says the schema is broken.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminated_backends_during_open_migrate_and_check() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let stop = Arc::new(AtomicBool::new(false));
    let killer = {
        let (url, stop) = (db.url.clone(), stop.clone());
        tokio::spawn(async move {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
            let mut killed = 0i64;
            while !stop.load(Ordering::Relaxed) {
                killed += sqlx::query_scalar::<_, i64>(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                     WHERE datname = current_database() AND application_name = 'till' AND pid <> pg_backend_pid()",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap();
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
            killed
        })
    };
    let (mut opened, mut unavailable, mut wrong) = (0, 0, vec![]);
    let began = std::time::Instant::now();
    while began.elapsed() < Duration::from_secs(6) {
        let result = open_caught(db.url.clone(), StoreOptions::default()).await;
        match &result {
            Ok(_) => opened += 1,
            Err(e) if e.code() == "database_unavailable" => unavailable += 1,
            Err(e) => wrong.push(format!("{}: {e}", e.code())),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let killed = killer.await.unwrap();
    println!("{killed} backends killed; {opened} opens succeeded, {unavailable} unavailable, {} other", wrong.len());
    assert!(killed > 0 && unavailable > 0, "the killer hit no open: the test did not test");
    assert!(wrong.is_empty(), "opens under faults answered other codes:\n{}", wrong.join("\n"));
    let store = db.open().await;
    assert!(store.check_schema().await.iter().all(|c| c.ok));
}

async fn budgets_cut_at(
    proxy: &FaultProxy,
    url: &str,
    options: &StoreOptions,
    bytes: u64,
) -> Result<std::sync::Arc<dyn Store>, StoreError> {
    proxy.cut_after_server_bytes(bytes);
    let result = open_caught(url.to_string(), options.clone()).await;
    proxy.heal();
    result
}

/// A TCP proxy cuts every connection at one point of opening a store (after a growing number of
/// server bytes: during connect, migrate, the schema check), on fresh and on migrated
/// databases. Each open answers Ok or `database_unavailable`/`database_busy`, never panics, and
/// the next open succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_cut_at_each_stage_of_open() {
    const POINTS: u64 = 12;
    let options = StoreOptions { busy_timeout: Duration::from_secs(2), ..StoreOptions::default() };
    // How many bytes opening a fresh database takes, through a proxy that does nothing.
    let measured = TestDatabase::new(Backend::Postgres).await;
    let proxy = FaultProxy::start(&measured.url).await;
    open_caught(proxy.url(&measured.url), options.clone()).await.unwrap();
    let fresh_bytes = proxy.server_bytes();
    let before = proxy.server_bytes();
    open_caught(proxy.url(&measured.url), options.clone()).await.unwrap();
    let migrated_bytes = proxy.server_bytes() - before;
    assert!(fresh_bytes > 0 && migrated_bytes > 0);

    let mut wrong = vec![];
    // Fresh databases: cuts during connect and migrate (and the check after).
    for k in 0..POINTS {
        let db = TestDatabase::new(Backend::Postgres).await;
        let proxy = FaultProxy::start(&db.url).await;
        let url = proxy.url(&db.url);
        let bytes = 1 + fresh_bytes * k / POINTS;
        let result = budgets_cut_at(&proxy, &url, &options, bytes).await;
        if !lost_connection_answer(&result) {
            wrong.push(format!("fresh, cut after {bytes} of {fresh_bytes} bytes: {:?}", result.err()));
        }
        match open_caught(url.clone(), options.clone()).await {
            Ok(store) => assert!(store.check_schema().await.iter().all(|c| c.ok)),
            Err(e) => wrong.push(format!("fresh, the open after a cut at {bytes} failed: {e:?}")),
        }
    }
    // A migrated database: cuts during connect and the schema check.
    let db = TestDatabase::new(Backend::Postgres).await;
    db.open().await;
    let proxy = FaultProxy::start(&db.url).await;
    let url = proxy.url(&db.url);
    for k in 0..POINTS * 2 {
        let bytes = 1 + migrated_bytes * k / (POINTS * 2);
        let result = budgets_cut_at(&proxy, &url, &options, bytes).await;
        if !lost_connection_answer(&result) {
            wrong.push(format!("migrated, cut after {bytes} of {migrated_bytes} bytes: {:?}", result.err()));
        }
    }
    // A server that accepts and hangs up at once.
    proxy.refuse_connections(true);
    let refused = open_caught(url.clone(), options.clone()).await;
    assert_eq!(refused.map(|_| ()).unwrap_err().code(), "database_unavailable");
    proxy.heal();
    open_caught(url, options).await.unwrap();
    assert!(proxy.faults() > 0);
    assert!(wrong.is_empty(), "lost connections during open answered:\n{}", wrong.join("\n"));
}

/// Connections cut every few milliseconds while shifts start and close, through the proxy
/// (a network failure rather than a terminated backend).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_cut_mid_transaction() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 4).await;
    let proxy = Arc::new(FaultProxy::start(&db.url).await);
    let options = StoreOptions { migrate: false, max_connections: 2, ..StoreOptions::default() };
    let store = db_open(&proxy.url(&db.url), &options).await;
    let stop = Arc::new(AtomicBool::new(false));
    let cutter = {
        let (proxy, stop) = (proxy.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(7)).await;
                proxy.cut_all();
            }
        })
    };
    let workers: Vec<_> = fx
        .registers
        .iter()
        .map(|register| {
            let (store, fx, register, stop) = (store.clone(), fx.clone(), register.id, stop.clone());
            tokio::spawn(async move {
                let (mut ok, mut lost, mut wrong) = (0u32, 0u32, vec![]);
                let mut previous_lost = false;
                while !stop.load(Ordering::Relaxed) {
                    let start = till_testkit::start(&fx.cashier, register, CASHIER_DEVICE, Some(100));
                    let started = store.start_shift(start.clone()).await;
                    let outcome = match started {
                        Ok(s) => store.close_shift(till_testkit::close(&fx, s.session.id, 100)).await.map(drop),
                        Err(e) => Err(e),
                    };
                    let was_lost = previous_lost;
                    previous_lost = false;
                    match outcome {
                        Ok(()) => ok += 1,
                        Err(e) if e.code() == "database_unavailable" || e.code() == "database_busy" => {
                            lost += 1;
                            previous_lost = true;
                        }
                        // The previous close lost its connection while the server was still
                        // running it: this cycle's start joined the session first, then that close
                        // committed (the join is ordered before it), so this close finds it
                        // closed. Correct, and nothing was applied twice.
                        Err(e) if was_lost && e.code() == "session_already_closed" => lost += 1,
                        // A start whose answer was lost after its commit left a session open;
                        // the next start joins it, and closing it is what the next cycle does.
                        Err(e) => wrong.push(format!("{}: {e}", e.code())),
                    }
                }
                (ok, lost, wrong)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    stop.store(true, Ordering::Relaxed);
    cutter.await.unwrap();
    let (mut ok, mut lost, mut wrong) = (0, 0, vec![]);
    for w in workers {
        let (o, l, mut x) = w.await.expect("a worker panicked under cut connections");
        ok += o;
        lost += l;
        wrong.append(&mut x);
    }
    println!("cut connections: {ok} cycles, {lost} lost, {} other", wrong.len());
    assert!(lost > 0, "no cut hit a call: the test did not test");
    assert!(wrong.is_empty(), "{wrong:?}");
    let report = admin.check_invariants().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    // After the faults, the same store works again (at most one call meets a dead connection).
    let start = till_testkit::start(&fx.cashier, fx.registers[0].id, CASHIER_DEVICE, Some(100));
    match store.start_shift(start.clone()).await {
        Err(e) if e.code() == "database_unavailable" => store.start_shift(start).await.map(drop).unwrap(),
        other => other.map(drop).unwrap(),
    }
}

async fn db_open(url: &str, options: &StoreOptions) -> std::sync::Arc<dyn Store> {
    open_caught(url.to_string(), options.clone()).await.unwrap()
}

/// THE lost-answer test: the request reaches the server and commits, and the answer is lost
/// (the proxy swallows the reply and cuts the connection). The caller is told
/// `database_unavailable`; retrying with the same request id answers the same session (or the
/// same close) and applies nothing twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_after_the_commit_is_retried_safely() {
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 3).await;
    let (r1, r2, r3) = (fx.registers[0].id, fx.registers[1].id, fx.registers[2].id);
    let proxy = FaultProxy::start(&db.url).await;
    // One connection, so that its statements are prepared by the warm-up calls: the faulted
    // call is then one round trip (bind, execute, sync), and its reply comes after the commit.
    let options = StoreOptions { migrate: false, max_connections: 1, ..StoreOptions::default() };
    let store = db_open(&proxy.url(&db.url), &options).await;
    warm_up(&store, &fx, r3).await;

    // A start whose answer is lost.
    let start = till_testkit::start(&fx.cashier, r1, CASHIER_DEVICE, Some(100));
    proxy.swallow_next_reply();
    let lost = store.start_shift(start.clone()).await;
    assert_eq!(lost.map(|_| ()).unwrap_err().code(), "database_unavailable");
    let committed = admin.find_session(&SessionRef::Id(SessionId(start.request_id.0))).await;
    assert!(committed.is_ok(), "the start did not commit before its answer was lost: the test did not test");
    let retried = store.start_shift(start.clone()).await.unwrap();
    assert_eq!((retried.session.id.0, retried.joined), (start.request_id.0, false));

    // A join whose answer is lost.
    let join = till_testkit::start(&fx.manager, r1, MANAGER_DEVICE, None);
    warm_up(&store, &fx, r2).await;
    proxy.swallow_next_reply();
    assert_eq!(store.start_shift(join.clone()).await.map(|_| ()).unwrap_err().code(), "database_unavailable");
    let retried = store.start_shift(join.clone()).await.unwrap();
    assert_eq!((retried.session.id.0, retried.joined), (start.request_id.0, true));
    let joins = admin.find_session(&SessionRef::Id(retried.session.id)).await.unwrap().joins;
    assert_eq!(joins.len(), 1, "{joins:?}");

    // A close whose answer is lost.
    warm_up(&store, &fx, r2).await;
    let close = till_testkit::close(&fx, retried.session.id, 175);
    proxy.swallow_next_reply();
    assert_eq!(store.close_shift(close.clone()).await.map(|_| ()).unwrap_err().code(), "database_unavailable");
    let closed = admin.find_session(&SessionRef::Id(close.session)).await.unwrap();
    assert_eq!(closed.status, SessionStatus::Closed, "the close did not commit: the test did not test");
    let retried = store.close_shift(close.clone()).await.unwrap();
    assert_eq!((retried.closed_at, retried.counted_cash), (closed.closed_at, closed.counted_cash));

    assert!(proxy.faults() >= 3);
    let report = admin.check_invariants().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    // Warm-ups: one on r3, two on r2; and the one on r1.
    assert_eq!(report.sessions, 4, "{report:?}");
}

/// Prepares the start and close statements on the store's (new) connection: one cycle on a
/// register with no open session.
async fn warm_up(store: &std::sync::Arc<dyn Store>, fx: &Fixture, register: RegisterId) {
    let started =
        store.start_shift(till_testkit::start(&fx.cashier, register, CASHIER_DEVICE, Some(100))).await.unwrap();
    assert!(!started.joined);
    store.close_shift(till_testkit::close(fx, started.session.id, 100)).await.unwrap();
}
