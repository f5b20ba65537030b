//! The register rings up sales and refunds. Story, idempotency, a session closed elsewhere,
//! bad input, and races (sales against a close, gapless numbers, one line refunded by many
//! devices at once), on both backends. Each invariant is read back from the database.

use std::sync::Arc;
use till_core::service::{
    self, ProductInput, RefundLineRequest, RefundRequest, RefundTender, SaleLineRequest, SaleRequest, Till,
};
use till_core::*;
use till_testkit::shop::{device, dt_r1, line, pc1, shop, Shop};
use till_testkit::{both_backends, Backend, FaultProxy, CASHIER_DEVICE, MANAGER_DEVICE};

both_backends!(
    a_day_of_sales_and_a_refund,
    a_repeated_sale_is_recorded_once,
    a_sale_for_a_closed_session_writes_nothing
);
both_backends!(bad_sales_write_nothing, sales_racing_a_close_land_in_exactly_one_session, receipt_numbers_are_gapless);
both_backends!(one_line_refunded_by_sixteen_devices_at_once, a_sale_priced_from_a_changed_catalog_is_priced_again);
both_backends!(
    a_card_reference_is_optional_unless_the_location_requires_it,
    a_receipt_is_checked_for_its_login_before_its_session
);
both_backends!(
    a_retry_answers_its_first_outcome_whatever_happened_since,
    racing_refunds_of_the_last_units_give_back_the_rest
);

/// alice logged in on another PC (`pc-{n}`): a login acts only from the device it was made on.
async fn alice_on(shop: &Shop, pc: &DeviceName) -> Authenticated {
    till_testkit::login(shop.store.as_ref(), "alice", "1234", pc.as_str()).await
}

fn cash(minor: i64) -> Tender {
    Tender::Cash { amount: minor }
}

async fn open_shift(shop: &Shop, cash: &str) -> Session {
    let request = service::StartRequest {
        request_id: RequestId::new(),
        opening_cash: Some(CashAmount::Typed(cash)),
        notes: None,
    };
    service::start_shift(shop.store.as_ref(), &shop.fx.cashier, &dt_r1(), &pc1(), request).await.unwrap().session
}

/// alice ringing up on `pc`, as `who` (her login there).
fn till<'a>(
    who: &'a Authenticated,
    register: &'a RegisterRef,
    pc: &'a DeviceName,
    session: Option<SessionId>,
) -> Till<'a> {
    Till { who, register, device: pc, session, approval: None }
}

/// Closes with `counted`; the count is not what these tests are about: refused (and recorded)
/// if it is off by more than the limit, then signed off by the manager.
async fn close(shop: &Shop, session: &Session, counted: &str) -> Result<Session, TillError> {
    let session_ref = SessionRef::Id(session.id);
    let request = |sign_off| service::CloseRequest {
        request_id: RequestId::new(),
        session: &session_ref,
        counted_cash: CashAmount::Typed(counted),
        only_register: None,
        float_left: None,
        denominations: Vec::new(),
        sign_off,
    };
    let (store, manager, office) = (shop.store.as_ref(), &shop.fx.manager, device(MANAGER_DEVICE));
    match service::close_shift(store, manager, None, &office, request(None)).await {
        Err(e) if e.code() == "variance_needs_signoff" => {
            service::close_shift(store, manager, None, &office, request(Some("count not checked by this test"))).await
        }
        other => other,
    }
}

/// The session's running totals against a full recomputation from its receipts' rows.
async fn check_totals_against_receipts(shop: &Shop, session: SessionId) -> SessionTotals {
    let totals = shop.store.session_totals(session).await.unwrap();
    let receipts = shop.store.list_receipts(session).await.unwrap();
    let sales: Vec<&Receipt> = receipts.iter().filter(|r| r.kind == ReceiptKind::Sale).collect();
    let refunds: Vec<&Receipt> = receipts.iter().filter(|r| r.kind == ReceiptKind::Refund).collect();
    assert_eq!(totals.sales_count, sales.len() as i64);
    assert_eq!(totals.refunds_count, refunds.len() as i64);
    assert_eq!(totals.sales_total, sales.iter().map(|r| r.total).sum::<i64>());
    assert_eq!(totals.refunds_total, refunds.iter().map(|r| r.total).sum::<i64>());
    assert_eq!(totals.cash_net, receipts.iter().map(|r| r.cash_net).sum::<i64>());
    let signed = |r: &&Receipt, v: i64| if r.kind == ReceiptKind::Sale { v } else { -v };
    assert_eq!(totals.tax_total, receipts.iter().map(|r| signed(&r, r.tax)).sum::<i64>());
    assert_eq!(totals.expected_cash, totals.opening_cash + totals.cash_net);
    totals
}

