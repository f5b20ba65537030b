//! Why a price was changed: a line's discount or new price and a receipt discount each carry a
//! reason from the list, on the receipt, in the journal (verified), and held by the database.

use till_core::pricing::Discount;
use till_core::sales::{PriceChangeReason, PriceChangeReasonKind};
use till_core::service::{self, SaleRequest, Till};
use till_core::*;
use till_testkit::shop::{dt_r1, line, pc1, shop, Shop};
use till_testkit::{both_backends, Backend};

both_backends!(a_changed_price_says_why, a_changed_price_without_a_reason_writes_nothing);

fn reason(kind: PriceChangeReasonKind, text: Option<&str>) -> Option<PriceChangeReason> {
    Some(PriceChangeReason { kind, text: text.map(str::to_string) })
}

/// alice's sale (within the discount limit: no manager): two lattes 0.10 off as damaged, a
/// muffin at the catalog's price (a reason given for it anyway), 0.20 off the receipt as staff.
fn discounted() -> SaleRequest {
    let mut lattes = line("111", 2);
    lattes.discount = Some(Discount::Amount { amount: 10 });
    lattes.reason = reason(PriceChangeReasonKind::Damaged, Some("  dented cups "));
    let mut muffin = line("222", 1);
    muffin.reason = reason(PriceChangeReasonKind::Staff, None);
    SaleRequest {
        lines: vec![lattes, muffin],
        receipt_discount: Some(Discount::Amount { amount: 20 }),
        receipt_discount_reason: reason(PriceChangeReasonKind::Staff, None),
        tenders: vec![Tender::Cash { amount: 5_000 }],
    }
}

/// alice at DT/R1 on pc1, without a manager.
fn alice<'a>(shop: &'a Shop, register: &'a RegisterRef, device: &'a DeviceName) -> Till<'a> {
    Till { who: &shop.fx.cashier, register, device, session: None, approval: None }
}

/// A shop with alice's open shift at DT/R1 and her [`discounted`] sale in it, as read back.
async fn sold(backend: Backend) -> (Shop, Session, Receipt) {
    let shop = shop(backend, 1).await;
    let session = crate::refunds::open(&shop).await;
    let (register, device) = (dt_r1(), pc1());
    let s = shop.store.as_ref();
    let sold =
        service::record_sale(s, alice(&shop, &register, &device), ReceiptId::new(), &discounted()).await.unwrap();
    let sold = service::find_receipt(s, &sold.number, service::Asker::It("test")).await.unwrap();
    (shop, session, sold)
}

async fn a_changed_price_says_why(backend: Backend) {
    let (shop, session, sold) = sold(backend).await;
    let s = shop.store.as_ref();
    let dented = reason(PriceChangeReasonKind::Damaged, Some("dented cups"));
    assert_eq!(sold.lines[0].price_change_reason, dented, "trimmed, on its line");
    assert_eq!(sold.lines[1].price_change_reason, None, "an unchanged line keeps no reason");
    assert_eq!(sold.receipt_discount_reason, reason(PriceChangeReasonKind::Staff, None));
    // The receipt discount is answered apart from every discount: 0.20 of the 0.30.
    assert_eq!((sold.receipt_discount, sold.discount), (20, 30));
    let listed = s.list_receipts(session.id).await.unwrap();
    assert_eq!(listed[0].receipt_discount_reason, sold.receipt_discount_reason, "a shift's list says the same");
    assert_eq!(listed[0].receipt_discount, 20);

    // Journaled, and verified.
    let entries = service::chain_entries(s, session.register_id.0).await.unwrap();
    let entry = entries.iter().find(|e| e.ref_id == Some(sold.id.0)).unwrap();
    let payload = serde_json::from_str::<serde_json::Value>(&entry.body).unwrap()["payload"].clone();
    assert_eq!(payload["price_change_reasons"], serde_json::json!([[0, "damaged", "dented cups"]]));
    assert_eq!(payload["receipt_discount_reason"], serde_json::json!({ "kind": "staff", "text": null }));
    let verified = service::verify_journal(s, &[]).await.unwrap();
    assert!(verified.ok, "{verified:?}");

    // The database holds the list: no kind outside it, no "other" without its text, no reason
    // on a line sold at the catalog's price, none on a refund's receipt discount.
    let row = shop.db.uuid(sold.id.0);
    for bad in [
        format!("UPDATE sale_lines SET price_change_reason_kind = 'stolen' WHERE sale_id = {row} AND line_no = 0"),
        format!("UPDATE sale_lines SET price_change_reason_kind = 'other', price_change_reason_text = NULL WHERE sale_id = {row} AND line_no = 0"),
        format!("UPDATE sale_lines SET price_change_reason_kind = 'staff' WHERE sale_id = {row} AND line_no = 1"),
        format!("UPDATE sales SET receipt_discount_reason_kind = 'coupon' WHERE id = {row}"),
    ] {
        assert!(shop.db.try_execute(&bad).await.is_err(), "stored: {bad}");
    }
    // A reason edited, or cleared, behind the store's back: verify says where.
    for edit in [
        format!("UPDATE sale_lines SET price_change_reason_kind = 'staff', price_change_reason_text = NULL WHERE sale_id = {row} AND line_no = 0"),
        format!("UPDATE sale_lines SET price_change_reason_kind = NULL, price_change_reason_text = NULL WHERE sale_id = {row}"),
        format!("UPDATE sales SET receipt_discount_reason_kind = NULL WHERE id = {row}"),
    ] {
        shop.db.execute(&edit).await;
        let tampered = service::verify_journal(s, &[]).await.unwrap();
        let problems: Vec<String> =
            tampered.chains.iter().flat_map(|c| c.problems.iter().map(|p| p.what.clone())).collect();
        assert!(problems.iter().any(|p| p.contains("reason")), "{edit} went unseen: {problems:?}");
    }
}

