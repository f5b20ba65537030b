//! Races that really race: many stores (each with its own connections) released together by a
//! barrier, on both backends, with the invariants read back from the database afterwards.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use till_core::*;
use till_testkit::{both_backends, provision, Backend, Fixture, TestDatabase};
use tokio::sync::Barrier;
use tokio::task::JoinHandle;

both_backends!(many_devices_one_register, twenty_registers_get_gapless_numbers, close_races_start);
both_backends!(joins_racing_a_close_are_ordered_before_it, a_held_register_lock_answers_database_busy);

const DEVICES: usize = 64;
const ROUNDS: usize = 8;

/// One store per simulated device: separate connections (PostgreSQL) or separate writer
/// connections contending for the file lock (SQLite), as separate PCs would.
async fn devices(db: &TestDatabase, count: usize) -> Vec<Arc<dyn Store>> {
    // These tests prove the invariants, not the wait bound (a_held_register_lock_answers_
    // database_busy does): 64 writer processes on one SQLite file, each commit an fsync, queue
    // for longer than the default 5 s on a loaded 2-core machine, so they may wait longer here.
    let options = StoreOptions {
        migrate: false,
        max_connections: 1,
        busy_timeout: std::time::Duration::from_secs(60),
        ..StoreOptions::default()
    };
    let mut stores = Vec::new();
    for _ in 0..count {
        stores.push(db.open_with(&options).await.expect("open a device's store"));
    }
    stores
}

/// alice logged in on `device-{device}`: a login acts only from the device it was made on.
async fn alice_on(store: &dyn Store, device: usize) -> Authenticated {
    till_testkit::login(store, "alice", "1234", &format!("device-{device}")).await
}

/// alice logged in on `device-0` .. `device-{count - 1}`.
async fn alices(store: &dyn Store, count: usize) -> Vec<Authenticated> {
    let mut logins = Vec::with_capacity(count);
    for device in 0..count {
        logins.push(alice_on(store, device).await);
    }
    logins
}

/// A start by `who` (alice's login on that device) from `device-{device}`.
fn start(who: &Authenticated, register: RegisterId, device: usize) -> StartShift {
    till_testkit::start(who, register, &format!("device-{device}"), Some(100))
}

async fn close(store: &dyn Store, fx: &Fixture, session: SessionId) -> Result<Session, StoreError> {
    store.close_shift(till_testkit::close(fx, session, 100)).await
}

/// Spawns one task per (store, start), each waiting at the barrier, so that all call
/// start_shift at the same moment.
fn start_together(
    barrier: &Arc<Barrier>,
    starts: impl Iterator<Item = (Arc<dyn Store>, StartShift)>,
) -> Vec<JoinHandle<Result<ShiftStarted, StoreError>>> {
    starts
        .map(|(store, start)| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                store.start_shift(start).await
            })
        })
        .collect()
}

async fn assert_clean(store: &dyn Store) -> InvariantReport {
    let audit = store.check_invariants().await.unwrap();
    assert!(audit.is_clean(), "invariants broken: {audit:?}");
    audit
}

async fn many_devices_one_register(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 1).await;
    let register = fx.registers[0].id;
    let stores = devices(&db, DEVICES).await;
    let alices = alices(admin.as_ref(), DEVICES).await;
    for round in 0..ROUNDS {
        let barrier = Arc::new(Barrier::new(DEVICES));
        let tasks = start_together(
            &barrier,
            stores.iter().enumerate().map(|(i, s)| (s.clone(), start(&alices[i], register, i))),
        );
        let mut ids = HashSet::new();
        let mut created = 0;
        for task in tasks {
            let started = task.await.unwrap().unwrap_or_else(|e| panic!("round {round}: a caller failed: {e}"));
            ids.insert(started.session.id);
            created += usize::from(!started.joined);
            assert_eq!(started.session.status, SessionStatus::Open);
        }
        assert_eq!(ids.len(), 1, "round {round}: every caller gets the one session's id");
        assert_eq!(created, 1, "round {round}: exactly one caller created it");
        let audit = assert_clean(admin.as_ref()).await;
        assert_eq!((audit.sessions, audit.open_sessions), (round as i64 + 1, 1));
        let session = ids.into_iter().next().unwrap();
        let joins = admin.find_session(&SessionRef::Id(session)).await.unwrap().joins;
        assert_eq!(joins.len(), DEVICES - 1, "every joiner's join is recorded");
        close(admin.as_ref(), &fx, session).await.unwrap();
    }
}

