// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Ppm } from "./Ppm";
export type TaxLine = { tax_rate_id: string, name: string, rate: Ppm, 
/**
 * The amounts of this rate's lines, tax excluded.
 */
net: number, tax: number, 
/**
 * The amounts of this rate's lines, tax included.
 */
gross: number, };
