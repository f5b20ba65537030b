import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PRINTER_POLL_MS, printerBannerText, watchPrinter } from "../../src/printer-banner";
import type { PrinterStatusView } from "../../src/types";

const fine: PrinterStatusView = {
  configured: true,
  prints: true,
  problem: null,
  message: null,
  waiting: 0,
  paper_near_end: false,
  drawer_open: null,
  ask_to_close_drawer: false,
};
const paperOut: PrinterStatusView = { ...fine, problem: "paper_out", message: "Printer: out of paper", waiting: 2 };

describe("printerBannerText", () => {
  it("says the problem in the backend's words, with the jobs waiting", () => {
    expect(printerBannerText(paperOut)).toBe("Printer: out of paper · 2 waiting to print");
    expect(printerBannerText({ ...paperOut, waiting: 0 })).toBe("Printer: out of paper");
  });

  it("asks to close an open drawer when the store asks for it, before any printer problem", () => {
    const open = { ...fine, drawer_open: true, ask_to_close_drawer: true };
    expect(printerBannerText(open)).toBe("Close the cash drawer");
    expect(printerBannerText({ ...paperOut, drawer_open: true, ask_to_close_drawer: true })).toBe(
      "Close the cash drawer · Printer: out of paper · 2 waiting to print",
    );
    expect(printerBannerText({ ...fine, drawer_open: true })).toBeNull();
  });

  it("says nothing when the printer is fine, or there is none", () => {
    expect(printerBannerText(fine)).toBeNull();
    expect(printerBannerText({ ...fine, waiting: 3 })).toBeNull();
    expect(printerBannerText({ ...paperOut, configured: false })).toBeNull();
    expect(printerBannerText(null)).toBeNull();
  });
});

describe("watchPrinter", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("shows the problem, then hides it once the printer is back", async () => {
    const answers = [paperOut, paperOut, fine];
    let asked = 0;
    const read = () => Promise.resolve(answers[Math.min(asked++, answers.length - 1)] ?? fine);
    const shown: (string | null)[] = [];
    const stop = watchPrinter(read, (text) => shown.push(text));
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual(["Printer: out of paper · 2 waiting to print"]);
    await vi.advanceTimersByTimeAsync(PRINTER_POLL_MS);
    await vi.advanceTimersByTimeAsync(PRINTER_POLL_MS);
    expect(shown).toEqual(["Printer: out of paper · 2 waiting to print", "Printer: out of paper · 2 waiting to print", null]);
    stop();
    await vi.advanceTimersByTimeAsync(PRINTER_POLL_MS * 3);
    expect(asked).toBe(3);
  });

  it("hides the banner when the status cannot be read, and asks again", async () => {
    let fail = true;
    const read = () => (fail ? Promise.reject(new Error("device_not_set_up")) : Promise.resolve(paperOut));
    const shown: (string | null)[] = [];
    const stop = watchPrinter(read, (text) => shown.push(text));
    await vi.advanceTimersByTimeAsync(0);
    fail = false;
    await vi.advanceTimersByTimeAsync(PRINTER_POLL_MS);
    expect(shown).toEqual([null, "Printer: out of paper · 2 waiting to print"]);
    stop();
  });
});
