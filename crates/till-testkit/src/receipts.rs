//! Receipts as the store answers them, for tests and benchmarks of what prints them.

use chrono::TimeZone;
use till_core::anchor::PrintedAnchor;
use till_core::sales::{Receipt, ReceiptKind, ReceiptLine, ReceiptTax, ReceiptTender};
use till_core::{Currency, LocationId, ProductId, ReceiptId, RegisterId, SessionId, TaxRateId};

/// A Berlin bakery's sale: two lines (one discounted), two rates, paid `tenders`.
pub fn bakery(tenders: Vec<ReceiptTender>, change: i64) -> Receipt {
    let (food, standard) = (TaxRateId::new(), TaxRateId::new());
    let line = |no: u32, name: &str, rate: TaxRateId, quantity: i32, unit: i64, discount: i64| ReceiptLine {
        line_no: no,
        product_id: ProductId::new(),
        sku: format!("SKU{no}"),
        name: name.into(),
        category: "Bakery".into(),
        tax_rate_id: rate,
        rate_ppm: if rate == food { 70_000 } else { 190_000 },
        quantity,
        catalog_unit_price: unit,
        unit_price: unit,
        extended: unit * i64::from(quantity),
        line_discount: discount,
        receipt_discount: 0,
        amount: unit * i64::from(quantity) - discount,
        tax: 0,
        total: unit * i64::from(quantity) - discount,
        refund_of_line: None,
        refunded_quantity: 0,
        refunded_total: 0,
        refunded_tax: 0,
        price_change_reason: None,
    };
    Receipt {
        id: ReceiptId::new(),
        kind: ReceiptKind::Sale,
        number: "BER-R1-000042".into(),
        receipt_seq: 42,
        session_id: SessionId::new(),
        session_number: "BER-R1-S7".into(),
        register_id: RegisterId::new(),
        register_code: "R1".into(),
        location_id: LocationId::new(),
        location_code: "BER".into(),
        location_name: "Bäckerei Müller".into(),
        location_address: "Friedrichstraße 12, 10117 Berlin".into(),
        location_tax_number: "DE123456789".into(),
        time_zone: "Europe/Berlin".into(),
        locale: "de-DE".into(),
        refund_of: None,
        cashier: "jürgen".into(),
        device: "ber-r1".into(),
        at: chrono::Utc.with_ymd_and_hms(2026, 12, 6, 13, 5, 0).single().expect("a fixed, valid time"),
        currency: Currency::parse("EUR").expect("a fixed, valid value"),
        prices_include_tax: true,
        subtotal: 1250,
        discount: 50,
        receipt_discount: 0,
        tax: 98,
        total: 1200,
        rounding: 0,
        tendered: tenders.iter().map(|t| t.amount).sum(),
        change,
        cash_net: 1200,
        lines: vec![line(0, "Roggenbrot", food, 2, 350, 50), line(1, "Kaffee groß (Ŵ)", standard, 1, 550, 0)],
        tenders,
        taxes: vec![
            ReceiptTax {
                tax_rate_id: food, name: "ermäßigt".into(), rate_ppm: 70_000, net: 607, tax: 43, gross: 650
            },
            ReceiptTax {
                tax_rate_id: standard,
                name: "Normal".into(),
                rate_ppm: 190_000,
                net: 462,
                tax: 88,
                gross: 550,
            },
        ],
        anchor: Some(PrintedAnchor { text: "TILL1:BER-R1:42:abcdef".into(), qr_svg: String::new() }),
        refund_reason: None,
        receipt_discount_reason: None,
        approved_by: None,
    }
}
