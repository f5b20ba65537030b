//! Fails when the app's security shape is loosened: a plugin that gives the web view a
//! database, a shell, files or the network; a capability granting more than the app's own
//! commands; a weaker CSP; the global Tauri object; `invoke` called outside `ui/src/api.ts`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

include!("../../crates/till-app/src/command_names.rs");

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const FORBIDDEN_PLUGINS: [&str; 4] = ["tauri-plugin-sql", "tauri-plugin-shell", "tauri-plugin-fs", "tauri-plugin-http"];

/// Every dependency name in a manifest: all dependency tables, also per target.
fn dependency_names(manifest: &toml::Table) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut add = |table: &toml::Table| {
        for kind in ["dependencies", "dev-dependencies", "build-dependencies"] {
            if let Some(deps) = table.get(kind).and_then(|d| d.as_table()) {
                names.extend(deps.keys().cloned());
            }
        }
    };
    add(manifest);
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table()) {
        for target in targets.values().filter_map(|t| t.as_table()) {
            add(target);
        }
    }
    if let Some(deps) = manifest.get("workspace").and_then(|w| w.get("dependencies")).and_then(|d| d.as_table()) {
        names.extend(deps.keys().cloned());
    }
    names
}

#[test]
fn no_sql_shell_fs_or_http_plugin() {
    for manifest in [here().join("Cargo.toml"), here().join("../Cargo.toml")] {
        let table: toml::Table = read(&manifest).parse().unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
        let names = dependency_names(&table);
        assert!(names.contains("tauri") || manifest.ends_with("../Cargo.toml"), "{names:?}");
        for forbidden in FORBIDDEN_PLUGINS {
            assert!(!names.iter().any(|n| n.starts_with(forbidden)), "{} depends on {forbidden}", manifest.display());
        }
    }
    // Not even through another crate.
    let lock = read(&here().join("../Cargo.lock"));
    for forbidden in FORBIDDEN_PLUGINS {
        assert!(!lock.contains(&format!("name = \"{forbidden}")), "Cargo.lock has {forbidden}");
    }
}

fn permission(command: &str) -> String {
    format!("allow-{}", command.replace('_', "-"))
}

#[test]
fn the_capability_grants_exactly_the_app_commands() {
    let expected: BTreeSet<String> = COMMANDS.iter().map(|c| permission(c)).collect();
    let dir = here().join("capabilities");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.map(|e| e.path()).unwrap_or_default())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![dir.join("customer.json"), dir.join("main.json")],
        "one capability file for the main window, one for the customer display"
    );
    let capability = json(&dir.join("main.json"));
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
    assert!(capability.get("remote").is_none(), "no remote URL may reach the IPC");
    assert!(capability.get("webviews").is_none());
    let granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap_or_else(|| panic!("permissions must be a list of names"))
        .iter()
        .map(|p| p.as_str().unwrap_or_else(|| panic!("{p}: permissions are plain names, without scopes")).to_string())
        .collect();
    let granted_set: BTreeSet<String> = granted.iter().cloned().collect();
    assert_eq!(granted.len(), granted_set.len(), "a permission is listed twice");
    assert_eq!(granted_set, expected, "the main window gets the app's commands and nothing else");

    // The customer display faces the customer: it reads its view and can do nothing else.
    let customer = json(&dir.join("customer.json"));
    assert_eq!(customer["windows"], serde_json::json!(["customer"]));
    assert!(customer.get("remote").is_none() && customer.get("webviews").is_none());
    assert_eq!(customer["permissions"], serde_json::json!(["allow-customer-view"]));
}

/// The names the webview can reach: the shell's, inside `generate_handler![...]` in main.rs
/// (exactly `SHELL_COMMANDS`), and the rest, which till-app's table answers.
fn registered_commands() -> BTreeSet<String> {
    let shell = shell_commands();
    let declared_shell: BTreeSet<String> = SHELL_COMMANDS.iter().map(|c| c.to_string()).collect();
    assert_eq!(shell, declared_shell, "generate_handler! in main.rs holds exactly the shell's commands");
    let application: BTreeSet<String> =
        COMMANDS.iter().filter(|c| till_app::commands::serves(c)).map(|c| c.to_string()).collect();
    shell.union(&application).cloned().collect()
}

