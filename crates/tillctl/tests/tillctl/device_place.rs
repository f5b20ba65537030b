//! A device file in a folder others can write: `device check` and every command that reads the
//! file refuse it, naming the folder and the command that fixes it.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

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

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_device_file_in_a_folder_others_can_write_is_refused() {
    let dir = std::env::temp_dir().join(format!("till-device-place-{}", uuid::Uuid::now_v7().simple()));
    let etc = dir.join("etc");
    let file = etc.join("device.toml");
    let file_arg = file.display().to_string();
    let url = format!("sqlite://{}", dir.join("till.db").display());
    let (ok, written) = tillctl(&["device", "init", "--url", &url, "--register", "DT/R1", "--file", &file_arg], &[]);
    assert!(ok, "{written}");
    set_mode(&dir, 0o755);
    set_mode(&etc, 0o755);
    let (_, report) = tillctl(&["device", "check", "--file", &file_arg], &[]);
    let line = |report: &serde_json::Value| {
        report["checks"].as_array().unwrap().iter().find(|c| c["name"] == "device file").cloned().unwrap()
    };
    assert_eq!(line(&report)["ok"], true, "0755 folders under /tmp: {report}");

    set_mode(&etc, 0o777);
    let fix = format!("chmod go-w {}", etc.display());
    let (ok, report) = tillctl(&["device", "check", "--file", &file_arg], &[]);
    assert!(!ok);
    let refused = line(&report);
    assert_eq!(refused["ok"], false, "{report}");
    assert!(refused["detail"].as_str().unwrap().contains(&fix), "{report}");
    // A command that takes its database from the file refuses to fall back to another one.
    let (ok, refused) = tillctl(&["location", "list"], &[("TILL_DEVICE_FILE", &file_arg)]);
    assert!(!ok);
    assert_eq!(refused["error"]["code"], "device_settings_damaged", "{refused}");
    assert!(refused["error"]["message"].as_str().unwrap().contains(&fix), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
}
