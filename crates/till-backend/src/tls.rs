//! The TLS rule for PostgreSQL URLs, checked wherever a URL is opened ([`crate::open_with`]):
//! a server on another computer is reached only with `sslmode=verify-full` or `verify-ca`, so a
//! till never sends its password or its takings to whoever answers on the network. Loopback and
//! Unix sockets never leave the computer and need no TLS. Less is allowed only when the device
//! file says so (`allow_insecure_tls = true`), which only IT (root) can write.
//!
//! Pure: it reads the URL's text only, so it is tested without a server.

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

/// What a URL says about its connection's protection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsReport {
    /// The host as written (a name, an address, or a Unix socket folder).
    pub host: String,
    /// Loopback or a Unix socket: the traffic never leaves this computer.
    pub local: bool,
    pub mode: SslMode,
    /// `sslmode` is written in the URL (else it is sqlx's default, `prefer`).
    pub explicit: bool,
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
        format!("sslmode={} to {} ({place}): {how}", self.mode, self.host)
    }
}

/// Why a URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error(
        "the database server {host} is on another computer and the URL has sslmode={mode}, which does not verify \
         the server: add sslmode=verify-full and sslrootcert=/etc/till/ca.crt (the CA that signed the server's \
         certificate) to the URL. Only on a network you trust may IT set allow_insecure_tls = true in the device file"
    )]
    Unverified { host: String, mode: SslMode },
    #[error("sslmode={0:?} is not a TLS mode: use verify-full (or verify-ca, require, prefer, allow, disable)")]
    UnknownMode(String),
}

/// The TLS rule for `url`. A SQLite URL passes (it names a file). `allow_insecure` is the device
/// file's `allow_insecure_tls`.
pub fn check_url(url: &str, allow_insecure: bool) -> Result<Option<TlsReport>, TlsError> {
    let Some((scheme, rest)) = url.split_once("://") else { return Ok(None) };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "postgres" | "postgresql") {
        return Ok(None);
    }
    let report = inspect(rest)?;
    if report.is_weak() && !allow_insecure {
        return Err(TlsError::Unverified { host: report.host, mode: report.mode });
    }
    Ok(Some(report))
}

/// Reads host and sslmode from what follows `postgres://`. Query parameters win over the
/// authority (`?host=` and `?hostaddr=` as sqlx reads them), and the last `sslmode` wins.
fn inspect(rest: &str) -> Result<TlsReport, TlsError> {
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
    Ok(TlsReport { local: is_local(&host), explicit: mode.is_some(), mode: mode.unwrap_or(SslMode::Prefer), host })
}

/// Loopback names and addresses, and Unix socket folders. An empty host is sqlx's default: a
/// local socket, else localhost.
fn is_local(host: &str) -> bool {
    host.is_empty()
        || host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str, allow: bool) -> Result<Option<SslMode>, TlsError> {
        check_url(url, allow).map(|r| r.map(|r| r.mode))
    }

    #[test]
    fn a_remote_server_needs_a_verified_certificate() {
        for weak in ["", "?sslmode=disable", "?sslmode=prefer", "?sslmode=require", "?sslmode=allow"] {
            let url = format!("postgres://till@db.example.com:5432/till{weak}");
            let refused = check_url(&url, false).expect_err(&url);
            assert!(matches!(refused, TlsError::Unverified { ref host, .. } if host == "db.example.com"), "{url}");
            assert!(refused.to_string().contains("sslmode=verify-full"), "the error says what to do: {refused}");
            assert!(check_url(&url, true).is_ok_and(|r| r.is_some_and(|r| r.is_weak())), "allowed by the device file");
        }
        assert_eq!(mode("postgres://till@10.0.0.5/till?sslmode=verify-full", false), Ok(Some(SslMode::VerifyFull)));
        assert_eq!(
            mode("postgresql://till@db/till?sslmode=VERIFY-CA&sslrootcert=/x", false),
            Ok(Some(SslMode::VerifyCa))
        );
        // The last sslmode wins (as in sqlx): a verified one written first does not hide a weak one.
        assert!(check_url("postgres://u@db/t?sslmode=verify-full&sslmode=disable", false).is_err());
        assert_eq!(
            check_url("postgres://u@db/t?sslmode=verify_full", false),
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
            let report = check_url(url, false).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(report.is_some_and(|r| r.local && !r.is_weak()), "{url}");
        }
        assert_eq!(check_url("sqlite:///var/lib/till/till.db", false), Ok(None));
    }

    #[test]
    fn the_query_host_overrides_the_authority() {
        // sqlx connects to ?host=, so that is the host judged, in both directions.
        assert!(check_url("postgres://u@localhost/db?host=db.example.com", false).is_err());
        assert!(check_url("postgres://u@db.example.com/db?hostaddr=127.0.0.1", false).is_ok());
        assert!(check_url("postgres://u@[2001:db8::1]:5432/db", false).is_err());
        assert!(check_url("postgres://u:p%40ss@db.example.com/db?sslmode=verify-full", false).is_ok());
    }

    #[test]
    fn describes_the_mode_for_doctor() {
        let report = check_url("postgres://u@db/t?sslmode=require", true).ok().flatten();
        let line = report.map(|r| r.describe()).unwrap_or_default();
        assert!(line.contains("sslmode=require") && line.contains("not verified"), "{line}");
    }
}
