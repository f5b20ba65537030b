//! The system device file IT writes on a provisioned store PC (`/etc/till/device.toml`, owned by
//! root): the database URL (never a password), the location and register, the idle logout, and
//! the update endpoint and policy. When it exists the app takes these settings from it and
//! nobody at the till can change them; `tillctl` uses its database when given no other.
//!
//! ```toml
//! [database]
//! url = "postgres://till_dt_r1@db.store.example:5432/till?sslmode=verify-full&sslrootcert=/etc/till/ca.crt"
//! credentials = "keyring"        # or "certificate" (sslcert/sslkey in the URL)
//! allow_insecure_tls = false
//!
//! [register]
//! location = "DT"
//! register = "DT/R1"
//! device_name = "dt-r1"          # optional; default: the host name
//!
//! [session]
//! idle_logout_minutes = 5
//!
//! [updates]
//! endpoint = "https://updates.example/till/{{target}}/{{current_version}}"   # optional
//! policy = "when-idle"           # or "manual", "off"
//!
//! [backup]
//! folder = "/media/till/TILL-USB"   # optional: the embedded database is copied here after every close
//!
//! [printer]                      # optional: the receipt printer (see till_devices::settings)
//! connection = "network"
//! host = "192.168.1.50"
//!
//! [drawer]                       # optional: the cash drawer on the printer's port
//! pin = 2
//!
//! [customer_display]             # optional
//! kind = "window"
//! ```
//!
//! The hardware sections never make the file unreadable: one Till cannot use is reported, naming
//! the setting, by `tillctl device check`, `tillctl doctor` and the register's printer status,
//! and the till starts and sells without that device.

use crate::tls::{self, TlsReport};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use till_core::{DeviceName, IdleLimit, LocationCode, RegisterRef};
use till_devices::settings::{
    self as devices, CustomerDisplaySection, CustomerDisplaySettings, DrawerSection, DrawerSettings, PrinterSection,
    PrinterSettings, Section, SettingError,
};

/// Where IT puts the device file. Fixed in release builds: see [`path`].
#[cfg(not(windows))]
pub const SYSTEM_PATH: &str = "/etc/till/device.toml";
#[cfg(windows)]
pub const SYSTEM_PATH: &str = r"C:\ProgramData\Till\device.toml";

/// The device file's path. Debug builds (the tests) may move it with `TILL_DEVICE_FILE`; release
/// builds never read that variable: the file is what locks a till to its store, and a cashier
/// who could point a release till at a file of their own (one environment variable in a desktop
/// shortcut) could take it to their own database, with their own "manager".
pub fn path() -> PathBuf {
    #[cfg(debug_assertions)]
    if let Some(path) = std::env::var_os("TILL_DEVICE_FILE").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    PathBuf::from(SYSTEM_PATH)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceFile {
    pub database: DatabaseSection,
    pub register: RegisterSection,
    #[serde(default)]
    pub session: SessionSection,
    #[serde(default)]
    pub updates: UpdatesSection,
    #[serde(default)]
    pub backup: BackupSection,
    #[serde(default, skip_serializing_if = "absent_or_unreadable")]
    pub printer: Option<Section<PrinterSection>>,
    #[serde(default, skip_serializing_if = "absent_or_unreadable")]
    pub drawer: Option<Section<DrawerSection>>,
    #[serde(default, skip_serializing_if = "absent_or_unreadable")]
    pub customer_display: Option<Section<CustomerDisplaySection>>,
}

fn absent_or_unreadable<T>(section: &Option<Section<T>>) -> bool {
    section.is_none() || Section::is_unreadable(section)
}

/// Where the app copies its embedded database after every close (a USB drive, a network share).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    /// The folder; absent: no backup after a close (IT runs `tillctl backup` on a schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub folder: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSection {
    /// `postgres://USER@HOST:PORT/DB?sslmode=verify-full&sslrootcert=...` or `sqlite://PATH`.
    pub url: String,
    #[serde(default)]
    pub credentials: Credentials,
    /// Lets a server on another computer be reached without verifying its certificate.
    #[serde(default)]
    pub allow_insecure_tls: bool,
}

