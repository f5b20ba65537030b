// `npm run test:browser`: build ui/dist if it is missing or older than the sources, type-check the
// Playwright tests (tests/browser/*.ts, against the app's generated bindings) and compile them to
// build/browser-tests, then run them with `node --test`. Screenshots land in test-artifacts/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(`No Chromium at ${chromium}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const built = join(ui, "dist", "index.html");
const inputs = ["src", "public", "index.html", "vite.config.ts", "tsconfig.json", "package.json", "package-lock.json"]
  .map((p) => join(ui, p))
  .filter(existsSync);
// scripts/test builds ui/dist itself (scripts/lib.sh build_ui, which rewrites only the files
// whose bytes changed, so their times say nothing) and says so: building it again here would
// rewrite ui/dist under the end-to-end tests, which embed it, running beside these.
const builtByCaller = process.env.TILL_UI_BUILT === "1" && existsSync(built);
if (!builtByCaller && (!existsSync(built) || Math.max(...inputs.map(newest)) > statSync(built).mtimeMs)) {
  console.log("Building ui/dist …");
  const build = spawnSync("npm", ["run", "build"], { cwd: ui, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Compiled afresh each run, so a test file deleted or renamed leaves nothing behind to run.
// tests/browser/tsconfig.json sets noEmitOnError: a type error stops here, with no tests run.
const out = join(ui, "build", "browser-tests");
rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compile = spawnSync(process.execPath, [tsc, "-p", join("tests", "browser", "tsconfig.json")], { cwd: ui, stdio: "inherit" });
if (compile.status !== 0) {
  console.error("The browser tests do not type-check (tests/browser/tsconfig.json): not running them.");
  process.exit(compile.status ?? 1);
}

mkdirSync(join(ui, "test-artifacts"), { recursive: true });
const dir = join(out, "tests", "browser");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".test.js"))
  .map((f) => relative(ui, join(dir, f)));
if (files.length === 0) {
  console.error(`No compiled tests in ${dir}.`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ["--test", ...files], { cwd: ui, stdio: "inherit" });
process.exit(run.status ?? 1);
