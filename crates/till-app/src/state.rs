//! The device's state: its settings, the open store, who is logged in, and the keyring. The rules
//! (who may log in, start, close, unlock, set up) live in till-core's `service`; this module only
//! decides which settings, store and login a command works with.
//!
//! All of it sits behind one async lock, held for the whole of each command, so a command sees
//! one consistent device: `start_shift` can never combine the login from before a
//! `choose_register` with the register from after it. Commands on one device are serialised;
//! a till does one thing at a time, and database waits are bounded by the store.

use crate::activity::{Activity, RegisterState};
use crate::error::IpcError;
use crate::printing::{Devices, PrinterStatusView, Report};
use crate::secrets::{url_with_password, Password, Secrets};
use crate::settings::{Damaged, DatabaseKind, DeviceSettings, SettingsFile};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use till_backend::device_file::{Credentials, DeviceFile};
use till_backend::DemoUser;
use till_core::service::{
    self, CloseRequest, FirstSetup, LocationInput, RefundQuote, RefundRequest, SaleLineRequest, SaleRequest,
    StartRequest, Till,
};
use till_core::{
    Authenticated, BackendKind, Barcode, CashAmount, Category, DeviceName, Discount, InputError, Location,
    LocationCode, Login, PricedCart, Product, ProductKey, Receipt, ReceiptId, Refusal, Register, RegisterRef,
    RequestId, SessionId, SessionRef, SessionStatus, SessionTotals, SessionView, ShiftStartedView, Sku, Store,
    StoreError, StoreFailure, TillError, User,
};
use till_devices::settings::{DrawerSection, PrinterSection, Section};
use tokio::sync::{Mutex, MutexGuard};

/// A manager's or admin's approval: name and PIN, checked by the backend against the database
/// the device uses now.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(rename = "ManagerApproval")]
pub struct Approval {
    pub manager: String,
    #[ts(type = "string")]
    pub pin: Password,
}

/// What a new store's owner or IT types on a fresh database: no default PINs.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct NewStore {
    pub location_code: String,
    pub location_name: String,
    /// A country preset (`de`, `ch`, `us-ny`...): currency, locale, time zone, pricing, cash
    /// rounding and tax rates; the fields below win where given.
    #[serde(default)]
    pub preset: Option<String>,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub currency: Option<String>,
    /// BCP 47 (`de-DE`): how the screens format money and dates.
    #[serde(default)]
    pub locale: Option<String>,
    /// The store's address and tax number, printed on receipts.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub tax_number: Option<String>,
    pub register: String,
    pub manager: String,
    #[ts(type = "string")]
    pub manager_pin: Password,
}

/// `setup_device`'s request.
#[derive(Debug, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetupRequest {
    /// Demo data in its own database file (`till-demo.db`).
    Demo,
    /// The embedded database (`till.db`): a new store (first manager and register), or, without
    /// `new_store`, one IT already provisioned with tillctl.
    Embedded { new_store: Option<Box<NewStore>> },
    Postgres {
        url: String,
        #[ts(type = "string | null")]
        password: Option<Password>,
    },
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DeviceStatus {
    /// A database is open and a register is chosen.
    pub configured: bool,
    pub database_kind: Option<DatabaseKind>,
    /// Never holds a password.
    pub database_url: Option<String>,
    /// Running on the demo database: the UI shows "DEMO: not for real cash" on every screen.
    pub demo: bool,
    pub location: Option<Location>,
    pub register: Option<Register>,
    pub device_name: String,
    pub logged_in: Option<User>,
    pub idle_logout_minutes: u32,
    /// Set when `device.json` cannot be used: the UI shows the "call a manager" screen.
    pub settings_damaged: Option<DamagedView>,
    /// The system device file that sets this till up, when there is one: the UI shows "Set up by
    /// IT (path)" and no buttons to change the database or register.
    pub managed_by: Option<String>,
    /// The open database's identity (journaled; `tillctl doctor` shows it too): every screen
    /// shows it, so a till pointed at another database shows another id.
    pub database_identity: Option<String>,
    /// Where the embedded database is copied after every close; `None`: no backup after a close.
    pub backup_folder: Option<String>,
    /// The receipt printer as set up (the device file's `[printer]`, or the device screen's),
    /// for the device screen's form; `None`: none, or a section that cannot be read (the
    /// printer's status says what is wrong with it).
    pub printer: Option<PrinterSection>,
    /// The cash drawer on the printer's port, likewise.
    pub drawer: Option<DrawerSection>,
}

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct DamagedView {
    /// The damaged file, for IT.
    pub path: String,
    pub reason: String,
    /// The previous good copy, when there is one: a manager's PIN restores it.
    pub previous_path: Option<String>,
    /// The database that copy names (redacted); the manager's PIN is checked there.
    pub previous_database: Option<String>,
}

/// One quick-key tab: a category and its active products, in the category's order.
#[derive(Debug, Serialize, ts_rs::TS)]
pub struct QuickKeys {
    pub category: Category,
    pub products: Vec<Product>,
}

/// How many products a name search answers: the screen shows them as a short pick list.
pub const SEARCH_RESULTS: usize = 8;

#[derive(Debug, Serialize, ts_rs::TS)]
pub struct SetupResult {
    pub status: DeviceStatus,
    pub demo_users: Vec<DemoUser>,
}

/// Where the device keeps things. The app uses Till's data folder; tests use a temp folder.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// The system device file (`/etc/till/device.toml`). When it exists its settings replace
    /// `device.json`'s, and nothing in the app changes them.
    pub device_file: PathBuf,
    pub settings: SettingsFile,
    pub demo_database_url: String,
    pub embedded_database_url: String,
}

impl AppConfig {
    pub fn in_data_dir() -> AppConfig {
        AppConfig {
            device_file: till_backend::device_file::path(),
            settings: SettingsFile::in_data_dir(),
            demo_database_url: till_backend::demo_database_url(),
            embedded_database_url: till_backend::default_database_url(),
        }
    }
}

/// The app's clock: it stamps the app's own decisions and the SQLite store's writes; tests pin it.
pub use till_core::Clock;

/// Everything a command works with, under one lock.
#[derive(Default)]
pub struct Device {
    /// `None` until first read; `Err` while the file is damaged.
    settings: Option<Result<DeviceSettings, Damaged>>,
    store: Option<Arc<dyn Store>>,
    login: Option<Login>,
    /// Why the start-up open failed: the UI's first question gets this answer instead of a
    /// second attempt (which could take as long again); "Try again" then retries.
    startup_error: Option<IpcError>,
    /// The system device file, when it exists (read with the settings): `Some(Ok)` when it is
    /// valid, `Some(Err)` when it is not (the settings are then damaged, and only IT can fix it).
    managed: Option<Result<DeviceFile, PathBuf>>,
    /// The backup the last close on this device took (or why it could not), for the close's
    /// result screen.
    last_backup: Option<BackupAfterClose>,
    /// The receipt printer and cash drawer the system device file sets up.
    devices: Option<Arc<Devices>>,
}

/// What the backup after a close did: the copy, or why there is none. The close itself is done
/// either way.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct BackupAfterClose {
    pub session: String,
    pub at: DateTime<Utc>,
    /// The copy's path (`till-YYYYMMDDTHHMMSSZ.db` in the folder).
    pub file: Option<String>,
    /// Why no copy was kept, in words a manager can act on (the folder missing: plug the drive in).
    pub problem: Option<String>,
}

/// How many copies the backup folder keeps after a close (a month of daily closes).
const BACKUPS_KEPT: usize = 31;

impl Device {
    fn settings(&self) -> Result<&DeviceSettings, IpcError> {
        match &self.settings {
            Some(Ok(settings)) => Ok(settings),
            Some(Err(damaged)) => Err(IpcError::SettingsDamaged(damaged.clone())),
            None => Err(IpcError::DeviceNotSetUp("settings")),
        }
    }

