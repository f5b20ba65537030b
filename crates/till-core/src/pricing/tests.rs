//! Worked examples (real receipts' numbers), the refusals, and property tests over random carts.

use super::*;
use crate::error::TillError;
use proptest::prelude::*;

fn rate(name: &str, ppm: u32) -> TaxRate {
    TaxRate { id: TaxRateId::new(), code: name.to_ascii_uppercase(), name: name.to_string(), rate: Ppm(ppm) }
}

fn settings(currency: &str, prices_include_tax: bool, tax_rates: &[TaxRate], increment: i64) -> PricingSettings {
    PricingSettings {
        currency: Currency::parse(currency).unwrap(),
        prices_include_tax,
        tax_rates: tax_rates.to_vec(),
        cash_rounding_increment: increment,
        manager_discount_threshold: Ppm::ONE_HUNDRED_PERCENT,
        card_reference_required: false,
    }
}

fn line(unit_price: i64, quantity: i32, rate: &TaxRate) -> CartLine {
    CartLine {
        product: ProductSnapshot {
            id: ProductId::new(),
            sku: format!("SKU{unit_price}"),
            name: format!("Item at {unit_price}"),
            unit_price,
            tax_rate_id: rate.id,
            category: "general".to_string(),
        },
        quantity,
        discount: None,
        price_override: None,
    }
}

fn cart(lines: Vec<CartLine>) -> Cart {
    Cart { lines, receipt_discount: None }
}

fn percent(ppm: u32) -> Option<Discount> {
    Some(Discount::Percent { percent: Ppm(ppm) })
}

fn amount(amount: i64) -> Option<Discount> {
    Some(Discount::Amount { amount })
}

fn cash(amount: i64) -> Tender {
    Tender::Cash { amount }
}

fn card(amount: i64) -> Tender {
    Tender::Card { amount, approval_reference: "A1B2C3".to_string() }
}

// ---------------------------------------------------------------------------------------------
// Worked examples

#[test]
fn new_york_sales_tax_is_added_once_per_receipt() {
    let ny = rate("NY sales tax 8.875%", 88_750);
    let s = settings("USD", false, std::slice::from_ref(&ny), 1);
    // 2 × 4.99 + 12.50 = 22.48; 22.48 × 8.875 % = 1.99510 → 2.00.
    let priced = price_cart(&s, &cart(vec![line(499, 2, &ny), line(1250, 1, &ny)])).unwrap();
    assert_eq!((priced.items, priced.subtotal, priced.tax, priced.total), (2248, 2248, 200, 2448));
    // Line shares: 88.79 → 88 (+1 for the larger remainder) and 111.21 → 111.
    assert_eq!(priced.lines.iter().map(|l| (l.tax, l.total)).collect::<Vec<_>>(), [(89, 1087), (111, 1361)]);
    assert_eq!(priced.taxes.len(), 1);
    assert_eq!((priced.taxes[0].net, priced.taxes[0].tax, priced.taxes[0].gross), (2248, 200, 2448));
    assert!(!priced.needs_manager());

    // Three 0.05 items: per line the tax (0.44 cents) would round to nothing; per receipt
    // 0.15 × 8.875 % = 1.33 cents → 0.01, given to the first of the equal lines.
    let priced = price_cart(&s, &cart(vec![line(5, 1, &ny), line(5, 1, &ny), line(5, 1, &ny)])).unwrap();
    assert_eq!((priced.tax, priced.total), (1, 16));
    assert_eq!(priced.lines.iter().map(|l| l.tax).collect::<Vec<_>>(), [1, 0, 0]);
}

#[test]
fn german_receipt_takes_19_and_7_percent_out_of_included_prices() {
    let (full, reduced) = (rate("USt 19 %", 190_000), rate("USt 7 %", 70_000));
    let s = settings("EUR", true, &[full.clone(), reduced.clone()], 1);
    let priced =
        price_cart(&s, &cart(vec![line(1200, 1, &reduced), line(399, 2, &full), line(250, 1, &full)])).unwrap();
    // 7 %: 12.00 × 7/107 = 0.785 → 0.79. 19 %: 10.48 × 19/119 = 1.673 → 1.67.
    assert_eq!(priced.total, 2248);
    assert_eq!(priced.tax, 246);
    // Listed in the location's order of rates, not the cart's.
    let taxes: Vec<_> = priced.taxes.iter().map(|t| (t.name.as_str(), t.net, t.tax, t.gross)).collect();
    assert_eq!(taxes, [("USt 19 %", 881, 167, 1048), ("USt 7 %", 1121, 79, 1200)]);
    // 1.67 split 7.98 : 2.50 → 1.2716 and 0.3984: 127 and 39 + 1.
    assert_eq!(priced.lines.iter().map(|l| (l.tax, l.total)).collect::<Vec<_>>(), [(79, 1200), (127, 798), (40, 250)]);
}

