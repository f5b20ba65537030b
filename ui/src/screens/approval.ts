/**
 * A manager's approval: pick (or type) the manager, then their PIN on the same keypad as login.
 * The backend checks it when the approved command runs; this screen only collects it.
 */
import * as api from "../api";
import { h } from "../dom";
import type { Approval, User } from "../types";
import { displayName } from "../time";
import { focus, isBusy, mount, run, showErrorText } from "../ui";
import { errorSlot, pinPad } from "../widgets";
import { isManager, state } from "../state";
import { roleLabel } from "./login";

export interface ApprovalOptions {
  title: string;
  lead: string;
  /** What exactly is approved, one line each (a new price, a discount's size). */
  details?: string[];
  submitLabel: string;
  /** Managers to pick from; `null` when there is no database to list them from (type the name). */
  managers: User[] | null;
  /** Runs the approved command; true when it is done (it moved on), false to stay and retry. */
  approve: (approval: Approval) => Promise<boolean>;
  cancel: () => void;
}

/** The active managers and admins of the current database, or null when they can't be listed. */
export async function listManagers(): Promise<User[] | null> {
  const result = await run(() => api.listUsers(), { keepError: true });
  return result?.ok ? result.value.filter(isManager) : null;
}

export function showApproval(options: ApprovalOptions): void {
  let manager: string | null = null;
  const typed = h("input", { id: "approval-manager", type: "text", autocomplete: "off", spellcheck: "false" });
  const cancel = h("button", { id: "approval-cancel", type: "button", class: "secondary big" }, "Cancel");
  cancel.addEventListener("click", () => options.cancel());

  const submit = async (pin: string) => {
    if (isBusy()) return;
    const name = options.managers === null ? typed.value.trim().toLowerCase() : manager;
    if (!name) {
      showErrorText(options.managers === null ? "Type the manager's name." : "Pick the manager who approves.", options.managers === null ? typed : pad.input);
      if (options.managers === null) typed.focus();
      return;
    }
    if (pin === "") {
      showErrorText("The manager types their PIN.", pad.input);
      pad.input.focus();
      return;
    }
    // The button says what is happening while the approved command runs.
    const label = pad.submit.textContent;
    pad.submit.textContent = "Checking the PIN…";
    let done = false;
    try {
      done = await options.approve({ manager: name, pin });
    } finally {
      if (pad.submit.isConnected) pad.submit.textContent = label;
    }
    if (!done) {
      pad.clear();
      pad.input.focus();
    }
  };
  const pad = pinPad({
    inputId: "approval-pin",
    submitId: "approval-submit",
    label: "Manager PIN",
    submitLabel: options.submitLabel,
    onSubmit: (pin) => void submit(pin),
  });

  let who: HTMLElement;
  if (options.managers === null) {
    typed.setAttribute("aria-describedby", "approval-manager-error");
    who = h("div", { class: "field" }, h("label", { for: "approval-manager" }, "Manager's name"), typed, errorSlot("approval-manager"));
  } else if (options.managers.length === 0) {
    who = h("p", { class: "hint" }, "There are no manager accounts. Ask IT.");
  } else {
    const grid = h("div", { class: "choice-grid users", role: "group", "aria-label": "Managers" });
    for (const user of options.managers) {
      const button = h(
        "button",
        { type: "button", class: "choice user", "data-manager": user.name, "aria-pressed": "false" },
        h("span", { class: "user-name" }, displayName(user.name)),
        h("span", { class: "user-role" }, roleLabel(user.role)),
      );
      button.addEventListener("click", () => {
        manager = user.name;
        for (const other of grid.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
        pad.input.focus();
      });
      grid.append(button);
    }
    who = grid;
  }

  mount(
    "approval",
    h(
      "div",
      { class: "login cols" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, options.title),
        h("p", { class: "lead" }, options.lead),
        options.details?.length ? h("ul", { id: "approval-details", class: "approval-details" }, ...options.details.map((d) => h("li", {}, d))) : null,
        who,
        h("div", { class: "actions" }, cancel),
      ),
      h("section", { class: "pin-area card", "aria-label": "Manager PIN" }, h("h2", {}, "Manager PIN"), pad.root),
    ),
  );
  // Preselected: the logged-in manager, or the only one.
  const me = state.status?.logged_in?.name;
  const mine = options.managers?.find((u) => u.name === me) ?? (options.managers?.length === 1 ? options.managers[0] : undefined);
  if (options.managers === null) focus(typed);
  else if (mine) document.querySelector<HTMLButtonElement>(`[data-manager="${CSS.escape(mine.name)}"]`)?.click();
  else focus(document.querySelector<HTMLElement>("[data-manager]"));
}