    fn store(&self) -> Result<Arc<dyn Store>, IpcError> {
        self.store.clone().ok_or(IpcError::DeviceNotSetUp("database"))
    }

    fn register(&self) -> Result<(Arc<dyn Store>, RegisterRef), IpcError> {
        let store = self.store()?;
        let address = self.settings()?.register.as_deref().ok_or(IpcError::DeviceNotSetUp("register"))?;
        Ok((store, RegisterRef::parse(address)?))
    }

    fn device_name(&self) -> Result<DeviceName, IpcError> {
        Ok(DeviceName::parse(&self.settings()?.device_name)?)
    }

    /// Refuses a change when IT manages this till through the system device file.
    fn refuse_if_managed(&self, config: &AppConfig) -> Result<(), IpcError> {
        match &self.managed {
            Some(_) => Err(IpcError::DeviceManaged(config.device_file.clone())),
            None => Ok(()),
        }
    }

    /// A database and a register: from now on, changing them needs a manager.
    fn is_set_up(&self) -> bool {
        self.store.is_some() && self.settings().is_ok_and(|s| s.register.is_some())
    }

    /// The logged-in user, counting this as activity. An idle login is ended here.
    fn use_login(&mut self, now: DateTime<Utc>) -> Result<Authenticated, IpcError> {
        let limit = self.settings()?.idle_limit();
        let login = self.login.as_mut().ok_or_else(IpcError::nobody_logged_in)?;
        match login.use_at(now, limit) {
            Ok(user) => Ok(user.clone()),
            Err(e) => {
                self.login = None;
                tracing::info!("logged out: {e}");
                Err(e.into())
            }
        }
    }

    /// Like [`Device::use_login`] without counting as activity (screens that poll).
    fn peek_login(&mut self, now: DateTime<Utc>) -> Result<Authenticated, IpcError> {
        let limit = self.settings()?.idle_limit();
        let mut copy = self.login.clone().ok_or_else(IpcError::nobody_logged_in)?;
        match copy.use_at(now, limit) {
            Ok(user) => Ok(user.clone()),
            Err(e) => {
                self.login = None;
                Err(e.into())
            }
        }
    }

    /// Who a command acts or reads as: the one check every command after the login makes, reads
    /// too. The login must not be idle past the device's limit (it ends here if it is), and its
    /// user is read again from the database, never trusted from the login: one deactivated since
    /// is refused (`user_inactive`) and logged out, and a role changed since is the role the
    /// command gets (a manager demoted elsewhere is a cashier from their next command on).
    async fn current_user(&mut self, now: DateTime<Utc>, how: Use) -> Result<Authenticated, IpcError> {
        let store = self.store()?;
        let who = match how {
            Use::Act => self.use_login(now)?,
            Use::Poll => self.peek_login(now)?,
        };
        // An action (a read included) asks the database whether the login is still live, as
        // every write does in its transaction: a logout elsewhere, the location's idle limit
        // or a new PIN ends it here too. A poll only re-reads the user: it must not keep an
        // unattended login alive. A device with no register yet has no location to check the
        // login against (the set-up screens): there the user is re-read.
        let register = match (&how, self.register()) {
            (Use::Act, Ok((_, register))) => Some(store.find_register(&register).await?),
            _ => None,
        };
        let fresh = match register {
            Some(register) => {
                let device = self.device_name()?;
                match store.live_login(&who.login, &device, register.id).await {
                    // A deactivation ends the user's logins: say which it was.
                    Err(StoreError::Refused(Refusal::LoginEnded(why))) => {
                        match service::recheck_user(store.as_ref(), &who.user).await {
                            Err(inactive) => Err(inactive),
                            Ok(_) => Err(Refusal::LoginEnded(why).into()),
                        }
                    }
                    other => other.map_err(TillError::from),
                }
            }
            None => service::recheck_user(store.as_ref(), &who.user).await,
        };
        match fresh {
            Ok(fresh) => {
                if let Some(login) = self.login.as_mut() {
                    login.refresh(fresh.clone());
                }
                Ok(Authenticated { user: fresh, login: who.login })
            }
            Err(e) => {
                if matches!(
                    e,
                    TillError::Store(StoreError::Refused(
                        Refusal::UserInactive(_) | Refusal::NotFound { .. } | Refusal::LoginEnded(_)
                    ))
                ) {
                    self.login = None;
                }
                Err(e.into())
            }
        }
    }

    /// This device's register as the database has it now: where the logged-in user works, and
    /// so the one location whose receipts, reports and day view they may read.
    async fn here(&self) -> Result<(Arc<dyn Store>, Register), IpcError> {
        let (store, register) = self.register()?;
        let found = store.find_register(&register).await?;
        Ok((store, found))
    }

    /// The register's location, for the catalog commands.
    async fn location(&self) -> Result<(Arc<dyn Store>, LocationCode), IpcError> {
        let (store, here) = self.here().await?;
        Ok((store, LocationCode::parse(&here.location_code)?))
    }

    /// Once the device is set up, a change needs an active manager's approval, checked against
    /// the database in use now (never one the change would bring: whoever brings a database
    /// brings its managers).
    async fn approve_change(&self, approval: Option<&Approval>) -> Result<Option<User>, IpcError> {
        if !self.is_set_up() {
            return Ok(None);
        }
        let approval = approval.ok_or(IpcError::ApprovalNeeded)?;
        let store = self.store()?;
        let manager =
            service::authorize_manager(store.as_ref(), &approval.manager, &approval.pin.0, &self.device_name()?)
                .await?;
        tracing::info!(manager = %manager.name, "device change approved");
        Ok(Some(manager))
    }
}

/// [`till_backend::backup::usable_folder`] off the async threads and bounded: a network share
/// that does not answer must not freeze the till (the device's lock is held meanwhile).
async fn usable_folder(folder: &str) -> Result<std::path::PathBuf, IpcError> {
    let path = std::path::PathBuf::from(folder);
    let checked = tokio::task::spawn_blocking(move || till_backend::backup::usable_folder(&path));
    match tokio::time::timeout(std::time::Duration::from_secs(10), checked).await {
        Ok(Ok(answer)) => Ok(answer?),
        Ok(Err(e)) => Err(StoreFailure::Internal(format!("the folder check stopped: {e}")).into()),
        Err(_) => Err(IpcError::Till(TillError::Input(InputError::Invalid {
            field: "backup folder",
            reason: format!(
                "{folder} did not answer within 10 s (a network share that is down?): check it, then try again"
            ),
        }))),
    }
}

/// A section the screen can show (`None` for an unreadable one: the printer's status names it).
fn readable<T: Clone>(section: &Option<Section<T>>) -> Option<T> {
    match section {
        Some(Section::Read(read)) => Some(read.clone()),
        _ => None,
    }
}

/// A print's outcome for the command that asked for it: queued, or why not (`None`: there is no
/// printer to print on).
fn printed_or_why(printed: Option<Result<(), till_devices::PrintError>>, what: &str) -> Result<(), IpcError> {
    match printed {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(StoreFailure::Internal(format!("{what} could not be queued: {e}")).into()),
        None => Err(IpcError::Till(TillError::Input(InputError::Invalid {
            field: "printer",
            reason: "no receipt printer is set up on this till: choose one on the device screen, or IT sets one \
                     up in the device file's [printer] (`tillctl device check` says what is wrong)"
                .into(),
        }))),
    }
}

/// How a command uses the login: acting counts as activity (it keeps the login alive); a poll (a
/// screen refreshing itself) does not.
#[derive(Debug, Clone, Copy)]
enum Use {
    Act,
    Poll,
}

