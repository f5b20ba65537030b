/**
 * Close shift: count the drawer (blind), say the float left, a manager approves with their PIN
 * on the keypad (and signs off a difference that a recount did not clear), then the result and
 * the Z report. The late count of a force-closed shift goes the same way.
 */
import * as api from "../api";
import { h } from "../dom";
import { parseCount } from "../denominations";
import {
  currencyDecimals,
  describeVariance,
  formatAmountInput,
  formatMoney,
  moneyParseMessage,
  parseLocaleMoney,
} from "../money";
import { go } from "../router";
import { setStatus } from "../shell";
import { isManager, locale, state, timeZone } from "../state";
import type { CloseCount, DaySession, DenominationCount, SessionView, SignOffFigures } from "../types";
import { displayName, formatClock } from "../time";
import { clearError, focus, isBusy, mount, run, showError, showErrorText } from "../ui";
import { denominationHelper, errorSlot, moneyField, pinPad, sheet } from "../widgets";
import { listManagers, showApproval } from "./approval";
import { roleLabel } from "./login";
import { clearPaper, loadZReport, printControls } from "./reports";


/** A close, or the late count of a force-closed shift: the same count, approval and sign-off. */
export type CountMode = "close" | "late";

/** What the count so far holds, across the steps (count, approval, sign-off). */
interface CountFlow {
  session: SessionView;
  mode: CountMode;
  /** A late count's: the backend said no expected cash beside it (a close asks the totals). */
  expectedHidden: boolean;
  /** How often the backend answered `variance_needs_signoff`: 1 → count again; 2 → a manager signs off. */
  refusals: number;
  typed: string;
  floatTyped: string;
  countedMinor: number;
  floatMinor: number;
  denominations: DenominationCount[];
}

/** The counts typed into the bill/coin helper (only rows with a count). */
function helperCounts(helper: HTMLElement | null): DenominationCount[] {
  if (!helper) return [];
  const out: DenominationCount[] = [];
  for (const input of helper.querySelectorAll<HTMLInputElement>("input[data-denom]")) {
    const count = parseCount(input.value);
    if (count) out.push({ denomination: Number(input.dataset["denom"]), count });
  }
  return out;
}

/**
 * Step 1 of a close: count the drawer (typed, or with the bill/coin helper) and say what float
 * stays in it. Enter in the amount or "Next" goes on to the manager's approval; nothing here
 * ends the shift. Blind by default: the expected cash is not shown before the count is in.
 */
export function showClose(session: SessionView, typed = ""): void {
  const fresh = { refusals: 0, floatTyped: "", countedMinor: 0, floatMinor: 0, denominations: [] };
  showCount({ session, mode: "close", expectedHidden: true, typed, ...fresh });
}

/** The late count of a force-closed shift (a manager, from the day view or after the force-close). */
export function showLateCount(row: DaySession): void {
  const fresh = { refusals: 0, floatTyped: "", countedMinor: 0, floatMinor: 0, denominations: [] };
  showCount({ session: row.session, mode: "late", expectedHidden: row.expected_hidden, typed: "", ...fresh });
}