async fn a_day_of_sales_and_a_refund(backend: Backend) {
    let shop = shop(backend, 1).await;
    let session = open_shift(&shop, "100.00").await;
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    // Two lattes, a muffin (taxed) and milk (not); 5.00 on a card, the rest in cash: 20.00 handed over.
    let request = SaleRequest {
        lines: vec![line("111", 2), line("222", 1), line("333", 1)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![Tender::Card { amount: 500, approval_reference: "AUTH 42".into() }, cash(2000)],
    };
    let receipt = service::record_sale(
        shop.store.as_ref(),
        till(alice, &register, &pc, Some(session.id)),
        ReceiptId::new(),
        &request,
    )
    .await
    .unwrap();
    assert_eq!(receipt.number, "DT-R1-000001");
    assert_eq!(receipt.session_id, session.id);
    // 9.00 + 2.95 taxed at 8.875 % = 11.95 → tax 1.06; milk 2.29 untaxed.
    assert_eq!((receipt.subtotal, receipt.tax, receipt.total), (1424, 106, 1530));
    assert_eq!(receipt.taxes.iter().map(|t| t.tax).sum::<i64>(), receipt.tax);
    assert_eq!(receipt.lines.iter().map(|l| l.total).sum::<i64>(), receipt.total);
    assert_eq!((receipt.tendered, receipt.change), (2500, 970));
    assert_eq!(receipt.tendered - receipt.change, receipt.total + receipt.rounding);
    assert_eq!(receipt.cash_net, 2000 - 970);
    assert_eq!(receipt.tenders[0].reference.as_deref(), Some("AUTH 42"));
    assert_eq!(receipt.cashier, "alice");

    // A refund of one latte in cash, approved by the manager.
    let refund = RefundRequest {
        lines: vec![RefundLineRequest { line: 0, quantity: 1 }],
        tender: RefundTender::Cash,
        reason: service::RefundReason { kind: service::RefundReasonKind::Damaged, text: None },
    };
    let mut by_manager = till(alice, &register, &pc, Some(session.id));
    let cashier_alone =
        service::refund(shop.store.as_ref(), by_manager.clone(), ReceiptId::new(), &receipt.number, &refund).await;
    assert_eq!(cashier_alone.unwrap_err().code(), "approval_needed", "a refund needs a manager");
    let bob = service::approval("bob", "9999").unwrap();
    by_manager.approval = Some(&bob);
    let back =
        service::refund(shop.store.as_ref(), by_manager, ReceiptId::new(), &receipt.number, &refund).await.unwrap();
    assert_eq!(back.number, "DT-R1-000002");
    assert_eq!(back.refund_of.as_deref(), Some("DT-R1-000001"));
    // Half of the latte line (9.80 with tax, shared half up): 4.90.
    assert_eq!((back.total, back.tax, back.cash_net), (490, 40, -490));
    let again = shop.store.find_receipt(&receipt.number).await.unwrap();
    assert_eq!(again.lines[0].refunded_quantity, 1);

    let totals = check_totals_against_receipts(&shop, session.id).await;
    assert_eq!((totals.sales_count, totals.refunds_count), (1, 1));
    // Expected cash = float + cash taken − change − cash refunds.
    assert_eq!(totals.expected_cash, 10000 + 2000 - 970 - 490);
    assert_eq!(totals.tenders.iter().find(|t| t.kind == "card").unwrap().amount, 500);
    let closed = close(&shop, &session, "105.40").await.unwrap();
    assert_eq!(closed.expected_cash.unwrap().minor(), 10540);
    assert_eq!(closed.variance.unwrap().minor(), 0);
}

async fn a_repeated_sale_is_recorded_once(backend: Backend) {
    let shop = shop(backend, 1).await;
    let session = open_shift(&shop, "0").await;
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    let request = SaleRequest {
        lines: vec![line("333", 1)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(300)],
    };
    let id = ReceiptId::new();
    let first =
        service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, None), id, &request).await.unwrap();
    let again =
        service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, None), id, &request).await.unwrap();
    assert_eq!(again, first);
    let other = SaleRequest {
        lines: vec![line("333", 2)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(500)],
    };
    let conflict = service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, None), id, &other).await;
    assert_eq!(conflict.unwrap_err().code(), "idempotency_conflict");
    assert_eq!(check_totals_against_receipts(&shop, session.id).await.sales_count, 1);
}

async fn a_sale_for_a_closed_session_writes_nothing(backend: Backend) {
    let shop = shop(backend, 1).await;
    let first = open_shift(&shop, "50.00").await;
    close(&shop, &first, "50.00").await.unwrap();
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    let request = SaleRequest {
        lines: vec![line("111", 1)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(1000)],
    };
    let id = ReceiptId::new();
    // The app still shows the first session: the answer is session_closed, and nothing is written.
    let refused =
        service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, Some(first.id)), id, &request).await;
    assert_eq!(refused.unwrap_err().code(), "session_closed");
    // The store itself refuses too, when the close lands between the check and the write.
    assert!(shop.store.list_receipts(first.id).await.unwrap().is_empty());
    // The cashier starts a shift; the same cart, same id, is recorded once, into the new one.
    let second = open_shift(&shop, "50.00").await;
    let recorded =
        service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, Some(second.id)), id, &request)
            .await
            .unwrap();
    assert_eq!(recorded.session_id, second.id);
    let repeat = service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, Some(second.id)), id, &request)
        .await
        .unwrap();
    assert_eq!(repeat.number, recorded.number);
    assert_eq!(check_totals_against_receipts(&shop, second.id).await.sales_count, 1);
    assert_eq!(shop.store.session_totals(first.id).await.unwrap().sales_count, 0);
}

