// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
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
