/**
 * Typed wrappers for the backend's Tauri commands: the only module that calls `invoke`.
 * Every function rejects with an ApiError `{ code, message }`.
 */
import { invoke } from "@tauri-apps/api/core";
import { toApiError } from "./errors";
import type {
  Approval,
  BackupAfterClose,
  BuildInfo,
  CashMovement,
  CashReason,
  CloseCount,
  CustomerView,
  DaySession,
  DenominationCount,
  MovementKind,
  XReport,
  ZReport,
  DeviceStatus,
  Discount,
  DrawerChoice,
  PresetView,
  PricedCart,
  PrinterChoice,
  PrinterStatusView,
  Product,
  QuickKeys,
  Receipt,
  RefundQuote,
  RefundRequest,
  SaleLineRequest,
  SaleRequest,
  SessionTotals,
  Register,
  SessionView,
  SetupRequest,
  SetupResult,
  ShiftStartedView,
  SignOffFigures,
  UpdateStatus,
  User,
  VoidKind,
  VoidLine,
  VoidRecorded,
} from "./types";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

/** Waits before each automatic retry of a request that carries a request id. */
export const RETRY_DELAYS_MS = [500, 1500];

/**
 * Runs a command that carries a request id and retries it, with the same id, after
 * `database_unavailable` (the outcome of a commit may be unknown; the id makes the backend
 * answer the first outcome instead of applying it twice).
 */
