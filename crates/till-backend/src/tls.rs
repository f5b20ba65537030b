//! The TLS rule for PostgreSQL URLs, checked wherever a URL is opened ([`crate::open_with`]):
//! a server on another computer is reached only with `sslmode=verify-full` or `verify-ca`, so a
//! till never sends its password or its takings to whoever answers on the network. Loopback and
//! Unix sockets never leave the computer and need no TLS. Less is allowed only when the device
//! file says so (`allow_insecure_tls = true`), which only IT (root) can write.
//!
//! A URL that leaves the host or sslmode out gets them where sqlx does (its `PgConnectOptions`):
//! `PGHOSTADDR`, `PGHOST` and `PGSSLMODE` from the environment, else its defaults (a local socket
//! or localhost; `prefer`). So `postgres:///till` with `PGHOST=db.example.com` is judged as the
//! remote server it connects to, not as a local socket.
//!
//! Pure: it reads the URL's text and the environment it is given ([`check_url_in`]), so it is
//! tested without a server and without changing the process's environment.

use serde::Serialize;
use std::fmt;
use std::net::IpAddr;

/// libpq's `sslmode` values, as sqlx reads them. Without one in the URL sqlx uses `prefer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(text: &str) -> Option<SslMode> {
        Some(match text.to_ascii_lowercase().as_str() {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// The server's certificate is checked against a CA (verify-ca), and its name too
    /// (verify-full). Below that an attacker on the network can read and change everything.
    pub fn verifies_server(&self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where sqlx takes a connection setting from: the URL first, then the environment, then its
/// default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Url,
    /// The environment variable named (`PGHOSTADDR`, `PGHOST`, `PGSSLMODE`).
    Environment(&'static str),
    /// sqlx's default: a local socket, else localhost, for the host; `prefer` for sslmode.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Url => f.write_str("from the URL"),
            Origin::Environment(name) => write!(f, "from the environment variable {name}"),
            Origin::Default => f.write_str("sqlx's default"),
        }
    }
}

/// What a URL, with the environment it is opened in, says about its connection's protection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsReport {
    /// The host as sqlx will use it (a name, an address, or a Unix socket folder); empty for
    /// sqlx's default (a local socket, else localhost).
    pub host: String,
    pub host_origin: Origin,
    /// Loopback or a Unix socket: the traffic never leaves this computer.
    pub local: bool,
    pub mode: SslMode,
    pub mode_origin: Origin,
}

impl TlsReport {
    /// A remote server reached without verifying it (allowed only by the device file).
    pub fn is_weak(&self) -> bool {
        !self.local && !self.mode.verifies_server()
    }

    /// One line for `tillctl doctor`.
    pub fn describe(&self) -> String {
        let how = match self.mode {
            SslMode::VerifyFull => "encrypted; the server's certificate and name are verified",
            SslMode::VerifyCa => "encrypted; the server's certificate is verified, its name is not",
            SslMode::Require => "encrypted, but the server is not verified (anyone in between can pose as it)",
            SslMode::Prefer | SslMode::Allow => "encrypted only if the server offers it, and never verified",
            SslMode::Disable => "not encrypted",
        };
        let place = if self.local { "on this computer" } else { "over the network" };
        let host = match self.host_origin {
            Origin::Default => "a local socket or localhost (sqlx's default)".to_string(),
            Origin::Url => self.host.clone(),
            Origin::Environment(_) => format!("{} ({})", self.host, self.host_origin),
        };
        let mode = match self.mode_origin {
            Origin::Url => String::new(),
            origin => format!(" ({origin})"),
        };
        format!("sslmode={}{mode} to {host} ({place}): {how}", self.mode)
    }
}

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error(
        "the database server {host} ({host_origin}) is on another computer and the connection has \
         sslmode={mode} ({mode_origin}), which does not verify the server: add sslmode=verify-full and \
         sslrootcert=/etc/till/ca.crt (the CA that signed the server's certificate) to the URL. Only on a network \
         you trust may IT set allow_insecure_tls = true in the device file"
    )]
    Unverified { host: String, host_origin: Origin, mode: SslMode, mode_origin: Origin },
    #[error("sslmode={0:?} is not a TLS mode: use verify-full (or verify-ca, require, prefer, allow, disable)")]
    UnknownMode(String),
}

/// The TLS rule for `url`, opened in this process's environment. A SQLite URL passes (it names a
/// file). `allow_insecure` is the device file's `allow_insecure_tls`.
pub fn check_url(url: &str, allow_insecure: bool) -> Result<Option<TlsReport>, TlsError> {
    check_url_in(url, allow_insecure, |name| std::env::var(name).ok())
}