/// The logged-in user (as just re-read) asking at this device's register.
fn asker<'a>(who: &'a Authenticated, here: &Register) -> service::Asker<'a> {
    service::Asker::UserAt { user: &who.user, location: here.location_id }
}

pub struct AppState {
    device: Mutex<Device>,
    config: AppConfig,
    secrets: Arc<dyn Secrets>,
    clock: Clock,
    /// What the customer display shows (`show_customer`), read by its window (`customer_view`).
    customer: std::sync::Mutex<Option<till_core::CustomerView>>,
    /// The pole display the device file sets up, fed the same views.
    pole: crate::pole::CustomerPole,
}

impl AppState {
    pub fn new(config: AppConfig, secrets: Arc<dyn Secrets>, clock: Clock) -> Self {
        AppState {
            device: Mutex::default(),
            config,
            secrets,
            clock,
            customer: std::sync::Mutex::default(),
            pole: crate::pole::CustomerPole::default(),
        }
    }

    /// The app's state: Till's data folder and the real clock.
    pub fn for_app(secrets: Arc<dyn Secrets>) -> Self {
        AppState::new(AppConfig::in_data_dir(), secrets, Clock::system())
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// How the app opens a database: the desktop's options, on the app's clock.
    fn store_options(&self, url: &str) -> till_core::StoreOptions {
        till_core::StoreOptions { clock: self.clock.clone(), ..till_backend::desktop_options(url) }
    }

    /// The device with its settings read and its database open. A damaged settings file
    /// answers `device_settings_damaged` to every command but `device_status`.
    async fn device(&self) -> Result<MutexGuard<'_, Device>, IpcError> {
        let mut device = self.device.lock().await;
        if let Some(e) = device.startup_error.take() {
            return Err(e);
        }
        self.load(&mut device).await?;
        Ok(device)
    }

    /// Reads the settings on first use and opens the saved database if it is not open yet
    /// (so a failed open, like `schema_not_ready`, is reported, and retried on the next call).
    async fn load(&self, device: &mut Device) -> Result<(), IpcError> {
        // An invalid system device file is read again each time: IT fixes it, then "Check again".
        if matches!(device.managed, Some(Err(_))) {
            device.settings = None;
        }
        if device.settings.is_none() {
            if let Some(read) = self.read_device_file(device) {
                device.settings = Some(read);
            }
        }
        if device.settings.is_none() {
            let read = self.config.settings.load().map(Option::unwrap_or_default);
            if let Err(damaged) = &read {
                tracing::error!(path = %damaged.path.display(), "device settings damaged: {}", damaged.reason);
            }
            device.settings = Some(read);
        }
        let settings = device.settings()?.clone();
        if device.devices.is_none() {
            device.devices = match &device.managed {
                Some(Ok(file)) => {
                    self.pole.start(file);
                    Devices::from_file(file, self.spool()).map(Arc::new)
                }
                _ => Devices::from_settings(&settings, self.spool()).map(Arc::new),
            };
        }
        if device.store.is_none() {
            if let Some(Ok(file)) = &device.managed {
                device.store = Some(self.open_managed(file).await?);
            } else if let (Some(kind), Some(url)) = (settings.database_kind, settings.database_url.as_deref()) {
                device.store = Some(self.open_saved(kind, url).await?);
            }
        }
        Ok(())
    }

    /// The settings the system device file gives, when it exists; `None` when it does not (the
    /// till then uses `device.json`). An invalid file is damage that only IT can fix: the app
    /// never falls back to `device.json`, which a cashier could have set up.
    fn read_device_file(&self, device: &mut Device) -> Option<Result<DeviceSettings, Damaged>> {
        let path = &self.config.device_file;
        match DeviceFile::load(path) {
            Ok(None) => {
                device.managed = None;
                None
            }
            Ok(Some(file)) => {
                let url = file.database.url.trim().to_string();
                let kind = match till_backend::backend_kind(&url) {
                    Ok(BackendKind::Postgres) => DatabaseKind::Postgres,
                    _ => DatabaseKind::Sqlite,
                };
                let settings = DeviceSettings {
                    database_kind: Some(kind),
                    database_url: Some(url),
                    location: Some(file.register.location.clone()),
                    register: Some(file.register.register.clone()),
                    device_name: file
                        .register
                        .device_name
                        .clone()
                        .unwrap_or_else(|| DeviceSettings::default().device_name),
                    idle_logout_minutes: file.session.idle_logout_minutes,
                    backup_folder: file.backup.folder.clone(),
                    // For the device screen's view; the devices are built from the file itself.
                    printer: file.printer.clone(),
                    drawer: file.drawer.clone(),
                };
                tracing::info!(path = %path.display(), "set up by the system device file");
                device.managed = Some(Ok(file));
                Some(Ok(settings))
            }
            Err(e) => {
                tracing::error!(path = %path.display(), "the system device file is invalid: {}", e.reason);
                device.managed = Some(Err(path.clone()));
                Some(Err(Damaged { path: e.path, reason: e.reason }))
            }
        }
    }

    /// Beside device.json: the print jobs a restart must not lose.
    fn spool(&self) -> std::path::PathBuf {
        self.config.settings.path().with_file_name("print-spool")
    }

    /// Opens the device file's database with its credentials: the keyring's password for its
    /// URL (the entry `tillctl device set-password` saves), or the client certificate it names.
    async fn open_managed(&self, file: &DeviceFile) -> Result<Arc<dyn Store>, IpcError> {
        let url = file.database.url.trim();
        let password = match (till_backend::backend_kind(url)?, file.database.credentials) {
            (BackendKind::Postgres, Credentials::Keyring) => self.secret(url).await?,
            _ => None,
        };
        Ok(till_backend::open_device(file, password.as_deref(), &self.store_options(url)).await?)
    }

