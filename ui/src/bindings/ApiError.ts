// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type ApiError = { 
/**
 * One of [`ErrorCode`]'s, typed as text for the UI: it words a code it does not know as
 * `internal` rather than failing on it.
 */
code: string, message: string, 
/**
 * `user_locked`: when the lockout ends.
 */
until?: string, };
