//! Sales and refunds: the one path the app and tillctl share. The client names products,
//! quantities, discounts and tenders; prices and totals are computed here from the catalog as
//! the store reads it, and the store records the receipt atomically.

use super::cash::{Asker, Reading};
use crate::catalog::{Barcode, ProductKey, Sku};
use crate::domain::{DeviceName, ProductId, ReceiptId, RegisterId, RegisterRef, SessionId, SessionRef};
use crate::error::{InputError, Refusal, StoreError, TillError};
use crate::pricing::{price_cart, settle, Cart, CartLine, Discount, Tender};
use crate::sales::{NewReceipt, Receipt, ReceiptHeader, ReceiptKind, ReceiptLine, ReceiptTax, ReceiptTender};
pub use crate::sales::{PriceChangeReason, PriceChangeReasonKind, RefundReason, RefundReasonKind};
use crate::store::{Actor, Authenticated, Credentials, Register, Session, SessionStatus, Store};
use serde::{Deserialize, Serialize};

/// One line as a client asks for it: a product by id, SKU or barcode (exactly one), a
/// quantity, and optionally a discount or (with a manager) a price override in minor units.
/// Anything else in the request (a price, a total) is refused, not ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleLineRequest {
    /// The product's id, a UUID (`tillctl product list --json`). Give exactly one of
    /// `product_id`, `sku` or `barcode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "string | null")]
    #[schemars(with = "Option<uuid::Uuid>")]
    pub product_id: Option<ProductId>,
    /// The product's SKU at the register's location (`COF-LATTE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// One of the product's barcodes, as scanned (`073500000153`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// How many units: an integer from 1 to 10 000 (no fractions, no returns: a refund is
    /// `lines.json`).
    #[schemars(range(min = 1, max = "crate::pricing::MAX_QUANTITY"))]
    pub quantity: i32,
    /// A discount on this line; absent or null: none. Above the location's discount limit it
    /// needs a manager's approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// A unit price that replaces the catalog's, in minor units (an integer: 2.50 is 250), 0 to
    /// 10^12; absent or null: the catalog's. Always needs a manager's approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null")]
    #[schemars(range(min = 0, max = "crate::money::Money::MAX_CASH_MINOR"))]
    pub price_override: Option<i64>,
    /// Why the line has a discount or a new price (`damaged`, `price_match`, `staff`, or
    /// `other` with a text): needed when it has either, stored on the receipt's line and
    /// journaled; ignored on a line sold at the catalog's price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<PriceChangeReason>,
}

/// A sale as a client asks for it (also tillctl's `cart.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleRequest {
    /// The products sold, 1 to 500 lines, in the order the receipt prints them.
    #[schemars(length(min = 1, max = "crate::pricing::MAX_LINES"))]
    pub lines: Vec<SaleLineRequest>,
    /// A discount on the whole receipt, taken from the subtotal after the lines' own
    /// discounts; absent or null: none. Above the location's discount limit it needs a
    /// manager's approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_discount: Option<Discount>,
    /// Why the receipt discount is given (as a line's `reason`): needed with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_discount_reason: Option<PriceChangeReason>,
    /// How the customer pays, at most 20 tenders, which together cover the total (none only
    /// when the total is 0). Change is given from cash only.
    #[schemars(length(max = "crate::pricing::MAX_TENDERS"))]
    pub tenders: Vec<Tender>,
}

/// How a refund is paid back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RefundTender {
    /// Paid out of the drawer, rounded to the location's cash increment as a cash sale is.
    Cash,
    /// Back to a card, with the card terminal's approval reference of the refund.
    Card {
        /// The card terminal's approval reference of the refund (never a card number).
        approval_reference: String,
    },
}

/// One line of the sale to take back, and how many of its units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundLineRequest {
    /// The line number on the original receipt: an integer from 0 (`line_no` in `tillctl sale
    /// show --json`).
    pub line: u32,
    /// How many units of that line: an integer from 1 to what is left of it unrefunded.
    #[schemars(range(min = 1))]
    pub quantity: i32,
}

