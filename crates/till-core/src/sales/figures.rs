//! What a store recomputes before it records a receipt: every figure must follow from the receipt's
//! lines as till-core prices them, so a client (or someone with the till's database credential)
//! cannot record a 10.00 line at 0.01 by editing a total, hide money in the rounding, or refund a
//! line at an amount it makes up. SQLite's store calls these; PostgreSQL's copy of the same rules
//! is till_receipt_figures.sql, and `tests/contract/figures.rs` runs both against random carts and
//! perturbations of them.

use super::{NewReceipt, ReceiptKind, ReceiptLine};
use crate::money::Money;
use crate::pricing::{MAX_LINES, MAX_QUANTITY, MAX_TENDERS};
use std::collections::BTreeMap;

const MILLION: i128 = 1_000_000;

/// `numerator / denominator`, half up (both ≥ 0), as pricing divides.
fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

fn bounded(value: i128) -> bool {
    (0..=i128::from(Money::MAX_CASH_MINOR)).contains(&value)
}

/// Why a store refuses a receipt's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A figure does not follow from the lines (`invalid_input`).
    Figures(String),
    /// A refund of more than is left of a sold line (`refund_exceeds_sale`).
    MoreThanLeft(String),
}

impl From<Refused> for crate::StoreError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Figures(why) => crate::Refusal::Rejected(why).into(),
            Refused::MoreThanLeft(why) => crate::Refusal::RefundExceedsSale(why).into(),
        }
    }
}

fn wrong(what: impl Into<String>) -> Result<(), Refused> {
    Err(Refused::Figures(what.into()))
}

/// The rate's tax on `base`, half up: of a gross when prices include tax, of a net otherwise.
pub fn rate_tax(base: i64, rate_ppm: u32, prices_include_tax: bool) -> i64 {
    let ppm = i128::from(rate_ppm);
    let tax = if prices_include_tax {
        div_half_up(i128::from(base) * ppm, MILLION + ppm)
    } else {
        div_half_up(i128::from(base) * ppm, MILLION)
    };
    i64::try_from(tax).unwrap_or(i64::MAX)
}

/// A sale's figures: each line's arithmetic, each rate's tax recomputed from its lines, the
/// receipt's sums, and the settlement (rounding only on the cash part, to `increment`).
pub fn check_sale(r: &NewReceipt, increment: i64) -> Result<(), Refused> {
    if r.kind != ReceiptKind::Sale {
        return wrong("not a sale");
    }
    if r.lines.is_empty() || r.lines.len() > MAX_LINES {
        return wrong(format!("a sale has 1 to {MAX_LINES} lines"));
    }
    for (i, l) in r.lines.iter().enumerate() {
        let extended = i128::from(l.unit_price) * i128::from(l.quantity);
        let total = if r.prices_include_tax { i128::from(l.amount) } else { i128::from(l.amount) + i128::from(l.tax) };
        if !(1..=MAX_QUANTITY).contains(&l.quantity)
            || !bounded(i128::from(l.unit_price))
            || !bounded(i128::from(l.catalog_unit_price))
            || !bounded(extended)
            || i128::from(l.extended) != extended
            || !(0..=l.extended).contains(&l.line_discount)
            || l.receipt_discount < 0
            || i128::from(l.amount)
                != i128::from(l.extended) - i128::from(l.line_discount) - i128::from(l.receipt_discount)
            || l.amount < 0
            || l.tax < 0
            || i128::from(l.total) != total
            || l.refund_of_line.is_some()
        {
            return wrong(format!("line {i} does not add up"));
        }
    }
    check_taxes(r, Some(r.prices_include_tax))?;
    check_shares(r)?;
    let sum = |f: fn(&ReceiptLine) -> i64| r.lines.iter().map(|l| i128::from(f(l))).sum::<i128>();
    if i128::from(r.subtotal) != sum(|l| l.extended - l.line_discount)
        || i128::from(r.discount) != sum(|l| l.line_discount + l.receipt_discount)
        || i128::from(r.total) != sum(|l| l.total)
        || !bounded(i128::from(r.total))
    {
        return wrong("the receipt's sums do not follow from its lines");
    }
    check_settlement(r, increment)
}

