// Browser tests of issue 20's screens: the printer-problem banner in the header (against the
// real application with IT's device file pointing at the emulated receipt printer on loopback,
// till_testkit::printer), and the customer display's window (customer.html) fed by the register.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page, ViewportSize } from "playwright-core";
import type { CustomerView } from "../../src/types";
import { screenshot } from "./harness.js";
import { startRealBackend, type RealBackend } from "./real-backend.js";
import { assertLayout, bobApprovesAfterAWrongPin, finish, nbsp, openOn, sharedBrowser, text, waitForError, waitForText, type AppOn } from "./steps.js";

const { browser, url } = sharedBrowser();

/** The customer display's page on `backend` (the same backend as the register's page, when given). */
const openCustomer = (backend: RealBackend, viewport?: ViewportSize) => openOn(browser(), `${url()}customer.html`, backend, viewport);

/** Closes a second page on a backend another page still uses, failing on its page errors. */
async function closePage(app: AppOn): Promise<void> {
  const problems = await app.allProblems();
  await app.close();
  assert.deepEqual(problems, [], "page errors / CSP violations");
}

async function scan(page: Page, barcode: string) {
  await page.keyboard.type(barcode);
  await page.keyboard.press("Enter");
}

const banner = (page: Page) => page.locator("#printer-banner");

/** Alice on the sale screen of a till IT set up with the emulated printer (and its drawer, asking to close it). */
async function sellingOnAManagedTill({ drawer }: { drawer: boolean }): Promise<{ backend: RealBackend; app: AppOn; page: Page }> {
  const backend = await startRealBackend();
  await backend.manageByIt({ printer: true, drawer });
  await backend.logIn("alice");
  await backend.startShift();
  const app = await openOn(browser(), url(), backend);
  const { page } = app;
  await page.waitForSelector("#sell");
  await page.click("#sell");
  await page.waitForSelector("#scan:focus");
  return { backend, app, page };
}

describe("the printer-problem banner", () => {
  it("says the printer is out of paper in the header without moving the keys, the next sale is rung, and goes when the printer is back", async () => {
    const { backend, app, page } = await sellingOnAManagedTill({ drawer: false });
    assert.equal(await banner(page).isHidden(), true, "a working printer: no banner");
    // The customer display, sent nothing yet, greets with the store's name once it is known.
    for (let tries = 0; (await backend.call("customer_view"))?.stage !== "welcome"; tries++) {
      assert.ok(tries < 30, "the register sends the welcome");
      await page.waitForTimeout(100);
    }
    assert.equal((await backend.call("customer_view"))?.store_name, "Downtown");
    const keysBefore = await page.locator("#to-session").boundingBox();
    const scanBefore = await page.locator("#scan").boundingBox();

    await backend.printer("paper_out");
    await scan(page, "012345678905"); // Coffee 2.50
    await scan(page, "012345678936"); // Potato chips 3.49
    await waitForText(page, "#total", "$6.32");
    await page.keyboard.press("F12");
    await page.waitForSelector("#pay-exact:focus");
    await page.click('#pay-quick button[data-amount="1000"]');
    await page.waitForSelector("#change-due");
    // The sale is recorded at once; its receipt waits for paper, and the header says so.
    await waitForText(page, "#printer-banner", "Printer: out of paper · 1 waiting to print", 15_000);
    assert.equal(backend.callsOf("record_sale").length, 1);

    // The customer display, opened beside the register, shows the paid sale and thanks.
    const customer = await openCustomer(backend);
    await customer.page.waitForSelector("#customer-thanks");
    assert.match(await text(customer.page, "#customer-total"), /Total\s+\$6\.32/);
    assert.match(await text(customer.page, "#customer-change"), /\$3\.68/);
    assert.match(await text(customer.page, "#customer-thanks"), /Thank you[\s\S]*Downtown/);

    // The next sale is rung meanwhile; the banner stays, the keys are where they were.
    await page.focus("#new-sale");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#scan:focus");
    await scan(page, "012345678905");
    await waitForText(page, '[data-line-qty="0"]', "× 1");
    await waitForText(page, "#total", "$2.55");
    assert.equal(await banner(page).isVisible(), true);
    assert.deepEqual(await page.locator("#to-session").boundingBox(), keysBefore, "the banner never moves the keys");
    assert.deepEqual(await page.locator("#scan").boundingBox(), scanBefore);
    await page.fill("#scan", "");
    await assertLayout(page, "sale with the printer banner");
    await screenshot(page, "printer-banner-1280");
    // The customer sees the new sale's line as it is scanned.
    await customer.page.waitForSelector("#customer-lines li");
    assert.match(await text(customer.page, "#customer-lines"), /1 ×\s+Coffee\s+\$2\.50/);
    assert.equal(await customer.page.locator("#customer-thanks").count(), 0);
    await page.setViewportSize({ width: 1024, height: 768 });
    assert.ok(
      await page.$eval("#printer-banner", (el) => el.scrollWidth <= el.clientWidth && el.getBoundingClientRect().bottom <= 64),
      "the banner's words are whole, inside the header",
    );
    assert.equal((await page.locator(".topbar").boundingBox())?.height, 64, "the header keeps its height");
    await assertLayout(page, "sale with the printer banner at 1024×768");
    await screenshot(page, "printer-banner-1024");
    await closePage(customer);

    // Paper in: the receipt prints, the banner goes.
    await backend.printer("none");
    await page.waitForFunction(() => document.querySelector("#printer-banner")?.hasAttribute("hidden"), null, { timeout: 30_000 });
    await finish(app);
  });
});

