// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type DrawerChoice = { pin: number, pulse_ms?: number | null, ask_to_close: boolean, 
/**
 * Absent in device files written before it existed: read as `true`.
 */
realtime?: boolean | null, };
