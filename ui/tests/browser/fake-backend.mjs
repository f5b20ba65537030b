// An in-memory stand-in for the Rust backend that follows the IPC contract closely enough for
// the UI to be driven end to end in a browser: set-up (demo, new store, PostgreSQL), registers,
// manager approval of device changes, PIN login with lockout and unlock, idle logout, damaged
// settings, start/join a shift, close with a manager PIN, selling (priced by the core's rules:
// overrides, line and receipt discounts, tax per rate, approvals), cash control (movements, X and Z
// reports, blind close with sign-off, force-close and late count, forgotten sessions, the day
// view), and the error codes the UI words.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** The country presets, generated from till-core (`location_presets`). */
const PRESETS = JSON.parse(readFileSync(new URL("./presets.json", import.meta.url), "utf8"));

/** Cash control as the core defaults it: blind close, 5.00 variance limit, 50.00 cash-out limit, 12 h. */
const CASH_CONTROL = { blind_close: true, variance_limit_minor: 500, cash_out_limit_minor: 5000, session_limit_minutes: 720, manager_pin_min_length: 4 };
const LOCATIONS = {
  DT: { id: "loc-DT", code: "DT", name: "Downtown", timezone: "America/New_York", currency: "USD", cutoff: "04:00", locale: "en-US", ...CASH_CONTROL },
  UT: { id: "loc-UT", code: "UT", name: "Uptown Berlin", timezone: "Europe/Berlin", currency: "EUR", cutoff: "04:00", locale: "de-DE", ...CASH_CONTROL },
};

/** The store's reasons per movement kind (the core seeds a list like this one). */
const CASH_REASONS = [
  { kind: "paid_in", code: "float_top_up", label: "Float top-up", position: 1 },
  { kind: "paid_in", code: "other_in", label: "Other cash in", position: 2 },
  { kind: "paid_out", code: "supplies", label: "Store supplies", position: 1 },
  { kind: "paid_out", code: "delivery", label: "Delivery paid in cash", position: 2 },
  { kind: "paid_out", code: "other_out", label: "Other cash out", position: 3 },
  { kind: "drop", code: "safe_drop", label: "Safe drop", position: 1 },
  { kind: "no_sale", code: "change_for_customer", label: "Change for a customer", position: 1 },
  { kind: "no_sale", code: "drawer_check", label: "Drawer check", position: 2 },
];

const REGISTERS = [
  { id: "reg-1", location_id: "loc-dt", location_code: "DT", location_name: "Downtown", code: "R1", name: "Front counter", address: "DT/R1", currency: "USD" },
  { id: "reg-2", location_id: "loc-dt", location_code: "DT", location_name: "Downtown", code: "R2", name: "Back counter", address: "DT/R2", currency: "USD" },
  { id: "reg-3", location_id: "loc-ut", location_code: "UT", location_name: "Uptown Berlin", code: "R1", name: "Till by the door", address: "UT/R1", currency: "EUR" },
];

const USERS = [
  { name: "alice", role: "cashier", active: true, pin: "1234" },
  { name: "bob", role: "manager", active: true, pin: "9999" },
  { name: "carol", role: "cashier", active: true, pin: "5555" },
  { name: "dave", role: "cashier", active: false, pin: "0000" },
];

/** A small catalog per location: prices without tax, in minor units; UPC barcodes. */
const TAX_RATES = {
  std: { id: "tax-std", name: "Sales tax", rate: 80_000 },
  food: { id: "tax-food", name: "Food tax", rate: 20_000 },
};
const CATEGORIES = [
  { id: "cat-drinks", name: "Drinks", position: 1, colour: "#0a4fb5" },
  { id: "cat-snacks", name: "Snacks", position: 2, colour: "#0b6b3a" },
  { id: "cat-empty", name: "Seasonal", position: 3, colour: "#b45309" },
];
const PRODUCTS = [
  { sku: "COF-1", name: "Coffee", price: 250, tax: "food", category: "cat-drinks", barcode: "012345678905" },
  { sku: "TEA-1", name: "Green tea", price: 199, tax: "food", category: "cat-drinks", barcode: "012345678912" },
  { sku: "COLA-1", name: "Cola 0.5 l", price: 179, tax: "std", category: "cat-drinks", barcode: "012345678929" },
  { sku: "CHIP-1", name: "Potato chips", price: 349, tax: "std", category: "cat-snacks", barcode: "012345678936" },
  { sku: "CHOC-1", name: "Chocolate bar", price: 125, tax: "std", category: "cat-snacks", barcode: "012345678943" },
  { sku: "GUM-1", name: "Chewing gum", price: 99, tax: "std", category: "cat-snacks", barcode: "012345678950", active: false },
];

const MAX_FAILURES = 5;
const DEMO_URL = "sqlite:///home/till/.local/share/till/till-demo.db";
const SETTINGS_PATH = "/home/till/.local/share/till/device.json";

const DECIMALS = { JPY: 0 };

class IpcError {
  constructor(code, message, extra = {}) {
    this.code = code;
    this.message = message;
    this.extra = extra;
  }
}

const fail = (code, message) => {
  throw new IpcError(code, message);
};

function decimals(currency) {
  return DECIMALS[currency] ?? 2;
}

/** Strict decimal string → integer minor units (BigInt math, like the real backend would). */
function toMinor(text, currency) {
  const d = decimals(currency);
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
  if (!m || (m[3] ?? "").length > d) fail("invalid_amount", `not an amount in ${currency}: ${text}`);
  const v = BigInt(m[2] + (m[3] ?? "").padEnd(d, "0"));
  return m[1] === "-" ? -v : v;
}

function fromMinor(minor, currency) {
  const d = decimals(currency);
  const neg = minor < 0n;
  const digits = (neg ? -minor : minor).toString().padStart(d + 1, "0");
  const whole = digits.slice(0, digits.length - d);
  return (neg ? "-" : "") + whole + (d ? "." + digits.slice(digits.length - d) : "");
}

function localDate(instant, timeZone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(instant);
}

