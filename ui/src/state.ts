/** What the UI knows about this device: its status (with who is logged in), locale and time zone. */
import type { DeviceStatus, User } from "./types";

export const state: { status: DeviceStatus | null } = { status: null };

/**
 * Who may approve (a manager or an admin), as the backend says: `User.approves`. The UI's one
 * reading of a role for a decision; the backend checks again when the approved command runs.
 */
export function isManager(user: User | null | undefined): boolean {
  return user?.approves ?? false;
}

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
