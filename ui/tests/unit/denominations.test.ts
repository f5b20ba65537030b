import { describe, expect, it } from "vitest";
import { countTotals, denominationsFor, parseCount } from "../../src/denominations";

const counts = (entries: [number, string][]) => new Map(entries);

describe("denomination tables", () => {
  it("has the USD bills and coins from the spec", () => {
    expect(denominationsFor("USD")).toEqual({ bills: [10000, 5000, 2000, 1000, 500, 100], coins: [25, 10, 5, 1] });
  });
  it("has EUR from €500 to 1 cent", () => {
    const eur = denominationsFor("EUR");
    expect(eur?.bills).toEqual([50000, 20000, 10000, 5000, 2000, 1000, 500]);
    expect(eur?.coins).toEqual([200, 100, 50, 20, 10, 5, 2, 1]);
  });
  it("has GBP, CAD and JPY (whole yen)", () => {
    expect(denominationsFor("GBP")?.bills).toContain(5000);
    expect(denominationsFor("CAD")?.coins).toContain(200);
    expect(denominationsFor("JPY")?.coins).toEqual([500, 100, 50, 10, 5, 1]);
    expect(denominationsFor("JPY")?.bills).toEqual([10000, 5000, 1000]);
  });
  it("takes a store's own lists, each on its own, and only for its own currency", () => {
    const store = { currency: "EUR", bills: [10000, 5000], coins: [] };
    expect(denominationsFor("EUR", store)).toEqual({ bills: [10000, 5000], coins: [200, 100, 50, 20, 10, 5, 2, 1] });
    expect(denominationsFor("USD", store)?.bills).toEqual([10000, 5000, 2000, 1000, 500, 100]);
    expect(denominationsFor("CHF", { currency: "CHF", bills: [], coins: [500, 200] })).toEqual({ bills: [], coins: [500, 200] });
    expect(denominationsFor("CHF", { currency: "CHF", bills: [], coins: [] })).toBeNull();
  });
  it("has no table for other currencies", () => {
    expect(denominationsFor("CHF")).toBeNull();
    expect(denominationsFor("KWD")).toBeNull();
  });
  it("lists each value once, largest first", () => {
    for (const code of ["USD", "EUR", "GBP", "CAD", "JPY"]) {
      const t = denominationsFor(code)!;
      const all = [...t.bills, ...t.coins];
      expect(new Set(all).size).toBe(all.length);
      expect([...all].sort((a, b) => b - a)).toEqual(all);
    }
  });
});

describe("parseCount", () => {
  it("reads digits, empty as zero", () => {
    expect(parseCount("")).toBe(0);
    expect(parseCount(" 7 ")).toBe(7);
    expect(parseCount("012")).toBe(12);
  });
  it("rejects anything else", () => {
    for (const bad of ["-1", "1.5", "1e2", "x", "1,000", "1234567890"]) expect(parseCount(bad)).toBeNull();
  });
});

describe("countTotals", () => {
  it("adds rows in minor units", () => {
    // 1 × $100 + 4 × $20 + 3 × $5 + 2 × $1 + 3 × 25¢ + 5 × 1¢ = $197.80
    const t = countTotals(counts([[10000, "1"], [2000, "4"], [500, "3"], [100, "2"], [25, "3"], [1, "5"], [10, ""]]));
    expect(t.total).toBe(19780);
    expect(t.rows.get(2000)).toBe(8000);
    expect(t.rows.get(25)).toBe(75);
    expect(t.rows.get(10)).toBe(0);
  });
  it("is zero when nothing is counted", () => {
    expect(countTotals(counts([[100, ""], [5, ""]])).total).toBe(0);
  });
  it("has no total when a row is invalid", () => {
    const t = countTotals(counts([[100, "2"], [5, "x"]]));
    expect(t.total).toBeNull();
    expect(t.rows.get(100)).toBe(200);
    expect(t.rows.get(5)).toBeNull();
  });
  it("counts yen without decimals", () => {
    expect(countTotals(counts([[10000, "2"], [500, "3"], [1, "7"]])).total).toBe(21507);
  });
  it("never goes past a safe integer", () => {
    const t = countTotals(counts([[50000, "999999999"], [20000, "999999999"]]));
    expect(t.total).toBe(69999999930000);
    const huge = new Map<number, string>();
    for (let i = 0; i < 200; i++) huge.set(50000 + i, "999999999");
    expect(countTotals(huge).total).toBeNull();
  });
});
