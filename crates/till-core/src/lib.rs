//! Till's core: the domain types, the [`Store`] trait every backend implements, and the
//! operations (start shift, close shift, provisioning) that the CLI and the desktop app share.
//!
//! Nothing here talks to a database directly: the atomic work (one open session per register,
//! gapless numbering) lives in the stores, enforced by the database itself.

pub mod domain;
pub mod error;
pub mod money;
pub mod service;
pub mod store;

pub use domain::*;
pub use error::{Entity, InputError, StoreError, TillError};
pub use money::{Currency, Money};
pub use store::*;
