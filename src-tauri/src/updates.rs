//! In-app updates that never interrupt a shift.
//!
//! The endpoint and policy come from the device's system settings (IT's file, never the UI or
//! the environment of a release build). The app checks at start-up and every hour, downloads a
//! newer release in the background (tauri-plugin-updater verifies its minisign signature, and
//! the version it was signed for, against the key built into the app), and installs it only
//! when [`decide`] says so: nobody logged in on this device and this device's register has no
//! open session, or a manager said "install now" (which still never installs over an open
//! session). After installing it restarts into the new version.
//!
//! The UI never talks to the updater plugin: it gets [`UpdateStatus`] through the app's own
//! `update_status` command, and the window is granted none of the plugin's commands.

use std::cmp::Ordering;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::UpdaterExt;
use till_app::activity::{Activity, RegisterState};
use till_app::error::IpcError;
use till_app::state::{AppState, Approval};
pub use till_app::updates::{BuildInfo, UpdateState, UpdateStatus};
use tokio::sync::Mutex;

/// How often the endpoint is asked for a newer release.
const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);
/// How often a downloaded update looks again whether the register is closed.
const IDLE_POLL: Duration = Duration::from_secs(10);

/// `[updates] policy` in the device file.
pub use till_backend::device_file::UpdatePolicy;

/// Where updates come from and when they install: the `[updates]` table of the system device
/// file (root-owned: a cashier cannot point the till at their own update server), read by
/// till-backend's `device_file`, the one parser of that file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpdateSettings {
    /// The URL of the static `latest.json` on the store's file server.
    pub endpoint: Option<String>,
    pub policy: UpdatePolicy,
}

impl UpdateSettings {
    /// The settings this build honours. Release builds read only the system device file; debug
    /// builds also take `TILL_UPDATE_ENDPOINT` / `TILL_UPDATE_POLICY` from the environment, for
    /// development (never a release: a cashier must not choose the update server).
    pub fn load() -> Result<UpdateSettings, String> {
        let path = till_backend::device_file::path();
        let file = till_backend::device_file::DeviceFile::load(&path).map_err(|e| e.to_string())?;
        let mut settings = UpdateSettings::from_device_file(file.as_ref());
        if cfg!(debug_assertions) {
            if let Ok(endpoint) = std::env::var("TILL_UPDATE_ENDPOINT") {
                check_endpoint(&endpoint)?;
                settings.endpoint = Some(endpoint);
            }
            if let Ok(policy) = std::env::var("TILL_UPDATE_POLICY") {
                settings.policy = UpdatePolicy::parse(&policy)
                    .ok_or_else(|| format!("update policy {policy:?} must be when-idle, manual or off"))?;
            }
        }
        Ok(settings)
    }

    /// A device file's `[updates]`; no file: no endpoint (updates off).
    pub fn from_device_file(file: Option<&till_backend::device_file::DeviceFile>) -> UpdateSettings {
        file.map_or_else(UpdateSettings::default, |file| UpdateSettings {
            endpoint: file.updates.endpoint.clone(),
            policy: file.updates.policy,
        })
    }
}

/// An https URL (release builds of the updater refuse anything else; debug builds also take
/// http for local testing).
fn check_endpoint(endpoint: &str) -> Result<(), String> {
    let url: tauri::Url = endpoint.parse().map_err(|e| format!("update endpoint {endpoint:?}: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if cfg!(debug_assertions) => Ok(()),
        scheme => Err(format!("update endpoint {endpoint:?} must use https, not {scheme}")),
    }
}

/// Who asks for the install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The background task, after a download and then every few seconds.
    Automatic,
    /// A manager's "install now" (name and PIN checked by the backend).
    Manager,
}

/// Why a downloaded update does not install yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    SessionOpen { session: String },
    RegisterUnknown { why: String },
    LoggedIn { user: String },
    ManagerNeeded,
    Off,
}

