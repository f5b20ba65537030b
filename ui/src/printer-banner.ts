/**
 * The printer-problem banner: one line in the header saying what is wrong with the receipt
 * printer in a cashier's words ("Printer: out of paper · 2 waiting to print"), gone when the
 * printer is fine. It polls `printer_status` (in-memory in the backend, no login needed) while
 * the app runs. It lives in the header, whose height is fixed, so it never moves the sale
 * screen's keys, and it never holds anything up: the next sale is rung meanwhile.
 */
import * as api from "./api";
import { byId, h } from "./dom";
import type { PrinterStatusView } from "./types";
import { sheet } from "./widgets";

/** How often the banner asks the backend about the printer. */
export const PRINTER_POLL_MS = 3_000;

/**
 * The banner's line for `status`, or null when there is nothing to say (no printer, or fine).
 * An open drawer the store asks to have closed (drawer.ask_to_close, where the printer reports
 * the drawer's switch) comes first: the cashier closes it before the next sale.
 */
export function printerBannerText(status: PrinterStatusView | null): string | null {
  if (status === null || !status.configured) return null;
  const close = status.ask_to_close_drawer ? "Close the cash drawer" : null;
  if (status.problem === null) return close;
  // The backend words every problem; its code is shown only if a future one came unworded.
  const message = status.message ?? `Printer: ${status.problem}`;
  const problem = status.waiting > 0 ? `${message} · ${status.waiting} waiting to print` : message;
  return close ? `${close} · ${problem}` : problem;
}

/**
 * Asks `read` now and then every `everyMs` after each answer (never two questions at once), and
 * gives `show` the banner's line (null: hide it). A question that fails hides the banner: the
 * status cannot be known (a till not set up yet, damaged settings), and the screen in front
 * says why. Returns a function that stops it.
 */
export function watchPrinter(
  read: () => Promise<PrinterStatusView>,
  show: (text: string | null) => void,
  everyMs = PRINTER_POLL_MS,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ask = async () => {
    let text: string | null = null;
    try {
      text = printerBannerText(await read());
    } catch {
      text = null;
    }
    if (stopped) return;
    show(text);
    timer = setTimeout(() => void ask(), everyMs);
  };
  void ask();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** The printer's status as last read by the banner (null: not read yet, or unreadable). */
let latest: PrinterStatusView | null = null;
/** Told when a new status is read (the drawer prompt closes itself once the drawer is shut). */
const readers = new Set<(status: PrinterStatusView | null) => void>();

/** The printer's status as the banner last read it (null: not read yet, or unreadable). */
export function printerStatusNow(): PrinterStatusView | null {
  return latest;
}

/** Tells `listener` each status the banner reads from now on; returns a function that stops it. */
export function onPrinterStatus(listener: (status: PrinterStatusView | null) => void): () => void {
  readers.add(listener);
  return () => void readers.delete(listener);
}

/**
 * Does the backend print (a receipt printer is set up)? Then receipts print themselves once
 * recorded, and Print asks the backend, never the webview's dialog: a second path would make
 * copies nobody counts.
 */
export function receiptPrinterSetUp(): boolean {
  return latest?.prints === true;
}

/**
 * Must the cashier close the drawer before the next sale? The backend decides (the store asked
 * for it with drawer.ask_to_close, and the printer reports the drawer open).
 */
export function drawerMustClose(): boolean {
  return latest?.ask_to_close_drawer === true;
}

/**
 * The next sale waits for the drawer: a dialog that asks the cashier to close it, and closes
 * itself (then `closed` runs) once the printer reports it shut. "Check again" asks at once.
 * The receipt and its change stay on the screen behind it until then.
 */
export function askToCloseDrawer(closed: () => void): void {
  if (document.getElementById("drawer-prompt")) return;
  const said = h("p", { id: "drawer-prompt-said", class: "hint", role: "status" }, "Close the drawer, then scan the next item.");
  let done = false;
  const prompt = sheet({
    id: "drawer-prompt",
    title: "Close the cash drawer",
    body: [h("p", {}, "The cash drawer is open. The next sale starts once it is closed."), said],
    submitLabel: "Check again",
    onSubmit: () => {
      void api.printerStatus().then(
        (status) => update(status),
        () => update(null),
      );
    },
    onClose: () => {
      stopListening();
      if (done) closed();
    },
  });
  const update = (status: PrinterStatusView | null) => {
    latest = status ?? latest;
    if (!drawerMustClose()) {
      done = true;
      prompt.close();
    } else {
      said.textContent = "The printer still reports the drawer open.";
    }
  };
  const stopListening = onPrinterStatus(update);
  const first = prompt.dialog.querySelector<HTMLButtonElement>("#drawer-prompt-apply");
  if (first) prompt.open(first);
}

/** Starts the banner in the header's `#printer-banner` (index.html), once, for the app's life. */
export function startPrinterBanner(): void {
  const banner = byId("printer-banner");
  const read = async () => {
    try {
      latest = await api.printerStatus();
    } catch (error) {
      latest = null;
      throw error;
    } finally {
      for (const reader of [...readers]) reader(latest);
    }
    return latest;
  };
  watchPrinter(read, (text) => {
    if ((text ?? "") !== banner.textContent) banner.textContent = text ?? "";
    banner.hidden = text === null;
  });
}
