import * as api from "../api";
import { h } from "../dom";
import { go } from "../router";
import { run } from "../ui";

/** `#logout`: ends the login on this device and goes back to the PIN screen. */
export function logoutButton(): HTMLButtonElement {
  const button = h("button", { id: "logout", type: "button", class: "secondary big" }, "Log out");
  button.addEventListener("click", async () => {
    const result = await run(() => api.logout(), { busy: { button, text: "Logging out…" } });
    if (result?.ok) {
      go.loggedOut();
    }
  });
  return button;
}