impl std::fmt::Display for Wait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Wait::SessionOpen { session } => {
                write!(f, "installs when the register is closed (session {session} is open)")
            }
            Wait::RegisterUnknown { why } => {
                write!(f, "waits: cannot tell whether the register is open ({why})")
            }
            Wait::LoggedIn { user } => write!(f, "installs when {user} logs out and the register is closed"),
            Wait::ManagerNeeded => write!(f, "installs when a manager chooses Install now"),
            Wait::Off => write!(f, "updates are off on this device"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Install,
    Wait(Wait),
}

/// Whether a downloaded update may install now. Never over an open session (not even for a
/// manager: that would end the shift on this device mid-sale), never when the register's
/// state is unknown; automatically only with the `when-idle` policy and nobody logged in.
pub fn decide(policy: UpdatePolicy, trigger: Trigger, activity: &Activity) -> Decision {
    if policy == UpdatePolicy::Off {
        return Decision::Wait(Wait::Off);
    }
    match &activity.register {
        RegisterState::Open { session } => return Decision::Wait(Wait::SessionOpen { session: session.clone() }),
        RegisterState::Unknown { why } => return Decision::Wait(Wait::RegisterUnknown { why: why.clone() }),
        RegisterState::NotChosen | RegisterState::Closed => {}
    }
    match (trigger, policy) {
        (Trigger::Manager, _) => Decision::Install,
        (Trigger::Automatic, UpdatePolicy::Manual) => Decision::Wait(Wait::ManagerNeeded),
        (Trigger::Automatic, _) => match &activity.logged_in {
            Some(user) => Decision::Wait(Wait::LoggedIn { user: user.clone() }),
            None => Decision::Install,
        },
    }
}

/// What the endpoint offered, against the running version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Offer {
    Newer(String),
    Same,
    /// Refused: a manifest may not take a till back to an older release.
    Older(String),
}

/// The version and commit this app was built from (the About line).
pub fn build_info<R: Runtime>(app: &AppHandle<R>) -> BuildInfo {
    BuildInfo { version: app.package_info().version.to_string(), commit: env!("TILL_BUILD_COMMIT").to_string() }
}

/// A downloaded, verified update.
struct Pending {
    update: tauri_plugin_updater::Update,
    bytes: Vec<u8>,
}

/// The updater's state, managed by the app.
pub struct Updates {
    settings: Result<UpdateSettings, String>,
    status: StdMutex<UpdateStatus>,
    pending: Mutex<Option<Pending>>,
}

impl Updates {
    pub fn new(settings: Result<UpdateSettings, String>, current_version: String) -> Self {
        let status = UpdateStatus {
            state: UpdateState::Off,
            current_version,
            offered_version: None,
            message: "Updates: not checked yet".into(),
        };
        Updates { settings, status: StdMutex::new(status), pending: Mutex::new(None) }
    }

    pub fn status(&self) -> UpdateStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Sets the status and logs it (the log is what IT and the package test read).
    fn set(&self, state: UpdateState, offered: Option<&str>, message: String) {
        match state {
            UpdateState::Refused | UpdateState::Failed => tracing::warn!(?state, "{message}"),
            _ => tracing::info!(?state, "{message}"),
        }
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        status.state = state;
        status.offered_version = offered.map(str::to_string);
        status.message = message;
    }
}

/// Starts the background task. Does nothing but set the status when updates are off.
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move { run(app).await });
}

