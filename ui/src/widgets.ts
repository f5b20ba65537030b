/** Pieces shared by screens: the money input, the bill/coin helper, the PIN keypad, the dialog. */
import { countTotals, denominationsFor } from "./denominations";
import { location } from "./state";
import { h, type Child } from "./dom";
import type { PrintedAnchor } from "./types";
import { currencyDecimals, currencyName, currencySymbol, denominationLabel, formatAmountInput, formatMoney, separators } from "./money";

/**
 * A reserved line for one field's error, always in the layout (it never pushes anything down).
 * `primary`: command errors of the screen (a wrong PIN) land here instead of the top banner.
 */
export function errorSlot(forId: string, primary = false): HTMLElement {
  return h("p", {
    id: `${forId}-error`,
    class: "field-error",
    "data-error-for": forId,
    "data-error-slot": primary ? "primary" : "field",
    role: "alert",
  });
}

/**
 * A labelled money input (text, inputmode=decimal) with the currency symbol in front and a
 * reserved error line under it. The label carries the currency's name for screen readers.
 */
export function moneyField(
  id: string,
  label: string,
  currency: string,
  locale: string,
): { field: HTMLElement; input: HTMLInputElement } {
  const input = h("input", {
    id,
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    spellcheck: "false",
    class: "money-input",
    "aria-describedby": `${id}-error`,
  });
  const field = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label, h("span", { class: "sr-only" }, ` (${currencyName(currency, locale)})`)),
    h("div", { class: "money" }, h("span", { class: "money-symbol", "aria-hidden": "true" }, currencySymbol(currency, locale)), input),
    errorSlot(id),
  );
  return { field, input };
}

/**
 * The bill/coin counting helper (#denominations) for a currency, or null when the currency has
 * no table. There is one total: counting writes it into `target` (in the locale's format);
 * typing into `target` by hand clears the counts, so the two never show different totals. An
 * invalid count clears `target` rather than leave a stale amount that could be submitted.
 */
export function denominationHelper(currency: string, locale: string, target: HTMLInputElement, after?: HTMLElement): HTMLElement | null {
  const table = denominationsFor(currency, location());
  if (!table) return null;
  const decimals = currencyDecimals(currency);
  const inputs: HTMLInputElement[] = [];
  const rowTotals = new Map<number, HTMLElement>();
  // Not a live region: a total that changes on every keystroke is not re-announced each time.
  const grand = h("span", { class: "denom-grand", id: "denominations-total" }, "—");

  const group = (title: string, values: readonly number[]) =>
    h(
      "fieldset",
      { class: "denom-group" },
      h("legend", {}, title),
      ...values.map((value) => {
        const name = denominationLabel(value, currency, locale);
        const input = h("input", {
          type: "text",
          inputmode: "numeric",
          autocomplete: "off",
          "data-denom": value,
          "aria-label": `Number of ${name} ${title === "Bills" ? "bills" : "coins"}`,
          // The row's total, or what is wrong with its count, is read with it.
          "aria-describedby": `denom-total-${value}`,
          class: "denom-count",
          placeholder: "0",
        });
        inputs.push(input);
        const total = h("span", { class: "denom-row-total", id: `denom-total-${value}` });
        rowTotals.set(value, total);
        return h("div", { class: "denom-row" }, h("span", { class: "denom-name" }, name), h("span", { class: "denom-times", "aria-hidden": "true" }, "×"), input, total);
      }),
    );

  const recount = () => {
    const counts = new Map<number, string>();
    for (const input of inputs) counts.set(Number(input.dataset["denom"]), input.value);
    const totals = countTotals(counts);
    for (const input of inputs) {
      const row = totals.rows.get(Number(input.dataset["denom"]));
      const cell = rowTotals.get(Number(input.dataset["denom"]));
      if (row === null) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      // Only rows with something counted show a total, so the eye finds them; a count that is
      // not a number says so on its own row, where the finger is.
      if (cell) {
        cell.textContent = row === null ? "Digits only" : row === undefined ? "—" : row === 0 ? "" : formatMoney(row, currency, locale);
        cell.classList.toggle("invalid", row === null);
      }
    }
    const nothingCounted = inputs.every((i) => i.value.trim() === "");
    if (totals.total === null || nothingCounted) {
      grand.textContent = totals.total === null ? "Check the counts" : "—";
      grand.classList.toggle("invalid", totals.total === null);
      target.value = "";
    } else {
      grand.textContent = formatMoney(totals.total, currency, locale);
      grand.classList.remove("invalid");
      target.value = formatAmountInput(totals.total, decimals, locale);
      target.removeAttribute("aria-invalid");
    }
  };

  // Typing the amount by hand: the counts no longer describe it, so they go.
  target.addEventListener("input", () => {
    if (inputs.every((i) => i.value === "")) return;
    for (const input of inputs) {
      input.value = "";
      input.removeAttribute("aria-invalid");
    }
    for (const cell of rowTotals.values()) cell.textContent = "";
    grand.textContent = "—";
    grand.classList.remove("invalid");
  });

  const section = h(
    "section",
    { id: "denominations", class: "denoms", "aria-labelledby": "denominations-title" },
    h("h2", { id: "denominations-title" }, "Count bills and coins"),
    h("div", { class: "denom-groups" }, group("Bills", table.bills), group("Coins", table.coins)),
    h("div", { class: "denom-footer" }, h("span", {}, "Counted total"), grand),
  );
  section.addEventListener("input", recount);
  // Keyboard-first: Enter moves down the list, then to what comes after the helper.
  section.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.target instanceof HTMLInputElement)) return;
    event.preventDefault();
    const next = inputs[inputs.indexOf(event.target) + 1];
    (next ?? after ?? target).focus();
  });
  return section;
}

