// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { CategoryTotal } from "./CategoryTotal";
import type { CountAmount } from "./CountAmount";
import type { ReceiptTax } from "./ReceiptTax";
export type SalesSection = { 
/**
 * Receipts recorded (sales and refunds).
 */
receipts: number, 
/**
 * Sales before discounts: what the lines came to at their (possibly overridden) prices.
 */
gross_sales: number, discounts: CountAmount, refunds: CountAmount, 
/**
 * Sales less refunds: what customers paid, net of what was given back.
 */
net_sales: number, rounding: number, 
/**
 * Per rate: base, tax, gross (sales less refunds).
 */
taxes: Array<ReceiptTax>, categories: Array<CategoryTotal>, };
