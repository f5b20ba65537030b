// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { PriceChangeReason } from "./PriceChangeReason";
import type { PrintedAnchor } from "./PrintedAnchor";
import type { ReceiptKind } from "./ReceiptKind";
import type { ReceiptLine } from "./ReceiptLine";
import type { ReceiptTax } from "./ReceiptTax";
import type { ReceiptTender } from "./ReceiptTender";
import type { RefundReason } from "./RefundReason";
export type Receipt = { id: string, kind: ReceiptKind, number: string, receipt_seq: number, session_id: string, session_number: string, register_id: string, register_code: string, location_id: string, location_code: string, location_name: string, location_address: string, 
/**
 * The store's VAT ID, Steuernummer, UID or EIN (empty when none is set).
 */
location_tax_number: string, time_zone: string, 
/**
 * The location's locale (BCP 47): how its receipts write money.
 */
locale: string, 
/**
 * The original sale's number, for a refund.
 */
refund_of: string | null, cashier: string, device: string, at: string, currency: string, prices_include_tax: boolean, subtotal: number, 
/**
 * Every discount: the lines' own and the receipt discount.
 */
discount: number, 
/**
 * The receipt discount alone (the lines' shares of it, added up): what a receipt names
 * apart from the lines' own discounts, under the subtotal.
 */
receipt_discount: number, tax: number, total: number, rounding: number, tendered: number, change: number, cash_net: number, lines: Array<ReceiptLine>, tenders: Array<ReceiptTender>, taxes: Array<ReceiptTax>, 
/**
 * The receipt's journal entry as a QR code (see [`crate::anchor`]), on a receipt read by
 * its number (what is shown and printed); `None` in a shift's list of receipts, and for a
 * receipt from before the journal began.
 */
anchor: PrintedAnchor | null, 
/**
 * Why a refund was given (`None` for a sale, and for refunds recorded before reasons).
 */
refund_reason: RefundReason | null, 
/**
 * Why a sale has a receipt discount (`None` without one, and before reasons).
 */
receipt_discount_reason: PriceChangeReason | null, 
/**
 * The user name of the manager who approved the receipt (every refund; a sale with a price
 * override or a discount above the limit), by PIN or as the logged-in manager.
 */
approved_by: string | null, };
