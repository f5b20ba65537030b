//! Human and JSON output. JSON errors are `{"error": {"code", "message"}}` with stable codes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use till_core::*;

#[derive(Clone, Copy)]
pub struct Output {
    pub json: bool,
}

/// What a command prints for a person (the JSON form is the value's serde form).
pub trait Printable: Serialize {
    fn human(&self) -> String;
}

/// Writes a line; a closed pipe (`tillctl ... | head`) is not an error worth a panic.
fn emit(mut sink: impl Write, text: &str) {
    let _ = writeln!(sink, "{text}");
}

/// Writes a line meant for a person's terminal. Names, notes, reasons and device names come from
/// the database, and whoever holds the database file can store any byte there, whatever
/// till-core refuses on input: escaping here, where every human line is written, covers every
/// command's output (cash.rs's and catalog.rs's too) without each `human()` remembering to.
fn emit_human(sink: impl Write, text: &str) {
    emit(sink, &terminal_safe(text));
}

/// `text` with every character a terminal would act on rather than show written as a visible
/// `\u{1b}`-style escape: C0 controls (ESC starts the sequences that retitle or clear a
/// terminal), DEL, C1 controls (U+009B is a one-character CSI on some terminals) and the bidi
/// controls that make a line read differently from what is stored. Newlines and tabs are kept:
/// they lay out the multi-line text `human()` builds, and notes may hold them (till-core allows
/// both in multi-line text).
fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts_on_terminal(c) {
            let _ = write!(safe, "\\u{{{:x}}}", u32::from(c));
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
}

/// The characters till-core refuses in a single-line name (`char::is_control` is Unicode's Cc:
/// C0, DEL and C1), less the layout characters multi-line text may hold. The bidi list is
/// till-core's (`domain::is_bidi_control`); a test checks the two agree.
fn acts_on_terminal(c: char) -> bool {
    let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
    bidi || (c.is_control() && c != '\n' && c != '\t')
}

impl Output {
    pub fn print<T: Printable>(&self, value: &T) {
        if self.json {
            match serde_json::to_string_pretty(value) {
                Ok(text) => emit(std::io::stdout(), &text),
                Err(e) => self.error("internal", &format!("cannot encode JSON: {e}")),
            }
        } else {
            emit_human(std::io::stdout(), &value.human());
        }
    }

    /// A command's error. `code` is the contract code scripts match on; when the core has a
    /// finer code for the case (`schema_behind`, `app_too_old` refine `schema_not_ready`), it is
    /// added as `subcode`, so scripts written against the older code keep working. A file with
    /// bad lines (a catalog import) lists them all as `lines`: `[{"line": 3, "reason": ...}]`.
    pub fn failure(&self, e: &crate::CliError) {
        let (code, contract) = (e.code, e.code.contract_code());
        if self.json {
            let mut body = serde_json::json!({ "code": contract.as_str(), "message": e.message });
            if code != contract {
                body["subcode"] = code.as_str().into();
            }
            if !e.lines.is_empty() {
                body["lines"] = serde_json::to_value(&e.lines).unwrap_or_default();
            }
            emit(std::io::stdout(), &serde_json::json!({ "error": body }).to_string());
        } else if !e.lines.is_empty() {
            let listed: Vec<String> = e.lines.iter().map(|l| format!("  line {}: {}", l.line, l.reason)).collect();
            emit_human(
                std::io::stderr(),
                &format!("error [{code}]: {} bad line(s), nothing written:\n{}", e.lines.len(), listed.join("\n")),
            );
        } else if code != contract {
            // The contract code first, as the JSON's `code`: scripts that read the text match on it.
            emit_human(std::io::stderr(), &format!("error [{contract}] ({code}): {}", e.message));
        } else {
            emit_human(std::io::stderr(), &format!("error [{code}]: {}", e.message));
        }
    }

