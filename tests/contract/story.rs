//! A day at a register, and every way input can be refused, on both backends.

use till_core::service::{self, CloseRequest, SaleRequest, StartRequest, Till, VoidRequest};
use till_core::*;
use till_testkit::shop::{line, shop};
use till_testkit::{both_backends, provision, Backend, TestDatabase, CASHIER_DEVICE, MANAGER_DEVICE};

both_backends!(a_day_at_the_register, cashiers_cannot_close, bad_input_is_refused_and_writes_nothing);
both_backends!(numbers_follow_the_business_day, numbers_grow_past_999);
both_backends!(
    notes_with_control_or_bidi_characters_are_refused_and_write_nothing,
    amounts_are_bounded_by_core_and_database
);
both_backends!(a_deactivated_user_cannot_join_or_start, an_inactive_manager_gets_user_inactive);
both_backends!(repeated_requests_return_the_first_outcome, a_repeated_second_join_never_opens_a_new_session);
both_backends!(a_repeated_join_request_writes_nothing, the_money_bound_is_the_same_in_core_and_each_store);

fn device(name: &str) -> DeviceName {
    DeviceName::parse(name).unwrap()
}

fn usd(minor: i64) -> Money {
    Money::cash(minor, Currency::USD).unwrap()
}

fn opening<'a>(cash: Option<&'a str>, notes: Option<&'a str>) -> StartRequest<'a> {
    StartRequest { request_id: RequestId::new(), opening_cash: cash.map(CashAmount::Typed), notes }
}

fn closing<'a>(session: &'a SessionRef, counted: &'a str) -> CloseRequest<'a> {
    CloseRequest {
        request_id: RequestId::new(),
        session,
        counted_cash: CashAmount::Typed(counted),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off: None,
    }
}

/// The shop's day (till-testkit's shop: Latte 4.50, Muffin 2.95, Milk 2.29): a shift opened,
/// joined and closed blind with a sign-off; the next one sells, takes lines off carts before
/// they are paid (voids), and closes even. The X, the Z and the journal carry the voids.
async fn a_day_at_the_register(backend: Backend) {
    let shop = shop(backend, 1).await;
    let store = shop.store.as_ref();
    let fx = &shop.fx;
    let register = RegisterRef::parse("DT/R1").unwrap();

    let alice = service::authenticate(store, "alice", "1234", &device("pc1")).await.unwrap();
    let opened = service::start_shift(
        store,
        &alice,
        &register,
        &device("pc1"),
        opening(Some("200.00"), Some("float from safe")),
    )
    .await
    .unwrap();
    assert!(!opened.joined);
    let session = &opened.session;
    assert_eq!(session.status, SessionStatus::Open);
    assert_eq!(session.day_sequence, 1);
    assert_eq!(session.number, format!("DT-{}-001", session.business_day.format("%Y%m%d")));
    assert_eq!(session.opening_cash, usd(20_000));
    assert_eq!(session.notes.as_deref(), Some("float from safe"));
    assert_eq!(session.opened_by, "alice");
    assert_eq!(session.view().opening_cash, 20_000);

    // "Join" without opening cash joins the open session and never opens one (alice, from pc3,
    // where she logs in too: a login acts only from the device it was made on).
    let alice_pc3 = service::authenticate(store, "alice", "1234", &device("pc3")).await.unwrap();
    let join_only =
        service::start_shift(store, &alice_pc3, &register, &device("pc3"), opening(None, None)).await.unwrap();
    assert!(join_only.joined);
    assert_eq!(join_only.session.id, session.id);

    // A second device joins: same session, its opening cash ignored, the join recorded.
    let bob = service::authenticate(store, "bob", "9999", &device("pc2")).await.unwrap();
    let joined =
        service::start_shift(store, &bob, &register, &device("pc2"), opening(Some("5.00"), None)).await.unwrap();
    assert!(joined.joined);
    assert_eq!(joined.session.id, session.id);
    assert_eq!(joined.session.opening_cash, usd(20_000));
    let shown = store.find_session(&SessionRef::Number(session.number.clone())).await.unwrap();
    let joins: Vec<(&str, &str)> = shown.joins.iter().map(|j| (j.user.as_str(), j.device.as_str())).collect();
    assert_eq!(joins, [("alice", "pc3"), ("bob", "pc2")]);

    // The manager closes: expected = opening cash (no sales yet), variance = counted - expected.
    let by_number = SessionRef::Number(session.number.clone());
    // 50.00 over is above the location's 5.00 limit: refused until a manager signs it off.
    let unsigned = service::close_shift(store, &bob, None, &device("pc2"), closing(&by_number, "250")).await;
    assert_eq!(unsigned.unwrap_err().code(), "variance_needs_signoff");
    let signed = CloseRequest { sign_off: Some("float counted twice"), ..closing(&by_number, "250") };
    let closed = service::close_shift(store, &bob, None, &device("pc2"), signed).await.unwrap();
    assert_eq!(closed.variance_reason.as_deref(), Some("float counted twice"));
    assert_eq!(closed.status, SessionStatus::Closed);
    assert_eq!(
        (closed.expected_cash, closed.counted_cash, closed.variance),
        (Some(usd(20_000)), Some(usd(25_000)), Some(Money::from_minor(5_000, Currency::USD)))
    );
    assert_eq!(closed.closed_by.as_deref(), Some("bob"));
    assert_eq!(closed.view().variance, Some(5_000), "the app reads minor units");

    // A second close (another request) is refused, names who closed it and when, and changes nothing.
    let by_id = SessionRef::Id(session.id);
    let again = service::close_shift(store, &bob, None, &device("pc2"), closing(&by_id, "1.00")).await;
    match again {
        Err(TillError::Store(StoreError::Refused(Refusal::SessionAlreadyClosed { number, closed_by, closed_at }))) => {
            assert_eq!(number, session.number);
            assert_eq!(closed_by, "bob");
            assert_eq!(Some(closed_at), closed.closed_at);
        }
        other => panic!("expected session_already_closed, got {other:?}"),
    }
    let unchanged = store.find_session(&SessionRef::Id(session.id)).await.unwrap();
    assert_eq!(unchanged.counted_cash, Some(usd(25_000)));

    // With the session closed, a join-only start has nothing to join and opens nothing.
    let nothing = service::start_shift(store, &bob, &register, &device("pc2"), opening(None, None)).await;
    assert_eq!(nothing.unwrap_err().code(), "no_open_session");
    assert_eq!(store.check_invariants().await.unwrap().open_sessions, 0);

    // The next start opens the next number.
    let next =
        service::start_shift(store, &alice, &register, &device("pc1"), opening(Some("100"), None)).await.unwrap();
    assert!(!next.joined);
    assert_eq!(next.session.day_sequence, 2);
    assert_ne!(next.session.id, session.id);
    let latest = store.latest_session(fx.registers[0].id).await.unwrap().unwrap();
    assert_eq!(latest.id, next.session.id);

    let report = store.check_invariants().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.sessions, report.open_sessions), (2, 1));

    sell_void_and_close(store, &alice, &bob, &next.session).await;
}

