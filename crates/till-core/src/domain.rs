//! Domain values. Each is parsed once at the edge and cannot hold a bad value afterwards.

use crate::error::InputError;
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new time-ordered (UUIDv7) id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies a location (a store).
    LocationId
);
id_type!(
    /// Identifies a register (a till) within a location.
    RegisterId
);
id_type!(
    /// Identifies a user.
    UserId
);
id_type!(
    /// Identifies a register session (a shift on one drawer).
    SessionId
);
id_type!(
    /// Identifies a product in the catalog.
    ProductId
);
id_type!(
    /// Identifies one of a location's tax rates (a product names the rate it is taxed at).
    TaxRateId
);
id_type!(
    /// A caller-chosen id for one business request (start a shift, close it). Repeating a
    /// request with the same id returns the first outcome and never applies it twice, so a
    /// caller that lost the answer (a dropped connection after the commit) retries safely.
    RequestId
);

id_type!(
    /// Identifies a quick-key category of a location.
    CategoryId
);
id_type!(
    /// Identifies a cash movement (paid in, paid out, drop, no-sale). Chosen by the caller:
    /// repeating it with the same content answers the first and never records it twice.
    MovementId
);
id_type!(
    /// Identifies a receipt (a sale or a refund). Chosen by the caller: repeating a receipt
    /// with the same id and content returns the first one and never records it twice.
    ReceiptId
);
id_type!(
    /// Identifies a void (lines taken off a sale before it was paid). The UI's request id:
    /// repeating it with the same content answers the first void and never records it twice.
    VoidId
);

fn invalid(field: &'static str, reason: impl Into<String>) -> InputError {
    InputError::Invalid { field, reason: reason.into() }
}

/// Short uppercase code: a letter, then letters or digits, 1 to 8 in all (`DT`, `R1`).
fn parse_code(field: &'static str, text: &str) -> Result<String, InputError> {
    let code = text.trim().to_ascii_uppercase();
    let mut chars = code.chars();
    let starts_with_letter = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    if !starts_with_letter || code.len() > 8 || !code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err(invalid(
            field,
            format!("{text:?} must be 1 to 8 letters or digits, starting with a letter (like DT or R1)"),
        ));
    }
    Ok(code)
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: &str) -> Result<Self, InputError> {
                parse_code($field, text).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = InputError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

code_type!(
    /// A location's code, unique across the business (`DT`).
    LocationCode,
    "location code"
);
code_type!(
    /// A register's code, unique within its location (`R1`).
    RegisterCode,
    "register code"
);

/// A register named by address (`DT/R1`) or by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterRef {
    Id(RegisterId),
    Address { location: LocationCode, register: RegisterCode },
}

impl RegisterRef {
    pub fn parse(text: &str) -> Result<RegisterRef, InputError> {
        let text = text.trim();
        if let Ok(id) = uuid::Uuid::parse_str(text) {
            return Ok(RegisterRef::Id(RegisterId(id)));
        }
        let (location, register) = text.split_once('/').ok_or_else(|| {
            invalid("register", format!("{text:?} is neither LOCATION/REGISTER (like DT/R1) nor an id"))
        })?;
        Ok(RegisterRef::Address { location: LocationCode::parse(location)?, register: RegisterCode::parse(register)? })
    }
}

impl fmt::Display for RegisterRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegisterRef::Id(id) => id.fmt(f),
            RegisterRef::Address { location, register } => write!(f, "{location}/{register}"),
        }
    }
}

/// A session named by id or by its number (`DT-20261128-001`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionRef {
    Id(SessionId),
    Number(String),
}

impl SessionRef {
    pub fn parse(text: &str) -> Result<SessionRef, InputError> {
        let text = text.trim().to_ascii_uppercase();
        if let Ok(id) = uuid::Uuid::parse_str(&text) {
            return Ok(SessionRef::Id(SessionId(id)));
        }
        let well_formed = text.len() <= 40
            && text.split('-').count() == 3
            && text.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            return Err(invalid(
                "session",
                format!("{text:?} is neither a session number (like DT-20261128-001) nor an id"),
            ));
        }
        Ok(SessionRef::Number(text))
    }
}

impl fmt::Display for SessionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionRef::Id(id) => id.fmt(f),
            SessionRef::Number(n) => f.write_str(n),
        }
    }
}

