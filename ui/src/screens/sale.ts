/**
 * Selling: the sale screen (scan, search, quick keys, the cart with the backend's totals), the
 * pay screen (exact cash, quick amounts, card, split) and the receipt (printable on 80 mm paper).
 * Every price and total shown comes from the backend (`price_cart`, then the recorded receipt).
 * The cart itself is the cart store's (`cart-store.ts`): these screens draw it and wire the
 * cashier's presses to its operations.
 */
import * as api from "../api";
import { approvalDetails, approvalKey, approvalWords, type CartLine, PRICE_CHANGE_REASONS, counted, discountInput, discountLabel, itemCount, MAX_QUANTITY, parseDiscount, parsePriceOverride, quickCashAmounts } from "../cart";
import {
  addToCart,
  approvalNeeded,
  changeLineQuantity,
  clearCart,
  commitDraft,
  currentCart,
  draftLineDiscount,
  draftPriceOverride,
  draftSaleDiscount,
  dropHeldApproval,
  finishCart,
  openCart,
  priceDraft,
  removeLine,
  removeSaleDiscount,
  reprice,
  saleRequest,
  setLineQuantity,
  subscribe,
  takeOverCart,
  waitForShift,
  type Cart,
  type CartDraft,
  type CartEvent,
} from "../cart-store";
import { cartView, type CartView } from "../cart-view";
import { h, replace } from "../dom";
import { errorMessage } from "../errors";
import { currencyDecimals, formatAmountInput, formatMoney, formatPercent, moneyParseMessage, parseLocaleMoney } from "../money";
import { timed, timedAsync, timeLayout } from "../profile";
import { errorTone } from "../sound";
import { go, type SessionArrival } from "../router";
import { isManager, locale, location, state } from "../state";
import { showReceiptToCustomer } from "../customer-feed";
import { askToCloseDrawer, drawerMustClose, receiptPrinterSetUp } from "../printer-banner";
import type { Discount, PriceChangeReason, PriceChangeReasonKind, PricedCart, Product, QuickKeys, Receipt, RefundReasonKind, SessionView, Tender, VoidKind, VoidLine } from "../types";
import { displayName } from "../time";
import { clearError, isBusy, mount, run, showError, showErrorText } from "../ui";
import { amountPad, anchorCode, dialogOpen, discountField, errorSlot, moneyField, sheet } from "../widgets";
import { listManagers, showApproval } from "./approval";
import { arrivalNotice } from "./common";

/** How long a changed cart may wait for the backend's numbers before it is drawn without them. */
const PENDING_DRAW_MS = 100;

function currency(): string {
  const cart = currentCart();
  return cart?.priced?.currency ?? cart?.session.currency ?? location()?.currency ?? "USD";
}

const money = (minor: number) => formatMoney(minor, currency(), locale());

/** The logged-in user approves discounts and new prices themself (the backend's rule). */
function selfApproves(): boolean {
  return isManager(state.status?.logged_in);
}

/** The sale screen's elements, shared by the functions that draw and wire it. */
interface SaleScreen {
  scan: HTMLInputElement;
  /** The × key beside the scan field and the pending quantity it shows ("24 ×"). */
  times: HTMLButtonElement;
  multiplier: HTMLElement;
  /** The pending quantity for the next item (1 when none), cleared. */
  takeMultiplier: () => number;
  setMultiplier: (quantity: number | null) => void;
  /** A quantity typed for the selected line or the next item, or null. */
  takeQuantity: () => number | null;
  results: HTMLDivElement;
  quickTabs: HTMLDivElement;
  quickGrid: HTMLDivElement;
  managerNote: HTMLDivElement;
  pay: HTMLButtonElement;
  refund: HTMLButtonElement;
  shift: HTMLButtonElement;
  clear: HTMLButtonElement;
  saleDiscount: HTMLButtonElement;
  view: CartView;
  /** Where "Shift … started" is said, above the cart. */
  notice: HTMLElement;
  /** Pay was pressed while the cart was being priced: the pay screen opens once it is. */
  payWhenPriced: boolean;
  /** Gives the focus back to the scan field, unless a dialog has it. */
  refocus: () => void;
}

/** The sale screen for `session`; an unfinished cart (of any session of this register) comes back. */
export function showSale(session: SessionView, arrival: SessionArrival = "resumed"): void {
  const me = state.status?.logged_in?.name ?? null;
  const cart = openCart(session, me);
  const screen = saleScreen();
  // "Shift … started" where the cashier lands; it gives its room back to the cart at the first item.
  const notice = arrivalNotice(session, arrival);
  if (notice) screen.notice.append(notice);
  const unsubscribeNotice = subscribe(() => {
    if ((currentCart()?.lines.length ?? 0) > 0) notice?.remove();
  });
  const drawer = cartDrawer(screen);
  const add = (product: Product) => {
    if (!screen.view.list.isConnected) return;
    // A new sale waits for the drawer the last one opened, where the store asks for that.
    if ((currentCart()?.lines.length ?? 0) === 0 && drawerMustClose()) {
      askToCloseDrawer(screen.refocus);
      return;
    }
    if (screen.results.childElementCount > 0) screen.scan.value = "";
    replace(screen.results);
    // A scan changes the last line (a new one, or one more of the same): keep it in view.
    drawer.revealNext();
    addToCart(product, screen.takeMultiplier());
    screen.refocus();
  };
  wireScan(screen, add, (product, barcode) => {
    // An item the catalog does not know, sold as an open item: its line, then its price (a
    // price override: a manager approves it with the reason, which names the barcode).
    add(product);
    const index = (currentCart()?.lines.length ?? 1) - 1;
    askPrice(index, screen.refocus, { kind: "other", text: `Open item, barcode ${barcode}` });
  });
  const unwire = wireActions(screen, session);
  const unsubscribe = subscribe(drawer.onCartEvent);
  mount("sale", saleLayout(screen), () => {
    unwire();
    unsubscribe();
    unsubscribeNotice();
    drawer.cancelPending();
  });
  drawer.draw();
  screen.scan.focus();
  if (cart.lines.length > 0) reprice();
  if (cart.lines.length > 0 && cart.cashier !== null && cart.cashier !== me) askAboutWaitingCart(cart, session, screen.refocus);
  void api.quickKeys().then(
    (groups) => {
      if (screen.quickGrid.isConnected) drawQuickKeys(screen, groups, add);
    },
    (error) => showError(error),
  );
}

