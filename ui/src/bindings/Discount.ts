// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Ppm } from "./Ppm";
export type Discount = { "kind": "amount", 
/**
 * So much off, in minor units (an integer: 1.50 off is 150), from 0 to what it
 * discounts.
 */
amount: number, } | { "kind": "percent", 
/**
 * Parts per million (an integer: 10 % is 100000, 8.875 % is 88750), 0 to 1000000.
 */
percent: Ppm, };
