//! The Tauri commands: exactly the names in `command_names.rs`, each a one-line delegation
//! to [`AppState`], which calls the core. Arguments arrive camelCased from `ui/src/api.ts`.

use crate::updates::{self, BuildInfo, UpdateStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::{AppHandle, State};
use till_app::error::IpcError;
use till_app::state::{AppState, Approval, DeviceStatus, QuickKeys, SetupRequest, SetupResult};
use till_core::service::{RefundRequest, SaleLineRequest, SaleRequest};
use till_core::{
    Discount, PricedCart, Product, Receipt, ReceiptId, Register, RequestId, SessionId, SessionTotals, SessionView,
    ShiftStartedView, User,
};

static FIRST_STATUS: AtomicBool = AtomicBool::new(true);

/// The UI's first call: it draws its first screen from the answer. The first answer logs the
/// time since the process started (`scripts/bench-desktop` waits for this line).
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn device_status(state: State<'_, AppState>) -> Result<DeviceStatus, IpcError> {
    let status = state.status().await;
    if FIRST_STATUS.swap(false, Ordering::Relaxed) {
        tracing::info!(elapsed_ms = crate::STARTED.elapsed().as_millis(), "first device status answered");
    }
    status
}

/// `approval`: a manager's name and PIN, needed once the device is set up.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn setup_device(
    state: State<'_, AppState>,
    request: SetupRequest,
    approval: Option<Approval>,
) -> Result<SetupResult, IpcError> {
    state.setup(request, approval).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn list_registers(state: State<'_, AppState>) -> Result<Vec<Register>, IpcError> {
    state.list_registers().await
}

#[tauri::command]
#[tracing::instrument(skip(state, approval))]
pub async fn choose_register(
    state: State<'_, AppState>,
    register: String,
    approval: Option<Approval>,
) -> Result<DeviceStatus, IpcError> {
    state.choose_register(&register, approval).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn repair_settings(state: State<'_, AppState>, approval: Option<Approval>) -> Result<DeviceStatus, IpcError> {
    state.repair_settings(approval).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn list_users(state: State<'_, AppState>) -> Result<Vec<User>, IpcError> {
    state.list_users().await
}

#[tauri::command]
#[tracing::instrument(skip(state, pin))]
pub async fn login(state: State<'_, AppState>, user: String, pin: String) -> Result<User, IpcError> {
    state.login(&user, &pin).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn logout(state: State<'_, AppState>) -> Result<(), IpcError> {
    state.logout().await;
    Ok(())
}

#[tauri::command]
#[tracing::instrument(skip(state, approval))]
pub async fn unlock_user(state: State<'_, AppState>, user: String, approval: Approval) -> Result<User, IpcError> {
    state.unlock_user(&user, approval).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn current_session(state: State<'_, AppState>) -> Result<Option<SessionView>, IpcError> {
    state.current_session().await
}

/// `request_id` is chosen by the UI per user action and reused on retries: never applied twice.
#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn start_shift(
    state: State<'_, AppState>,
    request_id: RequestId,
    opening_cash: Option<String>,
    notes: Option<String>,
    denominations: Option<Vec<till_core::DenominationCount>>,
) -> Result<ShiftStartedView, IpcError> {
    state.start_shift(request_id, opening_cash.as_deref(), notes.as_deref(), denominations.unwrap_or_default()).await
}

#[tauri::command]
#[tracing::instrument(skip(state, approval))]
pub async fn close_shift(
    state: State<'_, AppState>,
    request_id: RequestId,
    session: String,
    counted_cash: String,
    approval: Approval,
    count: Option<till_core::CloseCount>,
) -> Result<SessionView, IpcError> {
    state.close_shift(request_id, &session, &counted_cash, approval, count.unwrap_or_default()).await
}

/// The version and git commit this app was built from, for the About line.
#[tauri::command]
pub fn build_info(app: AppHandle) -> BuildInfo {
    BuildInfo::of(&app)
}

/// The country presets the new-store screen offers (currency, locale, time zone, pricing, cash
/// rounding and the tax rates each will create): the same list as `tillctl location add --preset`.
#[tauri::command]
pub fn location_presets() -> Vec<till_core::location::PresetView> {
    till_core::location::preset_views()
}

/// The backup the last close on this device took, or why it failed: the close's result screen
/// shows it to the manager.
#[tauri::command]
pub async fn last_backup(state: State<'_, AppState>) -> Result<Option<till_app::state::BackupAfterClose>, IpcError> {
    state.last_backup().await
}

/// Sets (or with `null`, turns off) the folder this till copies its embedded database to after
/// every close; a manager approves.
#[tauri::command]
pub async fn set_backup_folder(
    state: State<'_, AppState>,
    folder: Option<String>,
    approval: Option<Approval>,
) -> Result<DeviceStatus, IpcError> {
    state.set_backup_folder(folder, approval).await
}

/// The updater's one-line status ("Update 0.1.1 downloaded: installs when the register is closed").
#[tauri::command]
pub fn update_status(app: AppHandle) -> UpdateStatus {
    updates::status(&app)
}

/// A manager installs the downloaded update now (still never over an open session).
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn install_update_now(app: AppHandle, approval: Approval) -> Result<UpdateStatus, IpcError> {
    updates::install_now(&app, approval).await
}

/// Read-only: called on every cart change; the screen shows exactly these totals.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn price_cart(
    state: State<'_, AppState>,
    lines: Vec<SaleLineRequest>,
    receipt_discount: Option<Discount>,
) -> Result<PricedCart, IpcError> {
    state.price_cart(lines, receipt_discount).await
}

/// `id` is chosen by the UI once per cart and reused on retry; `session_id` is the session the
/// screen shows (a session closed elsewhere answers `session_closed`).
#[tauri::command]
#[tracing::instrument(skip(state, request, approval))]
pub async fn record_sale(
    state: State<'_, AppState>,
    id: ReceiptId,
    session_id: SessionId,
    request: SaleRequest,
    approval: Option<Approval>,
) -> Result<Receipt, IpcError> {
    state.record_sale(id, session_id, request, approval).await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn find_product(
    state: State<'_, AppState>,
    barcode: Option<String>,
    sku: Option<String>,
) -> Result<Product, IpcError> {
    state.find_product(barcode.as_deref(), sku.as_deref()).await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn search_products(state: State<'_, AppState>, text: String) -> Result<Vec<Product>, IpcError> {
    state.search_products(&text).await
}

#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn quick_keys(state: State<'_, AppState>) -> Result<Vec<QuickKeys>, IpcError> {
    state.quick_keys().await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn find_receipt(state: State<'_, AppState>, number: String) -> Result<Receipt, IpcError> {
    state.find_receipt(&number).await
}

/// `approval`: the manager's name and PIN, checked in the backend.
#[tauri::command]
#[tracing::instrument(skip(state, request, approval))]
pub async fn refund(
    state: State<'_, AppState>,
    id: ReceiptId,
    receipt: String,
    request: RefundRequest,
    approval: Approval,
) -> Result<Receipt, IpcError> {
    state.refund(id, &receipt, request, approval).await
}

/// Polled by the session view: does not count as activity.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn session_totals(state: State<'_, AppState>) -> Result<Option<SessionTotals>, IpcError> {
    state.session_totals().await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn cash_reasons(state: State<'_, AppState>) -> Result<Vec<till_core::CashReason>, IpcError> {
    state.cash_reasons().await
}

/// `id` is chosen once per movement form and reused on retry.
#[tauri::command]
#[tracing::instrument(skip(state, approval))]
pub async fn record_movement(
    state: State<'_, AppState>,
    id: till_core::MovementId,
    kind: till_core::MovementKind,
    amount: Option<String>,
    reason: String,
    note: Option<String>,
    approval: Option<Approval>,
) -> Result<till_core::CashMovement, IpcError> {
    state.record_movement(id, kind, amount, reason, note, approval).await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn x_report(
    state: State<'_, AppState>,
    session: Option<String>,
) -> Result<till_core::reports::XReport, IpcError> {
    state.x_report(session).await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn z_report(state: State<'_, AppState>, session: String) -> Result<till_core::reports::ZReport, IpcError> {
    state.z_report(session).await
}

#[tauri::command]
#[tracing::instrument(skip(state, approval))]
pub async fn force_close(
    state: State<'_, AppState>,
    request_id: RequestId,
    session: String,
    reason: String,
    approval: Approval,
) -> Result<SessionView, IpcError> {
    state.force_close(request_id, session, reason, approval).await
}

#[tauri::command]
#[tracing::instrument(skip(state, approval))]
pub async fn late_count(
    state: State<'_, AppState>,
    session: String,
    counted_cash: String,
    count: Option<till_core::CloseCount>,
    approval: Approval,
) -> Result<SessionView, IpcError> {
    state.late_count(session, counted_cash, count.unwrap_or_default(), approval).await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn record_reprint(state: State<'_, AppState>, number: String) -> Result<(), IpcError> {
    state.record_reprint(number).await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn forgotten_sessions(state: State<'_, AppState>) -> Result<Vec<SessionView>, IpcError> {
    state.forgotten_sessions().await
}

#[tauri::command]
#[tracing::instrument(skip(state))]
pub async fn day_view(
    state: State<'_, AppState>,
    day: Option<chrono::NaiveDate>,
) -> Result<Vec<till_core::service::DaySession>, IpcError> {
    state.day_view(day).await
}
