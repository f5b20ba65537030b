//! Row decoding. Each read's columns are declared once, as a `sqlx::FromRow` struct (written by
//! the crate's `columns!`) typed as both schemas store them (`i32` for an `integer` column,
//! `i64` for a `bigint` one; SQLite's INTEGER decodes as either), and a `TryFrom` parses the
//! struct into the domain type (money, currencies, enums), failing with
//! [`StoreFailure::Internal`] on a value the schema should not hold. The decoder functions
//! (`session(&row)`) are the entry points the stores call.

use sqlx::{FromRow, Row};
use till_core::anchor::{AnchorOf, JournalAnchor, PrintedAnchor};
use till_core::{Currency, Ppm, StoreError, StoreFailure};
use uuid::Uuid;

pub mod cash;
pub mod catalog;
pub mod journal;
pub mod places;
pub mod sales;
pub mod sessions;
pub mod staff;

/// Reads `T`'s columns from `row`. A missing or undecodable column is an internal error that
/// names it, as `cannot read column {name}: {sqlx's error}`.
pub(crate) fn read<'r, T: FromRow<'r, R>, R: Row>(row: &'r R) -> Result<T, StoreError> {
    T::from_row(row).map_err(column_error)
}

/// `sqlx`'s error for a column `FromRow` could not read, as [`StoreFailure::Internal`] naming
/// the column.
pub(crate) fn column_error(e: sqlx::Error) -> StoreError {
    let column = match &e {
        sqlx::Error::ColumnNotFound(name) => name.clone(),
        // sqlx writes the index as `{index:?}`: a name in quotes.
        sqlx::Error::ColumnDecode { index, .. } => index.trim_matches('"').to_string(),
        _ => return StoreFailure::Internal(format!("cannot read a row: {e}")).into(),
    };
    StoreFailure::Internal(format!("cannot read column {column}: {e}")).into()
}

pub(crate) fn unexpected(what: &str, value: &str) -> StoreError {
    StoreFailure::Internal(format!("unexpected {what} {value:?} in the database")).into()
}

pub(crate) fn currency(text: &str) -> Result<Currency, StoreError> {
    Currency::parse(text).map_err(|_| unexpected("currency", text))
}

pub(crate) fn ppm(value: i32) -> Result<Ppm, StoreError> {
    u32::try_from(value)
        .ok()
        .filter(|v| *v <= Ppm::ONE_HUNDRED_PERCENT.0)
        .map(Ppm)
        .ok_or_else(|| unexpected("tax rate", &value.to_string()))
}

pub(crate) fn count_u32(value: i32, what: &str) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| unexpected(what, &value.to_string()))
}

/// The anchor of a receipt's or Z's journal entry, from the `entry_seq` and `entry_hash` its
/// query joined in (absent for a row from before the journal began).
pub(crate) fn anchor(of: AnchorOf, chain: Uuid, seq: Option<i64>, hash: Option<String>) -> Option<PrintedAnchor> {
    Some(JournalAnchor { of, chain, seq: seq?, hash: hash? }.printed())
}
