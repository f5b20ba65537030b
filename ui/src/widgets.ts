/** Pieces shared by screens: the money input and the bill/coin counting helper. */
import { countTotals, denominationsFor } from "./denominations";
import { h } from "./dom";
import { currencyDecimals, currencySymbol, denominationLabel, formatMoney, minorToDecimal } from "./money";

/** A labelled money input (text, inputmode=decimal) with the currency symbol in front. */
export function moneyField(id: string, label: string, currency: string): { field: HTMLElement; input: HTMLInputElement } {
  const input = h("input", {
    id,
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    spellcheck: "false",
    class: "money-input",
  });
  const field = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("div", { class: "money" }, h("span", { class: "money-symbol", "aria-hidden": "true" }, currencySymbol(currency)), input),
  );
  return { field, input };
}

/**
 * The bill/coin counting helper (#denominations) for a currency, or null when the currency has
 * no table. Every change writes the grand total into `target` as a decimal string.
 */
export function denominationHelper(currency: string, target: HTMLInputElement, after?: HTMLElement): HTMLElement | null {
  const table = denominationsFor(currency);
  if (!table) return null;
  const decimals = currencyDecimals(currency);
  const inputs: HTMLInputElement[] = [];
  const rowTotals = new Map<number, HTMLElement>();
  const grand = h("output", { class: "denom-grand", id: "denominations-total" }, formatMoney(0, currency));

  const group = (title: string, values: readonly number[]) =>
    h(
      "fieldset",
      { class: "denom-group" },
      h("legend", {}, title),
      ...values.map((value) => {
        const name = denominationLabel(value, currency);
        const input = h("input", {
          type: "text",
          inputmode: "numeric",
          autocomplete: "off",
          "data-denom": value,
          "aria-label": `Number of ${name} ${title === "Bills" ? "bills" : "coins"}`,
          class: "denom-count",
          placeholder: "0",
        });
        inputs.push(input);
        const total = h("output", { class: "denom-row-total" });
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
      // Only rows with something counted show a total, so the eye finds them.
      if (cell) cell.textContent = row === null || row === undefined ? "—" : row === 0 ? "" : formatMoney(row, currency);
    }
    if (totals.total === null) {
      grand.textContent = "—";
    } else {
      grand.textContent = formatMoney(totals.total, currency);
      target.value = minorToDecimal(totals.total, decimals);
      target.removeAttribute("aria-invalid");
    }
  };

  const section = h(
    "section",
    { id: "denominations", class: "denoms", "aria-label": "Count bills and coins" },
    h("h2", {}, "Count bills and coins"),
    h("div", { class: "denom-groups" }, group("Bills", table.bills), group("Coins", table.coins)),
    h("div", { class: "denom-footer" }, h("span", {}, "Total"), grand),
  );
  section.addEventListener("input", recount);
  // Keyboard-first: Enter moves down the list, then to the button after the helper.
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
  /** The PIN field, the keypad and the submit button, ready to mount. */
  root: HTMLElement;
  input: HTMLInputElement;
  clear: () => void;
}

/**
 * The PIN keypad of the login screen, shared by every screen that asks for a PIN: a password
 * field (keyboard: digits, Backspace, Escape clears, Enter submits) and a tap pad.
 */
export function pinPad(options: { inputId: string; submitId: string; label: string; submitLabel: string; onSubmit: (pin: string) => void }): PinPad {
  const input = h("input", {
    id: options.inputId,
    type: "password",
    inputmode: "numeric",
    autocomplete: "off",
    maxlength: MAX_PIN,
    "aria-label": options.label,
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
  return { root: h("div", { class: "pin-entry" }, h("div", { class: "field" }, input), pad, submit), input, clear: () => setPin("") };
}
