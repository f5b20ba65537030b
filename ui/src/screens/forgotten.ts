/**
 * The forgotten-shift banner: this store's sessions open longer than its limit (or from an
 * earlier business day), on every screen of a logged-in user. Polled, never counted as
 * activity. A manager force-closes one from it (a reason and their PIN), and counts it later.
 */
import * as api from "../api";
import { byId, h, replace } from "../dom";
import { go, route } from "../router";
import { isManager, state, timeZone } from "../state";
import type { DaySession, SessionView } from "../types";
import { displayName, formatBusinessDay, formatClock } from "../time";
import { focus, isBusy, mount, run, showErrorText } from "../ui";
import { errorSlot } from "../widgets";
import { listManagers, showApproval } from "./approval";

export const FORGOTTEN_POLL_MS = 15_000;

/** What the banner last drew, so a poll that finds the same sessions leaves the focus alone. */
let drawn = "";

/** The banner's sentence for one session; the start screen's refusal says the same. */
export function forgottenWords(session: SessionView): string {
  const since = `${formatBusinessDay(session.business_day)} ${formatClock(session.opened_at, timeZone())}`;
  return `Shift ${session.number} on ${session.register_code} is still open since ${since} (${displayName(session.opened_by)}). Call a manager to close it.`;
}

function draw(sessions: SessionView[]): void {
  const banner = byId("forgotten");
  const manager = isManager(state.status?.logged_in);
  const key = JSON.stringify([manager, sessions.map((s) => s.id)]);
  if (key === drawn) return;
  drawn = key;
  if (sessions.length === 0) {
    replace(banner);
    banner.hidden = true;
    return;
  }
  replace(
    banner,
    h(
      "ul",
      { class: "forgotten-list" },
      ...sessions.map((session) => {
        const button = manager ? h("button", { type: "button", class: "secondary", "data-force-close": session.id }, `Force-close ${session.number}`) : null;
        button?.addEventListener("click", () => showForceClose(session));
        return h("li", { class: "forgotten-item" }, h("span", { class: "forgotten-text" }, forgottenWords(session)), button);
      }),
    ),
  );
  banner.hidden = false;
}

/** One poll: logged out (or a failure) hides nothing it should not show and shows nothing stale. */
export async function checkForgotten(): Promise<void> {
  if (!state.status?.configured || !state.status.logged_in) {
    draw([]);
    return;
  }
  try {
    draw(await api.forgottenSessions());
  } catch {
    // Informational, like the About line: a failed poll keeps the last banner.
  }
}

export function startForgottenPoller(): void {
  window.setInterval(() => {
    if (!isBusy()) void checkForgotten();
  }, FORGOTTEN_POLL_MS);
}

/** Step 1 of a force-close: the reason (required); then the manager's PIN. */
export function showForceClose(session: SessionView, typed = ""): void {
  const reason = h("textarea", { id: "force-reason", rows: 3, maxlength: 200, "aria-describedby": "force-reason-error" });
  reason.value = typed;
  const next = h("button", { id: "force-next", type: "submit", class: "primary big" }, "Next: manager PIN");
  const back = h("button", { id: "force-cancel", type: "button", class: "secondary big" }, "Cancel");
  back.addEventListener("click", () => void route());
  // One id per force-close: a retry after the approval never closes twice.
  const requestId = api.newRequestId();
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "force-reason" }, "Why it is closed without a count (required)"), reason, errorSlot("force-reason")),
    h("div", { class: "actions" }, next, back),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (isBusy()) return;
    const text = reason.value.trim();
    if (text === "") {
      showErrorText("Say why the shift is closed without a count.", reason);
      reason.focus();
      return;
    }
    showApproval({
      title: `Force-close shift ${session.number}`,
      lead: "The shift closes now without a count. Count its drawer later: the Z report waits for that count.",
      details: [`Opened by ${displayName(session.opened_by)} on ${formatBusinessDay(session.business_day)} at ${formatClock(session.opened_at, timeZone())}`, `Reason: ${text}`],
      submitLabel: "Force-close",
      managers: await listManagers(),
      approve: async (approval) => {
        const result = await run(() => api.forceClose(requestId, session.id, text, approval));
        if (!result?.ok) return false;
        showForceClosed(result.value);
        void checkForgotten();
        return true;
      },
      cancel: () => showForceClose(session, text),
    });
  });
  mount(
    "force-close",
    h(
      "section",
      { class: "narrow stack" },
      h("h1", {}, `Force-close shift ${session.number}`),
      h("p", { class: "lead" }, forgottenWords(session)),
      form,
    ),
  );
  focus(reason);
}

function showForceClosed(closed: DaySession): void {
  const { session } = closed;
  const count = h("button", { id: "late-count-now", type: "button", class: "primary big" }, "Count the drawer now");
  count.addEventListener("click", () => go.lateCount(closed));
  const later = h("button", { id: "late-count-later", type: "button", class: "secondary big" }, "Count later");
  later.addEventListener("click", () => void route());
  mount(
    "force-closed",
    h(
      "section",
      { class: "narrow stack" },
      h("h1", { tabindex: "-1", id: "force-closed-title" }, "Shift force-closed"),
      h(
        "p",
        { id: "force-closed-message", class: "callout warning", role: "status" },
        `Shift ${session.number} is closed without a count. Its Z report waits for the late count (from the day view).`,
      ),
      h("div", { class: "actions" }, count, later),
    ),
  );
  focus(count);
}
