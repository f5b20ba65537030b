// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
export type RefundLineRequest = { 
/**
 * The line number on the original receipt (from 0).
 */
line: number, quantity: number, };
