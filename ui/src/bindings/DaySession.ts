// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { SessionView } from "./SessionView";
import type { ZRecord } from "./ZRecord";
export type DaySession = { session: SessionView, z: ZRecord | null, };