    pub fn error(&self, code: &str, message: &str) {
        if self.json {
            let body = serde_json::json!({ "error": { "code": code, "message": message } });
            emit(std::io::stdout(), &body.to_string());
        } else {
            emit_human(std::io::stderr(), &format!("error [{code}]: {message}"));
        }
    }
}

pub fn parse_status(text: &str) -> Result<SessionStatus, InputError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "open" => Ok(SessionStatus::Open),
        "closed" => Ok(SessionStatus::Closed),
        _ => Err(InputError::Invalid { field: "status", reason: format!("{text:?} must be open or closed") }),
    }
}

fn lines<T>(items: &[T], empty: &str, line: impl Fn(&T) -> String) -> String {
    if items.is_empty() {
        return empty.to_string();
    }
    items.iter().map(line).collect::<Vec<_>>().join("\n")
}

impl Printable for Location {
    fn human(&self) -> String {
        let money = |minor: i64| Money::from_minor(minor, self.currency);
        let yes_no = |b: bool| if b { "yes" } else { "no" };
        let mut text = format!(
            "location {} \"{}\" ({}, cut-off {}, {}, {})\n",
            self.code, self.name, self.time_zone, self.cutoff, self.currency, self.locale
        );
        text += &format!("  prices include tax   {}\n", yes_no(self.prices_include_tax));
        text += &format!("  cash rounding        {}\n", money(self.cash_rounding_minor));
        text += &format!("  discount limit       {}\n", till_core::Ppm(self.discount_limit_ppm));
        text += &format!("  address              {}\n", if self.address.is_empty() { "(none)" } else { &self.address });
        text += &format!(
            "  tax number           {}\n",
            if self.tax_number.is_empty() { "(none)" } else { &self.tax_number }
        );
        text += &format!("  cash-out limit       {}\n", money(self.cash_out_limit_minor));
        text += &format!("  variance limit       {}\n", money(self.variance_limit_minor));
        text += &format!("  blind close          {}\n", yes_no(self.blind_close));
        text +=
            &format!("  card reference       {}\n", if self.card_reference_required { "required" } else { "optional" });
        text += &format!("  forgotten after      {} minutes\n", self.session_limit_minutes);
        text += &format!("  login idle limit     {} minutes\n", self.login_idle_minutes);
        text += &format!("  managers' PINs       at least {} digits", self.manager_pin_min_length);
        text
    }
}

impl Printable for Vec<Location> {
    fn human(&self) -> String {
        lines(self, "no locations yet: add one with `tillctl location add`", |l| {
            format!("{:<8} {:<24} {:<22} cut-off {}  {}", l.code, l.name, l.time_zone, l.cutoff, l.currency)
        })
    }
}

impl Printable for Register {
    fn human(&self) -> String {
        format!("register {} \"{}\" (id {})", self.address, self.name, self.id)
    }
}

impl Printable for Vec<Register> {
    fn human(&self) -> String {
        lines(self, "no registers yet: add one with `tillctl register add`", |r| {
            format!("{:<12} {:<24} {}", r.address, r.name, r.id)
        })
    }
}

impl Printable for User {
    fn human(&self) -> String {
        format!("user {} ({})", self.name, self.role)
    }
}

impl Printable for Vec<User> {
    fn human(&self) -> String {
        lines(self, "no users yet: add one with `tillctl user add`", |u| {
            format!("{:<16} {:<8} {}", u.name, u.role, if u.active { "active" } else { "inactive" })
        })
    }
}

#[derive(Serialize)]
pub struct Migrated {
    pub database: String,
    pub applied: Vec<i64>,
    pub repaired: bool,
}

impl Printable for Migrated {
    fn human(&self) -> String {
        let repaired = if self.repaired { "functions re-created; " } else { "" };
        match self.applied.as_slice() {
            [] => format!("{repaired}{} is up to date; schema verified", self.database),
            applied => format!("{repaired}applied migrations {applied:?} to {}; schema verified", self.database),
        }
    }
}

