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
import { displayName, formatBusinessDay, formatClock } from "../time";
import { focus, mount, run } from "../ui";

export async function showDay(day: string | null = null): Promise<void> {
  const lang = locale();
  const zone = timeZone();
  const back = h("button", { id: "day-back", type: "button", class: "secondary big" }, "Back");
  back.addEventListener("click", () => void route());
  const picker = h("input", { id: "day-pick", type: "date", value: day ?? "" });
  const show = h("button", { id: "day-show", type: "submit", class: "secondary big" }, "Show");
  const form = h(
    "form",
    { class: "day-pick", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "day-pick" }, "Business day"), picker),
    show,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void showDay(picker.value === "" ? null : picker.value);
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
  if (shown && picker.value === "") picker.value = shown;
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
      count.addEventListener("click", () => go.lateCount(s));
      return h("span", { class: "day-status" }, h("span", { class: "badge closed" }, "Force-closed"), count);
    }
    return h("span", { class: "badge closed" }, "Closed");
  };
  const who = (name: string | null, at: string | null) => (name ? `${displayName(name)}${at ? ` ${formatClock(at, zone)}` : ""}` : "—");
  slot.replaceChildren(
    h("p", { class: "lead", id: "day-title" }, formatBusinessDay(shown ?? "")),
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