async fn a_changed_price_without_a_reason_writes_nothing(backend: Backend) {
    let (shop, session, sold) = sold(backend).await;
    let s = shop.store.as_ref();
    let (register, device) = (dt_r1(), pc1());
    let before = crate::refunds::written(&shop, backend).await;

    // At the service: a discount, a new price or a receipt discount without a reason, and a
    // reason that is not one (other without text, a control character).
    let mut no_line_reason = discounted();
    no_line_reason.lines[0].reason = None;
    let mut no_receipt_reason = discounted();
    no_receipt_reason.receipt_discount_reason = None;
    let mut override_without = discounted();
    override_without.lines[1].price_override = Some(100);
    override_without.lines[1].reason = None;
    let mut other_without_text = discounted();
    other_without_text.lines[0].reason = reason(PriceChangeReasonKind::Other, Some("  "));
    let mut control = discounted();
    control.receipt_discount_reason = reason(PriceChangeReasonKind::Staff, Some("staff\u{1}"));
    let bob = till_testkit::shop::bob_approves();
    for (what, request) in [
        ("a discount", no_line_reason),
        ("a receipt discount", no_receipt_reason),
        ("a new price", override_without),
        ("other without text", other_without_text),
        ("a control character", control),
    ] {
        let till = Till { approval: Some(&bob), ..alice(&shop, &register, &device) };
        let refused = service::record_sale(s, till, ReceiptId::new(), &request).await.unwrap_err();
        assert_eq!(refused.code(), "invalid_input", "{what}: {refused}");
        assert!(refused.to_string().contains("reason"), "{what}: {refused}");
    }
    // At the store, called directly: the receipt without its reasons.
    let mut direct = crate::attacks::sold_as_new(&sold, session.id);
    direct.actor = Actor::login(&shop.fx.cashier.login);
    direct.request_hash = "direct".into();
    direct.device = till_testkit::CASHIER_DEVICE.into();
    let mut without_line = direct.clone();
    without_line.lines[0].price_change_reason = None;
    let mut without_receipt = direct.clone();
    without_receipt.receipt_discount_reason = None;
    let mut on_unchanged = direct.clone();
    on_unchanged.lines[1].price_change_reason = reason(PriceChangeReasonKind::Staff, None);
    for (what, bad) in [
        ("a discounted line without a reason", without_line),
        ("a receipt discount without a reason", without_receipt),
        ("a reason on an unchanged line", on_unchanged),
    ] {
        let refused = s.record_receipt(bad).await.unwrap_err();
        assert!(matches!(refused, StoreError::Refused(Refusal::Rejected(_))), "{what}: {refused:?}");
        assert!(refused.to_string().contains("reason"), "{what}: {refused}");
    }
    assert_eq!(crate::refunds::written(&shop, backend).await, before, "nothing was written");
    // The honest one goes through.
    s.record_receipt(direct).await.unwrap();
}
