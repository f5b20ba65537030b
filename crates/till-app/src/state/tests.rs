//! The device state without a window: a temp data folder, real SQLite databases, a pinned clock.

use super::*;
use crate::settings::tests::TempDir;
use std::sync::Mutex as StdMutex;

use crate::secrets::MemorySecrets;

struct Broken;

impl Secrets for Broken {
    fn get(&self, _: &str) -> Result<Option<String>, IpcError> {
        Err(IpcError::Keyring("org.freedesktop.secrets was not provided by any .service files".into()))
    }
    fn set(&self, _: &str, _: &str) -> Result<(), IpcError> {
        Err(IpcError::Keyring("org.freedesktop.secrets was not provided by any .service files".into()))
    }
}

struct Till {
    dir: TempDir,
    state: AppState,
    clock: Arc<StdMutex<DateTime<Utc>>>,
}

impl Till {
    fn new() -> Till {
        let dir = TempDir::new();
        Till::in_dir(dir, Arc::new(MemorySecrets::default()))
    }

    fn in_dir(dir: TempDir, secrets: Arc<dyn Secrets>) -> Till {
        // A minute ahead of the computer's clock: the database is made (and the journal begins,
        // at the migration's install time, to the second) after this, so a Z at the pinned time
        // is never "before the journal began" when a second ticks over in between.
        let clock = Arc::new(StdMutex::new(till_core::clock::system_now() + chrono::Duration::minutes(1)));
        let config = AppConfig {
            device_file: dir.0.join("device.toml"),
            settings: SettingsFile::new(dir.0.join("device.json")),
            demo_database_url: format!("sqlite://{}", dir.0.join("till-demo.db").display()),
            embedded_database_url: format!("sqlite://{}", dir.0.join("till.db").display()),
        };
        let read = clock.clone();
        let state =
            AppState::new(config, secrets, Clock::from_fn(move || *read.lock().unwrap_or_else(|e| e.into_inner())));
        Till { dir, state, clock }
    }

    /// The same folder after a restart.
    fn restart(self) -> Till {
        Till::in_dir(self.dir, Arc::new(MemorySecrets::default()))
    }

    fn advance(&self, minutes: i64) {
        let mut now = self.clock.lock().unwrap_or_else(|e| e.into_inner());
        *now += chrono::Duration::minutes(minutes);
    }

    /// Demo data on DT/R1.
    async fn demo() -> Till {
        let till = Till::new();
        ok(till.state.setup(SetupRequest::Demo, None).await);
        ok(till.state.choose_register("DT/R1", None).await);
        till
    }

    async fn add_register(&self, code: &str) {
        let store = self.state.device.lock().await.store.clone().unwrap_or_else(|| panic!("no store"));
        ok(service::add_register(store.as_ref(), "DT", code, None).await);
    }

