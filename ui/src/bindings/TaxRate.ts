// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Ppm } from "./Ppm";
export type TaxRate = { id: string, 
/**
 * Short and unique within the location (`STD`, `FOOD`): what catalog files name.
 */
code: string, name: string, 
/**
 * At most 100 %.
 */
rate: Ppm, };
