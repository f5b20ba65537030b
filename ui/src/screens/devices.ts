/**
 * The register's printer and drawer: a manager chooses the receipt printer of a till IT does not
 * manage, prints a test page and tests the drawer. A managed till (IT's device file) shows what
 * IT set, and keeps the two tests. The backend checks every setting and names a bad one; this
 * screen only collects them, and shows the printer's status as the backend words it.
 */
import * as api from "../api";
import { h } from "../dom";
import { go } from "../router";
import { setStatus } from "../shell";
import { state } from "../state";
import { onPrinterStatus, printerBannerText, printerStatusNow } from "../printer-banner";
import type { Approval, DrawerChoice, PrinterChoice, PrinterStatusView, SessionView } from "../types";
import { focus, mount, run, showErrorText } from "../ui";
import { listManagers, showApproval } from "./approval";

/** The connections this form offers; the backend checks the text it is sent (`printer.connection`). */
type Connection = "network" | "usb" | "serial" | "cups";

/** The connections a printer can have, as the form offers them. */
const CONNECTIONS: [Connection | "", string][] = [
  ["", "No receipt printer"],
  ["network", "Network (IP address)"],
  ["usb", "USB"],
  ["serial", "Serial port"],
  ["cups", "CUPS queue (raw)"],
];

/** The code pages Till prints in (till-devices' CodePage), by the letters they carry. */
const CODE_PAGES: [string, string][] = [
  ["PC858", "PC858 (€)"],
  ["PC850", "PC850"],
  ["PC852", "PC852"],
  ["PC437", "PC437"],
];

/** A manager's PIN first (checked by the backend now, and again with the change it approves). */
export async function askForDevices(session: SessionView | null): Promise<void> {
  const managers = await listManagers();
  const back = () => (session ? go.session(session, "resumed", true) : go.start());
  showApproval({
    title: "Printer and drawer",
    lead: "A manager sets up this till's receipt printer and cash drawer.",
    submitLabel: "Continue",
    managers,
    approve: async (approval) => {
      const checked = await run(() => api.checkApproval(approval));
      if (!checked?.ok) return false;
      showDevices(session, approval);
      return true;
    },
    cancel: back,
  });
}

function select(id: string, options: [string, string][], value: string): HTMLSelectElement {
  const element = h("select", { id }, ...options.map(([v, label]) => h("option", { value: v }, label)));
  element.value = value;
  return element;
}

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h(
    "div",
    { class: "field" },
    h("label", { for: control.id }, label),
    control,
    hint ? h("p", { class: "hint" }, hint) : null,
  );
}

/** A whole number typed in a field, or null when it is empty; the backend bounds it. */
function wholeNumber(input: HTMLInputElement): number | null | "bad" {
  const text = input.value.trim();
  if (text === "") return null;
  return /^\d{1,6}$/.test(text) ? Number(text) : "bad";
}

