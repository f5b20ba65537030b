// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type PrintedAnchor = { text: string, 
/**
 * An SVG image (black modules on white, a 4-module quiet zone), drawn from `text`.
 */
qr_svg: string, };
