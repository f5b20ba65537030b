// The sale screens in the browser: scan → line → the backend's totals, pay with change, the
// receipt, a refund with a manager's PIN, a shift closed elsewhere keeping the cart, and the
// session view's totals refreshing with another device's sales.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createFakeBackend } from "./fake-backend.mjs";
import { axeViolations, layoutProblems, launchBrowser, openApp, serveDist } from "./harness.mjs";

let browser;
let server;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const nbsp = (value) => value.replace(/[\u00a0\u202f]/g, " ");
const text = async (page, selector) => nbsp((await page.locator(selector).innerText()).trim());

async function waitForText(page, selector, expected, timeout = 5000) {
  await page
    .waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent?.replace(/[\u00a0\u202f]/g, " ").trim() === want, [selector, expected], { timeout })
    .catch(async (error) => {
      const got = await page.locator(selector).textContent().catch(() => "(missing)");
      throw new Error(`${selector}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}\n${error.message}`);
    });
}

const idle = (page) => page.waitForFunction(() => !document.body.classList.contains("busy"));

async function check(page, where) {
  await idle(page);
  assert.deepEqual(await layoutProblems(page), [], `layout problems on ${where}`);
  assert.deepEqual(await axeViolations(page), [], `axe: serious/critical violations on ${where}`);
}

async function finish(app) {
  const problems = await app.allProblems();
  await app.context.close();
  assert.deepEqual(problems, [], "page errors / CSP violations");
}

/** Alice logged in on DT/R1 with her shift open: the app opens on the shift; Sell goes to the sale. */
async function onSale(backend = createFakeBackend()) {
  backend.setUp();
  backend.logIn("alice");
  backend.openElsewhere({ by: "alice", device: "till-1" });
  const app = await openApp(browser, server.url, backend);
  await app.page.waitForSelector("#sell");
  await app.page.click("#sell");
  await app.page.waitForSelector("#scan:focus");
  return { app, page: app.page, backend };
}

async function scan(page, barcode) {
  await page.keyboard.type(barcode);
  await page.keyboard.press("Enter");
}