function saleScreen(): SaleScreen {
  const scan = h("input", {
    id: "scan",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    class: "scan-input",
    "aria-label": "Scan a barcode or type a name or SKU",
    placeholder: "Scan or type a name",
    "aria-describedby": "scan-error",
    "aria-controls": "search-results",
  });
  const refocus = () => {
    if (scan.isConnected && !dialogOpen()) scan.focus();
  };
  const then = (change: () => void) => {
    change();
    refocus();
  };
  const view = cartView(
    {
      minus: (index) => {
        const line = currentCart()?.lines[index];
        if (line) void voidThen(line.quantity > 1 ? "quantity_lowered" : "line_removed", [voided(line, 1)], () => then(() => changeLineQuantity(index, -1)));
      },
      plus: (index) => then(() => changeLineQuantity(index, 1)),
      quantity: (index) => then(() => setQuantityFromScan(index)),
      remove: (index) => {
        const line = currentCart()?.lines[index];
        if (line) void voidThen("line_removed", [voided(line, line.quantity)], () => then(() => removeLine(index)));
      },
      discount: (index) => askLineDiscount(index, refocus),
      price: (index) => askPrice(index, refocus),
      removeSaleDiscount: () => then(removeSaleDiscount),
    },
    { money, discount: (discount) => discountLabel(discount, currency(), locale()) },
  );
  // "Type a number, then ×, then scan": the next item goes in that many times.
  const times = h("button", { id: "qty-times", type: "button", class: "secondary scan-times", "aria-label": "Quantity: type a number, press ×, then scan", "aria-keyshortcuts": "*" }, "×");
  const multiplier = h("span", { id: "multiplier", class: "multiplier", hidden: true });
  const setQuantityFromScan = (index: number) => {
    const typed = takeQuantity();
    if (typed === null) {
      showErrorText("Type the quantity first, then press Qty.", scan);
      return;
    }
    const line = currentCart()?.lines[index];
    if (!line) return;
    if (typed >= line.quantity) setLineQuantity(index, typed);
    else void voidThen("quantity_lowered", [voided(line, line.quantity - typed)], () => then(() => setLineQuantity(index, typed)));
  };
  /** The pending "24 ×", taken once. */
  const takePending = (): number | null => {
    const pending = multiplier.dataset["quantity"];
    setMultiplier(null);
    return pending ? Number(pending) : null;
  };
  /** The quantity typed for the next item (a pending "24 ×", or a number alone in the scan field), taken once. */
  const takeQuantity = (): number | null => {
    const pending = takePending();
    if (pending !== null) return pending;
    const text = scan.value.trim();
    if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > MAX_QUANTITY) return null;
    scan.value = "";
    return Number(text);
  };
  const setMultiplier = (quantity: number | null) => {
    if (quantity === null) delete multiplier.dataset["quantity"];
    else multiplier.dataset["quantity"] = String(quantity);
    multiplier.textContent = quantity === null ? "" : `${quantity} ×`;
    multiplier.hidden = quantity === null;
  };
  return {
    scan,
    times,
    multiplier,
    takeMultiplier: () => takePending() ?? 1,
    setMultiplier,
    takeQuantity,
    results: h("div", { id: "search-results", class: "search-results", role: "group", "aria-label": "Matching items (Enter picks the first)" }),
    quickTabs: h("div", { id: "quick-categories", class: "quick-tabs", role: "group", "aria-label": "Categories" }),
    quickGrid: h("div", { id: "quick-products", class: "quick-grid", role: "group", "aria-label": "Quick keys" }),
    managerNote: h("div", { class: "manager-note" }),
    pay: h("button", { id: "pay", type: "button", class: "primary huge", "aria-keyshortcuts": "F12" }, "Pay (F12)"),
    refund: h("button", { id: "to-refund", type: "button", class: "secondary" }, "Refund"),
    shift: h("button", { id: "to-session", type: "button", class: "secondary" }, "Shift"),
    clear: h("button", { id: "clear-cart", type: "button", class: "secondary" }, "Clear sale"),
    saleDiscount: h("button", { id: "sale-discount-open", type: "button", class: "secondary" }, "Discount sale"),
    view,
    notice: h("div", { class: "sale-notice" }),
    payWhenPriced: false,
    refocus,
  };
}

function saleLayout(screen: SaleScreen): HTMLElement {
  return h(
    "div",
    { class: "sale-layout" },
    h(
      "section",
      { class: "sale-left stack", "aria-label": "Add items" },
      h("h1", { class: "sr-only" }, "Sale"),
      h("div", { class: "field scan-field" }, h("div", { class: "scan-row" }, screen.multiplier, screen.scan, screen.times), errorSlot("scan")),
      screen.results,
      screen.quickTabs,
      screen.quickGrid,
      // A fixed footer: the keys stay where they are while the quick keys load or results show.
      h("div", { class: "actions sale-actions" }, screen.saleDiscount, screen.shift, screen.refund, screen.clear),
    ),
    h(
      "section",
      { class: "sale-right card", "aria-labelledby": "cart-title" },
      screen.notice,
      h("div", { class: "cart-head" }, h("h2", { id: "cart-title" }, "This sale"), screen.view.count),
      screen.view.list,
      screen.view.tools,
      screen.view.totals,
      screen.view.status,
      screen.managerNote,
      screen.pay,
    ),
  );
}

/**
 * Draws the cart when the store says it changed. A changed cart is drawn once, with its numbers,
 * when they come within PENDING_DRAW_MS (a scan's usual case): no "—" flashing on the totals at
 * every scan, and one frame to paint instead of two. A slower answer (or none) shows the cart
 * unpriced ("…", "—", Pay disabled) meanwhile.
 */
function cartDrawer(screen: SaleScreen) {
  let pendingDraw: number | null = null;
  /** The next draw scrolls the last line into view. */
  let revealLast = false;
  const cancelPending = () => {
    if (pendingDraw !== null) window.clearTimeout(pendingDraw);
    pendingDraw = null;
  };
  const drawNow = () => {
    const cart = currentCart();
    if (!cart) return;
    const { lines, priced } = cart;
    cancelPending();
    screen.view.draw(lines, priced, cart.receiptDiscount);
    if (revealLast && lines.length > 0) screen.view.reveal(lines.length - 1);
    revealLast = false;
    // The backend says when a discount or a new price needs a manager; Pay then asks for the PIN.
    const held = priced && priced.approvals.length > 0 && !approvalNeeded(cart.approval, priced.approvals) ? cart.approval : null;
    const note = held ? `Approved by ${displayName(held.manager)}.` : priced ? (approvalWords(priced.approvals, selfApproves())?.note ?? null) : null;
    const { managerNote } = screen;
    if ((managerNote.textContent || null) !== note) replace(managerNote, note ? h("p", { id: "needs-manager", class: "callout info" }, note) : null);
    screen.pay.disabled = !priced || lines.length === 0;
    screen.saleDiscount.disabled = lines.length === 0;
    screen.clear.disabled = lines.length === 0;
  };
  const draw = () => {
    timed("draw", drawNow);
    timeLayout();
  };
  const onCartEvent = (event: CartEvent) => {
    if (event.kind === "changed") {
      if (currentCart()?.lines.length === 0) draw();
      else
        pendingDraw ??= window.setTimeout(() => {
          pendingDraw = null;
          if (!currentCart()?.priced) draw();
        }, PENDING_DRAW_MS);
      return;
    }
    if (event.kind === "priced") clearError();
    else showError(event.error);
    draw();
    const payNow = screen.payWhenPriced && event.kind === "priced";
    screen.payWhenPriced = false;
    if (payNow) showPay();
  };
  const revealNext = () => {
    revealLast = true;
  };
  return { draw, onCartEvent, cancelPending, revealNext };
}

