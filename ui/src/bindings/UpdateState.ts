// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type UpdateState = "off" | "up_to_date" | "checking" | "downloading" | "waiting" | "installing" | "installed" | "refused" | "failed";
