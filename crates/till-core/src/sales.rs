//! Receipts: sales and refunds, recorded atomically into the register's open session.
//!
//! A receipt is priced by [`crate::pricing`] from the catalog rows the store read, and recorded
//! by the store in one atomic operation that re-checks those rows, numbers the receipt from the
//! register's counter row (gapless: `DT-R1-000123`), and adds it to the session's running
//! totals under the session's row lock, so it is ordered before or after a close, never lost.

pub mod figures;

use crate::domain::{LocationId, ProductId, ReceiptId, RegisterId, SessionId, TaxRateId};
use crate::money::Currency;
use crate::pricing::{PricedCart, Settlement, Tender};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why goods were taken back, from a closed list (what a manager judges and an auditor reads):
/// `damaged`, `wrong_item`, `changed_mind`, `price_match`, or `other` (its text says what).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefundReasonKind {
    Damaged,
    WrongItem,
    ChangedMind,
    PriceMatch,
    Other,
}

impl RefundReasonKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            RefundReasonKind::Damaged => "damaged",
            RefundReasonKind::WrongItem => "wrong_item",
            RefundReasonKind::ChangedMind => "changed_mind",
            RefundReasonKind::PriceMatch => "price_match",
            RefundReasonKind::Other => "other",
        }
    }

    /// The kind a stored `refund_reason_kind` names.
    pub fn parse(text: &str) -> Result<RefundReasonKind, crate::error::InputError> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| {
            crate::error::InputError::Invalid { field: "reason", reason: format!("unknown kind {text:?}") }
        })
    }
}

/// A refund's reason: a kind from the list, and a text (1 to 200 characters, one line, no
/// control or text-direction characters) that `other` needs and the others may carry.
// PostgreSQL's copy of the rule is in till_record_receipt.sql, and CHECKs on `sales` hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundReason {
    /// `damaged`, `wrong_item`, `changed_mind`, `price_match` or `other`.
    pub kind: RefundReasonKind,
    /// Required for `other`; optional otherwise. Blank is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schemars(length(min = 1, max = "RefundReason::MAX_TEXT_CHARS"))]
    pub text: Option<String>,
}

impl RefundReason {
    pub const MAX_TEXT_CHARS: usize = 200;

    /// The reason as stored: its text trimmed (blank: none), checked (`invalid_input` on field
    /// `reason`).
    pub fn checked(&self) -> Result<RefundReason, crate::error::InputError> {
        let text = reason_text(self.text.as_deref(), self.kind == RefundReasonKind::Other, "a refund")?;
        Ok(RefundReason { kind: self.kind, text })
    }
}

/// A listed reason's text as stored: trimmed (blank: none), 1 to 200 characters, one line, no
/// control or text-direction characters; `other` (`needed`) must say what. The one copy of the
/// rule for refund and price-change reasons; PostgreSQL's is `till_text` in the functions.
fn reason_text(text: Option<&str>, needed: bool, what: &str) -> Result<Option<String>, crate::error::InputError> {
    let invalid = |reason: String| crate::error::InputError::Invalid { field: "reason", reason };
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if needed => return Err(invalid(format!("{what} for another reason says what it is (text)"))),
        Some(t) if t.chars().count() > RefundReason::MAX_TEXT_CHARS => {
            return Err(invalid(format!("the text must be at most {} characters", RefundReason::MAX_TEXT_CHARS)))
        }
        Some(t) => crate::domain::check_text("reason", t, false)?,
        None => {}
    }
    Ok(text.map(str::to_string))
}

/// Why a price was changed (a line's discount or new price, or the receipt's discount), from a
/// closed list: `damaged`, `price_match`, `staff` (a staff discount), or `other` (its text says
/// what). The manager who approves sees it; the receipt line and the journal keep it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceChangeReasonKind {
    Damaged,
    PriceMatch,
    Staff,
    Other,
}

