//! Receipts, their lines, tenders and taxes, a session's totals, and a location's pricing.

use super::{anchor, column_error, count_u32, currency, ppm, read, unexpected};
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};
use till_core::anchor::AnchorOf;
use till_core::sales::{PriceChangeReason, PriceChangeReasonKind, RefundReason, RefundReasonKind};
use till_core::{
    CategoryTotal, LocationId, PricingSettings, Prior, ProductId, Receipt, ReceiptId, ReceiptKind, ReceiptLine,
    ReceiptTax, ReceiptTender, RegisterId, SessionId, SessionTotals, StoreError, TaxRate, TaxRateId, TenderTotal,
};
use uuid::Uuid;

columns! {
    /// A receipt's header as [`crate::sales::RECEIPT_BY_NUMBER`] and
    /// [`crate::sales::RECEIPTS_OF_SESSION`] read it, with its journal entry's `entry_seq` and
    /// `entry_hash` (NULL in a list, and for a receipt from before the journal began).
    pub struct ReceiptRow {
        id: Uuid,
        kind: String,
        number: String,
        receipt_seq: i64,
        session_id: Uuid,
        session_number: String,
        register_id: Uuid,
        register_code: String,
        location_id: Uuid,
        location_code: String,
        location_name: String,
        location_address: String,
        location_tax_number: String,
        locale: String,
        time_zone: String,
        refund_of_number: Option<String>,
        user_name: String,
        device: String,
        at: DateTime<Utc>,
        currency: String,
        prices_include_tax: bool,
        subtotal: i64,
        discount: i64,
        receipt_discount: i64,
        tax: i64,
        total: i64,
        rounding: i64,
        tendered: i64,
        change: i64,
        cash_net: i64,
        entry_seq: Option<i64>,
        entry_hash: Option<String>,
        refund_reason_kind: Option<String>,
        refund_reason_text: Option<String>,
        receipt_discount_reason_kind: Option<String>,
        receipt_discount_reason_text: Option<String>,
        approved_by_name: Option<String>,
    }
}

/// A stored price change reason, from its kind and text columns.
fn price_change_reason(kind: Option<String>, text: Option<String>) -> Result<Option<PriceChangeReason>, StoreError> {
    kind.map(|kind| {
        let kind = PriceChangeReasonKind::parse(&kind).map_err(|_| unexpected("price change reason", &kind))?;
        Ok(PriceChangeReason { kind, text })
    })
    .transpose()
}

/// The header; lines, tenders and taxes are read separately.
impl TryFrom<ReceiptRow> for Receipt {
    type Error = StoreError;

    fn try_from(row: ReceiptRow) -> Result<Receipt, StoreError> {
        let kind = match row.kind.as_str() {
            "sale" => ReceiptKind::Sale,
            "refund" => ReceiptKind::Refund,
            _ => return Err(unexpected("receipt kind", &row.kind)),
        };
        let currency = currency(&row.currency)?;
        let refund_reason = match row.refund_reason_kind {
            Some(kind) => Some(RefundReason {
                kind: RefundReasonKind::parse(&kind).map_err(|_| unexpected("refund reason", &kind))?,
                text: row.refund_reason_text,
            }),
            None => None,
        };
        let anchor = anchor(AnchorOf::Receipt(row.number.clone()), row.register_id, row.entry_seq, row.entry_hash);
        Ok(Receipt {
            id: ReceiptId(row.id),
            kind,
            number: row.number,
            receipt_seq: row.receipt_seq,
            session_id: SessionId(row.session_id),
            session_number: row.session_number,
            register_id: RegisterId(row.register_id),
            register_code: row.register_code,
            location_id: LocationId(row.location_id),
            location_code: row.location_code,
            location_name: row.location_name,
            location_address: row.location_address,
            location_tax_number: row.location_tax_number,
            locale: row.locale,
            time_zone: row.time_zone,
            refund_of: row.refund_of_number,
            cashier: row.user_name,
            device: row.device,
            at: row.at,
            currency,
            prices_include_tax: row.prices_include_tax,
            subtotal: row.subtotal,
            discount: row.discount,
            receipt_discount: row.receipt_discount,
            tax: row.tax,
            total: row.total,
            rounding: row.rounding,
            tendered: row.tendered,
            change: row.change,
            cash_net: row.cash_net,
            lines: Vec::new(),
            tenders: Vec::new(),
            taxes: Vec::new(),
            anchor,
            refund_reason,
            receipt_discount_reason: price_change_reason(
                row.receipt_discount_reason_kind,
                row.receipt_discount_reason_text,
            )?,
            approved_by: row.approved_by_name,
        })
    }
}

/// Decodes a receipt's header ([`crate::sales::RECEIPT_BY_NUMBER`]); lines, tenders and taxes
/// are read separately.
pub fn receipt<'r, R: Row>(row: &'r R) -> Result<Receipt, StoreError>
where
    ReceiptRow: FromRow<'r, R>,
{
    read::<ReceiptRow, R>(row)?.try_into()
}

