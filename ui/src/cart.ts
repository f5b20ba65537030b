/**
 * The cart as the sale screen keeps it (products and quantities, never prices: the backend's
 * `price_cart` answers every number shown), and the pay screen's quick cash amounts.
 */
import { denominationsFor } from "./denominations";
import type { Discount, Product, SaleLineRequest } from "./types";

export interface CartLine {
  product: Product;
  quantity: number;
  discount: Discount | null;
}

/** The most of one item on a line; the backend refuses more (`invalid_quantity`). */
export const MAX_QUANTITY = 10000;

/**
 * A scanned or picked product: one more on the last line when it is the same product (a second
 * scan of the same item), else a new line at the end. Returns a new array.
 */
export function addProduct(lines: readonly CartLine[], product: Product): CartLine[] {
  const last = lines[lines.length - 1];
  if (last && last.product.id === product.id && last.quantity < MAX_QUANTITY) {
    return [...lines.slice(0, -1), { ...last, quantity: last.quantity + 1 }];
  }
  return [...lines, { product, quantity: 1, discount: null }];
}

/** Changes a line's quantity by `delta`; a line that reaches 0 is removed. */
export function changeQuantity(lines: readonly CartLine[], index: number, delta: number): CartLine[] {
  return lines.flatMap((line, i) => {
    if (i !== index) return [line];
    const quantity = Math.min(MAX_QUANTITY, line.quantity + delta);
    return quantity > 0 ? [{ ...line, quantity }] : [];
  });
}

/** What the backend is asked to price and record: products by id, no prices. */
export function saleLines(lines: readonly CartLine[]): SaleLineRequest[] {
  return lines.map((line) => ({
    product_id: line.product.id,
    quantity: line.quantity,
    ...(line.discount ? { discount: line.discount } : {}),
  }));
}

/**
 * The cash amounts a customer is likely to hand over for `due` (minor units): each bill of the
 * currency rounded up to the next multiple above `due`, smallest first, without repeats and
 * without `due` itself (that is the "Exact" key). At most `count`. No table: no quick amounts.
 */
export function quickCashAmounts(due: number, currency: string, count = 4): number[] {
  const table = denominationsFor(currency);
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