/// The names inside `generate_handler![...]` in main.rs.
fn shell_commands() -> BTreeSet<String> {
    let main = read(&here().join("src/main.rs"));
    let start = main.find("generate_handler![").unwrap_or_else(|| panic!("main.rs has no generate_handler!"));
    let list = &main[start + "generate_handler![".len()..];
    let list = &list[..list.find(']').unwrap_or(list.len())];
    list.split(',')
        .map(|name| name.trim().rsplit("::").next().unwrap_or_default().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn build_rs_main_rs_and_the_ui_name_the_same_commands() {
    let declared: BTreeSet<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
    assert_eq!(declared.len(), COMMANDS.len(), "a command is listed twice");
    assert!(read(&here().join("build.rs")).contains("include!(\"../crates/till-app/src/command_names.rs\")"));
    assert_eq!(registered_commands(), declared, "generate_handler! in main.rs and till-app's table");

    let api = read(&here().join("../ui/src/api.ts"));
    let called: BTreeSet<String> = api
        .match_indices("call(\"")
        .filter_map(|(at, m)| api[at + m.len()..].split('"').next().map(str::to_string))
        .collect();
    assert_eq!(called, declared, "ui/src/api.ts calls exactly the declared commands");
}

fn csp_sources(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(str::to_string);
            (words.next().unwrap_or_default(), words.collect())
        })
        .collect()
}

/// What makes a CSP looser than the app's: empty when it is strict.
fn csp_problems(csp: &str) -> Vec<String> {
    const IPC: [&str; 2] = ["ipc:", "http://ipc.localhost"];
    let directives = csp_sources(csp);
    let mut problems = Vec::new();
    for (name, sources) in &directives {
        for source in sources {
            let s = source.to_ascii_lowercase();
            let remote = ["http:", "https:", "ws:", "wss:"].iter().any(|scheme| s.starts_with(scheme));
            if s.contains("unsafe-") {
                problems.push(format!("{name} allows {source}"));
            } else if s.contains('*') {
                problems.push(format!("{name} allows a wildcard: {source}"));
            } else if remote && !IPC.contains(&s.as_str()) {
                problems.push(format!("{name} allows the network: {source}"));
            } else if (s == "data:" && name != "img-src") || s == "blob:" {
                problems.push(format!("{name} allows {source} URLs"));
            }
        }
    }
    let get = |name: &str| directives.iter().find(|(n, _)| n == name).map(|(_, s)| s.join(" "));
    for (name, want) in [
        ("default-src", "'self' ipc: http://ipc.localhost"),
        ("script-src", "'self'"),
        ("style-src", "'self'"),
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("frame-ancestors", "'none'"),
    ] {
        if get(name).as_deref() != Some(want) {
            problems.push(format!("{name} must be exactly {want}, not {:?}", get(name)));
        }
    }
    problems
}

#[test]
fn the_csp_is_strict_and_the_global_tauri_object_is_off() {
    let conf = json(&here().join("tauri.conf.json"));
    let app = &conf["app"];
    assert_eq!(app["withGlobalTauri"], serde_json::Value::Bool(false), "app.withGlobalTauri must be present and false");
    let security = &app["security"];
    let csp = security["csp"].as_str().unwrap_or_else(|| panic!("app.security.csp must be one string"));
    assert_eq!(csp_problems(csp), Vec::<String>::new(), "app.security.csp");
    if let Some(dev) = security.get("devCsp").and_then(|d| d.as_str()) {
        assert_eq!(csp_problems(dev), Vec::<String>::new(), "app.security.devCsp");
    }
    assert!(security.get("dangerousDisableAssetCspModification").is_none(), "Tauri's CSP nonces stay on");
    assert!(security.get("freezePrototype").is_none_or(|v| v != &serde_json::Value::Bool(false)));
    assert_eq!(updater_config_problems(&conf), Vec::<String>::new(), "plugins.updater");
    assert_eq!(conf["build"]["frontendDist"], "../ui/dist", "the app serves only its own built UI");
}

