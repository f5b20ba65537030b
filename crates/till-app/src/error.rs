//! The one error type commands return. It crosses to the UI as `{code, message}` (plus `until`
//! for `user_locked`): the UI branches on `code` (the core's closed [`ErrorCode`] list, generated
//! into `ui/src/bindings/ErrorCode.ts`), never on the text.

use crate::settings::Damaged;
use till_core::{ErrorCode, InputError, LoggedOut, Refusal, StoreError, StoreFailure, TillError};

/// What the UI sees instead of the text of an `internal` error (the text goes to the log).
pub const GENERIC_MESSAGE: &str = "Something went wrong inside Till; the details are in its log.";

#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    #[error(transparent)]
    Till(#[from] TillError),
    #[error("this device has no {0} chosen yet")]
    DeviceNotSetUp(&'static str),
    /// A set-up device is changed only with a manager's approval.
    #[error("a manager or an admin must approve changing this device's set-up (name and PIN)")]
    ApprovalNeeded,
    #[error("the system keyring is unavailable: {0}. IT: make sure the desktop keyring (Secret Service) runs and is unlocked for this user, then try again")]
    Keyring(String),
    #[error("the device settings file {} is damaged ({}); a manager can restore the previous copy, or IT can fix or remove the file", .0.path.display(), .0.reason)]
    SettingsDamaged(Damaged),
    #[error("the device settings could not be saved: {0}")]
    Settings(Damaged),
    /// The system device file sets this till up; nobody changes it from the app.
    #[error("this till is set up by IT in {}: its database, register and backup folder cannot be changed here; ask IT", .0.display())]
    DeviceManaged(std::path::PathBuf),
    /// The backup folder a manager gave cannot take the copies (missing, not a folder,
    /// read-only), or this till's database is not the embedded one.
    #[error(transparent)]
    Backup(#[from] till_backend::backup::BackupError),
}

impl IpcError {
    pub fn nobody_logged_in() -> IpcError {
        IpcError::Till(TillError::NotLoggedIn(LoggedOut::Nobody))
    }

    /// The stable code the UI branches on.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            IpcError::Till(e) => e.error_code(),
            IpcError::DeviceNotSetUp(_) => ErrorCode::DeviceNotSetUp,
            IpcError::ApprovalNeeded => ErrorCode::ApprovalNeeded,
            IpcError::Keyring(_) => ErrorCode::KeyringUnavailable,
            IpcError::SettingsDamaged(_) => ErrorCode::DeviceSettingsDamaged,
            IpcError::Settings(_) => ErrorCode::Internal,
            IpcError::DeviceManaged(_) => ErrorCode::DeviceManaged,
            IpcError::Backup(e) => e.error_code(),
        }
    }

    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// Something on the till or its database could not do the job (the database down or busy,
    /// the schema not ready, the keyring unavailable, the settings not saved): IT's to look at,
    /// not a refusal the cashier answers.
    pub fn is_failure(&self) -> bool {
        match self {
            IpcError::Till(TillError::Store(e)) => e.is_failure(),
            IpcError::Keyring(_) | IpcError::Settings(_) => true,
            _ => false,
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        IpcError::Till(e.into())
    }
}

impl From<Refusal> for IpcError {
    fn from(e: Refusal) -> Self {
        IpcError::Till(e.into())
    }
}

impl From<StoreFailure> for IpcError {
    fn from(e: StoreFailure) -> Self {
        IpcError::Till(e.into())
    }
}

impl From<InputError> for IpcError {
    fn from(e: InputError) -> Self {
        IpcError::Till(e.into())
    }
}

/// Serialising is the moment an error leaves for the UI, so it is also where it is logged:
/// in full for `internal` (whose text the UI never gets), as a warning for the other failures
/// (what IT reads the log for), briefly for refusals.
impl serde::Serialize for IpcError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let code = self.error_code();
        let message = if code == ErrorCode::Internal {
            tracing::error!(error = ?self, "command failed: {self}");
            GENERIC_MESSAGE.to_string()
        } else if self.is_failure() {
            tracing::warn!(code = code.as_str(), "command failed: {self}");
            self.to_string()
        } else {
            tracing::info!(code = code.as_str(), "command refused: {self}");
            self.to_string()
        };
        // When a locked user unlocks, for the UI to show in the location's time.
        let until = match self {
            IpcError::Till(TillError::Store(StoreError::Refused(Refusal::UserLocked { until, .. }))) => Some(*until),
            _ => None,
        };
        ApiError { code, message, until }.serialize(serializer)
    }
}