/** A sale as the customer display is sent it (ui/src/customer-feed.ts makes these from the cart). */
function view(locale: string, currency: string, store: string, stage: CustomerView["stage"], lines = 2): CustomerView {
  const all = [
    { name: "Coffee", quantity: 2, amount: 500 },
    { name: "Potato chips", quantity: 1, amount: 349 },
    ...Array.from({ length: Math.max(0, lines - 2) }, (_, i) => ({ name: `Chocolate bar ${i + 1}`, quantity: 1, amount: 199 })),
  ].slice(0, lines);
  const total = all.reduce((sum, line) => sum + line.amount, 0);
  const paid = stage === "paid" ? Math.ceil(total / 1000) * 1000 : 0;
  return { stage, store_name: store, locale, currency, lines: all, total, paid, change: paid === 0 ? 0 : paid - total };
}

describe("the customer display", () => {
  for (const { locale, currency, store, viewport, words, money } of [
    { locale: "en-US", currency: "USD", store: "Downtown", viewport: { width: 1280, height: 800 },
      words: { welcome: "Welcome", total: "Total", paid: "Paid", change: "Change", thanks: "Thank you" },
      money: { coffee: "$5.00", total: "$8.49", paid: "$10.00", change: "$1.51" } },
    { locale: "de-DE", currency: "EUR", store: "Café am Markt", viewport: { width: 1024, height: 768 },
      words: { welcome: "Willkommen", total: "Summe", paid: "Gegeben", change: "Rückgeld", thanks: "Vielen Dank" },
      money: { coffee: "5,00 €", total: "8,49 €", paid: "10,00 €", change: "1,51 €" } },
  ]) {
    it(`shows the lines, the total, what was paid and the change, then thanks, in ${locale} at ${viewport.width}×${viewport.height}`, async () => {
      const backend = await startRealBackend();
      await backend.setUp();
      const app = await openCustomer(backend, viewport);
      const { page } = app;
      const size = `${viewport.width}`;

      await backend.call("show_customer", { view: view(locale, currency, store, "welcome", 0) });
      await waitForText(page, "#customer-welcome", words.welcome);
      assert.equal(await text(page, "#customer-store"), store);
      await screenshot(page, `customer-welcome-${locale}-${size}`);

      await backend.call("show_customer", { view: view(locale, currency, store, "sale") });
      await page.waitForFunction(() => document.querySelectorAll("#customer-lines li").length === 2);
      assert.equal(await page.evaluate(() => document.documentElement.lang), locale);
      const rows = await page.$$eval("#customer-lines li", (lis) => lis.map((li) => [...li.children].map((c) => c.textContent?.replace(/[\u00a0\u202f]/g, " "))));
      assert.deepEqual(rows, [
        ["2 ×", "Coffee", money.coffee],
        ["1 ×", "Potato chips", locale === "en-US" ? "$3.49" : "3,49 €"],
      ]);
      assert.match(nbsp(await text(page, "#customer-total")), new RegExp(`${words.total}\\s+${money.total.replace("$", "\\$")}`));
      assert.equal(await page.locator("#customer-paid").count(), 0, "nothing paid yet");
      await assertLayout(page, `customer sale ${locale}`);
      await screenshot(page, `customer-sale-${locale}-${size}`);

      await backend.call("show_customer", { view: view(locale, currency, store, "paid") });
      await page.waitForSelector("#customer-thanks");
      assert.match(nbsp(await text(page, "#customer-paid")), new RegExp(`${words.paid}\\s+${money.paid.replace("$", "\\$")}`));
      assert.match(nbsp(await text(page, "#customer-change")), new RegExp(`${words.change}\\s+${money.change.replace("$", "\\$")}`));
      assert.match(await text(page, "#customer-thanks"), new RegExp(`${words.thanks}\\s+${store}`));
      await assertLayout(page, `customer paid ${locale}`);
      await screenshot(page, `customer-paid-${locale}-${size}`);

      // A long sale scrolls its lines: the newest line and the total stay in sight.
      await backend.call("show_customer", { view: view(locale, currency, store, "sale", 30) });
      await page.waitForFunction(() => document.querySelectorAll("#customer-lines li").length === 30);
      await page.waitForTimeout(100);
      for (const selector of ["#customer-total", "#customer-lines li:last-child"]) {
        const box = await page.locator(selector).boundingBox();
        assert.ok(box && box.y >= 0 && box.y + box.height <= viewport.height, `${selector} is in sight: ${JSON.stringify(box)}`);
      }
      await screenshot(page, `customer-long-${locale}-${size}`);

      // A secret is refused whole; the display keeps what it showed.
      const withPin = { ...view(locale, currency, store, "sale"), approval: { manager: "bob", pin: "9999" } };
      await assert.rejects(backend.call("show_customer", { view: withPin as CustomerView }), /invalid_input/);
      await page.waitForTimeout(400);
      assert.equal(await page.locator("#customer-lines li").count(), 30);
      assert.doesNotMatch(await page.locator("body").innerText(), /9999|bob/);
      await finish(app);
    });
  }
});

