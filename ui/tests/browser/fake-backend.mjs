// An in-memory stand-in for the Rust backend that follows the IPC contract closely enough for
// the UI to be driven end to end in a browser: set-up, registers, PIN login, start/join a
// shift, close with a manager PIN, and the error codes the UI has to word for cashiers.

const LOCATIONS = {
  DT: { code: "DT", name: "Downtown", timezone: "America/New_York", currency: "USD", cutoff: "04:00" },
  UT: { code: "UT", name: "Uptown Berlin", timezone: "Europe/Berlin", currency: "EUR", cutoff: "04:00" },
};

const REGISTERS = [
  { id: "reg-1", location_code: "DT", location_name: "Downtown", code: "R1", name: "Front counter", address: "DT/R1" },
  { id: "reg-2", location_code: "DT", location_name: "Downtown", code: "R2", name: "Back counter", address: "DT/R2" },
  { id: "reg-3", location_code: "UT", location_name: "Uptown Berlin", code: "R1", name: "Till by the door", address: "UT/R1" },
];

const USERS = [
  { name: "alice", role: "cashier", active: true, pin: "1234" },
  { name: "bob", role: "manager", active: true, pin: "9999" },
  { name: "carol", role: "cashier", active: true, pin: "5555" },
  { name: "dave", role: "cashier", active: false, pin: "0000" },
];

const DECIMALS = { JPY: 0 };

class IpcError {
  constructor(code, message) {
    this.code = code;
    this.message = message;
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
    cashSales: 4500n, // cash taken during the shift, in minor units: expected = opening + this
  };
  const delays = new Map();
  const failures = new Map();
  const calls = [];

  const location = () => (state.register ? LOCATIONS[state.register.location_code] : null);
  const userView = (u) => ({ name: u.name, role: u.role, active: u.active });
  const status = () => ({
    configured: state.kind !== null && state.register !== null,
    database_kind: state.kind,
    database_url: state.url,
    location: location(),
    register: state.register,
    device_name: state.device,
    logged_in: state.loggedIn ? userView(state.loggedIn) : null,
  });
  const requireSetUp = () => {
    if (!state.kind || !state.register) fail("device_not_set_up", "no database or register chosen");
  };
  const requireDatabase = () => {
    if (!state.kind) fail("device_not_set_up", "no database chosen");
  };
  const requireLogin = () => {
    requireSetUp();
    if (!state.loggedIn) fail("not_logged_in", "nobody is logged in on this device");
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
      notes: notes ?? null,
      joins: [],
      opened_on: dev,
    };
    state.sessions.push(session);
    return session;
  }

  function closeSession(session, { by, counted, at = state.now }) {
    const expected = toMinor(session.opening_cash, session.currency) + state.cashSales;
    const countedMinor = toMinor(counted, session.currency);
    Object.assign(session, {
      status: "closed",
      closed_by: by,
      closed_at: at.toISOString(),
      counted_cash: fromMinor(countedMinor, session.currency),
      expected_cash: fromMinor(expected, session.currency),
      variance: fromMinor(countedMinor - expected, session.currency),
    });
  }

  const commands = {
    device_status: () => status(),
    setup_device: ({ request }) => {
      if (request?.kind === "demo") {
        state.kind = "sqlite";
        state.url = "sqlite://demo.db";
        return { status: status(), demo_users: USERS.filter((u) => u.active).map((u) => ({ name: u.name, role: u.role, pin: u.pin })) };
      }
      if (request?.kind === "postgres") {
        if (!/^postgres(ql)?:\/\//.test(request.url)) fail("invalid_input", "The address must start with postgres://");
        if (/:[^@/]*@/.test(request.url.replace(/^postgres(ql)?:\/\//, ""))) fail("invalid_input", "Leave the password out of the address.");
        if (request.url.includes("unreachable")) fail("database_unavailable", "connection refused (os error 111)");
        if (request.password !== "secret") fail("database_unavailable", "password authentication failed");
        state.kind = "postgres";
        state.url = request.url;
        return { status: status(), demo_users: [] };
      }
      fail("invalid_input", "unknown set-up kind");
    },
    list_registers: () => {
      requireDatabase();
      return structuredClone(REGISTERS);
    },
    choose_register: ({ register }) => {
      requireDatabase();
      const found = REGISTERS.find((r) => r.address === register);
      if (!found) fail("register_not_found", `no register ${register}`);
      state.register = structuredClone(found);
      state.loggedIn = null;
      return status();
    },
    list_users: () => {
      requireSetUp();
      return USERS.filter((u) => u.active).map(userView);
    },
    login: ({ user, pin }) => {
      requireSetUp();
      if (!/^\d{4,12}$/.test(pin ?? "")) fail("invalid_pin", "a PIN is 4 to 12 digits");
      const found = USERS.find((u) => u.name === user);
      if (!found) fail("user_not_found", `no user ${user}`);
      if (!found.active) fail("user_inactive", `${user} is inactive`);
      if (found.pin !== pin) fail("wrong_pin", "wrong PIN");
      state.loggedIn = found;
      return userView(found);
    },
    logout: () => {
      state.loggedIn = null;
      return null;
    },
    current_session: () => {
      requireSetUp();
      const open = openSession();
      if (open) {
        state.lastSeen = open.id;
        return view(open);
      }
      const last = state.sessions.find((s) => s.id === state.lastSeen);
      return last ? view(last) : null;
    },
    start_shift: ({ openingCash, notes }) => {
      const user = requireLogin();
      const loc = location();
      if (openingCash !== null && toMinor(openingCash, loc.currency) < 0n) fail("invalid_amount", "opening cash can't be negative");
      const open = openSession();
      if (!open && openingCash === null) fail("no_open_session", "register DT/R1 has no open session to join");
      if (open) {
        open.joins.push({ user: user.name, device: state.device, joined_at: state.now.toISOString() });
        state.lastSeen = open.id;
        return { session: view(open), joined: true };
      }
      const session = createSession({ openedBy: user.name, openingCash, notes });
      state.lastSeen = session.id;
      return { session: view(session), joined: false };
    },
    close_shift: ({ session, countedCash, manager, managerPin }) => {
      requireLogin();
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
      const approver = USERS.find((u) => u.name === manager);
      if (!approver) fail("user_not_found", `no user ${manager}`);
      if (!approver.active) fail("user_inactive", `${manager} is inactive`);
      if (approver.role !== "manager" && approver.role !== "admin") fail("forbidden", `${manager} is not a manager`);
      if (approver.pin !== managerPin) fail("wrong_pin", "wrong manager PIN");
      closeSession(open, { by: manager, counted: countedCash });
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
        if (error instanceof IpcError) throw { code: error.code, message: error.message };
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
    /** A device that is already set up on a register (skips the wizard). */
    setUp({ register = "DT/R1" } = {}) {
      state.kind = "sqlite";
      state.url = "sqlite://demo.db";
      state.register = structuredClone(REGISTERS.find((r) => r.address === register));
    },
    /** Another device on this register opens a session. */
    openElsewhere({ by = "alice", openingCash = "200.00", at = state.now, device: dev = "till-2" } = {}) {
      return view(createSession({ openedBy: by, openingCash, notes: null, at: new Date(at), device: dev }));
    },
    /** Another device closes the open session. */
    closeElsewhere({ by = "bob", counted = "245.00", at = state.now } = {}) {
      const open = openSession();
      if (!open) throw new Error("no open session to close");
      closeSession(open, { by, counted, at: new Date(at) });
      return view(open);
    },
  };
}
