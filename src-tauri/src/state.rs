//! The app's state: the device settings, the open store and who is logged in. The UI never
//! sends a user id; the logged-in user lives here, and every shift operation uses it.

use crate::error::IpcError;
use crate::secrets::{url_with_password, Password, Secrets};
use crate::settings::{self, DatabaseKind, DeviceSettings};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, PoisonError};
use tauri::{AppHandle, Runtime};
use till_backend::DemoUser;
use till_core::{
    service, BackendKind, DeviceName, Entity, InputError, Location, LocationCode, Register, RegisterRef, SessionRef,
    SessionView, ShiftStartedView, Store, StoreError, StoreOptions, User,
};

/// `setup_device`'s request: `{kind: "demo"}` or `{kind: "postgres", url, password}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetupRequest {
    Demo,
    Postgres { url: String, password: Option<Password> },
}

#[derive(Debug, Serialize)]
pub struct DeviceStatus {
    /// A database is open and a register is chosen.
    pub configured: bool,
    pub database_kind: Option<DatabaseKind>,
    /// Never holds a password.
    pub database_url: Option<String>,
    pub location: Option<Location>,
    pub register: Option<Register>,
    pub device_name: String,
    pub logged_in: Option<User>,
}

#[derive(Debug, Serialize)]
pub struct SetupResult {
    pub status: DeviceStatus,
    pub demo_users: Vec<DemoUser>,
}

/// What a command works with: a snapshot of the settings and the open store, if any.
struct Device {
    settings: DeviceSettings,
    store: Option<Arc<dyn Store>>,
}

impl Device {
    fn store(&self) -> Result<&Arc<dyn Store>, IpcError> {
        self.store.as_ref().ok_or(IpcError::DeviceNotSetUp("database"))
    }

    fn register(&self) -> Result<(&Arc<dyn Store>, RegisterRef), IpcError> {
        let store = self.store()?;
        let address = self.settings.register.as_deref().ok_or(IpcError::DeviceNotSetUp("register"))?;
        Ok((store, RegisterRef::parse(address)?))
    }

    fn device_name(&self) -> Result<DeviceName, IpcError> {
        Ok(DeviceName::parse(&self.settings.device_name)?)
    }
}

#[derive(Default)]
struct Loaded {
    /// None until first read from the store plugin.
    settings: Option<DeviceSettings>,
    store: Option<Arc<dyn Store>>,
    /// Why the start-up open failed: the UI's first question gets this answer instead of a
    /// second attempt (which could take as long again); "Try again" then retries.
    startup_error: Option<IpcError>,
}

pub struct AppState {
    /// An async lock: a command arriving while the store opens (at start-up, or during
    /// set-up) waits for it instead of racing it.
    loaded: tokio::sync::Mutex<Loaded>,
    user: Mutex<Option<User>>,
    secrets: Arc<dyn Secrets>,
}

impl AppState {
    pub fn new(secrets: Arc<dyn Secrets>) -> Self {
        AppState { loaded: tokio::sync::Mutex::default(), user: Mutex::default(), secrets }
    }

    /// Reads the settings on first use and opens the saved database if it is not open yet
    /// (so a failed open, like `schema_not_ready`, is reported, and retried on the next call).
    async fn device<R: Runtime>(&self, app: &AppHandle<R>) -> Result<Device, IpcError> {
        let mut loaded = self.loaded.lock().await;
        if let Some(e) = loaded.startup_error.take() {
            return Err(e);
        }
        self.load(&mut loaded, app).await
    }

    async fn load<R: Runtime>(&self, loaded: &mut Loaded, app: &AppHandle<R>) -> Result<Device, IpcError> {
        let settings = loaded.settings.get_or_insert_with(|| settings::load(app)).clone();
        if loaded.store.is_none() {
            if let (Some(kind), Some(url)) = (settings.database_kind, settings.database_url.as_deref()) {
                loaded.store = Some(self.open_saved(kind, url).await?);
            }
        }
        Ok(Device { settings, store: loaded.store.clone() })
    }

    /// Opens the saved database at start-up, before the UI asks, so the first screen comes
    /// sooner. Holds the lock meanwhile: the UI's first command waits for the outcome.
    pub async fn warm_up<R: Runtime>(&self, app: &AppHandle<R>) {
        let mut loaded = self.loaded.lock().await;
        if let Err(e) = self.load(&mut loaded, app).await {
            tracing::error!(code = e.code(), "the saved database did not open: {e}");
            loaded.startup_error = Some(e);
        }
    }

    async fn open_saved(&self, kind: DatabaseKind, url: &str) -> Result<Arc<dyn Store>, IpcError> {
        let url = match kind {
            DatabaseKind::Sqlite => url.to_string(),
            DatabaseKind::Postgres => match self.secret(url).await? {
                Some(password) => url_with_password(url, &password)?,
                None => url.to_string(),
            },
        };
        Ok(till_backend::open(&url, &StoreOptions::default()).await?)
    }

