// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { RefundLineRequest } from "./RefundLineRequest";
import type { RefundTender } from "./RefundTender";
export type RefundRequest = { lines: Array<RefundLineRequest>, tender: RefundTender, };
