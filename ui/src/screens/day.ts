/**
 * A manager's day: the store's sessions of one business day (register, number, status, who
 * opened and closed, the Z number, expected, counted and variance), all the backend's figures.
 * A force-closed session waiting for its count offers the late count here.
 */
import * as api from "../api";
import { h } from "../dom";
import { describeVariance, formatMoney } from "../money";
import { go, route } from "../router";
import { locale, timeZone } from "../state";
import type { DaySession } from "../types";
import { addDays, displayName, formatBusinessDay, formatClock, formatDayInput, parseDayInput } from "../time";
import { focus, mount, run, showErrorText } from "../ui";
import { errorSlot } from "../widgets";

/** The day the hint writes in the store's order, to show which number goes where. */
const EXAMPLE_DAY = "2026-11-28";

export async function showDay(day: string | null = null): Promise<void> {
  const lang = locale();
  const zone = timeZone();
  const back = h("button", { id: "day-back", type: "button", class: "secondary big" }, "Back");
  back.addEventListener("click", () => void route());
  // A typed date in the store's order ("28.11.2026" in Berlin) and a day back or on, each a
  // 48-px target: WebKitGTK's own date input draws 17-px cells in the US order.
  const picker = h("input", {
    id: "day-pick",
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
    spellcheck: "false",
    size: "11",
    value: day ? formatDayInput(day, lang) : "",
    "aria-describedby": "day-pick-hint day-pick-error",
  });
  if (day) picker.dataset["day"] = day;
  const previous = h("button", { id: "day-prev", type: "button", class: "secondary big", "aria-label": "Previous day", disabled: !day }, "‹");
  const next = h("button", { id: "day-next", type: "button", class: "secondary big", "aria-label": "Next day", disabled: !day }, "›");
  const show = h("button", { id: "day-show", type: "submit", class: "secondary big" }, "Show");
  const step = (days: number) => {
    const from = picker.dataset["day"];
    if (from) void showDay(addDays(from, days));
  };
  previous.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  // Page Up / Page Down in the box step a day, as in a calendar.
  picker.addEventListener("keydown", (event) => {
    if (event.key !== "PageUp" && event.key !== "PageDown") return;
    event.preventDefault();
    step(event.key === "PageUp" ? -1 : 1);
  });
  const form = h(
    "form",
    { class: "day-pick", novalidate: true },
    previous,
    h(
      "div",
      { class: "field" },
      h("label", { for: "day-pick" }, "Business day"),
      picker,
      h("p", { class: "hint", id: "day-pick-hint" }, `Like ${formatDayInput(EXAMPLE_DAY, lang)}`),
      errorSlot("day-pick"),
    ),
    next,
    show,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = picker.value.trim();
    if (typed === "") {
      void showDay(null);
      return;
    }
    const chosen = parseDayInput(typed, lang);
    if (chosen === null) {
      showErrorText(`Type the day as ${formatDayInput(EXAMPLE_DAY, lang)} (day, month and year in this store's order).`, picker);
      picker.focus();
      return;
    }
    void showDay(chosen);
  });
  const slot = h("div", { id: "day-sessions", class: "day-table-wrap" }, h("p", { class: "hint" }, "Loading…"));
  const title = h("h1", { tabindex: "-1" }, "Day view");
  mount("day", h("section", { class: "day stack" }, h("div", { class: "day-head" }, title, form), slot, h("div", { class: "actions" }, back)));
  focus(title);

  const result = await run(() => api.dayView(day), { keepError: true });
  if (!result?.ok) {
    slot.replaceChildren(h("p", { class: "hint" }, "The day could not be loaded."));
    return;
  }
  const rows = result.value;
  const shown = rows[0]?.session.business_day ?? day;
  if (shown && !picker.dataset["day"]) {
    picker.value = formatDayInput(shown, lang);
    picker.dataset["day"] = shown;
    previous.disabled = false;
    next.disabled = false;
  }
  if (rows.length === 0) {
    slot.replaceChildren(h("p", { id: "day-empty", class: "hint" }, "No shifts on this day."));
    return;
  }
  const money = (minor: number | null, currency: string) => (minor === null ? "—" : formatMoney(minor, currency, lang));
  const variance = (row: DaySession) => {
    const s = row.session;
    if (s.count_pending) return h("span", { class: "variance unknown" }, "Not counted");
    if (s.variance === null) return "—";
    const v = describeVariance(s.variance, s.currency, lang);
    return h("span", { class: `variance ${v.kind}` }, v.kind === "even" ? "Even" : `${v.kind === "over" ? "Over" : "Short"} ${money(Math.abs(s.variance), s.currency)}`);
  };
  const status = (row: DaySession) => {
    const s = row.session;
    if (s.status === "open") return h("span", { class: "badge open" }, "Open");
    if (s.count_pending) {
      const count = h("button", { type: "button", class: "secondary", "data-late-count": s.id }, "Count now");
      count.addEventListener("click", () => go.lateCount(row));
      return h("span", { class: "day-status" }, h("span", { class: "badge closed" }, "Force-closed"), count);
    }
    return h("span", { class: "badge closed" }, "Closed");
  };
  const who = (name: string | null, at: string | null) => (name ? `${displayName(name)}${at ? ` ${formatClock(at, zone)}` : ""}` : "—");
  slot.replaceChildren(
    h("p", { class: "lead", id: "day-title" }, formatBusinessDay(shown ?? "", lang)),
    h(
      "table",
      { class: "day-table", id: "day-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Register", "Shift", "Status", "Opened", "Closed", "Z", "Expected", "Counted", "Variance"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h(
        "tbody",
        {},
        ...rows.map((row) => {
          const s = row.session;
          return h(
            "tr",
            { "data-session": s.id },
            h("td", {}, s.register_code),
            h("th", { scope: "row" }, s.number),
            h("td", {}, status(row)),
            h("td", {}, who(s.opened_by, s.opened_at)),
            h("td", {}, who(s.closed_by, s.closed_at)),
            h("td", { class: "num", "data-z": "" }, row.z ? String(row.z.z_number) : "—"),
            h("td", { class: "num" }, money(s.expected_cash, s.currency)),
            h("td", { class: "num" }, s.count_pending ? "—" : money(s.counted_cash, s.currency)),
            h("td", { class: "num" }, variance(row)),
          );
        }),
      ),
    ),
  );
}
