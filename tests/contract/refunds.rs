//! Refunds a manager can judge and an auditor can read, on both backends: a quote computed by
//! the refund's own rule (what the refund then records, line by line and in total, in cash and
//! to a card, of a discounted sale) that writes nothing; a reason from the list on every new
//! refund (stored, answered on the receipt, journaled and verified; none, or "other" without
//! its text, refused at the service and at the store, writing nothing); and the approver's name
//! on the receipt.

use till_core::pricing::{Discount, Ppm};
use till_core::sales::{PriceChangeReason, PriceChangeReasonKind, RefundReason, RefundReasonKind};
use till_core::service::{self, RefundLineRequest, RefundQuote, RefundRequest, RefundTender, SaleRequest, Till};
use till_core::*;
use till_testkit::shop::{bob_approves, dt_r1, line, office, pc1, shop, Shop};
use till_testkit::{both_backends, Backend};

both_backends!(a_refund_quote_is_what_the_refund_records_and_writes_nothing);
both_backends!(a_refund_says_why_and_who_approved_it, a_refund_without_a_good_reason_writes_nothing);

/// The location's cash rounding in the quote's test (CHF's 0.05).
const CASH_INCREMENT: i64 = 5;

pub(crate) async fn open(shop: &Shop) -> Session {
    let request = service::StartRequest {
        request_id: RequestId::new(),
        opening_cash: Some(CashAmount::Typed("100.00")),
        notes: None,
    };
    service::start_shift(shop.store.as_ref(), &shop.fx.cashier, &dt_r1(), &pc1(), request).await.unwrap().session
}

/// alice's sale at DT/R1 of two lattes at 10 % off, a muffin and a milk, 5 % off the receipt,
/// paid 5.00 by card and the rest in cash. With `rounding`, DT rounds cash to 0.05 from now on
/// (set behind the store's back: the journal no longer verifies).
async fn discounted_sale(shop: &Shop, rounding: bool) -> Receipt {
    if rounding {
        shop.db.execute(&format!("UPDATE locations SET cash_rounding_minor = {CASH_INCREMENT}")).await;
    }
    let mut latte = line("111", 2);
    latte.discount = Some(Discount::Percent { percent: Ppm(100_000) });
    latte.reason = Some(PriceChangeReason { kind: PriceChangeReasonKind::Damaged, text: None });
    let sale = SaleRequest {
        lines: vec![latte, line("222", 1), line("333", 1)],
        receipt_discount: Some(Discount::Percent { percent: Ppm(50_000) }),
        receipt_discount_reason: Some(PriceChangeReason { kind: PriceChangeReasonKind::Staff, text: None }),
        tenders: vec![
            Tender::Card { amount: 500, approval_reference: "AUTH 1".into() },
            Tender::Cash { amount: 5_000 },
        ],
    };
    let till = Till { who: &shop.fx.cashier, register: &dt_r1(), device: &pc1(), session: None, approval: None };
    service::record_sale(shop.store.as_ref(), till, ReceiptId::new(), &sale).await.unwrap()
}

fn reason(kind: RefundReasonKind, text: Option<&str>) -> RefundReason {
    RefundReason { kind, text: text.map(str::to_string) }
}

fn request(lines: &[(u32, i32)], tender: RefundTender, reason: RefundReason) -> RefundRequest {
    RefundRequest {
        lines: lines.iter().map(|&(line, quantity)| RefundLineRequest { line, quantity }).collect(),
        tender,
        reason,
    }
}

/// Receipts, lines, refunds of lines and journal entries: what a write would add to.
pub(crate) async fn written(shop: &Shop, backend: Backend) -> i64 {
    let sql = "SELECT (SELECT count(*) FROM sales) + (SELECT count(*) FROM sale_lines)
        + (SELECT coalesce(sum(refunded_quantity), 0) FROM line_refunds) + (SELECT count(*) FROM journal)";
    match backend {
        Backend::Sqlite => {
            let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&shop.db.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
        }
        Backend::Postgres => {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&shop.db.url).await.unwrap();
            sqlx::query_scalar::<_, i64>(&format!("SELECT CAST(({sql}) AS bigint)")).fetch_one(&mut conn).await.unwrap()
        }
    }
}

