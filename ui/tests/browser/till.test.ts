// Browser tests of the session flow: set-up, login, start and join, close, sessions closed
// elsewhere. Against the real application (till-ui-bridge, the browser tests' shop).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ViewportSize } from "playwright-core";
import { screenshot } from "./harness.js";
import { startRealBackend, type RealBackend } from "./real-backend.js";
import { assertLayout, clock, finish, logInByKeyboard, openOn, screen, sell45, sharedBrowser, text, waitForError, waitForText, withoutId } from "./steps.js";

const { browser, url } = sharedBrowser();

/** The page on the real backend, which `finish` stops with the page. */
const open = (backend: RealBackend, viewport?: ViewportSize) => openOn(browser(), url(), backend, viewport);


/** A backend with the shop set up on DT/R1 (this till and the store's other one). */
async function shop() {
  const backend = await startRealBackend();
  await backend.setUp();
  return backend;
}

/** Two shifts opened and closed earlier today on the other till, so the next one is -003. */
async function seedEarlierSessions(backend: RealBackend) {
  for (let i = 0; i < 2; i++) {
    await backend.openElsewhere({ by: "carol" });
    await backend.closeElsewhere({ by: "bob" });
  }
}

/** Alice logged in on DT/R1 with her shift open (200.00) and 45.00 of cash sold into it elsewhere. */
async function aliceOnShift() {
  const backend = await shop();
  await backend.logIn("alice");
  const { session } = await backend.startShift();
  await sell45(backend, session);
  return backend;
}

