//! Cash control, X/Z reports and the journal, on both backends: a day with sales, cash
//! movements and a refund closed blind with a recount and a sign-off; the float carried over;
//! a forgotten session force-closed and counted late; the journal verified, then tampered with
//! by hand in each way an auditor must catch; writers racing each other and the close.

use std::sync::Arc;
use till_core::service::{self, CloseRequest, MovementRequest, SaleLineRequest, SaleRequest, Till};
use till_core::*;
use till_testkit::shop::{bob_approves, device, dt_r1, line, office, pc1, shop, Shop};
use till_testkit::{both_backends, provision, Backend, TestDatabase, CASHIER_DEVICE};

both_backends!(a_day_closed_blind_with_a_recount_and_a_sign_off, the_next_shift_expects_the_float_left);
both_backends!(a_forgotten_session_is_force_closed_then_counted_late, bad_movements_write_nothing);
both_backends!(the_journal_catches_every_tampering, writers_at_once_leave_one_linear_chain);
both_backends!(movements_racing_a_close_land_in_exactly_one_session, verify_during_sales_reads_one_moment);
both_backends!(x_reports_during_sales_read_one_moment);
both_backends!(the_expected_cash_shows_beside_a_count_only_where_the_store_does_not_count_blind);
both_backends!(a_count_that_does_not_add_up_is_refused_by_the_store);
both_backends!(a_refused_count_is_only_one_the_close_refuses);

async fn open(shop: &Shop, cash: &str) -> Session {
    let request = service::StartRequest {
        request_id: RequestId::new(),
        opening_cash: Some(CashAmount::Typed(cash)),
        notes: None,
    };
    service::start_shift(shop.store.as_ref(), &shop.fx.cashier, &dt_r1(), &pc1(), request).await.unwrap().session
}

async fn sell(shop: &Shop, lines: Vec<SaleLineRequest>, tenders: Vec<Tender>) -> Receipt {
    let (register, pc) = (dt_r1(), pc1());
    let till = Till { who: &shop.fx.cashier, register: &register, device: &pc, session: None, approval: None };
    let request = SaleRequest { lines, receipt_discount: None, receipt_discount_reason: None, tenders };
    service::record_sale(shop.store.as_ref(), till, ReceiptId::new(), &request).await.unwrap()
}

async fn move_cash(
    shop: &Shop,
    kind: MovementKind,
    amount: Option<&str>,
    reason: &str,
    approval: Option<Credentials>,
) -> Result<CashMovement, TillError> {
    let request = MovementRequest {
        id: MovementId::new(),
        kind,
        amount: amount.map(CashAmount::Typed),
        reason,
        note: Some("test"),
    };
    service::record_movement(shop.store.as_ref(), &shop.fx.cashier, approval, &dt_r1(), &pc1(), request).await
}

fn closing<'a>(session: &'a SessionRef, counted: &'a str, float: Option<&'a str>) -> CloseRequest<'a> {
    CloseRequest {
        request_id: RequestId::new(),
        session,
        counted_cash: CashAmount::Typed(counted),
        only_register: None,
        float_left: float.map(CashAmount::Typed),
        denominations: Vec::new(),
        sign_off: None,
    }
}

/// The X report's figures against a recomputation from the rows (receipts and movements).
async fn check_x_against_rows(shop: &Shop, session: SessionId) -> till_core::reports::XReport {
    let s = shop.store.as_ref();
    let x = service::x_report(s, &SessionRef::Id(session), service::Asker::It("test")).await.unwrap();
    let receipts = s.list_receipts(session).await.unwrap();
    let mut full = Vec::new();
    for r in &receipts {
        full.push(s.find_receipt(&r.number).await.unwrap());
    }
    let movements = s.list_movements(session).await.unwrap();
    let sum = |kind: MovementKind| movements.iter().filter(|m| m.kind == kind).map(|m| m.amount).sum::<i64>();
    let count = |kind: MovementKind| movements.iter().filter(|m| m.kind == kind).count() as i64;
    let cash_of = |r: &Receipt| r.tenders.iter().filter(|t| t.kind == "cash").map(|t| t.amount).sum::<i64>();
    let sales: Vec<&Receipt> = full.iter().filter(|r| r.kind == ReceiptKind::Sale).collect();
    let refunds: Vec<&Receipt> = full.iter().filter(|r| r.kind == ReceiptKind::Refund).collect();
    assert_eq!(x.sales.receipts, full.len() as i64);
    assert_eq!(x.sales.refunds.count, refunds.len() as i64);
    assert_eq!(x.sales.refunds.amount, refunds.iter().map(|r| r.total).sum::<i64>());
    assert_eq!(x.sales.net_sales, sales.iter().map(|r| r.total).sum::<i64>() - x.sales.refunds.amount);
    assert_eq!(x.drawer.cash_sales, sales.iter().map(|r| cash_of(r)).sum::<i64>());
    assert_eq!(x.drawer.change_given, sales.iter().map(|r| r.change).sum::<i64>());
    assert_eq!(x.drawer.cash_refunds, refunds.iter().map(|r| cash_of(r)).sum::<i64>());
    // The cash tender net of change reconciles with each receipt's own cash_net, and with the
    // tenders' cash (handed over) less the change.
    assert_eq!(x.drawer.cash_net_of_change, full.iter().map(|r| r.cash_net).sum::<i64>());
    let cash_tender = x.tenders.iter().find(|t| t.kind == "cash").map_or(0, |t| t.amount);
    assert_eq!(x.drawer.cash_net_of_change, cash_tender - x.drawer.change_given);
    assert_eq!(
        (x.drawer.paid_in.count, x.drawer.paid_in.amount),
        (count(MovementKind::PaidIn), sum(MovementKind::PaidIn))
    );
    assert_eq!(
        (x.drawer.paid_out.count, x.drawer.paid_out.amount),
        (count(MovementKind::PaidOut), sum(MovementKind::PaidOut))
    );
    assert_eq!((x.drawer.drops.count, x.drawer.drops.amount), (count(MovementKind::Drop), sum(MovementKind::Drop)));
    assert_eq!(x.no_sales, count(MovementKind::NoSale));
    let tax_of_sales: i64 = sales.iter().map(|r| r.tax).sum::<i64>() - refunds.iter().map(|r| r.tax).sum::<i64>();
    assert_eq!(x.sales.taxes.iter().map(|t| t.tax).sum::<i64>(), tax_of_sales);
    for c in &x.sales.categories {
        let amount: i64 = full
            .iter()
            .flat_map(|r| r.lines.iter().map(move |l| (r.kind, l)))
            .filter(|(_, l)| l.category == c.category)
            .map(|(k, l)| if k == ReceiptKind::Sale { l.amount } else { -l.amount })
            .sum();
        assert_eq!(c.amount, amount, "category {}", c.category);
    }
    let session_row = s.find_session(&SessionRef::Id(session)).await.unwrap();
    let expected =
        session_row.opening_cash.minor() + x.drawer.cash_sales - x.drawer.change_given - x.drawer.cash_refunds
            + x.drawer.paid_in.amount
            - x.drawer.paid_out.amount
            - x.drawer.drops.amount;
    assert_eq!(x.drawer.expected_cash, expected);
    assert_eq!(s.session_totals(session).await.unwrap().expected_cash, expected, "cash_net agrees with the split");
    x
}

