//! Voids, on both backends: lines taken off a sale before it was paid leave a trace. Priced by
//! the store from the catalog (list prices, whatever the cart's discounts or overrides), counted
//! and summed on the X and the Z, journaled (and `journal verify` checks the rows against their
//! entries); a retry counts once; bad input writes nothing and gets the sale's codes; a void
//! needs an open session and a live login; many tills at once are counted exactly.

use std::sync::Arc;
use till_core::service::{self, CloseRequest, VoidRequest};
use till_core::*;
use till_testkit::shop::{device, dt_r1, line, office, pc1, shop, Shop};
use till_testkit::{both_backends, Backend};

both_backends!(a_void_is_priced_from_the_catalog_counted_on_the_x_and_z_and_journaled);
both_backends!(a_retry_with_the_same_id_counts_once, bad_voids_write_nothing);
both_backends!(a_void_needs_an_open_session_and_a_live_login);
both_backends!(voids_from_many_tills_at_once_are_counted_exactly, one_void_id_from_many_tills_counts_once);

use crate::refunds::open;

/// The product with `sku` at DT.
async fn product(shop: &Shop, sku: &str) -> ProductId {
    let dt = LocationCode::parse("DT").unwrap();
    shop.store.find_product(&dt, &ProductKey::Sku(Sku::parse(sku).unwrap())).await.unwrap().id
}

fn take(product: ProductId, quantity: i32) -> VoidLine {
    VoidLine { product_id: product, quantity }
}

/// alice voids `lines` at DT/R1 from pc1 under `id`.
async fn void_as(
    shop: &Shop,
    who: &Authenticated,
    pc: &DeviceName,
    id: VoidId,
    kind: VoidKind,
    lines: &[VoidLine],
) -> Result<VoidRecorded, TillError> {
    service::record_void(shop.store.as_ref(), who, &dt_r1(), pc, VoidRequest { id, kind, lines }).await
}

async fn void(shop: &Shop, kind: VoidKind, lines: &[VoidLine]) -> Result<VoidRecorded, TillError> {
    void_as(shop, &shop.fx.cashier, &pc1(), VoidId::new(), kind, lines).await
}

/// The void entries of DT/R1's chain, as (ref, payload).
async fn void_entries(shop: &Shop, register: RegisterId) -> Vec<(uuid::Uuid, serde_json::Value)> {
    let entries = service::chain_entries(shop.store.as_ref(), register.0).await.unwrap();
    entries
        .iter()
        .filter(|e| e.event == "void")
        .map(|e| {
            let body: serde_json::Value = serde_json::from_str(&e.body).unwrap();
            (e.ref_id.unwrap(), body["payload"].clone())
        })
        .collect()
}

async fn x(shop: &Shop, session: SessionId) -> till_core::reports::XReport {
    service::x_report(shop.store.as_ref(), &SessionRef::Id(session), service::Asker::It("test")).await.unwrap()
}