/// A refund as a client asks for it (also tillctl's `lines.json`): lines of one sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// The sale's lines to take back, at least one. The amounts come from the sale: each line
    /// gives back its share of what was paid for it.
    #[schemars(length(min = 1))]
    pub lines: Vec<RefundLineRequest>,
    /// How the refund is paid back.
    pub tender: RefundTender,
    /// Why: a kind from the list, with a text for `other`. Stored on the refund receipt and
    /// journaled.
    pub reason: RefundReason,
}

/// What a refund would give back, computed as [`refund`] records it (the same function), with
/// nothing written: for a manager to judge before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RefundQuote {
    /// The sale's number.
    pub receipt: String,
    #[ts(type = "string")]
    pub currency: crate::money::Currency,
    /// In the request's order.
    pub lines: Vec<RefundQuoteLine>,
    /// What the customer gets back, in minor units (tax included), before any cash rounding.
    #[ts(type = "number")]
    pub total: i64,
    /// What is paid out: `total` rounded to the location's cash increment for a cash refund,
    /// else `total`.
    #[ts(type = "number")]
    pub cash_total: i64,
    /// How the sale was paid ("cash", "card", "voucher", "other"), each kind once, in the
    /// receipt's order.
    pub tender_kinds_of_sale: Vec<String>,
    /// Back to a card, the terminal's refund approval reference is required (the location's
    /// setting); otherwise it may be left out.
    pub card_reference_required: bool,
}

/// One line of a [`RefundQuote`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RefundQuoteLine {
    /// The line number on the sale.
    pub line: u32,
    pub name: String,
    pub quantity: i32,
    /// What this line gives back, tax included (the refund receipt line's `total`).
    #[ts(type = "number")]
    pub amount: i64,
}

/// Where and by whom a receipt is recorded.
#[derive(Debug, Clone)]
pub struct Till<'a> {
    pub who: &'a Authenticated,
    pub register: &'a RegisterRef,
    pub device: &'a DeviceName,
    /// The session the client believes is open (the app's); `None`: the register's open one.
    pub session: Option<SessionId>,
    /// A manager's name and PIN for what needs one (discounts above the limit, overrides,
    /// refunds), checked by the store with the receipt it approves. Without one, a logged-in
    /// manager or admin approves their own.
    pub approval: Option<&'a Credentials>,
}

impl Till<'_> {
    /// Refuses early (`approval_needed`) what the store would refuse: something that needs a
    /// manager, with no approval, from a login that is not a manager's.
    fn require_manager(&self, why: &str) -> Result<(), TillError> {
        if self.approval.is_none() && !self.who.user.role.is_manager() {
            return Err(Refusal::ApprovalNeeded(why.to_string()).into());
        }
        Ok(())
    }

    /// Who acts: the login, with the approval when `needed`.
    fn actor(&self, needed: bool) -> Actor {
        Actor { login: self.who.login.clone(), approval: self.approval.filter(|_| needed).cloned() }
    }
}

/// How many times a sale is priced again when the catalog changed under it.
const PRICING_ATTEMPTS: usize = 3;

fn invalid(reason: impl Into<String>) -> TillError {
    InputError::Invalid { field: "sale", reason: reason.into() }.into()
}

/// The request's fingerprint: a repeated receipt id must come with the same. It names the
/// register and the user, never the session: a retry after the session closed (or another
/// opened) is the same request.
fn fingerprint(
    kind: &str,
    till: &Till<'_>,
    register: RegisterId,
    request: &impl Serialize,
) -> Result<String, TillError> {
    let content = serde_json::json!({
        "kind": kind, "register": register.0, "user": till.who.user.id.0, "request": request,
    });
    let bytes = serde_json::to_vec(&content).map_err(|e| invalid(e.to_string()))?;
    Ok(crate::journal::sha256_hex(&bytes))
}

/// A retry of receipt `id` answers its first receipt, whatever happened since (the session
/// closed, the line was refunded in full), before anything about the present is looked up;
/// another request under a used id is `idempotency_conflict`. `None`: a new id.
async fn earlier_receipt(store: &dyn Store, id: ReceiptId, hash: &str) -> Result<Option<Receipt>, TillError> {
    match store.prior_receipt(id).await? {
        Some(prior) => Ok(Some(store.find_receipt(&prior.answer(hash, "receipt")?).await?)),
        None => Ok(None),
    }
}

