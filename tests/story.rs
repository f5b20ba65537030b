//! A day at a register, and every way input can be refused, on both backends.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

use chrono::{TimeZone as _, Utc};
use till::{both_backends, provision, Backend, TestDatabase};
use till_core::service;
use till_core::*;

both_backends!(a_day_at_the_register, cashiers_cannot_close, bad_input_is_refused_and_writes_nothing);
both_backends!(numbers_follow_the_business_day, numbers_grow_past_999);

fn device(name: &str) -> DeviceName {
    DeviceName::parse(name).unwrap()
}

async fn a_day_at_the_register(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let register = RegisterRef::parse("DT/R1").unwrap();

    let alice = service::authenticate(store, "alice", "1234").await.unwrap();
    let opened =
        service::start_shift(store, &alice, &register, Some("200.00"), &device("pc1"), Some("float from safe"))
            .await
            .unwrap();
    assert!(!opened.joined);
    let session = &opened.session;
    assert_eq!(session.status, SessionStatus::Open);
    assert_eq!(session.day_sequence, 1);
    assert_eq!(session.number, format!("DT-{}-001", session.business_day.format("%Y%m%d")));
    assert_eq!(session.opening_cash, 20_000);
    assert_eq!(session.opened_by, "alice");
    assert_eq!(session.view().opening_cash, "200.00");

    // "Join" without opening cash joins the open session and never opens one.
    let join_only = service::start_shift(store, &alice, &register, None, &device("pc3"), None).await.unwrap();
    assert!(join_only.joined);
    assert_eq!(join_only.session.id, session.id);

    // A second device joins: same session, its opening cash ignored, the join recorded.
    let bob = service::authenticate(store, "bob", "9999").await.unwrap();
    let joined = service::start_shift(store, &bob, &register, Some("5.00"), &device("pc2"), None).await.unwrap();
    assert!(joined.joined);
    assert_eq!(joined.session.id, session.id);
    assert_eq!(joined.session.opening_cash, 20_000);
    let shown = store.find_session(&SessionRef::Number(session.number.clone())).await.unwrap();
    let joins: Vec<(&str, &str)> = shown.joins.iter().map(|j| (j.user.as_str(), j.device.as_str())).collect();
    assert_eq!(joins, [("alice", "pc3"), ("bob", "pc2")]);

    // The manager closes: expected = opening cash (no sales yet), variance = counted - expected.
    let closed = service::close_shift(store, &bob, &SessionRef::Number(session.number.clone()), "250", &device("pc2"))
        .await
        .unwrap();
    assert_eq!(closed.status, SessionStatus::Closed);
    assert_eq!((closed.expected_cash, closed.counted_cash, closed.variance), (Some(20_000), Some(25_000), Some(5_000)));
    assert_eq!(closed.closed_by.as_deref(), Some("bob"));
    assert_eq!(closed.view().variance.as_deref(), Some("50.00"));

    // A second close is refused, names who closed it and when, and changes nothing.
    let again = service::close_shift(store, &bob, &SessionRef::Id(session.id), "1.00", &device("pc3")).await;
    match again {
        Err(TillError::Store(StoreError::SessionAlreadyClosed { number, closed_by, closed_at })) => {
            assert_eq!(number, session.number);
            assert_eq!(closed_by, "bob");
            assert_eq!(Some(closed_at), closed.closed_at);
        }
        other => panic!("expected session_already_closed, got {other:?}"),
    }
    let unchanged = store.find_session(&SessionRef::Id(session.id)).await.unwrap();
    assert_eq!(unchanged.counted_cash, Some(25_000));

    // With the session closed, a join-only start has nothing to join and opens nothing.
    let nothing = service::start_shift(store, &bob, &register, None, &device("pc2"), None).await;
    assert_eq!(nothing.unwrap_err().code(), "no_open_session");
    assert_eq!(store.audit().await.unwrap().open_sessions, 0);

    // The next start opens the next number.
    let next = service::start_shift(store, &alice, &register, Some("100"), &device("pc1"), None).await.unwrap();
    assert!(!next.joined);
    assert_eq!(next.session.day_sequence, 2);
    assert_ne!(next.session.id, session.id);
    let latest = store.latest_session(fx.registers[0].id).await.unwrap().unwrap();
    assert_eq!(latest.id, next.session.id);

    let audit = store.audit().await.unwrap();
    assert!(audit.is_clean(), "{audit:?}");
    assert_eq!((audit.sessions, audit.open_sessions), (2, 1));
}