/**
 * After an unknown barcode, below its one-line error: the ways out, and the store's open items to
 * sell it as, at a typed price a manager approves (none: only the ways out).
 */
async function offerOpenItems(results: HTMLElement, barcode: string, sell: (product: Product, barcode: string) => void): Promise<void> {
  let items: Product[] = [];
  try {
    items = await api.openItems();
  } catch {
    // The ways out stand without the open items.
  }
  if (!results.isConnected) return;
  replace(
    results,
    h(
      "p",
      { class: "results-title" },
      items.length === 0
        ? "Not in the catalog: scan it again, or type its name to search."
        : "Not in the catalog: scan it again, type its name to search, or sell it as an open item at a price you type (a manager approves):",
    ),
    ...items.map((product) => {
      const button = h("button", { type: "button", class: "result", "data-open-item": product.sku }, h("span", { class: "result-name" }, product.name), h("span", { class: "result-price" }, "Type the price"));
      button.addEventListener("click", () => {
        replace(results);
        sell(product, barcode);
      });
      return button;
    }),
  );
}

/**
 * The scan field: Enter looks a code up, typing searches by name. A scanner types faster than the
 * backend answers: each Enter's code is taken at once and looked up in order (never dropped while
 * the previous one is still on its way).
 */
function wireScan(screen: SaleScreen, add: (product: Product) => void, sellOpenItem: (product: Product, barcode: string) => void): void {
  const { scan, results } = screen;
  let scans: Promise<void> = Promise.resolve();
  let searchSeq = 0;
  const lookUp = () => {
    const text = scan.value.trim();
    if (text === "") return;
    // Digits are a barcode. Anything else: the first match of the name search, else a SKU.
    const picked = results.querySelector<HTMLButtonElement>("button[data-product]");
    if (!/^\d+$/.test(text) && picked) {
      picked.click();
      return;
    }
    scan.value = "";
    replace(results);
    const key = /^\d+$/.test(text) ? { barcode: text } : { sku: text };
    scans = scans.then(async () => {
      try {
        add(await timedAsync("find_product", () => api.findProduct(key)));
      } catch (error) {
        if ((error as { code?: string }).code === "product_not_found") {
          errorTone();
          // One short line that never wraps under the finger; a barcode's ways out come below it.
          if (/^\d+$/.test(text)) {
            showErrorText(`Nothing found for “${text}”.`, scan);
            void offerOpenItems(results, text, sellOpenItem);
          } else showErrorText(`Nothing found for “${text}”. Scan again or search by name.`, scan);
        } else showError(error);
      }
    });
  };

  const search = async () => {
    const text = scan.value.trim();
    const seq = ++searchSeq;
    if (text.length < 2 || /^\d+$/.test(text)) {
      replace(results);
      return;
    }
    let found: Product[];
    try {
      found = await api.searchProducts(text);
    } catch (error) {
      showError(error);
      return;
    }
    if (seq !== searchSeq || !results.isConnected) return;
    replace(
      results,
      h("p", { class: "results-title" }, found.length ? "Matches (Enter picks the first)" : "No item matches."),
      ...found.map((product) => {
        const button = h(
          "button",
          { type: "button", class: "result", "data-product": product.sku },
          h("span", { class: "result-name" }, product.name),
          h("span", { class: "result-price" }, money(Number(product.price_minor))),
        );
        button.addEventListener("click", () => add(product));
        return button;
      }),
    );
  };

  /** The number in the scan field becomes the next item's quantity ("24 ×"). */
  const times = () => {
    const quantity = screen.takeQuantity();
    if (quantity === null) showErrorText(`Type a quantity from 1 to ${MAX_QUANTITY}, then ×, then scan.`, scan);
    else {
      clearError();
      screen.setMultiplier(quantity);
      replace(results);
    }
    screen.refocus();
  };
  screen.times.addEventListener("click", times);
  scan.addEventListener("input", () => void search());
  scan.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      lookUp();
    } else if (event.key === "*" && /^\d+$/.test(scan.value.trim())) {
      event.preventDefault();
      times();
    } else if (event.key === "Escape") {
      scan.value = "";
      screen.setMultiplier(null);
      replace(results);
    }
  });
}

function drawQuickKeys(screen: SaleScreen, groups: QuickKeys[], add: (product: Product) => void): void {
  let chosen = 0;
  const draw = () => {
    replace(
      screen.quickTabs,
      ...groups.map((group, i) => {
        const tab = h("button", { type: "button", class: "choice tab", "data-category": group.category.name, "aria-pressed": String(i === chosen) }, group.category.name);
        tab.addEventListener("click", () => {
          chosen = i;
          draw();
          screen.refocus();
        });
        return tab;
      }),
    );
    replace(
      screen.quickGrid,
      ...(groups[chosen]?.products ?? []).map((product) => {
        const key = h(
          "button",
          { type: "button", class: "quick-key", "data-quick": product.sku },
          h("span", { class: "quick-name" }, product.name),
          h("span", { class: "quick-price" }, money(Number(product.price_minor))),
        );
        key.addEventListener("click", () => add(product));
        return key;
      }),
    );
  };
  draw();
}

