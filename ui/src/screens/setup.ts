/**
 * Set-up: choose the database (a new store on this computer, the store's PostgreSQL server, or
 * the demo in its own file), then which register this device is. Once the device is set up,
 * every change needs a manager's approval, which the backend checks.
 */
import * as api from "../api";
import { h } from "../dom";
import { go, route } from "../router";
import { setStatus } from "../shell";
import { state } from "../state";
import type { DemoUser, DeviceStatus, Register, SetupRequest, SetupResult } from "../types";
import { formatMoney, formatPercent } from "../money";
import { displayName, storeSample } from "../time";
import { connectProblem } from "../errors";
import { focus, mount, run, showErrorText } from "../ui";
import { errorSlot } from "../widgets";
import { listManagers, showApproval } from "./approval";

/** The device is set up: changing it needs a manager. */
const isChange = () => state.status?.configured === true;

export function showSetup(status: DeviceStatus | null): void {
  // A database is chosen but no register yet: go straight to the register picker.
  if (status?.database_kind && !status.configured) {
    void showRegisterPicker(status, []);
    return;
  }
  showDatabaseChoice();
}

/** From the login screen: the same choices, with a way back and a manager's approval. */
export function showChangeDatabase(): void {
  showDatabaseChoice();
}

/** Runs set-up; on a set-up device, first asks a manager to approve (the backend checks it). */
async function submitSetup(
  request: SetupRequest,
  back: () => void,
  options: {
    busy?: { button: HTMLButtonElement; text: string };
    onError?: (error: unknown) => void;
    /** What follows a set-up that worked (default: the register picker or the login). */
    after?: (result: SetupResult) => void;
  } = {},
): Promise<boolean> {
  const after = options.after ?? afterSetup;
  if (!isChange()) {
    const result = await run(() => api.setupDevice(request), { busy: options.busy });
    if (result?.ok) after(result.value);
    else if (result) options.onError?.(result.error);
    return result?.ok === true;
  }
  const managers = await listManagers();
  showApproval({
    title: "Manager approval",
    lead: "Changing this register's database needs a manager's PIN. Everyone on this register is logged out.",
    submitLabel: "Approve",
    managers,
    approve: async (approval) => {
      const result = await run(() => api.setupDevice(request, approval));
      if (result?.ok) after(result.value);
      return result?.ok === true;
    },
    cancel: back,
  });
  return false;
}

function afterSetup(result: SetupResult): void {
  if (result.status.configured) void route(result.status);
  else void showRegisterPicker(result.status, result.demo_users);
}

function showDatabaseChoice(): void {
  const change = isChange();
  const back = () => (change ? go.login() : showDatabaseChoice());
  const newStore = h("button", { id: "setup-new-store", type: "button", class: "primary huge" }, "Set up a new store on this computer");
  const demo = h("button", { id: "setup-demo", type: "button", class: "secondary big" }, "Try it with demo data");
  const url = h("input", {
    id: "pg-url",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "pg-url-hint pg-url-error",
  });
  const password = h("input", { id: "pg-password", type: "password", autocomplete: "off", "aria-describedby": "pg-password-error" });
  const connect = h("button", { id: "setup-postgres", type: "submit", class: "secondary" }, "Connect");

  newStore.addEventListener("click", () => void showNewStore(back));
  demo.addEventListener("click", () => void submitSetup({ kind: "demo" }, showDatabaseChoice, { busy: { button: demo, text: "Setting up the demo…" } }));

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
      errorSlot("pg-url"),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "pg-password" }, "Password"),
      h("div", { class: "inline" }, password, connect),
      errorSlot("pg-password"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const address = url.value.trim();
    if (!/^postgres(ql)?:\/\//.test(address)) {
      showErrorText("Type the server address, starting with postgres://", url);
      url.focus();
      return;
    }
    if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(address)) {
      showErrorText("Leave the password out of the server address. Type it in the Password box.", url);
      url.focus();
      return;
    }
    const request: SetupRequest = { kind: "postgres", url: address, password: password.value === "" ? null : password.value };
    const ok = await submitSetup(request, showDatabaseChoice, {
      busy: { button: connect, text: "Connecting…" },
      // Say which part failed, next to the box to fix: the host, TLS, or the password.
      onError: (error) => {
        const problem = connectProblem(error);
        if (problem) showErrorText(problem.text, problem.part === "password" ? password : url);
      },
    });
    if (ok) password.value = "";
  });

  let cancel: HTMLButtonElement | null = null;
  if (change) {
    cancel = h("button", { id: "setup-cancel", type: "button", class: "secondary big" }, "Cancel");
    cancel.addEventListener("click", () => go.login());
  }

  mount(
    "setup",
    h(
      "div",
      { class: "setup narrow stack" },
      h("h1", {}, change ? "Change this register's database" : "Set up this register"),
      h("p", { class: "lead" }, "Set up a new store, connect to your store's database, or try Till with demo data."),
      cancel && h("div", { class: "actions" }, cancel),
      newStore,
      form,
      h(
        "div",
        { class: "actions demo-choice" },
        demo,
        h("p", { class: "hint" }, "A demo store in its own file, with published PINs: not for real cash."),
      ),
    ),
  );
  // No action is focused for the person: they choose (never a pre-focused "Try it with demo data").
}

