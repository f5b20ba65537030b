// Cash control in the browser: cash in/out with a manager's PIN above the limit, the X report
// against the backend's numbers, the blind close (recount, then sign-off) and its Z report,
// the forgotten-shift banner with force-close and late count, the manager's day view; then every
// new screen at 1280×800 and 1024×768 in en-US and de-DE, with print emulation of X and Z.
// Against the real application (till-ui-bridge, the browser tests' shop): every figure is the
// backend's, and what another PC does goes through the same commands on a second till.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page, ViewportSize } from "playwright-core";
import type { MovementKind } from "../../src/types";
import { screenshot } from "./harness.js";
import { PINS, startRealBackend, type RealBackend } from "./real-backend.js";
import {
  atEachSize,
  bobApprovesAfterAWrongPin,
  checkScreen,
  clock,
  finish,
  openOn,
  sell45,
  sharedBrowser,
  shotAtEachSize,
  untilIdle,
  waitForError,
  waitForPlainText,
  walkSize,
} from "./steps.js";

const { browser, url } = sharedBrowser();


/** The page on the real backend, which `finish` stops with the page. */
const open = (backend: RealBackend, viewport?: ViewportSize, locale?: string) => openOn(browser(), url(), backend, viewport, locale);

/** Intl's no-break spaces as plain spaces. */
const plain = (value: string) => value.replace(/[\u00a0\u202f]/g, " ").trim();
const text = async (page: Page, selector: string) => plain(await page.locator(selector).innerText());


/** A business day ("2026-11-28") as the store types it: "28.11.2026" (de-DE), "11/28/2026" (en-US). */
const typedDay = (day: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
/** A business day in words, the store's way: "Sa., 28. Nov. 2026", "Sat, Nov 28, 2026". */
const longDay = (day: string, locale: string) =>
  new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
/** The calendar day after `day`. */
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

const screenName = (page: Page) => page.locator("#screen").getAttribute("data-screen");

/** Minor units as the app shows them: "$1,234.50" (en-US, USD) or "1.234,50 €" (de-DE, EUR). */
function money(minor: number, locale = "en-US"): string {
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(3, "0");
  const whole = digits.slice(0, -2);
  const fraction = digits.slice(-2);
  const group = (sep: string) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const body = locale === "de-DE" ? `${group(".")},${fraction} €` : `$${group(",")}.${fraction}`;
  return negative ? `-${body}` : body;
}

/** A location's business day ("Fri 27 Nov 2026"), as the screens write it. */
const businessDay = (day: string) =>
  new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })
    .format(new Date(`${day}T00:00:00Z`))
    .replace(",", "");


/** The Z report of `session` as a manager on the store's other till reads it (the backend's record). */
async function zReport(backend: RealBackend, session: string) {
  await backend.other("login", { user: "bob", pin: PINS.bob });
  return backend.other("z_report", { session });
}

/** The session screen of `alice`'s open shift on DT/R1 (opened with 200.00; 45.00 of cash sales made elsewhere). */
async function aliceOnShift(register = "DT/R1", viewport?: ViewportSize, locale?: string) {
  const backend = await startRealBackend();
  await backend.setUp({ register });
  await backend.logIn("alice");
  const { session } = await backend.startShift();
  await sell45(backend, session);
  const app = await open(backend, viewport, locale);
  await app.page.waitForSelector("#cash-movement");
  return Object.assign(app, { session });
}

/** The page's visible text never shows `amount` (a blind count must not leak the expected cash). */
async function assertNotShown(page: Page, amount: string, where: string) {
  const body = plain(await page.locator("body").innerText());
  assert.ok(!body.includes(amount), `${where}: ${amount} is on screen`);
}

