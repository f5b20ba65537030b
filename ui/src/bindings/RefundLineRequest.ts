// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type RefundLineRequest = { 
/**
 * The line number on the original receipt: an integer from 0 (`line_no` in `tillctl sale
 * show --json`).
 */
line: number, 
/**
 * How many units of that line: an integer from 1 to what is left of it unrefunded.
 */
quantity: number, };