impl PriceChangeReasonKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            PriceChangeReasonKind::Damaged => "damaged",
            PriceChangeReasonKind::PriceMatch => "price_match",
            PriceChangeReasonKind::Staff => "staff",
            PriceChangeReasonKind::Other => "other",
        }
    }

    /// The kind a stored `*_reason_kind` names.
    pub fn parse(text: &str) -> Result<PriceChangeReasonKind, crate::error::InputError> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|_| {
            crate::error::InputError::Invalid { field: "reason", reason: format!("unknown kind {text:?}") }
        })
    }
}

/// A discount's or new price's reason: a kind from the list, and a text (1 to 200 characters,
/// one line) that `other` needs and the others may carry.
// PostgreSQL's copy of the rule is till_price_change_reason.sql, and CHECKs hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceChangeReason {
    /// `damaged`, `price_match`, `staff` or `other`.
    pub kind: PriceChangeReasonKind,
    /// Required for `other`; optional otherwise. Blank is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    #[schemars(length(min = 1, max = "RefundReason::MAX_TEXT_CHARS"))]
    pub text: Option<String>,
}

impl PriceChangeReason {
    /// The reason as stored: its text trimmed (blank: none), checked (`invalid_input` on field
    /// `reason`).
    pub fn checked(&self) -> Result<PriceChangeReason, crate::error::InputError> {
        let text = reason_text(self.text.as_deref(), self.kind == PriceChangeReasonKind::Other, "a price change")?;
        Ok(PriceChangeReason { kind: self.kind, text })
    }

    /// What a changed price carries: its reason checked, and one there must be (`invalid_input`
    /// naming `what`). An unchanged price carries none: a reason given for it is dropped, as a
    /// discount that comes to nothing changes nothing.
    pub fn for_change(
        changed: bool,
        reason: Option<&PriceChangeReason>,
        what: &str,
    ) -> Result<Option<PriceChangeReason>, crate::error::InputError> {
        match (changed, reason) {
            (false, _) => Ok(None),
            (true, Some(reason)) => reason.checked().map(Some),
            (true, None) => Err(crate::error::InputError::Invalid {
                field: "reason",
                reason: format!("{what} needs a reason: damaged, price_match, staff, or other with a text"),
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    Sale,
    Refund,
}

impl ReceiptKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReceiptKind::Sale => "sale",
            ReceiptKind::Refund => "refund",
        }
    }
}

/// One line of a receipt as stored: what was sold (or taken back), at which price, with which
/// discounts and tax. Amounts in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ReceiptLine {
    pub line_no: u32,
    #[ts(type = "string")]
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: String,
    #[ts(type = "string")]
    pub tax_rate_id: TaxRateId,
    pub rate_ppm: u32,
    pub quantity: i32,
    #[ts(type = "number")]
    pub catalog_unit_price: i64,
    #[ts(type = "number")]
    pub unit_price: i64,
    #[ts(type = "number")]
    pub extended: i64,
    #[ts(type = "number")]
    pub line_discount: i64,
    #[ts(type = "number")]
    pub receipt_discount: i64,
    #[ts(type = "number")]
    pub amount: i64,
    #[ts(type = "number")]
    pub tax: i64,
    #[ts(type = "number")]
    pub total: i64,
    /// A refund's line: the original sale's line it takes back.
    pub refund_of_line: Option<u32>,
    /// A sale's line: how much of it refunds took back so far.
    pub refunded_quantity: i32,
    #[ts(type = "number")]
    pub refunded_total: i64,
    #[ts(type = "number")]
    pub refunded_tax: i64,
    /// Why a sale's line has a discount or a new price; `None` on an unchanged line, a refund's
    /// line, and lines recorded before reasons.
    pub price_change_reason: Option<PriceChangeReason>,
}

impl ReceiptLine {
    /// True when the line was sold at other than the catalog's price: a new unit price or a
    /// discount of its own (what needs a [`PriceChangeReason`]).
    pub fn price_changed(&self) -> bool {
        self.unit_price != self.catalog_unit_price || self.line_discount > 0
    }
}

