// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Discount } from "./Discount";
import type { PriceChangeReason } from "./PriceChangeReason";
export type SaleLineRequest = { 
/**
 * The product's id, a UUID (`tillctl product list --json`). Give exactly one of
 * `product_id`, `sku` or `barcode`.
 */
product_id?: string | null, 
/**
 * The product's SKU at the register's location (`COF-LATTE`).
 */
sku?: string | null, 
/**
 * One of the product's barcodes, as scanned (`073500000153`).
 */
barcode?: string | null, 
/**
 * How many units: an integer from 1 to 10 000 (no fractions, no returns: a refund is
 * `lines.json`).
 */
quantity: number, 
/**
 * A discount on this line; absent or null: none. Above the location's discount limit it
 * needs a manager's approval.
 */
discount?: Discount | null, 
/**
 * A unit price that replaces the catalog's, in minor units (an integer: 2.50 is 250), 0 to
 * 10^12; absent or null: the catalog's. Always needs a manager's approval.
 */
price_override?: number | null, 
/**
 * Why the line has a discount or a new price (`damaged`, `price_match`, `staff`, or
 * `other` with a text): needed when it has either, stored on the receipt's line and
 * journaled; ignored on a line sold at the catalog's price.
 */
reason?: PriceChangeReason | null, };
