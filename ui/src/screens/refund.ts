/**
 * Refund: look up the sale by its receipt number, pick the lines and quantities to take back
 * (never more than is left), cash or card, then a manager approves with their PIN (checked by
 * the backend). Shows the refund receipt.
 */
import * as api from "../api";
import { h } from "../dom";
import { formatMoney } from "../money";
import { go } from "../router";
import { locale } from "../state";
import type { Receipt, RefundRequest, SessionView } from "../types";
import { isBusy, mount, run, showErrorText } from "../ui";
import { errorSlot } from "../widgets";
import { listManagers, showApproval } from "./approval";
import { showReceipt } from "./sale";

/** What is left to refund of each line of a sale. */
export function refundable(receipt: Receipt): { line: number; name: string; left: number }[] {
  return receipt.lines.map((l) => ({ line: l.line_no, name: l.name, left: Math.max(0, l.quantity - l.refunded_quantity) }));
}

export function showRefund(session: SessionView, found: Receipt | null = null, refundId = api.newRequestId()): void {
  const number = h("input", { id: "refund-number", type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": "refund-number-error" });
  const find = h("button", { id: "refund-find", type: "submit", class: "primary big" }, "Find receipt");
  const back = h("button", { id: "refund-back", type: "button", class: "secondary big" }, "Back to sale");
  back.addEventListener("click", () => go.sale(session));
  const lookup = h(
    "form",
    { class: "stack", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "refund-number" }, "Receipt number"), number, errorSlot("refund-number")),
    h("div", { class: "actions" }, find, back),
  );
  lookup.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy()) return;
    if (number.value.trim() === "") {
      showErrorText("Type or scan the receipt number.", number);
      number.focus();
      return;
    }
    const result = await run(() => api.findReceipt(number.value.trim()), { busy: { button: find, text: "Finding…" } });
    if (!result?.ok) {
      number.focus();
      return;
    }
    if (result.value.kind !== "sale") {
      showErrorText("That is a refund receipt. Type the number of the sale.", number);
      return;
    }
    showRefund(session, result.value, api.newRequestId());
  });

  const picker = found ? linePicker(session, found, refundId) : null;
  mount(
    "refund",
    h(
      "div",
      { class: picker ? "refund cols" : "refund narrow" },
      h("section", { class: "stack" }, h("h1", {}, "Refund"), h("p", { class: "lead" }, "Find the sale by its receipt number."), lookup),
      picker,
    ),
  );
  if (found) number.value = found.number;
  (picker?.querySelector<HTMLInputElement>("input[data-refund-line]") ?? number).focus();
}

function linePicker(session: SessionView, receipt: Receipt, refundId: string): HTMLElement {
  const lang = locale();
  const rows = refundable(receipt);
  const inputs = rows.map((row) =>
    h("input", {
      id: `refund-qty-${row.line}`,
      type: "number",
      inputmode: "numeric",
      min: 0,
      max: row.left,
      value: 0,
      class: "qty-input",
      "data-refund-line": row.line,
      disabled: row.left === 0,
      "aria-describedby": `refund-qty-${row.line}-error`,
    }),
  );
  const cash = h("button", { id: "refund-cash", type: "button", class: "choice tab", "aria-pressed": "true" }, "Cash");
  const card = h("button", { id: "refund-card", type: "button", class: "choice tab", "aria-pressed": "false" }, "Card");
  const byCard = () => card.getAttribute("aria-pressed") === "true";
  for (const [button, other] of [[cash, card], [card, cash]] as const) {
    button.addEventListener("click", () => {
      button.setAttribute("aria-pressed", "true");
      other.setAttribute("aria-pressed", "false");
      cardField.hidden = button !== card;
      if (button === card) cardRef.focus();
    });
  }
  const cardRef = h("input", { id: "refund-card-ref", type: "text", autocomplete: "off", "aria-describedby": "refund-card-ref-error" });
  const cardField = h("div", { class: "field", hidden: true }, h("label", { for: "refund-card-ref" }, "Card refund approval code"), cardRef, errorSlot("refund-card-ref"));
  const submit = h("button", { id: "refund-submit", type: "button", class: "primary big" }, "Refund (manager)");

  submit.addEventListener("click", async () => {
    if (isBusy()) return;
    const lines: RefundRequest["lines"] = [];
    for (const [i, input] of inputs.entries()) {
      const row = rows[i];
      if (!row || input.value.trim() === "" || input.value === "0") continue;
      const quantity = Number(input.value);
      if (!Number.isInteger(quantity) || quantity < 0 || quantity > row.left) {
        showErrorText(`From 0 to ${row.left}.`, input);
        input.focus();
        return;
      }
      lines.push({ line: row.line, quantity });
    }
    if (lines.length === 0) {
      showErrorText("Type how many of an item come back.", inputs.find((i) => !i.disabled) ?? submit);
      return;
    }
    let tender: RefundRequest["tender"] = { kind: "cash" };
    if (byCard()) {
      if (cardRef.value.trim() === "") {
        showErrorText("Type the card terminal's refund approval code.", cardRef);
        cardRef.focus();
        return;
      }
      tender = { kind: "card", approval_reference: cardRef.value.trim() };
    }
    const request: RefundRequest = { lines, tender, reason: { kind: "other", text: "not asked by this screen yet" } };
    const managers = await listManagers();
    showApproval({
      title: "Approve the refund",
      lead: `Refund of ${lines.reduce((n, l) => n + l.quantity, 0)} item(s) from receipt ${receipt.number}.`,
      submitLabel: "Approve refund",
      managers,
      approve: async (approval) => {
        const result = await run(() => api.refund(refundId, receipt.number, request, approval));
        if (!result?.ok) return false;
        showReceipt(result.value, { after: "refund", session });
        return true;
      },
      cancel: () => showRefund(session, receipt, refundId),
    });
  });

  return h(
    "section",
    { class: "stack card", "aria-labelledby": "refund-lines-title" },
    h("h2", { id: "refund-lines-title" }, `Receipt ${receipt.number}`),
    h(
      "ul",
      { id: "refund-lines", class: "refund-lines" },
      ...rows.map((row, i) =>
        h(
          "li",
          { class: "refund-line" },
          h("label", { for: `refund-qty-${row.line}` }, `${row.name} (${row.left} of ${receipt.lines[i]?.quantity ?? 0} left, ${formatMoney(receipt.lines[i]?.total ?? 0, receipt.currency, lang)})`),
          inputs[i],
          errorSlot(`refund-qty-${row.line}`),
        ),
      ),
    ),
    h(
      "fieldset",
      { class: "refund-tender" },
      h("legend", {}, "Pay back"),
      h("div", { class: "actions", role: "group", "aria-label": "Pay back in" }, cash, card),
      cardField,
    ),
    submit,
  );
}