columns! {
    /// A row of [`crate::sales::LINES`]: a line with what refunds took back of it.
    pub struct ReceiptLineRow {
        line_no: i32,
        product_id: Uuid,
        sku: String,
        name: String,
        category: String,
        tax_rate_id: Uuid,
        rate_ppm: i32,
        quantity: i32,
        catalog_unit_price: i64,
        unit_price: i64,
        extended: i64,
        line_discount: i64,
        receipt_discount: i64,
        amount: i64,
        tax: i64,
        total: i64,
        refund_of_line: Option<i32>,
        refunded_quantity: i32,
        refunded_total: i64,
        refunded_tax: i64,
        price_change_reason_kind: Option<String>,
        price_change_reason_text: Option<String>,
    }
}

impl TryFrom<ReceiptLineRow> for ReceiptLine {
    type Error = StoreError;

    fn try_from(row: ReceiptLineRow) -> Result<ReceiptLine, StoreError> {
        Ok(ReceiptLine {
            line_no: count_u32(row.line_no, "line number")?,
            product_id: ProductId(row.product_id),
            sku: row.sku,
            name: row.name,
            category: row.category,
            tax_rate_id: TaxRateId(row.tax_rate_id),
            rate_ppm: count_u32(row.rate_ppm, "tax rate")?,
            quantity: row.quantity,
            catalog_unit_price: row.catalog_unit_price,
            unit_price: row.unit_price,
            extended: row.extended,
            line_discount: row.line_discount,
            receipt_discount: row.receipt_discount,
            amount: row.amount,
            tax: row.tax,
            total: row.total,
            refund_of_line: row.refund_of_line.map(|n| count_u32(n, "line number")).transpose()?,
            refunded_quantity: row.refunded_quantity,
            refunded_total: row.refunded_total,
            refunded_tax: row.refunded_tax,
            price_change_reason: price_change_reason(row.price_change_reason_kind, row.price_change_reason_text)?,
        })
    }
}

/// Decodes a row of [`crate::sales::LINES`].
pub fn receipt_line<'r, R: Row>(row: &'r R) -> Result<ReceiptLine, StoreError>
where
    ReceiptLineRow: FromRow<'r, R>,
{
    read::<ReceiptLineRow, R>(row)?.try_into()
}

columns! {
    /// A row of [`crate::sales::TENDERS`].
    pub struct ReceiptTenderRow {
        kind: String,
        amount: i64,
        reference: Option<String>,
    }
}

impl From<ReceiptTenderRow> for ReceiptTender {
    fn from(row: ReceiptTenderRow) -> ReceiptTender {
        ReceiptTender { kind: row.kind, amount: row.amount, reference: row.reference }
    }
}

/// Decodes a row of [`crate::sales::TENDERS`].
pub fn receipt_tender<'r, R: Row>(row: &'r R) -> Result<ReceiptTender, StoreError>
where
    ReceiptTenderRow: FromRow<'r, R>,
{
    read::<ReceiptTenderRow, R>(row).map(ReceiptTender::from)
}

columns! {
    /// A row of [`crate::sales::TAXES`] or [`crate::sales::TAX_TOTALS`].
    pub struct ReceiptTaxRow {
        tax_rate_id: Uuid,
        name: String,
        rate_ppm: i32,
        net: i64,
        tax: i64,
        gross: i64,
    }
}

impl TryFrom<ReceiptTaxRow> for ReceiptTax {
    type Error = StoreError;

    fn try_from(row: ReceiptTaxRow) -> Result<ReceiptTax, StoreError> {
        Ok(ReceiptTax {
            tax_rate_id: TaxRateId(row.tax_rate_id),
            name: row.name,
            rate_ppm: count_u32(row.rate_ppm, "tax rate")?,
            net: row.net,
            tax: row.tax,
            gross: row.gross,
        })
    }
}

/// Decodes a row of [`crate::sales::TAXES`] or [`crate::sales::TAX_TOTALS`].
pub fn receipt_tax<'r, R: Row>(row: &'r R) -> Result<ReceiptTax, StoreError>
where
    ReceiptTaxRow: FromRow<'r, R>,
{
    read::<ReceiptTaxRow, R>(row)?.try_into()
}

columns! {
    /// A row of [`crate::sales::CATEGORY_TOTALS`].
    pub struct CategoryTotalRow {
        category: String,
        count: i64,
        amount: i64,
    }
}

impl From<CategoryTotalRow> for CategoryTotal {
    fn from(row: CategoryTotalRow) -> CategoryTotal {
        CategoryTotal { category: row.category, count: row.count, amount: row.amount }
    }
}

/// Decodes a row of [`crate::sales::CATEGORY_TOTALS`].
pub fn category_total<'r, R: Row>(row: &'r R) -> Result<CategoryTotal, StoreError>
where
    CategoryTotalRow: FromRow<'r, R>,
{
    read::<CategoryTotalRow, R>(row).map(CategoryTotal::from)
}

columns! {
    /// A row of [`crate::sales::TENDER_TOTALS`].
    pub struct TenderTotalRow {
        kind: String,
        count: i64,
        amount: i64,
    }
}

