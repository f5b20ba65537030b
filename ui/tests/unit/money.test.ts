import { describe, expect, it } from "vitest";
import {
  currencyDecimals,
  currencySymbol,
  denominationLabel,
  describeVariance,
  formatMoney,
  minorToDecimal,
  moneyParseMessage,
  parseMoney,
} from "../../src/money";

describe("currencyDecimals", () => {
  it("knows 0, 2 and 3 decimal currencies", () => {
    expect(currencyDecimals("USD")).toBe(2);
    expect(currencyDecimals("EUR")).toBe(2);
    expect(currencyDecimals("JPY")).toBe(0);
    expect(currencyDecimals("jpy")).toBe(0);
    expect(currencyDecimals("KWD")).toBe(3);
    expect(currencyDecimals("XYZ")).toBe(2);
  });
});

describe("parseMoney (2 decimals)", () => {
  it.each([
    ["200", 20000],
    ["200.5", 20050],
    ["200.50", 20050],
    ["0", 0],
    ["0.05", 5],
    ["007.10", 710],
    ["  12.30  ", 1230],
    ["90071992547409.91", 9007199254740991],
  ])("accepts %j as %d minor units", (input, minor) => {
    expect(parseMoney(input, 2)).toEqual({ ok: true, minor });
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["-5", "negative"],
    ["-0.50", "negative"],
    ["200.505", "too_many_decimals"],
    ["1,000", "invalid"],
    ["1,000.00", "invalid"],
    ["1 000", "invalid"],
    ["1e3", "invalid"],
    ["1E3", "invalid"],
    ["2.5e1", "invalid"],
    ["NaN", "invalid"],
    ["Infinity", "invalid"],
    ["abc", "invalid"],
    ["+5", "invalid"],
    ["--5", "invalid"],
    ["200.", "invalid"],
    [".50", "invalid"],
    ["$200", "invalid"],
    ["0x10", "invalid"],
    ["١٢٣", "invalid"],
    ["90071992547409.92", "too_large"],
    ["99999999999999999999", "too_large"],
  ])("rejects %j (%s)", (input, error) => {
    expect(parseMoney(input, 2)).toEqual({ ok: false, error });
  });
});

describe("parseMoney (JPY, 0 decimals)", () => {
  it("accepts whole yen", () => {
    expect(parseMoney("500", 0)).toEqual({ ok: true, minor: 500 });
    expect(parseMoney("9007199254740991", 0)).toEqual({ ok: true, minor: 9007199254740991 });
  });
  it("rejects any decimals, even .0", () => {
    expect(parseMoney("500.5", 0)).toEqual({ ok: false, error: "too_many_decimals" });
    expect(parseMoney("500.0", 0)).toEqual({ ok: false, error: "too_many_decimals" });
  });
  it("rejects values above 2^53-1", () => {
    expect(parseMoney("9007199254740992", 0)).toEqual({ ok: false, error: "too_large" });
  });
});

describe("parseMoney (3 decimals)", () => {
  it("scales by 1000", () => {
    expect(parseMoney("1.5", 3)).toEqual({ ok: true, minor: 1500 });
    expect(parseMoney("1.234", 3)).toEqual({ ok: true, minor: 1234 });
    expect(parseMoney("1.2345", 3)).toEqual({ ok: false, error: "too_many_decimals" });
  });
});

describe("minor units → canonical decimal text", () => {
  it.each([
    [20000, 2, "200.00"],
    [20050, 2, "200.50"],
    [5, 2, "0.05"],
    [0, 2, "0.00"],
    [-250, 2, "-2.50"],
    [-5, 2, "-0.05"],
    [500, 0, "500"],
    [1234, 3, "1.234"],
    [9007199254740991, 2, "90071992547409.91"],
  ])("minorToDecimal(%d, %d) = %j", (minor, decimals, text) => {
    expect(minorToDecimal(minor, decimals)).toBe(text);
  });

  it("round-trips", () => {
    for (const minor of [0, 1, 99, 100, 12345, 9007199254740991]) {
      expect(parseMoney(minorToDecimal(minor, 2), 2)).toEqual({ ok: true, minor });
    }
  });

  it("refuses non-integers", () => {
    expect(() => minorToDecimal(1.5, 2)).toThrow(RangeError);
    expect(() => minorToDecimal(2 ** 53, 2)).toThrow(RangeError);
  });
});

describe("formatMoney", () => {
  it.each([
    [20000, "USD", "$200.00"],
    [5, "USD", "$0.05"],
    [0, "USD", "$0.00"],
    [123456789, "USD", "$1,234,567.89"],
    [-250, "USD", "-$2.50"],
    [500, "JPY", "¥500"],
    [1234567, "JPY", "¥1,234,567"],
    [1250, "EUR", "€12.50"],
    [1999, "GBP", "£19.99"],
    [1000, "CAD", "CA$10.00"],
    [1500, "KWD", "KWD 1.500"],
    [9007199254740991, "USD", "$90,071,992,547,409.91"],
  ])("formatMoney(%d, %s) = %j", (minor, currency, text) => {
    expect(formatMoney(minor, currency).replace(/\u00a0/g, " ")).toBe(text);
  });

  it("falls back to the code for an unknown currency format", () => {
    expect(formatMoney(1250, "not-a-code")).toBe("12.50 not-a-code");
  });

  it("gives input symbols", () => {
    expect(currencySymbol("USD")).toBe("$");
    expect(currencySymbol("JPY")).toBe("¥");
    expect(currencySymbol("EUR")).toBe("€");
  });
});

describe("describeVariance", () => {
  it("words over, short and even", () => {
    expect(describeVariance(500, "USD")).toEqual({ text: "Over: +$5.00 more than expected", kind: "over" });
    expect(describeVariance(-250, "USD")).toEqual({ text: "Short: −$2.50 less than expected", kind: "short" });
    expect(describeVariance(0, "USD")).toEqual({ text: "Even: the count matches", kind: "even" });
    expect(describeVariance(-300, "JPY")).toEqual({ text: "Short: −¥300 less than expected", kind: "short" });
  });
});

describe("moneyParseMessage", () => {
  it("speaks plainly", () => {
    expect(moneyParseMessage("empty", "USD")).toBe("Enter an amount.");
    expect(moneyParseMessage("negative", "USD")).toBe("The amount can't be negative.");
    expect(moneyParseMessage("too_many_decimals", "USD")).toContain("at most 2 decimals");
    expect(moneyParseMessage("too_many_decimals", "JPY")).toContain("no decimals");
    expect(moneyParseMessage("invalid", "USD")).toContain("200.50");
    expect(moneyParseMessage("too_large", "USD")).toBe("That amount is too large.");
  });
});

describe("denominationLabel", () => {
  it("prints bills and coins as they read", () => {
    expect(denominationLabel(10000, "USD")).toBe("$100");
    expect(denominationLabel(100, "USD")).toBe("$1");
    expect(denominationLabel(25, "USD")).toBe("$0.25");
    expect(denominationLabel(50000, "EUR")).toBe("€500");
    expect(denominationLabel(200, "EUR")).toBe("€2");
    expect(denominationLabel(5, "EUR")).toBe("€0.05");
    expect(denominationLabel(10000, "CAD")).toBe("CA$100");
    expect(denominationLabel(500, "JPY")).toBe("¥500");
    expect(denominationLabel(10000, "JPY")).toBe("¥10,000");
  });
});