    async fn secret(&self, account: &str) -> Result<Option<String>, IpcError> {
        let (secrets, account) = (self.secrets.clone(), account.to_string());
        off_executor(move || secrets.get(&account)).await
    }

    async fn save_secret(&self, account: &str, secret: Password) -> Result<(), IpcError> {
        let (secrets, account) = (self.secrets.clone(), account.to_string());
        off_executor(move || secrets.set(&account, &secret.0)).await
    }

    fn logged_in(&self) -> Option<User> {
        self.user.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set_logged_in(&self, user: Option<User>) {
        *self.user.lock().unwrap_or_else(PoisonError::into_inner) = user;
    }

    fn require_login(&self) -> Result<User, IpcError> {
        self.logged_in().ok_or(IpcError::NotLoggedIn)
    }

    pub async fn status<R: Runtime>(&self, app: &AppHandle<R>) -> Result<DeviceStatus, IpcError> {
        let device = self.device(app).await?;
        self.status_of(&device).await
    }

    async fn status_of(&self, device: &Device) -> Result<DeviceStatus, IpcError> {
        let mut register = None;
        let mut location = None;
        if let (Some(store), Some(address)) = (&device.store, device.settings.register.as_deref()) {
            // A register deleted since it was chosen: back to the register picker.
            match store.find_register(&RegisterRef::parse(address)?).await {
                Ok(found) => {
                    location = Some(store.find_location(&LocationCode::parse(&found.location_code)?).await?);
                    register = Some(found);
                }
                Err(StoreError::NotFound { .. }) => tracing::warn!(register = address, "the chosen register is gone"),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(DeviceStatus {
            configured: device.store.is_some() && register.is_some(),
            database_kind: device.settings.database_kind,
            database_url: device.settings.database_url.as_deref().map(till_backend::redact),
            location,
            register,
            device_name: device.settings.device_name.clone(),
            logged_in: self.logged_in(),
        })
    }

    pub async fn setup<R: Runtime>(&self, app: &AppHandle<R>, request: SetupRequest) -> Result<SetupResult, IpcError> {
        let mut loaded = self.loaded.lock().await;
        let previous = loaded.settings.get_or_insert_with(|| settings::load(app)).clone();
        let (kind, url, store, demo_users) = match request {
            SetupRequest::Demo => {
                let url = till_backend::default_database_url();
                let store = till_backend::open(&url, &StoreOptions::default()).await?;
                till_backend::seed_demo(store.as_ref()).await?;
                (DatabaseKind::Sqlite, url, store, till_backend::DEMO_USERS.to_vec())
            }
            SetupRequest::Postgres { url, password } => {
                let url = url.trim().to_string();
                check_postgres_url(&url)?;
                let connect = match &password {
                    Some(password) => url_with_password(&url, &password.0)?,
                    None => url.clone(),
                };
                let store = till_backend::open(&connect, &StoreOptions::default()).await?;
                if let Some(password) = password {
                    self.save_secret(&url, password).await?;
                }
                (DatabaseKind::Postgres, url, store, Vec::new())
            }
        };
        let settings = DeviceSettings {
            database_kind: Some(kind),
            database_url: Some(url),
            location: None,
            register: None,
            device_name: previous.device_name,
        };
        settings::save(app, &settings)?;
        self.set_logged_in(None);
        loaded.settings = Some(settings.clone());
        loaded.store = Some(store.clone());
        drop(loaded);
        let status = self.status_of(&Device { settings, store: Some(store) }).await?;
        Ok(SetupResult { status, demo_users })
    }

    pub async fn list_registers<R: Runtime>(&self, app: &AppHandle<R>) -> Result<Vec<Register>, IpcError> {
        Ok(self.device(app).await?.store()?.list_registers(None).await?)
    }

    pub async fn choose_register<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        register: &str,
    ) -> Result<DeviceStatus, IpcError> {
        let device = self.device(app).await?;
        let found = device.store()?.find_register(&RegisterRef::parse(register)?).await?;
        let mut loaded = self.loaded.lock().await;
        let mut settings = device.settings.clone();
        settings.location = Some(found.location_code.clone());
        settings.register = Some(found.address.clone());
        settings::save(app, &settings)?;
        loaded.settings = Some(settings.clone());
        drop(loaded);
        self.set_logged_in(None);
        self.status_of(&Device { settings, store: device.store }).await
    }

    /// Active users only; no PIN hashes ever leave the backend.
    pub async fn list_users<R: Runtime>(&self, app: &AppHandle<R>) -> Result<Vec<User>, IpcError> {
        let users = self.device(app).await?.store()?.list_users().await?;
        Ok(users.into_iter().filter(|u| u.active).collect())
    }

    pub async fn login<R: Runtime>(&self, app: &AppHandle<R>, user: &str, pin: &str) -> Result<User, IpcError> {
        let device = self.device(app).await?;
        let (store, _) = device.register()?;
        let user = service::authenticate(store.as_ref(), user, pin).await?;
        self.set_logged_in(Some(user.clone()));
        tracing::info!(user = %user.name, "logged in");
        Ok(user)
    }

    pub fn logout(&self) {
        self.set_logged_in(None);
    }

    /// The register's open session, else its latest one, else none.
    pub async fn current_session<R: Runtime>(&self, app: &AppHandle<R>) -> Result<Option<SessionView>, IpcError> {
        let device = self.device(app).await?;
        let (store, register) = device.register()?;
        let register = store.find_register(&register).await?;
        Ok(store.latest_session(register.id).await?.map(|s| s.view()))
    }

    /// Opens the register's session or joins the open one, as the logged-in user. Without
    /// opening cash it only joins ("Join session"): it never opens a drawer with no float.
    pub async fn start_shift<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        opening_cash: Option<&str>,
        notes: Option<&str>,
    ) -> Result<ShiftStartedView, IpcError> {
        let user = self.require_login()?;
        let device = self.device(app).await?;
        let (store, register) = device.register()?;
        let started =
            service::start_shift(store.as_ref(), &user, &register, opening_cash, &device.device_name()?, notes).await?;
        Ok(started.view())
    }

    /// A manager approves with their PIN; closes the session the screen shows (by id, so a
    /// form left open while another device closed it and a new one opened closes nothing
    /// new: the store answers session_already_closed, naming who and when).
    pub async fn close_shift<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        session: &str,
        counted_cash: &str,
        manager: &str,
        manager_pin: &str,
    ) -> Result<SessionView, IpcError> {
        self.require_login()?;
        let session = SessionRef::parse(session)?;
        let device = self.device(app).await?;
        let (store, register) = device.register()?;
        let manager = service::authenticate(store.as_ref(), manager, manager_pin).await?;
        let register = store.find_register(&register).await?;
        // Only this register's sessions can be closed from this device.
        let session = store.find_session(&session).await?;
        if session.register_id != register.id {
            return Err(StoreError::not_found(
                Entity::Session,
                format!("{} on register {}", session.number, register.address),
            )
            .into());
        }
        let closed = service::close_shift(
            store.as_ref(),
            &manager,
            &SessionRef::Id(session.id),
            counted_cash,
            &device.device_name()?,
        )
        .await?;
        Ok(closed.view())
    }
}

