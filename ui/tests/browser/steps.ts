// Shared steps of the browser tests: opening the app on a backend, finishing a page (no page
// errors, console errors or CSP violations), layout and axe checks, and waiting for words.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Browser, Page, ViewportSize } from "playwright-core";
import type { SessionView } from "../../src/types";
import { axeViolations, launchBrowser, layoutProblems, openApp, screenshot, serveDist, type App, type DistServer } from "./harness.js";
import type { RealBackend } from "./real-backend.js";

/** A page of the app on its own backend, which `finish` stops with the page. */
export interface AppOn extends App {
  backend: RealBackend;
}

/** The page on `backend` (real-backend.ts), which `finish` stops with the page. */
export async function openOn(
  browser: Browser,
  url: string,
  backend: RealBackend,
  viewport?: ViewportSize,
  locale?: string,
): Promise<AppOn> {
  const app = await openApp(browser, url, backend, viewport, locale);
  return Object.assign(app, { backend });
}

/**
 * The test file's browser and dist server: started before its tests, stopped after them. Call
 * once at the top of a test file; the returned functions are valid inside its tests.
 */
export function sharedBrowser(): { browser: () => Browser; url: () => string } {
  let browser: Browser | undefined;
  let server: DistServer | undefined;
  before(async () => {
    server = await serveDist();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the browser is used before the test file's `before` ran");
    return value;
  };
  return { browser: () => started(browser), url: () => started(server).url };
}

/** Closes the page, stops its backend, and fails on page errors, console errors or CSP violations. */
export async function finish(app: AppOn): Promise<void> {
  const problems = await app.allProblems();
  await app.close();
  await app.backend.close();
  assert.deepEqual(problems, [], "page errors / CSP violations");
}

export const text = (page: Page, selector: string) => page.locator(selector).innerText();
/** Intl's no-break spaces as plain spaces. */
export const nbsp = (value: string) => value.replace(/[\u00a0\u202f]/g, " ");

/** Waits until the UI is not busy (no command of the page's pending: `body.busy` is off). */
export async function untilIdle(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.body.classList.contains("busy"));
}

/** The screen on show, once the UI is not busy: the layout and axe checks (assertLayout). */
export async function checkScreen(page: Page, where: string): Promise<void> {
  await untilIdle(page);
  await assertLayout(page, where);
}

export async function assertLayout(page: Page, where: string): Promise<void> {
  assert.deepEqual(await layoutProblems(page), [], `layout problems on ${where}`);
  assert.deepEqual(await axeViolations(page), [], `axe: serious/critical violations on ${where}`);
}

/** The sizes every screen is checked and shot at: the register's 1280×800 and a 1024×768 PC. */
export const SCREEN_SIZES: readonly [ViewportSize, ViewportSize] = [
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
];

/**
 * Runs `step` at each of SCREEN_SIZES in turn, with the size's tag (`en-US-1280`), the page
 * resized for each, then resizes it back to the size the walk is at. The UI lays out with CSS
 * alone (no script reads the window's size), so a resized page is laid out as one opened at that
 * size: one walk through the screens serves both sizes, where a walk per size took every step
 * twice. What the UI scrolls into view, it scrolled at the walk's own size: so the walks of the
 * two locales go at different sizes (`walkSize`), and every click, key and scroll happens at
 * each size in one of them.
 */
export async function atEachSize(page: Page, locale: string, step: (tag: string) => Promise<void>): Promise<void> {
  const walking = page.viewportSize();
  for (const size of SCREEN_SIZES) {
    await page.setViewportSize(size);
    await step(`${locale}-${size.width}`);
  }
  if (walking) await page.setViewportSize(walking);
}

/** The size a locale's walk through the screens goes at: en-US at 1280×800, de-DE at 1024×768. */
export const walkSize = (locale: string): ViewportSize => (locale === "de-DE" ? SCREEN_SIZES[1] : SCREEN_SIZES[0]);

/**
 * The screen on show, once the UI is not busy, at each of SCREEN_SIZES: the layout and axe checks
 * (assertLayout), `also` (a check of this screen's own, given the size's tag), and a screenshot,
 * test-artifacts/mock-<name>-<tag>.png.
 */
export async function shotAtEachSize(page: Page, name: string, locale: string, also?: (tag: string) => Promise<void>): Promise<void> {
  await untilIdle(page);
  await atEachSize(page, locale, async (tag) => {
    await assertLayout(page, `${name} (${tag})`);
    await also?.(tag);
    await screenshot(page, `${name}-${tag}`);
  });
}

export async function screen(page: Page): Promise<string | null> {
  return page.locator("#screen").getAttribute("data-screen");
}

