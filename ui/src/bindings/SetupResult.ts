// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { DemoUser } from "./DemoUser";
import type { DeviceStatus } from "./DeviceStatus";
export type SetupResult = { status: DeviceStatus, demo_users: Array<DemoUser>, };
