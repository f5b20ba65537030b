//! The root package holds only the top-level tests (tests/*.rs); their support code is the
//! `till-testkit` crate.
