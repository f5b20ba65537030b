// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { CountAmount } from "./CountAmount";
export type DrawerSection = { opening_float: number, 
/**
 * Cash handed over on sales (before change).
 */
cash_sales: number, change_given: number, cash_refunds: number, paid_in: CountAmount, paid_out: CountAmount, drops: CountAmount, 
/**
 * float + cash sales − change − cash refunds + paid in − paid out − drops.
 */
expected_cash: number, };