async fn run<R: Runtime>(app: AppHandle<R>) {
    let updates = app.state::<Arc<Updates>>().inner().clone();
    let settings = match &updates.settings {
        Ok(settings) => settings.clone(),
        Err(e) => {
            updates.set(UpdateState::Off, None, format!("Updates off: the device file is unusable: {e}"));
            return;
        }
    };
    let Some(endpoint) = settings.endpoint.clone().filter(|_| settings.policy != UpdatePolicy::Off) else {
        let why = if settings.policy == UpdatePolicy::Off { "policy off" } else { "no endpoint" };
        updates.set(
            UpdateState::Off,
            None,
            format!("Updates off on this device ({why} in {})", till_backend::device_file::path().display()),
        );
        return;
    };
    if app
        .config()
        .plugins
        .0
        .get("updater")
        .and_then(|u| u.get("pubkey"))
        .and_then(|k| k.as_str())
        .unwrap_or("")
        .is_empty()
    {
        updates.set(
            UpdateState::Off,
            None,
            "Updates off: this build has no update key (build it with scripts/package)".into(),
        );
        return;
    }
    let mut next_check = tokio::time::Instant::now();
    loop {
        let has_pending = updates.pending.lock().await.is_some();
        if !has_pending && tokio::time::Instant::now() >= next_check {
            check_and_download(&app, &updates, &endpoint).await;
            next_check = tokio::time::Instant::now() + CHECK_EVERY;
        }
        if updates.pending.lock().await.is_some() {
            let _ = install_if_allowed(&app, &updates, settings.policy, Trigger::Automatic).await;
        }
        let pause = if updates.pending.lock().await.is_some() { IDLE_POLL } else { CHECK_EVERY };
        tokio::time::sleep(pause).await;
    }
}

async fn check_and_download<R: Runtime>(app: &AppHandle<R>, updates: &Updates, endpoint: &str) {
    updates.set(UpdateState::Checking, None, format!("Checking for updates at {endpoint}"));
    let offered: Arc<StdMutex<Option<(Ordering, String)>>> = Arc::default();
    let seen = offered.clone();
    let updater = tauri::Url::parse(endpoint)
        .map_err(|e| e.to_string())
        .and_then(|url| app.updater_builder().endpoints(vec![url]).map_err(|e| e.to_string()))
        .map(|builder| {
            builder
                .timeout(Duration::from_secs(120))
                // The default comparator, remembering what was offered so a downgrade can be
                // named instead of passing for "up to date".
                .version_comparator(move |current, release| {
                    let order = release.version.cmp(&current);
                    if let Ok(mut seen) = seen.lock() {
                        *seen = Some((order, release.version.to_string()));
                    }
                    order == Ordering::Greater
                })
        })
        .and_then(|builder| builder.build().map_err(|e| e.to_string()));
    let updater = match updater {
        Ok(updater) => updater,
        Err(e) => return updates.set(UpdateState::Failed, None, format!("Update check failed: {e}")),
    };
    let update = match updater.check().await {
        Ok(update) => update,
        Err(e) => return updates.set(UpdateState::Failed, None, format!("Update check failed: {e}")),
    };
    let offer = match (&update, offered.lock().ok().and_then(|o| o.clone())) {
        (Some(update), _) => Offer::Newer(update.version.clone()),
        (None, Some((Ordering::Less, version))) => Offer::Older(version),
        (None, _) => Offer::Same,
    };
    let current = updates.status().current_version;
    let update = match (offer, update) {
        (Offer::Newer(_), Some(update)) => update,
        (Offer::Older(version), _) => {
            return updates.set(
                UpdateState::Refused,
                Some(&version),
                format!("Update {version} refused: it is older than the running {current} (no downgrades)"),
            )
        }
        _ => return updates.set(UpdateState::UpToDate, None, format!("Till {current} is up to date")),
    };
    let version = update.version.clone();
    updates.set(UpdateState::Downloading, Some(&version), format!("Downloading update {version}"));
    match update.download(|_, _| {}, || {}).await {
        Ok(bytes) => {
            *updates.pending.lock().await = Some(Pending { update, bytes });
            updates.set(
                UpdateState::Waiting,
                Some(&version),
                format!("Update {version} downloaded: installs when the register is closed"),
            );
        }
        Err(e) => {
            let (state, message) = match &e {
                tauri_plugin_updater::Error::Minisign(_)
                | tauri_plugin_updater::Error::Base64(_)
                | tauri_plugin_updater::Error::SignatureUtf8(_)
                | tauri_plugin_updater::Error::SignedVersionMismatch { .. }
                | tauri_plugin_updater::Error::MissingSignedVersion => (
                    UpdateState::Refused,
                    format!(
                        "Update {version} refused: its signature does not verify with this till's update key \
                         (a tampered file, or signed with another key): {e}"
                    ),
                ),
                _ => (UpdateState::Failed, format!("Update {version} could not be downloaded: {e}")),
            };
            updates.set(state, Some(&version), message);
        }
    }
}