/// The second shift of the day: a cash sale, then three carts changed before they were paid,
/// each a void at the catalog's list prices (a latte removed, a quantity of muffins lowered by
/// two, a whole cart cleared). The X and the Z count and sum them, a void moves no cash, each
/// void has its own journal entry stating its amount, and the journal verifies.
async fn sell_void_and_close(store: &dyn Store, alice: &Authenticated, bob: &Authenticated, session: &Session) {
    let (register, pc1) = (&RegisterRef::parse("DT/R1").unwrap(), &device("pc1"));
    let product = |sku: &'static str| async move {
        let dt = LocationCode::parse("DT").unwrap();
        store.find_product(&dt, &ProductKey::Sku(Sku::parse(sku).unwrap())).await.unwrap().id
    };
    let (latte, muffin, milk) = (product("LATTE").await, product("MUFFIN").await, product("MILK").await);

    let till = Till { who: alice, register, device: pc1, session: None, approval: None };
    let request = SaleRequest {
        lines: vec![line("111", 1), line("333", 1)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![Tender::Cash { amount: 1_000 }],
    };
    let sale = service::record_sale(store, till, ReceiptId::new(), &request).await.unwrap();

    let void = |kind: VoidKind, lines: Vec<VoidLine>| async move {
        let request = VoidRequest { id: VoidId::new(), kind, lines: &lines };
        service::record_void(store, alice, register, pc1, request).await.unwrap()
    };
    let take = |product_id: ProductId, quantity: i32| VoidLine { product_id, quantity };
    let removed = void(VoidKind::LineRemoved, vec![take(latte, 1)]).await;
    let lowered = void(VoidKind::QuantityLowered, vec![take(muffin, 2)]).await;
    let cleared = void(VoidKind::SaleCleared, vec![take(latte, 1), take(milk, 2)]).await;
    let voids = [&removed, &lowered, &cleared];
    let amounts: Vec<i64> = voids.iter().map(|v| v.amount).collect();
    assert_eq!(amounts, [450, 2 * 295, 450 + 2 * 229], "the catalog's list prices times the quantities");
    for v in voids {
        assert_eq!((v.session_id, v.user.as_str(), v.device.as_str()), (session.id, "alice", "pc1"));
    }
    let (count, total) = (3, amounts.iter().sum::<i64>());

    // The X: the voids counted and summed; the drawer holds the float and the sale's cash only.
    let by_id = SessionRef::Id(session.id);
    let x = service::x_report(store, &by_id, service::Asker::User(&bob.user)).await.unwrap();
    assert_eq!((x.voids, x.voids_total), (count, total));
    assert_eq!(x.sales.receipts, 1);
    let expected = 10_000 + sale.cash_net;
    assert_eq!(x.drawer.expected_cash, expected, "a void moves no cash");
    let totals = store.session_totals(session.id).await.unwrap();
    assert_eq!((totals.void_count, totals.void_total), (count, total));

    // An even close; the Z carries the same voids.
    let counted = Money::from_minor(expected, Currency::USD).to_string();
    let closed = service::close_shift(store, bob, None, &device("pc2"), closing(&by_id, &counted)).await.unwrap();
    assert_eq!(closed.variance.map(|v| v.minor()), Some(0));
    let z = service::z_report(store, &by_id, service::Asker::It("test")).await.unwrap();
    assert_eq!((z.x.voids, z.x.voids_total), (count, total));
    assert_eq!(z.z.grand_sales, sale.total);

    // The journal: the shift's events in order, one entry per void stating what it took off.
    // The Z's own entry states sales and refunds but no void figures (a known gap): the voids'
    // entries are what the journal carries, and they add up to the Z's.
    let entries = service::chain_entries(store, session.register_id.0).await.unwrap();
    let opened = entries.iter().position(|e| e.event == "session_open" && e.ref_id == Some(session.id.0)).unwrap();
    let events: Vec<&str> = entries[opened..].iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["session_open", "sale", "void", "void", "void", "session_close", "z_report"]);
    let journaled: Vec<(uuid::Uuid, serde_json::Value)> = entries[opened..]
        .iter()
        .filter(|e| e.event == "void")
        .map(|e| {
            let body: serde_json::Value = serde_json::from_str(&e.body).unwrap();
            (e.ref_id.unwrap(), body["payload"].clone())
        })
        .collect();
    for ((id, payload), v) in journaled.iter().zip(voids) {
        assert_eq!(*id, v.id.0);
        assert_eq!(payload["kind"], serde_json::json!(v.kind));
        assert_eq!(payload["amount"], v.amount);
        assert_eq!(payload["session_id"], serde_json::json!(session.id.0));
    }
    let journaled_total: i64 = journaled.iter().map(|(_, p)| p["amount"].as_i64().unwrap()).sum();
    assert_eq!((journaled.len() as i64, journaled_total), (z.x.voids, z.x.voids_total), "the journal adds up to the Z");
    let verified = service::verify_journal(store, &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");

    let report = store.check_invariants().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.sessions, report.open_sessions), (2, 0));
}