async fn a_day_closed_blind_with_a_recount_and_a_sign_off(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let session = open(&shop, "100.00").await;
    // Two lattes and milk, 20.00 cash: total 9.80 + 0.80 tax... read back from the receipt.
    let first = sell(&shop, vec![line("111", 2), line("333", 1)], vec![Tender::Cash { amount: 2000 }]).await;
    let second =
        sell(&shop, vec![line("111", 1)], vec![Tender::Card { amount: 490, approval_reference: "AUTH 1".into() }])
            .await;
    move_cash(&shop, MovementKind::PaidIn, Some("10.00"), "float_top_up", None).await.unwrap();
    // A paid out above the 50.00 limit needs a manager.
    let refused = move_cash(&shop, MovementKind::PaidOut, Some("60.00"), "supplies", None).await.unwrap_err();
    assert_eq!(refused.code(), "approval_needed");
    move_cash(&shop, MovementKind::PaidOut, Some("60.00"), "supplies", Some(bob_approves())).await.unwrap();
    // The limit is per session: past it, every further paid out or drop needs one too.
    let small = move_cash(&shop, MovementKind::PaidOut, Some("3.50"), "delivery", None).await.unwrap_err();
    assert_eq!(small.code(), "approval_needed");
    move_cash(&shop, MovementKind::PaidOut, Some("3.50"), "delivery", Some(bob_approves())).await.unwrap();
    move_cash(&shop, MovementKind::Drop, Some("20.00"), "safe_drop", Some(bob_approves())).await.unwrap();
    move_cash(&shop, MovementKind::NoSale, None, "change_for_customer", None).await.unwrap();
    // A refund of one latte, in cash.
    let (register, pc, bob) = (dt_r1(), pc1(), bob_approves());
    let till = Till { who: &shop.fx.cashier, register: &register, device: &pc, session: None, approval: Some(&bob) };
    let refund_request = service::RefundRequest {
        lines: vec![service::RefundLineRequest { line: 0, quantity: 1 }],
        tender: service::RefundTender::Cash,
        reason: service::RefundReason { kind: service::RefundReasonKind::Damaged, text: None },
    };
    let refund = service::refund(s, till, ReceiptId::new(), &first.number, &refund_request).await.unwrap();
    service::record_reprint(s, &shop.fx.cashier, &dt_r1(), &pc, &first.number).await.unwrap();

    let x = check_x_against_rows(&shop, session.id).await;
    assert_eq!(x.reprints, 1);
    assert_eq!(x.sales.refunds.count, 1);
    assert_eq!(x.tenders.iter().find(|t| t.kind == "card").map(|t| (t.count, t.amount)), Some((1, second.total)));
    let drinks = x.sales.categories.iter().find(|c| c.category == "Drinks").unwrap();
    assert_eq!(drinks.count, 2 + 1 - 1, "three lattes sold, one refunded");
    let expected = 10_000 + first.tendered - first.change - refund.total + 1_000 - 6_000 - 350 - 2_000;
    assert_eq!(x.drawer.expected_cash, expected);
    // The X resets nothing: a second one says the same.
    let again = service::x_report(s, &SessionRef::Id(session.id), service::Asker::It("test")).await.unwrap();
    assert_eq!(again.drawer.expected_cash, expected);

    // The store counts blind: a cashier sees neither the X of the open drawer nor its expected
    // cash in the totals; a manager sees both.
    let cashier = service::Asker::User(&shop.fx.cashier.user);
    let refused = service::x_report(s, &SessionRef::Id(session.id), cashier).await.unwrap_err();
    assert_eq!(refused.code(), "approval_needed");
    let open_session = s.find_session(&SessionRef::Id(session.id)).await.unwrap();
    let hidden = service::session_totals(s, &open_session, cashier).await.unwrap();
    assert!(hidden.drawer_hidden);
    assert_eq!((hidden.expected_cash, hidden.cash_net), (0, 0));
    assert_eq!(hidden.sales_count, 2, "the rest of the totals stay");
    let shown = service::session_totals(s, &open_session, service::Asker::User(&shop.fx.manager.user)).await.unwrap();
    assert_eq!((shown.drawer_hidden, shown.expected_cash), (false, expected));
    service::x_report(s, &SessionRef::Id(session.id), service::Asker::User(&shop.fx.manager.user)).await.unwrap();

    // Blind close: 6.00 short is above the 5.00 limit: refused, with nothing said of the
    // expected cash, and nothing written.
    let by_id = SessionRef::Id(session.id);
    let short = Money::from_minor(expected - 600, Currency::USD).to_string();
    let first_count =
        service::close_shift(s, &shop.fx.manager, None, &office(), closing(&by_id, &short, Some("20.00"))).await;
    let refused = first_count.unwrap_err();
    assert_eq!(refused.code(), "variance_needs_signoff");
    assert!(!refused.to_string().contains(&Money::from_minor(expected, Currency::USD).to_string()), "{refused}");
    assert_eq!(s.find_session(&by_id).await.unwrap().status, SessionStatus::Open);
    assert!(s.z_record(session.id).await.unwrap().is_none());
    // The recount still says 6.00 short: the manager signs it off with a reason.
    let count = |n: i64| u32::try_from(n).unwrap();
    let denominations = vec![
        DenominationCount { denomination: 2_000, count: count((expected - 600) / 2_000) },
        DenominationCount { denomination: 1, count: count((expected - 600) % 2_000) },
    ];
    let request = CloseRequest {
        denominations: denominations.clone(),
        sign_off: Some("a 5 and a 1 given as change by mistake"),
        ..closing(&by_id, &short, Some("20.00"))
    };
    let closed = service::close_shift(s, &shop.fx.manager, None, &office(), request).await.unwrap();
    assert_eq!(closed.variance.map(|v| v.minor()), Some(-600));

    // The Z, field by field.
    let z = service::z_report(s, &by_id, service::Asker::It("test")).await.unwrap();
    assert_eq!(z.z.z_number, 1);
    assert_eq!(z.z.first_receipt.as_deref(), Some(first.number.as_str()));
    assert_eq!(z.z.last_receipt.as_deref(), Some(refund.number.as_str()));
    assert_eq!((z.counted_cash, z.variance), (Some(expected - 600), Some(-600)));
    assert_eq!(z.variance_reason.as_deref(), Some("a 5 and a 1 given as change by mistake"));
    assert_eq!((z.closed_by.as_deref(), z.approved_by.as_deref()), (Some("bob"), Some("bob")));
    assert_eq!((z.float_left, z.cash_removed), (Some(2_000), Some(expected - 600 - 2_000)));
    let mut stored = z.denominations.clone();
    stored.sort_by_key(|d| d.denomination);
    let mut given = denominations.clone();
    given.sort_by_key(|d| d.denomination);
    assert_eq!(stored, given);
    assert_eq!(z.x.drawer.expected_cash, expected);
    assert_eq!(z.z.grand_sales, first.total + second.total);
    assert_eq!(z.z.grand_refunds, refund.total);
    assert_eq!(z.grand_net, first.total + second.total - refund.total);
    // The anchor is the close's own journal entry.
    let entries = service::chain_entries(s, session.register_id.0).await.unwrap();
    let anchored = entries.iter().find(|e| e.seq == z.z.journal_seq).unwrap();
    assert_eq!((anchored.event.as_str(), anchored.hash.as_str()), ("session_close", z.z.journal_head.as_str()));
    assert_eq!(entries.last().unwrap().event, "z_report");
    // Every event of the day is in the journal, in order, and it verifies.
    let events: Vec<&str> = entries.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "session_open",
            "sale",
            "sale",
            "paid_in",
            "paid_out",
            "paid_out",
            "drop",
            "no_sale",
            "refund",
            "reprint",
            "count_refused",
            "session_close",
            "z_report"
        ]
    );
    let report = service::verify_journal(s, &[]).await.unwrap();
    assert!(report.ok, "{report:?}");
    // Once closed, a movement is refused and writes nothing.
    let late = move_cash(&shop, MovementKind::PaidIn, Some("1.00"), "other", None).await.unwrap_err();
    assert_eq!(late.code(), "no_open_session");
}

