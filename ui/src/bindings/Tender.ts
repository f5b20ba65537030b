// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
export type Tender = { "kind": "cash", amount: number, } | { "kind": "card", amount: number, approval_reference: string, } | { "kind": "voucher", amount: number, reference: string, } | { "kind": "other", amount: number, label: string, };