/** Pay, Shift, Refund, Discount sale, Clear sale, F12; a click off a field gives the scan field the focus. Returns the clean-up. */
function wireActions(screen: SaleScreen, session: SessionView): () => void {
  const { pay } = screen;
  const pressPay = () => {
    const cart = currentCart();
    if (!cart || cart.lines.length === 0) return;
    // Pressed while the backend prices the cart (a moment after a scan, or on coming back to
    // the sale): the pay screen opens with the numbers, instead of the press being lost.
    if (cart.priced) showPay();
    else screen.payWhenPriced = true;
  };
  pay.addEventListener("click", pressPay);
  screen.shift.addEventListener("click", () => go.session(session, "resumed"));
  screen.refund.addEventListener("click", () => go.refund(session));
  screen.saleDiscount.addEventListener("click", () => askSaleDiscount(screen.refocus));
  screen.clear.addEventListener("click", () => askClearSale(session, screen.refocus));
  const keys = (event: KeyboardEvent) => {
    if (event.key === "F12") {
      event.preventDefault();
      // Also while the cart is being priced (Pay is disabled then): it opens once the numbers are in.
      if (!isBusy() && !dialogOpen()) pressPay();
    }
  };
  document.addEventListener("keydown", keys);
  // Keyboard-first: a click anywhere but a field gives the focus back to the scan field.
  const keepFocus = (event: Event) => {
    const target = event.target as HTMLElement | null;
    if (target && !target.closest("input, textarea")) window.setTimeout(screen.refocus, 0);
  };
  document.addEventListener("click", keepFocus);
  return () => {
    document.removeEventListener("keydown", keys);
    document.removeEventListener("click", keepFocus);
  };
}

/**
 * Applies a change typed in a dialog once the backend has priced it: a discount larger than
 * what it discounts (or any other refusal) is said next to `field` and the cart stays as it was.
 */
async function applyChange(draft: CartDraft, field: HTMLInputElement, dialog: { close: () => void }): Promise<void> {
  const result = await run(() => priceDraft(draft));
  if (!result) return;
  if (!result.ok) {
    // The banner is behind the dialog: the words go next to the field instead.
    showErrorText(errorMessage(result.error), field);
    field.focus();
    return;
  }
  const priced = result.value;
  const cart = currentCart();
  if (cart && !selfApproves() && approvalNeeded(cart.approval, priced.approvals)) {
    // A discount above the limit or a new price is approved as it is given, with the manager
    // seeing what and why: not later at Pay, after the customer has handed over the money.
    dialog.close();
    await approveNow(cart.session, draft, priced);
    return;
  }
  commitDraft(draft, priced);
  dialog.close();
}

/**
 * The manager approves a change to the cart now: their PIN is checked by the backend before the
 * cart takes the change; cancelled, the cart stays as it was. The sale carries the approval to
 * the backend, which checks it again when it records the sale.
 */
async function approveNow(session: SessionView, draft: CartDraft, priced: PricedCart): Promise<void> {
  const words = approvalWords(priced.approvals, false);
  const managers = await listManagers();
  const reasons = { lines: draft.lines.map((l) => l.reason), receipt: draft.receiptDiscountReason };
  showApproval({
    title: words?.title ?? "Approve",
    lead: words?.lead ?? "",
    details: approvalDetails(priced.approvals, priced.lines.map((l) => l.name), priced.currency, locale(), reasons),
    submitLabel: "Approve",
    managers,
    approve: async (approval) => {
      const checked = await run(() => api.checkApproval(approval));
      if (!checked?.ok) return false;
      commitDraft(draft, priced, { approval, manager: checked.value, covers: priced.approvals.map(approvalKey) });
      go.sale(session);
      return true;
    },
    cancel: () => go.sale(session),
  });
}

/**
 * Why a discount or new price is given: one of the list (a press), and for "Other" a few words.
 * `value()` answers the reason, or shows what is missing and answers null.
 */
function reasonPicker(id: string, current: PriceChangeReason | null): { element: HTMLElement; value: () => PriceChangeReason | null } {
  let kind: PriceChangeReasonKind | null = current?.kind ?? null;
  const text = h("input", { id: `${id}-reason-text`, type: "text", maxlength: 200, autocomplete: "off", "aria-describedby": `${id}-reason-text-error` });
  text.value = current?.text ?? "";
  const textField = h("div", { class: "field", hidden: kind !== "other" }, h("label", { for: `${id}-reason-text` }, "What for"), text, errorSlot(`${id}-reason-text`));
  const buttons = PRICE_CHANGE_REASONS.map(([k, label]) => {
    const b = h("button", { type: "button", class: "choice tab", "data-price-reason": k, "aria-pressed": String(k === kind) }, label);
    b.addEventListener("click", () => {
      kind = k;
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === b));
      textField.hidden = k !== "other";
      clearError();
      if (k === "other") text.focus();
    });
    return b;
  });
  const element = h("div", { class: "stack-tight" }, h("p", { class: "label" }, "Why"), h("div", { class: "actions reason-choices", role: "group", "aria-label": "Why" }, ...buttons), textField);
  const value = (): PriceChangeReason | null => {
    const words = text.value.trim();
    if (kind === null) {
      showErrorText("Pick why: damaged, price match, staff or other.", text);
      buttons[0]?.focus();
      return null;
    }
    if (kind === "other" && words === "") {
      showErrorText("Say what it is for, in a few words.", text);
      text.focus();
      return null;
    }
    return kind === "other" || words ? { kind, text: words } : { kind };
  };
  return { element, value };
}

/** A dialog's closing: its words go, the scan field gets the focus back. */
function dialogClosed(refocus: () => void): () => void {
  return () => {
    clearError();
    refocus();
  };
}

/** A void's line: the product and how many of it come off (the backend prices it from the catalog). */
function voided(line: CartLine, quantity: number): VoidLine {
  return { product_id: line.product.id, quantity };
}

/** The void being recorded, kept after a failure: pressing the same again retries it with its id (recorded once). */
let pendingVoid: { key: string; id: string } | null = null;

/**
 * Nothing leaves a sale without a trace: a line removed, a quantity lowered and a cleared sale
 * are recorded as a void (cashier, time, the catalog's amount; on the X and Z, journaled) before
 * the cart changes. A refusal (no open shift, the database away) leaves the cart as it was.
 */
async function voidThen(kind: VoidKind, lines: VoidLine[], apply: () => void): Promise<void> {
  if (lines.length === 0) return;
  const key = JSON.stringify([currentCart()?.receiptId, kind, lines]);
  const id = pendingVoid?.key === key ? pendingVoid.id : api.newRequestId();
  pendingVoid = { key, id };
  const result = await run(() => api.recordVoid(id, kind, lines));
  if (!result?.ok) return;
  pendingVoid = null;
  apply();
}

/** The whole cart off, recorded as one void of every line; then a new, empty sale. */
function clearSaleAsVoid(cart: Cart, session: SessionView): void {
  void voidThen(
    "sale_cleared",
    cart.lines.map((line) => voided(line, line.quantity)),
    () => {
      clearCart();
      showSale(session);
    },
  );
}