    /// Opens the saved database at start-up, before the UI asks, so the first screen comes
    /// sooner. Holds the lock meanwhile: the UI's first command waits for the outcome.
    pub async fn warm_up(&self) {
        let mut device = self.device.lock().await;
        match self.load(&mut device).await {
            Ok(()) | Err(IpcError::SettingsDamaged(_)) => {}
            Err(e) => {
                tracing::error!(code = e.code(), "the saved database did not open: {e}");
                device.startup_error = Some(e);
            }
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
        Ok(till_backend::open(&url, &self.store_options(&url)).await?)
    }

    async fn secret(&self, account: &str) -> Result<Option<String>, IpcError> {
        let (secrets, account) = (self.secrets.clone(), account.to_string());
        off_executor(move || secrets.get(&account)).await
    }

    async fn save_secret(&self, account: &str, secret: Password) -> Result<(), IpcError> {
        let (secrets, account) = (self.secrets.clone(), account.to_string());
        off_executor(move || secrets.set(&account, &secret.0)).await
    }

    fn save_settings(&self, device: &mut Device, settings: DeviceSettings) -> Result<(), IpcError> {
        self.config.settings.save(&settings).map_err(IpcError::Settings)?;
        device.settings = Some(Ok(settings));
        Ok(())
    }

    pub async fn status(&self) -> Result<DeviceStatus, IpcError> {
        let mut device = self.device.lock().await;
        if let Some(e) = device.startup_error.take() {
            return Err(e);
        }
        match self.load(&mut device).await {
            Ok(()) => self.status_of(&mut device).await,
            Err(IpcError::SettingsDamaged(damaged)) => Ok(self.damaged_status(damaged)),
            Err(e) => Err(e),
        }
    }

    fn damaged_status(&self, damaged: Damaged) -> DeviceStatus {
        // The system device file has no previous copy a manager could restore: IT fixes it.
        let managed = damaged.path == self.config.device_file;
        let previous = if managed { None } else { self.config.settings.load_previous() };
        let defaults = DeviceSettings::default();
        DeviceStatus {
            configured: false,
            database_kind: None,
            database_url: None,
            demo: false,
            location: None,
            register: None,
            device_name: defaults.device_name,
            logged_in: None,
            idle_logout_minutes: defaults.idle_logout_minutes,
            backup_folder: None,
            printer: None,
            drawer: None,
            settings_damaged: Some(DamagedView {
                path: damaged.path.display().to_string(),
                reason: damaged.reason,
                previous_path: previous.as_ref().map(|_| self.config.settings.previous_path().display().to_string()),
                previous_database: previous.and_then(|p| p.database_url).map(|url| till_backend::redact(&url)),
            }),
            managed_by: managed.then(|| self.config.device_file.display().to_string()),
            database_identity: None,
        }
    }

    async fn status_of(&self, device: &mut Device) -> Result<DeviceStatus, IpcError> {
        let settings = device.settings()?.clone();
        let mut register = None;
        let mut location = None;
        if let (Some(store), Some(address)) = (&device.store, settings.register.as_deref()) {
            // A register deleted since it was chosen: back to the register picker.
            match store.find_register(&RegisterRef::parse(address)?).await {
                Ok(found) => {
                    location = Some(store.find_location(&LocationCode::parse(&found.location_code)?).await?);
                    register = Some(found);
                }
                Err(StoreError::Refused(Refusal::NotFound { .. })) => {
                    tracing::warn!(register = address, "the chosen register is gone")
                }
                Err(e) => return Err(e.into()),
            }
        }
        let logged_in = device.current_user(self.now(), Use::Poll).await.ok().map(|who| who.user);
        Ok(DeviceStatus {
            configured: device.store.is_some() && register.is_some(),
            database_kind: settings.database_kind,
            database_url: settings.database_url.as_deref().map(till_backend::redact),
            // The demo's own file (`till-demo.db`): published PINs, so never for real cash.
            demo: settings.database_url.as_deref() == Some(self.config.demo_database_url.as_str()),
            location,
            register,
            device_name: settings.device_name.clone(),
            logged_in,
            idle_logout_minutes: settings.idle_logout_minutes,
            settings_damaged: None,
            managed_by: device.managed.as_ref().map(|_| self.config.device_file.display().to_string()),
            backup_folder: settings.backup_folder.clone(),
            printer: readable(&settings.printer),
            drawer: readable(&settings.drawer),
            database_identity: match &device.store {
                Some(store) => store.database_identity().await?.map(|id| id.to_string()),
                None => None,
            },
        })
    }

    /// Chooses the database. Before set-up anyone may; afterwards only with a manager's approval
    /// from the current database. Logs out whoever was logged in.
    pub async fn setup(&self, request: SetupRequest, approval: Option<Approval>) -> Result<SetupResult, IpcError> {
        let mut device = self.device.lock().await;
        device.startup_error = None;
        let loaded = self.load(&mut device).await;
        device.refuse_if_managed(&self.config)?;
        if let Err(e) = loaded {
            // A saved database that no longer opens must not stop IT from choosing another one
            // before the device has a register; afterwards the approval needs it.
            if matches!(e, IpcError::SettingsDamaged(_)) || device.settings()?.register.is_some() {
                return Err(e);
            }
        }
        device.approve_change(approval.as_ref()).await?;
        let previous = device.settings()?.clone();
        let mut settings = DeviceSettings { location: None, register: None, ..previous.clone() };
        let (store, demo_users) = match request {
            SetupRequest::Demo => {
                let url = self.config.demo_database_url.clone();
                let store = till_backend::open(&url, &self.store_options(&url)).await?;
                till_backend::seed_demo(store.as_ref()).await?;
                settings.database_kind = Some(DatabaseKind::Sqlite);
                settings.database_url = Some(url);
                (store, till_backend::DEMO_USERS.to_vec())
            }
            SetupRequest::Embedded { new_store } => {
                let url = self.config.embedded_database_url.clone();
                let store = till_backend::open(&url, &self.store_options(&url)).await?;
                if let Some(new) = new_store {
                    let setup = FirstSetup {
                        location: LocationInput {
                            code: &new.location_code,
                            name: &new.location_name,
                            time_zone: Some(new.time_zone.as_str()).filter(|z| !z.trim().is_empty()),
                            cutoff: None,
                            currency: new.currency.as_deref().filter(|c| !c.trim().is_empty()),
                            locale: new.locale.as_deref().filter(|l| !l.trim().is_empty()),
                            preset: new.preset.as_deref().filter(|p| !p.trim().is_empty()),
                            settings: till_core::SettingsInput {
                                address: new.address.as_deref().filter(|a| !a.trim().is_empty()),
                                tax_number: new.tax_number.as_deref().filter(|t| !t.trim().is_empty()),
                                ..Default::default()
                            },
                        },
                        register: &new.register,
                        manager: &new.manager,
                        manager_pin: &new.manager_pin.0,
                    };
                    let register = service::first_setup(store.as_ref(), setup).await?;
                    settings.location = Some(register.location_code.clone());
                    settings.register = Some(register.address.clone());
                }
                settings.database_kind = Some(DatabaseKind::Sqlite);
                settings.database_url = Some(url);
                (store, Vec::new())
            }
            SetupRequest::Postgres { url, password } => {
                let url = url.trim().to_string();
                check_postgres_url(&url)?;
                let connect = match &password {
                    Some(password) => url_with_password(&url, &password.0)?,
                    None => url.clone(),
                };
                let store = till_backend::open(&connect, &self.store_options(&connect)).await?;
                if let Some(password) = password {
                    self.save_secret(&url, password).await?;
                }
                settings.database_kind = Some(DatabaseKind::Postgres);
                settings.database_url = Some(url);
                (store, Vec::new())
            }
        };
        // Another database's copies never go where this one's went: its rotation would delete
        // them (the demo's 31 closes would push out every copy of the store). Set it anew.
        if settings.database_url != previous.database_url {
            settings.backup_folder = None;
        }
        self.save_settings(&mut device, settings)?;
        device.store = Some(store);
        device.login = None;
        let status = self.status_of(&mut device).await?;
        Ok(SetupResult { status, demo_users })
    }

    pub async fn list_registers(&self) -> Result<Vec<Register>, IpcError> {
        let store = self.device().await?.store()?;
        Ok(store.list_registers(None).await?)
    }

    /// Chooses this device's register; once set up, only with a manager's approval. Logs out.
    pub async fn choose_register(&self, register: &str, approval: Option<Approval>) -> Result<DeviceStatus, IpcError> {
        let mut device = self.device.lock().await;
        if let Some(e) = device.startup_error.take() {
            device.refuse_if_managed(&self.config)?;
            return Err(e);
        }
        let loaded = self.load(&mut device).await;
        device.refuse_if_managed(&self.config)?;
        loaded?;
        device.approve_change(approval.as_ref()).await?;
        let found = device.store()?.find_register(&RegisterRef::parse(register)?).await?;
        let settings = DeviceSettings {
            location: Some(found.location_code.clone()),
            register: Some(found.address.clone()),
            ..device.settings()?.clone()
        };
        self.save_settings(&mut device, settings)?;
        device.login = None;
        self.status_of(&mut device).await
    }

    /// Puts back the previous good settings after `device.json` was damaged. Needs a manager's
    /// approval from the database that copy names (when it names one).
    pub async fn repair_settings(&self, approval: Option<Approval>) -> Result<DeviceStatus, IpcError> {
        let mut device = self.device.lock().await;
        device.startup_error = None;
        let loaded = self.load(&mut device).await;
        device.refuse_if_managed(&self.config)?;
        let damaged = match loaded {
            Err(IpcError::SettingsDamaged(damaged)) => damaged,
            // Nothing to repair (repaired meanwhile, or by IT).
            Ok(()) => return self.status_of(&mut device).await,
            Err(e) => return Err(e),
        };
        let previous = self.config.settings.load_previous().ok_or(IpcError::SettingsDamaged(damaged))?;
        let store = match (previous.database_kind, previous.database_url.as_deref()) {
            (Some(kind), Some(url)) => Some(self.open_saved(kind, url).await?),
            _ => None,
        };
        if let Some(store) = &store {
            let approval = approval.ok_or(IpcError::ApprovalNeeded)?;
            let device_name = DeviceName::parse(&previous.device_name)?;
            service::authorize_manager(store.as_ref(), &approval.manager, &approval.pin.0, &device_name).await?;
        }
        let restored = self.config.settings.restore_previous().map_err(IpcError::Settings)?;
        tracing::warn!(path = %self.config.settings.path().display(), "device settings restored from the previous copy");
        device.settings = Some(Ok(restored));
        device.store = store;
        device.login = None;
        self.status_of(&mut device).await
    }

    /// Holds the device (no command runs meanwhile): the updater decides and installs under it,
    /// so nobody logs in or starts a shift on this device in between.
    pub async fn hold_device(&self) -> MutexGuard<'_, Device> {
        self.device.lock().await
    }

