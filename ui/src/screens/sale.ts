/**
 * Selling: the sale screen (scan, search, quick keys, the cart with the backend's totals), the
 * pay screen (exact cash, quick amounts, card, split) and the receipt (printable on 80 mm paper).
 * Every price and total shown comes from the backend (`price_cart`, then the recorded receipt).
 */
import * as api from "../api";
import {
  addProduct,
  approvalDetails,
  approvalWords,
  changeQuantity,
  discountInput,
  discountLabel,
  parseDiscount,
  parsePriceOverride,
  quickCashAmounts,
  saleLines,
  type CartLine,
} from "../cart";
import { cartView } from "../cart-view";
import { h, replace } from "../dom";
import { errorMessage } from "../errors";
import { currencyDecimals, formatAmountInput, formatMoney, moneyParseMessage, parseLocaleMoney } from "../money";
import { timed, timedAsync, timeLayout } from "../profile";
import { locale, location, nav, state } from "../state";
import type { Discount, PricedCart, Product, QuickKeys, Receipt, SessionView, Tender } from "../types";
import { displayName } from "../time";
import { clearError, isBusy, mount, run, showError, showErrorText } from "../ui";
import { anchorCode, dialogOpen, discountField, errorSlot, moneyField, sheet } from "../widgets";
import { listManagers, showApproval } from "./approval";

/**
 * The cart being rung up. It lives outside the screen so it survives a shift closed elsewhere:
 * the cashier starts a shift and comes back to the same cart, which is then recorded once under
 * the same receipt id (chosen once per cart).
 */
interface Sale {
  session: SessionView;
  lines: CartLine[];
  /** On the whole sale, applied by the backend after the line discounts. */
  receiptDiscount: Discount | null;
  receiptId: string;
  priced: PricedCart | null;
  /** Set when Pay met `session_closed`: the next open session brings the cart back. */
  waitingForShift: boolean;
}

let sale: Sale | null = null;

/** How long a changed cart may wait for the backend's numbers before it is drawn without them. */
const PENDING_DRAW_MS = 100;

/** A cart is waiting for a shift (closed elsewhere): after Start/Join shift, go back to it. */
export function cartWaitingForShift(): boolean {
  return sale !== null && sale.waitingForShift && sale.lines.length > 0;
}

function currency(): string {
  return sale?.priced?.currency ?? sale?.session.currency ?? location()?.currency ?? "USD";
}

const money = (minor: number) => formatMoney(minor, currency(), locale());

function newSale(session: SessionView): Sale {
  return { session, lines: [], receiptDiscount: null, receiptId: api.newRequestId(), priced: null, waitingForShift: false };
}

/** The logged-in user approves discounts and new prices themself (the backend's rule). */
function selfApproves(): boolean {
  return state.status?.logged_in?.approves ?? false;
}

