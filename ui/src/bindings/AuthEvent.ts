// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { AuthEventKind } from "./AuthEventKind";
export type AuthEvent = { user: string, kind: AuthEventKind, device: string, at: string, 
/**
 * Who unlocked (for `unlocked`), or until when (for `locked`), as text.
 */
detail: string | null, };
