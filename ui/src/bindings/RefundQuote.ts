// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { RefundQuoteLine } from "./RefundQuoteLine";
export type RefundQuote = { 
/**
 * The sale's number.
 */
receipt: string, currency: string, 
/**
 * In the request's order.
 */
lines: Array<RefundQuoteLine>, 
/**
 * What the customer gets back, in minor units (tax included), before any cash rounding.
 */
total: number, 
/**
 * What is paid out: `total` rounded to the location's cash increment for a cash refund,
 * else `total`.
 */
cash_total: number, 
/**
 * How the sale was paid ("cash", "card", "voucher", "other"), each kind once, in the
 * receipt's order.
 */
tender_kinds_of_sale: Array<string>, 
/**
 * Back to a card, the terminal's refund approval reference is required (the location's
 * setting); otherwise it may be left out.
 */
card_reference_required: boolean, };
