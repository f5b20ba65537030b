/** The IPC contract with the Rust backend (Tauri commands). Field names are the backend's. */

export type Role = "cashier" | "manager" | "admin";

export interface LocationView {
  code: string;
  name: string;
  /** IANA time zone, e.g. "America/New_York". */
  timezone: string;
  /** ISO 4217 code, e.g. "USD". */
  currency: string;
  /** Business-day cut-off, e.g. "04:00". */
  cutoff: string;
}

export interface RegisterView {
  id: string;
  location_code: string;
  location_name: string;
  code: string;
  name: string;
  /** "DT/R1" */
  address: string;
}

export interface UserView {
  name: string;
  role: Role;
  active: boolean;
}

export interface DeviceStatus {
  /** A database and a register are chosen. */
  configured: boolean;
  database_kind: "sqlite" | "postgres" | null;
  /** Never contains a password. */
  database_url: string | null;
  location: LocationView | null;
  register: RegisterView | null;
  device_name: string;
  logged_in: UserView | null;
}

export interface JoinView {
  user: string;
  device: string;
  /** RFC 3339 */
  joined_at: string;
}

export interface SessionView {
  id: string;
  /** "DT-20261128-001" */
  number: string;
  location_code: string;
  register_code: string;
  currency: string;
  /** "2026-11-28" */
  business_day: string;
  day_sequence: number;
  status: "open" | "closed";
  opened_by: string;
  /** RFC 3339 UTC */
  opened_at: string;
  /** Decimal string in the currency's decimals, e.g. "200.00". */
  opening_cash: string;
  closed_by: string | null;
  closed_at: string | null;
  counted_cash: string | null;
  expected_cash: string | null;
  /** May be negative: "-2.50". */
  variance: string | null;
  notes: string | null;
  joins: JoinView[];
}

export interface ShiftStarted {
  session: SessionView;
  joined: boolean;
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

export type SetupRequest = { kind: "demo" } | { kind: "postgres"; url: string; password: string | null };

export const ERROR_CODES = [
  "invalid_amount",
  "invalid_pin",
  "wrong_pin",
  "user_not_found",
  "user_inactive",
  "forbidden",
  "register_not_found",
  "location_not_found",
  "session_not_found",
  "session_already_closed",
  "no_open_session",
  "already_exists",
  "not_logged_in",
  "device_not_set_up",
  "schema_not_ready",
  "database_unavailable",
  "invalid_input",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What every command rejects with. `code` may be one this UI does not know yet. */
export interface ApiError {
  code: string;
  message: string;
}