/// A sale's receipt discount and each rate's tax, split over the lines as pricing splits them
/// (`pricing::allocate`, largest remainder, in the lines' order): the discount by each line's
/// amount after its line discount, a rate's tax by its lines' amounts. The sums alone would let
/// a client put a whole receipt discount on one line and then refund the others at full price,
/// or move tax between lines that are refunded apart. Called after the lines' bounds and
/// `check_taxes`, so every figure here is bounded and each rate's tax is its lines' taxes.
fn check_shares(r: &NewReceipt) -> Result<(), Refused> {
    let weights: Vec<i64> = r.lines.iter().map(|l| l.extended - l.line_discount).collect();
    let discount: i64 = r.lines.iter().map(|l| l.receipt_discount).sum();
    let shares = crate::pricing::allocate(discount, &weights);
    if r.lines.iter().zip(&shares).any(|(l, share)| l.receipt_discount != *share) {
        return wrong("the receipt discount is not split over the lines in proportion to their amounts");
    }
    let rates: std::collections::BTreeSet<_> = r.lines.iter().map(|l| l.tax_rate_id).collect();
    for rate in rates {
        let of_rate = |l: &&ReceiptLine| l.tax_rate_id == rate;
        let amounts: Vec<i64> = r.lines.iter().map(|l| if of_rate(&l) { l.amount } else { 0 }).collect();
        let tax: i64 = r.lines.iter().filter(of_rate).map(|l| l.tax).sum();
        let shares = crate::pricing::allocate(tax, &amounts);
        if r.lines.iter().zip(&shares).any(|(l, share)| of_rate(&l) && l.tax != *share) {
            return wrong("a rate's tax is not split over its lines in proportion to their amounts");
        }
    }
    Ok(())
}

/// Each rate's tax row: one per rate the lines use, its tax the sum of its lines' taxes, net and
/// gross to match, and the receipt's tax their sum. A sale (`recompute` = its pricing
/// convention) also has each rate's tax recomputed from its lines' amounts; a refund's lines'
/// taxes are each their sold line's share, checked line by line.
fn check_taxes(r: &NewReceipt, recompute: Option<bool>) -> Result<(), Refused> {
    // rate id → (ppm, Σ amount, Σ tax, Σ total)
    let mut rates: BTreeMap<_, (u32, i128, i128, i128)> = BTreeMap::new();
    for l in &r.lines {
        let entry = rates.entry(l.tax_rate_id.0).or_insert((l.rate_ppm, 0, 0, 0));
        if entry.0 != l.rate_ppm {
            return wrong("one tax rate with two percentages");
        }
        entry.1 += i128::from(l.amount);
        entry.2 += i128::from(l.tax);
        entry.3 += i128::from(l.total);
    }
    let rows: std::collections::BTreeSet<_> = r.taxes.iter().map(|t| t.tax_rate_id.0).collect();
    if r.taxes.len() != rates.len() || rows.len() != rates.len() {
        return wrong("one tax row per rate the lines use");
    }
    let mut tax = 0_i128;
    for t in &r.taxes {
        let Some(&(ppm, base, line_tax, gross)) = rates.get(&t.tax_rate_id.0) else {
            return wrong("a tax row for a rate no line uses");
        };
        let recomputed = match recompute {
            Some(inclusive) => {
                let base = i64::try_from(base).map_err(|_| Refused::Figures("a tax base out of range".into()))?;
                i128::from(rate_tax(base, ppm, inclusive))
            }
            None => line_tax,
        };
        if t.rate_ppm != ppm
            || i128::from(t.tax) != recomputed
            || line_tax != recomputed
            || i128::from(t.gross) != gross
            || i128::from(t.net) != gross - recomputed
        {
            return wrong(format!("the tax at {ppm} ppm does not follow from its lines"));
        }
        tax += i128::from(t.tax);
    }
    if i128::from(r.tax) != tax {
        return wrong("the receipt's tax is not its rates' taxes");
    }
    Ok(())
}

/// What `exact` is in cash: rounded half up to the location's `increment` (CHF 0.05: 5), the
/// one rule for a cash sale's amount due and a cash refund's amount paid out.
pub fn cash_due(exact: i128, increment: i64) -> i128 {
    let increment = i128::from(increment.max(1));
    div_half_up(exact.max(0), increment) * increment
}

/// The tenders: each one bounded, non-cash never above the total, the cash part rounded to the
/// location's increment (and only when cash is tendered), change only from cash.
fn check_settlement(r: &NewReceipt, increment: i64) -> Result<(), Refused> {
    if r.tenders.len() > MAX_TENDERS {
        return wrong(format!("at most {MAX_TENDERS} tenders"));
    }
    let (mut cash, mut non_cash, mut any_cash) = (0_i128, 0_i128, false);
    for t in &r.tenders {
        if !(1..=Money::MAX_CASH_MINOR).contains(&t.amount) {
            return wrong("a tender's amount is out of range");
        }
        if t.kind == "cash" {
            cash += i128::from(t.amount);
            any_cash = true;
        } else {
            non_cash += i128::from(t.amount);
        }
    }
    let total = i128::from(r.total);
    let exact_cash_due = total - non_cash;
    let cash_due = if any_cash { cash_due(exact_cash_due, increment) } else { exact_cash_due };
    if non_cash > total
        || i128::from(r.rounding) != cash_due - exact_cash_due
        || cash < cash_due
        || i128::from(r.change) != cash - cash_due
        || i128::from(r.tendered) != cash + non_cash
        || i128::from(r.cash_net) != cash - i128::from(r.change)
    {
        return wrong("the tenders do not settle the total");
    }
    Ok(())
}

