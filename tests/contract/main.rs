//! Till's contract tests: one binary, one module per area, each test run against both stores
//! (`both_backends!`) or against the backend it is about. One binary links once, where fifteen
//! linked the whole workspace fifteen times.
//!
//! The shared shop fixture and the throwaway databases are `till-testkit`'s.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

mod attacks;
mod backup;
mod business_day;
mod cash;
mod catalog;
mod faults;
mod figures;
mod forgotten;
mod manager_pins;
mod price_reasons;
mod races;
mod refunds;
mod sales;
mod schema;
mod security;
mod story;
mod terminal_role;
mod variance;
mod voids;
