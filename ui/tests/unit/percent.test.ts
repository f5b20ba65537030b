import { describe, expect, it } from "vitest";
import { formatPercent, percentInput, percentTextToPpm } from "../../src/money";

/** The space before % varies by ICU version (no-break or narrow no-break): compare with a plain one. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("formatPercent: every percentage the UI prints", () => {
  it("writes ppm the locale's way: sign, space and decimal separator", () => {
    expect(formatPercent(125_000, "en-US")).toBe("12.5%");
    expect(plain(formatPercent(125_000, "de-DE"))).toBe("12,5 %");
    expect(formatPercent(125_000, "de-DE")).toMatch(/^12,5[\u00a0\u202f]%$/);
    expect(plain(formatPercent(190_000, "de-DE"))).toBe("19 %");
    expect(plain(formatPercent(81_000, "de-CH"))).toBe("8.1%");
    expect(plain(formatPercent(200_000, "fr-FR"))).toBe("20 %");
    expect(formatPercent(100_000, "en-US")).toBe("10%");
    expect(formatPercent(1_000_000, "en-US")).toBe("100%");
    expect(formatPercent(0, "en-US")).toBe("0%");
  });

  it("takes the backend's decimal text too, exactly", () => {
    expect(formatPercent("12.5", "en-US")).toBe("12.5%");
    expect(plain(formatPercent("12.5", "de-DE"))).toBe("12,5 %");
    expect(formatPercent("8.875", "en-US")).toBe("8.875%");
    expect(plain(formatPercent("8.1", "de-CH"))).toBe("8.1%");
    expect(percentTextToPpm("8.875")).toBe(88_750);
    expect(percentTextToPpm("19")).toBe(190_000);
    expect(percentTextToPpm("0.0001")).toBe(1);
  });

  it("prints the digits from integers (no 8.874999), grouping none", () => {
    expect(formatPercent(88_750, "en-US")).toBe("8.875%");
    expect(formatPercent(1, "en-US")).toBe("0.0001%");
    expect(plain(formatPercent(70_000, "de-DE"))).toBe("7 %");
  });

  it("rounds up to the decimals asked for, so a share is never understated", () => {
    expect(formatPercent(143_267, "en-US", 1)).toBe("14.4%");
    expect(formatPercent(140_000, "en-US", 1)).toBe("14%");
    expect(plain(formatPercent(143_267, "de-DE", 1))).toBe("14,4 %");
  });

  it("an unknown locale is written the en-US way; malformed input is refused, not guessed", () => {
    expect(formatPercent(125_000, "not a locale!")).toBe("12.5%");
    expect(() => formatPercent("12,5", "en-US")).toThrow(RangeError);
    expect(() => formatPercent("abc", "en-US")).toThrow(RangeError);
    expect(() => formatPercent("8.12345", "en-US")).toThrow(RangeError);
    expect(() => formatPercent(-1, "en-US")).toThrow(RangeError);
    expect(() => formatPercent(0.5, "en-US")).toThrow(RangeError);
  });

  it("gives the digits a cashier would type", () => {
    expect(percentInput(125_000, "de-DE")).toBe("12,5");
    expect(percentInput(125_000, "en-US")).toBe("12.5");
  });
});
