/// Every command the backend offers the UI: `build.rs` generates one permission per name,
/// `capabilities/main.json` grants exactly these, and `ui/src/api.ts` calls exactly these
/// (`tests/shape.rs` holds the four to each other).
pub const COMMANDS: &[&str] = &[
    "device_status",
    "setup_device",
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
    "build_info",
    "update_status",
    "install_update_now",
];
