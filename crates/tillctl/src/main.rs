//! `tillctl`: the command line IT uses to set up and inspect Till. Every command calls the same
//! core operations the desktop app calls; nothing here touches SQL.

mod backup;
mod bench;
mod cash;
mod catalog;
mod device;
mod output;
mod places;
mod sales;
mod shifts;

use clap::{Args, Parser, Subcommand};
use output::Output;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use till_core::service;
use till_core::*;

#[derive(Parser)]
#[command(
    name = "tillctl",
    version = concat!(env!("TILL_BUILD_VERSION"), " (commit ", env!("TILL_BUILD_COMMIT"), ")"),
    about = "Set up and inspect Till point-of-sale registers"
)]
struct Cli {
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB. Default: the database of the system device
    /// file (/etc/till/device.toml) when there is one, else the desktop app's embedded database.
    #[arg(long, env = "TILL_DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,
    /// Print machine-readable JSON (errors too, with a stable "code").
    #[arg(long, global = true)]
    json: bool,
    /// Do not apply pending migrations at start-up; refuse a database that is behind instead.
    #[arg(long, global = true)]
    no_migrate: bool,
    #[command(subcommand)]
    command: Command,
}

/// Where a PIN comes from. In order: `--pin-stdin`, `--pin` or `TILL_PIN`, else a prompt
/// without echo when stdin is a terminal.
#[derive(Args, Clone)]
pub(crate) struct PinArgs {
    /// The PIN on the command line. Other users of this computer can read it in the process
    /// list: prefer the prompt, TILL_PIN or --pin-stdin.
    #[arg(long, env = "TILL_PIN", hide_env_values = true)]
    pin: Option<String>,
    /// Read the PIN from the first line of standard input (for scripts).
    #[arg(long, conflicts_with = "pin")]
    pin_stdin: bool,
}

