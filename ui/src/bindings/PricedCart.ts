// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Approval } from "./Approval";
import type { PricedLine } from "./PricedLine";
import type { TaxLine } from "./TaxLine";
export type PricedCart = { currency: string, prices_include_tax: boolean, lines: Array<PricedLine>, 
/**
 * One per rate used, in the order of the location's tax rates.
 */
taxes: Array<TaxLine>, 
/**
 * The lines before any discount.
 */
items: number, line_discounts: number, 
/**
 * After line discounts, before the receipt discount.
 */
subtotal: number, receipt_discount: number, tax: number, 
/**
 * What the customer owes, tax included, before any cash rounding.
 */
total: number, 
/**
 * What the customer owes when paying it all in cash (`total` rounded to the increment).
 */
cash_total: number, cash_rounding_increment: number, 
/**
 * A card tender must carry the card terminal's approval reference (the location's
 * setting): the pay screen asks for it, or offers it as optional.
 */
card_reference_required: boolean, 
/**
 * Empty when no manager is needed.
 */
approvals: Array<Approval>, };
