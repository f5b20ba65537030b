// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type RefundQuoteLine = { 
/**
 * The line number on the sale.
 */
line: number, name: string, quantity: number, 
/**
 * What this line gives back, tax included (the refund receipt line's `total`).
 */
amount: number, };