/// How the terminal proves who it is to PostgreSQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Credentials {
    /// A password in the OS keyring of the till's user (`tillctl device set-password`).
    #[default]
    Keyring,
    /// A client certificate and key named in the URL (`sslcert`, `sslkey`).
    Certificate,
}

impl Credentials {
    pub fn as_str(&self) -> &'static str {
        match self {
            Credentials::Keyring => "keyring",
            Credentials::Certificate => "certificate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterSection {
    /// The location code (`DT`).
    pub location: String,
    /// The register's address (`DT/R1`).
    pub register: String,
    /// Recorded on the sessions this till opens, joins and closes; default: the host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSection {
    /// Minutes without use before a login ends; 0 turns it off.
    #[serde(default = "default_idle")]
    pub idle_logout_minutes: u32,
}

fn default_idle() -> u32 {
    IdleLimit::DEFAULT_MINUTES
}

impl Default for SessionSection {
    fn default() -> Self {
        SessionSection { idle_logout_minutes: default_idle() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatesSection {
    /// Where the updater looks for new versions (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default)]
    pub policy: UpdatePolicy,
}

/// When the app installs an update it found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpdatePolicy {
    /// When nobody is logged in and no drawer is being counted.
    #[default]
    WhenIdle,
    /// Only when IT or a manager starts it.
    Manual,
    /// Never (IT updates the package itself).
    Off,
}

impl UpdatePolicy {
    pub fn parse(text: &str) -> Option<UpdatePolicy> {
        Some(match text {
            "when-idle" => UpdatePolicy::WhenIdle,
            "manual" => UpdatePolicy::Manual,
            "off" => UpdatePolicy::Off,
            _ => return None,
        })
    }
}

/// Why a device file cannot be used. The message names the file and, for syntax and unknown
/// keys, the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct DeviceFileError {
    pub path: PathBuf,
    pub reason: String,
    /// Set when the file was refused for where it lies, not for what it says: `reason` is this
    /// exposure's message.
    pub exposure: Option<Exposure>,
}

/// The device file, or a folder above it, lets someone other than root (or the user reading it)
/// change what the till reads: whoever can replace the file, or rename a folder on its path and
/// put their own in its place, can point the till at a database of their own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Exposure {
    #[error(
        "{path} is writable by {who} (mode {mode:04o}), who could replace the device file: as root, run \
         `chmod go-w {path}`",
        path = .path.display(),
        who = writers(*.mode)
    )]
    Writable { path: PathBuf, mode: u32 },
    #[error(
        "{path} is owned by uid {uid}, not root, and that user could replace the device file: as root, run \
         `chown -h root {path}` (and `chmod go-w {path}`)",
        path = .path.display()
    )]
    Owner { path: PathBuf, uid: u32 },
    #[error("cannot check who may change {path}: {error}", path = .path.display())]
    Unchecked { path: PathBuf, error: String },
}

fn writers(mode: u32) -> &'static str {
    match (mode & 0o020 != 0, mode & 0o002 != 0) {
        (true, true) => "its group and every other user",
        (true, false) => "its group",
        _ => "every other user",
    }
}