async fn cashiers_cannot_close(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = RegisterRef::parse("DT/R1").unwrap();
    let started =
        service::start_shift(store, &fx.cashier, &r1, &device("pc1"), opening(Some("10"), None)).await.unwrap();
    let by_id = SessionRef::Id(started.session.id);
    let refused = service::close_shift(store, &fx.cashier, None, &device("pc1"), closing(&by_id, "10")).await;
    assert_eq!(refused.unwrap_err().code(), "forbidden");
    // Nor with a cashier's PIN as the approval: the store checks the approver's role.
    let own_pin = service::approval("alice", "1234").unwrap();
    let refused = service::close_shift(store, &fx.cashier, Some(own_pin), &device("pc1"), closing(&by_id, "10")).await;
    assert_eq!(refused.unwrap_err().code(), "forbidden");
    // The store refuses too, even when called directly.
    let direct = store
        .close_shift(CloseShift {
            request_id: RequestId::new(),
            session: started.session.id,
            actor: Actor::login(&fx.cashier.login),
            counted_cash: usd(1_000),
            device: device("pc1"),
            float_left: usd(0),
            denominations: Vec::new(),
            sign_off: None,
        })
        .await;
    assert_eq!(direct.unwrap_err().code(), "forbidden");
    let session = store.find_session(&by_id).await.unwrap();
    assert_eq!(session.status, SessionStatus::Open);
}

