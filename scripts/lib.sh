# Sourced by Till's scripts (scripts/test, e2e, run, bench, bench-desktop), never run: the blocks
# they share. Each script first does `cd "$(dirname "$0")/.."` and `. scripts/lib.sh`.
#
# One build for everything. The debug build is always the same cargo command (build_debug):
# the whole workspace, every target (the tests too), the UI embedded (tauri/custom-protocol).
# `cargo test --workspace` with the same features compiles exactly the same units, so the tests,
# scripts/e2e, scripts/run and scripts/bench-desktop share it: after one of them, the others
# compile nothing. Anything narrower is a second build, not a subset of the first: with
# resolver 2, `-p till-desktop` or leaving the tests (and their dev-dependencies) out resolves
# features differently and recompiles gtk, pango, sqlx and the app (about 5 minutes on 2 cores).

TILL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TILL_TARGET_DIR=${CARGO_TARGET_DIR:-$TILL_ROOT/target}
# The desktop app of the debug build.
TILL_APP="$TILL_TARGET_DIR/debug/till-register"
# The emulated ESC/POS printer the end-to-end tests print to (till-testkit's [[bin]]), from the same build.
TILL_EMULATED_PRINTER="$TILL_TARGET_DIR/debug/till-emulated-printer"
# Every cargo command that compiles or checks the workspace passes these (clippy too).
TILL_CARGO_FEATURES=(--features tauri/custom-protocol)

# Commands to run when the script exits, however it exits (last registered runs first).
_till_on_exit=()
on_exit() { # COMMAND (one string, evaluated at exit)
  _till_on_exit=("$1" "${_till_on_exit[@]}")
  trap _till_run_on_exit EXIT
}
_till_run_on_exit() {
  local cmd
  for cmd in "${_till_on_exit[@]}"; do eval "$cmd" || true; done
}