    /// Who is logged in on this device and whether its register has an open session (on any
    /// device: with PostgreSQL another terminal may have opened it).
    pub async fn activity(&self, device: &mut Device) -> Activity {
        let loaded = self.load(device).await;
        let logged_in = device.peek_login(self.now()).ok().map(|who| who.user.name);
        let chosen = device.settings.as_ref().and_then(|s| s.as_ref().ok()).is_some_and(|s| s.register.is_some());
        let register = match (loaded, device.register()) {
            (_, Ok((store, register))) => match store.find_register(&register).await {
                Ok(found) => match store.latest_session(found.id).await {
                    Ok(Some(session)) if session.status == SessionStatus::Open => {
                        RegisterState::Open { session: session.number }
                    }
                    Ok(_) => RegisterState::Closed,
                    Err(e) => RegisterState::Unknown { why: e.to_string() },
                },
                Err(StoreError::Refused(Refusal::NotFound { .. })) => RegisterState::NotChosen,
                Err(e) => RegisterState::Unknown { why: e.to_string() },
            },
            (Err(e), Err(_)) if chosen || matches!(e, IpcError::SettingsDamaged(_)) => {
                RegisterState::Unknown { why: e.to_string() }
            }
            (_, Err(_)) => RegisterState::NotChosen,
        };
        Activity { logged_in, register }
    }

    /// A manager's or admin's approval, checked against the database this device uses.
    pub async fn authorize_manager(&self, approval: Approval) -> Result<User, IpcError> {
        let device = self.device().await?;
        let store = device.store()?;
        let device_name = device.device_name()?;
        Ok(service::authorize_manager(store.as_ref(), &approval.manager, &approval.pin.0, &device_name).await?)
    }

    /// Active users only; no PIN hashes ever leave the backend.
    pub async fn list_users(&self) -> Result<Vec<User>, IpcError> {
        let store = self.device().await?.store()?;
        let users = store.list_users().await?;
        Ok(users.into_iter().filter(|u| u.active).collect())
    }

    /// A login attempt ends the previous login first: a wrong PIN leaves nobody logged in.
    pub async fn login(&self, user: &str, pin: &str) -> Result<User, IpcError> {
        let mut device = self.device().await?;
        let (store, _) = device.register()?;
        if let Some(previous) = device.login.take() {
            end_login(store.as_ref(), &previous).await;
        }
        let who = service::authenticate(store.as_ref(), user, pin, &device.device_name()?).await?;
        tracing::info!(user = %who.user.name, "logged in");
        let user = who.user.clone();
        device.login = Some(Login::new(who, self.now()));
        Ok(user)
    }

    /// Ends the login here and in the database (whose token every write carried).
    pub async fn logout(&self) {
        let mut device = self.device.lock().await;
        if let (Some(login), Ok((store, _))) = (device.login.take(), device.register()) {
            end_login(store.as_ref(), &login).await;
        }
    }

    /// Lifts a user's PIN lockout with a manager's approval. Needs no login (the locked user is
    /// typically the one at the till).
    pub async fn unlock_user(&self, user: &str, approval: Approval) -> Result<User, IpcError> {
        let device = self.device().await?;
        let (store, _) = device.register()?;
        let device_name = device.device_name()?;
        let manager = (approval.manager.as_str(), approval.pin.0.as_str());
        Ok(service::unlock_user(store.as_ref(), Some(manager), user, &device_name).await?)
    }

