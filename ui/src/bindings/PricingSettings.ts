// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Ppm } from "./Ppm";
import type { TaxRate } from "./TaxRate";
export type PricingSettings = { currency: string, 
/**
 * True where shelf prices include tax (EU, UK, AU); false where tax is added at the till
 * (US, CA).
 */
prices_include_tax: boolean, 
/**
 * The location's tax rates, in the order receipts list them. Ids are unique.
 */
tax_rates: Array<TaxRate>, 
/**
 * Cash payments are rounded to a multiple of this many minor units: 5 for CHF or CAD,
 * 1 for no rounding. 1 to [`MAX_CASH_ROUNDING_INCREMENT`].
 */
cash_rounding_increment: number, 
/**
 * Discounts above this percentage need a manager (100 %: none do; 0: every discount does).
 */
manager_discount_threshold: Ppm, 
/**
 * A card tender must carry the card terminal's approval reference (the location's setting).
 */
card_reference_required: boolean, };