impl From<TenderTotalRow> for TenderTotal {
    fn from(row: TenderTotalRow) -> TenderTotal {
        TenderTotal { kind: row.kind, count: row.count, amount: row.amount }
    }
}

/// Decodes a row of [`crate::sales::TENDER_TOTALS`].
pub fn tender_total<'r, R: Row>(row: &'r R) -> Result<TenderTotal, StoreError>
where
    TenderTotalRow: FromRow<'r, R>,
{
    read::<TenderTotalRow, R>(row).map(TenderTotal::from)
}

columns! {
    /// A session's running totals, as [`crate::sales::TOTALS`] reads them.
    pub struct SessionTotalsRow {
        id: Uuid,
        opening_cash: i64,
        cash_net: i64,
        sales_count: i64,
        refunds_count: i64,
        sales_total: i64,
        refunds_total: i64,
        discounts_total: i64,
        tax_total: i64,
        rounding_total: i64,
        discounts_count: i64,
        cash_sales: i64,
        change_given: i64,
        cash_refunds: i64,
        paid_in_count: i64,
        paid_in_total: i64,
        paid_out_count: i64,
        paid_out_total: i64,
        drops_count: i64,
        drops_total: i64,
        no_sale_count: i64,
        reprint_count: i64,
        void_count: i64,
        void_total: i64,
    }
}

/// The totals without the per-tender, per-rate and per-category rows (read separately).
impl From<SessionTotalsRow> for SessionTotals {
    fn from(row: SessionTotalsRow) -> SessionTotals {
        SessionTotals {
            session_id: SessionId(row.id),
            sales_count: row.sales_count,
            refunds_count: row.refunds_count,
            sales_total: row.sales_total,
            refunds_total: row.refunds_total,
            discounts_total: row.discounts_total,
            tax_total: row.tax_total,
            rounding_total: row.rounding_total,
            discounts_count: row.discounts_count,
            cash_net: row.cash_net,
            cash_sales: row.cash_sales,
            change_given: row.change_given,
            cash_refunds: row.cash_refunds,
            paid_in_count: row.paid_in_count,
            paid_in_total: row.paid_in_total,
            paid_out_count: row.paid_out_count,
            paid_out_total: row.paid_out_total,
            drops_count: row.drops_count,
            drops_total: row.drops_total,
            no_sale_count: row.no_sale_count,
            reprint_count: row.reprint_count,
            void_count: row.void_count,
            void_total: row.void_total,
            opening_cash: row.opening_cash,
            expected_cash: till_core::cash::expected_cash(row.opening_cash, row.cash_net),
            tenders: Vec::new(),
            taxes: Vec::new(),
            categories: Vec::new(),
            drawer_hidden: false,
            // The service decides it, with the location at hand (`service::session_totals`).
            expected_hidden: false,
        }
    }
}

/// Decodes [`crate::sales::TOTALS`]; the per-tender and per-rate rows are read separately.
pub fn session_totals<'r, R: Row>(row: &'r R) -> Result<SessionTotals, StoreError>
where
    SessionTotalsRow: FromRow<'r, R>,
{
    read::<SessionTotalsRow, R>(row).map(SessionTotals::from)
}

columns! {
    /// A location's pricing settings, as [`crate::sales::PRICING`] reads them.
    pub struct PricingRow {
        currency: String,
        prices_include_tax: bool,
        cash_rounding_minor: i32,
        discount_limit_ppm: i32,
        card_reference_required: bool,
    }
}

/// The settings without the location's tax rates (read separately).
impl TryFrom<PricingRow> for PricingSettings {
    type Error = StoreError;

    fn try_from(row: PricingRow) -> Result<PricingSettings, StoreError> {
        Ok(PricingSettings {
            currency: currency(&row.currency)?,
            prices_include_tax: row.prices_include_tax,
            tax_rates: Vec::new(),
            cash_rounding_increment: i64::from(row.cash_rounding_minor),
            manager_discount_threshold: ppm(row.discount_limit_ppm)?,
            card_reference_required: row.card_reference_required,
        })
    }
}

/// Decodes [`crate::sales::PRICING`] with the location's tax rates.
pub fn pricing_settings<'r, R: Row>(row: &'r R, tax_rates: Vec<TaxRate>) -> Result<PricingSettings, StoreError>
where
    PricingRow: FromRow<'r, R>,
{
    let settings: PricingSettings = read::<PricingRow, R>(row)?.try_into()?;
    Ok(PricingSettings { tax_rates, ..settings })
}

/// Decodes a row with a text column `recorded` and `request_hash` (as
/// [`crate::sales::PRIOR_RECEIPT`]).
pub fn prior<'r, R: Row>(row: &'r R, recorded: &'static str) -> Result<Prior<String>, StoreError>
where
    &'static str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(Prior {
        recorded: row.try_get(recorded).map_err(column_error)?,
        request_hash: row.try_get("request_hash").map_err(column_error)?,
    })
}
