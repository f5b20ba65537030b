// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Role } from "./Role";
export type User = { id: string, name: string, role: Role, active: boolean, 
/**
 * Wrong PINs in a row since the last success, lockout or unlock.
 */
failed_pins: number, 
/**
 * Set while the user is locked out after too many wrong PINs.
 */
locked_until: string | null, 
/**
 * A manager or admin ([`Role::is_manager`]): approves what a cashier may not do alone.
 * Sent so the screens show who may approve without a rule of their own.
 */
approves: boolean, };
