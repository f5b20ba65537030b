// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type BuildInfo = { version: string, 
/**
 * The git commit, or "unknown".
 */
commit: string, };
