//! Pricing a cart and settling its tenders: the arithmetic of a sale, in integers only.
//!
//! [`price_cart`] turns a [`Cart`] (catalog snapshots of the products, quantities, discounts,
//! price overrides) and the location's [`PricingSettings`] into a [`PricedCart`]: its lines,
//! discounts, tax per rate, totals, and the manager approvals it needs. [`settle`] takes a priced
//! cart and the [`Tender`]s and answers a [`Settlement`]: the cash rounding, what is due and the
//! change. Both are pure (no clock, no database, no I/O): the same input always gives the same
//! output, so the desktop app, tillctl and a replay of the journal agree to the cent.
//!
//! The UI never sends a price or a total: it sends product ids, quantities and discounts, the
//! store looks the products up and builds the [`Cart`] from its own catalog rows.
//!
//! # Rounding rules
//!
//! Amounts are `i64` minor units of the location's currency (cents; JPY has none). Percentages
//! (tax rates, discounts, the manager threshold) are integer parts per million ([`Ppm`]):
//! 8.875 % is `88750`, 19 % is `190000`. Products of the two are formed in `i128`, then divided
//! once. Every division rounds **half up**: a remainder of exactly one half goes up (every
//! amount divided is zero or positive, so half up is also half away from zero).
//!
//! 1. **Unit price**: the catalog price, or the price override when one is given.
//! 2. **Line before discounts** = unit price × quantity, exact.
//! 3. **Line discount**: an amount is taken as given and may not exceed the line; a percentage
//!    is `round_half_up(line × percent)`.
//! 4. **Receipt discount**: computed on the subtotal (the lines after their own discounts): an
//!    amount as given, at most the subtotal; a percentage as `round_half_up(subtotal × percent)`.
//!    It is allocated to the lines in proportion to their amounts after line discounts by the
//!    **largest-remainder method**: each line gets the floor of its exact share, and the minor
//!    units left over go one each to the lines with the largest remainders (on a tie, the
//!    earlier line). The parts add up exactly to the receipt discount and no line goes below
//!    zero.
//! 5. **Tax, per rate per receipt**: the lines' amounts after all discounts are added up per tax
//!    rate (the base), and each rate's tax is rounded once, half up:
//!    - prices exclude tax (US, CA): `tax = round_half_up(base × rate)`; the rate's gross is
//!      base + tax.
//!    - prices include tax (EU, UK, AU): `tax = round_half_up(base × rate / (1 + rate))`,
//!      computed as `base × ppm / (1 000 000 + ppm)`; the rate's gross is the base and its net
//!      is base − tax.
//!
//!    Each rate's tax is then allocated to that rate's lines by the same largest-remainder
//!    method, so the lines' taxes add up to their rate's tax (a refund of one line can give back
//!    its share), and the rates' taxes add up to the receipt's tax.
//! 6. **Totals**: a line's total is its amount after discounts, plus its tax share when prices
//!    exclude tax. The receipt's total is the sum of the line totals.
//! 7. **Cash rounding**: a location may set a rounding increment in minor units (5 for CHF's
//!    0.05 and for Canada, which has no pennies; 1 means no rounding). Only the part of a sale
//!    paid in cash is rounded, to the nearest multiple of the increment, half up (with 5:
//!    x.x1 and x.x2 go down to x.x0, x.x3 and x.x4 up to x.x5). With split tenders the card,
//!    voucher and other tenders are applied first at their exact amounts and the remainder due
//!    in cash is rounded (Canada's rule). The difference is recorded on the sale as its own
//!    rounding line: tendered − change = total + rounding. A sale with no cash tender is
//!    never rounded.
//! 8. **Change** comes only from cash: the non-cash tenders together may not exceed the total,
//!    and change = cash handed over − cash due (after rounding).
//! 9. **Manager approval**: every price override, and every line or receipt discount above the
//!    location's threshold percentage, needs a manager. An amount discount is compared as
//!    amount ÷ the amount it discounts, exactly (no rounding). [`price_cart`] lists each
//!    [`Approval`] needed and why; the caller obtains the manager's PIN.
//!
//! Limits: 1 to [`MAX_LINES`] lines, quantities 1 to [`MAX_QUANTITY`], at most [`MAX_TENDERS`]
//! tenders; every price, line and total is at most [`Money::MAX_CASH_MINOR`] minor units.
//! Arithmetic is checked: anything beyond those bounds is an error, never a wrapped number.

