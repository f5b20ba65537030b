//! `tillctl device`: the system device file of a provisioned store PC (`init`, `check`) and the
//! till user's database password in the OS keyring (`set-password`).

use crate::output::{self, Output};
use crate::CliError;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use till_backend::device_file::{
    self, Credentials, DatabaseSection, DeviceFile, RegisterSection, SessionSection, UpdatePolicy, UpdatesSection,
};
use till_backend::secrets;
use till_core::{ErrorCode, IdleLimit, InputError, RegisterRef, SchemaCheck, StoreOptions};

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// Write the system device file (atomically, mode 0644). Run as root.
    Init(InitArgs),
    /// Validate the device file: syntax, owner and mode, certificate files, the register and
    /// the credentials (connects to the database), and the receipt printer, drawer and customer
    /// display it sets up (asks the printer's status). Exit 0 only if every check passes.
    Check {
        #[command(flatten)]
        file: FileArg,
        /// Also print a test page on the receipt printer (its code page's letters and a ruler).
        #[arg(long)]
        print_test: bool,
    },
    /// Save the database password in this user's OS keyring, where the till finds it. Run it as
    /// the till's user (in its desktop session, whose keyring is unlocked).
    SetPassword {
        #[command(flatten)]
        file: FileArg,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Args)]
pub struct FileArg {
    /// The device file (default: /etc/till/device.toml).
    #[arg(long)]
    file: Option<PathBuf>,
}

impl FileArg {
    fn path(&self) -> PathBuf {
        self.file.clone().unwrap_or_else(device_file::path)
    }
}

#[derive(Args)]
pub struct InitArgs {
    /// postgres://USER@HOST:PORT/DB?sslmode=verify-full&sslrootcert=PATH (never with a password),
    /// or sqlite://PATH.
    #[arg(long)]
    url: String,
    /// The register this till is, as LOCATION/REGISTER (DT/R1).
    #[arg(long)]
    register: String,
    /// Recorded on the sessions this till opens and closes (default: the host name).
    #[arg(long)]
    device_name: Option<String>,
    /// Minutes without use before a login ends; 0 turns it off.
    #[arg(long, default_value_t = IdleLimit::DEFAULT_MINUTES)]
    idle_logout_minutes: u32,
    /// Where the updater looks for new versions (https).
    #[arg(long)]
    update_endpoint: Option<String>,
    /// A folder the app copies its embedded database to after every close (a USB drive, a
    /// network share); see docs/operations.md, Backups.
    #[arg(long)]
    backup_folder: Option<String>,
    /// when-idle, manual or off.
    #[arg(long, default_value = "when-idle")]
    update_policy: String,
    /// keyring (a password the till's user saves with `tillctl device set-password`) or
    /// certificate (sslcert and sslkey in the URL).
    #[arg(long, default_value = "keyring")]
    credentials: String,
    /// Allow a server on another computer without a verified certificate (only on a network
    /// you trust).
    #[arg(long)]
    allow_insecure_tls: bool,
    #[command(flatten)]
    file: FileArg,
}

fn invalid(field: &'static str, reason: impl Into<String>) -> CliError {
    InputError::Invalid { field, reason: reason.into() }.into()
}

