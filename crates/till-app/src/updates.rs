//! What the in-app updater tells the screens (`update_status`, `install_update_now`), and the
//! build the About line names (`build_info`). The updater
//! itself is src-tauri's (it needs the Tauri plugin); its answers are typed here so the UI's
//! types are generated with the rest.

use serde::Serialize;

/// Where the updater is, for the UI's status line and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    /// No endpoint, policy off, or a build without an update key.
    Off,
    UpToDate,
    Checking,
    Downloading,
    /// Downloaded and verified; waiting until nobody is logged in and no session is open.
    Waiting,
    Installing,
    /// Installed; the app restarts into it.
    Installed,
    /// Offered but refused (bad signature, wrong key, downgrade); the app keeps its version.
    Refused,
    /// The endpoint or the install failed; tried again later.
    Failed,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct UpdateStatus {
    pub state: UpdateState,
    /// The running version.
    pub current_version: String,
    /// The version offered, when one is.
    pub offered_version: Option<String>,
    /// One line for the UI and the log.
    pub message: String,
}

/// The version and commit this app was built from (the About line). src-tauri fills it in: the
/// version is the Tauri package's.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BuildInfo {
    pub version: String,
    /// The git commit, or "unknown".
    pub commit: String,
}
