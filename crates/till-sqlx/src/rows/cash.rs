//! Cash reasons and movements, counts, and Z reports.

use super::{anchor, currency, read, unexpected};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, Row};
use till_core::anchor::AnchorOf;
use till_core::cash::{CashMovement, CashReason, DenominationCount, MovementKind};
use till_core::voids::{VoidKind, VoidRecorded, VoidedLine};
use till_core::{LocationId, MovementId, Prior, ProductId, RegisterId, SessionId, StoreError, VoidId, ZRecord};
use uuid::Uuid;

columns! {
    /// A row of [`crate::cash::REASONS`].
    pub struct CashReasonRow {
        kind: String,
        code: String,
        label: String,
        position: i32,
    }
}

impl TryFrom<CashReasonRow> for CashReason {
    type Error = StoreError;

    fn try_from(row: CashReasonRow) -> Result<CashReason, StoreError> {
        Ok(CashReason {
            kind: MovementKind::parse(&row.kind).map_err(|_| unexpected("movement kind", &row.kind))?,
            code: row.code,
            label: row.label,
            position: row.position,
        })
    }
}

/// Decodes a row of [`crate::cash::REASONS`].
pub fn cash_reason<'r, R: Row>(row: &'r R) -> Result<CashReason, StoreError>
where
    CashReasonRow: FromRow<'r, R>,
{
    read::<CashReasonRow, R>(row)?.try_into()
}

columns! {
    /// A movement with its approver's name and its session's currency, as [`crate::cash::MOVEMENT`]
    /// and [`crate::cash::MOVEMENTS`] read it.
    pub struct CashMovementRow {
        id: Uuid,
        session_id: Uuid,
        location_id: Uuid,
        kind: String,
        amount: i64,
        currency: String,
        reason: String,
        note: Option<String>,
        user_name: String,
        approved_by_name: Option<String>,
        device: String,
        at: DateTime<Utc>,
    }
}

impl TryFrom<CashMovementRow> for CashMovement {
    type Error = StoreError;

    fn try_from(row: CashMovementRow) -> Result<CashMovement, StoreError> {
        Ok(CashMovement {
            id: MovementId(row.id),
            session_id: SessionId(row.session_id),
            location_id: LocationId(row.location_id),
            kind: MovementKind::parse(&row.kind).map_err(|_| unexpected("movement kind", &row.kind))?,
            amount: row.amount,
            currency: currency(&row.currency)?,
            reason: row.reason,
            note: row.note,
            user: row.user_name,
            approved_by: row.approved_by_name,
            device: row.device,
            at: row.at,
        })
    }
}

/// Decodes a row of [`crate::cash::MOVEMENT`] / [`crate::cash::MOVEMENTS`].
pub fn cash_movement<'r, R: Row>(row: &'r R) -> Result<CashMovement, StoreError>
where
    CashMovementRow: FromRow<'r, R>,
{
    read::<CashMovementRow, R>(row)?.try_into()
}

/// [`crate::cash::MOVEMENT`]'s row with its request's fingerprint.
#[derive(Debug)]
pub struct PriorMovementRow {
    movement: CashMovementRow,
    request_hash: String,
}

// The movement's own columns, then the fingerprint's (as `#[sqlx(flatten)]` would read them).
impl<'r, R: Row> FromRow<'r, R> for PriorMovementRow
where
    CashMovementRow: FromRow<'r, R>,
    &'r str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Self { movement: CashMovementRow::from_row(row)?, request_hash: row.try_get("request_hash")? })
    }
}

impl TryFrom<PriorMovementRow> for Prior<CashMovement> {
    type Error = StoreError;

    fn try_from(row: PriorMovementRow) -> Result<Prior<CashMovement>, StoreError> {
        Ok(Prior { recorded: row.movement.try_into()?, request_hash: row.request_hash })
    }
}

/// Decodes [`crate::cash::MOVEMENT`]'s row as a retry's answer, with its request's fingerprint.
pub fn prior_movement<'r, R: Row>(row: &'r R) -> Result<Prior<CashMovement>, StoreError>
where
    PriorMovementRow: FromRow<'r, R>,
{
    read::<PriorMovementRow, R>(row)?.try_into()
}

