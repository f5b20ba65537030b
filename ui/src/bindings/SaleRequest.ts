// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { Discount } from "./Discount";
import type { SaleLineRequest } from "./SaleLineRequest";
import type { Tender } from "./Tender";
export type SaleRequest = { lines: Array<SaleLineRequest>, receipt_discount?: Discount | null, tenders: Array<Tender>, };