/// One tender as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ReceiptTender {
    pub kind: String,
    #[ts(type = "number")]
    pub amount: i64,
    pub reference: Option<String>,
}

/// The tax of one rate on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ReceiptTax {
    #[ts(type = "string")]
    pub tax_rate_id: TaxRateId,
    pub name: String,
    pub rate_ppm: u32,
    #[ts(type = "number")]
    pub net: i64,
    #[ts(type = "number")]
    pub tax: i64,
    #[ts(type = "number")]
    pub gross: i64,
}

/// A receipt as stored, with what a printed receipt shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Receipt {
    #[ts(type = "string")]
    pub id: ReceiptId,
    pub kind: ReceiptKind,
    pub number: String,
    #[ts(type = "number")]
    pub receipt_seq: i64,
    #[ts(type = "string")]
    pub session_id: SessionId,
    pub session_number: String,
    #[ts(type = "string")]
    pub register_id: RegisterId,
    pub register_code: String,
    #[ts(type = "string")]
    pub location_id: LocationId,
    pub location_code: String,
    pub location_name: String,
    pub location_address: String,
    /// The store's VAT ID, Steuernummer, UID or EIN (empty when none is set).
    pub location_tax_number: String,
    pub time_zone: String,
    /// The location's locale (BCP 47): how its receipts write money.
    pub locale: String,
    /// The original sale's number, for a refund.
    pub refund_of: Option<String>,
    pub cashier: String,
    pub device: String,
    pub at: DateTime<Utc>,
    #[ts(type = "string")]
    pub currency: Currency,
    pub prices_include_tax: bool,
    #[ts(type = "number")]
    pub subtotal: i64,
    /// Every discount: the lines' own and the receipt discount.
    #[ts(type = "number")]
    pub discount: i64,
    /// The receipt discount alone (the lines' shares of it, added up): what a receipt names
    /// apart from the lines' own discounts, under the subtotal.
    #[ts(type = "number")]
    pub receipt_discount: i64,
    #[ts(type = "number")]
    pub tax: i64,
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub rounding: i64,
    #[ts(type = "number")]
    pub tendered: i64,
    #[ts(type = "number")]
    pub change: i64,
    #[ts(type = "number")]
    pub cash_net: i64,
    pub lines: Vec<ReceiptLine>,
    pub tenders: Vec<ReceiptTender>,
    pub taxes: Vec<ReceiptTax>,
    /// The receipt's journal entry as a QR code (see [`crate::anchor`]), on a receipt read by
    /// its number (what is shown and printed); `None` in a shift's list of receipts, and for a
    /// receipt from before the journal began.
    pub anchor: Option<crate::anchor::PrintedAnchor>,
    /// Why a refund was given (`None` for a sale, and for refunds recorded before reasons).
    pub refund_reason: Option<RefundReason>,
    /// Why a sale has a receipt discount (`None` without one, and before reasons).
    pub receipt_discount_reason: Option<PriceChangeReason>,
    /// The user name of the manager who approved the receipt (every refund; a sale with a price
    /// override or a discount above the limit), by PIN or as the logged-in manager.
    pub approved_by: Option<String>,
}

/// What the store records: a priced, settled receipt for one session. Built by the use cases
/// in `service` from the catalog rows the store returned; never from a client's numbers.
#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub id: ReceiptId,
    pub kind: ReceiptKind,
    /// The original sale, for a refund.
    pub refund_of: Option<ReceiptId>,
    pub session_id: SessionId,
    pub register_id: RegisterId,
    /// The cashier's login, and the manager's approval a refund, a price override or a
    /// discount above the limit needs (unless the login's user is a manager). The store
    /// records (and journals) who approved.
    pub actor: crate::store::Actor,
    pub device: String,
    /// SHA-256 of the request's canonical content: a repeated id must come with the same.
    pub request_hash: String,
    /// A refund's reason, checked ([`RefundReason::checked`]); `None` for a sale. The store
    /// refuses a refund without one.
    pub refund_reason: Option<RefundReason>,
    /// A sale's receipt discount's reason, checked; the store refuses a receipt discount
    /// without one (each line's is on the line).
    pub receipt_discount_reason: Option<PriceChangeReason>,
    pub prices_include_tax: bool,
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
    pub rounding: i64,
    pub tendered: i64,
    pub change: i64,
    pub cash_net: i64,
    pub lines: Vec<ReceiptLine>,
    pub tenders: Vec<ReceiptTender>,
    pub taxes: Vec<ReceiptTax>,
}