use crate::domain::{check_text, ProductId, TaxRateId};
use crate::error::ErrorCode;
use crate::money::{Currency, Money};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most lines one sale may have.
pub const MAX_LINES: usize = 500;
/// The largest quantity of one line (a barcode scanned into the quantity field is refused).
pub const MAX_QUANTITY: i32 = 10_000;
/// The most tenders one sale may be paid with.
pub const MAX_TENDERS: usize = 20;
/// The largest cash rounding increment, in minor units (100 would round to whole units of a
/// two-decimal currency; 10 000 leaves room for currencies whose coins are larger).
pub const MAX_CASH_ROUNDING_INCREMENT: i64 = 10_000;
/// The longest tender reference (a card terminal's approval reference, a voucher code).
pub const MAX_REFERENCE_CHARS: usize = 64;

const MILLION: i128 = 1_000_000;

#[cfg(test)]
mod tests;

/// A proportion in parts per million: 8.875 % is `Ppm(88_750)`, 100 % is `Ppm(1_000_000)`.
/// Tax rates, percentage discounts and the manager threshold are stored exactly this way.
///
/// Any `u32` can be held (it is what the database and the UI send); [`price_cart`] refuses
/// values above 100 % with a typed error.
// A newtype struct: serde reads and writes it as the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
pub struct Ppm(pub u32);

impl Ppm {
    pub const ZERO: Ppm = Ppm(0);
    pub const ONE_HUNDRED_PERCENT: Ppm = Ppm(1_000_000);

    /// Parses a percentage typed by a person: `"8.875"` (or `"8.875 %"`) is `Ppm(88_750)`.
    /// At most four decimals (a part per million of the whole), 0 to 100.
    pub fn parse_percent(text: &str) -> Result<Ppm, crate::error::InputError> {
        let bad = || crate::error::InputError::Invalid {
            field: "percentage",
            reason: format!("{:?} must be a percentage from 0 to 100 with at most 4 decimals, like 8.875", text),
        };
        let trimmed = text.trim().trim_end_matches('%').trim_end();
        let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 3 || !digits(whole) || fraction.len() > 4 || !digits(fraction) {
            return Err(bad());
        }
        if trimmed.ends_with('.') {
            return Err(bad());
        }
        let mut ppm: u32 = 0;
        for digit in whole.bytes().chain(fraction.bytes().chain(std::iter::repeat(b'0')).take(4)) {
            ppm = ppm * 10 + u32::from(digit - b'0');
        }
        if ppm > Ppm::ONE_HUNDRED_PERCENT.0 {
            return Err(bad());
        }
        Ok(Ppm(ppm))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Ppm {
    /// As a percentage without trailing zeros: `8.875%`, `19%`, `0.0001%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, fraction) = (self.0 / 10_000, self.0 % 10_000);
        if fraction == 0 {
            return write!(f, "{whole}%");
        }
        let fraction = format!("{fraction:04}");
        write!(f, "{whole}.{}%", fraction.trim_end_matches('0'))
    }
}

/// One of a location's tax rates ("NY sales tax", "USt 19 %", "USt 7 %").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TaxRate {
    #[ts(type = "string")]
    pub id: TaxRateId,
    /// Short and unique within the location (`STD`, `FOOD`): what catalog files name.
    pub code: String,
    pub name: String,
    /// At most 100 %.
    pub rate: Ppm,
}

/// What a location decides about prices: the pricing part of its settings, read by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PricingSettings {
    #[ts(type = "string")]
    pub currency: Currency,
    /// True where shelf prices include tax (EU, UK, AU); false where tax is added at the till
    /// (US, CA).
    pub prices_include_tax: bool,
    /// The location's tax rates, in the order receipts list them. Ids are unique.
    pub tax_rates: Vec<TaxRate>,
    /// Cash payments are rounded to a multiple of this many minor units: 5 for CHF or CAD,
    /// 1 for no rounding. 1 to [`MAX_CASH_ROUNDING_INCREMENT`].
    #[ts(type = "number")]
    pub cash_rounding_increment: i64,
    /// Discounts above this percentage need a manager (100 %: none do; 0: every discount does).
    pub manager_discount_threshold: Ppm,
    /// A card tender must carry the card terminal's approval reference (the location's setting).
    #[serde(default)]
    pub card_reference_required: bool,
}

/// A discount on a line or on the whole receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Discount {
    /// So many minor units off; at most what it discounts.
    Amount {
        /// So much off, in minor units (an integer: 1.50 off is 150), from 0 to what it
        /// discounts.
        #[ts(type = "number")]
        #[schemars(range(min = 0, max = "Money::MAX_CASH_MINOR"))]
        amount: i64,
    },
    /// A percentage off, at most 100 %.
    Percent {
        /// Parts per million (an integer: 10 % is 100000, 8.875 % is 88750), 0 to 1000000.
        #[schemars(with = "u32", range(max = 1_000_000))]
        percent: Ppm,
    },
}