impl PinArgs {
    pub(crate) fn read(&self, whose: &str) -> Result<String, TillError> {
        let missing = || InputError::InvalidPin("no PIN given: type it at the prompt, or use TILL_PIN or --pin-stdin");
        if self.pin_stdin {
            return stdin_line().map_err(|_| missing().into());
        }
        if let Some(pin) = &self.pin {
            return Ok(pin.clone());
        }
        if std::io::stdin().is_terminal() {
            return rpassword::prompt_password(format!("PIN for {whose}: ")).map_err(|_| missing().into());
        }
        Err(missing().into())
    }
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and verify the schema.
    Migrate {
        /// Re-create the shift functions (PostgreSQL) after someone dropped or edited them.
        #[arg(long)]
        repair_functions: bool,
    },
    /// Run every check on the database; print one line per check with its fix.
    Doctor,
    #[command(subcommand)]
    Location(LocationCommand),
    #[command(subcommand)]
    Register(RegisterCommand),
    #[command(subcommand)]
    User(UserCommand),
    /// Open the register's session, or join the one already open.
    StartShift {
        /// LOCATION/REGISTER (DT/R1) or a register id.
        #[arg(long)]
        register: String,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        pin: PinArgs,
        /// Cash in the drawer at the start, like 200.00. Ignored when joining.
        #[arg(long, allow_hyphen_values = true)]
        opening_cash: String,
        /// Which device asks (default: tillctl@HOSTNAME).
        #[arg(long)]
        device: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// A UUID you choose for this request. Running the command again with the same id
        /// (after a timeout, say) answers the first outcome and never starts twice.
        #[arg(long)]
        request_id: Option<uuid::Uuid>,
        /// The opening count's notes and coins: VALUExCOUNT,... (20.00x5,10.00x10); they must add
        /// up to --opening-cash. Stored as data and journaled.
        #[arg(long)]
        denominations: Option<String>,
    },
    /// Close a session: counted cash against expected. Needs a manager or admin.
    CloseShift {
        /// Session id or number (DT-20261128-001).
        #[arg(long)]
        session: String,
        #[arg(long, allow_hyphen_values = true)]
        counted_cash: String,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        pin: PinArgs,
        #[arg(long)]
        device: Option<String>,
        /// A UUID you choose for this request: repeating it answers the same close.
        #[arg(long)]
        request_id: Option<uuid::Uuid>,
        /// The float left in the drawer for the next shift (default: the float the shift
        /// opened with, at most the count); the rest is removed to the safe.
        #[arg(long, allow_hyphen_values = true)]
        float_left: Option<String>,
        /// When the variance is above the location's limit: the closing manager signs it off
        /// with this reason (without it the close is refused: variance_needs_signoff).
        #[arg(long)]
        variance_reason: Option<String>,
        /// The notes and coins counted: VALUExCOUNT,... (20.00x3,0.25x4); must add up to the count.
        #[arg(long)]
        denominations: Option<String>,
    },
    #[command(subcommand)]
    Session(SessionCommand),
    /// Cash movements: paid in, paid out, drop to safe, no-sale; the location's reasons.
    #[command(subcommand)]
    Cash(cash::CashCommand),
    /// X and Z reports (text, JSON, CSV).
    #[command(subcommand)]
    Report(cash::ReportCommand),
    /// The tamper-evident journal: verify it, export it for an auditor.
    #[command(subcommand)]
    Journal(cash::JournalCommand),
    /// Copy the embedded SQLite database, while the till sells, into a folder (a USB drive):
    /// verified, named till-YYYYMMDDTHHMMSSZ.db, keeping the newest N. PostgreSQL: see docs/operations.md.
    Backup(backup::BackupArgs),
    /// Put a verified backup in place of the embedded database; the current one is kept aside.
    /// Without --yes it only checks the copy and says what it would do.
    Restore(backup::RestoreArgs),
    /// Sales: record one from a cart file, show a receipt, list a session's receipts.
    #[command(subcommand)]
    Sale(sales::SaleCommand),
    /// Refund lines of a sale (a manager's PIN).
    Refund(sales::RefundArgs),
    /// The format of a request file: `cart` (sale record's cart.json) or `lines` (refund's
    /// lines.json), every field with its unit. --json prints its JSON Schema (opens no database).
    Schema(sales::SchemaArgs),
    /// A location's tax rates.
    #[command(subcommand)]
    TaxRate(catalog::TaxRateCommand),
    /// A location's quick-key categories.
    #[command(subcommand)]
    Category(catalog::CategoryCommand),
    /// A location's products and barcodes.
    #[command(subcommand)]
    Product(catalog::ProductCommand),
    /// PostgreSQL administration, with the database owner's role.
    #[command(subcommand)]
    Db(DbCommand),
    /// Add demo data to the demo database (till-demo.db beside the real one, unless
    /// --database-url names another): location DT, register DT/R1, cashier alice (PIN 1234),
    /// manager bob (9999). Those PINs are published: never use demo data for real cash.
    Demo,
    /// Measure start/close throughput and latency against this database (not a test).
    Bench(bench::BenchArgs),
    /// This PC's system device file and its database credentials (provisioned store PCs).
    #[command(subcommand)]
    Device(device::DeviceCommand),
    /// The version and the git commit this tillctl was built from (opens no database).
    Version,
}

/// An error as tillctl prints it: a stable code and a message.
#[derive(Debug)]
pub struct CliError {
    pub code: ErrorCode,
    pub message: String,
    /// A file's bad lines (a catalog import), each with its number and reason.
    pub lines: Vec<LineError>,
    /// `user_locked`: who, and until when (UTC), so the text can say it in the store's time.
    pub locked: Option<(String, chrono::DateTime<chrono::Utc>)>,
}

impl CliError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> CliError {
        CliError { code, message: message.into(), lines: Vec::new(), locked: None }
    }
}

impl From<TillError> for CliError {
    fn from(e: TillError) -> Self {
        let lines = match &e {
            TillError::Input(InputError::BadLines { lines, .. }) => lines.clone(),
            _ => Vec::new(),
        };
        let locked = match &e {
            TillError::Store(StoreError::Refused(Refusal::UserLocked { user, until })) => Some((user.clone(), *until)),
            _ => None,
        };
        CliError { lines, locked, ..CliError::new(e.error_code(), e.to_string()) }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        TillError::from(e).into()
    }
}