/**
 * A cart another login rang up (an idle logout, a change of cashier) is never taken over
 * silently: the new cashier goes on with it, or clears it, which is a recorded void.
 */
function askAboutWaitingCart(cart: Cart, session: SessionView, refocus: () => void): void {
  const me = state.status?.logged_in?.name ?? null;
  const lines = counted(cart.lines.length, "line");
  const dialog = sheet({
    id: "waiting-cart",
    title: `${displayName(cart.cashier ?? "")}'s sale (${lines}) is waiting`,
    body: [h("p", { class: "lead" }, "Go on with it if the customer is still here. Clearing it records a void in your name.")],
    submitLabel: "Go on with this sale",
    onSubmit: () => {
      takeOverCart(me);
      dialog.close();
    },
    removeLabel: "Clear it",
    onRemove: () => {
      dialog.close();
      clearSaleAsVoid(cart, session);
    },
    onClose: dialogClosed(refocus),
  });
  dialog.open(dialog.dialog.querySelector<HTMLButtonElement>("#waiting-cart-apply") ?? dialog.dialog);
}

/** "Clear sale" asks first: a cleared sale is a void, with the cashier's name on it. */
function askClearSale(session: SessionView, refocus: () => void): void {
  const cart = currentCart();
  if (!cart || cart.lines.length === 0) return;
  const total = cart.priced ? ` for ${money(cart.priced.total)}` : "";
  const dialog = sheet({
    id: "clear-sale",
    title: "Clear this sale?",
    body: [
      h("p", { class: "lead" }, `${counted(cart.lines.length, "line")}, ${counted(itemCount(cart.lines), "item")}${total}.`),
      h("p", { class: "hint" }, "Every line comes off the sale. The void is recorded with your name and shows on the X and Z."),
    ],
    submitLabel: "Clear sale",
    onSubmit: () => {
      dialog.close();
      clearSaleAsVoid(cart, session);
    },
    onClose: dialogClosed(refocus),
  });
  const keep = dialog.dialog.querySelector<HTMLButtonElement>("#clear-sale-cancel");
  if (keep) keep.textContent = "Keep the sale";
  // The safe choice has the focus: a scanner's Enter keeps the sale.
  dialog.open(keep ?? dialog.dialog);
}

/** A discount on one line or on the whole sale: percent or amount. */
function askDiscount(options: {
  id: string;
  title: string;
  current: Discount | null;
  reason: PriceChangeReason | null;
  draft: (discount: Discount | null, reason: PriceChangeReason | null) => CartDraft;
  refocus: () => void;
}): void {
  const cur = currency();
  const lang = locale();
  const { field, input, kind } = discountField(options.id, cur, lang, options.current?.kind ?? "percent");
  if (options.current) input.value = discountInput(options.current, cur, lang);
  const why = reasonPicker(options.id, options.reason);
  const submit = () => {
    const parsed = parseDiscount(kind(), input.value, cur, lang);
    if (!parsed.ok) {
      showErrorText(parsed.message, input);
      input.focus();
      return;
    }
    if (parsed.value === null) {
      void applyChange(options.draft(null, null), input, dialog);
      return;
    }
    const reason = why.value();
    if (reason) void applyChange(options.draft(parsed.value, reason), input, dialog);
  };
  const dialog = sheet({
    id: `${options.id}-dialog`,
    title: options.title,
    body: [
      field,
      amountPad(input, lang, 2),
      why.element,
      h("p", { class: "hint" }, selfApproves() ? "Empty or 0: no discount." : "Empty or 0: no discount. Above the store's limit, a manager approves it now with their PIN."),
    ],
    submitLabel: "Apply",
    onSubmit: submit,
    removeLabel: options.current ? "Remove discount" : null,
    onRemove: () => void applyChange(options.draft(null, null), input, dialog),
    onClose: dialogClosed(options.refocus),
  });
  dialog.open(input);
  input.select();
}

function askLineDiscount(index: number, refocus: () => void): void {
  const line = currentCart()?.lines[index];
  if (!line) return;
  askDiscount({
    id: `line-discount-${index}`,
    title: `Discount on ${line.product.name}`,
    current: line.discount,
    reason: line.reason,
    draft: (discount, reason) => draftLineDiscount(index, discount, reason),
    refocus,
  });
}

function askSaleDiscount(refocus: () => void): void {
  const cart = currentCart();
  if (!cart || cart.lines.length === 0) return;
  askDiscount({
    id: "sale-discount",
    title: "Discount on the whole sale",
    current: cart.receiptDiscount,
    reason: cart.receiptDiscountReason,
    draft: draftSaleDiscount,
    refocus,
  });
}

/** A new unit price for a line: always needs a manager (the backend lists it in `approvals`). */
function askPrice(index: number, refocus: () => void, suggested: PriceChangeReason | null = null): void {
  const cart = currentCart();
  const line = cart?.lines[index];
  if (!line) return;
  const cur = currency();
  const lang = locale();
  const id = `line-price-${index}`;
  const { field, input } = moneyField(id, "New unit price", cur, lang);
  if (line.priceOverride !== null) input.value = formatAmountInput(line.priceOverride, currencyDecimals(cur), lang);
  const catalog = cart?.priced?.lines[index]?.catalog_unit_price ?? Number(line.product.price_minor);
  const why = reasonPicker(id, line.reason ?? suggested);
  const submit = () => {
    const parsed = parsePriceOverride(input.value, cur, lang);
    if (!parsed.ok) {
      showErrorText(parsed.message, input);
      input.focus();
      return;
    }
    if (parsed.value === null) {
      void applyChange(draftPriceOverride(index, null, null), input, dialog);
      return;
    }
    const reason = why.value();
    if (reason) void applyChange(draftPriceOverride(index, parsed.value, reason), input, dialog);
  };
  const dialog = sheet({
    id: `${id}-dialog`,
    title: `Price of ${line.product.name}`,
    body: [
      h("p", { class: "lead" }, `Catalog price: ${money(catalog)}`),
      field,
      amountPad(input, lang, currencyDecimals(cur)),
      why.element,
      h("p", { class: "hint" }, selfApproves() ? "Empty: the catalog price." : "Empty: the catalog price. A manager approves a new price now with their PIN."),
    ],
    submitLabel: "Apply",
    onSubmit: submit,
    removeLabel: line.priceOverride !== null ? "Catalog price" : null,
    onRemove: () => void applyChange(draftPriceOverride(index, null, null), input, dialog),
    onClose: dialogClosed(refocus),
  });
  dialog.open(input);
  input.select();
}