/** A new store in the embedded database: its country (a preset: currency, number format, time
 * zone, tax rates, cash rounding), address and tax number, first register and first manager. */
async function showNewStore(back: () => void): Promise<void> {
  // A country list that cannot be read leaves "Another country": the store is still made.
  const answer = await run(() => api.locationPresets());
  const presets = answer?.ok ? answer.value : [];
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const field = (id: string, label: string, attrs: Record<string, string> = {}) => {
    const input = h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", ...attrs });
    return { input, el: h("div", { class: "field" }, h("label", { for: id }, label), input) };
  };
  const country = h(
    "select",
    { id: "new-country" },
    h("option", { value: "" }, "Choose the country…"),
    ...presets.map((p) => h("option", { value: p.code }, `${p.country} (${p.currency})`)),
    h("option", { value: "other" }, "Another country (type currency and format)"),
  );
  const countryField = h("div", { class: "field" }, h("label", { for: "new-country" }, "Country"), country);
  const code = field("new-location-code", "Store code (like DT)", { maxlength: "8" });
  const name = field("new-location-name", "Store name");
  const address = field("new-address", "Address, printed on receipts", { maxlength: "200" });
  const taxNumber = field("new-tax-number", "Tax number (VAT ID or EIN)", { maxlength: "40" });
  const timeZone = field("new-time-zone", "Time zone", { value: zone });
  const currency = field("new-currency", "Currency (like USD, EUR)", { maxlength: "3" });
  const localeField = field("new-locale", "Number format (like en-US, de-DE)", { maxlength: "35", value: deviceLocale() });
  const register = field("new-register", "This register's code", { maxlength: "8", value: "R1" });
  const manager = field("new-manager", "First manager's name");
  const pin = field("new-manager-pin", "Their PIN (4 to 12 digits)", { type: "password", inputmode: "numeric", maxlength: "12" });
  const again = field("new-manager-pin-again", "The PIN again", { type: "password", inputmode: "numeric", maxlength: "12" });
  const rates = h("div", { class: "preset-summary", id: "new-preset-summary", "aria-live": "polite" });
  const sample = h("p", { class: "store-sample", id: "new-sample", "aria-live": "polite" });
  const create = h("button", { id: "new-store-submit", type: "submit", class: "primary big" }, "Create the store");
  const cancel = h("button", { id: "new-store-cancel", type: "button", class: "secondary big" }, "Back");
  cancel.addEventListener("click", back);

  /** The chosen country fills its currency, format and zone (still editable) and says what it makes. */
  const choose = () => {
    const preset = presets.find((p) => p.code === country.value);
    rates.replaceChildren();
    if (!preset) {
      showSample();
      return;
    }
    currency.input.value = preset.currency;
    localeField.input.value = preset.locale;
    timeZone.input.value = preset.time_zone;
    const rounding =
      preset.cash_rounding_minor > 1 ? `; cash rounded to ${formatMoney(preset.cash_rounding_minor, preset.currency, preset.locale)}` : "";
    rates.append(
      h("p", {}, `Prices ${preset.prices_include_tax ? "include tax" : "are before tax"}${rounding}. Tax rates it will create:`),
      h("ul", {}, ...preset.tax_rates.map((r) => h("li", {}, `${r.name} (${r.code}, ${formatPercent(r.percent, preset.locale)})`))),
    );
    showSample();
  };
  /** How this store will show money and time, now, as the format, currency and zone are typed. */
  const showSample = () => {
    if (country.value === "" && currency.input.value.trim() === "") {
      sample.classList.add("waiting");
      sample.replaceChildren("Choose the country: a sample of its prices and times shows here.");
      return;
    }
    const result = storeSample(localeField.input.value.trim(), currency.input.value, timeZone.input.value, new Date());
    sample.classList.toggle("waiting", !result.ok);
    sample.replaceChildren(result.ok ? h("span", {}, "Sample: ", h("strong", { id: "new-sample-text" }, result.text)) : result.problem);
  };
  country.addEventListener("change", choose);
  for (const input of [localeField.input, currency.input, timeZone.input]) input.addEventListener("input", showSample);
  showSample();

  const form = h(
    "form",
    { class: "stack", id: "new-store-form", novalidate: true },
    // The country first, with what it will set beside it, before anything it fills.
    h("div", { class: "form-grid" }, countryField, rates),
    sample,
    h(
      "div",
      { class: "form-grid" },
      code.el,
      name.el,
      address.el,
      taxNumber.el,
      timeZone.el,
      currency.el,
      localeField.el,
      register.el,
      manager.el,
      pin.el,
      again.el,
    ),
    // Create stays at the window's foot while the form scrolls (1024×768).
    h("div", { class: "actions sticky-actions" }, create, cancel),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (country.value === "") {
      showErrorText("Choose the store's country: it sets the currency, the tax rates and how cash is rounded.", country);
      country.focus();
      return;
    }
    const missing = [code, name, timeZone, currency, register, manager, pin].find((f) => f.input.value.trim() === "");
    if (missing) {
      showErrorText("Fill in every box.");
      missing.input.focus();
      return;
    }
    const tag = canonicalLocale(localeField.input.value.trim());
    if (tag === null || tag === "") {
      showErrorText("Type a language and country like en-US, de-DE or fr-FR.", localeField.input);
      localeField.input.focus();
      return;
    }
    if (!/^\d{4,12}$/.test(pin.input.value)) {
      showErrorText("The PIN is 4 to 12 digits.");
      pin.input.focus();
      return;
    }
    if (pin.input.value !== again.input.value) {
      showErrorText("The two PINs are not the same. Type them again.");
      pin.input.value = "";
      again.input.value = "";
      pin.input.focus();
      return;
    }
    const optional = (text: string) => (text.trim() === "" ? null : text.trim());
    const store = { location_code: code.input.value.trim().toUpperCase(), manager: manager.input.value.trim().toLowerCase() };
    const request: SetupRequest = {
      kind: "embedded",
      new_store: {
        location_code: store.location_code,
        location_name: name.input.value.trim(),
        preset: country.value === "other" ? null : country.value,
        time_zone: timeZone.input.value.trim(),
        currency: currency.input.value.trim().toUpperCase(),
        locale: tag,
        address: optional(address.input.value),
        tax_number: optional(taxNumber.input.value),
        register: register.input.value.trim().toUpperCase(),
        manager: store.manager,
        manager_pin: pin.input.value,
      },
    };
    await submitSetup(request, () => void showNewStore(back), {
      busy: { button: create, text: "Creating the store…" },
      after: (result) => showNextSteps(result, store),
    });
  });

  mount(
    "setup-new-store",
    h(
      "div",
      { class: "setup narrow stack" },
      h("h1", {}, "A new store on this computer"),
      h("p", { class: "lead" }, "The first manager chooses their own PIN; they add the rest of the staff."),
      form,
    ),
  );
  focus(country);
}

