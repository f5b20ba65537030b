//! `record_void` as the screens call it: camelCased arguments, products and quantities only, a
//! `VoidRecorded` back, the same one for a retry of its request id.

use super::*;
use serde_json::json;

#[tokio::test]
async fn a_void_is_answered_counted_once_and_refused_as_a_sale_would_be() {
    let (till, session) = selling().await;
    let latte = ok(till.state.find_product(Some("073500000153"), None).await);
    let call = |args: serde_json::Value| crate::commands::call(&till.state, "record_void", args);
    let id = till_core::VoidId::new();
    let args = json!({
        "requestId": id, "kind": "quantity_lowered", "lines": [{ "product_id": latte.id, "quantity": 2 }],
    });
    let answer = ok(call(args.clone()).await);
    assert_eq!(answer["id"], json!(id));
    assert_eq!(answer["session_id"], json!(session));
    assert_eq!(answer["kind"], "quantity_lowered");
    assert_eq!(answer["amount"], 2 * latte.price_minor, "the catalog's price, the screen sent none");
    let currency = ok(till.state.current_session().await).map(|s| s.currency);
    assert_eq!(answer["currency"], json!(currency));
    assert_eq!(answer["user"], "alice");
    assert_eq!(
        answer["lines"],
        json!([{ "product_id": latte.id, "quantity": 2, "unit_price": latte.price_minor,
                                         "amount": 2 * latte.price_minor }])
    );
    // A retry (a lost answer) is the same void, counted once; a cashier sees the count even
    // while the store counts blind.
    assert_eq!(ok(call(args).await), answer);
    let totals = ok(till.state.session_totals().await).unwrap_or_else(|| panic!("no totals"));
    assert_eq!((totals.void_count, totals.void_total), (1, 2 * latte.price_minor));

    // Refused as the sale's path refuses, and nothing written.
    let line = |quantity: i64| json!([{ "product_id": latte.id, "quantity": quantity }]);
    let refusals = [
        (json!({ "requestId": till_core::VoidId::new(), "kind": "price_changed", "lines": line(1) }), "invalid_input"),
        (json!({ "requestId": till_core::VoidId::new(), "kind": "line_removed", "lines": [] }), "invalid_input"),
        (
            json!({ "requestId": till_core::VoidId::new(), "kind": "line_removed", "lines": line(0) }),
            "invalid_quantity",
        ),
        (
            json!({ "requestId": till_core::VoidId::new(), "kind": "sale_cleared",
                    "lines": [{ "product_id": latte.id, "quantity": 1, "unit_price": 1 }] }),
            "invalid_input",
        ),
        (
            json!({ "requestId": till_core::VoidId::new(), "kind": "sale_cleared",
                    "lines": [{ "product_id": till_core::ProductId::new(), "quantity": 1 }] }),
            "product_not_found",
        ),
        (json!({ "kind": "sale_cleared", "lines": line(1) }), "invalid_input"),
    ];
    for (args, expected) in refusals {
        assert_eq!(code(call(args.clone()).await), expected, "{args}");
    }
    let totals = ok(till.state.session_totals().await).unwrap_or_else(|| panic!("no totals"));
    assert_eq!(totals.void_count, 1);

    // Logged out: no void.
    till.state.logout().await;
    let args = json!({ "requestId": till_core::VoidId::new(), "kind": "line_removed", "lines": line(1) });
    assert_eq!(code(call(args).await), "not_logged_in");
}
