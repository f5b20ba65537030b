// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type NewStore = { location_code: string, location_name: string, 
/**
 * A country preset (`de`, `ch`, `us-ny`...): currency, locale, time zone, pricing, cash
 * rounding and tax rates; the fields below win where given.
 */
preset: string | null, time_zone: string, currency: string | null, 
/**
 * BCP 47 (`de-DE`): how the screens format money and dates.
 */
locale: string | null, 
/**
 * The store's address and tax number, printed on receipts.
 */
address: string | null, tax_number: string | null, register: string, manager: string, manager_pin: string, };
