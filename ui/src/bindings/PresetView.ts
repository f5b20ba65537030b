// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { PresetRate } from "./PresetRate";
export type PresetView = { code: string, country: string, currency: string, locale: string, time_zone: string, prices_include_tax: boolean, cash_rounding_minor: number, tax_rates: Array<PresetRate>, };