/// A product as the catalog had it when it was put in the cart. The store builds it from its
/// own rows; the UI never supplies a price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ProductSnapshot {
    #[ts(type = "string")]
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    /// Price of one unit in minor units, with or without tax as the location's
    /// [`PricingSettings::prices_include_tax`] says. 0 to [`Money::MAX_CASH_MINOR`].
    #[ts(type = "number")]
    pub unit_price: i64,
    /// One of the location's [`PricingSettings::tax_rates`].
    #[ts(type = "string")]
    pub tax_rate_id: TaxRateId,
    pub category: String,
}

/// One line of a cart: a product, how many, and what the cashier changed about its price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CartLine {
    pub product: ProductSnapshot,
    /// 1 to [`MAX_QUANTITY`].
    pub quantity: i32,
    pub discount: Option<Discount>,
    /// A unit price that replaces the catalog's; always needs a manager.
    #[ts(type = "number | null")]
    pub price_override: Option<i64>,
}

/// What is being sold: 1 to [`MAX_LINES`] lines and an optional discount on the whole receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Cart {
    pub lines: Vec<CartLine>,
    pub receipt_discount: Option<Discount>,
}

/// One priced line, in the cart's order. Amounts are minor units of the cart's currency.
///
/// `extended − line_discount − receipt_discount = amount`; `total` is `amount` when prices
/// include tax and `amount + tax` when they exclude it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PricedLine {
    #[ts(type = "string")]
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: String,
    #[ts(type = "string")]
    pub tax_rate_id: TaxRateId,
    pub quantity: i32,
    #[ts(type = "number")]
    pub catalog_unit_price: i64,
    /// The override when there is one, else the catalog price.
    #[ts(type = "number")]
    pub unit_price: i64,
    /// Unit price × quantity.
    #[ts(type = "number")]
    pub extended: i64,
    #[ts(type = "number")]
    pub line_discount: i64,
    /// This line's share of the receipt discount.
    #[ts(type = "number")]
    pub receipt_discount: i64,
    /// After both discounts, in the location's price convention (with or without tax).
    #[ts(type = "number")]
    pub amount: i64,
    /// This line's share of its rate's tax.
    #[ts(type = "number")]
    pub tax: i64,
    /// What the customer pays for this line, tax included.
    #[ts(type = "number")]
    pub total: i64,
}

/// The tax of one rate on one receipt: `net + tax = gross`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TaxLine {
    #[ts(type = "string")]
    pub tax_rate_id: TaxRateId,
    pub name: String,
    pub rate: Ppm,
    /// The amounts of this rate's lines, tax excluded.
    #[ts(type = "number")]
    pub net: i64,
    #[ts(type = "number")]
    pub tax: i64,
    /// The amounts of this rate's lines, tax included.
    #[ts(type = "number")]
    pub gross: i64,
}

/// Why a cart needs a manager's approval. Lines are numbered from 0, in the cart's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Approval {
    /// A line discount above the threshold; `percent` is the discount's share of the line,
    /// rounded up to a whole ppm.
    LineDiscount { line: u32, percent: Ppm },
    /// A receipt discount above the threshold, as a share of the subtotal (rounded up).
    ReceiptDiscount { percent: Ppm },
    /// A line's price was overridden.
    PriceOverride {
        line: u32,
        #[ts(type = "number")]
        catalog_unit_price: i64,
        #[ts(type = "number")]
        unit_price: i64,
    },
}

/// A priced cart: what [`price_cart`] answers. Amounts are minor units of `currency`.
///
/// Invariants (held by the property tests):
/// `subtotal = items − line_discounts`; the lines' amounts add up to
/// `subtotal − receipt_discount`; the lines' totals add up to `total`; the lines' taxes, and
/// the tax lines' taxes, add up to `tax`; `total` includes `tax` either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PricedCart {
    #[ts(type = "string")]
    pub currency: Currency,
    pub prices_include_tax: bool,
    pub lines: Vec<PricedLine>,
    /// One per rate used, in the order of the location's tax rates.
    pub taxes: Vec<TaxLine>,
    /// The lines before any discount.
    #[ts(type = "number")]
    pub items: i64,
    #[ts(type = "number")]
    pub line_discounts: i64,
    /// After line discounts, before the receipt discount.
    #[ts(type = "number")]
    pub subtotal: i64,
    #[ts(type = "number")]
    pub receipt_discount: i64,
    #[ts(type = "number")]
    pub tax: i64,
    /// What the customer owes, tax included, before any cash rounding.
    #[ts(type = "number")]
    pub total: i64,
    /// What the customer owes when paying it all in cash (`total` rounded to the increment).
    #[ts(type = "number")]
    pub cash_total: i64,
    #[ts(type = "number")]
    pub cash_rounding_increment: i64,
    /// A card tender must carry the card terminal's approval reference (the location's
    /// setting): the pay screen asks for it, or offers it as optional.
    #[serde(default)]
    pub card_reference_required: bool,
    /// Empty when no manager is needed.
    pub approvals: Vec<Approval>,
}

