// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { MovementKind } from "./MovementKind";
export type CashReason = { kind: MovementKind, code: string, label: string, position: number, };
