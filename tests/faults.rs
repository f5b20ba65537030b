//! PostgreSQL faults: backends terminated while shifts start and close. Callers get
//! `database_unavailable`, nothing half-done is left behind, and a retry succeeds.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use till::{provision, Backend, TestDatabase};
use till_core::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn terminated_backends_lose_nothing_and_break_nothing() {
    const WORKERS: usize = 8;
    let db = TestDatabase::new(Backend::Postgres).await;
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
                let device = DeviceName::parse("pc").unwrap();
                while !stop.load(Ordering::Relaxed) {
                    let start = StartShift {
                        new_session_id: SessionId::new(),
                        register_id: register,
                        user_id: fx.cashier.id,
                        opening_cash: Some(100),
                        device: device.clone(),
                        notes: None,
                        at: None,
                    };
                    let outcome = match store.start_shift(start).await {
                        Ok(started) => store
                            .close_shift(CloseShift {
                                session: SessionRef::Id(started.session.id),
                                user_id: fx.manager.id,
                                counted_cash: 100,
                                device: device.clone(),
                                at: None,
                            })
                            .await
                            .map(drop),
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
    let audit = retried!(admin.audit());
    assert!(audit.is_clean(), "invariants broken under faults: {audit:?}");
    let device = DeviceName::parse("pc").unwrap();
    for register in &fx.registers {
        // A close killed before it committed left its session open: closing it again works.
        let latest = retried!(admin.latest_session(register.id));
        if let Some(open) = latest.filter(|s| s.status == SessionStatus::Open) {
            let close = CloseShift {
                session: SessionRef::Id(open.id),
                user_id: fx.manager.id,
                counted_cash: 0,
                device: device.clone(),
                at: None,
            };
            retried!(admin.close_shift(close.clone()));
        }
        let start = StartShift {
            new_session_id: SessionId::new(),
            register_id: register.id,
            user_id: fx.cashier.id,
            opening_cash: Some(100),
            device: device.clone(),
            notes: None,
            at: None,
        };
        assert!(!retried!(store.start_shift(start.clone())).joined);
    }
    assert!(admin.audit().await.unwrap().is_clean());
}