# The UI's npm packages: `npm ci` when ui/node_modules is missing or older than the lockfile.
ensure_ui_deps() {
  local stamp="$TILL_ROOT/ui/node_modules/.package-lock.json"
  if [ ! -d "$TILL_ROOT/ui/node_modules" ] || [ ! -e "$stamp" ] ||
    [ "$TILL_ROOT/ui/package-lock.json" -nt "$stamp" ] || [ "$TILL_ROOT/ui/package.json" -nt "$stamp" ]; then
    echo "installing the UI's npm packages (npm ci in ui/)" >&2
    if [ "$(id -u)" = 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
      # Under sudo (scripts/test-package): the checkout is the user's, so are its packages.
      (cd "$TILL_ROOT/ui" && sudo -u "$SUDO_USER" -H npm ci --no-audit --no-fund --loglevel=error)
    else
      (cd "$TILL_ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
}

# Type-checks and builds the UI into ui/dist. The app embeds ui/dist with include_bytes!, so
# cargo recompiles it when a file there is newer than the last build: the build goes to a
# scratch folder and only files whose bytes changed are copied over, so building an unchanged
# UI again leaves the app's build fresh.
#   build_ui [--quiet]
build_ui() {
  local out dist="$TILL_ROOT/ui/dist" f
  ensure_ui_deps
  out=$(mktemp -d -t till-ui.XXXXXX)
  if [ "${1:-}" = --quiet ]; then
    # Output only on failure (tsc reports on stdout).
    (cd "$TILL_ROOT/ui" && npm run build -- --outDir "$out" --emptyOutDir) >"$out.log" 2>&1 ||
      { cat "$out.log" >&2; rm -rf "$out" "$out.log"; echo "the UI does not build (ui/: npm run build)" >&2; return 1; }
    rm -f "$out.log"
  else
    (cd "$TILL_ROOT/ui" && npm run build -- --outDir "$out" --emptyOutDir) || { rm -rf "$out"; return 1; }
  fi
  mkdir -p "$dist"
  (cd "$out" && find . -type f) | while IFS= read -r f; do
    cmp -s "$out/$f" "$dist/$f" || { mkdir -p "$(dirname "$dist/$f")" && cp "$out/$f" "$dist/$f"; }
  done
  (cd "$dist" && find . -type f) | while IFS= read -r f; do
    [ -e "$out/$f" ] || rm -f "$dist/$f"
  done
  find "$dist" -mindepth 1 -type d -empty -delete
  rm -rf "$out"
}

# The one debug build (see the top of this file). Extra arguments go to cargo (e.g. -q).
build_debug() {
  (cd "$TILL_ROOT" && cargo build --workspace --all-targets --locked "${TILL_CARGO_FEATURES[@]}" "$@")
}

# The desktop app as scripts/run opens it: the UI, then the debug build. Sets nothing; the app
# is $TILL_APP.
build_desktop() {
  build_ui "$@"
  build_debug
}

# A throwaway PostgreSQL cluster for this script, stopped when it exits. Exports
# TILL_TEST_PG_URL (a superuser URL), TILL_PG_THROWAWAY_DIR and TILL_PG_BIN.
start_throwaway_pg() {
  local env
  env=$("$TILL_ROOT/scripts/pg-throwaway" start)
  eval "$env"
  on_exit "$(printf '%q stop %q' "$TILL_ROOT/scripts/pg-throwaway" "$TILL_PG_THROWAWAY_DIR")"
}

# The test server: the one TILL_TEST_PG_URL names, or a throwaway one (stopped at exit). Checks
# that it answers, and exports TILL_TEST_PG_URL.
use_test_pg() {
  if [ -z "${TILL_TEST_PG_URL:-}" ]; then
    start_throwaway_pg
    echo "throwaway server at $TILL_TEST_PG_URL"
  fi
  export TILL_TEST_PG_URL
  psql -qtAc "SELECT 'reachable: ' || version()" "$TILL_TEST_PG_URL" || {
    echo "cannot reach TILL_TEST_PG_URL ($TILL_TEST_PG_URL); unset it to let the script start a throwaway server" >&2
    return 1
  }
}

# A tool the scripts run (cargo-deny, tauri-driver), built once per machine into cargo's bin
# folder. Unoptimised and without LTO or debug info: on a fresh 2-core machine the tools' own
# release profiles (cargo-deny's fat LTO in one codegen unit) took 300 and 90 seconds of CPU
# beside the tests, against 150 and 50 this way, and neither tool's speed matters here
# (cargo-deny's check takes 3 s instead of 2). From /: this checkout's .cargo/config.toml
# (clippy's lints as errors) is for Till's crates. NICE: the build's priority (0 when a test
# waits for the tool, as scripts/e2e waits for tauri-driver: at nice 10 beside the three suites
# it took 9 minutes and made the WebDriver tests the test command's last to finish).
install_tool() { # NICE CRATE VERSION-REQUIREMENT
  (cd / && nice -n "$1" cargo install "$2" --version "$3" --locked \
    --config profile.release.opt-level=0 --config profile.release.codegen-units=256 \
    --config profile.release.debug=false --config profile.release.lto=false \
    --config profile.release.incremental=false)
}

# cargo-deny, the release deny.toml is written for; installed when that release is not there
# yet (a fresh machine builds it beside the tests).
TILL_CARGO_DENY=0.20.2
install_cargo_deny() {
  if [ "$(cargo deny --version 2>/dev/null)" = "cargo-deny $TILL_CARGO_DENY" ]; then
    return 0
  fi
  # Checked only at the end, so built at low priority.
  install_tool 10 cargo-deny "$TILL_CARGO_DENY"
}

# tauri-driver, the WebDriver server scripts/e2e drives the app through; installed when missing
# (under a minute on a fresh machine). scripts/e2e calls it.
install_tauri_driver() {
  if command -v tauri-driver >/dev/null || [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
    return 0
  fi
  echo "installing tauri-driver (under a minute)" >&2
  install_tool 0 tauri-driver '^2'
}
