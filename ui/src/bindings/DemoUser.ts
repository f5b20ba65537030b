// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { Role } from "./Role";
export type DemoUser = { name: string, role: Role, pin: string, };
