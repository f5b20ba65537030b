//! Test support for Till's contract, race and fault tests (top-level `tests/` and the CLI's
//! process tests). Each test gets its own database: a fresh SQLite file, or a fresh PostgreSQL
//! database on the server named by `TILL_TEST_PG_URL`, dropped when the test ends.
//!
//! PostgreSQL tests never skip: without `TILL_TEST_PG_URL` they fail and say how to run them
//! (`scripts/test` starts a throwaway server itself).

mod pg_template;
pub mod pole;
pub mod printer;
pub mod receipts;
pub mod shop;

use std::sync::Arc;
use till_core::service::{self, LocationInput};
use till_core::{
    Actor, Authenticated, CloseShift, Currency, DeviceName, Money, Register, RequestId, SessionId, StartShift, Store,
    StoreOptions,
};

/// Reads `read` every 10 ms until `done` holds for what it read or `limit` has passed; the last
/// reading either way (the caller's assertion says what was wanted and shows what was seen).
pub async fn poll<T>(limit: std::time::Duration, read: impl Fn() -> T, done: impl Fn(&T) -> bool) -> T {
    let start = tokio::time::Instant::now();
    loop {
        let seen = read();
        if done(&seen) || start.elapsed() > limit {
            return seen;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async contract test against both backends, as two named tests.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await
            }
        }
    )*};
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<TempDir>,
}

#[derive(Debug)]
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn pg_admin_url() -> String {
    std::env::var("TILL_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "TILL_TEST_PG_URL is not set. PostgreSQL tests never skip: run `scripts/test` (it starts a \
             throwaway PostgreSQL), or set TILL_TEST_PG_URL=postgres://USER@HOST:PORT/postgres to a server \
             where that user may create databases"
        )
    })
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let (server, _) = base.rsplit_once('/').unwrap_or((base, ""));
    let server = if server.ends_with('/') || server.ends_with(':') { base } else { server };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

impl TestDatabase {
    /// An empty database: for tests of migrating, of a schema behind, and of faults while a store
    /// migrates. A test of what a migrated store does starts from [`TestDatabase::migrated`].
    pub async fn new(backend: Backend) -> TestDatabase {
        TestDatabase::create(backend, false).await
    }

    /// A database as a first [`TestDatabase::open`] of an empty one leaves it: migrated, with an
    /// identity of its own. On PostgreSQL a copy of a template migrated once per server and
    /// migration set (see `pg_template`); on SQLite an empty file that `open` migrates (not
    /// copied: a whole SQLite contract test, its migration included, takes from 0.12 s of CPU).
    pub async fn migrated(backend: Backend) -> TestDatabase {
        TestDatabase::create(backend, true).await
    }

    async fn create(backend: Backend, migrated: bool) -> TestDatabase {
        let name = format!("till_test_{}", uuid::Uuid::now_v7().simple());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("create a temp dir");
                let url = format!("sqlite://{}", dir.join("till.db").display());
                TestDatabase { backend, url, admin_url: None, name, _dir: Some(TempDir(dir)) }
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                pg_template::create(&admin, &name, migrated).await;
                TestDatabase { backend, url: with_database(&admin, &name), admin_url: Some(admin), name, _dir: None }
            }
        }
    }

    /// Opens a store on this database with the given options.
    pub async fn open_with(&self, options: &StoreOptions) -> Result<Arc<dyn Store>, till_core::StoreError> {
        till_backend::open(&self.url, options).await
    }

    /// Opens (and migrates) a store on this database.
    pub async fn open(&self) -> Arc<dyn Store> {
        self.open_with(&StoreOptions::default()).await.expect("open the store")
    }

    /// This (PostgreSQL) database's URL as another role, a terminal's, with its password.
    pub fn url_as(&self, role: &str, password: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").expect("a URL with a scheme");
        let host_and_path = rest.rsplit_once('@').map_or(rest, |(_, after)| after);
        format!("{scheme}://{role}:{password}@{host_and_path}")
    }

    /// Drops a role a test made (roles belong to the cluster, not to the test's database).
    pub async fn drop_role(&self, role: &str) {
        let name = &self.name;
        self.execute(&format!("DROP OWNED BY {role}; REVOKE ALL ON DATABASE {name} FROM {role}; DROP ROLE {role}"))
            .await;
    }

    /// A UUID as a literal of this database's SQL (SQLite stores UUIDs as 16-byte blobs).
    pub fn uuid(&self, id: uuid::Uuid) -> String {
        match self.backend {
            Backend::Sqlite => format!("x'{}'", id.simple()),
            Backend::Postgres => format!("'{id}'::uuid"),
        }
    }

    /// Runs SQL behind the store's back: for tests that damage a schema or inject faults.
    pub async fn execute(&self, sql: &str) {
        if let Err(e) = self.try_execute(sql).await {
            panic!("run SQL {sql:?}: {e}");
        }
    }

    /// Like [`TestDatabase::execute`], for SQL the database is expected to refuse.
    pub async fn try_execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&self.url).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await.map(drop)
            }
            Backend::Postgres => {
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&self.url).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await.map(drop)
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(admin) = self.admin_url.clone() else { return };
        let name = self.name.clone();
        // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async move {
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
                Ok::<_, sqlx::Error>(())
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
    }
}