async fn bad_sales_write_nothing(backend: Backend) {
    let shop = shop(backend, 1).await;
    let session = open_shift(&shop, "0").await;
    service::set_product_active(shop.store.as_ref(), "DT", "MUFFIN", false).await.unwrap();
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    let sale = |lines: Vec<SaleLineRequest>, tenders: Vec<Tender>| SaleRequest {
        lines,
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders,
    };
    let percent = |ppm| Some(Discount::Percent { percent: Ppm(ppm) });
    let mut too_many = Vec::new();
    for _ in 0..501 {
        too_many.push(line("333", 1));
    }
    let cases: Vec<(&str, SaleRequest, &str)> = vec![
        ("no lines", sale(vec![], vec![cash(100)]), "invalid_input"),
        ("zero quantity", sale(vec![line("333", 0)], vec![cash(300)]), "invalid_quantity"),
        ("negative quantity", sale(vec![line("333", -1)], vec![cash(300)]), "invalid_quantity"),
        ("unknown product", sale(vec![line("999", 1)], vec![cash(300)]), "product_not_found"),
        ("inactive product", sale(vec![line("222", 1)], vec![cash(300)]), "product_not_found"),
        (
            "discount over 100 %",
            sale(vec![SaleLineRequest { discount: percent(1_000_001), ..line("333", 1) }], vec![cash(300)]),
            "invalid_input",
        ),
        ("tenders short", sale(vec![line("333", 1)], vec![cash(228)]), "tenders_short"),
        (
            "change on a card",
            sale(vec![line("333", 1)], vec![Tender::Card { amount: 300, approval_reference: "A1".into() }]),
            "change_not_cash",
        ),
        ("oversized cart", sale(too_many, vec![cash(100_000)]), "invalid_input"),
    ];
    for (what, request, code) in cases {
        let refused =
            service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, None), ReceiptId::new(), &request)
                .await;
        let got = refused.map(|r| r.number).unwrap_err();
        assert!(
            got.code() == code
                || (code == "invalid_input" && matches!(got.code(), "invalid_amount" | "discount_too_large")),
            "{what}: expected {code}, got {} ({got})",
            got.code()
        );
    }
    // A forged price in the client's payload is refused when the request is read.
    let forged = r#"{"lines":[{"barcode":"333","quantity":1,"price":1}],"tenders":[{"kind":"cash","amount":1}]}"#;
    assert!(serde_json::from_str::<SaleRequest>(forged).is_err());
    let forged_total = r#"{"lines":[{"barcode":"333","quantity":1}],"total":1,"tenders":[{"kind":"cash","amount":1}]}"#;
    assert!(serde_json::from_str::<SaleRequest>(forged_total).is_err());
    assert!(shop.store.list_receipts(session.id).await.unwrap().is_empty());
    let totals = check_totals_against_receipts(&shop, session.id).await;
    assert_eq!((totals.sales_count, totals.cash_net), (0, 0));
}

/// 16 devices sell into one session while a manager closes it: every acknowledged sale is in
/// exactly one session, the closed session's expected cash counts exactly the sales it got,
/// and the refused ones were told `session_closed` (or found no open session).
async fn sales_racing_a_close_land_in_exactly_one_session(backend: Backend) {
    let shop = Arc::new(shop(backend, 1).await);
    let session = open_shift(&shop, "100.00").await;
    let barrier = Arc::new(tokio::sync::Barrier::new(17));
    let mut sellers = Vec::new();
    for n in 0..16 {
        let (shop, barrier) = (shop.clone(), barrier.clone());
        sellers.push(tokio::spawn(async move {
            let (register, pc) = (dt_r1(), device(&format!("pc-{n}")));
            let alice = &alice_on(&shop, &pc).await;
            let request = SaleRequest {
                lines: vec![line("333", 1)],
                receipt_discount: None,
                receipt_discount_reason: None,
                tenders: vec![cash(500)],
            };
            barrier.wait().await;
            let mut acknowledged = Vec::new();
            for _ in 0..4 {
                match service::record_sale(
                    shop.store.as_ref(),
                    till(alice, &register, &pc, Some(session.id)),
                    ReceiptId::new(),
                    &request,
                )
                .await
                {
                    Ok(receipt) => acknowledged.push(receipt),
                    Err(e) => {
                        assert!(matches!(e.code(), "session_closed" | "no_open_session" | "database_busy"), "{e}")
                    }
                }
            }
            acknowledged
        }));
    }
    barrier.wait().await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let closed = close(&shop, &session, "100.00").await.unwrap();
    let mut acknowledged = Vec::new();
    for seller in sellers {
        acknowledged.extend(seller.await.unwrap());
    }
    let stored = shop.store.list_receipts(session.id).await.unwrap();
    assert_eq!(stored.len(), acknowledged.len(), "every acknowledged sale, and only those, is in the session");
    for receipt in &acknowledged {
        assert_eq!(receipt.session_id, session.id);
        assert!(stored.iter().any(|r| r.number == receipt.number));
    }
    let totals = check_totals_against_receipts(&shop, session.id).await;
    assert_eq!(closed.expected_cash.unwrap().minor(), 10000 + totals.cash_net);
    assert_eq!(totals.cash_net, stored.iter().map(|r| r.cash_net).sum::<i64>());
}