pub async fn run(command: DeviceCommand, out: Output) -> Result<ExitCode, CliError> {
    match command {
        DeviceCommand::Init(args) => {
            let path = args.file.path();
            let file = init(args)?;
            file.write(&path).map_err(|e| invalid("device file", e.to_string()))?;
            out.print(&output::DeviceWritten { file: path.display().to_string(), settings: file });
            Ok(ExitCode::SUCCESS)
        }
        DeviceCommand::Check { file, print_test } => {
            let path = file.path();
            let checks = check(&path, print_test).await;
            let ok = checks.iter().all(|c| c.ok);
            out.print(&output::Doctor { database: path.display().to_string(), source: "device file".into(), checks });
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        DeviceCommand::SetPassword { file, password_stdin } => {
            let path = file.path();
            let device = load(&path)?;
            let url = device.database.url.trim().to_string();
            if device.database.credentials != Credentials::Keyring
                || till_backend::backend_kind(&url)? != till_core::BackendKind::Postgres
            {
                return Err(invalid(
                    "credentials",
                    format!(
                        "{} does not use a password from the keyring (credentials = \"{}\", {})",
                        path.display(),
                        device.database.credentials.as_str(),
                        till_backend::redact(&url)
                    ),
                ));
            }
            let password = read_password(password_stdin, &url)?;
            let account = url.clone();
            off_executor(move || secrets::set_password(&account, &password)).await?;
            out.print(&output::PasswordSaved {
                file: path.display().to_string(),
                database: url,
                service: secrets::SERVICE,
            });
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn keyring_error(e: secrets::KeyringError) -> CliError {
    CliError::new(
        ErrorCode::KeyringUnavailable,
        format!(
            "the OS keyring is unavailable: {e}. Run this as the till's user in its desktop session (the Secret \
             Service, e.g. GNOME Keyring, must run and be unlocked)"
        ),
    )
}

/// The keyring's password for a device file's URL, read off the async executor.
pub async fn keyring_password(url: &str) -> Result<Option<String>, CliError> {
    let url = url.to_string();
    off_executor(move || secrets::get_password(&url)).await
}

/// How long a keyring call may take: a locked keyring with no desktop session to show its
/// unlock prompt would otherwise wait for ever.
const KEYRING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs a keyring call (it blocks on D-Bus) on the blocking pool, giving up after a while.
async fn off_executor<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, secrets::KeyringError> + Send + 'static,
) -> Result<T, CliError> {
    let unavailable = |why: String| CliError::new(ErrorCode::KeyringUnavailable, why);
    match tokio::time::timeout(KEYRING_TIMEOUT, tokio::task::spawn_blocking(call)).await {
        Ok(Ok(result)) => result.map_err(keyring_error),
        Ok(Err(e)) => Err(unavailable(format!("the keyring task failed: {e}"))),
        Err(_) => Err(keyring_error(secrets::KeyringError(format!(
            "no answer within {} s (is the keyring locked, with no desktop session to unlock it?)",
            KEYRING_TIMEOUT.as_secs()
        )))),
    }
}

/// The device file at `path`, which must exist.
pub fn load(path: &Path) -> Result<DeviceFile, CliError> {
    match DeviceFile::load(path) {
        Ok(Some(file)) => Ok(file),
        Ok(None) => Err(CliError::new(
            ErrorCode::DeviceNotSetUp,
            format!("there is no device file at {}: write one with `tillctl device init` (as root)", path.display()),
        )),
        Err(e) => Err(CliError::new(ErrorCode::DeviceSettingsDamaged, e.to_string())),
    }
}

fn read_password(from_stdin: bool, url: &str) -> Result<String, CliError> {
    let prompt = format!("Database password for {}: ", till_backend::redact(url));
    Ok(crate::read_new_password(from_stdin, &prompt, "--password-stdin")?)
}

fn init(args: InitArgs) -> Result<DeviceFile, CliError> {
    let credentials = match args.credentials.as_str() {
        "keyring" => Credentials::Keyring,
        "certificate" => Credentials::Certificate,
        other => return Err(invalid("credentials", format!("{other:?} must be keyring or certificate"))),
    };
    let policy = UpdatePolicy::parse(&args.update_policy).ok_or_else(|| {
        invalid("update policy", format!("{:?} must be when-idle, manual or off", args.update_policy))
    })?;
    let location = match RegisterRef::parse(&args.register)? {
        RegisterRef::Address { location, .. } => location.to_string(),
        RegisterRef::Id(_) => return Err(invalid("register", "give its address, LOCATION/REGISTER like DT/R1")),
    };
    let file = DeviceFile {
        database: DatabaseSection {
            url: args.url.trim().to_string(),
            credentials,
            allow_insecure_tls: args.allow_insecure_tls,
        },
        register: RegisterSection {
            location,
            register: args.register.trim().to_string(),
            device_name: args.device_name,
        },
        session: SessionSection { idle_logout_minutes: args.idle_logout_minutes },
        updates: UpdatesSection { endpoint: args.update_endpoint, policy },
        backup: till_backend::device_file::BackupSection { folder: args.backup_folder },
        printer: None,
        drawer: None,
        customer_display: None,
    };
    // The same checks the app makes when it reads the file (no password in the URL, TLS, ...).
    file.validate().map_err(|reason| invalid("device file", reason))?;
    Ok(file)
}

/// Every check of `tillctl device check`, one line each. Never fails: a failed check is a line
/// with its fix.
pub async fn check(path: &Path, print_test: bool) -> Vec<SchemaCheck> {
    const INIT: &str = "fix the file, or write it again with `tillctl device init` (as root)";
    let mut checks = Vec::new();
    let file = match DeviceFile::load(path) {
        Ok(Some(file)) => {
            checks.push(SchemaCheck::pass("device file", format!("{} is valid", path.display())));
            file
        }
        Ok(None) => {
            checks.push(SchemaCheck::fail("device file", format!("{} does not exist", path.display()), INIT));
            return checks;
        }
        Err(e) => {
            checks.push(SchemaCheck::fail("device file", e.to_string(), INIT));
            return checks;
        }
    };
    checks.push(permissions::file_owner(path));
    for (key, file_path) in file.referenced_files() {
        checks.push(permissions::referenced(key, &file_path));
    }
    checks.extend(hardware(&file, Hardware { print_test, problems_fail: true }).await);
    match file.tls() {
        Ok(Some(report)) if report.is_weak() => checks.push(SchemaCheck::warn(
            "TLS",
            report.describe(),
            "use sslmode=verify-full with sslrootcert, and remove allow_insecure_tls",
        )),
        Ok(Some(report)) => checks.push(SchemaCheck::pass("TLS", report.describe())),
        Ok(None) => checks.push(SchemaCheck::pass("TLS", "not applicable (SQLite: a file on this computer)")),
        Err(e) => checks.push(SchemaCheck::fail("TLS", e.to_string(), INIT)),
    }
    let url = file.database.url.trim();
    let postgres = till_backend::backend_kind(url).is_ok_and(|k| k == till_core::BackendKind::Postgres);
    let mut password = None;
    if postgres && file.database.credentials == Credentials::Keyring {
        match keyring_password(url).await {
            Ok(Some(found)) => {
                checks.push(SchemaCheck::pass("credentials", "a password for this URL is in this user's keyring"));
                password = Some(found);
            }
            Ok(None) => checks.push(SchemaCheck::fail(
                "credentials",
                "no password for this URL in this user's keyring",
                "as the till's user, run `tillctl device set-password`",
            )),
            Err(e) => checks.push(SchemaCheck::fail("credentials", e.message, "start and unlock the desktop keyring")),
        }
    } else if postgres {
        checks.push(SchemaCheck::pass("credentials", "client certificate (sslcert, sslkey)"));
    }
    // Connects without migrating or verifying: this checks the settings, `doctor` the schema.
    let options = StoreOptions { migrate: false, verify: false, max_connections: 1, ..StoreOptions::default() };
    let store = match till_backend::open_device(&file, password.as_deref(), &options).await {
        Ok(store) => {
            checks
                .push(SchemaCheck::pass("database connection", format!("connected to {}", till_backend::redact(url))));
            store
        }
        Err(e) => {
            checks.push(SchemaCheck::fail(
                "database connection",
                e.to_string(),
                "check the URL, the credentials and the network; then `tillctl doctor`",
            ));
            return checks;
        }
    };
    let register = &file.register.register;
    match RegisterRef::parse(register) {
        Ok(address) => match store.find_register(&address).await {
            Ok(found) => {
                checks.push(SchemaCheck::pass("register", format!("{} \"{}\" exists", found.address, found.name)))
            }
            Err(e) => checks.push(SchemaCheck::fail(
                "register",
                e.to_string(),
                format!(
                    "add it: `tillctl register add --location {} --code ...`, or fix [register] in the file",
                    file.register.location
                ),
            )),
        },
        Err(e) => checks.push(SchemaCheck::fail("register", e.to_string(), INIT)),
    }
    checks
}

#[cfg(unix)]
mod permissions {
    use std::os::unix::fs::MetadataExt;
    use std::path::Path;
    use till_core::SchemaCheck;

    /// The user tillctl runs as (the owner of `/proc/self`, without a libc dependency).
    fn running_as_root() -> bool {
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }

    /// Root-owned, and writable by nobody else: otherwise whoever can write it can move the till
    /// to another database.
    pub fn file_owner(path: &Path) -> SchemaCheck {
        const NAME: &str = "device file owner";
        let fix = format!("chown root:root {0} && chmod 0644 {0}", path.display());
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => return SchemaCheck::fail(NAME, e.to_string(), fix),
        };
        let mode = meta.mode() & 0o777;
        if mode & 0o022 != 0 {
            return SchemaCheck::fail(NAME, format!("mode {mode:04o}: other users can change it"), fix);
        }
        if meta.uid() != 0 {
            let who = if running_as_root() { "" } else { " (tillctl is not running as root)" };
            return SchemaCheck::warn(NAME, format!("owned by uid {}, not root{who}", meta.uid()), fix);
        }
        SchemaCheck::pass(NAME, format!("root, mode {mode:04o}"))
    }

    /// A certificate or key the URL names: it exists and nobody else can replace it; the key is
    /// not readable by everyone (group-readable is how the till's group reads it).
    pub fn referenced(key: &str, path: &Path) -> SchemaCheck {
        let name = format!("{key} file");
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => {
                return SchemaCheck::fail(
                    name,
                    format!("{}: {e}", path.display()),
                    "install the file where the URL says, or fix the URL",
                )
            }
        };
        let mode = meta.mode() & 0o777;
        if mode & 0o022 != 0 {
            return SchemaCheck::fail(
                name,
                format!("{} has mode {mode:04o}: other users can replace it", path.display()),
                format!("chmod go-w {}", path.display()),
            );
        }
        if key == "sslkey" && mode & 0o004 != 0 {
            return SchemaCheck::fail(
                name,
                format!(
                    "{} has mode {mode:04o}: every user of this computer can read the till's private key",
                    path.display()
                ),
                format!("chown root:TILLGROUP {0} && chmod 0640 {0}", path.display()),
            );
        }
        SchemaCheck::pass(name, format!("{} (uid {}, gid {}, mode {mode:04o})", path.display(), meta.uid(), meta.gid()))
    }
}

#[cfg(not(unix))]
mod permissions {
    use std::path::Path;
    use till_core::SchemaCheck;

    pub fn file_owner(path: &Path) -> SchemaCheck {
        SchemaCheck::pass("device file owner", format!("{}: not checked on this system", path.display()))
    }

    pub fn referenced(key: &str, path: &Path) -> SchemaCheck {
        match std::fs::metadata(path) {
            Ok(_) => SchemaCheck::pass(format!("{key} file"), path.display().to_string()),
            Err(e) => SchemaCheck::fail(format!("{key} file"), format!("{}: {e}", path.display()), "install the file"),
        }
    }
}

/// How the hardware is checked: `device check` fails on any problem (and may print a test
/// page); `doctor`, about the database, only warns of them.
pub struct Hardware {
    pub print_test: bool,
    pub problems_fail: bool,
}

/// The printer, drawer and customer display the file sets up: settings Till cannot use, named;
/// the printer's status (DLE EOT), and with `print_test` a test page sent straight to it.
pub async fn hardware(file: &DeviceFile, how: Hardware) -> Vec<SchemaCheck> {
    use till_devices::{link::Link, render, settings::CustomerDisplaySettings};
    const FIX: &str = "fix the section in the device file (see docs/it-provisioning.md, \"Receipt printer\")";
    let problem = |name: &str, detail: String, fix: &str| {
        if how.problems_fail {
            SchemaCheck::fail(name, detail, fix)
        } else {
            SchemaCheck::warn(name, detail, fix)
        }
    };
    let mut checks = Vec::new();
    let printer = match file.printer() {
        None => {
            checks.push(SchemaCheck::pass("printer", "none set up (no [printer] section)"));
            None
        }
        Some(Err(e)) => {
            checks.push(problem("printer", e.to_string(), FIX));
            None
        }
        Some(Ok(settings)) => Some(settings),
    };
    let mut ready = None;
    if let Some(settings) = printer {
        let link = Link::new(settings.clone());
        let at = settings.connection.to_string();
        const POWER: &str = "check that the printer is on, its cable or network, and the [printer] settings";
        match link.status().await {
            Ok(Some(status)) => match status.problem() {
                None if status.paper_near_end => {
                    checks.push(SchemaCheck::warn(
                        "printer",
                        format!("{at}: ready, paper running low"),
                        "load a new roll soon",
                    ));
                    ready = Some(link);
                }
                None => {
                    checks.push(SchemaCheck::pass(
                        "printer",
                        format!("{at}: ready ({} columns, {})", settings.paper.columns(), settings.code_page.name()),
                    ));
                    ready = Some(link);
                }
                Some(trouble) => checks.push(problem(
                    "printer",
                    format!("{at}: {}", trouble.words()),
                    "load paper, close the cover, switch the printer on",
                )),
            },
            Ok(None) => {
                let why = if settings.ask_status {
                    "reports no status through CUPS (`lpstat -p` shows the queue)"
                } else {
                    "status not asked (ask_status = false)"
                };
                checks.push(SchemaCheck::pass("printer", format!("{at}: {why}")));
                ready = Some(link);
            }
            Err(trouble) => checks.push(problem("printer", format!("{at}: {}", trouble.words()), POWER)),
        }
    }
    if how.print_test {
        match ready {
            Some(link) => {
                let settings = link.settings();
                let layout =
                    render::Layout { paper: settings.paper, code_page: settings.code_page, logo: settings.logo };
                let sent = match render::test_page(&layout, &settings.connection.to_string()) {
                    Ok(bytes) => link.send(&bytes).await.map_err(|p| p.words()),
                    Err(e) => Err(e.to_string()),
                };
                checks.push(match sent {
                    Ok(()) => SchemaCheck::pass(
                        "test page",
                        format!("sent to {}: check the letters and the ruler on the paper", settings.connection),
                    ),
                    Err(why) => SchemaCheck::fail(
                        "test page",
                        why,
                        "check the printer, then run `tillctl device check --print-test` again",
                    ),
                });
            }
            None => checks.push(SchemaCheck::fail(
                "test page",
                "not printed: the printer is not ready (see the printer line)",
                "set up [printer] and fix what the printer line says",
            )),
        }
    }
    match file.drawer() {
        None => {}
        Some(Err(e)) => checks.push(problem("drawer", e.to_string(), FIX)),
        Some(Ok(_)) if file.printer.is_none() => checks.push(problem(
            "drawer",
            till_devices::settings::DRAWER_NEEDS_PRINTER.into(),
            "add the [printer] the drawer is plugged into",
        )),
        Some(Ok(drawer)) => checks.push(SchemaCheck::pass(
            "drawer",
            format!(
                "pin {}, {}, on the printer's port{}",
                match drawer.pin {
                    till_devices::settings::DrawerPin::Pin2 => 2,
                    till_devices::settings::DrawerPin::Pin5 => 5,
                },
                drawer.kick_words(),
                if drawer.ask_to_close { "; the register asks to close it before the next sale" } else { "" }
            ),
        )),
    }
    match file.customer_display() {
        None => {}
        Some(Err(e)) => checks.push(problem("customer display", e.to_string(), FIX)),
        Some(Ok(CustomerDisplaySettings::Window)) => {
            checks.push(SchemaCheck::pass("customer display", "a second window"))
        }
        Some(Ok(CustomerDisplaySettings::Pole { device, baud })) => {
            let found = device.exists();
            let detail = format!(
                "pole display on {} at {baud} baud{}",
                device.display(),
                if found {
                    ", driven by the register (each scan, the total, paid and change)"
                } else {
                    ": no such device"
                }
            );
            checks.push(if found {
                SchemaCheck::pass("customer display", detail)
            } else {
                problem("customer display", detail, "plug the display in, or fix customer_display.device")
            });
        }
    }
    checks
}
