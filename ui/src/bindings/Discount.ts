// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { Ppm } from "./Ppm";
export type Discount = { "kind": "amount", amount: number, } | { "kind": "percent", percent: Ppm, };
