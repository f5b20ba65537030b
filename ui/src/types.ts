/**
 * The IPC contract with the Rust backend (Tauri commands). The core's types come generated from
 * Rust (`bindings/`, ts-rs): never write them by hand here. What is left by hand is the desktop
 * app's own shapes (crates/till-app/src/state.rs), which till-core does not know.
 */
import type { Location } from "./bindings/Location";
import type { Register } from "./bindings/Register";
import type { User } from "./bindings/User";
import type { Role } from "./bindings/Role";

export type { ErrorCode } from "./bindings/ErrorCode";
export type { Join } from "./bindings/Join";
export type { Location } from "./bindings/Location";
export type { PresetRate } from "./bindings/PresetRate";
export type { PresetView } from "./bindings/PresetView";
export type { Register } from "./bindings/Register";
export type { Role } from "./bindings/Role";
export type { SessionView } from "./bindings/SessionView";
export type { ShiftStartedView } from "./bindings/ShiftStartedView";
export type { User } from "./bindings/User";
export type { Category } from "./bindings/Category";
export type { Discount } from "./bindings/Discount";
export type { PrintedAnchor } from "./bindings/PrintedAnchor";
/** Why a priced cart needs a manager (not the manager's name and PIN: that is `Approval`). */
export type { Approval as ApprovalReason } from "./bindings/Approval";
export type { PricedCart } from "./bindings/PricedCart";
export type { CustomerLine } from "./bindings/CustomerLine";
export type { CustomerStage } from "./bindings/CustomerStage";
export type { CustomerView } from "./bindings/CustomerView";
export type { PricedLine } from "./bindings/PricedLine";
export type { Product } from "./bindings/Product";
export type { Receipt } from "./bindings/Receipt";
export type { RefundRequest } from "./bindings/RefundRequest";
export type { RefundReason } from "./bindings/RefundReason";
export type { PriceChangeReason } from "./bindings/PriceChangeReason";
export type { PriceChangeReasonKind } from "./bindings/PriceChangeReasonKind";
export type { RefundReasonKind } from "./bindings/RefundReasonKind";
export type { RefundQuote } from "./bindings/RefundQuote";
export type { RefundQuoteLine } from "./bindings/RefundQuoteLine";
export type { SaleLineRequest } from "./bindings/SaleLineRequest";
export type { SaleRequest } from "./bindings/SaleRequest";
export type { SessionTotals } from "./bindings/SessionTotals";
export type { Tender } from "./bindings/Tender";
export type { CashMovement } from "./bindings/CashMovement";
export type { CashReason } from "./bindings/CashReason";
export type { CloseCount } from "./bindings/CloseCount";
export type { DaySession } from "./bindings/DaySession";
export type { SignOffFigures } from "./bindings/SignOffFigures";
export type { DenominationCount } from "./bindings/DenominationCount";
export type { MovementKind } from "./bindings/MovementKind";
export type { XReport } from "./bindings/XReport";
export type { ZReport } from "./bindings/ZReport";
export type { VoidKind } from "./bindings/VoidKind";
export type { VoidLine } from "./bindings/VoidLine";
export type { VoidRecorded } from "./bindings/VoidRecorded";
export type { VoidedLine } from "./bindings/VoidedLine";

/** `device.json` could not be used: shown on the "call a manager" screen. */
export interface DamagedView {
  /** The damaged file, for IT. */
  path: string;
  reason: string;
  /** The previous good copy, when there is one (a manager's PIN restores it). */
  previous_path: string | null;
  /** The database that copy names (no password): the manager's PIN is checked there. */
  previous_database: string | null;
}

export interface DeviceStatus {
  /** A database and a register are chosen. */
  configured: boolean;
  database_kind: "sqlite" | "postgres" | null;
  /** Never contains a password. */
  database_url: string | null;
  /** Running on the demo database: "DEMO: not for real cash" on every screen. */
  demo: boolean;
  location: Location | null;
  register: Register | null;
  device_name: string;
  logged_in: User | null;
  /** 0: idle logout is off. */
  idle_logout_minutes: number;
  settings_damaged: DamagedView | null;
  /** The system device file IT wrote (e.g. /etc/till/device.toml): nothing here changes the set-up. */
  managed_by: string | null;
  /** The open database's identity (journaled; `tillctl doctor` shows it): shown on every screen. */
  database_identity: string | null;
  /** Where the embedded database is copied after every close; null: no backup after a close. */
  backup_folder: string | null;
  /** The receipt printer as set up (IT's device file, or the device screen); null: none. */
  printer: PrinterChoice | null;
  /** The cash drawer on the printer's port; null: none. */
  drawer: DrawerChoice | null;
}

