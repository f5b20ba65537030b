import { timeZone } from "./state";
import { formatClock } from "./time";
import type { ApiError, ErrorCode } from "./types";

/** Shown for `internal`, for unknown codes, and for anything that is not an ApiError. */
export const GENERIC_ERROR = "Something went wrong. Try again, or ask a manager for help.";

interface Words {
  words: string;
  /**
   * `"append"` adds the backend message after the words; `"instead"` shows the backend message
   * (it is written for people) and falls back to the words when it is empty. Other codes never
   * show backend text.
   */
  backend?: "append" | "instead";
}

/**
 * Cashier words per error code: what happened, then what to do next. Typed by the core's
 * generated ErrorCode: a code the core adds and this table lacks fails the type check (and
 * tests/unit/errors.test.ts, which also checks that each names a next step).
 */
export const ERROR_WORDS: Readonly<Record<ErrorCode, Words>> = {
  invalid_amount: { words: "That amount is not valid. Type an amount like 200 or 200.50." },
  invalid_pin: { words: "A PIN is made of digits only. Type your PIN again." },
  invalid_input: { words: "Something you typed was not accepted. Check it and try again." },
  wrong_pin: { words: "That PIN is not right. Try again." },
  user_not_found: { words: "That person is not on the staff list. Pick a name again." },
  user_inactive: { words: "This staff account is switched off. Ask a manager." },
  user_locked: { words: "Locked after too many wrong PINs. A manager can unlock it now." },
  forbidden: { words: "Only a manager can do this. Ask a manager to approve with their PIN." },
  approval_needed: { words: "A manager must approve this. Ask a manager to approve it with their name and PIN." },
  location_not_found: { words: "This store is not in the database. Ask IT to check the set-up." },
  register_not_found: { words: "This register is not in the store's database. Ask IT to check the set-up." },
  receipt_not_found: { words: "That receipt number is not on record. Check it and try again." },
  session_closed: { words: "This shift was closed on another register. Start a shift: the sale stays on screen." },
  catalog_changed: { words: "Prices changed while this sale was being rung up. Try again." },
  refund_exceeds_sale: { words: "That is more than is left to refund on this receipt. Type a smaller quantity: no more than is left on each line." },
  product_not_found: { words: "That item is not in this store's catalog. Scan again or search by name." },
  session_not_found: { words: "There is no open shift on this register. Start a shift first." },
  // Not the backend's line: it has the time in UTC; the shift screen shows who and when, in local time.
  session_already_closed: { words: "This shift was already closed." },
  no_open_session: { words: "That shift was closed before you joined. Start a new shift with the cash in the drawer." },
  already_exists: { words: "That already exists. Pick another name or code." },
  idempotency_conflict: { words: "This was already done with different details. Check the screen, then start again." },
  not_logged_in: { words: "You are logged out. Log in with your PIN." },
  device_not_set_up: { words: "This register is not set up yet. Choose its database and register on this screen." },
  device_settings_damaged: { words: "This register's settings are damaged. Call a manager." },
  schema_not_ready: { words: "The database needs an update. Ask IT to run tillctl doctor.", backend: "append" },
  app_too_old: { words: "The store's database was upgraded for a newer Till. Update Till on this PC (ask IT)." },
  schema_behind: { words: "This PC's Till is newer than the store's database. Ask IT to run tillctl migrate." },
  database_misconfigured: { words: "The database is set up in a way Till can't work with. Ask IT:", backend: "append" },
  database_busy: { words: "The register is busy; try again in a moment." },
  database_unavailable: { words: "Can't reach the database. Check the network and try again." },
  keyring_unavailable: { words: "Till can't reach the computer's password store. Ask IT:", backend: "append" },
  invalid_quantity: { words: "That quantity is not valid. Type a whole number from 1 to 10000." },
  discount_too_large: { words: "That discount is more than the price. Type a smaller discount." },
  tenders_short: { words: "The payments do not cover the total yet. Take the rest as another payment." },
  change_not_cash: { words: "Change is given only in cash. Charge the card or voucher no more than what is due." },
  internal: { words: GENERIC_ERROR },
  device_managed: { words: "IT set up this register; it can't be changed here. Ask IT." },
  reason_not_found: { words: "Pick a reason from the list. Ask a manager if the right one is missing." },
  variance_needs_signoff: { words: "The count does not match. Count the drawer again; if it still differs, a manager signs it off with a reason." },
  no_count_pending: { words: "This shift was already counted. Open the Day view to see its count." },
  session_forgotten: { words: "This register's shift is from an earlier day. Call a manager to close it first." },
  pin_reset_needed: { words: "This PIN has to be set again: an older Till set it, or managers now need a longer one. Ask IT to set a new PIN." },
};

/** Normalises whatever a command rejected with into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (typeof error === "object" && error !== null && typeof (error as ApiError).code === "string") {
    const { code, message, until } = error as ApiError;
    const out: ApiError = { code, message: typeof message === "string" ? message : "" };
    if (typeof until === "string") out.until = until;
    return out;
  }
  return { code: "internal", message: typeof error === "string" ? error : String(error) };
}

/** The words a cashier sees for an error. Never shows the backend text for `internal` or unknown codes. */
export function errorMessage(error: unknown): string {
  const apiError = toApiError(error);
  const { code, message } = apiError;
  const entry = Object.prototype.hasOwnProperty.call(ERROR_WORDS, code) ? ERROR_WORDS[code as ErrorCode] : undefined;
  if (!entry) return GENERIC_ERROR;
  if (code === "user_locked" && apiError.until) {
    const at = formatClock(apiError.until, timeZone());
    if (at) return `Locked after too many wrong PINs until ${at}. A manager can unlock it now.`;
  }
  const detail = message.trim();
  if (!entry.backend || detail === "") return entry.words;
  const sentence = detail.charAt(0).toUpperCase() + detail.slice(1);
  return entry.backend === "instead" ? sentence : `${entry.words} ${sentence}`;
}

export type ConnectPart = "host" | "tls" | "password";

/**
 * Which part of a database connection failed, read from the backend's message for a failed
 * connect (`database_unavailable`, `database_misconfigured`, `invalid_input`): the host (name,
 * port, network), TLS, or the password. Null when the message does not say.
 */
export function connectProblem(error: unknown): { part: ConnectPart; text: string } | null {
  const { code, message } = toApiError(error);
  if (!["database_unavailable", "database_misconfigured", "invalid_input", "internal"].includes(code)) return null;
  const m = message.toLowerCase();
  if (/password|authentication|28p01|28000|no pg_hba|role .* does not exist/.test(m)) {
    return { part: "password", text: "The server refused the password or the user name. Check them." };
  }
  // Refused before connecting: a server on another computer without the TLS settings that
  // verify it. Nothing failed yet, so "check the certificate" would send IT the wrong way.
  if (code === "database_misconfigured" && /sslmode=verify-full/.test(m)) {
    return {
      part: "tls",
      text: "That server is on another computer: its address needs TLS settings (sslmode=verify-full and sslrootcert). Ask IT for the full address.",
    };
  }
  if (/tls|ssl|certificate|handshake|x509/.test(m)) {
    return { part: "tls", text: "The secure (TLS) connection failed. Ask IT to check the certificate." };
  }
  if (/resolve|lookup|name or service|no such host|not known|refused|timed out|timeout|unreachable|no route|os error|network|connect/.test(m)) {
    return { part: "host", text: "Can't reach that server. Check its name and port, and the network." };
  }
  return null;
}
