/**
 * The sale screen's cart: its line rows and its totals, drawn from the backend's PricedCart.
 * A scan adds or changes one line, so a draw writes only what differs from what is on screen:
 * row i stays the same element while line i exists (rows are keyed by line index), a row whose
 * line and numbers are unchanged is not touched, and the totals keep their elements and get new
 * text. Every amount shown is the backend's; nothing here adds or multiplies money.
 */
import { counted, itemCount, type CartLine } from "./cart";
import { h, replace } from "./dom";
import type { Discount, PricedCart, PricedLine } from "./types";

export interface CartViewActions {
  minus(index: number): void;
  plus(index: number): void;
  /** Sets the quantity of line `index` (the number typed in the scan field, or asked). */
  quantity(index: number): void;
  remove(index: number): void;
  discount(index: number): void;
  price(index: number): void;
  removeSaleDiscount(): void;
}

export interface CartViewFormat {
  money(minor: number): string;
  discount(discount: Discount): string;
}

/** One line's row and what it shows now (compared on the next draw). */
interface Row {
  li: HTMLLIElement;
  name: HTMLElement;
  qty: HTMLElement;
  total: HTMLElement;
  notes: HTMLElement;
  /** The cart line drawn: lines are replaced, never changed, when the cashier changes them. */
  line: CartLine | null;
  extended: number | null;
  notesKey: string;
}

/** A dt/dd pair of the totals whose label and value are set as text. */
interface TotalRow {
  dt: HTMLElement;
  dd: HTMLElement;
  value: HTMLElement;
}

export interface CartView {
  list: HTMLUListElement;
  /** "3 lines · 5 items", above the list. */
  count: HTMLElement;
  /** The tools for the selected line: one bar for all lines, so a row is one text line high. */
  tools: HTMLElement;
  totals: HTMLDListElement;
  /** Says the new total once per priced cart, for screen readers (a polite status). */
  status: HTMLElement;
  /**
   * Draws `lines` with `priced` (the backend's numbers for exactly these lines), or, while
   * `priced` is null (the backend is pricing), keeps the numbers of unchanged lines and shows
   * "…" on changed ones and "—" on the totals.
   */
  draw(lines: readonly CartLine[], priced: PricedCart | null, receiptDiscount: Discount | null): void;
  /** Selects line `index`, scrolls it into the list's view and flashes it (a scan changed it). */
  reveal(index: number): void;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** How long a changed row stays highlighted after a scan (the CSS animation's length). */
const FLASH_MS = 600;

export function cartView(actions: CartViewActions, format: CartViewFormat): CartView {
  // Focusable, so the keyboard can scroll it and move the selection (↑ ↓).
  const list = h("ul", { id: "cart", class: "cart-lines", tabindex: 0, "aria-label": "Items in this sale" });
  const count = h("p", { id: "cart-count", class: "cart-count" });
  // Not a live region: each scan changes several amounts; the status below says the total once.
  const totals = h("dl", { id: "sale-totals", class: "sale-totals" });
  const status = h("p", { id: "sale-status", class: "sr-only", role: "status" });
  const empty = h("li", { class: "cart-empty hint" }, "Scan an item to start a sale.");
  const rows: Row[] = [];
  let selectedIndex: number | null = null;
  let drawnLines: readonly CartLine[] = [];

  const toolButton = (id: string, text: string, action: (index: number) => void, cls = "qty") => {
    const b = h("button", { id, type: "button", class: cls }, text);
    b.addEventListener("click", () => {
      if (selectedIndex !== null) action(selectedIndex);
    });
    return b;
  };
  const minus = toolButton("line-minus", "−", actions.minus);
  const plus = toolButton("line-plus", "+", actions.plus);
  const quantity = toolButton("line-quantity", "Qty", actions.quantity);
  const discount = toolButton("line-discount", "%", actions.discount);
  const price = toolButton("line-price", "Price", actions.price);
  const remove = toolButton("line-remove", "Void", actions.remove, "qty remove");
  const toolButtons = [minus, plus, quantity, discount, price, remove];
  const tools = h("div", { id: "line-tools", class: "line-tools", role: "toolbar", "aria-label": "The selected line" }, ...toolButtons);

  // What the rows and the bar show now: a draw touches only what changed (a scan redraws one row).
  let shownSelected: number | null = null;
  let shownToolLine: CartLine | null | undefined;
  const mark = (index: number | null, on: boolean) => {
    const row = index === null ? undefined : rows[index];
    row?.li.classList.toggle("selected", on);
    // aria-current: the line the tools below act on (a plain list, not a listbox to pick from).
    if (on) row?.li.setAttribute("aria-current", "true");
    else row?.li.removeAttribute("aria-current");
  };
  const drawSelection = () => {
    if (shownSelected !== selectedIndex) {
      mark(shownSelected, false);
      mark(selectedIndex, true);
      shownSelected = selectedIndex;
    }
    const line = (selectedIndex === null ? null : drawnLines[selectedIndex]) ?? null;
    if (line === shownToolLine) return;
    shownToolLine = line;
    for (const b of toolButtons) if (b.disabled !== !line) b.disabled = !line;
    if (line) {
      const name = line.product.name;
      minus.setAttribute("aria-label", `One less ${name}`);
      plus.setAttribute("aria-label", `One more ${name}`);
      quantity.setAttribute("aria-label", `Qty: set the quantity of ${name} (type it first)`);
      discount.setAttribute("aria-label", `Discount on ${name}`);
      price.setAttribute("aria-label", `Change the price of ${name}`);
      remove.setAttribute("aria-label", `Void: take ${name} off the sale`);
    }
  };
  const select = (index: number | null) => {
    selectedIndex = index;
    drawSelection();
  };

  list.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    event.preventDefault();
    if (drawnLines.length === 0) return;
    const from = selectedIndex ?? drawnLines.length;
    const to = Math.min(drawnLines.length - 1, Math.max(0, from + (event.key === "ArrowUp" ? -1 : 1)));
    select(to);
    rows[to]?.li.scrollIntoView({ block: "nearest" });
  });

