// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { DrawerSection } from "./DrawerSection";
import type { ReportHeader } from "./ReportHeader";
import type { SalesSection } from "./SalesSection";
import type { TenderTotal } from "./TenderTotal";
export type XReport = { header: ReportHeader, sales: SalesSection, tenders: Array<TenderTotal>, drawer: DrawerSection, no_sales: number, reprints: number, 
/**
 * Voids: lines taken off sales before they were paid, how many and their amount at the
 * catalog's list prices (minor units).
 */
voids: number, voids_total: number, };
