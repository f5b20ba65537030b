/** Close drawer: count the cash, a manager approves with their PIN, then the result. */
import * as api from "../api";
import { h } from "../dom";
import { currencyDecimals, describeVariance, formatDecimal, minorToDecimal, moneyParseMessage, parseMoney } from "../money";
import { nav, state, timeZone } from "../state";
import type { SessionView, User } from "../types";
import { displayName, formatClock } from "../time";
import { focus, isBusy, mount, run, showErrorText } from "../ui";
import { denominationHelper, moneyField } from "../widgets";
import { roleLabel } from "./login";

const isManager = (user: User) => user.role === "manager" || user.role === "admin";

export async function showClose(session: SessionView): Promise<void> {
  const currency = session.currency;
  const decimals = currencyDecimals(currency);
  const { field, input: counted } = moneyField("counted-cash", "Cash counted in the drawer", currency);
  const managers = h("div", { class: "choice-grid managers", role: "group", "aria-labelledby": "manager-label" });
  const pin = h("input", { id: "manager-pin", type: "password", inputmode: "numeric", autocomplete: "off", maxlength: 12 });
  const submit = h("button", { id: "close-submit", type: "submit", class: "primary big" }, "Close drawer");
  const cancel = h("button", { id: "close-cancel", type: "button", class: "secondary big" }, "Back");
  const helper = denominationHelper(currency, counted, pin);
  let manager: string | null = null;

  cancel.addEventListener("click", () => nav.session(session, "resumed", true));
  pin.addEventListener("input", () => {
    pin.value = pin.value.replace(/\D/g, "");
  });
  pin.addEventListener("keydown", (event) => {
    if (event.key === "Escape") pin.value = "";
  });

  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field,
    h("div", { class: "field" }, h("span", { class: "field-label", id: "manager-label" }, "Manager who approves"), managers),
    h("div", { class: "field" }, h("label", { for: "manager-pin" }, "Manager PIN"), pin),
    h("div", { class: "actions" }, submit, cancel),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy()) return;
    const parsed = parseMoney(counted.value, decimals);
    if (!parsed.ok) {
      counted.setAttribute("aria-invalid", "true");
      showErrorText(moneyParseMessage(parsed.error, currency));
      counted.focus();
      return;
    }
    counted.removeAttribute("aria-invalid");
    const approver = manager;
    if (!approver) {
      showErrorText("Pick the manager who approves the close.");
      focus(managers.querySelector("button"));
      return;
    }
    if (pin.value === "") {
      showErrorText("The manager types their PIN.");
      pin.focus();
      return;
    }
    const approval = { manager: approver, pin: pin.value };
    const requestId = api.newRequestId();
    const result = await run(() => api.closeShift(requestId, session.id, minorToDecimal(parsed.minor, decimals), approval));
    if (!result) return;
    if (result.ok) {
      nav.closed(result.value);
      return;
    }
    pin.value = "";
    if (result.error.code === "session_already_closed" || result.error.code === "session_not_found") {
      // The session is gone: the session view shows who closed it and offers Start Shift.
      nav.session(session, "resumed", true);
    } else {
      pin.focus();
    }
  });

  mount(
    "close",
    h(
      "div",
      { class: helper ? "close cols wide-right" : "close narrow" },
      h("section", { class: "stack" }, h("h1", {}, `Close drawer`), h("p", { class: "lead" }, `Session ${session.number}`), form),
      helper,
    ),
  );
  focus(counted);

  const users = await run(() => api.listUsers(), { keepError: true });
  if (!users?.ok) return;
  const list = users.value.filter(isManager);
  if (list.length === 0) {
    managers.append(h("p", { class: "hint" }, "No manager accounts. A manager must be added before the drawer can close."));
    return;
  }
  for (const user of list) {
    const button = h(
      "button",
      { type: "button", class: "choice user", "data-manager": user.name, "aria-pressed": "false" },
      h("span", { class: "user-name" }, displayName(user.name)),
      h("span", { class: "user-role" }, roleLabel(user.role)),
    );
    button.addEventListener("click", () => {
      manager = user.name;
      for (const other of managers.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
      pin.focus();
    });
    managers.append(button);
  }
}

export function showClosed(session: SessionView): void {
  const zone = timeZone();
  const money = (value: string | null) => (value === null ? "—" : formatDecimal(value, session.currency));
  let variance: { text: string; kind: string } = { text: "—", kind: "unknown" };
  if (session.variance !== null) {
    try {
      variance = describeVariance(session.variance, session.currency);
    } catch {
      variance = { text: session.variance, kind: "unknown" };
    }
  }
  const done = h("button", { id: "close-done", type: "button", class: "primary big" }, "Done");
  done.addEventListener("click", async () => {
    const result = await run(() => api.logout());
    if (result?.ok || (result && result.error.code === "not_logged_in")) {
      if (state.status) nav.setStatus({ ...state.status, logged_in: null });
      nav.login();
    }
  });
  const row = (label: string, id: string, value: string, cls?: string) =>
    h("div", { class: "detail" }, h("dt", {}, label), h("dd", { id, class: cls }, value));

  mount(
    "closed",
    h(
      "section",
      { id: "close-result", class: "narrow stack" },
      h("h1", {}, "Drawer closed"),
      h("p", { class: "lead" }, `Session ${session.number}`),
      h(
        "dl",
        { class: "card details result" },
        row("Expected cash", "expected-cash", money(session.expected_cash)),
        row("Counted cash", "counted-cash-result", money(session.counted_cash)),
        row("Difference", "variance", variance.text, `variance ${variance.kind}`),
        row("Closed by", "closed-by", session.closed_by ? displayName(session.closed_by) : "—"),
        row("Closed at", "closed-at", session.closed_at ? formatClock(session.closed_at, zone) : "—"),
      ),
      h("div", { class: "actions" }, done),
    ),
  );
  done.focus();
}
