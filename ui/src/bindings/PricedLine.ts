// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type PricedLine = { product_id: string, sku: string, name: string, category: string, tax_rate_id: string, quantity: number, catalog_unit_price: number, 
/**
 * The override when there is one, else the catalog price.
 */
unit_price: number, 
/**
 * Unit price × quantity.
 */
extended: number, line_discount: number, 
/**
 * This line's share of the receipt discount.
 */
receipt_discount: number, 
/**
 * After both discounts, in the location's price convention (with or without tax).
 */
amount: number, 
/**
 * This line's share of its rate's tax.
 */
tax: number, 
/**
 * What the customer pays for this line, tax included.
 */
total: number, };