/// What is left of a sold line before a refund: its quantity, total and tax, and what earlier
/// refunds gave back.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineLeft {
    pub sold_quantity: i32,
    pub sold_total: i64,
    pub sold_tax: i64,
    pub refunded_quantity: i32,
    pub refunded_total: i64,
    pub refunded_tax: i64,
}

impl LineLeft {
    /// What is left of a sold line, as the receipt read back from a store shows it (its
    /// refunded figures are what line_refunds holds).
    pub fn of(sold: &ReceiptLine) -> LineLeft {
        LineLeft {
            sold_quantity: sold.quantity,
            sold_total: sold.total,
            sold_tax: sold.tax,
            refunded_quantity: sold.refunded_quantity,
            refunded_total: sold.refunded_total,
            refunded_tax: sold.refunded_tax,
        }
    }
}

/// A refund line's total and tax, from the sold line: its share of what was paid, half up; the
/// last units give back exactly what is left (so refunds of a whole line add up to it).
pub fn refund_share(left: &LineLeft, quantity: i32) -> (i64, i64) {
    if left.refunded_quantity + quantity >= left.sold_quantity {
        return (left.sold_total - left.refunded_total, left.sold_tax - left.refunded_tax);
    }
    let share = |whole: i64| {
        let v = div_half_up(i128::from(whole) * i128::from(quantity), i128::from(left.sold_quantity.max(1)));
        i64::try_from(v).unwrap_or(i64::MAX)
    };
    (share(left.sold_total), share(left.sold_tax))
}

/// A refund's figures: each line its sold line's share (`original`: the sold line and what is
/// left of it, by line number), the taxes its lines' taxes, one tender of the whole total.
pub fn check_refund(
    r: &NewReceipt,
    original: &BTreeMap<u32, (ReceiptLine, LineLeft)>,
    sold_prices_include_tax: bool,
    increment: i64,
) -> Result<(), Refused> {
    if r.kind != ReceiptKind::Refund || r.prices_include_tax != sold_prices_include_tax {
        return wrong("a refund is priced as its sale was");
    }
    if r.lines.is_empty() || r.lines.len() > MAX_LINES {
        return wrong(format!("a refund has 1 to {MAX_LINES} lines"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, l) in r.lines.iter().enumerate() {
        let Some((sold, left)) = l.refund_of_line.and_then(|n| original.get(&n)) else {
            return wrong(format!("refund line {i} names no line of the sale"));
        };
        let remaining = left.sold_quantity - left.refunded_quantity;
        if !(1..=remaining).contains(&l.quantity) || !seen.insert(sold.line_no) {
            return Err(Refused::MoreThanLeft(format!(
                "line {} of the sale: {} asked, {remaining} left to refund",
                sold.line_no, l.quantity
            )));
        }
        let (total, tax) = refund_share(left, l.quantity);
        let amount = if r.prices_include_tax { total } else { total - tax };
        // What the refund receipt names is what was sold: a refund of the 0.99 cable cannot be
        // printed as the TV, nor the other way round.
        if (l.product_id, l.tax_rate_id, l.rate_ppm, l.unit_price)
            != (sold.product_id, sold.tax_rate_id, sold.rate_ppm, sold.unit_price)
            || (&l.sku, &l.name, &l.category) != (&sold.sku, &sold.name, &sold.category)
            || (l.total, l.tax, l.amount) != (total, tax, amount)
            || i128::from(l.extended) != i128::from(sold.unit_price) * i128::from(l.quantity)
            || l.line_discount != l.extended - amount
            || l.line_discount < 0
            || l.receipt_discount != 0
        {
            return wrong(format!("refund line {i} is not its share of the sale"));
        }
    }
    check_taxes(r, None)?;
    let sum = |f: fn(&ReceiptLine) -> i64| r.lines.iter().map(|l| i128::from(f(l))).sum::<i128>();
    let cash = r.tenders.iter().filter(|t| t.kind == "cash").map(|t| i128::from(t.amount)).sum::<i128>();
    // Back to a card: its total exactly. In cash: rounded as a cash sale is (refund_settlement).
    let to_card = r.tenders.iter().any(|t| t.kind != "cash");
    let total = i128::from(r.total);
    let due = if to_card { total } else { cash_due(total, increment) };
    if i128::from(r.subtotal) != sum(|l| l.amount)
        || i128::from(r.discount) != sum(|l| l.line_discount)
        || total != sum(|l| l.total)
        || i128::from(r.rounding) != due - total
        || r.change != 0
        || i128::from(r.tendered) != due
        || (due > 0 && (r.tenders.len() != 1 || i128::from(r.tenders[0].amount) != due))
        || (due == 0 && !r.tenders.is_empty())
        || i128::from(r.cash_net) != -cash
    {
        return wrong("the refund's sums do not follow from its lines");
    }
    Ok(())
}
