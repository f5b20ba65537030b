//! Till's desktop register: a Tauri v2 window over the web UI in `ui/dist`. The commands
//! delegate to till-core through [`state::AppState`]; the database is opened by till-backend.

// No console window behind the register on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod updates;

use till_app::{secrets, state};

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Instant;
use tauri::Manager;

/// When `main` started, for the start-up time in the log.
pub static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Logs a step of the start-up with the milliseconds since `main` started: `scripts/bench-desktop`
/// reads these lines to say where the time to the first screen goes.
pub fn start_up_step(step: &'static str) {
    tracing::info!(elapsed_ms = STARTED.elapsed().as_millis(), "start-up: {step}");
}

/// The customer display: a second window (`ui/customer.html`), full screen on the second monitor
/// when there is one, else beside the register's window. It can only read what the customer
/// may see (`capabilities/customer.json`). A window that cannot open is logged; selling goes on.
fn open_customer_display(app: &tauri::AppHandle) {
    let builder = tauri::WebviewWindowBuilder::new(app, "customer", tauri::WebviewUrl::App("customer.html".into()))
        .title("Till: customer display")
        .inner_size(800.0, 600.0);
    let main_monitor = app.get_webview_window("main").and_then(|w| w.current_monitor().ok().flatten());
    let other_monitor = app
        .available_monitors()
        .unwrap_or_default()
        .into_iter()
        .find(|m| main_monitor.as_ref().is_none_or(|main| m.position() != main.position()));
    let builder = match other_monitor {
        Some(monitor) => {
            let at = monitor.position().to_logical::<f64>(monitor.scale_factor());
            builder.position(at.x, at.y).fullscreen(true)
        }
        None => builder,
    };
    if let Err(e) = builder.build() {
        tracing::error!(error = %e, "the customer display's window could not open");
    }
}

/// WebKitGTK draws the register's pages without GL compositing unless the environment says
/// otherwise (`WEBKIT_DISABLE_COMPOSITING_MODE=0` turns compositing back on). A till's pages are
/// flat forms with no 3-D, video or canvas; composited, every frame goes through GL, which on a
/// machine without a GPU driver is Mesa's software renderer in each web process. Measured under
/// Xvfb (docs/benchmarks.md, "The desktop app"): the web process 98 MB PSS instead of 182 MB,
/// and a scan's frame no longer waits ~40 ms on the compositor. Set before GTK or WebKit start,
/// while this is the only thread: the web processes WebKit spawns inherit it.
#[cfg(target_os = "linux")]
fn draw_without_gl_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() {
        std::env::set_var(VAR, "1");
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    draw_without_gl_compositing();
    LazyLock::force(&STARTED);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new("warn,till_register=info,till_app=info,till_backend=info")
        }))
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
        // The main window's first page load, started and finished (WebKit has spawned its web
        // process and fetched the page; the UI's script runs after).
        .on_page_load(|webview, payload| {
            static FIRST_LOAD_DONE: AtomicBool = AtomicBool::new(false);
            if webview.label() != "main" || FIRST_LOAD_DONE.load(Ordering::Relaxed) {
                return;
            }
            match payload.event() {
                tauri::webview::PageLoadEvent::Started => start_up_step("page load started"),
                tauri::webview::PageLoadEvent::Finished => {
                    FIRST_LOAD_DONE.store(true, Ordering::Relaxed);
                    start_up_step("page load finished");
                }
            }
        })
        .setup(|app| {
            start_up_step("windows created");
            let handle = app.handle().clone();
            let build = updates::build_info(&handle);
            tracing::info!(version = %build.version, commit = %build.commit, "Till starting");
            app.manage(Arc::new(updates::Updates::new(updates::UpdateSettings::load(), build.version)));
            let warm = handle.clone();
            tauri::async_runtime::spawn(async move { warm.state::<state::AppState>().warm_up().await });
            if app.state::<state::AppState>().customer_display_window() {
                open_customer_display(&handle);
            }
            updates::spawn(handle);
            Ok(())
        })
        .invoke_handler(commands::handler(tauri::generate_handler![
            commands::build_info,
            commands::update_status,
            commands::install_update_now,
        ]))
        .build(tauri::generate_context!());
    start_up_step("GTK and the app built");
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            tracing::error!(error = %e, "Till could not start");
            std::process::exit(1);
        }
    }
}
