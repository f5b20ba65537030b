// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Discount } from "./Discount";
import type { PriceChangeReason } from "./PriceChangeReason";
import type { SaleLineRequest } from "./SaleLineRequest";
import type { Tender } from "./Tender";
export type SaleRequest = { 
/**
 * The products sold, 1 to 500 lines, in the order the receipt prints them.
 */
lines: Array<SaleLineRequest>, 
/**
 * A discount on the whole receipt, taken from the subtotal after the lines' own
 * discounts; absent or null: none. Above the location's discount limit it needs a
 * manager's approval.
 */
receipt_discount?: Discount | null, 
/**
 * Why the receipt discount is given (as a line's `reason`): needed with one.
 */
receipt_discount_reason?: PriceChangeReason | null, 
/**
 * How the customer pays, at most 20 tenders, which together cover the total (none only
 * when the total is 0). Change is given from cash only.
 */
tenders: Array<Tender>, };
