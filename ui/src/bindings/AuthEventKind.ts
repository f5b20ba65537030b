// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type AuthEventKind = "pin_failed" | "locked" | "unlocked";
