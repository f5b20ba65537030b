// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { RefundReasonKind } from "./RefundReasonKind";
export type RefundReason = { 
/**
 * `damaged`, `wrong_item`, `changed_mind`, `price_match` or `other`.
 */
kind: RefundReasonKind, 
/**
 * Required for `other`; optional otherwise. Blank is none.
 */
text?: string, };
