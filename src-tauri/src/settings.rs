//! This device's settings: one typed struct, kept by tauri-plugin-store under one key.
//! Never holds a password (that is in the OS keyring, see [`crate::secrets`]).

use crate::error::IpcError;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

const KEY: &str = "device";

/// Which kind of database this device uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl Default for DeviceSettings {
    fn default() -> Self {
        DeviceSettings {
            database_kind: None,
            database_url: None,
            location: None,
            register: None,
            device_name: host_name(),
        }
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

/// Next to the embedded database, in Till's one data folder (`TILL_DATA_DIR` moves both):
/// IT backs up or wipes one folder, and tillctl finds the same database by default.
fn path() -> PathBuf {
    till_backend::data_dir().join("device.json")
}

/// The saved settings, or the defaults on a fresh device. Reading never creates the file.
/// A file that cannot be read is logged and treated as absent: the set-up wizard shows.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> DeviceSettings {
    let value = match app.store(path()) {
        Ok(store) => store.get(KEY),
        Err(e) => {
            tracing::error!(error = %e, path = %path().display(), "device settings unreadable; starting the set-up");
            return DeviceSettings::default();
        }
    };
    match value.map(serde_json::from_value::<DeviceSettings>) {
        None => DeviceSettings::default(),
        Some(Ok(settings)) => settings,
        Some(Err(e)) => {
            tracing::error!(error = %e, "device settings malformed; starting the set-up");
            DeviceSettings::default()
        }
    }
}

pub fn save<R: Runtime>(app: &AppHandle<R>, settings: &DeviceSettings) -> Result<(), IpcError> {
    let failed = |e: &dyn std::fmt::Display| IpcError::Settings(format!("{}: {e}", path().display()));
    let store = app.store(path()).map_err(|e| failed(&e))?;
    store.set(KEY, serde_json::to_value(settings).map_err(|e| failed(&e))?);
    store.save().map_err(|e| failed(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_take_their_defaults() {
        let old: DeviceSettings =
            serde_json::from_str(r#"{"database_kind":"sqlite","database_url":"sqlite:///x/till.db"}"#)
                .unwrap_or_default();
        assert_eq!(old.database_kind, Some(DatabaseKind::Sqlite));
        assert_eq!(old.register, None);
        assert!(!old.device_name.is_empty());
    }
}