/** The sale screen for `session`; an unfinished cart (of any session of this register) comes back. */
export function showSale(session: SessionView): void {
  if (!sale) sale = newSale(session);
  sale.session = session;
  sale.waitingForShift = false;
  const current = sale;

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
  const results = h("div", { id: "search-results", class: "search-results", role: "group", "aria-label": "Matching items (Enter picks the first)" });
  const quickTabs = h("div", { id: "quick-categories", class: "quick-tabs", role: "group", "aria-label": "Categories" });
  const quickGrid = h("div", { id: "quick-products", class: "quick-grid", role: "group", "aria-label": "Quick keys" });
  const managerNote = h("div", { class: "manager-note" });
  const pay = h("button", { id: "pay", type: "button", class: "primary huge", "aria-keyshortcuts": "F12" }, "Pay (F12)");
  const refundButton = h("button", { id: "to-refund", type: "button", class: "secondary" }, "Refund");
  const shiftButton = h("button", { id: "to-session", type: "button", class: "secondary" }, "Shift");
  const clearCart = h("button", { id: "clear-cart", type: "button", class: "secondary" }, "Clear sale");
  const saleDiscount = h("button", { id: "sale-discount-open", type: "button", class: "secondary" }, "Discount sale");

  let searchSeq = 0;
  let priceSeq = 0;
  /** The unpriced cart is drawn when this timer fires (see reprice). */
  let pendingDraw: number | null = null;
  /** The next draw scrolls the last line into view. */
  let revealLast = false;

  const refocus = () => {
    if (scan.isConnected && !dialogOpen()) scan.focus();
  };

  const view = cartView(
    {
      minus: (index) => setLines(changeQuantity(current.lines, index, -1)),
      plus: (index) => setLines(changeQuantity(current.lines, index, 1)),
      remove: (index) => setLines(current.lines.filter((_, i) => i !== index)),
      discount: (index) => askLineDiscount(index),
      price: (index) => askPrice(index),
      removeSaleDiscount: () => {
        current.receiptDiscount = null;
        void reprice();
        refocus();
      },
    },
    { money, discount: (discount) => discountLabel(discount, currency(), locale()) },
  );
  const cartBody = view.list;

  const add = (product: Product) => {
    if (!cartBody.isConnected) return;
    current.lines = addProduct(current.lines, product);
    if (results.childElementCount > 0) scan.value = "";
    replace(results);
    // A scan changes the last line (a new one, or one more of the same): keep it in view.
    revealLast = true;
    void reprice();
    refocus();
  };

  const drawCart = () => {
    timed("draw", drawCartNow);
    timeLayout();
  };

  const drawCartNow = () => {
    const priced = current.priced;
    if (pendingDraw !== null) {
      window.clearTimeout(pendingDraw);
      pendingDraw = null;
    }
    view.draw(current.lines, priced, current.receiptDiscount);
    if (revealLast && current.lines.length > 0) view.reveal(current.lines.length - 1);
    revealLast = false;
    // The backend says when a discount or a new price needs a manager; Pay then asks for the PIN.
    const note = priced ? (approvalWords(priced.approvals, selfApproves())?.note ?? null) : null;
    if ((managerNote.textContent || null) !== note) replace(managerNote, note ? h("p", { id: "needs-manager", class: "callout info" }, note) : null);
    pay.disabled = !priced || current.lines.length === 0;
    saleDiscount.disabled = current.lines.length === 0;
  };

  /**
   * Asks the backend for the cart's numbers; an older answer never overwrites a newer one. The
   * changed cart is drawn once, with its numbers, when they come within PENDING_DRAW_MS (a scan's
   * usual case): no "—" flashing on the totals at every scan, and one frame to paint instead of
   * two. A slower answer (or none) shows the cart unpriced ("…", "—", Pay disabled) meanwhile.
   */
  const reprice = async () => {
    const seq = ++priceSeq;
    current.priced = null;
    if (current.lines.length === 0) {
      drawCart();
      return;
    }
    pendingDraw ??= window.setTimeout(() => {
      pendingDraw = null;
      if (!current.priced && cartBody.isConnected) drawCart();
    }, PENDING_DRAW_MS);
    try {
      const priced = await timedAsync("price_cart", () => api.priceCart(saleLines(current.lines), current.receiptDiscount));
      if (seq !== priceSeq || !cartBody.isConnected) return;
      current.priced = priced;
      clearError();
    } catch (error) {
      if (seq !== priceSeq) return;
      showError(error);
    }
    drawCart();
  };

  const setLines = (lines: CartLine[]) => {
    current.lines = lines;
    // An emptied cart is a new start: its sale discount goes too.
    if (lines.length === 0) current.receiptDiscount = null;
    void reprice();
    refocus();
  };

  /**
   * Applies a change typed in a dialog once the backend has priced it: a discount larger than
   * what it discounts (or any other refusal) is said next to `field` and the cart stays as it was.
   */
  const applyChange = async (lines: CartLine[], receiptDiscount: Discount | null, field: HTMLInputElement, dialog: { close: () => void }) => {
    const result = await run(() => api.priceCart(saleLines(lines), receiptDiscount));
    if (!result) return;
    if (!result.ok) {
      // The banner is behind the dialog: the words go next to the field instead.
      showErrorText(errorMessage(result.error), field);
      field.focus();
      return;
    }
    priceSeq++; // an answer still on its way is for the cart before this change
    current.lines = lines;
    current.receiptDiscount = receiptDiscount;
    current.priced = result.value;
    drawCart();
    dialog.close();
  };

  const withLine = (index: number, change: Partial<CartLine>) => current.lines.map((l, i) => (i === index ? { ...l, ...change } : l));

  /** A discount on one line or on the whole sale: percent or amount. */
  const askDiscount = (options: { id: string; title: string; current: Discount | null; apply: (discount: Discount | null) => [CartLine[], Discount | null] }) => {
    const cur = currency();
    const lang = locale();
    const { field, input, kind } = discountField(options.id, cur, lang, options.current?.kind ?? "percent");
    if (options.current) input.value = discountInput(options.current, cur, lang);
    const submit = () => {
      const parsed = parseDiscount(kind(), input.value, cur, lang);
      if (!parsed.ok) {
        showErrorText(parsed.message, input);
        input.focus();
        return;
      }
      void applyChange(...options.apply(parsed.value), input, dialog);
    };
    const dialog = sheet({
      id: `${options.id}-dialog`,
      title: options.title,
      body: [field, h("p", { class: "hint" }, "Empty or 0: no discount. A discount above the store's limit needs a manager's PIN at Pay.")],
      submitLabel: "Apply",
      onSubmit: submit,
      removeLabel: options.current ? "Remove discount" : null,
      onRemove: () => void applyChange(...options.apply(null), input, dialog),
      onClose: () => {
        clearError();
        refocus();
      },
    });
    dialog.open(input);
    input.select();
  };

  const askLineDiscount = (index: number) => {
    const line = current.lines[index];
    if (!line) return;
    askDiscount({
      id: `line-discount-${index}`,
      title: `Discount on ${line.product.name}`,
      current: line.discount,
      apply: (discount) => [withLine(index, { discount }), current.receiptDiscount],
    });
  };

  const askSaleDiscount = () => {
    if (current.lines.length === 0) return;
    askDiscount({
      id: "sale-discount",
      title: "Discount on the whole sale",
      current: current.receiptDiscount,
      apply: (discount) => [current.lines, discount],
    });
  };

  /** A new unit price for a line: always needs a manager (the backend lists it in `approvals`). */
  const askPrice = (index: number) => {
    const line = current.lines[index];
    if (!line) return;
    const cur = currency();
    const lang = locale();
    const id = `line-price-${index}`;
    const { field, input } = moneyField(id, "New unit price", cur, lang);
    if (line.priceOverride !== null) input.value = formatAmountInput(line.priceOverride, currencyDecimals(cur), lang);
    const catalog = current.priced?.lines[index]?.catalog_unit_price ?? Number(line.product.price_minor);
    const submit = () => {
      const parsed = parsePriceOverride(input.value, cur, lang);
      if (!parsed.ok) {
        showErrorText(parsed.message, input);
        input.focus();
        return;
      }
      void applyChange(withLine(index, { priceOverride: parsed.value }), current.receiptDiscount, input, dialog);
    };
    const dialog = sheet({
      id: `${id}-dialog`,
      title: `Price of ${line.product.name}`,
      body: [
        h("p", { class: "lead" }, `Catalog price: ${money(catalog)}`),
        field,
        h("p", { class: "hint" }, selfApproves() ? "Empty: the catalog price." : "Empty: the catalog price. A new price needs a manager's PIN at Pay."),
      ],
      submitLabel: "Apply",
      onSubmit: submit,
      removeLabel: line.priceOverride !== null ? "Catalog price" : null,
      onRemove: () => void applyChange(withLine(index, { priceOverride: null }), current.receiptDiscount, input, dialog),
      onClose: () => {
        clearError();
        refocus();
      },
    });
    dialog.open(input);
    input.select();
  };

  /**
   * A scanner types faster than the backend answers: each Enter's code is taken at once and
   * looked up in order (never dropped while the previous one is still on its way).
   */
  let scans: Promise<void> = Promise.resolve();
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
          showErrorText(`Nothing found for “${text}”. Scan again or search by name.`, scan);
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

  scan.addEventListener("input", () => void search());
  scan.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      lookUp();
    } else if (event.key === "Escape") {
      scan.value = "";
      replace(results);
    }
  });

  const drawQuickKeys = (groups: QuickKeys[]) => {
    let chosen = 0;
    const draw = () => {
      replace(
        quickTabs,
        ...groups.map((group, i) => {
          const tab = h("button", { type: "button", class: "choice tab", "data-category": group.category.name, "aria-pressed": String(i === chosen) }, group.category.name);
          tab.addEventListener("click", () => {
            chosen = i;
            draw();
            refocus();
          });
          return tab;
        }),
      );
      replace(
        quickGrid,
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
  };

  pay.addEventListener("click", () => {
    if (current.priced && current.lines.length > 0) showPay();
  });
  shiftButton.addEventListener("click", () => nav.session(current.session, "resumed"));
  refundButton.addEventListener("click", () => nav.refund(current.session));
  saleDiscount.addEventListener("click", askSaleDiscount);
  clearCart.addEventListener("click", () => {
    sale = newSale(current.session);
    showSale(current.session);
  });
  const keys = (event: KeyboardEvent) => {
    if (event.key === "F12") {
      event.preventDefault();
      if (!pay.disabled && !isBusy() && !dialogOpen()) pay.click();
    }
  };
  document.addEventListener("keydown", keys);
  // Keyboard-first: a click anywhere but a field gives the focus back to the scan field.
  const keepFocus = (event: Event) => {
    const target = event.target as HTMLElement | null;
    if (target && !target.closest("input, textarea")) window.setTimeout(refocus, 0);
  };
  document.addEventListener("click", keepFocus);

  mount(
    "sale",
    h(
      "div",
      { class: "sale-layout" },
      h(
        "section",
        { class: "sale-left stack", "aria-label": "Add items" },
        h("h1", { class: "sr-only" }, "Sale"),
        h("div", { class: "field" }, scan, errorSlot("scan")),
        results,
        quickTabs,
        quickGrid,
        h("div", { class: "actions sale-actions" }, saleDiscount, shiftButton, refundButton, clearCart),
      ),
      h(
        "section",
        { class: "sale-right card", "aria-labelledby": "cart-title" },
        h("h2", { id: "cart-title" }, "This sale"),
        cartBody,
        view.totals,
        view.status,
        managerNote,
        pay,
      ),
    ),
    () => {
      document.removeEventListener("keydown", keys);
      document.removeEventListener("click", keepFocus);
    },
  );
  drawCart();
  scan.focus();
  if (current.lines.length > 0) void reprice();
  void api.quickKeys().then(
    (groups) => {
      if (quickGrid.isConnected) drawQuickKeys(groups);
    },
    (error) => showError(error),
  );
}

/** The pay screen: tenders until the total is covered, then the sale is recorded once. */
function showPay(): void {
  const current = sale;
  const priced = current?.priced;
  if (!current || !priced) return;
  const cur = priced.currency;
  const lang = locale();
  const tenders: Tender[] = [];
  const paid = () => tenders.reduce((sum, t) => sum + t.amount, 0);
  const hasCash = () => tenders.some((t) => t.kind === "cash");
  /** What is left to pay; in cash the backend's rounded cash total applies. */
  const remaining = (cash: boolean) => Math.max(0, (cash || hasCash() ? priced.cash_total : priced.total) - paid());

  const due = h("p", { id: "pay-due", class: "pay-due" });
  const tenderList = h("ul", { id: "tenders", class: "tender-list", "aria-label": "Payments taken" });
  const closedSlot = h("div", { id: "pay-closed-slot" });
  const exact = h("button", { id: "pay-exact", type: "button", class: "primary big" }, "Exact cash");
  const quick = h("div", { id: "pay-quick", class: "quick-amounts", role: "group", "aria-label": "Cash handed over" });
  const { field: cashField, input: cashInput } = moneyField("cash-given", "Cash handed over", cur, lang);
  const takeCash = h("button", { id: "pay-cash", type: "button", class: "secondary big" }, "Take cash");
  const cardRef = h("input", { id: "card-ref", type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": "card-ref-error" });
  const card = h("button", { id: "pay-card", type: "button", class: "secondary big" }, "Card");
  const back = h("button", { id: "pay-back", type: "button", class: "secondary big" }, "Back to sale");

  const draw = () => {
    const left = remaining(false);
    replace(
      due,
      h("span", { class: "label" }, tenders.length ? "Still to pay" : "To pay"),
      h("span", { id: "pay-amount", class: "pay-amount" }, formatMoney(left, cur, lang)),
      priced.cash_total !== priced.total && !hasCash() ? h("span", { class: "hint" }, ` In cash: ${formatMoney(priced.cash_total, cur, lang)}`) : null,
    );
    replace(
      tenderList,
      ...tenders.map((t) =>
        h("li", { class: "tender" }, h("span", {}, t.kind === "card" ? `Card ${t.approval_reference}` : "Cash"), h("span", {}, formatMoney(t.amount, cur, lang))),
      ),
    );
    replace(
      quick,
      ...quickCashAmounts(remaining(true), cur).map((amount) => {
        const b = h("button", { type: "button", class: "secondary big", "data-amount": amount }, formatMoney(amount, cur, lang));
        b.addEventListener("click", () => take({ kind: "cash", amount }));
        return b;
      }),
    );
  };

  const record = async () => {
    // Products, quantities and what the cashier changed: never a price or a total of the UI's.
    const request = { lines: saleLines(current.lines), receipt_discount: current.receiptDiscount, tenders: [...tenders] };
    const words = approvalWords(priced.approvals, selfApproves());
    if (words && !selfApproves()) {
      // A discount above the limit or a new price: a manager approves with their PIN, checked by the backend.
      const managers = await listManagers();
      showApproval({
        title: words.title,
        lead: words.lead,
        details: approvalDetails(priced.approvals, priced.lines.map((l) => l.name), cur, lang),
        submitLabel: "Approve and record",
        managers,
        approve: async (approval) => {
          const result = await run(() => api.recordSale(current.receiptId, current.session.id, request, approval));
          if (!result?.ok) return false;
          sale = null;
          showReceipt(result.value, { after: "sale", session: current.session });
          return true;
        },
        cancel: () => showPay(),
      });
      return;
    }
    const result = await run(() => api.recordSale(current.receiptId, current.session.id, request, null));
    if (!result) return;
    if (result.ok) {
      sale = null;
      showReceipt(result.value, { after: "sale", session: current.session });
      return;
    }
    tenders.length = 0;
    draw();
    if (result.error.code === "session_closed") {
      // The cart stays; after Start/Join shift it comes back and Pay records it once.
      current.waitingForShift = true;
      const start = h("button", { id: "sale-start-shift", type: "button", class: "primary big" }, "Start shift");
      start.addEventListener("click", () => nav.start());
      replace(
        closedSlot,
        h(
          "div",
          { class: "callout warning stack-tight" },
          h("p", { id: "sale-session-closed" }, `Shift ${current.session.number} was closed on another device. Start a shift: this sale stays on screen.`),
          h("div", { class: "actions" }, start),
        ),
      );
      start.focus();
    }
  };

  const take = (tender: Tender) => {
    if (isBusy()) return;
    tenders.push(tender);
    draw();
    const needed = hasCash() ? priced.cash_total : priced.total;
    if (paid() >= needed) void record();
  };

  exact.addEventListener("click", () => take({ kind: "cash", amount: remaining(true) }));
  const cash = () => {
    const parsed = parseLocaleMoney(cashInput.value, cur, lang);
    if (!parsed.ok || parsed.minor <= 0) {
      showErrorText(parsed.ok ? "Type the cash handed over." : moneyParseMessage(parsed.error, cur, lang), cashInput);
      cashInput.focus();
      return;
    }
    cashInput.value = "";
    take({ kind: "cash", amount: parsed.minor });
  };
  takeCash.addEventListener("click", cash);
  cashInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      cash();
    }
  });
  const cardPay = () => {
    const reference = cardRef.value.trim();
    if (reference === "") {
      showErrorText("Type the card terminal's approval code.", cardRef);
      cardRef.focus();
      return;
    }
    cardRef.value = "";
    take({ kind: "card", amount: remaining(false), approval_reference: reference });
  };
  card.addEventListener("click", cardPay);
  cardRef.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      cardPay();
    }
  });
  back.addEventListener("click", () => showSale(current.session));

  mount(
    "pay",
    h(
      "div",
      { class: "pay cols" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, "Pay"),
        closedSlot,
        due,
        tenderList,
        h("div", { class: "actions" }, exact),
        h("h2", {}, "Quick cash"),
        quick,
        h("div", { class: "inline-pay" }, cashField, takeCash),
      ),
      h(
        "section",
        { class: "stack card" },
        h("h2", {}, "Card"),
        h("div", { class: "field" }, h("label", { for: "card-ref" }, "Card approval code"), cardRef, errorSlot("card-ref")),
        card,
        h("p", { class: "hint" }, "Split: take part in cash, then the rest by card (or the other way)."),
        h("div", { class: "actions" }, back),
      ),
    ),
  );
  draw();
  exact.focus();
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

