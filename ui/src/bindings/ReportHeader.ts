// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type ReportHeader = { location_code: string, location_name: string, register: string, session_number: string, business_day: string, opened_by: string, opened_at: string, closed_at: string | null, 
/**
 * When the report was made and who asked for it.
 */
made_at: string, requested_by: string, currency: string, 
/**
 * The location's locale and time zone: how text output writes its money and times.
 */
locale: string, time_zone: string, };
