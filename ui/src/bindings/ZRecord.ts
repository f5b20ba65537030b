// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { PrintedAnchor } from "./PrintedAnchor";
export type ZRecord = { register_id: string, z_number: number, session_id: string, at: string, first_receipt: string | null, last_receipt: string | null, grand_sales: number, grand_refunds: number, journal_seq: number, journal_head: string, 
/**
 * The Z's own journal entry as a QR code (see [`crate::anchor`]).
 */
anchor: PrintedAnchor | null, };
