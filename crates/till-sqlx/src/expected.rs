//! The business rows a chain must cover, decoded into the facts their entries state. The
//! payload keys are those the appends write (PostgreSQL's functions and triggers, SQLite's
//! store): money and identities, as the rows hold them now. Each read's columns are a
//! `FromRow` struct; the keys of each `json!` are in the payload's order.

use crate::rows::places::LocationRow;
use crate::rows::read;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sqlx::{FromRow, Row};
use till_core::journal::ExpectedEntry;
use till_core::StoreError;
use uuid::Uuid;

columns! {
    /// A row of [`crate::journal::SALES`].
    pub struct SaleFactsRow {
        id: Uuid,
        kind: String,
        number: String,
        total: i64,
        tax: i64,
        discount: i64,
        tendered: i64,
        change: i64,
        cash_net: i64,
        approved_by: Option<Uuid>,
        user_id: Uuid,
        user_name: String,
        refund_reason_kind: Option<String>,
        refund_reason_text: Option<String>,
        receipt_discount_reason_kind: Option<String>,
        receipt_discount_reason_text: Option<String>,
    }
}

/// A chain's sales and refunds as their entries must state them: each row of
/// [`crate::journal::SALES`] with its rows of [`crate::journal::LINES`] (and their price change
/// reasons) and [`crate::journal::TENDERS`], grouped by sale. Both stores' journal verify run
/// the three queries and hand their rows here.
pub fn receipts<'r, R: Row>(sales: &'r [R], lines: &'r [R], tenders: &'r [R]) -> Result<Vec<ExpectedEntry>, StoreError>
where
    SaleFactsRow: FromRow<'r, R>,
    LineFactsRow: FromRow<'r, R>,
    TenderFactsRow: FromRow<'r, R>,
{
    let mut reasons = lines_by_sale(
        lines.iter().map(line_reason).filter_map(Result::transpose).collect::<Result<Vec<_>, StoreError>>()?,
    );
    let mut lines = lines_by_sale(lines.iter().map(line).collect::<Result<Vec<_>, StoreError>>()?);
    let mut tenders = lines_by_sale(tenders.iter().map(tender).collect::<Result<Vec<_>, StoreError>>()?);
    sales
        .iter()
        .map(|row| {
            let sale = read::<SaleFactsRow, R>(row)?;
            let id = sale.id;
            Ok(receipt(
                sale,
                lines.remove(&id).unwrap_or_default(),
                tenders.remove(&id).unwrap_or_default(),
                reasons.remove(&id).unwrap_or_default(),
            ))
        })
        .collect()
}

/// A sale or refund with its lines (`[line_no, product_id, quantity, unit_price, amount, tax,
/// total]`, by line number), tenders (`[kind, amount, reference]`) and its lines' price change
/// reasons ([`line_reason`], by line number).
fn receipt(sale: SaleFactsRow, lines: Vec<Value>, tenders: Vec<Value>, reasons: Vec<Value>) -> ExpectedEntry {
    let mut facts = json!({
        "number": sale.number, "total": sale.total,
        "tax": sale.tax, "discount": sale.discount,
        "tendered": sale.tendered, "change": sale.change,
        "cash_net": sale.cash_net, "lines": lines, "tenders": tenders,
        "approved_by": sale.approved_by,
    });
    // A refund's reason, null when the row has none: a refund from before reasons has none and
    // its entry no key (absent matches null), while a reason cleared from a row whose entry
    // holds one is an edit.
    facts["refund_reason"] = match sale.refund_reason_kind {
        Some(kind) => json!({ "kind": kind, "text": sale.refund_reason_text }),
        None => Value::Null,
    };
    // Reasons for changed prices, null when none (as an entry from before reasons reads):
    // the same shape as till_core::journal::price_change_reasons.
    facts["receipt_discount_reason"] = match sale.receipt_discount_reason_kind {
        Some(kind) => json!({ "kind": kind, "text": sale.receipt_discount_reason_text }),
        None => Value::Null,
    };
    facts["price_change_reasons"] = if reasons.is_empty() { Value::Null } else { Value::Array(reasons) };
    ExpectedEntry {
        event: sale.kind,
        reference: sale.id,
        facts,
        required: true,
        user: Some(sale.user_id),
        names: vec![(sale.user_id, sale.user_name)],
    }
}