/// `doctor`, and `device check` (whose `database` is the device file).
#[derive(Serialize)]
pub struct TerminalRole {
    pub role: String,
    pub password_set: bool,
    /// The registers and locations it is now bound to; absent when the command bound nothing
    /// (the role keeps what it had).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locations: Option<Vec<String>>,
}

impl Printable for TerminalRole {
    fn human(&self) -> String {
        let places: Vec<String> = self
            .registers
            .iter()
            .flatten()
            .cloned()
            .chain(self.locations.iter().flatten().map(|l| format!("every register of {l}")))
            .collect();
        format!(
            "terminal role {} ready{}: it may read what the screens read and execute Till's functions, and write no table{}",
            self.role,
            if self.password_set { " (password set)" } else { "" },
            if places.is_empty() { String::new() } else { format!("; it acts on {}", places.join(", ")) }
        )
    }
}

#[derive(Serialize)]
pub struct Doctor {
    pub database: String,
    /// Where the database came from: `--database-url or TILL_DATABASE_URL`, `device file PATH`,
    /// `default`.
    pub source: String,
    pub checks: Vec<SchemaCheck>,
}

impl Printable for Doctor {
    fn human(&self) -> String {
        let mut text = format!("{} ({})\n", self.database, self.source);
        for c in &self.checks {
            let mark = match (c.ok, c.warning) {
                (false, _) => "FAIL",
                (true, true) => "warn",
                (true, false) => "ok  ",
            };
            text.push_str(&format!("{mark} {:<40} {}", c.name, c.detail));
            if let Some(fix) = &c.fix {
                text.push_str(&format!("\n     fix: {fix}"));
            }
            text.push('\n');
        }
        let failed = self.checks.iter().filter(|c| !c.ok).count();
        text.push_str(&match failed {
            0 => "all checks passed".to_string(),
            n => format!("{n} check(s) failed"),
        });
        text
    }
}

/// How one location's people read time and money. Text output shows both their way; `--json`
/// keeps ISO 8601 UTC and plain decimals.
#[derive(Clone, Debug)]
pub struct Local {
    zone: Option<TimeZone>,
    locale: String,
}

impl Local {
    /// UTC and `en-US`: for a value no location owns.
    pub fn utc() -> Local {
        Local { zone: None, locale: "en-US".to_string() }
    }

    /// A location's zone and locale, as stored (an unparsable zone reads as UTC).
    pub fn new(time_zone: &str, locale: &str) -> Local {
        Local { zone: TimeZone::parse(time_zone).ok(), locale: locale.to_string() }
    }

    pub fn of(location: &Location) -> Local {
        Local::new(&location.time_zone, &location.locale)
    }

    /// The whole store's: its locations' zone when they share one, else UTC (a user is locked
    /// store-wide, and an auth event belongs to no one location).
    pub fn of_store(locations: &[Location]) -> Local {
        match locations.split_first() {
            Some((first, rest)) if rest.iter().all(|l| l.time_zone == first.time_zone) => Local::of(first),
            _ => Local::utc(),
        }
    }

    /// `2026-12-06 14:05:09 Europe/Berlin`, `2026-12-06 13:05:09 UTC`.
    pub fn time(&self, at: DateTime<Utc>, format: &str) -> String {
        match &self.zone {
            Some(zone) => format!("{} {}", at.with_timezone(&zone.0).format(format), zone.name()),
            None => format!("{} UTC", at.format(format)),
        }
    }

    pub fn money(&self, amount: Money) -> String {
        amount.localized(&self.locale)
    }

    fn optional_money(&self, amount: Option<Money>) -> String {
        amount.map_or_else(|| "-".to_string(), |m| self.money(m))
    }
}

/// A session in `--json`: money as decimal strings in the currency's digits (`"200.00"`), never
/// floats. A public contract (IT's scripts read it), unlike the app's minor units.
fn session_json(session: &Session) -> SessionView<String> {
    session.view_with(|amount| amount.to_string())
}

