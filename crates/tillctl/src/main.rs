//! `tillctl`: the command line IT uses to set up and inspect Till. Every command calls the same
//! core operations the desktop app calls; nothing here touches SQL.

mod bench;
mod output;

use clap::{Args, Parser, Subcommand};
use output::Output;
use std::process::ExitCode;
use std::sync::Arc;
use till_core::service::{self, LocationInput};
use till_core::*;

#[derive(Parser)]
#[command(name = "tillctl", version, about = "Set up and inspect Till point-of-sale registers")]
struct Cli {
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB. Default: the desktop app's embedded database.
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
        /// The user's PIN (or set TILL_PIN).
        #[arg(long, env = "TILL_PIN", hide_env_values = true)]
        pin: String,
        /// Cash in the drawer at the start, like 200.00. Ignored when joining.
        #[arg(long, allow_hyphen_values = true)]
        opening_cash: String,
        /// Which device asks (default: tillctl@HOSTNAME).
        #[arg(long)]
        device: Option<String>,
        #[arg(long)]
        notes: Option<String>,
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
        #[arg(long, env = "TILL_PIN", hide_env_values = true)]
        pin: String,
        #[arg(long)]
        device: Option<String>,
    },
    #[command(subcommand)]
    Session(SessionCommand),
    /// Add demo data: location DT, register DT/R1, cashier alice (PIN 1234), manager bob (9999).
    Demo,
    /// Measure start/close throughput and latency against this database (not a test).
    Bench(bench::BenchArgs),
}

#[derive(Subcommand)]
enum LocationCommand {
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// IANA time zone, like America/New_York.
        #[arg(long)]
        timezone: String,
        /// When the business day ends (HH:MM, default 04:00).
        #[arg(long)]
        cutoff: Option<String>,
        /// ISO 4217 code (default USD).
        #[arg(long)]
        currency: Option<String>,
    },
    List,
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
        /// 4 to 8 digits (or set TILL_PIN). Stored only as an argon2id hash.
        #[arg(long, env = "TILL_PIN", hide_env_values = true)]
        pin: String,
    },
    List,
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
            out.error(e.code(), &e.to_string());
            ExitCode::FAILURE
        }
    }
}

fn device(name: Option<&str>) -> Result<DeviceName, TillError> {
    let default = format!("tillctl@{}", gethostname::gethostname().to_string_lossy());
    Ok(DeviceName::parse(name.unwrap_or(&default))?)
}

async fn run(cli: Cli, out: Output) -> Result<ExitCode, TillError> {
    let url = cli.database_url.clone().unwrap_or_else(till_backend::default_database_url);
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
    let shared: Arc<dyn Store> = till_backend::open(&url, &options).await?;
    let store = shared.as_ref();
    match cli.command {
        Command::Migrate { repair_functions } => {
            if repair_functions {
                store.repair_functions().await?;
            }
            let applied = store.migrate().await?;
            out.print(&output::Migrated { database: till_backend::redact(&url), applied, repaired: repair_functions });
        }
        Command::Doctor => {
            let checks = store.check_schema().await;
            let ok = checks.iter().all(|c| c.ok);
            out.print(&output::Doctor { database: till_backend::redact(&url), checks });
            return Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
        Command::Location(LocationCommand::Add { code, name, timezone, cutoff, currency }) => {
            let input = LocationInput {
                code: &code,
                name: &name,
                time_zone: &timezone,
                cutoff: cutoff.as_deref(),
                currency: currency.as_deref(),
            };
            out.print(&service::add_location(store, input).await?);
        }
        Command::Location(LocationCommand::List) => out.print(&store.list_locations().await?),
        Command::Register(RegisterCommand::Add { location, code, name }) => {
            out.print(&service::add_register(store, &location, &code, name.as_deref()).await?);
        }
        Command::Register(RegisterCommand::List { location }) => {
            let location = location.as_deref().map(LocationCode::parse).transpose()?;
            out.print(&store.list_registers(location.as_ref()).await?);
        }
        Command::User(UserCommand::Add { name, role, pin }) => {
            out.print(&service::add_user(store, &name, &role, &pin).await?)
        }
        Command::User(UserCommand::List) => out.print(&store.list_users().await?),
        Command::User(UserCommand::Deactivate { name }) => {
            out.print(&store.set_user_active(&UserName::parse(&name)?, false).await?)
        }
        Command::User(UserCommand::Activate { name }) => {
            out.print(&store.set_user_active(&UserName::parse(&name)?, true).await?)
        }
        Command::StartShift { register, user, pin, opening_cash, device: name, notes } => {
            let register = RegisterRef::parse(&register)?;
            let device = device(name.as_deref())?;
            let user = service::authenticate(store, &user, &pin).await?;
            let started =
                service::start_shift(store, &user, &register, Some(&opening_cash), &device, notes.as_deref()).await?;
            out.print(&started.view());
        }
        Command::CloseShift { session, counted_cash, user, pin, device: name } => {
            let session = SessionRef::parse(&session)?;
            let device = device(name.as_deref())?;
            let manager = service::authenticate(store, &user, &pin).await?;
            let closed = service::close_shift(store, &manager, &session, &counted_cash, &device).await?;
            out.print(&output::SessionOut(closed.view()));
        }
        Command::Session(SessionCommand::Show { session }) => {
            let session = store.find_session(&SessionRef::parse(&session)?).await?;
            out.print(&output::SessionOut(session.view()));
        }
        Command::Session(SessionCommand::List(args)) => {
            let filter = SessionFilter {
                location: args.location.as_deref().map(LocationCode::parse).transpose()?,
                register: args.register.as_deref().map(RegisterRef::parse).transpose()?,
                status: args.status.as_deref().map(output::parse_status).transpose()?,
                limit: Some(args.limit),
            };
            let sessions: Vec<SessionView> = store.list_sessions(&filter).await?.iter().map(Session::view).collect();
            out.print(&sessions);
        }
        Command::Demo => {
            till_backend::seed_demo(store).await?;
            out.print(&output::Demo { users: &till_backend::DEMO_USERS });
        }
        Command::Bench(args) => {
            let report = bench::run(shared.clone(), &url, &args).await?;
            let clean = report.audit.is_clean() && report.errors == 0;
            out.print(&report);
            return Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE });
        }
    }
    Ok(ExitCode::SUCCESS)
}
