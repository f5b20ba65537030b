// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Join } from "./Join";
import type { SessionStatus } from "./SessionStatus";
export type SessionView = { id: string, number: string, location_code: string, register_code: string, currency: string, business_day: string, day_sequence: number, status: SessionStatus, opened_by: string, opened_at: string, opening_device: string, opening_cash: number, notes: string | null, closed_by: string | null, closed_at: string | null, counted_cash: number | null, expected_cash: number | null, variance: number | null, float_expected: number | null, cash_removed: number | null, float_left: number | null, variance_reason: string | null, approved_by: string | null, count_pending: boolean, force_close_reason: string | null, joins: Array<Join>, };
