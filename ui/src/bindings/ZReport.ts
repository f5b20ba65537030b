// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { DenominationCount } from "./DenominationCount";
import type { XReport } from "./XReport";
import type { ZRecord } from "./ZRecord";
export type ZReport = { x: XReport, z: ZRecord, 
/**
 * `None` while a force-closed session waits for its late count.
 */
counted_cash: number | null, denominations: Array<DenominationCount>, 
/**
 * The opening count's notes and coins, when they were counted.
 */
opening_denominations: Array<DenominationCount>, variance: number | null, variance_reason: string | null, closed_by: string | null, approved_by: string | null, cash_removed: number | null, float_left: number | null, force_close_reason: string | null, grand_net: number, };