impl PricedCart {
    /// True when a manager must approve before the sale is recorded.
    pub fn needs_manager(&self) -> bool {
        !self.approvals.is_empty()
    }
}

/// One way the customer pays. Amounts are minor units of the cart's currency, 1 to 10^12
/// (`Money::MAX_CASH_MINOR`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tender {
    /// Cash handed over; the only tender change is given from.
    Cash {
        /// Cash handed over, in minor units (an integer: 20.00 is 2000), 1 to 10^12. What is
        /// above the cash due is the change.
        #[ts(type = "number")]
        #[schemars(range(min = 1, max = "Money::MAX_CASH_MINOR"))]
        amount: i64,
    },
    /// A card charged on the external terminal. Only the terminal's approval reference is
    /// kept, never a card number: a reference holding 13 or more digits in a row is refused.
    Card {
        /// Charged to the card, in minor units (an integer: 5.00 is 500), 1 to 10^12.
        #[ts(type = "number")]
        #[schemars(range(min = 1, max = "Money::MAX_CASH_MINOR"))]
        amount: i64,
        /// The card terminal's approval reference of the charge (`AUTH 42`), 1 to 64
        /// characters; 13 or more digits in a row are refused as a card number.
        approval_reference: String,
    },
    /// A gift voucher or coupon, named by its code.
    Voucher {
        /// The voucher's value taken, in minor units (an integer: 10.00 is 1000), 1 to 10^12.
        #[ts(type = "number")]
        #[schemars(range(min = 1, max = "Money::MAX_CASH_MINOR"))]
        amount: i64,
        /// The voucher's code or number, 1 to 64 characters.
        reference: String,
    },
    /// Anything else the location accepts (a cheque, an account), named by a label.
    Other {
        /// Paid this way, in minor units (an integer: 12.34 is 1234), 1 to 10^12.
        #[ts(type = "number")]
        #[schemars(range(min = 1, max = "Money::MAX_CASH_MINOR"))]
        amount: i64,
        /// What it is (`cheque 1042`, `house account`), 1 to 64 characters.
        label: String,
    },
}

impl Tender {
    pub fn amount(&self) -> i64 {
        match self {
            Tender::Cash { amount }
            | Tender::Card { amount, .. }
            | Tender::Voucher { amount, .. }
            | Tender::Other { amount, .. } => *amount,
        }
    }

    pub fn is_cash(&self) -> bool {
        matches!(self, Tender::Cash { .. })
    }
}

/// How a priced cart was paid: what [`settle`] answers. Amounts are minor units.
///
/// `tendered − change = amount_due = total + rounding`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Settlement {
    /// The priced cart's total.
    #[ts(type = "number")]
    pub total: i64,
    /// The cash rounding line (negative when rounded down); 0 without a cash tender.
    #[ts(type = "number")]
    pub rounding: i64,
    /// What the tenders pay for: total + rounding.
    #[ts(type = "number")]
    pub amount_due: i64,
    /// The part of `amount_due` paid in cash.
    #[ts(type = "number")]
    pub cash_due: i64,
    #[ts(type = "number")]
    pub tendered: i64,
    /// Given back in cash.
    #[ts(type = "number")]
    pub change: i64,
    pub tenders: Vec<Tender>,
}

