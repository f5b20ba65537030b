// Serves ui/dist with the production CSP, drives the system Chromium through playwright-core,
// and bridges the app's Tauri IPC to the real application (real-backend.ts: a till-ui-bridge
// process answering from till-app's command table).
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page, type ViewportSize } from "playwright-core";

/**
 * ui/: the nearest folder above this module with a package.json. The tests run compiled, from
 * ui/build/browser-tests/tests/browser (scripts/test-browser.mjs), so a fixed number of `..`
 * from here would not do.
 */
function uiDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

export const UI_DIR = uiDir();
export const DIST = join(UI_DIR, "dist");
export const ARTIFACTS = join(UI_DIR, "test-artifacts");

/** The policy the app must live with inside Tauri: only its own assets and the IPC. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ipc: http://ipc.localhost",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

export interface DistServer {
  url: string;
  close(): Promise<void>;
}

/** A tiny static server for dist/ on a free port. Every response carries the CSP. */
export async function serveDist(): Promise<DistServer> {
  if (!existsSync(join(DIST, "index.html"))) throw new Error("ui/dist is missing: run `npm run build` first");
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, "index.html");
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Content-Security-Policy": CSP,
      "Cache-Control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error(`the server listens on ${address}, not a port`);
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** What the page's invoke reaches (real-backend.ts). What crosses is the page's JSON, unchecked. */
export interface IpcBackend {
  handle(cmd: string, args: unknown): Promise<unknown>;
}

/** The answer Node gives the page's invoke: the backend's value, or what it was refused with. */
type IpcAnswer = { ok: true; value: unknown } | { ok: false; error: unknown };

declare global {
  interface Window {
    __cspViolations: string[];
    __tillIpc: (cmd: string, args: unknown) => Promise<IpcAnswer>;
    __TAURI_INTERNALS__: unknown;
    axe?: typeof import("axe-core");
  }
}

/**
 * Defines window.__TAURI_INTERNALS__ the way @tauri-apps/api/mocks' mockIPC does, but sends
 * each invoke to Node (and on to the real backend) and records CSP violations. Runs before app code.
 */
function ipcInitScript() {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
  const callbacks = new Map<number, (data: unknown) => unknown>();
  window.__TAURI_INTERNALS__ = {
    invoke: (cmd: string, args?: unknown) =>
      window.__tillIpc(cmd, args ?? {}).then((r) => (r.ok ? r.value : Promise.reject(r.error))),
    transformCallback: (callback?: (data: unknown) => unknown, once = false) => {
      const id = window.crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
      callbacks.set(id, (data) => {
        if (once) callbacks.delete(id);
        return callback && callback(data);
      });
      return id;
    },
    unregisterCallback: (id: number) => callbacks.delete(id),
    runCallback: (id: number, data: unknown) => callbacks.get(id)?.(data),
    callbacks,
    convertFileSrc: (path: string) => path,
    metadata: { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } },
  };
}

/** A page of the app, with what went wrong on it so far. */
export interface App {
  page: Page;
  problems: string[];
  /** Page errors, console errors and CSP violations seen so far. */
  allProblems(): Promise<string[]>;
  /** Ends the app (the page leaves it for a blank one) and hands the page back for another test. */
  close(): Promise<void>;
}

/** The test a page is lent to: its backend, and the problems seen on it. */
interface Lent {
  backend: IpcBackend;
  problems: string[];
}

/** Pages no test holds, per browser and locale (a browser context's locale is fixed). */
const idlePages = new WeakMap<Browser, Map<string, Page[]>>();
/** Whom each page is lent to now; none between tests. */
const lentTo = new WeakMap<Page, Lent>();

/**
 * A page in a context of its own for `locale`, its invokes answered by the backend of the test
 * it is lent to. Made once and lent to test after test: a new context costs a renderer process
 * (about 0.4 s of CPU), and the app a test opens starts afresh in a new document either way.
 */
async function newAppPage(browser: Browser, locale: string): Promise<Page> {
  const context = await browser.newContext({ deviceScaleFactor: 1, locale, timezoneId: "UTC" });
  const page = await context.newPage();
  page.on("pageerror", (error) => lentTo.get(page)?.problems.push(`pageerror: ${error.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") lentTo.get(page)?.problems.push(`console: ${msg.text()}`);
  });
  await page.exposeFunction("__tillIpc", async (cmd: string, args: unknown): Promise<IpcAnswer> => {
    const lent = lentTo.get(page);
    if (!lent) return { ok: false, error: { code: "internal", message: `${cmd}: the page is between tests` } };
    try {
      return { ok: true, value: await lent.backend.handle(cmd, args) };
    } catch (error) {
      return { ok: false, error };
    }
  });
  await page.addInitScript(ipcInitScript);
  return page;
}

/**
 * The app started afresh (a new document) on `backend`, at the given viewport and browser
 * locale, in a page no other test holds: one handed back by `close`, or a new one.
 */
export async function openApp(
  browser: Browser,
  url: string,
  backend: IpcBackend,
  viewport: ViewportSize = { width: 1280, height: 800 },
  locale = "en-US",
): Promise<App> {
  const byLocale = idlePages.get(browser) ?? new Map<string, Page[]>();
  idlePages.set(browser, byLocale);
  const idle = byLocale.get(locale) ?? [];
  byLocale.set(locale, idle);
  const page = idle.pop() ?? (await newAppPage(browser, locale));
  const problems: string[] = [];
  lentTo.set(page, { backend, problems });
  await page.setViewportSize(viewport);
  await page.goto(url);
  return {
    page,
    problems,
    async allProblems() {
      const csp = await page.evaluate(() => window.__cspViolations).catch((): string[] => []);
      return [...problems, ...csp.map((v) => `csp: ${v}`)];
    },
    async close() {
      // Nothing of this app (its timers, its pending invokes) reaches the next test's backend.
      lentTo.delete(page);
      await page.emulateMedia({ media: null });
      await page.goto("about:blank");
      idle.push(page);
    },
  };
}

/**
 * Saves test-artifacts/mock-<name>.png once the screen has painted: the fonts are loaded and two
 * frames have been drawn since. A running animation (a scanned line's flash) is shown at its end,
 * as a person sees the screen a moment later, rather than caught halfway by a fixed wait.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.evaluate(() =>
    document.fonts.ready.then(() => new Promise<void>((painted) => requestAnimationFrame(() => requestAnimationFrame(() => painted())))),
  );
  await page.screenshot({ path: join(ARTIFACTS, `mock-${name}.png`), animations: "disabled", caret: "hide" });
}

/**
 * Layout checks for the screen on show: every visible button and text field is at least 48 px
 * each way, and nothing overflows sideways. Returns a list of problems (empty when fine).
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth) out.push(`horizontal overflow: ${root.scrollWidth} > ${window.innerWidth}`);
    for (const el of document.querySelectorAll("button, input, textarea")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // hidden
      if (r.height < 48 || r.width < 48) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}[${el.getAttribute("data-key") ?? el.getAttribute("data-denom") ?? el.textContent?.trim() ?? ""}] is ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return out;
  });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2.0-2.2 A/AA rules) on the page as it is and returns the serious and
 * critical violations as readable lines (empty when fine). axe is evaluated through the
 * DevTools protocol, so the app's CSP needs no exception for it.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    if (!window.axe) throw new Error("axe-core did not load");
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(", ")})`);
}