impl From<InputError> for CliError {
    fn from(e: InputError) -> Self {
        TillError::from(e).into()
    }
}

#[derive(Subcommand)]
enum DbCommand {
    /// Create the least-privilege role a store terminal connects with (or, if it exists,
    /// grant it again): it reads what the screens read and executes Till's functions, and
    /// writes no table directly. `tillctl migrate` keeps its grants current.
    CreateTerminalRole {
        /// The role's name: lower-case letters, digits and _ (till_dt_r1).
        name: String,
        /// Read the role's password from the first line of standard input (else a prompt).
        #[arg(long)]
        password_stdin: bool,
        /// No password: the terminal logs in with a client certificate (`hostssl ... cert` in
        /// pg_hba.conf), or the role exists and keeps its password.
        #[arg(long, conflicts_with = "password_stdin")]
        no_password: bool,
        /// A register the role's terminal may act on (LOCATION/REGISTER, like DT/R1); repeat for
        /// more. Replaces the role's earlier bindings. Without --register or --location the
        /// role keeps its bindings: one bound to nothing reads but acts nowhere.
        #[arg(long = "register", value_name = "LOCATION/REGISTER")]
        registers: Vec<String>,
        /// A location whose every register the role may act on (a manager's office PC).
        #[arg(long = "location", value_name = "LOCATION")]
        locations: Vec<String>,
    },
}

#[derive(Subcommand)]
enum LocationCommand {
    /// Add a location. Currency, locale and time zone are required, or come from --preset.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// A country's usual settings: currency, locale, time zone, prices with or without tax,
        /// cash rounding and its tax rates (de, at, fr, ch, uk, us-ny, ca-on; docs/operations.md
        /// lists them). Explicit flags win.
        #[arg(long)]
        preset: Option<String>,
        /// IANA time zone, like America/New_York (or from --preset).
        #[arg(long)]
        timezone: Option<String>,
        /// When the business day ends (HH:MM, default 04:00).
        #[arg(long)]
        cutoff: Option<String>,
        /// ISO 4217 code, like EUR (or from --preset).
        #[arg(long)]
        currency: Option<String>,
        /// How screens and receipts format money and dates, a BCP 47 tag like de-DE (or from
        /// --preset).
        #[arg(long)]
        locale: Option<String>,
        #[command(flatten)]
        settings: LocationSettingsArgs,
    },
    /// Change a location's settings (owner role). Only the flags given change; each change is
    /// journaled. With no flag, shows the location.
    Set {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: Option<String>,
        /// ISO 4217 code; only while the location has had no session.
        #[arg(long)]
        currency: Option<String>,
        #[arg(long)]
        locale: Option<String>,
        #[command(flatten)]
        settings: LocationSettingsArgs,
    },
    List,
}