async fn receipt_numbers_are_gapless(backend: Backend) {
    let shop = Arc::new(shop(backend, 1).await);
    let session = open_shift(&shop, "0").await;
    let barrier = Arc::new(tokio::sync::Barrier::new(32));
    let mut sellers = Vec::new();
    for n in 0..32 {
        let (shop, barrier) = (shop.clone(), barrier.clone());
        sellers.push(tokio::spawn(async move {
            let (register, pc) = (dt_r1(), device(&format!("pc-{n}")));
            let alice = &alice_on(&shop, &pc).await;
            let request = SaleRequest {
                lines: vec![line("111", 1)],
                receipt_discount: None,
                receipt_discount_reason: None,
                tenders: vec![cash(500)],
            };
            barrier.wait().await;
            service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, None), ReceiptId::new(), &request)
                .await
        }));
    }
    let mut numbers = Vec::new();
    for seller in sellers {
        numbers.push(seller.await.unwrap().unwrap().receipt_seq);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=32).collect::<Vec<i64>>());
    check_totals_against_receipts(&shop, session.id).await;
}

async fn one_line_refunded_by_sixteen_devices_at_once(backend: Backend) {
    let shop = Arc::new(shop(backend, 1).await);
    let session = open_shift(&shop, "100.00").await;
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    let request = SaleRequest {
        lines: vec![line("111", 1), line("333", 3)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(2000)],
    };
    let sold = service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, None), ReceiptId::new(), &request)
        .await
        .unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let mut refunders = Vec::new();
    for n in 0..16 {
        let (shop, barrier, number) = (shop.clone(), barrier.clone(), sold.number.clone());
        refunders.push(tokio::spawn(async move {
            let (register, pc) = (dt_r1(), device(&format!("pc-{n}")));
            let alice = alice_on(&shop, &pc).await;
            let bob = service::approval("bob", "9999").unwrap();
            let mut by_manager = till(&alice, &register, &pc, None);
            by_manager.approval = Some(&bob);
            let refund = RefundRequest {
                lines: vec![RefundLineRequest { line: 1, quantity: 2 }],
                tender: RefundTender::Cash,
                reason: service::RefundReason { kind: service::RefundReasonKind::Damaged, text: None },
            };
            barrier.wait().await;
            service::refund(shop.store.as_ref(), by_manager, ReceiptId::new(), &number, &refund).await
        }));
    }
    let mut refunded = 0;
    for refunder in refunders {
        match refunder.await.unwrap() {
            Ok(_) => refunded += 1,
            Err(e) => assert!(matches!(e.code(), "refund_exceeds_sale" | "database_busy"), "{e}"),
        }
    }
    // Three sold, two per refund: exactly one refund fits.
    assert_eq!(refunded, 1);
    let line = &shop.store.find_receipt(&sold.number).await.unwrap().lines[1];
    assert_eq!((line.quantity, line.refunded_quantity), (3, 2));
    check_totals_against_receipts(&shop, session.id).await;
}

/// A sale whose answer is lost after its commit (the connection cut before the reply): the
/// retry with the same id answers the first receipt, and nothing is recorded twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sale_whose_answer_was_lost_is_retried_safely() {
    let shop = shop(Backend::Postgres, 1).await;
    let session = open_shift(&shop, "0").await;
    let proxy = FaultProxy::start(&shop.db.url).await;
    // One connection: the faulted call is then one round trip on a prepared statement.
    let options = StoreOptions { migrate: false, max_connections: 1, ..StoreOptions::default() };
    let store = till_backend::open(&proxy.url(&shop.db.url), &options).await.unwrap();
    let location = LocationCode::parse("DT").unwrap();
    let settings = store.pricing_settings(&location).await.unwrap();
    let product = store.find_product(&location, &ProductKey::Barcode(Barcode::parse("333").unwrap())).await.unwrap();
    let cart = Cart {
        lines: vec![CartLine { product: product.snapshot(), quantity: 1, discount: None, price_override: None }],
        receipt_discount: None,
    };
    let priced = price_cart(&settings, &cart).unwrap();
    let settled = settle(&priced, &[cash(300)]).unwrap();
    let receipt = |id: ReceiptId| {
        let header = ReceiptHeader {
            id,
            session_id: session.id,
            register_id: session.register_id,
            actor: Actor::login(&shop.fx.cashier.login),
            device: CASHIER_DEVICE.into(),
            request_hash: id.to_string(),
        };
        NewReceipt::sale(header, &priced, &settled)
    };
    store.record_receipt(receipt(ReceiptId::new())).await.unwrap();
    let lost = receipt(ReceiptId::new());
    proxy.swallow_next_reply();
    assert_eq!(store.record_receipt(lost.clone()).await.unwrap_err().code(), "database_unavailable");
    assert_eq!(shop.store.list_receipts(session.id).await.unwrap().len(), 2, "it committed: the test tests");
    let retried = store.record_receipt(lost).await.unwrap();
    assert!(retried.repeated);
    assert_eq!(retried.number, "DT-R1-000002");
    assert_eq!(check_totals_against_receipts(&shop, session.id).await.sales_count, 2);
}

