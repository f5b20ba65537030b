// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { PriceChangeReason } from "./PriceChangeReason";
export type ReceiptLine = { line_no: number, product_id: string, sku: string, name: string, category: string, tax_rate_id: string, rate_ppm: number, quantity: number, catalog_unit_price: number, unit_price: number, extended: number, line_discount: number, receipt_discount: number, amount: number, tax: number, total: number, 
/**
 * A refund's line: the original sale's line it takes back.
 */
refund_of_line: number | null, 
/**
 * A sale's line: how much of it refunds took back so far.
 */
refunded_quantity: number, refunded_total: number, refunded_tax: number, 
/**
 * Why a sale's line has a discount or a new price; `None` on an unchanged line, a refund's
 * line, and lines recorded before reasons.
 */
price_change_reason: PriceChangeReason | null, };
