import { describe, expect, it } from "vitest";
import { errorMessage, GENERIC_ERROR, toApiError } from "../../src/errors";
import { ERROR_CODES } from "../../src/types";

const err = (code: string, message = "backend detail text") => ({ code, message });

describe("errorMessage", () => {
  const expected: Record<(typeof ERROR_CODES)[number], string> = {
    invalid_amount: "That amount is not valid. Type an amount like 200 or 200.50.",
    invalid_pin: "A PIN is made of digits only. Type your PIN again.",
    wrong_pin: "That PIN is not right. Try again.",
    user_not_found: "That person is not on the staff list. Pick a name again.",
    user_inactive: "This staff account is switched off. Ask a manager.",
    forbidden: "Only a manager can close the drawer.",
    register_not_found: "This register is not in the store's database. Ask IT to check the set-up.",
    location_not_found: "This store is not in the database. Ask IT to check the set-up.",
    session_not_found: "There is no open shift on this register. Start a shift first.",
    session_already_closed: "Backend detail text",
    no_open_session: "That shift was closed before you joined. Start a new shift with the cash in the drawer.",
    already_exists: "That already exists. Pick another name or code.",
    not_logged_in: "You are logged out. Log in with your PIN.",
    device_not_set_up: "This register is not set up yet.",
    schema_not_ready: "The database needs an update. Ask IT to run tillctl doctor. Backend detail text",
    database_unavailable: "Can't reach the database. Check the network and try again.",
    invalid_input: "Something you typed was not accepted. Check it and try again.",
    internal: GENERIC_ERROR,
  };

  it.each(ERROR_CODES.map((code) => [code]))("maps %s to cashier words", (code) => {
    expect(errorMessage(err(code))).toBe(expected[code]);
  });

  it("shows the backend message only for the codes that allow it", () => {
    const showing = ERROR_CODES.filter((code) => errorMessage(err(code, "SECRET")).includes("SECRET"));
    expect(showing).toEqual(["session_already_closed", "schema_not_ready"]);
  });

  it("names who closed the session", () => {
    expect(errorMessage(err("session_already_closed", "Session DT-20261128-001 was closed by bob at 17:05."))).toBe(
      "Session DT-20261128-001 was closed by bob at 17:05.",
    );
    expect(errorMessage(err("session_already_closed", "session DT-20261128-001 was already closed by bob at 2026-11-28 22:05:00 UTC"))).toBe(
      "Session DT-20261128-001 was already closed by bob at 2026-11-28 22:05:00 UTC",
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
  });
  it("wraps everything else as internal", () => {
    expect(toApiError("text")).toEqual({ code: "internal", message: "text" });
    expect(toApiError({ code: "wrong_pin" })).toEqual({ code: "wrong_pin", message: "" });
  });
});