async fn the_next_shift_expects_the_float_left(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let first = open(&shop, "100.00").await;
    assert_eq!(first.float_expected, None, "no close before it");
    let by_id = SessionRef::Id(first.id);
    service::close_shift(s, &shop.fx.manager, None, &office(), closing(&by_id, "100.00", Some("75.00"))).await.unwrap();
    // The next start offers 75.00; 80.00 counted is a 5.00 opening difference the manager sees.
    let second = open(&shop, "80.00").await;
    assert_eq!(second.float_expected.map(|m| m.minor()), Some(7_500));
    assert_eq!(second.opening_cash.minor() - second.float_expected.unwrap().minor(), 500);
    let x =
        service::x_report(s, &SessionRef::Id(second.id), service::Asker::User(&shop.fx.manager.user)).await.unwrap();
    assert_eq!((x.drawer.float_expected, x.drawer.opening_difference), (Some(7_500), Some(500)));
    // The opening count's notes and coins, as data: they must add up to the opening cash.
    let twenties = vec![DenominationCount { denomination: 2_000, count: 4 }];
    let pc = pc1();
    let short = vec![DenominationCount { denomination: 2_000, count: 3 }];
    let refused = service::record_opening_count(s, &shop.fx.cashier, second.id, &pc, short).await.unwrap_err();
    assert_eq!(refused.code(), "invalid_input");
    service::record_opening_count(s, &shop.fx.cashier, second.id, &pc, twenties.clone()).await.unwrap();
    let other = vec![DenominationCount { denomination: 1_000, count: 8 }];
    service::record_opening_count(s, &shop.fx.cashier, second.id, &pc, other).await.unwrap();
    assert_eq!(s.opening_count(second.id).await.unwrap(), twenties, "recorded once");
    sell(&shop, vec![line("333", 1)], vec![Tender::Cash { amount: 229 }]).await;
    let second_ref = SessionRef::Id(second.id);
    service::close_shift(s, &shop.fx.manager, None, &office(), closing(&second_ref, "82.29", None)).await.unwrap();
    // Z numbers are gapless per register; grand totals carry on.
    let z1 = service::z_report(s, &by_id, service::Asker::It("test")).await.unwrap();
    let z2 = service::z_report(s, &second_ref, service::Asker::It("test")).await.unwrap();
    assert_eq!((z1.z.z_number, z2.z.z_number), (1, 2));
    assert_eq!((z1.z.grand_sales, z2.z.grand_sales), (0, 229));
    // The default float left is what the shift opened with.
    assert_eq!(z2.float_left, Some(8_000));
    assert_eq!(z2.opening_denominations, twenties);
    let entries = service::chain_entries(s, second.register_id.0).await.unwrap();
    assert_eq!(entries.iter().filter(|e| e.event == "opening_count").count(), 1);
    // A register's Z list for the bookkeeper.
    let rows = service::z_rows(
        s,
        &ZFilter { location: Some(LocationCode::parse("DT").unwrap()), ..ZFilter::default() },
        service::Asker::It("test"),
    )
    .await
    .unwrap();
    assert_eq!(rows.iter().map(|r| r.z_number).collect::<Vec<_>>(), [1, 2]);
    assert!(service::verify_journal(s, &[]).await.unwrap().ok);
}

async fn a_forgotten_session_is_force_closed_then_counted_late(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    // A session opened two days ago and never closed. No caller chooses a time (the database's
    // clock decides), so the test moves it back by hand, as only the database's owner can.
    let start = till_testkit::start(&shop.fx.cashier, shop.fx.registers[0].id, CASHIER_DEVICE, Some(10_000));
    let old = s.start_shift(start).await.unwrap().session;
    backdate(&shop.db, old.id, 2).await;
    let old = s.find_session(&SessionRef::Id(old.id)).await.unwrap();
    assert!(
        old.business_day
            < business_day(
                till_core::clock::system_now(),
                TimeZone::parse("America/New_York").unwrap(),
                Cutoff::DEFAULT
            )
    );
    // A new shift on that register is refused: call a manager.
    let request = service::StartRequest {
        request_id: RequestId::new(),
        opening_cash: Some(CashAmount::Typed("100")),
        notes: None,
    };
    let refused = service::start_shift(s, &shop.fx.cashier, &dt_r1(), &pc1(), request).await.unwrap_err();
    assert_eq!(refused.code(), "session_forgotten");
    // A cashier may not force-close; a manager can, with a reason.
    let by_id = SessionRef::Id(old.id);
    let not_allowed = service::force_close(
        s,
        &shop.fx.cashier,
        None,
        &pc1(),
        service::ForceCloseRequest {
            request_id: RequestId::new(),
            session: &by_id,
            reason: "left open",
            only_location: None,
        },
    )
    .await;
    assert_eq!(not_allowed.unwrap_err().code(), "forbidden");
    // Nor with her own PIN as the approval: the store checks that the approver is a manager.
    let alice_approves = service::approval("alice", "1234").unwrap();
    let not_allowed = service::force_close(
        s,
        &shop.fx.cashier,
        Some(alice_approves),
        &pc1(),
        service::ForceCloseRequest {
            request_id: RequestId::new(),
            session: &by_id,
            reason: "left open",
            only_location: None,
        },
    )
    .await;
    assert_eq!(not_allowed.unwrap_err().code(), "forbidden");
    assert_eq!(s.find_session(&by_id).await.unwrap().status, SessionStatus::Open);
    // A live drawer (R2, opened now) is closed with a count, not forced.
    let alice_on_pc2 = till_testkit::login(s, "alice", "1234", "pc-2").await;
    let live =
        s.start_shift(till_testkit::start(&alice_on_pc2, shop.fx.registers[1].id, "pc-2", Some(5_000))).await.unwrap();
    let live_ref = SessionRef::Id(live.session.id);
    let refused = service::force_close(
        s,
        &shop.fx.manager,
        None,
        &office(),
        service::ForceCloseRequest {
            request_id: RequestId::new(),
            session: &live_ref,
            reason: "skip the count",
            only_location: None,
        },
    )
    .await;
    assert_eq!(refused.unwrap_err().code(), "invalid_input");
    assert_eq!(s.find_session(&live_ref).await.unwrap().status, SessionStatus::Open);
    // A till acts on its own location's sessions only: from another location's till the
    // session is not there, and nothing is written.
    let elsewhere = Some(LocationId(uuid::Uuid::now_v7()));
    let from_elsewhere = service::ForceCloseRequest {
        request_id: RequestId::new(),
        session: &by_id,
        reason: "left open overnight",
        only_location: elsewhere,
    };
    let refused = service::force_close(s, &shop.fx.manager, None, &office(), from_elsewhere).await;
    assert_eq!(refused.unwrap_err().code(), "session_not_found");
    assert_eq!(s.find_session(&by_id).await.unwrap().status, SessionStatus::Open);
    let no_reason = service::force_close(
        s,
        &shop.fx.manager,
        None,
        &office(),
        service::ForceCloseRequest { request_id: RequestId::new(), session: &by_id, reason: "  ", only_location: None },
    )
    .await;
    assert_eq!(no_reason.unwrap_err().code(), "invalid_input");
    let forced = service::force_close(
        s,
        &shop.fx.manager,
        None,
        &office(),
        service::ForceCloseRequest {
            request_id: RequestId::new(),
            session: &by_id,
            reason: "left open overnight",
            only_location: None,
        },
    )
    .await
    .unwrap();
    assert!(forced.count_pending);
    let z = service::z_report(s, &by_id, service::Asker::It("test")).await.unwrap();
    assert_eq!((z.z.z_number, z.counted_cash, z.variance), (1, None, None));
    assert_eq!(z.force_close_reason.as_deref(), Some("left open overnight"));
    // The register is free: a new shift starts.
    open(&shop, "100.00").await;
    // The late count completes the Z; a second one is refused.
    let count = service::LateCountRequest {
        session: &by_id,
        only_location: None,
        counted_cash: CashAmount::Typed("98.00"),
        float_left: None,
        denominations: Vec::new(),
        variance_reason: None,
    };
    let counted = service::late_count(s, &shop.fx.manager, None, &office(), count.clone()).await.unwrap();
    assert!(!counted.count_pending);
    let z = service::z_report(s, &by_id, service::Asker::It("test")).await.unwrap();
    assert_eq!(
        (z.counted_cash, z.variance, z.cash_removed, z.float_left),
        (Some(9_800), Some(-200), Some(9_800), Some(0))
    );
    assert_eq!(z.z.z_number, 1, "the same Z, completed");
    let again = service::late_count(s, &shop.fx.manager, None, &office(), count).await.unwrap();
    assert_eq!(again.counted_cash, counted.counted_cash, "a repeat answers the first");
    let entries = service::chain_entries(s, old.register_id.0).await.unwrap();
    assert!(entries.iter().any(|e| e.event == "late_count"));
    let report = service::verify_journal(s, &[]).await.unwrap();
    assert!(report.ok, "{report:?}");
}