    /// The register's open session, else its latest one, else none. Polled by the session
    /// screen, so it does not count as activity, but an idle login ends here too.
    pub async fn current_session(&self) -> Result<Option<SessionView>, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Poll).await?;
        let (store, here) = device.here().await?;
        Ok(store.latest_session(here.id).await?.map(|s| s.view()))
    }

    /// Opens the register's session or joins the open one, as the logged-in user. Without
    /// opening cash it only joins ("Join session"): it never opens a drawer with no float.
    /// `denominations`: the opening count's notes and coins when the helper was used; checked
    /// against the opening cash before anything is written, recorded once the shift is open.
    pub async fn start_shift(
        &self,
        request_id: RequestId,
        opening_cash: Option<i64>,
        notes: Option<&str>,
        denominations: Vec<till_core::DenominationCount>,
    ) -> Result<ShiftStartedView, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let request = StartRequest { request_id, opening_cash: opening_cash.map(CashAmount::Minor), notes };
        let started = service::start_shift_counted(
            store.as_ref(),
            &who,
            &register,
            &device.device_name()?,
            request,
            denominations,
        )
        .await?;
        Ok(started.view())
    }

    /// A manager approves with their PIN; closes the session the screen shows (by id, so a
    /// form left open while another device closed it and a new one opened closes nothing
    /// new), and only if it is this register's. `count` carries the float left, the
    /// denominations and, for a variance above the location's limit, the approving manager's
    /// reason (their PIN is the approval's).
    pub async fn close_shift(
        &self,
        request_id: RequestId,
        session: &str,
        counted_cash: i64,
        approval: Approval,
        count: till_core::CloseCount,
    ) -> Result<SessionView, IpcError> {
        let session = SessionRef::parse(session)?;
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let manager = service::approval(&approval.manager, &approval.pin.0)?;
        let request = CloseRequest {
            request_id,
            session: &session,
            counted_cash: CashAmount::Minor(counted_cash),
            only_register: Some(&register),
            float_left: count.float_left.map(CashAmount::Minor),
            denominations: count.denominations,
            sign_off: count.variance_reason.as_deref(),
        };
        let closed = service::close_shift(store.as_ref(), &who, Some(manager), &device_name, request).await?;
        if let Some(devices) = &device.devices {
            devices.open_drawer("the count at close").await;
        }
        let settings = device.settings()?.clone();
        device.last_backup = self.backup_after_close(&settings, &closed.number).await;
        Ok(closed.view())
    }

    /// Copies the embedded database to the device's backup folder after a close, when one is
    /// set (`tillctl backup`'s checks, names and rotation). A failure never undoes or blocks the
    /// close: it is kept for the close's result screen (`last_backup`) and logged.
    async fn backup_after_close(&self, settings: &DeviceSettings, session: &str) -> Option<BackupAfterClose> {
        let folder = settings.backup_folder.as_deref().filter(|f| !f.trim().is_empty())?;
        let url = settings.database_url.as_deref()?;
        // The demo's published PINs must never rotate the store's real copies away.
        if settings.database_kind != Some(DatabaseKind::Sqlite) || url == self.config.demo_database_url {
            return None;
        }
        let at = self.now();
        let taken = till_backend::backup::take_backup(url, std::path::Path::new(folder), BACKUPS_KEPT, at).await;
        let (file, problem) = match taken {
            Ok(backup) => (Some(backup.file.display().to_string()), None),
            Err(e) => {
                tracing::error!(folder, "the backup after closing {session} failed: {e}");
                (None, Some(e.to_string()))
            }
        };
        Some(BackupAfterClose { session: session.to_string(), at, file, problem })
    }

    /// The device and its settings, for a change the app may make: refused on a till IT's
    /// device file manages.
    async fn unmanaged_settings(&self) -> Result<(MutexGuard<'_, Device>, DeviceSettings), IpcError> {
        let mut device = self.device.lock().await;
        self.load(&mut device).await?;
        device.refuse_if_managed(&self.config)?;
        let settings = device.settings()?.clone();
        Ok((device, settings))
    }

    /// Sets the folder the embedded database is copied to after every close (a USB drive or a
    /// network share), or with `None` turns the backup off. A manager approves, as for any change
    /// to a set-up device; the folder is checked (a full path, there, takes a file) before it
    /// is saved. IT's device file, when there is one, sets it instead; PostgreSQL is IT's to back
    /// up on the server.
    pub async fn set_backup_folder(
        &self,
        folder: Option<String>,
        approval: Option<Approval>,
    ) -> Result<DeviceStatus, IpcError> {
        let (mut device, settings) = self.unmanaged_settings().await?;
        // Refused before the PIN is checked: nothing to approve, and no PIN try used up.
        match (settings.database_kind, settings.database_url.as_deref()) {
            (Some(DatabaseKind::Sqlite), Some(url)) if url == self.config.demo_database_url => {
                return Err(IpcError::Till(TillError::Input(InputError::Invalid {
                    field: "backup folder",
                    reason: "the demo database is not backed up (its PINs are published): choose the store's database \
                             first"
                        .into(),
                })));
            }
            (Some(DatabaseKind::Sqlite), Some(_)) => {}
            (Some(DatabaseKind::Postgres), url) => {
                let database = url.map(till_backend::redact).unwrap_or_default();
                return Err(till_backend::backup::BackupError::Postgres { database }.into());
            }
            _ => return Err(IpcError::DeviceNotSetUp("database")),
        }
        device.approve_change(approval.as_ref()).await?;
        let folder = match folder.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            Some(folder) => Some(usable_folder(folder).await?.display().to_string()),
            None => None,
        };
        tracing::info!(folder = folder.as_deref().unwrap_or("(none)"), "backup folder set");
        self.save_settings(&mut device, DeviceSettings { backup_folder: folder, ..settings })?;
        self.status_of(&mut device).await
    }

    /// Chooses the receipt printer and the drawer on its port (`None`: none) of a till IT does
    /// not manage: the device screen's, with a manager's approval. The sections are checked as
    /// the device file's are, and a bad one is refused naming its setting (`printer.host`)
    /// before anything is saved or a PIN try used. Jobs waiting in the spool print on the
    /// printer chosen now.
    pub async fn set_hardware(
        &self,
        printer: Option<PrinterSection>,
        drawer: Option<DrawerSection>,
        approval: Option<Approval>,
    ) -> Result<DeviceStatus, IpcError> {
        let (mut device, settings) = self.unmanaged_settings().await?;
        let unusable = |field: &'static str, reason: String| {
            IpcError::Till(TillError::Input(InputError::Invalid { field, reason }))
        };
        if let Some(printer) = &printer {
            printer.settings().map_err(|e| unusable("printer", e.to_string()))?;
        }
        if let Some(drawer) = &drawer {
            drawer.settings().map_err(|e| unusable("drawer", e.to_string()))?;
            if printer.is_none() {
                return Err(unusable("drawer", till_devices::settings::DRAWER_NEEDS_PRINTER.into()));
            }
        }
        device.approve_change(approval.as_ref()).await?;
        let settings =
            DeviceSettings { printer: printer.map(Section::Read), drawer: drawer.map(Section::Read), ..settings };
        tracing::info!(printer = ?settings.printer, drawer = ?settings.drawer, "receipt printer and drawer set");
        self.save_settings(&mut device, settings.clone())?;
        // The old queue stops between jobs before the new one takes the spool over: one queue
        // per spool, so no job is sent twice. A command holding the old devices (a print being
        // queued) lets go within moments; the device's lock keeps any new one from taking them.
        let printed = match device.devices.take() {
            Some(old) => Devices::stop_shared(old).await,
            None => std::collections::VecDeque::new(),
        };
        device.devices = Devices::from_settings(&settings, self.spool()).map(|devices| {
            devices.remember(printed);
            Arc::new(devices)
        });
        self.status_of(&mut device).await
    }

    /// Prints a test page on the receipt printer (through the queue, so a problem shows in the
    /// printer's status like any job's). Any logged-in user may: it opens nothing.
    pub async fn print_test_page(&self) -> Result<(), IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let printed = match &device.devices {
            Some(devices) => devices.test_page().await,
            None => None,
        };
        printed_or_why(printed, "the test page")
    }

    /// The backup the last close on this device took, or why it failed (`None`: no close yet,
    /// or no backup folder set).
    pub async fn last_backup(&self) -> Result<Option<BackupAfterClose>, IpcError> {
        Ok(self.device.lock().await.last_backup.clone())
    }
}