async fn twenty_registers_get_gapless_numbers(backend: Backend) {
    const REGISTERS: usize = 20;
    let db = TestDatabase::migrated(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), REGISTERS).await;
    let stores = devices(&db, REGISTERS).await;
    let alices = alices(admin.as_ref(), REGISTERS).await;
    for round in 0..ROUNDS {
        let barrier = Arc::new(Barrier::new(REGISTERS));
        let starts =
            stores.iter().zip(&fx.registers).enumerate().map(|(i, (s, r))| (s.clone(), start(&alices[i], r.id, i)));
        let tasks = start_together(&barrier, starts);
        let mut sequences = BTreeSet::new();
        let mut numbers = HashSet::new();
        let mut sessions = Vec::new();
        for task in tasks {
            let started = task.await.unwrap().unwrap();
            assert!(!started.joined);
            sequences.insert(started.session.day_sequence);
            numbers.insert(started.session.number.clone());
            sessions.push(started.session);
        }
        let first = (round * REGISTERS) as i64 + 1;
        let expected: BTreeSet<i64> = (first..first + REGISTERS as i64).collect();
        // Everything here runs within one business day unless the test straddles the cut-off.
        if sessions.iter().all(|s| s.business_day == sessions[0].business_day) {
            assert_eq!(sequences, expected, "round {round}: numbers are unique and gapless");
        }
        assert_eq!(numbers.len(), REGISTERS, "round {round}: no number is shared");
        for s in &sessions {
            assert!(s.number.ends_with(&format!("-{:03}", s.day_sequence)));
        }
        assert_clean(admin.as_ref()).await;
        for s in sessions {
            close(admin.as_ref(), &fx, s.id).await.unwrap();
        }
    }
}

async fn close_races_start(backend: Backend) {
    const STARTERS: usize = 16;
    let db = TestDatabase::migrated(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 1).await;
    let register = fx.registers[0].id;
    let stores = devices(&db, STARTERS + 1).await;
    let (alices, alice_999) = (alices(admin.as_ref(), STARTERS).await, alice_on(admin.as_ref(), 999).await);
    for round in 0..ROUNDS {
        let old = admin.start_shift(start(&alice_999, register, 999)).await.unwrap().session;
        let barrier = Arc::new(Barrier::new(STARTERS + 1));
        let closer = {
            let (store, barrier, fx) = (stores[STARTERS].clone(), barrier.clone(), fx.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                close(store.as_ref(), &fx, old.id).await
            })
        };
        let starts = stores[..STARTERS].iter().enumerate().map(|(i, s)| (s.clone(), start(&alices[i], register, i)));
        let starters = start_together(&barrier, starts);
        let closed = closer.await.unwrap().unwrap();
        assert_eq!(closed.status, SessionStatus::Closed);
        let mut new_sessions = HashSet::new();
        let mut created = 0;
        for task in starters {
            let started = task.await.unwrap().unwrap();
            if started.session.id != old.id {
                new_sessions.insert(started.session.id);
                created += usize::from(!started.joined);
            } else {
                assert!(started.joined, "round {round}: the old session can only be joined");
            }
        }
        assert!(new_sessions.len() <= 1, "round {round}: at most one new session");
        assert_eq!(created, new_sessions.len(), "round {round}: the new session was created exactly once");
        let audit = assert_clean(admin.as_ref()).await;
        assert!(audit.open_sessions <= 1);
        // Leave the register closed for the next round.
        if let Some(open) = admin
            .list_sessions(&SessionFilter { status: Some(SessionStatus::Open), ..Default::default() })
            .await
            .unwrap()
            .first()
        {
            close(admin.as_ref(), &fx, open.id).await.unwrap();
        }
    }
}

/// Joins racing a close. A join is ordered before any close of the session it joins: every
/// caller told "joined, open" on the old session had its join recorded before the close
/// (joined_at <= closed_at), every join row on it belongs to such a caller, and callers after
/// the close get `no_open_session` (join only) and record nothing.
async fn joins_racing_a_close_are_ordered_before_it(backend: Backend) {
    const JOINERS: usize = 16;
    let db = TestDatabase::migrated(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 1).await;
    let register = fx.registers[0].id;
    // Each joiner is a user of their own, logged in on a device of their own.
    let mut logins = vec![];
    for i in 0..JOINERS {
        let name = format!("joiner{i}");
        till_core::service::add_user(admin.as_ref(), &name, "cashier", "1111").await.unwrap();
        logins.push(till_testkit::login(admin.as_ref(), &name, "1111", &format!("joiner-{i}")).await);
    }
    let alice_999 = alice_on(admin.as_ref(), 999).await;
    let stores = devices(&db, JOINERS + 1).await;
    for round in 0..ROUNDS {
        let old = admin.start_shift(start(&alice_999, register, 999)).await.unwrap().session;
        let barrier = Arc::new(Barrier::new(JOINERS + 1));
        let closer = {
            let (store, barrier, fx) = (stores[JOINERS].clone(), barrier.clone(), fx.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                close(store.as_ref(), &fx, old.id).await
            })
        };
        let joins =
            stores[..JOINERS].iter().zip(&logins).enumerate().map(|(i, (s, joiner))| {
                (s.clone(), till_testkit::start(joiner, register, &format!("joiner-{i}"), None))
            });
        let joiners = start_together(&barrier, joins);
        let closed = closer.await.unwrap().unwrap();
        let mut joined_devices = BTreeSet::new();
        for (i, task) in joiners.into_iter().enumerate() {
            match task.await.unwrap() {
                Ok(started) => {
                    assert!(started.joined, "round {round}: a join-only start opened a session");
                    assert_eq!(started.session.id, old.id, "round {round}");
                    assert_eq!(started.session.status, SessionStatus::Open, "round {round}: joined a closed session");
                    joined_devices.insert(format!("joiner-{i}"));
                }
                Err(e) => assert_eq!(e.code(), "no_open_session", "round {round}: {e:?}"),
            }
        }
        let session = admin.find_session(&SessionRef::Id(old.id)).await.unwrap();
        let closed_at = closed.closed_at.unwrap();
        let recorded: BTreeSet<String> = session.joins.iter().map(|j| j.device.clone()).collect();
        assert_eq!(recorded, joined_devices, "round {round}: join rows and \"joined, open\" answers differ");
        // The close waited for those joins, so its time is after theirs: a report never shows a
        // join after the close.
        for join in &session.joins {
            assert!(join.joined_at <= closed_at, "round {round}: {join:?} recorded after the close at {closed_at}");
        }
        assert_clean(admin.as_ref()).await;
    }
}