async fn bad_movements_write_nothing(backend: Backend) {
    let shop = shop(backend, 2).await;
    let s = shop.store.as_ref();
    let session = open(&shop, "100.00").await;
    let cases: Vec<(MovementKind, Option<&str>, &str, &str)> = vec![
        (MovementKind::PaidIn, None, "other", "invalid_input"),
        (MovementKind::PaidIn, Some("-5"), "other", "invalid_amount"),
        (MovementKind::PaidIn, Some("0"), "other", "invalid_amount"),
        (MovementKind::PaidIn, Some("abc"), "other", "invalid_amount"),
        (MovementKind::PaidOut, Some("5.00"), "float_top_up", "reason_not_found"),
        (MovementKind::NoSale, Some("1.00"), "other", "invalid_input"),
        (MovementKind::Drop, Some("20000000000.00"), "safe_drop", "invalid_amount"),
    ];
    for (kind, amount, reason, code) in cases {
        let got = move_cash(&shop, kind, amount, reason, None).await.unwrap_err();
        assert_eq!(got.code(), code, "{kind:?} {amount:?} {reason}: {got}");
    }
    // The store's own refusals name the reason or the session once, in the same words on both
    // backends (PostgreSQL's repeated its function's whole sentence inside "... not found").
    let movement = |register: RegisterId, reason: &str| NewCashMovement {
        id: MovementId::new(),
        session_id: session.id,
        register_id: register,
        kind: MovementKind::PaidOut,
        amount: 500,
        reason: reason.to_string(),
        note: None,
        actor: Actor { login: shop.fx.cashier.login.clone(), approval: None },
        device: pc1(),
        request_hash: "h".to_string(),
    };
    let unknown = s.record_movement(movement(session.register_id, "float_top_up")).await.unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "cash reason float_top_up (paid_out) not found: choose one of the location's reasons for that kind \
         (`tillctl cash reasons --location CODE`); a manager adds one with `tillctl cash add-reason`"
    );
    let other_register = shop.fx.registers[1].id;
    let elsewhere = s.record_movement(movement(other_register, "other")).await.unwrap_err();
    assert_eq!(
        elsewhere.to_string(),
        format!(
            "session {} of register {other_register} not found: check the session number or id \
             (`tillctl session list` lists them)",
            session.id
        )
    );
    let long = "x".repeat(201);
    let request = MovementRequest {
        id: MovementId::new(),
        kind: MovementKind::PaidIn,
        amount: Some(CashAmount::Typed("1")),
        reason: "other",
        note: Some(&long),
    };
    let got = service::record_movement(s, &shop.fx.cashier, None, &dt_r1(), &pc1(), request).await.unwrap_err();
    assert_eq!(got.code(), "invalid_input");
    assert!(s.list_movements(session.id).await.unwrap().is_empty());
    let totals = s.session_totals(session.id).await.unwrap();
    assert_eq!((totals.cash_net, totals.no_sale_count, totals.paid_in_count), (0, 0, 0));
    // The same id twice: recorded once; with other content: idempotency_conflict.
    let id = MovementId::new();
    let request = MovementRequest {
        id,
        kind: MovementKind::PaidIn,
        amount: Some(CashAmount::Typed("2.00")),
        reason: "other",
        note: None,
    };
    let once = service::record_movement(s, &shop.fx.cashier, None, &dt_r1(), &pc1(), request.clone()).await.unwrap();
    let twice = service::record_movement(s, &shop.fx.cashier, None, &dt_r1(), &pc1(), request.clone()).await.unwrap();
    assert_eq!(once.id, twice.id);
    assert_eq!(s.session_totals(session.id).await.unwrap().paid_in_total, 200);
    let other = MovementRequest { amount: Some(CashAmount::Typed("3.00")), ..request };
    let conflict = service::record_movement(s, &shop.fx.cashier, None, &dt_r1(), &pc1(), other).await.unwrap_err();
    assert_eq!(conflict.code(), "idempotency_conflict");
    // The store refuses an unknown reason and a paid out above the limit even when the core's
    // checks are bypassed.
    let direct = |kind, amount, reason: &str| NewCashMovement {
        id: MovementId::new(),
        session_id: session.id,
        register_id: session.register_id,
        kind,
        amount,
        reason: reason.into(),
        note: None,
        actor: Actor::login(&shop.fx.cashier.login),
        device: pc1(),
        request_hash: "x".into(),
    };
    let unknown = s.record_movement(direct(MovementKind::PaidIn, 100, "nope")).await.unwrap_err();
    assert_eq!(unknown.code(), "reason_not_found");
    let unapproved = s.record_movement(direct(MovementKind::PaidOut, 10_000, "supplies")).await.unwrap_err();
    assert_eq!(unapproved.code(), "approval_needed");
    // Approved with a cashier's right PIN: the store checks who approves.
    let by_cashier = NewCashMovement {
        actor: Actor {
            approval: Some(service::approval("alice", "1234").unwrap()),
            ..Actor::login(&shop.fx.cashier.login)
        },
        ..direct(MovementKind::Drop, 10_000, "safe_drop")
    };
    assert_eq!(s.record_movement(by_cashier).await.unwrap_err().code(), "forbidden");
    assert_eq!(s.list_movements(session.id).await.unwrap().len(), 1);
}

/// The blind count (`cash::expected_cash_hidden`) as each read model a count screen uses says
/// it: an open drawer's totals, then a force-closed drawer waiting for its late count (the day
/// view, and the force-close's answer), with the store counting blind and not. The screens
/// show the expected cash beside a count only where these say so.
async fn the_expected_cash_shows_beside_a_count_only_where_the_store_does_not_count_blind(backend: Backend) {
    async fn counts_blind(s: &dyn Store, blind: bool) {
        let change = LocationChange { blind_close: Some(blind), ..LocationChange::default() };
        let location = s.update_location(&LocationCode::parse("DT").unwrap(), &change).await.unwrap();
        assert_eq!(location.blind_close, blind);
    }
    let shop = shop(backend, 1).await;
    let s = shop.store.as_ref();
    let (cashier, manager) = (service::Asker::User(&shop.fx.cashier.user), service::Asker::User(&shop.fx.manager.user));
    let session = open(&shop, "100.00").await;
    let hidden = |t: &SessionTotals| (t.drawer_hidden, t.expected_hidden);
    // Blind (the default): nobody sees it beside the count; a cashier not even its figures.
    assert!(s.find_location(&LocationCode::parse("DT").unwrap()).await.unwrap().blind_close);
    assert_eq!(hidden(&service::session_totals(s, &session, cashier).await.unwrap()), (true, true));
    let for_manager = service::session_totals(s, &session, manager).await.unwrap();
    assert_eq!(
        (hidden(&for_manager), for_manager.expected_cash),
        ((false, true), 10_000),
        "the X is still a manager's"
    );
    counts_blind(s, false).await;
    assert_eq!(hidden(&service::session_totals(s, &session, cashier).await.unwrap()), (false, false));
    assert_eq!(hidden(&service::session_totals(s, &session, manager).await.unwrap()), (false, false));

    // Forgotten and force-closed: its late count is blind where the store counts blind.
    backdate(&shop.db, session.id, 2).await;
    let by_id = SessionRef::Id(session.id);
    let request = service::ForceCloseRequest {
        request_id: RequestId::new(),
        session: &by_id,
        reason: "left open overnight",
        only_location: None,
    };
    let forced = service::force_close(s, &shop.fx.manager, None, &office(), request).await.unwrap();
    let dt = LocationCode::parse("DT").unwrap();
    let row = || async {
        let day = service::day_view(s, &dt, Some(forced.business_day), till_core::clock::system_now(), manager);
        let rows = day.await.unwrap();
        assert_eq!(rows.len(), 1);
        rows[0].clone()
    };
    assert!(row().await.session.count_pending);
    assert!(!row().await.expected_hidden);
    counts_blind(s, true).await;
    let location = s.find_location(&dt).await.unwrap();
    assert!(service::DaySession::of(s, &location, &forced).await.unwrap().expected_hidden, "the force-close's answer");
    assert!(row().await.expected_hidden);
    // Counted: nothing is left to count blind.
    let count = service::LateCountRequest {
        session: &by_id,
        only_location: None,
        counted_cash: CashAmount::Typed("100.00"),
        float_left: None,
        denominations: Vec::new(),
        variance_reason: None,
    };
    service::late_count(s, &shop.fx.manager, None, &office(), count).await.unwrap();
    assert!(!row().await.expected_hidden);
}