async fn bad_input_is_refused_and_writes_nothing(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = RegisterRef::parse("DT/R1").unwrap();
    let (pc, office) = (device(CASHIER_DEVICE), device(MANAGER_DEVICE));
    let before = store.check_invariants().await.unwrap();

    for amount in ["-1", "-0.01", "1.234", "NaN", "inf", "1e3", "", "   ", "2,000", "99999999999999999999", "0x10"] {
        let result = service::start_shift(store, &fx.cashier, &r1, &pc, opening(Some(amount), None)).await;
        assert_eq!(result.unwrap_err().code(), "invalid_amount", "amount {amount:?}");
    }
    for pin in ["", "12", "123456789", "12a4", "１２３４"] {
        let result = service::authenticate(store, "alice", pin, &pc).await;
        assert_eq!(result.unwrap_err().code(), "invalid_pin", "pin {pin:?}");
    }
    assert_eq!(service::authenticate(store, "alice", "4321", &pc).await.unwrap_err().code(), "wrong_pin");
    assert_eq!(service::authenticate(store, "mallory", "1234", &pc).await.unwrap_err().code(), "user_not_found");
    store.set_user_active(&UserName::parse("alice").unwrap(), false).await.unwrap();
    assert_eq!(service::authenticate(store, "alice", "1234", &pc).await.unwrap_err().code(), "user_inactive");
    store.set_user_active(&UserName::parse("alice").unwrap(), true).await.unwrap();
    // The deactivation ended alice's login: she logs in again.
    let alice = service::authenticate(store, "alice", "1234", &pc).await.unwrap();
    let missing = RegisterRef::parse("DT/R9").unwrap();
    let result = service::start_shift(store, &alice, &missing, &pc, opening(Some("10"), None)).await;
    assert_eq!(result.unwrap_err().code(), "register_not_found");
    let elsewhere = RegisterRef::parse("XX/R1").unwrap();
    let result = service::start_shift(store, &alice, &elsewhere, &pc, opening(Some("10"), None)).await;
    assert_eq!(result.unwrap_err().code(), "register_not_found");
    let unknown_id = RegisterRef::Id(RegisterId::new());
    let result = service::start_shift(store, &alice, &unknown_id, &pc, opening(Some("10"), None)).await;
    assert_eq!(result.unwrap_err().code(), "register_not_found");
    // The store itself refuses an unknown register.
    let mut direct = till_testkit::start(&alice, RegisterId::new(), CASHIER_DEVICE, Some(10));
    assert_eq!(store.start_shift(direct.clone()).await.unwrap_err().code(), "register_not_found");
    for text in ["DT", "DT/", "/R1", "DT/R-1", "", "DT/R1/X"] {
        assert_eq!(RegisterRef::parse(text).unwrap_err().code(), "invalid_input", "register {text:?}");
    }
    // The store refuses a negative amount even when called directly (Money::from_minor is the
    // only way to build one: values read back from the database).
    direct.register_id = fx.registers[0].id;
    direct.opening_cash = Some(Money::from_minor(-1, Currency::USD));
    assert_eq!(store.start_shift(direct).await.unwrap_err().code(), "invalid_input");
    // Provisioning input.
    let bad_zone = service::LocationInput {
        code: "UP",
        name: "Uptown",
        time_zone: Some("Mars/Olympus"),
        currency: Some("USD"),
        locale: Some("en-US"),
        ..Default::default()
    };
    assert_eq!(service::add_location(store, bad_zone).await.unwrap_err().code(), "invalid_input");
    let dup = service::LocationInput {
        code: "dt",
        name: "Again",
        time_zone: Some("UTC"),
        currency: Some("USD"),
        locale: Some("en-US"),
        ..Default::default()
    };
    assert_eq!(service::add_location(store, dup).await.unwrap_err().code(), "already_exists");
    assert_eq!(service::add_user(store, "carol", "owner", "1234").await.unwrap_err().code(), "invalid_input");
    assert_eq!(service::add_user(store, "carol", "cashier", "12").await.unwrap_err().code(), "invalid_pin");
    assert_eq!(service::add_register(store, "ZZ", "R1", None).await.unwrap_err().code(), "location_not_found");
    // Closing with bad input.
    let open = service::start_shift(store, &alice, &r1, &pc, opening(Some("10"), None)).await.unwrap();
    let by_id = SessionRef::Id(open.session.id);
    let result = service::close_shift(store, &fx.manager, None, &office, closing(&by_id, "-5")).await;
    assert_eq!(result.unwrap_err().code(), "invalid_amount");
    let nowhere = SessionRef::Number("DT-20990101-001".into());
    let result = service::close_shift(store, &fx.manager, None, &office, closing(&nowhere, "5")).await;
    assert_eq!(result.unwrap_err().code(), "session_not_found");
    // A device may close only its own register's session.
    let r2 = service::add_register(store, "DT", "R2", None).await.unwrap();
    let other = RegisterRef::Id(r2.id);
    let wrong_register = CloseRequest { only_register: Some(&other), ..closing(&by_id, "10") };
    let result = service::close_shift(store, &fx.manager, None, &office, wrong_register).await;
    assert_eq!(result.unwrap_err().code(), "session_not_found");

    let after = store.check_invariants().await.unwrap();
    assert_eq!((after.sessions, after.open_sessions), (before.sessions + 1, 1), "only the one good start wrote");
    assert_eq!(store.list_users().await.unwrap().len(), 2);
    assert_eq!(store.list_locations().await.unwrap().len(), 1);
    let session = store.find_session(&by_id).await.unwrap();
    assert_eq!(session.status, SessionStatus::Open);
}

/// A session's number is its location, business day and sequence: "DT-20261127-001".
fn number_of(session: &Session) -> String {
    format!("DT-{}-{:03}", session.business_day.format("%Y%m%d"), session.day_sequence)
}

/// No caller chooses a time, so the numbering is checked at the database's time. The
/// business-day rule itself (cut-off, DST) is tested in till-core (`business_day`) and against
/// PostgreSQL's copy (`till_business_day`); here: a new session's business day is the one
/// till-core computes for now (read just before and just after the start: either, should the
/// day turn in between), and its number follows it.
async fn numbers_follow_the_business_day(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    // DT is in America/New_York with the default 04:00 cut-off.
    let (zone, cutoff) = (TimeZone::parse("America/New_York").unwrap(), Cutoff::DEFAULT);
    let mut sessions: Vec<Session> = Vec::new();
    for _ in 0..2 {
        let before = business_day(till_core::clock::system_now(), zone, cutoff);
        let start = till_testkit::start(&fx.cashier, fx.registers[0].id, CASHIER_DEVICE, Some(0));
        let s = store.start_shift(start).await.unwrap().session;
        let after = business_day(till_core::clock::system_now(), zone, cutoff);
        assert!(
            s.business_day == before || s.business_day == after,
            "{} is neither {before} nor {after}",
            s.business_day
        );
        assert_eq!(business_day(s.opened_at, zone, cutoff), s.business_day, "the day follows the database's time");
        assert_eq!(s.number, number_of(&s));
        store.close_shift(till_testkit::close(&fx, s.id, 0)).await.unwrap();
        sessions.push(s);
    }
    // The second session of the same business day gets the next number.
    if sessions[0].business_day == sessions[1].business_day {
        assert_eq!((sessions[0].day_sequence, sessions[1].day_sequence), (1, 2));
    } else {
        assert_eq!(sessions[1].day_sequence, 1, "a new business day numbers from 1 again");
    }
    assert!(store.check_invariants().await.unwrap().is_clean());
}