/// The sale screens' commands: the cart is priced and recorded by the core, the UI only shows
/// the numbers; the cashier is always the logged-in user, never one the UI names.
impl AppState {
    /// Prices the cart the screen shows (read-only): the UI displays these numbers, it never
    /// computes a total itself. Counts as activity (the cashier is ringing up).
    pub async fn price_cart(
        &self,
        lines: Vec<SaleLineRequest>,
        receipt_discount: Option<Discount>,
    ) -> Result<PricedCart, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let (store, register) = device.register()?;
        Ok(service::price_sale(store.as_ref(), &register, &lines, receipt_discount).await?)
    }

    /// Records the sale into the session the screen shows (`session_closed` when it was closed
    /// elsewhere: the cart stays on screen). `id` is chosen once per cart by the UI and reused on
    /// retry, so a lost answer never records the sale twice. A discount above the limit or a
    /// price override needs a manager: the approval's, or the logged-in manager's own (till-core's rule).
    pub async fn record_sale(
        &self,
        id: ReceiptId,
        session: SessionId,
        request: SaleRequest,
        approval: Option<Approval>,
    ) -> Result<Receipt, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let approval = approval.map(|a| service::approval(&a.manager, &a.pin.0)).transpose()?;
        let till = Till {
            who: &who,
            register: &register,
            device: &device_name,
            session: Some(session),
            approval: approval.as_ref(),
        };
        let receipt = service::record_sale(store.as_ref(), till, id, &request).await?;
        if let Some(devices) = &device.devices {
            devices.receipt(&receipt).await;
        }
        Ok(receipt)
    }

    /// An active product by a scanned barcode or a typed SKU (exactly one).
    pub async fn find_product(&self, barcode: Option<&str>, sku: Option<&str>) -> Result<Product, IpcError> {
        let key = match (barcode, sku) {
            (Some(code), None) => ProductKey::Barcode(Barcode::parse(code)?),
            (None, Some(sku)) => ProductKey::Sku(Sku::parse(sku)?),
            _ => return Err(InputError::Invalid { field: "product", reason: "give a barcode or a SKU".into() }.into()),
        };
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let (store, location) = device.location().await?;
        Ok(service::find_for_sale(store.as_ref(), &location, &key).await?)
    }

    /// Active products whose name or SKU contains `text`, a few, for the pick list.
    pub async fn search_products(&self, text: &str) -> Result<Vec<Product>, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let (store, location) = device.location().await?;
        Ok(search(store.list_products(&location, false).await?, text))
    }

    /// The quick-key grid: each category with its active products.
    pub async fn quick_keys(&self) -> Result<Vec<QuickKeys>, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let (store, location) = device.location().await?;
        let categories = store.list_categories(&location).await?;
        Ok(quick_keys(categories, store.list_products(&location, false).await?))
    }

    /// The open items of this register's location (products priced 0.00): what an item whose
    /// barcode the catalog does not know is sold as, at a typed price a manager approves.
    pub async fn open_items(&self) -> Result<Vec<Product>, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let (store, location) = device.location().await?;
        Ok(store.list_products(&location, false).await?.into_iter().filter(Product::is_open_item).collect())
    }

    /// A receipt of this register's location, by its number.
    pub async fn find_receipt(&self, number: &str) -> Result<Receipt, IpcError> {
        let mut device = self.device().await?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let (store, here) = device.here().await?;
        Ok(service::find_receipt(store.as_ref(), number, asker(&who, &here)).await?)
    }

    /// What refunding `request`'s lines of sale `receipt` at this register would give back,
    /// computed as [`AppState::refund`] records it; writes nothing. Needs a live login (any
    /// role: the manager approves the refund itself).
    pub async fn quote_refund(&self, receipt: &str, request: RefundRequest) -> Result<RefundQuote, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let (store, register) = device.register()?;
        Ok(service::quote_refund(store.as_ref(), &register, receipt.trim(), &request).await?)
    }

    /// Refunds lines of a sale into this register's open session, approved by a manager's PIN
    /// (checked here, like closing a shift); the logged-in user is the cashier on the receipt.
    pub async fn refund(
        &self,
        id: ReceiptId,
        receipt: &str,
        request: RefundRequest,
        approval: Approval,
    ) -> Result<Receipt, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let manager = service::approval(&approval.manager, &approval.pin.0)?;
        let till =
            Till { who: &who, register: &register, device: &device_name, session: None, approval: Some(&manager) };
        let refunded = service::refund(store.as_ref(), till, id, receipt.trim(), &request).await?;
        if let Some(devices) = &device.devices {
            devices.receipt(&refunded).await;
        }
        Ok(refunded)
    }

    /// The running totals of the register's current (else latest) session; polled by the
    /// session screen, so it does not count as activity.
    pub async fn session_totals(&self) -> Result<Option<SessionTotals>, IpcError> {
        let mut device = self.device().await?;
        let who = device.current_user(self.now(), Use::Poll).await?;
        let (store, here) = device.here().await?;
        match store.latest_session(here.id).await? {
            Some(session) => Ok(Some(service::session_totals(store.as_ref(), &session, asker(&who, &here)).await?)),
            None => Ok(None),
        }
    }
}