/// The session a receipt goes into: the one the client named (refused with `session_closed` if
/// it is closed), else the register's open one.
async fn session_for(store: &dyn Store, till: &Till<'_>, register: &Register) -> Result<Session, TillError> {
    let session = match till.session {
        Some(id) => store.find_session(&SessionRef::Id(id)).await?,
        None => match store.latest_session(register.id).await? {
            Some(s) if s.status == SessionStatus::Open => s,
            _ => return Err(Refusal::NoOpenSession { register: register.address.clone() }.into()),
        },
    };
    if session.register_id != register.id {
        return Err(invalid(format!("session {} is not on register {}", session.number, register.address)));
    }
    if session.status != SessionStatus::Open {
        return Err(Refusal::SessionClosed(session.number).into());
    }
    Ok(session)
}

fn product_key(line: &SaleLineRequest) -> Result<ProductKey, TillError> {
    match (&line.product_id, &line.sku, &line.barcode) {
        (Some(id), None, None) => Ok(ProductKey::Id(*id)),
        (None, Some(sku), None) => Ok(ProductKey::Sku(Sku::parse(sku)?)),
        (None, None, Some(code)) => Ok(ProductKey::Barcode(Barcode::parse(code)?)),
        _ => Err(invalid("each line names its product by exactly one of product_id, sku or barcode")),
    }
}

/// A receipt by its number (to show, refund or reprint it), as `asker` may read it: of their
/// register's location only ([`Asker::may_read`]).
pub async fn find_receipt(store: &dyn Store, number: &str, asker: Asker<'_>) -> Result<Receipt, TillError> {
    let number = number.trim();
    let receipt = store.find_receipt(number).await?;
    asker.may_read(Reading::Receipt(number), receipt.location_id)?;
    Ok(receipt)
}

/// A product that may be sold: an inactive one is `product_not_found`, as an unknown one.
pub async fn find_for_sale(
    store: &dyn Store,
    location: &crate::domain::LocationCode,
    key: &ProductKey,
) -> Result<crate::catalog::Product, TillError> {
    for_sale(key, store.find_product(location, key).await?)
}

/// The rule, written once: an inactive product is not for sale.
fn for_sale(key: &ProductKey, product: crate::catalog::Product) -> Result<crate::catalog::Product, TillError> {
    if !product.active {
        return Err(StoreError::not_found(crate::error::Entity::Product, format!("{key} (inactive)")).into());
    }
    Ok(product)
}

/// The cart the lines name, from the catalog as the store reads it now, in one read however
/// long the cart. An inactive product is `product_not_found`: it is not for sale.
async fn cart_for(
    store: &dyn Store,
    location: &crate::domain::LocationCode,
    keys: &[ProductKey],
    requested: &[SaleLineRequest],
    receipt_discount: Option<Discount>,
) -> Result<Cart, TillError> {
    let products = store.find_products(location, keys).await?;
    let mut lines = Vec::with_capacity(keys.len());
    for ((key, line), product) in keys.iter().zip(requested).zip(products) {
        let product = for_sale(key, product)?;
        lines.push(CartLine {
            product: product.snapshot(),
            quantity: line.quantity,
            discount: line.discount,
            price_override: line.price_override,
        });
    }
    Ok(Cart { lines, receipt_discount })
}

/// Prices a cart for the screen, as `record_sale` would: read-only, writes nothing. The UI
/// shows these numbers; it never computes a price or a total itself.
pub async fn price_sale(
    store: &dyn Store,
    register: &RegisterRef,
    lines: &[SaleLineRequest],
    receipt_discount: Option<Discount>,
) -> Result<crate::pricing::PricedCart, TillError> {
    let keys = lines.iter().map(product_key).collect::<Result<Vec<_>, _>>()?;
    let register = store.find_register(register).await?;
    let location = crate::domain::LocationCode::parse(&register.location_code)?;
    let settings = store.pricing_settings(&location).await?;
    let cart = cart_for(store, &location, &keys, lines, receipt_discount).await?;
    Ok(price_cart(&settings, &cart)?)
}

