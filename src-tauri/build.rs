//! Generates the app's permissions (`allow-<command>`) for exactly the commands the UI calls;
//! `capabilities/main.json` grants them to the main window and nothing else. Also records the
//! version and git commit for the About line (`till-buildinfo`).

include!("../crates/till-app/src/command_names.rs");

fn main() {
    till_buildinfo::emit();
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
