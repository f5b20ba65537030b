// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type ReceiptTax = { tax_rate_id: string, name: string, rate_ppm: number, net: number, tax: number, gross: number, };
