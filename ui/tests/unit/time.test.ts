import { describe, expect, it } from "vitest";
import { addDays, displayName, formatBusinessDay, formatClock, formatDayInput, parseDayInput, storeSample } from "../../src/time";

/** Spaces in formatted output vary by ICU version: compare with plain spaces. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, " ");

describe("formatClock", () => {
  it("shows HH:MM in the location's zone, 24 h", () => {
    expect(formatClock("2026-11-28T14:02:00Z", "America/New_York")).toBe("09:02");
    expect(formatClock("2026-11-28T08:02:00Z", "Europe/Berlin")).toBe("09:02");
    expect(formatClock("2026-11-28T21:30:00Z", "Asia/Tokyo")).toBe("06:30");
    expect(formatClock("2026-11-28T17:05:00Z", "UTC")).toBe("17:05");
    expect(formatClock("2026-11-28T05:00:00Z", "America/New_York")).toBe("00:00");
  });
  it("follows daylight saving time", () => {
    expect(formatClock("2026-07-01T13:02:00Z", "America/New_York")).toBe("09:02");
  });
  it("accepts offsets and fractions", () => {
    expect(formatClock("2026-11-28T09:02:33.123456+00:00", "UTC")).toBe("09:02");
  });
  it("falls back to UTC for an unknown zone, and to empty for a bad instant", () => {
    expect(formatClock("2026-11-28T09:02:00Z", "Mars/Olympus")).toBe("09:02");
    expect(formatClock("yesterday", "UTC")).toBe("");
  });
});

describe("displayName", () => {
  it("capitalises", () => {
    expect(displayName("alice")).toBe("Alice");
    expect(displayName("Bob")).toBe("Bob");
    expect(displayName("")).toBe("");
  });
});

describe("formatBusinessDay", () => {
  it("formats the calendar date", () => {
    expect(formatBusinessDay("2026-11-28")).toBe("Sat 28 Nov 2026");
    expect(formatBusinessDay("not a day")).toBe("not a day");
  });
});

describe("formatBusinessDay in the store's locale", () => {
  it("writes the day the store's way", () => {
    expect(formatBusinessDay("2026-11-28", "de-DE")).toBe("Sa., 28. Nov. 2026");
    expect(formatBusinessDay("2026-11-28", "en-US")).toBe("Sat, Nov 28, 2026");
    expect(formatBusinessDay("2026-02-30", "de-DE")).toBe("2026-02-30");
  });
});

describe("addDays", () => {
  it("steps over month, year and leap days, in calendar days", () => {
    expect(addDays("2026-11-28", 1)).toBe("2026-11-29");
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
    expect(addDays("2026-03-29", 1)).toBe("2026-03-30"); // a DST change in Europe
    expect(() => addDays("soon", 1)).toThrow(RangeError);
  });
});

describe("formatDayInput and parseDayInput: a date typed in the locale's order", () => {
  it("writes day.month.year in de-DE and month/day/year in en-US", () => {
    expect(formatDayInput("2026-11-28", "de-DE")).toBe("28.11.2026");
    expect(formatDayInput("2026-11-28", "en-US")).toBe("11/28/2026");
  });
  // [typed, locale, the day read, or null: not a calendar day]
  it.each([
    ["28.11.2026", "de-DE", "2026-11-28"],
    ["1.2.2026", "de-DE", "2026-02-01"],
    ["1.2.26", "de-DE", "2026-02-01"],
    ["11/28/2026", "en-US", "2026-11-28"],
    ["2/1/2026", "en-US", "2026-02-01"],
    ["2026-11-28", "de-DE", "2026-11-28"],
    [" 2026-11-28 ", "en-US", "2026-11-28"],
    ["28/11/2026", "en-US", null], // month 28
    ["30.02.2026", "de-DE", null],
    ["28.11", "de-DE", null],
    ["", "de-DE", null],
    ["28.11.202", "de-DE", null],
    ["yesterday", "en-US", null],
  ])("reads %j in %s as %s", (typed, locale, day) => {
    expect(parseDayInput(typed, locale)).toBe(day);
  });
});

describe("storeSample: the new store's money and time, live", () => {
  const now = new Date("2026-11-28T14:02:00Z");
  it("formats a fixed amount and the time in the locale, currency and zone", () => {
    const berlin = storeSample("de-DE", "EUR", "Europe/Berlin", now);
    expect(berlin.ok && plain(berlin.text)).toBe("1.234,56 € · 28.11.2026 15:02");
    expect(storeSample("en-US", "USD", "America/New_York", now)).toEqual({ ok: true, text: "$1,234.56 · 11/28/2026 09:02 AM" });
    const yen = storeSample("ja-JP", "JPY", "Asia/Tokyo", now);
    expect(yen.ok && plain(yen.text)).toMatch(/^[¥￥]1,234 · 2026\/11\/28 23:02$/);
  });
  it("says what to fix for a bad locale, currency or zone, and never throws", () => {
    expect(storeSample("de_DE!", "EUR", "Europe/Berlin", now)).toMatchObject({ ok: false, field: "locale" });
    expect(storeSample("", "EUR", "Europe/Berlin", now)).toMatchObject({ ok: false, field: "locale" });
    expect(storeSample("de-DE", "EU", "Europe/Berlin", now)).toMatchObject({ ok: false, field: "currency" });
    expect(storeSample("de-DE", "XYZ", "Europe/Berlin", now)).toMatchObject({ ok: false, field: "currency" });
    expect(storeSample("de-DE", "EUR", "Mars/Olympus", now)).toMatchObject({ ok: false, field: "time_zone" });
    expect(storeSample("de-DE", "EUR", "", now)).toMatchObject({ ok: false, field: "time_zone" });
  });
});
