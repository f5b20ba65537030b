/** The open shift of this register (the core's "session"); watches for it being closed on another device. */
import * as api from "../api";
import { h, replace } from "../dom";
import { formatMoney } from "../money";
import { go, type SessionArrival } from "../router";
import { isManager, locale, state, timeZone } from "../state";
import type { SessionTotals, SessionView } from "../types";
import { displayName, formatBusinessDay, formatClock } from "../time";
import { clearError, isBusy, mount, showError } from "../ui";
import { listManagers, showApproval } from "./approval";
import { arrivalNotice, logoutButton } from "./common";
import { showXReport } from "./reports";
import { roleLabel } from "./login";

export const POLL_MS = 3000;

/**
 * After a start: the opening cash against the float the register's last close left (the
 * backend's `float_expected`), when they differ. Null when there is nothing to say.
 */
export function showSession(session: SessionView, arrival: SessionArrival, checkNow = false): void {
  const zone = timeZone();
  const openedAt = formatClock(session.opened_at, zone);
  const user = state.status?.logged_in;

  const message = arrivalNotice(session, arrival);
  const status = h("span", { id: "session-status", class: `badge ${session.status}` }, session.status === "open" ? "Open" : "Closed");
  // Never focused on arrival: a scanner's Enter must not end the shift.
  const closeDrawer = h("button", { id: "close-drawer", type: "button", class: "primary big" }, "Close shift");
  closeDrawer.addEventListener("click", () => go.close(session));
  const closedSlot = h("div", { class: "closed-slot" });
  // Not focused either: a scanner's Enter on this screen does nothing.
  const sell = h("button", { id: "sell", type: "button", class: "primary big" }, "Sell");
  sell.addEventListener("click", () => go.sale(session));
  const cash = h("button", { id: "cash-movement", type: "button", class: "secondary big" }, "Cash in/out");
  cash.addEventListener("click", () => go.cash(session));
  // Shown once the backend's totals have come. While a store counts blind, the X of an open
  // drawer is a manager's (drawer_hidden): a cashier gets the manager's PIN pad, not a dead end.
  const xReport = h("button", { id: "x-report", type: "button", class: "secondary big", hidden: true }, "X report");
  let drawerHidden = true;
  xReport.addEventListener("click", () => (drawerHidden ? void askXApproval(session) : go.xReport(session)));
  const manager = isManager(user);
  const day = manager ? h("button", { id: "day-view", type: "button", class: "secondary big" }, "Day view") : null;
  day?.addEventListener("click", () => go.day());
  // The printer and drawer: a manager's PIN opens it (the backend checks it).
  const devices = h("button", { id: "devices", type: "button", class: "secondary big" }, "Printer & drawer");
  devices.addEventListener("click", () => go.devices(session));
  const actions = h("div", { class: "actions" }, sell, closeDrawer, cash, xReport, day, devices, logoutButton());
  const totals = h("dl", { id: "session-totals", class: "details" });
  const showTotals = (t: SessionTotals | null) => {
    xReport.hidden = t === null;
    drawerHidden = t?.drawer_hidden ?? true;
    const m = (minor: number) => formatMoney(minor, session.currency, locale());
    const row = (label: string, id: string, value: string) => h("div", { class: "detail" }, h("dt", {}, label), h("dd", { id }, value));
    replace(
      totals,
      row("Sales", "totals-sales-count", String(t?.sales_count ?? 0)),
      row("Sales total", "totals-sales", m(t?.sales_total ?? 0)),
      row("Refunds", "totals-refunds", `${t?.refunds_count ?? 0} · ${m(t?.refunds_total ?? 0)}`),
      row("Tax", "totals-tax", m(t?.tax_total ?? 0)),
      // A blind close: whoever counts does not see what the drawer should hold beforehand. The
      // backend says so (expected_hidden); it also withholds the figures from a cashier.
      t === null || t.expected_hidden ? null : row("Cash expected in the drawer", "totals-expected-cash", m(t.expected_cash)),
    );
  };
  /** The session's running totals, so another device's sales appear while this screen shows. */
  const refreshTotals = async () => {
    try {
      const t = await api.sessionTotals();
      if (!ended && (t === null || t.session_id === session.id)) showTotals(t);
    } catch {
      // The session poll shows what went wrong; the totals keep their last numbers.
    }
  };

  const detail = (label: string, id: string, value: string) => h("div", { class: "detail" }, h("dt", {}, label), h("dd", { id }, value));

  let timer: number | undefined;
  let pollError = false;
  let ended = false;
  const stop = () => {
    ended = true;
    if (timer !== undefined) window.clearInterval(timer);
  };

  const closedElsewhere = (latest: SessionView | null) => {
    stop();
    status.className = "badge closed";
    status.textContent = "Closed";
    closeDrawer.remove();
    sell.remove();
    cash.remove();
    message?.remove();
    const again = h("button", { id: "start-again", type: "button", class: "primary big" }, "Start shift");
    again.addEventListener("click", () => go.start());
    const sameSession = latest !== null && latest.id === session.id;
    const who =
      sameSession && latest.closed_by
        ? `Closed by ${displayName(latest.closed_by)}${latest.closed_at ? ` at ${formatClock(latest.closed_at, zone)}` : ""}.`
        : null;
    closedSlot.replaceChildren(
      h(
        "div",
        { class: "callout warning stack-tight" },
        h("p", { id: "closed-elsewhere" }, `Shift ${session.number} was closed on another device`),
        who && h("p", { class: "hint" }, who),
      ),
    );
    actions.prepend(again);
    again.focus();
  };

  const poll = async () => {
    if (ended || isBusy()) return;
    let latest: SessionView | null;
    try {
      latest = await api.currentSession();
    } catch (error) {
      if (ended) return;
      pollError = true;
      showError(error);
      if ((error as { code?: string }).code === "not_logged_in") {
        // Logged out by the backend (idle): back to the PIN screen, the banner says why.
        stop();
        go.loggedOut();
      }
      return;
    }
    if (ended) return;
    if (pollError) {
      pollError = false;
      clearError();
    }
    if (latest === null || latest.id !== session.id || latest.status !== "open") closedElsewhere(latest);
    else void refreshTotals();
  };

  mount(
    "session",
    h(
      "div",
      { class: "session narrow stack" },
      closedSlot,
      message,
      h(
        "section",
        { class: "card session-card", "aria-labelledby": "session-number" },
        h("div", { class: "session-head" }, h("span", { class: "label" }, "Shift"), status),
        h("p", { id: "session-number", class: "session-number" }, session.number),
        h(
          "dl",
          { class: "details" },
          detail("Started by", "opened-by", displayName(session.opened_by)),
          detail("Started at", "opened-at", openedAt),
          detail("Opening cash", "opening-cash", formatMoney(session.opening_cash, session.currency, locale())),
          detail("Logged in", "logged-in-user", user ? `${displayName(user.name)} (${roleLabel(user.role)})` : "—"),
          detail("Business day", "business-day", formatBusinessDay(session.business_day)),
        ),
      ),
      h("section", { class: "card", "aria-labelledby": "totals-title" }, h("h2", { id: "totals-title" }, "This shift so far"), totals),
      actions,
    ),
    stop,
  );
  showTotals(null);
  void refreshTotals();
  if (session.status !== "open") {
    closedElsewhere(session);
  } else {
    timer = window.setInterval(() => void poll(), POLL_MS);
    if (checkNow) void poll();
  }
}

/** A blind-close store: a manager opens the X of the open drawer with their PIN (checked by the backend with the report). */
async function askXApproval(session: SessionView): Promise<void> {
  const managers = await listManagers();
  showApproval({
    title: "A manager opens the X report",
    lead: "This store counts blind: what the drawer should hold is a manager's to see while the shift is open.",
    submitLabel: "Open the X report",
    managers,
    approve: async (approval) => showXReport(session, approval),
    cancel: () => go.session(session, "resumed", true),
  });
}
