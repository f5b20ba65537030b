//! `quote_refund` as the screens call it (`receipt` and `request`, as `refund` takes them): the
//! amounts the refund then records, nothing written, the refund's codes for bad input, and a
//! live login needed. And a refund's reason and approver come back on its receipt.

use super::*;
use serde_json::json;

#[tokio::test]
async fn a_refund_quote_is_what_the_refund_records_writes_nothing_and_needs_a_login() {
    let (till, session) = selling().await;
    let lines = vec![cart_line("073500000153", 2), cart_line("073500000016", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    let sold = ok(till.state.record_sale(ReceiptId::new(), session, cash(lines, priced.cash_total), None).await);
    let call = |command: &'static str, args: serde_json::Value| crate::commands::call(&till.state, command, args);
    let request = json!({
        "lines": [{ "line": 0, "quantity": 1 }, { "line": 1, "quantity": 1 }],
        "tender": { "kind": "cash" },
        "reason": { "kind": "other", "text": "Spilled at the counter" },
    });

    // A cashier may ask; nothing is written.
    let quote = ok(call("quote_refund", json!({ "receipt": sold.number, "request": request })).await);
    assert_eq!(ok(call("quote_refund", json!({ "receipt": sold.number, "request": request })).await), quote);
    let totals = ok(till.state.session_totals().await).unwrap_or_else(|| panic!("no totals"));
    assert_eq!(totals.refunds_count, 0, "a quote writes nothing");
    assert_eq!(quote["receipt"], json!(sold.number));
    assert_eq!(quote["currency"], json!(sold.currency));
    assert_eq!(quote["tender_kinds_of_sale"], json!(["cash"]));

    // The refund, with bob's PIN, records exactly the quote, and says why and who approved.
    let bob = json!({ "manager": "bob", "pin": "9999" });
    let args = json!({ "id": ReceiptId::new(), "receipt": sold.number, "request": request, "approval": bob });
    let refund = ok(call("refund", args).await);
    assert_eq!(quote["total"], refund["total"]);
    assert_eq!(quote["cash_total"], refund["tendered"]);
    let quoted: Vec<serde_json::Value> = quote["lines"].as_array().cloned().unwrap_or_default();
    let recorded: Vec<serde_json::Value> = refund["lines"].as_array().cloned().unwrap_or_default();
    assert_eq!(quoted.len(), 2);
    for (q, r) in quoted.iter().zip(&recorded) {
        assert_eq!((&q["line"], &q["quantity"], &q["amount"]), (&r["refund_of_line"], &r["quantity"], &r["total"]));
        assert_eq!(q["name"], r["name"]);
    }
    assert_eq!(refund["refund_reason"], json!({ "kind": "other", "text": "Spilled at the counter" }));
    assert_eq!(refund["approved_by"], "bob");
    assert_eq!(refund["cashier"], "alice");

    // Refused with the refund's codes: more than is left, no lines, no reason, "other" without
    // its text, an unknown sale.
    let with = |request: serde_json::Value| json!({ "receipt": sold.number, "request": request });
    let refusals = [
        (with(request.clone()), "refund_exceeds_sale"),
        (with(json!({ "lines": [], "tender": { "kind": "cash" }, "reason": { "kind": "damaged" } })), "invalid_input"),
        (with(json!({ "lines": [{ "line": 2, "quantity": 1 }], "tender": { "kind": "cash" } })), "invalid_input"),
        (
            with(json!({ "lines": [{ "line": 0, "quantity": 1 }], "tender": { "kind": "cash" },
                         "reason": { "kind": "other" } })),
            "invalid_input",
        ),
        (
            json!({ "receipt": "DT-R1-999999", "request": { "lines": [{ "line": 0, "quantity": 1 }],
                    "tender": { "kind": "cash" }, "reason": { "kind": "damaged" } } }),
            "receipt_not_found",
        ),
        (json!({ "number": sold.number, "request": request }), "invalid_input"),
    ];
    for (args, expected) in refusals {
        assert_eq!(code(call("quote_refund", args.clone()).await), expected, "{args}");
    }

    // Logged out: no quote.
    till.state.logout().await;
    let request = json!({ "lines": [{ "line": 0, "quantity": 1 }], "tender": { "kind": "cash" },
                          "reason": { "kind": "damaged" } });
    assert_eq!(code(call("quote_refund", with(request)).await), "not_logged_in");
}
