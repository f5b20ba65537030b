// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type DamagedView = { 
/**
 * The damaged file, for IT.
 */
path: string, reason: string, 
/**
 * The previous good copy, when there is one: a manager's PIN restores it.
 */
previous_path: string | null, 
/**
 * The database that copy names (redacted); the manager's PIN is checked there.
 */
previous_database: string | null, };
