/**
 * `device.json` is damaged: the register stops, says so, and tells IT which file. A manager can
 * put back the previous good copy with their PIN; nothing is ever replaced silently.
 */
import * as api from "../api";
import { h } from "../dom";
import { route } from "../router";
import type { DamagedView } from "../types";
import { focus, mount, run } from "../ui";
import { showApproval } from "./approval";

/** `managedBy`: the system device file, when the damaged file is IT's (no manager can restore it). */
export function showDamaged(damaged: DamagedView, managedBy: string | null = null): void {
  const retry = h("button", { id: "damaged-retry", type: "button", class: "secondary big" }, "Check again");
  retry.addEventListener("click", () => void route());
  let repair: HTMLButtonElement | null = null;
  if (damaged.previous_path !== null) {
    repair = h("button", { id: "repair-settings", type: "button", class: "primary big" }, "Restore the previous settings");
    repair.addEventListener("click", () => {
      if (damaged.previous_database === null) {
        void run(() => api.repairSettings(null)).then((result) => {
          if (result?.ok) void route(result.value);
        });
        return;
      }
      showApproval({
        title: "Restore the previous settings",
        lead: `A manager of ${damaged.previous_database} approves with their PIN.`,
        submitLabel: "Restore",
        managers: null,
        approve: async (approval) => {
          const result = await run(() => api.repairSettings(approval));
          if (result?.ok) await route(result.value);
          return result?.ok === true;
        },
        cancel: () => showDamaged(damaged),
      });
    });
  }
  const forIt =
    managedBy !== null
      ? "Fix the file as root; `tillctl device check` says what is wrong."
      : damaged.previous_path !== null
        ? `A manager can restore the previous copy (${damaged.previous_path}). Or fix the file, or remove it to set this register up again.`
        : "There is no previous copy to restore. Fix the file, or remove it to set this register up again.";
  mount(
    "damaged",
    h(
      "section",
      { id: "settings-damaged", class: "narrow stack" },
      h("h1", {}, managedBy !== null ? "Device settings damaged: call IT" : "Device settings damaged: call a manager"),
      h("p", { class: "callout warning" }, "This register can't be used until its settings are repaired. Nothing was changed."),
      h(
        "div",
        { class: "card stack-tight" },
        h("h2", {}, "For IT"),
        h("p", {}, "The settings file is damaged:"),
        h("p", { id: "damaged-path", class: "it-detail" }, damaged.path),
        h("p", { class: "it-detail" }, damaged.reason),
        h("p", {}, forIt),
      ),
      h("div", { class: "actions" }, repair, retry),
    ),
  );
  focus(repair ?? retry);
}
