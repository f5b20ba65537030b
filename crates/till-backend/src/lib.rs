//! Opens Till's store from a database URL: the backend is chosen once, here, from the scheme,
//! and the TLS rule ([`tls`]) is enforced here for every URL. Shared by `tillctl` and the desktop
//! app so both find the same default database, the same system device file ([`device_file`])
//! and the same keyring entries ([`secrets`]).

pub mod backup;
pub mod device_file;
pub mod secrets;
pub mod tls;

use device_file::{Credentials, DeviceFile};
use std::path::PathBuf;
use std::sync::Arc;
use till_core::service::{self, LocationInput};
use till_core::{BackendKind, Refusal, Role, Store, StoreError, StoreFailure, StoreOptions, TillError};

pub use till_postgres::{receipt_payload, PostgresStore};
pub use till_sqlite::SqliteStore;

/// Where Till keeps its files: `$TILL_DATA_DIR`, else the platform data directory
/// (`~/.local/share/till` on Linux, `%APPDATA%\Till\data` on Windows).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TILL_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "Till")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".till"))
}

/// The embedded database the desktop app and `tillctl` use when no URL is given.
pub fn default_database_url() -> String {
    format!("sqlite://{}", data_dir().join("till.db").display())
}

/// The demo's own database, beside the real one: demo users have published PINs (alice 1234,
/// bob 9999), so they never go into the file real takings and tillctl use by default.
pub fn demo_database_url() -> String {
    format!("sqlite://{}", data_dir().join("till-demo.db").display())
}

/// Which backend a URL names, or an error that says what URLs look like.
pub fn backend_kind(url: &str) -> Result<BackendKind, StoreError> {
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(BackendKind::Sqlite),
        Some("postgres" | "postgresql") => Ok(BackendKind::Postgres),
        _ => Err(StoreFailure::Unavailable(format!(
            "{} is not a database URL Till knows: use sqlite://PATH or postgres://USER@HOST:PORT/DB",
            redact(url)
        ))
        .into()),
    }
}

/// The desktop app's options for `url`: it migrates its own embedded SQLite file, but never a
/// PostgreSQL server. A store's terminals share that server and may run different versions
/// while IT upgrades them one at a time, so IT migrates it (`tillctl migrate`, owner role) and
/// a terminal only checks that it can work with the schema it finds (`schema_behind`,
/// `app_too_old`).
pub fn desktop_options(url: &str) -> StoreOptions {
    StoreOptions { migrate: matches!(backend_kind(url), Ok(BackendKind::Sqlite)), ..StoreOptions::default() }
}

/// Opens the store a URL names. Migrates and verifies the schema unless `options` says not to.
/// A PostgreSQL server on another computer must be reached with a verified certificate
/// (`sslmode=verify-full` or `verify-ca`); see [`tls`].
pub async fn open(url: &str, options: &StoreOptions) -> Result<Arc<dyn Store>, StoreError> {
    open_with(url, options, false).await
}

/// [`open`], with `allow_insecure_tls` from the device file (the only place that may relax the
/// TLS rule).
pub async fn open_with(
    url: &str,
    options: &StoreOptions,
    allow_insecure_tls: bool,
) -> Result<Arc<dyn Store>, StoreError> {
    tls::check_url(url, allow_insecure_tls).map_err(|e| StoreFailure::Misconfigured(e.to_string()))?;
    let store: Arc<dyn Store> = match backend_kind(url)? {
        BackendKind::Sqlite => Arc::new(SqliteStore::open(url, options).await?),
        BackendKind::Postgres => Arc::new(PostgresStore::open(url, options).await?),
    };
    tracing::info!(database = %redact(url), "store opened");
    Ok(store)
}

/// The URL to connect with for a device file: its own URL, plus the password from the keyring
/// when its credentials are `keyring` (PostgreSQL). Never stored or logged.
pub fn device_connect_url(file: &DeviceFile, password: Option<&str>) -> Result<String, StoreError> {
    let url = file.database.url.trim();
    let needs_password =
        backend_kind(url)? == BackendKind::Postgres && file.database.credentials == Credentials::Keyring;
    match password {
        Some(password) if needs_password => secrets::url_with_password(url, password)
            .map_err(|e| StoreFailure::Misconfigured(format!("{} in {}", e, device_file::path().display())).into()),
        None if needs_password => Err(StoreFailure::Misconfigured(format!(
            "no database password for {url} in this user's keyring: as the till's user, run `tillctl device \
             set-password` (the device file {} names keyring credentials)",
            device_file::path().display()
        ))
        .into()),
        _ => Ok(url.to_string()),
    }
}

/// Opens the database a device file names, with its credentials and its TLS allowance.
/// `password`: the keyring's entry for the file's URL (see [`secrets::get_password`]).
pub async fn open_device(
    file: &DeviceFile,
    password: Option<&str>,
    options: &StoreOptions,
) -> Result<Arc<dyn Store>, StoreError> {
    open_with(&device_connect_url(file, password)?, options, file.database.allow_insecure_tls).await
}

/// The URL with any password replaced by `***`, for logs and screens: in the user-info part,
/// and in any query parameter whose name, percent-decoded and in any case, is `password`
/// (libpq and sqlx accept both forms, with or without a `/database` path before the query).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (before_query, query) = rest.split_once('?').map_or((rest, None), |(b, q)| (b, Some(q)));
    let (authority, path) = before_query.split_once('/').map_or((before_query, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{credentials}@{host}"),
        },
        None => authority.to_string(),
    };
    let mut out = format!("{scheme}://{authority}");
    if let Some(path) = path {
        out.push('/');
        out.push_str(path);
    }
    if let Some(query) = query {
        let query: Vec<String> = query
            .split('&')
            .map(|kv| {
                let key = kv.split_once('=').map_or(kv, |(k, _)| k);
                if percent_decoded(key).eq_ignore_ascii_case("password") {
                    format!("{key}=***")
                } else {
                    kv.to_string()
                }
            })
            .collect();
        out.push('?');
        out.push_str(&query.join("&"));
    }
    out
}