/// Installs the downloaded update if [`decide`] allows it now; the device is held meanwhile,
/// so nobody logs in or starts a shift on it between the decision and the restart.
async fn install_if_allowed<R: Runtime>(
    app: &AppHandle<R>,
    updates: &Updates,
    policy: UpdatePolicy,
    trigger: Trigger,
) -> Decision {
    let mut pending = updates.pending.lock().await;
    let Some(ready) = pending.as_ref() else {
        return Decision::Wait(Wait::Off);
    };
    let version = ready.update.version.clone();
    let state = app.state::<AppState>();
    let mut device = state.hold_device().await;
    let activity = state.activity(&mut device).await;
    let decision = decide(policy, trigger, &activity);
    match &decision {
        Decision::Wait(wait) => {
            updates.set(UpdateState::Waiting, Some(&version), format!("Update {version} downloaded: {wait}"));
        }
        Decision::Install => {
            updates.set(UpdateState::Installing, Some(&version), format!("Installing update {version}"));
            let Some(Pending { update, bytes }) = pending.take() else { return decision };
            let installed = tauri::async_runtime::spawn_blocking(move || update.install(bytes).map(|()| update))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            match installed {
                Ok(_) => {
                    updates.set(
                        UpdateState::Installed,
                        Some(&version),
                        format!("Update {version} installed: restarting"),
                    );
                    drop(device);
                    app.restart();
                }
                Err(e) => {
                    updates.set(
                        UpdateState::Failed,
                        Some(&version),
                        format!("Update {version} could not be installed: {e} (tried again at the next check)"),
                    );
                }
            }
        }
    }
    decision
}

/// `update_status`: the UI's status line.
pub fn status<R: Runtime>(app: &AppHandle<R>) -> UpdateStatus {
    app.state::<Arc<Updates>>().status()
}

