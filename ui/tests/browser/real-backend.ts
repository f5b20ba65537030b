// The browser tests' backend: the real application. One till-ui-bridge process per test
// (crates/till-ui-bridge) answers every invoke the page makes from till-app's command table, on
// a SQLite file in a folder of the test's own, with the browser tests' shop provisioned. What
// a test stages (another PC's shift, sale or close; the clock moved on) goes through the same
// commands, on a second till of the store. Nothing here decides anything: the rules are the
// backend's.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { Socket, createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type {
  ApiError,
  Approval,
  BackupAfterClose,
  PrinterChoice,
  DrawerChoice,
  PrinterStatusView,
  BuildInfo,
  CashMovement,
  CashReason,
  CloseCount,
  CustomerView,
  DaySession,
  DenominationCount,
  DeviceStatus,
  Discount,
  ErrorCode,
  Location,
  MovementKind,
  PresetView,
  PricedCart,
  Product,
  QuickKeys,
  Receipt,
  RefundQuote,
  RefundRequest,
  Register,
  SaleLineRequest,
  SaleRequest,
  SessionTotals,
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
  XReport,
  ZReport,
} from "../../src/types";
import { UI_DIR } from "./harness.js";

const TARGET = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : resolve(UI_DIR, "..", "target");
export const BRIDGE = process.env.TILL_UI_BRIDGE ?? join(TARGET, "debug", "till-ui-bridge");

/** The shop's users and PINs (crates/till-ui-bridge/src/shop.rs). */
export const PINS = { alice: "1234", bob: "9999", carol: "5555", dave: "0000" } as const;
export type ShopUser = keyof typeof PINS;

/** A command that takes no arguments (the page sends `{}`). */
type NoArgs = Record<string, never>;

/**
 * Every command the page or a test sends, with its arguments as ui/src/api.ts sends them
 * (camelCased, as till-app's command table reads them) and its answer as api.ts declares it.
 * Then the bridge's own `test_*` controls (crates/till-ui-bridge/src/main.rs).
 */
