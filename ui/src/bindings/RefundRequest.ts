// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { RefundLineRequest } from "./RefundLineRequest";
import type { RefundReason } from "./RefundReason";
import type { RefundTender } from "./RefundTender";
export type RefundRequest = { 
/**
 * The sale's lines to take back, at least one. The amounts come from the sale: each line
 * gives back its share of what was paid for it.
 */
lines: Array<RefundLineRequest>, 
/**
 * How the refund is paid back.
 */
tender: RefundTender, 
/**
 * Why: a kind from the list, with a text for `other`. Stored on the refund receipt and
 * journaled.
 */
reason: RefundReason, };
