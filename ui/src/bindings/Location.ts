// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
export type Location = { id: string, code: string, name: string, timezone: string, cutoff: string, currency: string, 
/**
 * BCP 47 tag the screens format money and dates with (`de-DE`).
 */
locale: string, };
