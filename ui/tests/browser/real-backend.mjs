// The browser tests' backend: the real application. One till-ui-bridge process per test
// (crates/till-ui-bridge) answers every invoke the page makes from till-app's command table, on
// a SQLite file in a folder of the test's own, with the browser tests' shop provisioned. What
// a test stages (another PC's shift, sale or close; the clock moved on) goes through the same
// commands, on a second till of the store. Nothing here decides anything: the rules are the
// backend's.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { UI_DIR } from "./harness.mjs";

const TARGET = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : resolve(UI_DIR, "..", "target");
export const BRIDGE = process.env.TILL_UI_BRIDGE ?? join(TARGET, "debug", "till-ui-bridge");

/** The shop's users and PINs (crates/till-ui-bridge/src/shop.rs). */
export const PINS = { alice: "1234", bob: "9999", carol: "5555", dave: "0000" };

/** Every bridge still running: stopped when the tests end, even after a failure. */
const running = new Set();
process.on("exit", () => {
  for (const stop of running) stop();
});

/** A new request id, as the UI makes one (UUID v4 is accepted where v7 is made). */
const requestId = () => crypto.randomUUID();

/** Starts a bridge on a fresh folder. Close it with `backend.close()` (the test's `finish`). */
export async function startRealBackend() {
  if (!existsSync(BRIDGE)) throw new Error(`${BRIDGE} is missing: build the workspace first (cargo build --workspace)`);
  const dir = mkdtempSync(join(tmpdir(), "till-ui-"));
  const child = spawn(BRIDGE, [dir], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((ok, fail) => {
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const found = /listening on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (found) ok(Number(found[1]));
    });
    child.on("exit", (code) => fail(new Error(`till-ui-bridge exited (${code}) before listening`)));
  });
  const socket = createConnection({ host: "127.0.0.1", port });
  await new Promise((ok, fail) => socket.once("connect", ok).once("error", fail));
  socket.setEncoding("utf8");
  // Neither keeps the test process alive: a test that failed before closing its bridge still ends.
  child.unref();
  child.stdout.unref?.();
  socket.unref();
  const stop = () => {
    socket.destroy();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stop);
  // One request at a time on one connection, answered in order.
  const waiting = [];
  let buffered = "";
  socket.on("data", (chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      waiting.shift()?.(JSON.parse(line));
    }
  });
  const send = (cmd, args = {}) =>
    new Promise((ok, fail) => {
      waiting.push((answer) => ("ok" in answer ? ok(answer.ok) : fail(answer.error)));
      socket.write(JSON.stringify({ cmd, args }) + "\n");
    });
  /** A command the test stages, which must succeed: its refusal fails the test with its words. */
  const must = async (cmd, args) => {
    try {
      return await send(cmd, args);
    } catch (error) {
      throw new Error(`${cmd} was refused: ${error?.code}: ${error?.message}`);
    }
  };
  const other = (cmd, args = {}) => must("test_other", { cmd, args });

  const calls = [];
  const failures = new Map();
  const delays = new Map();
  return {
    dir,
    /** The page's invoke: recorded with its answer (`ok`, or the `error` it was refused with),
     * then (unless a transport fault is staged) the backend's answer. */
    async handle(cmd, args = {}) {
      const call = { cmd, args: structuredClone(args) };
      calls.push(call);
      try {
        const delay = delays.get(cmd);
        if (delay) await new Promise((ok) => setTimeout(ok, delay));
        const injected = failures.get(cmd);
        if (injected) {
          failures.delete(cmd);
          throw { ...injected };
        }
        call.ok = await send(cmd, args);
        return call.ok;
      } catch (error) {
        call.error = error;
        throw error;
      }
    },
    /** The page's calls of `cmd`: `{cmd, args}`, and `ok` or `error` once answered. */
    callsOf: (cmd) => calls.filter((c) => c.cmd === cmd),
    /** The next call of `cmd` fails in transit with this error (the backend never sees it). */
    failNext(cmd, code, message = "") {
      failures.set(cmd, { code, message });
    },
    /** Calls of `cmd` take `ms` longer on their way. */
    slow(cmd, ms) {
      delays.set(cmd, ms);
    },
    /** A command on this till, outside the page (staging, or reading what the backend holds). */
    call: must,
    /** This till and the store's other till set up on the shop's database (or the demo's). */
    setUp: ({ register = "DT/R1", demo = false } = {}) => must("test_set_up", { register, demo }),
    /** `name` logged in on this till, as after a right PIN on its login screen. */
    logIn: (name) => must("login", { user: name, pin: PINS[name] }),
    /** This till's shift, opened by whoever is logged in on it. */
    startShift: ({ openingCash = "200.00" } = {}) => must("start_shift", { requestId: requestId(), openingCash }),
    /** Another PC of the store opens a shift on the register (or joins the open one). */
    async openElsewhere({ by = "alice", openingCash = "200.00" } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      return other("start_shift", { requestId: requestId(), openingCash });
    },
    /** Another PC records a cash sale of `lines` (by SKU) into the register's open shift, paid exactly. */
    async sellElsewhere(lines = [{ sku: "COF-1", quantity: 2 }], { by = "carol" } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      const session = await other("current_session");
      const priced = await other("price_cart", { lines });
      const request = { lines, tenders: [{ kind: "cash", amount: priced.cash_total }] };
      return other("record_sale", { id: requestId(), sessionId: session.id, request });
    },
    /** Another PC closes the register's open shift, counting `counted`, with bob's approval. */
    async closeElsewhere({ by = "bob", counted = null } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      const session = await other("current_session");
      const x = await other("x_report", { session: session.id });
      const expected = counted ?? (x.drawer.expected_cash / 100).toFixed(2);
      const approval = { manager: "bob", pin: PINS.bob };
      return other("close_shift", { requestId: requestId(), session: session.id, countedCash: expected, approval });
    },
    /** Another PC records a cash movement on the register's open shift (`amount` null for a no-sale). */
    async moveElsewhere({ kind = "paid_in", amount = "10.00", reason = "float_top_up", by = "carol" } = {}) {
      await other("login", { user: by, pin: PINS[by] });
      const approval = kind === "paid_out" || kind === "drop" ? { manager: "bob", pin: PINS.bob } : null;
      return other("record_movement", { id: requestId(), kind, amount, reason, note: null, approval });
    },
    /** The X report of `session` as a manager on another PC reads it (the backend's numbers). */
    async xReport(session) {
      await other("login", { user: "bob", pin: PINS.bob });
      return other("x_report", { session });
    },
    /** The store's open shifts made `minutes` older and `days` business days older (forgotten). */
    age: ({ minutes = 0, days = 0 } = {}) => must("test_age", { minutes, days }),
    /** The app's clock moved on (idle logouts); the database keeps its own. */
    advance: (minutes) => must("test_advance", { minutes }),
    /** Stops the bridge (it drops its PostgreSQL database first, when it made one). */
    async close() {
      running.delete(stop);
      await send("test_quit").catch(() => {});
      stop();
    },
    /** A database on the test server with the shop in it, the other till set up on it at
     * `register`: `{url, password}` for the set-up screen. */
    postgres: ({ register = "DT/R1" } = {}) => must("test_postgres", { register }),
    /** IT's system device file sets this till up on `register` (or an invalid one: `damaged`). */
    manageByIt: ({ register = "DT/R1", damaged = false } = {}) => must("test_manage_by_it", { register, damaged }),
    /** device.json becomes unreadable, its previous good copy kept (set up first). */
    damageSettings: () => must("test_damage_settings"),
    /** The updater's status as the shell would answer it. */
    stageUpdate: (status) => must("test_update", status),
  };
}