describe("the printer and drawer screen", () => {
  it("a manager chooses the network printer of an unmanaged till, a test page prints, and the drawer test is a recorded no-sale that opens the drawer", async () => {
    const backend = await startRealBackend();
    await backend.setUp();
    const { port } = await backend.startPrinter();
    await backend.logIn("alice");
    await backend.startShift();
    const app = await openOn(browser(), url(), backend);
    const { page } = app;
    await page.waitForSelector("#sell");
    await page.click("#devices");
    // A manager's PIN opens it (checked by the backend: a wrong one is said on the pad).
    await bobApprovesAfterAWrongPin(page);
    await page.waitForSelector("#dev-connection");
    assert.equal(await page.inputValue("#dev-connection"), "", "no printer yet");
    await waitForText(page, "#dev-status", "No receipt printer is set up.");
    assert.equal(await page.locator("#dev-open-drawer").isHidden(), true, "no drawer to test yet");

    await page.selectOption("#dev-connection", "network");
    // A bad setting is refused by the backend naming it, and nothing is saved.
    await page.fill("#dev-host", "");
    await page.click("#dev-save");
    await waitForError(page, 'invalid printer: printer.host: missing: the printer\'s address, like host = "192.168.1.50"; correct it and try again');
    assert.equal((await backend.call("device_status")).printer, null);

    await page.fill("#dev-host", "127.0.0.1");
    await page.fill("#dev-port", String(port));
    await page.selectOption("#dev-paper", "58mm");
    await page.selectOption("#dev-drawer", "5");
    await page.fill("#dev-pulse", "120");
    await page.setViewportSize({ width: 1024, height: 768 });
    await assertLayout(page, "the printer and drawer screen at 1024×768");
    await screenshot(page, "devices-form-1024");
    await page.click("#dev-save");
    await waitForText(page, "#dev-notice", "Saved. Print a test page to check the printer.");
    const saved = await backend.call("device_status");
    assert.deepEqual(
      { connection: saved.printer?.connection, host: saved.printer?.host, port: saved.printer?.port, paper: saved.printer?.paper },
      { connection: "network", host: "127.0.0.1", port, paper: "58mm" },
    );
    assert.deepEqual(saved.drawer, { pin: 5, pulse_ms: 120, ask_to_close: false });
    await waitForText(page, "#dev-status", "Printer: ready", 10_000);

    await page.click("#dev-test-page");
    await waitForText(page, "#dev-notice", "Test page sent. If it does not print, the status above says why.");
    for (let tries = 0; (await backend.printed()).cuts < 1; tries++) {
      assert.ok(tries < 100, "the test page prints");
      await page.waitForTimeout(100);
    }
    const testPage = await backend.printed();
    assert.ok(testPage.lines.some((line) => line.includes(`127.0.0.1:${port}`)), `the test page names the printer: ${testPage.lines.join("\n")}`);
    assert.deepEqual(testPage.kicks, [], "a test page opens nothing");

    await page.click("#dev-open-drawer");
    await waitForText(page, "#dev-notice", "The drawer was opened, and recorded on this shift as a no-sale (drawer test).");
    for (let tries = 0; (await backend.printed()).kicks.length < 1; tries++) {
      assert.ok(tries < 100, "the drawer opens");
      await page.waitForTimeout(100);
    }
    // The real-time pulse counts 100 ms steps: 120 ms is sent as 200 ms.
    assert.deepEqual((await backend.printed()).kicks, [[5, 200]]);
    const [movement] = backend.callsOf("record_movement");
    assert.deepEqual([movement?.args.kind, movement?.args.reason], ["no_sale", "test"]);
    assert.equal((await backend.call("session_totals"))?.no_sale_count, 1, "counted on the X and Z like any no-sale");
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "devices-saved-1024");
    await page.click("#dev-back");
    await page.waitForSelector("#sell");
    await finish(app);
  });

  it("a till IT manages shows IT's printer and changes nothing", async () => {
    const backend = await startRealBackend();
    await backend.manageByIt({ printer: true });
    await backend.logIn("bob");
    const app = await openOn(browser(), url(), backend);
    const { page } = app;
    await page.waitForSelector("#devices");
    await page.click("#devices");
    await page.click('button[data-manager="bob"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#dev-managed");
    assert.match(await text(page, "#dev-managed"), /IT sets this till's printer and drawer in .*device\.toml[\s\S]*Receipt printer: 127\.0\.0\.1:\d+, 80 mm paper\. No cash drawer\./);
    assert.equal(await page.locator("#dev-save").count(), 0, "nothing to save");
    await screenshot(page, "devices-managed-1280");
    await finish(app);
  });
});

describe("printing where a receipt printer is set up", () => {
  it("prints the receipt once as recorded; Print is then a counted reprint, and the X prints on the roll, never through the webview's dialog", async () => {
    const { backend, app, page } = await sellingOnAManagedTill({ drawer: false });
    await page.evaluate(() => {
      (window as unknown as { webviewPrints: number }).webviewPrints = 0;
      window.print = () => void (window as unknown as { webviewPrints: number }).webviewPrints++;
    });
    await scan(page, "012345678905");
    await waitForText(page, "#total", "$2.55");
    await page.keyboard.press("F12");
    await page.waitForSelector("#pay-exact:focus");
    await page.click("#pay-exact");
    await page.waitForSelector("#change-due");
    const cuts = async (n: number) => {
      for (let tries = 0; (await backend.printed()).cuts < n; tries++) {
        assert.ok(tries < 100, `${n} job(s) printed`);
        await page.waitForTimeout(100);
      }
    };
    await cuts(1);
    assert.equal(await text(page, "#print-receipt"), "Reprint", "the receipt printed as it was recorded");
    await page.click("#print-receipt");
    await cuts(2);
    assert.equal(backend.callsOf("record_reprint").length, 1, "counted on the shift");
    assert.ok((await backend.printed()).lines.some((line) => line.includes("REPRINT")));
    await page.focus("#new-sale");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#scan:focus");
    await page.click("#to-session");
    await page.waitForSelector("#x-report:not([hidden])");
    await page.click("#x-report");
    // A blind-close store: the cashier's X is opened with a manager's PIN, and printed with it.
    await page.click('button[data-manager="bob"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#print-report");
    await page.click("#print-report");
    await cuts(3);
    assert.ok((await backend.printed()).lines.some((line) => line.startsWith("X REPORT")), "the X on the receipt printer");
    assert.equal(await page.evaluate(() => (window as unknown as { webviewPrints: number }).webviewPrints), 0, "no webview print dialog");
    await finish(app);
  });
});

describe("the drawer left open", () => {
  it("asks the cashier to close it before the next sale, and the sale goes on once the printer reports it shut", async () => {
    const { backend, app, page } = await sellingOnAManagedTill({ drawer: true });
    await scan(page, "012345678905");
    await waitForText(page, "#total", "$2.55");
    // The drawer springs open at the cash sale's kick, and the cashier leaves it open.
    await backend.drawerSwitch(true);
    await page.keyboard.press("F12");
    await page.waitForSelector("#pay-exact:focus");
    await page.click('#pay-quick button[data-amount="1000"]');
    await page.waitForSelector("#change-due");
    await waitForText(page, "#printer-banner", "Close the cash drawer", 10_000);
    assert.equal(await page.locator("#change-due").isVisible(), true, "the change due stays in sight");
    await page.focus("#new-sale");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#scan:focus");
    await scan(page, "012345678936");
    await page.waitForSelector("#drawer-prompt[open]");
    assert.equal(await page.locator(".cart-line").count(), 0, "the next sale waits for the drawer");
    await screenshot(page, "drawer-prompt-1280");
    await backend.drawerSwitch(false);
    await page.waitForSelector("#drawer-prompt", { state: "detached", timeout: 10_000 });
    await page.waitForSelector("#scan:focus");
    await scan(page, "012345678936");
    await waitForText(page, '[data-line-qty="0"]', "× 1");
    assert.match(await text(page, ".cart-line"), /Potato chips/);
    await finish(app);
  });
});
