import { describe, expect, it } from "vitest";
// The core's generated list (ts-rs), read as text: the union of string literals is every code.
import generated from "../../src/bindings/ErrorCode.ts?raw";
import { connectProblem, ERROR_WORDS, errorMessage, GENERIC_ERROR, toApiError } from "../../src/errors";
import type { ErrorCode } from "../../src/types";

const err = (code: string, message = "backend detail text") => ({ code, message });

const CORE_CODES = [...generated.replace(/^\/\/.*$/gm, "").matchAll(/"([a-z_]+)"/g)].map((m) => m[1] as ErrorCode);

describe("errorMessage", () => {
  const expected: Record<ErrorCode, string> = {
    invalid_amount: "That amount is not valid. Type an amount like 200 or 200.50.",
    invalid_pin: "A PIN is made of digits only. Type your PIN again.",
    invalid_input: "Something you typed was not accepted. Check it and try again.",
    wrong_pin: "That PIN is not right. Try again.",
    user_not_found: "That person is not on the staff list. Pick a name again.",
    user_inactive: "This staff account is switched off. Ask a manager.",
    user_locked: "Locked after too many wrong PINs. A manager can unlock it now.",
    forbidden: "Only a manager can do this. Ask a manager to approve with their PIN.",
    approval_needed: "A manager must approve this. Ask a manager to approve it with their name and PIN.",
    location_not_found: "This store is not in the database. Ask IT to check the set-up.",
    register_not_found: "This register is not in the store's database. Ask IT to check the set-up.",
    receipt_not_found: "That receipt number is not on record. Check it and try again.",
    session_closed: "This shift was closed on another register. Start a shift: the sale stays on screen.",
    catalog_changed: "Prices changed while this sale was being rung up. Try again.",
    refund_exceeds_sale: "That is more than is left to refund on this receipt. Type a smaller quantity: no more than is left on each line.",
    product_not_found: "That item is not in this store's catalog. Scan again or search by name.",
    session_not_found: "There is no open shift on this register. Start a shift first.",
    session_already_closed: "This shift was already closed.",
    no_open_session: "That shift was closed before you joined. Start a new shift with the cash in the drawer.",
    already_exists: "That already exists. Pick another name or code.",
    idempotency_conflict: "This was already done with different details. Check the screen, then start again.",
    not_logged_in: "You are logged out. Log in with your PIN.",
    device_not_set_up: "This register is not set up yet. Choose its database and register on this screen.",
    device_settings_damaged: "This register's settings are damaged. Call a manager.",
    schema_not_ready: "The database needs an update. Ask IT to run tillctl doctor. Backend detail text",
    app_too_old: "The store's database was upgraded for a newer Till. Update Till on this PC (ask IT).",
    schema_behind: "This PC's Till is newer than the store's database. Ask IT to run tillctl migrate.",
    database_misconfigured: "The database is set up in a way Till can't work with. Ask IT: Backend detail text",
    database_busy: "The register is busy; try again in a moment.",
    database_unavailable: "Can't reach the database. Check the network and try again.",
    keyring_unavailable: "Till can't reach the computer's password store. Ask IT: Backend detail text",
    invalid_quantity: "That quantity is not valid. Type a whole number from 1 to 10000.",
    discount_too_large: "That discount is more than the price. Type a smaller discount.",
    tenders_short: "The payments do not cover the total yet. Take the rest as another payment.",
    change_not_cash: "Change is given only in cash. Charge the card or voucher no more than what is due.",
    internal: GENERIC_ERROR,
    device_managed: "IT set up this register; it can't be changed here. Ask IT.",
    reason_not_found: "Pick a reason from the list. Ask a manager if the right one is missing.",
    variance_needs_signoff: "The count does not match. Count the drawer again; if it still differs, a manager signs it off with a reason.",
    no_count_pending: "This shift was already counted. Open the Day view to see its count.",
    session_forgotten: "This register's shift is from an earlier day. Call a manager to close it first.",
    pin_reset_needed: "This PIN has to be set again: an older Till set it, or managers now need a longer one. Ask IT to set a new PIN.",
  };

  it("knows every code the core can answer, and only those", () => {
    expect(CORE_CODES.length).toBeGreaterThan(20);
    expect(Object.keys(ERROR_WORDS).sort()).toEqual([...CORE_CODES].sort());
    for (const code of CORE_CODES) expect(ERROR_WORDS[code].words.length, code).toBeGreaterThan(10);
  });

  /** The words a next step starts with, at the start of a word. Imperative, so that no code passes by accident. */
  const STEPS = ["try again", "ask ", "call ", "type ", "pick ", "choose ", "check ", "scan ", "start ", "log in", "take ", "charge ", "count the", "update ", "open ", "unlock"];
  const namesAStep = (text: string) => STEPS.some((step) => new RegExp(`(^|[^a-z])${step}`).test(text.toLowerCase()));
  /** Codes whose words name no step, and why. */
  const NO_STEP: Partial<Record<ErrorCode, string>> = {
    session_already_closed: "the close screen beside it shows who closed the shift and when, and offers Start shift",
  };

  it("names a next step for every code, except the few listed with a reason", () => {
    for (const code of CORE_CODES) {
      const words = errorMessage(err(code, ""));
      expect(namesAStep(words), `${code}: ${words}`).toBe(!NO_STEP[code]);
    }
    expect(namesAStep("The count does not match."), "count, the noun").toBe(false);
  });

  it.each(CORE_CODES.map((code) => [code] as const))("maps %s to cashier words", (code) => {
    expect(errorMessage(err(code))).toBe(expected[code]);
  });

  it("shows the backend message only for the codes that allow it", () => {
    const showing = CORE_CODES.filter((code) => errorMessage(err(code, "SECRET")).includes("SECRET"));
    expect(showing.sort()).toEqual(["database_misconfigured", "keyring_unavailable", "schema_not_ready"]);
  });

  it("says when a locked account unlocks, in the store's time", () => {
    expect(errorMessage({ code: "user_locked", message: "x", until: "2026-11-28T14:07:00Z" })).toBe(
      `Locked after too many wrong PINs until ${new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }).format(new Date("2026-11-28T14:07:00Z"))}. A manager can unlock it now.`,
    );
  });

  it("words an already-closed shift without the backend's UTC time", () => {
    // Not the backend's UTC line: the shift screen shows who closed it and when, in local time.
    expect(errorMessage(err("session_already_closed", "session DT-20261128-001 was already closed by bob at 2026-11-28 22:05:00 UTC"))).toBe(
      "This shift was already closed.",
    );
    expect(errorMessage(err("session_already_closed", ""))).toBe("This shift was already closed.");
  });

  it("never shows internal text", () => {
    expect(errorMessage(err("internal", "pool timed out: sqlx::Error ..."))).toBe(GENERIC_ERROR);
    expect(errorMessage(err("invalid_input", "invalid data refused by the database: violates check constraint"))).not.toContain("constraint");
  });

  it("uses the generic words for unknown codes and odd rejections", () => {
    expect(errorMessage(err("printer_on_fire", "paper jam"))).toBe(GENERIC_ERROR);
    expect(errorMessage(err("toString"))).toBe(GENERIC_ERROR);
    expect(errorMessage("command start_shift not found")).toBe(GENERIC_ERROR);
    expect(errorMessage(new Error("boom"))).toBe(GENERIC_ERROR);
    expect(errorMessage(null)).toBe(GENERIC_ERROR);
    expect(errorMessage({ message: "no code" })).toBe(GENERIC_ERROR);
  });
});

