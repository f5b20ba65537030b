// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { PriceChangeReasonKind } from "./PriceChangeReasonKind";
export type PriceChangeReason = { 
/**
 * `damaged`, `price_match`, `staff` or `other`.
 */
kind: PriceChangeReasonKind, 
/**
 * Required for `other`; optional otherwise. Blank is none.
 */
text?: string, };
