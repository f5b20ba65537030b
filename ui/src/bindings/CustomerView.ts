// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { CustomerLine } from "./CustomerLine";
import type { CustomerStage } from "./CustomerStage";
export type CustomerView = { stage: CustomerStage, store_name: string, 
/**
 * BCP 47 tag the display formats money with (the location's, `de-DE`).
 */
locale: string, 
/**
 * ISO 4217 code (`EUR`).
 */
currency: string, lines: Array<CustomerLine>, 
/**
 * The total: the cart's while it is rung up, the receipt's (cash rounding included) once paid.
 */
total: number, 
/**
 * Tendered so far (0 before payment).
 */
paid: number, 
/**
 * Given back (0 when none).
 */
change: number, };