/// `install_update_now`: a manager's approval, checked against this device's database, then
/// the same decision as the background task (it still waits for an open session to close).
pub async fn install_now<R: Runtime>(app: &AppHandle<R>, approval: Approval) -> Result<UpdateStatus, IpcError> {
    let updates = app.state::<Arc<Updates>>().inner().clone();
    let manager = app.state::<AppState>().authorize_manager(approval).await?;
    let policy = updates.settings.as_ref().map(|s| s.policy).unwrap_or(UpdatePolicy::Off);
    if updates.pending.lock().await.is_none() {
        let mut status = updates.status();
        status.message = format!("No update is downloaded: {}", status.message);
        return Ok(status);
    }
    tracing::info!(manager = %manager.name, "a manager asked to install the downloaded update now");
    if let Decision::Wait(wait) = install_if_allowed(app, &updates, policy, Trigger::Manager).await {
        tracing::info!("install now refused: {wait}");
    }
    Ok(updates.status())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(logged_in: Option<&str>, register: RegisterState) -> Activity {
        Activity { logged_in: logged_in.map(str::to_string), register }
    }

    fn open() -> RegisterState {
        RegisterState::Open { session: "DT-20261129-001".into() }
    }

    #[test]
    fn installs_by_itself_only_when_nobody_works_on_the_device() {
        let idle = activity(None, RegisterState::Closed);
        assert_eq!(decide(UpdatePolicy::WhenIdle, Trigger::Automatic, &idle), Decision::Install);
        let set_up_screen = activity(None, RegisterState::NotChosen);
        assert_eq!(decide(UpdatePolicy::WhenIdle, Trigger::Automatic, &set_up_screen), Decision::Install);
        let logged_in = activity(Some("alice"), RegisterState::Closed);
        assert_eq!(
            decide(UpdatePolicy::WhenIdle, Trigger::Automatic, &logged_in),
            Decision::Wait(Wait::LoggedIn { user: "alice".into() })
        );
    }

    #[test]
    fn never_over_an_open_session_not_even_for_a_manager() {
        for policy in [UpdatePolicy::WhenIdle, UpdatePolicy::Manual] {
            for trigger in [Trigger::Automatic, Trigger::Manager] {
                for who in [None, Some("alice")] {
                    assert_eq!(
                        decide(policy, trigger, &activity(who, open())),
                        Decision::Wait(Wait::SessionOpen { session: "DT-20261129-001".into() }),
                        "{policy:?} {trigger:?} {who:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_unknown_register_is_treated_as_possibly_open() {
        let unknown = activity(None, RegisterState::Unknown { why: "database_unavailable".into() });
        for trigger in [Trigger::Automatic, Trigger::Manager] {
            assert!(matches!(
                decide(UpdatePolicy::WhenIdle, trigger, &unknown),
                Decision::Wait(Wait::RegisterUnknown { .. })
            ));
        }
    }

    #[test]
    fn a_manager_installs_over_a_login_and_under_the_manual_policy() {
        let logged_in = activity(Some("bob"), RegisterState::Closed);
        assert_eq!(decide(UpdatePolicy::WhenIdle, Trigger::Manager, &logged_in), Decision::Install);
        assert_eq!(decide(UpdatePolicy::Manual, Trigger::Manager, &logged_in), Decision::Install);
        let idle = activity(None, RegisterState::Closed);
        assert_eq!(decide(UpdatePolicy::Manual, Trigger::Automatic, &idle), Decision::Wait(Wait::ManagerNeeded));
    }

    #[test]
    fn off_never_installs() {
        for trigger in [Trigger::Automatic, Trigger::Manager] {
            assert_eq!(
                decide(UpdatePolicy::Off, trigger, &activity(None, RegisterState::Closed)),
                Decision::Wait(Wait::Off)
            );
        }
    }

    #[test]
    fn the_waiting_line_says_what_it_waits_for() {
        let open = Wait::SessionOpen { session: "DT-20261129-001".into() }.to_string();
        assert!(open.contains("installs when the register is closed") && open.contains("DT-20261129-001"), "{open}");
        assert!(Wait::LoggedIn { user: "alice".into() }.to_string().contains("alice logs out"));
    }

    #[test]
    fn reads_the_updates_table_of_the_device_file() {
        let text = r#"
            [database]
            url = "sqlite:///var/lib/till/till.db"
            [register]
            location = "DT"
            register = "DT/R1"
            [updates]
            endpoint = "https://files.store.example/till/latest.json"
            policy = "manual"
        "#;
        let file = till_backend::device_file::DeviceFile::parse(text, std::path::Path::new("device.toml")).ok();
        let settings = UpdateSettings::from_device_file(file.as_ref());
        assert_eq!(settings.endpoint.as_deref(), Some("https://files.store.example/till/latest.json"));
        assert_eq!(settings.policy, UpdatePolicy::Manual);
        assert_eq!(UpdateSettings::from_device_file(None), UpdateSettings::default());
        assert_eq!(UpdateSettings::default().policy, UpdatePolicy::WhenIdle);
        for bad in
            ["policy = \"sometimes\"", "endpoint = \"ftp://x/latest.json\"", "endpont = \"https://x/latest.json\""]
        {
            let text = text.replace("policy = \"manual\"", bad);
            assert!(
                till_backend::device_file::DeviceFile::parse(&text, std::path::Path::new("device.toml")).is_err(),
                "{bad}"
            );
        }
    }
}
