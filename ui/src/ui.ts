/**
 * The app shell: where errors show (a field's reserved line, the screen's primary line, or the
 * banner that overlays the header, so the page never moves), the busy state (every button is
 * disabled while a command runs, so nothing is submitted twice, and the pressed button says
 * what it is doing) and the screen slot with its clean-up.
 */
import { byId, replace, type Child } from "./dom";
import { errorMessage, toApiError } from "./errors";
import type { ApiError } from "./types";

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

let busy = 0;
let cleanup: (() => void) | null = null;
let errorHandler: (error: ApiError) => boolean = () => false;

export function isBusy(): boolean {
  return busy > 0;
}

/**
 * Called for every failed command after the banner is shown and the buttons are unlocked.
 * Returns true when it took over (e.g. went back to the login screen); `run` then returns null.
 */
export function onCommandError(handler: (error: ApiError) => boolean): void {
  errorHandler = handler;
}

export function showError(error: unknown): void {
  showErrorText(errorMessage(error));
}

/**
 * Shows an error: next to `field` when given (its reserved line, `aria-invalid` on it), else in
 * the screen's primary reserved line (the PIN pad's), else in the banner over the header.
 */
export function showErrorText(text: string, field?: HTMLElement): void {
  clearError();
  const slot = field
    ? document.getElementById(`${field.id}-error`)
    : document.querySelector<HTMLElement>('#screen [data-error-slot="primary"]');
  if (slot) {
    slot.textContent = text;
    const owner = document.getElementById(slot.dataset["errorFor"] ?? "");
    owner?.setAttribute("aria-invalid", "true");
    return;
  }
  field?.setAttribute("aria-invalid", "true");
  const banner = byId("error");
  banner.textContent = text;
  banner.hidden = false;
}

/** Clears the banner and every reserved error line, and the `aria-invalid` they set. */
export function clearError(): void {
  const banner = byId("error");
  banner.textContent = "";
  banner.hidden = true;
  for (const slot of document.querySelectorAll<HTMLElement>("[data-error-slot]")) {
    if (slot.textContent === "") continue;
    slot.textContent = "";
    document.getElementById(slot.dataset["errorFor"] ?? "")?.removeAttribute("aria-invalid");
  }
}

function setBusy(on: boolean): void {
  document.body.classList.toggle("busy", on);
  byId("screen").setAttribute("aria-busy", String(on));
  if (on) {
    for (const button of document.querySelectorAll<HTMLButtonElement>("button:not([disabled])")) {
      button.disabled = true;
      button.dataset["busyLocked"] = "";
    }
  } else {
    for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-busy-locked]")) {
      button.disabled = false;
      delete button.dataset["busyLocked"];
    }
  }
}

/**
 * Runs one user-started command: clears the banner, locks the buttons, shows the cashier
 * words on failure. Returns null without running when another command is still going, and
 * null when the global error handler took over (the caller then has nothing left to do).
 * `keepError` is for loads a screen does on arrival: the banner that sent us there stays.
 */
export async function run<T>(
  command: () => Promise<T>,
  options: { keepError?: boolean; busy?: { button: HTMLButtonElement; text: string } | undefined } = {},
): Promise<Outcome<T> | null> {
  if (busy > 0) return null;
  if (!options.keepError) clearError();
  busy++;
  // The pressed button says what is happening ("Starting shift…"), not only the bar.
  const label = options.busy ? options.busy.button.textContent : null;
  if (options.busy) options.busy.button.textContent = options.busy.text;
  setBusy(true);
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: await command() };
  } catch (raw) {
    outcome = { ok: false, error: toApiError(raw) };
    showError(outcome.error);
  } finally {
    busy--;
    if (options.busy && label !== null) options.busy.button.textContent = label;
    setBusy(false);
  }
  if (!outcome.ok && errorHandler(outcome.error)) return null;
  return outcome;
}

/** Puts a screen in place, running the previous screen's clean-up (timers) first. */
export function mount(screenName: string, content: Child, onLeave?: () => void): void {
  cleanup?.();
  cleanup = onLeave ?? null;
  const slot = byId("screen");
  slot.dataset["screen"] = screenName;
  // The page's layout may depend on the screen (the sale screen fits the window, never scrolls).
  document.body.dataset["screen"] = screenName;
  replace(slot, content);
  // A new screen opens at its top, whatever the last one was scrolled to.
  window.scrollTo(0, 0);
  if (busy > 0) setBusy(true);
}

/** Focuses an element after it is in the document. */
export function focus(el: HTMLElement | null | undefined): void {
  el?.focus();
}