/// How long a keyring call may take. A locked keyring waits for its unlock prompt; with no
/// prompt to show (no desktop session) it would wait for ever and hold up the app's start.
const KEYRING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs a keyring call on the blocking pool (it blocks on D-Bus), giving up after a while.
async fn off_executor<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, IpcError> + Send + 'static,
) -> Result<T, IpcError> {
    match tokio::time::timeout(KEYRING_TIMEOUT, tokio::task::spawn_blocking(call)).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(IpcError::Keyring(format!("the keyring task failed: {e}"))),
        Err(_) => Err(IpcError::Keyring(format!(
            "no answer within {} s (is the keyring locked, with no desktop session to unlock it?)",
            KEYRING_TIMEOUT.as_secs()
        ))),
    }
}

/// A PostgreSQL URL, without a password in it (the password goes to the keyring).
fn check_postgres_url(url: &str) -> Result<(), InputError> {
    let invalid = |reason: &str| InputError::Invalid { field: "database URL", reason: reason.into() };
    if !matches!(till_backend::backend_kind(url), Ok(BackendKind::Postgres)) {
        return Err(invalid("the address must start with postgres://"));
    }
    if till_backend::redact(url) != url {
        return Err(invalid("leave the password out of the address; type it in the Password box"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_carry_no_password() {
        assert!(check_postgres_url("postgres://till@db:5432/till").is_ok());
        assert!(check_postgres_url("postgresql://db/till").is_ok());
        for bad in ["postgres://till:pw@db/till", "postgres://till@db/till?password=pw", "sqlite:///x.db", "db/till"] {
            assert_eq!(check_postgres_url(bad).map_err(|e| e.code()), Err("invalid_input"), "{bad}");
        }
    }

    #[test]
    fn setup_requests_parse_and_hide_the_password() {
        let demo: SetupRequest = serde_json::from_str(r#"{"kind":"demo"}"#)
            .unwrap_or(SetupRequest::Postgres { url: String::new(), password: None });
        assert!(matches!(demo, SetupRequest::Demo));
        let pg: Result<SetupRequest, _> =
            serde_json::from_str(r#"{"kind":"postgres","url":"postgres://till@db/till","password":"hunter2"}"#);
        let shown = format!("{pg:?}");
        assert!(shown.contains("Postgres") && !shown.contains("hunter2"), "{shown}");
    }
}