export interface Commands {
  device_status: { args: NoArgs; answer: DeviceStatus };
  setup_device: { args: { request: SetupRequest; approval: Approval | null }; answer: SetupResult };
  last_backup: { args: NoArgs; answer: BackupAfterClose | null };
  set_backup_folder: { args: { folder: string | null; approval: Approval }; answer: DeviceStatus };
  set_hardware: { args: { printer: PrinterChoice | null; drawer: DrawerChoice | null; approval: Approval }; answer: DeviceStatus };
  print_test_page: { args: NoArgs; answer: null };
  location_presets: { args: NoArgs; answer: PresetView[] };
  list_registers: { args: NoArgs; answer: Register[] };
  choose_register: { args: { register: string; approval: Approval | null }; answer: DeviceStatus };
  repair_settings: { args: { approval: Approval | null }; answer: DeviceStatus };
  list_users: { args: NoArgs; answer: User[] };
  login: { args: { user: string; pin: string }; answer: User };
  logout: { args: NoArgs; answer: null };
  unlock_user: { args: { user: string; approval: Approval }; answer: User };
  current_session: { args: NoArgs; answer: SessionView | null };
  start_shift: {
    args: { requestId: string; openingCash: number | null; notes?: string | null; denominations?: DenominationCount[] };
    answer: ShiftStartedView;
  };
  close_shift: {
    args: { requestId: string; session: string; countedCash: number; approval: Approval; count?: CloseCount | null };
    answer: SessionView;
  };
  build_info: { args: NoArgs; answer: BuildInfo };
  update_status: { args: NoArgs; answer: UpdateStatus };
  install_update_now: { args: { approval: Approval }; answer: UpdateStatus };
  price_cart: { args: { lines: SaleLineRequest[]; receiptDiscount?: Discount | null }; answer: PricedCart };
  record_sale: { args: { id: string; sessionId: string; request: SaleRequest; approval?: Approval | null }; answer: Receipt };
  find_product: { args: { barcode: string } | { sku: string }; answer: Product };
  search_products: { args: { text: string }; answer: Product[] };
  quick_keys: { args: NoArgs; answer: QuickKeys[] };
  open_items: { args: NoArgs; answer: Product[] };
  find_receipt: { args: { number: string }; answer: Receipt };
  quote_refund: { args: { receipt: string; request: RefundRequest }; answer: RefundQuote };
  refund: { args: { id: string; receipt: string; request: RefundRequest; approval: Approval }; answer: Receipt };
  session_totals: { args: NoArgs; answer: SessionTotals | null };
  cash_reasons: { args: NoArgs; answer: CashReason[] };
  record_movement: {
    args: { id: string; kind: MovementKind; amount: number | null; reason: string; note: string | null; approval: Approval | null };
    answer: CashMovement;
  };
  x_report: { args: { session: string | null; approval?: Approval | null }; answer: XReport };
  z_report: { args: { session: string }; answer: ZReport };
  force_close: { args: { requestId: string; session: string; reason: string; approval: Approval }; answer: DaySession };
  sign_off_figures: { args: { session: string; countedCash: number; approval: Approval }; answer: SignOffFigures };
  check_approval: { args: { approval: Approval }; answer: string };
  late_count: { args: { session: string; countedCash: number; count: CloseCount | null; approval: Approval }; answer: SessionView };
  record_reprint: { args: { number: string }; answer: null };
  printer_status: { args: NoArgs; answer: PrinterStatusView };
  print_x_report: { args: { session: string | null; approval: Approval | null }; answer: null };
  print_z_report: { args: { session: string }; answer: null };
  show_customer: { args: { view: CustomerView }; answer: null };
  customer_view: { args: NoArgs; answer: CustomerView | null };
  record_void: { args: { requestId: string; kind: VoidKind; lines: VoidLine[] }; answer: VoidRecorded };
  forgotten_sessions: { args: NoArgs; answer: SessionView[] };
  day_view: { args: { day: string | null }; answer: DaySession[] };

  /** This till and the other one set up (on the shop's database, or the demo's): this till's status. */
  test_set_up: { args: { register?: string; other_register?: string; demo?: boolean }; answer: DeviceStatus };
  /** A command of the store's other till (`other`, below, types its answer). */
  test_other: { args: { cmd: AppCommand; args?: unknown }; answer: unknown };
  test_advance: { args: { minutes: number }; answer: null };
  /** A location's setting changed as IT changes it (`tillctl location set`). */
  test_location: { args: { code: string; blind_close?: boolean; card_reference_required?: boolean; bills?: string; coins?: string }; answer: Location };
  test_age: { args: { minutes: number; days: number }; answer: null };
  test_update: { args: UpdateStatus; answer: null };
  test_postgres: { args: { register: string }; answer: PostgresDatabase };
  test_manage_by_it: { args: { register: string; damaged: boolean; printer?: boolean; drawer?: boolean }; answer: null };
  test_damage_settings: { args: NoArgs; answer: null };
  /** The emulated printer IT's device file points at (`manageByIt({ printer: true })`) goes wrong, or works again. */
  test_printer: { args: { fault?: "paper_out" | "cover_open" | "none"; drawer_open?: boolean }; answer: null };
  /** A receipt printer on loopback that no device file names yet: its port. */
  test_start_printer: { args: NoArgs; answer: { port: number } };
  /** What the emulated printer put on paper. */
  test_printed: { args: NoArgs; answer: { lines: string[]; cuts: number; kicks: [number, number][] } };
  test_quit: { args: NoArgs; answer: null };
}

export type Command = keyof Commands;
/** The application's own commands, which the other till answers too. */
export type AppCommand = Exclude<Command, `test_${string}`>;
export type Args<C extends Command> = Commands[C]["args"];
export type Answer<C extends Command> = Commands[C]["answer"];
/** A command's arguments as a parameter list: optional where every argument is. */
type ArgList<C extends Command> = {} extends Args<C> ? [args?: Args<C>] : [args: Args<C>];