describe("cash control", () => {
  it("gives a cashier of a blind-close store the X report with a manager's PIN, not a dead end", async () => {
    const app = await aliceOnShift();
    const { page, backend } = app;
    await page.waitForSelector("#totals-sales-count");
    await untilIdle(page);
    await assert.rejects(backend.call("x_report", { session: app.session.id }), /manager/);
    // The X is there; it asks for a manager's PIN (checked by the backend), then shows the report.
    await page.click("#x-report");
    await page.waitForSelector('button[data-manager="bob"]');
    assert.equal(await text(page, "#screen h1"), "A manager opens the X report");
    await checkScreen(page, "blind X approval");
    await bobApprovesAfterAWrongPin(page);
    await page.waitForSelector("#rp-expected");
    assert.match(await text(page, "#x-report"), /bob|Bob/, "the report names the manager who opened it");
    await page.click("#report-back");
    await page.waitForSelector("#cash-movement");
    await page.click("#logout");
    await page.click('button[data-user="bob"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#open-session-note");
    await page.click("#start-shift");
    await page.click("#to-session");
    await page.waitForSelector("#x-report", { state: "visible" });
    await finish(app);
  });

  it("records a paid out above the limit with a manager's PIN, same id, and a no-sale without amount", async () => {
    const app = await aliceOnShift();
    const { page, backend } = app;
    await page.click("#cash-movement");
    await page.waitForSelector('button[data-kind="paid_in"][aria-pressed="true"]');
    await page.waitForSelector('#movement-reason option[value="float_top_up"]', { state: "attached" });
    await page.click('button[data-kind="paid_out"]');
    await page.waitForSelector("#movement-amount:focus");
    // The location's reasons, as the backend offers them.
    const reasons = (await backend.call("cash_reasons")).sort((a, b) => a.position - b.position);
    const reasonsOf = (kind: MovementKind) => reasons.filter((r) => r.kind === kind);
    assert.deepEqual(
      await page.locator("#movement-reason option").evaluateAll((os: HTMLOptionElement[]) => os.map((o) => o.value)),
      ["", ...reasonsOf("paid_out").map((r) => r.code)],
      "only the paid-out reasons",
    );
    // Without a reason: said next to the picker, nothing sent.
    await page.keyboard.type("60");
    await page.click("#movement-submit");
    await waitForPlainText(page, "#movement-reason-error", "Pick a reason.");
    assert.equal(backend.callsOf("record_movement").length, 0);
    await page.selectOption("#movement-reason", "supplies");
    await page.fill("#movement-note", "Printer paper");
    await checkScreen(page, "cash movement");
    await page.press("#movement-note", "Enter");

    // Above 50.00: the backend says approval_needed; a manager approves with the same id.
    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    assert.deepEqual(
      (await page.locator("#approval-details li").allInnerTexts()).map(plain),
      ["Paid out: $60.00", `Reason: ${reasonsOf("paid_out").find((r) => r.code === "supplies")?.label}`, "Note: Printer paper"],
    );
    await page.waitForSelector("#approval-pin:focus");
    await page.keyboard.type("1111");
    await page.keyboard.press("Enter");
    await waitForPlainText(page, "#approval-pin-error", "That PIN is not right. Try again.");
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await waitForPlainText(page, "#movement-result", "Paid out of $60.00 recorded");
    assert.equal(await text(page, "#movement-approved-by"), "Bob");
    const calls = backend.callsOf("record_movement");
    assert.equal(calls.length, 3);
    const first = backend.callOf("record_movement", 0);
    const approved = backend.callOf("record_movement", 2);
    assert.equal(first.args.approval, null);
    assert.deepEqual(approved.args.approval, { manager: "bob", pin: "9999" });
    assert.ok(calls.every((c) => c.args.id === first.args.id), "one id for the form, reused with the approval");
    assert.deepEqual({ ...approved.args, id: undefined, approval: undefined }, { id: undefined, kind: "paid_out", amount: 6_000, reason: "supplies", note: "Printer paper", approval: undefined });
    await checkScreen(page, "movement done");

    // A no-sale: no amount field, no amount sent.
    await page.click("#movement-again");
    await page.click('button[data-kind="no_sale"]');
    assert.equal(await page.locator("#movement-amount").isVisible(), false);
    const noSaleReason = reasonsOf("no_sale").at(-1);
    assert.ok(noSaleReason, "the store offers a no-sale reason");
    await page.selectOption("#movement-reason", noSaleReason.code);
    await page.click("#movement-submit");
    await waitForPlainText(page, "#movement-result", "No sale recorded");
    const noSale = backend.callOf("record_movement", -1).args;
    assert.equal(noSale.amount, null);
    assert.notEqual(noSale.id, first.args.id, "a new movement, a new id");
    await page.click("#movement-done");
    await page.waitForSelector("#cash-movement");
    await finish(app);
  });

  it("shows the X report with the backend's numbers", async () => {
    const backend = await startRealBackend();
    await backend.setUp();
    // While a store counts blind, the X of an open drawer is a manager's (the backend refuses it
    // to a cashier): this store does not, so Alice reads her shift's X.
    await backend.call("test_location", { code: "DT", blind_close: false });
    await backend.logIn("alice");
    const { session } = await backend.startShift();
    await backend.sellElsewhere([{ sku: "COF-1", quantity: 2 }, { sku: "CHIP-1", quantity: 1 }]);
    await backend.sellElsewhere([{ sku: "COLA-1", quantity: 3 }]);
    await backend.moveElsewhere({ kind: "paid_in", amount: 1_000, reason: "float_top_up" });
    await backend.moveElsewhere({ kind: "paid_out", amount: 425, reason: "supplies" });
    await backend.moveElsewhere({ kind: "drop", amount: 10_000, reason: "safe_drop" });
    await backend.moveElsewhere({ kind: "no_sale", amount: null, reason: "change_for_customer" });
    const app = await open(backend);
    const { page } = app;
    await page.click("#x-report");
    await page.waitForSelector("#x-report");
    await page.waitForSelector("#rp-expected");
    const x = await backend.xReport(session.id);
    const expect = {
      "#rp-session": session.number,
      "#rp-receipts": String(x.sales.receipts),
      "#rp-gross": money(x.sales.gross_sales),
      "#rp-net": money(x.sales.net_sales),
      "#rp-float": money(x.drawer.opening_float),
      "#rp-cash-sales": money(x.drawer.cash_sales),
      "#rp-cash-net": money(x.drawer.cash_net_of_change),
      "#rp-paid-in": money(x.drawer.paid_in.amount),
      "#rp-paid-out": money(x.drawer.paid_out.amount),
      "#rp-drops": money(x.drawer.drops.amount),
      "#rp-expected": money(x.drawer.expected_cash),
      "#rp-no-sales": String(x.no_sales),
      "#rp-reprints": String(x.reprints),
    };
    for (const [selector, value] of Object.entries(expect)) assert.equal(await text(page, selector), value, selector);
    assert.equal(money(x.drawer.expected_cash), "$120.42", "200 + 8.87 + 5.80 + 10 − 4.25 − 100, by the backend");
    for (const tax of x.sales.taxes) {
      const cells = (await page.locator(`tr[data-tax="${tax.tax_rate_id}"] td`).allInnerTexts()).map(plain);
      assert.deepEqual(cells, [money(tax.net), money(tax.tax), money(tax.gross)], tax.name);
    }
    for (const c of x.sales.categories) {
      assert.equal(plain(await page.locator(`[data-category="${c.category}"] dd`).innerText()), money(c.amount), c.category);
    }
    for (const t of x.tenders) assert.equal(plain(await page.locator(`[data-tender="${t.kind}"] dd`).innerText()), money(t.amount));
    await checkScreen(page, "X report");
    await page.click("#paper-a4");
    assert.equal(await page.evaluate(() => document.body.classList.contains("paper-a4")), true);
    await page.click("#report-back");
    await page.waitForSelector("#cash-movement");
    assert.equal(await page.evaluate(() => document.body.classList.contains("paper-a4")), false, "the paper class goes with the report");
    await finish(app);
  });

  it("shows the expected cash beside a count where the backend says so, as soon as the store stops counting blind", async () => {
    const app = await aliceOnShift();
    const { page, backend } = app;
    await page.waitForFunction(() => document.querySelector("#totals-sales")?.textContent !== "");
    assert.equal(await page.locator("#totals-expected-cash").count(), 0, "blind: not on the shift screen");
    // The store stops counting blind while the till runs: the screens follow the backend's
    // answers (expected_hidden), not the location they read at login.
    await backend.call("test_location", { code: "DT", blind_close: false });
    await waitForPlainText(page, "#totals-expected-cash", "$245.00", 10_000);
    await page.click("#close-drawer");
    await page.waitForSelector("#counted-cash:focus");
    await waitForPlainText(page, "#close-expected", "$245.00");
    await page.click("#close-cancel");
    await page.waitForSelector("#cash-movement");
    // Blind again: gone from both.
    await backend.call("test_location", { code: "DT", blind_close: true });
    await page.waitForFunction(() => document.querySelector("#totals-expected-cash") === null, undefined, { timeout: 10_000 });
    await page.click("#close-drawer");
    await page.waitForSelector("#counted-cash:focus");
    await page.waitForTimeout(500);
    assert.equal(await page.locator("#close-expected").count(), 0, "blind: no expected line");
    await finish(app);
  });

  it("closes blind: no expected cash before the count, a recount, then a manager's sign-off, then the Z", async () => {
    const app = await aliceOnShift();
    const { page, backend } = app;
    const expected = "245.00"; // 200.00 float + 45.00 cash sales made elsewhere, known only to the backend
    await page.waitForFunction(() => document.querySelector("#totals-sales")?.textContent !== "");
    assert.equal(await page.locator("#totals-expected-cash").count(), 0, "blind: the shift screen does not show it either");
    await assertNotShown(page, expected, "shift screen");
    await page.click("#close-drawer");
    await page.waitForSelector("#counted-cash:focus");
    assert.equal(await page.locator("#close-expected").count(), 0, "blind: no expected line");
    await page.keyboard.type("230");
    assert.equal(await page.inputValue("#float-left"), "200.00", "the float the shift opened with");
    await page.fill("#counted-cash", "150");
    assert.equal(await page.inputValue("#float-left"), "150.00", "never more than counted");
    await page.fill("#counted-cash", "230");
    await assertNotShown(page, expected, "count");
    await page.press("#counted-cash", "Enter");
    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    await assertNotShown(page, expected, "approval");
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");

    // Off by 15.00 (> 5.00): count again, from nothing.
    await page.waitForSelector("#close-recount");
    assert.equal(await screenName(page), "close");
    assert.equal(await page.inputValue("#counted-cash"), "");
    await assertNotShown(page, expected, "recount");
    await checkScreen(page, "recount");
    await page.fill('input[data-denom="10000"]', "2");
    await page.fill('input[data-denom="2000"]', "1");
    await page.fill('input[data-denom="1000"]', "1");
    await page.fill('input[data-denom="100"]', "1");
    assert.equal(await page.inputValue("#counted-cash"), "231.00");
    await page.click("#close-next");
    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    await page.fill("#manager-pin", "9999");
    await page.click("#close-submit");

    // Still off: a manager signs it off with a reason.
    await page.waitForSelector("#variance-reason:focus");
    assert.equal(await screenName(page), "close-signoff");
    await assertNotShown(page, expected, "sign-off");
    await page.fill("#manager-pin", "9999");
    await page.click("#close-submit");
    await waitForPlainText(page, "#variance-reason-error", "Say why the count differs: the manager signs it off.");
    await checkScreen(page, "sign-off");
    await page.fill("#variance-reason", "Two float bags counted as one");
    await page.fill("#manager-pin", "9999");
    await page.press("#manager-pin", "Enter");
    // The manager sees what they sign for, once the backend checked their PIN; nothing closed yet.
    await waitForPlainText(page, "#signoff-variance", "Short $14.00");
    assert.equal(await text(page, "#signoff-expected"), "$245.00");
    assert.equal(await text(page, "#signoff-counted"), "$231.00");
    assert.deepEqual(backend.callOf("sign_off_figures", 0).args, {
      session: app.session.id,
      countedCash: 23_100,
      approval: { manager: "bob", pin: "9999" },
    });
    assert.equal(backend.callsOf("close_shift").length, 2, "the PIN check closes nothing");
    await screenshot(page, "close-signoff-figures");
    await page.press("#manager-pin", "Enter");

    await page.waitForSelector("#close-result");
    await page.waitForSelector("#z-report");
    assert.equal(backend.callsOf("close_shift").length, 3);
    const signedOff = backend.callOf("close_shift", 2);
    assert.deepEqual(signedOff.args.count, {
      float_left: 20_000,
      denominations: [
        { denomination: 10000, count: 2 },
        { denomination: 2000, count: 1 },
        { denomination: 1000, count: 1 },
        { denomination: 100, count: 1 },
      ],
      variance_reason: "Two float bags counted as one",
    });
    assert.equal(backend.callOf("close_shift", 1).args.count?.variance_reason, null);
    assert.equal(await text(page, "#expected-cash"), "$245.00", "after the count: the expected cash");
    assert.equal(await text(page, ".rp-title"), "Z REPORT No. 1");
    assert.equal(await text(page, "#rp-counted"), "$231.00");
    assert.equal(await text(page, "#rp-variance"), "−$14.00 short");
    assert.equal(await text(page, "#rp-variance-reason"), "Two float bags counted as one");
    assert.equal(await text(page, "#rp-closed-by"), "Bob");
    assert.equal(await text(page, "#rp-approved-by"), "Bob");
    assert.equal(await text(page, "#rp-cash-removed"), "$31.00");
    assert.equal(await text(page, "#rp-float-left"), "$200.00");
    assert.equal(signedOff.args.session, app.session.id);
    const z = await zReport(backend, app.session.id);
    assert.equal(money(z.x.drawer.expected_cash), "$245.00", "the backend's expected cash");
    assert.equal(await text(page, "#rp-journal-head"), z.z.journal_head);
    await checkScreen(page, "Z report");
    await finish(app);
  });

  it("shows forgotten shifts in a banner; a manager force-closes one and counts it later", async () => {
    const backend = await startRealBackend();
    await backend.setUp();
    const { session: opened } = await backend.openElsewhere({ by: "alice" });
    await sell45(backend, opened);
    // Opened a day (and a business day) ago: forgotten.
    await backend.age({ days: 1, minutes: 24 * 60 });
    await backend.logIn("carol");
    const [forgotten] = await backend.call("forgotten_sessions");
    assert.equal(forgotten?.id, opened.id);
    const app = await open(backend);
    const { page } = app;
    const since = `${businessDay(forgotten.business_day)} ${clock(forgotten.opened_at)}`;
    await waitForPlainText(page, "#forgotten .forgotten-text", `Shift ${opened.number} on ${forgotten.register_code} is still open since ${since} (Alice). Call a manager to close it.`);
    assert.equal(await page.locator("[data-force-close]").count(), 0, "a cashier calls a manager");
    await page.click("#start-shift"); // Join: refused, the shift is from an earlier day
    await waitForError(page, "This register's shift is from an earlier day. Call a manager to close it first.");
    await checkScreen(page, "banner (cashier)");
    const polls = backend.callsOf("forgotten_sessions").length;
    assert.ok(polls >= 1);

    await page.click("#logout");
    await page.waitForSelector('button[data-user="bob"]');
    assert.equal(await page.locator("#forgotten").isVisible(), false, "logged out: no banner");
    await page.click('button[data-user="bob"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-force-close]");
    await page.click("[data-force-close]");
    await page.waitForSelector("#force-reason:focus");
    await page.click("#force-next");
    await waitForPlainText(page, "#force-reason-error", "Say why the shift is closed without a count.");
    await page.fill("#force-reason", "Left open overnight");
    await page.click("#force-next");
    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#force-closed-title");
    const force = backend.callOf("force_close", 0).args;
    assert.equal(force.reason, "Left open overnight");
    assert.deepEqual(force.approval, { manager: "bob", pin: "9999" });
    await page.waitForFunction(() => document.querySelector<HTMLElement>("#forgotten")?.hidden === true);
    await checkScreen(page, "force-closed");

    await page.click("#late-count-now");
    await page.waitForSelector("#counted-cash:focus");
    assert.equal(await page.locator("#close-expected").count(), 0, "the late count is blind too");
    await page.keyboard.type("245");
    await page.keyboard.press("Enter");
    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await waitForPlainText(page, "#close-result h1", "Late count recorded");
    await page.waitForSelector("#z-report");
    assert.equal(await text(page, "#rp-counted"), "$245.00");
    assert.equal(await text(page, "#rp-force-reason"), "Left open overnight");
    const late = backend.callOf("late_count", 0).args;
    assert.equal(late.countedCash, 24_500, "minor units, as every amount the app sends");
    assert.deepEqual(late.approval, { manager: "bob", pin: "9999" });
    // Back to that shift's day: counted now, with its Z.
    await page.click("#close-done");
    await page.waitForSelector("#day-table");
    assert.equal(await page.getAttribute("#day-pick", "data-day"), forgotten.business_day);
    assert.equal(await page.inputValue("#day-pick"), typedDay(forgotten.business_day, "en-US"), "New York's order");
    assert.equal(await page.locator("[data-late-count]").count(), 0);
    await finish(app);
  });

  it("shows a manager's day: sessions, Z numbers, expected, counted, variance", async () => {
    const backend = await startRealBackend();
    await backend.setUp();
    const { session: first } = await backend.openElsewhere({ by: "carol" });
    await sell45(backend, first);
    const firstClosed = await backend.closeElsewhere({ by: "bob", counted: 24_500 });
    const { session: second } = await backend.openElsewhere({ by: "alice" });
    await sell45(backend, second);
    const secondClosed = await backend.closeElsewhere({ by: "bob", counted: 24_050 });
    const { session: third } = await backend.openElsewhere({ by: "carol" });
    await backend.logIn("bob");
    const app = await open(backend);
    const { page } = app;
    await page.waitForSelector("#start-shift");
    await page.click("#day-view");
    await page.waitForSelector("#day-table");
    const rows = await page.locator("#day-table tbody tr").evaluateAll((trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent.replace(/[\u00a0\u202f]/g, " ").trim())),
    );
    // Newest first (the backend's order); times in New York's clock, from the backend's own
    // record of each open and close.
    assert.deepEqual(rows, [
      [third.register_code, third.number, "Open", `Carol ${clock(third.opened_at)}`, "—", "—", "—", "—", "—"],
      [second.register_code, second.number, "Closed", `Alice ${clock(second.opened_at)}`, `Bob ${clock(secondClosed.closed_at)}`, "2", "$245.00", "$240.50", "Short $4.50"],
      [first.register_code, first.number, "Closed", `Carol ${clock(first.opened_at)}`, `Bob ${clock(firstClosed.closed_at)}`, "1", "$245.00", "$245.00", "Even"],
    ]);
    assert.equal(backend.callOf("day_view", 0).args.day, null);
    await checkScreen(page, "day view");
    await page.click("#day-back");
    await page.waitForSelector("#start-shift");
    await finish(app);
  });

  it("counts the store's own bills and coins, and says a bad count on its row", async () => {
    const backend = await startRealBackend();
    await backend.setUp();
    // This store takes no $100 bill and counts quarters as its smallest coin.
    await backend.call("test_location", { code: "DT", bills: "50,20,10,5,1", coins: "0.25" });
    await backend.logIn("alice");
    const app = await open(backend);
    const { page } = app;
    await page.waitForSelector("#start-shift");
    const denominations = await page.$$eval("#denominations input[data-denom]", (inputs) => inputs.map((i) => Number(i.getAttribute("data-denom"))));
    assert.deepEqual(denominations, [5000, 2000, 1000, 500, 100, 25]);
    await page.fill('input[data-denom="2000"]', "3");
    await page.fill('input[data-denom="25"]', "4");
    assert.equal(await page.inputValue("#opening-cash"), "61.00");
    await page.fill('input[data-denom="500"]', "2x");
    // The row that is wrong says so, read with its field; the total says to check the counts.
    await waitForPlainText(page, "#denom-total-500", "Digits only");
    assert.equal(await page.getAttribute('input[data-denom="500"]', "aria-describedby"), "denom-total-500");
    assert.equal(await page.getAttribute('input[data-denom="500"]', "aria-invalid"), "true");
    assert.equal(await text(page, "#denominations-total"), "Check the counts");
    assert.equal(await page.inputValue("#opening-cash"), "", "an invalid count leaves no amount to submit");
    await screenshot(page, "start-count-row-error");
    await page.fill('input[data-denom="500"]', "2");
    assert.equal(await text(page, "#denom-total-500"), "$10.00");
    assert.equal(await page.inputValue("#opening-cash"), "71.00");
    await finish(app);
  });

  it("offers the float the last close left, and says the opening difference", async () => {
    const app = await aliceOnShift();
    const { page, backend } = app;
    await page.click("#close-drawer");
    await page.fill("#counted-cash", "245");
    await page.fill("#float-left", "75");
    await page.press("#float-left", "Enter");
    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#z-report");
    assert.equal(await text(page, "#rp-cash-removed"), "$170.00");
    await page.click("#close-done");
    await page.waitForSelector('button[data-user="alice"]');
    await page.click('button[data-user="alice"]');
    await page.keyboard.type("1234");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#last-float");
    assert.equal(await page.inputValue("#opening-cash"), "75.00");
    assert.equal(await text(page, "#start-with-last-float"), "Start with $75.00", "the last float is one tap away");
    await page.fill("#opening-cash", "80");
    await page.click("#start-shift");
    await waitForPlainText(page, "#opening-difference", "Opening cash is $5.00 more than the $75.00 the last close left in the drawer. Tell a manager.");
    const started = await backend.currentSession();
    assert.notEqual(started.id, app.session.id, "a new shift");
    assert.equal(started.float_expected, 7_500);

    // Closed again leaving 80.00: the next start is that one tap, and no difference is said.
    await page.click("#to-session");
    await page.click("#close-drawer");
    await page.fill("#counted-cash", "80");
    await page.fill("#float-left", "80");
    await page.press("#float-left", "Enter");
    await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#z-report");
    await page.click("#close-done");
    await page.click('button[data-user="alice"]');
    await page.keyboard.type("1234");
    await page.keyboard.press("Enter");
    await page.click("#start-with-last-float");
    await page.waitForSelector("#started-message");
    assert.equal(await page.locator("#opening-difference").count(), 0);
    const next = await backend.currentSession();
    assert.notEqual(next.id, started.id);
    assert.deepEqual([next.opening_cash, next.float_expected], [8_000, 8_000]);
    await finish(app);
  });
});

const LOCALES = [
  { locale: "en-US", register: "DT/R1", paidOut: "60", counted: "180" },
  { locale: "de-DE", register: "UT/R1", paidOut: "60,00", counted: "180,00" },
];

// Each screen at both sizes in one walk per locale (steps.ts shotAtEachSize).
for (const { locale, register, paidOut, counted } of LOCALES) {
  describe(`cash control screens, ${locale} at 1280×800 and 1024×768`, () => {
    it("cash in/out, X report, blind close, Z report, banner, force-close, day view", async () => {
      const app = await aliceOnShift(register, walkSize(locale), locale);
      const { page, backend } = app;
      const shot = (name: string) => shotAtEachSize(page, name, locale);
      await backend.sellElsewhere([{ sku: "COF-1", quantity: 2 }, { sku: "CHIP-1", quantity: 1 }]);
      await backend.moveElsewhere({ kind: "paid_in", amount: 1_000, reason: "float_top_up" });
      await shot("cash-session");

      await page.click("#cash-movement");
      await page.click('button[data-kind="paid_out"]');
      await page.waitForSelector('#movement-reason option[value="supplies"]', { state: "attached" });
      await page.fill("#movement-amount", paidOut);
      await page.selectOption("#movement-reason", "supplies");
      await page.fill("#movement-note", "Printer paper");
      await shot("cash-movement");
      await page.click("#movement-submit");
      await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
      await shot("cash-approval");
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#movement-result");
      await shot("cash-done");
      await page.click("#movement-done");

      // The X of an open drawer is a manager's while the store counts blind (the backend's
      // rule): Bob logs in here, joins the shift and reads it; then Alice closes.
      await page.click("#logout");
      await page.click('button[data-user="bob"]');
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.click("#start-shift"); // Join Alice's shift
      await page.click("#to-session");
      await page.click("#x-report");
      await page.waitForSelector("#x-report");
      await page.waitForSelector("#rp-expected");
      // Tax rates as the store writes a percentage: "8%" in New York, "8 %" (a no-break space) in Berlin.
      const rates = await page.locator("tr[data-tax] th").allInnerTexts();
      assert.deepEqual(rates.map(plain), locale === "de-DE" ? ["Sales tax 8 %", "Food tax 2 %"] : ["Sales tax 8%", "Food tax 2%"]);
      await shot("x-report");
      await page.emulateMedia({ media: "print" });
      assert.equal(await page.locator("#about").isVisible(), false, "only the report is printed");
      assert.equal(await page.locator("#print-report").isVisible(), false);
      await atEachSize(page, locale, async (tag) => {
        await screenshot(page, `x-report-print-80mm-${tag}`);
        // The paper buttons are hidden in print: the class they set is set directly.
        await page.evaluate(() => document.body.classList.replace("paper-roll", "paper-a4"));
        await screenshot(page, `x-report-print-a4-${tag}`);
        await page.evaluate(() => document.body.classList.replace("paper-a4", "paper-roll"));
      });
      await page.emulateMedia({ media: "screen" });
      await page.click("#report-back");
      await page.click("#logout");
      await page.click('button[data-user="alice"]');
      await page.keyboard.type("1234");
      await page.keyboard.press("Enter");

      await page.click("#close-drawer");
      await page.fill("#counted-cash", counted);
      await shot("close-blind");
      await page.press("#counted-cash", "Enter");
      await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#close-recount");
      await shot("close-recount");
      await page.fill("#counted-cash", counted);
      await page.press("#counted-cash", "Enter");
      await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#variance-reason:focus");
      await page.keyboard.type("Float bag missing, reported to the office");
      await shot("close-signoff");
      await page.fill("#manager-pin", "9999");
      await page.press("#manager-pin", "Enter");
      // What the manager signs for, then the second press closes.
      await page.waitForSelector("#signoff-variance");
      await shot("close-signoff-figures");
      await page.press("#manager-pin", "Enter");
      await page.waitForSelector("#z-report");
      await shot("z-report");
      await page.emulateMedia({ media: "print" });
      await atEachSize(page, locale, (tag) => screenshot(page, `z-report-print-80mm-${tag}`));
      await page.emulateMedia({ media: "screen" });

      // A shift left open since yesterday; the manager sees the banner and force-closes it.
      await backend.openElsewhere({ by: "carol" });
      await backend.age({ days: 1, minutes: 24 * 60 });
      const yesterday = (await backend.currentSessionElsewhere()).business_day;
      await page.click("#close-done");
      await page.waitForSelector('button[data-user="bob"]');
      await page.click('button[data-user="bob"]');
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("[data-force-close]");
      await shot("forgotten-banner");
      await page.click("[data-force-close]");
      await page.fill("#force-reason", "Left open overnight");
      await shot("force-close");
      await page.click("#force-next");
      await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#force-closed-title");
      await shot("force-closed");
      await page.click("#late-count-later");
      await page.waitForSelector("#day-view");
      await page.click("#day-view");
      await page.waitForSelector("#day-table");
      // Yesterday's business day: the force-closed shift waits for its count.
      // A day that is not in the calendar, typed in the store's order: what to type instead.
      await page.fill("#day-pick", locale === "de-DE" ? "31.02.2026" : "02/31/2026");
      await page.click("#day-show");
      await waitForError(page, `Type the day as ${locale === "de-DE" ? "28.11.2026" : "11/28/2026"} (day, month and year in this store's order).`);
      // Yesterday's business day, typed in the store's order (28.11.2026 in Berlin, 11/28/2026 in New York).
      await page.fill("#day-pick", typedDay(yesterday, locale));
      await page.click("#day-show");
      await page.waitForSelector("[data-late-count]");
      assert.equal(await page.getAttribute("#day-pick", "data-day"), yesterday);
      assert.equal(await page.inputValue("#day-pick"), typedDay(yesterday, locale));
      assert.equal(await text(page, "#day-title"), plain(longDay(yesterday, locale)));
      await shot("day-view");
      // A day on and back with the touch-sized buttons (the layout check holds them to 48 px).
      await page.click("#day-next");
      await page.waitForFunction((day) => document.querySelector("#day-pick")?.getAttribute("data-day") === day, nextDay(yesterday));
      await page.waitForSelector("#day-empty, #day-table");
      assert.equal(await page.inputValue("#day-pick"), typedDay(nextDay(yesterday), locale));
      await page.click("#day-prev");
      await page.waitForFunction((day) => document.querySelector("#day-pick")?.getAttribute("data-day") === day, yesterday);
      await page.waitForSelector("[data-late-count]");
      await page.click("[data-late-count]");
      await page.waitForSelector("#counted-cash:focus");
      await shot("late-count");
      await finish(app);
    });
  });
}