/** The receipt printer as chosen: the device file's `[printer]` section (till-devices' PrinterSection). */
export interface PrinterChoice {
  connection: "network" | "usb" | "serial" | "cups";
  host?: string | null;
  port?: number | null;
  device?: string | null;
  baud?: number | null;
  queue?: string | null;
  paper?: "80mm" | "58mm" | null;
  code_page?: string | null;
  logo?: number | null;
  timeout_ms?: number | null;
  ask_status?: boolean | null;
}

/** The cash drawer as chosen: the device file's `[drawer]` section (till-devices' DrawerSection). */
export interface DrawerChoice {
  pin: 2 | 5;
  pulse_ms?: number | null;
  ask_to_close: boolean;
  /** The kick as DLE DC4 (opens through paper out; default) or ESC p (false). */
  realtime?: boolean | null;
}

export interface DemoUser {
  name: string;
  role: Role;
  pin: string;
}

export interface SetupResult {
  status: DeviceStatus;
  demo_users: DemoUser[];
}

/** What the backup after a close did (src-tauri's BackupAfterClose): the copy, or why none. */
export interface BackupAfterClose {
  session: string;
  at: string;
  file: string | null;
  problem: string | null;
}

/** The receipt printer's state (till-app's PrinterStatusView), polled by the register screen. */
export interface PrinterStatusView {
  /** A printer (or drawer) is set up (the device file, or the device screen). */
  configured: boolean;
  /** The receipt printer's queue runs: receipts print as recorded, and a copy is a counted reprint. */
  prints: boolean;
  /** paper_out, cover_open, offline, error, not_answering, unreachable, disconnected, spool, settings, customer_display (the pole display); null: fine. */
  problem: string | null;
  /** The problem in a cashier's words ("Printer: out of paper"). */
  message: string | null;
  /** Print jobs not printed yet. */
  waiting: number;
  paper_near_end: boolean;
  /** The drawer's switch, where the printer reports it. */
  drawer_open: boolean | null;
  /** Ask the cashier to close the drawer before the next sale. */
  ask_to_close_drawer: boolean;
}

/** A new store on this computer: its location, first register and first manager (a chosen PIN). */
export interface NewStore {
  location_code: string;
  location_name: string;
  /** A country preset (PresetView.code): currency, locale, zone, pricing, rounding, tax rates. */
  preset: string | null;
  time_zone: string;
  currency: string | null;
  /** BCP 47 ("de-DE"): how the screens format and read money. */
  locale: string | null;
  /** Printed on receipts. */
  address: string | null;
  /** VAT ID, Steuernummer, UID or EIN, printed on receipts. */
  tax_number: string | null;
  register: string;
  manager: string;
  manager_pin: string;
}

export type SetupRequest =
  | { kind: "demo" }
  | { kind: "embedded"; new_store: NewStore | null }
  | { kind: "postgres"; url: string; password: string | null };

/** A manager's or admin's name and PIN, checked by the backend. */
export interface Approval {
  manager: string;
  pin: string;
}

/** What every command rejects with. `code` may be one this UI does not know yet. */
export interface ApiError {
  code: string;
  message: string;
  /** `user_locked`: when the lockout ends (RFC 3339). */
  until?: string;
}

/** `build_info`: what this app was built from. */
export interface BuildInfo {
  version: string;
  /** The git commit, or "unknown". */
  commit: string;
}

/** `update_status`: where the in-app updater is, and one line saying it. */
export interface UpdateStatus {
  state: "off" | "up_to_date" | "checking" | "downloading" | "waiting" | "installing" | "installed" | "refused" | "failed";
  current_version: string;
  offered_version: string | null;
  message: string;
}

/** One quick-key tab (src-tauri `QuickKeys`): a category and its active products. */
export interface QuickKeys {
  category: import("./bindings/Category").Category;
  products: import("./bindings/Product").Product[];
}
