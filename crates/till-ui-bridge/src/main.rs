//! The browser tests' backend: the real application, served to the Node test harness on a
//! loopback port. The harness keeps the webview's IPC mock, and answers every invoke from here:
//! the same command table as the desktop app (`till_app::commands::call`), over a SQLite file in
//! a folder of the test's own. Test-only; never packaged.
//!
//! A few `test_*` controls stage what a test needs, through the same API a till uses: a second
//! till on the same database (`test_other`, as another PC of the store would), the app's clock
//! moved on (`test_advance`), the device set up (`test_set_up`), and a location's setting
//! changed as IT changes it (`test_location`).
//!
//! The protocol: one JSON object per line each way. A request is `{"cmd": "...", "args": {...}}`;
//! an answer is `{"ok": value}` or `{"error": {"code", "message", ...}}`. The first line on
//! standard output is `listening on 127.0.0.1:PORT`.
//!
//! Usage: `till-ui-bridge DIR TEMPLATES` (DIR: an empty folder the bridge may fill; TEMPLATES: a
//! folder the bridges of one test run share, where the first to provision the shop leaves a copy
//! of it for the others, see [`Bridge::provision_shop`]). `test_set_up` may be sent once per
//! bridge: the harness starts one bridge per test.

mod shop;

use chrono::Duration;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use till_app::error::IpcError;
use till_app::secrets::MemorySecrets;
use till_app::settings::{DeviceSettings, SettingsFile};
use till_app::state::{AppConfig, AppState, SetupRequest};
use till_core::clock::system_now;
use till_core::Clock;
use till_testkit::printer::{EmulatedPrinter, Fault};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How far the app's clock is moved on from the real one, in minutes (`test_advance`). The
/// database keeps its own clock: it is the authority on times it stores.
type Offset = Arc<Mutex<Duration>>;

struct Bridge {
    /// The till under test: the one the page drives. Replaced by a fresh one (the app started
    /// again on the same folder) when a test changes its files behind its back.
    main: std::sync::RwLock<Arc<AppState>>,
    /// Another till of the store, on the same database: another PC's shifts, sales and closes.
    other: AppState,
    dir: PathBuf,
    /// The test run's copy of the provisioned shop ([`Bridge::provision_shop`]).
    templates: PathBuf,
    offset: Offset,
    /// The updater's status as the shell would answer it (`test_update` stages one).
    update: Mutex<Value>,
    /// A PostgreSQL database of this bridge's own (`test_postgres`), dropped at `test_quit`.
    postgres: tokio::sync::Mutex<Option<till_testkit::TestDatabase>>,
    /// The receipt printer on loopback that IT's device file points at (`test_manage_by_it`
    /// with `printer`), its faults switched by `test_printer`.
    printer: tokio::sync::Mutex<Option<EmulatedPrinter>>,
}

/// The commit the About line shows under test: the shell's `build_info` reads the build's.
const TEST_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn till(dir: &Path, data: &Path, offset: &Offset) -> AppState {
    let config = AppConfig {
        device_file: dir.join("device.toml"),
        settings: SettingsFile::new(dir.join("device.json")),
        demo_database_url: format!("sqlite://{}", data.join("till-demo.db").display()),
        embedded_database_url: format!("sqlite://{}", data.join("till.db").display()),
    };
    let offset = offset.clone();
    // The app and its SQLite store read one clock, so `test_advance` moves both.
    let clock = Clock::from_fn(move || system_now() + *offset.lock().unwrap_or_else(|e| e.into_inner()));
    AppState::new(config, Arc::new(MemorySecrets::default()), clock)
}

