//! The PostgreSQL password in the OS keyring of the till's user: the one place the app and
//! `tillctl device set-password` name the keyring's service and account, so what one saves the
//! other finds. Never in a file, a URL that is stored, or a log.
//!
//! Keyring calls block (D-Bus on Linux): async callers run them on the blocking pool.

use std::fmt;

/// The keyring service Till's passwords are saved under (the app's identifier).
pub const SERVICE: &str = "app.till.register";

/// Why the keyring could not be used (not "no password saved": that is `Ok(None)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyringError(pub String);

/// The account a database URL's password is saved under: the URL as configured (it never holds
/// a password), so the app's set-up screen, the device file and `tillctl` agree.
pub fn account(url: &str) -> &str {
    url.trim()
}

fn entry(url: &str) -> Result<keyring::Entry, KeyringError> {
    keyring::Entry::new(SERVICE, account(url)).map_err(|e| KeyringError(e.to_string()))
}

/// The password saved for `url`, if any.
pub fn get_password(url: &str) -> Result<Option<String>, KeyringError> {
    match entry(url)?.get_password() {
        Ok(secret) => Ok(Some(secret)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(KeyringError(e.to_string())),
    }
}

pub fn set_password(url: &str, password: &str) -> Result<(), KeyringError> {
    entry(url)?.set_password(password).map_err(|e| KeyringError(e.to_string()))
}

/// A password in memory: never shown by `Debug` (tracing, panics).
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(transparent)]
pub struct Password(pub String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// `postgres://till@host/db` + `p@ss` → `postgres://till:p%40ss@host/db`, for connecting
/// only: the result is never stored or logged.
pub fn url_with_password(url: &str, password: &str) -> Result<String, till_core::InputError> {
    let missing_user = || till_core::InputError::Invalid {
        field: "database URL",
        reason: "put the user name in the address (postgres://USER@HOST:PORT/DB) when giving a password".into(),
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(missing_user)?;
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (user, host) = rest[..authority_end].rsplit_once('@').ok_or_else(missing_user)?;
    if user.is_empty() {
        return Err(missing_user());
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
        assert_eq!(crate::redact(&url), "postgres://till:***@db:5432/till?sslmode=require");
        assert_eq!(
            url_with_password("postgres://till@db?sslmode=verify-full", "x").ok().as_deref(),
            Some("postgres://till:x@db?sslmode=verify-full")
        );
        assert!(url_with_password("postgres://db/till", "x").is_err());
        assert_eq!(format!("{:?}", Password("hunter2".into())), "Password(***)");
        assert_eq!(account(" postgres://till@db/till "), "postgres://till@db/till");
    }
}
