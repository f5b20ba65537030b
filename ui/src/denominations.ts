/**
 * Bills and coins, in minor units, for the cash-count helper and the pay screen's quick amounts:
 * the store's own list where it has one (`tillctl location set --bills … --coins …`: no 500 €
 * note in a German till), else the currency's usual ones. A currency that is not listed, in a
 * store without its own list, simply gets no helper.
 */

export interface DenominationTable {
  bills: readonly number[];
  coins: readonly number[];
}

const TABLES: Readonly<Record<string, DenominationTable>> = {
  USD: { bills: [10000, 5000, 2000, 1000, 500, 100], coins: [25, 10, 5, 1] },
  EUR: { bills: [50000, 20000, 10000, 5000, 2000, 1000, 500], coins: [200, 100, 50, 20, 10, 5, 2, 1] },
  GBP: { bills: [5000, 2000, 1000, 500], coins: [200, 100, 50, 20, 10, 5, 2, 1] },
  CAD: { bills: [10000, 5000, 2000, 1000, 500], coins: [200, 100, 25, 10, 5] },
  JPY: { bills: [10000, 5000, 1000], coins: [500, 100, 50, 10, 5, 1] },
};

/** A store's own bills and coins (the location's settings; empty lists: the currency's usual). */
export interface StoreDenominations {
  currency: string;
  bills: readonly number[];
  coins: readonly number[];
}

export function denominationsFor(currency: string, store: StoreDenominations | null = null): DenominationTable | null {
  const usual = TABLES[currency.toUpperCase()] ?? null;
  const own = store !== null && store.currency.toUpperCase() === currency.toUpperCase() ? store : null;
  // Each list on its own: a store that lists only its bills keeps the currency's usual coins.
  const bills = own && own.bills.length > 0 ? own.bills : (usual?.bills ?? []);
  const coins = own && own.coins.length > 0 ? own.coins : (usual?.coins ?? []);
  return bills.length + coins.length > 0 ? { bills, coins } : null;
}

/** A count typed into one row: empty means 0; anything but plain digits is invalid. */
export function parseCount(text: string): number | null {
  const t = text.trim();
  if (t === "") return 0;
  if (!/^\d{1,9}$/.test(t)) return null;
  return Number(t);
}

export interface CountTotals {
  /** Row totals in minor units, keyed by denomination; null for an invalid row. */
  rows: Map<number, number | null>;
  /** Grand total in minor units, or null if any row is invalid or the sum is not safe. */
  total: number | null;
}

/** Totals for counts keyed by denomination (minor units). Counts are the raw typed text. */
export function countTotals(counts: ReadonlyMap<number, string>): CountTotals {
  const rows = new Map<number, number | null>();
  let total: number | null = 0;
  for (const [denomination, text] of counts) {
    const count = parseCount(text);
    const row = count === null ? null : count * denomination;
    const safeRow = row !== null && Number.isSafeInteger(row) ? row : null;
    rows.set(denomination, safeRow);
    if (safeRow === null || total === null) {
      total = null;
    } else {
      total += safeRow;
      if (!Number.isSafeInteger(total)) total = null;
    }
  }
  return { rows, total };
}
