//! Provisioned store PCs against a real PostgreSQL server with TLS, started by each test with
//! certificates made at test time (`openssl`): verify-full with the right CA connects and a wrong
//! CA is refused; a client certificate logs in and its absence does not; a password saved by
//! `tillctl device set-password` in a real Secret Service keyring (gnome-keyring under
//! `dbus-run-session`) opens the device file's database, and without it the error names the
//! command. Missing PostgreSQL binaries, openssl or the keyring tools fail the tests, loudly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use till_core::{StoreOptions, TillError};

const PASSWORD: &str = "pw-s3cret with spaces & symbols";

/// A throwaway PostgreSQL cluster with `ssl = on`, stopped and removed on drop.
struct TlsCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

fn run(command: &mut Command) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// initdb refuses to run as root: the server then runs as `postgres`, and owns its files.
fn as_server_owner(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn chown_to_server(path: &Path) {
    if is_root() {
        run(Command::new("chown").args(["-R", "postgres"]).arg(path));
    }
}

fn pg_bin() -> PathBuf {
    let found = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .find(|bin| bin.join("initdb").exists());
    found.unwrap_or_else(|| {
        panic!("PostgreSQL server binaries are missing (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql")
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `openssl req`/`x509` as a CA would: a key and a certificate signed by `ca` (self-signed when
/// `None`) with the given extensions.
fn certificate(dir: &Path, name: &str, subject: &str, ca: Option<&str>, extensions: &str) {
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.crt"));
    let ext = dir.join(format!("{name}.ext"));
    std::fs::write(&ext, extensions).unwrap();
    let mut req = Command::new("openssl");
    req.args(["req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-subj", subject])
        .arg("-keyout")
        .arg(&key);
    match ca {
        None => {
            run(req
                .args([
                    "-x509",
                    "-days",
                    "2",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                ])
                .arg("-out")
                .arg(&cert));
        }
        Some(ca) => {
            let csr = dir.join(format!("{name}.csr"));
            run(req.arg("-out").arg(&csr));
            run(Command::new("openssl")
                .args(["x509", "-req", "-days", "2", "-set_serial", &format!("{}", free_port())])
                .arg("-in")
                .arg(&csr)
                .arg("-CA")
                .arg(dir.join(format!("{ca}.crt")))
                .arg("-CAkey")
                .arg(dir.join(format!("{ca}.key")))
                .arg("-extfile")
                .arg(&ext)
                .arg("-out")
                .arg(&cert));
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

impl TlsCluster {
    /// A CA, a server certificate for 127.0.0.1 and localhost, a client certificate for the role
    /// `till_cert`, another CA that signed nothing here, and a cluster that accepts only TLS on
    /// TCP: `till_cert` by certificate, `till_pw` by password (scram), `postgres` by trust
    /// (set-up only).
    fn start() -> TlsCluster {
        let bin = pg_bin();
        let dir = std::env::temp_dir().join(format!("till-tls-{}", uuid::Uuid::now_v7().simple()));
        let certs = dir.join("certs");
        std::fs::create_dir_all(&certs).unwrap();
        certificate(&certs, "ca", "/CN=Till Test CA", None, "");
        certificate(&certs, "other-ca", "/CN=Somebody Else's CA", None, "");
        certificate(
            &certs,
            "server",
            "/CN=localhost",
            Some("ca"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        );
        certificate(
            &certs,
            "client",
            "/CN=till_cert",
            Some("ca"),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
        );
        // What IT installs: certificates readable by all, the client key by the till's group only.
        for file in ["ca.crt", "other-ca.crt", "client.crt"] {
            set_mode(&certs.join(file), 0o644);
        }
        set_mode(&certs.join("client.key"), 0o640);
        // The server's own copies: owned by the server's user, key 0600 (PostgreSQL refuses more).
        let server = dir.join("server");
        std::fs::create_dir_all(&server).unwrap();
        for file in ["server.crt", "server.key", "ca.crt"] {
            std::fs::copy(certs.join(file), server.join(file)).unwrap();
        }
        set_mode(&server.join("server.key"), 0o600);
        set_mode(&dir, 0o755);
        chown_to_server(&server);
        if is_root() {
            run(Command::new("chown").arg("postgres").arg(&dir));
        }
        let data = dir.join("data");
        run(as_server_owner(&bin.join("initdb")).arg("-D").arg(&data).args(["-A", "trust", "-U", "postgres"]));
        let hba = "local all all trust\n\
                   hostssl all till_cert 127.0.0.1/32 cert\n\
                   hostssl all till_pw 127.0.0.1/32 scram-sha-256\n\
                   hostssl all postgres 127.0.0.1/32 trust\n";
        std::fs::write(data.join("pg_hba.conf"), hba).unwrap();
        chown_to_server(&data.join("pg_hba.conf"));
        let port = free_port();
        let options = format!(
            "-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={s}/server.crt \
             -c ssl_key_file={s}/server.key -c ssl_ca_file={s}/ca.crt -c password_encryption=scram-sha-256",
            dir = dir.display(),
            s = server.display()
        );
        run(as_server_owner(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "start", "-o", &options]));
        TlsCluster { dir, bin, port }
    }

    /// IT's folder for the device file: beside the cluster's folder, not in it. The cluster's
    /// folder belongs to the server's user (as root), and a device file is refused where a user
    /// other than root or the till's can replace it.
    fn etc(&self) -> PathBuf {
        let mut name = self.dir.file_name().unwrap().to_os_string();
        name.push("-etc");
        self.dir.with_file_name(name)
    }

    fn cert(&self, name: &str) -> String {
        self.dir.join("certs").join(name).display().to_string()
    }

    /// The superuser over the Unix socket (no TLS there): for set-up only.
    fn socket_url(&self) -> String {
        format!("postgres://postgres@localhost/postgres?host={}&port={}", self.dir.display(), self.port)
    }

    fn tcp_url(&self, user: &str, query: &str) -> String {
        format!("postgres://{user}@127.0.0.1:{}/postgres?{query}", self.port)
    }

    /// Migrates, provisions DT/R1, and adds the two terminal roles. They are superusers here:
    /// this test is about how they connect, not about their privileges (the terminal role's
    /// privileges are tested with `db create-terminal-role`).
    async fn provision(&self) {
        let store = till_backend::open(&self.socket_url(), &StoreOptions::default()).await.unwrap();
        till_testkit::provision(store.as_ref(), 1).await;
        use sqlx::Connection as _;
        let mut conn = sqlx::PgConnection::connect(&self.socket_url()).await.unwrap();
        for sql in [
            "CREATE ROLE till_cert LOGIN SUPERUSER".to_string(),
            format!("CREATE ROLE till_pw LOGIN SUPERUSER PASSWORD '{}'", PASSWORD.replace('\'', "''")),
        ] {
            sqlx::query(&sql).execute(&mut conn).await.unwrap();
        }
    }
}

impl Drop for TlsCluster {
    fn drop(&mut self) {
        let _ = as_server_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_dir_all(self.etc());
    }
}

async fn open(url: &str) -> Result<(), TillError> {
    let options = StoreOptions { migrate: false, ..StoreOptions::default() };
    till_backend::open(url, &options).await.map(drop).map_err(TillError::from)
}

fn tillctl(args: &[&str], env: &[(&str, &str)]) -> (bool, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .arg("--json")
        .args(args)
        .env_remove("TILL_DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("tillctl printed no JSON ({e}): {out:?}"));
    (out.status.success(), json)
}

pub(crate) fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} line: {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_the_right_ca_connects_and_a_wrong_ca_is_refused() {
    let cluster = TlsCluster::start();
    cluster.provision().await;
    let client = format!("sslcert={}&sslkey={}", cluster.cert("client.crt"), cluster.cert("client.key"));
    // The right CA: the server's certificate and its name (127.0.0.1, in its SAN) check out.
    for mode in ["verify-full", "verify-ca"] {
        let url =
            cluster.tcp_url("till_cert", &format!("sslmode={mode}&sslrootcert={}&{client}", cluster.cert("ca.crt")));
        open(&url).await.unwrap_or_else(|e| panic!("{mode}: {e}"));
    }
    let by_name = format!(
        "postgres://till_cert@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}&{client}",
        cluster.port,
        cluster.cert("ca.crt")
    );
    open(&by_name).await.unwrap();
    // Another CA: refused before any credentials are sent.
    let wrong = cluster
        .tcp_url("till_cert", &format!("sslmode=verify-full&sslrootcert={}&{client}", cluster.cert("other-ca.crt")));
    let refused = open(&wrong).await.expect_err("a server whose certificate another CA signed must be refused");
    assert_eq!(refused.code(), "database_unavailable", "{refused}");
    assert!(refused.to_string().to_lowercase().contains("certificate"), "{refused}");
    // No TLS at all: the server takes only TLS on TCP (hostssl), and loopback is not an excuse.
    let plain = cluster.tcp_url("postgres", "sslmode=disable");
    assert_eq!(open(&plain).await.expect_err("hostssl only").code(), "database_misconfigured");
    // The same URL to a server on another computer is refused by Till before connecting.
    let remote = plain.replace("127.0.0.1", "db.store.invalid");
    let refused = open(&remote).await.expect_err("remote without verify-full");
    assert_eq!(refused.code(), "database_misconfigured");
    assert!(refused.to_string().contains("sslmode=verify-full"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_logs_the_terminal_in_and_its_absence_does_not() {
    let cluster = TlsCluster::start();
    cluster.provision().await;
    let tls = format!("sslmode=verify-full&sslrootcert={}", cluster.cert("ca.crt"));
    let with_cert = cluster.tcp_url(
        "till_cert",
        &format!("{tls}&sslcert={}&sslkey={}", cluster.cert("client.crt"), cluster.cert("client.key")),
    );
    open(&with_cert).await.unwrap();
    let without = cluster.tcp_url("till_cert", &tls);
    let refused = open(&without).await.expect_err("cert auth without a certificate");
    assert_eq!(refused.code(), "database_misconfigured", "{refused}");
    // Another user's name with this certificate: the server maps the certificate's CN, not the URL.
    let other_user = with_cert.replace("till_cert@", "till_pw@");
    assert_eq!(open(&other_user).await.expect_err("CN is till_cert").code(), "database_misconfigured");

    // The same as IT sets a terminal up: device init, device check, doctor through the file.
    let dir = cluster.etc();
    let file = dir.join("device.toml").display().to_string();
    let (ok, written) = tillctl(
        &[
            "device",
            "init",
            "--url",
            &with_cert,
            "--register",
            "DT/R1",
            "--credentials",
            "certificate",
            "--file",
            &file,
        ],
        &[],
    );
    assert!(ok, "{written}");
    let (ok, report) = tillctl(&["device", "check", "--file", &file], &[]);
    assert!(ok, "{report}");
    for line in [
        "device file",
        "sslrootcert file",
        "sslcert file",
        "sslkey file",
        "credentials",
        "database connection",
        "register",
    ] {
        assert_eq!(check(&report, line)["ok"], true, "{line}: {report}");
    }
    assert!(check(&report, "TLS")["detail"].as_str().unwrap().contains("sslmode=verify-full"), "{report}");
    // A private key every user can read is refused.
    set_mode(Path::new(&cluster.cert("client.key")), 0o644);
    let (ok, report) = tillctl(&["device", "check", "--file", &file], &[]);
    assert!(!ok);
    assert_eq!(check(&report, "sslkey file")["ok"], false, "{report}");
    set_mode(Path::new(&cluster.cert("client.key")), 0o640);
    // doctor with no --database-url uses the device file (debug builds read TILL_DEVICE_FILE).
    let (ok, report) = tillctl(&["doctor"], &[("TILL_DEVICE_FILE", &file)]);
    assert!(ok, "{report}");
    assert!(report["source"].as_str().unwrap().contains(&file), "{report}");
    let tls_line = check(&report, "TLS");
    assert!(tls_line["detail"].as_str().unwrap().contains("verify-full") && tls_line["warning"] == false, "{report}");
    let clock = check(&report, "clock offset");
    assert_eq!((clock["ok"].clone(), clock["warning"].clone()), (true.into(), false.into()), "{report}");
    assert!(clock["detail"].as_str().unwrap().contains("database server"), "{report}");
    // The register in the file must exist.
    let (ok, _) = tillctl(
        &[
            "device",
            "init",
            "--url",
            &with_cert,
            "--register",
            "DT/R9",
            "--credentials",
            "certificate",
            "--file",
            &file,
        ],
        &[],
    );
    assert!(ok);
    let (ok, report) = tillctl(&["device", "check", "--file", &file], &[]);
    assert!(!ok);
    assert_eq!(check(&report, "register")["ok"], false, "{report}");
}

/// Runs `script` (sh) in a private D-Bus session with an unlocked gnome-keyring (a Secret
/// Service, as a desktop login provides), with tillctl as `$TILLCTL`.
fn in_keyring_session(home: &Path, script: &str, env: &[(&str, &str)]) -> Output {
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        let found = std::env::var_os("PATH")
            .map(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).exists()))
            .unwrap_or(false);
        assert!(found, "{tool} is missing: apt-get install dbus-daemon gnome-keyring (scripts/setup-system test does)");
    }
    let full =
        format!("set -e\nprintf 'unlock-pw' | gnome-keyring-daemon --unlock --components=secrets >/dev/null\n{script}");
    Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &full])
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home)
        .env("TILLCTL", env!("CARGO_BIN_EXE_tillctl"))
        .env_remove("TILL_DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn json_lines(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}: {text}", path.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_saved_by_set_password_opens_the_device_files_database() {
    let cluster = TlsCluster::start();
    cluster.provision().await;
    let url = cluster.tcp_url("till_pw", &format!("sslmode=verify-full&sslrootcert={}", cluster.cert("ca.crt")));
    // The password is needed: scram over TLS refuses a wrong one.
    assert_eq!(open(&url).await.expect_err("no password").code(), "database_misconfigured");
    let file = cluster.etc().join("device.toml").display().to_string();
    let (ok, refused) = tillctl(
        &["device", "init", "--url", &url.replace("till_pw@", "till_pw:x@"), "--register", "DT/R1", "--file", &file],
        &[],
    );
    assert!(!ok && refused["error"]["message"].as_str().unwrap().contains("set-password"), "{refused}");
    let (ok, written) = tillctl(&["device", "init", "--url", &url, "--register", "DT/R1", "--file", &file], &[]);
    assert!(ok, "{written}");

    let home = cluster.dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    set_mode(&home, 0o700);
    let out = |name: &str| home.join(name).display().to_string();
    let script = format!(
        "\"$TILLCTL\" --json doctor > {before} || true\n\
         \"$TILLCTL\" --json device check --file \"$TILL_DEVICE_FILE\" > {check_before} || true\n\
         printf '%s\\n' \"$PW\" | \"$TILLCTL\" --json device set-password --file \"$TILL_DEVICE_FILE\" --password-stdin > {saved}\n\
         \"$TILLCTL\" --json device check --file \"$TILL_DEVICE_FILE\" > {check_after}\n\
         \"$TILLCTL\" --json doctor > {after}\n\
         \"$TILLCTL\" --json register list > {registers}\n",
        before = out("doctor-before.json"),
        check_before = out("check-before.json"),
        saved = out("saved.json"),
        check_after = out("check-after.json"),
        after = out("doctor-after.json"),
        registers = out("registers.json"),
    );
    let session = in_keyring_session(&home, &script, &[("TILL_DEVICE_FILE", &file), ("PW", PASSWORD)]);
    let logs = format!("{}{}", String::from_utf8_lossy(&session.stdout), String::from_utf8_lossy(&session.stderr));
    assert!(session.status.success(), "{logs}");

    // Before set-password: the error names the command to run.
    let before = json_lines(&home.join("doctor-before.json"));
    assert_eq!(before["error"]["code"], "database_misconfigured", "{before}");
    assert!(before["error"]["message"].as_str().unwrap().contains("tillctl device set-password"), "{before}");
    let check_before = json_lines(&home.join("check-before.json"));
    assert_eq!(check(&check_before, "credentials")["fix"], "as the till's user, run `tillctl device set-password`");
    // After: saved under the app's service and the file's URL, and the file's database opens.
    let saved = json_lines(&home.join("saved.json"));
    assert_eq!(
        (saved["service"].as_str(), saved["database"].as_str()),
        (Some("app.till.register"), Some(url.as_str()))
    );
    let check_after = json_lines(&home.join("check-after.json"));
    assert!(check_after["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true), "{check_after}");
    let after = json_lines(&home.join("doctor-after.json"));
    assert!(after["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true), "{after}");
    assert!(!after.to_string().contains("s3cret"), "the password is never printed: {after}");
    let registers = json_lines(&home.join("registers.json"));
    assert_eq!(registers[0]["address"], "DT/R1", "{registers}");
}

#[test]
fn device_init_refuses_a_password_and_a_remote_server_without_verify_full() {
    let dir = std::env::temp_dir().join(format!("till-device-init-{}", uuid::Uuid::now_v7().simple()));
    let file = dir.join("device.toml").display().to_string();
    for (url, says) in [
        ("postgres://till:hunter2@db.example.com/till?sslmode=verify-full", "set-password"),
        ("postgres://till@db.example.com/till?sslmode=require", "verify-full"),
    ] {
        let (ok, refused) = tillctl(&["device", "init", "--url", url, "--register", "DT/R1", "--file", &file], &[]);
        assert!(!ok);
        assert_eq!(refused["error"]["code"], "invalid_input");
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(message.contains(says) && !message.contains("hunter2"), "{message}");
        assert!(!Path::new(&file).exists(), "nothing written");
    }
    // Allowed explicitly, written mode 0644, and doctor then refuses nothing for TLS but warns.
    let url = "postgres://till@db.example.com/till?sslmode=require";
    let (ok, written) = tillctl(
        &[
            "device",
            "init",
            "--url",
            url,
            "--register",
            "DT/R1",
            "--allow-insecure-tls",
            "--update-policy",
            "manual",
            "--file",
            &file,
        ],
        &[],
    );
    assert!(ok, "{written}");
    assert_eq!(written["settings"]["updates"]["policy"], "manual");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o644);
    let (ok, report) = tillctl(&["device", "check", "--file", &file], &[]);
    assert!(!ok, "no password, no server: {report}");
    let tls = check(&report, "TLS");
    assert_eq!((tls["ok"].clone(), tls["warning"].clone()), (true.into(), true.into()), "{report}");
    // An unknown key: the line is named, and tillctl refuses to fall back to another database.
    std::fs::write(
        &file,
        "[database]\nurl = \"sqlite:///x.db\"\n[register]\nlocation = \"DT\"\nregister = \"DT/R1\"\nprinter = 1\n",
    )
    .unwrap();
    let (ok, refused) = tillctl(&["location", "list"], &[("TILL_DEVICE_FILE", &file)]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "device_settings_damaged");
    assert!(refused["error"]["message"].as_str().unwrap().contains("line 6"), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
}