/// `start-shift` in `--json`: `{"session": {...}, "joined": false}`.
#[derive(Debug, Clone, Serialize)]
struct ShiftStartedJson {
    session: SessionView<String>,
    joined: bool,
}

/// One session: the JSON is its [`SessionView`] with decimal strings ([`session_json`]); the text is in its location's time and money.
pub struct SessionOut {
    pub session: Session,
    pub local: Local,
}

impl Serialize for SessionOut {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        session_json(&self.session).serialize(serializer)
    }
}

fn describe(s: &Session, local: &Local) -> String {
    const AT: &str = "%Y-%m-%d %H:%M:%S";
    let mut text = format!(
        "session {} ({})\n  register   {}/{}\n  business day {} #{}\n  opened     by {} at {} from {}, opening cash {}",
        s.number,
        s.status.as_str(),
        s.location_code,
        s.register_code,
        s.business_day,
        s.day_sequence,
        s.opened_by,
        local.time(s.opened_at, AT),
        s.opening_device,
        local.money(s.opening_cash),
    );
    if let (Some(by), Some(at)) = (&s.closed_by, &s.closed_at) {
        text.push_str(&format!(
            "\n  closed     by {by} at {}\n  expected   {}\n  counted    {}\n  variance   {}",
            local.time(*at, AT),
            local.optional_money(s.expected_cash),
            local.optional_money(s.counted_cash),
            local.optional_money(s.variance),
        ));
    }
    for j in &s.joins {
        text.push_str(&format!("\n  joined     by {} from {} at {}", j.user, j.device, local.time(j.joined_at, AT)));
    }
    text.push_str(&format!("\n  id         {}", s.id));
    text
}

impl Printable for SessionOut {
    fn human(&self) -> String {
        describe(&self.session, &self.local)
    }
}

/// `session list`: the JSON is the sessions' views; each text line is in its location's terms.
pub struct Sessions {
    pub sessions: Vec<Session>,
    /// By location code.
    pub locals: std::collections::HashMap<String, Local>,
}

impl Serialize for Sessions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.sessions.iter().map(session_json))
    }
}

impl Printable for Sessions {
    fn human(&self) -> String {
        let utc = Local::utc();
        lines(&self.sessions, "no sessions", |s| {
            let local = self.locals.get(&s.location_code).unwrap_or(&utc);
            format!(
                "{:<18} {:<6} {}/{:<6} opened by {:<10} {}  {}",
                s.number,
                s.status.as_str(),
                s.location_code,
                s.register_code,
                s.opened_by,
                local.time(s.opened_at, "%Y-%m-%d %H:%M"),
                s.variance.map(|v| format!("variance {}", local.money(v))).unwrap_or_default(),
            )
        })
    }
}

/// `start-shift`: the JSON is [`ShiftStartedJson`]; the text says whether it joined.
pub struct ShiftStartedOut {
    pub started: ShiftStarted,
    pub local: Local,
}

impl Serialize for ShiftStartedOut {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ShiftStartedJson { session: session_json(&self.started.session), joined: self.started.joined }
            .serialize(serializer)
    }
}

impl Printable for ShiftStartedOut {
    fn human(&self) -> String {
        let session = &self.started.session;
        let head = if self.started.joined {
            // Said in words: a cashier who typed an opening cash must not think it counted.
            format!(
                "joined open session {}: it was already open, so this command's opening cash was not used \
                 (the drawer opened with {})",
                session.number,
                self.local.money(session.opening_cash)
            )
        } else {
            format!("started session {}", session.number)
        };
        format!("{head}\n{}", describe(session, &self.local))
    }
}

#[derive(Serialize)]
pub struct Demo {
    pub database: String,
    pub users: &'static [till_backend::DemoUser],
}

impl Printable for Demo {
    fn human(&self) -> String {
        let users: Vec<String> = self.users.iter().map(|u| format!("{} ({}, PIN {})", u.name, u.role, u.pin)).collect();
        format!(
            "demo data ready in {}: location DT, register DT/R1, users {}\nThese PINs are published: never take real cash on demo data.",
            self.database,
            users.join(", ")
        )
    }
}

