// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Ppm } from "./Ppm";
export type Approval = { "reason": "line_discount", line: number, percent: Ppm, } | { "reason": "receipt_discount", percent: Ppm, } | { "reason": "price_override", line: number, catalog_unit_price: number, unit_price: number, };
