//! Races that really race: many stores (each with its own connections) released together by a
//! barrier, on both backends, with the invariants read back from the database afterwards.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use till::{both_backends, provision, Backend, Fixture, TestDatabase};
use till_core::*;
use tokio::sync::Barrier;
use tokio::task::JoinHandle;

both_backends!(many_devices_one_register, twenty_registers_get_gapless_numbers, close_races_start);

const DEVICES: usize = 64;
const ROUNDS: usize = 8;

/// One store per simulated device: separate connections (PostgreSQL) or separate writer
/// connections contending for the file lock (SQLite), as separate PCs would.
async fn devices(db: &TestDatabase, count: usize) -> Vec<Arc<dyn Store>> {
    let options = StoreOptions { migrate: false, max_connections: 1, ..StoreOptions::default() };
    let mut stores = Vec::new();
    for _ in 0..count {
        stores.push(db.open_with(&options).await.expect("open a device's store"));
    }
    stores
}

fn start(fx: &Fixture, register: RegisterId, device: usize) -> StartShift {
    StartShift {
        new_session_id: SessionId::new(),
        register_id: register,
        user_id: fx.cashier.id,
        opening_cash: Some(100),
        device: DeviceName::parse(&format!("device-{device}")).unwrap(),
        notes: None,
        at: None,
    }
}

async fn close(store: &dyn Store, fx: &Fixture, session: SessionId) -> Result<Session, StoreError> {
    store
        .close_shift(CloseShift {
            session: SessionRef::Id(session),
            user_id: fx.manager.id,
            counted_cash: 100,
            device: DeviceName::parse("manager-pc").unwrap(),
            at: None,
        })
        .await
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

async fn assert_clean(store: &dyn Store) -> Audit {
    let audit = store.audit().await.unwrap();
    assert!(audit.is_clean(), "invariants broken: {audit:?}");
    audit
}

async fn many_devices_one_register(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 1).await;
    let register = fx.registers[0].id;
    let stores = devices(&db, DEVICES).await;
    for round in 0..ROUNDS {
        let barrier = Arc::new(Barrier::new(DEVICES));
        let tasks =
            start_together(&barrier, stores.iter().enumerate().map(|(i, s)| (s.clone(), start(&fx, register, i))));
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
    let db = TestDatabase::new(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), REGISTERS).await;
    let stores = devices(&db, REGISTERS).await;
    for round in 0..ROUNDS {
        let barrier = Arc::new(Barrier::new(REGISTERS));
        let starts = stores.iter().zip(&fx.registers).enumerate().map(|(i, (s, r))| (s.clone(), start(&fx, r.id, i)));
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
    let db = TestDatabase::new(backend).await;
    let admin = db.open().await;
    let fx = provision(admin.as_ref(), 1).await;
    let register = fx.registers[0].id;
    let stores = devices(&db, STARTERS + 1).await;
    for round in 0..ROUNDS {
        let old = admin.start_shift(start(&fx, register, 999)).await.unwrap().session;
        let barrier = Arc::new(Barrier::new(STARTERS + 1));
        let closer = {
            let (store, barrier, fx) = (stores[STARTERS].clone(), barrier.clone(), fx.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                close(store.as_ref(), &fx, old.id).await
            })
        };
        let starts = stores[..STARTERS].iter().enumerate().map(|(i, s)| (s.clone(), start(&fx, register, i)));
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