async fn cashiers_cannot_close(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let started = service::start_shift(
        store,
        &fx.cashier,
        &RegisterRef::parse("DT/R1").unwrap(),
        Some("10"),
        &device("pc1"),
        None,
    )
    .await
    .unwrap();
    let refused =
        service::close_shift(store, &fx.cashier, &SessionRef::Id(started.session.id), "10", &device("pc1")).await;
    assert_eq!(refused.unwrap_err().code(), "forbidden");
    // The store refuses too, even when called directly.
    let direct = store
        .close_shift(CloseShift {
            session: SessionRef::Id(started.session.id),
            user_id: fx.cashier.id,
            counted_cash: 1_000,
            device: device("pc1"),
            at: None,
        })
        .await;
    assert_eq!(direct.unwrap_err().code(), "forbidden");
    let session = store.find_session(&SessionRef::Id(started.session.id)).await.unwrap();
    assert_eq!(session.status, SessionStatus::Open);
}

async fn bad_input_is_refused_and_writes_nothing(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = RegisterRef::parse("DT/R1").unwrap();
    let pc = device("pc1");
    let before = store.audit().await.unwrap();

    for amount in ["-1", "-0.01", "1.234", "NaN", "inf", "1e3", "", "   ", "2,000", "99999999999999999999", "0x10"] {
        let result = service::start_shift(store, &fx.cashier, &r1, Some(amount), &pc, None).await;
        assert_eq!(result.unwrap_err().code(), "invalid_amount", "amount {amount:?}");
    }
    for pin in ["", "12", "123456789", "12a4", "１２３４"] {
        let result = service::authenticate(store, "alice", pin).await;
        assert_eq!(result.unwrap_err().code(), "invalid_pin", "pin {pin:?}");
    }
    assert_eq!(service::authenticate(store, "alice", "4321").await.unwrap_err().code(), "wrong_pin");
    assert_eq!(service::authenticate(store, "mallory", "1234").await.unwrap_err().code(), "user_not_found");
    store.set_user_active(&UserName::parse("alice").unwrap(), false).await.unwrap();
    assert_eq!(service::authenticate(store, "alice", "1234").await.unwrap_err().code(), "user_inactive");
    store.set_user_active(&UserName::parse("alice").unwrap(), true).await.unwrap();
    assert!(service::authenticate(store, "alice", "1234").await.is_ok());
    let missing = RegisterRef::parse("DT/R9").unwrap();
    let result = service::start_shift(store, &fx.cashier, &missing, Some("10"), &pc, None).await;
    assert_eq!(result.unwrap_err().code(), "register_not_found");
    let elsewhere = RegisterRef::parse("XX/R1").unwrap();
    let result = service::start_shift(store, &fx.cashier, &elsewhere, Some("10"), &pc, None).await;
    assert_eq!(result.unwrap_err().code(), "register_not_found");
    let unknown_id = RegisterRef::Id(RegisterId::new());
    let result = service::start_shift(store, &fx.cashier, &unknown_id, Some("10"), &pc, None).await;
    assert_eq!(result.unwrap_err().code(), "register_not_found");
    for text in ["DT", "DT/", "/R1", "DT/R-1", "", "DT/R1/X"] {
        assert_eq!(RegisterRef::parse(text).unwrap_err().code(), "invalid_input", "register {text:?}");
    }
    // The store refuses a negative amount even when called directly.
    let direct = store
        .start_shift(StartShift {
            new_session_id: SessionId::new(),
            register_id: fx.registers[0].id,
            user_id: fx.cashier.id,
            opening_cash: Some(-1),
            device: pc.clone(),
            notes: None,
            at: None,
        })
        .await;
    assert_eq!(direct.unwrap_err().code(), "invalid_input");
    // Provisioning input.
    let bad_zone =
        service::LocationInput { code: "UP", name: "Uptown", time_zone: "Mars/Olympus", ..Default::default() };
    assert_eq!(service::add_location(store, bad_zone).await.unwrap_err().code(), "invalid_input");
    let dup = service::LocationInput { code: "dt", name: "Again", time_zone: "UTC", ..Default::default() };
    assert_eq!(service::add_location(store, dup).await.unwrap_err().code(), "already_exists");
    assert_eq!(service::add_user(store, "carol", "owner", "1234").await.unwrap_err().code(), "invalid_input");
    assert_eq!(service::add_user(store, "carol", "cashier", "12").await.unwrap_err().code(), "invalid_pin");
    assert_eq!(service::add_register(store, "ZZ", "R1", None).await.unwrap_err().code(), "location_not_found");
    // Closing with bad input.
    let open = service::start_shift(store, &fx.cashier, &r1, Some("10"), &pc, None).await.unwrap();
    let result = service::close_shift(store, &fx.manager, &SessionRef::Id(open.session.id), "-5", &pc).await;
    assert_eq!(result.unwrap_err().code(), "invalid_amount");
    let result =
        service::close_shift(store, &fx.manager, &SessionRef::Number("DT-20990101-001".into()), "5", &pc).await;
    assert_eq!(result.unwrap_err().code(), "session_not_found");

    let after = store.audit().await.unwrap();
    assert_eq!((after.sessions, after.open_sessions), (before.sessions + 1, 1), "only the one good start wrote");
    assert_eq!(store.list_users().await.unwrap().len(), 2);
    assert_eq!(store.list_locations().await.unwrap().len(), 1);
    let session = store.find_session(&SessionRef::Id(open.session.id)).await.unwrap();
    assert_eq!(session.status, SessionStatus::Open);
}

