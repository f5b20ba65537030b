//! Sessions and their joins.

use super::{currency, read, unexpected};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{FromRow, Row};
use till_core::{Join, LocationId, Money, RegisterId, Session, SessionId, SessionStatus, StoreError};
use uuid::Uuid;

columns! {
    /// A row of `sessions` (the columns [`Session`] shows).
    pub struct SessionRow {
        id: Uuid,
        number: String,
        register_id: Uuid,
        register_code: String,
        location_id: Uuid,
        location_code: String,
        currency: String,
        business_day: NaiveDate,
        day_seq: i64,
        status: String,
        opened_by_name: String,
        opened_at: DateTime<Utc>,
        opening_device: String,
        opening_cash: i64,
        notes: Option<String>,
        closed_by_name: Option<String>,
        closed_at: Option<DateTime<Utc>>,
        counted_cash: Option<i64>,
        expected_cash: Option<i64>,
        variance: Option<i64>,
        float_expected: Option<i64>,
        cash_removed: Option<i64>,
        float_left: Option<i64>,
        variance_reason: Option<String>,
        approved_by_name: Option<String>,
        count_pending: bool,
        force_close_reason: Option<String>,
    }
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;

    fn try_from(row: SessionRow) -> Result<Session, StoreError> {
        let currency = currency(&row.currency)?;
        let money = |minor: i64| Money::from_minor(minor, currency);
        let maybe = |minor: Option<i64>| minor.map(money);
        Ok(Session {
            id: SessionId(row.id),
            number: row.number,
            register_id: RegisterId(row.register_id),
            register_code: row.register_code,
            location_id: LocationId(row.location_id),
            location_code: row.location_code,
            currency,
            business_day: row.business_day,
            day_sequence: row.day_seq,
            status: match row.status.as_str() {
                "open" => SessionStatus::Open,
                "closed" => SessionStatus::Closed,
                _ => return Err(unexpected("status", &row.status)),
            },
            opened_by: row.opened_by_name,
            opened_at: row.opened_at,
            opening_device: row.opening_device,
            opening_cash: money(row.opening_cash),
            notes: row.notes,
            closed_by: row.closed_by_name,
            closed_at: row.closed_at,
            counted_cash: maybe(row.counted_cash),
            expected_cash: maybe(row.expected_cash),
            variance: maybe(row.variance),
            float_expected: maybe(row.float_expected),
            cash_removed: maybe(row.cash_removed),
            float_left: maybe(row.float_left),
            variance_reason: row.variance_reason,
            approved_by: row.approved_by_name,
            count_pending: row.count_pending,
            force_close_reason: row.force_close_reason,
            joins: Vec::new(),
        })
    }
}

/// Decodes a row of `sessions`.
pub fn session<'r, R: Row>(row: &'r R) -> Result<Session, StoreError>
where
    SessionRow: FromRow<'r, R>,
{
    read::<SessionRow, R>(row)?.try_into()
}

columns! {
    /// A join as [`crate::JOINS_SQL`] reads it.
    pub struct JoinRow {
        name: String,
        device: String,
        joined_at: DateTime<Utc>,
    }
}

impl From<JoinRow> for Join {
    fn from(row: JoinRow) -> Join {
        Join { user: row.name, device: row.device, joined_at: row.joined_at }
    }
}

/// Decodes a join (`name`, `device`, `joined_at`).
pub fn join<'r, R: Row>(row: &'r R) -> Result<Join, StoreError>
where
    JoinRow: FromRow<'r, R>,
{
    read::<JoinRow, R>(row).map(Join::from)
}