async fn numbers_grow_past_999(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    let start = || till_testkit::start(&fx.cashier, fx.registers[0].id, CASHIER_DEVICE, Some(0));
    let first = store.start_shift(start()).await.unwrap().session;
    store.close_shift(till_testkit::close(&fx, first.id, 0)).await.unwrap();
    // Pretend 998 sessions happened today (the counter is what allocates numbers).
    db.execute("UPDATE day_counters SET last_seq = 998").await;
    let mut sessions = Vec::new();
    for _ in 0..3 {
        let s = store.start_shift(start()).await.unwrap().session;
        assert_eq!(s.number, number_of(&s), "the number is never cut to three digits");
        store.close_shift(till_testkit::close(&fx, s.id, 0)).await.unwrap();
        sessions.push(s);
    }
    // Unless the business day turned during the test (its numbers then start again at 1).
    if sessions.iter().all(|s| s.business_day == first.business_day) {
        let day = first.business_day.format("%Y%m%d");
        let numbers: Vec<&str> = sessions.iter().map(|s| s.number.as_str()).collect();
        assert_eq!(numbers, [format!("DT-{day}-999"), format!("DT-{day}-1000"), format!("DT-{day}-1001")]);
    }
}

/// Notes with NUL (PostgreSQL answered `internal`, SQLite stored it), other control characters or
/// bidi overrides are refused with `invalid_input`, and nothing is written.
async fn notes_with_control_or_bidi_characters_are_refused_and_write_nothing(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = RegisterRef::parse("DT/R1").unwrap();
    let pc = device("pc1");
    for notes in ["a\0b", "bell\u{7}", "esc\u{1b}[31m", "pay \u{202E}001$", "x\u{2066}y\u{2069}", "c\rr", "\u{200F}x"] {
        let result = service::start_shift(store, &fx.cashier, &r1, &pc, opening(Some("10"), Some(notes))).await;
        assert_eq!(result.map(|_| ()).unwrap_err().code(), "invalid_input", "notes {notes:?}");
    }
    let report = store.check_invariants().await.unwrap();
    assert_eq!(report.sessions, 0, "a refused note wrote nothing");
    // Newlines and tabs are fine.
    let ok = service::start_shift(store, &fx.cashier, &r1, &pc, opening(Some("10"), Some("short\n\tsee safe")))
        .await
        .unwrap();
    assert_eq!(ok.session.notes.as_deref(), Some("short\n\tsee safe"));
}

/// Amounts above 10^12 minor units are `invalid_amount` (so sums never overflow), and the
/// database refuses them too when something bypasses the core.
async fn amounts_are_bounded_by_core_and_database(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = RegisterRef::parse("DT/R1").unwrap();
    let pc = device("pc1");
    for amount in ["10000000000.01", "92233720368547758.07"] {
        let result = service::start_shift(store, &fx.cashier, &r1, &pc, opening(Some(amount), None)).await;
        assert_eq!(result.map(|_| ()).unwrap_err().code(), "invalid_amount", "amount {amount:?}");
    }
    assert_eq!(Money::cash(Money::MAX_CASH_MINOR + 1, Currency::USD).unwrap_err().code(), "invalid_amount");
    // The largest amount is accepted.
    let max = service::start_shift(store, &fx.cashier, &r1, &pc, opening(Some("10000000000.00"), None)).await.unwrap();
    assert_eq!(max.session.opening_cash.minor(), Money::MAX_CASH_MINOR);
    // The store refuses an amount over the bound built around the parser.
    let too_much = Money::from_minor(Money::MAX_CASH_MINOR + 1, Currency::USD);
    let over = CloseShift { counted_cash: too_much, ..till_testkit::close(&fx, max.session.id, 0) };
    assert_eq!(store.close_shift(over).await.map(|_| ()).unwrap_err().code(), "invalid_input");
    // The database's own backstop: raw writes over the bound are refused.
    let raise = format!("UPDATE sessions SET opening_cash = {}", Money::MAX_CASH_MINOR + 1);
    assert!(db.try_execute(&raise).await.is_err(), "the database accepted opening_cash > 10^12");
    let count = format!(
        "UPDATE sessions SET status = 'closed', closed_at = opened_at, closed_by = opened_by, closed_by_name = 'x',
            counted_cash = {big}, expected_cash = opening_cash, variance = {big} - opening_cash",
        big = Money::MAX_CASH_MINOR + 1
    );
    assert!(db.try_execute(&count).await.is_err(), "the database accepted counted_cash > 10^12");
    let session = store.find_session(&SessionRef::Id(max.session.id)).await.unwrap();
    assert_eq!((session.status, session.opening_cash.minor()), (SessionStatus::Open, Money::MAX_CASH_MINOR));
}