/// A provisioned location: DT (America/New_York, 04:00, USD), registers R1..Rn, cashier alice
/// (PIN 1234) logged in on [`CASHIER_DEVICE`] and manager bob (PIN 9999) logged in on
/// [`MANAGER_DEVICE`]. A login acts only from the device it was made on: a test acting as
/// alice from another device logs her in there ([`login`]).
#[derive(Debug, Clone)]
pub struct Fixture {
    pub registers: Vec<Register>,
    pub cashier: Authenticated,
    pub manager: Authenticated,
}

/// The device the fixture's cashier is logged in on.
pub const CASHIER_DEVICE: &str = "pc1";
/// The device the fixture's manager is logged in on.
pub const MANAGER_DEVICE: &str = "manager-pc";

/// Logs `name` in with `pin` on `device` (the login every write from that device carries).
pub async fn login(store: &dyn Store, name: &str, pin: &str, device: &str) -> Authenticated {
    let device = DeviceName::parse(device).expect("a valid device name");
    service::authenticate(store, name, pin, &device).await.expect("log in")
}

pub async fn provision(store: &dyn Store, registers: usize) -> Fixture {
    let location = LocationInput {
        code: "DT",
        name: "Downtown",
        time_zone: Some("America/New_York"),
        cutoff: None,
        currency: Some("USD"),
        locale: Some("en-US"),
        ..Default::default()
    };
    service::add_location(store, location).await.expect("add location");
    let mut made = Vec::new();
    for i in 1..=registers {
        made.push(service::add_register(store, "DT", &format!("R{i}"), None).await.expect("add register"));
    }
    service::add_user(store, "alice", "cashier", "1234").await.expect("add cashier");
    service::add_user(store, "bob", "manager", "9999").await.expect("add manager");
    Fixture {
        registers: made,
        cashier: login(store, "alice", "1234", CASHIER_DEVICE).await,
        manager: login(store, "bob", "9999", MANAGER_DEVICE).await,
    }
}

/// A request for [`till_core::SessionStore::start_shift`] with a fresh request id, by `who`
/// from `device` (the device `who` logged in on): `cash` minor units of USD opening cash
/// (`None`: join only), no notes.
pub fn start(who: &Authenticated, register: till_core::RegisterId, device: &str, cash: Option<i64>) -> StartShift {
    StartShift {
        request_id: RequestId::new(),
        register_id: register,
        login: who.login.clone(),
        opening_cash: cash.map(|minor| Money::cash(minor, Currency::USD).expect("a valid test amount")),
        device: DeviceName::parse(device).expect("a valid device name"),
        notes: None,
    }
}

/// A close by the fixture's manager with a fresh request id, counting `counted` minor units,
/// leaving no float, and signed off by the same manager (so any variance is accepted: tests of
/// the sign-off rule build their own close).
pub fn close(fixture: &Fixture, session: SessionId, counted: i64) -> CloseShift {
    CloseShift {
        request_id: RequestId::new(),
        session,
        actor: Actor::login(&fixture.manager.login),
        counted_cash: Money::cash(counted, Currency::USD).expect("a valid test amount"),
        device: DeviceName::parse(MANAGER_DEVICE).expect("a valid device name"),
        float_left: Money::cash(0, Currency::USD).expect("zero"),
        denominations: Vec::new(),
        sign_off: Some(till_core::SignOff { reason: "test count".into() }),
    }
}

/// A TCP proxy between a store and the PostgreSQL server that injects connection faults: cut
/// every connection now, refuse new ones, cut once the server has sent a number of bytes, or
/// let the next request through and swallow its reply (the server commits; the client never
/// hears). Lives as long as the value; `url` is the database URL to give the store.
#[derive(Debug)]
pub struct FaultProxy {
    pub addr: std::net::SocketAddr,
    state: Arc<ProxyState>,
    accept: tokio::task::JoinHandle<()>,
}

#[derive(Debug, Default)]
struct ProxyState {
    refuse: std::sync::atomic::AtomicBool,
    /// The next reply the server sends on any connection is dropped and that connection cut.
    swallow_next_reply: std::sync::atomic::AtomicBool,
    /// Cut everything once this many server bytes went through in all (`u64::MAX`: never).
    cut_at_server_bytes: std::sync::atomic::AtomicU64,
    server_bytes: std::sync::atomic::AtomicU64,
    cuts: std::sync::atomic::AtomicU64,
    connections: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
}