function showCount(flow: CountFlow): void {
  const { session } = flow;
  const currency = session.currency;
  const lang = locale();
  const decimals = currencyDecimals(currency);
  const { field, input: counted } = moneyField("counted-cash", "Cash counted in the drawer", currency, lang);
  counted.value = flow.typed;
  const { field: floatField, input: floatLeft } = moneyField("float-left", "Float left in the drawer for the next shift", currency, lang);
  floatLeft.value = flow.floatTyped;
  const next = h("button", { id: "close-next", type: "submit", class: "primary big" }, "Next: manager approval");
  const back = h("button", { id: "close-cancel", type: "button", class: "secondary big" }, "Back");
  back.addEventListener("click", () => (flow.mode === "close" ? go.session(session, "resumed", true) : go.day(session.business_day)));
  const helper = denominationHelper(currency, lang, counted, next);
  const opening = session.opening_cash;
  // The float left follows the count (the opening float, never more than counted) until typed by hand.
  let floatByHand = flow.floatTyped !== "";
  floatLeft.addEventListener("input", () => {
    floatByHand = floatLeft.value.trim() !== "";
  });
  const followCount = () => {
    if (floatByHand) return;
    const parsed = parseLocaleMoney(counted.value, currency, lang);
    floatLeft.value = parsed.ok ? formatAmountInput(Math.min(opening, parsed.minor), decimals, lang) : "";
  };
  // Filled only when the backend says the expected cash may show beside this count.
  const expectedSlot = h("div", {});
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field,
    floatField,
    h("p", { class: "hint", id: "float-left-hint" }, `The shift opened with ${formatMoney(opening, currency, lang)}. The rest goes to the safe.`),
    h("div", { class: "actions sticky-actions" }, next, back),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (isBusy()) return;
    const parsed = parseLocaleMoney(counted.value, currency, lang);
    if (!parsed.ok) {
      showErrorText(moneyParseMessage(parsed.error, currency, lang), counted);
      counted.focus();
      return;
    }
    const left = parseLocaleMoney(floatLeft.value, currency, lang);
    if (!left.ok) {
      showErrorText(moneyParseMessage(left.error, currency, lang), floatLeft);
      floatLeft.focus();
      return;
    }
    if (left.minor > parsed.minor) {
      showErrorText("The float left can't be more than the cash counted.", floatLeft);
      floatLeft.focus();
      return;
    }
    void showCloseApproval({
      ...flow,
      typed: counted.value,
      floatTyped: floatLeft.value,
      countedMinor: parsed.minor,
      floatMinor: left.minor,
      denominations: helperCounts(helper),
    });
  });

  const title = flow.mode === "close" ? "Close shift" : "Late count";
  const recount =
    flow.refusals === 1
      ? h(
          "p",
          { id: "close-recount", class: "callout warning", role: "alert" },
          "The count does not match. Count the drawer again, bill by bill.",
        )
      : null;
  const root = h(
    "div",
    { class: helper ? "close cols wide-right" : "close narrow" },
    h(
      "section",
      { class: "stack" },
      h("h1", {}, title),
      recount,
      h(
        "p",
        { class: "lead" },
        flow.mode === "close"
          ? `Shift ${session.number}: count the cash in the drawer, then a manager approves.`
          : `Shift ${session.number} was closed without a count. Count its drawer now.`,
      ),
      expectedSlot,
      form,
    ),
    helper,
  );
  // The helper writes the counted total without an input event on it: follow every input here.
  root.addEventListener("input", (event) => {
    if (event.target !== floatLeft) followCount();
  });
  mount(flow.mode === "close" ? "close" : "late-count", root);
  followCount();
  focus(counted);
  void showExpected(flow, expectedSlot);
}

/**
 * The backend's expected cash, never the UI's sum, and only where the backend says it shows
 * beside the count (`expected_hidden`: the store counts blind).
 */
async function showExpected(flow: CountFlow, slot: HTMLElement): Promise<void> {
  const { session } = flow;
  let expected: number | null;
  if (flow.mode === "late") {
    if (flow.expectedHidden) return;
    expected = session.expected_cash;
  } else {
    try {
      const totals = await api.sessionTotals();
      if (totals === null || totals.session_id !== session.id) return;
      if (totals.expected_hidden) return;
      expected = totals.expected_cash;
    } catch {
      return;
    }
  }
  const shown = expected === null ? "—" : formatMoney(expected, session.currency, locale());
  slot.replaceChildren(
    h("dl", { class: "card details result" }, h("div", { class: "detail" }, h("dt", {}, "Expected in the drawer"), h("dd", { id: "close-expected" }, shown))),
  );
}

