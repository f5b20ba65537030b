// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Discount } from "./Discount";
import type { ProductSnapshot } from "./ProductSnapshot";
export type CartLine = { product: ProductSnapshot, 
/**
 * 1 to [`MAX_QUANTITY`].
 */
quantity: number, discount: Discount | null, 
/**
 * A unit price that replaces the catalog's; always needs a manager.
 */
price_override: number | null, };