/** The pay screen's cart, its numbers, the tenders taken so far and the parts drawn from them. */
interface PayScreen {
  cart: Cart;
  priced: PricedCart;
  cur: string;
  lang: string;
  tenders: Tender[];
  due: HTMLParagraphElement;
  tenderList: HTMLUListElement;
  closedSlot: HTMLDivElement;
  quick: HTMLDivElement;
}

function paid(pay: PayScreen): number {
  return pay.tenders.reduce((sum, t) => sum + t.amount, 0);
}

function hasCash(pay: PayScreen): boolean {
  return pay.tenders.some((t) => t.kind === "cash");
}

/** What is left to pay; in cash the backend's rounded cash total applies. */
function remaining(pay: PayScreen, cash: boolean): number {
  return Math.max(0, (cash || hasCash(pay) ? pay.priced.cash_total : pay.priced.total) - paid(pay));
}

/** The pay screen: tenders until the total is covered, then the sale is recorded once. */
function showPay(): void {
  const cart = currentCart();
  const priced = cart?.priced;
  if (!cart || !priced) return;
  const cur = priced.currency;
  const lang = locale();
  const pay: PayScreen = {
    cart,
    priced,
    cur,
    lang,
    tenders: [],
    due: h("p", { id: "pay-due", class: "pay-due" }),
    tenderList: h("ul", { id: "tenders", class: "tender-list", "aria-label": "Payments taken" }),
    closedSlot: h("div", { id: "pay-closed-slot" }),
    quick: h("div", { id: "pay-quick", class: "quick-amounts", role: "group", "aria-label": "Cash handed over" }),
  };
  // Focused on arrival, so its label says Enter: a scanner's Enter here is a cash sale at the total.
  const exact = h("button", { id: "pay-exact", type: "button", class: "primary big", "aria-keyshortcuts": "Enter" }, "Exact cash (Enter)");
  const { field: cashField, input: cashInput } = moneyField("cash-given", "Cash handed over", cur, lang);
  const takeCash = h("button", { id: "pay-cash", type: "button", class: "secondary big" }, "Take cash");
  const cardRef = h("input", { id: "card-ref", type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": "card-ref-error" });
  // A split: part of the sale on this card. Empty: the rest.
  const { field: cardAmountField, input: cardAmount } = moneyField("card-amount", "Card amount (empty: the rest)", cur, lang);
  const card = h("button", { id: "pay-card", type: "button", class: "secondary big" }, "Card");
  const back = h("button", { id: "pay-back", type: "button", class: "secondary big" }, "Back to sale");

  exact.addEventListener("click", () => take(pay, { kind: "cash", amount: remaining(pay, true) }));
  const cash = () => {
    const parsed = parseLocaleMoney(cashInput.value, cur, lang);
    if (!parsed.ok || parsed.minor <= 0) {
      showErrorText(parsed.ok ? "Type the cash handed over." : moneyParseMessage(parsed.error, cur, lang), cashInput);
      cashInput.focus();
      return;
    }
    cashInput.value = "";
    take(pay, { kind: "cash", amount: parsed.minor });
  };
  const cardPay = () => {
    const rest = remaining(pay, false);
    let amount = rest;
    if (cardAmount.value.trim() !== "") {
      const parsed = parseLocaleMoney(cardAmount.value, cur, lang);
      if (!parsed.ok || parsed.minor <= 0 || parsed.minor > rest) {
        // A card pays what it is charged: no change is given on a card.
        showErrorText(parsed.ok ? `A card pays from ${formatMoney(1, cur, lang)} to ${formatMoney(rest, cur, lang)}, what is still to pay.` : moneyParseMessage(parsed.error, cur, lang), cardAmount);
        cardAmount.focus();
        return;
      }
      amount = parsed.minor;
    }
    const reference = cardRef.value.trim();
    // The store decides whether the code is needed (priced.card_reference_required); the backend checks it again.
    if (reference === "" && priced.card_reference_required) {
      showErrorText("Type the card terminal's approval code.", cardRef);
      cardRef.focus();
      return;
    }
    cardRef.value = "";
    cardAmount.value = "";
    take(pay, { kind: "card", amount, approval_reference: reference });
  };
  onPress(takeCash, cashInput, cash);
  onPress(card, cardRef, cardPay);
  cardAmount.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      cardRef.focus();
    }
  });
  back.addEventListener("click", () => showSale(cart.session));

  mount(
    "pay",
    h(
      "div",
      { class: "pay cols" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, "Pay"),
        pay.closedSlot,
        pay.due,
        pay.tenderList,
        h("div", { class: "actions" }, exact),
        h("h2", {}, "Quick cash"),
        pay.quick,
        h("div", { class: "inline-pay" }, cashField, takeCash),
      ),
      h(
        "section",
        { class: "stack card" },
        h("h2", {}, "Card"),
        cardAmountField,
        h("div", { class: "field" }, h("label", { for: "card-ref" }, priced.card_reference_required ? "Card approval code" : "Card approval code (optional)"), cardRef, errorSlot("card-ref")),
        card,
        h("p", { class: "hint" }, "Split: take part in cash, then the rest by card (or the other way)."),
        h("div", { class: "actions" }, back),
      ),
    ),
  );
  drawPay(pay);
  exact.focus();
}

/** `action` on a click of `button` and on Enter in `field`. */
function onPress(button: HTMLButtonElement, field: HTMLInputElement, action: () => void): void {
  button.addEventListener("click", action);
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      action();
    }
  });
}

function drawPay(pay: PayScreen): void {
  const { priced, cur, lang, tenders } = pay;
  const left = remaining(pay, false);
  replace(
    pay.due,
    h("span", { class: "label" }, tenders.length ? "Still to pay" : "To pay"),
    h("span", { id: "pay-amount", class: "pay-amount" }, formatMoney(left, cur, lang)),
    priced.cash_total !== priced.total && !hasCash(pay) ? h("span", { class: "hint" }, ` In cash: ${formatMoney(priced.cash_total, cur, lang)}`) : null,
  );
  replace(
    pay.tenderList,
    ...tenders.map((t, i) => {
      const label = t.kind === "card" ? (t.approval_reference ? `Card ${t.approval_reference}` : "Card") : "Cash";
      // Taken by mistake (the wrong card, a miscount): it comes off before the sale is recorded.
      const remove = h("button", { type: "button", class: "qty remove", "data-tender-remove": i, "aria-label": `Remove ${label} ${formatMoney(t.amount, cur, lang)}` }, "✕");
      remove.addEventListener("click", () => {
        if (isBusy()) return;
        pay.tenders.splice(i, 1);
        drawPay(pay);
      });
      return h("li", { class: "tender" }, h("span", {}, label), h("span", { class: "tender-amount" }, formatMoney(t.amount, cur, lang), remove));
    }),
  );
  replace(
    pay.quick,
    ...quickCashAmounts(remaining(pay, true), cur, 4, location()).map((amount) => {
      const b = h("button", { type: "button", class: "secondary big", "data-amount": amount }, formatMoney(amount, cur, lang));
      b.addEventListener("click", () => take(pay, { kind: "cash", amount }));
      return b;
    }),
  );
}