/// `%70assword` → `password`; invalid escapes are kept as they are.
pub(crate) fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// True when `url` carries a password anywhere (user-info or query).
pub fn has_password(url: &str) -> bool {
    redact(url) != url
}

/// A user the demo creates, with the PIN shown on the set-up screen.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
pub struct DemoUser {
    pub name: &'static str,
    pub role: Role,
    pub pin: &'static str,
}

pub const DEMO_USERS: [DemoUser; 2] = [
    DemoUser { name: "alice", role: Role::Cashier, pin: "1234" },
    DemoUser { name: "bob", role: Role::Manager, pin: "9999" },
];

/// Provisions demo data: location DT "Downtown" in this computer's time zone, register R1,
/// a cashier and a manager. Running it again is harmless: what exists is kept. Refused on a
/// database that has any other user: published PINs never go where real cash is taken.
pub async fn seed_demo(store: &dyn Store) -> Result<(), TillError> {
    let users = store.list_users().await?;
    if let Some(real) = users.iter().find(|u| !DEMO_USERS.iter().any(|d| d.name == u.name)) {
        return Err(till_core::InputError::Invalid {
            field: "database for demo data",
            reason: format!(
                "this database has real users ({}); demo data, with its published PINs, goes into its own \
                 database: run `tillctl demo` without --database-url or TILL_DATABASE_URL",
                real.name
            ),
        }
        .into());
    }
    let zone = iana_time_zone::get_timezone()
        .ok()
        .filter(|z| till_core::TimeZone::parse(z).is_ok())
        .unwrap_or_else(|| "UTC".to_string());
    let ignore_existing = |r: Result<(), TillError>| match r {
        Err(TillError::Store(StoreError::Refused(Refusal::AlreadyExists { .. }))) => Ok(()),
        other => other,
    };
    ignore_existing(
        service::add_location(
            store,
            LocationInput {
                code: "DT",
                name: "Downtown",
                time_zone: Some(&zone),
                currency: Some("USD"),
                locale: Some("en-US"),
                settings: till_core::SettingsInput {
                    address: Some("100 Main Street, New York, NY 10001"),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await
        .map(drop),
    )?;
    ignore_existing(service::add_register(store, "DT", "R1", Some("Front counter")).await.map(drop))?;
    for user in &DEMO_USERS {
        ignore_existing(service::add_user(store, user.name, user.role.as_str(), user.pin).await.map(drop))?;
    }
    // The catalog: New York's 8.875 % sales tax, untaxed groceries, five quick-key categories
    // and 30 products with UPC-A barcodes, loaded through the CSV import like IT's would be.
    ignore_existing(service::add_tax_rate(store, "DT", "TAX", "NY sales tax", "8.875").await.map(drop))?;
    ignore_existing(service::add_tax_rate(store, "DT", "FOOD", "Groceries (exempt)", "0").await.map(drop))?;
    for (position, (name, colour)) in DEMO_CATEGORIES.iter().enumerate() {
        let position = u16::try_from(position).unwrap_or(u16::MAX);
        ignore_existing(service::add_category(store, "DT", name, position, colour).await.map(drop))?;
    }
    service::import_products(store, "DT", DEMO_CATALOG).await?;
    Ok(())
}

/// The demo's quick-key categories, in order, with their colours.
const DEMO_CATEGORIES: [(&str, &str); 5] = [
    ("Coffee", "#6b4226"),
    ("Bakery", "#b7791f"),
    ("Drinks", "#2b6cb0"),
    ("Snacks", "#c53030"),
    ("Grocery", "#2f855a"),
];

/// The demo's products, in the catalog CSV format (docs/operations.md: catalog CSV).
const DEMO_CATALOG: &str = include_str!("demo-catalog.csv");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://till:s3cret@db:5432/till"), "postgres://till:***@db:5432/till");
        assert_eq!(
            redact("postgres://till@db/till?password=x&sslmode=require"),
            "postgres://till@db/till?password=***&sslmode=require"
        );
        assert_eq!(redact("sqlite:///var/lib/till.db"), "sqlite:///var/lib/till.db");
        // Without a database path, and with a percent-encoded or upper-case key.
        assert_eq!(redact("postgres://u@h?password=x"), "postgres://u@h?password=***");
        assert_eq!(redact("postgres://u@h/db?%70assword=x"), "postgres://u@h/db?%70assword=***");
        assert_eq!(
            redact("postgres://u@h:5432?PASSWORD=x&sslmode=verify-full"),
            "postgres://u@h:5432?PASSWORD=***&sslmode=verify-full"
        );
        assert!(has_password("postgres://u:p@h/db") && !has_password("postgres://u@h/db?sslmode=require"));
    }

    #[test]
    fn picks_the_backend_from_the_scheme() {
        assert_eq!(backend_kind("sqlite://x.db").unwrap(), BackendKind::Sqlite);
        assert_eq!(backend_kind("postgresql://h/db").unwrap(), BackendKind::Postgres);
        assert!(backend_kind("mysql://h/db").is_err());
        assert!(backend_kind("till.db").is_err());
    }
}
