/** PIN login: pick your name, type your PIN on the keyboard or the pad. */
import * as api from "../api";
import { h } from "../dom";
import { nav, state } from "../state";
import type { UserView } from "../types";
import { displayName } from "../time";
import { focus, isBusy, mount, run, showErrorText } from "../ui";

const MAX_PIN = 12;

export function roleLabel(role: string): string {
  return displayName(role);
}

export async function showLogin(): Promise<void> {
  const users = h("div", { class: "choice-grid users", role: "group", "aria-label": "Staff" });
  const pinArea = h("section", { class: "pin-area card", "aria-label": "PIN" });
  const prompt = h("p", { class: "pin-prompt" }, "Tap your name first.");
  pinArea.append(prompt);

  mount(
    "login",
    h(
      "div",
      { class: "login cols" },
      h("section", { class: "stack" }, h("h1", {}, "Who is working?"), users),
      pinArea,
    ),
  );

  const result = await run(() => api.listUsers(), { keepError: true });
  if (!result?.ok) return;
  if (result.value.length === 0) {
    users.append(h("p", { class: "hint" }, "No staff accounts yet. Ask a manager to add one."));
    return;
  }
  for (const user of result.value) {
    const button = h(
      "button",
      { type: "button", class: "choice user", "data-user": user.name, "aria-pressed": "false" },
      h("span", { class: "user-name" }, displayName(user.name)),
      h("span", { class: "user-role" }, roleLabel(user.role)),
    );
    button.addEventListener("click", () => {
      if (isBusy()) return;
      for (const other of users.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
      showPinPad(pinArea, user);
    });
    users.append(button);
  }
  focus(users.querySelector("button"));
}

function showPinPad(area: HTMLElement, user: UserView): void {
  const input = h("input", {
    id: "pin-input",
    type: "password",
    inputmode: "numeric",
    autocomplete: "off",
    autofocus: true,
    maxlength: MAX_PIN,
    "aria-label": `PIN for ${displayName(user.name)}`,
  });
  const submit = h("button", { id: "pin-submit", type: "button", class: "primary big" }, "Log in");

  const setPin = (value: string) => {
    input.value = value.replace(/\D/g, "").slice(0, MAX_PIN);
  };
  const submitPin = async () => {
    if (isBusy()) return;
    const pin = input.value;
    if (pin === "") {
      showErrorText("Type your PIN.");
      input.focus();
      return;
    }
    const result = await run(() => api.login(user.name, pin));
    if (!result) return;
    if (!result.ok) {
      setPin("");
      input.focus();
      return;
    }
    if (state.status) nav.setStatus({ ...state.status, logged_in: result.value });
    await nav.route(state.status ?? undefined);
  };

  input.addEventListener("input", () => setPin(input.value));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      void submitPin();
    } else if (event.key === "Escape") {
      event.preventDefault();
      setPin("");
    }
  });

  const key = (label: string, keyName: string, aria?: string) => {
    const button = h("button", { type: "button", class: "key", "data-key": keyName, "aria-label": aria ?? label }, label);
    // Keep the caret in the PIN field so the keyboard keeps working after a tap.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => {
      if (keyName === "clear") setPin("");
      else if (keyName === "back") setPin(input.value.slice(0, -1));
      else setPin(input.value + keyName);
      input.focus();
    });
    return button;
  };
  const pad = h(
    "div",
    { class: "keypad" },
    ...["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => key(d, d)),
    key("Clear", "clear", "Clear PIN"),
    key("0", "0"),
    key("⌫", "back", "Delete last digit"),
  );
  submit.addEventListener("click", () => void submitPin());

  area.replaceChildren(
    h("h2", {}, `PIN for ${displayName(user.name)}`),
    h("div", { class: "field" }, input),
    pad,
    submit,
  );
  input.focus();
}
