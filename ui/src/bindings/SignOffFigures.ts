// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type SignOffFigures = { currency: string, expected_cash: number, counted_cash: number, 
/**
 * Counted minus expected: above zero over, below zero short.
 */
variance: number, 
/**
 * Above the location's limit: the close needs the manager's reason.
 */
needs_sign_off: boolean, 
/**
 * The manager whose PIN was checked.
 */
manager: string, };
