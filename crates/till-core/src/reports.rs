//! X and Z reports, assembled from the session's running totals (one row and a few small
//! per-tender, per-rate and per-category rows, whatever the number of receipts): never from
//! the receipts themselves.

use crate::cash::DenominationCount;
use crate::sales::{CategoryTotal, ReceiptTax, SessionTotals, TenderTotal};
use crate::store::{Location, Register, Session, SessionStatus, ZRecord};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Who, where and when.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ReportHeader {
    pub location_code: String,
    pub location_name: String,
    pub register: String,
    pub session_number: String,
    pub business_day: chrono::NaiveDate,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the report was made and who asked for it.
    pub made_at: DateTime<Utc>,
    pub requested_by: String,
    pub currency: String,
    /// The location's locale and time zone: how text output writes its money and times.
    pub locale: String,
    pub time_zone: String,
}

/// A count and an amount (minor units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CountAmount {
    #[ts(type = "number")]
    pub count: i64,
    #[ts(type = "number")]
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SalesSection {
    /// Receipts recorded (sales and refunds).
    #[ts(type = "number")]
    pub receipts: i64,
    /// Sales before discounts: what the lines came to at their (possibly overridden) prices.
    #[ts(type = "number")]
    pub gross_sales: i64,
    pub discounts: CountAmount,
    pub refunds: CountAmount,
    /// Sales less refunds: what customers paid, net of what was given back.
    #[ts(type = "number")]
    pub net_sales: i64,
    #[ts(type = "number")]
    pub rounding: i64,
    /// Per rate: base, tax, gross (sales less refunds).
    pub taxes: Vec<ReceiptTax>,
    pub categories: Vec<CategoryTotal>,
}

/// The drawer: what it should hold.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DrawerSection {
    #[ts(type = "number")]
    pub opening_float: i64,
    /// The float the register's previous close left, and how far the opening count was from it
    /// (`None`: no close recorded a float).
    #[ts(type = "number | null")]
    pub float_expected: Option<i64>,
    #[ts(type = "number | null")]
    pub opening_difference: Option<i64>,
    /// Cash handed over on sales (before change).
    #[ts(type = "number")]
    pub cash_sales: i64,
    #[ts(type = "number")]
    pub change_given: i64,
    #[ts(type = "number")]
    pub cash_refunds: i64,
    /// The cash tender net of change: cash handed over on sales, less change, less cash
    /// refunds. Beside the tenders' cash (handed over), so the two reconcile at a glance.
    #[ts(type = "number")]
    pub cash_net_of_change: i64,
    pub paid_in: CountAmount,
    pub paid_out: CountAmount,
    pub drops: CountAmount,
    /// float + cash sales − change − cash refunds + paid in − paid out − drops.
    #[ts(type = "number")]
    pub expected_cash: i64,
}

/// An X report: the open (or any) session at a moment. It resets nothing.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct XReport {
    pub header: ReportHeader,
    pub sales: SalesSection,
    pub tenders: Vec<TenderTotal>,
    pub drawer: DrawerSection,
    #[ts(type = "number")]
    pub no_sales: i64,
    #[ts(type = "number")]
    pub reprints: i64,
    /// Voids: lines taken off sales before they were paid, how many and their amount at the
    /// catalog's list prices (minor units).
    #[ts(type = "number")]
    pub voids: i64,
    #[ts(type = "number")]
    pub voids_total: i64,
}

/// A Z report: the X of a closed session, and what its close recorded.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ZReport {
    pub x: XReport,
    pub z: ZRecord,
    /// `None` while a force-closed session waits for its late count.
    #[ts(type = "number | null")]
    pub counted_cash: Option<i64>,
    pub denominations: Vec<DenominationCount>,
    /// The opening count's notes and coins, when they were counted.
    pub opening_denominations: Vec<DenominationCount>,
    #[ts(type = "number | null")]
    pub variance: Option<i64>,
    pub variance_reason: Option<String>,
    pub closed_by: Option<String>,
    pub approved_by: Option<String>,
    #[ts(type = "number | null")]
    pub cash_removed: Option<i64>,
    #[ts(type = "number | null")]
    pub float_left: Option<i64>,
    pub force_close_reason: Option<String>,
    #[ts(type = "number")]
    pub grand_net: i64,
}

pub fn x_report(
    location: &Location,
    register: &Register,
    session: &Session,
    totals: &SessionTotals,
    requested_by: &str,
    made_at: DateTime<Utc>,
) -> XReport {
    let header = ReportHeader {
        location_code: location.code.clone(),
        location_name: location.name.clone(),
        register: register.address.clone(),
        session_number: session.number.clone(),
        business_day: session.business_day,
        opened_by: session.opened_by.clone(),
        opened_at: session.opened_at,
        closed_at: session.closed_at,
        made_at,
        requested_by: requested_by.to_string(),
        currency: session.currency.code().to_string(),
        locale: location.locale.clone(),
        time_zone: location.time_zone.clone(),
    };
    let t = totals;
    let sales = SalesSection {
        receipts: t.sales_count + t.refunds_count,
        gross_sales: t.sales_total + t.discounts_total,
        discounts: CountAmount { count: t.discounts_count, amount: t.discounts_total },
        refunds: CountAmount { count: t.refunds_count, amount: t.refunds_total },
        net_sales: t.sales_total - t.refunds_total,
        rounding: t.rounding_total,
        taxes: t.taxes.clone(),
        categories: t.categories.clone(),
    };
    let drawer = DrawerSection {
        opening_float: t.opening_cash,
        float_expected: session.float_expected.map(|m| m.minor()),
        opening_difference: session.float_expected.map(|m| session.opening_cash.minor() - m.minor()),
        cash_sales: t.cash_sales,
        change_given: t.change_given,
        cash_refunds: t.cash_refunds,
        cash_net_of_change: t.cash_sales - t.change_given - t.cash_refunds,
        paid_in: CountAmount { count: t.paid_in_count, amount: t.paid_in_total },
        paid_out: CountAmount { count: t.paid_out_count, amount: t.paid_out_total },
        drops: CountAmount { count: t.drops_count, amount: t.drops_total },
        // The totals' (crate::cash::expected_cash), never a second sum of the parts above.
        expected_cash: t.expected_cash,
    };
    XReport {
        header,
        sales,
        tenders: t.tenders.clone(),
        drawer,
        no_sales: t.no_sale_count,
        reprints: t.reprint_count,
        voids: t.void_count,
        voids_total: t.void_total,
    }
}

pub fn z_report(x: XReport, session: &Session, z: ZRecord, denominations: Vec<DenominationCount>) -> ZReport {
    let pending = session.count_pending || session.status != SessionStatus::Closed;
    let minor = |m: Option<crate::money::Money>| m.map(|m| m.minor());
    ZReport {
        counted_cash: if pending { None } else { minor(session.counted_cash) },
        variance: if pending { None } else { minor(session.variance) },
        denominations,
        opening_denominations: Vec::new(),
        variance_reason: session.variance_reason.clone(),
        closed_by: session.closed_by.clone(),
        approved_by: session.approved_by.clone(),
        cash_removed: minor(session.cash_removed),
        float_left: minor(session.float_left),
        force_close_reason: session.force_close_reason.clone(),
        grand_net: z.grand_sales - z.grand_refunds,
        x,
        z,
    }
}
