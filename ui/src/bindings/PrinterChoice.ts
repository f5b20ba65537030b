// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
export type PrinterChoice = { connection: string, host?: string | null, port?: number | null, device?: string | null, baud?: number | null, queue?: string | null, paper?: string | null, code_page?: string | null, logo?: number | null, timeout_ms?: number | null, ask_status?: boolean | null, };
