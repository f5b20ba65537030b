/** PIN login: pick your name, type your PIN on the keyboard or the pad. */
import * as api from "../api";
import { h } from "../dom";
import { route } from "../router";
import { setStatus } from "../shell";
import { state } from "../state";
import type { User } from "../types";
import { displayName } from "../time";
import { focus, isBusy, mount, run, showErrorText } from "../ui";
import { pinPad } from "../widgets";
import { listManagers, showApproval } from "./approval";
import { showChangeDatabase, showRegisterPicker } from "./setup";

export function roleLabel(role: string): string {
  return displayName(role);
}

/** `notice`: a line shown above the staff list (e.g. "Alice is unlocked"). */
export async function showLogin(notice?: string): Promise<void> {
  const users = h("div", { class: "choice-grid users", role: "group", "aria-label": "Staff" });
  const pinArea = h("section", { class: "pin-area card", "aria-label": "PIN" });
  const prompt = h("p", { class: "pin-prompt" }, "Tap your name first.");
  pinArea.append(prompt);

  const changeRegister = h("button", { id: "change-register", type: "button", class: "secondary" }, "Change register");
  const changeDatabase = h("button", { id: "change-database", type: "button", class: "secondary" }, "Change database");
  changeRegister.addEventListener("click", () => {
    if (!isBusy() && state.status) void showRegisterPicker(state.status, []);
  });
  changeDatabase.addEventListener("click", () => {
    if (!isBusy()) showChangeDatabase();
  });

  mount(
    "login",
    h(
      "div",
      { class: "login cols" },
      h(
        "section",
        { class: "stack" },
        notice && h("p", { id: "login-notice", class: "callout success" }, notice),
        h("h1", {}, "Who is working?"),
        users,
        // A till IT set up with the system device file: nothing here may change it.
        state.status?.managed_by
          ? h("p", { id: "managed-by", class: "hint" }, `Set up by IT (${state.status.managed_by})`)
          : h(
              "div",
              { class: "device-actions stack-tight" },
              h("p", { class: "hint" }, "Managers: move this device to another register or database."),
              h("div", { class: "actions" }, changeRegister, changeDatabase),
            ),
      ),
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

function showPinPad(area: HTMLElement, user: User): void {
  const unlockSlot = h("div", { class: "unlock-slot" });
  const submitPin = async (pin: string) => {
    if (isBusy()) return;
    if (pin === "") {
      showErrorText("Type your PIN.", pad.input);
      pad.input.focus();
      return;
    }
    const result = await run(() => api.login(user.name, pin), { busy: { button: pad.submit, text: "Logging in…" } });
    if (!result) return;
    if (!result.ok) {
      // A failed login ends any previous login (the backend did so too).
      if (state.status) setStatus({ ...state.status, logged_in: null });
      pad.clear();
      if (result.error.code === "user_locked") {
        pad.submit.hidden = true;
        offerUnlock(unlockSlot, user);
      }
      pad.input.focus();
      return;
    }
    if (state.status) setStatus({ ...state.status, logged_in: result.value });
    await route(state.status ?? undefined);
  };
  const pad = pinPad({
    inputId: "pin-input",
    submitId: "pin-submit",
    label: `PIN for ${displayName(user.name)}`,
    submitLabel: "Log in",
    onSubmit: (pin) => void submitPin(pin),
  });
  // The unlock takes the place of "Log in" below the keys: nothing above the keys moves.
  pad.root.append(unlockSlot);
  area.replaceChildren(h("h2", {}, `PIN for ${displayName(user.name)}`), pad.root);
  pad.input.focus();
}

/** Locked after too many wrong PINs: a manager can lift it here with their PIN. */
function offerUnlock(slot: HTMLElement, user: User): void {
  const unlock = h("button", { id: "manager-unlock", type: "button", class: "primary big" }, "Manager unlock");
  unlock.addEventListener("click", async () => {
    if (isBusy()) return;
    const managers = await listManagers();
    showApproval({
      title: `Unlock ${displayName(user.name)}`,
      lead: `${displayName(user.name)} is locked after too many wrong PINs. A manager unlocks them with their PIN.`,
      submitLabel: "Unlock",
      managers,
      approve: async (approval) => {
        const result = await run(() => api.unlockUser(user.name, approval));
        if (!result?.ok) return false;
        void showLogin(`${displayName(user.name)} is unlocked and can log in again.`);
        return true;
      },
      cancel: () => void showLogin(),
    });
  });
  slot.replaceChildren(unlock);
}
