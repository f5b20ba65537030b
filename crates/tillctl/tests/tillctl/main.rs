//! tillctl as IT and its scripts run it: the binary itself, with its flags, `--json` answers and
//! exit codes (a public contract), on both backends. One binary, one module per area.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed; the panic says where

mod anchors;
mod approver;
mod cli;
mod device;
mod device_place;
mod doctor_owner;
mod printer;
mod schema;
mod store_day;
mod terminal;
