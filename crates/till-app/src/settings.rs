//! This device's settings: one typed struct in `device.json` in Till's data folder. Never holds a
//! password (that is in the OS keyring, see [`crate::secrets`]).
//!
//! The file is written here, not through tauri-plugin-store: the plugin's save is a plain
//! `fs::write` (a power cut mid-save leaves a truncated file) and its loader drops a file it
//! cannot parse (the till would fall back to the set-up wizard). Here a save is atomic (temp file
//! in the same folder, fsync, rename over, fsync the folder), the previous good copy is kept as
//! `device.json.prev`, and a damaged file is an error, never the defaults. The layout is the one
//! the plugin wrote (`{"device": {...}}`), so files written by earlier versions still load.

use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use till_core::IdleLimit;
use till_devices::settings::{DrawerSection, PrinterSection, Section};

const KEY: &str = "device";

/// Which kind of database this device uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceSettings {
    pub database_kind: Option<DatabaseKind>,
    /// The database URL without a password (set-up refuses one that has it).
    pub database_url: Option<String>,
    /// The location code of the chosen register (`DT`).
    pub location: Option<String>,
    /// The chosen register's address (`DT/R1`).
    pub register: Option<String>,
    /// Recorded on every session this device opens, joins or closes.
    pub device_name: String,
    /// Minutes without use before the backend logs the user out; 0 turns it off.
    pub idle_logout_minutes: u32,
    /// Where the embedded database is copied after every close (`tillctl backup`'s checks and
    /// names); `None`: no backup after a close. A failure is shown to the manager on the close's
    /// result and never blocks the close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_folder: Option<String>,
    /// The receipt printer of a till IT does not manage, chosen on the device screen with a
    /// manager's approval: the device file's `[printer]` section, with the same checks. A
    /// section that cannot be read (an edited file) is kept as such and shown as the printer's
    /// problem: it never makes the whole file, and so the till, unusable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printer: Option<Section<PrinterSection>>,
    /// The cash drawer on that printer's port (the device file's `[drawer]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drawer: Option<Section<DrawerSection>>,
}

impl Default for DeviceSettings {
    fn default() -> Self {
        DeviceSettings {
            database_kind: None,
            database_url: None,
            location: None,
            register: None,
            device_name: host_name(),
            idle_logout_minutes: IdleLimit::DEFAULT_MINUTES,
            backup_folder: None,
            printer: None,
            drawer: None,
        }
    }
}

impl DeviceSettings {
    pub fn idle_limit(&self) -> IdleLimit {
        // Checked when the file is read (`parse`), so the fallback is never used.
        IdleLimit::from_minutes(self.idle_logout_minutes).unwrap_or_default()
    }
}

/// The computer's host name, cut to what a device name may hold.
fn host_name() -> String {
    let name: String = gethostname::gethostname().to_string_lossy().trim().chars().take(64).collect();
    if name.is_empty() || name.chars().any(char::is_control) {
        "till-register".to_string()
    } else {
        name
    }
}

/// Why the settings file cannot be used. Never answered with the defaults instead: a damaged
/// file needs a manager (or IT), not the set-up wizard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct Damaged {
    pub path: PathBuf,
    pub reason: String,
}