/// Moves a session `days` back (its business day and opening time), behind the store's back.
async fn backdate(db: &TestDatabase, session: SessionId, days: i64) {
    let sql = match db.backend {
        Backend::Postgres => format!(
            "UPDATE sessions SET business_day = business_day - {days}, opened_at = opened_at - interval '{days} days'
              WHERE id = '{session}'"
        ),
        Backend::Sqlite => format!(
            "UPDATE sessions SET business_day = date(business_day, '-{days} days'),
                    opened_at = strftime('%Y-%m-%dT%H:%M:%fZ', opened_at, '-{days} days')
              WHERE id = x'{}'",
            session.0.simple()
        ),
    };
    db.execute(&sql).await;
}

async fn shop_for_tampering(backend: Backend) -> Shop {
    shop(backend, 2).await
}

/// The register's chain, not the staff chain (which journals the users the fixture made).
const REGISTER_CHAIN: &str = "chain_id IN (SELECT id FROM registers)";

/// Each tampering, by hand in the database, is reported at the entry where it is.
async fn the_journal_catches_every_tampering(backend: Backend) {
    async fn day(backend: Backend) -> (Shop, Vec<till_core::journal::JournalEntry>) {
        let shop = shop(backend, 2).await;
        let s = shop.store.as_ref();
        let session = open(&shop, "100.00").await;
        sell(&shop, vec![line("111", 1)], vec![Tender::Cash { amount: 1_000 }]).await;
        move_cash(&shop, MovementKind::PaidOut, Some("3.00"), "supplies", None).await.unwrap();
        sell(&shop, vec![line("333", 2)], vec![Tender::Cash { amount: 500 }]).await;
        let by_id = SessionRef::Id(session.id);
        let expected = s.session_totals(session.id).await.unwrap().expected_cash;
        let counted = Money::from_minor(expected, Currency::USD).to_string();
        service::close_shift(s, &shop.fx.manager, None, &office(), closing(&by_id, &counted, None)).await.unwrap();
        open(&shop, "100.00").await;
        sell(&shop, vec![line("333", 1)], vec![Tender::Cash { amount: 300 }]).await;
        let entries = service::chain_entries(s, session.register_id.0).await.unwrap();
        assert!(service::verify_journal(s, &[]).await.unwrap().ok);
        (shop, entries)
    }
    async fn first_problem(shop: &Shop) -> Option<i64> {
        let report = service::verify_journal(shop.store.as_ref(), &[]).await.unwrap();
        assert_eq!(report.ok, report.chains.iter().all(|c| c.first_problem.is_none()));
        report.chains.iter().find_map(|c| c.first_problem.as_ref().map(|p| p.seq))
    }
    let seq_of = |entries: &[till_core::journal::JournalEntry], event: &str| {
        entries.iter().find(|e| e.event == event).map(|e| e.seq).unwrap()
    };

    // An edited amount in a sale row (total and tendered together, so the row's own CHECK holds).
    let (shop, entries) = day(backend).await;
    shop.db
        .execute("UPDATE sales SET total = total + 100, tendered = tendered + 100 WHERE number = 'DT-R1-000002'")
        .await;
    assert_eq!(first_problem(&shop).await, Some(entries.iter().filter(|e| e.event == "sale").nth(1).unwrap().seq));

    // An edited journal payload.
    let (shop, entries) = day(backend).await;
    let paid_out = seq_of(&entries, "paid_out");
    shop.db
        .execute(&format!(
            "UPDATE journal SET body = replace(body, '300', '30') WHERE seq = {paid_out} AND {REGISTER_CHAIN}"
        ))
        .await;
    assert_eq!(first_problem(&shop).await, Some(paid_out));

    // A deleted entry.
    let (shop, entries) = day(backend).await;
    let paid_out = seq_of(&entries, "paid_out");
    shop.db.execute(&format!("DELETE FROM journal WHERE seq = {paid_out} AND {REGISTER_CHAIN}")).await;
    assert_eq!(first_problem(&shop).await, Some(paid_out));

    // Two entries swapped.
    let (shop, entries) = day(backend).await;
    let (a, b) = (seq_of(&entries, "sale"), seq_of(&entries, "paid_out"));
    shop.db.execute(&format!("UPDATE journal SET seq = 1000000 WHERE seq = {a} AND {REGISTER_CHAIN}")).await;
    shop.db.execute(&format!("UPDATE journal SET seq = {a} WHERE seq = {b} AND {REGISTER_CHAIN}")).await;
    shop.db.execute(&format!("UPDATE journal SET seq = {b} WHERE seq = 1000000 AND {REGISTER_CHAIN}")).await;
    assert_eq!(first_problem(&shop).await, Some(a));

    // A sale row moved to before the journal began (to hide it from the row checks): its entry
    // finds no row.
    let (shop, entries) = day(backend).await;
    shop.db.execute("UPDATE sales SET at = '2000-01-01 00:00:00+00:00' WHERE number = 'DT-R1-000001'").await;
    assert_eq!(first_problem(&shop).await, Some(seq_of(&entries, "sale")));

    // A movement deleted (its row and nothing else).
    let (shop, entries) = day(backend).await;
    shop.db.execute("DELETE FROM cash_movements").await;
    assert_eq!(first_problem(&shop).await, Some(seq_of(&entries, "paid_out")));

    // Every entry of the register and its head deleted, then a sale edited: the register's rows
    // still need their entries.
    let (shop, _) = day(backend).await;
    shop.db.execute("DELETE FROM journal WHERE chain_id IN (SELECT id FROM registers)").await;
    shop.db.execute("DELETE FROM journal_heads").await;
    assert!(first_problem(&shop).await.is_some());

    // A running total edited during a shift (the drawer's cash lowered, as if to take the
    // difference): the close journals the edited expected cash, and the journal's own entries
    // do not add up to it.
    let shop = shop_for_tampering(backend).await;
    let s = shop.store.as_ref();
    let session = open(&shop, "100.00").await;
    sell(&shop, vec![line("111", 1)], vec![Tender::Cash { amount: 1_000 }]).await;
    shop.db.execute("UPDATE sessions SET cash_net = cash_net - 400").await;
    let by_id = SessionRef::Id(session.id);
    let expected = s.session_totals(session.id).await.unwrap().expected_cash;
    let counted = Money::from_minor(expected, Currency::USD).to_string();
    service::close_shift(s, &shop.fx.manager, None, &office(), closing(&by_id, &counted, None)).await.unwrap();
    let entries = service::chain_entries(s, session.register_id.0).await.unwrap();
    assert_eq!(first_problem(&shop).await, Some(seq_of(&entries, "session_close")));

    // Every problem is reported, not only the first: a sale and a movement edited, each found.
    let (shop, entries) = day(backend).await;
    shop.db
        .execute("UPDATE sales SET total = total + 100, tendered = tendered + 100 WHERE number = 'DT-R1-000002'")
        .await;
    shop.db.execute("UPDATE cash_movements SET amount = 1").await;
    let report = service::verify_journal(shop.store.as_ref(), &[]).await.unwrap();
    let found: Vec<i64> = report.chains.iter().flat_map(|c| c.problems.iter().map(|p| p.seq)).collect();
    let second_sale = entries.iter().filter(|e| e.event == "sale").nth(1).unwrap().seq;
    assert!(found.contains(&seq_of(&entries, "paid_out")) && found.contains(&second_sale), "{found:?}");

    // What a Z prints, edited: the cashier of a sale (id and name), the closer's printed name,
    // the close's approver. Each is caught at its entry.
    let (shop, entries) = day(backend).await;
    let (manager, manager_name) = (shop.fx.manager.user.id.0, shop.fx.manager.user.name.clone());
    shop.db
        .execute(&format!(
            "UPDATE sales SET user_id = {}, user_name = '{manager_name}' WHERE number = 'DT-R1-000001'",
            shop.db.uuid(manager)
        ))
        .await;
    assert_eq!(first_problem(&shop).await, Some(seq_of(&entries, "sale")));
    let (shop, entries) = day(backend).await;
    shop.db.execute("UPDATE sessions SET closed_by_name = 'mallory' WHERE closed_by IS NOT NULL").await;
    assert_eq!(first_problem(&shop).await, Some(seq_of(&entries, "session_close")));
    let (shop, entries) = day(backend).await;
    let manager = shop.fx.manager.user.id.0;
    shop.db
        .execute(&format!("UPDATE sessions SET approved_by = {} WHERE closed_by IS NOT NULL", shop.db.uuid(manager)))
        .await;
    assert_eq!(first_problem(&shop).await, Some(seq_of(&entries, "session_close")));

    // A cashier promoted to manager, or given another user's PIN, by hand. On PostgreSQL the
    // users trigger journals it (the promotion is in the journal, by the owner's role); with
    // the trigger disabled, or on SQLite's file, the row no longer matches its last entry.
    let cashier = shop.fx.cashier.user.name.clone();
    if backend == Backend::Postgres {
        let (shop, _) = day(backend).await;
        shop.db.execute(&format!("UPDATE users SET role = 'manager' WHERE name = '{cashier}'")).await;
        assert_eq!(first_problem(&shop).await, None, "a journaled promotion is a fact, not a tampering");
        let staff = service::chain_entries(shop.store.as_ref(), till_core::journal::STAFF_CHAIN).await.unwrap();
        let last: serde_json::Value = serde_json::from_str(&staff.last().unwrap().body).unwrap();
        assert_eq!(last["payload"]["role"], "manager");
        assert_eq!(last["payload"]["name"], cashier.as_str());
        assert!(last["payload"]["db_role"].as_str().is_some_and(|r| !r.is_empty()), "{last}");
        shop.db.execute("ALTER TABLE users DISABLE TRIGGER users_journal_update").await;
    }
    for tampering in [
        format!("UPDATE users SET role = 'manager' WHERE name = '{cashier}'"),
        format!("UPDATE users SET pin_hash = (SELECT pin_hash FROM users WHERE role = 'manager' LIMIT 1) WHERE name = '{cashier}'"),
        format!("UPDATE users SET name = 'mallory' WHERE name = '{cashier}'"),
    ] {
        let (shop, _) = day(backend).await;
        if backend == Backend::Postgres {
            shop.db.execute("ALTER TABLE users DISABLE TRIGGER users_journal_update").await;
        }
        shop.db.execute(&tampering).await;
        let report = service::verify_journal(shop.store.as_ref(), &[]).await.unwrap();
        let staff = report.chains.iter().find(|c| c.chain_id.is_nil()).unwrap();
        assert!(!staff.problems.is_empty(), "{tampering}: {report:?}");
    }

    // A truncated tail (back to before the close), the head row rewritten to match: the Z's
    // anchor catches it.
    let (shop, entries) = day(backend).await;
    let close = seq_of(&entries, "session_close");
    let keep = &entries[usize::try_from(close - 2).unwrap()];
    shop.db.execute(&format!("DELETE FROM journal WHERE seq >= {close} AND {REGISTER_CHAIN}")).await;
    shop.db
        .execute(&format!("UPDATE journal_heads SET seq = {}, hash = '{}' WHERE {REGISTER_CHAIN}", keep.seq, keep.hash))
        .await;
    assert_eq!(first_problem(&shop).await, Some(close));
}

