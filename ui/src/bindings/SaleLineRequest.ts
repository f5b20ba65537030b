// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { Discount } from "./Discount";
export type SaleLineRequest = { product_id?: string | null, sku?: string | null, barcode?: string | null, quantity: number, discount?: Discount | null, price_override?: number | null, };