/// [`check_url`] in the environment `env` (a variable's value by name).
pub fn check_url_in(
    url: &str,
    allow_insecure: bool,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<TlsReport>, TlsError> {
    let Some((scheme, rest)) = url.split_once("://") else { return Ok(None) };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "postgres" | "postgresql") {
        return Ok(None);
    }
    let report = inspect(rest, env)?;
    if report.is_weak() && !allow_insecure {
        return Err(TlsError::Unverified {
            host: report.host,
            host_origin: report.host_origin,
            mode: report.mode,
            mode_origin: report.mode_origin,
        });
    }
    Ok(Some(report))
}

/// Reads host and sslmode from what follows `postgres://`, then from `env`, in sqlx 0.8's order
/// (`PgConnectOptions::parse_from_url` over `new_without_pgpass`). Query parameters win over the
/// authority (`?host=` and `?hostaddr=`), and the last `sslmode` wins. An empty host is no host
/// (sqlx's URL parser gives none for `postgres:///db`). An unknown `PGSSLMODE` is ignored, as
/// sqlx ignores it, so the connection is judged at `prefer`; an unknown sslmode in the URL is
/// refused, as sqlx refuses it.
fn inspect(rest: &str, env: impl Fn(&str) -> Option<String>) -> Result<TlsReport, TlsError> {
    let (before_query, query) = rest.split_once('?').map_or((rest, ""), |(b, q)| (b, q));
    let authority = before_query.split('/').next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let mut host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default().to_string()
    } else {
        host_port.split(':').next().unwrap_or_default().to_string()
    };
    let mut mode = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = crate::percent_decoded(value);
        match crate::percent_decoded(key).as_str() {
            "sslmode" | "ssl-mode" => {
                mode = Some(SslMode::parse(&value).ok_or_else(|| TlsError::UnknownMode(value.clone()))?);
            }
            "host" | "hostaddr" => host = value,
            _ => {}
        }
    }
    let host = crate::percent_decoded(&host);
    let from_env = |name: &'static str| env(name).filter(|v| !v.is_empty()).map(|v| (v, Origin::Environment(name)));
    let (host, host_origin) = match host.is_empty() {
        false => (host, Origin::Url),
        true => from_env("PGHOSTADDR").or_else(|| from_env("PGHOST")).unwrap_or((String::new(), Origin::Default)),
    };
    let (mode, mode_origin) = match mode {
        Some(mode) => (mode, Origin::Url),
        None => env("PGSSLMODE")
            .and_then(|v| SslMode::parse(&v))
            .map_or((SslMode::Prefer, Origin::Default), |m| (m, Origin::Environment("PGSSLMODE"))),
    };
    let local = host_origin == Origin::Default || is_local(&host);
    Ok(TlsReport { host, host_origin, local, mode, mode_origin })
}

