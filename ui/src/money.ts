/**
 * Money in the UI: always an integer count of minor units (cents, pence, yen) held in a
 * `number` that is a safe integer. No function here ever divides money into a float.
 *
 * - `parseMoney` turns what a cashier typed into minor units (strict, see its doc).
 * - The backend sends and takes minor units too; `minorToDecimal` is only the canonical text an
 *   input field shows ("200.00").
 * - `formatMoney` renders minor units for people in the store's locale ("$200.00", "500,06 €");
 *   Intl is used only to learn where the symbol, sign and separators go.
 * - `normalizeAmount` / `parseLocaleMoney`: the ONE place that reads what a cashier typed in the
 *   store's locale ("500,06", "1.234,50", "1 234,50", "1'234.50") and turns it into the canonical
 *   plain decimal the core parses ("500.06", `Money::parse_cash`). Ambiguous grouping is refused.
 */

/** ISO 4217 currencies whose minor unit is not 2 decimals. Everything else has 2. */
const DECIMALS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Number of decimals (minor-unit exponent) of an ISO 4217 currency code. */
export function currencyDecimals(currency: string): number {
  return DECIMALS[currency.toUpperCase()] ?? 2;
}

export type MoneyParseError = "empty" | "negative" | "invalid" | "too_many_decimals" | "too_large" | "ambiguous";

export type MoneyParse = { ok: true; minor: number } | { ok: false; error: MoneyParseError };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a typed amount into minor units.
 *
 * Accepts plain ASCII digits with an optional decimal point followed by 1..`decimals` digits:
 * "200", "200.5", "200.50", "0.05", surrounding spaces allowed. Rejects the empty string,
 * a sign ("-5" is `negative`, "+5" is `invalid`), thousands separators, exponents, "NaN",
 * a dangling point ("200.", ".5"), more decimals than the currency has, and values above
 * 2^53-1 minor units.
 */
export function parseMoney(input: string, decimals: number): MoneyParse {
  const text = input.trim();
  if (text === "") return { ok: false, error: "empty" };
  if (text.startsWith("-")) {
    return PLAIN_DECIMAL.test(text.slice(1)) ? { ok: false, error: "negative" } : { ok: false, error: "invalid" };
  }
  const match = PLAIN_DECIMAL.exec(text);
  if (!match) return { ok: false, error: "invalid" };
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) return { ok: false, error: "too_many_decimals" };
  const minor = BigInt(whole + fraction.padEnd(decimals, "0"));
  if (minor > MAX_SAFE) return { ok: false, error: "too_large" };
  return { ok: true, minor: Number(minor) };
}