/// The money bound is one rule (`Money::MAX_CASH_MINOR` in till-core, `till_money_max` in
/// plpgsql): at each store's own check, bypassing the core's parser, 10^12 minor units is
/// accepted and 10^12 + 1 refused as `invalid_input` with nothing written, for an opening
/// float, a cash movement and a count at the close, exactly where `Money::cash` draws the line.
async fn the_money_bound_is_the_same_in_core_and_each_store(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let fx = &shop.fx;
    let usd = |minor| Money::from_minor(minor, Currency::USD);
    let (most, over) = (Money::MAX_CASH_MINOR, Money::MAX_CASH_MINOR + 1);
    assert!(Money::cash(most, Currency::USD).is_ok() && Money::cash(over, Currency::USD).is_err());

    // An opening float: refused over the bound on R1 (no session), then the bound itself.
    let open = |minor| StartShift {
        opening_cash: Some(usd(minor)),
        ..till_testkit::start(&fx.cashier, fx.registers[0].id, CASHIER_DEVICE, None)
    };
    assert_eq!(s.start_shift(open(over)).await.map(|_| ()).unwrap_err().code(), "invalid_input", "opening {over}");
    assert_eq!(s.check_invariants().await.unwrap().sessions, 0, "a refused float opened nothing");
    let full = s.start_shift(open(most)).await.unwrap().session;
    assert_eq!(full.opening_cash.minor(), most);

    // A paid in, into a drawer opened with nothing on R2.
    let empty = s.start_shift(till_testkit::start(&fx.cashier, fx.registers[1].id, CASHIER_DEVICE, Some(0))).await;
    let empty = empty.unwrap().session;
    let paid_in = |amount| NewCashMovement {
        id: MovementId::new(),
        session_id: empty.id,
        register_id: empty.register_id,
        kind: MovementKind::PaidIn,
        amount,
        reason: "other".into(),
        note: None,
        actor: Actor::login(&fx.cashier.login),
        device: DeviceName::parse(CASHIER_DEVICE).unwrap(),
        request_hash: format!("paid in {amount}"),
    };
    assert_eq!(s.record_movement(paid_in(over)).await.unwrap_err().code(), "invalid_input", "paid in {over}");
    assert!(s.list_movements(empty.id).await.unwrap().is_empty(), "a refused paid in wrote nothing");
    s.record_movement(paid_in(most)).await.unwrap();
    assert_eq!(s.session_totals(empty.id).await.unwrap().paid_in_total, most);

    // A count at the close of the full drawer (expected: the bound itself, so no variance).
    let count = |minor| CloseShift { counted_cash: usd(minor), ..till_testkit::close(fx, full.id, 0) };
    assert_eq!(s.close_shift(count(over)).await.map(|_| ()).unwrap_err().code(), "invalid_input", "count {over}");
    assert_eq!(s.find_session(&SessionRef::Id(full.id)).await.unwrap().status, SessionStatus::Open);
    let closed = s.close_shift(count(most)).await.unwrap();
    assert_eq!((closed.counted_cash.map(|m| m.minor()), closed.variance.map(|m| m.minor())), (Some(most), Some(0)));
}

/// A deactivated user keeps no power. Both backends' join paths check the acting user (they did
/// not: a deactivated user kept joining), and a cached login is refused by `recheck_user`
/// before its next write. The deactivation ends the user's logins, so the store's answer to a
/// write with one is `not_logged_in`; reactivated, the user logs in again (the old login stays
/// ended).
async fn a_deactivated_user_cannot_join_or_start(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 2).await;
    let carol = service::add_user(store, "carol", "cashier", "5555").await.unwrap();
    let r1 = RegisterRef::parse("DT/R1").unwrap();
    let pc = device("pc1");
    let open = service::start_shift(store, &fx.cashier, &r1, &pc, opening(Some("10"), None)).await.unwrap();
    // carol logged in while active; then a manager deactivates her.
    let login = service::authenticate(store, "carol", "5555", &device("pc2")).await.unwrap();
    store.set_user_active(&UserName::parse("carol").unwrap(), false).await.unwrap();
    assert_eq!(service::recheck_user(store, &login.user).await.unwrap_err().code(), "user_inactive");
    // The store refuses her join (with or without opening cash) and her start on a closed register.
    for cash in [Some("10"), None] {
        let join = service::start_shift(store, &login, &r1, &device("pc2"), opening(cash, None)).await;
        assert_eq!(join.map(|_| ()).unwrap_err().code(), "not_logged_in", "join with cash {cash:?}");
    }
    let r2 = RegisterRef::parse("DT/R2").unwrap();
    let create = service::start_shift(store, &login, &r2, &device("pc2"), opening(Some("10"), None)).await;
    assert_eq!(create.map(|_| ()).unwrap_err().code(), "not_logged_in");
    assert_eq!(
        service::authenticate(store, "carol", "5555", &device("pc2")).await.unwrap_err().code(),
        "user_inactive"
    );
    let joins = store.find_session(&SessionRef::Id(open.session.id)).await.unwrap().joins;
    assert!(joins.iter().all(|j| j.user != "carol"), "an inactive user's join was recorded: {joins:?}");
    let report = store.check_invariants().await.unwrap();
    assert_eq!((report.sessions, report.open_sessions), (1, 1));
    // Active again: her old login stays ended; she logs in again and joins.
    store.set_user_active(&UserName::parse("carol").unwrap(), true).await.unwrap();
    let fresh = service::recheck_user(store, &login.user).await.unwrap();
    assert_eq!(fresh.id, carol.id);
    let stale = service::start_shift(store, &login, &r1, &device("pc2"), opening(None, None)).await;
    assert_eq!(stale.map(|_| ()).unwrap_err().code(), "not_logged_in");
    let again = service::authenticate(store, "carol", "5555", &device("pc2")).await.unwrap();
    assert!(service::start_shift(store, &again, &r1, &device("pc2"), opening(None, None)).await.unwrap().joined);
}