/// `device.json` and its previous good copy, in one folder.
#[derive(Debug, Clone)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn new(path: PathBuf) -> Self {
        SettingsFile { path }
    }

    /// Next to the embedded database, in Till's one data folder (`TILL_DATA_DIR` moves both):
    /// IT backs up or wipes one folder, and tillctl finds the same database by default.
    pub fn in_data_dir() -> Self {
        SettingsFile::new(till_backend::data_dir().join("device.json"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `device.json.prev`: the settings before the last save.
    pub fn previous_path(&self) -> PathBuf {
        with_suffix(&self.path, ".prev")
    }

    /// The saved settings; `None` on a fresh device (no file, and no previous copy). Reading never
    /// creates the file. A missing file beside a previous copy was removed after a save, so it is
    /// damage, not a fresh device: otherwise deleting it would skip the manager's approval that a
    /// set-up device needs to be moved.
    pub fn load(&self) -> Result<Option<DeviceSettings>, Damaged> {
        match read(&self.path)? {
            None if self.previous_path().exists() => Err(Damaged {
                path: self.path.clone(),
                reason: "is missing, but a previous copy exists: the settings were removed".into(),
            }),
            found => Ok(found),
        }
    }

    /// The previous good copy, if there is one and it is good.
    pub fn load_previous(&self) -> Option<DeviceSettings> {
        read(&self.previous_path()).ok().flatten()
    }

    /// Saves atomically. The file being replaced, when it is good, first becomes the previous
    /// copy (itself written atomically); a damaged one is never copied over a good `.prev`.
    pub fn save(&self, settings: &DeviceSettings) -> Result<(), Damaged> {
        let failed = |e: std::io::Error| Damaged { path: self.path.clone(), reason: format!("could not save: {e}") };
        if let Ok(current) = fs::read(&self.path) {
            if parse(&current).is_ok() {
                write_atomically(&self.previous_path(), &current).map_err(failed)?;
            }
        }
        write_atomically(&self.path, &to_bytes(settings)).map_err(failed)
    }

    /// Puts the previous good copy back as the settings (a manager's repair of a damaged file).
    /// The damaged file is kept beside it as `device.json.damaged` for IT to look at.
    pub fn restore_previous(&self) -> Result<DeviceSettings, Damaged> {
        let previous = self.previous_path();
        let settings = read(&previous)?
            .ok_or_else(|| Damaged { path: previous.clone(), reason: "there is no previous copy".into() })?;
        let failed = |e: std::io::Error| Damaged { path: self.path.clone(), reason: format!("could not restore: {e}") };
        if let Ok(damaged) = fs::read(&self.path) {
            write_atomically(&with_suffix(&self.path, ".damaged"), &damaged).map_err(failed)?;
        }
        write_atomically(&self.path, &to_bytes(&settings)).map_err(failed)?;
        Ok(settings)
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn read(path: &Path) -> Result<Option<DeviceSettings>, Damaged> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Damaged { path: path.to_path_buf(), reason: format!("cannot be read: {e}") }),
    };
    parse(&bytes).map(Some).map_err(|reason| Damaged { path: path.to_path_buf(), reason })
}

/// `{"device": {...}}`; a missing field takes its default, anything else wrong is damage.
fn parse(bytes: &[u8]) -> Result<DeviceSettings, String> {
    let mut file: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(bytes).map_err(|e| format!("is not valid settings JSON: {e}"))?;
    let value = file.remove(KEY).ok_or_else(|| format!("has no \"{KEY}\" entry"))?;
    let settings: DeviceSettings =
        serde_json::from_value(value).map_err(|e| format!("has a malformed \"{KEY}\" entry: {e}"))?;
    IdleLimit::from_minutes(settings.idle_logout_minutes).map_err(|e| e.to_string())?;
    Ok(settings)
}

fn to_bytes(settings: &DeviceSettings) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(&serde_json::json!({ KEY: settings })).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Temp file in the same folder, fsync, rename over the target, fsync the folder: after a crash
/// the target holds either the old or the new bytes, never a mix or nothing.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temp = with_suffix(path, &format!(".tmp-{}", std::process::id()));
    let written = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows cannot open a folder as a file; its rename is already durable (MoveFileEx replaces).
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh folder under the system temp folder, removed when dropped.
    pub struct TempDir(pub PathBuf);

    impl TempDir {
        pub fn new() -> TempDir {
            let dir = std::env::temp_dir().join(format!("till-desktop-test-{}", till_core::RequestId::new()));
            fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn sample(register: &str) -> DeviceSettings {
        DeviceSettings {
            database_kind: Some(DatabaseKind::Sqlite),
            database_url: Some("sqlite:///x/till.db".into()),
            location: Some("DT".into()),
            register: Some(register.into()),
            device_name: "till-1".into(),
            idle_logout_minutes: 5,
            backup_folder: Some("/media/till/TILL-USB".into()),
            printer: Some(Section::Read(PrinterSection {
                connection: "network".into(),
                host: Some("192.168.1.50".into()),
                paper: Some("58mm".into()),
                ..PrinterSection::default()
            })),
            drawer: Some(Section::Read(DrawerSection {
                pin: 5,
                pulse_ms: Some(120),
                ask_to_close: true,
                realtime: None,
            })),
        }
    }

    #[test]
    fn a_printer_section_that_cannot_be_read_leaves_the_settings_usable() {
        // An edited device.json with a typo'd printer key: the till still starts and sells; the
        // printer's status names the section.
        let read =
            parse(br#"{"device":{"database_kind":"sqlite","printer":{"conection":"network"},"drawer":{"pin":2}}}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.database_kind, Some(DatabaseKind::Sqlite));
        assert!(matches!(&read.printer, Some(Section::Unreadable(why)) if why.contains("conection")), "{read:?}");
        assert_eq!(
            read.drawer,
            Some(Section::Read(DrawerSection { pin: 2, pulse_ms: None, ask_to_close: false, realtime: None }))
        );
    }

    #[test]
    fn missing_fields_take_their_defaults() {
        let old = parse(br#"{"device":{"database_kind":"sqlite","database_url":"sqlite:///x/till.db"}}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.database_kind, Some(DatabaseKind::Sqlite));
        assert_eq!(old.register, None);
        assert_eq!(old.idle_logout_minutes, 5);
        assert!(!old.device_name.is_empty());
    }

    #[test]
    fn a_fresh_device_has_no_settings() {
        let dir = TempDir::new();
        assert_eq!(SettingsFile::new(dir.0.join("device.json")).load(), Ok(None));
    }

    #[test]
    fn a_damaged_file_is_an_error_not_the_defaults() {
        let dir = TempDir::new();
        let file = SettingsFile::new(dir.0.join("device.json"));
        for bad in [&b"{\"device\": {\"database_kind\": \"sqli"[..], b"", b"[]", b"{}", b"{\"device\": 7}"] {
            fs::write(file.path(), bad).unwrap_or_else(|e| panic!("{e}"));
            let damaged = file.load().expect_err("damaged settings must not load");
            assert_eq!(damaged.path, file.path());
        }
        fs::write(file.path(), br#"{"device":{"idle_logout_minutes":100000}}"#).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.load().is_err(), "an idle limit out of range is damage too");
    }

    #[test]
    fn saves_atomically_and_keeps_the_previous_good_copy() {
        let dir = TempDir::new();
        let file = SettingsFile::new(dir.0.join("device.json"));
        file.save(&sample("DT/R1")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.load_previous(), None, "nothing before the first save");
        file.save(&sample("DT/R2")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.load().ok().flatten().and_then(|s| s.register).as_deref(), Some("DT/R2"));
        assert_eq!(file.load_previous().and_then(|s| s.register).as_deref(), Some("DT/R1"));
        let names: Vec<String> = fs::read_dir(&dir.0)
            .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let mut names = names;
        names.sort();
        assert_eq!(names, ["device.json", "device.json.prev"], "no temp file left behind");
    }

    #[test]
    fn a_damaged_file_never_overwrites_the_good_copy_and_can_be_restored() {
        let dir = TempDir::new();
        let file = SettingsFile::new(dir.0.join("device.json"));
        file.save(&sample("DT/R1")).unwrap_or_else(|e| panic!("{e}"));
        file.save(&sample("DT/R2")).unwrap_or_else(|e| panic!("{e}"));
        fs::write(file.path(), b"{\"dev").unwrap_or_else(|e| panic!("{e}"));
        assert!(file.load().is_err());
        let restored = file.restore_previous().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(restored.register.as_deref(), Some("DT/R1"));
        assert_eq!(file.load().ok().flatten(), Some(restored));
        assert_eq!(fs::read(dir.0.join("device.json.damaged")).ok().as_deref(), Some(&b"{\"dev"[..]));
        // Saving over a damaged file keeps the last good copy as .prev.
        fs::write(file.path(), b"garbage").unwrap_or_else(|e| panic!("{e}"));
        file.save(&sample("DT/R3")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(file.load_previous().and_then(|s| s.register).as_deref(), Some("DT/R1"));
    }

    #[test]
    fn a_removed_file_beside_its_previous_copy_is_damage_not_a_fresh_device() {
        let dir = TempDir::new();
        let file = SettingsFile::new(dir.0.join("device.json"));
        let settings = sample("DT/R1");
        file.save(&settings).unwrap_or_else(|e| panic!("{e}"));
        file.save(&settings).unwrap_or_else(|e| panic!("{e}"));
        fs::remove_file(file.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.load().is_err(), "a deleted device.json must not send the till back to the wizard");
        assert_eq!(file.restore_previous().ok().and_then(|s| s.register).as_deref(), Some("DT/R1"));
    }

    #[test]
    fn reads_what_tauri_plugin_store_wrote() {
        let written = serde_json::to_vec_pretty(&serde_json::json!({"device": sample("DT/R1")})).unwrap_or_default();
        assert_eq!(parse(&written).ok(), Some(sample("DT/R1")));
    }
}