/** One tender; once the total (in cash: the cash total) is covered, the sale is recorded. */
function take(pay: PayScreen, tender: Tender): void {
  if (isBusy()) return;
  // Taken: what a refused try said next to its field is no longer so.
  clearError();
  pay.tenders.push(tender);
  drawPay(pay);
  const needed = hasCash(pay) ? pay.priced.cash_total : pay.priced.total;
  if (paid(pay) >= needed) void recordSale(pay);
}

/** Records the sale once (the cart's receipt id); a discount or a new price first needs a manager's PIN. */
async function recordSale(pay: PayScreen): Promise<void> {
  const { cart, priced } = pay;
  const request = saleRequest(cart, pay.tenders);
  const recorded = (receipt: Receipt) => {
    finishCart();
    showReceiptToCustomer(receipt);
    showReceipt(receipt, { after: "sale", session: cart.session });
  };
  const words = approvalWords(priced.approvals, selfApproves());
  const held = cart.approval;
  if (words && !selfApproves() && held && !approvalNeeded(held, priced.approvals)) {
    // Approved as it was given: the backend checks the same approval again with the sale.
    const result = await run(() => api.recordSale(cart.receiptId, cart.session.id, request, held.approval));
    if (!result) return;
    if (result.ok) {
      recorded(result.value);
      return;
    }
    // Refused with it (the manager's PIN changed, say): Pay asks a manager again.
    dropHeldApproval();
    drawPay(pay);
    return;
  }
  if (words && !selfApproves()) {
    // A discount above the limit or a new price: a manager approves with their PIN, checked by the backend.
    const managers = await listManagers();
    showApproval({
      title: words.title,
      lead: words.lead,
      details: approvalDetails(priced.approvals, priced.lines.map((l) => l.name), pay.cur, pay.lang, {
        lines: cart.lines.map((l) => l.reason),
        receipt: cart.receiptDiscountReason,
      }),
      submitLabel: "Approve and record",
      managers,
      approve: async (approval) => {
        const result = await run(() => api.recordSale(cart.receiptId, cart.session.id, request, approval));
        if (!result?.ok) return false;
        recorded(result.value);
        return true;
      },
      cancel: () => showPay(),
    });
    return;
  }
  const result = await run(() => api.recordSale(cart.receiptId, cart.session.id, request, null));
  if (!result) return;
  if (result.ok) {
    recorded(result.value);
    return;
  }
  pay.tenders.length = 0;
  drawPay(pay);
  if (result.error.code === "session_closed") {
    // The cart stays; after Start/Join shift it comes back and Pay records it once.
    waitForShift();
    const start = h("button", { id: "sale-start-shift", type: "button", class: "primary big" }, "Start shift");
    start.addEventListener("click", () => go.start());
    replace(
      pay.closedSlot,
      h(
        "div",
        { class: "callout warning stack-tight" },
        h("p", { id: "sale-session-closed" }, `Shift ${cart.session.number} was closed on another device. Start a shift: this sale stays on screen.`),
        h("div", { class: "actions" }, start),
      ),
    );
    start.focus();
  }
}

/** When a receipt's instant was, in its location's time zone and the store's locale. */
export function receiptTime(at: string, timeZone: string, lang: string): string {
  const date = new Date(at);
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date);
  }
}

/** A receipt's words, in the store's language (its locale's); English otherwise. */
const RECEIPT_WORDS = {
  en: { receipt: "RECEIPT", refund: "REFUND", no: "No.", refundOf: "Refund of", date: "Date", register: "Register", shift: "Shift", cashier: "Cashier", taxNo: "Tax no.", reason: "Reason", approvedBy: "Approved by", subtotal: "Subtotal", saleDiscount: "Sale discount", rounding: "Rounding", total: "Total", refunded: "Refunded", cash: "Cash", card: "Card", change: "Change", rate: "Rate", net: "Net", tax: "Tax", gross: "Gross", incl: "incl.", thanks: "Thank you" },
  de: { receipt: "BELEG", refund: "ERSTATTUNG", no: "Nr.", refundOf: "Erstattung zu", date: "Datum", register: "Kasse", shift: "Schicht", cashier: "Kassierer", taxNo: "St.-Nr.", reason: "Grund", approvedBy: "Genehmigt von", subtotal: "Zwischensumme", saleDiscount: "Einkaufsrabatt", rounding: "Rundung", total: "Summe", refunded: "Erstattet", cash: "Bar", card: "Karte", change: "Rückgeld", rate: "Satz", net: "Netto", tax: "MwSt.", gross: "Brutto", incl: "inkl.", thanks: "Vielen Dank" },
} as const;

/** A refund's reason on its receipt. */
const REASON_WORDS: Record<RefundReasonKind, string> = {
  damaged: "damaged",
  wrong_item: "wrong item",
  changed_mind: "changed mind",
  price_match: "price match",
  other: "other",
};

/** The receipt's words for `locale` ("de-DE" → German). */
function receiptWords(locale: string): (typeof RECEIPT_WORDS)[keyof typeof RECEIPT_WORDS] {
  return locale.toLowerCase().startsWith("de") ? RECEIPT_WORDS.de : RECEIPT_WORDS.en;
}

/**
 * The printable receipt: what the customer gets on 80 mm paper (see the print stylesheet). Each
 * line carries its tax rate's letter, and the rates are listed with their net, tax and gross,
 * as EU receipts expect; every amount is the backend's.
 */
