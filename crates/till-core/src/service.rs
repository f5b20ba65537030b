//! The use cases the CLI and the desktop app share: every rule about who may do what lives
//! here, once. Each parses its input completely (so bad input writes nothing), checks who is
//! asking, then makes one atomic call to the store.

mod cash;
mod catalog;
mod sales;
pub use cash::{
    chain_entries, check_approval, day_view, force_close, forgotten_sessions, late_count, record_movement,
    record_opening_count, record_reprint, record_void, session_totals, sign_off_figures, start_shift_counted,
    verify_journal, x_report, z_report, z_rows, Asker, DaySession, ForceCloseRequest, LateCountRequest,
    MovementRequest, Reading, SignOffFigures, VoidRequest, ZRow,
};
pub use catalog::{
    add_category, add_product, add_tax_rate, import_products, set_product_active, ImportReport, ProductInput,
};
pub use sales::{
    find_for_sale, find_receipt, price_sale, quote_refund, record_sale, refund, PriceChangeReason,
    PriceChangeReasonKind, RefundLineRequest, RefundQuote, RefundQuoteLine, RefundReason, RefundReasonKind,
    RefundRequest, RefundTender, SaleLineRequest, SaleRequest, Till,
};

use crate::cash::{DenominationCount, ForgottenRule, SignOff};
use crate::domain::*;
use crate::error::{InputError, Refusal, StoreError, TillError};
use crate::money::{CashAmount, Money};
use crate::store::*;

/// Text as a person typed it, for [`add_location`].
#[derive(Debug, Clone, Default)]
pub struct LocationInput<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// IANA (`Europe/Berlin`); from the preset when not given.
    pub time_zone: Option<&'a str>,
    pub cutoff: Option<&'a str>,
    /// ISO 4217 (`EUR`); from the preset when not given, else refused: a till never guesses
    /// the money it counts.
    pub currency: Option<&'a str>,
    /// BCP 47 (`de-DE`); from the preset when not given, else refused.
    pub locale: Option<&'a str>,
    /// A country preset ([`crate::location::PRESETS`]): currency, locale, time zone, pricing
    /// with or without tax, cash rounding and the usual tax rates. Explicit settings win.
    pub preset: Option<&'a str>,
    pub settings: crate::location::SettingsInput<'a>,
}

/// Adds a location, with a preset's tax rates, in one transaction.
pub async fn add_location(store: &dyn Store, input: LocationInput<'_>) -> Result<Location, TillError> {
    let preset = input.preset.map(crate::location::Preset::find).transpose()?;
    let missing = |field: &'static str, example: &str| InputError::Invalid {
        field,
        reason: format!(
            "say which: --{field} {example}, or --preset {} for a country's currency, locale, time zone, \
             tax rates and cash rounding",
            crate::location::Preset::codes()
        ),
    };
    let currency = match (input.currency, preset) {
        (Some(code), _) => crate::Currency::parse(code)?,
        (None, Some(preset)) => preset.currency(),
        (None, None) => return Err(missing("currency", "EUR (ISO 4217: USD, GBP, CHF, CAD...)").into()),
    };
    let locale = match (input.locale, preset) {
        (Some(tag), _) => Locale::parse(tag)?,
        (None, Some(preset)) => Locale::parse(preset.locale)?,
        (None, None) => return Err(missing("locale", "de-DE (BCP 47: en-US, en-GB, fr-FR, de-CH...)").into()),
    };
    let time_zone = match (input.time_zone, preset) {
        (Some(zone), _) => TimeZone::parse(zone)?,
        (None, Some(preset)) => preset.time_zone()?,
        (None, None) => return Err(missing("timezone", "Europe/Berlin (IANA: America/New_York...)").into()),
    };
    let mut settings = input.settings.parse(currency)?;
    settings.locale = None;
    if let Some(preset) = preset {
        settings.prices_include_tax = settings.prices_include_tax.or(Some(preset.prices_include_tax));
        settings.cash_rounding_minor = settings.cash_rounding_minor.or(Some(preset.cash_rounding_minor));
        let own = |list: &[i64]| (!list.is_empty()).then(|| list.to_vec());
        settings.bills = settings.bills.or(own(preset.bills));
        settings.coins = settings.coins.or(own(preset.coins));
    }
    let new = NewLocation {
        code: LocationCode::parse(input.code)?,
        name: parse_display_name("location name", input.name)?,
        time_zone,
        cutoff: input.cutoff.map(Cutoff::parse).transpose()?.unwrap_or_default(),
        currency,
        locale,
        settings,
        tax_rates: preset.map(crate::location::Preset::new_tax_rates).transpose()?.unwrap_or_default(),
    };
    Ok(store.create_location(new).await?)
}