#[test]
fn swiss_francs_round_cash_to_five_rappen_and_never_a_card() {
    let vat = rate("MWST 8.1 %", 81_000);
    let s = settings("CHF", true, std::slice::from_ref(&vat), 5);
    for (total, cash_total) in
        [(1000, 1000), (1001, 1000), (1002, 1000), (1003, 1005), (1004, 1005), (1006, 1005), (1008, 1010)]
    {
        let priced = price_cart(&s, &cart(vec![line(total, 1, &vat)])).unwrap();
        assert_eq!(priced.cash_total, cash_total, "{total}");
        let paid = settle(&priced, &[cash(2000)]).unwrap();
        assert_eq!((paid.rounding, paid.amount_due, paid.change), (cash_total - total, cash_total, 2000 - cash_total));
        let by_card = settle(&priced, &[card(total)]).unwrap();
        assert_eq!((by_card.rounding, by_card.amount_due, by_card.change), (0, total, 0));
    }
}

#[test]
fn canada_has_no_pennies_for_cash_even_in_a_split_payment() {
    let hst = rate("HST 13 %", 130_000);
    let s = settings("CAD", false, std::slice::from_ref(&hst), 5);
    // 4.99 + 13 % (0.6487 → 0.65) = 5.64; in cash 5.65.
    let priced = price_cart(&s, &cart(vec![line(499, 1, &hst)])).unwrap();
    assert_eq!((priced.tax, priced.total, priced.cash_total), (65, 564, 565));
    // Card 3.00 first, exactly; the 2.64 left in cash rounds to 2.65; 5.00 handed over.
    let paid = settle(&priced, &[card(300), cash(500)]).unwrap();
    assert_eq!((paid.cash_due, paid.rounding, paid.amount_due, paid.change), (265, 1, 565, 235));
    assert_eq!(paid.tendered - paid.change, paid.amount_due);
    // Card 5.62 leaves 0.02 in cash, which rounds to nothing: the cash tender is all change.
    let paid = settle(&priced, &[card(562), cash(5)]).unwrap();
    assert_eq!((paid.cash_due, paid.rounding, paid.amount_due, paid.change), (0, -2, 562, 5));
    // Card 5.62 alone is short: the 0.02 must be paid (in cash it would round away).
    assert_eq!(settle(&priced, &[card(562)]).unwrap_err().code(), "tenders_short");
}

#[test]
fn yen_have_no_minor_units() {
    let (standard, reduced) = (rate("消費税 10%", 100_000), rate("軽減税率 8%", 80_000));
    let inclusive = settings("JPY", true, &[standard.clone(), reduced.clone()], 1);
    let priced = price_cart(&inclusive, &cart(vec![line(1080, 1, &reduced), line(550, 1, &standard)])).unwrap();
    assert_eq!((priced.total, priced.tax), (1630, 130));
    assert_eq!(priced.taxes.iter().map(|t| t.tax).collect::<Vec<_>>(), [50, 80]);
    let exclusive = settings("JPY", false, &[standard.clone(), reduced.clone()], 1);
    // 1000 × 8 % = 80; 999 × 10 % = 99.9 → 100.
    let priced = price_cart(&exclusive, &cart(vec![line(1000, 1, &reduced), line(999, 1, &standard)])).unwrap();
    assert_eq!((priced.tax, priced.total), (180, 2179));
    let paid = settle(&priced, &[cash(5000)]).unwrap();
    assert_eq!((paid.rounding, paid.change), (0, 2821));
}

#[test]
fn discounts_round_half_up_and_the_receipt_discount_splits_by_largest_remainder() {
    let zero = rate("zero", 0);
    let s = settings("USD", false, std::slice::from_ref(&zero), 1);
    // 12.5 % of 1.00 = 12.5 cents → 13; 12.5 % of 0.99 = 12.375 → 12.
    let mut a = line(100, 1, &zero);
    a.discount = percent(125_000);
    let mut b = line(99, 1, &zero);
    b.discount = percent(125_000);
    let priced = price_cart(&s, &cart(vec![a, b])).unwrap();
    assert_eq!(priced.lines.iter().map(|l| l.line_discount).collect::<Vec<_>>(), [13, 12]);
    assert_eq!((priced.line_discounts, priced.subtotal, priced.total), (25, 174, 174));

    // 1.00 off three equal lines: 33.3 each, the spare cent to the first.
    let mut three = cart(vec![line(100, 1, &zero), line(100, 1, &zero), line(100, 1, &zero)]);
    three.receipt_discount = amount(100);
    let priced = price_cart(&s, &three).unwrap();
    assert_eq!(priced.lines.iter().map(|l| l.receipt_discount).collect::<Vec<_>>(), [34, 33, 33]);
    assert_eq!((priced.receipt_discount, priced.total), (100, 200));

    // 10 % off 9.99 + 0.01: 99.9 + 0.1 = 100 cents; the parts follow the lines' sizes.
    let mut two = cart(vec![line(999, 1, &zero), line(1, 1, &zero)]);
    two.receipt_discount = percent(100_000);
    let priced = price_cart(&s, &two).unwrap();
    assert_eq!(priced.lines.iter().map(|l| l.receipt_discount).collect::<Vec<_>>(), [100, 0]);

    // A 100 % discount leaves a zero sale, settled with no tenders.
    let mut free = cart(vec![line(250, 2, &zero)]);
    free.receipt_discount = percent(1_000_000);
    let priced = price_cart(&s, &free).unwrap();
    assert_eq!(priced.total, 0);
    assert_eq!(settle(&priced, &[]).unwrap().amount_due, 0);
}

