// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { CartLine } from "./CartLine";
import type { Discount } from "./Discount";
export type Cart = { lines: Array<CartLine>, receipt_discount: Discount | null, };
