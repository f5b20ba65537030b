/**
 * The cart as the sale screen keeps it (products and quantities, never prices: the backend's
 * `price_cart` answers every number shown), and the pay screen's quick cash amounts.
 */
import { denominationsFor, type StoreDenominations } from "./denominations";
import { formatAmountInput, formatMoney, formatPercent, currencyDecimals, moneyParseMessage, parseLocaleMoney, percentInput } from "./money";
import type { ApprovalReason, Discount, PriceChangeReason, PriceChangeReasonKind, Product, SaleLineRequest } from "./types";

export interface CartLine {
  product: Product;
  quantity: number;
  discount: Discount | null;
  /** A unit price in minor units that replaces the catalog's; the backend asks for a manager. */
  priceOverride: number | null;
  /** Why its discount or new price (the backend needs one with either, and keeps it on the receipt line). */
  reason: PriceChangeReason | null;
}

/** The most of one item on a line; the backend refuses more (`invalid_quantity`). */
export const MAX_QUANTITY = 10000;

/**
 * A scanned or picked product, `quantity` of it (the "24 ×" typed before the scan): that many
 * more on the last line when it is the same product (a second scan of the same item, up to
 * MAX_QUANTITY), else a new line at the end. Returns a new array.
 */
export function addProduct(lines: readonly CartLine[], product: Product, quantity = 1): CartLine[] {
  const last = lines[lines.length - 1];
  // A line with a typed price (an open item, an override) is its own: another one is a new line.
  if (last && last.product.id === product.id && last.priceOverride === null && last.quantity + quantity <= MAX_QUANTITY) {
    return [...lines.slice(0, -1), { ...last, quantity: last.quantity + quantity }];
  }
  return [...lines, { product, quantity: Math.min(quantity, MAX_QUANTITY), discount: null, priceOverride: null, reason: null }];
}

/** Sets line `index` to `quantity` (1 to MAX_QUANTITY; anything else leaves the lines as they are). */
export function setQuantity(lines: readonly CartLine[], index: number, quantity: number): CartLine[] {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) return [...lines];
  return lines.map((line, i) => (i === index ? { ...line, quantity } : line));
}

/** Changes a line's quantity by `delta`; a line that reaches 0 is removed. */
export function changeQuantity(lines: readonly CartLine[], index: number, delta: number): CartLine[] {
  return lines.flatMap((line, i) => {
    if (i !== index) return [line];
    const quantity = Math.min(MAX_QUANTITY, line.quantity + delta);
    return quantity > 0 ? [{ ...line, quantity }] : [];
  });
}

/** "1 line", "3 lines", "5 items": a count and its noun. */
export function counted(n: number, noun: "line" | "item"): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** How many items the lines hold (the sum of their quantities). */
export function itemCount(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}

/** What the backend is asked to price and record: products by id, no prices. */
export function saleLines(lines: readonly CartLine[]): SaleLineRequest[] {
  return lines.map((line) => ({
    product_id: line.product.id,
    quantity: line.quantity,
    ...(line.discount ? { discount: line.discount } : {}),
    ...(line.priceOverride !== null ? { price_override: line.priceOverride } : {}),
    ...(line.reason && (line.discount || line.priceOverride !== null) ? { reason: line.reason } : {}),
  }));
}

/** The reasons a discount or a new price is given for, in the order the dialogs offer them. */
export const PRICE_CHANGE_REASONS: readonly (readonly [PriceChangeReasonKind, string])[] = [
  ["damaged", "Damaged"],
  ["price_match", "Price match"],
  ["staff", "Staff"],
  ["other", "Other"],
];

/** A reason as one line, for the manager who approves it ("Damaged: dented box"). */
export function reasonWords(reason: PriceChangeReason | null): string | null {
  if (!reason) return null;
  const label = PRICE_CHANGE_REASONS.find(([kind]) => kind === reason.kind)?.[1] ?? reason.kind;
  return reason.text ? `${label}: ${reason.text}` : label;
}

/** An approval's identity, to tell whether a manager already approved exactly it. */
export function approvalKey(approval: ApprovalReason): string {
  return JSON.stringify(approval);
}

/**
 * The cash amounts a customer is likely to hand over for `due` (minor units): each bill of the
 * currency rounded up to the next multiple above `due`, smallest first, without repeats and
 * without `due` itself (that is the "Exact" key). At most `count`. No table: no quick amounts.
 */
export function quickCashAmounts(due: number, currency: string, count = 4, store: StoreDenominations | null = null): number[] {
  const table = denominationsFor(currency, store);
  if (!table || due <= 0) return [];
  const amounts = new Set<number>();
  for (const bill of [...table.bills].sort((a, b) => a - b)) {
    amounts.add(Math.ceil(due / bill) * bill);
  }
  return [...amounts]
    .filter((a) => a > due)
    .sort((a, b) => a - b)
    .slice(0, count);
}

