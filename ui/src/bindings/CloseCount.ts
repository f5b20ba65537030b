// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { DenominationCount } from "./DenominationCount";
export type CloseCount = { 
/**
 * Minor units, as every amount the app sends.
 */
float_left: number | null, denominations: Array<DenominationCount>, variance_reason: string | null, };