columns! {
    /// A row of [`crate::journal::LINES`] (its numbers cast to `bigint`, as the payload holds them).
    pub struct LineFactsRow {
        sale_id: Uuid,
        line_no: i64,
        product_id: Uuid,
        quantity: i64,
        unit_price: i64,
        amount: i64,
        tax: i64,
        total: i64,
        price_change_reason_kind: Option<String>,
        price_change_reason_text: Option<String>,
    }
}

/// One line of [`crate::journal::LINES`] as the payload lists it, with the sale it belongs to.
fn line<'r, R: Row>(row: &'r R) -> Result<(Uuid, Value), StoreError>
where
    LineFactsRow: FromRow<'r, R>,
{
    let line = read::<LineFactsRow, R>(row)?;
    Ok((
        line.sale_id,
        json!([line.line_no, line.product_id, line.quantity, line.unit_price, line.amount, line.tax, line.total]),
    ))
}

/// The price change reason of one line of [`crate::journal::LINES`] as the payload lists it
/// (`[line_no, kind, text]`), with its sale; `None` for a line without one.
fn line_reason<'r, R: Row>(row: &'r R) -> Result<Option<(Uuid, Value)>, StoreError>
where
    LineFactsRow: FromRow<'r, R>,
{
    let line = read::<LineFactsRow, R>(row)?;
    Ok(line
        .price_change_reason_kind
        .map(|kind| (line.sale_id, json!([line.line_no, kind, line.price_change_reason_text]))))
}

columns! {
    /// A row of [`crate::journal::TENDERS`].
    pub struct TenderFactsRow {
        sale_id: Uuid,
        kind: String,
        amount: i64,
        reference: Option<String>,
    }
}

/// One tender of [`crate::journal::TENDERS`] as the payload lists it, with its sale.
fn tender<'r, R: Row>(row: &'r R) -> Result<(Uuid, Value), StoreError>
where
    TenderFactsRow: FromRow<'r, R>,
{
    let tender = read::<TenderFactsRow, R>(row)?;
    Ok((tender.sale_id, json!([tender.kind, tender.amount, tender.reference])))
}

columns! {
    /// A row of [`crate::journal::MOVEMENTS`].
    pub struct MovementFactsRow {
        id: Uuid,
        kind: String,
        amount: i64,
        reason: String,
        session_id: Uuid,
        approved_by: Option<Uuid>,
        user_id: Uuid,
        user_name: String,
    }
}

pub fn movement<'r, R: Row>(row: &'r R) -> Result<ExpectedEntry, StoreError>
where
    MovementFactsRow: FromRow<'r, R>,
{
    let movement = read::<MovementFactsRow, R>(row)?;
    Ok(ExpectedEntry {
        event: movement.kind,
        reference: movement.id,
        facts: json!({
            "amount": movement.amount, "reason": movement.reason,
            "session_id": movement.session_id, "approved_by": movement.approved_by,
        }),
        required: true,
        user: Some(movement.user_id),
        names: vec![(movement.user_id, movement.user_name)],
    })
}

columns! {
    /// A row of [`crate::journal::VOIDS`].
    pub struct VoidFactsRow {
        id: Uuid,
        kind: String,
        amount: i64,
        session_id: Uuid,
        user_id: Uuid,
        user_name: String,
    }
}

/// A chain's voids as their entries must state them: each row of [`crate::journal::VOIDS`]
/// with its rows of [`crate::journal::VOID_LINES`] (`[product_id, quantity, unit_price]`, in
/// line order).
pub fn voids<'r, R: Row>(voids: &'r [R], lines: &'r [R]) -> Result<Vec<ExpectedEntry>, StoreError>
where
    VoidFactsRow: FromRow<'r, R>,
    VoidLineFactsRow: FromRow<'r, R>,
{
    let mut lines = lines_by_sale(lines.iter().map(void_line).collect::<Result<Vec<_>, StoreError>>()?);
    voids
        .iter()
        .map(|row| {
            let void = read::<VoidFactsRow, R>(row)?;
            let id = void.id;
            Ok(void_entry(void, lines.remove(&id).unwrap_or_default()))
        })
        .collect()
}