/// The only plugin configuration is the updater's, and it stays strict: signatures must carry
/// the version they were signed for; no endpoint (it comes from the device file IT provisions);
/// no insecure transport or certificate exceptions; and no key committed (scripts/package
/// builds its key in with `--config`).
fn updater_config_problems(conf: &serde_json::Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(plugins) = conf.get("plugins").and_then(|p| p.as_object()) else {
        return vec!["plugins.updater must be configured (the plugin needs its pubkey entry)".into()];
    };
    if plugins.keys().any(|k| k != "updater") {
        problems.push(format!("only the updater is configured, not {:?}", plugins.keys().collect::<Vec<_>>()));
    }
    let updater = &plugins["updater"];
    if updater["pubkey"] != "" {
        problems.push("the committed pubkey is empty: scripts/package sets the real one".into());
    }
    if updater["requireSignedVersion"] != true {
        problems.push("requireSignedVersion must be true".into());
    }
    for key in [
        "endpoints",
        "dangerousInsecureTransportProtocol",
        "dangerousAcceptInvalidCerts",
        "dangerousAcceptInvalidHostnames",
        "allowDowngrades",
    ] {
        if updater.get(key).is_some() {
            problems.push(format!("{key} must not be set"));
        }
    }
    problems
}

#[test]
fn the_updater_check_rejects_loosened_configs() {
    let strict = serde_json::json!({"plugins": {"updater": {"pubkey": "", "requireSignedVersion": true}}});
    assert_eq!(updater_config_problems(&strict), Vec::<String>::new());
    for (key, value) in [
        ("pubkey", serde_json::json!("dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXk=")),
        ("requireSignedVersion", serde_json::json!(false)),
        ("endpoints", serde_json::json!(["https://cashier.example/latest.json"])),
        ("dangerousInsecureTransportProtocol", serde_json::json!(true)),
        ("allowDowngrades", serde_json::json!(true)),
    ] {
        let mut loose = strict.clone();
        loose["plugins"]["updater"][key] = value;
        assert!(!updater_config_problems(&loose).is_empty(), "accepted {key}");
    }
    assert!(!updater_config_problems(&serde_json::json!({})).is_empty());
    let sql = serde_json::json!({"plugins": {"updater": {"pubkey": "", "requireSignedVersion": true}, "sql": {}}});
    assert!(!updater_config_problems(&sql).is_empty());
}

#[test]
fn the_csp_check_rejects_loosened_policies() {
    let strict = "default-src 'self' ipc: http://ipc.localhost; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ipc: http://ipc.localhost; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    assert_eq!(csp_problems(strict), Vec::<String>::new());
    for loose in [
        strict.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
        strict.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"),
        strict.replace("connect-src ipc:", "connect-src * ipc:"),
        strict.replace("connect-src ipc:", "connect-src https: ipc:"),
        strict.replace("connect-src ipc:", "connect-src http://localhost:8080 ipc:"),
        strict.replace("style-src 'self'", "style-src 'self' data:"),
        strict.replace("; object-src 'none'", ""),
    ] {
        assert!(!csp_problems(&loose).is_empty(), "accepted: {loose}");
    }
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let path = entry.path();
        if path.is_dir() {
            source_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn only_api_ts_calls_invoke() {
    let src = here().join("../ui/src");
    let mut files = Vec::new();
    source_files(&src, &mut files);
    assert!(files.len() > 5, "ui/src has the UI's sources");
    for file in files.iter().filter(|f| !f.ends_with("api.ts")) {
        let text = read(file);
        for needle in ["invoke(", "invoke<", "@tauri-apps/api", "__TAURI"] {
            assert!(
                !text.contains(needle),
                "{} uses {needle}: only ui/src/api.ts talks to the backend",
                file.display()
            );
        }
    }
    assert!(read(&src.join("api.ts")).contains("invoke<T>(command, args)"));
}