impl ProxyState {
    fn cut_all(&self) {
        let handles = std::mem::take(&mut *self.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        for handle in handles {
            handle.abort();
        }
        self.cuts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl FaultProxy {
    /// Starts a proxy in front of the host and port of `url` (a `postgres://` URL).
    pub async fn start(url: &str) -> FaultProxy {
        use std::sync::atomic::Ordering::SeqCst;
        let target = server_addr(url);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fault proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let state = Arc::new(ProxyState { cut_at_server_bytes: u64::MAX.into(), ..ProxyState::default() });
        let accept = {
            let state = state.clone();
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    if state.refuse.load(SeqCst) {
                        drop(client);
                        continue;
                    }
                    let (state2, target) = (state.clone(), target.clone());
                    let task = tokio::spawn(async move {
                        let Ok(server) = tokio::net::TcpStream::connect(&target).await else { return };
                        let (mut client_read, mut client_write) = client.into_split();
                        let (mut server_read, mut server_write) = server.into_split();
                        let up = tokio::io::copy(&mut client_read, &mut server_write);
                        let down = async {
                            use tokio::io::{AsyncReadExt, AsyncWriteExt};
                            let mut buf = vec![0u8; 16 * 1024];
                            loop {
                                let n = server_read.read(&mut buf).await?;
                                if n == 0 {
                                    return Ok::<_, std::io::Error>(());
                                }
                                if state2.swallow_next_reply.swap(false, SeqCst) {
                                    // The reply is dropped and the connection cut.
                                    state2.cuts.fetch_add(1, SeqCst);
                                    return Ok(());
                                }
                                let total = state2.server_bytes.fetch_add(n as u64, SeqCst) + n as u64;
                                let limit = state2.cut_at_server_bytes.load(SeqCst);
                                if total >= limit {
                                    state2.cut_at_server_bytes.store(u64::MAX, SeqCst);
                                    // Forward what fits under the limit, then cut everything.
                                    let keep = usize::try_from(limit.saturating_sub(total - n as u64)).unwrap_or(n);
                                    client_write.write_all(&buf[..keep.min(n)]).await?;
                                    state2.cut_all();
                                    return Ok(());
                                }
                                client_write.write_all(&buf[..n]).await?;
                            }
                        };
                        tokio::select! {
                            _ = up => {}
                            _ = down => {}
                        }
                    });
                    let mut connections = state.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    connections.retain(|h| !h.is_finished());
                    connections.push(task.abort_handle());
                }
            })
        };
        FaultProxy { addr, state, accept }
    }

    /// `url` with its host and port replaced by the proxy's.
    pub fn url(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        let credentials = authority.rsplit_once('@').map(|(c, _)| format!("{c}@")).unwrap_or_default();
        format!("{scheme}://{credentials}{}/{path}", self.addr)
    }

    /// Cuts every open connection now.
    pub fn cut_all(&self) {
        self.state.cut_all();
    }

    /// While true, new connections are accepted and closed at once (a server that is down).
    pub fn refuse_connections(&self, refuse: bool) {
        self.state.refuse.store(refuse, std::sync::atomic::Ordering::SeqCst);
    }

    /// The next bytes the server sends (on whichever connection) are dropped and that
    /// connection cut: the request reached the server and ran; its answer is lost.
    pub fn swallow_next_reply(&self) {
        self.state.swallow_next_reply.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Cuts every connection once `bytes` more server bytes went through (counted from now).
    pub fn cut_after_server_bytes(&self, bytes: u64) {
        let now = self.server_bytes();
        self.state.cut_at_server_bytes.store(now.saturating_add(bytes), std::sync::atomic::Ordering::SeqCst);
    }

    /// Clears any armed fault: traffic passes again.
    pub fn heal(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.state.refuse.store(false, SeqCst);
        self.state.swallow_next_reply.store(false, SeqCst);
        self.state.cut_at_server_bytes.store(u64::MAX, SeqCst);
    }

    /// Bytes the server sent through the proxy so far.
    pub fn server_bytes(&self) -> u64 {
        self.state.server_bytes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many faults the proxy injected (cuts and swallowed replies).
    pub fn faults(&self) -> u64 {
        self.state.cuts.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.state.cut_all();
    }
}

/// `host:port` of a `postgres://` URL (port 5432 when absent).
fn server_addr(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.contains(':') {
        host_port.to_string()
    } else {
        format!("{host_port}:5432")
    }
}

/// Reads a QR code Till drew ([`till_core::anchor::qr_svg`]) as a phone's scanner would: the
/// SVG's modules rendered to pixels (4 per module), found and decoded by rqrr.
pub fn scan_qr(svg: &str) -> String {
    const PIXELS: usize = 4;
    let modules = till_core::anchor::qr_modules_from_svg(svg).expect("an SVG QR code as Till draws it");
    let size = modules.len() * PIXELS;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(
            size,
            size,
            |x, y| {
                if modules[y / PIXELS][x / PIXELS] {
                    0
                } else {
                    255
                }
            },
        );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    grids[0].decode().expect("the QR code decodes").1
}
