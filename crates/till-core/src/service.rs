//! The operations the CLI and the desktop app share. Each parses its input completely (so bad
//! input writes nothing), checks who is asking, then makes one call to the store.

use crate::domain::*;
use crate::error::{StoreError, TillError};
use crate::money::Money;
use crate::store::*;

/// Text as a person typed it, for [`add_location`].
#[derive(Debug, Clone, Default)]
pub struct LocationInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub time_zone: &'a str,
    pub cutoff: Option<&'a str>,
    pub currency: Option<&'a str>,
}

pub async fn add_location(store: &dyn Store, input: LocationInput<'_>) -> Result<Location, TillError> {
    let new = NewLocation {
        code: LocationCode::parse(input.code)?,
        name: parse_display_name("location name", input.name)?,
        time_zone: TimeZone::parse(input.time_zone)?,
        cutoff: input.cutoff.map(Cutoff::parse).transpose()?.unwrap_or_default(),
        currency: input.currency.map(crate::Currency::parse).transpose()?.unwrap_or_default(),
    };
    Ok(store.create_location(new).await?)
}

pub async fn add_register(
    store: &dyn Store,
    location: &str,
    code: &str,
    name: Option<&str>,
) -> Result<Register, TillError> {
    let code = RegisterCode::parse(code)?;
    let name = match name {
        Some(name) => parse_display_name("register name", name)?,
        None => format!("Register {code}"),
    };
    let new = NewRegister { location: LocationCode::parse(location)?, code, name };
    Ok(store.create_register(new).await?)
}

pub async fn add_user(store: &dyn Store, name: &str, role: &str, pin: &str) -> Result<User, TillError> {
    let name = UserName::parse(name)?;
    let role: Role = role.parse()?;
    let pin = Pin::parse(pin)?;
    let pin_hash = tokio::task::spawn_blocking(move || pin.hash())
        .await
        .map_err(|e| StoreError::Internal(format!("PIN hashing task failed: {e}")))?;
    if pin_hash.0.is_empty() {
        return Err(StoreError::Internal("PIN hashing failed".into()).into());
    }
    Ok(store.create_user(NewUser { name, role, pin_hash }).await?)
}

/// Checks a user's PIN. The argon2 work runs off the async executor.
pub async fn authenticate(store: &dyn Store, name: &str, pin: &str) -> Result<User, TillError> {
    let name = UserName::parse(name)?;
    let pin = Pin::parse(pin)?;
    let user = store.find_user(&name).await?;
    let hash = user.pin_hash.clone();
    let matches = tokio::task::spawn_blocking(move || pin.matches(&hash))
        .await
        .map_err(|e| StoreError::Internal(format!("PIN check task failed: {e}")))?;
    if !matches {
        return Err(TillError::WrongPin(user.name));
    }
    if !user.active {
        return Err(TillError::UserInactive(user.name));
    }
    Ok(user)
}

/// Opens the register's session, or joins the one already open. `user` must come from
/// [`authenticate`] (the desktop app keeps it from the login; the CLI asks for the PIN).
/// Without `opening_cash` it only joins (see [`StartShift::opening_cash`]).
pub async fn start_shift(
    store: &dyn Store,
    user: &User,
    register: &RegisterRef,
    opening_cash: Option<&str>,
    device: &DeviceName,
    notes: Option<&str>,
) -> Result<ShiftStarted, TillError> {
    let register = store.find_register(register).await?;
    let opening_cash = opening_cash.map(|text| Money::parse_cash(text, register.currency)).transpose()?;
    let notes = parse_notes(notes)?;
    let start = StartShift {
        new_session_id: SessionId::new(),
        register_id: register.id,
        user_id: user.id,
        opening_cash: opening_cash.map(|m| m.minor()),
        device: device.clone(),
        notes,
        at: None,
    };
    Ok(store.start_shift(start).await?)
}

/// Closes an open session: counted cash against expected cash. Only a manager or an admin.
pub async fn close_shift(
    store: &dyn Store,
    manager: &User,
    session: &SessionRef,
    counted_cash: &str,
    device: &DeviceName,
) -> Result<Session, TillError> {
    if !manager.role.may_close_drawers() {
        return Err(StoreError::Forbidden { user: manager.name.clone(), role: manager.role.to_string() }.into());
    }
    let current = store.find_session(session).await?;
    let counted_cash = Money::parse_cash(counted_cash, current.currency)?;
    let close = CloseShift {
        session: SessionRef::Id(current.id),
        user_id: manager.id,
        counted_cash: counted_cash.minor(),
        device: device.clone(),
        at: None,
    };
    Ok(store.close_shift(close).await?)
}
