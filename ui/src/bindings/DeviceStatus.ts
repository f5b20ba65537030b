// Generated from Rust by ts-rs: do not edit. Regenerate with
// TILL_UPDATE_BINDINGS=1 cargo test --workspace --test bindings
import type { DamagedView } from "./DamagedView";
import type { DatabaseKind } from "./DatabaseKind";
import type { DrawerChoice } from "./DrawerChoice";
import type { Location } from "./Location";
import type { PrinterChoice } from "./PrinterChoice";
import type { Register } from "./Register";
import type { User } from "./User";
export type DeviceStatus = { 
/**
 * A database is open and a register is chosen.
 */
configured: boolean, database_kind: DatabaseKind | null, 
/**
 * Never holds a password.
 */
database_url: string | null, 
/**
 * Running on the demo database: the UI shows "DEMO: not for real cash" on every screen.
 */
demo: boolean, location: Location | null, register: Register | null, device_name: string, logged_in: User | null, idle_logout_minutes: number, 
/**
 * Set when `device.json` cannot be used: the UI shows the "call a manager" screen.
 */
settings_damaged: DamagedView | null, 
/**
 * The system device file that sets this till up, when there is one: the UI shows "Set up by
 * IT (path)" and no buttons to change the database or register.
 */
managed_by: string | null, 
/**
 * The open database's identity (journaled; `tillctl doctor` shows it too): every screen
 * shows it, so a till pointed at another database shows another id.
 */
database_identity: string | null, 
/**
 * Where the embedded database is copied after every close; `None`: no backup after a close.
 */
backup_folder: string | null, 
/**
 * The receipt printer as set up (the device file's `[printer]`, or the device screen's),
 * for the device screen's form; `None`: none, or a section that cannot be read (the
 * printer's status says what is wrong with it).
 */
printer: PrinterChoice | null, 
/**
 * The cash drawer on the printer's port, likewise.
 */
drawer: DrawerChoice | null, };