/**
 * Step 2: the manager approves with their PIN on the same keypad as login; the logged-in
 * manager (or the only one) is preselected. Only this step's PIN Enter or button closes. After
 * a recount that still differs, the same manager signs off with a reason.
 */
async function showCloseApproval(flow: CountFlow): Promise<void> {
  const { session } = flow;
  const currency = session.currency;
  const lang = locale();
  const signOff = flow.refusals >= 2;
  const managers = h("div", { class: "choice-grid users", role: "group", "aria-labelledby": "manager-label" });
  const back = h("button", { id: "close-back", type: "button", class: "secondary big" }, "Back to the count");
  back.addEventListener("click", () => showCount(flow));
  const reason = h("textarea", { id: "variance-reason", rows: 2, maxlength: 200, "aria-describedby": "variance-reason-error" });
  let manager: string | null = null;
  // A sign-off is in two presses: the first checks the manager's PIN and shows them what they
  // sign for (the backend's expected cash, kept from the counter); the second closes.
  const figuresSlot = h("div", { id: "signoff-figures", "aria-live": "polite" });
  let figures: SignOffFigures | null = null;
  const forgetFigures = () => {
    figures = null;
    figuresSlot.replaceChildren();
  };
  const showFigures = (f: SignOffFigures) => {
    figures = f;
    const v = describeVariance(f.variance, f.currency, lang);
    const off = formatMoney(Math.abs(f.variance), f.currency, lang);
    const difference = v.kind === "even" ? "Even" : `${v.kind === "over" ? "Over" : "Short"} ${off}`;
    const row = (label: string, id: string, value: string, cls = "") =>
      h("div", { class: "detail" }, h("dt", {}, label), h("dd", { id, class: cls }, value));
    figuresSlot.replaceChildren(
      h("h2", {}, `${displayName(f.manager)} signs for`),
      h(
        "dl",
        { class: "card details result" },
        row("Expected in the drawer", "signoff-expected", formatMoney(f.expected_cash, f.currency, lang)),
        row("Counted in the drawer", "signoff-counted", formatMoney(f.counted_cash, f.currency, lang)),
        row("Difference", "signoff-variance", difference, `variance ${v.kind}`),
      ),
      h("p", { class: "hint" }, "Press Sign off and close again to sign for this difference."),
    );
    figuresSlot.scrollIntoView({ block: "nearest" });
  };

  const submit = async () => {
    if (isBusy()) return;
    const approver = manager;
    if (signOff && reason.value.trim() === "") {
      showErrorText("Say why the count differs: the manager signs it off.", reason);
      reason.focus();
      return;
    }
    if (!approver) {
      showErrorText("Pick the manager who approves the close.", pad.input);
      focus(managers.querySelector("button"));
      return;
    }
    if (pad.input.value === "") {
      showErrorText("The manager types their PIN.", pad.input);
      pad.input.focus();
      return;
    }
    const approval = { manager: approver, pin: pad.input.value };
    if (signOff && figures === null) {
      const checked = await run(() => api.signOffFigures(session.id, flow.countedMinor, approval), {
        busy: { button: pad.submit, text: "Checking the PIN…" },
      });
      if (!checked) return;
      if (checked.ok) {
        showFigures(checked.value);
        pad.input.focus();
      } else {
        pad.clear();
        pad.input.focus();
      }
      return;
    }
    const count: CloseCount = {
      float_left: flow.floatMinor,
      denominations: flow.denominations,
      variance_reason: signOff ? reason.value.trim() : null,
    };
    const counted = flow.countedMinor;
    const requestId = api.newRequestId();
    const result = await run(
      () => (flow.mode === "close" ? api.closeShift(requestId, session.id, counted, approval, count) : api.lateCount(session.id, counted, count, approval)),
      { busy: { button: pad.submit, text: flow.mode === "close" ? "Closing shift…" : "Recording the count…" } },
    );
    if (!result) return;
    if (result.ok) {
      showClosed(result.value, flow.mode);
      return;
    }
    pad.clear();
    const code = result.error.code;
    if (code === "variance_needs_signoff") {
      // First time: count again from nothing (a slip is the likely cause). Then: sign-off.
      const refusals = flow.refusals + 1;
      if (refusals === 1) showCount({ ...flow, refusals, typed: "", floatTyped: "", countedMinor: 0, floatMinor: 0, denominations: [] });
      else void showCloseApproval({ ...flow, refusals });
    } else if (flow.mode === "close" && (code === "session_already_closed" || code === "session_not_found")) {
      // The shift is gone: the shift screen shows who closed it and when, and offers Start shift.
      go.session(session, "resumed", true);
      showError(result.error); // this screen's PIN line went with it: the banner says it
    } else {
      pad.input.focus();
    }
  };
  const pad = pinPad({
    inputId: "manager-pin",
    submitId: "close-submit",
    label: "Manager PIN",
    submitLabel: flow.mode === "close" ? (signOff ? "Sign off and close" : "Close shift") : signOff ? "Sign off the count" : "Record the count",
    onSubmit: () => void submit(),
  });
  const select = (name: string) => {
    if (manager !== name) forgetFigures();
    manager = name;
    for (const other of managers.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other.dataset["manager"] === name));
  };

  const heading = signOff ? "Manager sign-off" : flow.mode === "close" ? "Close shift: manager approval" : "Late count: manager approval";
  mount(
    signOff ? "close-signoff" : "close-approve",
    h(
      "div",
      { class: "login cols" },
      h(
        "section",
        { class: "stack" },
        h("h1", {}, heading),
        signOff
          ? h("p", { id: "signoff-note", class: "callout warning", role: "alert" }, "The recount still does not match. A manager signs off the difference with a reason.")
          : null,
        signOff ? figuresSlot : null,
        h(
          "dl",
          { class: "card details result" },
          h("div", { class: "detail" }, h("dt", {}, "Shift"), h("dd", {}, session.number)),
          h("div", { class: "detail" }, h("dt", {}, "Counted in the drawer"), h("dd", { id: "close-counted" }, formatMoney(flow.countedMinor, currency, lang))),
          h("div", { class: "detail" }, h("dt", {}, "Float left"), h("dd", { id: "close-float-left" }, formatMoney(flow.floatMinor, currency, lang))),
        ),
        signOff
          ? h("div", { class: "field" }, h("label", { for: "variance-reason" }, "Why the count differs (required)"), reason, errorSlot("variance-reason"))
          : null,
        h("h2", { id: "manager-label" }, "Manager who approves"),
        managers,
        h("div", { class: "actions" }, back),
      ),
      h("section", { class: "pin-area card", "aria-labelledby": "manager-pin-title" }, h("h2", { id: "manager-pin-title" }, "Manager PIN"), pad.root),
    ),
  );
  // Another PIN is another check: what was shown was for the PIN that was checked.
  pad.input.addEventListener("input", forgetFigures);
  if (signOff) reason.focus();
  else pad.input.focus();

  const users = await run(() => api.listUsers(), { keepError: true });
  if (!users?.ok) return;
  const list = users.value.filter(isManager);
  if (list.length === 0) {
    managers.append(h("p", { class: "hint" }, "No manager accounts. A manager must be added before the shift can close."));
    return;
  }
  for (const user of list) {
    const button = h(
      "button",
      { type: "button", class: "choice user", "data-manager": user.name, "aria-pressed": "false" },
      h("span", { class: "user-name" }, displayName(user.name)),
      h("span", { class: "user-role" }, roleLabel(user.role)),
    );
    button.addEventListener("click", () => {
      select(user.name);
      clearError();
      pad.input.focus();
    });
    managers.append(button);
  }
  // The logged-in manager approves their own close; with one manager, it is them.
  const me = state.status?.logged_in;
  const preselect = me && isManager(me) && list.some((u) => u.name === me.name) ? me.name : list.length === 1 ? list[0]?.name : undefined;
  if (preselect) select(preselect);
  else if (!signOff) focus(managers.querySelector("button"));
}

