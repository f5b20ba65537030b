import { describe, expect, it } from "vitest";
import { displayName, formatBusinessDay, formatClock } from "../../src/time";

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
