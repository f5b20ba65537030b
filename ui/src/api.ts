/**
 * Typed wrappers for the backend's Tauri commands: the only module that calls `invoke`.
 * Every function rejects with an ApiError `{ code, message }`.
 */
import { invoke } from "@tauri-apps/api/core";
import { toApiError } from "./errors";
import type {
  DeviceStatus,
  RegisterView,
  SessionView,
  SetupRequest,
  SetupResult,
  ShiftStarted,
  UserView,
} from "./types";

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export const deviceStatus = (): Promise<DeviceStatus> => call("device_status");

export const setupDevice = (request: SetupRequest): Promise<SetupResult> => call("setup_device", { request });

export const listRegisters = (): Promise<RegisterView[]> => call("list_registers");

/** `register` is the address, e.g. "DT/R1". */
export const chooseRegister = (register: string): Promise<DeviceStatus> => call("choose_register", { register });

export const listUsers = (): Promise<UserView[]> => call("list_users");

export const login = (user: string, pin: string): Promise<UserView> => call("login", { user, pin });

export const logout = (): Promise<null> => call("logout");

export const currentSession = (): Promise<SessionView | null> => call("current_session");

/**
 * `openingCash` is a decimal string in the currency's decimals, e.g. "200.00"; `null` only joins
 * the open session (the backend answers `no_open_session` rather than open a drawer with no float).
 */
export const startShift = (openingCash: string | null, notes: string | null): Promise<ShiftStarted> =>
  call("start_shift", { openingCash, notes });

/** Closes the session the screen shows, by id: never whichever session happens to be open now. */
export const closeShift = (session: string, countedCash: string, manager: string, managerPin: string): Promise<SessionView> =>
  call("close_shift", { session, countedCash, manager, managerPin });