export function showClosed(session: SessionView, mode: CountMode = "close"): void {
  const zone = timeZone();
  const lang = locale();
  const money = (minor: number | null) => (minor === null ? "—" : formatMoney(minor, session.currency, lang));
  const variance: { text: string; kind: string } =
    session.variance === null ? { text: "—", kind: "unknown" } : describeVariance(session.variance, session.currency, lang);
  // Expected cash = opening cash + cash taken during the shift (the core's figure, broken down).
  const takenIn = session.expected_cash === null ? "—" : money(session.expected_cash - session.opening_cash);
  const done = h("button", { id: "close-done", type: "button", class: "primary big" }, mode === "close" ? "Done: log out" : "Back to the day");
  done.addEventListener("click", async () => {
    if (mode === "late") {
      go.day(session.business_day);
      return;
    }
    const result = await run(() => api.logout(), { busy: { button: done, text: "Logging out…" } });
    if (result?.ok || (result && result.error.code === "not_logged_in")) {
      go.loggedOut();
    }
  });
  const row = (label: string, id: string, value: string, kind?: "part" | "sum", valueClass?: string) =>
    h("div", { class: kind ? `detail ${kind}` : "detail" }, h("dt", {}, label), h("dd", { id, class: valueClass }, value));
  const title = h("h1", { tabindex: "-1" }, mode === "close" ? "Shift closed" : "Late count recorded");
  const zSlot = h("section", { class: "report-paper", "aria-label": "Z report" }, h("p", { class: "hint" }, "Loading the Z report…"));
  const backupSlot = h("div", { id: "backup-slot" });

  mount(
    "closed",
    h(
      "div",
      { class: "report-screen cols" },
      h(
      "section",
      { id: "close-result", class: "stack no-print" },
      title,
      h("p", { class: "lead" }, `Shift ${session.number}`),
      h(
        "dl",
        { class: "card details result compact" },
        row("Opening cash", "opening-cash-result", money(session.opening_cash), "part"),
        row("+ Net cash in during the shift (sales, refunds, paid in and out, drops)", "cash-taken", takenIn, "part"),
        row("= Expected in the drawer", "expected-cash", money(session.expected_cash), "sum"),
        row("Counted in the drawer", "counted-cash-result", money(session.counted_cash)),
        row("Difference", "variance", variance.text, undefined, `variance ${variance.kind}`),
        session.float_left !== null ? row("Float left for the next shift", "float-left-result", money(session.float_left)) : null,
        session.cash_removed !== null ? row("Cash to the safe", "cash-removed-result", money(session.cash_removed)) : null,
      ),
      session.variance_reason
        ? h("p", { class: "closed-line" }, "Signed off by ", h("strong", { id: "signed-off-by" }, session.approved_by ? displayName(session.approved_by) : "—"), `: ${session.variance_reason}`)
        : null,
      h(
        "p",
        { class: "closed-line" },
        "Closed by ",
        h("strong", { id: "closed-by" }, session.closed_by ? displayName(session.closed_by) : "—"),
        " at ",
        h("strong", { id: "closed-at" }, session.closed_at ? formatClock(session.closed_at, zone) : "—"),
      ),
      backupSlot,
      mode === "close" ? backupSetting(session) : null,
      printControls(() => api.printZReport(session.id)),
      h("div", { class: "actions demo-choice sticky-actions" }, done, mode === "close" ? h("p", { class: "hint" }, "Done logs you out of this register.") : null),
      ),
      zSlot,
    ),
    clearPaper,
  );
  // Not "Done": it logs out, and a scanner's Enter must not press it.
  title.focus();
  void loadZReport(session, zSlot);
  if (mode === "close") void showBackup(session, backupSlot);
}

