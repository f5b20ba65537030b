//! `tillctl schema cart|lines`: the JSON Schemas of `cart.json` and `lines.json`, derived from
//! the core's request types. They name every field serde reads, each with a description that
//! says its unit; the examples in docs/sales-files.md are valid against them (and are what
//! tillctl reads: they record a sale and refund it on the demo data), and a decimal amount is
//! not; that file's field reference is what `tillctl schema` prints, so the two cannot drift
//! apart.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::process::Command;
use till_core::service::{
    PriceChangeReason, PriceChangeReasonKind, RefundLineRequest, RefundReason, RefundReasonKind, RefundRequest,
    RefundTender, SaleLineRequest, SaleRequest,
};
use till_core::{Discount, Ppm, ProductId, Tender};
use till_testkit::{Backend, TestDatabase};

/// The documentation of `cart.json` and `lines.json`: its examples and its field reference.
const SALES_FILES_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/sales-files.md");

fn tillctl(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tillctl")).args(args).output().expect("run tillctl");
    (out.status.success(), String::from_utf8(out.stdout).unwrap())
}

fn schema(file: &str) -> Value {
    let (ok, text) = tillctl(&["--json", "schema", file]);
    assert!(ok, "{text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("tillctl schema {file} --json is not JSON ({e}): {text}"))
}

/// The schema a `$ref` names, or `s` itself.
fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(reference) => {
            let name = reference.strip_prefix("#/definitions/").unwrap();
            &root["definitions"][name]
        }
        None => s,
    }
}

/// Checks `value` against `s` (JSON Schema draft 7, the parts schemars writes: `$ref`, `type`,
/// `enum`, `required`, `properties`, `additionalProperties`, `items`, `minItems`, `maxItems`,
/// `minimum`, `maximum`, `allOf`, `anyOf`, `oneOf`); answers the first violation.
fn validate(root: &Value, s: &Value, value: &Value, at: &str) -> Result<(), String> {
    let s = resolve(root, s);
    let fail = |what: String| Err(format!("{at}: {what} ({value})"));
    if let Some(all) = s["allOf"].as_array() {
        for sub in all {
            validate(root, sub, value, at)?;
        }
    }
    if let Some(any) = s["anyOf"].as_array() {
        if !any.iter().any(|sub| validate(root, sub, value, at).is_ok()) {
            return fail("matches none of anyOf".into());
        }
    }
    if let Some(one) = s["oneOf"].as_array() {
        let matching = one.iter().filter(|sub| validate(root, sub, value, at).is_ok()).count();
        if matching != 1 {
            return fail(format!("matches {matching} of oneOf, not exactly 1"));
        }
    }
    if let Some(types) = s.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            _ => types.as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect(),
        };
        let is = |t: &str| match t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "string" => value.is_string(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            other => panic!("type {other} is not handled here"),
        };
        if !types.iter().any(|t| is(t)) {
            return fail(format!("is not {}", types.join(" or ")));
        }
    }
    if let Some(allowed) = s["enum"].as_array() {
        if !allowed.contains(value) {
            return fail(format!("is not one of {allowed:?}"));
        }
    }
    if let Some(n) = value.as_f64() {
        if s["minimum"].as_f64().is_some_and(|min| n < min) || s["maximum"].as_f64().is_some_and(|max| n > max) {
            return fail(format!("is outside {} to {}", s["minimum"], s["maximum"]));
        }
    }
    if let Some(items) = value.as_array() {
        let len = items.len() as u64;
        if s["minItems"].as_u64().is_some_and(|min| len < min) || s["maxItems"].as_u64().is_some_and(|max| len > max) {
            return fail(format!("has {len} items, not {} to {}", s["minItems"], s["maxItems"]));
        }
        if let Some(item) = s.get("items") {
            for (i, v) in items.iter().enumerate() {
                validate(root, item, v, &format!("{at}[{i}]"))?;
            }
        }
    }
    if let Some(fields) = value.as_object() {
        for required in s["required"].as_array().into_iter().flatten() {
            if !fields.contains_key(required.as_str().unwrap()) {
                return fail(format!("lacks required {required}"));
            }
        }
        for (name, v) in fields {
            match s["properties"].get(name) {
                Some(field) => validate(root, field, v, &format!("{at}.{name}"))?,
                None if s["additionalProperties"] == false => return fail(format!("has unknown field {name}")),
                None => {}
            }
        }
    }
    Ok(())
}

/// The field names a value serializes with, per type: what the schema must name.
fn keys(value: &impl serde::Serialize) -> BTreeSet<String> {
    serde_json::to_value(value).unwrap().as_object().unwrap().keys().cloned().collect()
}