impl Bridge {
    fn new(dir: PathBuf, templates: PathBuf) -> std::io::Result<Bridge> {
        let other_dir = dir.join("other-till");
        std::fs::create_dir_all(&other_dir)?;
        // Two PCs of the store: each its own device name, as their host names would be.
        for (folder, name) in [(&dir, "till-1"), (&other_dir, "till-2")] {
            let settings = DeviceSettings { device_name: name.to_string(), ..DeviceSettings::default() };
            SettingsFile::new(folder.join("device.json")).save(&settings).map_err(std::io::Error::other)?;
        }
        let offset = Offset::default();
        let update = json!({
            "state": "off",
            "current_version": env!("CARGO_PKG_VERSION"),
            "offered_version": null,
            "message": "Updates are off on this device",
        });
        Ok(Bridge {
            main: std::sync::RwLock::new(Arc::new(till(&dir, &dir, &offset))),
            other: till(&other_dir, &dir, &offset),
            dir,
            templates,
            offset,
            update: Mutex::new(update),
            postgres: tokio::sync::Mutex::default(),
            printer: tokio::sync::Mutex::default(),
        })
    }

    /// The shop's embedded database, the one both tills use once set up on it.
    /// Starts the emulated receipt printer (once) and answers its port.
    async fn start_printer(&self) -> u16 {
        let mut printer = self.printer.lock().await;
        if printer.is_none() {
            *printer = Some(EmulatedPrinter::start().await);
        }
        printer.as_ref().map_or(0, EmulatedPrinter::port)
    }

    fn shop_url(&self) -> String {
        format!("sqlite://{}", self.dir.join("till.db").display())
    }

    /// The shop ([`shop::provision`]) in the shop's database, which must not exist yet. The
    /// first bridge of a test run provisions it and backs it up into `templates` as the app
    /// backs up (`VACUUM INTO`, verified); the others copy that backup into place. A test then
    /// starts from the very shop it would have provisioned, without the migrations and the four
    /// argon2 PIN hashes each time (about half a second of CPU per test).
    async fn provision_shop(&self) -> Result<(), IpcError> {
        let database = self.dir.join("till.db");
        if database.exists() {
            return Err(internal("the shop is provisioned once per bridge"));
        }
        let template = self.templates.join("shop.db");
        if template.is_file() {
            // std::fs::copy keeps the backup's owner-only mode: the file holds PIN hashes.
            std::fs::copy(&template, &database).map_err(internal)?;
            return Ok(());
        }
        let store = self.shop_store().await?;
        shop::provision(store.as_ref()).await.map_err(internal)?;
        let backup = till_backend::backup::take_backup(&self.shop_url(), &self.templates, 1, system_now())
            .await
            .map_err(internal)?;
        // Renamed whole, so a bridge never copies a template half-written.
        std::fs::rename(&backup.file, &template).map_err(internal)?;
        Ok(())
    }

    /// A store on the shop's database, opened as the app opens it (migrated), for staging.
    async fn shop_store(&self) -> Result<Arc<dyn till_core::Store>, IpcError> {
        let url = self.shop_url();
        till_backend::open(&url, &till_backend::desktop_options(&url)).await.map_err(internal)
    }