/// What every command rejects with, as the UI reads it.
#[derive(Debug, serde::Serialize, ts_rs::TS)]
pub struct ApiError {
    /// One of [`ErrorCode`]'s, typed as text for the UI: it words a code it does not know as
    /// `internal` rather than failing on it.
    #[ts(type = "string")]
    pub code: ErrorCode,
    pub message: String,
    /// `user_locked`: when the lockout ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(e: IpcError) -> serde_json::Value {
        serde_json::to_value(e).unwrap_or_default()
    }

    #[test]
    fn errors_cross_as_code_and_message() {
        let wrong = json(TillError::from(Refusal::WrongPin { user: "alice".into(), tries_left: 4 }).into());
        assert_eq!(
            wrong,
            serde_json::json!({"code": "wrong_pin", "message": "wrong PIN for alice: 4 tries left before a lockout; type the PIN again"})
        );
        assert_eq!(json(IpcError::nobody_logged_in())["code"], "not_logged_in");
        assert_eq!(json(IpcError::DeviceNotSetUp("register"))["code"], "device_not_set_up");
        assert_eq!(json(IpcError::ApprovalNeeded)["code"], "approval_needed");
        let damaged = json(IpcError::SettingsDamaged(Damaged { path: "/d/device.json".into(), reason: "bad".into() }));
        assert_eq!(damaged["code"], "device_settings_damaged");
        assert!(damaged["message"].as_str().unwrap_or_default().contains("/d/device.json"));
        let managed = json(IpcError::DeviceManaged("/etc/till/device.toml".into()));
        assert_eq!(managed["code"], "device_managed");
        let message = managed["message"].as_str().unwrap_or_default();
        assert!(message.contains("/etc/till/device.toml") && message.contains("ask IT"), "{message}");
    }

    #[test]
    fn failures_are_told_from_refusals() {
        let failures = [
            IpcError::from(StoreFailure::Unavailable("connection refused".into())),
            IpcError::from(StoreFailure::SchemaNotReady("no schema".into())),
            IpcError::Keyring("dbus".into()),
            IpcError::Settings(Damaged { path: "/d/device.json".into(), reason: "disk full".into() }),
        ];
        for failure in failures {
            assert!(failure.is_failure(), "{failure}");
        }
        let refusals = [
            IpcError::from(Refusal::WrongPin { user: "alice".into(), tries_left: 4 }),
            IpcError::from(Refusal::Rejected("amount".into())),
            IpcError::ApprovalNeeded,
            IpcError::nobody_logged_in(),
        ];
        for refusal in refusals {
            assert!(!refusal.is_failure(), "{refusal}");
        }
    }

    #[test]
    fn a_locked_user_carries_when_it_unlocks() {
        let until = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let locked = json(Refusal::UserLocked { user: "alice".into(), until }.into());
        assert_eq!(locked["code"], "user_locked");
        assert_eq!(locked["until"], "1970-01-01T00:00:00Z");
    }

    #[test]
    fn keyring_failures_have_their_own_code_and_words_for_it() {
        let keyring = json(IpcError::Keyring("dbus: no such name".into()));
        assert_eq!(keyring["code"], "keyring_unavailable");
        let message = keyring["message"].as_str().unwrap_or_default();
        assert!(message.contains("dbus: no such name") && message.contains("IT"), "{message}");
    }

    #[test]
    fn internal_errors_hide_their_text() {
        let internal = json(StoreFailure::Internal("sqlx pool timed out at pg.rs:88".into()).into());
        assert_eq!(internal, serde_json::json!({"code": "internal", "message": GENERIC_MESSAGE}));
    }
}
