// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { SessionView } from "./SessionView";
export type ShiftStartedView = { session: SessionView, joined: boolean, };