impl DeviceFile {
    /// Parses and checks a device file's text. `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<DeviceFile, DeviceFileError> {
        let error = |reason: String| DeviceFileError { path: path.to_path_buf(), reason, exposure: None };
        let file: DeviceFile = toml::from_str(text).map_err(|e| error(one_line(&e, text)))?;
        file.validate().map_err(error)?;
        Ok(file)
    }

    /// The file at `path`; `None` when there is none (the till is not managed). A file that
    /// someone other than root or this user could replace is refused ([`Exposure`]).
    pub fn load(path: &Path) -> Result<Option<DeviceFile>, DeviceFileError> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(DeviceFileError {
                    path: path.to_path_buf(),
                    reason: format!("cannot be read: {e}"),
                    exposure: None,
                })
            }
        };
        #[cfg(unix)]
        place::check(path).map_err(|exposure| DeviceFileError {
            path: path.to_path_buf(),
            reason: exposure.to_string(),
            exposure: Some(exposure),
        })?;
        DeviceFile::parse(&text, path).map(Some)
    }

    /// Everything the types do not say: a URL without a password that passes the TLS rule, a
    /// register address in the location, a device name and idle limit the app accepts, an
    /// https update endpoint.
    pub fn validate(&self) -> Result<(), String> {
        let url = self.database.url.trim();
        let kind = crate::backend_kind(url).map_err(|e| format!("[database] url: {e}"))?;
        if crate::has_password(url) {
            return Err("[database] url holds a password: take it out, and keep it in the till user's keyring with \
                 `tillctl device set-password`"
                .into());
        }
        if kind == till_core::BackendKind::Postgres && self.database.credentials == Credentials::Certificate {
            for key in ["sslcert", "sslkey"] {
                if url_param(url, key).is_none() {
                    return Err(format!(
                        "[database] credentials = \"certificate\" needs {key}=PATH in the url (the till's client \
                         certificate and key)"
                    ));
                }
            }
        }
        self.tls().map_err(|e| format!("[database] url: {e}"))?;
        let location = LocationCode::parse(&self.register.location).map_err(|e| format!("[register] location: {e}"))?;
        match RegisterRef::parse(&self.register.register).map_err(|e| format!("[register] register: {e}"))? {
            RegisterRef::Address { location: of, .. } if of == location => {}
            RegisterRef::Address { location: of, .. } => {
                return Err(format!(
                    "[register] register {} is not in location {location} (it is in {of})",
                    self.register.register
                ))
            }
            RegisterRef::Id(_) => {
                return Err("[register] register: write its address, LOCATION/REGISTER like DT/R1".into());
            }
        }
        if let Some(name) = &self.register.device_name {
            DeviceName::parse(name).map_err(|e| format!("[register] device_name: {e}"))?;
        }
        IdleLimit::from_minutes(self.session.idle_logout_minutes)
            .map_err(|e| format!("[session] idle_logout_minutes: {e}"))?;
        if let Some(endpoint) = &self.updates.endpoint {
            check_endpoint(endpoint).map_err(|e| format!("[updates] endpoint: {e}"))?;
        }
        Ok(())
    }

    /// The URL's TLS mode, judged with this file's `allow_insecure_tls`.
    pub fn tls(&self) -> Result<Option<TlsReport>, tls::TlsError> {
        tls::check_url(self.database.url.trim(), self.database.allow_insecure_tls)
    }

    /// The files the URL names (`sslrootcert`, `sslcert`, `sslkey`), for `tillctl device check`.
    pub fn referenced_files(&self) -> Vec<(&'static str, PathBuf)> {
        ["sslrootcert", "sslcert", "sslkey"]
            .into_iter()
            .filter_map(|key| url_param(self.database.url.trim(), key).map(|value| (key, PathBuf::from(value))))
            .collect()
    }

    /// The receipt printer, if the file sets one up, or what is wrong with its settings.
    pub fn printer(&self) -> Option<Result<PrinterSettings, SettingError>> {
        devices::checked(&self.printer, "printer", PrinterSection::settings)
    }

    /// The cash drawer on the printer's port, if set up.
    pub fn drawer(&self) -> Option<Result<DrawerSettings, SettingError>> {
        devices::checked(&self.drawer, "drawer", DrawerSection::settings)
    }

    pub fn customer_display(&self) -> Option<Result<CustomerDisplaySettings, SettingError>> {
        devices::checked(&self.customer_display, "customer_display", CustomerDisplaySection::settings)
    }

    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).unwrap_or_default();
        format!(
            "# Till device settings, written by `tillctl device init`. Owned by root: the till only reads it.\n{body}"
        )
    }

    /// Writes the file atomically (temp file beside it, fsync, rename, fsync of the folder),
    /// mode 0644: the till's users read it, only root writes it.
    pub fn write(&self, path: &Path) -> Result<(), DeviceFileError> {
        let failed = |e: std::io::Error| DeviceFileError {
            path: path.to_path_buf(),
            reason: format!("cannot write: {e}"),
            exposure: None,
        };
        self.validate().map_err(|reason| DeviceFileError { path: path.to_path_buf(), reason, exposure: None })?;
        write_atomically(path, self.to_toml().as_bytes()).map_err(failed)
    }
}