/**
 * The new store is made: how to add its staff and its catalog with `tillctl` (the admin
 * command, on this computer), the store's code filled in, then on to the log-in.
 */
function showNextSteps(result: SetupResult, store: { location_code: string; manager: string }): void {
  setStatus(result.status);
  const code = store.location_code;
  const command = (id: string, text: string) => h("pre", { class: "command" }, h("code", { id }, text));
  const done = h("button", { id: "next-steps-done", type: "button", class: "primary big" }, `Continue to log in as ${displayName(store.manager)}`);
  done.addEventListener("click", () => afterSetup(result));
  const title = h("h1", { tabindex: "-1" }, `The store ${code} is ready`);
  mount(
    "setup-next-steps",
    h(
      "div",
      { class: "setup narrow stack next-steps" },
      title,
      h(
        "p",
        { class: "lead" },
        "With tillctl, Till's admin command, in a terminal on this computer, as the user who runs Till.",
      ),
      h(
        "section",
        { class: "card stack", id: "next-staff" },
        h("h2", {}, "1. Add the staff"),
        command("next-user-add", "tillctl user add --name NAME --role cashier"),
        h("p", { class: "hint" }, "Once a person: NAME is their login, like anna; the role cashier, manager or admin. It asks for their PIN."),
      ),
      h(
        "section",
        { class: "card stack", id: "next-catalog" },
        h("h2", {}, "2. Import the catalog"),
        h("p", {}, "A CSV with columns sku,name,price,tax_rate (and category, barcodes, active if you like); tax_rate is a code from:"),
        command("next-tax-rates", `tillctl tax-rate list --location ${code}`),
        h("p", {}, "Then import it (all or nothing: each bad line is listed):"),
        command("next-catalog-import", `tillctl product import --location ${code} catalog.csv`),
      ),
      h("div", { class: "actions sticky-actions" }, done),
    ),
  );
  focus(title);
}

