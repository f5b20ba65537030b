//! The database password, kept in the OS keyring (never in the settings file or a log).
//! Keyring calls block (D-Bus on Linux), so they run on the blocking thread pool.

use crate::error::IpcError;

/// Where secrets live. One implementation in the app (the OS keyring); kept behind a trait
/// so that nothing else in the app depends on the keyring crate.
pub trait Secrets: Send + Sync {
    /// The secret saved for `account`, if any.
    fn get(&self, account: &str) -> Result<Option<String>, IpcError>;
    fn set(&self, account: &str, secret: &str) -> Result<(), IpcError>;
}

/// The OS keyring (Secret Service on Linux, Credential Manager on Windows, Keychain on macOS),
/// under the service and account names `tillctl device set-password` uses (till-backend holds
/// them, so the two always agree).
pub struct OsKeyring;

impl Secrets for OsKeyring {
    fn get(&self, account: &str) -> Result<Option<String>, IpcError> {
        till_backend::secrets::get_password(account).map_err(|e| IpcError::Keyring(e.0))
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), IpcError> {
        till_backend::secrets::set_password(account, secret).map_err(|e| IpcError::Keyring(e.0))
    }
}

/// Secrets held in memory for the process's life: for tests and the browser tests' bridge,
/// which must never touch the OS keyring of the machine they run on.
#[derive(Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl Secrets for MemorySecrets {
    fn get(&self, account: &str) -> Result<Option<String>, IpcError> {
        Ok(self.0.lock().map_err(|e| IpcError::Keyring(e.to_string()))?.get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> Result<(), IpcError> {
        self.0.lock().map_err(|e| IpcError::Keyring(e.to_string()))?.insert(account.into(), secret.into());
        Ok(())
    }
}

/// A password as it arrives from the UI: it never shows in `Debug` (tracing, panics).
pub use till_backend::secrets::Password;

/// `postgres://till@host/db` + `p@ss` → `postgres://till:p%40ss@host/db`, for connecting
/// only: the result is never stored or logged.
pub fn url_with_password(url: &str, password: &str) -> Result<String, IpcError> {
    Ok(till_backend::secrets::url_with_password(url, password)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_the_password_in_percent_encoded() {
        let url = url_with_password("postgres://till@db:5432/till?sslmode=require", "p@ss:w/rd").unwrap_or_default();
        assert_eq!(url, "postgres://till:p%40ss%3Aw%2Frd@db:5432/till?sslmode=require");
        assert_eq!(till_backend::redact(&url), "postgres://till:***@db:5432/till?sslmode=require");
        assert!(url_with_password("postgres://db/till", "x").is_err());
        assert_eq!(format!("{:?}", Password("hunter2".into())), "Password(***)");
    }
}
