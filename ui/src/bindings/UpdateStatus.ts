// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { UpdateState } from "./UpdateState";
export type UpdateStatus = { state: UpdateState, 
/**
 * The running version.
 */
current_version: string, 
/**
 * The version offered, when one is.
 */
offered_version: string | null, 
/**
 * One line for the UI and the log.
 */
message: string, };