/// Changes a location's settings (only those given); `currency` only while it has no session.
/// Journaled on the staff chain.
pub async fn set_location(
    store: &dyn Store,
    code: &str,
    currency: Option<&str>,
    settings: crate::location::SettingsInput<'_>,
) -> Result<Location, TillError> {
    let code = LocationCode::parse(code)?;
    let currency = currency.map(crate::Currency::parse).transpose()?;
    let at = match currency {
        Some(currency) => currency,
        None => store.find_location(&code).await?.currency,
    };
    let mut change = settings.parse(at)?;
    change.currency = currency;
    if change.is_empty() {
        return Err(InputError::Invalid {
            field: "settings",
            reason: "name at least one setting to change (`tillctl location set --help` lists them)".into(),
        }
        .into());
    }
    Ok(store.update_location(&code, &change).await?)
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
    require_pin_length(store, role, &pin).await?;
    Ok(store.create_user(NewUser { name, role, pin }).await?)
}

/// Refuses a manager's or admin's PIN shorter than the strictest location requires.
async fn require_pin_length(store: &dyn Store, role: Role, pin: &Pin) -> Result<(), TillError> {
    let required = crate::auth::manager_pin_required(&store.list_locations().await?);
    if crate::auth::pin_long_enough(role, pin, required) {
        return Ok(());
    }
    Err(InputError::Invalid { field: "PIN", reason: format!("a {role}'s PIN needs at least {required} digits here") }
        .into())
}

/// Sets a user's PIN again (IT at tillctl, with the owner's database role): the way back for a
/// PIN an older Till hashed, or a forgotten one. Ends the user's logins and clears a lockout.
pub async fn set_pin(store: &dyn Store, name: &str, pin: &str, device: &DeviceName) -> Result<User, TillError> {
    let (name, pin) = (UserName::parse(name)?, Pin::parse(pin)?);
    require_pin_length(store, store.find_user(&name).await?.role, &pin).await?;
    Ok(store.set_pin(&name, &pin, device).await?)
}

/// Sets the fewest digits a manager's or admin's PIN may have at a location (4 to 8). Managers
/// whose PIN is shorter are asked for a new one at their next PIN (`pin_reset_needed`).
pub async fn set_manager_pin_min_length(store: &dyn Store, location: &str, digits: u8) -> Result<Location, TillError> {
    let settings = crate::location::SettingsInput { manager_pin_min_length: Some(digits), ..Default::default() };
    set_location(store, location, None, settings).await
}

/// What a new store's owner or IT types on a fresh database: its location, its first register
/// and its first manager, with a PIN they choose. There are no default PINs outside the demo.
#[derive(Debug, Clone)]
pub struct FirstSetup<'a> {
    pub location: LocationInput<'a>,
    pub register: &'a str,
    pub manager: &'a str,
    pub manager_pin: &'a str,
}

/// Sets up an empty database. Refused (`forbidden`) once it has any user: from then on users are
/// added by a manager or IT, never by whoever reaches the set-up screen.
pub async fn first_setup(store: &dyn Store, setup: FirstSetup<'_>) -> Result<Register, TillError> {
    // Parse everything before writing anything.
    LocationCode::parse(setup.location.code)?;
    RegisterCode::parse(setup.register)?;
    UserName::parse(setup.manager)?;
    Pin::parse(setup.manager_pin)?;
    if !store.list_users().await?.is_empty() {
        return Err(Refusal::Forbidden {
            user: "set-up".into(),
            role: "device that is not provisioned (this database already has users; ask a manager)".into(),
        }
        .into());
    }
    let location = match add_location(store, setup.location.clone()).await {
        Err(TillError::Store(StoreError::Refused(Refusal::AlreadyExists { .. }))) => {
            store.find_location(&LocationCode::parse(setup.location.code)?).await?
        }
        other => other?,
    };
    let register = match add_register(store, &location.code, setup.register, None).await {
        Err(TillError::Store(StoreError::Refused(Refusal::AlreadyExists { .. }))) => {
            store.find_register(&RegisterRef::parse(&format!("{}/{}", location.code, setup.register))?).await?
        }
        other => other?,
    };
    add_user(store, setup.manager, "manager", setup.manager_pin).await?;
    Ok(register)
}