fn void_entry(void: VoidFactsRow, lines: Vec<Value>) -> ExpectedEntry {
    ExpectedEntry {
        event: "void".into(),
        reference: void.id,
        facts: json!({
            "session_id": void.session_id, "kind": void.kind, "amount": void.amount, "lines": lines,
        }),
        required: true,
        user: Some(void.user_id),
        names: vec![(void.user_id, void.user_name)],
    }
}

columns! {
    /// A row of [`crate::journal::VOID_LINES`] (its quantity cast to `bigint`).
    pub struct VoidLineFactsRow {
        void_id: Uuid,
        product_id: Uuid,
        quantity: i64,
        unit_price: i64,
    }
}

/// One line of [`crate::journal::VOID_LINES`] as the payload lists it, with its void.
fn void_line<'r, R: Row>(row: &'r R) -> Result<(Uuid, Value), StoreError>
where
    VoidLineFactsRow: FromRow<'r, R>,
{
    let line = read::<VoidLineFactsRow, R>(row)?;
    Ok((line.void_id, json!([line.product_id, line.quantity, line.unit_price])))
}

columns! {
    /// A session's open, and whether it closed, as [`crate::journal::SESSIONS`] reads it.
    pub struct SessionFactsRow {
        id: Uuid,
        opened_by: Uuid,
        opened_by_name: String,
        opened_at: DateTime<Utc>,
        opening_cash: i64,
        closed_at: Option<DateTime<Utc>>,
    }
}

columns! {
    /// A session's close, from the same row: read only once `closed_at` is set, as `closed_by`
    /// and its name are NULL until then (and required after). `late_counted_at` splits the count
    /// off into a late count entry.
    pub struct CloseFactsRow {
        closed_by: Uuid,
        closed_by_name: String,
        approved_by: Option<Uuid>,
        approved_by_name: Option<String>,
        expected_cash: Option<i64>,
        counted_cash: Option<i64>,
        variance: Option<i64>,
        late_counted_at: Option<DateTime<Utc>>,
    }
}

columns! {
    /// Who made a session's late count, from the same row: read only for a late count.
    pub struct LateCountFactsRow {
        late_counted_by: Option<Uuid>,
    }
}

/// A session's open, close and late count entries: required for what happened at or after
/// `since`, matched (not required) for what happened before the journal began.
pub fn session<'r, R: Row>(row: &'r R, since: DateTime<Utc>) -> Result<Vec<ExpectedEntry>, StoreError>
where
    SessionFactsRow: FromRow<'r, R>,
    CloseFactsRow: FromRow<'r, R>,
    LateCountFactsRow: FromRow<'r, R>,
{
    let session = read::<SessionFactsRow, R>(row)?;
    let id = session.id;
    let entry = |event: &str, facts: Value, at: DateTime<Utc>, user: Uuid, names: Vec<(Uuid, String)>| ExpectedEntry {
        event: event.into(),
        reference: id,
        facts,
        required: at >= since,
        user: Some(user),
        names,
    };
    let mut out = vec![entry(
        "session_open",
        json!({ "opening_cash": session.opening_cash }),
        session.opened_at,
        session.opened_by,
        vec![(session.opened_by, session.opened_by_name)],
    )];
    if let Some(closed_at) = session.closed_at {
        let close = read::<CloseFactsRow, R>(row)?;
        let mut names = vec![(close.closed_by, close.closed_by_name)];
        if let (Some(approver), Some(name)) = (close.approved_by, close.approved_by_name) {
            names.push((approver, name));
        }
        let count = json!({
            "expected_cash": close.expected_cash, "counted_cash": close.counted_cash, "variance": close.variance
        });
        match close.late_counted_at {
            None => {
                let mut facts = count;
                facts["approved_by"] = json!(close.approved_by);
                out.push(entry("session_close", facts, closed_at, close.closed_by, names));
            }
            Some(late_at) => {
                let facts = json!({ "expected_cash": close.expected_cash });
                out.push(entry("session_close", facts, closed_at, close.closed_by, names));
                let counter = read::<LateCountFactsRow, R>(row)?.late_counted_by.unwrap_or_default();
                out.push(entry("late_count", count, late_at, counter, Vec::new()));
            }
        }
    }
    Ok(out)
}