const MAX_PIN = 12;

export interface PinPad {
  /** The PIN field, its reserved error line, the keypad and the submit button, ready to mount. */
  root: HTMLElement;
  input: HTMLInputElement;
  submit: HTMLButtonElement;
  clear: () => void;
}

/**
 * The PIN keypad, shared by every screen that asks for a PIN (login, approvals, close): a
 * password field (keyboard: digits, Backspace, Escape clears, Enter submits), a reserved error
 * line above the keys (a wrong PIN never moves the keys), and a tap pad.
 */
export function pinPad(options: { inputId: string; submitId: string; label: string; submitLabel: string; onSubmit: (pin: string) => void }): PinPad {
  const input = h("input", {
    id: options.inputId,
    type: "password",
    inputmode: "numeric",
    autocomplete: "off",
    maxlength: MAX_PIN,
    class: "pin-input",
    "aria-label": options.label,
    "aria-describedby": `${options.inputId}-error`,
  });
  const submit = h("button", { id: options.submitId, type: "button", class: "primary big" }, options.submitLabel);
  const setPin = (value: string) => {
    input.value = value.replace(/\D/g, "").slice(0, MAX_PIN);
  };
  input.addEventListener("input", () => setPin(input.value));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      options.onSubmit(input.value);
    } else if (event.key === "Escape") {
      event.preventDefault();
      setPin("");
    }
  });
  const key = (label: string, keyName: string, aria?: string) => {
    const button = h("button", { type: "button", class: "key", "data-key": keyName, "aria-label": aria ?? label }, label);
    // Keep the caret in the PIN field so the keyboard keeps working after a tap.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      if (keyName === "clear") setPin("");
      else if (keyName === "back") setPin(input.value.slice(0, -1));
      else setPin(input.value + keyName);
      input.focus();
    });
    return button;
  };
  const pad = h(
    "div",
    { class: "keypad" },
    ...["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => key(d, d)),
    key("Clear", "clear", "Clear PIN"),
    key("0", "0"),
    key("⌫", "back", "Delete last digit"),
  );
  submit.addEventListener("click", () => options.onSubmit(input.value));
  return {
    root: h("div", { class: "pin-entry" }, h("div", { class: "field" }, input, errorSlot(options.inputId, true)), pad, submit),
    input,
    submit,
    clear: () => setPin(""),
  };
}

/**
 * A tap pad for an amount field (a touch-only till has no keyboard): the digits, the locale's
 * decimal separator (or 00 for a currency without minor units) and ⌫. It types into `input` as
 * a keyboard would, so the field's own parsing and checks apply; the caret stays in the field.
 */
export function amountPad(input: HTMLInputElement, locale: string, decimals: number): HTMLElement {
  const { decimal } = separators(locale);
  const key = (label: string, keyName: string, aria?: string) => {
    const button = h("button", { type: "button", class: "key", "data-amount-key": keyName, "aria-label": aria ?? label }, label);
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      input.value = keyName === "back" ? input.value.slice(0, -1) : input.value + keyName;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
    });
    return button;
  };
  return h(
    "div",
    { class: "keypad amount-pad", role: "group", "aria-label": `Keys for ${input.labels?.[0]?.textContent ?? "the amount"}` },
    ...["7", "8", "9", "4", "5", "6", "1", "2", "3"].map((d) => key(d, d)),
    decimals > 0 ? key(decimal, decimal, "Decimal separator") : key("00", "00"),
    key("0", "0"),
    key("⌫", "back", "Delete last character"),
  );
}

export interface Sheet {
  dialog: HTMLDialogElement;
  /** Shows the dialog (modal: the screen behind it is inert) and focuses `first`. */
  open: (first: HTMLElement) => void;
  close: () => void;
}

