// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { VoidKind } from "./VoidKind";
import type { VoidedLine } from "./VoidedLine";
export type VoidRecorded = { id: string, session_id: string, kind: VoidKind, 
/**
 * The lines' catalog prices times their quantities ([`amount`]), in integer minor units of
 * `currency`.
 */
amount: number, currency: string, lines: Array<VoidedLine>, 
/**
 * The user who voided (the login's).
 */
user: string, device: string, 
/**
 * When, by the database's clock.
 */
at: string, };