/** A database on the test server with the shop in it: what the set-up screen is typed. */
export interface PostgresDatabase {
  /** No password in it. */
  url: string;
  password: string;
}

/** One invoke of the page: its arguments, then its answer (`ok`) or what refused it (`error`). */
export interface Call<C extends Command> {
  cmd: C;
  args: Args<C>;
  ok?: Answer<C>;
  error?: ApiError;
}

/** A call as the page made it, before anything is known of its command. */
interface Recorded {
  cmd: string;
  args: unknown;
  ok?: unknown;
  error?: ApiError;
}

/** The bridge's answer to one request line. */
type BridgeAnswer = { ok: unknown } | { error: ApiError };

function isApiError(value: unknown): value is ApiError {
  return typeof value === "object" && value !== null && "code" in value && typeof value.code === "string";
}

/** Every bridge still running: stopped when the tests end, even after a failure. */
const running = new Set<() => void>();
/**
 * Where this test file's bridges share the provisioned shop: the first to set it up leaves a
 * copy there for the others (crates/till-ui-bridge, `provision_shop`). One per test process, so
 * it is made by the bridge binary under test and never outlives the run.
 */
const templates = mkdtempSync(join(tmpdir(), "till-ui-shop-"));
process.on("exit", () => {
  for (const stop of running) stop();
  rmSync(templates, { recursive: true, force: true });
});

/** A new request id, as the UI makes one (UUID v4 is accepted where v7 is made). */
const requestId = () => crypto.randomUUID();

export type RealBackend = Awaited<ReturnType<typeof startRealBackend>>;