#[test]
fn managers_approve_overrides_and_discounts_above_the_threshold() {
    let zero = rate("zero", 0);
    let mut s = settings("USD", false, std::slice::from_ref(&zero), 1);
    s.manager_discount_threshold = Ppm(100_000);
    let mut at_threshold = line(1000, 1, &zero);
    at_threshold.discount = amount(100);
    let mut above = line(1000, 1, &zero);
    above.discount = amount(101);
    let mut percent_above = line(1000, 1, &zero);
    percent_above.discount = percent(100_001);
    let mut overridden = line(1000, 1, &zero);
    overridden.price_override = Some(1200);
    let mut c = cart(vec![at_threshold, above, percent_above, overridden]);
    c.receipt_discount = percent(100_000);
    let priced = price_cart(&s, &c).unwrap();
    assert_eq!(
        priced.approvals,
        [
            Approval::LineDiscount { line: 1, percent: Ppm(101_000) },
            Approval::LineDiscount { line: 2, percent: Ppm(100_001) },
            Approval::PriceOverride { line: 3, catalog_unit_price: 1000, unit_price: 1200 },
        ]
    );
    assert_eq!(
        (priced.lines[3].catalog_unit_price, priced.lines[3].unit_price, priced.lines[3].extended),
        (1000, 1200, 1200)
    );
    c.receipt_discount = amount(1);
    s.manager_discount_threshold = Ppm::ZERO;
    let approvals = price_cart(&s, &c).unwrap().approvals;
    // 0.01 off a 38.99 subtotal is 256.47 ppm, listed rounded up.
    assert!(approvals.contains(&Approval::ReceiptDiscount { percent: Ppm(257) }), "{approvals:?}");
    assert!(approvals.contains(&Approval::LineDiscount { line: 0, percent: Ppm(100_000) }));
}

#[test]
fn ppm_parses_and_prints_percentages_exactly() {
    assert_eq!(Ppm::parse_percent("8.875").unwrap(), Ppm(88_750));
    assert_eq!(Ppm::parse_percent(" 19 %").unwrap(), Ppm(190_000));
    assert_eq!(Ppm::parse_percent("100").unwrap(), Ppm::ONE_HUNDRED_PERCENT);
    assert_eq!(Ppm::parse_percent("0.0001").unwrap(), Ppm(1));
    for bad in ["", "-1", "100.0001", "8.87501", "1e2", "8.", ".5", "NaN", "1,5", "1000"] {
        assert!(Ppm::parse_percent(bad).is_err(), "{bad:?}");
    }
    assert_eq!(Ppm(88_750).to_string(), "8.875%");
    assert_eq!(Ppm(190_000).to_string(), "19%");
    assert_eq!(Ppm(1).to_string(), "0.0001%");
}

