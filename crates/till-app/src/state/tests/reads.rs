//! Every command re-checks who asks, reads too. A read answers only what the logged-in
//! user, as the database has them now, may see at this register's location.

use super::*;
use till_testkit::{Backend, TestDatabase};

/// What another store (UP, in the same database as the demo's DT) sold and closed.
struct Uptown {
    receipt: String,
    session: String,
}

/// The demo on `db` (which the test can also reach behind the store's back), at DT/R1, and a
/// second store UP in the same database: one sale on UP/R1, its shift closed (so it has a Z).
async fn two_stores(db: &TestDatabase) -> (Till, Uptown) {
    let mut till = Till::new();
    till.state.config.demo_database_url = db.url.clone();
    ok(till.state.setup(SetupRequest::Demo, None).await);
    ok(till.state.choose_register("DT/R1", None).await);
    let store = till.store().await;
    let s = store.as_ref();
    let up = LocationInput {
        code: "UP",
        name: "Uptown",
        time_zone: Some("UTC"),
        currency: Some("USD"),
        locale: Some("en-US"),
        ..LocationInput::default()
    };
    ok(service::add_location(s, up).await);
    ok(service::add_register(s, "UP", "R1", None).await);
    ok(service::add_tax_rate(s, "UP", "TAX", "Sales tax", "10").await);
    let barcodes = ["4006381333931".to_string()];
    let pen = service::ProductInput {
        sku: "PEN",
        name: "Pen",
        price: "2.50",
        tax_rate: "TAX",
        category: None,
        barcodes: &barcodes,
    };
    ok(service::add_product(s, "UP", pen).await);
    // UP's own device, with its own logins: the app's device never acts at UP.
    let device = ok(DeviceName::parse("up-r1"));
    let register = ok(RegisterRef::parse("UP/R1"));
    let alice = ok(service::authenticate(s, "alice", "1234", &device).await);
    let start =
        StartRequest { request_id: RequestId::new(), opening_cash: Some(CashAmount::Typed("100")), notes: None };
    let started = ok(service::start_shift(s, &alice, &register, &device, start).await);
    let at_up = service::Till { who: &alice, register: &register, device: &device, session: None, approval: None };
    let sold =
        ok(service::record_sale(s, at_up, ReceiptId::new(), &cash(vec![cart_line(&barcodes[0], 1)], 1000)).await);
    let bob = ok(service::authenticate(s, "bob", "9999", &device).await);
    let session = SessionRef::Id(started.session.id);
    let close = CloseRequest {
        request_id: RequestId::new(),
        session: &session,
        counted_cash: CashAmount::Typed("100"),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off: Some("test count"),
    };
    ok(service::close_shift(s, &bob, None, &device, close).await);
    ok(s.logout(&alice.login).await);
    ok(s.logout(&bob.login).await);
    (till, Uptown { receipt: sold.number, session: started.session.number })
}