/** Starts a bridge on a fresh folder. Close it with `backend.close()` (the test's `finish`). */
export async function startRealBackend() {
  if (!existsSync(BRIDGE)) throw new Error(`${BRIDGE} is missing: build the workspace first (cargo build --workspace)`);
  const dir = mkdtempSync(join(tmpdir(), "till-ui-"));
  const child = spawn(BRIDGE, [dir, templates], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((ok, fail) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const found = /listening on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (found) ok(Number(found[1]));
    });
    child.on("exit", (code) => fail(new Error(`till-ui-bridge exited (${code}) before listening`)));
  });
  const socket = createConnection({ host: "127.0.0.1", port });
  await new Promise<void>((ok, fail) => socket.once("connect", () => ok()).once("error", fail));
  socket.setEncoding("utf8");
  // Neither keeps the test process alive: a test that failed before closing its bridge still ends.
  child.unref();
  if (child.stdout instanceof Socket) child.stdout.unref();
  socket.unref();
  const stop = () => {
    socket.destroy();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stop);
  // One request at a time on one connection, answered in order.
  const waiting: ((answer: BridgeAnswer) => void)[] = [];
  let buffered = "";
  socket.on("data", (chunk: Buffer | string) => {
    buffered += String(chunk);
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      waiting.shift()?.(JSON.parse(line) as BridgeAnswer);
    }
  });
  /** The bridge's answer, unchecked: what it says `cmd` answers is the type the caller names. */
  const send = (cmd: string, args: unknown = {}) =>
    new Promise<unknown>((ok, fail) => {
      waiting.push((answer) => ("ok" in answer ? ok(answer.ok) : fail(answer.error)));
      socket.write(JSON.stringify({ cmd, args }) + "\n");
    });
  /** A command the test stages, which must succeed: its refusal fails the test with its words. */
  const must = async <C extends Command>(cmd: C, ...[args]: ArgList<C>): Promise<Answer<C>> => {
    try {
      return (await send(cmd, args)) as Answer<C>;
    } catch (error) {
      const { code, message } = isApiError(error) ? error : { code: "?", message: String(error) };
      throw new Error(`${cmd} was refused: ${code}: ${message}`);
    }
  };
  /** A command on the store's other till (another PC of the store), which must succeed. */
  const other = async <C extends AppCommand>(cmd: C, ...[args]: ArgList<C>): Promise<Answer<C>> =>
    (await must("test_other", { cmd, args })) as Answer<C>;

  /** The register's latest shift as a till reads it (`current_session`), which there must be. */
  const latest = async (answer: Promise<SessionView | null>) => {
    const session = await answer;
    assert.ok(session, "the register has a shift");
    return session;
  };

  const calls: Recorded[] = [];
  const failures = new Map<string, ApiError>();
  const delays = new Map<string, number>();
  /** The page's calls of `cmd`: `{cmd, args}`, and `ok` or `error` once answered. Typed as api.ts
   * sends them (the page is the app's own build); arguments the bridge cannot read it refuses. */
  const callsOf = <C extends Command>(cmd: C) => calls.filter((c) => c.cmd === cmd) as Call<C>[];
  /** The page's call of `cmd` at `index` (from the end when negative), which must have been made. */
  const callOf = <C extends Command>(cmd: C, index: number): Call<C> => {
    const made = callsOf(cmd);
    const call = made.at(index);
    assert.ok(call, `no ${cmd} call at ${index}: the page made ${made.length}`);
    return call;
  };
  return {
    dir,
    /** The page's invoke: recorded with its answer (`ok`, or the `error` it was refused with),
     * then (unless a transport fault is staged) the backend's answer. */
    async handle(cmd: string, args: unknown = {}): Promise<unknown> {
      const call: Recorded = { cmd, args: structuredClone(args) };
      calls.push(call);
      try {
        const delay = delays.get(cmd);
        if (delay) await new Promise<void>((ok) => setTimeout(() => ok(), delay));
        const injected = failures.get(cmd);
        if (injected) {
          failures.delete(cmd);
          throw { ...injected };
        }
        call.ok = await send(cmd, args);
        return call.ok;
      } catch (error) {
        call.error = isApiError(error) ? error : { code: "internal", message: String(error) };
        throw error;
      }
    },
    callsOf,
    callOf,
    /** The answer to the page's call of `cmd` at `index`, which the backend must have given. */
    answerOf<C extends Command>(cmd: C, index: number): Answer<C> {
      const { ok, error } = callOf(cmd, index);
      assert.ok(ok !== undefined, `${cmd} call ${index} was refused: ${error?.code}: ${error?.message}`);
      return ok;
    },
    /** The next call of `cmd` fails in transit with this error (the backend never sees it). */
    failNext(cmd: Command, code: ErrorCode, message = "") {
      failures.set(cmd, { code, message });
    },
    /** Calls of `cmd` take `ms` longer on their way. */
    slow(cmd: Command, ms: number) {
      delays.set(cmd, ms);
    },
    /** A command on this till, outside the page (staging, or reading what the backend holds). */
    call: must,
    /** A command on the store's other till, as another PC of the store sends it. */
    other,
    /** The register's latest shift as this till reads it (`current_session`), which there must be. */
    currentSession: () => latest(must("current_session")),
    /** The register's latest shift as the store's other till reads it. */
    currentSessionElsewhere: () => latest(other("current_session")),
    /** This till and the store's other till set up on the shop's database (or the demo's). */
    setUp: ({ register = "DT/R1", demo = false }: { register?: string; demo?: boolean } = {}) =>
      must("test_set_up", { register, demo }),
    /** `name` logged in on this till, as after a right PIN on its login screen. */
    logIn: (name: ShopUser) => must("login", { user: name, pin: PINS[name] }),
    /** This till's shift, opened by whoever is logged in on it. */
    startShift: ({ openingCash = 20_000 }: { openingCash?: number } = {}) =>
      must("start_shift", { requestId: requestId(), openingCash }),
    /** Another PC of the store opens a shift on the register (or joins the open one). */
    async openElsewhere({ by = "alice", openingCash = 20_000 }: { by?: ShopUser; openingCash?: number } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      return other("start_shift", { requestId: requestId(), openingCash });
    },
    /** Another PC records a cash sale of `lines` (by SKU) into the register's open shift, paid exactly. */
    async sellElsewhere(lines: SaleLineRequest[] = [{ sku: "COF-1", quantity: 2 }], { by = "carol" }: { by?: ShopUser } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      const session = await latest(other("current_session"));
      const priced = await other("price_cart", { lines });
      const request: SaleRequest = { lines, tenders: [{ kind: "cash", amount: priced.cash_total }] };
      return other("record_sale", { id: requestId(), sessionId: session.id, request });
    },
    /** Another PC closes the register's open shift, counting `counted`, with bob's approval. */
    async closeElsewhere({ by = "bob", counted = null }: { by?: ShopUser; counted?: number | null } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      const session = await latest(other("current_session"));
      const x = await other("x_report", { session: session.id });
      const expected = counted ?? x.drawer.expected_cash;
      const approval = { manager: "bob", pin: PINS.bob };
      return other("close_shift", { requestId: requestId(), session: session.id, countedCash: expected, approval });
    },
    /** Another PC records a cash movement on the register's open shift (`amount` null for a no-sale). */
    async moveElsewhere({
      kind = "paid_in",
      amount = 1_000,
      reason = "float_top_up",
      by = "carol",
    }: { kind?: MovementKind; amount?: number | null; reason?: string; by?: ShopUser } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      const approval = kind === "paid_out" || kind === "drop" ? { manager: "bob", pin: PINS.bob } : null;
      return other("record_movement", { id: requestId(), kind, amount, reason, note: null, approval });
    },
    /** The X report of `session` as a manager on another PC reads it (the backend's numbers). */
    async xReport(session: string) {
      await other("login", { user: "bob", pin: PINS.bob });
      return other("x_report", { session });
    },
    /** The store's open shifts made `minutes` older and `days` business days older (forgotten). */
    age: ({ minutes = 0, days = 0 }: { minutes?: number; days?: number } = {}) => must("test_age", { minutes, days }),
    /** The app's clock moved on (idle logouts); the database keeps its own. */
    advance: (minutes: number) => must("test_advance", { minutes }),
    /** Stops the bridge (it drops its PostgreSQL database first, when it made one). */
    async close() {
      running.delete(stop);
      await send("test_quit").catch(() => {});
      stop();
    },
    /** A database on the test server with the shop in it, the other till set up on it at
     * `register`: `{url, password}` for the set-up screen. */
    postgres: ({ register = "DT/R1" }: { register?: string } = {}) => must("test_postgres", { register }),
    /** IT's system device file sets this till up on `register` (or an invalid one: `damaged`),
     * with a receipt printer on loopback when `printer`. */
    manageByIt: ({ register = "DT/R1", damaged = false, printer = false, drawer = false }: { register?: string; damaged?: boolean; printer?: boolean; drawer?: boolean } = {}) =>
      must("test_manage_by_it", { register, damaged, printer, drawer }),
    /** The emulated receipt printer (set up by `manageByIt({ printer: true })`) goes wrong, or works again. */
    printer: (fault: "paper_out" | "cover_open" | "none") => must("test_printer", { fault }),
    /** The emulated printer reports its drawer open, or shut. */
    drawerSwitch: (open: boolean) => must("test_printer", { drawer_open: open }),
    /** A receipt printer on loopback for the device screen to choose: its port. */
    startPrinter: () => must("test_start_printer"),
    /** What the emulated printer put on paper. */
    printed: () => must("test_printed"),
    /** device.json becomes unreadable, its previous good copy kept (set up first). */
    damageSettings: () => must("test_damage_settings"),
    /** The updater's status as the shell would answer it. */
    stageUpdate: (status: UpdateStatus) => must("test_update", status),
  };
}