/// 16 devices sell and move cash on one register at once: one chain, gapless, verified, with
/// an entry for every acknowledged operation.
async fn writers_at_once_leave_one_linear_chain(backend: Backend) {
    let shop = Arc::new(shop(backend, 2).await);
    let session = open(&shop, "100.00").await;
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let mut writers = Vec::new();
    for n in 0..16 {
        let (shop, barrier) = (shop.clone(), barrier.clone());
        writers.push(tokio::spawn(async move {
            // alice rings up on 8 PCs, each its own login.
            let who = till_testkit::login(shop.store.as_ref(), "alice", "1234", &format!("pc-{n}")).await;
            barrier.wait().await;
            let mut done = 0;
            for _ in 0..3 {
                let ok = if n % 2 == 0 {
                    let (register, pc) = (dt_r1(), device(&format!("pc-{n}")));
                    let till = Till { who: &who, register: &register, device: &pc, session: None, approval: None };
                    let request = SaleRequest {
                        lines: vec![line("333", 1)],
                        receipt_discount: None,
                        receipt_discount_reason: None,
                        tenders: vec![Tender::Cash { amount: 229 }],
                    };
                    service::record_sale(shop.store.as_ref(), till, ReceiptId::new(), &request).await.map(drop)
                } else {
                    move_cash(&shop, MovementKind::PaidIn, Some("1.00"), "other", None).await.map(drop)
                };
                match ok {
                    Ok(()) => done += 1,
                    Err(e) => assert_eq!(e.code(), "database_busy", "{e}"),
                }
            }
            done
        }));
    }
    let mut acknowledged = 0;
    for w in writers {
        acknowledged += w.await.unwrap();
    }
    let entries = service::chain_entries(shop.store.as_ref(), session.register_id.0).await.unwrap();
    assert_eq!(entries.len(), 1 + acknowledged, "the open, then one entry per acknowledged write");
    assert!(entries.iter().enumerate().all(|(i, e)| e.seq == i as i64 + 1));
    let report = service::verify_journal(shop.store.as_ref(), &[]).await.unwrap();
    assert!(report.ok, "{report:?}");
    check_x_against_rows(&shop, session.id).await;
}

/// 16 devices take cash in while a manager closes: every acknowledged movement is in the
/// closed session, which counted exactly them.
async fn movements_racing_a_close_land_in_exactly_one_session(backend: Backend) {
    let shop = Arc::new(shop(backend, 2).await);
    let session = open(&shop, "100.00").await;
    let barrier = Arc::new(tokio::sync::Barrier::new(17));
    let mut writers = Vec::new();
    for _ in 0..16 {
        let (shop, barrier) = (shop.clone(), barrier.clone());
        writers.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut acknowledged = 0_i64;
            for _ in 0..4 {
                match move_cash(&shop, MovementKind::PaidIn, Some("1.00"), "other", None).await {
                    Ok(m) => {
                        assert_eq!(m.session_id, session.id);
                        acknowledged += 1;
                    }
                    Err(e) => {
                        assert!(matches!(e.code(), "session_closed" | "no_open_session" | "database_busy"), "{e}")
                    }
                }
            }
            acknowledged
        }));
    }
    barrier.wait().await;
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    let by_id = SessionRef::Id(session.id);
    // The count is not what this test is about: refused (and recorded) if off, then signed off.
    let (store, manager) = (shop.store.as_ref(), &shop.fx.manager);
    let closed = match service::close_shift(store, manager, None, &office(), closing(&by_id, "100.00", None)).await {
        Ok(closed) => closed,
        Err(e) => {
            assert_eq!(e.code(), "variance_needs_signoff");
            let signed = CloseRequest { sign_off: Some("not counted in this test"), ..closing(&by_id, "100.00", None) };
            service::close_shift(store, manager, None, &office(), signed).await.unwrap()
        }
    };
    let mut acknowledged = 0;
    for w in writers {
        acknowledged += w.await.unwrap();
    }
    let movements = shop.store.list_movements(session.id).await.unwrap();
    assert_eq!(movements.len() as i64, acknowledged);
    assert_eq!(closed.expected_cash.unwrap().minor(), 10_000 + 100 * acknowledged);
    assert!(service::verify_journal(shop.store.as_ref(), &[]).await.unwrap().ok);
}

