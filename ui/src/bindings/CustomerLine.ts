// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type CustomerLine = { name: string, quantity: number, 
/**
 * Quantity × unit price in minor units, as the register's cart shows the line.
 */
amount: number, };
