//! The one error type commands return. It crosses to the UI as `{code, message}`: the UI
//! branches on `code` (a closed list, see `ui/src/types.ts`), never on the text.

use serde::ser::SerializeStruct;
use till_core::{InputError, StoreError, TillError};

/// What the UI sees instead of the text of an `internal` error (the text goes to the log).
pub const GENERIC_MESSAGE: &str = "Something went wrong inside Till; the details are in its log.";

#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    #[error(transparent)]
    Till(#[from] TillError),
    #[error("nobody is logged in on this register")]
    NotLoggedIn,
    #[error("this device has no {0} chosen yet")]
    DeviceNotSetUp(&'static str),
    #[error("the system keyring failed: {0}")]
    Keyring(String),
    #[error("the device settings could not be saved: {0}")]
    Settings(String),
}

impl IpcError {
    /// The stable code the UI branches on: the core's codes, plus the two only the app has.
    pub fn code(&self) -> &'static str {
        match self {
            IpcError::Till(e) => e.code(),
            IpcError::NotLoggedIn => "not_logged_in",
            IpcError::DeviceNotSetUp(_) => "device_not_set_up",
            IpcError::Keyring(_) | IpcError::Settings(_) => "internal",
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        IpcError::Till(e.into())
    }
}

impl From<InputError> for IpcError {
    fn from(e: InputError) -> Self {
        IpcError::Till(e.into())
    }
}

/// Serialising is the moment an error leaves for the UI, so it is also where it is logged:
/// in full for `internal` (whose text the UI never gets), briefly for the rest.
impl serde::Serialize for IpcError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let code = self.code();
        let message = if code == "internal" {
            tracing::error!(error = ?self, "command failed: {self}");
            GENERIC_MESSAGE.to_string()
        } else {
            tracing::info!(code, "command refused: {self}");
            self.to_string()
        };
        let mut s = serializer.serialize_struct("IpcError", 2)?;
        s.serialize_field("code", code)?;
        s.serialize_field("message", &message)?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(e: IpcError) -> serde_json::Value {
        serde_json::to_value(e).unwrap_or_default()
    }

    #[test]
    fn errors_cross_as_code_and_message() {
        let wrong = json(TillError::WrongPin("alice".into()).into());
        assert_eq!(wrong, serde_json::json!({"code": "wrong_pin", "message": "wrong PIN for alice"}));
        assert_eq!(json(IpcError::NotLoggedIn)["code"], "not_logged_in");
        assert_eq!(json(IpcError::DeviceNotSetUp("register"))["code"], "device_not_set_up");
    }

    #[test]
    fn internal_errors_hide_their_text() {
        let internal = json(StoreError::Internal("sqlx pool timed out at pg.rs:88".into()).into());
        assert_eq!(internal, serde_json::json!({"code": "internal", "message": GENERIC_MESSAGE}));
        assert_eq!(json(IpcError::Keyring("dbus: no such name".into()))["message"], GENERIC_MESSAGE);
    }
}
