/** Close shift: count the drawer, a manager approves with their PIN on the keypad, then the result. */
import * as api from "../api";
import { h } from "../dom";
import { currencyDecimals, decimalToMinor, describeVariance, formatDecimal, formatMoney, minorToDecimal, moneyParseMessage, parseLocaleMoney } from "../money";
import { locale, nav, state, timeZone } from "../state";
import type { SessionView, User } from "../types";
import { displayName, formatClock } from "../time";
import { clearError, focus, isBusy, mount, run, showError, showErrorText } from "../ui";
import { denominationHelper, moneyField, pinPad } from "../widgets";
import { roleLabel } from "./login";

const isManager = (user: User) => user.role === "manager" || user.role === "admin";

/**
 * Step 1 of a close: count the drawer (typed, or with the bill/coin helper). Enter in the amount
 * or "Next" goes on to the manager's approval; nothing here ends the shift.
 */
export function showClose(session: SessionView, typed = ""): void {
  const currency = session.currency;
  const lang = locale();
  const { field, input: counted } = moneyField("counted-cash", "Cash counted in the drawer", currency, lang);
  counted.value = typed;
  const next = h("button", { id: "close-next", type: "submit", class: "primary big" }, "Next: manager approval");
  const back = h("button", { id: "close-cancel", type: "button", class: "secondary big" }, "Back");
  back.addEventListener("click", () => nav.session(session, "resumed", true));
  const helper = denominationHelper(currency, lang, counted, next);
  const form = h("form", { class: "stack", novalidate: true }, field, h("div", { class: "actions" }, next, back));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (isBusy()) return;
    const parsed = parseLocaleMoney(counted.value, currency, lang);
    if (!parsed.ok) {
      showErrorText(moneyParseMessage(parsed.error, currency, lang), counted);
      counted.focus();
      return;
    }
    void showCloseApproval(session, parsed.minor, counted.value);
  });

  mount(
    "close",
    h(
      "div",
      { class: helper ? "close cols wide-right" : "close narrow" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, "Close shift"),
        h("p", { class: "lead" }, `Shift ${session.number}: count the cash in the drawer, then a manager approves.`),
        form,
      ),
      helper,
    ),
  );
  focus(counted);
}

/**
 * Step 2: the manager approves with their PIN on the same keypad as login; the logged-in
 * manager (or the only one) is preselected. Only this step's PIN Enter or button closes.
 */
async function showCloseApproval(session: SessionView, countedMinor: number, typed: string): Promise<void> {
  const currency = session.currency;
  const lang = locale();
  const decimals = currencyDecimals(currency);
  const managers = h("div", { class: "choice-grid users", role: "group", "aria-labelledby": "manager-label" });
  const back = h("button", { id: "close-back", type: "button", class: "secondary big" }, "Back to the count");
  back.addEventListener("click", () => showClose(session, typed));
  let manager: string | null = null;

  const submit = async () => {
    if (isBusy()) return;
    const approver = manager;
    if (!approver) {
      showErrorText("Pick the manager who approves the close.", pad.input);
      focus(managers.querySelector("button"));
      return;
    }
    if (pad.input.value === "") {
      showErrorText("The manager types their PIN.", pad.input);
      pad.input.focus();
      return;
    }
    const approval = { manager: approver, pin: pad.input.value };
    const requestId = api.newRequestId();
    const result = await run(() => api.closeShift(requestId, session.id, minorToDecimal(countedMinor, decimals), approval), {
      busy: { button: pad.submit, text: "Closing shift…" },
    });
    if (!result) return;
    if (result.ok) {
      nav.closed(result.value);
      return;
    }
    pad.clear();
    if (result.error.code === "session_already_closed" || result.error.code === "session_not_found") {
      // The shift is gone: the shift screen shows who closed it and when, and offers Start shift.
      nav.session(session, "resumed", true);
      showError(result.error); // this screen's PIN line went with it: the banner says it
    } else {
      pad.input.focus();
    }
  };
  const pad = pinPad({
    inputId: "manager-pin",
    submitId: "close-submit",
    label: "Manager PIN",
    submitLabel: "Close shift",
    onSubmit: () => void submit(),
  });
  const select = (name: string) => {
    manager = name;
    for (const other of managers.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other.dataset["manager"] === name));
  };

  mount(
    "close-approve",
    h(
      "div",
      { class: "login cols" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, "Close shift: manager approval"),
        h(
          "dl",
          { class: "card details result" },
          h("div", { class: "detail" }, h("dt", {}, "Shift"), h("dd", {}, session.number)),
          h("div", { class: "detail" }, h("dt", {}, "Counted in the drawer"), h("dd", { id: "close-counted" }, formatMoney(countedMinor, currency, lang))),
        ),
        h("h2", { id: "manager-label" }, "Manager who approves"),
        managers,
        h("div", { class: "actions" }, back),
      ),
      h("section", { class: "pin-area card", "aria-labelledby": "manager-pin-title" }, h("h2", { id: "manager-pin-title" }, "Manager PIN"), pad.root),
    ),
  );
  pad.input.focus();

  const users = await run(() => api.listUsers(), { keepError: true });
  if (!users?.ok) return;
  const list = users.value.filter(isManager);
  if (list.length === 0) {
    managers.append(h("p", { class: "hint" }, "No manager accounts. A manager must be added before the shift can close."));
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
      select(user.name);
      clearError();
      pad.input.focus();
    });
    managers.append(button);
  }
  // The logged-in manager approves their own close; with one manager, it is them.
  const me = state.status?.logged_in;
  const preselect = me && isManager(me) && list.some((u) => u.name === me.name) ? me.name : list.length === 1 ? list[0]?.name : undefined;
  if (preselect) select(preselect);
  else focus(managers.querySelector("button"));
}

