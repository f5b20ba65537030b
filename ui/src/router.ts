/**
 * Navigation: where the app goes from the device status (`route`), after a command error that
 * ends the screen (`routeAfterError`), and the screens a screen moves on to (`go`), each declared
 * once here with its screen function.
 *
 * The screens import `go` from this module and this module imports the screens: an ES module
 * cycle, on purpose. It is safe because no route runs while the modules load: every `go.*` is
 * an arrow that looks its screen function up when it is called (a click, an answer, or `route()`
 * from main.ts once everything has loaded). A registry the screens fill in at load would break
 * the cycle too, but a route would then be declared in two places (its type here, its function
 * there) and a screen nobody imported would fail only at run time, not in `tsc`.
 */
import * as api from "./api";
import { cartWaitingForShift } from "./cart-store";
import { h } from "./dom";
import { showCashMovement } from "./screens/cash";
import { showClose, showLateCount } from "./screens/close";
import { showDamaged } from "./screens/damaged";
import { showDay } from "./screens/day";
import { askForDevices } from "./screens/devices";
import { showLogin } from "./screens/login";
import { showRefund } from "./screens/refund";
import { showXReport } from "./screens/reports";
import { showSale } from "./screens/sale";
import { showSession } from "./screens/session";
import { showSetup } from "./screens/setup";
import { showStart } from "./screens/start";
import { setStatus } from "./shell";
import { state } from "./state";
import type { ApiError, DaySession, DeviceStatus, SessionView } from "./types";
import { mount, run } from "./ui";

/** How a session view was reached: straight after start_shift (created or joined), or not. */
export type SessionArrival = "started" | "joined" | "resumed";

/** The screens, by where a screen moves on to. */
export const go = {
  /** Set up this device (a new store, PostgreSQL, the demo), or pick its register. */
  setup: (status: DeviceStatus | null): void => showSetup(status),
  login: (): void => void showLogin(),
  /** The login ended (logged out, or the backend ended it): forget who was logged in, then the PIN screen. */
  loggedOut: (): void => {
    if (state.status) setStatus({ ...state.status, logged_in: null });
    void showLogin();
  },
  /** Start Shift; given the register's current session, it resumes or offers to join an open one. */
  start: (current?: SessionView | null): void => showStart(current),
  /** The shift's screen; a cart left by a shift closed elsewhere comes back instead, once a shift is open again. */
  session: (session: SessionView, arrival: SessionArrival, checkNow?: boolean): void =>
    session.status === "open" && cartWaitingForShift() ? showSale(session) : showSession(session, arrival, checkNow),
  /** The sale screen in this session (an unfinished cart comes back); after Start/Join it says which. */
  sale: (session: SessionView, arrival: SessionArrival = "resumed"): void => showSale(session, arrival),
  /** The refund screen: look up a receipt, pick lines, a manager approves. */
  refund: (session: SessionView): void => showRefund(session),
  /** Close shift: count the drawer, then a manager approves. */
  close: (session: SessionView): void => void showClose(session),
  /** Paid in, paid out, drop, no-sale on this shift. */
  cash: (session: SessionView): void => void showCashMovement(session),
  /** The shift's X report (resets nothing). */
  xReport: (session: SessionView): void => void showXReport(session, null),
  /** A manager's day: the store's sessions of a business day with their Z. */
  day: (day?: string | null): void => void showDay(day ?? null),
  /** A manager sets up the receipt printer and drawer (from a shift's screen, or before one). */
  devices: (session: SessionView | null): void => void askForDevices(session),
  /** A manager counts a force-closed session (as the day view or the force-close answered it). */
  lateCount: (row: DaySession): void => showLateCount(row),
};

/** Decides where to go from the device status (fetched when not given), and remembers it. */
export async function route(given?: DeviceStatus): Promise<void> {
  let status = given;
  if (!status) {
    const result = await run(() => api.deviceStatus());
    if (!result) return;
    if (!result.ok) {
      showStartupProblem();
      return;
    }
    status = result.value;
  }
  setStatus(status);
  if (status.settings_damaged) return showDamaged(status.settings_damaged, status.managed_by);
  if (!status.configured) return go.setup(status);
  if (!status.logged_in) return go.login();
  const session = await run(() => api.currentSession());
  if (!session) return;
  if (!session.ok) {
    showStartupProblem();
    return;
  }
  // Start Shift decides: resume a session you are in, offer to join another's, or start one.
  go.start(session.value);
}

/**
 * For `onCommandError`: a command failed because the login ended or the device's settings are
 * gone or damaged; go where that leaves us. True when it moved on.
 */
export function routeAfterError(error: ApiError): boolean {
  if (error.code === "not_logged_in" && state.status?.configured) {
    go.loggedOut();
    return true;
  }
  if (error.code === "device_settings_damaged") {
    void route();
    return true;
  }
  if (error.code === "device_not_set_up") {
    go.setup(null);
    return true;
  }
  return false;
}

/** device_status or current_session failed at start-up: the banner says why; offer a retry. */
function showStartupProblem(): void {
  const retry = h("button", { id: "retry", type: "button", class: "primary big" }, "Try again");
  retry.addEventListener("click", () => void route());
  mount("problem", h("div", { class: "narrow stack" }, h("h1", {}, "Till can't start yet"), retry));
  retry.focus();
}