/**
 * A small modal dialog (`<dialog>`, so the browser traps the focus and Escape cancels): a title,
 * the fields, and Cancel / an optional Remove / the primary button. Enter in a field submits.
 * `onClose` runs however it closes (the caller gives the focus back). It is put in the screen,
 * so a screen change removes it.
 */
export function sheet(options: {
  id: string;
  title: string;
  body: Child[];
  submitLabel: string;
  onSubmit: () => void;
  removeLabel?: string | null;
  onRemove?: () => void;
  onClose: () => void;
}): Sheet {
  const titleId = `${options.id}-title`;
  const cancel = h("button", { id: `${options.id}-cancel`, type: "button", class: "secondary big" }, "Cancel");
  const remove = options.removeLabel ? h("button", { id: `${options.id}-remove`, type: "button", class: "secondary big" }, options.removeLabel) : null;
  const submit = h("button", { id: `${options.id}-apply`, type: "submit", class: "primary big" }, options.submitLabel);
  const form = h("form", { class: "stack", novalidate: true }, h("h2", { id: titleId }, options.title), ...options.body, h("div", { class: "actions sheet-actions" }, cancel, remove, submit));
  const dialog = h("dialog", { id: options.id, class: "sheet", "aria-labelledby": titleId }, form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    options.onSubmit();
  });
  cancel.addEventListener("click", () => dialog.close());
  remove?.addEventListener("click", () => options.onRemove?.());
  dialog.addEventListener("close", () => {
    dialog.remove();
    options.onClose();
  });
  return {
    dialog,
    open: (first) => {
      (document.getElementById("screen") ?? document.body).append(dialog);
      dialog.showModal();
      first.focus();
    },
    close: () => {
      if (dialog.open) dialog.close();
    },
  };
}

/** Is a dialog of the screen open (the scan field then leaves the focus alone)? */
export function dialogOpen(): boolean {
  return document.querySelector("dialog[open]") !== null;
}

/**
 * A discount field: Percent or Amount (two toggle buttons), then one input showing "%" after it
 * or the currency symbol before it. The label names the kind (and the currency for screen readers).
 */
export function discountField(
  id: string,
  currency: string,
  locale: string,
  initial: "percent" | "amount",
): { field: HTMLElement; input: HTMLInputElement; kind: () => "percent" | "amount" } {
  let kind = initial;
  const input = h("input", {
    id,
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    spellcheck: "false",
    class: "money-input",
    "aria-describedby": `${id}-error`,
  });
  const symbol = h("span", { class: "money-symbol", "aria-hidden": "true" }, currencySymbol(currency, locale));
  const suffix = h("span", { class: "money-suffix", "aria-hidden": "true" }, "%");
  const label = h("label", { for: id });
  const box = h("div", { class: "money" }, symbol, input, suffix);
  const percent = h("button", { id: `${id}-percent`, type: "button", class: "choice tab" }, "Percent %");
  const amount = h("button", { id: `${id}-amount`, type: "button", class: "choice tab" }, `Amount ${currencySymbol(currency, locale)}`);
  const draw = () => {
    percent.setAttribute("aria-pressed", String(kind === "percent"));
    amount.setAttribute("aria-pressed", String(kind === "amount"));
    symbol.hidden = kind !== "amount";
    suffix.hidden = kind !== "percent";
    box.classList.toggle("percent", kind === "percent");
    label.replaceChildren(
      kind === "percent" ? "Percent off" : "Amount off",
      h("span", { class: "sr-only" }, kind === "percent" ? " (%)" : ` (${currencyName(currency, locale)})`),
    );
  };
  for (const [button, value] of [[percent, "percent"], [amount, "amount"]] as const) {
    button.addEventListener("click", () => {
      kind = value;
      draw();
      input.focus();
    });
  }
  draw();
  const field = h(
    "div",
    { class: "field" },
    h("div", { class: "quick-tabs", role: "group", "aria-label": "Discount as" }, percent, amount),
    label,
    box,
    errorSlot(id),
  );
  return { field, input, kind: () => kind };
}

/**
 * A receipt's or Z's journal anchor as its QR code, with its text beneath (what a scanner reads;
 * an auditor checks it with `tillctl journal verify --anchors`). The SVG comes from the backend
 * (till-core draws it) and is shown as an image: an image's SVG runs no script.
 */
export function anchorCode(anchor: PrintedAnchor | null, id: string): HTMLElement | null {
  if (!anchor) return null;
  const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(anchor.qr_svg)}`;
  return h(
    "figure",
    { id, class: "anchor-code" },
    h("img", { src, alt: "Journal anchor QR code", width: 160, height: 160 }),
    h("figcaption", { class: "anchor-text" }, anchor.text),
  );
}
