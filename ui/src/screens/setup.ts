/** First run: choose the database (demo or PostgreSQL), then which register this device is. */
import * as api from "../api";
import { h } from "../dom";
import { nav } from "../state";
import type { DemoUser, DeviceStatus, RegisterView } from "../types";
import { displayName } from "../time";
import { focus, mount, run, showErrorText } from "../ui";

export function showSetup(status: DeviceStatus | null): void {
  // A database is chosen but no register yet: go straight to the register picker.
  if (status?.database_kind) {
    void showRegisterPicker(status, []);
    return;
  }

  const demo = h("button", { id: "setup-demo", type: "button", class: "primary huge" }, "Try it with demo data");
  const url = h("input", {
    id: "pg-url",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "pg-url-hint",
  });
  const password = h("input", { id: "pg-password", type: "password", autocomplete: "off" });
  const connect = h("button", { id: "setup-postgres", type: "submit", class: "secondary" }, "Connect");

  demo.addEventListener("click", async () => {
    const result = await run(() => api.setupDevice({ kind: "demo" }));
    if (result?.ok) void showRegisterPicker(result.value.status, result.value.demo_users);
  });

  const form = h(
    "form",
    { class: "card stack", id: "postgres-form", novalidate: true },
    h("h2", {}, "Or connect to the store's database"),
    h(
      "div",
      { class: "field" },
      h("label", { for: "pg-url" }, "Server address"),
      url,
      h("p", { class: "hint", id: "pg-url-hint" }, "Like postgres://till@store-server:5432/till (no password in it)."),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "pg-password" }, "Password"),
      h("div", { class: "inline" }, password, connect),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const address = url.value.trim();
    if (!/^postgres(ql)?:\/\//.test(address)) {
      showErrorText("Type the server address, starting with postgres://");
      url.setAttribute("aria-invalid", "true");
      url.focus();
      return;
    }
    if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(address)) {
      showErrorText("Leave the password out of the server address. Type it in the Password box.");
      url.setAttribute("aria-invalid", "true");
      url.focus();
      return;
    }
    url.removeAttribute("aria-invalid");
    const result = await run(() =>
      api.setupDevice({ kind: "postgres", url: address, password: password.value === "" ? null : password.value }),
    );
    if (result?.ok) {
      password.value = "";
      void showRegisterPicker(result.value.status, result.value.demo_users);
    }
  });

  mount(
    "setup",
    h(
      "div",
      { class: "setup narrow stack" },
      h("h1", {}, "Set up this register"),
      h("p", { class: "lead" }, "Try Till with a demo store, or connect to your store's database."),
      demo,
      form,
    ),
  );
  focus(demo);
}

function demoUserLine(user: DemoUser): string {
  return `${displayName(user.role)} ${user.name} — PIN ${user.pin}`;
}

function registerLabel(register: RegisterView): string {
  return `${register.location_name} · ${register.name} (${register.address})`;
}

async function showRegisterPicker(status: DeviceStatus, demoUsers: DemoUser[]): Promise<void> {
  nav.setStatus(status);
  const connected =
    status.database_kind === "sqlite"
      ? "Demo data is ready on this computer."
      : `Connected to ${status.database_url ?? "the store's database"}.`;
  const finish = h("button", { id: "setup-finish", type: "button", class: "primary big", disabled: true }, "Use this register");
  const list = h("div", { class: "choice-grid", role: "group", "aria-label": "Registers" });
  let chosen: string | null = null;

  mount(
    "setup-register",
    h(
      "div",
      { class: "setup narrow stack" },
      h("h1", {}, "Which register is this?"),
      h("p", { class: "done-line" }, connected),
      demoUsers.length > 0 &&
        h(
          "section",
          { class: "card" },
          h("h2", {}, "Demo staff"),
          h("ul", { id: "demo-users", class: "demo-users" }, ...demoUsers.map((u) => h("li", {}, demoUserLine(u)))),
        ),
      list,
      h("div", { class: "actions" }, finish),
    ),
  );

  const result = await run(() => api.listRegisters(), { keepError: true });
  if (!result?.ok) return;
  if (result.value.length === 0) {
    list.replaceChildren(h("p", { class: "hint" }, "There are no registers in this database yet. Ask IT to add one."));
    return;
  }
  for (const register of result.value) {
    const button = h(
      "button",
      { type: "button", class: "choice", "data-register": register.address, "aria-pressed": "false" },
      registerLabel(register),
    );
    button.addEventListener("click", () => {
      chosen = register.address;
      for (const other of list.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
      finish.disabled = false;
      finish.focus();
    });
    list.append(button);
  }
  focus(list.querySelector("button"));

  finish.addEventListener("click", async () => {
    const address = chosen;
    if (!address) return;
    const chose = await run(() => api.chooseRegister(address));
    if (chose?.ok) await nav.route(chose.value);
  });
}