/// Characters that reorder how text is displayed (bidi embeddings, overrides and isolates, and
/// the invisible direction marks). In a note or a name they can make a receipt or a report read
/// differently from what is stored ("Trojan Source"), so they are refused.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Refuses control characters (other than the newlines and tabs `multiline` allows) and bidi
/// controls. NUL in particular: PostgreSQL refuses it in text and SQLite would store it.
pub(crate) fn check_text(field: &'static str, text: &str, multiline: bool) -> Result<(), InputError> {
    for c in text.chars() {
        if is_bidi_control(c) {
            return Err(invalid(field, format!("must not contain the text-direction control U+{:04X}", u32::from(c))));
        }
        if c.is_control() && !(multiline && (c == '\n' || c == '\t')) {
            return Err(invalid(field, format!("must not contain the control character U+{:04X}", u32::from(c))));
        }
    }
    Ok(())
}

/// A human-readable name for a location or register (1 to 100 characters).
pub fn parse_display_name(field: &'static str, text: &str) -> Result<String, InputError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid(field, "must be 1 to 100 printable characters"));
    }
    check_text(field, name, false)?;
    Ok(name.to_string())
}

/// Free text a cashier attaches to a shift: at most 500 characters, newlines and tabs allowed,
/// no other control characters and no bidi controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Notes(String);

impl Notes {
    pub const MAX_CHARS: usize = 500;