/// Loopback names and addresses, and Unix socket folders.
fn is_local(host: &str) -> bool {
    host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule with no PG* variables set, whatever the environment the tests run in.
    fn check(url: &str, allow: bool) -> Result<Option<TlsReport>, TlsError> {
        check_url_in(url, allow, |_| None)
    }

    fn mode(url: &str, allow: bool) -> Result<Option<SslMode>, TlsError> {
        check(url, allow).map(|r| r.map(|r| r.mode))
    }

    #[test]
    fn a_remote_server_needs_a_verified_certificate() {
        for weak in ["", "?sslmode=disable", "?sslmode=prefer", "?sslmode=require", "?sslmode=allow"] {
            let url = format!("postgres://till@db.example.com:5432/till{weak}");
            let refused = check(&url, false).expect_err(&url);
            assert!(matches!(refused, TlsError::Unverified { ref host, .. } if host == "db.example.com"), "{url}");
            assert!(refused.to_string().contains("sslmode=verify-full"), "the error says what to do: {refused}");
            assert!(check(&url, true).is_ok_and(|r| r.is_some_and(|r| r.is_weak())), "allowed by the device file");
        }
        assert_eq!(mode("postgres://till@10.0.0.5/till?sslmode=verify-full", false), Ok(Some(SslMode::VerifyFull)));
        assert_eq!(
            mode("postgresql://till@db/till?sslmode=VERIFY-CA&sslrootcert=/x", false),
            Ok(Some(SslMode::VerifyCa))
        );
        // The last sslmode wins (as in sqlx): a verified one written first does not hide a weak one.
        assert!(check("postgres://u@db/t?sslmode=verify-full&sslmode=disable", false).is_err());
        assert_eq!(
            check("postgres://u@db/t?sslmode=verify_full", false),
            Err(TlsError::UnknownMode("verify_full".into()))
        );
    }

    #[test]
    fn loopback_and_sockets_need_no_tls() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgres://u@localhost/db",
            "postgres://u@LOCALHOST:5/db?sslmode=disable",
            "postgres://u@[::1]:5432/db",
            "postgres://u@127.8.9.10/db",
            "postgres:///db",
            "postgres://u@/db?host=/var/run/postgresql",
            "postgres://u@/db?host=%2Fvar%2Frun%2Fpostgresql",
        ] {
            let report = check(url, false).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(report.is_some_and(|r| r.local && !r.is_weak()), "{url}");
        }
        assert_eq!(check("sqlite:///var/lib/till/till.db", false), Ok(None));
    }

    #[test]
    fn the_query_host_overrides_the_authority() {
        // sqlx connects to ?host=, so that is the host judged, in both directions.
        assert!(check("postgres://u@localhost/db?host=db.example.com", false).is_err());
        assert!(check("postgres://u@db.example.com/db?hostaddr=127.0.0.1", false).is_ok());
        assert!(check("postgres://u@[2001:db8::1]:5432/db", false).is_err());
        assert!(check("postgres://u:p%40ss@db.example.com/db?sslmode=verify-full", false).is_ok());
    }

    #[test]
    fn describes_the_mode_for_doctor() {
        let report = check("postgres://u@db/t?sslmode=require", true).ok().flatten();
        let line = report.map(|r| r.describe()).unwrap_or_default();
        assert!(line.contains("sslmode=require") && line.contains("not verified"), "{line}");
    }

    /// An environment holding only `vars`.
    fn env(vars: &[(&'static str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(&str, String)> = vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn a_url_without_a_host_is_judged_at_the_host_sqlx_takes_from_the_environment() {
        // PGHOST names a server on another computer: refused like the same host in the URL.
        let remote = check_url_in("postgres:///till", false, env(&[("PGHOST", "db.example.com")]))
            .expect_err("a remote PGHOST without sslmode");
        assert_eq!(
            remote,
            TlsError::Unverified {
                host: "db.example.com".into(),
                host_origin: Origin::Environment("PGHOST"),
                mode: SslMode::Prefer,
                mode_origin: Origin::Default,
            }
        );
        assert!(check("postgres://db.example.com/till", false).is_err(), "the same host in the URL");
        let said = remote.to_string();
        assert!(
            said.contains("PGHOST") && said.contains("sslmode=verify-full"),
            "where it came from, what to do: {said}"
        );
        // PGHOSTADDR wins over PGHOST in sqlx; an empty host in the query is no host either.
        let addr_first = env(&[("PGHOSTADDR", "10.0.0.5"), ("PGHOST", "/var/run/postgresql")]);
        assert!(check_url_in("postgres:///till", false, addr_first).is_err());
        assert!(check_url_in("postgres:///till?host=", false, env(&[("PGHOST", "db.example.com")])).is_err());
        // PGSSLMODE=verify-full verifies the server; a URL's sslmode wins over PGSSLMODE.
        let verified = env(&[("PGHOST", "db.example.com"), ("PGSSLMODE", "verify-full")]);
        let report = check_url_in("postgres:///till", false, &verified).expect("verify-full from PGSSLMODE");
        assert!(report.is_some_and(|r| r.mode_origin == Origin::Environment("PGSSLMODE") && !r.is_weak()));
        assert!(check_url_in("postgres:///till?sslmode=require", false, &verified).is_err());
        assert!(check_url_in("postgres://u@db.example.com/till", false, env(&[("PGSSLMODE", "disable")])).is_err());
        // sqlx ignores a PGSSLMODE it cannot read and uses prefer.
        let typo = env(&[("PGHOST", "db.example.com"), ("PGSSLMODE", "verify_full")]);
        assert!(matches!(
            check_url_in("postgres:///till", false, typo),
            Err(TlsError::Unverified { mode: SslMode::Prefer, .. })
        ));
        // A socket folder or loopback from PGHOST stays on this computer.
        for local in ["/var/run/postgresql", "localhost", "127.0.0.1"] {
            let report = check_url_in("postgres:///till", false, env(&[("PGHOST", local)]))
                .unwrap_or_else(|e| panic!("{local}: {e}"));
            assert!(report.is_some_and(|r| r.local && r.host == local), "{local}");
        }
        // A host in the URL wins over PGHOST.
        assert!(check_url_in("postgres://localhost/till", false, env(&[("PGHOST", "db.example.com")])).is_ok());
    }

    #[test]
    fn describes_where_the_host_and_mode_came_from() {
        let vars = env(&[("PGHOST", "db.example.com"), ("PGSSLMODE", "verify-full")]);
        let line = check_url_in("postgres:///till", false, vars).ok().flatten().map(|r| r.describe());
        let line = line.unwrap_or_default();
        assert!(line.contains("PGHOST") && line.contains("PGSSLMODE") && line.contains("over the network"), "{line}");
    }
}