export function showDevices(session: SessionView | null, approval: Approval): void {
  const status = state.status;
  const printer = status?.printer ?? null;
  const drawer = status?.drawer ?? null;
  const managedBy = status?.managed_by ?? null;

  const connection = select("dev-connection", CONNECTIONS, printer?.connection ?? "");
  const host = h("input", { id: "dev-host", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "192.168.1.50", value: printer?.host ?? "" });
  const port = h("input", { id: "dev-port", type: "text", inputmode: "numeric", autocomplete: "off", placeholder: "9100", value: printer?.port?.toString() ?? "" });
  const device = h("input", { id: "dev-device", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "/dev/usb/lp0", value: printer?.device ?? "" });
  const baud = h("input", { id: "dev-baud", type: "text", inputmode: "numeric", autocomplete: "off", placeholder: "19200", value: printer?.baud?.toString() ?? "" });
  const queue = h("input", { id: "dev-queue", type: "text", autocomplete: "off", spellcheck: "false", placeholder: "receipts", value: printer?.queue ?? "" });
  const paper = select("dev-paper", [["80mm", "80 mm"], ["58mm", "58 mm"]], printer?.paper ?? "80mm");
  const codePage = select("dev-code-page", CODE_PAGES, printer?.code_page?.toUpperCase() ?? "PC858");
  const pin = select("dev-drawer", [["", "No cash drawer"], ["2", "On the printer's port, pin 2"], ["5", "On the printer's port, pin 5"]], drawer ? String(drawer.pin) : "");
  const pulse = h("input", { id: "dev-pulse", type: "text", inputmode: "numeric", autocomplete: "off", placeholder: "100", value: drawer?.pulse_ms?.toString() ?? "" });
  const askToClose = h("input", { id: "dev-ask-to-close", type: "checkbox" });
  askToClose.checked = drawer?.ask_to_close ?? false;

  const byConnection: Record<Connection, HTMLElement[]> = {
    network: [field("Printer's address", host), field("Port", port, "Leave it empty for 9100.")],
    usb: [field("Device file", device, "Like /dev/usb/lp0.")],
    serial: [field("Serial port", device, "Like /dev/ttyUSB0."), field("Speed (baud)", baud, "Leave it empty for 19200.")],
    cups: [field("Queue name", queue, "A raw queue: lp -d NAME -o raw.")],
  };
  const connectionFields = h("div", { class: "stack-tight" });
  const printerFields = h("div", { class: "dev-paper-row" }, field("Paper", paper), field("Code page", codePage));
  const drawerFields = h(
    "div",
    { class: "stack-tight" },
    field("Kick pulse (ms)", pulse, "Leave it empty for 100 ms."),
    h("label", { class: "check" }, askToClose, " Ask to close the drawer before the next sale (where the printer reports it)"),
  );
  const showFields = () => {
    const chosen = connection.value as Connection | "";
    connectionFields.replaceChildren(...(chosen === "" ? [] : byConnection[chosen]));
    printerFields.hidden = chosen === "";
    drawerFields.hidden = pin.value === "";
  };
  connection.addEventListener("change", showFields);
  pin.addEventListener("change", showFields);
  showFields();

  const printerChoice = (): PrinterChoice | null | "bad" => {
    const chosen = connection.value as Connection | "";
    if (chosen === "") return null;
    const portNumber = wholeNumber(port);
    const baudNumber = wholeNumber(baud);
    if (chosen === "network" && portNumber === "bad") return showBad("A port is a whole number, like 9100.", port);
    if (chosen === "serial" && baudNumber === "bad") return showBad("A speed is a whole number, like 19200.", baud);
    const text = (input: HTMLInputElement) => input.value.trim() || null;
    // Kept from what was set, so saving the form never drops a setting it does not show.
    const kept = { logo: printer?.logo ?? null, timeout_ms: printer?.timeout_ms ?? null, ask_status: printer?.ask_status ?? null };
    const base = { connection: chosen, paper: paper.value as "80mm" | "58mm", code_page: codePage.value, ...kept };
    switch (chosen) {
      case "network":
        return { ...base, host: text(host), port: portNumber as number | null };
      case "usb":
        return { ...base, device: text(device) };
      case "serial":
        return { ...base, device: text(device), baud: baudNumber as number | null };
      case "cups":
        return { ...base, queue: text(queue) };
    }
  };
  const drawerChoice = (): DrawerChoice | null | "bad" => {
    if (pin.value === "") return null;
    const ms = wholeNumber(pulse);
    if (ms === "bad") return showBad("A pulse is a whole number of milliseconds, like 100.", pulse);
    // Kept from what was set (IT's realtime = false for a printer without DLE DC4).
    return { pin: Number(pin.value) as 2 | 5, pulse_ms: ms, ask_to_close: askToClose.checked, realtime: drawer?.realtime ?? null };
  };

  // The drawer test is a no-sale: it needs the drawer, and an open shift to record it on.
  const drawerTestable = (chosen: DrawerChoice | null) => chosen !== null && session?.status === "open";
  const notice = h("p", { id: "dev-notice", class: "hint", role: "status" });
  const save = h("button", { id: "dev-save", type: "button", class: "primary big" }, "Save");
  save.addEventListener("click", async () => {
    const chosenPrinter = printerChoice();
    const chosenDrawer = drawerChoice();
    if (chosenPrinter === "bad" || chosenDrawer === "bad") return;
    const result = await run(() => api.setHardware(chosenPrinter, chosenDrawer, approval), { busy: { button: save, text: "Saving…" } });
    // What is wrong with a setting (printer.host: missing) is the backend's to say, by its name.
    if (result && !result.ok && result.error.code === "invalid_input") showErrorText(result.error.message);
    if (!result?.ok) return;
    setStatus(result.value);
    openDrawer.hidden = !drawerTestable(chosenDrawer);
    notice.textContent = chosenPrinter ? "Saved. Print a test page to check the printer." : "Saved: this till has no receipt printer.";
  });
  const testPage = h("button", { id: "dev-test-page", type: "button", class: "secondary big" }, "Print test page");
  testPage.addEventListener("click", async () => {
    const result = await run(() => api.printTestPage(), { busy: { button: testPage, text: "Sending…" } });
    if (result?.ok) notice.textContent = "Test page sent. If it does not print, the status above says why.";
  });
  const openDrawer = h("button", { id: "dev-open-drawer", type: "button", class: "secondary big" }, "Open drawer (test)");
  openDrawer.addEventListener("click", async () => {
    // One id per press, reused on retry: a lost answer never opens (or records) it twice.
    const id = api.newRequestId();
    const result = await run(() => api.recordMovement(id, "no_sale", null, "test", "Drawer test on the printer screen"), {
      busy: { button: openDrawer, text: "Opening…" },
    });
    if (result?.ok) notice.textContent = "The drawer was opened, and recorded on this shift as a no-sale (drawer test).";
  });
  openDrawer.hidden = !drawerTestable(drawer);
  const back = h("button", { id: "dev-back", type: "button", class: "secondary big" }, "Back");
  back.addEventListener("click", () => (session ? go.session(session, "resumed", true) : go.start()));

  // The printer's status as the header's banner reads it (one poll for the app), in its words.
  const statusLine = h("p", { id: "dev-status", class: "dev-status", role: "status" }, "Asking the printer…");
  const showStatus = (seen: PrinterStatusView | null) => {
    if (seen === null) statusLine.textContent = "The printer's status cannot be read now.";
    else if (!seen.configured) statusLine.textContent = "No receipt printer is set up.";
    else statusLine.textContent = printerBannerText(seen) ?? (seen.waiting > 0 ? `Printer: printing (${seen.waiting} waiting)` : "Printer: ready");
  };
  const now = printerStatusNow();
  if (now !== null) showStatus(now);
  const stopWatching = onPrinterStatus(showStatus);

  const title = h("h1", { tabindex: "-1" }, "Printer and drawer");
  const form = managedBy
    ? h(
        "section",
        { class: "card stack-tight", id: "dev-managed" },
        h("p", {}, `IT sets this till's printer and drawer in ${managedBy}.`),
        h("p", { class: "hint" }, describe(printer, drawer)),
      )
    : h(
        "section",
        { class: "card dev-form" },
        h("div", { class: "stack-tight" }, h("h2", {}, "Receipt printer"), field("Connection", connection), connectionFields, printerFields),
        h("div", { class: "stack-tight" }, h("h2", {}, "Cash drawer"), field("Drawer", pin), drawerFields),
      );
  mount(
    "devices",
    h(
      "section",
      { class: "devices stack" },
      title,
      statusLine,
      form,
      notice,
      h("div", { class: "actions dev-actions" }, managedBy ? null : save, testPage, openDrawer, back),
    ),
    stopWatching,
  );
  focus(title);
}

function showBad(text: string, input: HTMLElement): "bad" {
  showErrorText(text, input);
  input.focus();
  return "bad";
}

/** IT's settings in words, for a managed till. */
function describe(printer: PrinterChoice | null, drawer: DrawerChoice | null): string {
  const where = printer
    ? printer.connection === "network"
      ? `${printer.host ?? "?"}:${printer.port ?? 9100}`
      : printer.connection === "cups"
        ? `CUPS queue ${printer.queue ?? "?"}`
        : (printer.device ?? "?")
    : null;
  const printed = where ? `Receipt printer: ${where}, ${(printer?.paper ?? "80mm").replace("mm", " mm")} paper.` : "No receipt printer.";
  const kicked = drawer ? ` Cash drawer on pin ${drawer.pin}.` : " No cash drawer.";
  return printed + kicked;
}