export function createFakeBackend({ now = "2026-11-28T14:02:00Z", device = "till-1" } = {}) {
  const state = {
    now: new Date(now),
    device,
    kind: null,
    url: null,
    register: null,
    loggedIn: null,
    sessions: [],
    lastSeen: null,
    users: structuredClone(USERS).map((u) => ({ ...u, failed: 0, lockedUntil: null })),
    locations: structuredClone(LOCATIONS),
    registers: structuredClone(REGISTERS),
    damaged: null,
    managedBy: null,
    idleMinutes: 5,
    /** The device's backup folder, and what the last close's backup did (like the backend's). */
    backupFolder: null,
    lastBackup: null,
    requests: new Map(),
    cashSales: 4500n, // cash taken during the shift, in minor units: expected = opening + this
    receipts: [],
    receiptIds: new Map(),
    /** Cash movements (paid in/out, drops, no-sales) by id. */
    movements: new Map(),
    reprints: new Map(),
    /** Z records by session id; Z numbers are gapless per register. */
    zRecords: new Map(),
    denominations: new Map(),
  };
  const delays = new Map();
  const failures = new Map();
  const calls = [];
  /** What `update_status` answers; tests replace it. */
  state.update = { state: "up_to_date", current_version: "0.1.0", offered_version: null, message: "Till 0.1.0 is up to date" };

  const location = () => (state.register ? state.locations[state.register.location_code] : null);
  const userView = (u) => ({
    id: `user-${u.name}`,
    name: u.name,
    role: u.role,
    approves: u.role === "manager" || u.role === "admin",
    active: u.active,
    failed_pins: u.failed,
    locked_until: u.lockedUntil,
  });
  const configured = () => state.kind !== null && state.register !== null;
  const status = () =>
    state.damaged
      ? {
          configured: false,
          database_kind: null,
          database_url: null,
          demo: false,
          location: null,
          register: null,
          device_name: state.device,
          logged_in: null,
          idle_logout_minutes: 5,
          settings_damaged: state.managedBy
            ? { path: state.managedBy, reason: "line 3: unknown field `colour`", previous_path: null, previous_database: null }
            : {
                path: SETTINGS_PATH,
                reason: "is not valid settings JSON: EOF while parsing an object at line 3 column 0",
                previous_path: state.damaged.previous ? `${SETTINGS_PATH}.prev` : null,
                previous_database: state.damaged.previous ? DEMO_URL : null,
              },
          managed_by: state.managedBy,
          backup_folder: null,
        }
      : {
          configured: configured(),
          database_kind: state.kind,
          database_url: state.url,
          demo: state.url === DEMO_URL,
          location: location(),
          register: state.register,
          device_name: state.device,
          logged_in: state.loggedIn ? userView(state.loggedIn) : null,
          idle_logout_minutes: state.idleMinutes,
          settings_damaged: null,
          managed_by: state.managedBy,
          backup_folder: state.backupFolder,
        };
  /** Like the backend: IT's device file sets the till up; nothing in the app changes it. */
  const refuseIfManaged = () => {
    if (state.managedBy) fail("device_managed", `this till is set up by IT in ${state.managedBy}: its database, register and backup folder cannot be changed here; ask IT`);
  };
  const requireIntact = () => {
    if (state.damaged) fail("device_settings_damaged", `the device settings file ${SETTINGS_PATH} is damaged`);
  };
  const findUser = (name) => {
    const found = state.users.find((u) => u.name === name);
    if (!found) fail("user_not_found", `user ${name} not found`);
    if (!found.active) fail("user_inactive", `user ${name} is not active`);
    return found;
  };
  /** Like the core's authenticate: active first, then lockout, then the PIN (5 wrong in a row lock). */
  const authenticate = (name, pin) => {
    if (!/^\d{4,12}$/.test(pin ?? "")) fail("invalid_pin", "a PIN is 4 to 12 digits");
    const user = findUser(name);
    const locked = () => {
      throw new IpcError("user_locked", `user ${name} is locked after too many wrong PINs until ${user.lockedUntil}`, { until: user.lockedUntil });
    };
    if (user.lockedUntil && new Date(user.lockedUntil) > state.now) locked();
    // A PIN an older Till hashed, which the database cannot check (PostgreSQL since 0013).
    if (user.pinResetNeeded) {
      fail("pin_reset_needed", `${name}'s PIN must be set again (an older Till set it, or managers' PINs must now be longer): IT runs \`tillctl user set-pin --name ${name}\``);
    }
    if (user.pin !== pin) {
      user.failed += 1;
      if (user.failed >= MAX_FAILURES) {
        user.failed = 0;
        user.lockedUntil = new Date(state.now.getTime() + 60_000).toISOString();
        locked();
      }
      fail("wrong_pin", `wrong PIN for ${name}`);
    }
    user.failed = 0;
    user.lockedUntil = null;
    return user;
  };
  const authorizeManager = (approval) => {
    if (!approval) fail("forbidden", "a manager or an admin must approve changing this device's set-up (name and PIN)");
    const user = authenticate(approval.manager, approval.pin);
    if (user.role !== "manager" && user.role !== "admin") fail("forbidden", `only a manager or an admin may do this; ${user.name} is a ${user.role}`);
    return user;
  };
  /** Once set up, a change needs a manager of the current database. */
  const approveChange = (approval) => {
    if (configured()) authorizeManager(approval);
  };
  const requireSetUp = () => {
    requireIntact();
    if (!state.kind || !state.register) fail("device_not_set_up", "no database or register chosen");
  };
  const requireDatabase = () => {
    requireIntact();
    if (!state.kind) fail("device_not_set_up", "no database chosen");
  };
  const requireLogin = () => {
    requireSetUp();
    if (state.idle) {
      state.idle = false;
      state.loggedIn = null;
      fail("not_logged_in", `logged out after ${state.idleMinutes} minutes without use; log in again`);
    }
    if (!state.loggedIn) fail("not_logged_in", "nobody is logged in on this register");
    if (!state.loggedIn.active) {
      state.loggedIn = null;
      fail("user_inactive", "user is not active");
    }
    return state.loggedIn;
  };
  const openSession = () =>
    state.sessions.find((s) => s.register_code === state.register.address && s.status === "open") ?? null;
  const view = (s) => structuredClone(s);

  function createSession({ openedBy, openingCash, notes, at = state.now, device: dev = state.device }) {
    const loc = location();
    const businessDay = localDate(new Date(at.getTime() - 4 * 3600_000), loc.timezone);
    const sequence = state.sessions.filter((s) => s.location_code === loc.code && s.business_day === businessDay).length + 1;
    const session = {
      id: `sess-${state.sessions.length + 1}`,
      number: `${loc.code}-${businessDay.replaceAll("-", "")}-${String(sequence).padStart(3, "0")}`,
      location_code: loc.code,
      register_code: state.register.address,
      currency: loc.currency,
      business_day: businessDay,
      day_sequence: sequence,
      status: "open",
      opened_by: openedBy,
      opened_at: at.toISOString(),
      opening_cash: fromMinor(toMinor(openingCash, loc.currency), loc.currency),
      closed_by: null,
      closed_at: null,
      counted_cash: null,
      expected_cash: null,
      variance: null,
      float_expected: lastClosed()?.float_left ?? null,
      cash_removed: null,
      float_left: null,
      variance_reason: null,
      approved_by: null,
      count_pending: false,
      force_close_reason: null,
      notes: notes ?? null,
      joins: [],
      opened_on: dev,
    };
    state.sessions.push(session);
    return session;
  }

  /** The register's latest closed session (its float_left is the next start's default). */
  const lastClosed = () =>
    state.sessions.filter((s) => s.register_code === state.register.address && s.status === "closed").sort((a, b) => (a.closed_at < b.closed_at ? -1 : 1)).at(-1) ?? null;
  const businessDayAt = (at, loc) => localDate(new Date(at.getTime() - 4 * 3600_000), loc.timezone);
  const movementsOf = (session) => [...state.movements.values()].filter((m) => m.session_id === session.id);
  /**
   * The one place the fake computes a session's drawer: float + cash sales − change − cash
   * refunds + paid in − paid out − drops. `state.cashSales` is cash taken on sales this fake does
   * not hold as receipts (a seed for tests that never ring a sale).
   */
  function drawerOf(session) {
    const mine = state.receipts.filter((r) => r.session_id === session.id);
    const cashOf = (r) => r.tenders.filter((t) => t.kind === "cash").reduce((s, t) => s + t.amount, 0);
    const sales = mine.filter((r) => r.kind === "sale");
    const refunds = mine.filter((r) => r.kind === "refund");
    const moves = movementsOf(session);
    const countAmount = (kind) => {
      const ms = moves.filter((m) => m.kind === kind);
      return { count: ms.length, amount: ms.reduce((s, m) => s + m.amount, 0) };
    };
    const opening_float = Number(toMinor(session.opening_cash, session.currency));
    const cash_sales = Number(state.cashSales) + sales.reduce((s, r) => s + cashOf(r), 0);
    const change_given = sales.reduce((s, r) => s + r.change, 0);
    const cash_refunds = refunds.reduce((s, r) => s + cashOf(r), 0);
    const paid_in = countAmount("paid_in");
    const paid_out = countAmount("paid_out");
    const drops = countAmount("drop");
    const expected_cash = opening_float + cash_sales - change_given - cash_refunds + paid_in.amount - paid_out.amount - drops.amount;
    return { opening_float, cash_sales, change_given, cash_refunds, paid_in, paid_out, drops, expected_cash };
  }

  /** Refuses a count off by more than the store's limit unless a manager signs it off with a reason. */
  function checkVariance(session, countedMinor, count) {
    const loc = state.locations[session.location_code];
    const variance = countedMinor - BigInt(drawerOf(session).expected_cash);
    const off = variance < 0n ? -variance : variance;
    const reason = count?.variance_reason?.trim() ?? "";
    if (off > BigInt(loc.variance_limit_minor) && reason === "") {
      // Like the backend: never says the expected cash (the count is blind).
      fail("variance_needs_signoff", "the count is off by more than the store's limit; count again, then a manager signs it off with a reason");
    }
    if (count?.variance_reason != null && (reason === "" || reason.length > 200)) fail("invalid_input", "variance reason: 1 to 200 characters");
    return variance;
  }

  /** Float left and denominations of a count; both checked against the counted cash. */
  function applyCount(session, countedMinor, count) {
    const cur = session.currency;
    if (count?.denominations?.length) {
      const total = count.denominations.reduce((s, d) => s + BigInt(d.denomination) * BigInt(d.count), 0n);
      if (total !== countedMinor) fail("invalid_input", `denominations: they add up to ${fromMinor(total, cur)}, not the counted ${fromMinor(countedMinor, cur)}`);
    }
    const opening = toMinor(session.opening_cash, cur);
    const floatLeft = count?.float_left != null ? toMinor(count.float_left, cur) : opening < countedMinor ? opening : countedMinor;
    if (floatLeft < 0n) fail("invalid_amount", "the float left can't be negative");
    if (floatLeft > countedMinor) fail("invalid_input", `float left: ${fromMinor(floatLeft, cur)} is more than the ${fromMinor(countedMinor, cur)} counted`);
    state.denominations.set(session.id, structuredClone(count?.denominations ?? []));
    return { float_left: fromMinor(floatLeft, cur), cash_removed: fromMinor(countedMinor - floatLeft, cur) };
  }

  /** The session's Z: the next number of its register, grand totals carried on, a journal head. */
  function issueZ(session, at) {
    const register = state.registers.find((r) => r.address === session.register_code);
    const previous = [...state.zRecords.values()].filter((z) => z.register_id === register.id).sort((a, b) => a.z_number - b.z_number).at(-1);
    const mine = state.receipts.filter((r) => r.session_id === session.id);
    const sales = mine.filter((r) => r.kind === "sale").reduce((s, r) => s + r.total, 0);
    const refunds = mine.filter((r) => r.kind === "refund").reduce((s, r) => s + r.total, 0);
    const seq = (previous?.journal_seq ?? 0) + mine.length + movementsOf(session).length + 2;
    const z = {
      register_id: register.id,
      z_number: (previous?.z_number ?? 0) + 1,
      session_id: session.id,
      at: at.toISOString(),
      first_receipt: mine[0]?.number ?? null,
      last_receipt: mine.at(-1)?.number ?? null,
      grand_sales: (previous?.grand_sales ?? 0) + sales,
      grand_refunds: (previous?.grand_refunds ?? 0) + refunds,
      journal_seq: seq,
      journal_head: createHash("sha256").update(`${previous?.journal_head ?? ""}|${session.id}|${seq}`).digest("hex"),
    };
    state.zRecords.set(session.id, z);
    return z;
  }

  function closeSession(session, { by, counted, at = state.now, count = null, approvedBy = null, check = true }) {
    const countedMinor = toMinor(counted, session.currency);
    const variance = check ? checkVariance(session, countedMinor, count) : countedMinor - BigInt(drawerOf(session).expected_cash);
    const left = applyCount(session, countedMinor, count);
    const expected = drawerOf(session).expected_cash;
    Object.assign(session, {
      status: "closed",
      closed_by: by,
      closed_at: at.toISOString(),
      counted_cash: fromMinor(countedMinor, session.currency),
      expected_cash: fromMinor(BigInt(expected), session.currency),
      variance: fromMinor(variance, session.currency),
      variance_reason: count?.variance_reason?.trim() || null,
      approved_by: count?.variance_reason ? approvedBy : null,
      ...left,
    });
    issueZ(session, at);
  }

  const product = (p, loc) => ({
    id: `prod-${loc}-${p.sku}`,
    location_id: `loc-${loc}`,
    sku: p.sku,
    name: p.name,
    price_minor: p.price,
    tax_rate_id: TAX_RATES[p.tax].id,
    tax_code: p.tax.toUpperCase(),
    rate: TAX_RATES[p.tax].rate,
    category_id: p.category,
    category: CATEGORIES.find((c) => c.id === p.category)?.name ?? null,
    barcodes: [p.barcode],
    active: p.active !== false,
  });
  const catalog = () => PRODUCTS.map((p) => product(p, location().code));
  const activeProduct = (pred, key) => {
    const found = catalog().find(pred);
    if (!found || !found.active) fail("product_not_found", `product ${key} not found`);
    return found;
  };
  const half = (n, d) => Math.floor((2 * n + d) / (2 * d));
  /** Discounts above this share need a manager (the fake location's limit: 10 %). */
  const MANAGER_THRESHOLD = 100_000;
  const MAX_MINOR = 10 ** 13;
  /** Like the core's `allocate`: largest remainders, ties to the earlier weight; the parts add up to `whole`. */
  const allocate = (whole, weights) => {
    const sum = weights.reduce((s, w) => s + BigInt(w), 0n);
    if (sum === 0n || whole === 0) return weights.map(() => 0);
    const exact = weights.map((w) => BigInt(whole) * BigInt(w));
    const parts = exact.map((e) => Number(e / sum));
    let left = whole - parts.reduce((s, p) => s + p, 0);
    const order = exact.map((e, i) => [e % sum, i]).sort((a, b) => (b[0] > a[0] ? 1 : b[0] < a[0] ? -1 : a[1] - b[1]));
    for (const [, i] of order) {
      if (left-- <= 0) break;
      parts[i] += 1;
    }
    return parts;
  };
  /** Like the core's `discount_off`: the amount off `base` and its share in ppm, rounded up. */
  const discountOff = (discount, base, where) => {
    if (!discount) return { off: 0, share: 0 };
    if (discount.kind === "amount") {
      if (!Number.isSafeInteger(discount.amount)) fail("invalid_amount", `${where}: not an amount`);
      if (discount.amount < 0) fail("invalid_amount", `${where}: a discount amount cannot be negative`);
      if (discount.amount > base) fail("discount_too_large", `${where}: the discount (${discount.amount}) is more than ${base}`);
      const share = base === 0 ? 0 : Number((BigInt(discount.amount) * 1_000_000n + BigInt(base) - 1n) / BigInt(base));
      return { off: discount.amount, share };
    }
    if (discount.kind === "percent") {
      if (!Number.isInteger(discount.percent) || discount.percent < 0) fail("invalid_input", `${where}: not a percentage`);
      if (discount.percent > 1_000_000) fail("discount_too_large", `${where}: the discount is more than 100%`);
      return { off: half(base * discount.percent, 1_000_000), share: discount.percent };
    }
    fail("invalid_input", `${where}: unknown discount kind`);
  };
  /**
   * Prices a cart like the core's `price_cart` (prices without tax here): the override or the
   * catalog price, the line discounts, the receipt discount on the subtotal allocated to the
   * lines, then tax per rate (discounts before tax) allocated to its lines. Approvals: every
   * override, and every discount whose share is above the location's limit.
   */
  const price = (lines, receiptDiscount = null) => {
    const loc = location();
    const approvals = [];
    const priced = lines.map((line, index) => {
      if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > 10000) fail("invalid_quantity", "quantity 1 to 10000");
      const p = line.product_id
        ? activeProduct((x) => x.id === line.product_id, line.product_id)
        : line.barcode
          ? activeProduct((x) => x.barcodes.includes(line.barcode), line.barcode)
          : activeProduct((x) => x.sku === line.sku, line.sku);
      let unitPrice = p.price_minor;
      if (line.price_override != null) {
        if (!Number.isSafeInteger(line.price_override) || line.price_override < 0 || line.price_override > MAX_MINOR) fail("invalid_amount", `line ${index + 1}: the price override is not a price`);
        unitPrice = line.price_override;
        approvals.push({ reason: "price_override", line: index, catalog_unit_price: p.price_minor, unit_price: unitPrice });
      }
      const extended = unitPrice * line.quantity;
      const { off, share } = discountOff(line.discount, extended, `line ${index + 1}`);
      if (share > MANAGER_THRESHOLD) approvals.push({ reason: "line_discount", line: index, percent: share });
      return { product_id: p.id, sku: p.sku, name: p.name, category: p.category ?? "", tax_rate_id: p.tax_rate_id, rate: p.rate, quantity: line.quantity, catalog_unit_price: p.price_minor, unit_price: unitPrice, extended, line_discount: off, receipt_discount: 0, amount: extended - off, tax: 0, total: 0 };
    });
    const sum = (k) => priced.reduce((s, l) => s + l[k], 0);
    const subtotal = sum("amount");
    const { off: receiptOff, share } = discountOff(receiptDiscount, subtotal, "receipt");
    if (share > MANAGER_THRESHOLD) approvals.push({ reason: "receipt_discount", percent: share });
    allocate(receiptOff, priced.map((l) => l.amount)).forEach((part, i) => {
      priced[i].receipt_discount = part;
      priced[i].amount -= part;
    });
    const taxes = Object.values(TAX_RATES)
      .map((r) => {
        const mine = priced.filter((l) => l.tax_rate_id === r.id);
        if (!mine.length) return null;
        const net = mine.reduce((s, l) => s + l.amount, 0);
        const tax = half(net * r.rate, 1_000_000);
        allocate(tax, mine.map((l) => l.amount)).forEach((part, i) => {
          mine[i].tax = part;
        });
        return { tax_rate_id: r.id, name: r.name, rate: r.rate, net, tax, gross: net + tax };
      })
      .filter(Boolean);
    for (const l of priced) l.total = l.amount + l.tax;
    const total = sum("total");
    return { currency: loc.currency, prices_include_tax: false, lines: priced, taxes, items: sum("extended"), line_discounts: sum("line_discount"), subtotal, receipt_discount: receiptOff, tax: sum("tax"), total, cash_total: total, cash_rounding_increment: 1, approvals };
  };
  const receiptOf = (kind, session, user, lines, priced, tenders, change, refundOf = null) => {
    const loc = location();
    const seq = state.receipts.filter((r) => r.register_id === state.register.id).length + 1;
    return {
      id: null, kind, number: `${state.register.address.replace("/", "-")}-${String(seq).padStart(6, "0")}`, receipt_seq: seq,
      session_id: session.id, session_number: session.number, register_id: state.register.id, register_code: state.register.code,
      location_id: `loc-${loc.code}`, location_code: loc.code, location_name: loc.name, location_address: "12 Main Street, Springfield",
      time_zone: loc.timezone, refund_of: refundOf, cashier: user.name, device: state.device, at: state.now.toISOString(),
      currency: loc.currency, prices_include_tax: false, subtotal: priced.subtotal, discount: priced.line_discounts + (priced.receipt_discount ?? 0), tax: priced.tax, total: priced.total,
      rounding: 0, tendered: tenders.reduce((s, t) => s + t.amount, 0), change, cash_net: 0,
      lines, tenders: tenders.map((t) => ({ kind: t.kind, amount: t.amount, reference: t.approval_reference ?? null })), taxes: priced.taxes.map((t) => ({ ...t, rate_ppm: t.rate })),
    };
  };

  /** The X report of a session: the same numbers the Z of that session will carry. */
  function xReportOf(session, requestedBy) {
    const mine = state.receipts.filter((r) => r.session_id === session.id);
    const sales = mine.filter((r) => r.kind === "sale");
    const refunds = mine.filter((r) => r.kind === "refund");
    const sum = (rs, f) => rs.reduce((s, r) => s + f(r), 0);
    const taxes = new Map();
    for (const r of mine) {
      const sign = r.kind === "refund" ? -1 : 1;
      for (const t of r.taxes) {
        const row = taxes.get(t.tax_rate_id) ?? { tax_rate_id: t.tax_rate_id, name: t.name, rate_ppm: t.rate_ppm ?? t.rate, net: 0, tax: 0, gross: 0 };
        row.net += sign * t.net;
        row.tax += sign * t.tax;
        row.gross += sign * t.gross;
        taxes.set(t.tax_rate_id, row);
      }
    }
    const categories = new Map();
    for (const r of mine) {
      const sign = r.kind === "refund" ? -1 : 1;
      for (const l of r.lines) {
        const name = l.category || "Other";
        const row = categories.get(name) ?? { category: name, count: 0, amount: 0 };
        row.count += sign * l.quantity;
        row.amount += sign * l.amount;
        categories.set(name, row);
      }
    }
    const tenders = new Map();
    for (const r of mine) {
      const sign = r.kind === "refund" ? -1 : 1;
      for (const t of r.tenders) {
        const row = tenders.get(t.kind) ?? { kind: t.kind, count: 0, amount: 0 };
        row.count += 1;
        row.amount += sign * (t.kind === "cash" && r.kind === "sale" ? t.amount - r.change : t.amount);
        tenders.set(t.kind, row);
      }
    }
    const loc = state.locations[session.location_code];
    const register = state.registers.find((r) => r.address === session.register_code);
    const discounted = sales.filter((r) => r.discount > 0);
    return {
      header: {
        location_code: loc.code, location_name: loc.name, register: register?.name ?? session.register_code, session_number: session.number,
        business_day: session.business_day, opened_by: session.opened_by, opened_at: session.opened_at, closed_at: session.closed_at,
        made_at: state.now.toISOString(), requested_by: requestedBy, currency: session.currency,
      },
      sales: {
        receipts: mine.length,
        gross_sales: sum(sales, (r) => r.subtotal + r.discount),
        discounts: { count: discounted.length, amount: sum(discounted, (r) => r.discount) },
        refunds: { count: refunds.length, amount: sum(refunds, (r) => r.total) },
        net_sales: sum(sales, (r) => r.total) - sum(refunds, (r) => r.total),
        rounding: 0,
        taxes: [...taxes.values()],
        categories: [...categories.values()],
      },
      tenders: [...tenders.values()],
      drawer: drawerOf(session),
      no_sales: movementsOf(session).filter((m) => m.kind === "no_sale").length,
      reprints: state.reprints.get(session.id) ?? 0,
    };
  }

  const sessionById = (id) => {
    const found = state.sessions.find((s) => s.id === id);
    if (!found) fail("session_not_found", `no session ${id}`);
    return found;
  };
  const requireManagerLogin = () => {
    const user = requireLogin();
    if (user.role !== "manager" && user.role !== "admin") fail("forbidden", "only a manager or an admin may do this");
    return user;
  };
  const forgotten = () => {
    const loc = location();
    const today = businessDayAt(state.now, loc);
    return state.sessions.filter(
      (s) => s.location_code === loc.code && s.status === "open" && (s.business_day < today || state.now - new Date(s.opened_at) > loc.session_limit_minutes * 60_000),
    );
  };

  const commands = {
    cash_reasons: () => {
      requireLogin();
      return structuredClone(CASH_REASONS);
    },
    record_movement: ({ id, kind, amount, reason, note, approval }) => {
      const user = requireLogin();
      if (!id) fail("invalid_input", "record_movement needs an id");
      const known = state.movements.get(id);
      if (known) return known;
      if (!["paid_in", "paid_out", "drop", "no_sale"].includes(kind)) fail("invalid_input", `unknown movement kind ${kind}`);
      const session = openSession();
      if (!session) fail("no_open_session", "no open session on this register");
      if (!CASH_REASONS.some((r) => r.kind === kind && r.code === reason)) fail("reason_not_found", `no ${kind} reason ${reason}`);
      let minor = 0n;
      if (kind === "no_sale") {
        if (amount !== null) fail("invalid_input", "a no-sale has no amount");
      } else {
        if (amount === null) fail("invalid_amount", "an amount is needed");
        minor = toMinor(amount, session.currency);
        if (minor <= 0n) fail("invalid_amount", "the amount must be more than zero");
      }
      let approvedBy = null;
      const loc = location();
      if ((kind === "paid_out" || kind === "drop") && minor > BigInt(loc.cash_out_limit_minor)) {
        if (approval) approvedBy = authorizeManager(approval).name;
        else if (user.role === "manager" || user.role === "admin") approvedBy = user.name;
        else fail("forbidden", `a ${kind.replace("_", " ")} above ${fromMinor(BigInt(loc.cash_out_limit_minor), session.currency)} needs a manager's approval`);
      } else if (approval) {
        approvedBy = authorizeManager(approval).name;
      }
      const movement = {
        id, session_id: session.id, location_id: loc.id, kind, amount: Number(minor), reason, note: note ?? null,
        user: user.name, approved_by: approvedBy, device: state.device, at: state.now.toISOString(),
      };
      state.movements.set(id, movement);
      return movement;
    },
    record_reprint: ({ number }) => {
      requireLogin();
      const receipt = state.receipts.find((r) => r.number === number);
      if (!receipt) fail("receipt_not_found", `receipt ${number} not found`);
      state.reprints.set(receipt.session_id, (state.reprints.get(receipt.session_id) ?? 0) + 1);
      return null;
    },
    x_report: ({ session }) => {
      const user = requireLogin();
      const target = session ? sessionById(session) : (openSession() ?? state.sessions.filter((s) => s.register_code === state.register.address).at(-1));
      if (!target) fail("session_not_found", "no session on this register");
      return xReportOf(target, user.name);
    },
    z_report: ({ session }) => {
      const user = requireLogin();
      const target = sessionById(session);
      const z = state.zRecords.get(target.id);
      if (target.status !== "closed" || !z) fail("session_not_found", `session ${target.number} has no Z yet`);
      const cur = target.currency;
      const minor = (v) => (v === null ? null : Number(toMinor(v, cur)));
      return {
        x: xReportOf(target, user.name),
        z: structuredClone(z),
        counted_cash: target.count_pending ? null : minor(target.counted_cash),
        denominations: structuredClone(state.denominations.get(target.id) ?? []),
        variance: target.count_pending ? null : minor(target.variance),
        variance_reason: target.variance_reason,
        closed_by: target.closed_by,
        approved_by: target.approved_by,
        cash_removed: minor(target.cash_removed),
        float_left: minor(target.float_left),
        force_close_reason: target.force_close_reason,
        grand_net: z.grand_sales - z.grand_refunds,
      };
    },
    forgotten_sessions: () => {
      requireLogin();
      return forgotten().map(view);
    },
    force_close: ({ requestId, session, reason, approval }) => {
      requireLogin();
      if (!requestId) fail("invalid_input", "force_close needs a request id");
      const repeated = state.requests.get(requestId);
      if (repeated) return repeated;
      const manager = authorizeManager(approval);
      const target = sessionById(session);
      if (target.status !== "open") fail("session_already_closed", `session ${target.number} was already closed by ${target.closed_by}`);
      const text = (reason ?? "").trim();
      if (text === "" || text.length > 200) fail("invalid_input", "reason: 1 to 200 characters");
      const expected = fromMinor(BigInt(drawerOf(target).expected_cash), target.currency);
      Object.assign(target, {
        status: "closed", closed_by: manager.name, closed_at: state.now.toISOString(), counted_cash: expected, expected_cash: expected,
        variance: null, count_pending: true, force_close_reason: text, approved_by: manager.name,
      });
      issueZ(target, state.now);
      state.requests.set(requestId, view(target));
      return view(target);
    },
    late_count: ({ session, countedCash, count, approval }) => {
      requireLogin();
      const manager = authorizeManager(approval);
      const target = sessionById(session);
      if (!target.count_pending) fail("no_count_pending", `session ${target.number} has no count pending`);
      const countedMinor = toMinor(countedCash, target.currency);
      const variance = checkVariance(target, countedMinor, count);
      const left = applyCount(target, countedMinor, count);
      Object.assign(target, {
        counted_cash: fromMinor(countedMinor, target.currency), variance: fromMinor(variance, target.currency),
        variance_reason: count?.variance_reason?.trim() || null, approved_by: manager.name, count_pending: false, ...left,
      });
      return view(target);
    },
    day_view: ({ day }) => {
      requireManagerLogin();
      const loc = location();
      const wanted = day ?? businessDayAt(state.now, loc);
      return state.sessions
        .filter((s) => s.location_code === loc.code && s.business_day === wanted)
        .map((s) => ({ session: view(s), z: structuredClone(state.zRecords.get(s.id) ?? null) }));
    },
    build_info: () => ({ version: "0.1.0", commit: "0123456789abcdef0123456789abcdef01234567" }),
    // Generated from till-core's presets (crates/till-core/tests/bindings.rs), never copied here.
    location_presets: () => structuredClone(PRESETS),
    last_backup: () => state.lastBackup,
    // The backend also writes a probe file; here a folder under /missing stands for one that is not there.
    set_backup_folder: ({ folder, approval }) => {
      refuseIfManaged();
      requireIntact();
      approveChange(approval);
      if (state.kind !== "sqlite") fail("invalid_input", `${state.url} is a PostgreSQL database: IT backs it up on the server`);
      const wanted = folder?.trim() || null;
      if (wanted && !wanted.startsWith("/")) fail("invalid_input", `${wanted} is not a full path: give the folder's full path, like /media/till/TILL-USB`);
      if (wanted?.startsWith("/missing")) fail("invalid_input", `the backup folder ${wanted} does not exist: plug in the backup drive (and check it is mounted there) or create the folder, then run the backup again; nothing was written`);
      state.backupFolder = wanted;
      return status();
    },
    update_status: () => state.update,
    // The real backend decides whether it may install now; this one only checks the manager.
    install_update_now: ({ approval }) => {
      requireSetUp();
      authorizeManager(approval);
      return state.update;
    },
    device_status: () => status(),
    setup_device: ({ request, approval }) => {
      refuseIfManaged();
      requireIntact();
      approveChange(approval);
      if (request?.kind === "demo") {
        Object.assign(state, { kind: "sqlite", url: DEMO_URL, register: null, loggedIn: null });
        return { status: status(), demo_users: USERS.filter((u) => u.active).map((u) => ({ name: u.name, role: u.role, pin: u.pin })) };
      }
      if (request?.kind === "embedded") {
        const store = request.new_store;
        if (store) {
          if (!/^\d{4,12}$/.test(store.manager_pin)) fail("invalid_pin", "a PIN is 4 to 12 digits");
          const code = store.location_code;
          if (!store.currency || !store.locale) fail("invalid_input", "say which currency and locale, or choose a country");
          state.locations[code] = { id: `loc-${code}`, code, name: store.location_name, timezone: store.time_zone, currency: store.currency, cutoff: "04:00", locale: store.locale };
          const register = { id: `reg-${code}`, location_id: `loc-${code}`, location_code: code, location_name: store.location_name, code: store.register, name: `Register ${store.register}`, address: `${code}/${store.register}`, currency: store.currency };
          state.registers = [register];
          state.users = [{ name: store.manager, role: "manager", active: true, pin: store.manager_pin, failed: 0, lockedUntil: null }];
          Object.assign(state, { kind: "sqlite", url: "sqlite:///home/till/.local/share/till/till.db", register: structuredClone(register), loggedIn: null });
        } else {
          Object.assign(state, { kind: "sqlite", url: "sqlite:///home/till/.local/share/till/till.db", register: null, loggedIn: null });
        }
        return { status: status(), demo_users: [] };
      }
      if (request?.kind === "postgres") {
        if (!/^postgres(ql)?:\/\//.test(request.url)) fail("invalid_input", "The address must start with postgres://");
        if (/:[^@/]*@/.test(request.url.replace(/^postgres(ql)?:\/\//, ""))) fail("invalid_input", "Leave the password out of the address.");
        if (request.url.includes("unreachable")) fail("database_unavailable", "connection refused (os error 111)");
        if (request.password !== "secret") fail("database_unavailable", "password authentication failed");
        Object.assign(state, { kind: "postgres", url: request.url, register: null, loggedIn: null });
        return { status: status(), demo_users: [] };
      }
      fail("invalid_input", "unknown set-up kind");
    },
    list_registers: () => {
      requireDatabase();
      return structuredClone(state.registers);
    },
    choose_register: ({ register, approval }) => {
      refuseIfManaged();
      requireDatabase();
      approveChange(approval);
      const found = state.registers.find((r) => r.address === register);
      if (!found) fail("register_not_found", `no register ${register}`);
      state.register = structuredClone(found);
      state.loggedIn = null;
      return status();
    },
    repair_settings: ({ approval }) => {
      refuseIfManaged();
      if (!state.damaged) return status();
      if (!state.damaged.previous) fail("device_settings_damaged", `the device settings file ${SETTINGS_PATH} is damaged; there is no previous copy`);
      authorizeManager(approval);
      Object.assign(state, state.damaged.previous, { damaged: null, loggedIn: null });
      return status();
    },
    unlock_user: ({ user, approval }) => {
      requireSetUp();
      authorizeManager(approval);
      const found = findUser(user);
      found.failed = 0;
      found.lockedUntil = null;
      return userView(found);
    },
    list_users: () => {
      requireSetUp();
      return state.users.filter((u) => u.active).map(userView);
    },
    login: ({ user, pin }) => {
      requireSetUp();
      // A login attempt ends the previous login first: a wrong PIN leaves nobody logged in.
      state.loggedIn = null;
      state.idle = false;
      state.loggedIn = authenticate(user, pin);
      return userView(state.loggedIn);
    },
    logout: () => {
      state.loggedIn = null;
      return null;
    },
    current_session: () => {
      requireLogin();
      const open = openSession();
      if (open) {
        state.lastSeen = open.id;
        return view(open);
      }
      const last = state.sessions.find((s) => s.id === state.lastSeen);
      return last ? view(last) : null;
    },
    start_shift: ({ requestId, openingCash, notes }) => {
      const user = requireLogin();
      if (!requestId) fail("invalid_input", "start_shift needs a request id");
      const repeated = state.requests.get(requestId);
      if (repeated) return repeated;
      const loc = location();
      if (openingCash !== null && toMinor(openingCash, loc.currency) < 0n) fail("invalid_amount", "opening cash can't be negative");
      const open = openSession();
      if (open && open.business_day < businessDayAt(state.now, loc)) fail("session_forgotten", `session ${open.number} is from an earlier business day; a manager force-closes it first`);
      if (!open && openingCash === null) fail("no_open_session", "register DT/R1 has no open session to join");
      if (open) {
        open.joins.push({ user: user.name, device: state.device, joined_at: state.now.toISOString() });
        state.lastSeen = open.id;
        const joined = { session: view(open), joined: true };
        state.requests.set(requestId, joined);
        return joined;
      }
      const session = createSession({ openedBy: user.name, openingCash, notes });
      state.lastSeen = session.id;
      const started = { session: view(session), joined: false };
      state.requests.set(requestId, started);
      return started;
    },
    price_cart: ({ lines, receiptDiscount }) => {
      requireLogin();
      if (!lines?.length) fail("invalid_input", "a sale needs at least one line");
      return price(lines, receiptDiscount ?? null);
    },
    find_product: ({ barcode, sku }) => {
      requireLogin();
      if ((barcode == null) === (sku == null)) fail("invalid_input", "give a barcode or a SKU");
      return barcode != null
        ? activeProduct((p) => p.barcodes.includes(barcode), barcode)
        : activeProduct((p) => p.sku.toLowerCase() === sku.toLowerCase(), sku);
    },
    search_products: ({ text }) => {
      requireLogin();
      const needle = text.trim().toLowerCase();
      if (!needle) return [];
      return catalog().filter((p) => p.active && (p.name.toLowerCase().includes(needle) || p.sku.toLowerCase().includes(needle))).slice(0, 8);
    },
    quick_keys: () => {
      requireLogin();
      return CATEGORIES.map((category) => ({
        category: { ...category, location_id: `loc-${location().code}` },
        products: catalog().filter((p) => p.active && p.category_id === category.id),
      })).filter((k) => k.products.length > 0);
    },
    record_sale: ({ id, sessionId, request, approval }) => {
      const user = requireLogin();
      if (approval) authorizeManager(approval);
      const known = state.receiptIds.get(id);
      if (known) {
        if (JSON.stringify(known.request) !== JSON.stringify(request) || known.sessionId !== sessionId) fail("idempotency_conflict", `receipt ${id} was recorded with other details`);
        return known.receipt;
      }
      const session = state.sessions.find((s) => s.id === sessionId);
      if (!session) fail("session_not_found", `no session ${sessionId}`);
      if (session.status !== "open") fail("session_closed", `session ${session.number} is closed`);
      if (!request.lines.length) fail("invalid_input", "a sale needs at least one line");
      const priced = price(request.lines, request.receipt_discount ?? null);
      if (priced.approvals.length > 0 && !approval && user.role !== "manager") fail("forbidden", "a manager's approval (a discount above the limit or a price override)");
      const paid = request.tenders.reduce((s, t) => s + t.amount, 0);
      const cash = request.tenders.filter((t) => t.kind === "cash").reduce((s, t) => s + t.amount, 0);
      if (paid < priced.total) fail("tenders_short", `tendered ${paid} of ${priced.total}`);
      const change = paid - priced.total;
      if (change > cash) fail("change_not_cash", "change is given only in cash");
      const lines = priced.lines.map((l, i) => ({ line_no: i, ...l, rate_ppm: l.rate, refund_of_line: null, refunded_quantity: 0, refunded_total: 0, refunded_tax: 0 }));
      const receipt = { ...receiptOf("sale", session, user, lines, priced, request.tenders, change), id };
      receipt.cash_net = cash - change;
      state.receipts.push(receipt);
      state.receiptIds.set(id, { request: structuredClone(request), sessionId, receipt });
      return receipt;
    },
    find_receipt: ({ number }) => {
      requireLogin();
      const found = state.receipts.find((r) => r.number === number.trim());
      if (!found) fail("receipt_not_found", `receipt ${number} not found`);
      return found;
    },
    refund: ({ id, receipt, request, approval }) => {
      const user = requireLogin();
      authorizeManager(approval);
      const known = state.receiptIds.get(id);
      if (known) return known.receipt;
      const sold = state.receipts.find((r) => r.number === receipt);
      if (!sold) fail("receipt_not_found", `receipt ${receipt} not found`);
      const session = openSession();
      if (!session) fail("no_open_session", "no open session on this register");
      const lines = request.lines.map((asked, i) => {
        const line = sold.lines[asked.line];
        if (!line) fail("invalid_input", `no line ${asked.line}`);
        if (asked.quantity > line.quantity - line.refunded_quantity) fail("refund_exceeds_sale", `line ${asked.line}: more than is left`);
        const total = half(line.total * asked.quantity, line.quantity);
        const tax = half(line.tax * asked.quantity, line.quantity);
        return { ...line, line_no: i, quantity: asked.quantity, total, tax, amount: total - tax, extended: total - tax, refund_of_line: asked.line };
      });
      for (const [i, asked] of request.lines.entries()) {
        sold.lines[asked.line].refunded_quantity += asked.quantity;
        sold.lines[asked.line].refunded_total += lines[i].total;
      }
      const total = lines.reduce((s, l) => s + l.total, 0);
      const tax = lines.reduce((s, l) => s + l.tax, 0);
      const tender = request.tender.kind === "cash" ? { kind: "cash", amount: total } : { kind: "card", amount: total, approval_reference: request.tender.approval_reference };
      const refund = { ...receiptOf("refund", session, user, lines, { subtotal: total - tax, line_discounts: 0, tax, total, taxes: [] }, [tender], 0, sold.number), id };
      state.receipts.push(refund);
      state.receiptIds.set(id, { request, receipt: refund });
      return refund;
    },
    session_totals: () => {
      requireLogin();
      const session = openSession() ?? state.sessions.find((s) => s.id === state.lastSeen);
      if (!session) return null;
      const x = xReportOf(session, state.loggedIn.name);
      const mine = state.receipts.filter((r) => r.session_id === session.id);
      const sales = mine.filter((r) => r.kind === "sale");
      const refunds = mine.filter((r) => r.kind === "refund");
      const sum = (rs, k) => rs.reduce((s, r) => s + r[k], 0);
      const d = x.drawer;
      return {
        session_id: session.id, sales_count: sales.length, refunds_count: refunds.length, sales_total: sum(sales, "total"), refunds_total: sum(refunds, "total"),
        discounts_total: sum(sales, "discount"), discounts_count: x.sales.discounts.count, tax_total: sum(sales, "tax") - sum(refunds, "tax"), rounding_total: 0,
        cash_net: d.expected_cash - d.opening_float, cash_sales: d.cash_sales, change_given: d.change_given, cash_refunds: d.cash_refunds,
        paid_in_count: d.paid_in.count, paid_in_total: d.paid_in.amount, paid_out_count: d.paid_out.count, paid_out_total: d.paid_out.amount,
        drops_count: d.drops.count, drops_total: d.drops.amount, no_sale_count: x.no_sales, reprint_count: x.reprints,
        opening_cash: d.opening_float, expected_cash: d.expected_cash, tenders: x.tenders, taxes: x.sales.taxes, categories: x.sales.categories,
      };
    },
    close_shift: ({ requestId, session, countedCash, approval, count }) => {
      requireLogin();
      if (!requestId) fail("invalid_input", "close_shift needs a request id");
      const repeated = state.requests.get(requestId);
      if (repeated) return repeated;
      const shown = state.sessions.find((s) => s.id === session);
      const open = shown?.status === "open" ? shown : null;
      if (!open) {
        const last = shown;
        if (last?.status === "closed") {
          const at = last.closed_at.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC");
          fail("session_already_closed", `session ${last.number} was already closed by ${last.closed_by} at ${at}`);
        }
        fail("session_not_found", "no open session on this register");
      }
      toMinor(countedCash, open.currency);
      const manager = authorizeManager(approval);
      closeSession(open, { by: manager.name, counted: countedCash, count: count ?? null, approvedBy: manager.name });
      if (state.backupFolder) {
        const stamp = state.now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
        state.lastBackup = { session: open.number, at: state.now.toISOString(), file: `${state.backupFolder}/till-${stamp}.db`, problem: null };
      }
      state.requests.set(requestId, view(open));
      return view(open);
    },
  };

  return {
    state,
    calls,
    /** Run one command the way the Tauri IPC would: resolve with a value or reject with {code, message}. */
    async handle(cmd, args = {}) {
      calls.push({ cmd, args: structuredClone(args) });
      const delay = delays.get(cmd);
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      const injected = failures.get(cmd);
      if (injected) {
        failures.delete(cmd);
        throw { ...injected };
      }
      const command = commands[cmd];
      if (!command) throw { code: "internal", message: `command ${cmd} not found` };
      try {
        return structuredClone(command(args));
      } catch (error) {
        if (error instanceof IpcError) throw { code: error.code, message: error.message, ...error.extra };
        throw { code: "internal", message: String(error?.stack ?? error) };
      }
    },
    callsOf: (cmd) => calls.filter((c) => c.cmd === cmd),
    /** Make a command take `ms` milliseconds. */
    slow(cmd, ms) {
      delays.set(cmd, ms);
    },
    /** Make the next call of `cmd` reject with this error. */
    failNext(cmd, code, message = "") {
      failures.set(cmd, { code, message });
    },
    /** A device that is already set up on a register (skips the wizard); `demo`: on the demo database. */
    setUp({ register = "DT/R1", demo = false } = {}) {
      state.kind = "sqlite";
      state.url = demo ? DEMO_URL : "sqlite:///home/till/.local/share/till/till.db";
      state.register = structuredClone(REGISTERS.find((r) => r.address === register));
    },
    /** IT's system device file sets this till up (`damaged`: the file is invalid). */
    manageByIt({ path = "/etc/till/device.toml", register = "DT/R1", damaged = false } = {}) {
      this.setUp({ register });
      state.url = "postgres://till_dt_r1@db.store.example:5432/till?sslmode=verify-full&sslrootcert=/etc/till/ca.crt";
      state.kind = "postgres";
      state.managedBy = path;
      if (damaged) state.damaged = { previous: null };
    },
    /** Logs `name` in as the backend would after a good PIN. */
    logIn(name) {
      state.loggedIn = state.users.find((u) => u.name === name);
    },
    /** The login has been idle past the limit: the next command that needs it is refused. */
    goIdle() {
      state.idle = true;
    },
    /** device.json becomes unreadable; `previous`: a good copy of the current settings exists. */
    damageSettings({ previous = true } = {}) {
      state.damaged = { previous: previous ? { kind: state.kind, url: state.url, register: state.register } : null };
      state.loggedIn = null;
    },
    user: (name) => state.users.find((u) => u.name === name),
    /** Another device on this register opens a session. */
    openElsewhere({ by = "alice", openingCash = "200.00", at = state.now, device: dev = "till-2" } = {}) {
      return view(createSession({ openedBy: by, openingCash, notes: null, at: new Date(at), device: dev }));
    },
    /** Another device on this register records a cash sale of `lines` into the open session. */
    sellElsewhere(lines = [{ sku: "COF-1", quantity: 2 }]) {
      const open = openSession();
      if (!open) throw new Error("no open session to sell into");
      const priced = price(lines);
      const saved = state.loggedIn;
      state.loggedIn = state.users.find((u) => u.name === "carol");
      try {
        return commands.record_sale({ id: `elsewhere-${state.receipts.length}`, sessionId: open.id, request: { lines, tenders: [{ kind: "cash", amount: priced.total }] } });
      } finally {
        state.loggedIn = saved;
      }
    },
    /** A cash movement recorded on another device (no approval checks). */
    moveElsewhere({ kind = "paid_in", amount = "10.00", reason = "float_top_up", by = "carol" } = {}) {
      const open = openSession();
      if (!open) throw new Error("no open session to move cash in");
      const id = `move-elsewhere-${state.movements.size}`;
      const minor = amount === null ? 0 : Number(toMinor(amount, open.currency));
      const movement = { id, session_id: open.id, location_id: location().id, kind, amount: minor, reason, note: null, user: by, approved_by: null, device: "till-2", at: state.now.toISOString() };
      state.movements.set(id, movement);
      return movement;
    },
    xReport: (sessionId) => structuredClone(xReportOf(state.sessions.find((s) => s.id === sessionId), state.loggedIn?.name ?? "bob")),
    /** Another device closes the open session. */
    closeElsewhere({ by = "bob", counted = "245.00", at = state.now } = {}) {
      const open = openSession();
      if (!open) throw new Error("no open session to close");
      closeSession(open, { by, counted, at: new Date(at), check: false });
      return view(open);
    },
  };
}
