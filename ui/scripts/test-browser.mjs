// `npm run test:browser`: build ui/dist if it is missing or older than the sources, then run the
// Playwright tests (tests/browser/*.test.mjs) with `node --test`. Screenshots land in test-artifacts/.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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
if (!existsSync(built) || Math.max(...inputs.map(newest)) > statSync(built).mtimeMs) {
  console.log("Building ui/dist …");
  const build = spawnSync("npm", ["run", "build"], { cwd: ui, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

mkdirSync(join(ui, "test-artifacts"), { recursive: true });
const dir = join(ui, "tests", "browser");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".test.mjs"))
  .map((f) => join("tests", "browser", f));
const run = spawnSync(process.execPath, ["--test", ...files], { cwd: ui, stdio: "inherit" });
process.exit(run.status ?? 1);