/** From the login screen: pick a user and type the PIN with the keyboard, Enter submits. */
export async function logInByKeyboard(page: Page, user: string, pin: string): Promise<void> {
  await page.click(`button[data-user="${user}"]`);
  await page.waitForSelector("#pin-input:focus");
  await page.keyboard.type(pin);
  await page.keyboard.press("Enter");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A start/close call's arguments without its request id, after checking the id is a UUID. */
export function withoutId<A extends { requestId: string }>(args: A): Omit<A, "requestId"> {
  const { requestId, ...rest } = args;
  assert.match(requestId, UUID);
  return rest;
}

/** Waits until `selector`'s text (trimmed) is exactly `expected`, no-break spaces included. */
export async function waitForText(page: Page, selector: string, expected: string, timeout = 5000): Promise<void> {
  await waitForTextAs(page, selector, expected, false, timeout);
}

/** Like waitForText, with Intl's no-break spaces read as plain spaces: for money and dates, where
 * the test states the figure, not the locale's spacing. */
export async function waitForPlainText(page: Page, selector: string, expected: string, timeout = 5000): Promise<void> {
  await waitForTextAs(page, selector, expected, true, timeout);
}

async function waitForTextAs(page: Page, selector: string, expected: string, plainSpaces: boolean, timeout: number): Promise<void> {
  await page.waitForFunction(
    ([sel, want, plain]) => {
      const got = document.querySelector(sel)?.textContent?.trim();
      return (plain ? got?.replace(/[\u00a0\u202f]/g, " ") : got) === want;
    },
    [selector, expected, plainSpaces] as const,
    { timeout },
  ).catch(async (error: Error) => {
    const got = await page.locator(selector).textContent().catch(() => "(missing)");
    throw new Error(`${selector}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}\n${error.message}`);
  });
}

/** Waits until some error area (the banner or a field's reserved line) says exactly `expected`. */
export async function waitForError(page: Page, expected: string, timeout = 5000): Promise<void> {
  await page.waitForFunction(
    (want) => [...document.querySelectorAll('[role="alert"]')].some((el) => el.textContent?.trim() === want),
    expected,
    { timeout },
  ).catch(async (error: Error) => {
    const got = await page.evaluate(() => [...document.querySelectorAll('[role="alert"]')].map((el) => el.textContent?.trim()).filter(Boolean));
    throw new Error(`expected the error ${JSON.stringify(expected)}, saw ${JSON.stringify(got)}\n${error.message}`);
  });
}

/** A time of day as the screens show it in `timeZone` (`09:02`), of an instant there must be. */
export function clock(instant: string | null | undefined, timeZone = "America/New_York"): string {
  assert.ok(instant, "a time to show");
  return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(new Date(instant));
}

/**
 * 45.00 of cash sales into the register's open shift, sold on the store's other till (6 coffees
 * 15.00 + 2 % and 22 chocolate bars 27.50 + 8 %: 15.30 + 29.70): the drawer of a shift opened
 * with 200.00 should then hold 245.00, which the backend confirms.
 */
export async function sell45(backend: RealBackend, session: SessionView): Promise<void> {
  await backend.sellElsewhere([{ sku: "COF-1", quantity: 6 }, { sku: "CHOC-1", quantity: 22 }]);
  const x = await backend.xReport(session.id);
  assert.equal(x.drawer.cash_sales, 4500, "the staged sales come to 45.00");
}

/** Selects cart line `index` (a tap on its row) and presses `tool` in the selected line's bar. */
export async function lineTool(page: Page, index: number, tool: "minus" | "plus" | "quantity" | "discount" | "price" | "remove"): Promise<void> {
  await page.click(`.cart-line[data-line="${index}"]`);
  await page.click(`#line-${tool}`);
}

/** Why a discount or new price is given, in the open dialog `id` (e.g. "line-discount-0"): a press on the reason, and for other its words. */
export async function giveReason(page: Page, id: string, kind: "damaged" | "price_match" | "staff" | "other", words?: string): Promise<void> {
  await page.click(`#${id}-dialog button[data-price-reason="${kind}"]`);
  if (words !== undefined) await page.fill(`#${id}-reason-text`, words);
  await page.focus(`#${id}`);
}

/** On the approval screen: bob types a wrong PIN (refused by the backend, said on the pad), then his own. */
export async function bobApprovesAfterAWrongPin(page: Page): Promise<void> {
  await page.click('button[data-manager="bob"]');
  await page.keyboard.type("1111");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("#approval-pin-error")?.textContent === "That PIN is not right. Try again.");
  await page.keyboard.type("9999");
  await page.keyboard.press("Enter");
}

/** Is `selector` wholly inside the window as it is scrolled now (not below the fold)? */
export async function inWindow(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
  });
}
