/**
 * The X report (a shift so far; resets nothing) and the Z report (a closed shift, numbered), as
 * paper: every number is the backend's; this module only lays them out. Printed on the 80 mm
 * roll or on A4 (the paper choice sets a class the print stylesheet reads).
 */
import * as api from "../api";
import { h } from "../dom";
import { formatMoney, formatPercent } from "../money";
import { go } from "../router";
import { locale, timeZone } from "../state";
import type { Approval, SessionView, XReport, ZReport } from "../types";
import { displayName, formatBusinessDay } from "../time";
import { focus, mount, run } from "../ui";
import { anchorCode } from "../widgets";
import { receiptPrinterSetUp } from "../printer-banner";
import { receiptTime } from "./sale";

export type Paper = "roll" | "a4";
let paper: Paper = "roll";

/**
 * Paper choice (80 mm roll or A4) and a Print button; the choice is kept for the next report.
 * With a receipt printer set up, the roll is that printer: `onPrinter` has the backend print
 * the report there; A4 goes through the webview's dialog.
 */
export function printControls(onPrinter: () => Promise<unknown>): HTMLElement {
  const choice = (value: Paper, label: string) => {
    const button = h("button", { id: `paper-${value}`, type: "button", class: "choice tab", "aria-pressed": String(paper === value) }, label);
    button.addEventListener("click", () => {
      paper = value;
      for (const b of group.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
      applyPaper();
    });
    return button;
  };
  const group = h("div", { class: "quick-tabs", role: "group", "aria-label": "Paper" }, choice("roll", "80 mm roll"), choice("a4", "A4"));
  const print = h("button", { id: "print-report", type: "button", class: "secondary big" }, "Print");
  print.addEventListener("click", () => {
    applyPaper();
    if (paper === "roll" && receiptPrinterSetUp()) void run(onPrinter);
    else window.print();
  });
  applyPaper();
  return h("div", { class: "print-controls actions no-print" }, group, print);
}

function applyPaper(): void {
  document.body.classList.toggle("paper-a4", paper === "a4");
  document.body.classList.toggle("paper-roll", paper === "roll");
}

/** Leaving a report screen: the paper classes go with it. */
function clearPaper(): void {
  document.body.classList.remove("paper-a4", "paper-roll");
}

const TENDERS: Record<string, string> = { cash: "Cash", card: "Card", voucher: "Voucher" };

/** One report as paper: the header, sales, tenders, drawer, counts; `z` adds the close. */
export function reportView(x: XReport, z: ZReport | null = null): HTMLElement {
  const lang = locale();
  const zone = timeZone();
  const currency = x.header.currency;
  const m = (minor: number) => formatMoney(minor, currency, lang);
  const neg = (minor: number) => (minor === 0 ? m(0) : `−${m(minor)}`);
  const row = (label: string, value: string, id?: string, cls = "") =>
    h("div", { class: `rp-row ${cls}` }, h("dt", {}, label), h("dd", { id }, value));
  const section = (title: string, ...rows: (HTMLElement | null)[]) =>
    h("section", { class: "rp-section" }, h("h3", {}, title), h("dl", {}, ...rows));
  /** A section with nothing to list says so in a line (not inside the list). */
  const emptySection = (title: string, words: string) => h("section", { class: "rp-section" }, h("h3", {}, title), h("p", { class: "rp-empty" }, words));
  const s = x.sales;
  const d = x.drawer;
  const head = x.header;

  const variance = z?.variance ?? null;
  const varianceText = variance === null ? "—" : variance > 0 ? `+${m(variance)} over` : variance < 0 ? `${neg(-variance)} short` : `${m(0)} even`;

  return h(
    "article",
    { id: z ? "z-report" : "x-report", class: "report", "aria-label": z ? `Z report ${z.z.z_number}` : "X report" },
    h("p", { class: "rp-store" }, `${head.location_name} (${head.location_code})`),
    h("p", { class: "rp-title" }, z ? `Z REPORT No. ${z.z.z_number}` : "X REPORT: NOT A CLOSE"),
    h(
      "dl",
      { class: "rp-head" },
      row("Register", head.register, "rp-register"),
      row("Shift", head.session_number, "rp-session"),
      row("Business day", formatBusinessDay(head.business_day, locale())),
      row("Opened", `${displayName(head.opened_by)}, ${receiptTime(head.opened_at, zone, lang)}`),
      head.closed_at ? row("Closed", receiptTime(head.closed_at, zone, lang)) : null,
      row("Printed", `${receiptTime(head.made_at, zone, lang)}, ${displayName(head.requested_by)}`),
    ),
    section(
      "Sales",
      row("Receipts", String(s.receipts), "rp-receipts"),
      row("Gross sales, tax incl.", m(s.gross_sales), "rp-gross"),
      row(`Discounts (${s.discounts.count})`, neg(s.discounts.amount), "rp-discounts"),
      row(`Refunds (${s.refunds.count})`, neg(s.refunds.amount), "rp-refunds"),
      s.rounding !== 0 ? row("Rounding", m(s.rounding), "rp-rounding") : null,
      row("Net sales, tax incl.", m(s.net_sales), "rp-net", "rp-sum"),
    ),
    h(
      "section",
      { class: "rp-section" },
      h("h3", {}, "Tax"),
      s.taxes.length === 0
        ? h("p", { class: "rp-empty" }, "No tax")
        : h(
            "table",
            { class: "rp-table", id: "rp-taxes" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Rate"), h("th", { scope: "col" }, "Net, excl. tax"), h("th", { scope: "col" }, "Tax"), h("th", { scope: "col" }, "Gross, incl. tax"))),
            h(
              "tbody",
              {},
              ...s.taxes.map((t) =>
                h("tr", { "data-tax": t.tax_rate_id }, h("th", { scope: "row" }, `${t.name} ${formatPercent(t.rate_ppm, lang)}`), h("td", {}, m(t.net)), h("td", {}, m(t.tax)), h("td", {}, m(t.gross))),
              ),
            ),
          ),
    ),
    s.categories.length === 0
      ? emptySection("Per category", "No sales")
      : section(
          "Per category",
          ...s.categories.map((c) => h("div", { class: "rp-row", "data-category": c.category }, h("dt", {}, `${c.category} (${c.count})`), h("dd", {}, m(c.amount)))),
        ),
    x.tenders.length === 0
      ? emptySection("Tenders", "No payments")
      : section(
          "Tenders",
          ...x.tenders.flatMap((t) => [
            h("div", { class: "rp-row", "data-tender": t.kind }, h("dt", {}, `${TENDERS[t.kind] ?? t.kind} (${t.count})${t.kind === "cash" ? ", handed over" : ""}`), h("dd", {}, m(t.amount))),
            // Cash is handed over before change: beside it, what stayed in the drawer (the backend's figure).
            t.kind === "cash" ? row("Cash net of change", m(d.cash_net_of_change), "rp-cash-net", "rp-sub") : null,
          ]),
        ),
    section(
      "Drawer",
      row("Opening float", m(d.opening_float), "rp-float"),
      row("+ Cash sales", m(d.cash_sales), "rp-cash-sales"),
      row("− Change given", m(d.change_given), "rp-change"),
      row("− Cash refunds", m(d.cash_refunds), "rp-cash-refunds"),
      row(`+ Paid in (${d.paid_in.count})`, m(d.paid_in.amount), "rp-paid-in"),
      row(`− Paid out (${d.paid_out.count})`, m(d.paid_out.amount), "rp-paid-out"),
      row(`− Drops (${d.drops.count})`, m(d.drops.amount), "rp-drops"),
      row("= EXPECTED CASH", m(d.expected_cash), "rp-expected", "rp-sum"),
    ),
    z
      ? section(
          "Count",
          z.counted_cash === null
            ? row("Counted", "Not counted yet (force-closed)", "rp-counted")
            : row("Counted", m(z.counted_cash), "rp-counted"),
          ...z.denominations.filter((c) => c.count > 0).map((c) => row(`  ${c.count} × ${m(c.denomination)}`, m(c.count * c.denomination), undefined, "rp-denom")),
          row("Variance", varianceText, "rp-variance", "rp-sum"),
          z.variance_reason ? row("Reason", z.variance_reason, "rp-variance-reason", "rp-text") : null,
          z.force_close_reason ? row("Force-closed", z.force_close_reason, "rp-force-reason", "rp-text") : null,
          row("Closed by", z.closed_by ? displayName(z.closed_by) : "—", "rp-closed-by"),
          row("Approved by", z.approved_by ? displayName(z.approved_by) : "—", "rp-approved-by"),
          row("Cash removed", z.cash_removed === null ? "—" : m(z.cash_removed), "rp-cash-removed"),
          row("Float left", z.float_left === null ? "—" : m(z.float_left), "rp-float-left"),
        )
      : null,
    section(
      "Drawer opened",
      row("No-sales", String(x.no_sales), "rp-no-sales"),
      row("Reprints", String(x.reprints), "rp-reprints"),
      row("Voids", `${x.voids} · ${m(x.voids_total)}`, "rp-voids"),
    ),
    z
      ? section(
          "Grand totals",
          row("Grand sales", m(z.z.grand_sales), "rp-grand-sales"),
          row("Grand refunds", neg(z.z.grand_refunds), "rp-grand-refunds"),
          row("Grand net", m(z.grand_net), "rp-grand-net", "rp-sum"),
          row("Receipts", z.z.first_receipt ? `${z.z.first_receipt} … ${z.z.last_receipt ?? z.z.first_receipt}` : "none"),
          row("Journal entry", String(z.z.journal_seq), "rp-journal-seq"),
          row("Journal head", z.z.journal_head, "rp-journal-head", "rp-text rp-hash"),
        )
      : null,
    z ? anchorCode(z.z.anchor, "z-anchor") : null,
  );
}

/**
 * The X report of a shift, from the shift screen: read-only, resets nothing. With `approval` (a
 * blind-close store's cashier asked a manager), the report is fetched first: a refused PIN stays
 * on the approval screen (false).
 */
export async function showXReport(session: SessionView, approval: Approval | null = null): Promise<boolean> {
  const approved = approval ? await run(() => api.xReport(session.id, approval)) : null;
  if (approval && !approved?.ok) return false;
  const back = h("button", { id: "report-back", type: "button", class: "secondary big" }, "Back to the shift");
  back.addEventListener("click", () => go.session(session, "resumed", true));
  const paperSlot = h("section", { class: "report-paper", "aria-label": "X report" }, h("p", { class: "hint" }, "Loading the report…"));
  const title = h("h1", { tabindex: "-1" }, "X report");
  mount(
    "x-report",
    h(
      "div",
      { class: "report-screen cols" },
      h(
        "section",
        { class: "stack no-print" },
        title,
        h("p", { class: "lead" }, `Shift ${session.number} so far. An X report resets nothing.`),
        printControls(() => api.printXReport(session.id, approval)),
        h("div", { class: "actions" }, back),
      ),
      paperSlot,
    ),
    clearPaper,
  );
  focus(title);
  const result = approved ?? (await run(() => api.xReport(session.id), { keepError: true }));
  if (!result?.ok) {
    paperSlot.replaceChildren(h("p", { class: "hint" }, "The report could not be made."));
    return true;
  }
  paperSlot.replaceChildren(reportView(result.value));
  return true;
}

/** The Z report of a closed session into `slot` (after a close or a late count). */
export async function loadZReport(session: SessionView, slot: HTMLElement): Promise<ZReport | null> {
  const result = await run(() => api.zReport(session.id), { keepError: true });
  if (!result?.ok) {
    slot.replaceChildren(h("p", { class: "hint" }, "The Z report could not be loaded."));
    return null;
  }
  slot.replaceChildren(reportView(result.value.x, result.value));
  return result.value;
}

export { clearPaper };
