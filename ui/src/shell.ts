/**
 * The frame around every screen: the header (where, who, the demo banner), the About line under
 * the screen (build, database, updates), and `setStatus`, which remembers a new device status and
 * redraws them.
 */
import * as api from "./api";
import { byId, h, replace } from "./dom";
import { route } from "./router";
import { listManagers, showApproval } from "./screens/approval";
import { checkForgotten } from "./screens/forgotten";
import { roleLabel } from "./screens/login";
import { state } from "./state";
import { displayName } from "./time";
import type { DeviceStatus } from "./types";
import { run } from "./ui";

/** How often the About line asks the updater what it is doing. */
export const UPDATE_POLL_MS = 30_000;

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

/** Remembers a new device status and redraws the header (and what depends on who is logged in). */
export function setStatus(status: DeviceStatus): void {
  const who = state.status?.logged_in?.name ?? null;
  const database = state.status?.database_identity ?? null;
  state.status = status;
  renderHeader();
  // The foot's database identity, from the first screen on (and when the database changes).
  if ((status.database_identity ?? null) !== database) void renderAbout();
  // Someone logged in or out: the forgotten-shift banner is theirs to see (or goes) at once.
  if ((status.logged_in?.name ?? null) !== who) void checkForgotten();
}

/** The About line: version and commit, and what the updater is doing when it has news. */
let built = "";
export async function renderAbout(): Promise<void> {
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
      await route();
      return true;
    },
    cancel: () => void route(),
  });
}
