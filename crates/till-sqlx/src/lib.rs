//! What the SQLite and PostgreSQL stores share. Both schemas have the same tables and column
//! names (migrations/sqlite and migrations/postgres are one design in two dialects), so a row
//! decodes the same way from either; only the SQL around it differs.
//!
//! - [`rows`]: each read's columns as a `sqlx::FromRow` struct and its `TryFrom` into the
//!   domain type; the decoders (`till_sqlx::session(&row)`) are re-exported here.
//! - [`sql`]: the SQL written once for both dialects, a module per area (re-exported here as
//!   `till_sqlx::catalog`, `sales`, `cash`, `journal`).
//! - [`expected`]: the business rows a journal chain must cover, as the facts its entries state.
//! - [`invariants`]: the invariant checks' queries.
//! - [`schema`]: migration bookkeeping and the comparison of schema definitions.

/// A struct of a read's columns with its `sqlx::FromRow`, as `#[derive(sqlx::FromRow)]` writes
/// one: each field read (`Row::try_get`) by its own name, or by the column named after `=`.
/// Written as a macro here, not derived: sqlx's derive lives in its proc-macro crate, which
/// compiles sqlx's database drivers (with SQLite's C source, rustls and ring) a second time,
/// for the build host: about 50 s of CPU in every fresh build (docs/benchmarks.md).
macro_rules! columns {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty $(= $column:literal)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub struct $name {
            $( $(#[$field_meta])* $field: $ty ),*
        }

        impl<'r, R: ::sqlx::Row> ::sqlx::FromRow<'r, R> for $name
        where
            &'r str: ::sqlx::ColumnIndex<R>,
            $( $ty: ::sqlx::Decode<'r, R::Database> + ::sqlx::Type<R::Database>, )*
        {
            fn from_row(row: &'r R) -> Result<Self, ::sqlx::Error> {
                Ok(Self { $( $field: row.try_get(columns!(@name $field $($column)?))? ),* })
            }
        }
    };
    (@name $field:ident) => { stringify!($field) };
    (@name $field:ident $column:literal) => { $column };
}

pub mod expected;
pub mod invariants;
pub mod rows;
pub mod schema;
pub mod sql;

pub use rows::cash::{cash_movement, cash_reason, denomination, prior_movement, prior_void, voided_line, z_record};
pub use rows::catalog::{category, product, tax_rate};
pub use rows::journal::{chain_head, journal_entry, z_anchor};
pub use rows::places::{location, location_facts, register};
pub use rows::sales::{
    category_total, pricing_settings, prior, receipt, receipt_line, receipt_tax, receipt_tender, session_totals,
    tender_total,
};
pub use rows::sessions::{join, session};
pub use rows::staff::{auth_event, login_user, user};
pub use schema::{applied_migration, compare_definitions, embedded_migrator, known_migrations, migrate_error};
pub use sql::{cash, catalog, journal, sales, JOINS_SQL, REGISTER_SELECT};
