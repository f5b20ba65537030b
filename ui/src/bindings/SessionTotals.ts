// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { CategoryTotal } from "./CategoryTotal";
import type { ReceiptTax } from "./ReceiptTax";
import type { TenderTotal } from "./TenderTotal";
export type SessionTotals = { session_id: string, sales_count: number, refunds_count: number, sales_total: number, refunds_total: number, discounts_total: number, tax_total: number, rounding_total: number, discounts_count: number, 
/**
 * Cash taken less change less cash refunds, plus paid in, less paid out and drops.
 */
cash_net: number, 
/**
 * Cash handed over on sales (before change), change given, cash refunded.
 */
cash_sales: number, change_given: number, cash_refunds: number, paid_in_count: number, paid_in_total: number, paid_out_count: number, paid_out_total: number, drops_count: number, drops_total: number, no_sale_count: number, reprint_count: number, 
/**
 * Voids (lines taken off a sale before it was paid): how many, and their catalog amount.
 */
void_count: number, void_total: number, opening_cash: number, 
/**
 * Opening cash plus `cash_net`: what the drawer should hold.
 */
expected_cash: number, tenders: Array<TenderTotal>, taxes: Array<ReceiptTax>, 
/**
 * Quantity and amount (after discounts, before tax where prices exclude it) per category;
 * refunds subtract.
 */
categories: Array<CategoryTotal>, 
/**
 * The drawer's figures (expected cash and what adds up to it) are zero and hidden: the
 * store counts blind, the session is open, and the viewer is not a manager.
 */
drawer_hidden: boolean, 
/**
 * The screens show no expected cash beside this drawer, to anyone: it is not counted yet
 * and the store counts blind ([`crate::cash::expected_cash_hidden`]), or `drawer_hidden`.
 */
expected_hidden: boolean, };