/** The backup the close took (when the device has a backup folder): where it went, or what is
 * wrong with the folder. The close is done either way. */
async function showBackup(session: SessionView, slot: HTMLElement): Promise<void> {
  const answer = await run(() => api.lastBackup(), { keepError: true });
  const backup = answer?.ok ? answer.value : null;
  if (!backup || backup.session !== session.number) return;
  slot.replaceChildren(
    backup.problem === null
      ? h("p", { id: "backup-result", class: "closed-line" }, "Backup saved: ", h("strong", {}, backup.file ?? ""))
      : h(
          "p",
          { id: "backup-result", class: "callout warning", role: "alert" },
          `The shift is closed, but no backup was made: ${backup.problem}. Fix the backup drive, then ask IT to run tillctl backup.`,
        ),
  );
}

/** Where this till copies its records after every close, and a manager's way to set it: the
 * embedded database only (PostgreSQL is IT's, on the server); IT's device file sets it on a
 * managed till. No folder is said as a warning: the records are then on one disk only. */
function backupSetting(session: SessionView): HTMLElement | null {
  const status = state.status;
  if (!status || status.database_kind !== "sqlite" || status.demo) return null;
  const folder = status.backup_folder;
  const change = h("button", { id: "backup-folder-change", type: "button", class: "secondary" }, folder ? "Change backup folder…" : "Set a backup folder…");
  change.addEventListener("click", () => askBackupFolder(session, change));
  const said = folder
    ? h("span", {}, "After every close, a copy goes to ", h("strong", { id: "backup-folder-now" }, folder), ". ")
    : h("span", {}, "No backup is made after a close: this till's records are on this PC's disk only. ");
  return h(
    "div",
    { id: "backup-setting", class: folder ? "backup-setting closed-line" : "backup-setting callout warning" },
    said,
    status.managed_by ? h("span", { class: "hint" }, `IT sets it in ${status.managed_by}.`) : change,
  );
}

