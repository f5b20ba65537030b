//! How long `price_cart` takes for a 50-line cart (the target: at most 1 ms in the core).
//!
//! Run in release: `cargo run --release -p till-core --example price_cart_bench [iterations]`.
//! Prints the median, p99 and maximum of single calls, in microseconds. Not a test: timings on a
//! shared machine swing too much to fail a build on.

use std::hint::black_box;
use std::time::Instant;
use till_core::pricing::{price_cart, settle, Cart, CartLine, Discount, Ppm, PricingSettings, ProductSnapshot};
use till_core::{Currency, ProductId, TaxRate, TaxRateId, Tender};

fn main() {
    let iterations: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let rates: Vec<TaxRate> = [("USt 19 %", 190_000), ("USt 7 %", 70_000), ("zero", 0)]
        .into_iter()
        .map(|(name, ppm)| TaxRate {
            id: TaxRateId::new(),
            code: name.to_ascii_uppercase(),
            name: name.to_string(),
            rate: Ppm(ppm),
        })
        .collect();
    let settings = PricingSettings {
        currency: Currency::parse("CHF").expect("CHF is a currency"),
        prices_include_tax: true,
        tax_rates: rates.clone(),
        cash_rounding_increment: 5,
        manager_discount_threshold: Ppm(200_000),
        card_reference_required: false,
    };
    // 50 lines over three rates, a discount on every fifth line, one override, and a receipt
    // discount: every step of the pricing runs.
    let lines = (0..50_i64)
        .map(|i| CartLine {
            product: ProductSnapshot {
                id: ProductId::new(),
                sku: format!("SKU-{i:05}"),
                name: format!("Product number {i}"),
                unit_price: 95 + i * 137,
                tax_rate_id: rates[usize::try_from(i).unwrap_or(0) % rates.len()].id,
                category: "grocery".to_string(),
            },
            quantity: i32::try_from(1 + i % 4).unwrap_or(1),
            discount: match i % 10 {
                0 => Some(Discount::Percent { percent: Ppm(150_000) }),
                5 => Some(Discount::Amount { amount: 50 }),
                _ => None,
            },
            price_override: (i == 7).then_some(500),
        })
        .collect();
    let cart = Cart { lines, receipt_discount: Some(Discount::Percent { percent: Ppm(50_000) }) };

    let priced = price_cart(&settings, &cart).expect("the benchmark cart prices");
    let tenders = [
        Tender::Card { amount: priced.total / 2, approval_reference: "A1B2C3".into() },
        Tender::Cash { amount: priced.total },
    ];
    settle(&priced, &tenders).expect("the benchmark tenders settle");

    for _ in 0..iterations / 10 {
        black_box(price_cart(black_box(&settings), black_box(&cart)).ok());
    }
    let mut price_ns = Vec::with_capacity(iterations);
    let mut settle_ns = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let priced = price_cart(black_box(&settings), black_box(&cart));
        let priced_at = Instant::now();
        if let Ok(priced) = &priced {
            black_box(settle(priced, black_box(&tenders)).ok());
        }
        let settled_at = Instant::now();
        price_ns.push(nanos(priced_at - start));
        settle_ns.push(nanos(settled_at - priced_at));
    }
    println!(
        "{} lines, {} iterations, total {} (cash {})",
        cart.lines.len(),
        iterations,
        priced.total,
        priced.cash_total
    );
    report("price_cart", &mut price_ns);
    report("settle", &mut settle_ns);
}

fn nanos(elapsed: std::time::Duration) -> u64 {
    u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
}

/// Integer microseconds with three decimals: no floating point in this workspace.
fn micros(ns: u64) -> String {
    format!("{}.{:03} µs", ns / 1000, ns % 1000)
}

fn report(name: &str, samples: &mut [u64]) {
    samples.sort_unstable();
    let at = |per_mille: usize| samples[(samples.len() - 1) * per_mille / 1000];
    println!(
        "{name:<10} median {}  p99 {}  max {}",
        micros(at(500)),
        micros(at(990)),
        micros(samples[samples.len() - 1])
    );
}