  const newRow = (index: number): Row => {
    const name = h("span", { class: "line-name" });
    const qty = h("span", { class: "line-qty", "data-line-qty": index });
    const total = h("span", { class: "line-total", "data-line-total": index });
    const notes = h("p", { class: "line-notes", hidden: true });
    const li = h("li", { class: "cart-line", "data-line": index }, h("div", { class: "line-main" }, name, qty, total), notes);
    li.addEventListener("click", () => select(index));
    return { li, name, qty, total, notes, line: null, extended: null, notesKey: "" };
  };
  const drawRow = (row: Row, index: number, line: CartLine, priced: PricedLine | null) => {
    const name = line.product.name;
    if (row.line?.product.name !== name) row.name.textContent = name;
    if (row.line?.quantity !== line.quantity) row.qty.textContent = `× ${line.quantity}`;
    const extended = priced ? priced.extended : null;
    if (row.line === null || row.extended !== extended) row.total.textContent = extended === null ? "…" : format.money(extended);
    // What was changed on the line, in the backend's numbers.
    const newPrice = priced && priced.unit_price !== priced.catalog_unit_price;
    const off = priced && priced.line_discount > 0;
    const notesKey = priced && (newPrice || off) ? `${priced.unit_price}/${priced.catalog_unit_price}/${priced.line_discount}/${JSON.stringify(line.discount)}` : "";
    if (notesKey !== row.notesKey) {
      replace(
        row.notes,
        priced && newPrice
          ? h("span", { class: "line-price", "data-line-price-note": index }, `New price ${format.money(priced.unit_price)}, was ${format.money(priced.catalog_unit_price)}`)
          : null,
        priced && off
          ? h(
              "span",
              { class: "line-off", "data-line-off": index },
              `${line.discount?.kind === "percent" ? `Discount ${format.discount(line.discount)}` : "Discount"}: −${format.money(priced.line_discount)}`,
            )
          : null,
      );
      row.notes.hidden = notesKey === "";
      row.notesKey = notesKey;
    }
    row.line = line;
    row.extended = extended;
  };