/// The fields an object schema (or its `kind`-tagged variant) names.
fn named(root: &Value, s: &Value, kind: Option<&str>) -> BTreeSet<String> {
    let s = resolve(root, s);
    let s = match kind {
        Some(kind) => s["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["properties"]["kind"]["enum"][0] == kind)
            .unwrap_or_else(|| panic!("no variant {kind} in {s}")),
        None => s,
    };
    s["properties"].as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_schemas_name_every_field_with_its_unit() {
    let cart = schema("cart");
    let lines = schema("lines");
    assert_eq!(cart["title"], "SaleRequest");
    assert_eq!(lines["title"], "RefundRequest");
    assert_eq!(cart["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(cart["required"], json!(["lines", "tenders"]));
    assert_eq!(lines["required"], json!(["lines", "reason", "tender"]));

    // Every field serde writes (so reads) is named, with nothing else: one value per type and
    // per tender or discount kind, every optional field set.
    let discount = Discount::Percent { percent: Ppm(100_000) };
    let line = SaleLineRequest {
        product_id: Some(ProductId::new()),
        sku: Some("A".into()),
        barcode: Some("1".into()),
        quantity: 1,
        discount: Some(discount),
        price_override: Some(250),
        reason: Some(PriceChangeReason { kind: PriceChangeReasonKind::Other, text: Some("a dent".into()) }),
    };
    let tenders = [
        ("cash", Tender::Cash { amount: 1 }),
        ("card", Tender::Card { amount: 1, approval_reference: "A".into() }),
        ("voucher", Tender::Voucher { amount: 1, reference: "V".into() }),
        ("other", Tender::Other { amount: 1, label: "L".into() }),
    ];
    let sale = SaleRequest {
        lines: vec![line.clone()],
        receipt_discount: Some(discount),
        receipt_discount_reason: Some(PriceChangeReason { kind: PriceChangeReasonKind::Staff, text: None }),
        tenders: vec![tenders[0].1.clone()],
    };
    let c = &cart["definitions"];
    assert_eq!(named(&cart, &cart, None), keys(&sale));
    assert_eq!(named(&cart, &c["SaleLineRequest"], None), keys(&line));
    for (kind, tender) in &tenders {
        assert_eq!(named(&cart, &c["Tender"], Some(kind)), keys(tender), "tender {kind}");
    }
    for (kind, d) in [("amount", Discount::Amount { amount: 1 }), ("percent", discount)] {
        assert_eq!(named(&cart, &c["Discount"], Some(kind)), keys(&d), "discount {kind}");
    }
    let refund_line = RefundLineRequest { line: 0, quantity: 1 };
    let card = RefundTender::Card { approval_reference: "R".into() };
    let reason = RefundReason { kind: RefundReasonKind::Other, text: Some("a torn seam".into()) };
    let refund = RefundRequest { lines: vec![refund_line.clone()], tender: card.clone(), reason: reason.clone() };
    let l = &lines["definitions"];
    assert_eq!(named(&lines, &lines, None), keys(&refund));
    assert_eq!(named(&lines, &l["RefundLineRequest"], None), keys(&refund_line));
    assert_eq!(named(&lines, &l["RefundTender"], Some("card")), keys(&card));
    assert_eq!(named(&lines, &l["RefundTender"], Some("cash")), keys(&RefundTender::Cash));
    assert_eq!(named(&lines, &l["RefundReason"], None), keys(&reason));

    // Every field says what it is; every number is an integer and says its unit.
    for root in [&cart, &lines] {
        let mut objects = vec![root.clone()];
        for definition in root["definitions"].as_object().unwrap().values() {
            objects.push(definition.clone());
            objects.extend(definition["oneOf"].as_array().into_iter().flatten().cloned());
        }
        for object in &objects {
            for (name, field) in object["properties"].as_object().into_iter().flatten() {
                if name == "kind" {
                    continue;
                }
                let about = field["description"].as_str().unwrap_or_else(|| panic!("{name} has no description"));
                let integer = field["type"] == "integer" || field["type"][0] == "integer";
                assert!(field["type"] != "number" && field["type"][0] != "number", "{name}: no decimals");
                let unit = match name.as_str() {
                    "amount" | "price_override" => "in minor units",
                    "percent" => "Parts per million",
                    _ if integer => "an integer",
                    _ => continue,
                };
                assert!(about.contains(unit), "{name}: {about:?} does not say {unit:?}");
                if unit == "in minor units" {
                    assert!(about.contains("an integer"), "{name}: {about:?}");
                }
            }
        }
    }
}

/// docs/sales-files.md's example files (its ```json blocks): each cart (it has `tenders`) and
/// each lines file (it has `tender`).
fn documented_examples() -> (Vec<Value>, Vec<Value>) {
    let doc = std::fs::read_to_string(SALES_FILES_DOC).unwrap();
    let (mut carts, mut lines) = (Vec::new(), Vec::new());
    for block in doc.split("```json\n").skip(1) {
        let text = block.split("```").next().unwrap();
        let Ok(value) = serde_json::from_str::<Value>(text) else { continue };
        if value.get("tenders").is_some() {
            carts.push(value);
        } else if value.get("tender").is_some() {
            lines.push(value);
        }
    }
    assert!(!carts.is_empty() && !lines.is_empty(), "docs/sales-files.md shows a cart.json and a lines.json");
    (carts, lines)
}

#[test]
fn the_documented_examples_are_valid_and_a_decimal_amount_is_not() {
    let (cart, lines) = (schema("cart"), schema("lines"));
    let (carts, refunds) = documented_examples();
    for example in &carts {
        validate(&cart, &cart, example, "cart").unwrap();
        serde_json::from_value::<SaleRequest>(example.clone()).unwrap();
    }
    for example in &refunds {
        validate(&lines, &lines, example, "lines").unwrap();
        serde_json::from_value::<RefundRequest>(example.clone()).unwrap();
    }
    // Amounts are integers of minor units: "2.50", 2.5 and 250.0 are refused, by the schema and
    // by what tillctl reads alike.
    let cash = |amount: Value| json!({"lines": [{"sku": "A", "quantity": 1}], "tenders": [{"kind": "cash", "amount": amount}]});
    validate(&cart, &cart, &cash(json!(250)), "cart").unwrap();
    for bad in [json!("2.50"), json!(2.5), json!(250.0)] {
        let refused = validate(&cart, &cart, &cash(bad.clone()), "cart");
        assert!(refused.is_err(), "{bad} passed");
        assert!(serde_json::from_value::<SaleRequest>(cash(bad)).is_err());
    }
    let invalid = [
        json!({"lines": [], "tenders": []}),
        json!({"lines": [{"sku": "A", "quantity": 0}], "tenders": []}),
        json!({"lines": [{"sku": "A", "quantity": 1, "price": 250}], "tenders": []}),
        json!({"lines": [{"sku": "A", "quantity": 1}], "tenders": [], "total": 250}),
        json!({"lines": [{"sku": "A", "quantity": 1, "discount": {"kind": "percent", "percent": 1_000_001}}], "tenders": []}),
        json!({"lines": [{"sku": "A", "quantity": 1}], "tenders": [{"kind": "cheque", "amount": 1}]}),
        json!({"lines": [{"sku": "A", "quantity": 1}], "tenders": [{"kind": "card", "amount": 1}]}),
        json!({"lines": [{"sku": "A", "quantity": 1}]}),
    ];
    for bad in &invalid {
        assert!(validate(&cart, &cart, bad, "cart").is_err(), "{bad} passed");
    }
    for bad in [
        json!({"lines": [{"line": 0, "quantity": 1}], "tender": {"kind": "card"}}),
        json!({"lines": [{"line": -1, "quantity": 1}], "tender": {"kind": "cash"}}),
        json!({"lines": [{"line": 0, "quantity": 1.5}], "tender": {"kind": "cash"}}),
        json!({"lines": [], "tender": {"kind": "cash"}}),
    ] {
        assert!(validate(&lines, &lines, &bad, "lines").is_err(), "{bad} passed");
    }
}

/// docs/sales-files.md's examples as IT runs them: the cart records on the demo data, the lines
/// file refunds it.
#[tokio::test]
async fn the_documented_examples_record_and_refund() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let run = |args: &[&str]| {
        let (ok, text) = tillctl(&[&["--json", "--database-url", &db.url], args].concat());
        assert!(ok, "tillctl {args:?}: {text}");
        serde_json::from_str::<Value>(&text).unwrap()
    };
    run(&["demo"]);
    run(&["start-shift", "--register", "DT/R1", "--user", "bob", "--pin", "9999", "--opening-cash", "100"]);
    let dir = std::env::temp_dir().join(format!("till-schema-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let (carts, refunds) = documented_examples();
    let (cart, lines) = (dir.join("cart.json"), dir.join("lines.json"));
    std::fs::write(&cart, carts[0].to_string()).unwrap();
    std::fs::write(&lines, refunds[0].to_string()).unwrap();
    let sale = ["sale", "record", "--register", "DT/R1", "--user", "bob", "--pin", "9999"];
    let receipt = run(&[&sale[..], &["--file", cart.to_str().unwrap()]].concat());
    let number = receipt["number"].as_str().unwrap();
    let refund = ["refund", "--receipt", number, "--user", "bob", "--pin", "9999"];
    let refunded = run(&[&refund[..], &["--file", lines.to_str().unwrap()]].concat());
    assert_eq!(refunded["refund_of"].as_str(), Some(number));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// docs/sales-files.md's reference of both files is `tillctl schema cart` and `tillctl schema
/// lines`, word for word.
#[test]
fn the_documented_reference_is_what_tillctl_schema_prints() {
    let doc = std::fs::read_to_string(SALES_FILES_DOC).unwrap();
    for file in ["cart", "lines"] {
        let (ok, printed) = tillctl(&["schema", file]);
        assert!(ok, "{printed}");
        assert!(
            doc.contains(printed.trim_end()),
            "docs/sales-files.md's reference of {file} differs from `tillctl schema {file}`: paste its output there\n{printed}"
        );
    }
}