    async fn store(&self) -> Arc<dyn Store> {
        self.state.device.lock().await.store.clone().unwrap_or_else(|| panic!("no store"))
    }
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn code<T>(r: Result<T, IpcError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

fn approval(manager: &str, pin: &str) -> Option<Approval> {
    Some(Approval { manager: manager.into(), pin: Password(pin.into()) })
}

fn new_store(manager: &str, pin: &str) -> SetupRequest {
    SetupRequest::Embedded {
        new_store: Some(Box::new(NewStore {
            location_code: "NY".into(),
            location_name: "New York".into(),
            preset: Some("us-ny".into()),
            time_zone: "America/New_York".into(),
            currency: Some("USD".into()),
            locale: Some("en-US".into()),
            address: Some("1 Broadway, New York, NY 10004".into()),
            tax_number: None,
            register: "R1".into(),
            manager: manager.into(),
            manager_pin: Password(pin.into()),
        })),
    }
}

#[tokio::test]
async fn demo_data_goes_to_its_own_file_and_says_demo() {
    let till = Till::demo().await;
    let status = ok(till.state.status().await);
    assert!(status.demo && status.configured);
    assert!(till.dir.0.join("till-demo.db").exists());
    assert!(!till.dir.0.join("till.db").exists(), "the real database never gets the demo's PINs");
    assert_eq!(status.idle_logout_minutes, 5);
}

#[tokio::test]
async fn a_new_store_gets_its_first_manager_with_a_chosen_pin_and_is_not_demo() {
    let till = Till::new();
    let result = ok(till.state.setup(new_store("olga", "4821"), None).await);
    assert!(result.status.configured && !result.status.demo);
    assert!(result.demo_users.is_empty());
    assert_eq!(result.status.register.map(|r| r.address).as_deref(), Some("NY/R1"));
    assert_eq!(ok(till.state.login("olga", "4821").await).name, "olga");
    assert_eq!(code(till.state.login("bob", "9999").await), "user_not_found", "no demo manager");
}

#[tokio::test]
async fn changing_a_set_up_device_needs_a_manager_pin_from_the_current_database() {
    let till = Till::demo().await;
    till.add_register("R2").await;
    assert_eq!(code(till.state.choose_register("DT/R2", None).await), "approval_needed");
    assert_eq!(code(till.state.choose_register("DT/R2", approval("alice", "1234")).await), "forbidden");
    assert_eq!(code(till.state.choose_register("DT/R2", approval("bob", "1111")).await), "wrong_pin");
    assert_eq!(code(till.state.setup(SetupRequest::Demo, None).await), "approval_needed");
    // A cashier brings a fresh database with their own manager: checked against the current one.
    assert_eq!(
        code(till.state.setup(new_store("mallory", "1111"), approval("mallory", "1111")).await),
        "user_not_found"
    );
    let status = ok(till.state.status().await);
    assert_eq!(status.register.map(|r| r.address).as_deref(), Some("DT/R1"), "nothing changed");
    assert!(!till.dir.0.join("till.db").exists());

    let moved = ok(till.state.choose_register("DT/R2", approval("bob", "9999")).await);
    assert_eq!(moved.register.map(|r| r.address).as_deref(), Some("DT/R2"));
}

#[tokio::test]
async fn a_failed_login_logs_the_previous_user_out() {
    let till = Till::demo().await;
    ok(till.state.login("alice", "1234").await);
    assert_eq!(code(till.state.login("bob", "0000").await), "wrong_pin");
    assert!(ok(till.state.status().await).logged_in.is_none());
    assert_eq!(code(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await), "not_logged_in");
}

#[tokio::test]
async fn an_idle_login_expires_in_the_backend() {
    let till = Till::demo().await;
    ok(till.state.login("alice", "1234").await);
    till.advance(4);
    ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    till.advance(4);
    ok(till.state.current_session().await);
    till.advance(2);
    // Polling does not keep a login alive: 6 minutes since the start.
    let expired = till.state.current_session().await.map(|_| ());
    let Err(e) = expired else { panic!("still logged in") };
    assert_eq!(e.code(), "not_logged_in");
    assert!(e.to_string().contains("5 minutes"), "{e}");
    assert!(ok(till.state.status().await).logged_in.is_none());
}

#[tokio::test]
async fn a_deactivated_user_is_refused_and_logged_out_on_the_next_write() {
    let till = Till::demo().await;
    ok(till.state.login("alice", "1234").await);
    let store = till.store().await;
    ok(store.set_user_active(&ok(till_core::UserName::parse("alice")), false).await);
    assert_eq!(code(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await), "user_inactive");
    assert!(ok(till.state.status().await).logged_in.is_none());
}

#[tokio::test]
async fn start_shift_never_mixes_the_old_login_with_a_new_register() {
    let till = Till::demo().await;
    till.add_register("R2").await;
    for _ in 0..5 {
        ok(till.state.login("alice", "1234").await);
        let (started, _) = tokio::join!(
            till.state.start_shift(RequestId::new(), Some(5_000), None, Vec::new()),
            till.state.choose_register("DT/R2", approval("bob", "9999")),
        );
        if let Ok(started) = started {
            assert_eq!(started.session.register_code, "R1", "alice started on the register she logged in on");
        } else {
            assert_eq!(code(started), "not_logged_in");
        }
        ok(till.state.choose_register("DT/R1", approval("bob", "9999")).await);
    }
    let store = till.store().await;
    let r2 = ok(store.find_register(&ok(RegisterRef::parse("DT/R2"))).await);
    assert!(ok(store.latest_session(r2.id).await).is_none(), "nothing ever started on R2");
}

#[tokio::test]
async fn a_locked_user_is_unlocked_by_a_manager() {
    let till = Till::demo().await;
    for _ in 0..5 {
        let _ = till.state.login("alice", "0000").await;
    }
    assert_eq!(code(till.state.login("alice", "1234").await), "user_locked");
    assert_eq!(
        code(till.state.unlock_user("alice", Approval { manager: "alice".into(), pin: Password("1234".into()) }).await),
        "user_locked"
    );
    ok(till.state.unlock_user("alice", Approval { manager: "bob".into(), pin: Password("9999".into()) }).await);
    ok(till.state.login("alice", "1234").await);
}

#[tokio::test]
async fn a_retried_start_with_the_same_request_id_applies_once() {
    let till = Till::demo().await;
    ok(till.state.login("alice", "1234").await);
    let id = RequestId::new();
    let first = ok(till.state.start_shift(id, Some(10_000), None, Vec::new()).await);
    let again = ok(till.state.start_shift(id, Some(10_000), None, Vec::new()).await);
    assert_eq!(first.session.id, again.session.id);
    assert_eq!(again.session.joins.len(), first.session.joins.len());
}

#[tokio::test]
async fn damaged_settings_need_a_manager_and_are_never_replaced_silently() {
    let till = Till::demo().await;
    till.add_register("R2").await;
    ok(till.state.choose_register("DT/R2", approval("bob", "9999")).await);
    let settings = till.dir.0.join("device.json");
    ok(std::fs::write(&settings, b"{\"device\": {\"database_ki"));
    let till = till.restart();
    till.state.warm_up().await;

    let status = ok(till.state.status().await);
    let damaged = status.settings_damaged.unwrap_or_else(|| panic!("not reported as damaged"));
    assert!(!status.configured);
    assert_eq!(damaged.path, settings.display().to_string());
    assert!(damaged.previous_database.is_some_and(|db| db.ends_with("till-demo.db")));
    assert_eq!(code(till.state.login("alice", "1234").await), "device_settings_damaged");
    assert_eq!(code(till.state.setup(SetupRequest::Demo, None).await), "device_settings_damaged");
    assert_eq!(ok(std::fs::read(&settings)), b"{\"device\": {\"database_ki", "left as it was");

    assert_eq!(code(till.state.repair_settings(None).await), "approval_needed");
    assert_eq!(code(till.state.repair_settings(approval("alice", "1234")).await), "forbidden");
    let repaired = ok(till.state.repair_settings(approval("bob", "9999")).await);
    assert!(repaired.configured && repaired.settings_damaged.is_none());
    assert_eq!(repaired.register.map(|r| r.address).as_deref(), Some("DT/R1"), "the previous good copy");
    ok(till.state.login("alice", "1234").await);
}

#[tokio::test]
async fn damaged_settings_without_a_previous_copy_tell_it_which_file() {
    let till = Till::new();
    ok(std::fs::write(till.dir.0.join("device.json"), b"not json"));
    let status = ok(till.state.status().await);
    let damaged = status.settings_damaged.unwrap_or_else(|| panic!("not reported as damaged"));
    assert!(damaged.previous_path.is_none());
    let Err(e) = till.state.repair_settings(approval("bob", "9999")).await else { panic!("repaired from nothing") };
    assert_eq!(e.code(), "device_settings_damaged");
    assert!(e.to_string().contains("device.json"), "{e}");
}

/// A demo database, then IT's device file naming it (as a provisioned PC would name the store's
/// server), with a device.json beside it that says otherwise.
async fn managed_till(idle_minutes: u32) -> Till {
    let till = Till::demo().await;
    till.add_register("R2").await;
    let url = format!("sqlite://{}", till.dir.0.join("till-demo.db").display());
    let file = format!(
        "[database]\nurl = {url:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R2\"\ndevice_name = \"dt-r2\"\n\
         [session]\nidle_logout_minutes = {idle_minutes}\n"
    );
    ok(std::fs::write(till.dir.0.join("device.toml"), file));
    till.restart()
}

#[tokio::test]
async fn the_system_device_file_sets_the_till_up_and_the_app_cannot_change_it() {
    let till = managed_till(9).await;
    let path = till.dir.0.join("device.toml").display().to_string();
    let status = ok(till.state.status().await);
    assert_eq!(status.managed_by.as_deref(), Some(path.as_str()));
    // The file's settings, not device.json's (which names DT/R1 and the default idle time).
    assert!(status.configured);
    assert_eq!(status.register.map(|r| r.address).as_deref(), Some("DT/R2"));
    assert_eq!((status.device_name.as_str(), status.idle_logout_minutes), ("dt-r2", 9));
    // Nobody changes it from the app, not even a manager with their PIN.
    for refused in [
        till.state.setup(SetupRequest::Demo, approval("bob", "9999")).await.map(drop),
        till.state.setup(new_store("olga", "4821"), None).await.map(drop),
        till.state.choose_register("DT/R1", approval("bob", "9999")).await.map(drop),
        till.state.repair_settings(approval("bob", "9999")).await.map(drop),
        till.state.set_backup_folder(Some(till.dir.0.display().to_string()), approval("bob", "9999")).await.map(drop),
    ] {
        let e = refused.expect_err("a managed till refuses set-up changes");
        assert_eq!(e.code(), "device_managed");
        assert!(e.to_string().contains(&path) && e.to_string().contains("ask IT"), "{e}");
    }
    // The till itself works: log in and start a shift on the file's register.
    ok(till.state.login("alice", "1234").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    assert_eq!(started.session.register_code, "R2");
    assert_eq!(started.session.opening_device, "dt-r2");
    // device.json was left as it was (ignored, not rewritten).
    let saved = ok(till.state.config.settings.load()).map(|s| s.register);
    assert_eq!(saved, Some(Some("DT/R1".to_string())));
}

#[tokio::test]
async fn an_invalid_device_file_is_damage_for_it_never_a_fall_back_to_device_json() {
    let till = managed_till(5).await;
    let path = till.dir.0.join("device.toml");
    ok(std::fs::write(&path, "[database]\nurl = \"sqlite:///x.db\"\ncolour = \"red\"\n"));
    let till = till.restart();
    let status = ok(till.state.status().await);
    assert!(!status.configured);
    assert_eq!(status.managed_by.as_deref(), Some(path.display().to_string().as_str()));
    let damaged = status.settings_damaged.unwrap_or_else(|| panic!("the file is invalid"));
    assert_eq!(damaged.path, path.display().to_string());
    assert!(damaged.reason.contains("line 3") && damaged.reason.contains("colour"), "{}", damaged.reason);
    assert_eq!(damaged.previous_path, None, "no manager restores IT's file");
    assert_eq!(code(till.state.repair_settings(approval("bob", "9999")).await), "device_managed");
    assert_eq!(code(till.state.setup(SetupRequest::Demo, None).await), "device_managed");
    assert_eq!(code(till.state.login("alice", "1234").await), "device_settings_damaged");
    // IT fixes the file: the next look finds it, without a restart.
    let fixed = format!(
        "[database]\nurl = {:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n",
        format!("sqlite://{}", till.dir.0.join("till-demo.db").display())
    );
    ok(std::fs::write(&path, fixed));
    let status = ok(till.state.status().await);
    assert!(status.configured && status.settings_damaged.is_none());
    assert_eq!(ok(till.state.login("alice", "1234").await).name, "alice");
}

#[tokio::test]
async fn a_managed_postgres_till_takes_its_password_from_the_keyring() {
    let dir = TempDir::new();
    // Nothing listens on port 1: getting as far as connecting shows the password was found.
    let url = "postgres://till_dt_r1@127.0.0.1:1/till";
    let file = format!("[database]\nurl = {url:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\n");
    ok(std::fs::write(dir.0.join("device.toml"), file));
    let secrets = Arc::new(MemorySecrets::default());
    let till = Till::in_dir(dir, secrets.clone());
    let missing = till.state.status().await.map(drop).expect_err("no password saved");
    assert_eq!(missing.code(), "database_misconfigured");
    assert!(missing.to_string().contains("tillctl device set-password"), "{missing}");
    ok(secrets.set(url, "s3cret"));
    let till = Till::in_dir(till.dir, secrets);
    assert_eq!(code(till.state.status().await), "database_unavailable");
}

#[tokio::test]
async fn keyring_failures_answer_keyring_unavailable() {
    let dir = TempDir::new();
    let till = Till::in_dir(dir, Arc::new(Broken));
    ok(till.state.config.settings.save(&DeviceSettings {
        database_kind: Some(DatabaseKind::Postgres),
        database_url: Some("postgres://till@127.0.0.1:1/till".into()),
        ..DeviceSettings::default()
    }));
    let till = till.restart_with(Arc::new(Broken));
    assert_eq!(code(till.state.status().await), "keyring_unavailable");
}

impl Till {
    fn restart_with(self, secrets: Arc<dyn Secrets>) -> Till {
        Till::in_dir(self.dir, secrets)
    }
}

#[test]
fn postgres_urls_carry_no_password() {
    assert!(check_postgres_url("postgres://till@db:5432/till").is_ok());
    assert!(check_postgres_url("postgresql://db/till").is_ok());
    for bad in ["postgres://till:pw@db/till", "postgres://till@db/till?password=pw", "sqlite:///x.db", "db/till"] {
        assert_eq!(check_postgres_url(bad).map_err(|e| e.code()), Err("invalid_input"), "{bad}");
    }
}

#[test]
fn setup_requests_parse_and_hide_the_pins_and_passwords() {
    let demo: Result<SetupRequest, _> = serde_json::from_str(r#"{"kind":"demo"}"#);
    assert!(matches!(demo, Ok(SetupRequest::Demo)));
    let pg: Result<SetupRequest, _> =
        serde_json::from_str(r#"{"kind":"postgres","url":"postgres://till@db/till","password":"hunter2"}"#);
    let shown = format!("{pg:?}");
    assert!(shown.contains("Postgres") && !shown.contains("hunter2"), "{shown}");
    let new: Result<SetupRequest, _> = serde_json::from_str(
        r#"{"kind":"embedded","new_store":{"location_code":"NY","location_name":"New York","time_zone":"UTC","currency":null,"register":"R1","manager":"olga","manager_pin":"4821"}}"#,
    );
    let shown = format!("{new:?}");
    assert!(shown.contains("olga") && !shown.contains("4821"), "{shown}");
    let approval: Result<Approval, _> = serde_json::from_str(r#"{"manager":"bob","pin":"9999"}"#);
    let shown = format!("{approval:?}");
    assert!(shown.contains("bob") && !shown.contains("9999"), "{shown}");
}

/// The app works under a store terminal's least-privilege PostgreSQL role, set up by IT's
/// device file with the role's password in the keyring. PIN checks (a wrong one counted, a
/// right one), a shift started and closed with a manager's PIN: every write through Till's
/// functions, none on a table.
#[tokio::test]
async fn the_app_works_under_a_terminal_role() {
    use till_testkit::{provision, Backend, TestDatabase};
    let db = TestDatabase::migrated(Backend::Postgres).await;
    let owner = db.open().await;
    let fixture = provision(owner.as_ref(), 1).await;
    let role =
        ok(till_core::DbRoleName::parse(&format!("till_app_{}", &RequestId::new().0.simple().to_string()[20..])));
    ok(owner.create_terminal_role(&role, Some("terminal pw")).await);
    let binding = till_core::TerminalBinding { registers: vec![fixture.registers[0].id], locations: Vec::new() };
    ok(owner.bind_terminal_role(&role, &binding).await);
    let host = db.url.split_once("://").and_then(|(_, rest)| rest.rsplit_once('@')).map_or("", |(_, host)| host);
    let url = format!("postgres://{}@{host}", role.as_str());
    let dir = TempDir::new();
    let file = format!(
        "[database]\nurl = {url:?}\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\ndevice_name = \"dt-r1\"\n"
    );
    ok(std::fs::write(dir.0.join("device.toml"), file));
    let secrets = Arc::new(MemorySecrets::default());
    ok(secrets.set(&url, "terminal pw"));
    let till = Till::in_dir(dir, secrets);

    let status = ok(till.state.status().await);
    assert!(status.configured, "{status:?}");
    assert_eq!(code(till.state.login("alice", "0000").await), "wrong_pin");
    ok(till.state.login("alice", "1234").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(15_000), None, Vec::new()).await);
    // A sale, and its refund with bob's PIN, which the database checks for this refund only.
    ok(till_core::service::add_tax_rate(owner.as_ref(), "DT", "std", "Standard", "10").await);
    let barcodes = ["4006381333931".to_string()];
    let pen = till_core::service::ProductInput {
        sku: "PEN",
        name: "Pen",
        price: "2.50",
        tax_rate: "std",
        category: None,
        barcodes: &barcodes,
    };
    ok(till_core::service::add_product(owner.as_ref(), "DT", pen).await);
    let sold = ok(till
        .state
        .record_sale(ReceiptId::new(), started.session.id, cash(vec![cart_line(&barcodes[0], 2)], 1000), None)
        .await);
    let request = RefundRequest {
        lines: vec![till_core::service::RefundLineRequest { line: 0, quantity: 1 }],
        tender: till_core::service::RefundTender::Cash,
        reason: till_core::service::RefundReason { kind: till_core::service::RefundReasonKind::Damaged, text: None },
    };
    let wrong = Approval { manager: "bob".into(), pin: Password("0000".into()) };
    assert_eq!(code(till.state.refund(ReceiptId::new(), &sold.number, request.clone(), wrong).await), "wrong_pin");
    let bob = Approval { manager: "bob".into(), pin: Password("9999".into()) };
    let refunded = ok(till.state.refund(ReceiptId::new(), &sold.number, request, bob).await);
    assert_eq!((refunded.cashier.as_str(), refunded.total), ("alice", sold.total / 2));
    let closed = ok(till
        .state
        .close_shift(
            RequestId::new(),
            &started.session.number,
            15_275,
            Approval { manager: "bob".into(), pin: Password("9999".into()) },
            till_core::CloseCount::default(),
        )
        .await);
    assert_eq!(closed.status, till_core::SessionStatus::Closed);
    // The wrong PIN was recorded, through the function, as the role.
    let events = ok(owner.list_auth_events(10).await);
    assert!(events.iter().any(|e| e.kind == till_core::AuthEventKind::PinFailed && e.device == "dt-r1"), "{events:?}");
    drop(till);
    let db_name = db.url.rsplit('/').next().unwrap_or_default().to_string();
    db.execute(&format!("DROP OWNED BY {0}; REVOKE ALL ON DATABASE {db_name} FROM {0}; DROP ROLE {0}", role.as_str()))
        .await;
}

/// What the updater's decision is fed: who is logged in here, and whether the register's session
/// is open (also when opened elsewhere, as tillctl or another terminal would).
#[tokio::test]
async fn activity_tells_the_updater_who_works_and_whether_the_register_is_open() {
    use crate::activity::{Activity, RegisterState};
    async fn activity(till: &Till) -> Activity {
        till.state.activity(&mut *till.state.hold_device().await).await
    }
    let fresh = Till::new();
    assert_eq!(activity(&fresh).await, Activity { logged_in: None, register: RegisterState::NotChosen });

    let till = Till::demo().await;
    assert_eq!(activity(&till).await, Activity { logged_in: None, register: RegisterState::Closed });
    ok(till.state.login("alice", "1234").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    let open = RegisterState::Open { session: started.session.number.clone() };
    assert_eq!(activity(&till).await, Activity { logged_in: Some("alice".into()), register: open.clone() });
    till.state.logout().await;
    assert_eq!(activity(&till).await, Activity { logged_in: None, register: open });
    ok(till.state.login("bob", "9999").await);
    ok(till
        .state
        .close_shift(
            RequestId::new(),
            &started.session.number,
            10_000,
            Approval { manager: "bob".into(), pin: Password("9999".into()) },
            till_core::CloseCount::default(),
        )
        .await);
    till.state.logout().await;
    assert_eq!(activity(&till).await, Activity { logged_in: None, register: RegisterState::Closed });
}

fn cart_line(barcode: &str, quantity: i32) -> SaleLineRequest {
    SaleLineRequest {
        product_id: None,
        sku: None,
        barcode: Some(barcode.into()),
        quantity,
        discount: None,
        price_override: None,
        reason: None,
    }
}

fn cash(lines: Vec<SaleLineRequest>, amount: i64) -> SaleRequest {
    SaleRequest {
        lines,
        receipt_discount: None,
        receipt_discount_reason: None,
        tenders: vec![till_core::Tender::Cash { amount }],
    }
}

/// Alice logged in on the demo's DT/R1 with a shift open; its session id.
async fn selling() -> (Till, SessionId) {
    let till = Till::demo().await;
    ok(till.state.login("alice", "1234").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    (till, started.session.id)
}

/// The manager signing off a count sees what they sign for, and only after the backend checked
/// their PIN: a cashier's PIN or a wrong one gets no figures, and a blind count stays blind.
#[tokio::test]
async fn the_sign_off_figures_are_the_managers_after_their_pin() {
    let (till, session) = selling().await;
    let shown =
        |who: &str, pin: &str| till.state.sign_off_figures(session.0.to_string(), 9_000, approval(who, pin).unwrap());
    assert_eq!(code(shown("bob", "0000").await), "wrong_pin");
    assert_eq!(code(shown("alice", "1234").await), "forbidden", "a cashier's PIN shows nothing");
    let figures = ok(shown("bob", "9999").await);
    assert_eq!((figures.expected_cash, figures.counted_cash, figures.variance), (10_000, 9_000, -1_000));
    assert!(figures.needs_sign_off, "10.00 short is above the demo's limit");
    assert_eq!(figures.manager, "bob");
    // Nothing closed, and alice's login still acts at the till.
    let open = ok(till.state.current_session().await).map(|s| s.status);
    assert_eq!(open, Some(till_core::SessionStatus::Open));
}

#[tokio::test]
async fn a_sale_is_priced_recorded_once_and_refunded_with_a_managers_pin() {
    let (till, session) = selling().await;
    let latte = ok(till.state.find_product(Some("073500000153"), None).await);
    assert_eq!(latte.sku, "COF-LATTE");
    assert_eq!(code(till.state.find_product(Some("000000000000"), None).await), "product_not_found");
    assert_eq!(code(till.state.find_product(Some("073500000153"), Some("COF-LATTE")).await), "invalid_input");
    assert_eq!(ok(till.state.find_product(None, Some("COF-LATTE")).await).id, latte.id);
    let found = ok(till.state.search_products("latte").await);
    assert!(found.iter().any(|p| p.sku == "COF-LATTE"), "{found:?}");
    let keys = ok(till.state.quick_keys().await);
    assert!(keys.iter().all(|k| !k.products.is_empty() && k.products.iter().all(|p| p.active)));
    assert!(keys.iter().any(|k| k.products.iter().any(|p| p.sku == "COF-LATTE")));

    let lines = vec![cart_line("073500000153", 2), cart_line("073500000016", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    assert_eq!(priced.lines.len(), 2);
    let id = ReceiptId::new();
    let paid = priced.cash_total + 1000;
    let receipt = ok(till.state.record_sale(id, session, cash(lines.clone(), paid), None).await);
    assert_eq!(receipt.total, priced.total, "the receipt is what the screen showed");
    assert_eq!(receipt.change, paid - priced.cash_total);
    assert_eq!(receipt.cashier, "alice", "the cashier is the login, never the UI's word");
    // A retry with the same id (a lost answer) records nothing new.
    let again = ok(till.state.record_sale(id, session, cash(lines, paid), None).await);
    assert_eq!(again.number, receipt.number);
    let totals = ok(till.state.session_totals().await).unwrap_or_else(|| panic!("no totals"));
    assert_eq!((totals.sales_count, totals.sales_total), (1, receipt.total));
    assert_eq!(ok(till.state.find_receipt(&receipt.number).await).id, receipt.id);

    let request = RefundRequest {
        lines: vec![till_core::service::RefundLineRequest { line: 0, quantity: 1 }],
        tender: till_core::service::RefundTender::Cash,
        reason: till_core::service::RefundReason { kind: till_core::service::RefundReasonKind::Damaged, text: None },
    };
    let cashier = Approval { manager: "alice".into(), pin: Password("1234".into()) };
    assert_eq!(code(till.state.refund(ReceiptId::new(), &receipt.number, request.clone(), cashier).await), "forbidden");
    let bob = Approval { manager: "bob".into(), pin: Password("9999".into()) };
    let refunded = ok(till.state.refund(ReceiptId::new(), &receipt.number, request.clone(), bob.clone()).await);
    assert_eq!(refunded.refund_of.as_deref(), Some(receipt.number.as_str()));
    assert_eq!(refunded.cashier, "alice");
    let two = RefundRequest { lines: vec![till_core::service::RefundLineRequest { line: 0, quantity: 2 }], ..request };
    assert_eq!(code(till.state.refund(ReceiptId::new(), &receipt.number, two, bob).await), "refund_exceeds_sale");
    let totals = ok(till.state.session_totals().await).unwrap_or_else(|| panic!("no totals"));
    assert_eq!((totals.refunds_count, totals.refunds_total), (1, refunded.total));
}

#[tokio::test]
async fn a_discount_above_the_limit_needs_a_managers_pin() {
    let (till, session) = selling().await;
    let mut line = cart_line("073500000153", 1);
    line.discount = Some(till_core::Discount::Percent { percent: till_core::Ppm(500_000) });
    line.reason = Some(till_core::sales::PriceChangeReason {
        kind: till_core::sales::PriceChangeReasonKind::Damaged,
        text: None,
    });
    let priced = ok(till.state.price_cart(vec![line.clone()], None).await);
    assert!(!priced.approvals.is_empty(), "50 % is above the demo's limit");
    // Asked as the discount is given: the store checks the PIN now (and again with the sale).
    let manager = |name: &str, pin: &str| Approval { manager: name.into(), pin: Password(pin.into()) };
    assert_eq!(ok(till.state.check_approval(manager("bob", "9999")).await), "bob");
    assert_eq!(code(till.state.check_approval(manager("bob", "0000")).await), "wrong_pin");
    assert_eq!(code(till.state.check_approval(manager("alice", "1234")).await), "forbidden");
    let request = cash(vec![line], priced.cash_total);
    assert_eq!(code(till.state.record_sale(ReceiptId::new(), session, request.clone(), None).await), "approval_needed");
    assert_eq!(
        code(till.state.record_sale(ReceiptId::new(), session, request.clone(), approval("bob", "0000")).await),
        "wrong_pin"
    );
    ok(till.state.record_sale(ReceiptId::new(), session, request, approval("bob", "9999")).await);
}

#[tokio::test]
async fn a_sale_into_a_shift_closed_elsewhere_is_refused_then_recorded_once_in_the_next() {
    let (till, old) = selling().await;
    let lines = vec![cart_line("073500000153", 1)];
    let priced = ok(till.state.price_cart(lines.clone(), None).await);
    let closed = ok(till
        .state
        .close_shift(
            RequestId::new(),
            &old.0.to_string(),
            10_000,
            Approval { manager: "bob".into(), pin: Password("9999".into()) },
            till_core::CloseCount::default(),
        )
        .await);
    assert_eq!(closed.status, till_core::SessionStatus::Closed);
    let id = ReceiptId::new();
    let request = cash(lines, priced.cash_total);
    assert_eq!(code(till.state.record_sale(id, old, request.clone(), None).await), "session_closed");
    let started = ok(till.state.start_shift(RequestId::new(), Some(5_000), None, Vec::new()).await);
    let new = started.session.id;
    let receipt = ok(till.state.record_sale(id, new, request.clone(), None).await);
    assert_eq!(ok(till.state.record_sale(id, new, request, None).await).number, receipt.number);
    let totals = ok(till.state.session_totals().await).unwrap_or_else(|| panic!("no totals"));
    assert_eq!((totals.session_id, totals.sales_count), (new, 1));
}

#[tokio::test]
async fn the_sale_commands_need_a_login() {
    let (till, session) = selling().await;
    till.state.logout().await;
    assert_eq!(code(till.state.price_cart(vec![cart_line("073500000153", 1)], None).await), "not_logged_in");
    assert_eq!(code(till.state.record_sale(ReceiptId::new(), session, cash(vec![], 0), None).await), "not_logged_in");
    assert_eq!(code(till.state.search_products("latte").await), "not_logged_in");
    assert_eq!(code(till.state.session_totals().await), "not_logged_in");
}

fn product(sku: &str, name: &str, active: bool) -> Product {
    Product {
        id: till_core::ProductId::new(),
        location_id: till_core::LocationId::new(),
        sku: sku.into(),
        name: name.into(),
        price_minor: 100,
        tax_rate_id: till_core::TaxRateId::new(),
        tax_code: "TAX".into(),
        rate: till_core::Ppm(0),
        category_id: None,
        category: None,
        barcodes: vec![],
        active,
    }
}

#[test]
fn search_finds_names_and_skus_names_starting_with_it_first_and_a_few() {
    let products = vec![
        product("COF-LATTE", "Iced latte", true),
        product("LAT-2", "Latte", true),
        product("OLD", "Latte (old)", false),
        product("TEA", "Tea", true),
    ];
    let names: Vec<String> = search(products.clone(), " LATTE ").into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["Latte", "Iced latte"]);
    assert_eq!(search(products.clone(), "tea").len(), 1);
    assert!(search(products.clone(), "  ").is_empty());
    let many: Vec<Product> = (0..20).map(|i| product(&format!("S{i}"), &format!("Soda {i}"), true)).collect();
    assert_eq!(search(many, "soda").len(), SEARCH_RESULTS);
}

mod customer;
mod printing;
mod reads;
mod refunds;
mod voids;

/// Like [`selling`], on the store's own embedded database (a new store: bob its manager, alice
/// added), not the demo's: the demo is never backed up.
async fn store_selling() -> (Till, SessionId) {
    let till = Till::new();
    ok(till.state.setup(new_store("bob", "9999"), None).await);
    ok(service::add_user(till.store().await.as_ref(), "alice", "cashier", "1234").await);
    ok(till.state.login("alice", "1234").await);
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    (till, started.session.id)
}

/// The demo's PINs are published: its closes never copy it into a backup folder (31 of them
/// would rotate every real copy away), it cannot be given one (refused before any PIN is
/// checked), and a device moved to another database starts without the old one's folder.
#[tokio::test]
async fn the_demo_is_never_backed_up_and_another_database_starts_without_a_folder() {
    let (till, session) = selling().await;
    let folder = till.dir.0.join("usb-stick");
    ok(std::fs::create_dir(&folder));
    let refused = till.state.set_backup_folder(Some(folder.display().to_string()), approval("bob", "9999")).await;
    let e = refused.err().unwrap_or_else(|| panic!("the demo gets no backup folder"));
    assert!(e.code() == "invalid_input" && e.to_string().contains("demo"), "{e}");
    // A folder in its settings all the same (written by hand, or by an older Till) is not used.
    if let Some(Ok(settings)) = &mut till.state.device.lock().await.settings {
        settings.backup_folder = Some(folder.display().to_string());
    }
    let bob = || Approval { manager: "bob".into(), pin: Password("9999".into()) };
    ok(till.state.close_shift(RequestId::new(), &session.0.to_string(), 10_000, bob(), Default::default()).await);
    assert!(ok(till.state.last_backup().await).is_none(), "no backup of the demo");
    assert_eq!(ok(std::fs::read_dir(&folder)).count(), 0, "nothing copied");
    // Moved to the store's own database: the demo's folder does not come along.
    let moved = ok(till.state.setup(new_store("olga", "4821"), approval("bob", "9999")).await);
    assert_eq!(moved.status.backup_folder, None);
    assert_eq!(ok(till.state.config.settings.load()).and_then(|s| s.backup_folder), None);
}

/// The app backs up its embedded database after every close, to the device's backup folder. A
/// missing folder (the USB drive not plugged in) never blocks or undoes the close: the close's
/// result says what is wrong; with the folder there, a verified copy lands in it.
#[tokio::test]
async fn the_backup_after_a_close_never_blocks_it() {
    let (till, session) = store_selling().await;
    let folder = till.dir.0.join("usb-stick");
    if let Some(Ok(settings)) = &mut till.state.device.lock().await.settings {
        settings.backup_folder = Some(folder.display().to_string());
    }
    let bob = || Approval { manager: "bob".into(), pin: Password("9999".into()) };
    let count = till_core::CloseCount::default;
    let closed = ok(till.state.close_shift(RequestId::new(), &session.0.to_string(), 10_000, bob(), count()).await);
    assert_eq!(closed.status, till_core::SessionStatus::Closed, "the close is done");
    let missed = ok(till.state.last_backup().await).unwrap_or_else(|| panic!("no backup outcome"));
    assert_eq!((missed.session.as_str(), missed.file.as_deref()), (closed.number.as_str(), None));
    let problem = missed.problem.unwrap_or_default();
    assert!(problem.contains("usb-stick"), "names the folder: {problem}");
    assert!(!folder.exists(), "the missing folder is never created");

    ok(std::fs::create_dir(&folder));
    let started = ok(till.state.start_shift(RequestId::new(), Some(10_000), None, Vec::new()).await);
    let next = started.session.id.0.to_string();
    let closed = ok(till.state.close_shift(RequestId::new(), &next, 10_000, bob(), count()).await);
    let taken = ok(till.state.last_backup().await).unwrap_or_else(|| panic!("no backup outcome"));
    assert_eq!((taken.session.as_str(), taken.problem.as_deref()), (closed.number.as_str(), None));
    let file = std::path::PathBuf::from(taken.file.unwrap_or_default());
    assert_eq!(file.parent(), Some(folder.as_path()));
    let copies: Vec<_> = ok(std::fs::read_dir(&folder)).filter_map(Result::ok).collect();
    assert_eq!(copies.len(), 1, "one verified copy: {copies:?}");
}

/// A manager sets the backup folder from the app (it was the device file's only). A cashier's
/// PIN, a relative path, a missing folder or a read-only one are refused and save nothing; the
/// folder set is kept across a restart and used by the next close; empty turns backups off.
#[tokio::test]
async fn a_manager_sets_the_backup_folder_and_a_bad_one_saves_nothing() {
    let (till, session) = store_selling().await;
    let folder = till.dir.0.join("usb-stick");
    let given = || Some(folder.display().to_string());
    let settings = till.state.config.settings.clone();
    let saved = || ok(settings.load()).and_then(|s| s.backup_folder);
    assert_eq!(code(till.state.set_backup_folder(given(), None).await), "approval_needed", "a manager approves");
    assert_eq!(code(till.state.set_backup_folder(given(), approval("alice", "1234")).await), "forbidden");
    let missing = till.state.set_backup_folder(given(), approval("bob", "9999")).await;
    let e = missing.err().unwrap_or_else(|| panic!("a missing folder is refused"));
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().contains("usb-stick") && e.to_string().contains("plug in the backup drive"), "{e}");
    let relative = till.state.set_backup_folder(Some("usb-stick".into()), approval("bob", "9999")).await;
    assert!(relative.err().is_some_and(|e| e.to_string().contains("full path")));
    assert_eq!(saved(), None, "nothing saved");

    ok(std::fs::create_dir(&folder));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        ok(std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o500)));
        // root writes anywhere: the read-only refusal is only observable as another user.
        if std::fs::write(folder.join("probe"), b"").is_err() {
            let e = till.state.set_backup_folder(given(), approval("bob", "9999")).await.err();
            assert!(
                e.is_some_and(|e| e.to_string().contains("cannot write a file in")),
                "a read-only folder is refused"
            );
            assert_eq!(saved(), None);
        } else {
            ok(std::fs::remove_file(folder.join("probe")));
        }
        ok(std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)));
    }
    let status = ok(till.state.set_backup_folder(given(), approval("bob", "9999")).await);
    assert_eq!(status.backup_folder, given());
    assert_eq!(saved(), given(), "saved in device.json");
    let entries: Vec<_> = ok(std::fs::read_dir(&folder)).collect();
    assert!(entries.is_empty(), "the probe is gone: {entries:?}");

    let till = till.restart();
    ok(till.state.login("alice", "1234").await);
    let bob = Approval { manager: "bob".into(), pin: Password("9999".into()) };
    let closed =
        ok(till.state.close_shift(RequestId::new(), &session.0.to_string(), 10_000, bob, Default::default()).await);
    let taken = ok(till.state.last_backup().await).unwrap_or_else(|| panic!("no backup after the close"));
    assert_eq!((taken.session.as_str(), taken.problem.as_deref()), (closed.number.as_str(), None));

    let off = ok(till.state.set_backup_folder(Some("  ".into()), approval("bob", "9999")).await);
    assert_eq!((off.backup_folder, saved()), (None, None), "empty turns the backup off");
}

/// The command table answers every name it lists (with no arguments, a command that needs some
/// is refused for them, never as unknown), and refuses a name it does not list.
#[tokio::test]
async fn the_command_table_answers_every_name_it_lists() {
    let till = Till::demo().await;
    for name in crate::commands::COMMANDS.iter().filter(|c| crate::commands::serves(c)) {
        if let Err(e) = crate::commands::call(&till.state, name, serde_json::Value::Null).await {
            assert!(!e.to_string().contains("is not a command"), "{name}: {e}");
        }
    }
    let unknown = crate::commands::call(&till.state, "drop_database", serde_json::json!({})).await;
    assert_eq!(code(unknown), "invalid_input");
    // Arguments arrive camelCased, as Tauri's commands take them.
    let status = ok(crate::commands::call(&till.state, "device_status", serde_json::json!({})).await);
    assert_eq!(status["register"]["address"], "DT/R1", "{status}");
    let user =
        ok(crate::commands::call(&till.state, "login", serde_json::json!({"user": "alice", "pin": "1234"})).await);
    assert_eq!(user["name"], "alice");
    // Money crosses in one form, integer minor units, both ways: a decimal string is refused.
    let typed = crate::commands::call(
        &till.state,
        "start_shift",
        serde_json::json!({"requestId": RequestId::new(), "openingCash": "100.00"}),
    )
    .await;
    assert_eq!(code(typed), "invalid_input");
    let started = crate::commands::call(
        &till.state,
        "start_shift",
        serde_json::json!({"requestId": RequestId::new(), "openingCash": 10_000}),
    )
    .await;
    assert_eq!(ok(started)["session"]["opening_cash"], 10_000);
}