#[tokio::test]
async fn a_register_reads_its_own_locations_receipts_x_and_z_and_nothing_of_another_store() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (till, up) = two_stores(&db).await;
    for (user, pin) in [("alice", "1234"), ("bob", "9999")] {
        ok(till.state.login(user, pin).await);
        let answers = (
            code(till.state.find_receipt(&up.receipt).await),
            code(till.state.x_report(Some(up.session.clone()), None).await),
            code(till.state.z_report(up.session.clone()).await),
        );
        assert_eq!(answers, ("receipt_not_found", "session_not_found", "session_not_found"), "{user}");
    }

    // This location's own, as before: a sale at DT/R1, found, reprinted, its X and its Z.
    ok(till.state.login("alice", "1234").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    let lines = vec![cart_line("073500000153", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    let sold =
        ok(till.state.record_sale(ReceiptId::new(), started.session.id, cash(lines, priced.cash_total), None).await);
    assert_eq!(ok(till.state.find_receipt(&sold.number).await).id, sold.id);
    ok(till.state.record_reprint(sold.number.clone()).await);
    assert_eq!(code(till.state.record_reprint(up.receipt.clone()).await), "receipt_not_found");
    let number = started.session.number.clone();
    let bob = Approval { manager: "bob".into(), pin: Password("9999".into()) };
    // The demo counts blind: the X of the open drawer is a manager's. The cashier gets it with a
    // manager's PIN, checked now; it names the manager who opened it.
    let manager = |name: &str, pin: &str| Some(Approval { manager: name.into(), pin: Password(pin.into()) });
    assert_eq!(code(till.state.x_report(None, None).await), "approval_needed");
    assert_eq!(code(till.state.x_report(None, manager("bob", "0000")).await), "wrong_pin");
    assert_eq!(code(till.state.x_report(None, manager("alice", "1234")).await), "forbidden");
    let x = ok(till.state.x_report(None, Some(bob.clone())).await);
    assert_eq!((x.header.session_number.as_str(), x.header.requested_by.as_str()), (number.as_str(), "bob"));
    assert_eq!(x.drawer.cash_net_of_change, priced.cash_total, "the one sale's cash, paid exactly");
    let count = till_core::CloseCount { variance_reason: Some("test count".into()), ..Default::default() };
    ok(till.state.close_shift(RequestId::new(), &number, 10_000, bob, count).await);
    // The demo counts blind: a cashier's X is of a closed drawer.
    assert_eq!(ok(till.state.x_report(None, None).await).header.session_number, number);
    assert_eq!(ok(till.state.z_report(number.clone()).await).x.header.session_number, number);
}

#[tokio::test]
async fn the_day_view_is_a_managers_of_this_location_only() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (till, up) = two_stores(&db).await;
    ok(till.state.login("alice", "1234").await);
    assert_eq!(code(till.state.day_view(None).await), "forbidden");
    ok(till.state.login("bob", "9999").await);
    let day = ok(till.state.day_view(None).await);
    assert!(day.iter().all(|d| d.session.location_code == "DT"), "{day:?}");
    let today = till_core::clock::system_now().date_naive();
    for day in [today.pred_opt(), Some(today), today.succ_opt()].into_iter().flatten() {
        let sessions = ok(till.state.day_view(Some(day)).await);
        assert!(sessions.iter().all(|d| d.session.number != up.session), "UP's session on {day}");
    }
}

#[tokio::test]
async fn a_manager_demoted_elsewhere_is_refused_the_day_view_on_the_next_read() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (till, _) = two_stores(&db).await;
    ok(till.state.login("bob", "9999").await);
    ok(till.state.day_view(None).await);
    // Another manager's tool changes bob's role while he is logged in here.
    db.execute("UPDATE users SET role = 'cashier' WHERE name = 'bob'").await;
    assert_eq!(code(till.state.day_view(None).await), "forbidden");
    assert_eq!(ok(till.state.status().await).logged_in.map(|u| u.role), Some(till_core::Role::Cashier));
}

/// Each read the app offers, by name, as the logged-in user: its error code, or "ok".
async fn read(till: &Till, command: &str, receipt: &str, session: &str) -> &'static str {
    let state = &till.state;
    match command {
        "find_receipt" => code(state.find_receipt(receipt).await),
        "x_report" => code(state.x_report(Some(session.to_string()), None).await),
        "z_report" => code(state.z_report(session.to_string()).await),
        "day_view" => code(state.day_view(None).await),
        "session_totals" => code(state.session_totals().await),
        "current_session" => code(state.current_session().await),
        "forgotten_sessions" => code(state.forgotten_sessions().await),
        "cash_reasons" => code(state.cash_reasons().await),
        "find_product" => code(state.find_product(Some("073500000153"), None).await),
        "search_products" => code(state.search_products("latte").await),
        "quick_keys" => code(state.quick_keys().await),
        "price_cart" => code(state.price_cart(vec![cart_line("073500000153", 1)], None).await),
        other => panic!("no read {other}"),
    }
}

