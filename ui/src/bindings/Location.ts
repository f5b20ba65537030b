// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type Location = { id: string, code: string, name: string, timezone: string, cutoff: string, currency: string, 
/**
 * BCP 47 tag the screens format money and dates with (`de-DE`).
 */
locale: string, 
/**
 * Cash control: whoever counts at close does not see the expected cash first.
 */
blind_close: boolean, 
/**
 * A close whose |variance| is above this (minor units) needs a recount, then a sign-off.
 */
variance_limit_minor: number, 
/**
 * A paid out or drop above this (minor units) needs a manager.
 */
cash_out_limit_minor: number, 
/**
 * A session open longer than this is forgotten (a banner; a manager force-closes it).
 */
session_limit_minutes: number, 
/**
 * The fewest digits a manager's or admin's PIN may have (4 to 8). Users serve every
 * location, so the strictest location's figure applies ([`crate::auth::pin_long_enough`]).
 */
manager_pin_min_length: number, 
/**
 * Shelf prices include tax (VAT countries) or tax is added at the till (US, Canada).
 */
prices_include_tax: boolean, 
/**
 * Cash totals round to this many minor units (5: CHF 0.05; 1: no rounding).
 */
cash_rounding_minor: number, 
/**
 * A discount above this share of its line (ppm) needs a manager.
 */
discount_limit_ppm: number, 
/**
 * A login idle this long ends (minutes).
 */
login_idle_minutes: number, 
/**
 * Printed on receipts.
 */
address: string, 
/**
 * VAT ID, Steuernummer, UID or EIN, printed on receipts.
 */
tax_number: string, 
/**
 * A card tender must carry the card terminal's approval reference (off: it may be left
 * out; the pay screen says which).
 */
card_reference_required: boolean, 
/**
 * The store's own bills, in minor units, largest first (empty: the currency's usual ones).
 */
bills: number[], 
/**
 * The store's own coins, likewise.
 */
coins: number[], };
