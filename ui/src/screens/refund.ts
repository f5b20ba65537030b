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
import type { Receipt, RefundReasonKind, RefundRequest, SessionView } from "../types";
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

const REASONS: [RefundReasonKind, string][] = [
  ["damaged", "Damaged"],
  ["wrong_item", "Wrong item"],
  ["changed_mind", "Changed mind"],
  ["price_match", "Price match"],
  ["other", "Other"],
];

/** How the refund is paid back, in the words the approval and the screen use. */
function tenderWords(tender: RefundRequest["tender"], paidByCardOnly: boolean): string {
  if (tender.kind === "card") return tender.approval_reference ? `back to the card (code ${tender.approval_reference})` : "back to the card";
  return paidByCardOnly ? "in cash, although the sale was paid by card" : "in cash";
}

function linePicker(session: SessionView, receipt: Receipt, refundId: string): HTMLElement {
  const lang = locale();
  const m = (minor: number) => formatMoney(minor, receipt.currency, lang);
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
  // Back the way it was paid: a sale paid by card only goes back to the card unless the cashier
  // chooses cash, which the manager then sees named in the approval.
  const paidByCardOnly = receipt.tenders.length > 0 && receipt.tenders.every((t) => t.kind === "card");
  const cash = h("button", { id: "refund-cash", type: "button", class: "choice tab", "aria-pressed": String(!paidByCardOnly) }, "Cash");
  const card = h("button", { id: "refund-card", type: "button", class: "choice tab", "aria-pressed": String(paidByCardOnly) }, "Card");
  const byCard = () => card.getAttribute("aria-pressed") === "true";
  const cardRef = h("input", { id: "refund-card-ref", type: "text", autocomplete: "off", "aria-describedby": "refund-card-ref-error" });
  const cardLabel = h("label", { for: "refund-card-ref" }, "Card refund approval code");
  const cardField = h("div", { class: "field", hidden: !paidByCardOnly }, cardLabel, cardRef, errorSlot("refund-card-ref"));
  const cashNote = h("p", { id: "refund-cash-for-card", class: "callout warning", hidden: true }, "This sale was paid by card. Cash back is named in the manager's approval.");
  for (const [button, other] of [[cash, card], [card, cash]] as const) {
    button.addEventListener("click", () => {
      button.setAttribute("aria-pressed", "true");
      other.setAttribute("aria-pressed", "false");
      cardField.hidden = button !== card;
      cashNote.hidden = !(paidByCardOnly && button === cash);
      if (button === card) cardRef.focus();
      void requote();
    });
  }

  // Why: one of the list; "Other" asks for words.
  let reasonKind: RefundReasonKind | null = null;
  const reasonText = h("input", { id: "refund-reason-text", type: "text", maxlength: 200, autocomplete: "off", "aria-describedby": "refund-reason-text-error" });
  const reasonTextField = h("div", { class: "field", hidden: true }, h("label", { for: "refund-reason-text" }, "What happened"), reasonText, errorSlot("refund-reason-text"));
  const reasonButtons = REASONS.map(([kind, label]) => {
    const b = h("button", { type: "button", class: "choice tab", "data-reason": kind, "aria-pressed": "false" }, label);
    b.addEventListener("click", () => {
      reasonKind = kind;
      for (const other of reasonButtons) other.setAttribute("aria-pressed", String(other === b));
      reasonTextField.hidden = kind !== "other";
      if (kind === "other") reasonText.focus();
    });
    return b;
  });

  // The backend's figure for what is picked (quote_refund: the refund's own rule), before it is submitted.
  const total = h("p", { id: "refund-total", class: "refund-total" }, "Pick what comes back.");
  const submit = h("button", { id: "refund-submit", type: "button", class: "primary big" }, "Refund (manager)");

  /** The lines as typed, or an error said next to the wrong one (null). */
  const pickedLines = (say: boolean): RefundRequest["lines"] | null => {
    const lines: RefundRequest["lines"] = [];
    for (const [i, input] of inputs.entries()) {
      const row = rows[i];
      if (!row || input.value.trim() === "" || input.value === "0") continue;
      const quantity = Number(input.value);
      if (!Number.isInteger(quantity) || quantity < 0 || quantity > row.left) {
        if (say) {
          showErrorText(`From 0 to ${row.left}.`, input);
          input.focus();
        }
        return null;
      }
      lines.push({ line: row.line, quantity });
    }
    return lines;
  };
  // A card's code may not be typed yet: it does not change the amount, and the quote takes it empty.
  const tender = (): RefundRequest["tender"] => (byCard() ? { kind: "card", approval_reference: cardRef.value.trim() } : { kind: "cash" });
  // Whether the store needs the terminal's code (the quote says: the location's setting).
  let referenceRequired = false;
  let quoteSeq = 0;
  const requote = async () => {
    const seq = ++quoteSeq;
    const lines = pickedLines(false);
    if (!lines || lines.length === 0) {
      total.textContent = "Pick what comes back.";
      return;
    }
    try {
      // The amount does not depend on why; the reason is asked before the approval.
      const quote = await api.quoteRefund(receipt.number, { lines, tender: tender(), reason: { kind: "damaged" } });
      if (seq !== quoteSeq || !total.isConnected) return;
      referenceRequired = quote.card_reference_required;
      cardLabel.textContent = referenceRequired ? "Card refund approval code" : "Card refund approval code (optional)";
      total.textContent = `To give back: ${m(byCard() ? quote.total : quote.cash_total)}`;
    } catch {
      if (seq === quoteSeq) total.textContent = "Pick what comes back.";
    }
  };
  for (const input of inputs) input.addEventListener("input", () => void requote());

  submit.addEventListener("click", async () => {
    if (isBusy()) return;
    const lines = pickedLines(true);
    if (!lines) return;
    if (lines.length === 0) {
      showErrorText("Type how many of an item come back.", inputs.find((i) => !i.disabled) ?? submit);
      return;
    }
    if (byCard() && cardRef.value.trim() === "" && referenceRequired) {
      showErrorText("Type the card terminal's refund approval code.", cardRef);
      cardRef.focus();
      return;
    }
    if (reasonKind === null) {
      showErrorText("Pick why it comes back.", reasonText);
      reasonButtons[0]?.focus();
      return;
    }
    const words = reasonText.value.trim();
    if (reasonKind === "other" && words === "") {
      showErrorText("Say what happened, in a few words.", reasonText);
      reasonText.focus();
      return;
    }
    const request: RefundRequest = { lines, tender: tender(), reason: words ? { kind: reasonKind, text: words } : { kind: reasonKind } };
    // The manager approves what the backend says this refund is: the items, the amount, the tender, why.
    const quoted = await run(() => api.quoteRefund(receipt.number, request));
    if (!quoted?.ok) return;
    const quote = quoted.value;
    const paidOut = request.tender.kind === "card" ? quote.total : quote.cash_total;
    const reasonLabel = REASONS.find(([kind]) => kind === reasonKind)?.[1] ?? reasonKind;
    const managers = await listManagers();
    showApproval({
      title: "Approve the refund",
      lead: `Refund ${m(paidOut)} from receipt ${receipt.number}, ${tenderWords(request.tender, paidByCardOnly)}.`,
      details: [...quote.lines.map((l) => `${l.quantity} × ${l.name}: ${m(l.amount)}`), `Reason: ${reasonLabel}${words ? `: ${words}` : ""}`],
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
          h("label", { for: `refund-qty-${row.line}` }, `${row.name} (${row.left} of ${receipt.lines[i]?.quantity ?? 0} left, ${m(receipt.lines[i]?.total ?? 0)})`),
          inputs[i],
          errorSlot(`refund-qty-${row.line}`),
        ),
      ),
    ),
    h(
      "fieldset",
      { class: "refund-tender" },
      h("legend", {}, "Why"),
      h("div", { class: "actions", role: "group", "aria-label": "Why it comes back" }, ...reasonButtons),
      reasonTextField,
    ),
    h(
      "fieldset",
      { class: "refund-tender" },
      h("legend", {}, paidByCardOnly ? "Pay back (the sale was paid by card)" : "Pay back"),
      h("div", { class: "actions", role: "group", "aria-label": "Pay back in" }, cash, card),
      cashNote,
      cardField,
    ),
    total,
    submit,
  );
}