/// The store checks a receipt's login before its session (SQLite reads both in one statement,
/// the login's user under prefixed columns beside the session's): a login claimed from another
/// device, or ended, is `not_logged_in`; a live login naming another register's session is
/// `session_not_found`. Refusals write nothing; the sale recorded names the login's user.
async fn a_receipt_is_checked_for_its_login_before_its_session(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let session = open_shift(&shop, "0").await;
    let dt = LocationCode::parse("DT").unwrap();
    let settings = s.pricing_settings(&dt).await.unwrap();
    let milk = s.find_product(&dt, &ProductKey::Sku(Sku::parse("MILK").unwrap())).await.unwrap();
    let line = CartLine { product: milk.snapshot(), quantity: 1, discount: None, price_override: None };
    let priced = price_cart(&settings, &Cart { lines: vec![line], receipt_discount: None }).unwrap();
    let settled = settle(&priced, &[cash(priced.total)]).unwrap();
    let receipt = |register: RegisterId, device: &str| {
        let id = ReceiptId::new();
        let header = ReceiptHeader {
            id,
            session_id: session.id,
            register_id: register,
            actor: Actor::login(&shop.fx.cashier.login),
            device: device.into(),
            request_hash: id.to_string(),
        };
        NewReceipt::sale(header, &priced, &settled)
    };
    let refused = |r: NewReceipt| async move { s.record_receipt(r).await.map(|_| ()).unwrap_err().code() };
    assert_eq!(refused(receipt(session.register_id, "pc2")).await, "not_logged_in", "another device");
    let r2 = shop.fx.registers[1].id;
    assert_eq!(refused(receipt(r2, CASHIER_DEVICE)).await, "session_not_found", "another register's session");
    assert_eq!(s.session_totals(session.id).await.unwrap().sales_count, 0, "nothing written");

    let recorded = s.record_receipt(receipt(session.register_id, CASHIER_DEVICE)).await.unwrap();
    assert_eq!(s.find_receipt(&recorded.number).await.unwrap().cashier, "alice");
    s.logout(&shop.fx.cashier.login).await.unwrap();
    assert_eq!(refused(receipt(session.register_id, CASHIER_DEVICE)).await, "not_logged_in", "logged out");
    assert_eq!(s.session_totals(session.id).await.unwrap().sales_count, 1);
}