    /// The till under test, as it is now.
    fn main(&self) -> Arc<AppState> {
        self.main.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The till under test started again on its folder: it reads its files anew, as the app
    /// does when it starts.
    fn restart(&self) {
        *self.main.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(till(&self.dir, &self.dir, &self.offset));
    }

    async fn answer(&self, cmd: &str, args: Value) -> Result<Value, IpcError> {
        match cmd {
            "test_set_up" => self.set_up(&args).await,
            "test_other" => {
                let cmd = args["cmd"].as_str().unwrap_or_default().to_string();
                Box::pin(till_app::commands::call(&self.other, &cmd, args["args"].clone())).await
            }
            "test_advance" => {
                let minutes = args["minutes"].as_i64().unwrap_or(0);
                *self.offset.lock().unwrap_or_else(|e| e.into_inner()) += Duration::minutes(minutes);
                Ok(Value::Null)
            }
            // A location's setting changed as IT changes it (`tillctl location set`).
            "test_location" => {
                let store = self.shop_store().await?;
                let code = args["code"].as_str().unwrap_or("DT");
                let settings = till_core::location::SettingsInput {
                    blind_close: args["blind_close"].as_bool(),
                    card_reference_required: args["card_reference_required"].as_bool(),
                    bills: args["bills"].as_str(),
                    coins: args["coins"].as_str(),
                    ..till_core::location::SettingsInput::default()
                };
                let location = till_core::service::set_location(store.as_ref(), code, None, settings).await?;
                serde_json::to_value(location).map_err(internal)
            }
            // The open shifts opened `minutes` earlier and `days` business days before, behind the
            // store's back: only the database's owner can move its clock (a forgotten shift).
            "test_age" => {
                let (minutes, days) = (args["minutes"].as_i64().unwrap_or(0), args["days"].as_i64().unwrap_or(0));
                let mut conn =
                    <sqlx::SqliteConnection as sqlx::Connection>::connect(&self.shop_url()).await.map_err(internal)?;
                sqlx::query(
                    "UPDATE sessions SET \
                       opened_at = strftime('%Y-%m-%dT%H:%M:%fZ', opened_at, printf('-%d minutes', ?1)), \
                       business_day = date(business_day, printf('-%d days', ?2)) \
                     WHERE status = 'open'",
                )
                .bind(minutes)
                .bind(days)
                .execute(&mut conn)
                .await
                .map_err(internal)?;
                Ok(Value::Null)
            }
            // The desktop shell's three commands, as src-tauri answers them (its updater's
            // decisions are unit-tested there): the build, the staged update status, and a
            // manager's "install now" (the PIN checked by the application).
            "build_info" => Ok(json!({ "version": env!("CARGO_PKG_VERSION"), "commit": TEST_COMMIT })),
            "update_status" => Ok(self.update.lock().unwrap_or_else(|e| e.into_inner()).clone()),
            "install_update_now" => {
                let approval = serde_json::from_value(args["approval"].clone()).map_err(internal)?;
                self.main().authorize_manager(approval).await?;
                Ok(self.update.lock().unwrap_or_else(|e| e.into_inner()).clone())
            }
            "test_update" => {
                *self.update.lock().unwrap_or_else(|e| e.into_inner()) = args;
                Ok(Value::Null)
            }
            // A database on the test server with the shop in it: the URL (no password) and a
            // password the set-up screen types.
            // The other till is set up on it (on `register`), for another PC's actions.
            "test_postgres" => {
                let db = till_testkit::TestDatabase::new(till_testkit::Backend::Postgres).await;
                shop::provision(db.open().await.as_ref()).await.map_err(internal)?;
                let url = till_backend::redact(&db.url);
                *self.postgres.lock().await = Some(db);
                let request = json!({ "kind": "postgres", "url": url, "password": "secret" });
                self.other.setup(serde_json::from_value(request).map_err(internal)?, None).await?;
                self.other.choose_register(args["register"].as_str().unwrap_or("DT/R1"), None).await?;
                Ok(json!({ "url": url, "password": "secret" }))
            }
            // IT's system device file for this till (the shop's database, `register`), or an
            // invalid one (`damaged`).
            "test_manage_by_it" => {
                let url = self.shop_url();
                self.provision_shop().await?;
                let register = args["register"].as_str().unwrap_or("DT/R1");
                let file = if args["damaged"].as_bool().unwrap_or(false) {
                    format!("[database]\nurl = {url:?}\ncolour = \"blue\"\n")
                } else {
                    let mut file = format!(
                        "[database]\nurl = {url:?}\n[register]\nlocation = {:?}\nregister = {register:?}\n\
                         device_name = \"till-1\"\n",
                        register.split('/').next().unwrap_or("DT")
                    );
                    if args["printer"].as_bool().unwrap_or(false) {
                        let port = self.start_printer().await;
                        file.push_str(&format!(
                            "[printer]\nconnection = \"network\"\nhost = \"127.0.0.1\"\nport = {port}\ntimeout_ms = 500\n"
                        ));
                    }
                    // The drawer on the printer's port, the screen asking to close it.
                    if args["drawer"].as_bool().unwrap_or(false) {
                        file.push_str("[drawer]\npin = 2\nask_to_close = true\n");
                    }
                    file
                };
                std::fs::write(self.dir.join("device.toml"), file).map_err(internal)?;
                self.restart();
                Ok(Value::Null)
            }
            // The emulated printer's fault: "paper_out", "cover_open" or "none" (working); and
            // its drawer switch (`drawer_open`), when given.
            "test_printer" => {
                let fault = match args["fault"].as_str() {
                    Some("paper_out") => Some(Fault::PaperOut),
                    Some("cover_open") => Some(Fault::CoverOpen),
                    Some("none") => Some(Fault::None),
                    None => None,
                    other => return Err(internal(format!("test_printer: unknown fault {other:?}"))),
                };
                let printer = self.printer.lock().await;
                let printer = printer
                    .as_ref()
                    .ok_or_else(|| internal("test_printer: no printer (test_manage_by_it with printer)"))?;
                if let Some(fault) = fault {
                    printer.set_fault(fault);
                }
                if let Some(open) = args["drawer_open"].as_bool() {
                    printer.set_drawer_open(open);
                }
                Ok(Value::Null)
            }
            // A receipt printer on loopback that no device file names yet (the device screen
            // chooses it): its port.
            "test_start_printer" => Ok(json!({ "port": self.start_printer().await })),
            // What the emulated printer put on paper: its lines, cuts and drawer kicks.
            "test_printed" => {
                let printer = self.printer.lock().await;
                let paper = printer.as_ref().ok_or_else(|| internal("test_printed: no printer"))?.paper();
                Ok(json!({ "lines": paper.lines(), "cuts": paper.cuts(), "kicks": paper.kicks() }))
            }
            "test_quit" => {
                drop(self.postgres.lock().await.take());
                Ok(Value::Null)
            }
            "test_damage_settings" => {
                let file = self.dir.join("device.json");
                std::fs::copy(&file, self.dir.join("device.json.prev")).map_err(internal)?;
                std::fs::write(&file, "{\"device\": {\n  \"register\": \"DT/R1\",\n").map_err(internal)?;
                self.restart();
                Ok(Value::Null)
            }
            _ => till_app::commands::call(&self.main(), cmd, args).await,
        }
    }

    /// Both tills set up on the store's database and a register (`register`, default `DT/R1`
    /// for this one; the other till takes `other_register`, default the same). `demo: true`
    /// uses the demo file (published PINs, "DEMO" on every screen); otherwise the embedded
    /// database, provisioned by IT with the browser tests' shop ([`shop`]).
    async fn set_up(&self, args: &Value) -> Result<Value, IpcError> {
        let demo = args["demo"].as_bool().unwrap_or(false);
        let register = args["register"].as_str().unwrap_or("DT/R1");
        let other_register = args["other_register"].as_str().unwrap_or(register);
        if !demo {
            self.provision_shop().await?;
        }
        let request = || if demo { SetupRequest::Demo } else { SetupRequest::Embedded { new_store: None } };
        let main = self.main();
        for (till, register) in [(main.as_ref(), register), (&self.other, other_register)] {
            till.setup(request(), None).await?;
            till.choose_register(register, None).await?;
        }
        serde_json::to_value(main.status().await?).map_err(internal)
    }
}

fn internal(e: impl std::fmt::Display) -> IpcError {
    till_core::StoreFailure::Internal(e.to_string()).into()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber_init();
    let mut args = std::env::args().skip(1).map(PathBuf::from);
    let (Some(dir), Some(templates)) = (args.next(), args.next()) else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "usage: till-ui-bridge DIR TEMPLATES (an empty folder; the test run's shared folder)",
        ));
    };
    let bridge = Arc::new(Bridge::new(dir, templates)?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (socket, _) = listener.accept().await?;
        let bridge = bridge.clone();
        tokio::spawn(async move {
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let request: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                let cmd = request["cmd"].as_str().unwrap_or_default().to_string();
                let answer = match bridge.answer(&cmd, request["args"].clone()).await {
                    Ok(value) => json!({ "ok": value }),
                    Err(e) => json!({ "error": e }),
                };
                let mut text = answer.to_string();
                text.push('\n');
                if write.write_all(text.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// The app's log on standard error, for a failing test's output (`TILL_LOG`, default warn).
fn tracing_subscriber_init() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("TILL_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
}