/// The settings `location add` and `location set` take (amounts in the location's currency).
#[derive(Args, Clone, Default, PartialEq)]
struct LocationSettingsArgs {
    /// Shelf prices include tax (true: VAT countries) or tax is added at the till (false).
    #[arg(long)]
    prices_include_tax: Option<bool>,
    /// The smallest cash amount: 0.05 rounds cash totals and cash refunds to five cents (CHF,
    /// CAD); 0.01 does not round.
    #[arg(long)]
    cash_rounding: Option<String>,
    /// A discount above this percentage of its line needs a manager, like 10.
    #[arg(long)]
    discount_limit: Option<String>,
    /// The store's address, printed on receipts (one line).
    #[arg(long)]
    address: Option<String>,
    /// The store's VAT ID, Steuernummer, UID or EIN, printed on receipts.
    #[arg(long)]
    tax_number: Option<String>,
    /// Paid outs and drops of a session above this total need a manager, like 50.00.
    #[arg(long)]
    cash_out_limit: Option<String>,
    /// A close whose count is off by more than this needs a recount and a sign-off, like 5.00.
    #[arg(long)]
    variance_limit: Option<String>,
    /// Whoever counts at close does not see the expected cash first (true/false).
    #[arg(long)]
    blind_close: Option<bool>,
    /// A session open longer than this (or from an earlier business day) is forgotten: 60 to
    /// 10080.
    #[arg(long)]
    session_limit_minutes: Option<i32>,
    /// A login idle this long ends: 1 to 1440.
    #[arg(long)]
    login_idle_minutes: Option<i32>,
    /// The fewest digits a manager's or admin's PIN may have, 4 to 8. Users serve every
    /// location, so the strictest location's figure applies; a manager with a shorter PIN
    /// is asked for a new one (`tillctl user set-pin`) at their next PIN.
    #[arg(long)]
    manager_pin_min_length: Option<u8>,
    /// A card tender must carry the card terminal's approval reference (true/false; default
    /// false: the pay screen offers it as optional).
    #[arg(long)]
    card_reference_required: Option<bool>,
    /// The bills this store's tills take, largest first, like 100.00,50.00,20.00,10.00,5.00 (the
    /// cash count and the pay screen's quick amounts); "" for the currency's usual ones.
    #[arg(long)]
    bills: Option<String>,
    /// The coins, likewise, like 2.00,1.00,0.50,0.20,0.10,0.05,0.02,0.01.
    #[arg(long)]
    coins: Option<String>,
}

impl LocationSettingsArgs {
    fn input<'a>(&'a self, name: Option<&'a str>, locale: Option<&'a str>) -> till_core::SettingsInput<'a> {
        till_core::SettingsInput {
            name,
            locale,
            prices_include_tax: self.prices_include_tax,
            cash_rounding: self.cash_rounding.as_deref(),
            discount_limit_percent: self.discount_limit.as_deref(),
            address: self.address.as_deref(),
            tax_number: self.tax_number.as_deref(),
            cash_out_limit: self.cash_out_limit.as_deref(),
            variance_limit: self.variance_limit.as_deref(),
            blind_close: self.blind_close,
            session_limit_minutes: self.session_limit_minutes,
            login_idle_minutes: self.login_idle_minutes,
            manager_pin_min_length: self.manager_pin_min_length,
            card_reference_required: self.card_reference_required,
            bills: self.bills.as_deref(),
            coins: self.coins.as_deref(),
        }
    }
}

