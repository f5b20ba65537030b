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
pub use schema::{applied_migration, compare_definitions, known_migrations, migrate_error};
pub use sql::{cash, catalog, journal, sales, JOINS_SQL, REGISTER_SELECT};