/// Why a cart could not be priced or its tenders settled. Lines and tenders are numbered from 0
/// in the fields and from 1 in the messages (what a cashier counts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("a sale needs at least one line")]
    EmptyCart,
    #[error("a sale has at most {max} lines; this one has {lines}")]
    TooManyLines { lines: usize, max: usize },
    #[error("line {}: the quantity must be 1 to {MAX_QUANTITY}, not {quantity}", .line + 1)]
    InvalidQuantity { line: usize, quantity: i32 },
    #[error("line {}: the {what} must be from 0 to {}, not {price}", .line + 1, Money::from_minor(Money::MAX_CASH_MINOR, price.currency()))]
    InvalidPrice { line: usize, what: &'static str, price: Money },
    #[error("{}: a discount amount cannot be negative ({amount})", where_(.line))]
    NegativeDiscount { line: Option<usize>, amount: Money },
    /// Above 100 %, or an amount above what it discounts.
    #[error("{}: the discount ({discount}) is more than {limit}", where_(.line))]
    DiscountTooLarge { line: Option<usize>, discount: String, limit: String },
    #[error("line {}: tax rate {tax_rate} is not one of this location's", .line + 1)]
    UnknownTaxRate { line: usize, tax_rate: TaxRateId },
    #[error("the location's pricing settings are not usable: {0}")]
    InvalidSettings(String),
    /// A sum beyond [`Money::MAX_CASH_MINOR`] (or beyond i64, which that bound keeps away).
    #[error("{0} is too large: amounts are at most {max} minor units", max = Money::MAX_CASH_MINOR)]
    TooLarge(&'static str),
    #[error("a sale is paid with at most {max} tenders; this one has {tenders}")]
    TooManyTenders { tenders: usize, max: usize },
    #[error("tender {}: the amount must be from {} to {}, not {amount}", .tender + 1, Money::from_minor(1, amount.currency()), Money::from_minor(Money::MAX_CASH_MINOR, amount.currency()))]
    InvalidTenderAmount { tender: usize, amount: Money },
    #[error("tender {}: {reason}", .tender + 1)]
    InvalidTenderReference { tender: usize, reason: String },
    #[error("the tenders ({tendered}) do not cover the amount due ({due})")]
    TendersShort { due: Money, tendered: Money },
    #[error(
        "change is given only in cash: the card, voucher and other tenders ({non_cash}) exceed the total ({total})"
    )]
    ChangeNotCash { total: Money, non_cash: Money },
}

fn where_(line: &Option<usize>) -> String {
    match line {
        Some(line) => format!("line {}", line + 1),
        None => "receipt".to_string(),
    }
}

impl PricingError {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            PricingError::EmptyCart
            | PricingError::TooManyLines { .. }
            | PricingError::UnknownTaxRate { .. }
            | PricingError::InvalidSettings(_)
            | PricingError::TooManyTenders { .. }
            | PricingError::InvalidTenderReference { .. } => ErrorCode::InvalidInput,
            PricingError::InvalidQuantity { .. } => ErrorCode::InvalidQuantity,
            PricingError::InvalidPrice { .. }
            | PricingError::NegativeDiscount { .. }
            | PricingError::TooLarge(_)
            | PricingError::InvalidTenderAmount { .. } => ErrorCode::InvalidAmount,
            PricingError::DiscountTooLarge { .. } => ErrorCode::DiscountTooLarge,
            PricingError::TendersShort { .. } => ErrorCode::TendersShort,
            PricingError::ChangeNotCash { .. } => ErrorCode::ChangeNotCash,
        }
    }

    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

/// `numerator / denominator`, rounded half up. Both are non-negative and the denominator is
/// positive (the callers guarantee it).
fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

fn to_minor(value: i128, what: &'static str) -> Result<i64, PricingError> {
    i64::try_from(value).ok().filter(|v| *v <= Money::MAX_CASH_MINOR).ok_or(PricingError::TooLarge(what))
}

fn add(a: i64, b: i64, what: &'static str) -> Result<i64, PricingError> {
    a.checked_add(b).filter(|v| *v <= Money::MAX_CASH_MINOR).ok_or(PricingError::TooLarge(what))
}

/// Splits `whole` into parts proportional to `weights` by the largest-remainder method: the
/// parts add up to `whole` exactly, each is its exact share rounded down or up, and a zero
/// weight gets nothing. On equal remainders the earlier weight gets the extra unit.
///
/// `whole` and the weights are non-negative; when the weights add up to 0, every part is 0
/// (the callers never have anything to split then).
pub(crate) fn allocate(whole: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum == 0 || whole == 0 {
        return vec![0; weights.len()];
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (index, weight) in weights.iter().enumerate() {
        let exact = i128::from(whole) * i128::from(*weight);
        let part = exact / sum;
        given += part;
        // A part never exceeds `whole`, so it fits in i64.
        parts.push(i64::try_from(part).unwrap_or(whole));
        remainders.push((exact % sum, index));
    }
    // Fewer units are left over than there are weights with a remainder (the remainders add up
    // to `left_over × sum`, each below `sum`), so only positive remainders get one.
    let left_over = usize::try_from(i128::from(whole) - given).unwrap_or(0);
    if left_over > 0 {
        remainders.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, index) in remainders.iter().take(left_over) {
            parts[*index] += 1;
        }
    }
    parts
}

/// `amount` rounded half up to a multiple of `increment` (both non-negative, increment ≥ 1).
fn round_to_increment(amount: i64, increment: i64) -> Result<i64, PricingError> {
    let steps = div_half_up(i128::from(amount), i128::from(increment));
    to_minor(steps * i128::from(increment), "the cash total")
}

