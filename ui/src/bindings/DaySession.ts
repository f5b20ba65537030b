// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { SessionView } from "./SessionView";
import type { ZRecord } from "./ZRecord";
export type DaySession = { session: SessionView, z: ZRecord | null, 
/**
 * A late count of this drawer shows no expected cash beside it
 * ([`crate::cash::expected_cash_hidden`]).
 */
expected_hidden: boolean, };