/// `user events`: the JSON is the events as stored; the text is in the store's time zone.
#[derive(Serialize)]
#[serde(transparent)]
pub struct AuthEvents {
    pub events: Vec<AuthEvent>,
    #[serde(skip)]
    pub local: Local,
}

impl Printable for AuthEvents {
    fn human(&self) -> String {
        lines(&self.events, "no failed PINs, lockouts or unlocks", |e| {
            format!(
                "{}  {:<10} {:<10} {:<24} {}",
                self.local.time(e.at, "%Y-%m-%d %H:%M:%S"),
                e.kind.as_str(),
                e.user,
                e.device,
                e.detail.as_deref().unwrap_or("")
            )
        })
    }
}

#[derive(Serialize)]
pub struct DeviceWritten {
    pub file: String,
    pub settings: till_backend::device_file::DeviceFile,
}

impl Printable for DeviceWritten {
    fn human(&self) -> String {
        let keyring = self.settings.database.credentials == till_backend::device_file::Credentials::Keyring
            && !self.settings.database.url.starts_with("sqlite");
        let next = if keyring {
            "next: as the till's user, `tillctl device set-password`; then `tillctl device check`"
        } else {
            "next: `tillctl device check`"
        };
        format!("wrote {} (register {})\n{next}", self.file, self.settings.register.register)
    }
}

#[derive(Serialize)]
pub struct PasswordSaved {
    pub file: String,
    /// The keyring account: the device file's URL (no password in it).
    pub database: String,
    pub service: &'static str,
}

impl Printable for PasswordSaved {
    fn human(&self) -> String {
        format!("saved the password for {} in this user's keyring (service {})", self.database, self.service)
    }
}

/// `tillctl version`: what this binary was built from (`till-buildinfo`).
#[derive(Serialize)]
pub struct Version {
    pub version: &'static str,
    /// The git commit, or `unknown` when built outside git without `TILL_BUILD_COMMIT`.
    pub commit: &'static str,
}

impl Version {
    pub const BUILT: Version = Version { version: env!("TILL_BUILD_VERSION"), commit: env!("TILL_BUILD_COMMIT") };
}

impl Printable for Version {
    fn human(&self) -> String {
        format!("tillctl {} (commit {})", self.version, self.commit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_escapes_what_a_terminal_acts_on() {
        let cases = [
            ("Shop\u{1b}]0;pwned\u{7}\u{1b}[2J", "Shop\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"),
            ("a\rb\u{7f}c", "a\\u{d}b\\u{7f}c"),
            ("CSI\u{9b}2J", "CSI\\u{9b}2J"),
            ("Front\u{202E}counter\u{2066}\u{200f}\u{61c}", "Front\\u{202e}counter\\u{2066}\\u{200f}\\u{61c}"),
            ("line one\nline\ttwo", "line one\nline\ttwo"),
            ("Café 東京 ✓", "Café 東京 ✓"),
        ];
        for (text, shown) in cases {
            assert_eq!(terminal_safe(text), shown, "{text:?}");
        }
        assert!(matches!(terminal_safe("plain"), Cow::Borrowed("plain")), "clean text is not copied");
    }

    /// The characters escaped here are the ones till-core refuses in a name (plus the newline and
    /// tab multi-line text may hold): a rule added there without this list following shows here.
    #[test]
    fn terminal_safe_escapes_what_till_core_refuses_in_names() {
        for c in (0..=0x3000).chain(0xfeff..=0xffff).filter_map(char::from_u32) {
            let refused = till_core::parse_display_name("name", &format!("a{c}b")).is_err();
            let escaped = terminal_safe(&c.to_string()) != c.to_string();
            let layout = c == '\n' || c == '\t';
            assert_eq!(refused, escaped || layout, "U+{:04X}", u32::from(c));
        }
    }
}