/// The discount's amount off `base`, and its share of `base` in ppm rounded up (for the
/// manager threshold). `line` is `None` for the receipt discount.
fn discount_off(
    discount: Option<Discount>,
    base: i64,
    line: Option<usize>,
    currency: Currency,
) -> Result<(i64, Ppm), PricingError> {
    let too_large = |discount: String, limit: String| PricingError::DiscountTooLarge { line, discount, limit };
    let money = |minor: i64| Money::from_minor(minor, currency).to_string();
    match discount {
        None => Ok((0, Ppm::ZERO)),
        Some(Discount::Amount { amount }) if amount < 0 => {
            Err(PricingError::NegativeDiscount { line, amount: Money::from_minor(amount, currency) })
        }
        Some(Discount::Amount { amount }) if amount > base => Err(too_large(money(amount), money(base))),
        Some(Discount::Amount { amount }) => {
            let share = if base == 0 {
                0
            } else {
                // Rounded up so that "above the threshold" compares the exact share.
                (i128::from(amount) * MILLION + i128::from(base) - 1) / i128::from(base)
            };
            Ok((amount, Ppm(u32::try_from(share).unwrap_or(u32::MAX))))
        }
        Some(Discount::Percent { percent }) if percent > Ppm::ONE_HUNDRED_PERCENT => {
            Err(too_large(percent.to_string(), Ppm::ONE_HUNDRED_PERCENT.to_string()))
        }
        Some(Discount::Percent { percent }) => {
            let off = div_half_up(i128::from(base) * i128::from(percent.0), MILLION);
            Ok((to_minor(off, "a discount")?, percent))
        }
    }
}

impl PricingSettings {
    fn check(&self) -> Result<(), PricingError> {
        let bad = |reason: String| Err(PricingError::InvalidSettings(reason));
        if !(1..=MAX_CASH_ROUNDING_INCREMENT).contains(&self.cash_rounding_increment) {
            return bad(format!(
                "the cash rounding increment must be 1 to {MAX_CASH_ROUNDING_INCREMENT} minor units, not {}",
                self.cash_rounding_increment
            ));
        }
        if self.manager_discount_threshold > Ppm::ONE_HUNDRED_PERCENT {
            return bad(format!("the manager threshold {} is above 100%", self.manager_discount_threshold));
        }
        for (index, rate) in self.tax_rates.iter().enumerate() {
            if rate.rate > Ppm::ONE_HUNDRED_PERCENT {
                return bad(format!("tax rate {} is {}, above 100%", rate.name, rate.rate));
            }
            if self.tax_rates[..index].iter().any(|other| other.id == rate.id) {
                return bad(format!("tax rate {} is listed twice", rate.id));
            }
        }
        Ok(())
    }
}

