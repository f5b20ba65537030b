/**
 * Start Shift: count the opening cash (typed, or with the bill/coin helper) and start. When the
 * register already has an open session, the screen offers to join it instead (start_shift joins).
 */
import * as api from "../api";
import { h } from "../dom";
import { currencyDecimals, formatAmountInput, formatMoney, moneyParseMessage, parseLocaleMoney } from "../money";
import { go } from "../router";
import { isManager, locale, location, state, timeZone } from "../state";
import type { SessionView } from "../types";
import { displayName, formatClock } from "../time";
import { focus, isBusy, mount, run, showErrorText } from "../ui";
import { denominationHelper, moneyField } from "../widgets";
import { logoutButton } from "./common";
import { checkForgotten } from "./forgotten";

/** A manager reaches the day view from here too (no shift needed to look at the day). */
function dayButton(): HTMLButtonElement | null {
  if (!isManager(state.status?.logged_in)) return null;
  const button = h("button", { id: "day-view", type: "button", class: "secondary big" }, "Day view");
  button.addEventListener("click", () => go.day());
  return button;
}

export function showStart(current?: SessionView | null): void {
  if (current?.status === "open") {
    const me = state.status?.logged_in?.name;
    const alreadyIn = me !== undefined && (current.opened_by === me || current.joins.some((j) => j.user === me));
    if (alreadyIn) go.session(current, "resumed");
    else showJoin(current);
    return;
  }
  const currency = location()?.currency ?? "USD";
  const lang = locale();
  const { field, input: cash } = moneyField("opening-cash", "Opening cash in the drawer", currency, lang);
  // The float the register's last close left: the default opening cash (count it anyway).
  const lastFloat = current?.status === "closed" && current.float_left !== null && current.currency === currency ? current.float_left : null;
  if (lastFloat !== null) {
    cash.value = formatAmountInput(lastFloat, currencyDecimals(currency), lang);
  }
  const notes = h("textarea", { id: "shift-notes", rows: 2, maxlength: 500 });
  const start = h("button", { id: "start-shift", type: "submit", class: "primary big" }, "Start shift");
  const helper = denominationHelper(currency, lang, cash, start);
  // One tap when the drawer holds what the last close left (counted, and it matches).
  const sameAsLast =
    lastFloat !== null ? h("button", { id: "start-with-last-float", type: "button", class: "secondary big" }, `Start with ${formatMoney(lastFloat, currency, lang)}`) : null;
  sameAsLast?.addEventListener("click", () => {
    if (lastFloat === null) return;
    cash.value = formatAmountInput(lastFloat, currencyDecimals(currency), lang);
    form.requestSubmit();
  });

  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field,
    h("div", { class: "field" }, h("label", { for: "shift-notes" }, "Notes (optional)"), notes),
    h("div", { class: "actions" }, start, sameAsLast, logoutButton(), dayButton(), devicesButton()),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy()) return;
    const parsed = parseLocaleMoney(cash.value, currency, lang);
    if (!parsed.ok) {
      showErrorText(moneyParseMessage(parsed.error, currency, lang), cash);
      cash.focus();
      return;
    }
    const text = notes.value.trim();
    // One id per press: an automatic retry reuses it, so the shift never starts twice.
    const requestId = api.newRequestId();
    const result = await run(
      () => api.startShift(requestId, parsed.minor, text === "" ? null : text),
      { busy: { button: start, text: "Starting shift…" } },
    );
    if (result?.ok) go.sale(result.value.session, result.value.joined ? "joined" : "started");
    // An open shift from an earlier day blocks this register: the banner offers the force-close.
    else if (result?.error.code === "session_forgotten") void checkForgotten();
  });

  mount(
    "start",
    h(
      "div",
      { class: helper ? "start cols wide-right" : "start narrow" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, "Start shift"),
        h("p", { class: "lead" }, helper ? "Count the cash in the drawer, or type the total." : "Type the cash in the drawer."),
        lastFloat !== null
          ? h("p", { id: "last-float", class: "callout info" }, `The last close left ${formatMoney(lastFloat, currency, lang)} in the drawer. Count it to check.`)
          : null,
        form,
      ),
      helper,
    ),
  );
  focus(cash);
}

/** `#start-shift` labelled "Join shift": start_shift with no opening cash only joins. */
function showJoin(session: SessionView): void {
  const join = h("button", { id: "start-shift", type: "button", class: "primary big" }, "Join shift");
  join.addEventListener("click", async () => {
    const requestId = api.newRequestId();
    const result = await run(() => api.startShift(requestId, null, null), { busy: { button: join, text: "Joining shift…" } });
    if (!result) return;
    if (result.ok) go.sale(result.value.session, result.value.joined ? "joined" : "started");
    // Closed since this screen was drawn: offer a real start, keeping the message on screen.
    else if (result.error.code === "no_open_session") showStart(null);
    else if (result.error.code === "session_forgotten") void checkForgotten();
  });
  const openedAt = formatClock(session.opened_at, timeZone());
  mount(
    "start",
    h(
      "div",
      { class: "start narrow" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, "Join the open shift"),
        h(
          "p",
          { id: "open-session-note", class: "lead" },
          `Shift ${session.number} is open on this register, started by ${displayName(session.opened_by)} at ${openedAt}.`,
        ),
        h("div", { class: "actions" }, join, logoutButton(), dayButton()),
      ),
    ),
  );
  focus(join);
}

/** The printer and drawer, before a shift is open too (a new till's first printer): a manager's PIN opens it. */
function devicesButton(): HTMLElement {
  const button = h("button", { id: "devices", type: "button", class: "secondary big" }, "Printer & drawer");
  button.addEventListener("click", () => go.devices(null));
  return button;
}