fn start_at(fx: &till::Fixture, at: chrono::DateTime<Utc>) -> StartShift {
    StartShift {
        new_session_id: SessionId::new(),
        register_id: fx.registers[0].id,
        user_id: fx.cashier.id,
        opening_cash: Some(0),
        device: device("pc1"),
        notes: None,
        at: Some(at),
    }
}

fn close_at(fx: &till::Fixture, session: SessionId, at: chrono::DateTime<Utc>) -> CloseShift {
    CloseShift {
        session: SessionRef::Id(session),
        user_id: fx.manager.id,
        counted_cash: 0,
        device: device("pc1"),
        at: Some(at),
    }
}

async fn numbers_follow_the_business_day(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    // DT is in America/New_York with a 04:00 cut-off: 08:59 UTC is 03:59 local, the 27th's day.
    let late = Utc.with_ymd_and_hms(2026, 11, 28, 8, 59, 0).unwrap();
    let s = store.start_shift(start_at(&fx, late)).await.unwrap().session;
    assert_eq!(s.number, "DT-20261127-001");
    assert_eq!(s.opened_at, late);
    store.close_shift(close_at(&fx, s.id, late)).await.unwrap();
    let early = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let s = store.start_shift(start_at(&fx, early)).await.unwrap().session;
    assert_eq!(s.number, "DT-20261128-001");
    store.close_shift(close_at(&fx, s.id, early)).await.unwrap();
    // The night DST ends (2026-11-01, 02:00 EDT → 01:00 EST): 08:30 UTC is 03:30 EST.
    let dst = Utc.with_ymd_and_hms(2026, 11, 1, 8, 30, 0).unwrap();
    let s = store.start_shift(start_at(&fx, dst)).await.unwrap().session;
    assert_eq!(s.number, "DT-20261031-001");
    assert_eq!(s.business_day, business_day(dst, TimeZone::parse("America/New_York").unwrap(), Cutoff::DEFAULT));
    assert!(store.audit().await.unwrap().is_clean());
}

async fn numbers_grow_past_999(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    let noon = Utc.with_ymd_and_hms(2026, 11, 28, 17, 0, 0).unwrap();
    let first = store.start_shift(start_at(&fx, noon)).await.unwrap().session;
    store.close_shift(close_at(&fx, first.id, noon)).await.unwrap();
    // Pretend 998 sessions happened today (the counter is what allocates numbers).
    db.execute("UPDATE day_counters SET last_seq = 998").await;
    let mut numbers = Vec::new();
    for _ in 0..3 {
        let s = store.start_shift(start_at(&fx, noon)).await.unwrap().session;
        numbers.push(s.number.clone());
        store.close_shift(close_at(&fx, s.id, noon)).await.unwrap();
    }
    assert_eq!(numbers, ["DT-20261128-999", "DT-20261128-1000", "DT-20261128-1001"]);
}