#[test]
fn json_is_tagged_and_money_stays_integer() {
    assert_eq!(
        serde_json::to_string(&Discount::Percent { percent: Ppm(50_000) }).unwrap(),
        r#"{"kind":"percent","percent":50000}"#
    );
    assert_eq!(
        serde_json::to_string(&card(500)).unwrap(),
        r#"{"kind":"card","amount":500,"approval_reference":"A1B2C3"}"#
    );
    let vat = rate("VAT", 200_000);
    let s = settings("GBP", true, std::slice::from_ref(&vat), 1);
    let mut c = cart(vec![line(1999, 3, &vat)]);
    c.receipt_discount = percent(50_000);
    let priced = price_cart(&s, &c).unwrap();
    let json = serde_json::to_string(&priced).unwrap();
    assert!(json.contains(r#""currency":"GBP""#), "{json}");
    assert_eq!(serde_json::from_str::<PricedCart>(&json).unwrap(), priced);
    let again: Cart = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(again, c);
}

// ---------------------------------------------------------------------------------------------
// Refusals

#[test]
fn bad_carts_get_a_typed_error_and_nothing_else() {
    let vat = rate("VAT", 200_000);
    let s = settings("EUR", true, std::slice::from_ref(&vat), 1);
    let one = |edit: &dyn Fn(&mut CartLine)| {
        let mut l = line(1000, 1, &vat);
        edit(&mut l);
        cart(vec![l])
    };
    let with_receipt =
        |discount: Option<Discount>| Cart { receipt_discount: discount, ..cart(vec![line(1000, 1, &vat)]) };
    let cases: Vec<(&str, Cart, &str)> = vec![
        ("no lines", cart(vec![]), "invalid_input"),
        ("501 lines", cart((0..=MAX_LINES).map(|_| line(1, 1, &vat)).collect()), "invalid_input"),
        ("zero quantity", one(&|l| l.quantity = 0), "invalid_quantity"),
        ("negative quantity", one(&|l| l.quantity = -2), "invalid_quantity"),
        ("scanned into quantity", one(&|l| l.quantity = MAX_QUANTITY + 1), "invalid_quantity"),
        ("negative price", one(&|l| l.product.unit_price = -1), "invalid_amount"),
        ("negative override", one(&|l| l.price_override = Some(-500)), "invalid_amount"),
        ("huge price", one(&|l| l.product.unit_price = Money::MAX_CASH_MINOR + 1), "invalid_amount"),
        (
            "line over the maximum",
            one(&|l| {
                l.product.unit_price = Money::MAX_CASH_MINOR;
                l.quantity = 2;
            }),
            "invalid_amount",
        ),
        ("i64 overflow", one(&|l| l.product.unit_price = i64::MAX), "invalid_amount"),
        ("discount over 100 %", one(&|l| l.discount = percent(1_000_001)), "discount_too_large"),
        ("discount above the line", one(&|l| l.discount = amount(1001)), "discount_too_large"),
        ("negative discount", one(&|l| l.discount = amount(-1)), "invalid_amount"),
        ("receipt discount over 100 %", with_receipt(percent(u32::MAX)), "discount_too_large"),
        ("receipt discount above the subtotal", with_receipt(amount(1001)), "discount_too_large"),
        ("unknown tax rate", one(&|l| l.product.tax_rate_id = TaxRateId::new()), "invalid_input"),
    ];
    for (what, c, code) in cases {
        let error = price_cart(&s, &c).expect_err(what);
        assert_eq!(error.code(), code, "{what}: {error}");
        assert_eq!(TillError::from(error).code(), code, "{what}");
    }

    let mut over = line(1000, 1, &vat);
    over.discount = amount(1001);
    let message = price_cart(&s, &cart(vec![line(5, 1, &vat), over])).unwrap_err().to_string();
    assert_eq!(message, "line 2: the discount (10.01) is more than 10.00");

    // Many maximal lines: each fits, their sum does not.
    let big = cart((0..20).map(|_| line(Money::MAX_CASH_MINOR / 10, 1, &vat)).collect());
    assert!(matches!(price_cart(&s, &big), Err(PricingError::TooLarge(_))));
    // Prices excluding tax: the tax pushes the total over the maximum.
    let exclusive = settings("USD", false, std::slice::from_ref(&vat), 1);
    let at_max = cart(vec![line(Money::MAX_CASH_MINOR, 1, &vat)]);
    assert!(matches!(price_cart(&exclusive, &at_max), Err(PricingError::TooLarge(_))));
    // The largest allowed cart prices without overflow.
    let unit = Money::MAX_CASH_MINOR / (500 * 10_000);
    let largest = cart((0..MAX_LINES).map(|_| line(unit, MAX_QUANTITY, &vat)).collect());
    assert_eq!(price_cart(&s, &largest).map(|p| p.total), Ok(Money::MAX_CASH_MINOR));
}

#[test]
fn unusable_settings_are_refused() {
    let vat = rate("VAT", 200_000);
    let c = cart(vec![line(100, 1, &vat)]);
    let base = settings("EUR", true, std::slice::from_ref(&vat), 1);
    let mut cases = Vec::new();
    for increment in [0, -5, MAX_CASH_ROUNDING_INCREMENT + 1] {
        cases.push(PricingSettings { cash_rounding_increment: increment, ..base.clone() });
    }
    cases.push(PricingSettings { manager_discount_threshold: Ppm(1_000_001), ..base.clone() });
    cases.push(PricingSettings { tax_rates: vec![TaxRate { rate: Ppm(1_000_001), ..vat.clone() }], ..base.clone() });
    cases.push(PricingSettings { tax_rates: vec![vat.clone(), vat.clone()], ..base.clone() });
    for s in cases {
        let error = price_cart(&s, &c).unwrap_err();
        assert!(matches!(error, PricingError::InvalidSettings(_)), "{error}");
        assert_eq!(error.code(), "invalid_input");
    }
}

#[test]
fn bad_tenders_get_a_typed_error() {
    let vat = rate("VAT", 200_000);
    let s = settings("EUR", true, std::slice::from_ref(&vat), 1);
    let priced = price_cart(&s, &cart(vec![line(1000, 1, &vat)])).unwrap();
    let reference = |text: &str| Tender::Card { amount: 1000, approval_reference: text.to_string() };
    let cases: Vec<(&str, Vec<Tender>, &str)> = vec![
        ("nothing paid", vec![], "tenders_short"),
        ("cash short", vec![cash(999)], "tenders_short"),
        ("card short", vec![card(999)], "tenders_short"),
        ("split short", vec![card(500), cash(499)], "tenders_short"),
        ("change on a card", vec![card(1001)], "change_not_cash"),
        ("change on a card beside cash", vec![card(1001), cash(500)], "change_not_cash"),
        (
            "change on a voucher",
            vec![Tender::Voucher { amount: 2000, reference: "GIFT-1".to_string() }],
            "change_not_cash",
        ),
        ("zero cash", vec![cash(0), card(1000)], "invalid_amount"),
        ("negative card", vec![card(-1000)], "invalid_amount"),
        ("huge cash", vec![cash(Money::MAX_CASH_MINOR + 1)], "invalid_amount"),
        ("a card number", vec![reference("4111 1111 1111 1111")], "invalid_input"),
        ("a card number with dashes", vec![reference("ref 4111-1111-1111-1")], "invalid_input"),
        // (A card's may be left out where the store does not require it: see below.)
        ("empty voucher reference", vec![Tender::Voucher { amount: 1000, reference: "  ".into() }], "invalid_input"),
        ("control characters", vec![reference("A1\u{1b}[2J")], "invalid_input"),
        ("overlong reference", vec![reference(&"A".repeat(MAX_REFERENCE_CHARS + 1))], "invalid_input"),
        ("empty label", vec![Tender::Other { amount: 1000, label: String::new() }], "invalid_input"),
        ("too many tenders", (0..=MAX_TENDERS).map(|_| cash(100)).collect(), "invalid_input"),
    ];
    for (what, tenders, code) in cases {
        let error = settle(&priced, &tenders).expect_err(what);
        assert_eq!(error.code(), code, "{what}: {error}");
    }
    // A terminal's 12-digit retrieval reference number is not a card number.
    assert!(settle(&priced, &[reference("123456789012")]).is_ok());
    // A priced cart read back damaged fails typed instead of dividing by zero.
    let damaged = PricedCart { cash_rounding_increment: 0, ..priced.clone() };
    assert_eq!(settle(&damaged, &[cash(1000)]).map_err(|e| e.code()), Err("invalid_input"));
    let negative = PricedCart { total: -5, ..priced.clone() };
    assert_eq!(settle(&negative, &[cash(1000)]).map_err(|e| e.code()), Err("invalid_amount"));
    let short = settle(&priced, &[cash(400), card(500)]).unwrap_err();
    assert_eq!(short.to_string(), "the tenders (9.00) do not cover the amount due (10.00)");
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #[test]
    fn allocation_parts_add_up_and_stay_within_one_unit(
        whole in 0_i64..=1_000_000,
        weights in prop::collection::vec(0_i64..=1_000_000, 1..40),
    ) {
        let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
        let parts = allocate(whole, &weights);
        prop_assert_eq!(parts.len(), weights.len());
        if sum == 0 {
            prop_assert!(parts.iter().all(|p| *p == 0));
        } else {
            prop_assert_eq!(parts.iter().sum::<i64>(), whole);
            for (part, weight) in parts.iter().zip(&weights) {
                // The part is its exact share rounded down or up: |part − whole·w/sum| < 1.
                let error = i128::from(*part) * sum - i128::from(whole) * i128::from(*weight);
                prop_assert!(error.abs() < sum, "part {} of weight {}", part, weight);
                if *weight == 0 {
                    prop_assert_eq!(*part, 0);
                }
            }
        }
    }

    #[test]
    fn cash_rounding_is_to_the_nearest_step_half_up(amount in 0_i64..=10_000_000, increment in 1_i64..=1000) {
        let rounded = round_to_increment(amount, increment).unwrap();
        prop_assert_eq!(rounded % increment, 0);
        let off = rounded - amount;
        prop_assert!(2 * off.abs() <= increment);
        // Exactly half way goes up.
        if 2 * off.abs() == increment {
            prop_assert!(off > 0);
        }
    }
}

/// A line of a random cart, before the settings' rates are known.
#[derive(Debug, Clone)]
struct LineSpec {
    rate: usize,
    unit_price: i64,
    quantity: i32,
    discount: DiscountSpec,
    price_override: Option<i64>,
}

/// Amount discounts are drawn as a share of what they discount so that they are valid.
#[derive(Debug, Clone, Copy)]
enum DiscountSpec {
    None,
    Percent(u32),
    ShareAsAmount(u32),
}

fn discount_spec() -> impl Strategy<Value = DiscountSpec> {
    prop_oneof![
        3 => Just(DiscountSpec::None),
        1 => (0_u32..=1_000_000).prop_map(DiscountSpec::Percent),
        1 => (0_u32..=1_000_000).prop_map(DiscountSpec::ShareAsAmount),
    ]
}

fn to_discount(spec: DiscountSpec, base: i64) -> Option<Discount> {
    match spec {
        DiscountSpec::None => None,
        DiscountSpec::Percent(ppm) => Some(Discount::Percent { percent: Ppm(ppm) }),
        DiscountSpec::ShareAsAmount(ppm) => {
            let amount = i128::from(base) * i128::from(ppm) / MILLION;
            Some(Discount::Amount { amount: i64::try_from(amount).unwrap() })
        }
    }
}

fn line_spec(prices: std::ops::RangeInclusive<i64>) -> impl Strategy<Value = LineSpec> {
    (0_usize..8, prices.clone(), 1_i32..=60, discount_spec(), prop::option::weighted(0.1, prices)).prop_map(
        |(rate, unit_price, quantity, discount, price_override)| LineSpec {
            rate,
            unit_price,
            quantity,
            discount,
            price_override,
        },
    )
}

fn any_settings() -> impl Strategy<Value = PricingSettings> {
    let rate_ppm = prop_oneof![Just(0_u32), Just(88_750), Just(190_000), Just(70_000), 0_u32..=1_000_000];
    (
        any::<bool>(),
        prop::collection::vec(rate_ppm, 1..5),
        prop::sample::select(vec![1_i64, 5, 10, 25, 100]),
        0_u32..=1_000_000,
    )
        .prop_map(|(prices_include_tax, rates, increment, threshold)| PricingSettings {
            currency: Currency::USD,
            prices_include_tax,
            tax_rates: rates.into_iter().enumerate().map(|(i, ppm)| rate(&format!("rate {i}"), ppm)).collect(),
            cash_rounding_increment: increment,
            manager_discount_threshold: Ppm(threshold),
            card_reference_required: false,
        })
}

fn build_cart(settings: &PricingSettings, specs: &[LineSpec], receipt: DiscountSpec) -> Cart {
    let lines: Vec<CartLine> = specs
        .iter()
        .map(|spec| {
            let mut l = line(spec.unit_price, spec.quantity, &settings.tax_rates[spec.rate % settings.tax_rates.len()]);
            l.price_override = spec.price_override;
            let extended = spec.price_override.unwrap_or(spec.unit_price) * i64::from(spec.quantity);
            l.discount = to_discount(spec.discount, extended);
            l
        })
        .collect();
    // The receipt discount's base is only known after the line discounts: price once without it.
    let without = Cart { lines: lines.clone(), receipt_discount: None };
    let subtotal = price_cart(settings, &without).map(|p| p.subtotal).unwrap_or(0);
    Cart { lines, receipt_discount: to_discount(receipt, subtotal) }
}

prop_compose! {
    fn any_cart()(
        settings in any_settings(),
        specs in prop::collection::vec(line_spec(0..=2_000_000), 1..40),
        receipt in discount_spec(),
    ) -> (PricingSettings, Cart) {
        let cart = build_cart(&settings, &specs, receipt);
        (settings, cart)
    }
}

/// The sums every priced cart must satisfy, whatever the settings.
fn check_invariants(settings: &PricingSettings, cart: &Cart, priced: &PricedCart) -> Result<(), TestCaseError> {
    let sum = |f: &dyn Fn(&PricedLine) -> i64| priced.lines.iter().map(f).sum::<i64>();
    prop_assert_eq!(priced.lines.len(), cart.lines.len());
    // The line totals add up to the total.
    prop_assert_eq!(sum(&|l| l.total), priced.total);
    // The tax per rate adds up to the receipt's tax, and so do the lines' shares.
    prop_assert_eq!(priced.taxes.iter().map(|t| t.tax).sum::<i64>(), priced.tax);
    prop_assert_eq!(sum(&|l| l.tax), priced.tax);
    prop_assert_eq!(sum(&|l| l.extended), priced.items);
    prop_assert_eq!(sum(&|l| l.line_discount), priced.line_discounts);
    prop_assert_eq!(priced.items - priced.line_discounts, priced.subtotal);
    prop_assert_eq!(sum(&|l| l.receipt_discount), priced.receipt_discount);
    prop_assert_eq!(sum(&|l| l.amount), priced.subtotal - priced.receipt_discount);
    let expected_total = if settings.prices_include_tax { sum(&|l| l.amount) } else { sum(&|l| l.amount) + priced.tax };
    prop_assert_eq!(priced.total, expected_total);
    for (l, input) in priced.lines.iter().zip(&cart.lines) {
        prop_assert_eq!(l.unit_price, input.price_override.unwrap_or(input.product.unit_price));
        prop_assert_eq!(l.extended, l.unit_price * i64::from(l.quantity));
        prop_assert_eq!(l.amount, l.extended - l.line_discount - l.receipt_discount);
        prop_assert!(l.amount >= 0 && l.tax >= 0 && l.line_discount >= 0 && l.receipt_discount >= 0);
        prop_assert_eq!(l.total, if settings.prices_include_tax { l.amount } else { l.amount + l.tax });
    }
    for t in &priced.taxes {
        prop_assert_eq!(t.net + t.tax, t.gross);
        let of_rate = priced.lines.iter().filter(|l| l.tax_rate_id == t.tax_rate_id);
        let (amounts, taxes) = of_rate.fold((0, 0), |(a, x), l| (a + l.amount, x + l.tax));
        prop_assert_eq!(taxes, t.tax);
        let base = if settings.prices_include_tax { t.gross } else { t.net };
        prop_assert_eq!(amounts, base);
        // Rounded once, half up: |tax − exact| ≤ ½.
        let ppm = i128::from(t.rate.0);
        let denominator = if settings.prices_include_tax { MILLION + ppm } else { MILLION };
        let error = 2 * (i128::from(t.tax) * denominator - i128::from(base) * ppm);
        prop_assert!(-denominator < error && error <= denominator, "{:?}", t);
    }
    // Every override is listed for a manager.
    let overrides = cart.lines.iter().filter(|l| l.price_override.is_some()).count();
    let listed = priced.approvals.iter().filter(|a| matches!(a, Approval::PriceOverride { .. })).count();
    prop_assert_eq!(overrides, listed);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_priced_cart_adds_up((settings, cart) in any_cart()) {
        let priced = price_cart(&settings, &cart).unwrap();
        check_invariants(&settings, &cart, &priced)?;
        // Pure: the same input gives the same output.
        prop_assert_eq!(price_cart(&settings, &cart).unwrap(), priced);
    }

    #[test]
    fn tenders_less_change_equal_the_total(
        (settings, cart) in any_cart(),
        card_share in 0_u32..=1_000_000,
        extra_cash in 0_i64..=10_000,
    ) {
        let priced = price_cart(&settings, &cart).unwrap();
        let increment = priced.cash_rounding_increment;
        let card_part = i64::try_from(i128::from(priced.total) * i128::from(card_share) / MILLION).unwrap();
        let mut tenders = Vec::new();
        if card_part > 0 {
            tenders.push(card(card_part));
        }
        let rest = priced.total - card_part;
        if rest > 0 || extra_cash > 0 {
            // Enough to cover the rest however it rounds.
            tenders.push(cash(rest + increment + extra_cash));
        }
        let paid = match settle(&priced, &tenders) {
            Ok(paid) => paid,
            Err(e) => return Err(TestCaseError::fail(format!("{e} for {tenders:?}"))),
        };
        prop_assert_eq!(paid.tendered - paid.change, paid.amount_due);
        prop_assert_eq!(paid.amount_due, priced.total + paid.rounding);
        prop_assert_eq!(paid.tendered, tenders.iter().map(Tender::amount).sum::<i64>());
        prop_assert!(paid.change >= 0 && 2 * paid.rounding.abs() <= increment);
        let has_cash = tenders.iter().any(Tender::is_cash);
        if has_cash {
            prop_assert_eq!(paid.cash_due % increment, 0);
            prop_assert_eq!(paid.cash_due, paid.amount_due - card_part);
            // The exact cash due, and one unit less, settle or fall short as they should.
            let exact = settle(&priced, &[tenders[..tenders.len() - 1].to_vec(), vec![cash(paid.cash_due.max(1))]].concat()).unwrap();
            prop_assert_eq!(exact.change, if paid.cash_due == 0 { 1 } else { 0 });
            if paid.cash_due > 1 {
                let short = settle(&priced, &[tenders[..tenders.len() - 1].to_vec(), vec![cash(paid.cash_due - 1)]].concat());
                prop_assert_eq!(short.map_err(|e| e.code()), Err("tenders_short"));
            }
        } else {
            prop_assert_eq!((paid.rounding, paid.change), (0, 0));
            prop_assert_eq!(priced.total, card_part);
        }
        // Non-cash may not exceed the total; one unit less than the total falls short.
        prop_assert_eq!(settle(&priced, &[card(priced.total + 1)]).map_err(|e| e.code()), Err("change_not_cash"));
        if priced.total > 1 {
            prop_assert_eq!(settle(&priced, &[card(priced.total - 1)]).map_err(|e| e.code()), Err("tenders_short"));
        }
    }
}

/// The tax-inclusive shelf price of a tax-exclusive price `price` at `ppm`: the price plus its
/// tax, rounded half up (what a US price converted to a European shelf label would read).
fn with_tax(price: i64, ppm: u32) -> i64 {
    price + i64::try_from(div_half_up(i128::from(price) * i128::from(ppm), MILLION)).unwrap()
}

fn both_ways(settings: &PricingSettings, specs: &[LineSpec]) -> (PricedCart, PricedCart) {
    let exclusive = PricingSettings { prices_include_tax: false, ..settings.clone() };
    let inclusive = PricingSettings { prices_include_tax: true, ..settings.clone() };
    let net_cart = build_cart(&exclusive, specs, DiscountSpec::None);
    let mut gross_cart = net_cart.clone();
    for l in &mut gross_cart.lines {
        let ppm = settings.tax_rates.iter().find(|r| r.id == l.product.tax_rate_id).unwrap().rate.0;
        l.product.unit_price = with_tax(l.product.unit_price, ppm);
    }
    (price_cart(&exclusive, &net_cart).unwrap(), price_cart(&inclusive, &gross_cart).unwrap())
}

fn plain(spec: LineSpec) -> LineSpec {
    LineSpec { discount: DiscountSpec::None, price_override: None, ..spec }
}

proptest! {
    /// One unit of one product: the exclusive price plus its tax, and that sum taken as an
    /// inclusive price, give the same tax and the same total (the half-up rounding of the
    /// tax-out formula lands back on the tax-on figure).
    #[test]
    fn one_item_prices_the_same_with_tax_included_or_added(settings in any_settings(), spec in line_spec(0..=10_000_000)) {
        let spec = LineSpec { quantity: 1, ..plain(spec) };
        let (exclusive, inclusive) = both_ways(&settings, &[spec]);
        prop_assert_eq!(exclusive.total, inclusive.total);
        prop_assert_eq!(exclusive.tax, inclusive.tax);
        prop_assert_eq!(&exclusive.taxes, &inclusive.taxes);
    }

    /// Prices whose tax is a whole number of minor units: both conventions agree exactly on
    /// every rate's net, tax and gross, whatever the quantities.
    #[test]
    fn whole_unit_taxes_agree_exactly(settings in any_settings(), specs in prop::collection::vec(line_spec(0..=200), 1..30)) {
        let specs: Vec<LineSpec> = specs
            .into_iter()
            .map(|spec| {
                let ppm = settings.tax_rates[spec.rate % settings.tax_rates.len()].rate.0;
                // price × ppm is a multiple of 1 000 000 when price is a multiple of this step.
                let step = 1_000_000 / gcd(ppm, 1_000_000);
                LineSpec { unit_price: spec.unit_price * i64::from(step), ..plain(spec) }
            })
            .collect();
        let (exclusive, inclusive) = both_ways(&settings, &specs);
        prop_assert_eq!(&exclusive.taxes, &inclusive.taxes);
        prop_assert_eq!((exclusive.tax, exclusive.total), (inclusive.tax, inclusive.total));
    }

    /// Any cart without discounts: the two conventions differ only by the per-unit rounding of
    /// the converted shelf prices, at most half a minor unit per unit sold plus half per rate.
    #[test]
    fn included_and_added_tax_differ_by_at_most_the_shelf_rounding(
        settings in any_settings(),
        specs in prop::collection::vec(line_spec(0..=2_000_000), 1..30),
    ) {
        let specs: Vec<LineSpec> = specs.into_iter().map(plain).collect();
        let (exclusive, inclusive) = both_ways(&settings, &specs);
        let units: i64 = specs.iter().map(|s| i64::from(s.quantity)).sum();
        let rates = i64::try_from(exclusive.taxes.len()).unwrap();
        prop_assert!(2 * (exclusive.total - inclusive.total).abs() <= units + rates,
            "{} vs {}", exclusive.total, inclusive.total);
    }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// A card tender's approval reference may be left out unless the location requires it; given,
/// it is checked like any reference (never a card number).
#[test]
fn a_card_reference_is_optional_unless_the_location_requires_it() {
    let vat = rate("VAT", 200_000);
    let base = settings("EUR", true, std::slice::from_ref(&vat), 1);
    let cart = Cart { lines: vec![line(1000, 1, &vat)], receipt_discount: None };
    let card = |reference: &str| vec![Tender::Card { amount: 1000, approval_reference: reference.into() }];
    let optional = price_cart(&base, &cart).unwrap();
    assert!(!optional.card_reference_required);
    assert!(settle(&optional, &card("")).is_ok(), "left out where it is not required");
    assert!(settle(&optional, &card("  ")).is_ok());
    assert!(settle(&optional, &card("AUTH 42")).is_ok());
    assert!(matches!(
        settle(&optional, &card("4111 1111 1111 1111")),
        Err(PricingError::InvalidTenderReference { .. })
    ));
    let strict = price_cart(&PricingSettings { card_reference_required: true, ..base }, &cart).unwrap();
    assert!(strict.card_reference_required, "the pay screen is told");
    for missing in ["", "   "] {
        match settle(&strict, &card(missing)) {
            Err(PricingError::InvalidTenderReference { tender: 0, reason }) => {
                assert!(reason.contains("approval reference"), "{reason}")
            }
            other => panic!("{missing:?}: {other:?}"),
        }
    }
    assert!(settle(&strict, &card("AUTH 42")).is_ok());
}