/// An inactive manager closing gets `user_inactive`, not `forbidden` ("bob is a manager"),
/// from the use case and from the store: approving with his name and PIN. His own login
/// ended when he was deactivated, so closing with it is `not_logged_in`.
async fn an_inactive_manager_gets_user_inactive(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = RegisterRef::parse("DT/R1").unwrap();
    let (pc, office) = (device(CASHIER_DEVICE), device(MANAGER_DEVICE));
    let open = service::start_shift(store, &fx.cashier, &r1, &pc, opening(Some("10"), None)).await.unwrap();
    store.set_user_active(&UserName::parse("bob").unwrap(), false).await.unwrap();
    let by_id = SessionRef::Id(open.session.id);
    // At the register: alice's login, bob's name and PIN.
    let bob = service::approval("bob", "9999").unwrap();
    let refused = service::close_shift(store, &fx.cashier, Some(bob.clone()), &pc, closing(&by_id, "10")).await;
    assert_eq!(refused.map(|_| ()).unwrap_err().code(), "user_inactive");
    let approved = CloseShift {
        actor: Actor { approval: Some(bob), ..Actor::login(&fx.cashier.login) },
        device: pc.clone(),
        ..till_testkit::close(&fx, open.session.id, 1_000)
    };
    let direct = store.close_shift(approved).await;
    assert_eq!(direct.map(|_| ()).unwrap_err().code(), "user_inactive");
    // With his own login, from the back office.
    let refused = service::close_shift(store, &fx.manager, None, &office, closing(&by_id, "10")).await;
    assert_eq!(refused.map(|_| ()).unwrap_err().code(), "not_logged_in");
    let direct = store.close_shift(till_testkit::close(&fx, open.session.id, 1_000)).await;
    assert_eq!(direct.map(|_| ()).unwrap_err().code(), "not_logged_in");
    assert_eq!(service::authenticate(store, "bob", "9999", &pc).await.unwrap_err().code(), "user_inactive");
    assert_eq!(store.find_session(&by_id).await.unwrap().status, SessionStatus::Open);
}

/// `start_shift` and `close_shift` repeated with the same request id return the first
/// outcome (same session, same joined flag, the same close) and never apply twice; a request
/// id reused for another register is `idempotency_conflict`.
async fn repeated_requests_return_the_first_outcome(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 2).await;
    let (r1, r2) = (fx.registers[0].id, fx.registers[1].id);

    let create = till_testkit::start(&fx.cashier, r1, CASHIER_DEVICE, Some(100));
    let first = store.start_shift(create.clone()).await.unwrap();
    assert!(!first.joined);
    let join = till_testkit::start(&fx.manager, r1, MANAGER_DEVICE, Some(500));
    let joined = store.start_shift(join.clone()).await.unwrap();
    assert!(joined.joined);
    for _ in 0..3 {
        let again = store.start_shift(create.clone()).await.unwrap();
        assert_eq!((again.session.id, again.joined), (first.session.id, false), "the creator's repeat");
        let again = store.start_shift(join.clone()).await.unwrap();
        assert_eq!((again.session.id, again.joined), (first.session.id, true), "the joiner's repeat");
    }
    let report = store.check_invariants().await.unwrap();
    assert_eq!((report.sessions, report.open_sessions), (1, 1));
    assert_eq!(store.find_session(&SessionRef::Id(first.session.id)).await.unwrap().joins.len(), 1);

    // The same request id on another register is a conflict, not a new session.
    let reused = StartShift { register_id: r2, ..create.clone() };
    assert_eq!(store.start_shift(reused).await.map(|_| ()).unwrap_err().code(), "idempotency_conflict");
    let reused_join = StartShift { register_id: r2, ..join.clone() };
    assert_eq!(store.start_shift(reused_join).await.map(|_| ()).unwrap_err().code(), "idempotency_conflict");

    // A close repeated answers the same closed session; another close is refused.
    let close = till_testkit::close(&fx, first.session.id, 150);
    let closed = store.close_shift(close.clone()).await.unwrap();
    for _ in 0..2 {
        let again = store.close_shift(close.clone()).await.unwrap();
        assert_eq!((again.id, again.closed_at, again.counted_cash), (closed.id, closed.closed_at, closed.counted_cash));
    }
    let other = till_testkit::close(&fx, first.session.id, 999);
    assert_eq!(store.close_shift(other).await.map(|_| ()).unwrap_err().code(), "session_already_closed");
    // After the close, the start repeats still answer the first outcome and open nothing.
    let again = store.start_shift(create.clone()).await.unwrap();
    assert_eq!(
        (again.session.id, again.joined, again.session.status),
        (first.session.id, false, SessionStatus::Closed)
    );
    let again = store.start_shift(join.clone()).await.unwrap();
    assert_eq!((again.session.id, again.joined), (first.session.id, true));
    // A close request id reused on another session is a conflict.
    let second = store.start_shift(till_testkit::start(&fx.cashier, r2, CASHIER_DEVICE, Some(100))).await.unwrap();
    let reused_close = CloseShift { session: second.session.id, ..close };
    assert_eq!(store.close_shift(reused_close).await.map(|_| ()).unwrap_err().code(), "idempotency_conflict");
    assert_eq!(store.find_session(&SessionRef::Id(second.session.id)).await.unwrap().status, SessionStatus::Open);
    let report = store.check_invariants().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.sessions, report.open_sessions), (2, 1));
}

