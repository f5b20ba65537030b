import type { ApiError, ErrorCode } from "./types";

/** Shown for `internal`, for unknown codes, and for anything that is not an ApiError. */
export const GENERIC_ERROR = "Something went wrong. Try again, or ask a manager for help.";

/**
 * Cashier words per error code. `backend: "append"` adds the backend message after the words;
 * `backend: "instead"` shows the backend message (it is written for people) and falls back to
 * the words when it is empty. Other codes never show backend text.
 */
const WORDS: Readonly<Record<ErrorCode, { words: string; backend?: "append" | "instead" }>> = {
  invalid_amount: { words: "That amount is not valid. Type an amount like 200 or 200.50." },
  invalid_pin: { words: "A PIN is made of digits only. Type your PIN again." },
  wrong_pin: { words: "That PIN is not right. Try again." },
  user_not_found: { words: "That person is not on the staff list. Pick a name again." },
  user_inactive: { words: "This staff account is switched off. Ask a manager." },
  forbidden: { words: "Only a manager can close the drawer." },
  register_not_found: { words: "This register is not in the store's database. Ask IT to check the set-up." },
  location_not_found: { words: "This store is not in the database. Ask IT to check the set-up." },
  session_not_found: { words: "There is no open shift on this register. Start a shift first." },
  session_already_closed: { words: "This shift was already closed.", backend: "instead" },
  no_open_session: { words: "That shift was closed before you joined. Start a new shift with the cash in the drawer." },
  already_exists: { words: "That already exists. Pick another name or code." },
  not_logged_in: { words: "You are logged out. Log in with your PIN." },
  device_not_set_up: { words: "This register is not set up yet." },
  schema_not_ready: { words: "The database needs an update. Ask IT to run tillctl doctor.", backend: "append" },
  database_unavailable: { words: "Can't reach the database. Check the network and try again." },
  // Not the message: it can carry the database's own text (StoreError::Rejected).
  invalid_input: { words: "Something you typed was not accepted. Check it and try again." },
  internal: { words: GENERIC_ERROR },
};

/** Normalises whatever a command rejected with into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (typeof error === "object" && error !== null && typeof (error as ApiError).code === "string") {
    const message = (error as ApiError).message;
    return { code: (error as ApiError).code, message: typeof message === "string" ? message : "" };
  }
  return { code: "internal", message: typeof error === "string" ? error : String(error) };
}

/** The words a cashier sees for an error. Never shows the backend text for `internal` or unknown codes. */
export function errorMessage(error: unknown): string {
  const { code, message } = toApiError(error);
  const entry = Object.prototype.hasOwnProperty.call(WORDS, code) ? WORDS[code as ErrorCode] : undefined;
  if (!entry) return GENERIC_ERROR;
  const detail = message.trim();
  if (!entry.backend || detail === "") return entry.words;
  const sentence = detail.charAt(0).toUpperCase() + detail.slice(1);
  return entry.backend === "instead" ? sentence : `${entry.words} ${sentence}`;
}