#[derive(Subcommand)]
enum RegisterCommand {
    Add {
        #[arg(long)]
        location: String,
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: Option<String>,
    },
    List {
        #[arg(long)]
        location: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    Add {
        #[arg(long)]
        name: String,
        /// cashier, manager or admin.
        #[arg(long)]
        role: String,
        /// 4 to 8 digits, stored only as an argon2id hash.
        #[command(flatten)]
        pin: PinArgs,
    },
    List,
    /// Set a user's PIN again (the owner's database role only): for a forgotten PIN, or one an
    /// older Till hashed that the database cannot check (`pin_reset_needed`). Ends the user's
    /// logins and lifts a lockout, with a trace.
    SetPin {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        pin: PinArgs,
    },
    /// Lift a lockout after too many wrong PINs, and reset the count.
    Unlock {
        #[arg(long)]
        name: String,
        /// The manager or admin who approves (their PIN is asked, and checked by the database).
        /// Without it the unlock is recorded as made by tillctl, and only the database owner's
        /// role may make it (a terminal's role is refused: forbidden).
        #[arg(long)]
        by: Option<String>,
        #[command(flatten)]
        pin: PinArgs,
    },
    /// Failed PINs, lockouts and unlocks, newest first.
    Events {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Stop a user from logging in, starting or closing shifts (their history stays).
    Deactivate {
        #[arg(long)]
        name: String,
    },
    /// Let a deactivated user work again.
    Activate {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum SessionCommand {
    Show {
        /// Session id or number.
        session: String,
    },
    List(SessionListArgs),
    /// Close a forgotten session without a count (a manager, with a reason); its count is
    /// recorded later with late-count, which completes its Z.
    ForceClose {
        #[arg(long)]
        session: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        pin: PinArgs,
        #[arg(long)]
        device: Option<String>,
        #[arg(long)]
        request_id: Option<uuid::Uuid>,
    },
    /// The count of a force-closed session.
    LateCount {
        #[arg(long)]
        session: String,
        #[arg(long, allow_hyphen_values = true)]
        counted_cash: String,
        /// Left in the drawer (default: nothing).
        #[arg(long, allow_hyphen_values = true)]
        float_left: Option<String>,
        #[arg(long)]
        variance_reason: Option<String>,
        #[arg(long)]
        denominations: Option<String>,
        #[arg(long)]
        user: String,
        #[command(flatten)]
        pin: PinArgs,
        #[arg(long)]
        device: Option<String>,
    },
}

#[derive(Args)]
struct SessionListArgs {
    #[arg(long)]
    location: Option<String>,
    #[arg(long)]
    register: Option<String>,
    /// open or closed.
    #[arg(long)]
    status: Option<String>,
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TILL_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let out = Output { json: cli.json };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            out.error("internal", &format!("cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, out)) {
        Ok(code) => code,
        Err(e) => {
            out.failure(&e);
            ExitCode::FAILURE
        }
    }
}

/// The first line of standard input, without its line ending (`--pin-stdin`,
/// `--password-stdin`).
pub(crate) fn stdin_line() -> std::io::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// A new password: the first line of standard input (`from_stdin`), else typed twice at a
/// prompt without echo. Empty, unreadable or two different entries are refused; `hint` says
/// how to give it otherwise.
pub(crate) fn read_new_password(from_stdin: bool, prompt: &str, hint: &str) -> Result<String, InputError> {
    let invalid = |reason: String| InputError::Invalid { field: "password", reason };
    let missing = || invalid(format!("no password given: type it at the prompt, or use {hint}"));
    let password = if from_stdin {
        stdin_line().map_err(|_| missing())?
    } else if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).map_err(|_| missing())?;
        let again = rpassword::prompt_password("Again: ").map_err(|_| missing())?;
        if first != again {
            return Err(invalid("the two entries differ; nothing was saved".into()));
        }
        first
    } else {
        return Err(missing());
    };
    if password.is_empty() {
        return Err(missing());
    }
    Ok(password)
}

/// Which database a command uses, in this order: `--database-url` or `TILL_DATABASE_URL`; else
/// the system device file when it exists (so `tillctl doctor` on a terminal checks the
/// terminal's own settings, with its credentials); else the embedded default (`demo`: the demo
/// database). A device file that exists but is invalid is an error, never skipped.
struct Target {
    /// What to connect with; may hold the keyring's password, so never printed (use `shown`).
    connect: String,
    /// The URL without any password.
    shown: String,
    source: String,
    allow_insecure_tls: bool,
}

async fn target(cli: &Cli) -> Result<Target, CliError> {
    if let Some(url) = &cli.database_url {
        let source = "--database-url or TILL_DATABASE_URL".to_string();
        return Ok(Target {
            connect: url.clone(),
            shown: till_backend::redact(url),
            source,
            allow_insecure_tls: false,
        });
    }
    if matches!(cli.command, Command::Demo) {
        let url = till_backend::demo_database_url();
        return Ok(Target {
            connect: url.clone(),
            shown: url,
            source: "demo database".into(),
            allow_insecure_tls: false,
        });
    }
    let path = till_backend::device_file::path();
    match till_backend::device_file::DeviceFile::load(&path) {
        Ok(Some(file)) => {
            let url = file.database.url.trim().to_string();
            let password = match (till_backend::backend_kind(&url)?, file.database.credentials) {
                (BackendKind::Postgres, till_backend::device_file::Credentials::Keyring) => {
                    device::keyring_password(&url).await?
                }
                _ => None,
            };
            Ok(Target {
                connect: till_backend::device_connect_url(&file, password.as_deref())?,
                shown: till_backend::redact(&url),
                source: format!("device file {}", path.display()),
                allow_insecure_tls: file.database.allow_insecure_tls,
            })
        }
        Ok(None) => {
            let url = till_backend::default_database_url();
            Ok(Target { connect: url.clone(), shown: url, source: "default".into(), allow_insecure_tls: false })
        }
        Err(e) => Err(CliError::new(ErrorCode::DeviceSettingsDamaged, e.to_string())),
    }
}

/// `doctor`'s lines about the connection itself: its TLS mode, and the clock against the
/// server's.
async fn connection_checks(store: &dyn Store, target: &Target) -> Vec<SchemaCheck> {
    let tls = match till_backend::tls::check_url(&target.shown, target.allow_insecure_tls) {
        Ok(Some(report)) if report.is_weak() => SchemaCheck::warn(
            "TLS",
            report.describe(),
            "use sslmode=verify-full with sslrootcert (the CA of the server's certificate); remove allow_insecure_tls",
        ),
        Ok(Some(report)) if !report.mode.verifies_server() => {
            SchemaCheck::pass("TLS", format!("{} (loopback: the traffic stays on this computer)", report.describe()))
        }
        Ok(Some(report)) => SchemaCheck::pass("TLS", report.describe()),
        Ok(None) => SchemaCheck::pass("TLS", "not applicable (SQLite: a file on this computer)"),
        Err(e) => SchemaCheck::fail("TLS", e.to_string(), "use sslmode=verify-full"),
    };
    let clock = match store.clock_offset().await {
        Ok(offset) => clock_check(offset),
        Err(e) => SchemaCheck::fail("clock offset", e.to_string(), "run `tillctl doctor` again"),
    };
    // Shown so IT can tell databases apart: a till pointed at another database shows another id.
    let identity = match store.database_identity().await {
        Ok(Some(id)) => SchemaCheck::pass("database identity", id.to_string()),
        Ok(None) => SchemaCheck::fail("database identity", "none (made by migration 15)", till_core::RUN_MIGRATE),
        Err(e) => SchemaCheck::fail("database identity", e.to_string(), till_core::RUN_MIGRATE),
    };
    vec![tls, clock, identity]
}

/// Above this, `doctor` warns: idle logouts, PIN lockouts and business days compare this
/// computer's clock with the server's.
const MAX_CLOCK_OFFSET_MS: i64 = 2_000;

fn clock_check(offset: Option<ClockOffset>) -> SchemaCheck {
    let Some(o) = offset else {
        return SchemaCheck::pass("clock offset", "not applicable (SQLite: one computer, one clock)");
    };
    let side = if o.offset_ms >= 0 { "behind" } else { "ahead of" };
    let detail = format!(
        "this computer is {}.{:03} s {side} the database server (±{} ms, half the round trip)",
        o.offset_ms.unsigned_abs() / 1000,
        o.offset_ms.unsigned_abs() % 1000,
        o.round_trip_ms / 2
    );
    if o.offset_ms.abs() > MAX_CLOCK_OFFSET_MS {
        SchemaCheck::warn(
            "clock offset",
            detail,
            "synchronise both clocks with NTP (timedatectl set-ntp true); idle logouts and lockouts compare them",
        )
    } else {
        SchemaCheck::pass("clock offset", detail)
    }
}

/// Logs `user` in with their PIN (asked as [`PinArgs`] says): the login this one command acts
/// with. [`log_out`] ends it once the command has run, whatever its outcome.
pub(crate) async fn log_in(
    store: &dyn Store,
    user: &str,
    pin: &PinArgs,
    device: &DeviceName,
) -> Result<Authenticated, TillError> {
    service::authenticate(store, user, &pin.read(user)?, device).await
}

/// Ends a command's login. A failure is only logged: the login ends by itself at the
/// location's idle limit, and the command's own outcome is what the caller reports.
pub(crate) async fn log_out(store: &dyn Store, who: &Authenticated) {
    if let Err(e) = store.logout(&who.login).await {
        tracing::warn!("could not end {}'s login: {e}", who.user.name);
    }
}

pub(crate) fn device(name: Option<&str>) -> Result<DeviceName, TillError> {
    let default = format!("tillctl@{}", gethostname::gethostname().to_string_lossy());
    Ok(DeviceName::parse(name.unwrap_or(&default))?)
}

async fn run(cli: Cli, out: Output) -> Result<ExitCode, CliError> {
    // The device file's own commands read the file, never a database URL given elsewhere.
    if let Command::Device(command) = cli.command {
        return device::run(command, out).await;
    }
    if let Command::Version = cli.command {
        out.print(&output::Version::BUILT);
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Schema(args) = &cli.command {
        sales::schema(out, args);
        return Ok(ExitCode::SUCCESS);
    }
    let target = target(&cli).await?;
    // Neither opens the store: a backup never migrates what it copies, a restore replaces the file.
    match &cli.command {
        Command::Backup(args) => return backup::backup(&target.connect, out, args).await,
        Command::Restore(args) => return backup::restore(&target.connect, out, args).await,
        _ => {}
    }
    let url = target.shown.clone();
    // doctor reports on a broken schema instead of refusing it; migrate reports what it applied.
    let inspects_schema = matches!(cli.command, Command::Doctor | Command::Migrate { .. });
    let options = StoreOptions {
        migrate: !cli.no_migrate && !inspects_schema,
        verify: !inspects_schema,
        max_connections: match &cli.command {
            Command::Bench(args) => args.clients.saturating_add(2),
            _ => 4,
        },
        ..StoreOptions::default()
    };
    let shared: Arc<dyn Store> = till_backend::open_with(&target.connect, &options, target.allow_insecure_tls).await?;
    let store = shared.as_ref();
    let acted = async {
        match cli.command {
            Command::Migrate { repair_functions } => {
                if repair_functions {
                    store.repair_functions().await?;
                }
                let applied = store.migrate().await?;
                out.print(&output::Migrated { database: url, applied, repaired: repair_functions });
            }
            Command::Doctor => {
                let mut checks = store.check_schema().await;
                checks.extend(connection_checks(store, &target).await);
                // A provisioned till's hardware: warnings here (doctor's verdict is the
                // database's); `device check` fails on them.
                if let Ok(Some(file)) = till_backend::device_file::DeviceFile::load(&till_backend::device_file::path())
                {
                    checks.extend(
                        device::hardware(&file, device::Hardware { print_test: false, problems_fail: false }).await,
                    );
                }
                let ok = checks.iter().all(|c| c.ok);
                out.print(&output::Doctor { database: url, source: target.source, checks });
                return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            Command::Location(command) => places::location(store, out, command).await?,
            Command::Register(command) => places::register(store, out, command).await?,
            Command::User(command) => places::user(store, out, command).await?,
            Command::Session(command) => shifts::session(store, out, command).await?,
            Command::Db(command) => places::db(store, out, command).await?,
            Command::StartShift {
                register,
                user,
                pin,
                opening_cash,
                device: name,
                notes,
                request_id,
                denominations,
            } => {
                let register = RegisterRef::parse(&register)?;
                let device = device(name.as_deref())?;
                let currency = store.find_register(&register).await?.currency;
                let counts = cash::parse_denominations(denominations.as_deref(), currency)?;
                let request = service::StartRequest {
                    request_id: request_id.map_or_else(RequestId::new, RequestId),
                    opening_cash: Some(CashAmount::Typed(&opening_cash)),
                    notes: notes.as_deref(),
                };
                let who = log_in(store, &user, &pin, &device).await?;
                let started = service::start_shift_counted(store, &who, &register, &device, request, counts).await;
                log_out(store, &who).await;
                let started = started?;
                let local = local_of(store, &started.session.location_code).await;
                out.print(&output::ShiftStartedOut { started, local });
            }
            Command::CloseShift {
                session,
                counted_cash,
                user,
                pin,
                device: name,
                request_id,
                float_left,
                variance_reason,
                denominations,
            } => {
                let session = SessionRef::parse(&session)?;
                let device = device(name.as_deref())?;
                let request = service::CloseRequest {
                    request_id: request_id.map_or_else(RequestId::new, RequestId),
                    session: &session,
                    counted_cash: CashAmount::Typed(&counted_cash),
                    only_register: None,
                    float_left: float_left.as_deref().map(CashAmount::Typed),
                    denominations: cash::parse_denominations(
                        denominations.as_deref(),
                        store.find_session(&session).await?.currency,
                    )?,
                    sign_off: variance_reason.as_deref(),
                };
                let who = log_in(store, &user, &pin, &device).await?;
                let closed = service::close_shift(store, &who, None, &device, request).await;
                log_out(store, &who).await;
                out.print(&session_out(store, closed?).await);
            }
            Command::Sale(command) => sales::sale(store, out, command).await?,
            Command::Refund(args) => sales::refund(store, out, args).await?,
            Command::Cash(command) => cash::cash(store, out, command).await?,
            Command::Report(command) => cash::report(store, out, command).await?,
            Command::Journal(command) => {
                if !cash::journal(store, out, command).await? {
                    return Ok(ExitCode::FAILURE);
                }
            }
            Command::TaxRate(command) => catalog::tax_rate(store, out, command).await?,
            Command::Category(command) => catalog::category(store, out, command).await?,
            Command::Product(command) => catalog::product(store, out, command).await?,
            Command::Demo => {
                till_backend::seed_demo(store).await?;
                out.print(&output::Demo { database: url, users: &till_backend::DEMO_USERS });
            }
            Command::Version => out.print(&output::Version::BUILT),
            Command::Bench(args) => {
                let report = bench::run(shared.clone(), &target.connect, &args).await?;
                let clean = report.invariants.is_clean() && report.errors == 0;
                out.print(&report);
                return Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            Command::Device(_) => unreachable!("handled before the database is opened"),
            Command::Schema(_) => unreachable!("handled before the database is opened"),
            Command::Backup(_) | Command::Restore(_) => unreachable!("handled before the database is opened"),
        }
        Ok::<ExitCode, CliError>(ExitCode::SUCCESS)
    }
    .await;
    match acted {
        Err(mut e) if !out.json => {
            if let Some((user, until)) = &e.locked {
                e.message = locked_message(user, &store_local(store).await.time(*until, "%Y-%m-%d %H:%M:%S"));
            }
            Err(e)
        }
        acted => acted,
    }
}

/// The terms a location's people read text output in (UTC when it cannot be read).
async fn local_of(store: &dyn Store, location_code: &str) -> output::Local {
    match LocationCode::parse(location_code) {
        Ok(code) => store.find_location(&code).await.map_or_else(|_| output::Local::utc(), |l| output::Local::of(&l)),
        Err(_) => output::Local::utc(),
    }
}

/// The whole store's terms: its locations' time zone when they share one (see [`output::Local::of_store`]).
async fn store_local(store: &dyn Store) -> output::Local {
    store.list_locations().await.map_or_else(|_| output::Local::utc(), |l| output::Local::of_store(&l))
}

async fn session_out(store: &dyn Store, session: Session) -> output::SessionOut {
    output::SessionOut { local: local_of(store, &session.location_code).await, session }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_line_warns_above_two_seconds_either_way() {
        let line = |offset_ms| clock_check(Some(ClockOffset { offset_ms, round_trip_ms: 4 }));
        let near = line(1_500);
        assert!(near.ok && !near.warning, "{near:?}");
        assert!(near.detail.contains("1.500 s behind"), "{}", near.detail);
        for far in [2_001, -3_250] {
            let far = line(far);
            assert!(far.ok && far.warning && far.fix.is_some(), "{far:?}");
        }
        assert!(line(-3_250).detail.contains("3.250 s ahead of"));
        let sqlite = clock_check(None);
        assert!(sqlite.ok && !sqlite.warning && sqlite.detail.contains("not applicable"));
    }
}
