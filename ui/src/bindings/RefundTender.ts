// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type RefundTender = { "kind": "cash" } | { "kind": "card", 
/**
 * The card terminal's approval reference of the refund (never a card number).
 */
approval_reference: string, };
