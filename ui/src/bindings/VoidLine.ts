// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type VoidLine = { product_id: string, 
/**
 * 1 to [`MAX_QUANTITY`], as a sale line's.
 */
quantity: number, };
