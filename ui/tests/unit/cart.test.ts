import { describe, expect, it } from "vitest";
import { addProduct, changeQuantity, percentDiscount, quickCashAmounts, saleLines } from "../../src/cart";
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