/// A corner of repeated requests: a user and device that join the same session twice (two
/// requests). The second join writes no join row, so its request id was recorded nowhere;
/// retried after the session closed, with opening cash, it must still answer the session it
/// joined, never open a new drawer.
async fn a_repeated_second_join_never_opens_a_new_session(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = fx.registers[0].id;
    let first = store.start_shift(till_testkit::start(&fx.cashier, r1, CASHIER_DEVICE, Some(100))).await.unwrap();
    // alice again, from pc2.
    let alice_pc2 = till_testkit::login(store, "alice", "1234", "pc2").await;
    let join_once = till_testkit::start(&alice_pc2, r1, "pc2", Some(100));
    assert!(store.start_shift(join_once).await.unwrap().joined);
    let join_twice = till_testkit::start(&alice_pc2, r1, "pc2", Some(100));
    let answered = store.start_shift(join_twice.clone()).await.unwrap();
    assert_eq!((answered.session.id, answered.joined), (first.session.id, true));
    store.close_shift(till_testkit::close(&fx, first.session.id, 100)).await.unwrap();
    // The answer to join_twice was lost; the caller retries it with the same id.
    let retried = store.start_shift(join_twice).await.unwrap();
    assert_eq!(
        (retried.session.id, retried.joined),
        (first.session.id, true),
        "a retried join opened or joined another session"
    );
    assert_eq!(store.check_invariants().await.unwrap().sessions, 1);
}

/// What a repeated join request could write, read behind the store's back from one connection:
/// the join and request records, the journal, each login's idle clock, and the row versions of
/// users, logins and sessions (PostgreSQL: a share lock on a row is a write, it sets `xmax`);
/// on SQLite `data_version`, which moves when any other connection commits a change.
async fn written_state(backend: Backend, db: &TestDatabase) -> String {
    use sqlx::Connection as _;
    let counts = "(SELECT count(*) FROM session_joins) || '/' || (SELECT count(*) FROM shift_requests) || '/' \
                  || (SELECT count(*) FROM journal)";
    match backend {
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let versions = |table: &str, key: &str| {
                format!("(SELECT string_agg({key}::text || ' ' || xmin::text || ' ' || xmax::text, ',' ORDER BY {key}) FROM {table})")
            };
            let sql = format!(
                "SELECT {counts} || '/' || (SELECT string_agg(token_hash || ' ' || last_used::text, ',' ORDER BY token_hash) FROM logins)
                        || '/' || {} || '/' || {} || '/' || {}",
                versions("users", "id"),
                versions("logins", "token_hash"),
                versions("sessions", "id")
            );
            sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap()
        }
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            let sql = format!(
                "SELECT {counts} || '/' || (SELECT group_concat(token_hash || ' ' || last_used, ',')
                                              FROM (SELECT * FROM logins ORDER BY token_hash))"
            );
            sqlx::query_scalar(&sql).fetch_one(&mut conn).await.unwrap()
        }
    }
}

/// A repeat of a recorded join request (the same request id: the app's resume, a retry whose
/// answer was lost) answers the same session and writes nothing: no record, no journal entry,
/// no touch of the login's idle clock, no lock on the user's row. Both the first join of a
/// user and device and a later join of theirs (recorded as a request) are repeated.
async fn a_repeated_join_request_writes_nothing(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let r1 = fx.registers[0].id;
    let opened = store.start_shift(till_testkit::start(&fx.cashier, r1, CASHIER_DEVICE, Some(100))).await.unwrap();
    let alice_pc2 = till_testkit::login(store, "alice", "1234", "pc2").await;
    let first_join = till_testkit::start(&alice_pc2, r1, "pc2", None);
    let later_join = till_testkit::start(&alice_pc2, r1, "pc2", None);
    for request in [&first_join, &later_join] {
        assert!(store.start_shift(request.clone()).await.unwrap().joined);
    }
    // Past the idle clock's one-second grain: a touch by the repeats would show.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let before = written_state(backend, &db).await;
    for request in [&first_join, &later_join, &first_join, &later_join] {
        let again = store.start_shift(request.clone()).await.unwrap();
        assert_eq!((again.session.id, again.joined), (opened.session.id, true));
    }
    assert_eq!(written_state(backend, &db).await, before, "a repeated join request wrote");
    // A new request of theirs is still recorded (its retry must answer it after a close).
    store.start_shift(till_testkit::start(&alice_pc2, r1, "pc2", None)).await.unwrap();
    assert_ne!(written_state(backend, &db).await, before, "the check sees a recorded request");
}