/// One transaction holding the register (PostgreSQL: its row FOR UPDATE; SQLite: the write
/// lock) no longer hangs every start behind it: the start answers `database_busy` within
/// the bound, writes nothing, and works once the holder commits.
async fn a_held_register_lock_answers_database_busy(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 1).await;
    let register = fx.registers[0].id;
    let options = StoreOptions { busy_timeout: Duration::from_secs(1), ..StoreOptions::default() };
    let store = db.open_with(&options).await.unwrap();
    let (alice_1, alice_2) = (alice_on(admin.as_ref(), 1).await, alice_on(admin.as_ref(), 2).await);
    let (holder, release) = hold_register(&db, register).await;
    let began = Instant::now();
    let busy = store.start_shift(start(&alice_1, register, 1)).await;
    let waited = began.elapsed();
    assert_eq!(busy.map(|_| ()).unwrap_err().code(), "database_busy");
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(4), "waited {waited:?}");
    release.send(()).unwrap();
    holder.await.unwrap();
    let started = store.start_shift(start(&alice_1, register, 1)).await.unwrap();
    assert!(!started.joined);
    let report = assert_clean(admin.as_ref()).await;
    assert_eq!(report.sessions, 1, "the refused start wrote nothing");
    if backend == Backend::Postgres {
        // A session row held FOR UPDATE: a join (FOR SHARE) and a close wait, then are busy.
        let (holder, release) =
            hold(&db, format!("SELECT 1 FROM sessions WHERE id = '{}' FOR UPDATE", started.session.id)).await;
        let join = store.start_shift(start(&alice_2, register, 2)).await;
        assert_eq!(join.map(|_| ()).unwrap_err().code(), "database_busy");
        let closing = close(store.as_ref(), &fx, started.session.id).await;
        assert_eq!(closing.map(|_| ()).unwrap_err().code(), "database_busy");
        release.send(()).unwrap();
        holder.await.unwrap();
        assert!(store.start_shift(start(&alice_2, register, 2)).await.unwrap().joined);
        close(store.as_ref(), &fx, started.session.id).await.unwrap();
    }
}

type Holder = (tokio::task::JoinHandle<()>, tokio::sync::oneshot::Sender<()>);

async fn hold_register(db: &TestDatabase, register: RegisterId) -> Holder {
    match db.backend {
        Backend::Postgres => hold(db, format!("SELECT 1 FROM registers WHERE id = '{register}' FOR UPDATE")).await,
        Backend::Sqlite => hold(db, String::new()).await,
    }
}

/// Opens a transaction on another connection (PostgreSQL: runs `sql` in it; SQLite: `BEGIN
/// IMMEDIATE`, the write lock) and holds it until told, then commits.
async fn hold(db: &TestDatabase, sql: String) -> Holder {
    let (release, released) = tokio::sync::oneshot::channel();
    let (ready, is_ready) = tokio::sync::oneshot::channel();
    let (backend, url) = (db.backend, db.url.clone());
    let task = tokio::spawn(async move {
        use sqlx::Executor as _;
        match backend {
            Backend::Postgres => {
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
                conn.execute("BEGIN").await.unwrap();
                conn.execute(sql.as_str()).await.unwrap();
                ready.send(()).unwrap();
                released.await.ok();
                conn.execute("COMMIT").await.unwrap();
            }
            Backend::Sqlite => {
                let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
                conn.execute("BEGIN IMMEDIATE").await.unwrap();
                ready.send(()).unwrap();
                released.await.ok();
                conn.execute("COMMIT").await.unwrap();
            }
        }
    });
    is_ready.await.unwrap();
    (task, release)
}