/// The store re-checks, in the receipt's transaction, that every line was priced from the
/// catalog as it is: a receipt priced before a price change (or a deactivation) is refused with
/// `catalog_changed` and writes nothing; `record_sale` then prices again and records the new
/// price.
async fn a_sale_priced_from_a_changed_catalog_is_priced_again(backend: Backend) {
    let shop = shop(backend, 1).await;
    let s = shop.store.as_ref();
    let session = open_shift(&shop, "0").await;
    let dt = LocationCode::parse("DT").unwrap();
    let settings = s.pricing_settings(&dt).await.unwrap();
    let priced_from = |products: Vec<Product>| {
        let lines = products
            .iter()
            .map(|p| CartLine { product: p.snapshot(), quantity: 1, discount: None, price_override: None })
            .collect();
        price_cart(&settings, &Cart { lines, receipt_discount: None }).unwrap()
    };
    let keys = [ProductKey::Sku(Sku::parse("MILK").unwrap()), ProductKey::Sku(Sku::parse("LATTE").unwrap())];
    let before = priced_from(s.find_products(&dt, &keys).await.unwrap());
    let settled = settle(&before, &[cash(before.total)]).unwrap();
    let header = |id: ReceiptId| ReceiptHeader {
        id,
        session_id: session.id,
        register_id: session.register_id,
        actor: Actor::login(&shop.fx.cashier.login),
        device: CASHIER_DEVICE.into(),
        request_hash: id.to_string(),
    };
    let latte = ProductInput {
        sku: "LATTE",
        name: "Latte",
        price: "4.75",
        tax_rate: "TAX",
        category: None,
        barcodes: &["111".to_string()],
    };
    service::add_product(s, "DT", latte).await.unwrap();
    let stale = s.record_receipt(NewReceipt::sale(header(ReceiptId::new()), &before, &settled)).await.unwrap_err();
    assert!(matches!(&stale, StoreError::Refused(Refusal::CatalogChanged(_))), "{stale:?}");
    assert_eq!(s.session_totals(session.id).await.unwrap().sales_count, 0, "nothing written");
    service::set_product_active(s, "DT", "MILK", false).await.unwrap();
    let after = s.find_products(&dt, &keys).await.unwrap();
    let gone = priced_from(after.clone());
    let settled = settle(&gone, &[cash(gone.total)]).unwrap();
    service::set_product_active(s, "DT", "MILK", true).await.unwrap();
    service::add_product(
        s,
        "DT",
        ProductInput {
            sku: "MILK",
            name: "Milk",
            price: "2.29",
            tax_rate: "FOOD",
            category: None,
            barcodes: &["333".to_string()],
        },
    )
    .await
    .unwrap();
    // Priced while MILK was inactive and LATTE at 4.75: still the catalog's, so recorded.
    let ok = s.record_receipt(NewReceipt::sale(header(ReceiptId::new()), &gone, &settled)).await.unwrap();
    assert!(!ok.repeated);
    service::set_product_active(s, "DT", "MILK", false).await.unwrap();
    let inactive = s.record_receipt(NewReceipt::sale(header(ReceiptId::new()), &gone, &settled)).await.unwrap_err();
    assert!(matches!(&inactive, StoreError::Refused(Refusal::CatalogChanged(_))), "{inactive:?}");

    // Through the service: priced from the catalog as it is now.
    let request = SaleRequest {
        lines: vec![line("111", 2)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(2_000)],
    };
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    let receipt = service::record_sale(s, till(alice, &register, &pc, None), ReceiptId::new(), &request).await.unwrap();
    assert_eq!((receipt.lines[0].unit_price, receipt.lines[0].extended), (475, 950));
}

/// A retry with the same id answers its first outcome, whatever happened since: the session
/// closed and another opened, the line was refunded in full. Before, the sale and the
/// movement answered `no_open_session` (or `idempotency_conflict`: the fingerprint named the
/// session open now) and the refund `refund_exceeds_sale`, because both looked up the present
/// before the id.
async fn a_retry_answers_its_first_outcome_whatever_happened_since(backend: Backend) {
    let shop = shop(backend, 1).await;
    let s = shop.store.as_ref();
    let first_session = open_shift(&shop, "100.00").await;
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    let bob = service::approval("bob", "9999").unwrap();
    let request = SaleRequest {
        lines: vec![line("333", 2)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(500)],
    };
    let sale_id = ReceiptId::new();
    let sold = service::record_sale(s, till(alice, &register, &pc, None), sale_id, &request).await.unwrap();
    let movement = |id| service::MovementRequest {
        id,
        kind: MovementKind::PaidIn,
        amount: Some(CashAmount::Typed("5.00")),
        reason: "other",
        note: None,
    };
    let movement_id = MovementId::new();
    let moved = service::record_movement(s, alice, None, &register, &pc, movement(movement_id)).await.unwrap();
    let refund_one = RefundRequest {
        lines: vec![RefundLineRequest { line: 0, quantity: 1 }],
        tender: RefundTender::Cash,
        reason: service::RefundReason { kind: service::RefundReasonKind::Damaged, text: None },
    };
    let refund_id = ReceiptId::new();
    let mut by_manager = till(alice, &register, &pc, None);
    by_manager.approval = Some(&bob);
    let refunded = service::refund(s, by_manager.clone(), refund_id, &sold.number, &refund_one).await.unwrap();
    // The line's last unit is refunded too, the session closed, and the next one opened.
    service::refund(s, by_manager.clone(), ReceiptId::new(), &sold.number, &refund_one).await.unwrap();
    close(&shop, &first_session, "100.00").await.unwrap();
    let second_session = open_shift(&shop, "100.00").await;

    let again = service::record_sale(s, till(alice, &register, &pc, None), sale_id, &request).await.unwrap();
    assert_eq!((again.number.as_str(), again.session_id), (sold.number.as_str(), first_session.id));
    let again = service::record_movement(s, alice, None, &register, &pc, movement(movement_id)).await.unwrap();
    assert_eq!((again.id, again.session_id), (moved.id, first_session.id));
    let again = service::refund(s, by_manager.clone(), refund_id, &sold.number, &refund_one).await.unwrap();
    assert_eq!(again.number, refunded.number);
    // Another request under a used id is still a conflict, however the present looks.
    let other = SaleRequest {
        lines: vec![line("333", 1)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(300)],
    };
    let conflict = service::record_sale(s, till(alice, &register, &pc, None), sale_id, &other).await.unwrap_err();
    assert_eq!(conflict.code(), "idempotency_conflict");
    let other = service::MovementRequest { amount: Some(CashAmount::Typed("6.00")), ..movement(movement_id) };
    let conflict = service::record_movement(s, alice, None, &register, &pc, other).await.unwrap_err();
    assert_eq!(conflict.code(), "idempotency_conflict");
    // Nothing was recorded twice.
    assert_eq!(s.list_receipts(first_session.id).await.unwrap().len(), 3);
    assert_eq!(s.list_movements(first_session.id).await.unwrap().len(), 1);
    assert!(s.list_receipts(second_session.id).await.unwrap().is_empty());
    assert!(s.list_movements(second_session.id).await.unwrap().is_empty());
}