export function receiptView(receipt: Receipt): HTMLElement {
  const lang = locale();
  const w = receiptWords(receipt.locale || lang);
  const m = (minor: number) => formatMoney(minor, receipt.currency, lang);
  const refund = receipt.kind === "refund";
  const row = (left: string, right: string, cls = "") => h("div", { class: `r-row ${cls}` }, h("span", {}, left), h("span", {}, right));
  const percent = (ppm: number) => formatPercent(ppm, receipt.locale || lang);
  // A, B, C…: the receipt's tax rates in the backend's order.
  const letter = (taxRateId: string) => String.fromCharCode(65 + Math.max(0, receipt.taxes.findIndex((t) => t.tax_rate_id === taxRateId)));
  const cell = (text: string, cls = "") => h("td", { class: cls }, text);
  return h(
    "article",
    { id: "receipt", class: "receipt", "aria-label": `Receipt ${receipt.number}` },
    h("p", { class: "r-store" }, receipt.location_name),
    receipt.location_address ? h("p", { class: "r-address" }, receipt.location_address) : null,
    receipt.location_tax_number ? h("p", { class: "r-address", id: "receipt-tax-number" }, `${w.taxNo} ${receipt.location_tax_number}`) : null,
    h("p", { class: "r-title" }, refund ? w.refund : w.receipt),
    row(w.no, receipt.number, "r-number"),
    refund && receipt.refund_of ? row(w.refundOf, receipt.refund_of) : null,
    row(w.date, receiptTime(receipt.at, receipt.time_zone, lang), "r-date"),
    row(w.register, `${receipt.location_code}/${receipt.register_code}`, "r-register"),
    row(w.shift, receipt.session_number, "r-shift"),
    row(w.cashier, displayName(receipt.cashier)),
    receipt.approved_by ? row(w.approvedBy, displayName(receipt.approved_by), "r-approved-by") : null,
    refund && receipt.refund_reason
      ? h("p", { class: "r-reason", id: "receipt-reason" }, `${w.reason}: ${REASON_WORDS[receipt.refund_reason.kind]}${receipt.refund_reason.text ? ` (${receipt.refund_reason.text})` : ""}`)
      : null,
    h("hr", {}),
    ...receipt.lines.map((line) =>
      h(
        "div",
        { class: "r-line" },
        row(line.name, `${m(line.extended)} ${letter(line.tax_rate_id)}`),
        h("p", { class: "r-detail" }, `${line.quantity} × ${m(line.unit_price)}${line.line_discount > 0 ? `, −${m(line.line_discount)}` : ""}`),
      ),
    ),
    h("hr", {}),
    // The lines' own discounts are under each line; the sale discount is named apart, under the subtotal it is taken from.
    receipt.receipt_discount > 0 ? row(w.subtotal, m(receipt.subtotal), "r-subtotal") : null,
    receipt.receipt_discount > 0 ? row(w.saleDiscount, `−${m(receipt.receipt_discount)}`, "r-sale-discount") : null,
    receipt.rounding !== 0 ? row(w.rounding, m(receipt.rounding)) : null,
    row(refund ? w.refunded : w.total, m(receipt.total), "r-total"),
    ...receipt.tenders.map((t) => row(t.kind === "card" ? `${w.card}${t.reference ? ` ${t.reference}` : ""}` : t.kind === "cash" ? w.cash : t.kind, m(t.amount))),
    receipt.change > 0 ? row(w.change, m(receipt.change), "r-change") : null,
    h(
      "table",
      { class: "r-taxes", id: "receipt-taxes" },
      h("thead", {}, h("tr", {}, cell(w.rate), cell(w.net, "num"), cell(w.tax, "num"), cell(w.gross, "num"))),
      h(
        "tbody",
        {},
        ...receipt.taxes.map((tax) =>
          h(
            "tr",
            {},
            cell(`${letter(tax.tax_rate_id)} ${tax.name} ${percent(tax.rate_ppm)}${receipt.prices_include_tax ? ` ${w.incl}` : ""}`),
            cell(m(tax.net), "num"),
            cell(m(tax.tax), "num"),
            cell(m(tax.gross), "num"),
          ),
        ),
      ),
    ),
    h("p", { class: "r-thanks" }, w.thanks),
    anchorCode(receipt.anchor, "receipt-anchor"),
  );
}

/** After a sale (change due huge, "New sale" on Enter) or a refund. */
export function showReceipt(receipt: Receipt, options: { after: "sale" | "refund"; session: SessionView }): void {
  const lang = locale();
  const next = h("button", { id: "new-sale", type: "button", class: "primary huge" }, "New sale (Enter)");
  // With a receipt printer the receipt has printed already (the backend printed it as it was
  // recorded): the button is a reprint, which the backend counts and prints, marked REPRINT.
  const printerPrints = receiptPrinterSetUp();
  const print = h("button", { id: "print-receipt", type: "button", class: "secondary big" }, printerPrints ? "Reprint" : "Print");
  next.addEventListener("click", () => go.sale(options.session));
  // The first print is the customer's receipt; every later one is a reprint, counted on the
  // shift (the X and Z show reprints) and journaled by the backend before it prints.
  let printed = printerPrints;
  print.addEventListener("click", () => {
    if (printerPrints) {
      void run(() => api.recordReprint(receipt.number));
      return;
    }
    if (!printed) {
      printed = true;
      print.textContent = "Print again";
      window.print();
      return;
    }
    void run(() => api.recordReprint(receipt.number)).then((outcome) => {
      if (outcome?.ok) window.print();
    });
  });
  const change =
    options.after === "sale"
      ? h(
          "div",
          { class: "change-due card" },
          h("p", { class: "label" }, "Change"),
          h("p", { id: "change-due", class: "change-amount" }, formatMoney(receipt.change, receipt.currency, lang)),
        )
      : h(
          "div",
          { class: "change-due card" },
          h("p", { class: "label" }, "Give back"),
          h("p", { id: "refund-amount", class: "change-amount" }, formatMoney(receipt.total, receipt.currency, lang)),
        );
  mount(
    "receipt",
    h(
      "div",
      { class: "receipt-screen cols" },
      h(
        "section",
        { class: "stack no-print" },
        h("h1", {}, options.after === "sale" ? "Sale done" : "Refund done"),
        change,
        next,
        h("div", { class: "actions" }, print),
      ),
      h("section", { class: "receipt-paper", "aria-label": "Receipt" }, receiptView(receipt)),
    ),
    scanStartsNextSale(options.session),
  );
  next.focus();
}

/**
 * On the receipt screen a scanner's first character starts the next sale: the sale screen opens
 * with it in the scan field, and the rest of the code (and its Enter) goes there, so the first
 * item of the next customer is never lost to a button. Returns the clean-up.
 */
function scanStartsNextSale(session: SessionView): () => void {
  const onKey = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement | null;
    if (event.key.length !== 1 || !/^[0-9A-Za-z]$/.test(event.key) || event.ctrlKey || event.altKey || event.metaKey) return;
    if (dialogOpen() || target?.closest("input, textarea, select")) return;
    event.preventDefault();
    go.sale(session);
    const scan = document.getElementById("scan");
    if (scan instanceof HTMLInputElement) {
      scan.value = event.key;
      scan.focus();
    }
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