/// Checks a user's PIN (a login):
/// - an inactive user is refused whatever the PIN, so the answer never tells whether a PIN
///   was right;
/// - a locked user is refused by the store, on the database's clock, even with the right PIN;
/// - the outcome is recorded in the database, which counts failures per user across devices
///   and restarts and locks after [`PinPolicy::max_failures`] in a row. On PostgreSQL the
///   database compares the PIN itself (the hash is unreadable to a terminal's role), and a
///   terminal cannot roll a guess's count back.
pub async fn authenticate(
    store: &dyn Store,
    name: &str,
    pin: &str,
    device: &DeviceName,
) -> Result<Authenticated, TillError> {
    Ok(store.check_pin(&Credentials::parse(name, pin)?, device).await?)
}

/// A manager's or admin's approval of something the database does not record (a change of
/// this device's settings): their PIN, checked like a login (whose login ends at once), and
/// their role. What the database records takes the PIN with the request instead ([`Actor`]).
pub async fn authorize_manager(
    store: &dyn Store,
    name: &str,
    pin: &str,
    device: &DeviceName,
) -> Result<User, TillError> {
    let who = authenticate(store, name, pin, device).await?;
    store.logout(&who.login).await?;
    require_manager(&who.user)?;
    Ok(who.user)
}

/// A manager's name and PIN as typed, for an [`Actor`]'s approval: parsed here, checked by the
/// store with the request it approves.
pub fn approval(manager: &str, pin: &str) -> Result<Credentials, TillError> {
    Ok(Credentials::parse(manager, pin)?)
}

pub(crate) fn require_manager(user: &User) -> Result<(), TillError> {
    if user.role.may_close_drawers() {
        Ok(())
    } else {
        Err(Refusal::Forbidden { user: user.name.clone(), role: user.role.to_string() }.into())
    }
}

/// Re-reads a cached login before a write: a user deactivated (or whose role changed) since
/// they logged in is refused from their next action on.
pub async fn recheck_user(store: &dyn Store, user: &User) -> Result<User, TillError> {
    let fresh = store.find_user_by_id(user.id).await?;
    if !fresh.active {
        return Err(Refusal::UserInactive(fresh.name).into());
    }
    Ok(fresh)
}

/// Lifts a user's PIN lockout. `by` is the approving manager's name and PIN, checked by the
/// store (the database on PostgreSQL); `None` only from tillctl, and only with the database
/// owner's role.
pub async fn unlock_user(
    store: &dyn Store,
    by: Option<(&str, &str)>,
    name: &str,
    device: &DeviceName,
) -> Result<User, TillError> {
    let by = by.map(|(manager, pin)| Credentials::parse(manager, pin)).transpose()?;
    let unlock = UnlockUser { name: UserName::parse(name)?, by, device: device.clone() };
    Ok(store.unlock_user(unlock).await?)
}

/// A start or join as typed: opening cash as text in the register's currency.
#[derive(Debug, Clone)]
pub struct StartRequest<'a> {
    pub request_id: RequestId,
    /// `None`: join only (see [`StartShift::opening_cash`]).
    pub opening_cash: Option<CashAmount<'a>>,
    pub notes: Option<&'a str>,
}

/// Opens the register's session, or joins the one already open. `who` comes from
/// [`authenticate`] (the desktop app keeps it from the login; the CLI asks for the PIN). The
/// register is read once, for its currency; the store re-checks everything under its lock.
pub async fn start_shift(
    store: &dyn Store,
    who: &Authenticated,
    register: &RegisterRef,
    device: &DeviceName,
    request: StartRequest<'_>,
) -> Result<ShiftStarted, TillError> {
    let register = store.find_register(register).await?;
    refuse_forgotten_session(store, &register).await?;
    let opening_cash = request.opening_cash.map(|cash| cash.in_currency(register.currency)).transpose()?;
    let start = StartShift {
        request_id: request.request_id,
        register_id: register.id,
        login: who.login.clone(),
        opening_cash,
        device: device.clone(),
        notes: Notes::parse(request.notes)?,
    };
    Ok(store.start_shift(start).await?)
}