describe("the session flow", () => {
  it("sets up with demo data, picks a register, logs in with the keypad and starts a shift with the denomination helper", async () => {
    const backend = await startRealBackend();
    const app = await open(backend);
    const { page } = app;

    await page.waitForSelector("#setup-demo");
    assert.equal(await text(page, "#setup-demo"), "Try it with demo data");
    assert.equal(await page.locator("#pg-password").getAttribute("type"), "password");
    await assertLayout(page, "setup");
    await screenshot(page, "setup");

    await page.click("#setup-demo");
    await page.waitForSelector('button[data-register="DT/R1"]');
    const demoUsers = await page.locator("#demo-users li").allInnerTexts();
    assert.ok(demoUsers.includes("Cashier alice — PIN 1234"), demoUsers.join(" | "));
    assert.ok(demoUsers.includes("Manager bob — PIN 9999"), demoUsers.join(" | "));
    assert.equal(await text(page, 'button[data-register="DT/R1"]'), "Downtown · Front counter (DT/R1)");
    assert.equal(await page.locator("#setup-finish").isDisabled(), true);
    await page.click('button[data-register="DT/R1"]');
    assert.equal(await page.locator("#setup-finish").isDisabled(), false);
    await assertLayout(page, "register picker");
    await screenshot(page, "setup-register");
    await page.click("#setup-finish");
    assert.deepEqual(backend.callOf("choose_register", 0).args, { register: "DT/R1", approval: null }, "no PIN before set-up");
    assert.equal(await page.locator("#demo-banner").isVisible(), true);

    await page.waitForSelector('button[data-user="alice"]');
    const header = await text(page, ".topbar");
    assert.match(header, /Downtown/);
    assert.match(header, /DT\/R1/);
    const alice = await text(page, 'button[data-user="alice"]');
    assert.match(alice, /Alice/);
    assert.match(alice, /Cashier/);
    assert.equal(await page.locator('button[data-user="dave"]').count(), 0, "inactive users are not listed");
    await screenshot(page, "login");

    await page.click('button[data-user="alice"]');
    await page.waitForSelector("#pin-input:focus");
    const pin = page.locator("#pin-input");
    assert.equal(await pin.getAttribute("type"), "password");
    assert.equal(await pin.getAttribute("inputmode"), "numeric");
    for (const key of ["1", "2", "3", "9", "back", "4"]) await page.click(`button[data-key="${key}"]`);
    assert.equal(await pin.inputValue(), "1234");
    await assertLayout(page, "PIN pad");
    await screenshot(page, "pin");
    await page.click("#pin-submit");

    await page.waitForSelector("#denominations");
    assert.equal(await screen(page), "start");
    assert.match(await text(page, ".topbar"), /Alice/);
    // 1 × $100 + 4 × $20 + 3 × $5 + 5 × $0.01 ... makes $195.05; then fix the cents and add a $5.
    await page.fill('input[data-denom="10000"]', "1");
    await page.fill('input[data-denom="2000"]', "4");
    await page.fill('input[data-denom="500"]', "3");
    await page.fill('input[data-denom="1"]', "5");
    assert.equal(await page.inputValue("#opening-cash"), "195.05");
    await page.fill('input[data-denom="1"]', "");
    await page.fill('input[data-denom="100"]', "5");
    assert.equal(await page.inputValue("#opening-cash"), "200.00");
    assert.equal(await text(page, "#denominations-total"), "$200.00");
    await page.fill("#shift-notes", "Float from the safe");
    await assertLayout(page, "start shift");
    await screenshot(page, "start");
    await page.click("#start-shift");

    // The cashier lands on the sale screen, told the shift started; the shift's details are a press away.
    await page.waitForSelector("#started-message");
    const started = await backend.currentSession();
    assert.match(started.number, /^DT-\d{8}-001$/);
    assert.equal(await text(page, "#started-message"), `Shift ${started.number} started`);
    assert.equal(await page.locator("#joined-message").count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "scan", "ready to scan");
    await screenshot(page, "sale-after-start");
    await page.click("#to-session");
    await waitForText(page, "#session-number", started.number);
    assert.equal(await text(page, "#session-status"), "Open");
    assert.equal(await text(page, "#opened-by"), "Alice");
    // The demo's location is in this computer's time zone.
    const { location } = await backend.call("device_status");
    assert.ok(location, "set up on a location");
    assert.equal(await text(page, "#opened-at"), clock(started.opened_at, location.timezone));
    assert.equal(await text(page, "#opening-cash"), "$200.00");
    assert.match(await text(page, "#logged-in-user"), /Alice/);
    assert.deepEqual(withoutId(backend.callOf("start_shift", 0).args), { openingCash: 20_000, notes: "Float from the safe" });
    await assertLayout(page, "session");
    await screenshot(page, "session");
    await finish(app);
  });

  it("shows who opened the session when start_shift joins one another device opened", async () => {
    const backend = await shop();
    await seedEarlierSessions(backend);
    const app = await open(backend);
    const { page } = app;

    await page.waitForSelector('button[data-user="carol"]');
    await logInByKeyboard(page, "carol", "5555");
    await page.waitForSelector("#start-shift");
    // While carol counts her float, alice opens the register's session on the other till.
    const { session } = await backend.openElsewhere({ by: "alice" });
    assert.match(session.number, /-003$/);
    await page.fill("#opening-cash", "150");
    await page.press("#opening-cash", "Enter");

    await waitForText(page, "#joined-message", `Joined shift ${session.number}, started by Alice at ${clock(session.opened_at)}`);
    assert.equal(await page.locator("#started-message").count(), 0);
    await page.click("#to-session");
    await waitForText(page, "#session-number", session.number);
    assert.equal(await text(page, "#opened-by"), "Alice");
    assert.equal(await text(page, "#opening-cash"), "$200.00");
    assert.match(await text(page, "#logged-in-user"), /Carol/);
    assert.deepEqual(withoutId(backend.callOf("start_shift", 0).args), { openingCash: 15_000, notes: null });
    assert.deepEqual((await backend.currentSession()).joins.map((j) => j.user), ["carol"]);
    await screenshot(page, "joined");
    await finish(app);
  });

  it("offers to join the session open on the register at login, and joins it with start_shift", async () => {
    const backend = await shop();
    await seedEarlierSessions(backend);
    const { session } = await backend.openElsewhere({ by: "alice" });
    const app = await open(backend);
    const { page } = app;
    await page.waitForSelector('button[data-user="carol"]');
    await logInByKeyboard(page, "carol", "5555");
    await waitForText(page, "#open-session-note", `Shift ${session.number} is open on this register, started by Alice at ${clock(session.opened_at)}.`);
    assert.equal(await text(page, "#start-shift"), "Join shift");
    assert.equal(await page.locator("#opening-cash").count(), 0, "joining needs no opening cash");
    assert.equal(backend.callsOf("start_shift").length, 0, "nothing is joined before the button is pressed");
    await page.waitForSelector("#start-shift:focus");
    await assertLayout(page, "join");
    await screenshot(page, "join");
    await page.click("#start-shift");

    await waitForText(page, "#joined-message", `Joined shift ${session.number}, started by Alice at ${clock(session.opened_at)}`);
    await page.click("#to-session");
    await waitForText(page, "#session-number", session.number);
    assert.deepEqual(withoutId(backend.callOf("start_shift", 0).args), { openingCash: null, notes: null });
    assert.deepEqual((await backend.currentSession()).joins.map((j) => j.user), ["carol"]);
    await finish(app);
  });

  it("never opens a drawer from Join: closed meanwhile, it says so and offers Start Shift", async () => {
    const backend = await shop();
    await backend.openElsewhere({ by: "alice" });
    const app = await open(backend);
    const { page } = app;
    await page.waitForSelector('button[data-user="carol"]');
    await logInByKeyboard(page, "carol", "5555");
    await page.waitForSelector("#open-session-note");
    await backend.closeElsewhere({ by: "bob" });
    await page.click("#start-shift");
    await waitForError(page, "That shift was closed before you joined. Start a new shift with the cash in the drawer.");
    await page.waitForSelector("#opening-cash");
    assert.equal(await text(page, "#start-shift"), "Start shift");
    const latest = await backend.currentSession();
    assert.equal(latest.status, "closed", "nothing was opened: the register's latest shift is the one closed meanwhile");
    await screenshot(page, "join-closed-meanwhile");
    await finish(app);
  });

  it("goes straight to the open session when the one logging in already opened or joined it", async () => {
    const backend = await shop();
    const { session } = await backend.openElsewhere({ by: "alice" });
    const app = await open(backend);
    const { page } = app;
    await page.waitForSelector('button[data-user="alice"]');
    await logInByKeyboard(page, "alice", "1234");
    await waitForText(page, "#session-number", session.number);
    assert.equal(await page.locator("#joined-message").count(), 0);
    assert.equal(await page.locator("#started-message").count(), 0);
    assert.equal(backend.callsOf("start_shift").length, 0);
    await finish(app);
  });

  it("closes the drawer with a manager PIN (wrong PIN first) and shows the variance", async () => {
    const backend = await shop();
    const app = await open(backend);
    const { page } = app;

    await page.waitForSelector('button[data-user="alice"]');
    await logInByKeyboard(page, "alice", "1234");
    await page.waitForSelector("#start-shift");
    await page.fill("#opening-cash", "200");
    await page.click("#start-shift");
    await page.click("#to-session");
    await page.waitForSelector("#close-drawer");
    const shift = await backend.currentSession();
    await sell45(backend, shift);
    await page.click("#close-drawer");

    await page.waitForSelector("#counted-cash:focus");
    // $250.00 counted: 2 × $100 + 2 × $20 + 2 × $5
    await page.fill('input[data-denom="10000"]', "2");
    await page.fill('input[data-denom="2000"]', "2");
    await page.fill('input[data-denom="500"]', "2");
    assert.equal(await page.inputValue("#counted-cash"), "250.00");
    await assertLayout(page, "close: count");
    await screenshot(page, "close");
    await page.click("#close-next");

    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    assert.equal(await page.locator('button[data-manager="alice"]').count(), 0, "cashiers can't approve");
    assert.equal(await page.locator("#manager-pin").getAttribute("type"), "password");
    assert.equal(await text(page, "#close-counted"), "$250.00");
    await page.waitForSelector("#manager-pin:focus");
    await assertLayout(page, "close: approval");
    await screenshot(page, "close-approve");

    // The keypad, as on a touch-only till.
    for (const key of "1111") await page.click(`button[data-key="${key}"]`);
    await page.click("#close-submit");
    await waitForText(page, "#manager-pin-error", "That PIN is not right. Try again.");
    assert.equal(await page.getAttribute("#manager-pin-error", "role"), "alert");
    assert.equal(await page.getAttribute("#manager-pin", "aria-invalid"), "true");
    assert.equal(await page.locator("#error").isVisible(), false, "next to the PIN, not in the banner");
    assert.equal(await page.inputValue("#manager-pin"), "");
    assert.equal(await screen(page), "close-approve");
    await screenshot(page, "close-wrong-pin");

    await page.fill("#manager-pin", "9999");
    await page.press("#manager-pin", "Enter");
    await page.waitForSelector("#close-result");
    assert.equal(await page.locator("#error").isVisible(), false, "the banner clears on the next command");
    assert.equal(await text(page, "#expected-cash"), "$245.00");
    assert.equal(await text(page, "#counted-cash-result"), "$250.00");
    assert.equal(await text(page, "#variance"), "Over: +$5.00 more than expected");
    assert.equal(await text(page, "#opening-cash-result"), "$200.00");
    assert.equal(await text(page, "#cash-taken"), "$45.00");
    assert.equal(await text(page, "#close-done"), "Done: log out");
    assert.match((await page.getAttribute("#variance", "class")) ?? "", /\bover\b/);
    assert.equal(await text(page, "#closed-by"), "Bob");
    const closed = await backend.currentSessionElsewhere();
    assert.equal(closed.status, "closed", "the register's latest shift, as the other till reads it");
    assert.equal(await text(page, "#closed-at"), clock(closed.closed_at));
    const closeArgs = backend.callOf("close_shift", 1).args;
    assert.deepEqual(withoutId(closeArgs), {
      session: closeArgs.session,
      countedCash: 25_000,
      approval: { manager: "bob", pin: "9999" },
      // The float the shift opened with stays (capped at the count); the helper's counts go along.
      count: {
        float_left: 20_000,
        denominations: [
          { denomination: 10000, count: 2 },
          { denomination: 2000, count: 2 },
          { denomination: 500, count: 2 },
        ],
        variance_reason: null,
      },
    });
    assert.notEqual(closeArgs.requestId, backend.callOf("close_shift", 0).args.requestId, "a new press is a new request");
    assert.equal(closeArgs.session, shift.id, "closes the session on screen, by id");
    await assertLayout(page, "close result");
    await screenshot(page, "close-result");

    await page.click("#close-done");
    await page.waitForSelector('button[data-user="alice"]');
    assert.equal(backend.callsOf("logout").length, 1);
    await finish(app);
  });

  it("lets a manager set the backup folder on the close result, and refuses a relative path", async () => {
    const backend = await aliceOnShift();
    const app = await open(backend);
    const { page } = app;
    await page.click("#close-drawer");
    await page.fill("#counted-cash", "245");
    await page.press("#counted-cash", "Enter");
    await page.click('button[data-manager="bob"]');
    await page.fill("#manager-pin", "9999");
    await page.click("#close-submit");
    await page.waitForSelector("#close-result");
    // No folder: said as a warning, with the way to set one.
    assert.match(await text(page, "#backup-setting"), /on this PC's disk only/);
    assert.match((await page.getAttribute("#backup-setting", "class")) ?? "", /\bwarning\b/);

    const setFolder = async (folder: string) => {
      await page.click("#backup-folder-change");
      await page.waitForSelector("#backup-folder:focus");
      await page.fill("#backup-folder", folder);
      await page.press("#backup-folder", "Enter");
      await page.waitForSelector('button[data-manager="bob"]');
      assert.match(await text(page, "#approval-details"), new RegExp(`Folder: ${folder}`));
      await page.click('button[data-manager="bob"]');
      await page.fill("#approval-pin", "9999");
      await page.press("#approval-pin", "Enter");
    };
    const saved = async () => (await backend.call("device_status")).backup_folder;
    await setFolder("usb-stick");
    await waitForError(page, "usb-stick is not a full path: give the folder's full path, like /media/till/TILL-USB");
    assert.equal(await saved(), null, "nothing saved");
    await page.click("#approval-cancel");
    await page.waitForSelector("#close-result");
    // A folder that is not there (the drive not plugged in) is refused when it is set.
    const usb = join(backend.dir, "TILL-USB");
    await setFolder(usb);
    await waitForError(page, `the backup folder ${usb} does not exist: plug in the backup drive (and check it is mounted there) or create the folder, then run the backup again; nothing was written`);
    assert.equal(await saved(), null, "nothing saved");
    await page.click("#approval-cancel");
    await page.waitForSelector("#close-result");

    mkdirSync(usb);
    await setFolder(usb);
    await page.waitForSelector("#backup-folder-now");
    assert.equal(await text(page, "#backup-folder-now"), usb);
    assert.equal(await saved(), usb);
    assert.deepEqual(backend.callOf("set_backup_folder", -1).args, { folder: usb, approval: { manager: "bob", pin: "9999" } });
    assert.match((await page.getAttribute("#backup-setting", "class")) ?? "", /closed-line/);
    await assertLayout(page, "close result with a backup folder");
    await screenshot(page, "close-result-backup-folder");
    await finish(app);
  });

  it("words short and even variances with their classes", async () => {
    for (const [counted, cls, words] of [
      ["242.50", "short", "Short: −$2.50 less than expected"],
      ["245", "even", "Even: the count matches"],
    ] as const) {
      const backend = await aliceOnShift();
      const app = await open(backend);
      const { page } = app;
      await page.click("#close-drawer");
      await page.fill("#counted-cash", counted);
      await page.press("#counted-cash", "Enter");
      await page.click('button[data-manager="bob"]');
      await page.fill("#manager-pin", "9999");
      await page.click("#close-submit");
      await waitForText(page, "#variance", words);
      assert.match((await page.getAttribute("#variance", "class")) ?? "", new RegExp(`\\b${cls}\\b`));
      if (cls === "short") await screenshot(page, "close-result-short");
      await finish(app);
    }
  });

  it("re-routes on damaged settings without starting a second About-line poller", async () => {
    const backend = await shop();
    const app = await open(backend);
    const { page } = app;
    await page.click('button[data-user="alice"]');
    await page.waitForSelector("#pin-input");
    await page.waitForTimeout(300);
    const polls = backend.callsOf("update_status").length;
    const routes = backend.callsOf("device_status").length;
    // At start-up, and once more when the database's identity arrives with the first status.
    assert.ok(polls >= 1 && polls <= 2, `the About line asks at start-up only: ${polls}`);
    backend.failNext("login", "device_settings_damaged", "the device settings file is damaged");
    await page.keyboard.type("1234");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector('button[data-user="alice"]') != null);
    await page.waitForTimeout(500);
    assert.ok(backend.callsOf("device_status").length > routes, "the error sends the app back through its routing");
    assert.equal(backend.callsOf("update_status").length, polls, "and starts no second About poller");
    await finish(app);
  });

  it("shows cashier words for a wrong PIN and never the backend's internal text", async () => {
    const backend = await shop();
    backend.failNext("device_status", "database_unavailable", "connection refused (os error 111)");
    const app = await open(backend);
    const { page } = app;

    await waitForError(page, "Can't reach the database. Check the network and try again.");
    await page.click("#retry");
    await page.waitForSelector('button[data-user="alice"]');
    assert.equal(await page.locator("#error").isVisible(), false);

    await page.click('button[data-user="alice"]');
    await page.keyboard.type("0000");
    await page.keyboard.press("Enter");
    await waitForError(page, "That PIN is not right. Try again.");
    assert.equal(await page.inputValue("#pin-input"), "", "the PIN is cleared after a wrong try");
    await page.waitForSelector("#pin-input:focus");
    await screenshot(page, "error");

    // Typing filters non-digits, Backspace deletes, Escape clears.
    await page.keyboard.type("12a3");
    assert.equal(await page.inputValue("#pin-input"), "123");
    await page.keyboard.press("Backspace");
    assert.equal(await page.inputValue("#pin-input"), "12");
    await page.keyboard.press("Escape");
    assert.equal(await page.inputValue("#pin-input"), "");

    backend.failNext("login", "internal", "sqlx::Error PoolTimedOut at crates/store/src/pg.rs:88");
    await page.keyboard.type("1234");
    await page.keyboard.press("Enter");
    await waitForError(page, "Something went wrong. Try again, or ask a manager for help.");

    backend.failNext("login", "schema_not_ready", "Migration 0007 is missing.");
    await page.keyboard.type("1234");
    await page.keyboard.press("Enter");
    await waitForError(page, "The database needs an update. Ask IT to run tillctl doctor. Migration 0007 is missing.");

    // A bad amount is caught before any command runs.
    await page.keyboard.type("1234");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#start-shift");
    await page.fill("#opening-cash", "1,00");
    await page.click("#start-shift");
    await waitForText(page, "#opening-cash-error", "Type an amount like 200 or 200.50, using only digits and a point.");
    assert.equal(await page.getAttribute("#opening-cash", "aria-invalid"), "true");
    assert.equal(backend.callsOf("start_shift").length, 0);
    await finish(app);
  });

  it("disables the buttons while a slow command runs, so nothing is sent twice", async () => {
    const backend = await shop();
    await backend.logIn("alice");
    const app = await open(backend);
    const { page } = app;

    await page.waitForSelector("#start-shift");
    backend.slow("start_shift", 1200);
    await page.fill("#opening-cash", "200.5");
    await page.click("#start-shift");
    await page.waitForSelector("#start-shift:disabled", { timeout: 500 });
    assert.equal(await text(page, "#start-shift"), "Starting shift…", "the busy button says what it does");
    assert.equal(await page.locator("#logout").isDisabled(), true);
    assert.equal(await page.getAttribute("#screen", "aria-busy"), "true");
    await screenshot(page, "busy");
    await page.press("#opening-cash", "Enter"); // a second submit while busy is ignored
    await page.locator("#start-shift").dispatchEvent("click");

    await page.waitForSelector("#started-message");
    await page.click("#to-session");
    await page.waitForSelector("#session-number");
    await waitForText(page, "#session-number", (await backend.currentSession()).number);
    assert.equal(backend.callsOf("start_shift").length, 1);
    assert.equal(backend.callOf("start_shift", 0).args.openingCash, 20_050);
    assert.equal(await page.locator("#close-drawer").isDisabled(), false);
    await finish(app);
  });

  it("notices when the session is closed on another device and offers Start Shift", async () => {
    const backend = await aliceOnShift();
    const app = await open(backend);
    const { page } = app;

    await page.waitForSelector("#close-drawer");
    const closed = await backend.closeElsewhere({ by: "bob" });
    await waitForText(page, "#closed-elsewhere", `Shift ${closed.number} was closed on another device`, 7000);
    assert.equal(await text(page, "#session-status"), "Closed");
    assert.equal(await page.locator("#close-drawer").count(), 0);
    assert.match(await text(page, "#screen"), new RegExp(`Closed by Bob at ${clock(closed.closed_at)}`));
    await screenshot(page, "closed-elsewhere");
    await page.click("#start-again");
    await page.waitForSelector("#start-shift");
    await finish(app);
  });

  it("explains a close that another device got to first", async () => {
    const backend = await aliceOnShift();
    const app = await open(backend);
    const { page } = app;

    await page.click("#close-drawer");
    await page.fill("#counted-cash", "245");
    await page.click("#close-next");
    await page.click('button[data-manager="bob"]');
    await page.fill("#manager-pin", "9999");
    const closed = await backend.closeElsewhere({ by: "bob" });
    await page.click("#close-submit");
    await waitForError(page, "This shift was already closed.");
    await waitForText(page, "#closed-elsewhere", `Shift ${closed.number} was closed on another device`);
    assert.match(await text(page, "#screen"), new RegExp(`Closed by Bob at ${clock(closed.closed_at)}`));
    const utc = clock(closed.closed_at, "UTC");
    assert.doesNotMatch(await text(page, "body"), new RegExp(`UTC|${utc}`), "the time once, in local time");
    await screenshot(page, "already-closed");
    await finish(app);
  });

});