/** The printable receipt: what the customer gets on 80 mm paper (see the print stylesheet). */
export function receiptView(receipt: Receipt): HTMLElement {
  const lang = locale();
  const m = (minor: number) => formatMoney(minor, receipt.currency, lang);
  const refund = receipt.kind === "refund";
  const row = (left: string, right: string, cls = "") => h("div", { class: `r-row ${cls}` }, h("span", {}, left), h("span", {}, right));
  const percent = (ppm: number) => `${(ppm / 10000).toLocaleString(lang, { maximumFractionDigits: 4 })} %`;
  return h(
    "article",
    { id: "receipt", class: "receipt", "aria-label": `Receipt ${receipt.number}` },
    h("p", { class: "r-store" }, receipt.location_name),
    receipt.location_address ? h("p", { class: "r-address" }, receipt.location_address) : null,
    h("p", { class: "r-title" }, refund ? "REFUND" : "RECEIPT"),
    row("No.", receipt.number, "r-number"),
    refund && receipt.refund_of ? row("Refund of", receipt.refund_of) : null,
    row("Date", receiptTime(receipt.at, receipt.time_zone, lang), "r-date"),
    row("Cashier", displayName(receipt.cashier)),
    h("hr", {}),
    ...receipt.lines.map((line) =>
      h(
        "div",
        { class: "r-line" },
        row(line.name, m(line.extended)),
        h("p", { class: "r-detail" }, `${line.quantity} × ${m(line.unit_price)}${line.line_discount > 0 ? `, −${m(line.line_discount)}` : ""}`),
      ),
    ),
    h("hr", {}),
    receipt.discount > 0 ? row("Discounts", `−${m(receipt.discount)}`) : null,
    ...receipt.taxes.map((tax) => row(`${tax.name} ${percent(tax.rate_ppm)}${receipt.prices_include_tax ? " incl." : ""}`, m(tax.tax))),
    receipt.rounding !== 0 ? row("Rounding", m(receipt.rounding)) : null,
    row(refund ? "Refunded" : "Total", m(receipt.total), "r-total"),
    ...receipt.tenders.map((t) => row(t.kind === "card" ? `Card${t.reference ? ` ${t.reference}` : ""}` : t.kind === "cash" ? "Cash" : t.kind, m(t.amount))),
    receipt.change > 0 ? row("Change", m(receipt.change), "r-change") : null,
    h("p", { class: "r-thanks" }, "Thank you"),
    anchorCode(receipt.anchor, "receipt-anchor"),
  );
}

/** After a sale (change due huge, "New sale" on Enter) or a refund. */
export function showReceipt(receipt: Receipt, options: { after: "sale" | "refund"; session: SessionView }): void {
  const lang = locale();
  const next = h("button", { id: "new-sale", type: "button", class: "primary huge" }, "New sale (Enter)");
  const print = h("button", { id: "print-receipt", type: "button", class: "secondary big" }, "Print");
  next.addEventListener("click", () => nav.sale(options.session));
  // The first print is the customer's receipt; every later one is a reprint, counted on the
  // shift (the X and Z show reprints) and journaled by the backend before it prints.
  let printed = false;
  print.addEventListener("click", () => {
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
  );
  next.focus();
}
