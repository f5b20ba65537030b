/**
 * The app shell: the error banner, the busy state (every button is disabled while a command
 * runs, so nothing is submitted twice) and the screen slot with its clean-up.
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

export function showErrorText(text: string): void {
  const banner = byId("error");
  banner.textContent = text;
  banner.hidden = false;
}

export function clearError(): void {
  const banner = byId("error");
  banner.textContent = "";
  banner.hidden = true;
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
export async function run<T>(command: () => Promise<T>, options: { keepError?: boolean } = {}): Promise<Outcome<T> | null> {
  if (busy > 0) return null;
  if (!options.keepError) clearError();
  busy++;
  setBusy(true);
  let outcome: Outcome<T>;
  try {
    outcome = { ok: true, value: await command() };
  } catch (raw) {
    outcome = { ok: false, error: toApiError(raw) };
    showError(outcome.error);
  } finally {
    busy--;
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
  replace(slot, content);
  if (busy > 0) setBusy(true);
}

/** Focuses an element after it is in the document. */
export function focus(el: HTMLElement | null | undefined): void {
  el?.focus();
}
