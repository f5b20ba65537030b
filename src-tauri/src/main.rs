//! Till's desktop register: a Tauri v2 window over the web UI in `ui/dist`. The commands
//! delegate to till-core through [`state::AppState`]; the database is opened by till-backend.

// No console window behind the register on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod updates;

use till_app::{secrets, state};

use std::io::IsTerminal;
use std::sync::{Arc, LazyLock};
use std::time::Instant;
use tauri::Manager;

/// When the process started, for the start-up time in the log.
pub static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

fn main() {
    LazyLock::force(&STARTED);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,till_register=info,till_backend=info")),
        )
        .init();
    let keyring = Arc::new(secrets::OsKeyring);
    let app = tauri::Builder::default()
        // Registered but holding nothing: device.json needs an atomic save and must never read a
        // damaged file as empty, which the plugin does not offer (see `settings`). The UI is
        // granted none of its commands.
        .plugin(tauri_plugin_store::Builder::new().build())
        // The UI is granted none of the updater's commands either: it reads `update_status`.
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(state::AppState::for_app(keyring))
        .setup(|app| {
            let handle = app.handle().clone();
            let build = updates::BuildInfo::of(&handle);
            tracing::info!(version = %build.version, commit = %build.commit, "Till starting");
            app.manage(Arc::new(updates::Updates::new(updates::UpdateSettings::load(), build.version)));
            let warm = handle.clone();
            tauri::async_runtime::spawn(async move { warm.state::<state::AppState>().warm_up().await });
            updates::spawn(handle);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::device_status,
            commands::setup_device,
            commands::list_registers,
            commands::choose_register,
            commands::repair_settings,
            commands::list_users,
            commands::login,
            commands::logout,
            commands::unlock_user,
            commands::current_session,
            commands::start_shift,
            commands::close_shift,
            commands::build_info,
            commands::location_presets,
            commands::last_backup,
            commands::set_backup_folder,
            commands::update_status,
            commands::install_update_now,
            commands::price_cart,
            commands::record_sale,
            commands::find_product,
            commands::search_products,
            commands::quick_keys,
            commands::find_receipt,
            commands::refund,
            commands::session_totals,
            commands::cash_reasons,
            commands::record_movement,
            commands::x_report,
            commands::z_report,
            commands::force_close,
            commands::late_count,
            commands::record_reprint,
            commands::forgotten_sessions,
            commands::day_view,
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            tracing::error!(error = %e, "Till could not start");
            std::process::exit(1);
        }
    }
}