/// Cash control and reports: movements, X and Z, force-close, late count, reprints, voids, the
/// forgotten-session banner and the day view. The logged-in user acts; a manager's PIN
/// (checked here) approves what needs one.
impl AppState {
    /// The reasons this register's location offers for cash movements.
    pub async fn cash_reasons(&self) -> Result<Vec<till_core::CashReason>, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Act).await?;
        let (store, location) = device.location().await?;
        Ok(store.cash_reasons(&location).await?)
    }

    /// A paid in, paid out, drop or no-sale on this register's open session. `id` is chosen
    /// once per form and reused on retry; `approval` is needed for a paid out or drop above the
    /// location's limit (a logged-in manager approves their own).
    pub async fn record_movement(
        &self,
        id: till_core::MovementId,
        kind: till_core::MovementKind,
        amount: Option<i64>,
        reason: String,
        note: Option<String>,
        approval: Option<Approval>,
    ) -> Result<till_core::CashMovement, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let approval = approval.map(|a| service::approval(&a.manager, &a.pin.0)).transpose()?;
        let request = service::MovementRequest {
            id,
            kind,
            amount: amount.map(CashAmount::Minor),
            reason: &reason,
            note: note.as_deref(),
        };
        let movement =
            service::record_movement(store.as_ref(), &who, approval, &register, &device_name, request).await?;
        if let Some(devices) = &device.devices {
            devices.open_drawer(movement.kind.as_str()).await;
        }
        Ok(movement)
    }

    /// The X report of the session shown (by id or number; of this location), else of this
    /// register's latest.
    /// With `approval`: a manager's name and PIN, checked now, for the X of an open drawer in a
    /// blind-close store that a cashier asked for (the report names the manager who opened it).
    pub async fn x_report(
        &self,
        session: Option<String>,
        approval: Option<Approval>,
    ) -> Result<till_core::reports::XReport, IpcError> {
        let mut device = self.device().await?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let (store, here) = device.here().await?;
        let session = match session {
            Some(s) => SessionRef::parse(&s)?,
            None => {
                let latest = store.latest_session(here.id).await?;
                SessionRef::Id(latest.ok_or_else(|| Refusal::NoOpenSession { register: here.address.clone() })?.id)
            }
        };
        let manager = match approval {
            Some(a) => {
                let credentials = service::approval(&a.manager, &a.pin.0)?;
                Some(service::check_approval(store.as_ref(), &credentials, &device_name).await?)
            }
            None => None,
        };
        let asker = match &manager {
            Some(manager) => service::Asker::UserAt { user: manager, location: here.location_id },
            None => asker(&who, &here),
        };
        Ok(service::x_report(store.as_ref(), &session, asker).await?)
    }

    /// The Z report of a closed session of this location (by id or number).
    pub async fn z_report(&self, session: String) -> Result<till_core::reports::ZReport, IpcError> {
        let mut device = self.device().await?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let (store, here) = device.here().await?;
        Ok(service::z_report(store.as_ref(), &SessionRef::parse(&session)?, asker(&who, &here)).await?)
    }

    /// Prints the X report `x_report` answers (same session, same rules) on the receipt printer.
    /// `approval`: as for `x_report` (a blind-close store's X that a manager opened).
    pub async fn print_x_report(&self, session: Option<String>, approval: Option<Approval>) -> Result<(), IpcError> {
        let x = self.x_report(session, approval).await?;
        self.print_report(Report::X(&x)).await
    }

    /// Prints the Z report `z_report` answers on the receipt printer.
    pub async fn print_z_report(&self, session: String) -> Result<(), IpcError> {
        let z = self.z_report(session).await?;
        self.print_report(Report::Z(&z)).await
    }

    async fn print_report(&self, report: Report<'_>) -> Result<(), IpcError> {
        let devices = self.device().await?.devices.clone();
        let printed = match &devices {
            Some(devices) => devices.report(report).await,
            None => None,
        };
        printed_or_why(printed, "the report")
    }

    /// A manager force-closes a forgotten session of this location, with a reason: the session
    /// as the day view shows it, for the late count that may follow at once.
    pub async fn force_close(
        &self,
        request_id: RequestId,
        session: String,
        reason: String,
        approval: Approval,
    ) -> Result<service::DaySession, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let manager = service::approval(&approval.manager, &approval.pin.0)?;
        let session = SessionRef::parse(&session)?;
        let here = store.find_register(&register).await?;
        let request = service::ForceCloseRequest {
            request_id,
            session: &session,
            reason: &reason,
            only_location: Some(here.location_id),
        };
        let closed = service::force_close(store.as_ref(), &who, Some(manager), &device_name, request).await?;
        let location = store.find_location(&LocationCode::parse(&closed.location_code)?).await?;
        Ok(service::DaySession::of(store.as_ref(), &location, &closed).await?)
    }

    /// A manager records the count of a force-closed session of this location.
    pub async fn late_count(
        &self,
        session: String,
        counted_cash: i64,
        count: till_core::CloseCount,
        approval: Approval,
    ) -> Result<SessionView, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let manager = service::approval(&approval.manager, &approval.pin.0)?;
        let session = SessionRef::parse(&session)?;
        let here = store.find_register(&register).await?;
        let request = service::LateCountRequest {
            session: &session,
            only_location: Some(here.location_id),
            counted_cash: CashAmount::Minor(counted_cash),
            float_left: count.float_left.map(CashAmount::Minor),
            denominations: count.denominations,
            variance_reason: count.variance_reason.as_deref(),
        };
        Ok(service::late_count(store.as_ref(), &who, Some(manager), &device_name, request).await?.view())
    }

    /// What the manager signs for when the count is off (expected, counted, difference), shown
    /// after the store checked the manager's PIN: a blind count keeps it from the counter, not
    /// from the manager who signs. Of this location's sessions only.
    pub async fn sign_off_figures(
        &self,
        session: String,
        counted_cash: i64,
        approval: Approval,
    ) -> Result<service::SignOffFigures, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let manager = service::approval(&approval.manager, &approval.pin.0)?;
        let session = SessionRef::parse(&session)?;
        let here = store.find_register(&register).await?;
        let counted = CashAmount::Minor(counted_cash);
        Ok(service::sign_off_figures(store.as_ref(), &manager, &device_name, &session, counted, Some(here.location_id))
            .await?)
    }

    /// A manager's approval checked as it is given (a discount above the limit, a new price),
    /// before the cart takes the change: the manager's user name. The sale carries the approval
    /// to the store, which checks it again when it records the sale.
    pub async fn check_approval(&self, approval: Approval) -> Result<String, IpcError> {
        let mut device = self.device().await?;
        let (store, _) = device.register()?;
        device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let manager = service::approval(&approval.manager, &approval.pin.0)?;
        Ok(service::check_approval(store.as_ref(), &manager, &device_name).await?.name.to_string())
    }

    /// A receipt printed again: counted on the open session (X and Z show it), journaled.
    pub async fn record_reprint(&self, number: String) -> Result<(), IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        service::record_reprint(store.as_ref(), &who, &register, &device_name, &number).await?;
        // The reprint is recorded: a failure to read the receipt back is the printer's problem
        // (logged), never an error that would have the screen record it again.
        if let Some(devices) = device.devices.clone() {
            let read = match device.here().await {
                Ok((store, here)) => {
                    service::find_receipt(store.as_ref(), &number, asker(&who, &here)).await.map_err(IpcError::from)
                }
                Err(e) => Err(e),
            };
            match read {
                Ok(receipt) => devices.reprint(&receipt).await,
                Err(e) => tracing::error!(number, "the reprint is recorded but cannot be printed: {e}"),
            }
        }
        Ok(())
    }

    /// The receipt printer's state for the register screen (polled; needs no login: it holds
    /// nothing a customer may not see). Not configured: `configured` is false.
    pub async fn printer_status(&self) -> Result<PrinterStatusView, IpcError> {
        let device = self.device().await?;
        Ok(self.pole.status(device.devices.as_ref().map(|d| d.status()).unwrap_or_default()))
    }

    /// The main window tells the customer display what the customer may see now (the lines,
    /// total, paid and change, or "Thank you"). A view the type cannot hold (a PIN, an approval,
    /// expected cash: an unknown field) is refused by the command table; one with bad values is
    /// refused here, and the display keeps showing the previous one.
    pub fn show_customer(&self, view: till_core::CustomerView) -> Result<(), IpcError> {
        view.check().map_err(|e| IpcError::Till(TillError::Input(e)))?;
        self.pole.show(&view);
        *self.customer.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(view);
        Ok(())
    }

    /// What the customer display shows: the latest view the main window sent, `None` before any.
    pub fn customer_view(&self) -> Option<till_core::CustomerView> {
        self.customer.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// The system device file's `[customer_display]` asks for a second window. Read from the file
    /// itself, leaving the device's state (and a start-up error the UI's first question is to
    /// get) untouched. A file or section Till cannot use opens no window and never blocks
    /// start-up: `tillctl device check` and the register's status report it.
    pub fn customer_display_window(&self) -> bool {
        match DeviceFile::load(&self.config.device_file) {
            Ok(Some(file)) => {
                matches!(file.customer_display(), Some(Ok(till_devices::settings::CustomerDisplaySettings::Window)))
            }
            Ok(None) | Err(_) => false,
        }
    }

    /// A void: lines taken off the sale on screen before it was paid (a line removed, a quantity
    /// lowered, the sale cleared), recorded in this register's open session by the logged-in
    /// user and journaled. `request_id` is chosen once by the screen and reused on a retry. The
    /// screen sends products and quantities only: the store prices the void from the catalog.
    pub async fn record_void(
        &self,
        request_id: till_core::VoidId,
        kind: till_core::VoidKind,
        lines: Vec<till_core::VoidLine>,
    ) -> Result<till_core::VoidRecorded, IpcError> {
        let mut device = self.device().await?;
        let (store, register) = device.register()?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let device_name = device.device_name()?;
        let request = service::VoidRequest { id: request_id, kind, lines: &lines };
        Ok(service::record_void(store.as_ref(), &who, &register, &device_name, request).await?)
    }

    /// This location's sessions open longer than its limit (polled for the banner: not activity).
    pub async fn forgotten_sessions(&self) -> Result<Vec<SessionView>, IpcError> {
        let mut device = self.device().await?;
        device.current_user(self.now(), Use::Poll).await?;
        let (store, location) = device.location().await?;
        Ok(service::forgotten_sessions(store.as_ref(), &location).await?.iter().map(till_core::Session::view).collect())
    }

    /// A manager's day view: this location's sessions of a business day (default: today's),
    /// with their Z numbers and variances.
    pub async fn day_view(&self, day: Option<chrono::NaiveDate>) -> Result<Vec<service::DaySession>, IpcError> {
        let mut device = self.device().await?;
        let who = device.current_user(self.now(), Use::Act).await?;
        let (store, here) = device.here().await?;
        let location = LocationCode::parse(&here.location_code)?;
        Ok(service::day_view(store.as_ref(), &location, day, self.now(), asker(&who, &here)).await?)
    }
}

/// Active products matching `text` in name or SKU (case-insensitive), names that start with it
/// first, at most [`SEARCH_RESULTS`]. Blank text matches nothing.
pub fn search(products: Vec<Product>, text: &str) -> Vec<Product> {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(bool, Product)> = products
        .into_iter()
        .filter(|p| p.active)
        .filter_map(|p| {
            let name = p.name.to_lowercase();
            let hit = name.contains(&needle) || p.sku.to_lowercase().contains(&needle);
            hit.then(|| (!name.starts_with(&needle), p))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
    found.into_iter().take(SEARCH_RESULTS).map(|(_, p)| p).collect()
}

/// The active products under their categories, in the categories' order; empty categories left out.
pub fn quick_keys(categories: Vec<Category>, products: Vec<Product>) -> Vec<QuickKeys> {
    categories
        .into_iter()
        .map(|category| {
            let products =
                products.iter().filter(|p| p.active && p.category_id == Some(category.id)).cloned().collect();
            QuickKeys { category, products }
        })
        .filter(|keys| !keys.products.is_empty())
        .collect()
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
    if till_backend::has_password(url) {
        return Err(invalid("leave the password out of the address; type it in the Password box"));
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Ends a login in the database. A failure is only logged: the database ends an unused login
/// at the location's idle limit anyway, and the person at the register is logged out here.
async fn end_login(store: &dyn Store, login: &Login) {
    if let Err(e) = store.logout(login.token()).await {
        tracing::warn!(user = %login.user().name, "could not end the login in the database: {e}");
    }
}
