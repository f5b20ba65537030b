// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { MovementKind } from "./MovementKind";
export type CashMovement = { id: string, session_id: string, location_id: string, kind: MovementKind, 
/**
 * Minor units of `currency` (the session's).
 */
amount: number, currency: string, reason: string, note: string | null, user: string, approved_by: string | null, device: string, at: string, };