columns! {
    /// A row of [`crate::journal::ZS`]: a Z with its session's closer.
    pub struct ZFactsRow {
        session_id: Uuid,
        z_number: i64,
        grand_sales: i64,
        grand_refunds: i64,
        journal_seq: i64,
        journal_head: String,
        closed_by: Uuid,
    }
}

pub fn z<'r, R: Row>(row: &'r R) -> Result<ExpectedEntry, StoreError>
where
    ZFactsRow: FromRow<'r, R>,
{
    let z = read::<ZFactsRow, R>(row)?;
    Ok(ExpectedEntry {
        event: "z_report".into(),
        reference: z.session_id,
        facts: json!({
            "z_number": z.z_number, "grand_sales": z.grand_sales,
            "grand_refunds": z.grand_refunds, "journal_seq": z.journal_seq,
            "journal_head": z.journal_head,
        }),
        required: true,
        user: Some(z.closed_by),
        names: Vec::new(),
    })
}

columns! {
    /// A row of [`crate::journal::AUTH_EVENTS`].
    pub struct AuthEventFactsRow {
        id: Uuid,
        kind: String,
        user_id: Option<Uuid>,
    }
}

pub fn auth_event<'r, R: Row>(row: &'r R) -> Result<ExpectedEntry, StoreError>
where
    AuthEventFactsRow: FromRow<'r, R>,
{
    let event = read::<AuthEventFactsRow, R>(row)?;
    Ok(ExpectedEntry {
        event: event.kind.clone(),
        reference: event.id,
        facts: json!({ "kind": event.kind }),
        required: true,
        user: event.user_id,
        names: Vec::new(),
    })
}

/// The database's identity, as its entry on the staff chain states it.
pub fn database_identity(id: Uuid) -> ExpectedEntry {
    ExpectedEntry {
        event: till_core::journal::DATABASE_EVENT.into(),
        reference: id,
        facts: json!({ "id": id }),
        required: true,
        user: None,
        names: Vec::new(),
    }
}

columns! {
    /// A row of [`crate::journal::USERS`] (the PIN hash is the backend's to digest).
    pub struct UserFactsRow {
        id: Uuid,
        name: String,
        role: String,
        active: bool,
    }
}

/// A user as the staff chain must last have journaled it (`pin` is the sha256 of its PIN
/// hash, as the backend computes it: [`crate::journal::USERS`]).
pub fn user<'r, R: Row>(row: &'r R, pin: String) -> Result<ExpectedEntry, StoreError>
where
    UserFactsRow: FromRow<'r, R>,
{
    let user = read::<UserFactsRow, R>(row)?;
    Ok(ExpectedEntry {
        event: till_core::journal::USER_EVENT.into(),
        reference: user.id,
        facts: json!({ "name": user.name, "role": user.role, "active": user.active, "pin": pin }),
        required: true,
        user: None,
        names: Vec::new(),
    })
}

/// A location as the staff chain must last have journaled it ([`crate::location_facts`]).
pub fn location<'r, R: Row>(row: &'r R) -> Result<ExpectedEntry, StoreError>
where
    LocationRow: FromRow<'r, R>,
{
    let location = read::<LocationRow, R>(row)?;
    Ok(ExpectedEntry {
        event: till_core::journal::LOCATION_EVENT.into(),
        reference: location.id(),
        facts: location.facts(),
        required: true,
        user: None,
        names: Vec::new(),
    })
}

/// Groups lines by sale (or void), in line order, for [`receipts`] and [`voids`].
fn lines_by_sale(lines: Vec<(Uuid, Value)>) -> std::collections::HashMap<Uuid, Vec<Value>> {
    let mut by_sale: std::collections::HashMap<Uuid, Vec<Value>> = std::collections::HashMap::new();
    for (sale, line) in lines {
        by_sale.entry(sale).or_default().push(line);
    }
    by_sale
}
