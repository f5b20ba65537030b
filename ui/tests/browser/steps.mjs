// Shared steps of the browser tests: opening the app on a backend, finishing a page (no page
// errors, console errors or CSP violations), layout and axe checks, and waiting for words.
import assert from "node:assert/strict";
import { axeViolations, layoutProblems, openApp } from "./harness.mjs";

/** The page on `backend` (real-backend.mjs), which `finish` stops with the page. */
export async function openOn(browser, url, backend, viewport, locale) {
  const app = await openApp(browser, url, backend, viewport, locale);
  return Object.assign(app, { backend });
}

/** Closes the page, stops its backend, and fails on page errors, console errors or CSP violations. */
export async function finish(app) {
  const problems = await app.allProblems();
  await app.context.close();
  await app.backend.close();
  assert.deepEqual(problems, [], "page errors / CSP violations");
}

export const text = (page, selector) => page.locator(selector).innerText();
/** Intl's no-break spaces as plain spaces. */
export const nbsp = (value) => value.replace(/[\u00a0\u202f]/g, " ");

export async function assertLayout(page, where) {
  assert.deepEqual(await layoutProblems(page), [], `layout problems on ${where}`);
  assert.deepEqual(await axeViolations(page), [], `axe: serious/critical violations on ${where}`);
}

export async function screen(page) {
  return page.locator("#screen").getAttribute("data-screen");
}

/** From the login screen: pick a user and type the PIN with the keyboard, Enter submits. */
export async function logInByKeyboard(page, user, pin) {
  await page.click(`button[data-user="${user}"]`);
  await page.waitForSelector("#pin-input:focus");
  await page.keyboard.type(pin);
  await page.keyboard.press("Enter");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A start/close call's arguments without its request id, after checking the id is a UUID. */
export function withoutId(args) {
  const { requestId, ...rest } = args;
  assert.match(requestId, UUID);
  return rest;
}

export async function waitForText(page, selector, expected, timeout = 5000) {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent?.trim() === want,
    [selector, expected],
    { timeout },
  ).catch(async (error) => {
    const got = await page.locator(selector).textContent().catch(() => "(missing)");
    throw new Error(`${selector}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}\n${error.message}`);
  });
}

/** Waits until some error area (the banner or a field's reserved line) says exactly `expected`. */
export async function waitForError(page, expected, timeout = 5000) {
  await page.waitForFunction(
    (want) => [...document.querySelectorAll('[role="alert"]')].some((el) => el.textContent?.trim() === want),
    expected,
    { timeout },
  ).catch(async (error) => {
    const got = await page.evaluate(() => [...document.querySelectorAll('[role="alert"]')].map((el) => el.textContent?.trim()).filter(Boolean));
    throw new Error(`expected the error ${JSON.stringify(expected)}, saw ${JSON.stringify(got)}\n${error.message}`);
  });
}

/** A time of day as the screens show it in `timeZone` (`09:02`). */
export function clock(instant, timeZone = "America/New_York") {
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(new Date(instant));
}

/**
 * 45.00 of cash sales into the register's open shift, sold on the store's other till (6 coffees
 * 15.00 + 2 % and 22 chocolate bars 27.50 + 8 %: 15.30 + 29.70): the drawer of a shift opened
 * with 200.00 should then hold 245.00, which the backend confirms.
 */
export async function sell45(backend, session) {
  await backend.sellElsewhere([{ sku: "COF-1", quantity: 6 }, { sku: "CHOC-1", quantity: 22 }]);
  const x = await backend.xReport(session.id);
  assert.equal(x.drawer.cash_sales, 4500, "the staged sales come to 45.00");
}