/// Three single-unit refunds of a 3-unit line, racing. Each line's share is checked by the
/// store under the sale's lock; a refund computed from a read taken before another refund
/// committed is computed again, so the three give back exactly what the line was sold for
/// (before, the last gave back its share of a stale "what is left": a cent too much or too
/// little, or the store refused it).
async fn racing_refunds_of_the_last_units_give_back_the_rest(backend: Backend) {
    let shop = Arc::new(shop(backend, 1).await);
    let session = open_shift(&shop, "100.00").await;
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    // 3 lattes at 4.50 less 0.01: 13.49 + 8.875 % tax (1.20) = 14.69, which no three equal
    // shares make. Three rounds, a new sale each, for more interleavings.
    let damaged =
        till_core::sales::PriceChangeReason { kind: till_core::sales::PriceChangeReasonKind::Damaged, text: None };
    let lattes =
        SaleLineRequest { discount: Some(Discount::Amount { amount: 1 }), reason: Some(damaged), ..line("111", 3) };
    let request = SaleRequest {
        lines: vec![lattes],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![cash(2000)],
    };
    for round in 0..3 {
        let sold =
            service::record_sale(shop.store.as_ref(), till(alice, &register, &pc, None), ReceiptId::new(), &request)
                .await
                .unwrap();
        assert_eq!((sold.lines[0].total, sold.lines[0].tax), (1469, 120));
        let barrier = Arc::new(tokio::sync::Barrier::new(3));
        let mut refunders = Vec::new();
        for n in 0..3 {
            let (shop, barrier, number) = (shop.clone(), barrier.clone(), sold.number.clone());
            refunders.push(tokio::spawn(async move {
                let (register, pc) = (dt_r1(), device(&format!("pc-{round}-{n}")));
                let alice = alice_on(&shop, &pc).await;
                let bob = service::approval("bob", "9999").unwrap();
                let mut by_manager = till(&alice, &register, &pc, None);
                by_manager.approval = Some(&bob);
                let refund = RefundRequest {
                    lines: vec![RefundLineRequest { line: 0, quantity: 1 }],
                    tender: RefundTender::Cash,
                    reason: service::RefundReason { kind: service::RefundReasonKind::Damaged, text: None },
                };
                barrier.wait().await;
                service::refund(shop.store.as_ref(), by_manager, ReceiptId::new(), &number, &refund).await
            }));
        }
        let mut given = Vec::new();
        for refunder in refunders {
            given.push(refunder.await.unwrap().unwrap());
        }
        assert_eq!(given.iter().map(|r| r.total).sum::<i64>(), 1469, "round {round}: {given:?}");
        assert_eq!(given.iter().map(|r| r.tax).sum::<i64>(), 120, "round {round}: {given:?}");
        let line = &shop.store.find_receipt(&sold.number).await.unwrap().lines[0];
        assert_eq!((line.refunded_quantity, line.refunded_total, line.refunded_tax), (3, 1469, 120));
    }
    check_totals_against_receipts(&shop, session.id).await;
}

