// Every screen at 1280×800 and 1024×768, in en-US and de-DE: a screenshot of each
// (test-artifacts/mock-<screen>-<locale>-<width>.png), axe-core on each (no serious or critical
// violation), the layout checks, and a PIN pad that does not move when an error shows. One walk
// through the screens per locale, each screen checked at both sizes (steps.ts shotAtEachSize).
// Against the real application (till-ui-bridge, the browser tests' shop; PostgreSQL on the test
// server).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openApp, screenshot } from "./harness.js";
import { startRealBackend } from "./real-backend.js";
import { atEachSize, giveReason, inWindow, lineTool, sharedBrowser, shotAtEachSize, untilIdle, walkSize } from "./steps.js";

const { browser, url } = sharedBrowser();
/** The store's locale, its register (the shop's DT is en-US/USD, UT is de-DE/EUR). */
const LOCALES = [
  { locale: "en-US", register: "DT/R1", opening: "200.50", counted: "200.50", money: /\$200\.50/, off: "0.50" },
  { locale: "de-DE", register: "UT/R1", opening: "200,50", counted: "200,50", money: /200,50\s€/, off: "0,50" },
];

for (const { locale, register, opening, counted, money, off } of LOCALES) {
  const viewport = walkSize(locale);
  describe(`every screen, ${locale} at 1280×800 and 1024×768`, () => {
    it("sets up, logs in, starts, closes, approves, locks, joins", async () => {
      const backend = await startRealBackend();
      const pg = await backend.postgres({ register });
      const app = await openApp(browser(), url(), backend, viewport, locale);
      const { page } = app;
      const shot = (screen: string, also?: (tag: string) => Promise<void>) => shotAtEachSize(page, screen, locale, also);

      await page.waitForSelector("#setup-demo");
      assert.equal(await page.evaluate(() => document.activeElement?.id ?? ""), "", "set-up focuses no action");
      await shot("setup");
      await page.click("#setup-new-store");
      await page.waitForSelector("#new-country:focus");
      await page.selectOption("#new-country", locale.startsWith("de") ? "de" : "us-ny");
      // The live sample follows the country: its money and its date and time order.
      const sample = locale.startsWith("de")
        ? /^1\.234,56 € · \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/
        : /^\$1,234\.56 · \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} [AP]M$/;
      assert.match((await page.innerText("#new-sample-text")).replace(/[\u00a0\u202f]/g, " "), sample);
      await page.fill("#new-address", locale.startsWith("de") ? "Torstraße 1, 10119 Berlin" : "100 Main Street, New York, NY 10001");
      await page.fill("#new-tax-number", locale.startsWith("de") ? "DE123456789" : "EIN 12-3456789");
      await shot("setup-new-store");
      await page.click("#new-store-cancel");

      // Nothing listens on port 1 of this computer (a remote host would first need TLS set up).
      await page.fill("#pg-url", "postgres://till@127.0.0.1:1/till");
      await page.fill("#pg-password", "secret");
      await page.click("#setup-postgres");
      await page.waitForFunction(() => document.querySelector("#pg-url-error")?.textContent?.startsWith("Can't reach that server"));
      assert.equal(await page.getAttribute("#pg-url", "aria-invalid"), "true", "the host failed: the address box");
      await shot("setup-connect-error");
      await page.fill("#pg-url", pg.url);
      await page.fill("#pg-password", pg.password);
      await page.press("#pg-password", "Enter");
      await page.click(`button[data-register="${register}"]`);
      await shot("setup-register");
      await page.click("#setup-finish");

      await page.waitForSelector('button[data-user="alice"]');
      await shot("login");
      await page.click('button[data-user="alice"]');
      await page.waitForSelector("#pin-input:focus");
      await shot("pin");
      // The keypad, at each size, before and after a wrong PIN's error shows.
      const keypad = () => page.locator('button[data-key="1"]').boundingBox();
      const before = new Map<string, Awaited<ReturnType<typeof keypad>>>();
      await atEachSize(page, locale, async (tag) => void before.set(tag, await keypad()));
      await page.keyboard.type("0000");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelector("#pin-input-error")?.textContent === "That PIN is not right. Try again.");
      await atEachSize(page, locale, async (tag) =>
        assert.deepEqual(await keypad(), before.get(tag), `the keypad does not move when the error shows (${tag})`),
      );
      assert.equal(await page.getAttribute("#pin-input", "aria-invalid"), "true");
      await shot("pin-error");
      await page.keyboard.type("1234");
      await page.keyboard.press("Enter");

      await page.waitForSelector("#start-shift");
      await page.fill('input[data-denom="10000"]', "2");
      await page.fill("#opening-cash", opening);
      assert.equal(await page.inputValue('input[data-denom="10000"]'), "", "typing the total clears the counts");
      assert.equal(await page.locator("#denominations-total").innerText(), "—", "one total, never two");
      await page.fill("#shift-notes", "Float");
      await shot("start");
      await page.fill('input[data-denom="10000"]', "x");
      assert.equal(await page.inputValue("#opening-cash"), "", "an invalid count clears the amount");
      await page.fill("#opening-cash", "");
      await page.click("#start-shift");
      await page.waitForSelector('#opening-cash[aria-invalid="true"]');
      await shot("start-error");
      await page.fill('input[data-denom="10000"]', "");
      await page.fill("#opening-cash", opening);
      await page.click("#start-shift");
      await page.waitForSelector("#started-message");
      await shot("sale-after-start");
      await page.click("#to-session");

      await page.waitForSelector("#close-drawer");
      assert.notEqual(await page.evaluate(() => document.activeElement?.id), "close-drawer", "Close shift is never focused");
      assert.match(await page.locator("#opening-cash").innerText(), money);
      await shot("session");
      await page.keyboard.press("Enter"); // a barcode scanner's Enter
      await page.waitForTimeout(100);
      assert.equal(await page.locator("#screen").getAttribute("data-screen"), "session", "Enter ends nothing");
      await page.click("#close-drawer");
      await page.fill("#counted-cash", counted);
      await shot("close");
      await page.press("#counted-cash", "Enter");
      await page.waitForSelector('button[data-manager="bob"][aria-pressed="true"]');
      await shot("close-approve");
      for (const key of "9999") await page.click(`button[data-key="${key}"]`);
      await page.click("#close-submit");
      await page.waitForSelector("#close-result");
      assert.notEqual(await page.evaluate(() => document.activeElement?.id), "close-done", "Done (log out) is never focused");
      await shot("closed", async (tag) => assert.ok(await inWindow(page, "#close-done"), `Done is in the window (${tag}), not below the Z`));
      await page.keyboard.press("Enter");
      await page.waitForTimeout(100);
      assert.equal(await page.locator("#screen").getAttribute("data-screen"), "closed", "Enter does not log out");
      await page.click("#close-done");

      await page.waitForSelector("#change-register");
      await page.click("#change-register");
      await page.click(`button[data-register="${register}"]`);
      await page.click("#setup-finish");
      await page.waitForSelector("#approval-pin");
      await shot("approval");
      await page.click("#approval-cancel");

      await page.waitForSelector("#setup-finish");
      await page.click("#setup-cancel");
      await page.waitForSelector('button[data-user="carol"]');
      await page.click('button[data-user="carol"]');
      for (let i = 0; i < 5; i++) {
        await page.waitForSelector("#pin-input:focus");
        await page.keyboard.type("0000");
        await page.keyboard.press("Enter");
        await untilIdle(page);
      }
      await page.waitForSelector("#manager-unlock");
      await shot("locked");

      await backend.openElsewhere({ by: "alice" });
      await page.click('button[data-user="alice"]');
      await page.keyboard.type("1234");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#close-drawer");
      await page.click("#logout");
      await page.waitForSelector('button[data-user="bob"]');
      await page.click('button[data-user="bob"]');
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#open-session-note");
      await shot("join");
      await page.click("#start-shift");
      await page.waitForSelector("#joined-message");
      await page.click("#to-session");
      await backend.closeElsewhere({ by: "bob" });
      await page.waitForSelector("#closed-elsewhere", { timeout: 7000 });
      await shot("closed-elsewhere");

      const problems = await app.allProblems();
      await app.close();
      await backend.close();
      assert.deepEqual(problems, [], "page errors / CSP violations");
    });

    it("sells: sale, search, pay, receipt, refund, shift totals", async () => {
      const backend = await startRealBackend();
      await backend.setUp({ register });
      await backend.logIn("alice");
      await backend.startShift();
      const app = await openApp(browser(), url(), backend, viewport, locale);
      const { page } = app;
      const shot = (screen: string, also?: (tag: string) => Promise<void>) => shotAtEachSize(page, screen, locale, also);
      await page.waitForSelector("#sell");
      await page.click("#sell");
      await page.waitForSelector("#scan:focus");
      await page.waitForSelector("button[data-quick]");
      await shot("sale-empty");
      for (const code of ["012345678905", "012345678936", "012345678943"]) {
        await page.keyboard.type(code);
        await page.keyboard.press("Enter");
      }
      await page.waitForFunction(() => document.querySelectorAll(".cart-line").length === 3 && document.querySelector<HTMLButtonElement>("#pay")?.disabled === false);
      await lineTool(page, 0, "plus");
      await lineTool(page, 1, "discount");
      await page.fill("#line-discount-1", "10");
      await giveReason(page, "line-discount-1", "damaged");
      await page.press("#line-discount-1", "Enter");
      await page.waitForFunction(() => document.querySelector(".line-off") && document.querySelector<HTMLButtonElement>("#pay")?.disabled === false);
      // The dialogs: a discount on the whole sale, a new price, an amount off a line.
      await page.click("#sale-discount-open");
      await page.waitForSelector("#sale-discount:focus");
      await page.keyboard.type("5");
      await giveReason(page, "sale-discount", "staff");
      await shot("sale-discount-dialog");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#receipt-discount");
      await page.waitForSelector("#scan:focus");
      await lineTool(page, 2, "price");
      await page.waitForSelector("#line-price-2:focus");
      await page.keyboard.type("1");
      await giveReason(page, "line-price-2", "other", "Sample, opened");
      await shot("line-price-dialog");
      await page.keyboard.press("Enter");
      // A new price needs a manager, asked as it is given: the approval says what and why.
      await page.waitForSelector('button[data-manager="bob"]');
      await page.click('button[data-manager="bob"]');
      await shot("price-approval");
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#needs-manager");
      await page.waitForSelector("#scan:focus");
      await lineTool(page, 0, "discount");
      await page.waitForSelector("#line-discount-0:focus");
      await page.click("#line-discount-0-amount");
      await page.fill("#line-discount-0", off);
      await giveReason(page, "line-discount-0", "price_match");
      await shot("line-discount-dialog");
      await page.keyboard.press("Enter");
      await page.waitForSelector('[data-line-off="0"]');
      await page.waitForSelector("#scan:focus");
      await page.keyboard.type("co");
      await page.waitForSelector("#search-results button[data-product]");
      await shot("sale");
      await page.keyboard.press("Escape");
      await page.keyboard.press("F12");
      await page.waitForSelector("#pay-exact:focus");
      await shot("pay");
      await page.click("#pay-quick button");
      // Approved as the new price was given: Pay records the sale without asking again.
      await page.waitForSelector("#change-due");
      // The receipt speaks the store's language.
      const words = locale === "de-DE" ? [/Summe/, /Bar/, /MwSt\./, /Kasse/] : [/Total/, /Cash/, /Tax/, /Register/];
      for (const word of words) assert.match(await page.locator("#receipt").innerText(), word);
      await shot("receipt");
      await page.emulateMedia({ media: "print" });
      // Only the receipt goes to the paper: not the app's chrome or its About line.
      assert.equal(await page.locator("#about").isVisible(), false, "the About line is not printed");
      await atEachSize(page, locale, (tag) => screenshot(page, `receipt-print-${tag}`));
      await page.emulateMedia({ media: "screen" });
      const number = await page.locator(".r-number span:last-child").innerText();
      await page.click("#new-sale");
      await page.click("#to-refund");
      await page.fill("#refund-number", number);
      await page.press("#refund-number", "Enter");
      await page.waitForSelector("#refund-qty-0:focus");
      await page.fill("#refund-qty-0", "1");
      await page.click("#refund-card");
      await page.fill("#refund-card-ref", "RF-77");
      await page.click('button[data-reason="damaged"]');
      await page.waitForFunction(() => document.querySelector("#refund-total")?.textContent?.startsWith("To give back"));
      await shot("refund");
      await page.click("#refund-submit");
      await page.waitForSelector('button[data-manager="bob"]');
      await page.click('button[data-manager="bob"]');
      await page.keyboard.type("9999");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#refund-amount");
      await shot("refund-receipt");
      await page.click("#new-sale");
      await page.click("#to-session");
      await page.waitForFunction(() => document.querySelector("#totals-sales-count")?.textContent === "1");
      await shot("session-totals");
      const problems = await app.allProblems();
      await app.close();
      await backend.close();
      assert.deepEqual(problems, [], "page errors / CSP violations");
    });

    it("shows the damaged-settings screen", async () => {
      const backend = await startRealBackend();
      await backend.setUp({ register });
      await backend.damageSettings();
      const app = await openApp(browser(), url(), backend, viewport, locale);
      await app.page.waitForSelector("#settings-damaged");
      await shotAtEachSize(app.page, "damaged", locale);
      await app.page.click("#repair-settings");
      await app.page.waitForSelector("#approval-manager");
      await shotAtEachSize(app.page, "damaged-approval", locale);
      await app.close();
      await backend.close();
    });

    it("shows a till IT set up, and IT's invalid device file", async () => {
      const backend = await startRealBackend();
      await backend.manageByIt({ register });
      const app = await openApp(browser(), url(), backend, viewport, locale);
      await app.page.waitForSelector("#managed-by");
      await shotAtEachSize(app.page, "managed-login", locale);
      await app.close();
      await backend.close();
      const broken = await startRealBackend();
      await broken.manageByIt({ register, damaged: true });
      const again = await openApp(browser(), url(), broken, viewport, locale);
      await again.page.waitForSelector("#settings-damaged");
      await shotAtEachSize(again.page, "managed-damaged", locale);
      await again.close();
      await broken.close();
    });
  });
}
