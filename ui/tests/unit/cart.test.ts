import { describe, expect, it } from "vitest";
import {
  addProduct,
  approvalDetails,
  approvalWords,
  changeQuantity,
  discountInput,
  MAX_QUANTITY,
  parseDiscount,
  parsePriceOverride,
  percentDiscount,
  quickCashAmounts,
  saleLines,
  setQuantity,
} from "../../src/cart";
import type { Product } from "../../src/types";

const product = (id: string): Product => ({
  id,
  location_id: "loc",
  sku: `SKU-${id}`,
  name: `Item ${id}`,
  price_minor: 100n,
  tax_rate_id: "tax",
  tax_code: "STD",
  rate: 100_000,
  category_id: null,
  category: null,
  barcodes: [],
  active: true,
});

describe("quickCashAmounts", () => {
  it("offers the next round bills above the total, smallest first", () => {
    expect(quickCashAmounts(1234, "USD")).toEqual([1300, 1500, 2000, 5000]);
    expect(quickCashAmounts(4710, "EUR")).toEqual([5000, 6000, 10000, 20000]);
  });

  it("never offers the exact amount (that is the Exact key) and skips repeats", () => {
    expect(quickCashAmounts(2000, "USD")).toEqual([5000, 10000]);
    expect(quickCashAmounts(9999, "USD", 10)).toEqual([10000]);
  });

  it("offers nothing without a bill table or anything due", () => {
    expect(quickCashAmounts(1234, "XXX")).toEqual([]);
    expect(quickCashAmounts(0, "USD")).toEqual([]);
  });
});

describe("the cart", () => {
  it("adds one more when the same product is scanned again as the last line, else a new line", () => {
    const a = product("a");
    const b = product("b");
    let lines = addProduct([], a);
    lines = addProduct(lines, a);
    expect(lines.map((l) => [l.product.id, l.quantity])).toEqual([["a", 2]]);
    lines = addProduct(lines, b);
    lines = addProduct(lines, a);
    expect(lines.map((l) => [l.product.id, l.quantity])).toEqual([["a", 2], ["b", 1], ["a", 1]]);
  });

  it("never adds to a line with a typed price: another open item is a line of its own", () => {
    const open = product("open");
    const priced = addProduct([], open).map((l) => ({ ...l, priceOverride: 500 }));
    const lines = addProduct(priced, open);
    expect(lines.map((l) => [l.product.id, l.quantity, l.priceOverride])).toEqual([["open", 1, 500], ["open", 1, null]]);
  });

  it("adds a typed quantity (24 ×) to the same last line, or as a new line, never above the most", () => {
    const a = product("a");
    let lines = addProduct([], a, 24);
    expect(lines.map((l) => l.quantity)).toEqual([24]);
    lines = addProduct(lines, a, 6);
    expect(lines.map((l) => l.quantity)).toEqual([30]);
    lines = addProduct(lines, a, MAX_QUANTITY);
    expect(lines.map((l) => l.quantity)).toEqual([30, MAX_QUANTITY]);
  });

  it("sets a line's quantity from 1 to the most, and leaves the lines alone otherwise", () => {
    const lines = addProduct(addProduct([], product("a")), product("b"));
    expect(setQuantity(lines, 1, 12).map((l) => l.quantity)).toEqual([1, 12]);
    for (const bad of [0, -1, 1.5, MAX_QUANTITY + 1, Number.NaN]) expect(setQuantity(lines, 1, bad).map((l) => l.quantity)).toEqual([1, 1]);
  });

  it("removes a line whose quantity reaches zero", () => {
    const lines = addProduct(addProduct([], product("a")), product("b"));
    expect(changeQuantity(lines, 0, -1).map((l) => l.product.id)).toEqual(["b"]);
    expect(changeQuantity(lines, 1, 2)[1]?.quantity).toBe(3);
  });

  it("asks the backend by product id and quantity, never with a price", () => {
    const lines = addProduct([], product("a"));
    lines[0]!.discount = { kind: "percent", percent: 100_000 };
    expect(saleLines(lines)).toEqual([{ product_id: "a", quantity: 1, discount: { kind: "percent", percent: 100_000 } }]);
  });

  it("sends a price override in minor units, and a free item's 0, but no override when there is none", () => {
    const lines = addProduct(addProduct([], product("a")), product("b"));
    lines[0]!.priceOverride = 250;
    lines[1]!.priceOverride = 0;
    expect(saleLines(lines)).toEqual([
      { product_id: "a", quantity: 1, price_override: 250 },
      { product_id: "b", quantity: 1, price_override: 0 },
    ]);
    expect(saleLines(addProduct([], product("c")))).toEqual([{ product_id: "c", quantity: 1 }]);
  });
});