/// A movement and a close whose answers are lost after their commits (the connection cut before
/// the reply): each retry with the same id answers the first, nothing is counted or journaled
/// twice, and the close's Z is made once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_movement_and_a_close_whose_answers_were_lost_are_retried_safely() {
    let shop = shop(Backend::Postgres, 2).await;
    let session = open(&shop, "100.00").await;
    let proxy = till_testkit::FaultProxy::start(&shop.db.url).await;
    // One connection: each faulted call is one round trip on a prepared statement.
    let options = StoreOptions { migrate: false, max_connections: 1, ..StoreOptions::default() };
    let store = till_backend::open(&proxy.url(&shop.db.url), &options).await.unwrap();
    let movement = |id: MovementId| NewCashMovement {
        id,
        session_id: session.id,
        register_id: session.register_id,
        kind: MovementKind::PaidIn,
        amount: 500,
        reason: "other".into(),
        note: None,
        actor: Actor::login(&shop.fx.cashier.login),
        device: pc1(),
        request_hash: id.to_string(),
    };
    store.record_movement(movement(MovementId::new())).await.unwrap();
    let lost = movement(MovementId::new());
    proxy.swallow_next_reply();
    assert_eq!(store.record_movement(lost.clone()).await.unwrap_err().code(), "database_unavailable");
    assert_eq!(shop.store.list_movements(session.id).await.unwrap().len(), 2, "it committed: the test tests");
    let (retried, repeated) = store.record_movement(lost).await.unwrap();
    assert!(repeated);
    assert_eq!(retried.amount, 500);
    assert_eq!(shop.store.session_totals(session.id).await.unwrap().paid_in_total, 1_000);

    let mut close = till_testkit::close(&shop.fx, session.id, 11_000);
    close.sign_off = None;
    proxy.swallow_next_reply();
    assert_eq!(store.close_shift(close.clone()).await.unwrap_err().code(), "database_unavailable");
    let closed = store.close_shift(close).await.unwrap();
    assert_eq!(closed.counted_cash.map(|m| m.minor()), Some(11_000));
    assert_eq!(shop.store.z_record(session.id).await.unwrap().map(|z| z.z_number), Some(1));
    let entries = service::chain_entries(shop.store.as_ref(), session.register_id.0).await.unwrap();
    let events: Vec<&str> = entries.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["session_open", "paid_in", "paid_in", "session_close", "z_report"]);
    assert!(service::verify_journal(shop.store.as_ref(), &[]).await.unwrap().ok);
}

both_backends!(the_cash_out_limit_holds_per_session);

/// The cash-out limit is per session. Before, ten paid outs of 50.00 each passed a 50.00
/// limit with no manager; now the second needs one, like a single 100.00 would, in the
/// service and in the store alike.
async fn the_cash_out_limit_holds_per_session(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let store = store.as_ref();
    let fx = provision(store, 1).await;
    let (register, pc) = (RegisterRef::parse("DT/R1").unwrap(), DeviceName::parse(CASHIER_DEVICE).unwrap());
    let opening = service::StartRequest {
        request_id: RequestId::new(),
        opening_cash: Some(CashAmount::Typed("500.00")),
        notes: None,
    };
    let session = service::start_shift(store, &fx.cashier, &register, &pc, opening).await.unwrap().session.id;
    let paid_out = |id: MovementId| MovementRequest {
        id,
        kind: MovementKind::PaidOut,
        amount: Some(CashAmount::Typed("50.00")),
        reason: "other",
        note: None,
    };
    // The location's limit is 50.00: the first is within it.
    service::record_movement(store, &fx.cashier, None, &register, &pc, paid_out(MovementId::new())).await.unwrap();
    let second = service::record_movement(store, &fx.cashier, None, &register, &pc, paid_out(MovementId::new())).await;
    assert_eq!(second.unwrap_err().code(), "approval_needed", "50.00 more takes the session to 100.00");
    // The store refuses it too, called directly.
    let direct = NewCashMovement {
        id: MovementId::new(),
        session_id: session,
        register_id: fx.registers[0].id,
        kind: MovementKind::PaidOut,
        amount: 5_000,
        reason: "other".into(),
        note: None,
        actor: Actor::login(&fx.cashier.login),
        device: pc.clone(),
        request_hash: "direct".into(),
    };
    assert_eq!(store.record_movement(direct).await.unwrap_err().code(), "approval_needed");
    // With a manager's PIN, it is recorded, and approved by them.
    let bob = service::approval("bob", "9999").unwrap();
    let approved =
        service::record_movement(store, &fx.cashier, Some(bob), &register, &pc, paid_out(MovementId::new())).await;
    assert_eq!(approved.unwrap().approved_by.as_deref(), Some("bob"));
    let movements = store.list_movements(session).await.unwrap();
    assert_eq!(movements.iter().map(|m| m.amount).sum::<i64>(), 10_000);
}

