/** What the UI knows about this device, and the navigation between screens. */
import type { DeviceStatus, SessionView } from "./types";

export const state: { status: DeviceStatus | null } = { status: null };

/** How a session view was reached: straight after start_shift (created or joined), or not. */
export type SessionArrival = "started" | "joined" | "resumed";

/** Filled in by main.ts; screens call these to move on. */
export const nav = {
  /** Remember a new device status and redraw the header. */
  setStatus: (_status: DeviceStatus): void => {},
  /** Decide where to go from the device status (fetches it when not given). */
  route: async (_status?: DeviceStatus): Promise<void> => {},
  setup: (_status: DeviceStatus | null): void => {},
  login: (): void => {},
  /** Start Shift; given the register's current session, it resumes or offers to join an open one. */
  start: (_current?: SessionView | null): void => {},
  session: (_session: SessionView, _arrival: SessionArrival, _checkNow?: boolean): void => {},
  close: (_session: SessionView): void => {},
  closed: (_session: SessionView): void => {},
  /** The sale screen in this session (an unfinished cart comes back). */
  sale: (_session: SessionView): void => {},
  /** The refund screen: look up a receipt, pick lines, a manager approves. */
  refund: (_session: SessionView): void => {},
  /** Paid in, paid out, drop, no-sale on this shift. */
  cash: (_session: SessionView): void => {},
  /** The shift's X report (resets nothing). */
  xReport: (_session: SessionView): void => {},
  /** A manager's day: the store's sessions of a business day with their Z. */
  day: (_day?: string | null): void => {},
  /** A manager counts a force-closed session. */
  lateCount: (_session: SessionView): void => {},
  /** Check for forgotten sessions now (the banner), e.g. after a start was refused for one. */
  checkForgotten: (): void => {},
};

export function location() {
  return state.status?.location ?? null;
}

/** The location's time zone, or the device's own when none is known. */
export function timeZone(): string {
  return state.status?.location?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * The store's locale (BCP 47, e.g. "de-DE") for money and numbers: the location's `locale`;
 * "en-US" with no location yet or a tag Intl does not take. The only place that reads it.
 */
export function locale(): string {
  const tag = state.status?.location?.locale;
  if (typeof tag !== "string" || tag === "") return "en-US";
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? "en-US";
  } catch {
    return "en-US";
  }
}
