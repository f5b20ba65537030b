/** Entry point: the header, the routing between screens, and start-up. */
import "./styles.css";
import * as api from "./api";
import { byId, h, replace } from "./dom";
import { listManagers, showApproval } from "./screens/approval";
import { showCashMovement } from "./screens/cash";
import { showClose, showClosed, showLateCount } from "./screens/close";
import { showDay } from "./screens/day";
import { checkForgotten, startForgottenPoller } from "./screens/forgotten";
import { showXReport } from "./screens/reports";
import { showDamaged } from "./screens/damaged";
import { roleLabel, showLogin } from "./screens/login";
import { showRefund } from "./screens/refund";
import { cartWaitingForShift, showSale } from "./screens/sale";
import { showSession } from "./screens/session";
import { showSetup } from "./screens/setup";
import { showStart } from "./screens/start";
import { nav, state } from "./state";
import type { DeviceStatus } from "./types";
import { displayName } from "./time";
import { mount, onCommandError, run } from "./ui";

function renderHeader(): void {
  const status = state.status;
  byId("demo-banner").hidden = status?.demo !== true;
  document.body.classList.toggle("demo", status?.demo === true);
  const where = byId("where");
  const who = byId("who");
  if (status?.register) {
    replace(
      where,
      h("span", { class: "where-location" }, status.location?.name ?? status.register.location_name),
      h("span", { class: "where-register" }, `${status.register.name} (${status.register.address})`),
    );
  } else {
    replace(where);
  }
  const user = status?.logged_in;
  replace(who, user ? `${displayName(user.name)} · ${roleLabel(user.role)}` : "");
}

nav.setStatus = (status: DeviceStatus) => {
  const who = state.status?.logged_in?.name ?? null;
  const database = state.status?.database_identity ?? null;
  state.status = status;
  renderHeader();
  // The foot's database identity, from the first screen on (and when the database changes).
  if ((status.database_identity ?? null) !== database) void renderAbout();
  // Someone logged in or out: the forgotten-shift banner is theirs to see (or goes) at once.
  if ((status.logged_in?.name ?? null) !== who) void checkForgotten();
};

nav.route = async (given?: DeviceStatus) => {
  let status = given;
  if (!status) {
    const result = await run(() => api.deviceStatus());
    if (!result) return;
    if (!result.ok) {
      showStartupProblem();
      return;
    }
    status = result.value;
  }
  nav.setStatus(status);
  if (status.settings_damaged) return showDamaged(status.settings_damaged, status.managed_by);
  if (!status.configured) return nav.setup(status);
  if (!status.logged_in) return nav.login();
  const session = await run(() => api.currentSession());
  if (!session) return;
  if (!session.ok) {
    showStartupProblem();
    return;
  }
  // Start Shift decides: resume a session you are in, offer to join another's, or start one.
  nav.start(session.value);
};
nav.setup = showSetup;
nav.login = () => void showLogin();
nav.start = showStart;
// A cart left by a shift closed elsewhere comes back once a shift is open again.
nav.session = (session, arrival, checkNow) =>
  session.status === "open" && cartWaitingForShift() ? showSale(session) : showSession(session, arrival, checkNow);
nav.sale = showSale;
nav.refund = showRefund;
nav.close = (session) => void showClose(session);
nav.closed = (session) => showClosed(session);
nav.cash = (session) => void showCashMovement(session);
nav.xReport = (session) => void showXReport(session);
nav.day = (day) => void showDay(day ?? null);
nav.lateCount = showLateCount;
nav.checkForgotten = () => void checkForgotten();

/** device_status or current_session failed at start-up: the banner says why; offer a retry. */
function showStartupProblem(): void {
  const retry = h("button", { id: "retry", type: "button", class: "primary big" }, "Try again");
  retry.addEventListener("click", () => void nav.route());
  mount("problem", h("div", { class: "narrow stack" }, h("h1", {}, "Till can't start yet"), retry));
  retry.focus();
}

onCommandError((error) => {
  if (error.code === "not_logged_in" && state.status?.configured) {
    nav.setStatus({ ...state.status, logged_in: null });
    nav.login();
    return true;
  }
  if (error.code === "device_settings_damaged") {
    void nav.route();
    return true;
  }
  if (error.code === "device_not_set_up") {
    nav.setup(null);
    return true;
  }
  return false;
});

/** The About line: version and commit, and what the updater is doing when it has news. */
const UPDATE_POLL_MS = 30_000;
let built = "";
async function renderAbout(): Promise<void> {
  try {
    if (!built) {
      const info = await api.buildInfo();
      built = `Till ${info.version} · commit ${info.commit.slice(0, 12)}`;
    }
    const update = await api.updateStatus();
    const news = update.state !== "off" && update.state !== "up_to_date" && update.state !== "checking";
    // A downloaded update waiting: a manager may install it sooner (never over an open session;
    // the backend decides and says why not).
    const installNow =
      update.state === "waiting" && state.status?.configured
        ? h("button", { id: "install-update", type: "button", class: "secondary" }, "Install update now")
        : null;
    installNow?.addEventListener("click", () => void askToInstall(update.offered_version ?? "the update"));
    const line = aboutLine();
    replace(byId("about"), news ? `${line} · ${update.message}` : line, installNow);
  } catch {
    // The line is informational: a backend without it leaves it empty rather than alarming anyone.
  }
}

/** The build, and the database's identity, on every screen: a till pointed at another database
 * (with its own "manager") shows another id than the store's other tills. */
function aboutLine(): string {
  const identity = state.status?.database_identity;
  // Its last 8 hex digits: random in both backends' ids (a UUIDv7's first ones are its time).
  return identity ? `${built} · database ${identity.slice(-8)}` : built;
}

async function askToInstall(version: string): Promise<void> {
  showApproval({
    title: `Install update ${version}`,
    lead: "Till restarts into the new version. It never installs while the register's session is open.",
    submitLabel: "Install now",
    managers: await listManagers(),
    approve: async (approval) => {
      const result = await run(() => api.installUpdateNow(approval));
      if (!result?.ok) return false;
      replace(byId("about"), `${aboutLine()} · ${result.value.message}`);
      await nav.route();
      return true;
    },
    cancel: () => void nav.route(),
  });
}

void nav.route();
void renderAbout();
startForgottenPoller();
setInterval(() => void renderAbout(), UPDATE_POLL_MS);
