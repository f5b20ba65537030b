//! Locations and registers.

use super::{currency, read, unexpected};
use sqlx::{FromRow, Row};
use till_core::{Cutoff, Location, LocationId, Register, RegisterId, StoreError};
use uuid::Uuid;

columns! {
    /// A row of `locations`: every setting, as [`location`] and [`location_facts`] read it.
    pub struct LocationRow {
        id: Uuid,
        code: String,
        name: String,
        timezone: String,
        cutoff_minutes: i32,
        currency: String,
        locale: String,
        blind_close: bool,
        variance_limit_minor: i64,
        cash_out_limit_minor: i64,
        session_limit_minutes: i32,
        manager_pin_min_length: i32,
        prices_include_tax: bool,
        cash_rounding_minor: i32,
        discount_limit_ppm: i32,
        login_idle_minutes: i32,
        address: String,
        tax_number: String,
        card_reference_required: bool,
        bills: String,
        coins: String,
    }
}

impl LocationRow {
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }

    /// The settings as the location's staff-chain entry states them: the keys and their order
    /// are the payload's, as PostgreSQL's `till_location_facts` builds it.
    pub(crate) fn facts(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id, "code": self.code, "name": self.name,
            "currency": self.currency, "locale": self.locale,
            "timezone": self.timezone, "cutoff_minutes": self.cutoff_minutes,
            "prices_include_tax": self.prices_include_tax,
            "cash_rounding_minor": self.cash_rounding_minor,
            "discount_limit_ppm": self.discount_limit_ppm,
            "address": self.address, "tax_number": self.tax_number,
            "cash_out_limit_minor": self.cash_out_limit_minor,
            "variance_limit_minor": self.variance_limit_minor,
            "blind_close": self.blind_close,
            "session_limit_minutes": self.session_limit_minutes,
            "login_idle_minutes": self.login_idle_minutes,
            "manager_pin_min_length": self.manager_pin_min_length,
            // null while off, as an entry from before the setting existed reads.
            "card_reference_required": self.card_reference_required.then_some(true),
            "bills": Some(&self.bills).filter(|b| !b.is_empty()),
            "coins": Some(&self.coins).filter(|c| !c.is_empty()),
        })
    }
}

impl TryFrom<LocationRow> for Location {
    type Error = StoreError;

    fn try_from(row: LocationRow) -> Result<Location, StoreError> {
        let cutoff = row.cutoff_minutes;
        Ok(Location {
            id: LocationId(row.id),
            code: row.code,
            name: row.name,
            time_zone: row.timezone,
            cutoff: Cutoff::from_minutes(cutoff).map_err(|_| unexpected("cut-off", &cutoff.to_string()))?.to_string(),
            currency: currency(&row.currency)?,
            locale: row.locale,
            blind_close: row.blind_close,
            variance_limit_minor: row.variance_limit_minor,
            cash_out_limit_minor: row.cash_out_limit_minor,
            session_limit_minutes: row.session_limit_minutes,
            manager_pin_min_length: row.manager_pin_min_length,
            prices_include_tax: row.prices_include_tax,
            cash_rounding_minor: i64::from(row.cash_rounding_minor),
            discount_limit_ppm: u32::try_from(row.discount_limit_ppm)
                .map_err(|_| unexpected("discount limit", "negative"))?,
            login_idle_minutes: row.login_idle_minutes,
            address: row.address,
            tax_number: row.tax_number,
            card_reference_required: row.card_reference_required,
            bills: till_core::location::parse_denominations_text(&row.bills)
                .map_err(|_| unexpected("bills", &row.bills))?,
            coins: till_core::location::parse_denominations_text(&row.coins)
                .map_err(|_| unexpected("coins", &row.coins))?,
        })
    }
}

/// Decodes a row of `locations`.
pub fn location<'r, R: Row>(row: &'r R) -> Result<Location, StoreError>
where
    LocationRow: FromRow<'r, R>,
{
    read::<LocationRow, R>(row)?.try_into()
}

/// A location's settings as its staff-chain entry states them (PostgreSQL's
/// `till_location_facts` builds the same object), from a `locations` row.
pub fn location_facts<'r, R: Row>(row: &'r R) -> Result<serde_json::Value, StoreError>
where
    LocationRow: FromRow<'r, R>,
{
    Ok(read::<LocationRow, R>(row)?.facts())
}

columns! {
    /// A register joined with its location, as [`crate::REGISTER_SELECT`] reads it.
    pub struct RegisterRow {
        id: Uuid,
        location_id: Uuid,
        code: String,
        name: String,
        location_code: String,
        location_name: String,
        currency: String,
    }
}

impl TryFrom<RegisterRow> for Register {
    type Error = StoreError;

    fn try_from(row: RegisterRow) -> Result<Register, StoreError> {
        Ok(Register {
            id: RegisterId(row.id),
            location_id: LocationId(row.location_id),
            address: format!("{}/{}", row.location_code, row.code),
            location_code: row.location_code,
            location_name: row.location_name,
            code: row.code,
            name: row.name,
            currency: currency(&row.currency)?,
        })
    }
}

/// Decodes a register joined with its location (`r.*`, `location_code`, `location_name`,
/// `currency`).
pub fn register<'r, R: Row>(row: &'r R) -> Result<Register, StoreError>
where
    RegisterRow: FromRow<'r, R>,
{
    read::<RegisterRow, R>(row)?.try_into()
}