function splitMinor(minor: number, decimals: number): { negative: boolean; whole: string; fraction: string } {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not a safe integer amount: ${minor}`);
  const digits = Math.abs(minor).toString().padStart(decimals + 1, "0");
  return {
    negative: minor < 0,
    whole: digits.slice(0, digits.length - decimals),
    fraction: digits.slice(digits.length - decimals),
  };
}

/** Minor units → canonical decimal text: (20000, 2) → "200.00", (-250, 2) → "-2.50", (500, 0) → "500". */
export function minorToDecimal(minor: number, decimals: number): string {
  const { negative, whole, fraction } = splitMinor(minor, decimals);
  return (negative ? "-" : "") + whole + (decimals > 0 ? "." + fraction : "");
}

function groupThousands(whole: string, separator: string): string {
  let out = "";
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) out += separator;
    out += whole[i];
  }
  return out;
}

/**
 * Formats minor units for display: (20000, "USD") → "$200.00", (500, "JPY") → "¥500",
 * (1250, "EUR") → "€12.50", (-250, "USD") → "-$2.50". The digits come from integer
 * arithmetic on strings; Intl only supplies the symbol, sign and separator placement.
 */
export function formatMoney(minor: number, currency: string, locale = "en-US"): string {
  const decimals = currencyDecimals(currency);
  const { negative, whole, fraction } = splitMinor(minor, decimals);
  let nf: Intl.NumberFormat;
  try {
    nf = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
  } catch {
    return `${negative ? "-" : ""}${groupThousands(whole, ",")}${decimals > 0 ? "." + fraction : ""} ${currency}`;
  }
  const group = nf.formatToParts(1000000).find((p) => p.type === "group")?.value ?? "";
  let out = "";
  for (const part of nf.formatToParts(negative ? -1 : 1)) {
    switch (part.type) {
      case "integer":
        out += groupThousands(whole, group);
        break;
      case "fraction":
        out += fraction;
        break;
      case "group":
        break;
      default: // currency, literal, minusSign, decimal
        out += part.value;
    }
  }
  return out;
}

/** A bill or coin as printed on it: 10000 USD → "$100", 25 USD → "$0.25", 500 JPY → "¥500". */
export function denominationLabel(minor: number, currency: string, locale = "en-US"): string {
  const text = formatMoney(minor, currency, locale);
  const decimals = currencyDecimals(currency);
  if (decimals === 0 || minor % 10 ** decimals !== 0) return text;
  const zeros = separators(locale).decimal + "0".repeat(decimals);
  const at = text.lastIndexOf(zeros);
  // Drop the decimal separator and the zero decimals ("$100.00" → "$100", "100,00 €" → "100 €").
  return at > 0 ? text.slice(0, at) + text.slice(at + zeros.length) : text;
}

/** The words a cashier sees when an amount does not parse; the examples use the locale's separator. */
export function moneyParseMessage(error: MoneyParseError, currency: string, locale = "en-US"): string {
  const decimals = currencyDecimals(currency);
  const { decimal } = separators(locale);
  const example = decimals > 0 ? `200 or 200${decimal}${"5".padEnd(decimals, "0")}` : "200";
  switch (error) {
    case "empty":
      return "Enter an amount.";
    case "negative":
      return "The amount can't be negative.";
    case "too_many_decimals":
      return decimals === 0
        ? `${currency} amounts have no decimals. Type an amount like ${example}.`
        : `${currency} amounts have at most ${decimals} decimals. Type an amount like ${example}.`;
    case "too_large":
      return "That amount is too large.";
    case "ambiguous":
      return `That could be read two ways. Leave out the thousands separator: type an amount like ${example}.`;
    case "invalid":
      return `Type an amount like ${example}, using only digits${decimals > 0 ? ` and a ${separatorName(decimal)}` : ""}.`;
  }
}

function separatorName(decimal: string): string {
  return decimal === "," ? "comma" : "point";
}

/** The locale's decimal and grouping separators ("de-DE" → "," and "."); en-US's for an unknown locale. */
export function separators(locale: string): { decimal: string; group: string } {
  let parts: Intl.NumberFormatPart[];
  try {
    parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(1234567.5);
  } catch {
    parts = new Intl.NumberFormat("en-US").formatToParts(1234567.5);
  }
  return {
    decimal: parts.find((p) => p.type === "decimal")?.value ?? ".",
    group: parts.find((p) => p.type === "group")?.value ?? ",",
  };
}

/** Spaces people type or paste between thousands: space, no-break, narrow no-break, thin. */
const SPACES = /[ \u00a0\u202f\u2009]/;
/** Apostrophes used between thousands in Switzerland: ' and ’. */
const APOSTROPHES = /['\u2019]/;

function isGroupChar(ch: string, group: string): boolean {
  if (SPACES.test(group)) return SPACES.test(ch);
  if (APOSTROPHES.test(group)) return APOSTROPHES.test(ch);
  return ch === group;
}

export type AmountNormalize = { ok: true; canonical: string } | { ok: false; error: MoneyParseError };

/**
 * What a cashier typed, in the store's locale, → the core's plain decimal ("500,06" → "500.06").
 *
 * - The decimal separator is the locale's, or a point (always).
 * - Thousands grouping is the locale's own character (any space in fr-FR, ' or ’ in de-CH), in
 *   groups of three after the first. Where the group character is a point too (de-DE), a lone
 *   point followed by exactly three digits ("1.234") could be either: refused as `ambiguous`;
 *   so is grouping by points with no decimal comma ("1.234.567").
 * - No signs (a leading minus is `negative`), no symbols, no exponents, ASCII digits only.
 * The result still goes through `parseMoney` (decimals, size) and the core parses it again.
 */
export function normalizeAmount(input: string, decimals: number, locale: string): AmountNormalize {
  const text = input.trim();
  if (text === "") return { ok: false, error: "empty" };
  if (text.startsWith("-") || text.startsWith("\u2212")) {
    const rest = normalizeAmount(text.slice(1), decimals, locale);
    return { ok: false, error: rest.ok || rest.error === "ambiguous" ? "negative" : "invalid" };
  }
  const body = text;
  const { decimal, group } = separators(locale);
  // Tokenise: digit runs and single separator characters.
  const tokens: string[] = [];
  for (const ch of body) {
    if (/[0-9]/.test(ch)) {
      const last = tokens[tokens.length - 1];
      if (last !== undefined && /^[0-9]+$/.test(last)) tokens[tokens.length - 1] = last + ch;
      else tokens.push(ch);
    } else if (ch === "." || ch === decimal || isGroupChar(ch, group)) {
      tokens.push(ch);
    } else {
      return { ok: false, error: "invalid" };
    }
  }
  const invalid: AmountNormalize = { ok: false, error: "invalid" };
  // Digits and separators must alternate, starting and ending with digits.
  if (tokens.length === 0 || tokens.length % 2 === 0) return invalid;
  for (let i = 0; i < tokens.length; i++) {
    if ((i % 2 === 0) !== /^[0-9]+$/.test(tokens[i] ?? "")) return invalid;
  }
  const seps = tokens.filter((_, i) => i % 2 === 1);
  const runs = tokens.filter((_, i) => i % 2 === 0);
  const groupIsPoint = group === ".";
  const isDecimalSep = (ch: string) => ch === decimal || ch === ".";
  // The decimal separator, if any, is the last separator and appears once.
  let decimalAt = -1;
  const last = seps[seps.length - 1];
  if (last !== undefined && isDecimalSep(last) && !(groupIsPoint && last === ".")) decimalAt = seps.length - 1;
  if (last === "." && groupIsPoint) {
    // de-DE: a point is a decimal point, or grouping. Decide only when it can't be both.
    const others = seps.slice(0, -1);
    const tail = runs[runs.length - 1] ?? "";
    if (others.some((s) => s === decimal)) return invalid; // "1,234.5" in de-DE
    // A currency with no minor unit has no decimal point to confuse: "1.234" is grouping.
    if (decimals === 0 && runs.slice(1).every((r) => r.length === 3) && (runs[0] ?? "").length <= 3) {
      return { ok: true, canonical: runs.join("") };
    }
    if (others.length > 0) return { ok: false, error: "ambiguous" }; // "1.234.567"
    // "1.234": 1234 grouped, or 1.234 with a point? Only "1234.567" (can't be grouping) is clear.
    if (tail.length === 3 && (runs[0] ?? "").length <= 3) return { ok: false, error: "ambiguous" };
    decimalAt = seps.length - 1;
  }
  const groupSeps = decimalAt === -1 ? seps : seps.slice(0, decimalAt);
  if (groupSeps.some((s) => !isGroupChar(s, group))) return invalid;
  const wholeRuns = decimalAt === -1 ? runs : runs.slice(0, decimalAt + 1);
  if (groupSeps.length > 0) {
    const [first, ...rest] = wholeRuns;
    if ((first ?? "").length > 3 || rest.some((r) => r.length !== 3)) return invalid;
  }
  const whole = wholeRuns.join("");
  const fraction = decimalAt === -1 ? "" : (runs[runs.length - 1] ?? "");
  return { ok: true, canonical: fraction === "" ? whole : `${whole}.${fraction}` };
}

/** A typed amount in the store's locale → minor units (`normalizeAmount`, then `parseMoney`). */
export function parseLocaleMoney(input: string, currency: string, locale: string): MoneyParse {
  const decimals = currencyDecimals(currency);
  const normal = normalizeAmount(input, decimals, locale);
  if (!normal.ok) return normal;
  return parseMoney(normal.canonical, decimals);
}

/** Minor units as a cashier would type them in the locale, no grouping: (50006, 2, "de-DE") → "500,06". */
export function formatAmountInput(minor: number, decimals: number, locale: string): string {
  const canonical = minorToDecimal(minor, decimals);
  return decimals > 0 ? canonical.replace(".", separators(locale).decimal) : canonical;
}

/** The currency's name for screen readers: ("EUR", "en-US") → "euros"; the code if unknown. */
export function currencyName(currency: string, locale = "en-US"): string {
  try {
    const name = new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "name" })
      .formatToParts(2)
      .find((p) => p.type === "currency")?.value;
    return name ?? currency;
  } catch {
    return currency;
  }
}

/** The currency's symbol as shown next to an input: "USD" → "$", "JPY" → "¥"; the code if Intl has none. */
export function currencySymbol(currency: string, locale = "en-US"): string {
  try {
    const parts = new Intl.NumberFormat(locale, { style: "currency", currency }).formatToParts(0);
    return parts.find((p) => p.type === "currency")?.value ?? currency;
  } catch {
    return currency;
  }
}

/**
 * Words and class for a closing variance (backend decimal string, may be negative):
 * "5.00" → over, "-2.50" → short, "0.00" → even. A sign AND words, never colour alone:
 * "Over: +$5.00 more than expected" / "Short: −$2.50 less than expected" / "Even: the count matches".
 * @throws {RangeError} when the string is malformed.
 */
export function describeVariance(
  minor: number,
  currency: string,
  locale = "en-US",
): { text: string; kind: "over" | "short" | "even" } {
  if (minor > 0) return { text: `Over: +${formatMoney(minor, currency, locale)} more than expected`, kind: "over" };
  if (minor < 0) return { text: `Short: −${formatMoney(-minor, currency, locale)} less than expected`, kind: "short" };
  return { text: "Even: the count matches", kind: "even" };
}

/** Parts per million in one percent: 12.5 % is 125 000 ppm. */
const PPM_PER_PERCENT = 10_000;
const PERCENT_TEXT = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/**
 * A percentage the backend sends as decimal text ("8.1", "8.875", "19") → parts per million
 * (81 000, 88 750, 190 000), by integer arithmetic.
 * @throws {RangeError} when the text is not a plain decimal percent with at most 4 decimals.
 */
export function percentTextToPpm(text: string): number {
  const match = PERCENT_TEXT.exec(text.trim());
  if (!match) throw new RangeError(`not a percentage: ${JSON.stringify(text)}`);
  return Number(match[1]) * PPM_PER_PERCENT + Number((match[2] ?? "").padEnd(4, "0"));
}

/** The digits of a percentage in ppm, at most `decimals` decimals, rounded up (never understated). */
function percentDigits(ppm: number, locale: string, decimals: number): string {
  if (!Number.isSafeInteger(ppm) || ppm < 0) throw new RangeError(`not a percentage in ppm: ${ppm}`);
  const step = 10 ** (4 - decimals);
  const units = Math.ceil(ppm / step); // an integer count of 10^-decimals percent
  const scale = 10 ** decimals;
  const whole = Math.floor(units / scale).toString();
  const fraction = (units % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return fraction === "" ? whole : `${whole}${separators(locale).decimal}${fraction}`;
}

/**
 * THE way the UI prints a percentage: discounts, tax rates, approvals, reports, the set-up's
 * presets. `percent` is parts per million (an integer, as the backend sends rates and
 * discounts) or the backend's decimal text ("8.1"). In the locale's way: "12.5%" in en-US,
 * "12,5 %" in de-DE (Intl says where the sign goes and which space; the digits come from
 * integer arithmetic, so 8.875 % never prints as 8.874999). `decimals` (0 to 4) rounds up.
 * @throws {RangeError} on a negative or fractional ppm, or text that is not a percentage.
 */
export function formatPercent(percent: number | string, locale: string, decimals = 4): string {
  const ppm = typeof percent === "string" ? percentTextToPpm(percent) : percent;
  const digits = percentDigits(ppm, locale, decimals);
  let parts: Intl.NumberFormatPart[];
  try {
    parts = new Intl.NumberFormat(locale, { style: "percent" }).formatToParts(1);
  } catch {
    parts = new Intl.NumberFormat("en-US", { style: "percent" }).formatToParts(1);
  }
  return parts.map((p) => (p.type === "integer" ? digits : p.type === "group" ? "" : p.value)).join("");
}

/** A percentage in ppm as a cashier would type it (no sign): (125 000, "de-DE") → "12,5". */
export function percentInput(ppm: number, locale: string): string {
  return percentDigits(ppm, locale, 4);
}
