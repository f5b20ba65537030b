import { currencyDecimals, formatMoney } from "./money";

/**
 * "HH:MM" (24 h) of an RFC 3339 instant in an IANA time zone, e.g. ("2026-11-28T14:02:00Z",
 * "America/New_York") → "09:02". An unknown zone falls back to UTC; a bad instant gives "".
 */
export function formatClock(instant: string, timeZone: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return "";
  const options: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-GB", { ...options, timeZone });
  } catch {
    fmt = new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
  }
  const parts = fmt.formatToParts(date);
  const hour = parts.find((p) => p.type === "hour")?.value ?? "00";
  const minute = parts.find((p) => p.type === "minute")?.value ?? "00";
  return `${hour}:${minute}`;
}

/** A user name as people read it: "alice" → "Alice". */
export function displayName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** "2026-11-28" → its date at midnight UTC; null when it is not a calendar date ("2026-02-30"). */
function dayDate(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === day ? date : null;
}

/** A Date at midnight UTC → "2026-11-28". */
function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The locale's formatter, or en-US's for a tag Intl does not take. */
function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat(locale, options);
  } catch {
    return new Intl.DateTimeFormat("en-US", options);
  }
}

/**
 * "2026-11-28" → "Sat 28 Nov 2026" (calendar date, no time zone shift); with the store's
 * `locale`, that locale's way: "Sa., 28. Nov. 2026" (de-DE), "Sat, Nov 28, 2026" (en-US).
 */
export function formatBusinessDay(day: string, locale?: string): string {
  const date = dayDate(day);
  if (!date) return day;
  const options: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" };
  if (locale !== undefined) return dateFormat(locale, options).format(date);
  return new Intl.DateTimeFormat("en-GB", options).format(date).replace(",", "");
}

/** The day `days` after `day` (before, when negative): ("2026-02-28", 1) → "2026-03-01". */
export function addDays(day: string, days: number): string {
  const date = dayDate(day);
  if (!date) throw new RangeError(`not a calendar day: ${JSON.stringify(day)}`);
  return isoDay(new Date(date.getTime() + days * 86_400_000));
}

const NUMERIC_DATE: Intl.DateTimeFormatOptions = { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" };

/** "2026-11-28" as people type it in `locale`: "28.11.2026" (de-DE), "11/28/2026" (en-US). */
export function formatDayInput(day: string, locale: string): string {
  const date = dayDate(day);
  return date ? dateFormat(locale, NUMERIC_DATE).format(date) : day;
}

/**
 * A date typed in the locale's order ("28.11.2026" in de-DE, "11/28/2026" in en-US; any
 * non-digit between the numbers; a 2-digit year is this century) → "2026-11-28". A year typed
 * first with 4 digits ("2026-11-28") is read as year-month-day in any locale. Null when it is
 * not a real calendar day.
 */
export function parseDayInput(text: string, locale: string): string | null {
  const numbers = text.trim().split(/[^0-9]+/).filter((n) => n !== "");
  if (numbers.length !== 3) return null;
  let order = dateFormat(locale, NUMERIC_DATE)
    .formatToParts(new Date(Date.UTC(2026, 10, 28)))
    .map((p) => p.type)
    .filter((t): t is "day" | "month" | "year" => t === "day" || t === "month" || t === "year");
  if ((numbers[0] ?? "").length === 4) order = ["year", "month", "day"];
  if (order.length !== 3) return null;
  const value = (part: "day" | "month" | "year") => numbers[order.indexOf(part)] ?? "";
  const yearText = value("year");
  if (yearText.length !== 4 && yearText.length !== 2) return null;
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  const month = value("month");
  const dayOfMonth = value("day");
  if (month.length > 2 || dayOfMonth.length > 2) return null;
  const day = `${String(year).padStart(4, "0")}-${month.padStart(2, "0")}-${dayOfMonth.padStart(2, "0")}`;
  return dayDate(day) ? day : null;
}

export type StoreSample = { ok: true; text: string } | { ok: false; problem: string; field: "locale" | "currency" | "time_zone" };

/**
 * How a store will print money and time: a fixed amount (1 234.56 in the currency's own
 * decimals) and `now` in `timeZone`, both in `locale`: "1.234,56 € · 28.11.2026 15:02" for
 * de-DE, EUR, Europe/Berlin. A locale, currency or zone Intl does not take gives the words to
 * fix it instead; this never throws.
 */
export function storeSample(locale: string, currency: string, timeZone: string, now: Date): StoreSample {
  let tag: string | undefined;
  try {
    tag = Intl.getCanonicalLocales(locale)[0];
  } catch {
    tag = undefined;
  }
  if (!tag || Intl.NumberFormat.supportedLocalesOf(tag).length === 0) {
    return { ok: false, field: "locale", problem: "Type a number format like en-US, de-DE or fr-CH to see a sample." };
  }
  const code = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !knownCurrency(code)) {
    return { ok: false, field: "currency", problem: "Type the currency's three letters, like USD or EUR, to see a sample." };
  }
  let when: Intl.DateTimeFormat;
  try {
    when = new Intl.DateTimeFormat(tag, { ...NUMERIC_DATE, hour: "2-digit", minute: "2-digit", timeZone: timeZone.trim() });
  } catch {
    return { ok: false, field: "time_zone", problem: "Type a time zone like Europe/Berlin or America/New_York to see a sample." };
  }
  const decimals = currencyDecimals(code);
  // 1 234.56 in the currency's minor units, by integers: 123456 cents, 1234 yen, 1234560 fils.
  const amount = 1234 * 10 ** decimals + Math.floor((56 * 10 ** decimals) / 100);
  const date = when.formatToParts(now).map((p) => (p.type === "literal" && /,/.test(p.value) ? " " : p.value)).join("");
  return { ok: true, text: `${formatMoney(amount, code, tag)} · ${date.replace(/\s+/g, " ")}` };
}

/** Whether Intl knows the currency (where it can list them; else any three letters). */
function knownCurrency(code: string): boolean {
  const values = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  return values ? values("currency").includes(code) : true;
}
