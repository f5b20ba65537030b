// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { ReceiptTax } from "./ReceiptTax";
import type { TenderTotal } from "./TenderTotal";
export type SessionTotals = { session_id: string, sales_count: number, refunds_count: number, sales_total: number, refunds_total: number, discounts_total: number, tax_total: number, rounding_total: number, 
/**
 * Cash taken less change less cash refunds (and, later, paid in/out).
 */
cash_net: number, opening_cash: number, 
/**
 * Opening cash plus `cash_net`: what the drawer should hold.
 */
expected_cash: number, tenders: Array<TenderTotal>, taxes: Array<ReceiptTax>, };
