// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type Tender = { "kind": "cash", 
/**
 * Cash handed over, in minor units (an integer: 20.00 is 2000), 1 to 10^12. What is
 * above the cash due is the change.
 */
amount: number, } | { "kind": "card", 
/**
 * Charged to the card, in minor units (an integer: 5.00 is 500), 1 to 10^12.
 */
amount: number, 
/**
 * The card terminal's approval reference of the charge (`AUTH 42`), 1 to 64
 * characters; 13 or more digits in a row are refused as a card number.
 */
approval_reference: string, } | { "kind": "voucher", 
/**
 * The voucher's value taken, in minor units (an integer: 10.00 is 1000), 1 to 10^12.
 */
amount: number, 
/**
 * The voucher's code or number, 1 to 64 characters.
 */
reference: string, } | { "kind": "other", 
/**
 * Paid this way, in minor units (an integer: 12.34 is 1234), 1 to 10^12.
 */
amount: number, 
/**
 * What it is (`cheque 1042`, `house account`), 1 to 64 characters.
 */
label: string, };
