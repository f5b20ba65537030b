// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { Join } from "./Join";
import type { SessionStatus } from "./SessionStatus";
export type SessionView = { id: string, number: string, location_code: string, register_code: string, currency: string, business_day: string, day_sequence: number, status: SessionStatus, opened_by: string, opened_at: string, opening_device: string, opening_cash: string, notes: string | null, closed_by: string | null, closed_at: string | null, counted_cash: string | null, expected_cash: string | null, variance: string | null, float_expected: string | null, cash_removed: string | null, float_left: string | null, variance_reason: string | null, approved_by: string | null, count_pending: boolean, force_close_reason: string | null, joins: Array<Join>, };