/// toml's own message is several lines (the source line and a caret); a screen or a log wants
/// one: "line N: what".
fn one_line(e: &toml::de::Error, source: &str) -> String {
    let message = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let line = source.get(..span.start).map_or(0, |before| before.matches('\n').count()) + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

/// A query parameter's decoded value (the last one, as sqlx reads it).
fn url_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(key, _)| crate::percent_decoded(key) == name)
        .map(|(_, value)| crate::percent_decoded(value))
        .next_back()
}

fn check_endpoint(endpoint: &str) -> Result<(), String> {
    let (scheme, rest) = endpoint.split_once("://").ok_or("must be an https:// URL")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_only = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let loopback = host_only == "localhost" || host_only == "127.0.0.1" || host_only == "[::1]";
    match scheme {
        "https" if !host_only.is_empty() => Ok(()),
        // A test server on this computer; anything else over http can be swapped on the way.
        "http" if loopback => Ok(()),
        _ => Err(format!("{endpoint:?} must be an https:// URL")),
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    let temp = path.with_file_name(name);
    let written = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(fs::Permissions::from_mode(0o644))?;
        }
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// Who may change the device file, from its place on disk (Unix: owners and modes).
#[cfg(unix)]
mod place {
    use super::Exposure;
    use std::os::unix::fs::MetadataExt;
    use std::path::{Path, PathBuf};

    /// The file and every folder above it, as written and with symbolic links resolved: each is
    /// owned by root or by this process's user, and writable by nobody else. A folder anyone
    /// may write is accepted only with the sticky bit, owned by root or this user (`/tmp`): there
    /// others may add entries but not rename or remove ours, and an entry they made themselves is
    /// refused by the owner rule when it is a step of the path.
    pub(super) fn check(path: &Path) -> Result<(), Exposure> {
        check_as(path, current_uid())
    }

    /// [`check`] for the user `me` (tests that cannot change owners play another user).
    pub(super) fn check_as(path: &Path, me: Option<u32>) -> Result<(), Exposure> {
        let unchecked =
            |path: &Path, e: std::io::Error| Exposure::Unchecked { path: path.into(), error: e.to_string() };
        let written = std::path::absolute(path).map_err(|e| unchecked(path, e))?;
        let resolved = std::fs::canonicalize(path).map_err(|e| unchecked(path, e))?;
        // As written: a symbolic link on the way is a step too (who owns it may repoint it).
        for (step, is_file) in steps(&written) {
            let meta = std::fs::symlink_metadata(&step).map_err(|e| unchecked(&step, e))?;
            let kind = if meta.file_type().is_symlink() { Kind::Link } else { Kind::from(is_file) };
            judge(&step, kind, meta.uid(), meta.mode(), me)?;
        }
        if resolved != written {
            for (step, is_file) in steps(&resolved) {
                let meta = std::fs::metadata(&step).map_err(|e| unchecked(&step, e))?;
                judge(&step, Kind::from(is_file), meta.uid(), meta.mode(), me)?;
            }
        }
        Ok(())
    }

    /// `path` and its ancestors up to `/`, the first one flagged as the file.
    fn steps(path: &Path) -> impl Iterator<Item = (PathBuf, bool)> + '_ {
        path.ancestors().filter(|p| !p.as_os_str().is_empty()).enumerate().map(|(i, p)| (p.to_path_buf(), i == 0))
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub(super) enum Kind {
        File,
        Folder,
        /// A symbolic link: only its owner matters (its own mode is not used on Linux).
        Link,
    }

    impl From<bool> for Kind {
        fn from(is_file: bool) -> Kind {
            if is_file {
                Kind::File
            } else {
                Kind::Folder
            }
        }
    }

    /// The rule for one step. `me` is this process's user, when known.
    pub(super) fn judge(path: &Path, kind: Kind, uid: u32, mode: u32, me: Option<u32>) -> Result<(), Exposure> {
        let trusted_owner = uid == 0 || Some(uid) == me;
        if !trusted_owner {
            return Err(Exposure::Owner { path: path.into(), uid });
        }
        let others_write = mode & 0o022 != 0;
        let sticky = mode & 0o1000 != 0;
        match kind {
            Kind::Link => Ok(()),
            Kind::Folder if others_write && sticky => Ok(()),
            _ if others_write => Err(Exposure::Writable { path: path.into(), mode: mode & 0o7777 }),
            _ => Ok(()),
        }
    }

    /// This process's effective user: the owner of `/proc/self`, without a libc dependency.
    /// Where there is no `/proc` (macOS) only root counts as a trusted owner: a stricter rule,
    /// never a looser one.
    fn current_uid() -> Option<u32> {
        std::fs::metadata("/proc/self").ok().map(|m| m.uid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[database]
url = "postgres://till_dt_r1@db.example.com:5432/till?sslmode=verify-full&sslrootcert=/etc/till/ca.crt"
credentials = "keyring"

[register]
location = "DT"
register = "DT/R1"

[session]
idle_logout_minutes = 10

[updates]
endpoint = "https://updates.example.com/till/{{target}}/{{current_version}}"
policy = "manual"

[backup]
folder = "/media/till/TILL-USB"
"#;

    fn parse(text: &str) -> Result<DeviceFile, String> {
        DeviceFile::parse(text, Path::new("/etc/till/device.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_section() {
        let file = parse(GOOD).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.database.credentials, Credentials::Keyring);
        assert!(!file.database.allow_insecure_tls);
        assert_eq!(file.register.register, "DT/R1");
        assert_eq!(file.register.device_name, None);
        assert_eq!(file.session.idle_logout_minutes, 10);
        assert_eq!(file.updates.policy, UpdatePolicy::Manual);
        assert!(file.updates.endpoint.as_deref().is_some_and(|e| e.starts_with("https://")));
        assert_eq!(file.backup.folder.as_deref(), Some("/media/till/TILL-USB"));
        // What `tillctl device init` writes reads back the same.
        assert_eq!(parse(&file.to_toml()), Ok(file));
    }

    #[test]
    fn the_hardware_sections_are_read_and_a_bad_one_never_makes_the_file_unreadable() {
        let file = parse(&format!(
            "{GOOD}\n[printer]\nconnection = \"network\"\nhost = \"192.168.1.50\"\npaper = \"58mm\"\n\n[drawer]\npin = 5\npulse_ms = 120\n\n[customer_display]\nkind = \"window\"\n"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let printer = file.printer().expect("a printer").expect("good settings");
        assert_eq!(printer.connection.to_string(), "192.168.1.50:9100");
        assert_eq!(printer.paper.columns(), 32);
        assert_eq!(file.drawer().expect("a drawer").expect("good settings").pulse_units, 60);
        assert_eq!(file.customer_display(), Some(Ok(CustomerDisplaySettings::Window)));
        assert_eq!(parse(&file.to_toml()), Ok(file), "written back the same");

        for (section, setting) in [
            ("[printer]\nconnection = \"network\"\nhost = \"p\"\ncode_page = \"PC999\"\n", "printer.code_page"),
            ("[printer]\nconection = \"network\"\n", "printer"),
            ("[printer]\nconnection = \"network\"\nport = \"ninety\"\n", "printer"),
            ("[drawer]\npin = 3\n", "drawer.pin"),
        ] {
            let file = parse(&format!("{GOOD}\n{section}")).unwrap_or_else(|e| panic!("{section}: {e}"));
            let error = match (file.printer(), file.drawer()) {
                (Some(Err(error)), _) | (_, Some(Err(error))) => error,
                _ => panic!("{section}: accepted"),
            };
            assert_eq!(error.setting, setting, "{section}: {error}");
        }
        assert!(parse(GOOD).unwrap_or_else(|e| panic!("{e}")).printer().is_none(), "no section, no printer");
    }

    #[test]
    fn optional_sections_take_defaults() {
        let file = parse("[database]\nurl = \"sqlite:///var/lib/till/till.db\"\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.session.idle_logout_minutes, IdleLimit::DEFAULT_MINUTES);
        assert_eq!(file.updates, UpdatesSection { endpoint: None, policy: UpdatePolicy::WhenIdle });
    }

    #[test]
    fn unknown_keys_are_errors_with_their_line() {
        let typo = GOOD.replace("idle_logout_minutes", "idle_logout_minute");
        let message = parse(&typo).expect_err("unknown key");
        assert!(message.contains("/etc/till/device.toml") && message.contains("idle_logout_minute"), "{message}");
        assert!(message.contains("line 11"), "{message}");
        let section = format!("{GOOD}\n[scanner]\nname = \"x\"\n");
        assert!(parse(&section).expect_err("unknown section").contains("scanner"));
        assert!(parse("[database\n").expect_err("syntax").contains("line 1"));
    }

    #[test]
    fn refuses_what_the_types_allow_but_the_till_cannot_use() {
        let cases = [
            ("till_dt_r1@", "till_dt_r1:hunter2@", "password"),
            ("sslmode=verify-full", "sslmode=require", "verify-full"),
            ("register = \"DT/R1\"", "register = \"UP/R1\"", "not in location DT"),
            ("register = \"DT/R1\"", "register = \"R1\"", "LOCATION/REGISTER"),
            ("idle_logout_minutes = 10", "idle_logout_minutes = 100000", "idle_logout_minutes"),
            ("policy = \"manual\"", "policy = \"sometimes\"", "sometimes"),
            ("https://updates", "http://updates", "https://"),
            ("credentials = \"keyring\"", "credentials = \"certificate\"", "sslcert"),
        ];
        for (from, to, says) in cases {
            let text = GOOD.replace(from, to);
            assert_ne!(text, GOOD, "{from}");
            let message = parse(&text).expect_err(to);
            assert!(message.contains(says), "{to}: {message}");
        }
        // Allowed explicitly, a weak mode passes.
        let insecure = GOOD
            .replace("sslmode=verify-full", "sslmode=require")
            .replace("credentials = \"keyring\"", "credentials = \"keyring\"\nallow_insecure_tls = true");
        assert!(parse(&insecure).is_ok_and(|f| f.tls().is_ok_and(|r| r.is_some_and(|r| r.is_weak()))));
    }

    #[test]
    fn names_the_certificate_files() {
        let text = GOOD.replace("credentials = \"keyring\"", "credentials = \"certificate\"").replace(
            "sslrootcert=/etc/till/ca.crt",
            "sslrootcert=/etc/till/ca.crt&sslcert=/etc/till/client.crt&sslkey=%2Fetc%2Ftill%2Fclient.key",
        );
        let file = parse(&text).unwrap_or_else(|e| panic!("{e}"));
        let files: Vec<(&str, String)> =
            file.referenced_files().into_iter().map(|(k, p)| (k, p.display().to_string())).collect();
        assert_eq!(
            files,
            [
                ("sslrootcert", "/etc/till/ca.crt".into()),
                ("sslcert", "/etc/till/client.crt".into()),
                ("sslkey", "/etc/till/client.key".into())
            ]
        );
    }

    #[test]
    fn writes_atomically_with_mode_0644() {
        let dir = std::env::temp_dir().join(format!("till-device-file-{}", till_core::RequestId::new()));
        let path = dir.join("etc/till/device.toml");
        let file = parse(GOOD).unwrap_or_else(|e| panic!("{e}"));
        file.write(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(DeviceFile::load(&path), Ok(Some(file)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
            assert_eq!(mode, 0o644);
        }
        let left: Vec<_> =
            fs::read_dir(path.parent().unwrap_or(&dir)).map(|d| d.flatten().count()).into_iter().collect();
        assert_eq!(left, [1], "no temp file left behind");
        assert_eq!(DeviceFile::load(&dir.join("none.toml")), Ok(None));
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn who_may_change_a_step_of_the_path() {
        use place::{judge, Kind};
        const ME: Option<u32> = Some(1000);
        let cases = [
            // (kind, owner, mode, accepted)
            (Kind::File, 0, 0o644, true),
            (Kind::File, 1000, 0o600, true),
            (Kind::File, 0, 0o664, false),
            (Kind::File, 0, 0o646, false),
            (Kind::File, 1001, 0o644, false),
            // Sticky means nothing on a file: others may still write it.
            (Kind::File, 0, 0o1666, false),
            (Kind::Folder, 0, 0o755, true),
            (Kind::Folder, 1000, 0o700, true),
            (Kind::Folder, 0, 0o775, false),
            (Kind::Folder, 0, 0o757, false),
            (Kind::Folder, 1001, 0o755, false),
            // /tmp: others add entries, cannot rename or remove ours.
            (Kind::Folder, 0, 0o1777, true),
            (Kind::Folder, 1000, 0o1777, true),
            // ... unless the sticky folder is someone else's: they may do anything in it.
            (Kind::Folder, 1001, 0o1777, false),
            (Kind::Link, 0, 0o777, true),
            (Kind::Link, 1001, 0o777, false),
        ];
        for (kind, uid, mode, accepted) in cases {
            let judged = judge(Path::new("/x"), kind, uid, mode, ME);
            assert_eq!(judged.is_ok(), accepted, "{kind:?} uid {uid} mode {mode:o}: {judged:?}");
        }
        // Without a known user (no /proc), only root is trusted.
        assert!(judge(Path::new("/x"), Kind::Folder, 1000, 0o755, None).is_err());
        assert!(judge(Path::new("/x"), Kind::Folder, 0, 0o755, None).is_ok());
    }

    /// A device file in a fresh folder under the system temp folder (`/tmp`: sticky, root's).
    #[cfg(unix)]
    struct Planted {
        base: PathBuf,
        folder: PathBuf,
        file: PathBuf,
    }

    #[cfg(unix)]
    impl Planted {
        fn new() -> Planted {
            let base = std::env::temp_dir().join(format!("till-device-place-{}", till_core::RequestId::new()));
            let folder = base.join("etc");
            let file = folder.join("device.toml");
            parse(GOOD).unwrap_or_else(|e| panic!("{e}")).write(&file).unwrap_or_else(|e| panic!("{e}"));
            Self::chmod(&base, 0o700);
            Self::chmod(&folder, 0o755);
            Planted { base, folder, file }
        }

        fn chmod(path: &Path, mode: u32) {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap_or_else(|e| panic!("{e}"));
        }

        fn refused(&self, path: &Path) -> DeviceFileError {
            DeviceFile::load(path).expect_err("an exposed device file must be refused")
        }
    }

    #[cfg(unix)]
    impl Drop for Planted {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.base);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_device_file_others_could_replace_is_refused_naming_the_folder() {
        let planted = Planted::new();
        assert!(DeviceFile::load(&planted.file).is_ok_and(|f| f.is_some()), "0700 and 0755 folders under /tmp");

        for (mode, who) in [(0o775, "its group"), (0o757, "every other user"), (0o777, "its group and every other")] {
            Planted::chmod(&planted.folder, mode);
            let refused = planted.refused(&planted.file);
            assert_eq!(refused.exposure, Some(Exposure::Writable { path: planted.folder.clone(), mode }));
            let fix = format!("chmod go-w {}", planted.folder.display());
            assert!(refused.reason.contains(&fix) && refused.reason.contains(who), "{refused}");
        }
        // Sticky and ours, like /tmp: accepted.
        Planted::chmod(&planted.folder, 0o1777);
        assert!(DeviceFile::load(&planted.file).is_ok());
        Planted::chmod(&planted.folder, 0o755);

        // The file itself, and a folder higher up.
        Planted::chmod(&planted.file, 0o666);
        let refused = planted.refused(&planted.file);
        assert!(matches!(&refused.exposure, Some(Exposure::Writable { path, .. }) if *path == planted.file));
        Planted::chmod(&planted.file, 0o644);
        Planted::chmod(&planted.base, 0o770);
        let refused = planted.refused(&planted.file);
        assert!(refused.reason.contains(&format!("chmod go-w {}", planted.base.display())), "{refused}");
        Planted::chmod(&planted.base, 0o700);

        // Reached through a symbolic link: the folders it leads to are checked too.
        let link = planted.base.join("link");
        std::os::unix::fs::symlink(&planted.folder, &link).unwrap_or_else(|e| panic!("{e}"));
        assert!(DeviceFile::load(&link.join("device.toml")).is_ok());
        Planted::chmod(&planted.folder, 0o777);
        let refused = planted.refused(&link.join("device.toml"));
        assert!(refused.reason.contains(&format!("chmod go-w {}", planted.folder.display())), "{refused}");
        Planted::chmod(&planted.folder, 0o755);
        assert!(DeviceFile::load(&planted.file).is_ok(), "back to safe modes");
    }

    /// A folder (or a link) another ordinary user owns. Root gives them to `nobody`; any other
    /// user cannot, and plays another user instead, to whom its own files belong to someone else.
    #[cfg(unix)]
    #[test]
    fn a_path_another_user_owns_is_refused() {
        use std::os::unix::fs::MetadataExt;
        const NOBODY: u32 = 65534;
        let planted = Planted::new();
        let real = fs::metadata(&planted.file).map(|m| m.uid()).unwrap_or_else(|e| panic!("{e}"));
        if real != 0 {
            let other = Some(real.wrapping_add(1));
            let refused = place::check_as(&planted.file, other);
            assert_eq!(refused, Err(Exposure::Owner { path: planted.file.clone(), uid: real }));
            return;
        }
        std::os::unix::fs::chown(&planted.folder, Some(NOBODY), None).unwrap_or_else(|e| panic!("{e}"));
        let refused = planted.refused(&planted.file);
        assert_eq!(refused.exposure, Some(Exposure::Owner { path: planted.folder.clone(), uid: NOBODY }));
        assert!(refused.reason.contains(&format!("chown -h root {}", planted.folder.display())), "{refused}");
        std::os::unix::fs::chown(&planted.folder, Some(0), None).unwrap_or_else(|e| panic!("{e}"));
        let link = planted.base.join("link");
        std::os::unix::fs::symlink(&planted.folder, &link).unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::lchown(&link, Some(NOBODY), None).unwrap_or_else(|e| panic!("{e}"));
        let refused = planted.refused(&link.join("device.toml"));
        assert_eq!(refused.exposure, Some(Exposure::Owner { path: link, uid: NOBODY }));
    }
}
