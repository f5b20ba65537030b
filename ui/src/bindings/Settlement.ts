// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Tender } from "./Tender";
export type Settlement = { 
/**
 * The priced cart's total.
 */
total: number, 
/**
 * The cash rounding line (negative when rounded down); 0 without a cash tender.
 */
rounding: number, 
/**
 * What the tenders pay for: total + rounding.
 */
amount_due: number, 
/**
 * The part of `amount_due` paid in cash.
 */
cash_due: number, tendered: number, 
/**
 * Given back in cash.
 */
change: number, tenders: Array<Tender>, };
