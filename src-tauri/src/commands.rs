//! The Tauri commands: exactly the names in `command_names.rs`, each a one-line delegation
//! to [`AppState`], which calls the core. Arguments arrive camelCased from `ui/src/api.ts`.

use crate::error::IpcError;
use crate::state::{AppState, DeviceStatus, SetupRequest, SetupResult};
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, State};
use till_core::{Register, SessionView, ShiftStartedView, User};

static FIRST_STATUS: AtomicBool = AtomicBool::new(true);

/// The UI's first call: it draws its first screen from the answer. The first answer logs the
/// time since the process started (`scripts/bench-desktop` waits for this line).
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn device_status(app: AppHandle, state: State<'_, AppState>) -> Result<DeviceStatus, IpcError> {
    let status = state.status(&app).await;
    if FIRST_STATUS.swap(false, Ordering::Relaxed) {
        tracing::info!(elapsed_ms = crate::STARTED.elapsed().as_millis(), "first device status answered");
    }
    status
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn setup_device(
    app: AppHandle,
    state: State<'_, AppState>,
    request: SetupRequest,
) -> Result<SetupResult, IpcError> {
    state.setup(&app, request).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn list_registers(app: AppHandle, state: State<'_, AppState>) -> Result<Vec<Register>, IpcError> {
    state.list_registers(&app).await
}

#[tauri::command]
#[tracing::instrument(skip(app, state))]
pub async fn choose_register(
    app: AppHandle,
    state: State<'_, AppState>,
    register: String,
) -> Result<DeviceStatus, IpcError> {
    state.choose_register(&app, &register).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn list_users(app: AppHandle, state: State<'_, AppState>) -> Result<Vec<User>, IpcError> {
    state.list_users(&app).await
}

#[tauri::command]
#[tracing::instrument(skip(app, state, pin))]
pub async fn login(app: AppHandle, state: State<'_, AppState>, user: String, pin: String) -> Result<User, IpcError> {
    state.login(&app, &user, &pin).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub fn logout(state: State<'_, AppState>) -> Result<(), IpcError> {
    state.logout();
    Ok(())
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn current_session(app: AppHandle, state: State<'_, AppState>) -> Result<Option<SessionView>, IpcError> {
    state.current_session(&app).await
}

#[tauri::command]
#[tracing::instrument(skip(app, state))]
pub async fn start_shift(
    app: AppHandle,
    state: State<'_, AppState>,
    opening_cash: Option<String>,
    notes: Option<String>,
) -> Result<ShiftStartedView, IpcError> {
    state.start_shift(&app, opening_cash.as_deref(), notes.as_deref()).await
}

#[tauri::command]
#[tracing::instrument(skip(app, state, manager_pin))]
pub async fn close_shift(
    app: AppHandle,
    state: State<'_, AppState>,
    session: String,
    counted_cash: String,
    manager: String,
    manager_pin: String,
) -> Result<SessionView, IpcError> {
    state.close_shift(&app, &session, &counted_cash, &manager, &manager_pin).await
}
