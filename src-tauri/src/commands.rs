//! The webview's commands. The application's (every one but `SHELL_COMMANDS`) go to
//! [`till_app::commands::call`], the one table the browser tests' bridge uses too; the shell's
//! three (the build and the updater's) are Tauri commands here. Tauri's ACL has allowed the name
//! (`capabilities/main.json`, permissions generated from till-app's `command_names.rs`) before either runs.

use crate::updates::{self, BuildInfo, UpdateStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use tauri::ipc::{Invoke, InvokeBody};
use tauri::{AppHandle, Manager, Runtime};
use till_app::error::IpcError;
use till_app::state::{AppState, Approval};

static FIRST_STATUS: AtomicBool = AtomicBool::new(true);

/// The invoke handler: the application's commands through till-app's table, the rest to
/// `shell` (the shell's `generate_handler!`). Arguments arrive camelCased from `ui/src/api.ts`.
pub fn handler<R: Runtime>(
    shell: impl Fn(Invoke<R>) -> bool + Send + Sync + 'static,
) -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    move |invoke| {
        let command = invoke.message.command().to_string();
        if !till_app::commands::serves(&command) {
            return shell(invoke);
        }
        let args = match invoke.message.payload() {
            InvokeBody::Json(args) => args.clone(),
            InvokeBody::Raw(_) => serde_json::Value::Null,
        };
        let app = invoke.message.webview().app_handle().clone();
        invoke.resolver.respond_async(async move {
            let answer = till_app::commands::call(&app.state::<AppState>(), &command, args).await;
            // The UI's first call: it draws its first screen from the answer. The first answer
            // logs the time since the process started (`scripts/bench-desktop` waits for it).
            if command == "device_status" && FIRST_STATUS.swap(false, Ordering::Relaxed) {
                tracing::info!(elapsed_ms = crate::STARTED.elapsed().as_millis(), "first device status answered");
            }
            answer.map_err(tauri::ipc::InvokeError::from)
        });
        true
    }
}

/// The version and git commit this app was built from, for the About line.
#[tauri::command]
pub fn build_info(app: AppHandle) -> BuildInfo {
    updates::build_info(&app)
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
