/**
 * Feeds the customer display (a second window, ui/customer.html) from the main window: the
 * cart's lines and total as the backend prices them, then at the receipt the total, what was
 * paid and the change. It sends only what `CustomerView` can hold (names, quantities, amounts,
 * the store's name, currency and locale): no PIN, no approval, no expected cash.
 *
 * The display is a courtesy to the customer: a refused or failed send never holds a sale up or
 * shows an error to the cashier; the next change of the cart sends again.
 */
import * as api from "./api";
import { currentCart, subscribe } from "./cart-store";
import { locale, state } from "./state";
import type { CustomerLine, CustomerStage, CustomerView, Receipt } from "./types";

/** How often the feed looks for a cart that went away without an event (cleared, set aside). */
export const CUSTOMER_IDLE_CHECK_MS = 1_000;

/** The stage last sent: a cart that disappears mid-sale sends the welcome again. */
let lastStage: CustomerStage | null = null;

function send(view: CustomerView): void {
  lastStage = view.stage;
  api.showCustomer(view).catch(() => {
    // Nothing to tell the cashier (see above): the next cart change sends a whole new view.
  });
}

/** The store's name, currency and locale as the display shows them; null before a location is known. */
function store(currency?: string): Pick<CustomerView, "store_name" | "locale" | "currency"> | null {
  const location = state.status?.location;
  if (!location) return null;
  return { store_name: location.name, locale: locale(), currency: currency ?? location.currency };
}

/** The view for the cart as it is now: its priced lines and total, or the welcome when empty. */
export function cartView(): CustomerView | null {
  const cart = currentCart();
  const priced = cart?.priced ?? null;
  const shop = store(priced?.currency);
  if (!shop) return null;
  if (!cart || cart.lines.length === 0) return { ...shop, stage: "welcome", lines: [], total: 0, paid: 0, change: 0 };
  // Lines not priced yet wait for their numbers (a moment): the display shows only the backend's.
  if (!priced) return null;
  const lines: CustomerLine[] = priced.lines.map((line) => ({ name: line.name, quantity: line.quantity, amount: line.extended }));
  return { ...shop, stage: "sale", lines, total: priced.total, paid: 0, change: 0 };
}

/** The view for a recorded sale's receipt: its lines, total, what was paid and the change, and "Thank you". */
export function receiptCustomerView(receipt: Receipt): CustomerView {
  const lines: CustomerLine[] = receipt.lines.map((line) => ({ name: line.name, quantity: line.quantity, amount: line.extended }));
  return {
    stage: "paid",
    store_name: receipt.location_name,
    locale: receipt.locale,
    currency: receipt.currency,
    lines,
    total: receipt.total,
    paid: receipt.tendered,
    change: receipt.change,
  };
}

/** Shows a recorded sale to the customer (the sale screen calls this as it shows the receipt). */
export function showReceiptToCustomer(receipt: Receipt): void {
  if (receipt.kind !== "sale") return;
  send(receiptCustomerView(receipt));
}

/** Starts the feed, once, for the app's life (main.ts). */
export function startCustomerFeed(): void {
  subscribe((event) => {
    if (event.kind === "failed") return;
    const view = cartView();
    if (view) send(view);
  });
  // Clearing or setting a cart aside has no event: a sale that vanished shows the welcome. So
  // does a display that has been sent nothing yet, once the store is known (it starts empty).
  window.setInterval(() => {
    if (lastStage === "welcome" || lastStage === "paid" || (currentCart()?.lines.length ?? 0) > 0) return;
    const view = cartView();
    if (view) send(view);
  }, CUSTOMER_IDLE_CHECK_MS);
}
