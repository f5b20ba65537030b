import * as api from "../api";
import { h } from "../dom";
import { nav, state } from "../state";
import { run } from "../ui";

/** `#logout`: ends the login on this device and goes back to the PIN screen. */
export function logoutButton(): HTMLButtonElement {
  const button = h("button", { id: "logout", type: "button", class: "secondary big" }, "Log out");
  button.addEventListener("click", async () => {
    const result = await run(() => api.logout(), { busy: { button, text: "Logging out…" } });
    if (result?.ok) {
      if (state.status) nav.setStatus({ ...state.status, logged_in: null });
      nav.login();
    }
  });
  return button;
}
