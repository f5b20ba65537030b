/**
 * The customer display's window (customer.html): what the main window last sent (`customer_view`,
 * ui/src/customer-feed.ts), asked for a few times a second. Each line as it is scanned and the
 * total; then the total, what was paid and the change, "Thank you" and the store's name; between
 * sales the store's name. Money and words in the location's locale (English words where Till
 * has no translation). It can read this view and nothing else (src-tauri/capabilities/customer.json).
 */
import "./styles/customer.css";
import * as api from "./api";
import { byId, h, replace } from "./dom";
import { formatMoney } from "./money";
import type { CustomerView } from "./types";

/** How often the display asks for the latest view: a scanned line shows at once to the eye. */
export const CUSTOMER_POLL_MS = 250;

/** The display's words per language (the locale's first part). */
const WORDS = {
  en: { welcome: "Welcome", total: "Total", paid: "Paid", change: "Change", thanks: "Thank you", lines: "Your items" },
  de: { welcome: "Willkommen", total: "Summe", paid: "Gegeben", change: "Rückgeld", thanks: "Vielen Dank", lines: "Ihre Artikel" },
  fr: { welcome: "Bienvenue", total: "Total", paid: "Payé", change: "Rendu", thanks: "Merci", lines: "Vos articles" },
} as const;

function words(locale: string): (typeof WORDS)[keyof typeof WORDS] {
  const language = locale.split("-")[0]?.toLowerCase() ?? "en";
  return language in WORDS ? WORDS[language as keyof typeof WORDS] : WORDS.en;
}

/** The display's content for `view` (null: nothing sent yet, an empty screen). */
export function customerScreen(view: CustomerView | null): HTMLElement[] {
  if (view === null) return [];
  const w = words(view.locale);
  const money = (minor: number) => formatMoney(minor, view.currency, view.locale);
  const store = h("p", { id: "customer-store", class: "customer-store" }, view.store_name);
  if (view.stage === "welcome") return [h("p", { id: "customer-welcome", class: "customer-welcome" }, w.welcome), store];
  const lines = h(
    "ol",
    { id: "customer-lines", class: "customer-lines", "aria-label": w.lines },
    ...view.lines.map((line) =>
      h(
        "li",
        { class: "customer-line" },
        h("span", { class: "customer-qty" }, `${line.quantity} ×`),
        h("span", { class: "customer-name" }, line.name),
        h("span", { class: "customer-amount" }, money(line.amount)),
      ),
    ),
  );
  const row = (id: string, label: string, amount: number) =>
    h("p", { id, class: `customer-row ${id}` }, h("span", {}, label), h("span", { class: "customer-amount" }, money(amount)));
  const sums = h(
    "div",
    { class: "customer-sums" },
    row("customer-total", w.total, view.total),
    view.stage === "paid" ? row("customer-paid", w.paid, view.paid) : null,
    view.stage === "paid" && view.change > 0 ? row("customer-change", w.change, view.change) : null,
  );
  const thanks = view.stage === "paid" ? h("div", { id: "customer-thanks", class: "customer-thanks" }, h("p", {}, w.thanks), store) : null;
  // The latest line in sight: a long sale scrolls its list, never the sums.
  return [h("div", { class: `customer-sale ${view.stage}` }, lines, sums), ...(thanks ? [thanks] : [])];
}

let shown = "";

async function refresh(): Promise<void> {
  let view: CustomerView | null;
  try {
    view = await api.customerView();
  } catch {
    // The main window's backend is starting or gone: keep what is on screen, ask again.
    return;
  }
  const key = JSON.stringify(view);
  if (key === shown) return;
  shown = key;
  const screen = byId("customer");
  replace(screen, ...customerScreen(view));
  document.documentElement.lang = view?.locale ?? "en";
  screen.querySelector(".customer-lines")?.lastElementChild?.scrollIntoView({ block: "nearest" });
}

async function poll(): Promise<void> {
  await refresh();
  window.setTimeout(() => void poll(), CUSTOMER_POLL_MS);
}

void poll();