/// The quote against the refund receipt it announced: line by line and in total.
fn assert_quote_is(quote: &RefundQuote, refund: &Receipt, sold: &Receipt) {
    assert_eq!(quote.receipt, sold.number);
    assert_eq!(quote.currency, refund.currency);
    assert_eq!(quote.lines.len(), refund.lines.len());
    for (q, r) in quote.lines.iter().zip(&refund.lines) {
        assert_eq!(Some(q.line), r.refund_of_line, "{quote:?}");
        assert_eq!((q.quantity, q.amount, q.name.as_str()), (r.quantity, r.total, r.name.as_str()), "{quote:?}");
    }
    assert_eq!(quote.total, refund.total);
    assert_eq!(quote.lines.iter().map(|l| l.amount).sum::<i64>(), quote.total);
    assert_eq!(quote.cash_total, refund.tendered, "what is paid out");
    assert_eq!(quote.tender_kinds_of_sale, vec!["card".to_string(), "cash".to_string()]);
}

async fn a_refund_quote_is_what_the_refund_records_and_writes_nothing(backend: Backend) {
    let shop = shop(backend, 1).await;
    let s = shop.store.as_ref();
    open(&shop).await;
    let sold = discounted_sale(&shop, true).await;
    assert!(sold.discount > 0);
    let (register, office) = (dt_r1(), office());
    let till = || Till { who: &shop.fx.manager, register: &register, device: &office, session: None, approval: None };

    // In cash: one of the two discounted lattes and the milk, rounded to 0.05.
    let cash = request(&[(0, 1), (2, 1)], RefundTender::Cash, reason(RefundReasonKind::Damaged, None));
    let before = written(&shop, backend).await;
    let quote = service::quote_refund(s, &dt_r1(), &sold.number, &cash).await.unwrap();
    assert_eq!(written(&shop, backend).await, before, "a quote writes nothing");
    assert_eq!(
        service::quote_refund(s, &dt_r1(), &sold.number, &cash).await.unwrap(),
        quote,
        "and says the same again"
    );
    assert_eq!(quote.cash_total % CASH_INCREMENT, 0);
    let refund = service::refund(s, till(), ReceiptId::new(), &sold.number, &cash).await.unwrap();
    assert_quote_is(&quote, &refund, &sold);

    // To a card: the other latte (the last unit: exactly what is left of the line) and the muffin.
    let reference = RefundTender::Card { approval_reference: "R-77".into() };
    let card = request(&[(0, 1), (1, 1)], reference, reason(RefundReasonKind::PriceMatch, Some("Shop next door")));
    let quote = service::quote_refund(s, &dt_r1(), &sold.number, &card).await.unwrap();
    assert_eq!(quote.cash_total, quote.total, "a card refund is exact");
    let refund = service::refund(s, till(), ReceiptId::new(), &sold.number, &card).await.unwrap();
    assert_quote_is(&quote, &refund, &sold);
    let latte = &service::find_receipt(s, &sold.number, service::Asker::It("test")).await.unwrap().lines[0];
    assert_eq!((latte.refunded_quantity, latte.refunded_total), (2, latte.total));

    // Refused as the refund would be, writing nothing: more than is left, a line not on the
    // sale, no lines, a refund's number, "other" without its text.
    let before = written(&shop, backend).await;
    let damaged = || reason(RefundReasonKind::Damaged, None);
    let too_many = request(&[(0, 1)], RefundTender::Cash, damaged());
    let refused = service::quote_refund(s, &dt_r1(), &sold.number, &too_many).await.unwrap_err();
    assert_eq!(refused.code(), "refund_exceeds_sale", "{refused}");
    for (what, bad, number) in [
        ("no line 9", request(&[(9, 1)], RefundTender::Cash, damaged()), sold.number.as_str()),
        ("no lines", request(&[], RefundTender::Cash, damaged()), sold.number.as_str()),
        ("a refund", request(&[(0, 1)], RefundTender::Cash, damaged()), refund.number.as_str()),
        ("no text", request(&[(2, 1)], RefundTender::Cash, reason(RefundReasonKind::Other, Some(" "))), &sold.number),
    ] {
        let refused = service::quote_refund(s, &dt_r1(), number, &bad).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{what}: {refused}");
    }
    let refused = service::quote_refund(s, &dt_r1(), "DT-R1-999999", &too_many).await.unwrap_err();
    assert_eq!(refused.code(), "receipt_not_found", "{refused}");
    assert_eq!(written(&shop, backend).await, before);
}

