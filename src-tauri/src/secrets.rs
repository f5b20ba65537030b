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

/// The OS keyring (Secret Service on Linux, Credential Manager on Windows, Keychain on macOS).
pub struct OsKeyring {
    service: &'static str,
}

impl OsKeyring {
    pub fn new(service: &'static str) -> Self {
        OsKeyring { service }
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, IpcError> {
        keyring::Entry::new(self.service, account).map_err(|e| IpcError::Keyring(e.to_string()))
    }
}

impl Secrets for OsKeyring {
    fn get(&self, account: &str) -> Result<Option<String>, IpcError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(IpcError::Keyring(e.to_string())),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), IpcError> {
        self.entry(account)?.set_password(secret).map_err(|e| IpcError::Keyring(e.to_string()))
    }
}

/// A password as it arrives from the UI: it never shows in `Debug` (tracing, panics).
#[derive(Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// `postgres://till@host/db` + `p@ss` → `postgres://till:p%40ss@host/db`, for connecting
/// only: the result is never stored or logged.
pub fn url_with_password(url: &str, password: &str) -> Result<String, IpcError> {
    let missing_user = || till_core::InputError::Invalid {
        field: "database URL",
        reason: "put the user name in the address (postgres://USER@HOST:PORT/DB) when giving a password".into(),
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(missing_user)?;
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (user, host) = rest[..authority_end].rsplit_once('@').ok_or_else(missing_user)?;
    if user.is_empty() {
        return Err(missing_user().into());
    }
    let encoded: String = password
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    Ok(format!("{scheme}://{user}:{encoded}@{host}{}", &rest[authority_end..]))
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
