/**
 * Cash in and out of the drawer without a sale: paid in, paid out, drop (to the safe) and
 * no-sale (the drawer opened for nothing). A reason from the store's list; a paid out or drop
 * above the store's limit needs a manager, asked for only when the backend says `forbidden`.
 */
import * as api from "../api";
import { h } from "../dom";
import { currencyDecimals, formatMoney, moneyParseMessage, parseLocaleMoney } from "../money";
import { go } from "../router";
import { locale } from "../state";
import type { CashMovement, CashReason, MovementKind, SessionView } from "../types";
import { displayName } from "../time";
import { focus, isBusy, mount, run, showErrorText } from "../ui";
import { amountPad, errorSlot, moneyField } from "../widgets";
import { listManagers, showApproval } from "./approval";

export const KIND_LABELS: Readonly<Record<MovementKind, string>> = {
  paid_in: "Paid in",
  paid_out: "Paid out",
  drop: "Drop to safe",
  no_sale: "No sale",
};

const KIND_HINTS: Readonly<Record<MovementKind, string>> = {
  paid_in: "Cash put into the drawer (not a sale).",
  paid_out: "Cash taken out of the drawer to pay for something.",
  drop: "Cash taken to the safe during the shift.",
  no_sale: "The drawer opened without a sale. No amount.",
};

/** What the form holds: kept across the manager's approval and a cancel back to the form. */
interface Draft {
  /** Chosen once per form, reused on every retry and after the approval. */
  id: string;
  kind: MovementKind;
  amount: string;
  reason: string;
  note: string;
}

const newDraft = (kind: MovementKind = "paid_in"): Draft => ({ id: api.newRequestId(), kind, amount: "", reason: "", note: "" });

let reasonsCache: CashReason[] | null = null;

export async function showCashMovement(session: SessionView, given?: Draft): Promise<void> {
  const draft = given ?? newDraft();
  const currency = session.currency;
  const lang = locale();
  const { field: amountField, input: amount } = moneyField("movement-amount", "Amount", currency, lang);
  amount.value = draft.amount;
  // The pad hides with the amount (a no-sale has none).
  amountField.append(amountPad(amount, lang, currencyDecimals(currency)));
  const reason = h("select", { id: "movement-reason", "aria-describedby": "movement-reason-error" });
  const note = h("input", { id: "movement-note", type: "text", maxlength: 200, autocomplete: "off" });
  note.value = draft.note;
  const submit = h("button", { id: "movement-submit", type: "submit", class: "primary big" }, "Record");
  const back = h("button", { id: "movement-back", type: "button", class: "secondary big" }, "Back to the shift");
  back.addEventListener("click", () => go.session(session, "resumed", true));
  const hint = h("p", { id: "movement-kind-hint", class: "hint" });

  const kinds = h("div", { class: "quick-tabs kind-tabs", role: "group", "aria-label": "Kind of movement" });
  const drawKind = () => {
    for (const b of kinds.querySelectorAll<HTMLButtonElement>("button")) b.setAttribute("aria-pressed", String(b.dataset["kind"] === draft.kind));
    amountField.hidden = draft.kind === "no_sale";
    hint.textContent = KIND_HINTS[draft.kind];
    const options = (reasonsCache ?? []).filter((r) => r.kind === draft.kind).sort((a, b) => a.position - b.position);
    reason.replaceChildren(
      h("option", { value: "" }, options.length ? "Pick a reason" : "No reasons for this kind"),
      ...options.map((r) => h("option", { value: r.code, selected: r.code === draft.reason }, r.label)),
    );
    submit.textContent = `Record ${KIND_LABELS[draft.kind].toLowerCase()}`;
  };
  for (const kind of Object.keys(KIND_LABELS) as MovementKind[]) {
    const button = h("button", { type: "button", class: "choice tab", "data-kind": kind, "aria-pressed": "false" }, KIND_LABELS[kind]);
    button.addEventListener("click", () => {
      if (draft.kind !== kind) {
        draft.kind = kind;
        draft.reason = "";
        // Another kind is another movement: a new id, so it is never taken for the first one.
        draft.id = api.newRequestId();
      }
      drawKind();
      focus(kind === "no_sale" ? reason : amount);
    });
    kinds.append(button);
  }

  const form = h(
    "form",
    { class: "stack", novalidate: true },
    kinds,
    hint,
    amountField,
    h("div", { class: "field" }, h("label", { for: "movement-reason" }, "Reason"), reason, errorSlot("movement-reason")),
    h("div", { class: "field" }, h("label", { for: "movement-note" }, "Note (optional)"), note),
    h("div", { class: "actions sticky-actions" }, submit, back),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (isBusy()) return;
    draft.amount = amount.value;
    draft.reason = reason.value;
    draft.note = note.value;
    let minor: number | null = null;
    if (draft.kind !== "no_sale") {
      const parsed = parseLocaleMoney(amount.value, currency, lang);
      if (!parsed.ok || parsed.minor === 0) {
        showErrorText(parsed.ok ? "Enter an amount more than zero." : moneyParseMessage(parsed.error, currency, lang), amount);
        amount.focus();
        return;
      }
      minor = parsed.minor;
    }
    if (draft.reason === "") {
      showErrorText("Pick a reason.", reason);
      reason.focus();
      return;
    }
    void record(session, draft, minor, submit);
  });

  mount(
    "cash",
    h(
      "section",
      { class: "narrow stack" },
      h("h1", {}, "Cash in and out"),
      h("p", { class: "lead" }, `Shift ${session.number}: money in or out of the drawer that is not a sale.`),
      form,
    ),
  );
  drawKind();
  focus(kinds.querySelector<HTMLButtonElement>('[aria-pressed="true"]'));
  if (reasonsCache === null) {
    const reasons = await run(() => api.cashReasons(), { keepError: true });
    if (reasons?.ok) {
      reasonsCache = reasons.value;
      drawKind();
    }
  }
}

