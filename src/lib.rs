//! The root package only hosts the top-level `tests/`: the contract, race and fault tests
//! that every backend must pass. See `tests/common/mod.rs` for how each test gets its own
//! database.