describe("selling", () => {
  it("scans lines, shows the backend's totals, pays cash with change and shows the receipt", async () => {
    const { app, page, backend } = await onSale();
    await scan(page, "012345678905"); // Coffee 2.50, food tax 2 %
    await waitForText(page, '[data-line-qty="0"]', "× 1");
    await scan(page, "012345678905");
    await waitForText(page, '[data-line-qty="0"]', "× 2", 5000);
    assert.equal(await page.locator(".cart-line").count(), 1, "the same product again: +1, not a new line");
    await scan(page, "012345678936"); // Potato chips 3.49, 8 %
    await waitForText(page, "#total", "$8.87");
    // Every number shown is the backend's: 5.10 + 3.77.
    const priced = backend.callsOf("price_cart").at(-1).args;
    assert.deepEqual(priced.lines, [
      { product_id: "prod-DT-COF-1", quantity: 2 },
      { product_id: "prod-DT-CHIP-1", quantity: 1 },
    ]);
    assert.equal(await text(page, "#subtotal"), "$8.49");
    assert.equal(await text(page, "#tax"), "$0.38");
    assert.equal(await text(page, '[data-line-total="0"]'), "$5.00", "before discounts and tax: the lines add up to the subtotal");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "scan", "the scan field keeps the focus");

    // Typing a name shows matches to pick.
    await page.keyboard.type("choc");
    await page.waitForSelector('#search-results button[data-product="CHOC-1"]');
    await page.keyboard.press("Enter");
    await waitForText(page, '[data-line-qty="2"]', "× 1");
    // A quick key adds its product; the line's − removes it again.
    await page.click('button[data-category="Drinks"]');
    await page.click('button[data-quick="TEA-1"]');
    await waitForText(page, '[data-line-qty="3"]', "× 1");
    await page.click('button[data-line-remove="3"]');
    await page.waitForFunction(() => document.querySelectorAll(".cart-line").length === 3);
    await waitForText(page, "#total", "$10.22");
    // An unknown barcode says so next to the field.
    await scan(page, "999999999999");
    await page.waitForFunction(() => document.querySelector("#scan-error")?.textContent?.includes("Nothing found"));
    await page.fill("#scan", "");
    await check(page, "sale");

    await page.keyboard.press("F12");
    await page.waitForSelector("#pay-exact:focus");
    assert.equal(await text(page, "#pay-amount"), "$10.22");
    const quick = await page.$$eval("#pay-quick button", (bs) => bs.map((b) => Number(b.dataset.amount)));
    assert.deepEqual(quick, [1100, 1500, 2000, 5000], "the next round bills above the total");
    await check(page, "pay");
    await page.click('#pay-quick button[data-amount="2000"]');
    await page.waitForSelector("#change-due");
    assert.equal(await text(page, "#change-due"), "$9.78");
    const recorded = backend.callsOf("record_sale");
    assert.equal(recorded.length, 1);
    assert.deepEqual(recorded[0].args.request.tenders, [{ kind: "cash", amount: 2000 }]);
    assert.equal(recorded[0].args.sessionId, "sess-1");
    assert.match(await text(page, "#receipt"), /DT-R1-000001/);
    assert.match(await text(page, "#receipt"), /Downtown/);
    assert.match(await text(page, "#receipt"), /Food tax 2 %/);
    assert.match(await text(page, "#receipt"), /Sales tax 8 %/);
    assert.match(await text(page, "#receipt"), /Change\s+\$9\.78/);
    assert.match(await text(page, ".r-date"), /9:02/, "the time in the location's zone (New York)");
    await check(page, "receipt");

    await page.keyboard.press("Enter"); // New sale
    await page.waitForSelector("#scan:focus");
    assert.equal(await page.locator(".cart-line").count(), 0, "a new sale starts empty");
    await finish(app);
  });

  it("pays by card and cash (split)", async () => {
    const { app, page, backend } = await onSale();
    await scan(page, "012345678936");
    await waitForText(page, "#total", "$3.77");
    await page.click("#pay");
    await page.fill("#cash-given", "1");
    await page.press("#cash-given", "Enter");
    await waitForText(page, "#pay-amount", "$2.77");
    await page.fill("#card-ref", "AUTH42");
    await page.press("#card-ref", "Enter");
    await page.waitForSelector("#change-due");
    assert.equal(await text(page, "#change-due"), "$0.00");
    assert.deepEqual(backend.callsOf("record_sale")[0].args.request.tenders, [
      { kind: "cash", amount: 100 },
      { kind: "card", amount: 277, approval_reference: "AUTH42" },
    ]);
    await finish(app);
  });

  it("keeps the cart when the shift was closed elsewhere, then records it once after Start shift", async () => {
    const { app, page, backend } = await onSale();
    await scan(page, "012345678905");
    await waitForText(page, "#total", "$2.55");
    backend.closeElsewhere({ by: "bob" });
    await page.keyboard.press("F12");
    await page.click("#pay-exact");
    await page.waitForSelector("#sale-session-closed");
    await page.waitForFunction(() => [...document.querySelectorAll('[role="alert"]')].some((el) => el.textContent?.includes("closed on another register")));
    await check(page, "pay, shift closed elsewhere");
    const firstId = backend.callsOf("record_sale")[0].args.id;
    await page.click("#sale-start-shift");
    await page.waitForSelector("#opening-cash");
    await page.fill("#opening-cash", "100");
    await page.click("#start-shift");
    // Back on the sale with the same cart.
    await page.waitForSelector("#scan:focus");
    await waitForText(page, '[data-line-qty="0"]', "× 1");
    await waitForText(page, "#total", "$2.55");
    await page.keyboard.press("F12");
    await page.click("#pay-exact");
    await page.waitForSelector("#change-due");
    const calls = backend.callsOf("record_sale");
    assert.equal(calls.length, 2);
    assert.equal(calls[1].args.id, firstId, "the same receipt id");
    assert.equal(calls[1].args.sessionId, "sess-2", "into the new shift");
    assert.equal(backend.state.receipts.length, 1, "recorded once");
    await finish(app);
  });

  it("refunds lines of a sale with a manager's PIN and shows the refund receipt", async () => {
    const { app, page, backend } = await onSale();
    await scan(page, "012345678905");
    await scan(page, "012345678905");
    await waitForText(page, "#total", "$5.10");
    await page.keyboard.press("F12");
    await page.click("#pay-exact");
    await page.waitForSelector("#new-sale");
    await page.click("#new-sale");
    await page.waitForSelector("#to-refund");
    await page.click("#to-refund");
    await page.fill("#refund-number", "DT-R1-000404");
    await page.press("#refund-number", "Enter");
    await page.waitForFunction(() => document.querySelector("#error")?.textContent?.includes("not on record"));
    await page.fill("#refund-number", "DT-R1-000001");
    await page.press("#refund-number", "Enter");
    await page.waitForSelector("#refund-qty-0:focus");
    await page.fill("#refund-qty-0", "3");
    await page.click("#refund-submit");
    await page.waitForFunction(() => document.querySelector("#refund-qty-0-error")?.textContent === "From 0 to 2.");
    await page.fill("#refund-qty-0", "1");
    await check(page, "refund");
    await page.click("#refund-submit");
    await page.waitForSelector('button[data-manager="bob"]');
    await page.click('button[data-manager="bob"]');
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#refund-amount");
    assert.equal(await text(page, "#refund-amount"), "$2.55");
    assert.match(await text(page, "#receipt"), /REFUND/);
    assert.match(await text(page, "#receipt"), /Refund of\s+DT-R1-000001/);
    const call = backend.callsOf("refund")[0].args;
    assert.deepEqual(call.request, { lines: [{ line: 0, quantity: 1 }], tender: { kind: "cash" } });
    assert.deepEqual(call.approval, { manager: "bob", pin: "9999" });
    await check(page, "refund receipt");
    await finish(app);
  });

  it("asks a manager's PIN for a discount above the limit, and the backend checks it", async () => {
    const { app, page, backend } = await onSale();
    await scan(page, "012345678936");
    await waitForText(page, "#total", "$3.77");
    await page.click('button[data-line-discount="0"]');
    await page.fill("#line-discount-0", "10");
    await page.press("#line-discount-0", "Enter");
    await waitForText(page, "#total", "$3.39");
    assert.equal(await page.locator("#needs-manager").count(), 0, "10 % is within the limit");
    await page.click('button[data-line-discount="0"]');
    await page.fill("#line-discount-0", "50");
    await page.press("#line-discount-0", "Enter");
    await waitForText(page, "#total", "$1.88");
    await page.waitForSelector("#needs-manager");
    await check(page, "sale needing a manager");
    await page.keyboard.press("F12");
    await page.click("#pay-exact");
    await page.waitForSelector('button[data-manager="bob"]');
    await page.click('button[data-manager="bob"]');
    await page.keyboard.type("1111");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#approval-pin-error")?.textContent === "That PIN is not right. Try again.");
    await page.keyboard.type("9999");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#change-due");
    const calls = backend.callsOf("record_sale");
    assert.deepEqual(calls.map((c) => c.args.approval), [{ manager: "bob", pin: "1111" }, { manager: "bob", pin: "9999" }]);
    assert.equal(calls[0].args.id, calls[1].args.id, "one receipt id for the cart");
    await finish(app);
  });

  it("shows the shift's totals and picks up another device's sales", async () => {
    const backend = createFakeBackend();
    backend.setUp();
    backend.logIn("alice");
    backend.openElsewhere({ by: "alice", device: "till-1" });
    const app = await openApp(browser, server.url, backend);
    const { page } = app;
    await page.waitForSelector("#sell");
    await waitForText(page, "#totals-sales-count", "0");
    backend.sellElsewhere([{ sku: "COF-1", quantity: 2 }]);
    await waitForText(page, "#totals-sales-count", "1", 7000);
    assert.equal(await text(page, "#totals-sales"), "$5.10");
    assert.equal(await text(page, "#totals-expected-cash"), "$205.10");
    await check(page, "session with totals");
    await finish(app);
  });
});