async fn a_refund_says_why_and_who_approved_it(backend: Backend) {
    let shop = shop(backend, 1).await;
    let s = shop.store.as_ref();
    let session = open(&shop).await;
    let sold = discounted_sale(&shop, false).await;
    assert_eq!((sold.refund_reason.as_ref(), sold.approved_by.as_deref()), (None, None), "a plain sale");

    // alice refunds with bob's PIN; bob refunds on his own login.
    let bob = bob_approves();
    let by_pin =
        Till { who: &shop.fx.cashier, register: &dt_r1(), device: &pc1(), session: None, approval: Some(&bob) };
    let why = reason(RefundReasonKind::Other, Some("  Customer allergic to oat milk  "));
    let first = request(&[(2, 1)], RefundTender::Cash, why);
    let first = service::refund(s, by_pin, ReceiptId::new(), &sold.number, &first).await.unwrap();
    let own = Till { who: &shop.fx.manager, register: &dt_r1(), device: &office(), session: None, approval: None };
    let second = request(&[(1, 1)], RefundTender::Cash, reason(RefundReasonKind::WrongItem, None));
    let second = service::refund(s, own, ReceiptId::new(), &sold.number, &second).await.unwrap();

    let first = service::find_receipt(s, &first.number, service::Asker::It("test")).await.unwrap();
    let trimmed = reason(RefundReasonKind::Other, Some("Customer allergic to oat milk"));
    assert_eq!(first.refund_reason.as_ref(), Some(&trimmed));
    assert_eq!((first.approved_by.as_deref(), first.cashier.as_str()), (Some("bob"), "alice"));
    let second = service::find_receipt(s, &second.number, service::Asker::It("test")).await.unwrap();
    assert_eq!(second.refund_reason, Some(reason(RefundReasonKind::WrongItem, None)));
    assert_eq!((second.approved_by.as_deref(), second.cashier.as_str()), (Some("bob"), "bob"));
    // A shift's list says the same.
    let listed = s.list_receipts(session.id).await.unwrap();
    assert_eq!(listed.iter().find(|r| r.id == first.id).unwrap().refund_reason.as_ref(), Some(&trimmed));
    assert_eq!(listed.iter().find(|r| r.id == sold.id).unwrap().refund_reason, None);

    // Journaled: each refund's entry states its reason; a sale's has none.
    let entries = service::chain_entries(s, session.register_id.0).await.unwrap();
    let payload = |id: ReceiptId| {
        let entry = entries.iter().find(|e| e.ref_id == Some(id.0)).unwrap();
        serde_json::from_str::<serde_json::Value>(&entry.body).unwrap()["payload"].clone()
    };
    let said = serde_json::json!({ "kind": "other", "text": "Customer allergic to oat milk" });
    assert_eq!(payload(first.id)["refund_reason"], said);
    assert_eq!(payload(second.id)["refund_reason"], serde_json::json!({ "kind": "wrong_item", "text": null }));
    assert_eq!(payload(sold.id)["refund_reason"], serde_json::Value::Null);
    let verified = service::verify_journal(s, &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");

    // A reason edited behind the store's back: verify says where.
    let row = shop.db.uuid(second.id.0);
    shop.db.execute(&format!("UPDATE sales SET refund_reason_kind = 'damaged' WHERE id = {row}")).await;
    let tampered = service::verify_journal(s, &[]).await.unwrap();
    assert!(!tampered.ok);
    let problems: Vec<&str> = tampered.chains.iter().flat_map(|c| c.problems.iter().map(|p| p.what.as_str())).collect();
    assert!(problems.iter().any(|p| p.contains("refund_reason")), "{problems:?}");
    // And the database holds the list: no kind outside it, no "other" without its text.
    for bad in ["refund_reason_kind = 'stolen'", "refund_reason_kind = 'other', refund_reason_text = NULL"] {
        let refused = shop.db.try_execute(&format!("UPDATE sales SET {bad} WHERE id = {row}")).await;
        assert!(refused.is_err(), "{bad} was stored");
    }
    let sale_row = shop.db.uuid(sold.id.0);
    let sql = format!("UPDATE sales SET refund_reason_kind = 'damaged' WHERE id = {sale_row}");
    assert!(shop.db.try_execute(&sql).await.is_err(), "a sale took a refund reason");
    // A reason cleared (the columns allow none, for refunds from before reasons): verify says so
    // for the other refund, whose entry holds its reason.
    let first_row = shop.db.uuid(first.id.0);
    shop.db
        .execute(&format!(
            "UPDATE sales SET refund_reason_kind = NULL, refund_reason_text = NULL WHERE id = {first_row}"
        ))
        .await;
    let cleared = service::verify_journal(s, &[]).await.unwrap();
    let problems: Vec<String> = cleared.chains.iter().flat_map(|c| c.problems.iter().map(|p| p.what.clone())).collect();
    assert!(
        problems.iter().any(|p| p.contains("refund_reason") && p.contains("Customer allergic")),
        "a cleared reason goes unseen: {problems:?}"
    );
}

async fn a_refund_without_a_good_reason_writes_nothing(backend: Backend) {
    let shop = shop(backend, 1).await;
    let s = shop.store.as_ref();
    let session = open(&shop).await;
    let sold = discounted_sale(&shop, false).await;
    let before = written(&shop, backend).await;
    let (register, office_pc) = (dt_r1(), office());
    let own = || Till { who: &shop.fx.manager, register: &register, device: &office_pc, session: None, approval: None };

    // As the app and tillctl send it: a request without a reason does not parse.
    let missing = serde_json::json!({ "lines": [{ "line": 0, "quantity": 1 }], "tender": { "kind": "cash" } });
    assert!(serde_json::from_value::<RefundRequest>(missing).is_err());
    let unlisted = serde_json::json!({
        "lines": [{ "line": 0, "quantity": 1 }], "tender": { "kind": "cash" }, "reason": { "kind": "stolen" },
    });
    assert!(serde_json::from_value::<RefundRequest>(unlisted).is_err());
    // At the service: "other" without a text, a text too long, or with a control or
    // text-direction character.
    let long = "x".repeat(201);
    for (what, bad) in [
        ("other without text", reason(RefundReasonKind::Other, None)),
        ("other, blank", reason(RefundReasonKind::Other, Some("   "))),
        ("201 characters", reason(RefundReasonKind::Damaged, Some(&long))),
        ("a newline", reason(RefundReasonKind::Damaged, Some("torn\nseam"))),
        ("a bidi override", reason(RefundReasonKind::Other, Some("torn \u{202E}maes"))),
    ] {
        let bad = request(&[(0, 1)], RefundTender::Cash, bad);
        let refused = service::refund(s, own(), ReceiptId::new(), &sold.number, &bad).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{what}: {refused}");
    }
    // At the store, called directly: no reason, or "other" without its text.
    let direct = |refund_reason| {
        let mut r = crate::figures::refund_of(&sold, 0, 1, Actor::login(&shop.fx.manager.login), session.id);
        // DT rounds no cash here: paid out exactly.
        (r.rounding, r.tendered, r.cash_net) = (0, r.total, -r.total);
        r.tenders[0].amount = r.total;
        NewReceipt { refund_reason, ..r }
    };
    for (what, bad) in [("none", None), ("other without text", Some(reason(RefundReasonKind::Other, None)))] {
        let direct = direct(bad);
        let refused = s.record_receipt(direct).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{what} at the store: {refused}");
    }
    assert_eq!(written(&shop, backend).await, before, "nothing was written");
    let verified = service::verify_journal(s, &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");
    // And the same refund with a reason goes through.
    s.record_receipt(direct(Some(reason(RefundReasonKind::ChangedMind, None)))).await.unwrap();
}
