// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Ppm } from "./Ppm";
export type Product = { id: string, location_id: string, sku: string, name: string, 
/**
 * Minor units of the location's currency, as the shelf shows it (with or without tax,
 * as the location says).
 */
price_minor: bigint, tax_rate_id: string, tax_code: string, rate: Ppm, category_id: string | null, category: string | null, barcodes: Array<string>, active: boolean, };