/// Which receipt, where, by whom, for which request.
#[derive(Debug, Clone)]
pub struct ReceiptHeader {
    pub id: ReceiptId,
    pub session_id: SessionId,
    pub register_id: RegisterId,
    pub actor: crate::store::Actor,
    pub device: String,
    pub request_hash: String,
}

impl NewReceipt {
    /// Whether the store must find a manager answering for this receipt: every refund, and a
    /// sale with a price override or a discount above the location's limit (`limit` in parts
    /// per million). Judged from the stored lines, allowing the half-up rounding of a percentage
    /// discount, so no receipt [`crate::pricing::price_cart`] priced without an approval is
    /// refused. PostgreSQL's copy of this rule is in till_record_receipt.sql.
    pub fn needs_manager(&self, limit_ppm: u32) -> bool {
        let limit = i128::from(limit_ppm);
        // round(base × limit / 10^6), half up (every base here is ≥ 0).
        let allowed = |base: i128| (base * limit * 2 + 1_000_000) / 2_000_000;
        let sum = |f: fn(&ReceiptLine) -> i64| self.lines.iter().map(|l| i128::from(f(l))).sum::<i128>();
        self.kind == ReceiptKind::Refund
            || self.lines.iter().any(|l| {
                l.unit_price != l.catalog_unit_price || i128::from(l.line_discount) > allowed(i128::from(l.extended))
            })
            || sum(|l| l.receipt_discount) > allowed(sum(|l| l.extended) - sum(|l| l.line_discount))
    }

    /// A sale from its priced cart and settlement.
    pub fn sale(who: ReceiptHeader, priced: &PricedCart, settlement: &Settlement) -> NewReceipt {
        let ReceiptHeader { id, session_id, register_id, actor, device, request_hash } = who;
        let lines = priced
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| ReceiptLine {
                line_no: u32::try_from(i).unwrap_or(u32::MAX),
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                category: l.category.clone(),
                tax_rate_id: l.tax_rate_id,
                rate_ppm: priced.taxes.iter().find(|t| t.tax_rate_id == l.tax_rate_id).map_or(0, |t| t.rate.get()),
                quantity: l.quantity,
                catalog_unit_price: l.catalog_unit_price,
                unit_price: l.unit_price,
                extended: l.extended,
                line_discount: l.line_discount,
                receipt_discount: l.receipt_discount,
                amount: l.amount,
                tax: l.tax,
                total: l.total,
                refund_of_line: None,
                refunded_quantity: 0,
                refunded_total: 0,
                refunded_tax: 0,
                price_change_reason: None,
            })
            .collect();
        let cash_in: i64 = settlement
            .tenders
            .iter()
            .filter_map(|t| match t {
                Tender::Cash { amount } => Some(*amount),
                _ => None,
            })
            .sum();
        NewReceipt {
            id,
            kind: ReceiptKind::Sale,
            refund_of: None,
            session_id,
            register_id,
            actor,
            device,
            request_hash,
            refund_reason: None,
            receipt_discount_reason: None,
            prices_include_tax: priced.prices_include_tax,
            subtotal: priced.subtotal,
            discount: priced.line_discounts + priced.receipt_discount,
            tax: priced.tax,
            total: priced.total,
            rounding: settlement.rounding,
            tendered: settlement.tendered,
            change: settlement.change,
            cash_net: cash_in - settlement.change,
            lines,
            tenders: settlement.tenders.iter().map(tender_row).collect(),
            taxes: priced
                .taxes
                .iter()
                .map(|t| ReceiptTax {
                    tax_rate_id: t.tax_rate_id,
                    name: t.name.clone(),
                    rate_ppm: t.rate.get(),
                    net: t.net,
                    tax: t.tax,
                    gross: t.gross,
                })
                .collect(),
        }
    }
}