/// `journal verify` run while 4 devices sell reads one moment: never a false alarm ("the chain
/// ends at N but its head says N-1", "sale … has no journal entry"), which a verify reading its
/// head, entries and rows at different moments raised during any load.
async fn verify_during_sales_reads_one_moment(backend: Backend) {
    let shop = Arc::new(shop(backend, 2).await);
    open(&shop, "100.00").await;
    let selling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sales = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut sellers = Vec::new();
    for n in 0..4 {
        // Logged in before the sellers start: a login is not what races here (under a loaded
        // machine, a login among running sales could wait past SQLite's busy limit).
        let who = till_testkit::login(shop.store.as_ref(), "alice", "1234", &format!("pc-{n}")).await;
        let (shop, selling, sales) = (shop.clone(), selling.clone(), sales.clone());
        sellers.push(tokio::spawn(async move {
            let (register, pc) = (dt_r1(), device(&format!("pc-{n}")));
            let mut sold = 0;
            while selling.load(std::sync::atomic::Ordering::Relaxed) {
                let till = Till { who: &who, register: &register, device: &pc, session: None, approval: None };
                let request = SaleRequest {
                    lines: vec![line("333", 1)],
                    receipt_discount: None,
                    receipt_discount_reason: None,
                    tenders: vec![Tender::Cash { amount: 229 }],
                };
                match service::record_sale(shop.store.as_ref(), till, ReceiptId::new(), &request).await {
                    Ok(_) => {
                        sold += 1;
                        sales.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(e) => assert_eq!(e.code(), "database_busy", "{e}"),
                }
            }
            sold
        }));
    }
    let mut verified = 0;
    // At least 30 verifies, and on until the sellers have rung up 40 sales meanwhile.
    while verified < 30 || sales.load(std::sync::atomic::Ordering::Relaxed) < 40 {
        let report = service::verify_journal(shop.store.as_ref(), &[]).await.unwrap();
        assert!(report.ok, "verify number {verified} during sales: {report:?}");
        verified += 1;
    }
    selling.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut sold = 0;
    for s in sellers {
        sold += s.await.unwrap();
    }
    assert!(sold >= 40, "the sales really ran beside the verifies: {sold}");
    assert!(service::verify_journal(shop.store.as_ref(), &[]).await.unwrap().ok);
}

/// An X report read while the register sells is one moment. Its session row and its
/// per-tender and per-rate rows used to be read by separate statements, so a sale committed
/// between them left the tenders, the drawer and the taxes' gross disagreeing (33 of 5,061
/// reports in a soak). Each read here must add up: the taxes' gross is the net sales, and the
/// tenders are the cash and card handed over.
async fn x_reports_during_sales_read_one_moment(backend: Backend) {
    let shop = Arc::new(shop(backend, 2).await);
    let session = open(&shop, "100.00").await;
    let selling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sales = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut sellers = Vec::new();
    for n in 0..4 {
        let (shop, selling, sales) = (shop.clone(), selling.clone(), sales.clone());
        sellers.push(tokio::spawn(async move {
            let who = till_testkit::login(shop.store.as_ref(), "alice", "1234", &format!("pc-{n}")).await;
            let (register, pc) = (dt_r1(), device(&format!("pc-{n}")));
            let mut sold = 0;
            while selling.load(std::sync::atomic::Ordering::Relaxed) {
                let till = Till { who: &who, register: &register, device: &pc, session: None, approval: None };
                // A taxed latte (4.90 with tax) by card and an untaxed milk in cash with change.
                let tenders = vec![
                    Tender::Card { amount: 490, approval_reference: format!("A{sold}") },
                    Tender::Cash { amount: 300 },
                ];
                let request = SaleRequest {
                    lines: vec![line("111", 1), line("333", 1)],
                    receipt_discount: None,
                    receipt_discount_reason: None,
                    tenders,
                };
                match service::record_sale(shop.store.as_ref(), till, ReceiptId::new(), &request).await {
                    Ok(_) => {
                        sold += 1;
                        sales.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    Err(e) => assert_eq!(e.code(), "database_busy", "{e}"),
                }
            }
            sold
        }));
    }
    let mut reads = 0;
    // At least 200 reads, and on until the sellers have rung up 40 sales meanwhile.
    while reads < 200 || sales.load(std::sync::atomic::Ordering::Relaxed) < 40 {
        let t = shop.store.session_totals(session.id).await.unwrap();
        let gross: i64 = t.taxes.iter().map(|r| r.gross).sum();
        assert_eq!(gross, t.sales_total - t.refunds_total, "read {reads}: taxes' gross against net sales: {t:?}");
        let cash: i64 = t.tenders.iter().filter(|r| r.kind == "cash").map(|r| r.amount).sum();
        assert_eq!(cash, t.cash_sales - t.cash_refunds, "read {reads}: the cash tender against the drawer: {t:?}");
        let handed: i64 = t.tenders.iter().map(|r| r.amount).sum();
        assert_eq!(handed, t.sales_total + t.rounding_total + t.change_given, "read {reads}: tenders: {t:?}");
        let count: i64 = t.tenders.iter().filter(|r| r.kind == "card").map(|r| r.count).sum();
        assert_eq!(count, t.sales_count, "read {reads}: one card tender a sale: {t:?}");
        reads += 1;
    }
    selling.store(false, std::sync::atomic::Ordering::Relaxed);
    let mut sold = 0;
    for s in sellers {
        sold += s.await.unwrap();
    }
    assert!(sold >= 40, "the sales really ran beside the reads: {sold}");
}

/// What a store keeps as a count adds up, whoever calls it (0030: before, only the core's
/// services checked, and PostgreSQL stored any count a terminal's SQL sent): an opening count to
/// the opening cash, a close's to the counted cash; nonsense lists are refused; nothing is
/// written; an opening count of a closed session is refused; the journal holds the count as
/// stored.
async fn a_count_that_does_not_add_up_is_refused_by_the_store(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    let bob = &fx.manager;
    let manager_pc = DeviceName::parse(till_testkit::MANAGER_DEVICE).unwrap();
    let count = |pairs: &[(i64, u32)]| {
        pairs.iter().map(|&(denomination, count)| DenominationCount { denomination, count }).collect::<Vec<_>>()
    };
    let start = till_testkit::start(bob, fx.registers[0].id, till_testkit::MANAGER_DEVICE, Some(10_000));
    let session = store.start_shift(start).await.unwrap().session;
    for (bad, why) in [
        (count(&[(5_000, 1)]), "half the opening cash"),
        (count(&[(5_000, 3)]), "more than the opening cash"),
        (count(&[(5_000, 1), (5_000, 1)]), "one note listed twice"),
        (count(&[(10_000, 0), (0, 7)]), "a zero denomination"),
        (count(&[(100_000_001, 0), (10_000, 1)]), "a denomination above 10^8"),
        (count(&[(1, 1_000_001)]), "more than 10^6 of one coin"),
        (count(&(1..=32).map(|d| (d, 0)).chain([(10_000, 1)]).collect::<Vec<_>>()), "33 notes and coins"),
    ] {
        let refused = store.record_opening_count(session.id, &bad, &bob.login, &manager_pc).await;
        assert_eq!(refused.map_err(|e| e.code()), Err("invalid_input"), "{why}");
        assert!(store.opening_count(session.id).await.unwrap().is_empty(), "{why}: a refused count was stored");
    }
    let honest = count(&[(5_000, 1), (2_000, 2), (1_000, 1)]);
    store.record_opening_count(session.id, &honest, &bob.login, &manager_pc).await.unwrap();
    let mut stored = store.opening_count(session.id).await.unwrap();
    stored.sort_by_key(|c| std::cmp::Reverse(c.denomination));
    assert_eq!(stored, honest);
    let entries = store.journal_entries(session.register_id.0, 0, 100).await.unwrap();
    let entry = entries.iter().find(|e| e.event == "opening_count").expect("the opening count is journaled");
    let body: serde_json::Value = serde_json::from_str(&entry.body).unwrap();
    assert_eq!(body["payload"]["denominations"], serde_json::to_value(&honest).unwrap());

    // A close: its notes and coins add up to the counted cash.
    let mut close = till_testkit::close(&fx, session.id, 10_000);
    close.denominations = count(&[(5_000, 1)]);
    let refused = store.close_shift(close.clone()).await;
    assert_eq!(refused.map(drop).map_err(|e| e.code()), Err("invalid_input"), "a close's count that does not add up");
    assert!(store.closing_count(session.id).await.unwrap().is_empty());
    close.denominations = count(&[(5_000, 2)]);
    store.close_shift(close).await.unwrap();

    // A session closed without an opening count takes none afterwards.
    let start = till_testkit::start(bob, fx.registers[0].id, till_testkit::MANAGER_DEVICE, Some(2_000));
    let second = store.start_shift(start).await.unwrap().session;
    store.close_shift(till_testkit::close(&fx, second.id, 2_000)).await.unwrap();
    let late = store.record_opening_count(second.id, &count(&[(2_000, 1)]), &bob.login, &manager_pc).await;
    assert_eq!(late.map_err(|e| e.code()), Err("session_closed"));
    let report = store.check_invariants().await.unwrap();
    assert!(report.is_clean(), "{report:?}");
}

/// A refused count opens the way to a manager's sign-off, and is journaled. Only a count the
/// close would refuse is one (0032): a made-up refusal of a count within the limit records
/// nothing and opens nothing; a count out of range is refused itself (before, a terminal's SQL
/// journaled -9.2 * 10^18 as a refused count and skipped the recount).
async fn a_refused_count_is_only_one_the_close_refuses(backend: Backend) {
    let db = TestDatabase::migrated(backend).await;
    let store = db.open().await;
    let fx = provision(store.as_ref(), 1).await;
    let bob = &fx.manager;
    let manager_pc = DeviceName::parse(till_testkit::MANAGER_DEVICE).unwrap();
    let start = till_testkit::start(bob, fx.registers[0].id, till_testkit::MANAGER_DEVICE, Some(10_000));
    let session = store.start_shift(start).await.unwrap().session;
    for counted in [-1, i64::MIN, Money::MAX_CASH_MINOR + 1] {
        let refused = store.refuse_count(session.id, counted, &bob.login, &manager_pc).await;
        assert_eq!(refused.map_err(|e| e.code()), Err("invalid_input"), "{counted}");
    }
    // The drawer holds what it should (100.00): nothing to refuse, so nothing recorded.
    store.refuse_count(session.id, 10_000, &bob.login, &manager_pc).await.unwrap();
    let short = till_testkit::close(&fx, session.id, 5_000);
    let refused = store.close_shift(short.clone()).await.map(drop).map_err(|e| e.code());
    assert_eq!(refused, Err("variance_needs_signoff"), "a made-up refusal opened the way to a sign-off");
    // The close's own refusal, recorded: now the manager signs off.
    store.refuse_count(session.id, 5_000, &bob.login, &manager_pc).await.unwrap();
    store.close_shift(short).await.unwrap();
    let entries = store.journal_entries(session.register_id.0, 0, 100).await.unwrap();
    let refusals: Vec<serde_json::Value> = entries
        .iter()
        .filter(|e| e.event == "count_refused")
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.body).unwrap()["payload"]["counted_cash"].clone())
        .collect();
    assert_eq!(refusals, [serde_json::json!(5_000)]);
}