async fn a_void_is_priced_from_the_catalog_counted_on_the_x_and_z_and_journaled(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let session = open(&shop).await;
    let (latte, muffin, milk) =
        (product(&shop, "LATTE").await, product(&shop, "MUFFIN").await, product(&shop, "MILK").await);
    // The cart on screen: two lattes at half price and a milk overridden to 0.01. Its figures
    // are the screen's business; a void of it is worth the catalog's list prices.
    let mut half = line("111", 2);
    half.discount = Some(Discount::Percent { percent: Ppm(500_000) });
    let mut cheap = line("333", 1);
    cheap.price_override = Some(1);
    let cart = service::price_sale(s, &dt_r1(), &[half, cheap], None).await.unwrap();
    assert!(cart.total < 900 + 229, "the cart is discounted: {}", cart.total);

    let removed = void(&shop, VoidKind::LineRemoved, &[take(latte, 2)]).await.unwrap();
    assert_eq!((removed.amount, removed.currency, removed.kind), (900, Currency::USD, VoidKind::LineRemoved));
    assert_eq!(removed.lines, [VoidedLine { product_id: latte, quantity: 2, unit_price: 450, amount: 900 }]);
    assert_eq!((removed.session_id, removed.user.as_str(), removed.device.as_str()), (session.id, "alice", "pc1"));
    let lowered = void(&shop, VoidKind::QuantityLowered, &[take(milk, 1)]).await.unwrap();
    assert_eq!(lowered.amount, 229);
    let cleared =
        void(&shop, VoidKind::SaleCleared, &[take(latte, 1), take(muffin, 3), take(milk, 2), take(latte, 1)]).await;
    let cleared = cleared.unwrap();
    assert_eq!(cleared.amount, 450 + 3 * 295 + 2 * 229 + 450);
    let prices: Vec<(i32, i64)> = cleared.lines.iter().map(|l| (l.quantity, l.unit_price)).collect();
    assert_eq!(prices, [(1, 450), (3, 295), (2, 229), (1, 450)], "in the till's order");
    // The catalog's price when the void is recorded: a later price change moves no void made.
    let barcodes = ["111".to_string()];
    let dearer = service::ProductInput {
        sku: "LATTE",
        name: "Latte",
        price: "5.00",
        tax_rate: "TAX",
        category: Some("Drinks"),
        barcodes: &barcodes,
    };
    service::add_product(s, "DT", dearer).await.unwrap();
    let after = void(&shop, VoidKind::LineRemoved, &[take(latte, 1)]).await.unwrap();
    assert_eq!(after.amount, 500);
    assert_eq!(s.prior_void(removed.id).await.unwrap().unwrap().recorded, removed, "read back as recorded");
    // An inactive product is still the location's: a line of it taken off a cart is voided.
    service::set_product_active(s, "DT", "MUFFIN", false).await.unwrap();
    let inactive = void(&shop, VoidKind::LineRemoved, &[take(muffin, 1)]).await.unwrap();
    assert_eq!(inactive.amount, 295);

    let all = [&removed, &lowered, &cleared, &after, &inactive];
    let total: i64 = all.iter().map(|v| v.amount).sum();
    let report = x(&shop, session.id).await;
    assert_eq!((report.voids, report.voids_total), (5, total));
    assert_eq!(report.drawer.expected_cash, 10_000, "a void moves no cash");
    let totals = s.session_totals(session.id).await.unwrap();
    assert_eq!((totals.void_count, totals.void_total), (5, total));

    // Journaled in order, each entry stating what its row holds; the journal verifies.
    let entries = void_entries(&shop, session.register_id).await;
    let refs: Vec<uuid::Uuid> = entries.iter().map(|(r, _)| *r).collect();
    assert_eq!(refs, all.iter().map(|v| v.id.0).collect::<Vec<_>>());
    let (_, first) = &entries[0];
    assert_eq!(first["kind"], "line_removed");
    assert_eq!(first["amount"], 900);
    assert_eq!(first["session_id"], serde_json::json!(session.id.0));
    assert_eq!(first["lines"], serde_json::json!([[latte.0, 2, 450]]));
    let verified = service::verify_journal(s, &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");

    // The Z counts them too.
    let by_id = SessionRef::Id(session.id);
    let close = CloseRequest {
        request_id: RequestId::new(),
        session: &by_id,
        counted_cash: CashAmount::Typed("100.00"),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off: None,
    };
    service::close_shift(s, &shop.fx.manager, None, &office(), close).await.unwrap();
    let z = service::z_report(s, &by_id, service::Asker::It("test")).await.unwrap();
    assert_eq!((z.x.voids, z.x.voids_total), (5, total));

    // A void's row edited behind the store's back: verify says where.
    let row = shop.db.uuid(cleared.id.0);
    shop.db.execute(&format!("UPDATE voids SET amount = 1 WHERE id = {row}")).await;
    let tampered = service::verify_journal(s, &[]).await.unwrap();
    assert!(!tampered.ok);
    let problems: Vec<&str> = tampered.chains.iter().flat_map(|c| c.problems.iter().map(|p| p.what.as_str())).collect();
    assert!(problems.iter().any(|p| p.contains("void row's amount")), "{problems:?}");
}

async fn a_retry_with_the_same_id_counts_once(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let session = open(&shop).await;
    let latte = product(&shop, "LATTE").await;
    let id = VoidId::new();
    let lines = [take(latte, 2)];
    let first = void_as(&shop, &shop.fx.cashier, &pc1(), id, VoidKind::LineRemoved, &lines).await.unwrap();
    let again = void_as(&shop, &shop.fx.cashier, &pc1(), id, VoidKind::LineRemoved, &lines).await.unwrap();
    assert_eq!(again, first, "the same answer");
    // Past the service (its lost answer retried straight at the store): still once.
    let direct = NewVoid {
        id,
        session_id: session.id,
        register_id: session.register_id,
        kind: VoidKind::LineRemoved,
        lines: lines.to_vec(),
        login: shop.fx.cashier.login.clone(),
        device: pc1(),
        request_hash: s.prior_void(id).await.unwrap().unwrap().request_hash,
    };
    assert_eq!(s.record_void(direct.clone()).await.unwrap(), first);
    // The id with other content is a conflict, and writes nothing.
    let other = void_as(&shop, &shop.fx.cashier, &pc1(), id, VoidKind::LineRemoved, &[take(latte, 1)]).await;
    assert_eq!(other.unwrap_err().code(), "idempotency_conflict");
    let store_other = s.record_void(NewVoid { request_hash: "other".into(), ..direct }).await;
    assert_eq!(store_other.unwrap_err().code(), "idempotency_conflict");
    assert_eq!((x(&shop, session.id).await.voids, x(&shop, session.id).await.voids_total), (1, 900));
    assert_eq!(void_entries(&shop, session.register_id).await.len(), 1);
    // A retry after the shift closed answers the first void, where it was recorded.
    service::close_shift(
        s,
        &shop.fx.manager,
        None,
        &office(),
        CloseRequest {
            request_id: RequestId::new(),
            session: &SessionRef::Id(session.id),
            counted_cash: CashAmount::Typed("100.00"),
            only_register: None,
            float_left: None,
            denominations: Vec::new(),
            sign_off: None,
        },
    )
    .await
    .unwrap();
    let late = void_as(&shop, &shop.fx.cashier, &pc1(), id, VoidKind::LineRemoved, &lines).await.unwrap();
    assert_eq!(late, first);
    assert_eq!(x(&shop, session.id).await.voids, 1);
}

async fn bad_voids_write_nothing(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let session = open(&shop).await;
    let latte = product(&shop, "LATTE").await;
    // Another store in the same database, with a product of its own.
    let uptown = service::LocationInput {
        code: "UP",
        name: "Uptown",
        time_zone: Some("UTC"),
        currency: Some("USD"),
        locale: Some("en-US"),
        ..Default::default()
    };
    service::add_location(s, uptown).await.unwrap();
    service::add_tax_rate(s, "UP", "TAX", "Uptown tax", "5").await.unwrap();
    let pen = service::ProductInput {
        sku: "PEN",
        name: "Pen",
        price: "2.50",
        tax_rate: "TAX",
        category: None,
        barcodes: &[],
    };
    let pen = service::add_product(s, "UP", pen).await.unwrap().id;
    // 11 bars of gold at 1,000,000,000.00: a void above any sale's bound.
    let gold = service::ProductInput {
        sku: "GOLD",
        name: "Gold bar",
        price: "1000000000.00",
        tax_rate: "FOOD",
        category: None,
        barcodes: &[],
    };
    let gold = service::add_product(s, "DT", gold).await.unwrap().id;

    let cases: Vec<(&str, Vec<VoidLine>, &str)> = vec![
        ("an unknown product", vec![take(ProductId::new(), 1)], "product_not_found"),
        ("another store's product", vec![take(latte, 1), take(pen, 1)], "product_not_found"),
        ("no lines", vec![], "invalid_input"),
        ("501 lines", vec![take(latte, 1); 501], "invalid_input"),
        ("quantity 0", vec![take(latte, 1), take(latte, 0)], "invalid_quantity"),
        ("a negative quantity", vec![take(latte, -2)], "invalid_quantity"),
        ("a quantity above a line's", vec![take(latte, 10_001)], "invalid_quantity"),
        ("an amount above a sale's", vec![take(gold, 11)], "invalid_amount"),
    ];
    for (what, lines, code) in &cases {
        let refused = void(&shop, VoidKind::SaleCleared, lines).await.unwrap_err();
        assert_eq!(refused.code(), *code, "{what}: {refused}");
    }
    // An unknown kind: the UI's word is parsed into the fixed list, or refused.
    assert_eq!(VoidKind::parse("price_changed").unwrap_err().code(), "invalid_input");
    // The store itself refuses them too, past the service (a till calling it directly).
    for (what, lines, code) in [
        ("an unknown product", vec![take(ProductId::new(), 1)], "product_not_found"),
        ("another store's product", vec![take(pen, 1)], "product_not_found"),
        ("no lines", vec![], "invalid_input"),
        ("quantity 0", vec![take(latte, 0)], "invalid_input"),
        ("a quantity above a line's", vec![take(latte, 10_001)], "invalid_input"),
        ("an amount above a sale's", vec![take(gold, 11)], "invalid_input"),
    ] {
        let direct = NewVoid {
            id: VoidId::new(),
            session_id: session.id,
            register_id: session.register_id,
            kind: VoidKind::SaleCleared,
            lines,
            login: shop.fx.cashier.login.clone(),
            device: pc1(),
            request_hash: "h".into(),
        };
        let refused = s.record_void(direct).await.unwrap_err();
        assert_eq!(refused.code(), code, "{what} at the store: {refused}");
    }
    // Nothing was written: no void, no count, no entry; the journal verifies.
    let report = x(&shop, session.id).await;
    assert_eq!((report.voids, report.voids_total), (0, 0));
    assert!(void_entries(&shop, session.register_id).await.is_empty());
    let rows: i64 = match backend {
        Backend::Sqlite => {
            let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&shop.db.url).await.unwrap();
            sqlx::query_scalar("SELECT (SELECT count(*) FROM voids) + (SELECT count(*) FROM void_lines)")
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
        Backend::Postgres => {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&shop.db.url).await.unwrap();
            sqlx::query_scalar("SELECT (SELECT count(*) FROM voids) + (SELECT count(*) FROM void_lines)")
                .fetch_one(&mut conn)
                .await
                .unwrap()
        }
    };
    assert_eq!(rows, 0);
    let verified = service::verify_journal(s, &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");
    // And a good one still goes through.
    assert_eq!(void(&shop, VoidKind::LineRemoved, &[take(latte, 1)]).await.unwrap().amount, 450);
}

async fn a_void_needs_an_open_session_and_a_live_login(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let latte = product(&shop, "LATTE").await;
    let lines = [take(latte, 1)];
    // No shift yet.
    let none = void(&shop, VoidKind::LineRemoved, &lines).await.unwrap_err();
    assert_eq!(none.code(), "no_open_session");
    let session = open(&shop).await;
    let direct = |login: &LoginToken, session: SessionId, register: RegisterId| NewVoid {
        id: VoidId::new(),
        session_id: session,
        register_id: register,
        kind: VoidKind::LineRemoved,
        lines: lines.to_vec(),
        login: login.clone(),
        device: pc1(),
        request_hash: "h".into(),
    };
    // A made-up login, and one that ended: not logged in.
    let made_up = LoginToken::new("f".repeat(64));
    let refused = s.record_void(direct(&made_up, session.id, session.register_id)).await.unwrap_err();
    assert_eq!(refused.code(), "not_logged_in");
    let on_pc2 = till_testkit::login(s, "alice", "1234", "pc-2").await;
    s.logout(&on_pc2.login).await.unwrap();
    let ended = void_as(&shop, &on_pc2, &device("pc-2"), VoidId::new(), VoidKind::LineRemoved, &lines).await;
    assert_eq!(ended.unwrap_err().code(), "not_logged_in");
    // alice's login from pc1 used on another device: not logged in there.
    let pc2 = device("pc-2");
    let elsewhere = void_as(&shop, &shop.fx.cashier, &pc2, VoidId::new(), VoidKind::LineRemoved, &lines).await;
    assert_eq!(elsewhere.unwrap_err().code(), "not_logged_in");
    // A session that is not the register's.
    let other = shop.fx.registers[1].id;
    let wrong = s.record_void(direct(&shop.fx.cashier.login, session.id, other)).await.unwrap_err();
    assert_eq!(wrong.code(), "session_not_found");
    assert_eq!(x(&shop, session.id).await.voids, 0, "nothing written");
    // Live, in the open shift: recorded.
    void(&shop, VoidKind::LineRemoved, &lines).await.unwrap();
    // Closed: the till has no open shift, and the closed session takes none.
    let by_id = SessionRef::Id(session.id);
    let close = CloseRequest {
        request_id: RequestId::new(),
        session: &by_id,
        counted_cash: CashAmount::Typed("100.00"),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off: None,
    };
    service::close_shift(s, &shop.fx.manager, None, &office(), close).await.unwrap();
    assert_eq!(void(&shop, VoidKind::LineRemoved, &lines).await.unwrap_err().code(), "no_open_session");
    let closed = s.record_void(direct(&shop.fx.cashier.login, session.id, session.register_id)).await;
    assert_eq!(closed.unwrap_err().code(), "session_closed");
    assert_eq!(x(&shop, session.id).await.voids, 1);
}

/// 16 tills (each its own connection and login) released together, each voiding 3 times with
/// ids of its own: the session counts and sums exactly the acknowledged voids, and the chain has
/// one entry for each.
async fn voids_from_many_tills_at_once_are_counted_exactly(backend: Backend) {
    let shop = Arc::new(shop(backend, 2).await);
    let session = open(&shop).await;
    let latte = product(&shop, "LATTE").await;
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let mut tills = Vec::new();
    for n in 0..16_i32 {
        let (shop, barrier) = (shop.clone(), barrier.clone());
        tills.push(tokio::spawn(async move {
            let pc = format!("pc-{n}");
            let who = till_testkit::login(shop.store.as_ref(), "alice", "1234", &pc).await;
            barrier.wait().await;
            let mut acknowledged = Vec::new();
            for k in 1..=3 {
                let lines = [take(latte, n % 4 + k)];
                match void_as(&shop, &who, &device(&pc), VoidId::new(), VoidKind::QuantityLowered, &lines).await {
                    Ok(v) => acknowledged.push(v),
                    Err(e) => assert_eq!(e.code(), "database_busy", "{e}"),
                }
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for till in tills {
        acknowledged.extend(till.await.unwrap());
    }
    assert!(!acknowledged.is_empty());
    let total: i64 = acknowledged.iter().map(|v| v.amount).sum();
    assert!(acknowledged.iter().all(|v| v.amount == 450 * i64::from(v.lines[0].quantity)));
    let report = x(&shop, session.id).await;
    assert_eq!((report.voids, report.voids_total), (acknowledged.len() as i64, total));
    let mut journaled: Vec<uuid::Uuid> =
        void_entries(&shop, session.register_id).await.iter().map(|(r, _)| *r).collect();
    let mut ids: Vec<uuid::Uuid> = acknowledged.iter().map(|v| v.id.0).collect();
    journaled.sort();
    ids.sort();
    assert_eq!(journaled, ids, "one entry per acknowledged void");
    let verified = service::verify_journal(shop.store.as_ref(), &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");
}

/// One void's id sent by 16 connections at once (a retry racing the first attempt): recorded
/// once, and every acknowledged answer is that one void.
async fn one_void_id_from_many_tills_counts_once(backend: Backend) {
    let shop = Arc::new(shop(backend, 2).await);
    let session = open(&shop).await;
    let latte = product(&shop, "LATTE").await;
    let id = VoidId::new();
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let mut tills = Vec::new();
    for n in 0..16 {
        let (shop, barrier) = (shop.clone(), barrier.clone());
        tills.push(tokio::spawn(async move {
            let pc = format!("pc-{n}");
            let who = till_testkit::login(shop.store.as_ref(), "alice", "1234", &pc).await;
            barrier.wait().await;
            match void_as(&shop, &who, &device(&pc), id, VoidKind::SaleCleared, &[take(latte, 3)]).await {
                Ok(v) => Some(v),
                Err(e) => {
                    assert_eq!(e.code(), "database_busy", "{e}");
                    None
                }
            }
        }));
    }
    let mut answers = Vec::new();
    for till in tills {
        answers.extend(till.await.unwrap());
    }
    assert!(!answers.is_empty());
    assert!(answers.iter().all(|a| *a == answers[0]), "one void answered to all: {answers:?}");
    assert_eq!(answers[0].amount, 1_350);
    let report = x(&shop, session.id).await;
    assert_eq!((report.voids, report.voids_total), (1, 1_350));
    assert_eq!(void_entries(&shop, session.register_id).await.len(), 1);
}
