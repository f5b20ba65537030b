// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type Register = { id: string, location_id: string, location_code: string, location_name: string, code: string, name: string, 
/**
 * `DT/R1`
 */
address: string, 
/**
 * The location's currency: the drawer counts in it.
 */
currency: string, };
