// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { CountAmount } from "./CountAmount";
export type DrawerSection = { opening_float: number, 
/**
 * The float the register's previous close left, and how far the opening count was from it
 * (`None`: no close recorded a float).
 */
float_expected: number | null, opening_difference: number | null, 
/**
 * Cash handed over on sales (before change).
 */
cash_sales: number, change_given: number, cash_refunds: number, 
/**
 * The cash tender net of change: cash handed over on sales, less change, less cash
 * refunds. Beside the tenders' cash (handed over), so the two reconcile at a glance.
 */
cash_net_of_change: number, paid_in: CountAmount, paid_out: CountAmount, drops: CountAmount, 
/**
 * float + cash sales − change − cash refunds + paid in − paid out − drops.
 */
expected_cash: number, };
