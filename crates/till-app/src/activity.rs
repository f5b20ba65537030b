//! What the device is doing, as the updater asks it before installing: who is logged in and
//! whether the register is open. The app state answers it; the updater (src-tauri) decides.

/// This device's register as the updater sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterState {
    /// No database or register chosen yet (the set-up screen): nobody can be selling.
    NotChosen,
    Closed,
    Open {
        session: String,
    },
    /// The database did not answer: the register may be open.
    Unknown {
        why: String,
    },
}

/// What the device is doing at the moment of deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// Who is logged in on this device, if anyone.
    pub logged_in: Option<String>,
    pub register: RegisterState,
}
