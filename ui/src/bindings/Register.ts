// Generated from till-core by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test -p till-core --test bindings
import type { LocationId } from "./LocationId";
import type { RegisterId } from "./RegisterId";
export type Register = { id: RegisterId, location_id: LocationId, location_code: string, location_name: string, code: string, name: string, 
/**
 * `DT/R1`
 */
address: string, 
/**
 * The location's currency: the drawer counts in it.
 */
currency: string, };