/// Prices a cart by the rules in this module's documentation: lines, discounts, tax per rate,
/// totals, the all-cash total, and the manager approvals needed.
///
/// # Errors
/// A [`PricingError`] and nothing else for: unusable settings (a rate or threshold above 100 %,
/// a duplicate rate, a rounding increment out of range), no lines or more than [`MAX_LINES`],
/// a quantity outside 1 to [`MAX_QUANTITY`], a negative or oversized price, a product taxed at
/// a rate the location lacks, a negative discount amount, a discount above 100 % or above what
/// it discounts, and any amount or total above [`Money::MAX_CASH_MINOR`].
pub fn price_cart(settings: &PricingSettings, cart: &Cart) -> Result<PricedCart, PricingError> {
    settings.check()?;
    if cart.lines.is_empty() {
        return Err(PricingError::EmptyCart);
    }
    if cart.lines.len() > MAX_LINES {
        return Err(PricingError::TooManyLines { lines: cart.lines.len(), max: MAX_LINES });
    }
    let threshold = settings.manager_discount_threshold;
    let check_price = |line: usize, what: &'static str, price: i64| {
        if (0..=Money::MAX_CASH_MINOR).contains(&price) {
            Ok(price)
        } else {
            Err(PricingError::InvalidPrice { line, what, price: Money::from_minor(price, settings.currency) })
        }
    };

    let mut approvals = Vec::new();
    let mut lines = Vec::with_capacity(cart.lines.len());
    // Index of each line's rate in `settings.tax_rates`, and each line's amount after its own
    // discount (the weights of the receipt discount).
    let mut rate_of_line = Vec::with_capacity(cart.lines.len());
    let mut after_line_discount = Vec::with_capacity(cart.lines.len());
    let (mut items, mut line_discounts, mut subtotal) = (0_i64, 0_i64, 0_i64);

    for (index, line) in cart.lines.iter().enumerate() {
        let product = &line.product;
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(PricingError::InvalidQuantity { line: index, quantity: line.quantity });
        }
        let catalog_unit_price = check_price(index, "catalog price", product.unit_price)?;
        let line_number = u32::try_from(index).unwrap_or(u32::MAX);
        let unit_price = match line.price_override {
            None => catalog_unit_price,
            Some(price) => {
                let unit_price = check_price(index, "price override", price)?;
                approvals.push(Approval::PriceOverride { line: line_number, catalog_unit_price, unit_price });
                unit_price
            }
        };
        let rate = settings
            .tax_rates
            .iter()
            .position(|rate| rate.id == product.tax_rate_id)
            .ok_or(PricingError::UnknownTaxRate { line: index, tax_rate: product.tax_rate_id })?;
        let extended = to_minor(i128::from(unit_price) * i128::from(line.quantity), "a line")?;
        let (line_discount, share) = discount_off(line.discount, extended, Some(index), settings.currency)?;
        if share > threshold {
            approvals.push(Approval::LineDiscount { line: line_number, percent: share });
        }
        items = add(items, extended, "the items")?;
        line_discounts = add(line_discounts, line_discount, "the discounts")?;
        subtotal = add(subtotal, extended - line_discount, "the subtotal")?;
        rate_of_line.push(rate);
        after_line_discount.push(extended - line_discount);
        lines.push(PricedLine {
            product_id: product.id,
            sku: product.sku.clone(),
            name: product.name.clone(),
            category: product.category.clone(),
            tax_rate_id: product.tax_rate_id,
            quantity: line.quantity,
            catalog_unit_price,
            unit_price,
            extended,
            line_discount,
            receipt_discount: 0,
            amount: 0,
            tax: 0,
            total: 0,
        });
    }

    let (receipt_discount, share) = discount_off(cart.receipt_discount, subtotal, None, settings.currency)?;
    if share > threshold {
        approvals.push(Approval::ReceiptDiscount { percent: share });
    }
    let shares = allocate(receipt_discount, &after_line_discount);
    let mut bases = vec![0_i64; settings.tax_rates.len()];
    for (index, line) in lines.iter_mut().enumerate() {
        line.receipt_discount = shares[index];
        line.amount = after_line_discount[index] - shares[index];
        // Cannot overflow: the bases add up to subtotal − receipt discount.
        bases[rate_of_line[index]] += line.amount;
    }

    let mut taxes = Vec::new();
    let mut tax = 0_i64;
    let mut line_amounts: Vec<i64> = Vec::with_capacity(lines.len());
    for (rate_index, rate) in settings.tax_rates.iter().enumerate() {
        if !rate_of_line.contains(&rate_index) {
            continue;
        }
        let base = bases[rate_index];
        let ppm = i128::from(rate.rate.0);
        let rate_tax = if settings.prices_include_tax {
            div_half_up(i128::from(base) * ppm, MILLION + ppm)
        } else {
            div_half_up(i128::from(base) * ppm, MILLION)
        };
        let rate_tax = to_minor(rate_tax, "the tax")?;
        let (net, gross) = if settings.prices_include_tax {
            (base - rate_tax, base)
        } else {
            (base, add(base, rate_tax, "a tax rate's gross")?)
        };
        line_amounts.clear();
        line_amounts.extend(lines.iter().zip(&rate_of_line).map(|(l, r)| if *r == rate_index { l.amount } else { 0 }));
        let line_taxes = allocate(rate_tax, &line_amounts);
        for ((line, line_tax), r) in lines.iter_mut().zip(line_taxes).zip(&rate_of_line) {
            if *r == rate_index {
                line.tax = line_tax;
            }
        }
        tax = add(tax, rate_tax, "the tax")?;
        taxes.push(TaxLine {
            tax_rate_id: rate.id,
            name: rate.name.clone(),
            rate: rate.rate,
            net,
            tax: rate_tax,
            gross,
        });
    }

    let mut total = 0_i64;
    for line in &mut lines {
        line.total = if settings.prices_include_tax { line.amount } else { add(line.amount, line.tax, "a line")? };
        total = add(total, line.total, "the total")?;
    }
    Ok(PricedCart {
        currency: settings.currency,
        prices_include_tax: settings.prices_include_tax,
        lines,
        taxes,
        items,
        line_discounts,
        subtotal,
        receipt_discount,
        tax,
        total,
        cash_total: round_to_increment(total, settings.cash_rounding_increment)?,
        cash_rounding_increment: settings.cash_rounding_increment,
        card_reference_required: settings.card_reference_required,
        approvals,
    })
}

/// Refuses what could be a card number: 13 or more digits in a row, counting spaces and dashes
/// between digits as part of the run (card numbers are 13 to 19 digits, often grouped).
fn looks_like_card_number(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        match c {
            '0'..='9' => {
                run += 1;
                if run >= 13 {
                    return true;
                }
            }
            ' ' | '-' => {}
            _ => run = 0,
        }
    }
    false
}