/// A card tender's approval reference may be left out (stored as none), unless the location
/// requires it: then a card sale or a refund to a card without one is refused and writes
/// nothing. The setting is journaled: a change made behind the journal's back (its trigger
/// off, or SQL beside the store) is reported by `journal verify`.
async fn a_card_reference_is_optional_unless_the_location_requires_it(backend: Backend) {
    let shop = shop(backend, 1).await;
    open_shift(&shop, "0").await;
    let store = shop.store.as_ref();
    let (register, pc, alice) = (dt_r1(), pc1(), &shop.fx.cashier);
    let total = service::price_sale(store, &register, &[line("333", 1)], None).await.unwrap().total;
    let card = |reference: &str| SaleRequest {
        lines: vec![line("333", 1)],
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![Tender::Card { amount: total, approval_reference: reference.into() }],
    };
    let (register, pc) = (&register, &pc);
    let sell = |request: SaleRequest| async move {
        service::record_sale(store, till(alice, register, pc, None), ReceiptId::new(), &request).await
    };
    let location = LocationCode::parse("DT").unwrap();
    assert!(!store.find_location(&location).await.unwrap().card_reference_required, "off by default");
    let left_out = sell(card("  ")).await.unwrap();
    assert_eq!(left_out.tenders[0].reference, None, "stored as none");
    assert_eq!(sell(card("AUTH 42")).await.unwrap().tenders[0].reference.as_deref(), Some("AUTH 42"));

    let change = LocationChange { card_reference_required: Some(true), ..LocationChange::default() };
    assert!(store.update_location(&location, &change).await.unwrap().card_reference_required);
    let numbers_before = store.session_totals(left_out.session_id).await.unwrap().sales_count;
    for missing in ["", "   "] {
        let refused = sell(card(missing)).await.expect_err("a card tender without its reference");
        assert_eq!(refused.code(), "invalid_input", "{refused}");
        assert!(refused.to_string().contains("approval reference"), "{refused}");
    }
    let request = RefundRequest {
        lines: vec![RefundLineRequest { line: 1, quantity: 1 }],
        tender: RefundTender::Card { approval_reference: String::new() },
        reason: sales::RefundReason { kind: sales::RefundReasonKind::WrongItem, text: None },
    };
    let manager_pc = device(MANAGER_DEVICE);
    let bob = till(&shop.fx.manager, register, &manager_pc, None);
    let refused = service::refund(store, bob, ReceiptId::new(), &left_out.number, &request).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_input", "{refused}");
    assert_eq!(store.session_totals(left_out.session_id).await.unwrap().sales_count, numbers_before, "nothing written");
    assert_eq!(store.session_totals(left_out.session_id).await.unwrap().refunds_count, 0, "nothing written");
    assert!(sell(card("AUTH 43")).await.is_ok());
    assert!(service::verify_journal(store, &[]).await.unwrap().ok, "the change is journaled");

    // Turned off again behind the journal's back: verify names the setting.
    let off = "UPDATE locations SET card_reference_required = false WHERE code = 'DT'";
    match backend {
        Backend::Sqlite => shop.db.execute(off).await,
        Backend::Postgres => {
            shop.db
                .execute(&format!(
                    "ALTER TABLE locations DISABLE TRIGGER locations_journal_update; {off}; \
                     ALTER TABLE locations ENABLE TRIGGER locations_journal_update"
                ))
                .await
        }
    }
    let report = service::verify_journal(store, &[]).await.unwrap();
    assert!(!report.ok);
    let problems: Vec<&str> = report.chains.iter().flat_map(|c| &c.problems).map(|p| p.what.as_str()).collect();
    assert!(problems.iter().any(|p| p.contains("card_reference_required")), "{problems:?}");
}

/// SQLite: a receipt longer than a sale may be (the store is called directly too, not only
/// after pricing) still meets the catalog check, at its first stale line wherever that line is
/// (the store checks the lines in statements of at most the limit's size, in order), and
/// without a stale line it is refused as not adding up. Neither writes anything. (PostgreSQL's
/// function counts the lines before it reads the catalog: its refusal is the count's.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_receipt_over_the_line_limit_meets_the_catalog_check_at_any_line() {
    let shop = shop(Backend::Sqlite, 1).await;
    let s = shop.store.as_ref();
    let session = open_shift(&shop, "0").await;
    let dt = LocationCode::parse("DT").unwrap();
    let settings = s.pricing_settings(&dt).await.unwrap();
    let milk = s.find_products(&dt, &[ProductKey::Sku(Sku::parse("MILK").unwrap())]).await.unwrap();
    let line = CartLine { product: milk[0].snapshot(), quantity: 1, discount: None, price_override: None };
    let priced = price_cart(&settings, &Cart { lines: vec![line], receipt_discount: None }).unwrap();
    let settled = settle(&priced, &[cash(priced.total)]).unwrap();
    let header = ReceiptHeader {
        id: ReceiptId::new(),
        session_id: session.id,
        register_id: session.register_id,
        actor: Actor::login(&shop.fx.cashier.login),
        device: CASHIER_DEVICE.into(),
        request_hash: String::new(),
    };
    let one = NewReceipt::sale(header, &priced, &settled);
    let lines = 2 * till_core::pricing::MAX_LINES + 1;
    let long = |stale_at: Option<usize>| {
        let id = ReceiptId::new();
        let lines = (0..lines)
            .map(|i| ReceiptLine {
                line_no: u32::try_from(i).unwrap(),
                name: if Some(i) == stale_at { "Not milk".into() } else { one.lines[0].name.clone() },
                ..one.lines[0].clone()
            })
            .collect();
        NewReceipt { id, request_hash: id.to_string(), lines, ..one.clone() }
    };
    for stale_at in [0, lines - 1] {
        let refused = s.record_receipt(long(Some(stale_at))).await.unwrap_err();
        assert!(matches!(&refused, StoreError::Refused(Refusal::CatalogChanged(_))), "line {stale_at}: {refused:?}");
    }
    let refused = s.record_receipt(long(None)).await.unwrap_err();
    assert!(matches!(&refused, StoreError::Refused(Refusal::Rejected(_))), "{refused:?}");
    assert_eq!(s.session_totals(session.id).await.unwrap().sales_count, 0, "nothing written");
}
