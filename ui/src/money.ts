/**
 * Money in the UI: always an integer count of minor units (cents, pence, yen) held in a
 * `number` that is a safe integer. No function here ever divides money into a float.
 *
 * - `parseMoney` turns what a cashier typed into minor units (strict, see its doc).
 * - `decimalToMinor` / `minorToDecimal` convert the backend's decimal strings ("200.00", "-2.50").
 * - `formatMoney` renders minor units for people ("$200.00", "¥500", "€12.50"); Intl is used
 *   only to learn where the symbol, sign and separators go.
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

export type MoneyParseError = "empty" | "negative" | "invalid" | "too_many_decimals" | "too_large";

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

/**
 * Converts a backend decimal string ("200.00", "-2.50", "500") into minor units.
 * Fewer decimals than the currency has are padded; extra decimals must be zeros.
 * @throws {RangeError} when the string is not a plain decimal or does not fit.
 */
export function decimalToMinor(value: string, decimals: number): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
  const negative = match[1] === "-";
  let fraction = match[3] ?? "";
  if (fraction.length > decimals) {
    if (!/^0*$/.test(fraction.slice(decimals))) {
      throw new RangeError(`more than ${decimals} decimals: ${JSON.stringify(value)}`);
    }
    fraction = fraction.slice(0, decimals);
  }
  const magnitude = BigInt((match[2] ?? "0") + fraction.padEnd(decimals, "0"));
  if (magnitude > MAX_SAFE) throw new RangeError(`amount too large: ${JSON.stringify(value)}`);
  const minor = Number(magnitude);
  return negative && minor !== 0 ? -minor : minor;
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

/** Minor units → the backend's decimal string: (20000, 2) → "200.00", (-250, 2) → "-2.50", (500, 0) → "500". */
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
export function denominationLabel(minor: number, currency: string): string {
  const text = formatMoney(minor, currency);
  const decimals = currencyDecimals(currency);
  if (decimals === 0 || minor % 10 ** decimals !== 0) return text;
  const zeros = "0".repeat(decimals);
  const at = text.lastIndexOf(zeros);
  // Drop the decimal separator and the zero decimals ("$100.00" → "$100").
  return at > 0 ? text.slice(0, at - 1) + text.slice(at + decimals) : text;
}

/** Display helper for a backend decimal string; falls back to the raw text if it is malformed. */
export function formatDecimal(value: string, currency: string): string {
  try {
    return formatMoney(decimalToMinor(value, currencyDecimals(currency)), currency);
  } catch {
    return `${value} ${currency}`;
  }
}

/** The words a cashier sees when an amount does not parse. */
export function moneyParseMessage(error: MoneyParseError, currency: string): string {
  const decimals = currencyDecimals(currency);
  const example = decimals > 0 ? `200 or 200.${"5".padEnd(decimals, "0")}` : "200";
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
    case "invalid":
      return `Type an amount like ${example}, using only digits${decimals > 0 ? " and a point" : ""}.`;
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
 * "5.00" → over, "-2.50" → short, "0.00" → even.
 * Gives "Over by $5.00" / "Short by $2.50" / "Even".
 * @throws {RangeError} when the string is malformed.
 */
export function describeVariance(variance: string, currency: string): { text: string; kind: "over" | "short" | "even" } {
  const minor = decimalToMinor(variance, currencyDecimals(currency));
  if (minor > 0) return { text: `Over by ${formatMoney(minor, currency)}`, kind: "over" };
  if (minor < 0) return { text: `Short by ${formatMoney(-minor, currency)}`, kind: "short" };
  return { text: "Even", kind: "even" };
}
