// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type ProductSnapshot = { id: string, sku: string, name: string, 
/**
 * Price of one unit in minor units, with or without tax as the location's
 * [`PricingSettings::prices_include_tax`] says. 0 to [`Money::MAX_CASH_MINOR`].
 */
unit_price: number, 
/**
 * One of the location's [`PricingSettings::tax_rates`].
 */
tax_rate_id: string, category: string, };