describe("percentDiscount", () => {
  it("reads a typed percent as parts per million", () => {
    expect(percentDiscount("10")).toEqual({ kind: "percent", percent: 100_000 });
    expect(percentDiscount("12,5")).toEqual({ kind: "percent", percent: 125_000 });
    expect(percentDiscount("100")).toEqual({ kind: "percent", percent: 1_000_000 });
  });

  it("refuses what is not a percent from 0 to 100", () => {
    for (const bad of ["", "0", "101", "-5", "abc", "1.23456"]) expect(percentDiscount(bad)).toBeNull();
  });
});

describe("parseDiscount", () => {
  it("reads a percent in ppm and an amount in minor units, in the store's locale", () => {
    expect(parseDiscount("percent", "12,5", "EUR", "de-DE")).toEqual({ ok: true, value: { kind: "percent", percent: 125_000 } });
    expect(parseDiscount("amount", "2,50", "EUR", "de-DE")).toEqual({ ok: true, value: { kind: "amount", amount: 250 } });
    expect(parseDiscount("amount", "1,234.5", "USD", "en-US")).toEqual({ ok: true, value: { kind: "amount", amount: 123450 } });
    expect(parseDiscount("amount", "500", "JPY", "ja-JP")).toEqual({ ok: true, value: { kind: "amount", amount: 500 } });
  });

  it("reads empty and zero as no discount", () => {
    for (const text of ["", "  ", "0", "0.0"]) expect(parseDiscount("percent", text, "USD", "en-US")).toEqual({ ok: true, value: null });
    for (const text of ["", "0", "0,00"]) expect(parseDiscount("amount", text, "EUR", "de-DE")).toEqual({ ok: true, value: null });
  });

  it("says in words what to type instead", () => {
    expect(parseDiscount("percent", "150", "USD", "en-US")).toEqual({ ok: false, message: "Type a percent from 0 to 100, like 10." });
    const amount = parseDiscount("amount", "2.555", "USD", "en-US");
    expect(amount.ok).toBe(false);
    expect(!amount.ok && amount.message).toMatch(/at most 2 decimals/);
    expect(parseDiscount("amount", "-1", "USD", "en-US")).toEqual({ ok: false, message: "The amount can't be negative." });
    expect(parseDiscount("amount", "1.234", "EUR", "de-DE").ok).toBe(false);
  });
});

describe("parsePriceOverride", () => {
  it("reads a unit price in minor units; empty goes back to the catalog price; 0 is free", () => {
    expect(parsePriceOverride("2,99", "EUR", "de-DE")).toEqual({ ok: true, value: 299 });
    expect(parsePriceOverride("", "EUR", "de-DE")).toEqual({ ok: true, value: null });
    expect(parsePriceOverride("0", "USD", "en-US")).toEqual({ ok: true, value: 0 });
    expect(parsePriceOverride("abc", "USD", "en-US").ok).toBe(false);
  });
});

describe("discountInput", () => {
  it("gives back what the cashier would type", () => {
    expect(discountInput({ kind: "percent", percent: 125_000 }, "EUR", "de-DE")).toBe("12,5");
    expect(discountInput({ kind: "amount", amount: 250 }, "EUR", "de-DE")).toBe("2,50");
    expect(discountInput({ kind: "amount", amount: 500 }, "JPY", "ja-JP")).toBe("500");
  });
});

describe("approvalWords and approvalDetails", () => {
  const override = { reason: "price_override", line: 1, catalog_unit_price: 349, unit_price: 200 } as const;
  const lineDiscount = { reason: "line_discount", line: 0, percent: 143_267 } as const;
  const receipt = { reason: "receipt_discount", percent: 250_000 } as const;

  it("says nothing when the backend asks for no manager", () => {
    expect(approvalWords([], false)).toBeNull();
  });

  it("names what the manager approves: a discount, a new price, or both", () => {
    expect(approvalWords([lineDiscount], false)?.note).toBe("A manager approves this discount with their PIN at Pay.");
    expect(approvalWords([override], false)?.note).toBe("A manager approves this new price with their PIN at Pay.");
    expect(approvalWords([receipt, override], false)?.title).toBe("Approve the discount and the new price");
    expect(approvalWords([override], true)?.note).toBe("As a manager, you approve this new price yourself.");
  });

  it("lists each approval with the line's name and the backend's numbers", () => {
    expect(approvalDetails([lineDiscount, override, receipt], ["Coffee", "Potato chips"], "USD", "en-US")).toEqual([
      "Coffee: 14.4% off",
      "Potato chips: $2.00 instead of $3.49",
      "Whole sale: 25% off",
    ]);
  });
});