/** The folder (typed: a USB drive's or a network share's full path; empty turns it off), then a
 * manager's approval. The backend checks the folder takes a file before it saves it. */
function askBackupFolder(session: SessionView, opener: HTMLElement): void {
  const input = h("input", {
    id: "backup-folder",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "/media/till/TILL-USB",
    value: state.status?.backup_folder ?? "",
    "aria-describedby": "backup-folder-hint",
  });
  const ask = sheet({
    id: "backup-folder-sheet",
    title: "Backup after every close",
    body: [
      h("div", { class: "field" }, h("label", { for: "backup-folder" }, "Folder (its full path)"), input),
      h(
        "p",
        { id: "backup-folder-hint", class: "hint" },
        "A USB drive or a network share, kept away from this PC. Leave it empty to stop the backups. A manager approves the change.",
      ),
    ],
    submitLabel: "Continue",
    onSubmit: () => {
      const folder = input.value.trim() || null;
      ask.close();
      void approveBackupFolder(session, folder);
    },
    onClose: () => {
      if (opener.isConnected) opener.focus();
    },
  });
  ask.open(input);
}

async function approveBackupFolder(session: SessionView, folder: string | null): Promise<void> {
  const managers = await listManagers();
  showApproval({
    title: folder ? "Set the backup folder" : "Stop the backups",
    lead: folder ? "After every close, this till copies its records to the folder below." : "After a close, no copy of this till's records will be made.",
    details: [folder ? `Folder: ${folder}` : "No backup folder"],
    submitLabel: "Approve",
    managers,
    approve: async (approval) => {
      const result = await run(() => api.setBackupFolder(folder, approval));
      // What is wrong with the folder (missing, not a full path, read-only) is the backend's to say.
      if (result && !result.ok && result.error.code === "invalid_input") showErrorText(result.error.message);
      if (!result?.ok) return false;
      setStatus(result.value);
      showClosed(session, "close");
      return true;
    },
    cancel: () => showClosed(session, "close"),
  });
}
