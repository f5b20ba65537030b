// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type PrinterStatusView = { 
/**
 * A printer (or drawer) is set up in the device file.
 */
configured: boolean, 
/**
 * The receipt printer's queue runs: the backend prints receipts as they are recorded, and
 * a copy is a counted reprint. False where nothing can print (no printer; settings Till
 * cannot use; only the pole display is set up), even with `configured`.
 */
prints: boolean, 
/**
 * What is wrong, a closed list: `paper_out`, `cover_open`, `offline`, `error`,
 * `not_answering`, `unreachable`, `disconnected`, `spool`, `settings`, and
 * `customer_display` (the pole display's, told when the printer has nothing to tell).
 * `None`: nothing.
 */
problem: string | null, 
/**
 * The problem in a cashier's words ("Printer: out of paper").
 */
message: string | null, 
/**
 * Print jobs not printed yet.
 */
waiting: number, paper_near_end: boolean, 
/**
 * The drawer's switch, where the printer reports it.
 */
drawer_open: boolean | null, 
/**
 * The screen asks the cashier to close the drawer before the next sale
 * (`drawer.ask_to_close`, and the printer reports the drawer open).
 */
ask_to_close_drawer: boolean, };
