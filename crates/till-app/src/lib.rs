//! Till's register application, without a window: [`state::AppState`] holds the device's
//! settings ([`settings`]), its database password ([`secrets`]) and the login, and answers every
//! command the screens call. It has no Tauri in it, so the same code serves the webview (src-tauri's
//! commands are one-line calls into it) and the browser tests (a loopback bridge).

pub mod activity;
pub mod commands;
pub mod error;
pub mod pole;
pub mod printing;
pub mod secrets;
pub mod settings;
pub mod state;
pub mod updates;