  const totalRow = (id: string, cls = ""): TotalRow => {
    const value = h("span", { id });
    return { dt: h("dt", { class: cls }), dd: h("dd", { class: cls }, value), value };
  };
  const subtotal = totalRow("subtotal");
  const lineDiscounts = totalRow("line-discounts");
  const saleDiscount = totalRow("receipt-discount", "with-tool");
  const removeSaleDiscount = h("button", { id: "sale-discount-remove", type: "button", class: "qty remove", "aria-label": "Remove the sale discount" }, "✕");
  removeSaleDiscount.addEventListener("click", () => actions.removeSaleDiscount());
  saleDiscount.dd.append(removeSaleDiscount);
  const tax = totalRow("tax");
  const total = totalRow("total", "grand");
  let shownTotals: TotalRow[] = [];
  // The location's convention, kept while the backend prices (it does not change with a scan).
  let includesTax = false;

  const drawTotals = (priced: PricedCart | null, receiptDiscount: Discount | null) => {
    // Before discounts, so the rows add up: subtotal − discounts (+ tax) = total.
    const wanted = [subtotal, ...(priced && priced.line_discounts > 0 ? [lineDiscounts] : []), ...(receiptDiscount ? [saleDiscount] : []), tax, total];
    if (wanted.length !== shownTotals.length || wanted.some((row, i) => row !== shownTotals[i])) {
      replace(totals, ...wanted.flatMap((row) => [row.dt, row.dd]));
      shownTotals = wanted;
    }
    setText(subtotal.dt, "Subtotal");
    setText(subtotal.value, priced ? format.money(priced.items) : "—");
    if (priced && priced.line_discounts > 0) {
      setText(lineDiscounts.dt, "Line discounts");
      setText(lineDiscounts.value, `−${format.money(priced.line_discounts)}`);
    }
    if (receiptDiscount) {
      setText(saleDiscount.dt, receiptDiscount.kind === "percent" ? `Sale discount ${format.discount(receiptDiscount)}` : "Sale discount");
      setText(saleDiscount.value, priced ? `−${format.money(priced.receipt_discount)}` : "…");
    }
    if (priced) includesTax = priced.prices_include_tax;
    setText(tax.dt, includesTax ? "Tax included" : "Tax");
    setText(tax.value, priced ? format.money(priced.tax) : "—");
    setText(total.dt, "Total");
    setText(total.value, priced ? format.money(priced.total) : "—");
    if (priced) setText(status, `Total ${format.money(priced.total)}, ${counted(priced.lines.length, "line")}`);
    totals.setAttribute("aria-busy", String(!priced));
  };

  const draw = (lines: readonly CartLine[], priced: PricedCart | null, receiptDiscount: Discount | null) => {
    if (lines.length > 0) empty.remove();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let row = rows[i];
      if (!row) {
        row = newRow(i);
        rows.push(row);
        list.append(row.li);
      } else if (!priced && row.line === line) {
        continue; // unchanged while the backend prices: its numbers are still the backend's
      }
      drawRow(row, i, line, priced?.lines[i] ?? null);
    }
    while (rows.length > lines.length) rows.pop()!.li.remove();
    if (shownSelected !== null && shownSelected >= rows.length) shownSelected = null;
    if (lines.length === 0 && !empty.isConnected) list.append(empty);
    drawnLines = lines;
    if (selectedIndex !== null && selectedIndex >= lines.length) selectedIndex = lines.length > 0 ? lines.length - 1 : null;
    drawSelection();
    setText(count, lines.length === 0 ? "" : `${counted(lines.length, "line")} · ${counted(itemCount(lines), "item")}`);
    drawTotals(priced, receiptDiscount);
  };

  const reveal = (index: number) => {
    const row = rows[index];
    if (!row) return;
    select(index);
    row.li.scrollIntoView({ block: "nearest" });
    // Two classes with the same animation, alternated: a row scanned again while it still
    // flashes starts over without forcing a layout (reading offsetWidth would, at every scan).
    const [on, off] = row.li.classList.contains("flash") ? ["flash-again", "flash"] : ["flash", "flash-again"];
    row.li.classList.remove(off);
    row.li.classList.add(on);
    window.setTimeout(() => row.li.classList.remove(on), FLASH_MS);
  };

  return { list, count, tools, totals, status, draw, reveal };
}