fn check_reference(tender: usize, field: &'static str, text: &str) -> Result<(), PricingError> {
    let bad = |reason: String| PricingError::InvalidTenderReference { tender, reason };
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_REFERENCE_CHARS {
        return Err(bad(format!("the {field} must be 1 to {MAX_REFERENCE_CHARS} characters")));
    }
    check_text(field, trimmed, false).map_err(|e| bad(e.to_string()))?;
    if looks_like_card_number(trimmed) {
        return Err(bad(format!("the {field} looks like a card number; record the terminal's approval reference")));
    }
    Ok(())
}

/// A card tender's approval reference: optional (empty) unless the location requires it, and
/// checked like any reference when given. PostgreSQL's till_record_receipt holds the second copy
/// of the requirement.
pub fn check_card_reference(tender: usize, reference: &str, required: bool) -> Result<(), PricingError> {
    match (reference.trim().is_empty(), required) {
        (true, false) => Ok(()),
        (true, true) => Err(PricingError::InvalidTenderReference {
            tender,
            reason: "this store records the card terminal's approval reference: type it from the terminal's slip"
                .into(),
        }),
        (false, _) => check_reference(tender, "approval reference", reference),
    }
}

/// Settles a priced cart with the tenders the customer paid: applies the non-cash tenders at
/// their exact amounts, rounds the remainder due in cash to the location's increment when a
/// cash tender is among them (rule 7), and gives change from cash only.
///
/// `priced` must be what [`price_cart`] answered for this sale on the backend, never a priced
/// cart sent by the UI (which sends no prices or totals).
///
/// # Errors
/// [`PricingError::TendersShort`] when the tenders do not cover the amount due (no tenders at
/// all covers only a zero total); [`PricingError::ChangeNotCash`] when the non-cash tenders
/// exceed the total; [`PricingError::InvalidTenderAmount`] for an amount outside 1 to
/// [`Money::MAX_CASH_MINOR`]; [`PricingError::InvalidTenderReference`] for an empty, overlong
/// or control-character reference, or one that looks like a card number;
/// [`PricingError::TooManyTenders`] above [`MAX_TENDERS`].
pub fn settle(priced: &PricedCart, tenders: &[Tender]) -> Result<Settlement, PricingError> {
    if tenders.len() > MAX_TENDERS {
        return Err(PricingError::TooManyTenders { tenders: tenders.len(), max: MAX_TENDERS });
    }
    let money = |minor: i64| Money::from_minor(minor, priced.currency);
    // A priced cart can be read back from JSON; only one `price_cart` made is settled, but a
    // damaged one must still fail typed rather than divide by zero.
    if !(1..=MAX_CASH_ROUNDING_INCREMENT).contains(&priced.cash_rounding_increment) {
        return Err(PricingError::InvalidSettings(format!(
            "the cash rounding increment must be 1 to {MAX_CASH_ROUNDING_INCREMENT} minor units, not {}",
            priced.cash_rounding_increment
        )));
    }
    if !(0..=Money::MAX_CASH_MINOR).contains(&priced.total) {
        return Err(PricingError::TooLarge("the priced total"));
    }
    let (mut cash, mut non_cash, mut any_cash) = (0_i64, 0_i64, false);
    for (index, tender) in tenders.iter().enumerate() {
        let amount = tender.amount();
        if !(1..=Money::MAX_CASH_MINOR).contains(&amount) {
            return Err(PricingError::InvalidTenderAmount { tender: index, amount: money(amount) });
        }
        match tender {
            Tender::Cash { .. } => any_cash = true,
            Tender::Card { approval_reference, .. } => {
                check_card_reference(index, approval_reference, priced.card_reference_required)?
            }
            Tender::Voucher { reference, .. } => check_reference(index, "voucher reference", reference)?,
            Tender::Other { label, .. } => check_reference(index, "label", label)?,
        }
        // At most MAX_TENDERS × MAX_CASH_MINOR: far inside i64.
        if tender.is_cash() {
            cash += amount;
        } else {
            non_cash += amount;
        }
    }
    let total = priced.total;
    if non_cash > total {
        return Err(PricingError::ChangeNotCash { total: money(total), non_cash: money(non_cash) });
    }
    let exact_cash_due = total - non_cash;
    let cash_due =
        if any_cash { round_to_increment(exact_cash_due, priced.cash_rounding_increment)? } else { exact_cash_due };
    let rounding = cash_due - exact_cash_due;
    let amount_due = total + rounding;
    if cash < cash_due {
        return Err(PricingError::TendersShort { due: money(amount_due), tendered: money(cash + non_cash) });
    }
    Ok(Settlement {
        total,
        rounding,
        amount_due,
        cash_due,
        tendered: cash + non_cash,
        change: cash - cash_due,
        tenders: tenders.to_vec(),
    })
}
