import * as api from "../api";
import { h } from "../dom";
import { formatMoney } from "../money";
import { go, type SessionArrival } from "../router";
import { locale, timeZone } from "../state";
import { displayName, formatClock } from "../time";
import type { SessionView } from "../types";
import { run } from "../ui";

/** `#logout`: ends the login on this device and goes back to the PIN screen. */
export function logoutButton(): HTMLButtonElement {
  const button = h("button", { id: "logout", type: "button", class: "secondary big" }, "Log out");
  button.addEventListener("click", async () => {
    const result = await run(() => api.logout(), { busy: { button, text: "Logging out…" } });
    if (result?.ok) {
      go.loggedOut();
    }
  });
  return button;
}

/**
 * What start_shift did, said where the cashier lands (the sale screen): "Shift … started" or
 * "Joined shift …, started by …", and on a start an opening count that differs from what the
 * last close left. Null when the session was only resumed.
 */
export function arrivalNotice(session: SessionView, arrival: SessionArrival): HTMLElement | null {
  if (arrival === "resumed") return null;
  const message =
    arrival === "joined"
      ? h("p", { id: "joined-message", class: "callout info" }, `Joined shift ${session.number}, started by ${displayName(session.opened_by)} at ${formatClock(session.opened_at, timeZone())}`)
      : h("p", { id: "started-message", class: "callout success" }, `Shift ${session.number} started`);
  return h("div", { id: "arrival", class: "arrival stack-tight" }, message, arrival === "started" ? openingDifference(session) : null);
}

/** An opening count that differs from what the last close left in the drawer: a manager should know. */
function openingDifference(session: SessionView): HTMLElement | null {
  if (session.float_expected === null) return null;
  const lang = locale();
  const left = session.float_expected;
  const diff = session.opening_cash - left;
  if (diff === 0) return null;
  const m = (minor: number) => formatMoney(minor, session.currency, lang);
  const words = diff > 0 ? `${m(diff)} more than` : `${m(-diff)} less than`;
  return h("p", { id: "opening-difference", class: "callout warning" }, `Opening cash is ${words} the ${m(left)} the last close left in the drawer. Tell a manager.`);
}
