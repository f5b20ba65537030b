// Included by src-tauri's build.rs (which cannot depend on this crate without compiling all of
// it for the build script) as well as compiled into till-app: keep it plain constants.

/// Every command the backend offers the UI: src-tauri's `build.rs` generates one permission
/// per name, `capabilities/main.json` grants exactly these, and `ui/src/api.ts` calls exactly
/// these (src-tauri's `tests/shape.rs` holds the four to each other).
pub const COMMANDS: &[&str] = &[
    "device_status",
    "setup_device",
    "location_presets",
    "list_registers",
    "choose_register",
    "repair_settings",
    "list_users",
    "login",
    "logout",
    "unlock_user",
    "current_session",
    "start_shift",
    "close_shift",
    "last_backup",
    "set_backup_folder",
    "set_hardware",
    "print_test_page",
    "open_items",
    "build_info",
    "update_status",
    "install_update_now",
    "price_cart",
    "record_sale",
    "find_product",
    "search_products",
    "quick_keys",
    "find_receipt",
    "quote_refund",
    "refund",
    "session_totals",
    "cash_reasons",
    "record_movement",
    "x_report",
    "z_report",
    "force_close",
    "late_count",
    "sign_off_figures",
    "check_approval",
    "record_reprint",
    "printer_status",
    "print_x_report",
    "print_z_report",
    "show_customer",
    "customer_view",
    "record_void",
    "forgotten_sessions",
    "day_view",
];

/// The desktop shell's commands (the build it is, and the updater's): src-tauri answers them.
/// Every other command is the application's (`till_app::commands::call`).
pub const SHELL_COMMANDS: &[&str] = &["build_info", "update_status", "install_update_now"];
