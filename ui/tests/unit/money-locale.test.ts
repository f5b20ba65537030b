import { describe, expect, it } from "vitest";
import {
  currencyName,
  denominationLabel,
  describeVariance,
  formatAmountInput,
  formatMoney,
  moneyParseMessage,
  normalizeAmount,
  parseLocaleMoney,
  separators,
} from "../../src/money";

const NNBSP = "\u202f";
const NBSP = "\u00a0";
/** Spaces in formatted output vary by ICU version: compare with plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("separators", () => {
  it("reads the locale's decimal and grouping", () => {
    expect(separators("en-US")).toEqual({ decimal: ".", group: "," });
    expect(separators("de-DE")).toEqual({ decimal: ",", group: "." });
    expect(separators("fr-FR").decimal).toBe(",");
    expect(separators("fr-FR").group).toMatch(/[\u00a0\u202f ]/);
    expect(separators("de-CH").decimal).toBe(".");
    expect(separators("de-CH").group).toMatch(/['\u2019]/);
    expect(separators("not a locale!")).toEqual({ decimal: ".", group: "," });
  });
});

describe("normalizeAmount → the core's plain decimal", () => {
  it.each([
    // en-US: point decimal, comma grouping
    ["en-US", 2, "500.06", "500.06"],
    ["en-US", 2, "1,234.50", "1234.50"],
    ["en-US", 2, "1,234", "1234"],
    ["en-US", 2, "  12.3 ", "12.3"],
    // de-DE: comma decimal, point grouping; a point is also a decimal point
    ["de-DE", 2, "500,06", "500.06"],
    ["de-DE", 2, "500.06", "500.06"],
    ["de-DE", 2, "1.234,50", "1234.50"],
    ["de-DE", 2, "1.234.567,89", "1234567.89"],
    ["de-DE", 2, "1234,5", "1234.5"],
    ["de-DE", 2, "1.5", "1.5"],
    // fr-FR: narrow no-break space (or any space) grouping, comma decimal
    ["fr-FR", 2, `1${NNBSP}234,50`, "1234.50"],
    ["fr-FR", 2, `1${NBSP}234,50`, "1234.50"],
    ["fr-FR", 2, "1 234,50", "1234.50"],
    ["fr-FR", 2, "500,06", "500.06"],
    ["fr-FR", 2, "500.06", "500.06"],
    // de-CH: apostrophe grouping (either apostrophe), point decimal
    ["de-CH", 2, "1'234.50", "1234.50"],
    ["de-CH", 2, "1\u2019234.50", "1234.50"],
    ["de-CH", 2, "500.05", "500.05"],
    // ja-JP: no minor unit
    ["ja-JP", 0, "1,234", "1234"],
    ["ja-JP", 0, "500", "500"],
    // 3 decimals (KWD, BHD)
    ["en-US", 3, "1.234", "1.234"],
    ["en-US", 3, "1,234.567", "1234.567"],
    ["de-DE", 3, "1,234", "1.234"],
    ["de-DE", 3, "1234.567", "1234.567"],
  ])("%s (%d decimals): %j → %j", (locale, decimals, input, canonical) => {
    expect(normalizeAmount(input, decimals, locale)).toEqual({ ok: true, canonical });
  });

  it.each([
    ["de-DE", 2, "1.234", "ambiguous"], // 1234 or 1.234?
    ["de-DE", 3, "1.234", "ambiguous"],
    ["de-DE", 2, "1.234.567", "ambiguous"],
    ["de-DE", 2, "1,234.5", "invalid"],
    ["de-DE", 2, "1.23,4", "invalid"],
    ["en-US", 2, "500,06", "invalid"], // a comma is grouping in en-US, and 06 is no group
    ["en-US", 2, "1,23,456", "invalid"],
    ["en-US", 2, "12,34.5", "invalid"],
    ["en-US", 2, "1 234.50", "invalid"],
    ["fr-FR", 2, "1 23,50", "invalid"],
    ["de-CH", 2, "500,06", "invalid"],
    ["de-CH", 2, "1'23.50", "invalid"],
    ["en-US", 2, "", "empty"],
    ["en-US", 2, "-5", "negative"],
    ["de-DE", 2, "-5,50", "negative"],
    ["en-US", 2, "--5", "invalid"],
    ["en-US", 2, "+5", "invalid"],
    ["en-US", 2, "200.", "invalid"],
    ["en-US", 2, ".5", "invalid"],
    ["en-US", 2, "$200", "invalid"],
    ["de-DE", 2, "200 €", "invalid"],
    ["en-US", 2, "1e3", "invalid"],
    ["en-US", 2, "١٢٣", "invalid"],
  ])("%s (%d decimals): %j is %s", (locale, decimals, input, error) => {
    expect(normalizeAmount(input, decimals, locale)).toEqual({ ok: false, error });
  });
});

describe("parseLocaleMoney → integer minor units", () => {
  it.each([
    ["500,06", "EUR", "de-DE", 50006],
    ["1.234,50", "EUR", "de-DE", 123450],
    [`1${NNBSP}234,50`, "EUR", "fr-FR", 123450],
    ["1'234.50", "CHF", "de-CH", 123450],
    ["1,234", "JPY", "ja-JP", 1234],
    ["1.5", "KWD", "en-US", 1500],
    ["1,234.567", "BHD", "en-US", 1234567],
    ["200", "USD", "en-US", 20000],
  ])("%j %s %s = %d", (input, currency, locale, minor) => {
    expect(parseLocaleMoney(input, currency, locale)).toEqual({ ok: true, minor });
  });

  it.each([
    ["500,5", "JPY", "ja-JP", "invalid"],
    ["500.5", "JPY", "ja-JP", "too_many_decimals"],
    ["1.2345", "KWD", "en-US", "too_many_decimals"],
    ["500,065", "EUR", "de-DE", "too_many_decimals"],
    ["1.234", "EUR", "de-DE", "ambiguous"],
  ])("%j %s %s: %s", (input, currency, locale, error) => {
    expect(parseLocaleMoney(input, currency, locale)).toEqual({ ok: false, error });
  });
});

describe("formatting in the store's locale", () => {
  it.each([
    [50006, "EUR", "de-DE", "500,06 €"],
    [123450, "EUR", "de-DE", "1.234,50 €"],
    [123450, "EUR", "fr-FR", "1 234,50 €"],
    [123450, "CHF", "de-CH", "CHF 1’234.50"],
    [123456, "JPY", "ja-JP", "￥123,456"],
    [1234567, "KWD", "en-US", "KWD 1,234.567"],
    [-250, "EUR", "de-DE", "-2,50 €"],
    [20000, "USD", "en-US", "$200.00"],
  ])("formatMoney(%d, %s, %s) = %j", (minor, currency, locale, text) => {
    expect(plain(formatMoney(minor, currency, locale)).replace("'", "’")).toBe(text);
  });

  it("labels bills and coins in the locale", () => {
    expect(plain(denominationLabel(50000, "EUR", "de-DE"))).toBe("500 €");
    expect(plain(denominationLabel(5, "EUR", "de-DE"))).toBe("0,05 €");
    expect(plain(denominationLabel(10000, "JPY", "ja-JP"))).toBe("￥10,000");
  });

  it("writes amounts the way a cashier types them", () => {
    expect(formatAmountInput(50006, 2, "de-DE")).toBe("500,06");
    expect(formatAmountInput(50006, 2, "en-US")).toBe("500.06");
    expect(formatAmountInput(1234567, 2, "fr-FR")).toBe("12345,67");
    expect(formatAmountInput(500, 0, "ja-JP")).toBe("500");
    expect(formatAmountInput(1500, 3, "de-DE")).toBe("1,500");
  });

  it("names the currency for screen readers", () => {
    expect(currencyName("EUR", "en-US")).toBe("euros");
    expect(currencyName("USD", "en-US")).toBe("US dollars");
    expect(currencyName("XX!", "en-US")).toBe("XX!");
  });

  it("words variances with a sign and words", () => {
    expect(plain(describeVariance(500, "EUR", "de-DE").text)).toBe("Over: +5,00 € more than expected");
    expect(plain(describeVariance(-250, "EUR", "de-DE").text)).toBe("Short: −2,50 € less than expected");
  });

  it("gives examples with the locale's separator", () => {
    expect(moneyParseMessage("invalid", "EUR", "de-DE")).toBe("Type an amount like 200 or 200,50, using only digits and a comma.");
    expect(moneyParseMessage("ambiguous", "EUR", "de-DE")).toContain("200,50");
    expect(moneyParseMessage("invalid", "KWD", "en-US")).toContain("200.500");
  });
});

describe("edge cases of normalizeAmount", () => {
  it("reads points as grouping for a currency with no minor unit in a point-grouping locale", () => {
    expect(normalizeAmount("1.234", 0, "de-DE")).toEqual({ ok: true, canonical: "1234" });
    expect(normalizeAmount("1.234.567", 0, "de-DE")).toEqual({ ok: true, canonical: "1234567" });
  });
  it("calls any well-formed negative amount negative", () => {
    expect(normalizeAmount("-1.5", 2, "de-DE")).toEqual({ ok: false, error: "negative" });
    expect(normalizeAmount("\u22125", 2, "en-US")).toEqual({ ok: false, error: "negative" });
    expect(normalizeAmount("-1.234", 2, "de-DE")).toEqual({ ok: false, error: "negative" });
  });
});