    /// Empty or blank text means no notes.
    pub fn parse(text: Option<&str>) -> Result<Option<Notes>, InputError> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) if t.chars().count() > Self::MAX_CHARS => {
                Err(invalid("notes", format!("must be at most {} characters", Self::MAX_CHARS)))
            }
            Some(t) => {
                check_text("notes", t, true)?;
                Ok(Some(Notes(t.to_string())))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of the device that asked (a PC's host name, "tillctl@host"): 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DeviceName(String);

impl DeviceName {
    pub fn parse(text: &str) -> Result<DeviceName, InputError> {
        let name = text.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(invalid("device", "must be 1 to 64 printable characters"));
        }
        check_text("device", name, false)?;
        Ok(DeviceName(name.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user's login name: lowercase letters, digits, `.`, `_`, `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UserName(String);

impl UserName {
    pub fn parse(text: &str) -> Result<UserName, InputError> {
        let name = text.trim().to_lowercase();
        let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name.len() <= 32
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if !ok {
            return Err(invalid(
                "user name",
                format!("{text:?} must be 1 to 32 lowercase letters, digits, '.', '_' or '-', starting with a letter"),
            ));
        }
        Ok(UserName(name))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Cashier,
    Manager,
    Admin,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Cashier => "cashier",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Managers and admins may close a drawer; cashiers may not.
    pub fn may_close_drawers(&self) -> bool {
        self.is_manager()
    }

    /// Managers and admins approve what a cashier may not do alone: closing a drawer, a
    /// discount above the location's limit, a price override, a refund.
    pub fn is_manager(&self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }
}

impl FromStr for Role {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cashier" => Ok(Role::Cashier),
            "manager" => Ok(Role::Manager),
            "admin" => Ok(Role::Admin),
            _ => Err(invalid("role", format!("{s:?} must be cashier, manager or admin"))),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A PIN as typed: 4 to 8 ASCII digits. Never printed, never stored; only its hash is.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    pub fn parse(text: &str) -> Result<Pin, InputError> {
        if !(4..=8).contains(&text.len()) {
            return Err(InputError::InvalidPin("a PIN has 4 to 8 digits"));
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InputError::InvalidPin("a PIN has only digits"));
        }
        Ok(Pin(text.to_string()))
    }

    /// The digits, for the one place that must see them: the store's PIN check (PostgreSQL
    /// compares the PIN in the database). Never logged; Debug prints `Pin(****)`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// An argon2id hash in PHC form (salted; the parameters travel with it).
    pub fn hash(&self) -> PinHash {
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            // Hashing with default parameters and a fresh salt cannot fail; if the library
            // ever changes that, refusing to store a PIN is the safe outcome.
            .unwrap_or_default();
        PinHash(hash)
    }

    /// True when this PIN matches the hash. A malformed hash never matches.
    pub fn matches(&self, hash: &PinHash) -> bool {
        PasswordHash::new(&hash.0)
            .is_ok_and(|parsed| Argon2::default().verify_password(self.0.as_bytes(), &parsed).is_ok())
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

/// A stored PIN hash (argon2id PHC string).
#[derive(Clone, PartialEq, Eq)]
pub struct PinHash(pub String);

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PinHash(..)")
    }
}

/// A BCP 47 language tag a location formats money and dates with: language, optional script,
/// optional region (`en-US`, `de-CH`, `fr-FR`, `sr-Latn-RS`, `es-419`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale(String);

impl Locale {
    pub fn parse(text: &str) -> Result<Locale, InputError> {
        let text = text.trim().replace('_', "-");
        let mut parts = text.split('-');
        let bad = || invalid("locale", format!("{text:?} is not a language tag like en-US or de-DE"));
        let language =
            parts.next().filter(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
        let mut tag = language.ok_or_else(bad)?.to_ascii_lowercase();
        let mut rest: Vec<&str> = parts.collect();
        if let Some(script) = rest.first().filter(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_alphabetic())) {
            let mut chars = script.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('X');
            tag.push('-');
            tag.push(first);
            tag.push_str(&chars.as_str().to_ascii_lowercase());
            rest.remove(0);
        }
        match rest.as_slice() {
            [] => {}
            [region] if region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic()) => {
                tag.push('-');
                tag.push_str(&region.to_ascii_uppercase());
            }
            [region] if region.len() == 3 && region.bytes().all(|b| b.is_ascii_digit()) => {
                tag.push('-');
                tag.push_str(region);
            }
            _ => return Err(bad()),
        }
        Ok(Locale(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Locale {
    fn default() -> Self {
        Locale("en-US".into())
    }
}

/// An IANA time zone (`America/New_York`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    pub fn parse(text: &str) -> Result<TimeZone, InputError> {
        text.trim()
            .parse::<chrono_tz::Tz>()
            .map(TimeZone)
            .map_err(|_| invalid("time zone", format!("{text:?} is not an IANA time zone (like America/New_York)")))
    }
    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

/// When a business day ends, as minutes after local midnight (04:00 by default: sales at
/// 01:30 belong to the previous day, and no DST jump falls between midnight and the cut-off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoff(u16);

impl Cutoff {
    pub const DEFAULT: Cutoff = Cutoff(4 * 60);

    /// Parses `HH:MM` (or `H`), from 00:00 to 23:59.
    pub fn parse(text: &str) -> Result<Cutoff, InputError> {
        let bad = || invalid("cut-off", format!("{text:?} must be a time of day like 04:00"));
        let text = text.trim();
        let (h, m) = text.split_once(':').unwrap_or((text, "0"));
        let digits = |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || !digits(m) {
            return Err(bad());
        }
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(Cutoff(h * 60 + m))
    }

    pub fn from_minutes(minutes: i32) -> Result<Cutoff, InputError> {
        u16::try_from(minutes)
            .ok()
            .filter(|m| *m < 24 * 60)
            .map(Cutoff)
            .ok_or_else(|| invalid("cut-off", format!("{minutes} minutes is not a time of day")))
    }

    pub fn minutes(&self) -> i32 {
        i32::from(self.0)
    }
}

impl Default for Cutoff {
    fn default() -> Self {
        Cutoff::DEFAULT
    }
}

impl fmt::Display for Cutoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// The business day an instant belongs to: the local date in the location's time zone after
/// moving the clock back by the cut-off. PostgreSQL's functions use their copy,
/// `till_business_day`; tests/contract/business_day.rs holds the two to each other.
pub fn business_day(at: DateTime<Utc>, zone: TimeZone, cutoff: Cutoff) -> NaiveDate {
    let local = at.with_timezone(&zone.0).naive_local();
    (local - Duration::minutes(i64::from(cutoff.minutes()))).date()
}

/// `<LOCATION>-<YYYYMMDD>-<NNN>`: at least three digits, never truncated (`...-1000`).
pub fn session_number(location: &str, day: NaiveDate, sequence: i64) -> String {
    format!("{location}-{}-{sequence:03}", day.format("%Y%m%d"))
}

/// A PostgreSQL role name for a store terminal (`tillctl db create-terminal-role NAME`): lower
/// case ASCII letters, digits and `_`, starting with a letter or `_`, at most 63 bytes, so it
/// never needs quoting and never names a reserved `pg_` role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbRoleName(String);

impl DbRoleName {
    pub fn parse(text: &str) -> Result<DbRoleName, InputError> {
        let bad = |reason: &str| InputError::Invalid { field: "role name", reason: reason.to_string() };
        let mut chars = text.chars();
        match chars.next() {
            Some(c) if c.is_ascii_lowercase() || c == '_' => {}
            _ => return Err(bad("starts with a lower-case letter or _")),
        }
        if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(bad("only lower-case letters, digits and _"));
        }
        if text.len() > 63 {
            return Err(bad("at most 63 characters"));
        }
        if text.starts_with("pg_") {
            return Err(bad("names starting with pg_ are PostgreSQL's own"));
        }
        Ok(DbRoleName(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn codes_are_uppercase_letters_and_digits() {
        assert_eq!(LocationCode::parse("dt").unwrap().as_str(), "DT");
        for bad in ["", "1A", "D-T", "ABCDEFGHI", "D T", "Ü"] {
            assert!(LocationCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn register_refs() {
        assert_eq!(RegisterRef::parse("DT/R1").unwrap().to_string(), "DT/R1");
        assert!(RegisterRef::parse("DT").is_err());
        assert!(RegisterRef::parse("DT/").is_err());
        let id = uuid::Uuid::now_v7();
        assert_eq!(RegisterRef::parse(&id.to_string()).unwrap(), RegisterRef::Id(RegisterId(id)));
    }

    #[test]
    fn pins_are_four_to_eight_digits_and_hash_with_argon2id() {
        for bad in ["", "123", "123456789", "12a4", " 1234", "１２３４"] {
            assert!(Pin::parse(bad).is_err(), "{bad:?}");
        }
        let pin = Pin::parse("1234").unwrap();
        let hash = pin.hash();
        assert!(hash.0.starts_with("$argon2id$"));
        assert!(pin.matches(&hash));
        assert!(!Pin::parse("4321").unwrap().matches(&hash));
        assert!(!pin.matches(&PinHash("garbage".into())));
        assert_eq!(format!("{pin:?}"), "Pin(****)");
    }

    #[test]
    fn business_day_honours_zone_and_cutoff() {
        let ny = TimeZone::parse("America/New_York").unwrap();
        let cutoff = Cutoff::parse("04:00").unwrap();
        // 2026-11-28 08:59 UTC = 03:59 in New York: still the 27th's business day.
        let before = Utc.with_ymd_and_hms(2026, 11, 28, 8, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        assert_eq!(business_day(before, ny, cutoff).to_string(), "2026-11-27");
        assert_eq!(business_day(after, ny, cutoff).to_string(), "2026-11-28");
        // DST ends on 2026-11-01 at 02:00 local; 04:00 EST is 09:00 UTC.
        let dst = Utc.with_ymd_and_hms(2026, 11, 1, 8, 30, 0).unwrap();
        assert_eq!(business_day(dst, ny, cutoff).to_string(), "2026-10-31");
    }

    #[test]
    fn session_numbers_pad_but_never_truncate() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(session_number("DT", day, 7), "DT-20261128-007");
        assert_eq!(session_number("DT", day, 999), "DT-20261128-999");
        assert_eq!(session_number("DT", day, 1000), "DT-20261128-1000");
    }

    #[test]
    fn notes_refuse_control_and_bidi_characters() {
        assert_eq!(Notes::parse(Some("float short\n\tsee safe")).unwrap().unwrap().as_str(), "float short\n\tsee safe");
        assert_eq!(Notes::parse(Some("  ")).unwrap(), None);
        for bad in ["a\0b", "bell\u{7}", "esc\u{1b}[31m", "abc\u{202E}fed", "x\u{2066}y", "c\rr", "lrm\u{200E}"] {
            assert_eq!(Notes::parse(Some(bad)).map_err(|e| e.code()), Err("invalid_input"), "{bad:?}");
        }
        assert!(Notes::parse(Some(&"x".repeat(501))).is_err());
        assert!(parse_display_name("register name", "Front\u{202E}counter").is_err());
        assert!(parse_display_name("register name", "Front\ncounter").is_err());
        assert!(DeviceName::parse("pc\u{0}").is_err());
    }

    #[test]
    fn locales_are_language_tags() {
        assert_eq!(Locale::parse("de_de").unwrap().as_str(), "de-DE");
        assert_eq!(Locale::parse("sr-latn-rs").unwrap().as_str(), "sr-Latn-RS");
        assert_eq!(Locale::parse("es-419").unwrap().as_str(), "es-419");
        assert_eq!(Locale::parse("ja").unwrap().as_str(), "ja");
        for bad in ["", "e", "english", "de-DEU", "de-DE-x", "de DE", "'; drop"] {
            assert!(Locale::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn terminal_role_names_never_need_quoting() {
        assert_eq!(DbRoleName::parse("till_dt_r1").unwrap().as_str(), "till_dt_r1");
        for bad in ["", "Till", "1abc", "a-b", "a b", "pg_monitor", "x\"; DROP", &"a".repeat(64)] {
            assert!(DbRoleName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cutoffs() {
        assert_eq!(Cutoff::parse("04:00").unwrap().minutes(), 240);
        assert_eq!(Cutoff::parse("4").unwrap().to_string(), "04:00");
        for bad in ["24:00", "12:60", "", "x", "-1:00", "1:2:3"] {
            assert!(Cutoff::parse(bad).is_err(), "{bad:?}");
        }
    }
}