/** This computer's own locale, for a new store's default ("en-US" when it has none). */
function deviceLocale(): string {
  return canonicalLocale(navigator.language || "en-US") || "en-US";
}

/** "de-de" → "de-DE"; "" stays "" (the default); null when Intl does not take it. */
function canonicalLocale(text: string): string | null {
  if (text === "") return "";
  try {
    return Intl.getCanonicalLocales(text)[0] ?? null;
  } catch {
    return null;
  }
}

function demoUserLine(user: DemoUser): string {
  return `${displayName(user.role)} ${user.name} — PIN ${user.pin}`;
}

function registerLabel(register: Register): string {
  return `${register.location_name} · ${register.name} (${register.address})`;
}

/** Which register this device is. On a set-up device (from the login screen) a manager approves. */
export async function showRegisterPicker(status: DeviceStatus, demoUsers: DemoUser[]): Promise<void> {
  setStatus(status);
  const change = status.configured;
  const connected = status.demo
    ? "Demo data is ready on this computer."
    : status.database_kind === "sqlite"
      ? "The store's database on this computer is ready."
      : `Connected to ${status.database_url ?? "the store's database"}.`;
  const finish = h("button", { id: "setup-finish", type: "button", class: "primary big", disabled: true }, "Use this register");
  const list = h("div", { class: "choice-grid", role: "group", "aria-label": "Registers" });
  let chosen: string | null = null;
  let cancel: HTMLButtonElement | null = null;
  if (change) {
    cancel = h("button", { id: "setup-cancel", type: "button", class: "secondary big" }, "Cancel");
    cancel.addEventListener("click", () => go.login());
  }

  mount(
    "setup-register",
    h(
      "div",
      { class: "setup narrow stack" },
      h("h1", {}, change ? "Move this device to another register" : "Which register is this?"),
      h("p", { class: "done-line" }, connected),
      demoUsers.length > 0 &&
        h(
          "section",
          { class: "card" },
          h("h2", {}, "Demo staff"),
          h("ul", { id: "demo-users", class: "demo-users" }, ...demoUsers.map((u) => h("li", {}, demoUserLine(u)))),
        ),
      list,
      h("div", { class: "actions" }, finish, cancel),
    ),
  );

  const result = await run(() => api.listRegisters(), { keepError: true });
  if (!result?.ok) return;
  if (result.value.length === 0) {
    list.replaceChildren(h("p", { class: "hint" }, "There are no registers in this database yet. Ask IT to add one."));
    return;
  }
  for (const register of result.value) {
    const current = change && status.register?.address === register.address;
    const button = h(
      "button",
      { type: "button", class: "choice", "data-register": register.address, "aria-pressed": "false" },
      registerLabel(register) + (current ? " — this device now" : ""),
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
    if (!change) {
      const chose = await run(() => api.chooseRegister(address));
      if (chose?.ok) await route(chose.value);
      return;
    }
    const managers = await listManagers();
    showApproval({
      title: "Manager approval",
      lead: `Moving this device to ${address} needs a manager's PIN. Everyone on this register is logged out.`,
      submitLabel: "Approve",
      managers,
      approve: async (approval) => {
        const chose = await run(() => api.chooseRegister(address, approval));
        if (chose?.ok) await route(chose.value);
        return chose?.ok === true;
      },
      cancel: () => void showRegisterPicker(status, []),
    });
  });
}
