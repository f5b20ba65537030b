// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { NewStore } from "./NewStore";
export type SetupRequest = { "kind": "demo" } | { "kind": "embedded", new_store: NewStore | null, } | { "kind": "postgres", url: string, password: string | null, };