/// Records a sale: prices the cart from the catalog, settles the tenders, and records it into
/// the register's open session; returns the receipt. Repeating `id` with the same request
/// returns the first receipt; with another, `idempotency_conflict`.
pub async fn record_sale(
    store: &dyn Store,
    till: Till<'_>,
    id: ReceiptId,
    request: &SaleRequest,
) -> Result<Receipt, TillError> {
    if request.lines.is_empty() {
        return Err(invalid("a sale needs at least one line"));
    }
    let keys = request.lines.iter().map(product_key).collect::<Result<Vec<_>, _>>()?;
    let register = store.find_register(till.register).await?;
    let hash = fingerprint("sale", &till, register.id, request)?;
    if let Some(first) = earlier_receipt(store, id, &hash).await? {
        return Ok(first);
    }
    let session = session_for(store, &till, &register).await?;
    let location = crate::domain::LocationCode::parse(&session.location_code)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let settings = store.pricing_settings(&location).await?;
        let cart = cart_for(store, &location, &keys, &request.lines, request.receipt_discount).await?;
        let priced = price_cart(&settings, &cart)?;
        if priced.needs_manager() {
            till.require_manager("a discount above the limit or a price override")?;
        }
        let settlement = settle(&priced, &request.tenders)?;
        let header = ReceiptHeader {
            id,
            session_id: session.id,
            register_id: session.register_id,
            actor: till.actor(priced.needs_manager()),
            device: till.device.to_string(),
            request_hash: hash.clone(),
        };
        let reasons: Vec<_> = request.lines.iter().map(|l| l.reason.clone()).collect();
        let receipt = NewReceipt::sale(header, &priced, &settlement)
            .with_reasons(&reasons, request.receipt_discount_reason.as_ref())?;
        match store.record_receipt(receipt).await {
            Ok(recorded) => return Ok(store.find_receipt(&recorded.number).await?),
            Err(StoreError::Refused(Refusal::CatalogChanged(_))) if attempt < PRICING_ATTEMPTS => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Refunds lines of a sale (by its receipt number) into the register's open session. Needs a
/// manager's approval. What a line gives back is its share of what the customer paid for it
/// (discounts and tax included), half up; the last units refunded give back exactly what is
/// left, so refunds of a whole line add up to it. The database refuses taking back more than
/// was sold (`refund_exceeds_sale`), however many devices try at once.
pub async fn refund(
    store: &dyn Store,
    till: Till<'_>,
    id: ReceiptId,
    receipt_number: &str,
    request: &RefundRequest,
) -> Result<Receipt, TillError> {
    till.require_manager("refunds")?;
    let reason = check_refund_request(request)?;
    let register = store.find_register(till.register).await?;
    let hash = fingerprint("refund", &till, register.id, &(receipt_number, request))?;
    if let Some(first) = earlier_receipt(store, id, &hash).await? {
        return Ok(first);
    }
    let original = refundable_sale(store, receipt_number).await?;
    let session = session_for(store, &till, &register).await?;
    if session.location_id != original.location_id {
        return Err(invalid(format!("{receipt_number} was sold at {}, not here", original.location_code)));
    }
    let location = crate::domain::LocationCode::parse(&session.location_code)?;
    let settings = store.pricing_settings(&location).await?;
    let increment = settings.cash_rounding_increment;
    // Back to a card: the terminal's reference as a sale's card tender takes it (optional unless
    // the location requires it, never a card number).
    if let RefundTender::Card { approval_reference } = &request.tender {
        crate::pricing::check_card_reference(0, approval_reference, settings.card_reference_required)?;
    }
    let mut original = original;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let header = ReceiptHeader {
            id,
            session_id: session.id,
            register_id: session.register_id,
            actor: till.actor(true),
            device: till.device.to_string(),
            request_hash: hash.clone(),
        };
        let receipt = refund_figures(&original, request, increment)?.receipt(header, &original, reason.clone());
        match store.record_receipt(receipt).await {
            Ok(recorded) => return Ok(store.find_receipt(&recorded.number).await?),
            // The store checks each line's share (and that no total goes above what was sold)
            // under the sale's lock. A refund of the same lines that committed after this read
            // changed what is left (the last units give back exactly the rest): read the sale
            // again and compute anew. The same refusal on an unchanged sale is final.
            Err(refused @ StoreError::Refused(Refusal::Rejected(_) | Refusal::RefundExceedsSale(_)))
                if attempt < REFUND_ATTEMPTS =>
            {
                let now = store.find_receipt(receipt_number).await?;
                if refunded_so_far(&now, request) == refunded_so_far(&original, request) {
                    return Err(refused.into());
                }
                original = now;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// A refund's request as both [`refund`] and [`quote_refund`] check it, before anything is
/// read: at least one line, and its reason checked.
fn check_refund_request(request: &RefundRequest) -> Result<RefundReason, TillError> {
    if request.lines.is_empty() {
        return Err(invalid("a refund needs at least one line"));
    }
    Ok(request.reason.checked()?)
}

/// The sale a refund names: a sale (not a refund) by its number.
async fn refundable_sale(store: &dyn Store, receipt_number: &str) -> Result<Receipt, TillError> {
    let original = store.find_receipt(receipt_number).await?;
    if original.kind != ReceiptKind::Sale {
        return Err(invalid(format!("{receipt_number} is a refund, not a sale")));
    }
    Ok(original)
}

/// What [`refund`] would record for `request` on sale `receipt_number`, at `register`, computed
/// by the same function from the sale as read now; writes nothing, needs no open session and
/// no manager. Refused as the refund would be: the same checks of the request, the sale, its
/// location and each line (`refund_exceeds_sale`, `invalid_input`, `not_found`).
pub async fn quote_refund(
    store: &dyn Store,
    register: &RegisterRef,
    receipt_number: &str,
    request: &RefundRequest,
) -> Result<RefundQuote, TillError> {
    check_refund_request(request)?;
    let register = store.find_register(register).await?;
    let original = refundable_sale(store, receipt_number).await?;
    if register.location_id != original.location_id {
        return Err(invalid(format!("{receipt_number} was sold at {}, not here", original.location_code)));
    }
    let location = crate::domain::LocationCode::parse(&register.location_code)?;
    let settings = store.pricing_settings(&location).await?;
    let figures = refund_figures(&original, request, settings.cash_rounding_increment)?;
    let mut tender_kinds_of_sale: Vec<String> = Vec::new();
    for tender in &original.tenders {
        if !tender_kinds_of_sale.contains(&tender.kind) {
            tender_kinds_of_sale.push(tender.kind.clone());
        }
    }
    Ok(RefundQuote {
        receipt: original.number.clone(),
        currency: original.currency,
        lines: figures
            .lines
            .iter()
            .map(|l| RefundQuoteLine {
                line: l.refund_of_line.unwrap_or(l.line_no),
                name: l.name.clone(),
                quantity: l.quantity,
                amount: l.total,
            })
            .collect(),
        total: figures.total,
        cash_total: figures.paid,
        tender_kinds_of_sale,
        card_reference_required: settings.card_reference_required,
    })
}

/// How many times a refund is computed again when other refunds of its lines committed first
/// (each retry means another refund landed, so racing refunders all finish).
const REFUND_ATTEMPTS: usize = 16;

/// What earlier refunds took of the lines `request` names: quantity, total and tax.
fn refunded_so_far(sale: &Receipt, request: &RefundRequest) -> Vec<(i32, i64, i64)> {
    request
        .lines
        .iter()
        .filter_map(|asked| sale.lines.iter().find(|l| l.line_no == asked.line))
        .map(|l| (l.refunded_quantity, l.refunded_total, l.refunded_tax))
        .collect()
}

/// A refund receipt's figures: what [`refund`] records and [`quote_refund`] shows.
struct RefundFigures {
    subtotal: i64,
    discount: i64,
    tax: i64,
    total: i64,
    /// What is paid out: `total`, rounded for cash.
    paid: i64,
    cash_net: i64,
    lines: Vec<ReceiptLine>,
    tenders: Vec<ReceiptTender>,
    taxes: Vec<ReceiptTax>,
}

impl RefundFigures {
    /// The refund receipt of these figures, of sale `original`, with its reason.
    fn receipt(self, header: ReceiptHeader, original: &Receipt, reason: RefundReason) -> NewReceipt {
        let ReceiptHeader { id, session_id, register_id, actor, device, request_hash } = header;
        NewReceipt {
            id,
            kind: ReceiptKind::Refund,
            refund_of: Some(original.id),
            session_id,
            register_id,
            actor,
            device,
            request_hash,
            refund_reason: Some(reason),
            receipt_discount_reason: None,
            prices_include_tax: original.prices_include_tax,
            subtotal: self.subtotal,
            discount: self.discount,
            tax: self.tax,
            total: self.total,
            rounding: self.paid - self.total,
            tendered: self.paid,
            change: 0,
            cash_net: self.cash_net,
            lines: self.lines,
            tenders: self.tenders,
            taxes: self.taxes,
        }
    }
}

/// The figures of the refund of `request`'s lines of `original` (as read), each line its share
/// of what the customer paid for it (see [`refund`]): the one rule [`refund`] records and
/// [`quote_refund`] shows.
fn refund_figures(
    original: &Receipt,
    request: &RefundRequest,
    cash_rounding_increment: i64,
) -> Result<RefundFigures, TillError> {
    let receipt_number = original.number.as_str();
    let mut lines = Vec::with_capacity(request.lines.len());
    for (i, asked) in request.lines.iter().enumerate() {
        let sold = original
            .lines
            .iter()
            .find(|l| l.line_no == asked.line)
            .ok_or_else(|| invalid(format!("{receipt_number} has no line {}", asked.line)))?;
        let left = sold.quantity - sold.refunded_quantity;
        if asked.quantity < 1 || asked.quantity > left {
            return Err(Refusal::RefundExceedsSale(format!(
                "line {} of {receipt_number}: {} asked, {left} left to refund",
                asked.line, asked.quantity
            ))
            .into());
        }
        let (total, tax) =
            crate::sales::figures::refund_share(&crate::sales::figures::LineLeft::of(sold), asked.quantity);
        let amount = if original.prices_include_tax { total } else { total - tax };
        let extended = sold.unit_price * i64::from(asked.quantity);
        if amount > extended || amount < 0 {
            return Err(invalid(format!("line {} of {receipt_number} cannot be refunded in part", asked.line)));
        }
        lines.push(ReceiptLine {
            line_no: u32::try_from(i).unwrap_or(u32::MAX),
            quantity: asked.quantity,
            extended,
            line_discount: extended - amount,
            receipt_discount: 0,
            amount,
            tax,
            total,
            refund_of_line: Some(sold.line_no),
            refunded_quantity: 0,
            refunded_total: 0,
            refunded_tax: 0,
            // A refund's reason is the refund's own; the sale's price change stays with the sale.
            price_change_reason: None,
            ..sold.clone()
        });
    }
    let mut taxes: Vec<ReceiptTax> = Vec::new();
    for line in &lines {
        let gross = line.total;
        match taxes.iter_mut().find(|t| t.tax_rate_id == line.tax_rate_id) {
            Some(t) => {
                t.tax += line.tax;
                t.gross += gross;
                t.net = t.gross - t.tax;
            }
            None => {
                let name = original.taxes.iter().find(|t| t.tax_rate_id == line.tax_rate_id).map(|t| t.name.clone());
                taxes.push(ReceiptTax {
                    tax_rate_id: line.tax_rate_id,
                    name: name.unwrap_or_default(),
                    rate_ppm: line.rate_ppm,
                    net: gross - line.tax,
                    tax: line.tax,
                    gross,
                })
            }
        }
    }
    let total: i64 = lines.iter().map(|l| l.total).sum();
    // Paid out in cash, a refund is rounded as a cash sale is (CHF 0.05), so a drawer's expected
    // cash stays a multiple of the increment; back to a card, it is exact.
    let (paid, tender, cash_net) = match &request.tender {
        RefundTender::Cash => {
            let due = i64::try_from(crate::sales::figures::cash_due(i128::from(total), cash_rounding_increment))
                .map_err(|_| invalid("the refund's total is out of range"))?;
            (due, ReceiptTender { kind: "cash".into(), amount: due, reference: None }, -due)
        }
        RefundTender::Card { approval_reference } => {
            let reference =
                crate::pricing::Tender::Card { amount: total, approval_reference: approval_reference.clone() };
            (total, crate::sales::tender_row(&reference), 0)
        }
    };
    Ok(RefundFigures {
        subtotal: lines.iter().map(|l| l.amount).sum(),
        discount: lines.iter().map(|l| l.line_discount).sum(),
        tax: lines.iter().map(|l| l.tax).sum(),
        total,
        paid,
        cash_net,
        lines,
        tenders: if paid > 0 { vec![tender] } else { Vec::new() },
        taxes,
    })
}