async function retrying<T>(command: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await command();
    } catch (error) {
      const delay = RETRY_DELAYS_MS[attempt];
      if ((error as { code?: string }).code !== "database_unavailable" || delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** A new id for one user action (a start or a close). */
export function newRequestId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const deviceStatus = (): Promise<DeviceStatus> => call("device_status");

/** Once the device is set up, `approval` (a manager's name and PIN) is required. */
export const setupDevice = (request: SetupRequest, approval: Approval | null = null): Promise<SetupResult> =>
  call("setup_device", { request, approval });

/** The backup the last close on this device took, or why it failed (null: none configured). */
export const lastBackup = (): Promise<BackupAfterClose | null> => call("last_backup");

/** Sets (or with null turns off) the folder the embedded database is copied to after every close.
 * A manager approves; the backend checks the folder before it saves it. */
export const setBackupFolder = (folder: string | null, approval: Approval): Promise<DeviceStatus> =>
  call("set_backup_folder", { folder, approval });

/** Chooses the receipt printer and its drawer (null: none) of a till IT does not manage. A manager
 * approves; the backend checks each setting and names a bad one (printer.host). */
export const setHardware = (printer: PrinterChoice | null, drawer: DrawerChoice | null, approval: Approval): Promise<DeviceStatus> =>
  call("set_hardware", { printer, drawer, approval });

/** Sends a test page to the receipt printer (through its queue: a problem shows in its status). */
export const printTestPage = (): Promise<null> => call("print_test_page");

/** The countries a new store can start from (the same presets as `tillctl location add --preset`). */
export const locationPresets = (): Promise<PresetView[]> => call("location_presets");

export const listRegisters = (): Promise<Register[]> => call("list_registers");

/** `register` is the address, e.g. "DT/R1". Once the device is set up, `approval` is required. */
export const chooseRegister = (register: string, approval: Approval | null = null): Promise<DeviceStatus> =>
  call("choose_register", { register, approval });

/** Restores the previous good device settings; `approval` from the database that copy names. */
export const repairSettings = (approval: Approval | null): Promise<DeviceStatus> => call("repair_settings", { approval });

export const listUsers = (): Promise<User[]> => call("list_users");

export const login = (user: string, pin: string): Promise<User> => call("login", { user, pin });

export const logout = (): Promise<null> => call("logout");

/** A manager lifts `user`'s PIN lockout. */
export const unlockUser = (user: string, approval: Approval): Promise<User> => call("unlock_user", { user, approval });

export const currentSession = (): Promise<SessionView | null> => call("current_session");

/**
 * `openingCash` is in minor units of the register's currency, as every amount the app sends; `null` only joins
 * the open session (the backend answers `no_open_session` rather than open a drawer with no float).
 */
export const startShift = (
  requestId: string,
  openingCash: number | null,
  notes: string | null,
  denominations: DenominationCount[] | null = null,
): Promise<ShiftStartedView> =>
  retrying(() => call("start_shift", denominations ? { requestId, openingCash, notes, denominations } : { requestId, openingCash, notes }));

/** Closes the session the screen shows, by id: never whichever session happens to be open now. */
export const closeShift = (
  requestId: string,
  session: string,
  countedCash: number,
  approval: Approval,
  count: CloseCount | null = null,
): Promise<SessionView> => retrying(() => call("close_shift", { requestId, session, countedCash, approval, count }));

/** The version and git commit the app was built from (the About line). */
export const buildInfo = (): Promise<BuildInfo> => call("build_info");

/** The in-app updater's one-line status; the UI never talks to the updater plugin itself. */
export const updateStatus = (): Promise<UpdateStatus> => call("update_status");

/** A manager installs the downloaded update now (the backend still waits for an open session to close). */
export const installUpdateNow = (approval: Approval): Promise<UpdateStatus> => call("install_update_now", { approval });
/** Read-only: the backend prices the cart; the screen shows these numbers and computes none. */
export const priceCart = (lines: SaleLineRequest[], receiptDiscount: Discount | null): Promise<PricedCart> =>
  call("price_cart", { lines, receiptDiscount });

/**
 * `id` is chosen once per cart (`newRequestId`) and reused on every retry: the backend records
 * the sale once. `sessionId` is the session the screen shows: closed elsewhere, `session_closed`.
 */
export const recordSale = (id: string, sessionId: string, request: SaleRequest, approval: Approval | null = null): Promise<Receipt> =>
  retrying(() => call("record_sale", { id, sessionId, request, approval }));

/** By a scanned barcode, else by a typed SKU. */
export const findProduct = (key: { barcode: string } | { sku: string }): Promise<Product> => call("find_product", key);

/** A few active products whose name or SKU contains `text`. */
export const searchProducts = (text: string): Promise<Product[]> => call("search_products", { text });

export const quickKeys = (): Promise<QuickKeys[]> => call("quick_keys");

/** The store's open items (products priced 0.00): what an unknown barcode is sold as, at a typed price a manager approves. */
export const openItems = (): Promise<Product[]> => call("open_items");

export const findReceipt = (number: string): Promise<Receipt> => call("find_receipt", { number });

/**
 * What refunding `request`'s lines of sale `number` would give back (per line, in total, and
 * paid out after cash rounding), computed by the backend as the refund records it; writes
 * nothing, needs no manager. Refused with the refund's codes.
 */
export const quoteRefund = (number: string, request: RefundRequest): Promise<RefundQuote> =>
  call("quote_refund", { receipt: number, request });

/** A manager approves with name and PIN; `id` is chosen once per refund and reused on retry. */
export const refund = (id: string, receipt: string, request: RefundRequest, approval: Approval): Promise<Receipt> =>
  retrying(() => call("refund", { id, receipt, request, approval }));

/** The current session's running totals (polled: not activity). */
export const sessionTotals = (): Promise<SessionTotals | null> => call("session_totals");

/** The reasons this store offers for paid in, paid out, drop and no-sale. */
export const cashReasons = (): Promise<CashReason[]> => call("cash_reasons");

/**
 * A paid in, paid out, drop or no-sale (`amount` null) on the open session. `id` is chosen once
 * per form and reused on retry; `approval` for a paid out or drop above the store's limit.
 */
export const recordMovement = (
  id: string,
  kind: MovementKind,
  amount: number | null,
  reason: string,
  note: string | null,
  approval: Approval | null = null,
): Promise<CashMovement> => retrying(() => call("record_movement", { id, kind, amount, reason, note, approval }));

/** The X report of a session (default: this register's latest). Resets nothing. */
/** With `approval`: a manager's name and PIN, for the X of an open drawer in a blind-close store (checked by the backend). */
export const xReport = (session: string | null = null, approval: Approval | null = null): Promise<XReport> => call("x_report", { session, approval });

export const zReport = (session: string): Promise<ZReport> => call("z_report", { session });

/** A manager closes a forgotten session of this store without a count, with a reason. */
export const forceClose = (requestId: string, session: string, reason: string, approval: Approval): Promise<DaySession> =>
  retrying(() => call("force_close", { requestId, session, reason, approval }));

/** A manager records the count of a force-closed session, completing its Z. */
export const lateCount = (session: string, countedCash: number, count: CloseCount | null, approval: Approval): Promise<SessionView> =>
  retrying(() => call("late_count", { session, countedCash, count, approval }));

/**
 * What the manager signs for when the count is off (expected, counted, difference): answered only
 * after the backend checked the manager's PIN, so a blind count never shows it at the counter.
 */
/** A manager's name and PIN checked as a discount or new price is given: the manager's user name.
 * The sale carries the approval again; the backend checks it when it records the sale. */
export const checkApproval = (approval: Approval): Promise<string> => call("check_approval", { approval });

export const signOffFigures = (session: string, countedCash: number, approval: Approval): Promise<SignOffFigures> =>
  call("sign_off_figures", { session, countedCash, approval });

/** A receipt printed again (counted on the X and Z, journaled). */
export const recordReprint = (number: string): Promise<void> => call("record_reprint", { number });

/**
 * The receipt printer's state, for the register screen to poll: what is wrong in a cashier's
 * words ("Printer: out of paper"), the jobs waiting, paper low, the drawer open. Needs no login.
 */
export const printerStatus = (): Promise<PrinterStatusView> => call("printer_status");

/**
 * Tells the customer display what the customer may see now (ui/src/customer-feed.ts): the
 * lines, total, paid and change, or "Thank you". The type holds nothing else.
 */
export const showCustomer = (view: CustomerView): Promise<void> => call("show_customer", { view });

/** What the customer display shows: the main window's latest view, null before any (ui/src/customer.ts). */
export const customerView = (): Promise<CustomerView | null> => call("customer_view");

/** Prints the X report (the session `xReport` would show) on the till's receipt printer. */
export const printXReport = (session: string | null = null, approval: Approval | null = null): Promise<void> => call("print_x_report", { session, approval });

/** Prints a closed session's Z report on the till's receipt printer. */
export const printZReport = (session: string): Promise<void> => call("print_z_report", { session });

/**
 * A void: lines taken off the sale before it was paid (a line removed, a quantity lowered, the
 * sale cleared), recorded on this register's open session and journaled. `requestId` is chosen
 * once per void and reused on a retry (answered, never recorded twice). Products and quantities
 * only: the backend prices the void from the catalog.
 */
export const recordVoid = (requestId: string, kind: VoidKind, lines: VoidLine[]): Promise<VoidRecorded> =>
  retrying(() => call("record_void", { requestId, kind, lines }));

/** This store's sessions open longer than its limit (polled for the banner: not activity). */
export const forgottenSessions = (): Promise<SessionView[]> => call("forgotten_sessions");

/** A manager's day: this store's sessions of a business day (default today) with their Z. */
export const dayView = (day: string | null = null): Promise<DaySession[]> => call("day_view", { day });