describe("toApiError", () => {
  it("keeps well-formed errors", () => {
    expect(toApiError(err("wrong_pin", "x"))).toEqual({ code: "wrong_pin", message: "x" });
    expect(toApiError({ code: "user_locked", message: "x", until: "2026-11-28T14:07:00Z" })).toEqual({
      code: "user_locked",
      message: "x",
      until: "2026-11-28T14:07:00Z",
    });
  });
  it("wraps everything else as internal", () => {
    expect(toApiError("text")).toEqual({ code: "internal", message: "text" });
    expect(toApiError({ code: "wrong_pin" })).toEqual({ code: "wrong_pin", message: "" });
  });
});

describe("connectProblem", () => {
  it.each([
    ["database_unavailable", "error returned from database: password authentication failed for user \"till\"", "password"],
    ["database_unavailable", "error communicating with database: Connection refused (os error 111)", "host"],
    ["database_unavailable", "error communicating with database: failed to lookup address information: Name or service not known", "host"],
    ["database_unavailable", "error occurred while attempting to establish a TLS connection: invalid peer certificate: UnknownIssuer", "tls"],
    ["database_misconfigured", "server does not support TLS", "tls"],
  ])("%s %j → %s", (code, message, part) => {
    expect(connectProblem({ code, message })?.part).toBe(part);
  });
  it("asks for the TLS settings when a remote server was refused before connecting, not for a certificate check", () => {
    const refused = connectProblem({
      code: "database_misconfigured",
      message:
        "database misconfigured: the database server db.store (from the URL) is on another computer and the connection has sslmode=prefer (sqlx's default), which does not verify the server: add sslmode=verify-full and sslrootcert=/etc/till/ca.crt (the CA that signed the server's certificate) to the URL.",
    });
    expect(refused?.part).toBe("tls");
    expect(refused?.text).toContain("sslmode=verify-full");
    expect(refused?.text).not.toContain("check the certificate");
  });
  it("says nothing when the message does not tell", () => {
    expect(connectProblem({ code: "database_unavailable", message: "" })).toBeNull();
    expect(connectProblem({ code: "wrong_pin", message: "password" })).toBeNull();
  });
});