/** A percent typed by the cashier ("10", "12.5") as a line discount; null when not a percent from 0 to 100. */
export function percentDiscount(text: string): Discount | null {
  const t = text.trim().replace(",", ".");
  if (!/^\d{1,3}(\.\d{1,4})?$/.test(t)) return null;
  const [whole = "0", fraction = ""] = t.split(".");
  const ppm = Number(whole) * 10000 + Number(fraction.padEnd(4, "0"));
  if (ppm <= 0 || ppm > 1_000_000) return null;
  return { kind: "percent", percent: ppm };
}

/** What a cashier typed, read: a value, or the words saying what to type instead. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export type DiscountKind = Discount["kind"];

const PERCENT_WORDS = "Type a percent from 0 to 100, like 10.";

/**
 * A discount typed by the cashier, as a percent ("10", "12,5") or an amount in the store's
 * locale ("2,50" in de-DE: integer minor units, never a float). Empty or zero: no discount.
 * Whether it is more than what it discounts is the backend's answer (`discount_too_large`).
 */
export function parseDiscount(kind: DiscountKind, text: string, currency: string, locale: string): Parsed<Discount | null> {
  const t = text.trim();
  if (t === "") return { ok: true, value: null };
  if (kind === "percent") {
    if (/^0+([.,]0*)?$/.test(t)) return { ok: true, value: null };
    const discount = percentDiscount(t);
    return discount ? { ok: true, value: discount } : { ok: false, message: PERCENT_WORDS };
  }
  const parsed = parseLocaleMoney(t, currency, locale);
  if (!parsed.ok) return { ok: false, message: moneyParseMessage(parsed.error, currency, locale) };
  return { ok: true, value: parsed.minor === 0 ? null : { kind: "amount", amount: parsed.minor } };
}

/** A new unit price typed by the cashier, in the store's locale; empty: back to the catalog price. 0 is a price (free). */
export function parsePriceOverride(text: string, currency: string, locale: string): Parsed<number | null> {
  if (text.trim() === "") return { ok: true, value: null };
  const parsed = parseLocaleMoney(text, currency, locale);
  return parsed.ok ? { ok: true, value: parsed.minor } : { ok: false, message: moneyParseMessage(parsed.error, currency, locale) };
}

/** A discount as the cashier would type it again (the dialog's starting text). */
export function discountInput(discount: Discount, currency: string, locale: string): string {
  return discount.kind === "percent"
    ? percentInput(discount.percent, locale)
    : formatAmountInput(discount.amount, currencyDecimals(currency), locale);
}

/** A discount in words: "10%" or "$2.00". */
export function discountLabel(discount: Discount, currency: string, locale: string): string {
  return discount.kind === "percent" ? formatPercent(discount.percent, locale) : formatMoney(discount.amount, currency, locale);
}

/**
 * What the screens say about the approvals the backend asks for (`PricedCart.approvals`): the
 * sale screen's note, and the approval screen's title and lead. `selfApproves`: the logged-in
 * user is a manager, whose own login approves (the backend's rule).
 */
export function approvalWords(approvals: readonly ApprovalReason[], selfApproves: boolean): { note: string; title: string; lead: string } | null {
  const discount = approvals.some((a) => a.reason !== "price_override");
  const override = approvals.some((a) => a.reason === "price_override");
  if (!discount && !override) return null;
  const what = discount && override ? "the discount and the new price" : discount ? "this discount" : "this new price";
  const note = selfApproves
    ? `As a manager, you approve ${what} yourself.`
    : `A manager approves ${what} with their PIN at Pay.`;
  const title = discount && override ? "Approve the discount and the new price" : discount ? "Approve the discount" : "Approve the new price";
  const lead =
    discount && override
      ? "This sale has a discount above the store's limit and a changed price. A manager approves them with their PIN."
      : discount
        ? "This sale has a discount above the store's limit. A manager approves it with their PIN."
        : "This sale has a changed price. A manager approves it with their PIN.";
  return { note, title, lead };
}

/** One line per approval, for the manager: what they approve ("Potato chips: $2.00 instead of $3.49"). */
export function approvalDetails(
  approvals: readonly ApprovalReason[],
  names: readonly string[],
  currency: string,
  locale: string,
  reasons: { lines: readonly (PriceChangeReason | null)[]; receipt: PriceChangeReason | null } = { lines: [], receipt: null },
): string[] {
  const name = (line: number) => names[line] ?? `Line ${line + 1}`;
  const money = (minor: number) => formatMoney(minor, currency, locale);
  const why = (reason: PriceChangeReason | null | undefined) => {
    const words = reasonWords(reason ?? null);
    return words ? ` (${words})` : "";
  };
  return approvals.map((a) => {
    switch (a.reason) {
      case "price_override":
        return `${name(a.line)}: ${money(a.unit_price)} instead of ${money(a.catalog_unit_price)}${why(reasons.lines[a.line])}`;
      case "line_discount":
        return `${name(a.line)}: ${formatPercent(a.percent, locale, 1)} off${why(reasons.lines[a.line])}`;
      case "receipt_discount":
        return `Whole sale: ${formatPercent(a.percent, locale, 1)} off${why(reasons.receipt)}`;
    }
  });
}