/// How a refusal names line `line_no`'s (from 0) changed price: "line 2's discount or new
/// price". PostgreSQL's `till_record_receipt` words it the same for `till_price_change_reason`.
pub fn line_price_change(line_no: u32) -> String {
    format!("line {}'s discount or new price", u64::from(line_no) + 1)
}

impl NewReceipt {
    /// True when a sale's receipt discount took something off (what needs a reason).
    pub fn has_receipt_discount(&self) -> bool {
        self.kind == ReceiptKind::Sale && self.lines.iter().any(|l| l.receipt_discount > 0)
    }

    /// The sale with the reasons its request gave for changed prices: `lines` in the cart's
    /// order, `receipt` for the receipt discount. A changed price without a reason is refused
    /// (`invalid_input` on field `reason`); a reason for a price that did not change is dropped.
    pub fn with_reasons(
        mut self,
        lines: &[Option<PriceChangeReason>],
        receipt: Option<&PriceChangeReason>,
    ) -> Result<NewReceipt, crate::error::InputError> {
        for (n, line) in self.lines.iter_mut().enumerate() {
            let what = line_price_change(line.line_no);
            let given = lines.get(n).and_then(Option::as_ref);
            line.price_change_reason = PriceChangeReason::for_change(line.price_changed(), given, &what)?;
        }
        self.receipt_discount_reason =
            PriceChangeReason::for_change(self.has_receipt_discount(), receipt, "the receipt discount")?;
        Ok(self)
    }

    /// The store's check of the rule [`NewReceipt::with_reasons`] applies (the store is called
    /// directly too): a sale's changed price has a valid reason, and nothing else has one.
    pub fn check_price_change_reasons(&self) -> Result<(), String> {
        let sale = self.kind == ReceiptKind::Sale;
        for line in &self.lines {
            let what = line_price_change(line.line_no);
            match (sale && line.price_changed(), &line.price_change_reason) {
                (true, Some(reason)) => drop(reason.checked().map_err(|e| e.to_string())?),
                (true, None) => return Err(format!("{what} needs a reason from the list")),
                (false, Some(_)) => {
                    return Err(format!("line {} has no price change to give a reason for", line.line_no + 1))
                }
                (false, None) => {}
            }
        }
        match (self.has_receipt_discount(), &self.receipt_discount_reason) {
            (true, Some(reason)) => drop(reason.checked().map_err(|e| e.to_string())?),
            (true, None) => return Err("the receipt discount needs a reason from the list".into()),
            (false, Some(_)) => return Err("there is no receipt discount to give a reason for".into()),
            (false, None) => {}
        }
        Ok(())
    }
}

/// A tender as a row: its kind, amount and reference.
pub fn tender_row(tender: &Tender) -> ReceiptTender {
    let (kind, amount, reference) = match tender {
        Tender::Cash { amount } => ("cash", *amount, None),
        // A reference left out (the location does not require one) is stored as none.
        Tender::Card { amount, approval_reference } => {
            ("card", *amount, Some(approval_reference.trim().to_string()).filter(|r| !r.is_empty()))
        }
        Tender::Voucher { amount, reference } => ("voucher", *amount, Some(reference.clone())),
        Tender::Other { amount, label } => ("other", *amount, Some(label.clone())),
    };
    ReceiptTender { kind: kind.to_string(), amount, reference }
}

/// What the store answers for a recorded receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub number: String,
    /// True when this id was recorded before (with the same content): nothing was written now.
    pub repeated: bool,
}