columns! {
    /// A void with its session's currency and its request's fingerprint, as [`crate::cash::VOID`]
    /// reads it.
    pub struct VoidRow {
        id: Uuid,
        session_id: Uuid,
        kind: String,
        amount: i64,
        currency: String,
        user_name: String,
        device: String,
        at: DateTime<Utc>,
        request_hash: String,
    }
}

columns! {
    /// A row of [`crate::cash::VOID_LINES`].
    pub struct VoidLineRow {
        product_id: Uuid,
        quantity: i32,
        unit_price: i64,
        amount: i64,
    }
}

impl From<VoidLineRow> for VoidedLine {
    fn from(row: VoidLineRow) -> VoidedLine {
        VoidedLine {
            product_id: ProductId(row.product_id),
            quantity: row.quantity,
            unit_price: row.unit_price,
            amount: row.amount,
        }
    }
}

/// Decodes a row of [`crate::cash::VOID_LINES`].
pub fn voided_line<'r, R: Row>(row: &'r R) -> Result<VoidedLine, StoreError>
where
    VoidLineRow: FromRow<'r, R>,
{
    read::<VoidLineRow, R>(row).map(VoidedLine::from)
}

/// Decodes [`crate::cash::VOID`]'s row with its `lines` (read by [`crate::cash::VOID_LINES`]),
/// and its request's fingerprint (a retry's answer).
pub fn prior_void<'r, R: Row>(row: &'r R, lines: Vec<VoidedLine>) -> Result<Prior<VoidRecorded>, StoreError>
where
    VoidRow: FromRow<'r, R>,
{
    let row = read::<VoidRow, R>(row)?;
    let recorded = VoidRecorded {
        id: VoidId(row.id),
        session_id: SessionId(row.session_id),
        kind: VoidKind::parse(&row.kind).map_err(|_| unexpected("void kind", &row.kind))?,
        amount: row.amount,
        currency: currency(&row.currency)?,
        lines,
        user: row.user_name,
        device: row.device,
        at: row.at,
    };
    Ok(Prior { recorded, request_hash: row.request_hash })
}

columns! {
    /// A row of `z_reports` with its journal entry's `entry_seq` and `entry_hash`, as
    /// [`crate::cash::Z_OF_SESSION`] and [`crate::cash::Z_LIST`] read it.
    pub struct ZRecordRow {
        register_id: Uuid,
        z_number: i64,
        session_id: Uuid,
        at: DateTime<Utc>,
        first_receipt: Option<String>,
        last_receipt: Option<String>,
        grand_sales: i64,
        grand_refunds: i64,
        journal_seq: i64,
        journal_head: String,
        entry_seq: Option<i64>,
        entry_hash: Option<String>,
    }
}

impl From<ZRecordRow> for ZRecord {
    fn from(row: ZRecordRow) -> ZRecord {
        ZRecord {
            register_id: RegisterId(row.register_id),
            z_number: row.z_number,
            session_id: SessionId(row.session_id),
            at: row.at,
            first_receipt: row.first_receipt,
            last_receipt: row.last_receipt,
            grand_sales: row.grand_sales,
            grand_refunds: row.grand_refunds,
            journal_seq: row.journal_seq,
            journal_head: row.journal_head,
            anchor: anchor(AnchorOf::Z(row.z_number), row.register_id, row.entry_seq, row.entry_hash),
        }
    }
}

/// Decodes a row of `z_reports`.
pub fn z_record<'r, R: Row>(row: &'r R) -> Result<ZRecord, StoreError>
where
    ZRecordRow: FromRow<'r, R>,
{
    read::<ZRecordRow, R>(row).map(ZRecord::from)
}

columns! {
    /// A row of [`crate::cash::OPENING_COUNT`] or [`crate::cash::CLOSING_COUNT`].
    pub struct DenominationRow {
        denomination: i64,
        count: i32,
    }
}

impl TryFrom<DenominationRow> for DenominationCount {
    type Error = StoreError;

    fn try_from(row: DenominationRow) -> Result<DenominationCount, StoreError> {
        let count = row.count;
        Ok(DenominationCount {
            denomination: row.denomination,
            count: u32::try_from(count).map_err(|_| unexpected("count", &count.to_string()))?,
        })
    }
}

/// Decodes a row of [`crate::cash::CLOSING_COUNT`].
pub fn denomination<'r, R: Row>(row: &'r R) -> Result<DenominationCount, StoreError>
where
    DenominationRow: FromRow<'r, R>,
{
    read::<DenominationRow, R>(row)?.try_into()
}
