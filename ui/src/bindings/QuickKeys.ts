// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Category } from "./Category";
import type { Product } from "./Product";
export type QuickKeys = { category: Category, products: Array<Product>, };
