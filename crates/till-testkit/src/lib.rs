//! Test support for Till's contract, race and fault tests (top-level `tests/` and the CLI's
//! process tests). Each test gets its own database: a fresh SQLite file, or a fresh PostgreSQL
//! database on the server named by `TILL_TEST_PG_URL`, dropped when the test ends.
//!
//! PostgreSQL tests never skip: without `TILL_TEST_PG_URL` they fail and say how to run them
//! (`scripts/test` starts a throwaway server itself).

use std::sync::Arc;
use till_core::service::{self, LocationInput};
use till_core::{Register, Store, StoreOptions, User};

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
    pub async fn new(backend: Backend) -> TestDatabase {
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
                let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach TILL_TEST_PG_URL: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create a test database");
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

    /// Runs SQL behind the store's back: for tests that damage a schema or inject faults.
    pub async fn execute(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => {
                let mut conn =
                    <sqlx::SqliteConnection as sqlx::Connection>::connect(&self.url).await.expect("connect to SQLite");
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("run SQL");
            }
            Backend::Postgres => {
                let mut conn =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&self.url).await.expect("connect to PostgreSQL");
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("run SQL");
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
/// (PIN 1234) and manager bob (PIN 9999).
#[derive(Debug, Clone)]
pub struct Fixture {
    pub registers: Vec<Register>,
    pub cashier: User,
    pub manager: User,
}

pub async fn provision(store: &dyn Store, registers: usize) -> Fixture {
    let location =
        LocationInput { code: "DT", name: "Downtown", time_zone: "America/New_York", cutoff: None, currency: None };
    service::add_location(store, location).await.expect("add location");
    let mut made = Vec::new();
    for i in 1..=registers {
        made.push(service::add_register(store, "DT", &format!("R{i}"), None).await.expect("add register"));
    }
    Fixture {
        registers: made,
        cashier: service::add_user(store, "alice", "cashier", "1234").await.expect("add cashier"),
        manager: service::add_user(store, "bob", "manager", "9999").await.expect("add manager"),
    }
}