/// A register whose open session is forgotten ([`ForgottenRule`]: nobody closed it): no shift
/// starts or joins it; a manager force-closes it first (and counts it later). Chosen over "join
/// with a warning" so that one business day's sales never run into the next day's Z. The store
/// refuses the same under its lock; this answers before the PIN's work is spent.
async fn refuse_forgotten_session(store: &dyn Store, register: &Register) -> Result<(), TillError> {
    let Some(open) = store.latest_session(register.id).await?.filter(|s| s.status == SessionStatus::Open) else {
        return Ok(());
    };
    let location = store.find_location(&LocationCode::parse(&register.location_code)?).await?;
    Ok(ForgottenRule::of(&location)?.refuse(&open, store.now())?)
}

/// A close as typed.
#[derive(Debug, Clone)]
pub struct CloseRequest<'a> {
    pub request_id: RequestId,
    pub session: &'a SessionRef,
    pub counted_cash: CashAmount<'a>,
    /// A register's device may close only that register's sessions (a stale screen can never
    /// close another register's drawer). `None` from tillctl, which closes any session.
    pub only_register: Option<&'a RegisterRef>,
    /// The float left in the drawer for the next shift; `None`: the float this shift opened
    /// with (at most the count). The rest of the count is removed to the safe.
    pub float_left: Option<CashAmount<'a>>,
    /// The notes and coins counted; when given they must add up to `counted_cash`.
    pub denominations: Vec<DenominationCount>,
    /// The closing manager's reason for a variance above the location's limit (their sign-off).
    pub sign_off: Option<&'a str>,
}

/// Closes an open session: counted cash against expected cash. By a manager or admin: the
/// logged-in one, or the one whose name and PIN `approval` carries (checked by the store with
/// this close).
pub async fn close_shift(
    store: &dyn Store,
    who: &Authenticated,
    approval: Option<Credentials>,
    device: &DeviceName,
    request: CloseRequest<'_>,
) -> Result<Session, TillError> {
    if approval.is_none() {
        require_manager(&who.user)?;
    }
    let session = store.find_session(request.session).await?;
    if let Some(register) = request.only_register {
        let register = store.find_register(register).await?;
        if session.register_id != register.id {
            return Err(StoreError::not_found(
                crate::Entity::Session,
                format!("{} on register {}", session.number, register.address),
            )
            .into());
        }
    }
    let counted_cash = request.counted_cash.in_currency(session.currency)?;
    DenominationCount::check_adds_up(&request.denominations, counted_cash, "the counted cash")?;
    let float_left = match request.float_left {
        Some(float) => float.in_currency(session.currency)?,
        None => Money::from_minor(session.opening_cash.minor().min(counted_cash.minor()), session.currency),
    };
    if float_left.minor() > counted_cash.minor() {
        return Err(InputError::Invalid {
            field: "float left",
            reason: format!("{float_left} is more than the {counted_cash} counted"),
        }
        .into());
    }
    let sign_off = match request.sign_off {
        Some(reason) => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 200 {
                return Err(
                    InputError::Invalid { field: "variance reason", reason: "1 to 200 characters".into() }.into()
                );
            }
            Some(SignOff { reason: reason.to_string() })
        }
        None => None,
    };
    let close = CloseShift {
        request_id: request.request_id,
        session: session.id,
        actor: Actor { login: who.login.clone(), approval },
        counted_cash,
        device: device.clone(),
        float_left,
        denominations: request.denominations,
        sign_off,
    };
    match store.close_shift(close).await {
        // Every refused count is on record (journaled), and it opens the way to a sign-off.
        Err(refused @ StoreError::Refused(Refusal::VarianceNeedsSignoff(_))) => {
            store.refuse_count(session.id, counted_cash.minor(), &who.login, device).await?;
            Err(refused.into())
        }
        other => Ok(other?),
    }
}
