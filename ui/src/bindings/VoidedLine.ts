// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type VoidedLine = { product_id: string, quantity: number, 
/**
 * The catalog's unit price then, in minor units.
 */
unit_price: number, 
/**
 * `unit_price × quantity`.
 */
amount: number, };