async function record(session: SessionView, draft: Draft, amount: number | null, button: HTMLButtonElement): Promise<void> {
  const note = draft.note.trim() === "" ? null : draft.note.trim();
  const result = await run(() => api.recordMovement(draft.id, draft.kind, amount, draft.reason, note, null), { busy: { button, text: "Recording…" } });
  if (!result) return;
  if (result.ok) {
    showMovementDone(session, result.value);
    return;
  }
  if (result.error.code !== "approval_needed") return;
  // Above the store's limit: a manager approves with their PIN; the same id is sent again.
  const lang = locale();
  const reasonLabel = reasonsCache?.find((r) => r.kind === draft.kind && r.code === draft.reason)?.label ?? draft.reason;
  const amountText = amount === null ? null : formatMoney(amount, session.currency, lang);
  showApproval({
    title: `Approve: ${KIND_LABELS[draft.kind].toLowerCase()}`,
    lead: "This is more than a cashier may take out of the drawer alone. A manager approves with their PIN.",
    details: [amountText ? `${KIND_LABELS[draft.kind]}: ${amountText}` : KIND_LABELS[draft.kind], `Reason: ${reasonLabel}`, ...(note ? [`Note: ${note}`] : [])],
    submitLabel: "Approve",
    managers: await listManagers(),
    approve: async (approval) => {
      const approved = await run(() => api.recordMovement(draft.id, draft.kind, amount, draft.reason, note, approval));
      if (!approved?.ok) return false;
      showMovementDone(session, approved.value);
      return true;
    },
    cancel: () => void showCashMovement(session, draft),
  });
}

function showMovementDone(session: SessionView, movement: CashMovement): void {
  const lang = locale();
  const reasonLabel = reasonsCache?.find((r) => r.kind === movement.kind && r.code === movement.reason)?.label ?? movement.reason;
  const again = h("button", { id: "movement-again", type: "button", class: "secondary big" }, "Another movement");
  again.addEventListener("click", () => void showCashMovement(session, newDraft(movement.kind)));
  const back = h("button", { id: "movement-done", type: "button", class: "primary big" }, "Back to the shift");
  back.addEventListener("click", () => go.session(session, "resumed", true));
  const row = (label: string, id: string, value: string) => h("div", { class: "detail" }, h("dt", {}, label), h("dd", { id }, value));
  mount(
    "cash-done",
    h(
      "section",
      { class: "narrow stack" },
      h("h1", {}, "Recorded"),
      h(
        "p",
        { id: "movement-result", class: "callout success", role: "status" },
        movement.kind === "no_sale" ? "No sale recorded" : `${KIND_LABELS[movement.kind]} of ${formatMoney(movement.amount, session.currency, lang)} recorded`,
      ),
      h(
        "dl",
        { class: "card details result" },
        row("Reason", "movement-result-reason", reasonLabel),
        movement.note ? row("Note", "movement-result-note", movement.note) : null,
        row("By", "movement-result-user", displayName(movement.user)),
        movement.approved_by ? row("Approved by", "movement-approved-by", displayName(movement.approved_by)) : null,
      ),
      h("div", { class: "actions" }, back, again),
    ),
  );
  back.focus();
}