export function showClosed(session: SessionView): void {
  const zone = timeZone();
  const lang = locale();
  const money = (value: string | null) => (value === null ? "—" : formatDecimal(value, session.currency, lang));
  let variance: { text: string; kind: string } = { text: "—", kind: "unknown" };
  if (session.variance !== null) {
    try {
      variance = describeVariance(session.variance, session.currency, lang);
    } catch {
      variance = { text: session.variance, kind: "unknown" };
    }
  }
  // Expected cash = opening cash + cash taken during the shift (the core's figure, broken down).
  let takenIn = "—";
  if (session.expected_cash !== null) {
    try {
      const decimals = currencyDecimals(session.currency);
      takenIn = formatMoney(decimalToMinor(session.expected_cash, decimals) - decimalToMinor(session.opening_cash, decimals), session.currency, lang);
    } catch {
      takenIn = "—";
    }
  }
  const done = h("button", { id: "close-done", type: "button", class: "primary big" }, "Done: log out");
  done.addEventListener("click", async () => {
    const result = await run(() => api.logout(), { busy: { button: done, text: "Logging out…" } });
    if (result?.ok || (result && result.error.code === "not_logged_in")) {
      if (state.status) nav.setStatus({ ...state.status, logged_in: null });
      nav.login();
    }
  });
  const row = (label: string, id: string, value: string, kind?: "part" | "sum", valueClass?: string) =>
    h("div", { class: kind ? `detail ${kind}` : "detail" }, h("dt", {}, label), h("dd", { id, class: valueClass }, value));
  const title = h("h1", { tabindex: "-1" }, "Shift closed");

  mount(
    "closed",
    h(
      "section",
      { id: "close-result", class: "narrow stack" },
      title,
      h("p", { class: "lead" }, `Shift ${session.number}`),
      h(
        "dl",
        { class: "card details result compact" },
        row("Opening cash", "opening-cash-result", money(session.opening_cash), "part"),
        row("+ Cash taken in during the shift", "cash-taken", takenIn, "part"),
        row("= Expected in the drawer", "expected-cash", money(session.expected_cash), "sum"),
        row("Counted in the drawer", "counted-cash-result", money(session.counted_cash)),
        row("Difference", "variance", variance.text, undefined, `variance ${variance.kind}`),
      ),
      h(
        "p",
        { class: "closed-line" },
        "Closed by ",
        h("strong", { id: "closed-by" }, session.closed_by ? displayName(session.closed_by) : "—"),
        " at ",
        h("strong", { id: "closed-at" }, session.closed_at ? formatClock(session.closed_at, zone) : "—"),
      ),
      h("div", { class: "actions demo-choice" }, done, h("p", { class: "hint" }, "Done logs you out of this register.")),
    ),
  );
  // Not "Done": it logs out, and a scanner's Enter must not press it.
  title.focus();
}