/// A session's running totals, kept by every receipt under the session's row lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SessionTotals {
    #[ts(type = "string")]
    pub session_id: SessionId,
    #[ts(type = "number")]
    pub sales_count: i64,
    #[ts(type = "number")]
    pub refunds_count: i64,
    #[ts(type = "number")]
    pub sales_total: i64,
    #[ts(type = "number")]
    pub refunds_total: i64,
    #[ts(type = "number")]
    pub discounts_total: i64,
    #[ts(type = "number")]
    pub tax_total: i64,
    #[ts(type = "number")]
    pub rounding_total: i64,
    #[ts(type = "number")]
    pub discounts_count: i64,
    /// Cash taken less change less cash refunds, plus paid in, less paid out and drops.
    #[ts(type = "number")]
    pub cash_net: i64,
    /// Cash handed over on sales (before change), change given, cash refunded.
    #[ts(type = "number")]
    pub cash_sales: i64,
    #[ts(type = "number")]
    pub change_given: i64,
    #[ts(type = "number")]
    pub cash_refunds: i64,
    #[ts(type = "number")]
    pub paid_in_count: i64,
    #[ts(type = "number")]
    pub paid_in_total: i64,
    #[ts(type = "number")]
    pub paid_out_count: i64,
    #[ts(type = "number")]
    pub paid_out_total: i64,
    #[ts(type = "number")]
    pub drops_count: i64,
    #[ts(type = "number")]
    pub drops_total: i64,
    #[ts(type = "number")]
    pub no_sale_count: i64,
    #[ts(type = "number")]
    pub reprint_count: i64,
    /// Voids (lines taken off a sale before it was paid): how many, and their catalog amount.
    #[ts(type = "number")]
    pub void_count: i64,
    #[ts(type = "number")]
    pub void_total: i64,
    #[ts(type = "number")]
    pub opening_cash: i64,
    /// Opening cash plus `cash_net`: what the drawer should hold.
    #[ts(type = "number")]
    pub expected_cash: i64,
    pub tenders: Vec<TenderTotal>,
    pub taxes: Vec<ReceiptTax>,
    /// Quantity and amount (after discounts, before tax where prices exclude it) per category;
    /// refunds subtract.
    pub categories: Vec<CategoryTotal>,
    /// The drawer's figures (expected cash and what adds up to it) are zero and hidden: the
    /// store counts blind, the session is open, and the viewer is not a manager.
    pub drawer_hidden: bool,
    /// The screens show no expected cash beside this drawer, to anyone: it is not counted yet
    /// and the store counts blind ([`crate::cash::expected_cash_hidden`]), or `drawer_hidden`.
    pub expected_hidden: bool,
}

impl SessionTotals {
    /// These totals with the drawer's figures blanked (see [`SessionTotals::drawer_hidden`]).
    pub fn without_drawer(self) -> SessionTotals {
        SessionTotals {
            cash_net: 0,
            cash_sales: 0,
            change_given: 0,
            cash_refunds: 0,
            paid_in_total: 0,
            paid_out_total: 0,
            drops_total: 0,
            expected_cash: 0,
            opening_cash: 0,
            tenders: self.tenders.into_iter().filter(|t| t.kind != "cash").collect(),
            drawer_hidden: true,
            expected_hidden: true,
            ..self
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CategoryTotal {
    pub category: String,
    #[ts(type = "number")]
    pub count: i64,
    #[ts(type = "number")]
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct TenderTotal {
    pub kind: String,
    #[ts(type = "number")]
    pub count: i64,
    #[ts(type = "number")]
    pub amount: i64,
}

/// A receipt's number: `DT-R1-000123`, the register's sequence padded to at least six digits and
/// never truncated. (PostgreSQL's `till_record_receipt` writes the same.)
pub fn receipt_number(location: &str, register: &str, seq: i64) -> String {
    format!("{location}-{register}-{seq:06}")
}