const READS: [&str; 12] = [
    "find_receipt",
    "x_report",
    "z_report",
    "day_view",
    "session_totals",
    "current_session",
    "forgotten_sessions",
    "cash_reasons",
    "find_product",
    "search_products",
    "quick_keys",
    "price_cart",
];

/// DT/R1 with one sale in a closed shift: its receipt number and session number.
async fn a_closed_shift(till: &Till) -> (String, String) {
    ok(till.state.login("bob", "9999").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    let lines = vec![cart_line("073500000153", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    let sold =
        ok(till.state.record_sale(ReceiptId::new(), started.session.id, cash(lines, priced.cash_total), None).await);
    let number = started.session.number;
    let bob = Approval { manager: "bob".into(), pin: Password("9999".into()) };
    let count = till_core::CloseCount { variance_reason: Some("test count".into()), ..Default::default() };
    ok(till.state.close_shift(RequestId::new(), &number, 10_000, bob, count).await);
    till.state.logout().await;
    (sold.number, number)
}

#[tokio::test]
async fn a_user_deactivated_elsewhere_is_refused_and_logged_out_on_the_next_read() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (till, _) = two_stores(&db).await;
    let (receipt, session) = a_closed_shift(&till).await;
    let store = till.store().await;
    let bob = ok(till_core::UserName::parse("bob"));
    let mut answers = Vec::new();
    for command in READS {
        ok(till.state.login("bob", "9999").await);
        assert_eq!(read(&till, command, &receipt, &session).await, "ok", "{command} before");
        ok(store.set_user_active(&bob, false).await);
        let refused = read(&till, command, &receipt, &session).await;
        let logged_in = ok(till.state.status().await).logged_in.map(|u| u.name);
        let next = read(&till, command, &receipt, &session).await;
        answers.push((command, refused, logged_in, next));
        ok(store.set_user_active(&bob, true).await);
    }
    assert_eq!(answers, READS.map(|command| (command, "user_inactive", None, "not_logged_in")));
}

#[tokio::test]
async fn an_idle_login_is_refused_on_the_next_read() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (till, _) = two_stores(&db).await;
    let (receipt, session) = a_closed_shift(&till).await;
    let mut answers = Vec::new();
    for command in READS {
        ok(till.state.login("bob", "9999").await);
        till.advance(6);
        answers.push((command, read(&till, command, &receipt, &session).await));
    }
    assert_eq!(answers, READS.map(|command| (command, "not_logged_in")));
}

/// The reads a cashier or manager asks for; the others are the screens' polls, which re-read
/// the user but do not touch the login's idle clock in the database (a poll must not keep an
/// unattended login alive), so they do not ask the database about the login either.
const ACTED_READS: [&str; 9] = [
    "find_receipt",
    "x_report",
    "z_report",
    "day_view",
    "cash_reasons",
    "find_product",
    "search_products",
    "quick_keys",
    "price_cart",
];

/// A login the database ended (a logout elsewhere, its idle limit, a new PIN) must end here at
/// the next read too (`StaffStore::live_login`, what every write checks).
#[tokio::test]
async fn a_login_ended_in_the_database_is_refused_on_the_next_read() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let (till, _) = two_stores(&db).await;
    let (receipt, session) = a_closed_shift(&till).await;
    let store = till.store().await;
    for command in ACTED_READS {
        ok(till.state.login("bob", "9999").await);
        let token = till.state.device.lock().await.login.as_ref().map(|l| l.token().clone());
        ok(store.logout(&token.unwrap_or_else(|| panic!("bob is logged in"))).await);
        assert_eq!(read(&till, command, &receipt, &session).await, "not_logged_in", "{command} after a logout");
        ok(till.state.login("bob", "9999").await);
        db.execute("UPDATE logins SET last_used = '2000-01-01T00:00:00Z' WHERE ended_at IS NULL").await;
        assert_eq!(read(&till, command, &receipt, &session).await, "not_logged_in", "{command} after expiry");
    }
}
